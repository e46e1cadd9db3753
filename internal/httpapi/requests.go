package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"wugongkai/internal/report"
	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

// RequestsAPI is the JSON API of disclosure requests (依申请公开), reconsideration and
// litigation cases, and the annual report.
type RequestsAPI struct {
	Requests *requests.Requests
	Cases    *requests.Cases
	Reports  *report.Reports
	// OnRequest serves the documents available on request (issue 13); nil = no such routes.
	OnRequest *requests.OnRequest
	api       *API
}

// MountRequests registers the request, case and report routes on srv, authenticating staff
// routes with a (which Mount must have registered first).
func MountRequests(srv *Server, a *API, r *RequestsAPI) {
	if a.srv == nil {
		a.srv = srv
	}
	r.api = a
	h := a.route
	h(http.MethodPost, "/api/v1/public/requests", PermPublic, r.submit)
	h(http.MethodPost, "/api/v1/public/requests/status", PermPublic, r.status)
	h(http.MethodGet, "/api/v1/public/request-options", PermPublic, r.options)

	h(http.MethodPost, "/api/v1/requests", "request:register", r.register)
	h(http.MethodGet, "/api/v1/requests", "request:read", r.list)
	h(http.MethodGet, "/api/v1/requests/:id", "request:read", r.detail)
	h(http.MethodPost, "/api/v1/requests/:id/transitions/:name", PermAuthenticated, r.fire)
	if r.OnRequest != nil {
		r.mountOnRequest(h)
	}

	h(http.MethodPost, "/api/v1/cases", "case:record", r.recordCase)
	h(http.MethodGet, "/api/v1/cases", "case:record", r.listCases)
	h(http.MethodGet, "/api/v1/cases/:id", "case:record", r.getCase)
	h(http.MethodPut, "/api/v1/cases/:id", "case:record", r.updateCase)

	h(http.MethodGet, "/api/v1/reports/:year", "report:read", r.getReport)
	h(http.MethodGet, "/api/v1/reports/:year/export", "report:read", r.exportReport)
	h(http.MethodPut, "/api/v1/reports/:year/inputs", "report:edit", r.saveInputs)
	h(http.MethodPost, "/api/v1/reports/:year/final", "report:edit", r.finalize)
}

// applicationRequest is the JSON of a request: the public form, or a staff registration with the
// channel and receipt date.
type applicationRequest struct {
	ApplicantType string `json:"applicant_type"`
	Name          string `json:"name"`
	ContactPerson string `json:"contact_person"`
	IDType        string `json:"id_type"`
	IDNumber      string `json:"id_number"`
	Phone         string `json:"phone"`
	Email         string `json:"email"`
	Address       string `json:"address"`
	Description   string `json:"description"`
	Form          string `json:"form"`
	Delivery      string `json:"delivery"`
	Channel       string `json:"channel,omitempty"`
	ReceiptDate   string `json:"receipt_date,omitempty"`
	Note          string `json:"note,omitempty"`
}

func (r applicationRequest) toApplication() requests.Application {
	return requests.Application{ApplicantType: r.ApplicantType, Name: r.Name, ContactPerson: r.ContactPerson, IDType: r.IDType,
		IDNumber: r.IDNumber, Phone: r.Phone, Email: r.Email, Address: r.Address, Description: r.Description, Form: r.Form,
		Delivery: r.Delivery, Channel: r.Channel, ReceiptDate: r.ReceiptDate, Note: r.Note}
}

// receiptDTO is what the applicant gets back: the receipt number, the receipt date and the date
// the reply is due. Nothing else of the request is shown publicly.
type receiptDTO struct {
	ReceiptNo  string `json:"receipt_no"`
	ReceivedOn string `json:"received_on"`
	ReplyDue   string `json:"reply_due"`
	Message    string `json:"message"`
}

// statusRequest asks for a request's progress: its receipt number and a contact the applicant gave.
type statusRequest struct {
	ReceiptNo string `json:"receipt_no"`
	Contact   string `json:"contact"`
}

type statusDTO struct {
	ReceiptNo  string `json:"receipt_no"`
	Title      string `json:"title"`
	ReceivedOn string `json:"received_on"`
	State      string `json:"state"`
	Stage      string `json:"stage"`
	ReplyDue   string `json:"reply_due,omitempty"`
	Extended   int    `json:"extended_days,omitempty"`
	Outcome    string `json:"outcome,omitempty"`
	ClosedOn   string `json:"closed_on,omitempty"`
}

func dateOrEmpty(d workflow.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// status answers an applicant's progress lookup (POST, so the contact stays out of URLs and logs).
func (r *RequestsAPI) status(c *gin.Context) {
	var req statusRequest
	if err := decodeJSON(c, &req); err != nil {
		c.Error(err)
		return
	}
	st, err := r.Requests.Status(c.Request.Context(), req.ReceiptNo, req.Contact, c.ClientIP())
	if err != nil {
		c.Error(err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, statusDTO{ReceiptNo: st.ReceiptNo, Title: st.Title, ReceivedOn: st.ReceivedOn.String(), State: st.State,
		Stage: st.Stage, ReplyDue: dateOrEmpty(st.ReplyDue), Extended: st.Extended, Outcome: st.Outcome, ClosedOn: dateOrEmpty(st.ClosedOn)})
}

func (r *RequestsAPI) submit(c *gin.Context) {
	var req applicationRequest
	if err := decodeJSON(c, &req); err != nil {
		c.Error(err)
		return
	}
	if req.Channel != "" || req.ReceiptDate != "" || req.Note != "" {
		c.Error(&workflow.Error{Code: workflow.EInvalid, Field: "channel", Message: "在线申请不能指定申请渠道、收到日期或备注"})
		return
	}
	got, err := r.Requests.Submit(c.Request.Context(), req.toApplication(), c.ClientIP())
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusCreated, receiptDTO{ReceiptNo: got.ReceiptNo, ReceivedOn: got.ReceivedOn.String(), ReplyDue: got.ReplyDue.String(),
		Message: fmt.Sprintf("您的政府信息公开申请已于 %s 收到，受理编号 %s。我们将在 %d 个工作日内答复（预计 %s 前），需要补正或征求意见的，依法另行计算。",
			got.ReceivedOn, got.ReceiptNo, requests.RequestReplyDays, got.ReplyDue)})
}

type optionDTO struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

func (r *RequestsAPI) options(c *gin.Context) {
	types := []optionDTO{}
	for _, t := range requests.RequestApplicantTypes() {
		types = append(types, optionDTO{Code: t.Code, Label: t.Label})
	}
	channels := []gin.H{}
	for _, ch := range requests.RequestChannels() {
		channels = append(channels, gin.H{"code": ch.Code, "label": ch.Label, "date_label": ch.DateLabel, "rule": ch.Rule})
	}
	c.JSON(http.StatusOK, gin.H{"applicant_types": types, "id_types_natural": requests.RequestIDTypes(false),
		"id_types_organization": requests.RequestIDTypes(true), "forms": requests.RequestForms(),
		"deliveries": requests.RequestDeliveries(), "channels": channels})
}

// requestDTO is a request as staff see it, personal data masked as the use case masked it for the
// caller. Lists leave out the text, the note and the facts.
type requestDTO struct {
	ID                int64             `json:"id"`
	Version           int               `json:"version"`
	ReceiptNo         string            `json:"receipt_no"`
	State             string            `json:"state"`
	StateLabel        string            `json:"state_label,omitempty"`
	Title             string            `json:"title"`
	Channel           string            `json:"channel"`
	ReceivedOn        string            `json:"received_on"`
	ApplicantType     string            `json:"applicant_type"`
	ApplicantTypeName string            `json:"applicant_type_label"`
	ApplicantName     string            `json:"applicant_name"`
	ContactPerson     string            `json:"contact_person,omitempty"`
	IDType            string            `json:"id_type"`
	IDNumber          string            `json:"id_number"`
	Phone             string            `json:"phone"`
	Email             string            `json:"email"`
	Address           string            `json:"address"`
	Description       string            `json:"description,omitempty"`
	Form              string            `json:"form"`
	Delivery          string            `json:"delivery"`
	Note              string            `json:"note,omitempty"`
	ReplyDue          string            `json:"reply_due,omitempty"`
	Outcome           string            `json:"outcome,omitempty"`
	ClosedOn          string            `json:"closed_on,omitempty"`
	Facts             map[string]string `json:"facts,omitempty"`
	CreatedByName     string            `json:"created_by_name,omitempty"`
	CreatedAt         time.Time         `json:"created_at"`
}

func toRequestDTO(r requests.Request, list bool) requestDTO {
	label := ""
	for _, t := range requests.RequestApplicantTypes() {
		if t.Code == r.ApplicantType {
			label = t.Label
		}
	}
	d := requestDTO{ID: r.ID, Version: r.Version, ReceiptNo: r.ReceiptNo, State: r.State, Title: r.Title, Channel: r.Channel,
		ReceivedOn: r.ReceivedOn.String(), ApplicantType: r.ApplicantType, ApplicantTypeName: label, ApplicantName: r.ApplicantName,
		ContactPerson: r.ContactPerson, IDType: r.IDType, IDNumber: r.IDNumber, Phone: r.Phone, Email: r.Email, Address: r.Address,
		Description: r.Description, Form: r.Form, Delivery: r.Delivery, Note: r.Note, ReplyDue: r.ReplyDue.String(),
		Outcome: r.Outcome, ClosedOn: r.ClosedOn.String(), Facts: r.Facts, CreatedByName: r.CreatedByName, CreatedAt: r.CreatedAt}
	if list {
		d.Description, d.Note, d.Facts = "", "", nil
	}
	return d
}

type replyDTO struct {
	Due         string `json:"due,omitempty"`
	Total       int    `json:"working_days"`
	Suspended   bool   `json:"suspended"`
	Provisional bool   `json:"provisional"`
	Explanation string `json:"explanation"`
	Text        string `json:"text"`
}

type requestDetailDTO struct {
	requestDTO
	Available          []transitionDTO `json:"available_transitions"`
	History            []historyDTO    `json:"history"`
	Deadlines          []deadlineDTO   `json:"deadlines"`
	Reply              *replyDTO       `json:"reply,omitempty"`
	Overdue            bool            `json:"overdue"`
	SupplementNoticeBy string          `json:"supplement_notice_by,omitempty"`
	MonthCount         int             `json:"applicant_month_count"`
	FeeHint            int             `json:"fee_hint_yuan"`
	OutcomeLabel       string          `json:"outcome_label,omitempty"`
	Outcomes           []optionDTO     `json:"outcomes"`
}

func toRequestDetailDTO(d requests.RequestDetail, now time.Time) requestDetailDTO {
	out := requestDetailDTO{requestDTO: toRequestDTO(d.Request, false), Available: []transitionDTO{}, History: []historyDTO{},
		Deadlines: []deadlineDTO{}, Overdue: d.Overdue, MonthCount: d.MonthCount, FeeHint: d.FeeHint,
		OutcomeLabel: d.Outcome.Label, Outcomes: []optionDTO{}}
	out.StateLabel = d.StateLabel
	for _, t := range d.Available {
		out.Available = append(out.Available, transitionDTO{Name: t.Name, Label: t.Label, Requires: append([]string{}, t.Requires...)})
		if t.Name == "answer" {
			for _, o := range requests.RequestOutcomes() {
				if !o.System {
					out.Outcomes = append(out.Outcomes, optionDTO{Code: o.Key, Label: o.Label})
				}
			}
		}
	}
	for _, h := range d.History {
		out.History = append(out.History, historyDTO{Seq: h.Seq, Action: h.Action, Label: d.Transitions[h.Action], From: h.FromState,
			To: h.ToState, ActorName: h.ActorName, Data: h.Data, At: h.At, Hash: h.Hash})
	}
	for _, dl := range d.Deadlines {
		out.Deadlines = append(out.Deadlines, deadlineDTO{Name: dl.Name, DueDate: dl.DueDate, DueAt: dl.DueAt, Provisional: dl.Provisional,
			Action: string(dl.Action), Status: dl.Status, Explanation: dl.Explanation, Overdue: dl.Status == "pending" && now.After(dl.DueAt)})
	}
	if d.Reply != nil {
		out.Reply = &replyDTO{Due: d.Reply.Due.String(), Total: d.Reply.Total, Suspended: d.Reply.Suspended,
			Provisional: d.Reply.Provisional, Explanation: d.Reply.Explanation(), Text: d.Reply.Text()}
	}
	if !d.SupplementNoticeBy.Due.IsZero() {
		out.SupplementNoticeBy = d.SupplementNoticeBy.Due.String()
	}
	return out
}

func (r *RequestsAPI) register(c *gin.Context) {
	var req applicationRequest
	if err := decodeJSON(c, &req); err != nil {
		c.Error(err)
		return
	}
	got, err := r.Requests.Register(c.Request.Context(), staffOf(c).Actor(), req.toApplication())
	if err != nil {
		c.Error(err)
		return
	}
	r.renderDetail(c, http.StatusCreated, got.ID)
}

func (r *RequestsAPI) renderDetail(c *gin.Context, status int, id int64) {
	d, err := r.Requests.Detail(c.Request.Context(), staffOf(c).Actor(), id)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(status, toRequestDetailDTO(d, r.Requests.Now()))
}

func (r *RequestsAPI) detail(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		c.Error(err)
		return
	}
	r.renderDetail(c, http.StatusOK, id)
}

func (r *RequestsAPI) list(c *gin.Context) {
	page, err := queryInt(c, "page", 1, 1, 10000)
	if err != nil {
		c.Error(err)
		return
	}
	size, err := queryInt(c, "page_size", 20, 1, 100)
	if err != nil {
		c.Error(err)
		return
	}
	year, err := queryInt(c, "year", 0, 2000, 2200)
	if err != nil {
		c.Error(err)
		return
	}
	q := requests.RequestQuery{Limit: size, Offset: (page - 1) * size, Year: year, Applicant: c.Query("applicant_type"),
		Text: c.Query("q"), Open: c.Query("open") == "true"}
	if st := c.Query("state"); st != "" {
		q.States = []string{st}
	}
	if c.Query("overdue") == "true" {
		q.Overdue = workflow.DateOf(r.Requests.Now())
	}
	items, total, err := r.Requests.List(c.Request.Context(), staffOf(c).Actor(), q)
	if err != nil {
		c.Error(err)
		return
	}
	out := []requestDTO{}
	for _, it := range items {
		out = append(out, toRequestDTO(it, true))
	}
	c.JSON(http.StatusOK, gin.H{"items": out, "total": total, "page": page, "page_size": size})
}

func (r *RequestsAPI) fire(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		c.Error(err)
		return
	}
	var req fireRequest
	if c.Request.ContentLength != 0 || c.GetHeader("Content-Type") != "" {
		if err := decodeJSON(c, &req); err != nil {
			c.Error(err)
			return
		}
	}
	name := c.Param("name")
	if len(name) > 64 {
		c.Error(&workflow.Error{Code: workflow.EUnknownTransition, Message: "未知的操作"})
		return
	}
	got, err := r.Requests.Fire(c.Request.Context(), staffOf(c).Actor(), id, req.Version, name, workflow.Input(req.Input))
	if err != nil {
		c.Error(err)
		return
	}
	r.api.srv.transitions.WithLabelValues(got.Definition, name).Inc()
	r.renderDetail(c, http.StatusOK, id)
}

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

func (r *RequestsAPI) recordCase(c *gin.Context) {
	var req caseRequest
	if err := decodeJSON(c, &req); err != nil {
		c.Error(err)
		return
	}
	k, err := r.Cases.Record(c.Request.Context(), staffOf(c).Actor(), req.toInput())
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusCreated, toCaseDTO(k))
}

func (r *RequestsAPI) updateCase(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		c.Error(err)
		return
	}
	var req caseRequest
	if err := decodeJSON(c, &req); err != nil {
		c.Error(err)
		return
	}
	if req.Version == 0 {
		c.Error(&workflow.Error{Code: workflow.EInputMissing, Field: "version", Message: "请提供您看到的版本号 version，以免覆盖他人的修改"})
		return
	}
	k, err := r.Cases.Update(c.Request.Context(), staffOf(c).Actor(), id, req.Version, req.toInput())
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, toCaseDTO(k))
}

func (r *RequestsAPI) getCase(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		c.Error(err)
		return
	}
	k, err := r.Cases.Get(c.Request.Context(), staffOf(c).Actor(), id)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, toCaseDTO(k))
}

func (r *RequestsAPI) listCases(c *gin.Context) {
	year, err := queryInt(c, "year", 0, 2000, 2200)
	if err != nil {
		c.Error(err)
		return
	}
	page, err := queryInt(c, "page", 1, 1, 10000)
	if err != nil {
		c.Error(err)
		return
	}
	ks, total, err := r.Cases.List(c.Request.Context(), staffOf(c).Actor(), requests.CaseQuery{Year: year, Kind: c.Query("kind"),
		Limit: 100, Offset: (page - 1) * 100})
	if err != nil {
		c.Error(err)
		return
	}
	out := []caseDTO{}
	for _, k := range ks {
		out = append(out, toCaseDTO(k))
	}
	c.JSON(http.StatusOK, gin.H{"items": out, "total": total, "page": page})
}

// reportYear reads the :year path parameter: a year the report formats cover.
func reportYear(c *gin.Context) (int, error) {
	year, err := strconv.Atoi(c.Param("year"))
	if err != nil || year < 2019 || year > 2200 {
		return 0, &workflow.Error{Code: workflow.EInvalid, Field: "year", Message: "年度应为 2019 年以后的年份（年度报告格式自 2019 年起适用）"}
	}
	return year, nil
}

// reportDTO is the console's view of a year's report: the report in the JSON form of `wugongkai
// report annual --format json`, the failures of its checks (against last year's report too), the
// office's inputs and whether it is final.
type reportDTO struct {
	Year        int               `json:"year"`
	Format      string            `json:"format"`
	Report      json.RawMessage   `json:"report"`
	Failures    []failureDTO      `json:"failures"`
	Final       bool              `json:"final"`
	FinalizedAt *time.Time        `json:"finalized_at,omitempty"`
	FinalizedBy string            `json:"finalized_by,omitempty"`
	Version     int               `json:"version"`
	Sections    map[string]string `json:"sections"`
	Figures     []figureDTO       `json:"figures"`
}

type failureDTO struct {
	Table   string  `json:"table"`
	Cell    string  `json:"cell"`
	Rule    string  `json:"rule"`
	Message string  `json:"message"`
	Left    float64 `json:"left"`
	Right   float64 `json:"right"`
}

func (r *RequestsAPI) getReport(c *gin.Context) {
	year, err := reportYear(c)
	if err != nil {
		c.Error(err)
		return
	}
	ch, err := r.Reports.Check(c.Request.Context(), staffOf(c).Actor(), year)
	if err != nil {
		c.Error(err)
		return
	}
	rep, in := ch.Report, ch.Inputs
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, rep); err != nil {
		c.Error(err)
		return
	}
	out := reportDTO{Year: rep.Year, Format: rep.Format, Report: buf.Bytes(), Failures: []failureDTO{}, Final: in.Final,
		FinalizedBy: in.FinalizedBy, Version: in.Version, Sections: in.Sections, Figures: []figureDTO{}}
	for _, f := range in.Figures {
		out.Figures = append(out.Figures, figureDTO{Item: f.Item, Label: f.Label, Values: f.Values})
	}
	if in.Final {
		t := in.FinalizedAt
		out.FinalizedAt = &t
	}
	for _, f := range ch.Failures {
		out.Failures = append(out.Failures, failureDTO{Table: f.Table, Cell: f.Cell, Rule: f.Rule, Message: f.Message, Left: f.Left, Right: f.Right})
	}
	c.JSON(http.StatusOK, out)
}

func (r *RequestsAPI) exportReport(c *gin.Context) {
	year, err := reportYear(c)
	if err != nil {
		c.Error(err)
		return
	}
	rep, _, err := r.Reports.Year(c.Request.Context(), staffOf(c).Actor(), year)
	if err != nil {
		c.Error(err)
		return
	}
	var buf bytes.Buffer
	format := c.DefaultQuery("format", "html")
	ctype, err := report.Render(&buf, rep, format)
	if errors.Is(err, report.ErrFormat) {
		c.Error(&workflow.Error{Code: workflow.EInvalid, Field: "format", Message: "导出格式只能是 html、csv、xlsx 或 json"})
		return
	}
	if err != nil {
		c.Error(err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="report-%d.%s"`, rep.Year, format))
	c.Data(http.StatusOK, ctype, buf.Bytes())
}

// figureDTO is one Table 二 row the office enters: its block, label and values (null = blank).
type figureDTO struct {
	Item   string     `json:"item"`
	Label  string     `json:"label"`
	Values []*float64 `json:"values"`
}

type inputsRequest struct {
	Version  int               `json:"version"`
	Sections map[string]string `json:"sections"`
	Figures  []figureDTO       `json:"figures"`
}

func (r *RequestsAPI) saveInputs(c *gin.Context) {
	year, err := reportYear(c)
	if err != nil {
		c.Error(err)
		return
	}
	var req inputsRequest
	if err := decodeJSON(c, &req); err != nil {
		c.Error(err)
		return
	}
	in := requests.ReportInputs{Year: year, Sections: map[string]string{}}
	for k, v := range req.Sections {
		in.Sections[k] = strings.TrimSpace(v)
	}
	for _, f := range req.Figures {
		in.Figures = append(in.Figures, requests.ReportFigure{Item: strings.TrimSpace(f.Item), Label: strings.TrimSpace(f.Label), Values: f.Values})
	}
	if _, err := r.Reports.Save(c.Request.Context(), staffOf(c).Actor(), in, req.Version); err != nil {
		c.Error(err)
		return
	}
	r.getReport(c)
}

func (r *RequestsAPI) finalize(c *gin.Context) {
	year, err := reportYear(c)
	if err != nil {
		c.Error(err)
		return
	}
	if _, _, err := r.Reports.Finalize(c.Request.Context(), staffOf(c).Actor(), year); err != nil {
		c.Error(err)
		return
	}
	r.getReport(c)
}
