package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

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

func onRequestDTO(d requests.OnRequestDocument) onRequestDocumentDTO {
	v := onRequestDocumentDTO{ID: d.ID, Title: d.Title, DocNumber: d.DocNumber, Summary: d.Summary, Unit: d.UnitName,
		SignedOn: dateOrEmpty(d.SignedOn), Reason: d.Reason, Citation: d.Citation(), LinkedBy: d.LinkedByName}
	if !d.LinkedAt.IsZero() {
		v.LinkedAt = &d.LinkedAt
	}
	return v
}

func onRequestDTOs(ds []requests.OnRequestDocument) []onRequestDocumentDTO {
	out := make([]onRequestDocumentDTO, 0, len(ds))
	for _, d := range ds {
		out = append(out, onRequestDTO(d))
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

// itemsByID answers the items load returns for the record the path's :id names, each converted
// by dto, or load's error.
func itemsByID[T, D any](c *gin.Context, load func(context.Context, workflow.Actor, int64) ([]T, error), dto func(T) D) {
	id, err := pathID(c, "id")
	if err != nil {
		c.Error(err)
		return
	}
	items, err := load(c.Request.Context(), staffOf(c).Actor(), id)
	if err != nil {
		c.Error(err)
		return
	}
	out := make([]D, 0, len(items))
	for _, it := range items {
		out = append(out, dto(it))
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

// linkedDocuments lists the documents linked to a request.
func (r *RequestsAPI) linkedDocuments(c *gin.Context) { itemsByID(c, r.OnRequest.Linked, onRequestDTO) }

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
	itemsByID(c, r.OnRequest.Citing, func(q requests.CitingRequest) citingRequestDTO {
		return citingRequestDTO{ID: q.RequestID, ReceiptNo: q.ReceiptNo, Title: q.Title, State: q.State, Outcome: q.Outcome,
			LinkedAt: q.LinkedAt}
	})
}
