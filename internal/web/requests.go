package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

// The disclosure request pages (依申请公开, 《政府信息公开条例》第二十七条至第四十五条): the public
// application form, whose answer is the receipt; and for staff the request desk (the list, the
// registration of requests that came by letter, visit, fax or e-mail, one request with a form per
// transition it may take now) and the reconsideration and litigation cases of Table 四.

// mountRequests registers the public request form and the staff request desk.
func (s *Site) mountRequests(pub func(method, path string, h gin.HandlerFunc), staff func(method, path, perm string, h gin.HandlerFunc)) {
	pub(http.MethodGet, "/requests/new", s.requestFormPage)
	pub(http.MethodPost, "/requests", s.submitRequest)
	pub(http.MethodGet, "/requests/status", s.requestStatusPage)
	pub(http.MethodPost, "/requests/status", s.requestStatus)

	staff(http.MethodGet, "/console/requests", "request:read", s.requestList)
	staff(http.MethodGet, "/console/requests/new", "request:register", s.registrationPage)
	staff(http.MethodPost, "/console/requests", "request:register", s.registerRequest)
	staff(http.MethodGet, "/console/requests/:id", "request:read", s.requestPage)
	// The use case checks the permission of the transition itself (request:handle,
	// request:approve_extension); the route only keeps out those who may not read requests.
	staff(http.MethodPost, "/console/requests/:id/transitions/:name", "request:read", s.fireRequest)
	if s.Cases != nil {
		staff(http.MethodGet, "/console/cases", "case:record", s.caseList)
		staff(http.MethodPost, "/console/cases", "case:record", s.recordCase)
		staff(http.MethodGet, "/console/cases/:id", "case:record", s.casePage)
		staff(http.MethodPost, "/console/cases/:id", "case:record", s.updateCase)
	}
}

// Input limits of the application form; the use case enforces them, the form says them.
const (
	maxApplicantLen = 200
	maxIDNumberLen  = 50
	maxPhoneLen     = 25
	maxEmailLen     = 200
	maxNoteLen      = workflow.MaxShortRunes
	maxLetterLen    = workflow.MaxShortRunes * 5
)

// applicationForm is what the applicant or the registering officer typed, kept when the form
// comes back with a message.
type applicationForm struct {
	ApplicantType string
	Name          string
	ContactPerson string
	IDType        string
	IDNumber      string
	Phone         string
	Email         string
	Address       string
	Description   string
	Form          string
	Delivery      string
	Channel       string
	ReceiptDate   string
	Note          string
}

func applicationFormFrom(c *gin.Context) applicationForm {
	return applicationForm{ApplicantType: c.PostForm("applicant_type"), Name: c.PostForm("name"), ContactPerson: c.PostForm("contact_person"),
		IDType: c.PostForm("id_type"), IDNumber: c.PostForm("id_number"), Phone: c.PostForm("phone"), Email: c.PostForm("email"),
		Address: c.PostForm("address"), Description: c.PostForm("description"), Form: c.PostForm("form"), Delivery: c.PostForm("delivery"),
		Channel: c.PostForm("channel"), ReceiptDate: c.PostForm("receipt_date"), Note: c.PostForm("note")}
}

func (f applicationForm) application() requests.Application {
	return requests.Application{ApplicantType: f.ApplicantType, Name: f.Name, ContactPerson: f.ContactPerson, IDType: f.IDType,
		IDNumber: f.IDNumber, Phone: f.Phone, Email: f.Email, Address: f.Address, Description: f.Description, Form: f.Form,
		Delivery: f.Delivery, Channel: f.Channel, ReceiptDate: f.ReceiptDate, Note: f.Note}
}

// idTypeOptions are the identity documents of both kinds of applicant without repeats: the
// persons' ones, the organisations' ones, then 其他.
type idTypeOptions struct {
	Person       []string
	Organization []string
	Other        []string
}

func requestIDTypes() idTypeOptions {
	var o idTypeOptions
	seen := map[string]bool{}
	for _, t := range requests.RequestIDTypes(false) {
		if t == "其他" {
			continue
		}
		seen[t] = true
		o.Person = append(o.Person, t)
	}
	for _, t := range requests.RequestIDTypes(true) {
		if t == "其他" || seen[t] {
			continue
		}
		seen[t] = true
		o.Organization = append(o.Organization, t)
	}
	if slices.Contains(requests.RequestIDTypes(false), "其他") || slices.Contains(requests.RequestIDTypes(true), "其他") {
		o.Other = []string{"其他"}
	}
	return o
}

// applicationView is the application form, public or staff, with its choices and its message.
type applicationView struct {
	Form   applicationForm
	Public bool // the public form (else the staff registration)
	fieldError
	Natural    []requests.ApplicantType // 自然人
	Orgs       []requests.ApplicantType // the five kinds of 法人或其他组织
	IDTypes    idTypeOptions
	Forms      []string
	Deliveries []string
	Channels   []requests.RequestChannel // staff registration only
	Today      string
	// Statutory periods and limits the form explains.
	ReplyDays      int
	ExtensionDays  int
	SupplementDays int
	MaxName        int
	MaxIDNumber    int
	MaxPhone       int
	MaxEmail       int
	MaxDescription int
	MaxNote        int
}

// fieldError is a form's message and the field it concerns, for the views of the forms; a form
// checked whole also lists every field's problem in FieldProblems.
type fieldError struct {
	Error         string
	ErrorField    string
	FieldProblems []workflow.FieldProblem
}

// Err returns the error message that concerns field.
func (v fieldError) Err(field string) string {
	for _, p := range v.FieldProblems {
		if p.Field == field {
			return p.Message
		}
	}
	if len(v.FieldProblems) == 0 && v.ErrorField == field {
		return v.Error
	}
	return ""
}

func (s *Site) applicationView(form applicationForm, staff bool) applicationView {
	v := applicationView{Form: form, Public: !staff, IDTypes: requestIDTypes(), Forms: requests.RequestForms(), Deliveries: requests.RequestDeliveries(),
		Today: workflow.DateOf(s.now()).String(), ReplyDays: requests.RequestReplyDays, ExtensionDays: requests.RequestMaxExtensionDays,
		SupplementDays: requests.RequestSupplementNoticeDays, MaxName: maxApplicantLen, MaxIDNumber: maxIDNumberLen, MaxPhone: maxPhoneLen,
		MaxEmail: maxEmailLen, MaxDescription: requests.MaxDescriptionRunes, MaxNote: maxNoteLen}
	for _, a := range requests.RequestApplicantTypes() {
		if a.Organization {
			v.Orgs = append(v.Orgs, a)
		} else {
			v.Natural = append(v.Natural, a)
		}
	}
	if staff {
		for _, ch := range requests.RequestChannels() {
			if ch.Code != requests.ChannelOnline {
				v.Channels = append(v.Channels, ch)
			}
		}
	}
	if v.Form.Form == "" {
		v.Form.Form = requests.RequestForms()[0]
	}
	if v.Form.Delivery == "" {
		v.Form.Delivery = "自行领取"
	}
	return v
}

// withError sets err's message on v, beside its field when it names one.
func (v *applicationView) withError(err error) {
	v.Error = workflow.ErrorMessage(err)
	if e := workflow.AsError(err); e != nil {
		v.ErrorField = e.Field
	}
	v.FieldProblems = workflow.FieldProblems(err)
}

// requestFormPage is the public application form (政府信息公开申请表).
func (s *Site) requestFormPage(c *gin.Context) {
	s.render(c, http.StatusOK, "portal_request_form", s.applicationView(applicationForm{}, false))
}

// requestReceiptView is the answer to a filed request. It is shown once, in the answer to the
// form (no-store): no page reachable by its number shows a request, so guessing numbers reveals
// nothing.
type requestReceiptView struct {
	No             string
	ReceivedOn     string
	ReplyDue       string
	Title          string
	ReplyDays      int
	ExtensionDays  int
	SupplementDays int
}

// submitRequest files a request from the public form and answers with its receipt; a refusal
// shows the form again with the message beside the field and everything typed kept.
func (s *Site) submitRequest(c *gin.Context) {
	form := applicationFormFrom(c)
	form.Channel, form.ReceiptDate, form.Note = "", "", ""
	r, err := s.Requests.Submit(c.Request.Context(), form.application(), c.ClientIP())
	if err == nil {
		s.render(c, http.StatusOK, "portal_request_receipt", requestReceiptView{No: r.ReceiptNo, ReceivedOn: r.ReceivedOn.String(),
			ReplyDue: r.ReplyDue.String(), Title: r.Title, ReplyDays: requests.RequestReplyDays,
			ExtensionDays: requests.RequestMaxExtensionDays, SupplementDays: requests.RequestSupplementNoticeDays})
		return
	}
	if statusFor(err) >= 500 {
		s.errorPage(c, err)
		return
	}
	if e := workflow.AsError(err); e != nil {
		if ra, ok := e.Details["retry_after_seconds"]; ok {
			c.Header("Retry-After", fmt.Sprint(ra))
		}
	}
	v := s.applicationView(form, false)
	v.withError(err)
	s.render(c, statusFor(err), "portal_request_form", v)
}

// registrationPage is the staff form for a request that came by letter, visit, fax or e-mail.
func (s *Site) registrationPage(c *gin.Context) {
	v := s.applicationView(applicationForm{Channel: "in_person", ReceiptDate: workflow.DateOf(s.now()).String()}, true)
	s.render(c, http.StatusOK, "console_request_new", v)
}

// registerRequest registers a request and goes to its page.
func (s *Site) registerRequest(c *gin.Context) {
	st := *staffOf(c)
	form := applicationFormFrom(c)
	r, err := s.Requests.Register(c.Request.Context(), st.Actor(), form.application())
	if err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/console/requests/%d?done=registered", r.ID))
		return
	}
	if statusFor(err) >= 500 {
		s.errorPage(c, err)
		return
	}
	v := s.applicationView(form, true)
	v.withError(err)
	s.render(c, statusFor(err), "console_request_new", v)
}

// requestFilter is the request list's query, kept in the filter form.
type requestFilter struct {
	Open      bool
	Overdue   bool
	State     string
	Year      int
	Applicant string
	Q         string
	Page      int
}

// href returns the list's address with the filter for page n.
func (f requestFilter) href(page int) string {
	q := url.Values{}
	if f.Open {
		q.Set("open", "true")
	}
	if f.Overdue {
		q.Set("overdue", "true")
	}
	if f.State != "" {
		q.Set("state", f.State)
	}
	if f.Year != 0 {
		q.Set("year", strconv.Itoa(f.Year))
	}
	if f.Applicant != "" {
		q.Set("applicant_type", f.Applicant)
	}
	if f.Q != "" {
		q.Set("q", f.Q)
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	if len(q) == 0 {
		return "/console/requests"
	}
	return "/console/requests?" + q.Encode()
}

// requestRow is one request in the staff list: identity and contact never appear in it, and a
// natural person's name is masked.
type requestRow struct {
	ID            int64
	ReceiptNo     string
	Title         string
	ApplicantType string
	Name          string
	ReceivedOn    string
	ReplyDue      string
	Overdue       bool
	Paused        bool
	PauseReason   string
	State         string
	Open          bool
	Outcome       string
	ClosedOn      string
}

type requestListView struct {
	Filter      requestFilter
	States      []stateOption
	Applicants  []requests.ApplicantType
	Years       []int
	Rows        []requestRow
	Total       int
	PageLinks   []pageLink
	PrevHref    string
	NextHref    string
	CanRegister bool
	CanCases    bool
}

const requestPageSize = 30

func applicantTypeLabel(code string) string {
	for _, a := range requests.RequestApplicantTypes() {
		if a.Code == code {
			if a.Organization {
				return "法人或其他组织（" + a.Label + "）"
			}
			return a.Label
		}
	}
	return code
}

// pauseReason says why a request's reply clock does not run, by its state.
func pauseReason(state string) string {
	switch state {
	case requests.RequestAwaitingSupplement:
		return "待补正，答复期限自收到补正之日重新计算"
	case requests.RequestAwaitingPayment:
		return "待缴费，期间不计入答复期限"
	case requests.RequestConsulting:
		return "征求意见中，期间不计入答复期限"
	}
	return "答复期限暂停计算"
}

// requestList is the request desk: filters, the list and paging.
func (s *Site) requestList(c *gin.Context) {
	st := *staffOf(c)
	def, err := s.Requests.Engine.Registry().Latest("request")
	if err != nil {
		s.errorPage(c, err)
		return
	}
	f := requestFilter{Open: c.Query("open") == "true", Overdue: c.Query("overdue") == "true", State: c.Query("state"),
		Applicant: c.Query("applicant_type"), Q: strings.TrimSpace(c.Query("q")), Page: 1}
	bad := func(msg string) {
		s.errorPage(c, &workflow.Error{Code: workflow.EInvalid, Message: msg})
	}
	if v := c.Query("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			bad("页码无效")
			return
		}
		f.Page = n
	}
	if v := c.Query("year"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2000 || n > 2200 {
			bad("年度无效")
			return
		}
		f.Year = n
	}
	if f.State != "" && def.State(f.State) == nil {
		bad("未知的办理状态：" + f.State)
		return
	}
	if f.Applicant != "" {
		if _, ok := applicantByCode(f.Applicant); !ok {
			bad("未知的申请人类型：" + f.Applicant)
			return
		}
	}
	today := workflow.DateOf(s.now())
	v := requestListView{Filter: f, Applicants: requests.RequestApplicantTypes(),
		CanRegister: s.hasAnywhere(st, "request:register"), CanCases: s.Cases != nil && s.hasAnywhere(st, "case:record")}
	for _, state := range def.States {
		v.States = append(v.States, stateOption{Value: state.Name, Label: state.Label})
	}
	for y := today.Year; y >= today.Year-5; y-- {
		v.Years = append(v.Years, y)
	}
	q := requests.RequestQuery{Open: f.Open, Year: f.Year, Applicant: f.Applicant, Text: f.Q, Limit: requestPageSize,
		Offset: (f.Page - 1) * requestPageSize}
	if f.State != "" {
		q.States = []string{f.State}
	}
	if f.Overdue {
		q.Overdue = today
	}
	items, total, err := s.Requests.List(c.Request.Context(), st.Actor(), q)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	for _, r := range items {
		row := requestRow{ID: r.ID, ReceiptNo: r.ReceiptNo, Title: r.Title, ApplicantType: applicantTypeLabel(r.ApplicantType),
			Name: r.ApplicantName, ReceivedOn: r.ReceivedOn.String(), ReplyDue: r.ReplyDue.String(),
			State: def.StateLabel(r.State), Open: r.Open(), ClosedOn: r.ClosedOn.String()}
		if d, err := s.Requests.Engine.Definition(r.Instance); err == nil {
			row.State = d.StateLabel(r.State)
		}
		if row.Open {
			switch {
			case r.ReplyDue.IsZero():
				row.Paused, row.PauseReason = true, pauseReason(r.State)
			case today.After(r.ReplyDue):
				row.Overdue = true
			}
		}
		if o, ok := requests.RequestOutcomeOf(r.Outcome); ok {
			row.Outcome = outcomeTitle(o)
		}
		v.Rows = append(v.Rows, row)
	}
	v.Total = total
	pages := (total + requestPageSize - 1) / requestPageSize
	v.PageLinks, v.PrevHref, v.NextHref = pageLinks(f.Page, pages, f.href)
	s.render(c, http.StatusOK, "console_requests", v)
}

func applicantByCode(code string) (requests.ApplicantType, bool) {
	for _, a := range requests.RequestApplicantTypes() {
		if a.Code == code {
			return a, true
		}
	}
	return requests.ApplicantType{}, false
}

// outcomeGroups are the blocks of Table 三 by the group names of workflow.RequestOutcomes.
var outcomeGroups = map[string]string{"不予公开": "（三）", "无法提供": "（四）", "不予处理": "（五）", "其他处理": "（六）"}

// outcomeTitle names an outcome as Table 三 does: its block, and its row within the block.
func outcomeTitle(o requests.RequestOutcome) string {
	if o.Group == "" {
		return o.Label
	}
	return o.Group + "：" + o.Label
}

// outcomeOptions are the outcomes staff may choose, grouped as the blocks of Table 三; the ones
// the system records when a deadline lapses are not offered.
func outcomeOptions() []optionGroup {
	var out []optionGroup
	for _, o := range requests.RequestOutcomes() {
		if o.System {
			continue
		}
		label := o.Label
		group := ""
		if o.Group != "" {
			group = outcomeGroups[o.Group] + o.Group
			if _, row, ok := strings.Cut(o.Key, ")"); ok && row != "" {
				label = row + ". " + o.Label
			}
		} else if _, block, ok := strings.Cut(o.Key, "("); ok {
			label = "（" + strings.TrimSuffix(block, ")") + "）" + o.Label
		}
		if len(out) == 0 || out[len(out)-1].Label != group || group == "" {
			out = append(out, optionGroup{Label: group})
		}
		out[len(out)-1].Options = append(out[len(out)-1].Options, option{Value: o.Key, Label: label})
	}
	return out
}

// requestForm builds the form of transition t on r; monthCount and feeHint are the applicant's
// requests that month and the fee per request it allows, which the fee box explains.
func (s *Site) requestForm(def *workflow.Definition, r requests.Request, t workflow.TransitionView, monthCount, feeHint int) formAction {
	fee := fmt.Sprintf("该申请人当月第 %d 件申请；按件计收的，每月 10 件以内不收费（《政府信息公开信息处理费管理办法》）。", monthCount)
	if feeHint != 0 {
		fee = fmt.Sprintf("该申请人当月第 %d 件申请；按件计收的标准为每件 %d 元（《政府信息公开信息处理费管理办法》）。", monthCount, feeHint)
	}
	return formOf(formSpec{Def: def, Meta: latest(s.Requests.Engine.Registry(), def), State: r.State, Facts: r.Facts,
		Today: workflow.DateOf(s.now()), FormID: "req-act-" + t.Name, Help: map[string]string{"fee_amount": fee},
		Choices: map[string][]optionGroup{"outcome": outcomeOptions()}}, t)
}

// replyView is the reply deadline as the request page shows it.
type replyView struct {
	Due           string
	Total         int
	Suspended     bool
	SuspendReason string
	Provisional   bool
	Explanation   string
	Overdue       bool
}

type requestPageView struct {
	R                  requests.Request
	StateLabel         string
	ApplicantType      string
	ChannelLabel       string
	ChannelRule        string
	ReceivedLabel      string
	Description        []string
	Reply              *replyView
	SupplementNoticeBy string
	MonthCount         int
	FeeHint            int
	Outcome            string
	ReplyLetter        []string
	Facts              []factRow
	History            []historyView
	Deadlines          []deadlineView
	Actions            []formAction
	Flash              string
	Error              string
	Conflict           bool
	CanCase            bool
}

// requestFactLabels name the facts of a request shown under 办理情况, in the order of the flow.
var requestFactLabels = []struct{ name, label string }{
	{"accepted_on", "确认申请内容明确"},
	{"supplement_requested_on", "补正通知发出日期"},
	{"supplement_items", "需要补正的事项"},
	{"supplement_by", "补正期限"},
	{"supplemented_on", "收到补正的日期"},
	{"consult_kind", "征求意见对象"},
	{"consultee", "被征求意见的单位或个人"},
	{"consult_started_on", "征求意见发出日期"},
	{"consult_result", "征求意见结果"},
	{"pauses", "不计入答复期限的时段"},
	{"fee_amount", "收费金额（元）"},
	{"fee_notified_on", "收费通知发出日期"},
	{"pay_by", "缴费期限"},
	{"fee_paid_on", "缴费日期"},
	{"extension_requested_on", "申请延期日期"},
	{"extension_requested_days", "申请延长（工作日）"},
	{"extension_reason", "延期理由"},
	{"extension_days", "已延长（工作日）"},
	{"extension_approved_on", "延期批准日期"},
	{"extension_approved_by", "延期批准人"},
	{"closed_on", "办结日期"},
	{"answered_by", "答复人"},
}

// requestFactValue shows a fact in words.
func requestFactValue(name, v string) string {
	switch name {
	case "consult_kind":
		return requests.PauseLabel(v)
	case "pauses":
		ps, err := requests.ParsePauses(v)
		if err != nil {
			return v
		}
		parts := make([]string, 0, len(ps))
		for _, p := range ps {
			parts = append(parts, fmt.Sprintf("%s %s 至 %s", requests.PauseLabel(p.Kind), p.From, p.To))
		}
		return strings.Join(parts, "；")
	case "outcome":
		if o, ok := requests.RequestOutcomeOf(v); ok {
			return outcomeTitle(o)
		}
	case "channel":
		if ch, ok := requests.RequestChannelOf(v); ok {
			return ch.Label
		}
	}
	return v
}

// requestDeadlineLabels name the deadlines of a request.
var requestDeadlineLabels = map[string]string{
	"reply_due":        "答复期限",
	"supplement_due":   "补正期限",
	"consultation_due": "征求意见答复期限",
	"payment_due":      "缴费期限",
}

// requestDataLabels name the audit data of a request that are not inputs of its flow.
var requestDataLabels = map[string]string{"receipt_no": "受理编号", "channel": "申请渠道", "received_on": "收到申请日期",
	"answered_on": "收到答复的日期"}

// hiddenRequestData are inputs the use case derives from others; the history shows the others.
var hiddenRequestData = map[string]bool{"supplement_due_at": true, "pay_due_at": true}

// requestHistoryData lists an audit entry's data with Chinese labels, the outcome and the
// consulted party in words.
func requestHistoryData(def *workflow.Definition, data map[string]string) []factRow {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []factRow
	for _, k := range keys {
		v := data[k]
		if strings.TrimSpace(v) == "" || hiddenRequestData[k] {
			continue
		}
		label, ok := requestDataLabels[k]
		if !ok {
			label = def.InputLabel(k)
		}
		out = append(out, factRow{Label: label, Value: requestFactValue(k, v)})
	}
	return out
}

// loadRequestPage builds the page of request id for the signed-in user.
func (s *Site) loadRequestPage(c *gin.Context, id int64) (requestPageView, error) {
	st := *staffOf(c)
	d, err := s.Requests.Detail(c.Request.Context(), st.Actor(), id)
	if err != nil {
		return requestPageView{}, err
	}
	r := d.Request
	v := requestPageView{R: r, StateLabel: d.StateLabel, ApplicantType: applicantTypeLabel(r.ApplicantType),
		Description: paragraphs(r.Description), MonthCount: d.MonthCount, FeeHint: d.FeeHint, ReplyLetter: paragraphs(r.Facts["reply_letter"]),
		CanCase: s.Cases != nil && s.Authz.Can(st.Username, r.Unit, "case:record")}
	v.ChannelLabel, v.ReceivedLabel = r.Channel, "收到申请日期"
	if ch, ok := requests.RequestChannelOf(r.Channel); ok {
		v.ChannelLabel, v.ChannelRule = ch.Label, ch.Rule
	}
	if d.Outcome.Key != "" {
		v.Outcome = outcomeTitle(d.Outcome)
	}
	if d.Reply != nil {
		v.Reply = &replyView{Due: d.Reply.Due.String(), Total: d.Reply.Total, Suspended: d.Reply.Suspended,
			SuspendReason: d.Reply.SuspendReason, Provisional: d.Reply.Provisional, Explanation: d.Reply.Explanation(), Overdue: d.Overdue}
	}
	if !d.SupplementNoticeBy.Due.IsZero() {
		v.SupplementNoticeBy = d.SupplementNoticeBy.Due.String()
	}
	for _, f := range requestFactLabels {
		if val := r.Facts[f.name]; val != "" {
			v.Facts = append(v.Facts, factRow{Label: f.label, Value: requestFactValue(f.name, val)})
		}
	}
	for _, dl := range d.Deadlines {
		if strings.HasSuffix(dl.Name, ".remind") {
			continue
		}
		dv := s.toDeadlineView(dl)
		if l, ok := requestDeadlineLabels[dl.Name]; ok {
			dv.Label = l
		}
		v.Deadlines = append(v.Deadlines, dv)
	}
	for i := len(d.History) - 1; i >= 0; i-- {
		h := d.History[i]
		hv := historyView{Name: h.Action, At: h.At, Actor: h.ActorName, Action: d.Transitions[h.Action]}
		if hv.Action == "" {
			hv.Action = auditLabel(d.Definition, h)
		}
		if h.Action == "create" && r.CreatedBy == 0 {
			hv.Action = "在线提交申请"
		}
		if h.FromState != h.ToState && h.FromState != "" && h.ToState != "" {
			hv.From, hv.To = d.Definition.StateLabel(h.FromState), d.Definition.StateLabel(h.ToState)
		}
		hv.Data = requestHistoryData(d.Definition, h.Data)
		v.History = append(v.History, hv)
	}
	for _, t := range d.Available {
		v.Actions = append(v.Actions, s.requestForm(d.Definition, r, t, d.MonthCount, d.FeeHint))
	}
	return v, nil
}

// requestPage shows one request to staff: everything the applicant gave, the reply deadline and
// how it was computed, the history and deadlines, and a form per transition the user may take.
func (s *Site) requestPage(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	v, err := s.loadRequestPage(c, id)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	switch done := c.Query("done"); {
	case done == "registered":
		v.Flash = "申请已登记，受理编号 " + v.R.ReceiptNo + "。"
	case done != "":
		for _, h := range v.History {
			if h.Name == done {
				v.Flash = "已完成“" + h.Action + "”。"
				break
			}
		}
	}
	s.render(c, http.StatusOK, "console_request", v)
}

// fireRequest takes a transition from its form. On success it goes back to the request; a refusal
// shows the page again with the message beside the form and what was typed kept.
func (s *Site) fireRequest(c *gin.Context) {
	st := *staffOf(c)
	id, err := pathID(c)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	v, err := s.loadRequestPage(c, id)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	name := c.Param("name")
	idx := slices.IndexFunc(v.Actions, func(a formAction) bool { return a.Name == name })
	in := workflow.Input{}
	if idx >= 0 {
		in, _ = formInput(c, &v.Actions[idx]) // a request's form has no datetime box, the only kind that can fail
	}
	version, _ := strconv.Atoi(c.PostForm("version"))
	if version <= 0 {
		err = &workflow.Error{Code: workflow.EInputMissing, Message: "表单缺少版本号，请刷新页面后重试"}
	} else {
		_, err = s.Requests.Fire(c.Request.Context(), st.Actor(), id, version, name, in)
	}
	if err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/console/requests/%d?done=%s", id, url.QueryEscape(name)))
		return
	}
	if statusFor(err) >= 500 {
		s.errorPage(c, err)
		return
	}
	msg := workflow.ErrorMessage(err)
	switch {
	case workflow.ErrorCode(err) == workflow.EConflict:
		v.Conflict, v.Error = true, msg
	case idx >= 0:
		v.Actions[idx].refused(err)
		v.Error = "未能完成“" + v.Actions[idx].Label + "”：" + msg
	default:
		v.Error = msg
	}
	s.render(c, statusFor(err), "console_request", v)
}

// caseForm is what staff typed about a case, kept when the form comes back with a message.
type caseForm struct {
	Kind          string
	CaseNo        string
	Organ         string
	ApplicantName string
	RequestID     string
	FiledOn       string
	ConcludedOn   string
	Outcome       string
	Summary       string
}

func caseFormFrom(c *gin.Context) caseForm {
	return caseForm{Kind: c.PostForm("kind"), CaseNo: c.PostForm("case_no"), Organ: c.PostForm("organ"),
		ApplicantName: c.PostForm("applicant_name"), RequestID: c.PostForm("request_id"), FiledOn: c.PostForm("filed_on"),
		ConcludedOn: c.PostForm("concluded_on"), Outcome: c.PostForm("outcome"), Summary: c.PostForm("summary")}
}

func caseFormOf(k requests.Case) caseForm {
	f := caseForm{Kind: k.Kind, CaseNo: k.CaseNo, Organ: k.Organ, ApplicantName: k.ApplicantName, FiledOn: k.FiledOn.String(),
		ConcludedOn: k.ConcludedOn.String(), Outcome: k.Outcome, Summary: k.Summary}
	if k.RequestID != 0 {
		f.RequestID = strconv.FormatInt(k.RequestID, 10)
	}
	return f
}

// input turns the form into the use case's input; only the request number is read here.
func (f caseForm) input() (requests.CaseInput, error) {
	in := requests.CaseInput{Kind: f.Kind, CaseNo: f.CaseNo, Organ: f.Organ, ApplicantName: f.ApplicantName, FiledOn: f.FiledOn,
		ConcludedOn: f.ConcludedOn, Outcome: f.Outcome, Summary: f.Summary}
	if v := strings.TrimSpace(f.RequestID); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return in, &workflow.Error{Code: workflow.EInvalid, Field: "request_id", Message: "关联申请的系统编号应为正整数（见申请页面），没有关联申请的请留空"}
		}
		in.RequestID = n
	}
	return in, nil
}

var caseKinds = []string{requests.CaseReconsideration, requests.CaseLitigationDirect, requests.CaseLitigationAfterReconsideration}

var caseOutcomes = []string{requests.CasePending, requests.CaseUpheld, requests.CaseCorrected, requests.CaseOther}

// caseChoices are the kinds and outcomes of a case as options.
type caseChoices struct {
	Kinds    []option
	Outcomes []option
	Today    string
}

func (s *Site) caseChoices() caseChoices {
	ch := caseChoices{Today: workflow.DateOf(s.now()).String()}
	for _, k := range caseKinds {
		ch.Kinds = append(ch.Kinds, option{Value: k, Label: requests.CaseKindLabel(k)})
	}
	for _, o := range caseOutcomes {
		ch.Outcomes = append(ch.Outcomes, option{Value: o, Label: requests.CaseOutcomeLabel(o)})
	}
	return ch
}

// caseRow is one case in the list.
type caseRow struct {
	ID            int64
	Kind          string
	CaseNo        string
	Organ         string
	ApplicantName string
	FiledOn       string
	ConcludedOn   string
	Outcome       string
	Pending       bool
}

type caseListView struct {
	caseChoices
	Rows      []caseRow
	Total     int
	Year      int
	Kind      string
	Years     []int
	PageLinks []pageLink
	PrevHref  string
	NextHref  string
	Form      caseForm
	fieldError
	Flash     string
	RequestNo string // the receipt number of the request the new case is about
	Version   int    // always 0: the form records a new case (part_case.html)
}

const casePageSize = 50

// loadCaseList builds the case list with its filters and an empty record form.
func (s *Site) loadCaseList(c *gin.Context) (caseListView, error) {
	st := *staffOf(c)
	v := caseListView{caseChoices: s.caseChoices(), Kind: c.Query("kind"), Form: caseForm{Outcome: requests.CasePending}}
	page := 1
	if p := c.Query("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 10000 {
			return v, &workflow.Error{Code: workflow.EInvalid, Message: "页码无效"}
		}
		page = n
	}
	if y := c.Query("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 2000 || n > 2200 {
			return v, &workflow.Error{Code: workflow.EInvalid, Message: "年度无效"}
		}
		v.Year = n
	}
	if v.Kind != "" && requests.CaseKindLabel(v.Kind) == "" {
		return v, &workflow.Error{Code: workflow.EInvalid, Message: "未知的案件类型：" + v.Kind}
	}
	this := workflow.DateOf(s.now()).Year
	for y := this; y >= this-5; y-- {
		v.Years = append(v.Years, y)
	}
	ks, total, err := s.Cases.List(c.Request.Context(), st.Actor(), requests.CaseQuery{Year: v.Year, Kind: v.Kind, Limit: casePageSize,
		Offset: (page - 1) * casePageSize})
	if err != nil {
		return v, err
	}
	for _, k := range ks {
		v.Rows = append(v.Rows, caseRow{ID: k.ID, Kind: requests.CaseKindLabel(k.Kind), CaseNo: k.CaseNo, Organ: k.Organ,
			ApplicantName: k.ApplicantName, FiledOn: k.FiledOn.String(), ConcludedOn: k.ConcludedOn.String(),
			Outcome: requests.CaseOutcomeLabel(k.Outcome), Pending: k.Outcome == requests.CasePending})
	}
	v.Total = total
	pages := (total + casePageSize - 1) / casePageSize
	v.PageLinks, v.PrevHref, v.NextHref = pageLinks(page, pages, func(n int) string {
		q := url.Values{}
		if v.Year != 0 {
			q.Set("year", strconv.Itoa(v.Year))
		}
		if v.Kind != "" {
			q.Set("kind", v.Kind)
		}
		q.Set("page", strconv.Itoa(n))
		return "/console/cases?" + q.Encode()
	})
	return v, nil
}

// requestOf returns request id if the user may read it; false if not, or there is none.
func (s *Site) requestOf(c *gin.Context, id int64) (requests.Request, bool) {
	if id <= 0 {
		return requests.Request{}, false
	}
	r, err := s.Requests.Get(c.Request.Context(), staffOf(c).Actor(), id)
	if err != nil {
		return requests.Request{}, false
	}
	return r, true
}

// requestNo returns the receipt number of request id if the user may read it, else "".
func (s *Site) requestNo(c *gin.Context, id int64) string {
	r, _ := s.requestOf(c, id)
	return r.ReceiptNo
}

// caseList lists the reconsideration and litigation cases with a form to record one; coming from
// a request (?request_id=), the form is about it.
func (s *Site) caseList(c *gin.Context) {
	v, err := s.loadCaseList(c)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	if id, err := strconv.ParseInt(c.Query("request_id"), 10, 64); err == nil && id > 0 {
		if r, ok := s.requestOf(c, id); ok {
			v.RequestNo, v.Form.RequestID, v.Form.ApplicantName = r.ReceiptNo, strconv.FormatInt(id, 10), r.ApplicantName
		}
	}
	s.render(c, http.StatusOK, "console_cases", v)
}

// recordCase records a case and goes to its page.
func (s *Site) recordCase(c *gin.Context) {
	st := *staffOf(c)
	form := caseFormFrom(c)
	in, err := form.input()
	var k requests.Case
	if err == nil {
		k, err = s.Cases.Record(c.Request.Context(), st.Actor(), in)
	}
	if err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/console/cases/%d?done=recorded", k.ID))
		return
	}
	if statusFor(err) >= 500 {
		s.errorPage(c, err)
		return
	}
	v, lerr := s.loadCaseList(c)
	if lerr != nil {
		s.errorPage(c, err)
		return
	}
	v.Form, v.Error = form, workflow.ErrorMessage(err)
	if e := workflow.AsError(err); e != nil {
		v.ErrorField = e.Field
	}
	if in.RequestID > 0 {
		v.RequestNo = s.requestNo(c, in.RequestID)
	}
	s.render(c, statusFor(err), "console_cases", v)
}

type casePageView struct {
	caseChoices
	Case         requests.Case
	KindLabel    string
	OutcomeLabel string
	RequestNo    string
	Form         caseForm
	Version      int
	fieldError
	Conflict bool
	Flash    string
}

func (s *Site) loadCasePage(c *gin.Context, id int64) (casePageView, error) {
	k, err := s.Cases.Get(c.Request.Context(), staffOf(c).Actor(), id)
	if err != nil {
		return casePageView{}, err
	}
	return casePageView{caseChoices: s.caseChoices(), Case: k, KindLabel: requests.CaseKindLabel(k.Kind),
		OutcomeLabel: requests.CaseOutcomeLabel(k.Outcome), RequestNo: s.requestNo(c, k.RequestID), Form: caseFormOf(k), Version: k.Version}, nil
}

// casePage shows one case with the form to update it (for example when it is concluded).
func (s *Site) casePage(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	v, err := s.loadCasePage(c, id)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	switch c.Query("done") {
	case "recorded":
		v.Flash = "案件已登记。"
	case "saved":
		v.Flash = "已保存。"
	}
	s.render(c, http.StatusOK, "console_case", v)
}

// updateCase replaces a case's record if it is still at the version the form showed.
func (s *Site) updateCase(c *gin.Context) {
	st := *staffOf(c)
	id, err := pathID(c)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	form := caseFormFrom(c)
	version, _ := strconv.Atoi(c.PostForm("version"))
	in, err := form.input()
	if err == nil && version <= 0 {
		err = &workflow.Error{Code: workflow.EInputMissing, Message: "表单缺少版本号，请刷新页面后重试"}
	}
	if err == nil {
		_, err = s.Cases.Update(c.Request.Context(), st.Actor(), id, version, in)
	}
	if err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/console/cases/%d?done=saved", id))
		return
	}
	if statusFor(err) >= 500 {
		s.errorPage(c, err)
		return
	}
	v, lerr := s.loadCasePage(c, id)
	if lerr != nil {
		s.errorPage(c, lerr)
		return
	}
	v.Form, v.Error, v.Version = form, workflow.ErrorMessage(err), version
	v.Conflict = workflow.ErrorCode(err) == workflow.EConflict
	if e := workflow.AsError(err); e != nil {
		v.ErrorField = e.Field
	}
	s.render(c, statusFor(err), "console_case", v)
}

// requestStatusView is the applicant's progress lookup: the form, and the status once found.
type requestStatusView struct {
	ReceiptNo  string
	Contact    string
	Error      string
	ErrorField string
	Status     *requests.RequestStatus
}

// Err returns the error message when it concerns field.
func (v requestStatusView) Err(field string) string {
	if v.ErrorField == field || (field == "receipt_no" && v.Error != "" && v.ErrorField == "") {
		return v.Error
	}
	return ""
}

// requestStatusPage is the lookup form (受理编号 and a contact given on the application).
func (s *Site) requestStatusPage(c *gin.Context) {
	s.render(c, http.StatusOK, "portal_request_status", requestStatusView{ReceiptNo: strings.TrimSpace(c.Query("no"))})
}

// requestStatus answers a lookup; it is a POST so that the contact stays out of addresses and logs.
func (s *Site) requestStatus(c *gin.Context) {
	v := requestStatusView{ReceiptNo: c.PostForm("receipt_no"), Contact: c.PostForm("contact")}
	st, err := s.Requests.Status(c.Request.Context(), v.ReceiptNo, v.Contact, c.ClientIP())
	if err != nil {
		if statusFor(err) >= 500 {
			s.errorPage(c, err)
			return
		}
		if e := workflow.AsError(err); e != nil {
			v.ErrorField = e.Field
			if ra, ok := e.Details["retry_after_seconds"]; ok {
				c.Header("Retry-After", fmt.Sprint(ra))
			}
		}
		v.Error = workflow.ErrorMessage(err)
		s.render(c, statusFor(err), "portal_request_status", v)
		return
	}
	v.Status = &st
	s.render(c, http.StatusOK, "portal_request_status", v)
}
