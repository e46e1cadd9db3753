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
	if s.OnRequest != nil {
		s.mountOnRequest(staff)
	}
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

// applicationFormFrom reads what the applicant or the registering officer typed, kept when the
// form comes back with a message.
func applicationFormFrom(c *gin.Context) requests.Application {
	return requests.Application{ApplicantType: c.PostForm("applicant_type"), Name: c.PostForm("name"), ContactPerson: c.PostForm("contact_person"),
		IDType: c.PostForm("id_type"), IDNumber: c.PostForm("id_number"), Phone: c.PostForm("phone"), Email: c.PostForm("email"),
		Address: c.PostForm("address"), Description: c.PostForm("description"), Form: c.PostForm("form"), Delivery: c.PostForm("delivery"),
		Channel: c.PostForm("channel"), ReceiptDate: c.PostForm("receipt_date"), Note: c.PostForm("note")}
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
	Form   requests.Application
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

func (s *Site) applicationView(form requests.Application, staff bool) applicationView {
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
	s.render(c, http.StatusOK, "portal_request_form", s.applicationView(requests.Application{}, false))
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
	r, err := s.Requests.Submit(c.Request.Context(), form, c.ClientIP())
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
	v := s.applicationView(requests.Application{Channel: "in_person", ReceiptDate: workflow.DateOf(s.now()).String()}, true)
	s.render(c, http.StatusOK, "console_request_new", v)
}

// registerRequest registers a request and goes to its page.
func (s *Site) registerRequest(c *gin.Context) {
	st := *staffOf(c)
	form := applicationFormFrom(c)
	r, err := s.Requests.Register(c.Request.Context(), st.Actor(), form)
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
	for _, p := range [][2]string{{"open", queryFlag(f.Open)}, {"overdue", queryFlag(f.Overdue)}, {"state", f.State}, {"year", queryCount(f.Year)},
		{"applicant_type", f.Applicant}, {"q", f.Q}} {
		if p[1] != "" {
			q.Set(p[0], p[1])
		}
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	if len(q) == 0 {
		return "/console/requests"
	}
	return "/console/requests?" + q.Encode()
}

// queryFlag is a true filter's query value; a false one is left out.
func queryFlag(b bool) string {
	if b {
		return "true"
	}
	return ""
}

// queryCount is a positive number's query value; 0 is left out.
func queryCount(n int) string {
	if n > 0 {
		return strconv.Itoa(n)
	}
	return ""
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
