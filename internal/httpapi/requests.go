package httpapi

import (
	"fmt"
	"net/http"
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
}

// MountRequests registers the request, case and report routes on srv, authenticating staff
// routes with a (which Mount must have registered first).
func MountRequests(srv *Server, a *API, r *RequestsAPI) {
	if a.srv == nil {
		a.srv = srv
	}
	a.requests = r
	a.mount("requests")
	if r.OnRequest != nil {
		a.mount("onrequest")
	}
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
	// While a 补正 is awaited: what to supply and the last day to supply it.
	SupplementItems string `json:"supplement_items,omitempty"`
	SupplementBy    string `json:"supplement_by,omitempty"`
}

func dateOrEmpty(d workflow.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// status answers an applicant's progress lookup (POST, so the contact stays out of URLs and logs).
func (r *RequestsAPI) status(c *gin.Context) error {
	var req statusRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	st, err := r.Requests.Status(c.Request.Context(), req.ReceiptNo, req.Contact, c.ClientIP())
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, statusDTO{ReceiptNo: st.ReceiptNo, Title: st.Title, ReceivedOn: st.ReceivedOn.String(), State: st.State,
		Stage: st.Stage, ReplyDue: dateOrEmpty(st.ReplyDue), Extended: st.Extended, Outcome: st.Outcome, ClosedOn: dateOrEmpty(st.ClosedOn),
		SupplementItems: st.SupplementItems, SupplementBy: dateOrEmpty(st.SupplementBy)})
	return nil
}

func (r *RequestsAPI) submit(c *gin.Context) error {
	var req applicationRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Channel != "" || req.ReceiptDate != "" || req.Note != "" {
		return &workflow.Error{Code: workflow.EInvalid, Field: "channel", Message: "在线申请不能指定申请渠道、收到日期或备注"}
	}
	got, err := r.Requests.Submit(c.Request.Context(), req.toApplication(), c.ClientIP())
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, receiptDTO{ReceiptNo: got.ReceiptNo, ReceivedOn: got.ReceivedOn.String(), ReplyDue: got.ReplyDue.String(),
		Message: fmt.Sprintf("您的政府信息公开申请已于 %s 收到，受理编号 %s。我们将在 %d 个工作日内答复（预计 %s 前），需要补正或征求意见的，依法另行计算。",
			got.ReceivedOn, got.ReceiptNo, requests.RequestReplyDays, got.ReplyDue)})
	return nil
}

type optionDTO struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

func (r *RequestsAPI) options(c *gin.Context) error {
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
	return nil
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
	out := requestDetailDTO{requestDTO: toRequestDTO(d.Request, false), Overdue: d.Overdue, MonthCount: d.MonthCount, FeeHint: d.FeeHint,
		OutcomeLabel: d.Outcome.Label, Outcomes: []optionDTO{}}
	out.StateLabel = d.StateLabel
	out.Available, out.History, out.Deadlines = toFlowDTOs(d.Available, d.History, d.Transitions, d.Deadlines, now)
	for _, t := range d.Available {
		if t.Name == "answer" {
			for _, o := range requests.RequestOutcomes() {
				if !o.System {
					out.Outcomes = append(out.Outcomes, optionDTO{Code: o.Key, Label: o.Label})
				}
			}
		}
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

func (r *RequestsAPI) register(c *gin.Context) error {
	var req applicationRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	got, err := r.Requests.Register(c.Request.Context(), staffOf(c).Actor(), req.toApplication())
	if err != nil {
		return err
	}
	return r.renderDetail(c, http.StatusCreated, got.ID)
}

func (r *RequestsAPI) renderDetail(c *gin.Context, status int, id int64) error {
	d, err := r.Requests.Detail(c.Request.Context(), staffOf(c).Actor(), id)
	return reply(c, status, toRequestDetailDTO(d, r.Requests.Now()), err)
}

func (r *RequestsAPI) list(c *gin.Context) error {
	page, size, err := paging(c, 10000, 20, 100)
	if err != nil {
		return err
	}
	year, err := queryInt(c, "year", 0, 2000, 2200)
	if err != nil {
		return err
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
		return err
	}
	return listPage(c, items, func(r requests.Request) requestDTO { return toRequestDTO(r, true) }, total, page, size)
}

func (r *RequestsAPI) fireRequest(c *gin.Context, id int64, version int, name string, in workflow.Input) (string, any, error) {
	got, err := r.Requests.Fire(c.Request.Context(), staffOf(c).Actor(), id, version, name, in)
	return got.Definition, nil, err
}
