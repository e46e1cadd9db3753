package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"wugongkai/workflow"
	"wugongkai/workflow/consultations"
	"wugongkai/workflow/documents"
)

// The staff's consultation pages: the comment list (campaigns, bursts, moderation), dispositions
// in bulk, the adoption summary and the consultation panel of a decision draft's page.

// commentRow is a comment in the staff list.
type commentRow struct {
	consultations.Comment
	StatusLabel string
	Grouped     bool // the row stands for its whole campaign
}

func commentStatusLabel(st consultations.CommentStatus) string {
	switch st {
	case consultations.CommentPending:
		return "待审核"
	case consultations.CommentPublished:
		return "已公开"
	case consultations.CommentHidden:
		return "不予公开"
	}
	return string(st)
}

type countRow struct {
	Label string
	N     int
}

type burstRow struct {
	consultations.Burst
	KindLabel string
	Href      string
}

type commentsView struct {
	Doc            documents.Document
	StateLabel     string
	OpensAt        string
	ClosesAt       string
	Total          int
	StatusCounts   []countRow
	DispCounts     []countRow
	Campaigns      []consultations.Campaign
	Bursts         []burstRow
	BurstMin       int
	Rows           []commentRow
	Grouped        bool
	Status         string
	Campaign       string
	Matching       int
	PageLinks      []pageLink
	PrevHref       string
	NextHref       string
	ContactVisible bool
	CanDispose     bool
	CanModerate    bool
	CommentsPublic bool
	Dispositions   []string
	Flash          string
	Error          string
	Form           disposeForm
}

type disposeForm struct {
	Disposition string
	Reason      string
	IDs         []string
	Keys        []string
}

const commentsPageSize = 50

// commentsPage is the staff list of a consultation's comments: counts, campaigns of identical
// opinions, bursts, the comments (grouped by campaign by default) with moderation, and the bulk
// disposition form once the period has closed.
func (s *Site) commentsPage(c *gin.Context) {
	show(s, c, "console_comments", s.commentsView, func(v *commentsView) {
		switch c.Query("done") {
		case "dispose":
			v.Flash = "已记录处理意见（" + c.Query("n") + " 条）。"
			if _, err := strconv.Atoi(c.Query("n")); err != nil {
				v.Flash = "已记录处理意见。"
			}
		case "moderate":
			v.Flash = "审核结果已保存。"
		}
	})
}

// commentsView reads the comments page of the :id document.
func (s *Site) commentsView(c *gin.Context) (commentsView, error) {
	st, d, def, err := s.staffDocument(c)
	if err != nil {
		return commentsView{}, err
	}
	id := d.ID
	page, _ := strconv.Atoi(c.DefaultQuery("page", "1"))
	if page < 1 || page > 100000 {
		page = 1
	}
	v := commentsView{Doc: d, StateLabel: def.StateLabel(d.State), Status: c.Query("status"), Campaign: c.Query("campaign"),
		OpensAt: localFact(d.Facts["opens_at"]), ClosesAt: localFact(d.Facts["closes_at"]), CommentsPublic: d.Facts.Bool("comments_public")}
	for _, dp := range consultations.Dispositions() {
		v.Dispositions = append(v.Dispositions, string(dp))
	}
	v.Grouped = v.Status == "" && v.Campaign == "" && c.Query("grouped") != "false"
	if len(v.Campaign) > 64 {
		return commentsView{}, &workflow.Error{Code: workflow.EInvalid, Message: "相同意见组标识无效"}
	}
	q := consultations.CommentQuery{Status: consultations.CommentStatus(v.Status), Campaign: v.Campaign, Grouped: v.Grouped,
		Limit: commentsPageSize, Offset: (page - 1) * commentsPageSize}
	res, contact, err := s.Consultations.Comments(c.Request.Context(), st.Actor(), id, q)
	if err != nil {
		return commentsView{}, err
	}
	v.ContactVisible = contact
	v.Total, v.Matching = res.Stats.Total, res.Total
	for _, cs := range []consultations.CommentStatus{consultations.CommentPending, consultations.CommentPublished, consultations.CommentHidden} {
		v.StatusCounts = append(v.StatusCounts, countRow{Label: commentStatusLabel(cs), N: res.Stats.ByStatus[cs]})
	}
	for _, dp := range consultations.Dispositions() {
		v.DispCounts = append(v.DispCounts, countRow{Label: string(dp), N: res.Stats.ByDisposition[dp]})
	}
	v.DispCounts = append(v.DispCounts, countRow{Label: "未处理", N: res.Stats.ByDisposition[""]})
	v.Campaigns = res.Campaigns
	v.BurstMin = s.Consultations.BurstMin
	if v.BurstMin <= 0 {
		v.BurstMin = 10
	}
	for _, b := range res.Bursts {
		br := burstRow{Burst: b, KindLabel: "同一来源集中提交"}
		if b.Kind == consultations.BurstCampaign {
			br.KindLabel = "相同内容集中提交"
			br.Href = fmt.Sprintf("/console/documents/%d/comments?campaign=%s", id, url.QueryEscape(b.Key))
		}
		v.Bursts = append(v.Bursts, br)
	}
	for _, cm := range res.Items {
		v.Rows = append(v.Rows, commentRow{Comment: cm, StatusLabel: commentStatusLabel(cm.Status), Grouped: v.Grouped && cm.CampaignSize > 1})
	}
	v.CanDispose = d.State == "consultation_closed" && s.Authz.Can(st.Username, d.Unit, "decision:consult")
	v.CanModerate = v.CommentsPublic && s.Authz.Can(st.Username, d.Unit, "comment:moderate")
	pages := (res.Total + commentsPageSize - 1) / commentsPageSize
	v.PageLinks, v.PrevHref, v.NextHref = pageLinks(page, pages, func(n int) string {
		qv := url.Values{}
		if v.Status != "" {
			qv.Set("status", v.Status)
		}
		if v.Campaign != "" {
			qv.Set("campaign", v.Campaign)
		}
		if !v.Grouped && v.Status == "" && v.Campaign == "" {
			qv.Set("grouped", "false")
		}
		qv.Set("page", strconv.Itoa(n))
		return fmt.Sprintf("/console/documents/%d/comments?%s", id, qv.Encode())
	})
	return v, nil
}

// localFact shows an RFC 3339 fact as a Shanghai time to the minute.
func localFact(v string) string {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return ""
	}
	return formatDateTime(t)
}

// dispose records one disposition on the selected comments and campaigns.
func (s *Site) dispose(c *gin.Context) {
	st := *staffOf(c)
	id, ok := s.docID(c)
	if !ok {
		return
	}
	form := disposeForm{Disposition: c.PostForm("disposition"), Reason: c.PostForm("reason"),
		IDs: c.PostFormArray("comment_ids"), Keys: c.PostFormArray("campaign_keys")}
	d := consultations.Disposal{Disposition: consultations.Disposition(form.Disposition), Reason: form.Reason, CampaignKeys: form.Keys}
	var err error
	for _, raw := range form.IDs {
		n, perr := strconv.ParseInt(raw, 10, 64)
		if perr != nil {
			err = &workflow.Error{Code: workflow.EInvalid, Field: "comment_ids", Message: "意见编号无效：" + raw}
			break
		}
		d.CommentIDs = append(d.CommentIDs, n)
	}
	var res consultations.Disposed
	if err == nil {
		res, err = s.Consultations.Dispose(c.Request.Context(), st.Actor(), id, d)
	}
	if err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/console/documents/%d/comments?done=dispose&n=%d", id, res.Count))
		return
	}
	refused(s, c, err, "console_comments", s.commentsView, func(v *commentsView) {
		v.Error, v.Form = workflow.ErrorMessage(err), form
	})
}

// moderate publishes or hides one comment.
func (s *Site) moderate(c *gin.Context) {
	st := *staffOf(c)
	id, ok := s.docID(c)
	if !ok {
		return
	}
	cid, err := strconv.ParseInt(c.Param("cid"), 10, 64)
	if err != nil || cid <= 0 {
		s.errorPage(c, &workflow.Error{Code: workflow.ENotFound, Message: "该意见不存在"})
		return
	}
	_, err = s.Consultations.Moderate(c.Request.Context(), st.Actor(), id, cid, consultations.CommentStatus(c.PostForm("status")), c.PostForm("reason"))
	if err == nil {
		back := fmt.Sprintf("/console/documents/%d/comments?done=moderate", id)
		if v := c.PostForm("status_filter"); v != "" && consultations.CommentStatus(v).Valid() {
			back += "&status=" + v
		}
		c.Redirect(http.StatusSeeOther, back)
		return
	}
	refused(s, c, err, "console_comments", s.commentsView, func(v *commentsView) {
		v.Error = "意见审核未保存：" + workflow.ErrorMessage(err)
	})
}

// commentsPublication sets, while drafting, whether the consultation publishes its comments.
func (s *Site) commentsPublication(c *gin.Context) {
	id, version, ok := s.docPost(c)
	if !ok {
		return
	}
	_, err := s.Consultations.SetCommentsPublic(c.Request.Context(), staffOf(c).Actor(), id, version, c.PostForm("publish_comments") == "true")
	if err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/console/documents/%d?done=saved", id))
		return
	}
	s.docPageError(c, id, err, nil)
}

type summaryView struct {
	Doc        documents.Document
	StateLabel string
	Draft      consultations.SummaryDraft
	Counts     []countRow
	Text       string
	Attached   bool
	CanAttach  bool
	Error      string
}

// summaryPage shows the generated 意见采纳情况说明 in an editable box, to attach.
func (s *Site) summaryPage(c *gin.Context) {
	show(s, c, "console_summary", s.summaryView, nil)
}

// summaryView reads the adoption summary page of the :id document.
func (s *Site) summaryView(c *gin.Context) (summaryView, error) {
	st, d, def, err := s.staffDocument(c)
	if err != nil {
		return summaryView{}, err
	}
	id := d.ID
	sd, err := s.Consultations.SummaryDraft(c.Request.Context(), st.Actor(), id)
	if err != nil {
		return summaryView{}, err
	}
	v := summaryView{Doc: d, StateLabel: def.StateLabel(d.State), Draft: sd, Text: sd.Text, Attached: d.Facts.Bool("summary_attached"),
		CanAttach: d.State == "consultation_closed"}
	for _, dp := range consultations.Dispositions() {
		v.Counts = append(v.Counts, countRow{Label: string(dp), N: sd.ByDisposition[dp]})
	}
	v.Counts = append(v.Counts, countRow{Label: "未处理", N: sd.Undisposed})
	if v.Attached {
		if text := s.attachedSummary(c, id); text != "" {
			v.Text = text
		}
	}
	return v, nil
}

// attachedSummary reads the attached 意见采纳情况说明 of a decision draft the caller has already
// been allowed to read. The consultation use cases offer no staff read of it yet, so this reads
// the consultation store; it returns "" when there is none.
func (s *Site) attachedSummary(c *gin.Context, id int64) string {
	if s.Consultations == nil {
		return ""
	}
	con, err := s.Consultations.Store.Consultation(c.Request.Context(), id, true)
	if err != nil {
		s.Log.Warn("read adoption summary", "document", id, "err", err)
		return ""
	}
	return con.AdoptionSummary
}

// attachSummary attaches the edited 意见采纳情况说明.
func (s *Site) attachSummary(c *gin.Context) {
	id, version, ok := s.docPost(c)
	if !ok {
		return
	}
	text := c.PostForm("text")
	var err error
	if version <= 0 {
		err = &workflow.Error{Code: workflow.EInputMissing, Message: "表单缺少版本号，请刷新页面后重试"}
	} else {
		_, err = s.Consultations.AttachSummary(c.Request.Context(), staffOf(c).Actor(), id, version, text)
	}
	if err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/console/documents/%d?done=summary", id))
		return
	}
	refused(s, c, err, "console_summary", s.summaryView, func(v *summaryView) {
		v.Text, v.Error = text, workflow.ErrorMessage(err)
	})
}

// consultationPanel is the consultation side of a decision draft's staff page.
type consultationPanel struct {
	OpensAt        string
	ClosesAt       string
	Status         string
	CommentCount   int
	CanComments    bool
	CanSummary     bool
	CommentsPublic bool
	CanSetPublic   bool
	Summary        []string
	PortalHref     string
}

// consultationPanel builds the consultation panel of decision draft d for st.
func (s *Site) consultationPanel(c *gin.Context, st workflow.Staff, d documents.Document) *consultationPanel {
	if s.Consultations == nil || d.Definition != "decision" {
		return nil
	}
	p := &consultationPanel{OpensAt: localFact(d.Facts["opens_at"]), ClosesAt: localFact(d.Facts["closes_at"]),
		CommentsPublic: d.Facts.Bool("comments_public")}
	if d.Facts.Bool("consultation_exempt") {
		p.Status = "依法不公开征求意见"
	} else if p.OpensAt != "" && p.ClosesAt != "" {
		p.Status = consultations.ConsultationStatusLabel(consultations.ConsultationStatus(d.Facts, s.now()))
	}
	p.CanSetPublic = d.State == "drafting" && s.Authz.Can(st.Username, d.Unit, "document:edit")
	inConsultation := d.State != "drafting" && d.State != "unit_review" && !d.Facts.Bool("consultation_exempt")
	if inConsultation && s.Authz.Can(st.Username, d.Unit, "comment:read") {
		p.CanComments = true
		if res, _, err := s.Consultations.Comments(c.Request.Context(), st.Actor(), d.ID, consultations.CommentQuery{Limit: 1}); err == nil {
			p.CommentCount = res.Stats.Total
		}
	}
	p.CanSummary = d.State == "consultation_closed" && s.Authz.Can(st.Username, d.Unit, "decision:consult")
	if d.Facts.Bool("summary_attached") {
		p.Summary = paragraphs(s.attachedSummary(c, d.ID))
	}
	if inConsultation {
		p.PortalHref = fmt.Sprintf("/consultations/%d", d.ID)
	}
	if strings.TrimSpace(p.Status) == "" && !p.CanSetPublic && !p.CanComments {
		return nil
	}
	return p
}
