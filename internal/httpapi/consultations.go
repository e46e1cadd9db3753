package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"wugongkai/workflow"
	"wugongkai/workflow/consultations"
)

// ConsultationsAPI is the JSON API of public comment periods on decision drafts: the public list,
// page and comment form, and the staff's comment list, moderation, dispositions and adoption
// summary.
type ConsultationsAPI struct {
	Consultations *consultations.Consultations
	api           *API
}

// MountConsultations registers the consultation routes on srv, authenticating staff routes with
// a (which Mount must have registered first).
func MountConsultations(srv *Server, a *API, c *ConsultationsAPI) {
	if a.srv == nil {
		a.srv = srv
	}
	a.consultations, c.api = c, a
	a.mount("consultations")
}

// consultationItemDTO is a consultation in the public list.
type consultationItemDTO struct {
	ID               int64     `json:"id"`
	Title            string    `json:"title"`
	UnitName         string    `json:"unit_name"`
	Status           string    `json:"status"`
	StatusLabel      string    `json:"status_label"`
	OpensAt          time.Time `json:"opens_at"`
	ClosesAt         time.Time `json:"closes_at"`
	ShorteningReason string    `json:"shortening_reason,omitempty"`
	Extended         bool      `json:"extended"`
	CommentCount     int       `json:"comment_count"`
	Published        bool      `json:"decision_published"`
}

type extensionDTO struct {
	At       time.Time `json:"at"`
	ClosesAt time.Time `json:"closes_at"`
	Reason   string    `json:"reason"`
}

type publicCommentDTO struct {
	Text        string    `json:"text"`
	SubmittedAt time.Time `json:"submitted_at"`
}

// consultationDTO is the public page of one consultation. It never carries a commenter's name or
// contact, the drafter, the facts or the history beyond the extensions.
type consultationDTO struct {
	consultationItemDTO
	Body              string             `json:"body"`
	Explanation       string             `json:"explanation"`
	Extensions        []extensionDTO     `json:"extensions"`
	CommentsPublic    bool               `json:"comments_public"`
	PublishedComments []publicCommentDTO `json:"published_comments"`
	AdoptionSummary   string             `json:"adoption_summary,omitempty"`
	DecidedOn         string             `json:"decided_on,omitempty"`
	PublishedAt       *time.Time         `json:"published_at,omitempty"`
}

func toConsultationItem(v consultations.ConsultationView) consultationItemDTO {
	return consultationItemDTO{ID: v.ID, Title: v.Title, UnitName: v.UnitName, Status: v.Status,
		StatusLabel: consultations.ConsultationStatusLabel(v.Status), OpensAt: v.OpensAt, ClosesAt: v.ClosesAt,
		ShorteningReason: v.ShorteningReason, Extended: len(v.Extensions) > 0, CommentCount: v.CommentCount,
		Published: v.State == "published"}
}

func (c *ConsultationsAPI) list(g *gin.Context) error {
	page, size, err := paging(g, 10000, 20, 100)
	if err != nil {
		return err
	}
	vs, total, err := c.Consultations.List(g.Request.Context(), g.Query("status"), size, (page-1)*size)
	if err != nil {
		return err
	}
	return listPage(g, vs, toConsultationItem, total, page, size)
}

func (c *ConsultationsAPI) view(g *gin.Context) error {
	id, err := pathID(g, "id")
	if err != nil {
		return err
	}
	v, err := c.Consultations.View(g.Request.Context(), id)
	if err != nil {
		return err
	}
	out := consultationDTO{consultationItemDTO: toConsultationItem(v), Body: v.Body, Explanation: v.Explanation,
		Extensions: []extensionDTO{}, CommentsPublic: v.CommentsPublic, PublishedComments: []publicCommentDTO{},
		AdoptionSummary: v.AdoptionSummary, DecidedOn: v.DecidedOn}
	for _, e := range v.Extensions {
		out.Extensions = append(out.Extensions, extensionDTO{At: e.At, ClosesAt: e.ClosesAt, Reason: e.Reason})
	}
	for _, pc := range v.PublishedComments {
		out.PublishedComments = append(out.PublishedComments, publicCommentDTO{Text: pc.Text, SubmittedAt: pc.SubmittedAt})
	}
	if !v.PublishedAt.IsZero() {
		t := v.PublishedAt
		out.PublishedAt = &t
	}
	g.JSON(http.StatusOK, out)
	return nil
}

// commentReceiptDTO is what a comment's receipt number tells: when the comment was received, the consultation,
// and its disposition once the adoption summary is published.
type commentReceiptDTO struct {
	ReceiptNo         string              `json:"receipt_no"`
	ReceivedAt        time.Time           `json:"received_at"`
	Consultation      consultationItemDTO `json:"consultation"`
	SummaryPublished  bool                `json:"summary_published"`
	Disposition       string              `json:"disposition,omitempty"`
	DispositionReason string              `json:"disposition_reason,omitempty"`
}

func (c *ConsultationsAPI) receipt(g *gin.Context) error {
	v, err := c.Consultations.Receipt(g.Request.Context(), g.Param("no"), g.ClientIP())
	if err != nil {
		return err
	}
	g.JSON(http.StatusOK, commentReceiptDTO{ReceiptNo: v.No, ReceivedAt: v.ReceivedAt, Consultation: toConsultationItem(v.Consultation),
		SummaryPublished: v.SummaryPublished, Disposition: string(v.Disposition), DispositionReason: v.DispositionReason})
	return nil
}

type commentRequest struct {
	Name    string `json:"name"`
	Contact string `json:"contact"`
	Text    string `json:"text"`
}

func (c *ConsultationsAPI) accept(g *gin.Context) error {
	var req commentRequest
	id, err := idAndBody(g, &req)
	if err != nil {
		return err
	}
	r, err := c.Consultations.Accept(g.Request.Context(), id, consultations.CommentInput{Name: req.Name, Contact: req.Contact, Text: req.Text},
		g.ClientIP())
	if err != nil {
		return err
	}
	g.JSON(http.StatusCreated, gin.H{"receipt_no": r.No, "submitted_at": r.SubmittedAt})
	return nil
}

// commentDTO is a comment as staff see it; contact is masked unless contact_visible.
type commentDTO struct {
	ID                int64     `json:"id"`
	ReceiptNo         string    `json:"receipt_no"`
	Name              string    `json:"name"`
	Contact           string    `json:"contact"`
	Text              string    `json:"text"`
	SubmittedAt       time.Time `json:"submitted_at"`
	Status            string    `json:"status"`
	ModerationReason  string    `json:"moderation_reason,omitempty"`
	CampaignKey       string    `json:"campaign_key"`
	CampaignSize      int       `json:"campaign_size,omitempty"`
	ClientKey         string    `json:"client_key"`
	InBurst           bool      `json:"in_burst"`
	Disposition       string    `json:"disposition"`
	DispositionReason string    `json:"disposition_reason"`
}

func toCommentDTO(cm consultations.Comment) commentDTO {
	return commentDTO{ID: cm.ID, ReceiptNo: cm.ReceiptNo, Name: cm.Name, Contact: cm.Contact, Text: cm.Text, SubmittedAt: cm.CreatedAt,
		Status: string(cm.Status), ModerationReason: cm.ModerationReason, CampaignKey: cm.CampaignKey, CampaignSize: cm.CampaignSize,
		ClientKey: cm.ClientKey, InBurst: cm.InBurst, Disposition: string(cm.Disposition), DispositionReason: cm.DispositionReason}
}

type campaignDTO struct {
	Key         string    `json:"campaign_key"`
	Count       int       `json:"count"`
	Text        string    `json:"text"`
	FirstAt     time.Time `json:"first_at"`
	LastAt      time.Time `json:"last_at"`
	Disposition string    `json:"disposition"`
	Reason      string    `json:"disposition_reason"`
	Mixed       bool      `json:"mixed_dispositions"`
	Undisposed  int       `json:"undisposed"`
}

type burstDTO struct {
	Kind    string    `json:"kind"`
	Key     string    `json:"key"`
	Peak    int       `json:"peak_per_window"`
	Count   int       `json:"count"`
	FirstAt time.Time `json:"first_at"`
	LastAt  time.Time `json:"last_at"`
}

func (c *ConsultationsAPI) comments(g *gin.Context) error {
	id, err := pathID(g, "id")
	if err != nil {
		return err
	}
	page, size, err := paging(g, 100000, 50, 500)
	if err != nil {
		return err
	}
	q := consultations.CommentQuery{Status: consultations.CommentStatus(g.Query("status")), Campaign: g.Query("campaign"),
		Limit: size, Offset: (page - 1) * size}
	switch v := g.Query("grouped"); v {
	case "":
		q.Grouped = q.Status == "" && q.Campaign == ""
	case "true", "false":
		q.Grouped = v == "true"
	default:
		return &workflow.Error{Code: workflow.EInvalid, Field: "grouped", Message: "参数 grouped 只能是 true 或 false"}
	}
	if len(q.Campaign) > 64 {
		return &workflow.Error{Code: workflow.EInvalid, Field: "campaign", Message: "参数 campaign 无效"}
	}
	res, contactVisible, err := c.Consultations.Comments(g.Request.Context(), staffOf(g).Actor(), id, q)
	if err != nil {
		return err
	}
	items := make([]commentDTO, 0, len(res.Items))
	for _, cm := range res.Items {
		items = append(items, toCommentDTO(cm))
	}
	campaigns := make([]campaignDTO, 0, len(res.Campaigns))
	for _, cp := range res.Campaigns {
		campaigns = append(campaigns, campaignDTO{Key: cp.Key, Count: cp.Count, Text: cp.Text, FirstAt: cp.FirstAt, LastAt: cp.LastAt,
			Disposition: string(cp.Disposition), Reason: cp.Reason, Mixed: cp.Mixed, Undisposed: cp.Undisposed})
	}
	bursts := make([]burstDTO, 0, len(res.Bursts))
	for _, b := range res.Bursts {
		bursts = append(bursts, burstDTO{Kind: b.Kind, Key: b.Key, Peak: b.Peak, Count: b.Count, FirstAt: b.FirstAt, LastAt: b.LastAt})
	}
	byStatus := map[string]int{}
	for _, st := range []consultations.CommentStatus{consultations.CommentPending, consultations.CommentPublished, consultations.CommentHidden} {
		byStatus[string(st)] = res.Stats.ByStatus[st]
	}
	g.JSON(http.StatusOK, gin.H{"items": items, "total": res.Total, "page": page, "page_size": size, "grouped": q.Grouped,
		"contact_visible": contactVisible, "campaigns": campaigns, "bursts": bursts,
		"counts": gin.H{"total": res.Stats.Total, "status": byStatus, "disposition": dispositionCounts(res.Stats.ByDisposition, res.Stats.ByDisposition[""])}})
	return nil
}

type publicationRequest struct {
	Version         int  `json:"version"`
	PublishComments bool `json:"publish_comments"`
}

func (c *ConsultationsAPI) publication(g *gin.Context) error {
	var req publicationRequest
	id, err := idAndBody(g, &req)
	if err != nil {
		return err
	}
	_, err = c.Consultations.SetCommentsPublic(g.Request.Context(), staffOf(g).Actor(), id, req.Version, req.PublishComments)
	return c.api.changed(g, id, err)
}

type dispositionRequest struct {
	CommentIDs   []int64  `json:"comment_ids"`
	CampaignKeys []string `json:"campaign_keys"`
	Disposition  string   `json:"disposition"`
	Reason       string   `json:"reason"`
}

func (c *ConsultationsAPI) dispose(g *gin.Context) error {
	var req dispositionRequest
	id, err := idAndBody(g, &req)
	if err != nil {
		return err
	}
	res, err := c.Consultations.Dispose(g.Request.Context(), staffOf(g).Actor(), id, consultations.Disposal{CommentIDs: req.CommentIDs,
		CampaignKeys: req.CampaignKeys, Disposition: consultations.Disposition(req.Disposition), Reason: req.Reason})
	if err != nil {
		return err
	}
	g.JSON(http.StatusOK, gin.H{"updated": res.Count, "version": res.Version})
	return nil
}

type moderationRequest struct {
	Status string `json:"status"`
	Reason string `json:"reason"`
}

func (c *ConsultationsAPI) moderate(g *gin.Context) error {
	id, err := pathID(g, "id")
	if err != nil {
		return err
	}
	cid, err := pathID(g, "cid")
	if err != nil {
		return err
	}
	var req moderationRequest
	if err := decodeJSON(g, &req); err != nil {
		return err
	}
	cm, err := c.Consultations.Moderate(g.Request.Context(), staffOf(g).Actor(), id, cid, consultations.CommentStatus(req.Status), req.Reason)
	return reply(g, http.StatusOK, toCommentDTO(cm), err)
}

func (c *ConsultationsAPI) summaryDraft(g *gin.Context) error {
	id, err := pathID(g, "id")
	if err != nil {
		return err
	}
	sd, err := c.Consultations.SummaryDraft(g.Request.Context(), staffOf(g).Actor(), id)
	return reply(g, http.StatusOK, gin.H{"text": sd.Text, "total": sd.Total, "hidden": sd.Hidden, "disposition": dispositionCounts(sd.ByDisposition, sd.Undisposed)}, err)
}

type summaryRequest struct {
	Version int    `json:"version"`
	Text    string `json:"text"`
}

func (r summaryRequest) seenVersion() int { return r.Version }

func (c *ConsultationsAPI) attachSummary(g *gin.Context) error {
	var req summaryRequest
	id, err := idAndUpdate(g, &req)
	if err != nil {
		return err
	}
	_, err = c.Consultations.AttachSummary(g.Request.Context(), staffOf(g).Actor(), id, req.Version, req.Text)
	return c.api.changed(g, id, err)
}

// dispositionCounts counts comments by disposition, the undisposed ones as 未处理.
func dispositionCounts(by map[consultations.Disposition]int, undisposed int) map[string]int {
	out := map[string]int{"未处理": undisposed}
	for _, d := range consultations.Dispositions() {
		out[string(d)] = by[d]
	}
	return out
}
