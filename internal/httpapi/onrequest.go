package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"wugongkai/workflow/requests"
)

// mountOnRequest registers the routes of documents available on request (issue 13): the request
// desk searches them, links them to a request, and a document lists the requests it answered.
func (r *RequestsAPI) mountOnRequest(h func(method, path, perm string, handlers ...gin.HandlerFunc)) {
	h(http.MethodGet, "/api/v1/on-request-documents", "request:handle", r.searchOnRequest)
	h(http.MethodGet, "/api/v1/requests/:id/documents", "request:read", r.linkedDocuments)
	h(http.MethodPost, "/api/v1/requests/:id/documents", "request:handle", r.linkDocuments)
	h(http.MethodGet, "/api/v1/documents/:id/requests", "request:read", r.citingRequests)
}

// onRequestDocumentDTO is a document available on request as the request desk sees it.
type onRequestDocumentDTO struct {
	ID        int64      `json:"id"`
	Title     string     `json:"title"`
	DocNumber string     `json:"doc_number"`
	Summary   string     `json:"summary"`
	Unit      string     `json:"unit"`
	SignedOn  string     `json:"signed_on"`
	Reason    string     `json:"reason"`
	Citation  string     `json:"citation"`
	LinkedAt  *time.Time `json:"linked_at,omitempty"`
	LinkedBy  string     `json:"linked_by,omitempty"`
}

func onRequestDTOs(ds []requests.OnRequestDocument) []onRequestDocumentDTO {
	out := make([]onRequestDocumentDTO, 0, len(ds))
	for _, d := range ds {
		v := onRequestDocumentDTO{ID: d.ID, Title: d.Title, DocNumber: d.DocNumber, Summary: d.Summary, Unit: d.UnitName,
			SignedOn: dateOrEmpty(d.SignedOn), Reason: d.Reason, Citation: d.Citation(), LinkedBy: d.LinkedByName}
		if !d.LinkedAt.IsZero() {
			v.LinkedAt = &d.LinkedAt
		}
		out = append(out, v)
	}
	return out
}

// searchOnRequest finds documents available on request by the words of q.
func (r *RequestsAPI) searchOnRequest(c *gin.Context) {
	ds, err := r.OnRequest.Search(c.Request.Context(), staffOf(c).Actor(), c.Query("q"))
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": onRequestDTOs(ds)})
}

// linkedDocuments lists the documents linked to a request.
func (r *RequestsAPI) linkedDocuments(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		c.Error(err)
		return
	}
	ds, err := r.OnRequest.Linked(c.Request.Context(), staffOf(c).Actor(), id)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": onRequestDTOs(ds)})
}

// linkRequest names the documents to link to a request.
type linkRequest struct {
	DocumentIDs []int64 `json:"document_ids"`
}

// linkDocuments links documents available on request to a request and answers the linked list.
func (r *RequestsAPI) linkDocuments(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		c.Error(err)
		return
	}
	var req linkRequest
	if err := decodeJSON(c, &req); err != nil {
		c.Error(err)
		return
	}
	ds, err := r.OnRequest.Link(c.Request.Context(), staffOf(c).Actor(), id, req.DocumentIDs)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": onRequestDTOs(ds)})
}

// citingRequestDTO is a request a document was linked to.
type citingRequestDTO struct {
	ID        int64     `json:"id"`
	ReceiptNo string    `json:"receipt_no"`
	Title     string    `json:"title"`
	State     string    `json:"state"`
	Outcome   string    `json:"outcome,omitempty"`
	LinkedAt  time.Time `json:"linked_at"`
}

// citingRequests lists the requests a document was linked to.
func (r *RequestsAPI) citingRequests(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		c.Error(err)
		return
	}
	rs, err := r.OnRequest.Citing(c.Request.Context(), staffOf(c).Actor(), id)
	if err != nil {
		c.Error(err)
		return
	}
	out := make([]citingRequestDTO, 0, len(rs))
	for _, q := range rs {
		out = append(out, citingRequestDTO{ID: q.RequestID, ReceiptNo: q.ReceiptNo, Title: q.Title, State: q.State, Outcome: q.Outcome,
			LinkedAt: q.LinkedAt})
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}
