package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"wugongkai/internal/httpkit"
	"wugongkai/workflow"
	"wugongkai/workflow/desk"
	"wugongkai/workflow/documents"
)

type loginView struct {
	Next     string
	Username string
	Error    string
	Notice   string
}

// safeNext returns next if it is a console path on this site, else "/console": the login form
// never redirects elsewhere.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/console") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/console"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/console"
	}
	return next
}

// loginPage shows the login form, or sends a signed-in user on to the console.
func (s *Site) loginPage(c *gin.Context) {
	if token := httpkit.CookieToken(c); token != "" {
		if _, err := s.Accounts.Authenticate(c.Request.Context(), token); err == nil {
			c.Redirect(http.StatusSeeOther, safeNext(c.Query("next")))
			return
		}
	}
	v := loginView{Next: safeNext(c.Query("next"))}
	if c.Query("out") == "1" {
		v.Notice = "您已安全退出。"
	}
	c.Header("Cache-Control", "no-store")
	s.render(c, http.StatusOK, "login", v)
}

// login checks the user name and password and sets the session cookie.
func (s *Site) login(c *gin.Context) {
	username, password := c.PostForm("username"), c.PostForm("password")
	next := safeNext(c.PostForm("next"))
	token, _, err := s.Accounts.Login(c.Request.Context(), username, password, c.ClientIP())
	if err != nil {
		if statusFor(err) >= 500 {
			s.errorPage(c, err)
			return
		}
		httpkit.RetryAfter(c, err)
		s.render(c, statusFor(err), "login", loginView{Next: next, Username: strings.TrimSpace(username), Error: workflow.ErrorMessage(err)})
		return
	}
	httpkit.Session{Secure: s.SecureCookie}.Set(c, token)
	c.Redirect(http.StatusSeeOther, next)
}

// logout ends the session and clears the cookie.
func (s *Site) logout(c *gin.Context) {
	if err := s.Accounts.Logout(c.Request.Context(), httpkit.CookieToken(c)); err != nil {
		s.errorPage(c, err)
		return
	}
	httpkit.Session{Secure: s.SecureCookie}.Clear(c)
	c.Redirect(http.StatusSeeOther, "/console/login?out=1")
}

// deadlineLabels names the deadlines staff see.
var deadlineLabels = map[string]string{
	"publication_due":     "公开期限",
	"consultation_opens":  "征求意见开始",
	"consultation_closes": "征求意见截止",
	"rereview_due":        "复审期限",
	"reply_due":           "答复期限",
	"supplement_due":      "补正期限",
	"consultation_due":    "征求意见答复期限",
	"payment_due":         "缴费期限",
	"countersign_due":     "会签期限",
}

// deadlineLabel names a deadline; a reminder (name.remind) is named after its deadline, and a
// co-unit's deadline (name.unit, addressed to unit) after the deadline and the unit's name.
func deadlineLabel(dl workflow.Deadline, names map[string]string) string {
	base, remind := strings.CutSuffix(dl.Name, ".remind")
	if dl.Unit != "" {
		base = strings.TrimSuffix(base, "."+dl.Unit)
	}
	l, ok := deadlineLabels[base]
	if !ok {
		return dl.Name
	}
	if dl.Unit != "" {
		l += "（" + unitName(names, dl.Unit) + "）"
	}
	if remind {
		return l + "（提醒）"
	}
	return l
}

// deadlineView is one pending deadline as staff see it.
type deadlineView struct {
	Label       string
	DueDate     string
	DueAt       time.Time
	Overdue     bool
	Provisional bool
	Explanation string
	Status      string
}

// deadlineStatus names a deadline's status in Chinese.
func deadlineStatus(st string) string {
	switch st {
	case "pending":
		return "待办"
	case "done":
		return "已完成"
	case "skipped":
		return "已跳过"
	case "cancelled":
		return "已取消"
	}
	return st
}

func (s *Site) toDeadlineView(dl workflow.Deadline, names map[string]string) deadlineView {
	due := dl.DueDate
	if due == "" {
		due = formatDate(dl.DueAt)
	}
	if dl.Action == workflow.ActionFire {
		due = formatDateTime(dl.DueAt)
	}
	return deadlineView{Label: deadlineLabel(dl, names), DueDate: due, DueAt: dl.DueAt,
		Overdue: dl.Status == "pending" && s.now().After(dl.DueAt), Provisional: dl.Provisional,
		Explanation: dl.Explanation, Status: deadlineStatus(dl.Status)}
}

// pendingDeadlines returns a document's pending deadlines without their reminders, soonest first.
func (s *Site) pendingDeadlines(c *gin.Context, id int64) []deadlineView {
	dls, err := s.Docs.Store.Deadlines(c.Request.Context(), "document", id)
	if err != nil {
		s.Log.Warn("list deadlines", "document", id, "err", err)
		return nil
	}
	var out []deadlineView
	for _, dl := range dls {
		if dl.Status != "pending" || strings.HasSuffix(dl.Name, ".remind") {
			continue
		}
		out = append(out, s.toDeadlineView(dl, s.unitNames(c)))
	}
	slices.SortFunc(out, func(a, b deadlineView) int { return a.DueAt.Compare(b.DueAt) })
	return out
}

// docRow is a document in a staff list.
type docRow struct {
	ID        int64
	Title     string
	Kind      string
	Unit      string
	State     string
	Drafter   string
	Updated   time.Time
	Actions   []string
	Deadlines []deadlineView
	Action    string // 已办: what the user did
	At        time.Time
	Version   int
	Href      string // the item's page (待办)
}

func kindLabel(d documents.Document) string { return desk.KindLabel(d.Definition) }

func (s *Site) toDocRow(c *gin.Context, d documents.Document) docRow {
	r := docRow{ID: d.ID, Title: d.Title, Kind: kindLabel(d), Unit: d.UnitName, Drafter: d.CreatedByName, Updated: d.UpdatedAt, Version: d.Version}
	if r.Unit == "" {
		r.Unit = unitName(s.unitNames(c), d.Unit)
	}
	r.State = d.State
	if def, err := s.Docs.Engine.Definition(d.Instance); err == nil {
		r.State = def.StateLabel(d.State)
	}
	return r
}

type notificationView struct {
	Message string
	At      time.Time
	Href    string
	Unread  bool
}

type dashboardView struct {
	Tasks         []docRow
	Handled       []docRow
	Notifications []notificationView
	CanDraft      bool
}

// dashboard is the console's home: 待办 (workflow/desk: documents, requests and comments to
// moderate, soonest due first, with every pending deadline), 已办 and the newest notifications.
func (s *Site) dashboard(c *gin.Context) {
	st := *staffOf(c)
	items, err := s.Desk.Items(c.Request.Context(), st)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	v := dashboardView{CanDraft: s.hasAnywhere(st, "document:create")}
	for _, it := range items {
		r := docRow{ID: it.ID, Title: it.Title, Kind: desk.KindLabel(it.Kind), Unit: it.UnitName, State: it.StateLabel,
			Version: it.Version, Href: "/console/documents/" + strconv.FormatInt(it.ID, 10)}
		if r.Unit == "" {
			r.Unit = unitName(s.unitNames(c), it.Unit)
		}
		switch it.Kind {
		case desk.KindRequest:
			r.Href = "/console/requests/" + strconv.FormatInt(it.ID, 10)
			r.Title = it.ReceiptNo + " " + it.Title
		case desk.KindModeration:
			r.Href += "/comments?status=pending"
			r.Actions = append(r.Actions, fmt.Sprintf("审核公众意见（%d 条待审核）", it.PendingComments))
		}
		for _, t := range it.Actions {
			r.Actions = append(r.Actions, t.Label)
		}
		for _, dl := range it.Deadlines {
			r.Deadlines = append(r.Deadlines, s.toDeadlineView(dl, s.unitNames(c)))
		}
		v.Tasks = append(v.Tasks, r)
	}
	if v.Handled, err = s.handled(c, st, 20); err != nil {
		s.errorPage(c, err)
		return
	}
	v.Notifications = s.notifications(c, st, 10)
	s.render(c, http.StatusOK, "console_dashboard", v)
}

// handled lists the documents the user acted on, most recent action first, with that action: two
// queries (the user's latest actions, then the documents among them the user may still read).
func (s *Site) handled(c *gin.Context, st workflow.Staff, limit int) ([]docRow, error) {
	if s.Activity == nil || st.ID == 0 {
		return nil, nil
	}
	ctx := c.Request.Context()
	acted, err := s.Activity.ActedOn(ctx, st.ID, "document", limit)
	if err != nil || len(acted) == 0 {
		return nil, err
	}
	ids := make([]int64, len(acted))
	for i, a := range acted {
		ids[i] = a.SubjectID
	}
	docs, _, err := s.Docs.List(ctx, st, documents.DocumentQuery{IDs: ids, Limit: len(ids)})
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]documents.Document, len(docs))
	for _, d := range docs {
		byID[d.ID] = d
	}
	var out []docRow
	for _, a := range acted {
		d, ok := byID[a.SubjectID]
		if !ok { // no longer readable by the user
			continue
		}
		r := s.toDocRow(c, d)
		r.Action, r.At = s.actionLabel(d, a.Entry), a.Entry.At
		out = append(out, r)
	}
	return out, nil
}

// actionLabel names an audit entry's action in Chinese.
func (s *Site) actionLabel(d documents.Document, h workflow.AuditEntry) string {
	def, err := s.Docs.Engine.Definition(d.Instance)
	if err != nil {
		return h.Action
	}
	return auditLabel(def, h)
}

// auditLabel names an audit entry's action: create, edit and validity by name, a transition by
// the label of the transition of that name that leads from its from-state to its to-state (several
// transitions share a name, such as 审核通过 and 审查通过).
func auditLabel(def *workflow.Definition, h workflow.AuditEntry) string {
	if l, ok := documents.ActionLabels[h.Action]; ok {
		return l
	}
	return def.StepLabel(h.Action, h.FromState, h.ToState)
}

func (s *Site) notifications(c *gin.Context, st workflow.Staff, limit int) []notificationView {
	if s.Inbox == nil {
		return nil
	}
	ns, err := s.Inbox.Notifications(c.Request.Context(), st.ID, limit)
	if err != nil {
		s.Log.Warn("list notifications", "user", st.ID, "err", err)
		return nil
	}
	out := make([]notificationView, 0, len(ns))
	for _, n := range ns {
		v := notificationView{Message: n.Message, At: n.CreatedAt, Unread: n.ReadAt.IsZero()}
		if n.SubjectKind == "document" && n.SubjectID > 0 {
			v.Href = "/console/documents/" + strconv.FormatInt(n.SubjectID, 10)
		}
		out = append(out, v)
	}
	return out
}

type inboxView struct {
	Notifications []notificationView
	Enabled       bool
}

// inbox lists the user's notifications.
func (s *Site) inbox(c *gin.Context) {
	st := *staffOf(c)
	s.render(c, http.StatusOK, "console_inbox", inboxView{Notifications: s.notifications(c, st, 100), Enabled: s.Inbox != nil})
}

type documentListView struct {
	Rows      []docRow
	Total     int
	PageLinks []pageLink
	PrevHref  string
	NextHref  string
	State     string
	States    []stateOption
	CanDraft  bool
}

type stateOption struct {
	Value, Label string
}

// consolePageSize is the number of documents per page of the staff list.
const consolePageSize = 30

// documentList lists the documents the user may read, newest first, optionally in one state.
func (s *Site) documentList(c *gin.Context) {
	st := *staffOf(c)
	page, _ := strconv.Atoi(c.DefaultQuery("page", "1"))
	if page < 1 || page > 10000 {
		page = 1
	}
	v := documentListView{State: c.Query("state"), CanDraft: s.hasAnywhere(st, "document:create")}
	seen := map[string]bool{}
	for _, name := range []string{"document", "decision"} {
		def, err := s.Docs.Engine.Registry().Latest(name)
		if err != nil {
			continue
		}
		for _, state := range def.States {
			if !seen[state.Name] {
				seen[state.Name] = true
				v.States = append(v.States, stateOption{Value: state.Name, Label: state.Label})
			}
		}
	}
	q := documents.DocumentQuery{Limit: consolePageSize, Offset: (page - 1) * consolePageSize}
	if v.State != "" {
		if !seen[v.State] {
			s.errorPage(c, &workflow.Error{Code: workflow.EInvalid, Message: "未知的状态：" + v.State})
			return
		}
		q.States = []string{v.State}
	}
	docs, total, err := s.Docs.List(c.Request.Context(), st, q)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	for _, d := range docs {
		v.Rows = append(v.Rows, s.toDocRow(c, d))
	}
	v.Total = total
	pages := (total + consolePageSize - 1) / consolePageSize
	v.PageLinks, v.PrevHref, v.NextHref = pageLinks(page, pages, func(n int) string {
		q := url.Values{}
		if v.State != "" {
			q.Set("state", v.State)
		}
		q.Set("page", strconv.Itoa(n))
		return "/console/documents?" + q.Encode()
	})
	s.render(c, http.StatusOK, "console_documents", v)
}
