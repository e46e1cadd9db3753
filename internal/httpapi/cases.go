package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"wugongkai/workflow/requests"
)

// caseRequest is the JSON of a case record.
type caseRequest struct {
	Version       int    `json:"version"`
	Kind          string `json:"kind"`
	CaseNo        string `json:"case_no"`
	Organ         string `json:"organ"`
	ApplicantName string `json:"applicant_name"`
	RequestID     int64  `json:"request_id"`
	FiledOn       string `json:"filed_on"`
	ConcludedOn   string `json:"concluded_on"`
	Outcome       string `json:"outcome"`
	Summary       string `json:"summary"`
}

func (r caseRequest) seenVersion() int { return r.Version }

func (q caseRequest) toInput() requests.CaseInput {
	return requests.CaseInput{Kind: q.Kind, CaseNo: q.CaseNo, Organ: q.Organ, ApplicantName: q.ApplicantName, RequestID: q.RequestID,
		FiledOn: q.FiledOn, ConcludedOn: q.ConcludedOn, Outcome: q.Outcome, Summary: q.Summary}
}

type caseDTO struct {
	ID            int64     `json:"id"`
	Version       int       `json:"version"`
	Kind          string    `json:"kind"`
	KindLabel     string    `json:"kind_label"`
	CaseNo        string    `json:"case_no"`
	Organ         string    `json:"organ"`
	ApplicantName string    `json:"applicant_name"`
	RequestID     int64     `json:"request_id,omitempty"`
	FiledOn       string    `json:"filed_on"`
	ConcludedOn   string    `json:"concluded_on,omitempty"`
	Outcome       string    `json:"outcome"`
	OutcomeLabel  string    `json:"outcome_label"`
	Summary       string    `json:"summary"`
	UpdatedAt     time.Time `json:"updated_at"`
}

func toCaseDTO(k requests.Case) caseDTO {
	return caseDTO{ID: k.ID, Version: k.Version, Kind: k.Kind, KindLabel: requests.CaseKindLabel(k.Kind), CaseNo: k.CaseNo, Organ: k.Organ,
		ApplicantName: k.ApplicantName, RequestID: k.RequestID, FiledOn: k.FiledOn.String(), ConcludedOn: k.ConcludedOn.String(),
		Outcome: k.Outcome, OutcomeLabel: requests.CaseOutcomeLabel(k.Outcome), Summary: k.Summary, UpdatedAt: k.UpdatedAt}
}

func (r *RequestsAPI) recordCase(c *gin.Context) error {
	var req caseRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	k, err := r.Cases.Record(c.Request.Context(), staffOf(c).Actor(), req.toInput())
	return reply(c, http.StatusCreated, toCaseDTO(k), err)
}

func (r *RequestsAPI) updateCase(c *gin.Context) error {
	var req caseRequest
	id, err := idAndUpdate(c, &req)
	if err != nil {
		return err
	}
	k, err := r.Cases.Update(c.Request.Context(), staffOf(c).Actor(), id, req.Version, req.toInput())
	return reply(c, http.StatusOK, toCaseDTO(k), err)
}

func (r *RequestsAPI) getCase(c *gin.Context) error {
	return withID(c, func(id int64) error {
		k, err := r.Cases.Get(c.Request.Context(), staffOf(c).Actor(), id)
		return reply(c, http.StatusOK, toCaseDTO(k), err)
	})
}

func (r *RequestsAPI) listCases(c *gin.Context) error {
	year, err := queryInt(c, "year", 0, 2000, 2200)
	if err != nil {
		return err
	}
	page, err := queryInt(c, "page", 1, 1, 10000)
	if err != nil {
		return err
	}
	ks, total, err := r.Cases.List(c.Request.Context(), staffOf(c).Actor(), requests.CaseQuery{Year: year, Kind: c.Query("kind"),
		Limit: 100, Offset: (page - 1) * 100})
	if err != nil {
		return err
	}
	out := []caseDTO{}
	for _, k := range ks {
		out = append(out, toCaseDTO(k))
	}
	c.JSON(http.StatusOK, gin.H{"items": out, "total": total, "page": page})
	return nil
}
