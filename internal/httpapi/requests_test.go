package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"wugongkai/internal/httpapi"
	"wugongkai/internal/postgres"
	"wugongkai/internal/report"
	"wugongkai/internal/testkit"
	"wugongkai/workflow"
	"wugongkai/workflow/consultations"
	"wugongkai/workflow/requests"
)

// testClock is a settable clock for the request, case and report use cases.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

// Now implements workflow.Clock.
func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// mountRequests mounts the request, case and report routes on api as cmd wires them, with a
// settable clock (starting at the wall clock), and gives handlers the 待办 over documents and requests.
func mountRequests(tb testing.TB, api *httpapi.Server, handlers *httpapi.API, b *testkit.Bureau) *testClock {
	tb.Helper()
	clock := &testClock{t: time.Now()}
	reqs := &requests.Requests{Engine: b.Engine, Store: b.Stores.Requests, Auth: b.Enforcer, Clock: clock,
		LookupLimiter: consultations.NewClientLimiter(60, 8)}
	handlers.Desk = b.Desk(handlers.Docs, reqs)
	httpapi.MountRequests(api, handlers, &httpapi.RequestsAPI{
		Requests:  reqs,
		Cases:     &requests.Cases{Store: b.Stores.Requests, Auth: b.Enforcer, Clock: clock},
		Reports:   &report.Reports{Store: b.Stores.ReportData, Auth: b.Enforcer, Org: "测试市住房和城乡建设局", Clock: clock},
		OnRequest: &requests.OnRequest{Requests: reqs, Store: b.Stores.OnRequest},
	})
	return clock
}

// at sets the request clock to 10:00 Beijing time on day (YYYY-MM-DD).
func (s *stack) at(day string) {
	s.t.Helper()
	d, err := workflow.ParseDate(day)
	if err != nil {
		s.t.Fatal(err)
	}
	s.clock.set(d.Start().Add(10 * time.Hour))
}

// sweep carries out every deadline due by 10:00 on day, as the worker's sweep does.
func (s *stack) sweep(day string) {
	s.t.Helper()
	s.at(day)
	now := s.clock.Now()
	ctx := context.Background()
	due, err := s.store.Deadlines.DueDeadlines(ctx, now, 500)
	if err != nil {
		s.t.Fatal(err)
	}
	var ids []int64
	for _, d := range due {
		ids = append(ids, d.ID)
	}
	if _, err := s.store.Deadlines.FireDeadlines(ctx, ids, now, func(d workflow.Deadline, inst workflow.Instance) (workflow.Result, error) {
		return s.docs.Engine.Fire(inst, d.Transition, workflow.SystemActor, workflow.Input{}, now)
	}); err != nil {
		s.t.Fatal(err)
	}
}

// residentID returns a valid 居民身份证 number (with its check character) for serial n.
func residentID(n int) string {
	base := fmt.Sprintf("41100219800101%03d", n%1000)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(base[i]-'0') * w
	}
	return base + string("10X98765432"[sum%11])
}

// application returns a valid application of an applicant type, numbered n.
func application(applicant string, n int) map[string]any {
	a := map[string]any{"applicant_type": applicant, "name": fmt.Sprintf("申请人%d", n), "id_type": "居民身份证",
		"id_number": residentID(n), "phone": "13800138000", "description": fmt.Sprintf("请公开2025年第%d批保障性住房分配名单", n),
		"form": "纸质", "delivery": "自行领取"}
	if applicant != "natural" {
		a["name"] = fmt.Sprintf("某某有限公司%d", n)
		a["id_type"] = "统一社会信用代码"
		a["id_number"] = fmt.Sprintf("91411000MA%08d", n)
		a["contact_person"] = "李四"
	}
	return a
}

type reqView struct {
	ID        int64             `json:"id"`
	Version   int               `json:"version"`
	ReceiptNo string            `json:"receipt_no"`
	State     string            `json:"state"`
	IDNumber  string            `json:"id_number"`
	Phone     string            `json:"phone"`
	ReplyDue  string            `json:"reply_due"`
	Outcome   string            `json:"outcome"`
	ClosedOn  string            `json:"closed_on"`
	Facts     map[string]string `json:"facts"`
	Available []struct {
		Name     string   `json:"name"`
		Requires []string `json:"requires"`
	} `json:"available_transitions"`
	Reply *struct {
		Due         string `json:"due"`
		Suspended   bool   `json:"suspended"`
		Explanation string `json:"explanation"`
		Text        string `json:"text"`
	} `json:"reply"`
	Deadlines []struct {
		Name    string `json:"name"`
		DueDate string `json:"due_date"`
		Status  string `json:"status"`
	} `json:"deadlines"`
	SupplementNoticeBy string `json:"supplement_notice_by"`
	History            []struct {
		Action string `json:"action"`
	} `json:"history"`
}

func (v reqView) can(name string) bool {
	return slices.ContainsFunc(v.Available, func(a struct {
		Name     string   `json:"name"`
		Requires []string `json:"requires"`
	}) bool {
		return a.Name == name
	})
}

// pending returns the due dates of v's pending deadlines by name.
func (v reqView) pending() map[string]string {
	out := map[string]string{}
	for _, d := range v.Deadlines {
		if d.Status == "pending" {
			out[d.Name] = d.DueDate
		}
	}
	return out
}

// register records a request received on day through channel.
func (s *stack) register(day, channel string, app map[string]any) reqView {
	s.t.Helper()
	s.at(day)
	app["channel"] = channel
	app["receipt_date"] = day
	var v reqView
	s.mustDo(http.MethodPost, "/api/v1/requests", "officer", app, http.StatusCreated, &v)
	return v
}

// act fires a transition on request v on day as user.
func (s *stack) act(day, user string, v reqView, name string, input map[string]string) reqView {
	s.t.Helper()
	s.at(day)
	var out reqView
	s.mustDo(http.MethodPost, pathf("/api/v1/requests/%d/transitions/%s", v.ID, name), user,
		map[string]any{"version": v.Version, "input": input}, http.StatusOK, &out)
	return out
}

func (s *stack) request(id int64) reqView {
	s.t.Helper()
	var v reqView
	s.mustDo(http.MethodGet, pathf("/api/v1/requests/%d", id), "officer", nil, http.StatusOK, &v)
	return v
}

func (s *stack) answer(day string, v reqView, outcome string) reqView {
	s.t.Helper()
	return s.act(day, "officer", v, "answer", map[string]string{"outcome": outcome, "reply_letter": "经审查，现答复如下：……"})
}

// TestRequestDeadlines follows requests through 补正, consultation pauses and an extension across
// the 2025 and 2026 holiday weeks and checks the reply deadline the staff see, with its
// explanation, against dates counted by hand.
func TestRequestDeadlines(t *testing.T) {
	s := newStack(t)

	// Online, Fri 18 Sep 2026: the submission day is the receipt day; 20 working days skip
	// 中秋 and 国庆 and count the make-up days 20 Sep and 10 Oct: due Thu 22 Oct.
	s.at("2026-09-18")
	var receipt struct {
		ReceiptNo  string `json:"receipt_no"`
		ReceivedOn string `json:"received_on"`
		ReplyDue   string `json:"reply_due"`
		Message    string `json:"message"`
	}
	s.mustDo(http.MethodPost, "/api/v1/public/requests", "", application("natural", 1), http.StatusCreated, &receipt)
	if receipt.ReceiptNo != "YSQ-2026-00001" || receipt.ReceivedOn != "2026-09-18" || receipt.ReplyDue != "2026-10-22" || !hasHan(receipt.Message) {
		t.Fatalf("receipt = %+v", receipt)
	}
	var list struct {
		Items []reqView `json:"items"`
		Total int       `json:"total"`
	}
	s.mustDo(http.MethodGet, "/api/v1/requests?open=true", "officer", nil, http.StatusOK, &list)
	if list.Total != 1 || strings.Contains(list.Items[0].IDNumber, residentID(1)[3:14]) || !strings.Contains(list.Items[0].IDNumber, "*") ||
		!strings.Contains(list.Items[0].Phone, "*") {
		t.Fatalf("list does not mask personal information: %+v", list.Items)
	}
	online := s.request(list.Items[0].ID)
	if online.IDNumber != residentID(1) || online.Reply == nil || online.Reply.Due != "2026-10-22" ||
		!strings.Contains(online.Reply.Text, "计入 2026-10-10（星期六）调休上班") || !strings.Contains(online.Reply.Explanation, "国庆节") {
		t.Fatalf("detail reply = %+v", online.Reply)
	}
	if p := online.pending(); p["reply_due"] != "2026-10-22" || p["reply_due.remind"] != "2026-10-15" {
		t.Fatalf("pending deadlines = %v", p)
	}
	// One extension of 20 working days with the head's approval: due Thu 19 Nov.
	online = s.act("2026-10-12", "officer", online, "accept", nil)
	online = s.act("2026-10-12", "officer", online, "request_extension", map[string]string{"extension_days": "20", "extension_reason": "需调取历年档案"})
	if online.State != "extension_pending" || online.pending()["reply_due"] != "2026-10-22" {
		t.Fatalf("extension requested: %s %v", online.State, online.pending())
	}
	// The handler cannot approve it; nor can the head, for an extension the head asked for while
	// also acting as handler (《条例》第33条: the head approves the handler's request).
	if st, b := s.do(http.MethodPost, pathf("/api/v1/requests/%d/transitions/approve_extension", online.ID), "officer",
		map[string]any{"version": online.Version}); st != http.StatusForbidden {
		t.Fatalf("officer approving: %d %s", st, b)
	}
	online = s.act("2026-10-13", "head", online, "approve_extension", nil)
	if online.State != "processing" || online.Reply.Due != "2026-11-19" || online.pending()["reply_due"] != "2026-11-19" ||
		!strings.Contains(online.Reply.Explanation, "延长 20 个工作日") {
		t.Fatalf("extension approved: %s %+v %v", online.State, online.Reply, online.pending())
	}
	if online.can("request_extension") {
		t.Fatal("a second extension is offered")
	}

	// Registered post signed for on Mon 5 Jan 2026; the 补正 notice on Thu 8 Jan stops the clock;
	// the supplement arrives Thu 12 Feb and the clock restarts over 春节: due Wed 18 Mar.
	post := s.register("2026-01-05", "registered_post", application("commercial", 2))
	if post.SupplementNoticeBy != "2026-01-14" || !post.can("request_supplement") {
		t.Fatalf("补正 window = %q, available %+v", post.SupplementNoticeBy, post.Available)
	}
	post = s.act("2026-01-08", "officer", post, "request_supplement", map[string]string{"supplement_items": "请写明所需文件的名称或文号", "supplement_by": "2026-02-27"})
	if post.State != "awaiting_supplement" || post.Reply != nil || post.pending()["reply_due"] != "" || post.pending()["supplement_due"] != "2026-02-27" {
		t.Fatalf("after the 补正 notice: %s reply %+v pending %v", post.State, post.Reply, post.pending())
	}
	post = s.act("2026-02-12", "officer", post, "receive_supplement", nil)
	if post.Reply == nil || post.Reply.Due != "2026-03-18" || !strings.Contains(post.Reply.Explanation, "补正") || post.pending()["supplement_due"] != "" {
		t.Fatalf("after the supplement: %+v %v", post.Reply, post.pending())
	}

	// In person on Fri 19 Sep 2025; a third party consulted from Fri 26 Sep to Fri 10 Oct: 5 working
	// days do not count: due Thu 30 Oct. While it is open the due date is projected at 15 days.
	visit := s.register("2025-09-19", "in_person", application("research", 3))
	visit = s.act("2025-09-26", "officer", visit, "consult", map[string]string{"consult_kind": "third_party", "consultee": "某房地产开发公司"})
	if visit.State != "consulting" || visit.Reply == nil || !strings.Contains(visit.Reply.Explanation, "尚未答复") {
		t.Fatalf("consulting: %s %+v", visit.State, visit.Reply)
	}
	visit = s.act("2025-10-10", "officer", visit, "consultation_answered", map[string]string{"consult_result": "第三方不同意公开，理由：涉及商业秘密"})
	if visit.Reply.Due != "2025-10-30" || visit.pending()["reply_due"] != "2025-10-30" || !strings.Contains(visit.Reply.Explanation, "5 个工作日不计入") {
		t.Fatalf("after the consultation: %+v %v", visit.Reply, visit.pending())
	}

	// The statutory limits: a 补正 notice after the 7th working day, an outcome the system records
	// itself, an unknown outcome, 补正后仍不明确 without a supplement.
	late := s.register("2026-01-05", "letter", application("natural", 4))
	s.at("2026-01-15")
	if v := s.request(late.ID); v.can("request_supplement") || v.SupplementNoticeBy != "" {
		t.Fatal("a late 补正 notice is offered")
	}
	s.mustFail(http.MethodPost, pathf("/api/v1/requests/%d/transitions/request_supplement", late.ID), "officer",
		map[string]any{"input": map[string]string{"supplement_items": "x", "supplement_by": "2026-01-30"}}, http.StatusUnprocessableEntity, workflow.EGuardFailed)
	for _, o := range []string{"三(六)1", "三(九)", "三(四)3"} {
		s.mustFail(http.MethodPost, pathf("/api/v1/requests/%d/transitions/answer", late.ID), "officer",
			map[string]any{"input": map[string]string{"outcome": o, "reply_letter": "答复"}}, http.StatusBadRequest, workflow.EInvalid)
	}
	s.mustFail(http.MethodPost, pathf("/api/v1/requests/%d/transitions/answer", late.ID), "officer",
		map[string]any{"input": map[string]string{"outcome": "三(一)"}}, http.StatusUnprocessableEntity, workflow.EInputMissing)
	// A receipt date in the future, and staff without the permission.
	s.at("2026-01-15")
	app := application("natural", 5)
	app["channel"], app["receipt_date"] = "fax", "2026-01-16"
	s.mustFail(http.MethodPost, "/api/v1/requests", "officer", app, http.StatusBadRequest, workflow.EInvalid)
	s.mustFail(http.MethodGet, pathf("/api/v1/requests/%d", late.ID), "drafter", nil, http.StatusForbidden, workflow.EForbidden)
	s.mustFail(http.MethodPost, pathf("/api/v1/requests/%d/transitions/answer", late.ID), "leader",
		map[string]any{"input": map[string]string{"outcome": "三(一)", "reply_letter": "答复"}}, http.StatusNotFound, workflow.ENotFound)
	// The public form refuses what only staff may set, and a wrong check character.
	bad := application("natural", 6)
	bad["id_number"] = residentID(6)[:17] + "0"
	if strings.HasSuffix(residentID(6), "0") {
		bad["id_number"] = residentID(6)[:17] + "1"
	}
	s.mustFail(http.MethodPost, "/api/v1/public/requests", "", bad, http.StatusBadRequest, workflow.EInvalid)
	staffOnly := application("natural", 7)
	staffOnly["receipt_date"] = "2026-01-01"
	s.mustFail(http.MethodPost, "/api/v1/public/requests", "", staffOnly, http.StatusBadRequest, workflow.EInvalid)
}

// tableView is a report as GET /api/v1/reports/{year} returns it.
type tableView struct {
	Year     int             `json:"year"`
	Format   string          `json:"format"`
	Report   json.RawMessage `json:"report"`
	Final    bool            `json:"final"`
	Version  int             `json:"version"`
	Failures []struct {
		Rule    string `json:"rule"`
		Message string `json:"message"`
	} `json:"failures"`
}

// requestRows decodes Table 三 of a report in the JSON form of report.WriteJSON.
func requestRows(t *testing.T, raw []byte) map[string][7]int {
	t.Helper()
	var rep struct {
		Format   string `json:"format"`
		Requests struct {
			Rows []struct {
				Key    string `json:"key"`
				Values []*int `json:"values"`
			} `json:"rows"`
		} `json:"requests"`
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatalf("decode report: %v", err)
	}
	out := map[string][7]int{}
	for _, r := range rep.Requests.Rows {
		var v [7]int
		for i, x := range r.Values {
			if x != nil {
				v[i] = *x
			}
		}
		out[r.Key] = v
	}
	return out
}

// TestReplayAYear replays a year of requests and cases through the API (补正 with and without the
// supplement, a fee that is not paid, an extension, a consultation, a request carried in from
// 2024 and one carried into 2026, every outcome row at least once) and compares Table 三 and
// Table 四 of the 2025 report cell by cell with figures counted by hand. It then marks 2025 final
// and shows that a request registered late for 2025 breaks the carry-over check of 2026.
func TestReplayAYear(t *testing.T) {
	s := newStack(t)
	// Not counted in 2025: received and answered in 2024.
	j := s.register("2024-11-04", "in_person", application("natural", 1))
	s.answer("2024-11-20", j, "三(一)")
	// A: carried in from 2024 (natural), answered in 2025.
	a := s.register("2024-12-30", "in_person", application("natural", 2))
	s.answer("2025-01-10", a, "三(一)")
	// C: online (natural), 补正 not supplied: the sweep closes it as 三(六)1.
	s.at("2025-03-03")
	var receipt struct {
		ReceiptNo string `json:"receipt_no"`
	}
	s.mustDo(http.MethodPost, "/api/v1/public/requests", "", application("natural", 3), http.StatusCreated, &receipt)
	var found struct {
		Items []reqView `json:"items"`
	}
	s.mustDo(http.MethodGet, "/api/v1/requests?q="+receipt.ReceiptNo, "officer", nil, http.StatusOK, &found)
	if len(found.Items) != 1 {
		t.Fatalf("receipt %s not found: %+v", receipt.ReceiptNo, found)
	}
	c := s.request(found.Items[0].ID)
	c = s.act("2025-03-05", "officer", c, "request_supplement", map[string]string{"supplement_items": "请写明文件名称", "supplement_by": "2025-03-20"})
	s.sweep("2025-03-20") // not yet due: the deadline falls at the end of 20 March
	if v := s.request(c.ID); v.State != "awaiting_supplement" {
		t.Fatalf("closed before the supplement date: %s", v.State)
	}
	s.sweep("2025-03-21")
	if v := s.request(c.ID); v.State != "closed" || v.Outcome != "三(六)1" || v.ClosedOn != "2025-03-21" {
		t.Fatalf("not closed as 逾期不补正: %+v", v)
	}
	// D: research body, fee not paid: closed as 三(六)2.
	d := s.register("2025-04-01", "fax", application("research", 4))
	d = s.act("2025-04-01", "officer", d, "accept", nil)
	d = s.act("2025-04-02", "officer", d, "notify_fee", map[string]string{"fee_amount": "100", "pay_by": "2025-04-30"})
	if d.State != "awaiting_payment" || d.Reply == nil || !d.Reply.Suspended || d.pending()["reply_due"] != "" {
		t.Fatalf("fee notice does not suspend the clock: %s %+v %v", d.State, d.Reply, d.pending())
	}
	s.sweep("2025-05-02")
	if v := s.request(d.ID); v.State != "closed" || v.Outcome != "三(六)2" {
		t.Fatalf("not closed as 逾期不缴费: %+v", v)
	}
	// E: legal service body, extended, answered 部分公开.
	e := s.register("2025-05-06", "email", application("legal_service", 5))
	e = s.act("2025-05-06", "officer", e, "accept", nil)
	e = s.act("2025-05-20", "officer", e, "request_extension", map[string]string{"extension_days": "20", "extension_reason": "涉及多个科室"})
	e = s.act("2025-05-21", "head", e, "approve_extension", nil)
	s.answer("2025-06-20", e, "三(二)")
	// F: nonprofit, supplemented, still unclear.
	f := s.register("2025-06-03", "registered_post", application("nonprofit", 6))
	f = s.act("2025-06-05", "officer", f, "request_supplement", map[string]string{"supplement_items": "请说明所需信息的时间范围", "supplement_by": "2025-06-20"})
	f = s.act("2025-06-10", "officer", f, "receive_supplement", map[string]string{"supplemented_on": "2025-06-09"})
	s.answer("2025-06-12", f, "三(四)3")
	// H: the other sixteen outcomes, applicant types in turn.
	types := []string{"natural", "commercial", "research", "nonprofit", "legal_service", "other"}
	rest := []string{"三(一)", "三(三)1", "三(三)2", "三(三)3", "三(三)5", "三(三)6", "三(三)7", "三(三)8", "三(四)1", "三(四)2",
		"三(五)1", "三(五)2", "三(五)3", "三(五)4", "三(五)5", "三(六)3"}
	for i, o := range rest {
		day := workflow.Date{Year: 2025, Month: time.July, Day: 8 + i}.String()
		h := s.register(day, "in_person", application(types[i%6], 10+i))
		s.answer(day, h, o)
	}
	// G: other, third-party consultation, withheld to protect the third party.
	g := s.register("2025-09-19", "in_person", application("other", 7))
	g = s.act("2025-09-26", "officer", g, "consult", map[string]string{"consult_kind": "third_party", "consultee": "某公司"})
	g = s.act("2025-10-10", "officer", g, "consultation_answered", map[string]string{"consult_result": "不同意公开"})
	s.answer("2025-10-20", g, "三(三)4")
	// B: commercial, received 29 Dec 2025, answered in 2026: carried into 2026.
	b := s.register("2025-12-29", "in_person", application("commercial", 8))
	s.answer("2026-01-08", b, "三(一)")

	// Cases.
	s.at("2026-02-02")
	for _, k := range []map[string]any{
		{"kind": "reconsideration", "filed_on": "2024-01-01", "concluded_on": "2024-06-01", "outcome": "upheld"}, // 2024 only
		{"kind": "reconsideration", "filed_on": "2024-12-01", "concluded_on": "2025-02-01", "outcome": "upheld"},
		{"kind": "reconsideration", "filed_on": "2025-03-01", "concluded_on": "2025-05-01", "outcome": "corrected"},
		{"kind": "reconsideration", "filed_on": "2025-11-01"},
		{"kind": "litigation_direct", "filed_on": "2025-04-01", "concluded_on": "2025-08-01", "outcome": "other", "request_id": g.ID},
	} {
		s.mustDo(http.MethodPost, "/api/v1/cases", "officer", k, http.StatusCreated, nil)
	}
	var after struct {
		ID      int64  `json:"id"`
		Version int    `json:"version"`
		Outcome string `json:"outcome"`
	}
	s.mustDo(http.MethodPost, "/api/v1/cases", "officer", map[string]any{"kind": "litigation_after_reconsideration", "filed_on": "2025-06-01",
		"case_no": "（2025）豫1002行初12号"}, http.StatusCreated, &after)
	s.mustDo(http.MethodPut, pathf("/api/v1/cases/%d", after.ID), "officer", map[string]any{"version": after.Version,
		"kind": "litigation_after_reconsideration", "filed_on": "2025-06-01", "concluded_on": "2026-01-15", "outcome": "upheld"}, http.StatusOK, &after)
	if after.Outcome != "upheld" {
		t.Fatalf("case update: %+v", after)
	}
	s.mustFail(http.MethodPost, "/api/v1/cases", "officer", map[string]any{"kind": "reconsideration", "filed_on": "2025-03-01", "outcome": "upheld"},
		http.StatusBadRequest, workflow.EInvalid)
	s.mustFail(http.MethodPost, "/api/v1/cases", "leader", map[string]any{"kind": "reconsideration", "filed_on": "2025-03-01"},
		http.StatusForbidden, workflow.EForbidden)

	var r2025 tableView
	s.mustDo(http.MethodGet, "/api/v1/reports/2025", "leader", nil, http.StatusOK, &r2025)
	if r2025.Format != "2021" || len(r2025.Failures) != 0 {
		t.Fatalf("2025 report: format %s failures %+v", r2025.Format, r2025.Failures)
	}
	// Counted by hand: columns 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计.
	want := map[string][7]int{
		"一":     {4, 4, 4, 4, 3, 3, 22},
		"二":     {1, 0, 0, 0, 0, 0, 1},
		"三(一)":  {2, 0, 0, 0, 0, 0, 2},
		"三(二)":  {0, 0, 0, 0, 1, 0, 1},
		"三(三)1": {0, 1, 0, 0, 0, 0, 1},
		"三(三)2": {0, 0, 1, 0, 0, 0, 1},
		"三(三)3": {0, 0, 0, 1, 0, 0, 1},
		"三(三)4": {0, 0, 0, 0, 0, 1, 1},
		"三(三)5": {0, 0, 0, 0, 1, 0, 1},
		"三(三)6": {0, 0, 0, 0, 0, 1, 1},
		"三(三)7": {1, 0, 0, 0, 0, 0, 1},
		"三(三)8": {0, 1, 0, 0, 0, 0, 1},
		"三(四)1": {0, 0, 1, 0, 0, 0, 1},
		"三(四)2": {0, 0, 0, 1, 0, 0, 1},
		"三(四)3": {0, 0, 0, 1, 0, 0, 1},
		"三(五)1": {0, 0, 0, 0, 1, 0, 1},
		"三(五)2": {0, 0, 0, 0, 0, 1, 1},
		"三(五)3": {1, 0, 0, 0, 0, 0, 1},
		"三(五)4": {0, 1, 0, 0, 0, 0, 1},
		"三(五)5": {0, 0, 1, 0, 0, 0, 1},
		"三(六)1": {1, 0, 0, 0, 0, 0, 1},
		"三(六)2": {0, 0, 1, 0, 0, 0, 1},
		"三(六)3": {0, 0, 0, 1, 0, 0, 1},
		"三(七)":  {5, 3, 4, 4, 3, 3, 22},
		"四":     {0, 1, 0, 0, 0, 0, 1},
	}
	got := requestRows(t, r2025.Report)
	if len(got) != len(want) {
		t.Errorf("Table 三 has %d rows, want %d", len(got), len(want))
	}
	for _, key := range report.RequestRowKeys("2021") {
		if got[key] != want[key] {
			t.Errorf("Table 三 row %s = %v, want %v", key, got[key], want[key])
		}
	}
	var rl struct {
		ReviewLitigation map[string]json.RawMessage `json:"review_litigation"`
	}
	if err := json.Unmarshal(r2025.Report, &rl); err != nil {
		t.Fatal(err)
	}
	var recon map[string]int
	var lit map[string]map[string]int
	if err := json.Unmarshal(rl.ReviewLitigation["行政复议"], &recon); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(rl.ReviewLitigation["行政诉讼"], &lit); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct{ got, want map[string]int }{
		"行政复议":     {recon, map[string]int{"结果维持": 1, "结果纠正": 1, "其他结果": 0, "尚未审结": 1, "总计": 3}},
		"未经复议直接起诉": {lit["未经复议直接起诉"], map[string]int{"结果维持": 0, "结果纠正": 0, "其他结果": 1, "尚未审结": 0, "总计": 1}},
		"复议后起诉":    {lit["复议后起诉"], map[string]int{"结果维持": 0, "结果纠正": 0, "其他结果": 0, "尚未审结": 1, "总计": 1}},
	} {
		for cell, w := range c.want {
			if c.got[cell] != w {
				t.Errorf("Table 四 %s/%s = %d, want %d", name, cell, c.got[cell], w)
			}
		}
	}

	// The office writes its sections and figures, then marks 2025 final; a final report is kept
	// as it was and can no longer be edited.
	inputs := map[string]any{"version": r2025.Version, "sections": map[string]string{"一": "本年度依申请公开工作总体情况。", "五": "无", "六": "本年度未收取信息处理费。"},
		"figures": []map[string]any{{"item": "第二十条第（五）项", "label": "行政许可", "values": []any{120}},
			{"item": "第二十条第（八）项", "label": "行政事业性收费", "values": []any{nil}}}}
	s.mustDo(http.MethodPut, "/api/v1/reports/2025/inputs", "officer", inputs, http.StatusOK, &r2025)
	if !strings.Contains(string(r2025.Report), "本年度依申请公开工作总体情况") || !strings.Contains(string(r2025.Report), "120") {
		t.Fatalf("inputs not in the report: %s", r2025.Report)
	}
	s.mustFail(http.MethodPut, "/api/v1/reports/2025/inputs", "officer", inputs, http.StatusConflict, workflow.EConflict) // stale version
	s.mustFail(http.MethodPut, "/api/v1/reports/2025/inputs", "leader", inputs, http.StatusForbidden, workflow.EForbidden)
	counted := map[string]any{"version": r2025.Version, "figures": []map[string]any{{"item": "第二十条第（一）项", "label": "行政规范性文件", "values": []any{1, 0, 1}}}}
	s.mustFail(http.MethodPut, "/api/v1/reports/2025/inputs", "officer", counted, http.StatusBadRequest, workflow.EInvalid)
	s.mustDo(http.MethodPost, "/api/v1/reports/2025/final", "officer", nil, http.StatusOK, &r2025)
	if !r2025.Final {
		t.Fatal("2025 not final")
	}
	s.mustFail(http.MethodPut, "/api/v1/reports/2025/inputs", "officer", map[string]any{"version": r2025.Version}, http.StatusConflict, workflow.EConflict)

	// 2026 carries B in: its 二 equals 2025's 四, so the carry-over check passes.
	var r2026 tableView
	s.mustDo(http.MethodGet, "/api/v1/reports/2026", "officer", nil, http.StatusOK, &r2026)
	if g := requestRows(t, r2026.Report); g["二"] != want["四"] || len(r2026.Failures) != 0 {
		t.Fatalf("2026: 二 = %v (want %v), failures %+v", g["二"], want["四"], r2026.Failures)
	}
	// A letter confirmed on 31 Dec 2025 but registered only now: 2025 is final and unchanged, and
	// 2026 can no longer be finalised until the carry-over is explained.
	late := application("natural", 99)
	late["channel"], late["receipt_date"] = "letter", "2025-12-31"
	s.at("2026-02-03")
	s.mustDo(http.MethodPost, "/api/v1/requests", "officer", late, http.StatusCreated, nil)
	s.mustDo(http.MethodGet, "/api/v1/reports/2025", "officer", nil, http.StatusOK, &r2025)
	if requestRows(t, r2025.Report)["四"] != want["四"] {
		t.Fatal("the final 2025 report changed")
	}
	s.mustDo(http.MethodGet, "/api/v1/reports/2026", "officer", nil, http.StatusOK, &r2026)
	if len(r2026.Failures) == 0 || r2026.Failures[0].Rule != report.RuleCarryOver {
		t.Fatalf("2026 failures = %+v", r2026.Failures)
	}
	p := s.mustFail(http.MethodPost, "/api/v1/reports/2026/final", "officer", nil, http.StatusUnprocessableEntity, workflow.EGuardFailed)
	if !strings.Contains(p.Detail, "二、上年结转（1）≠ 2025年度报告的四、结转下年度继续办理（0）") {
		t.Fatalf("refusal does not name the cell and both sides: %s", p.Detail)
	}
	// Exports.
	for format, prefix := range map[string]string{"html": "<!DOCTYPE html>", "csv": "\ufeff", "xlsx": "PK", "json": "{"} {
		status, body := s.do(http.MethodGet, "/api/v1/reports/2025/export?format="+format, "leader", nil)
		if status != http.StatusOK || !strings.HasPrefix(string(body), prefix) {
			t.Errorf("export %s: %d %.40q", format, status, body)
		}
	}
}

// TestSeed2020Table3 reproduces Table 三 of the bureau's 2020 report (26 requests,
// 18 from natural persons, 5 from companies and 3 from legal service bodies, all disclosed) from
// requests replayed through the API, rendered in the 2019 format. Table 四 of that copy is
// mangled and is left out.
func TestSeed2020Table3(t *testing.T) {
	s := newStack(t)
	n := 0
	for _, g := range []struct {
		applicant string
		count     int
	}{{"natural", 18}, {"commercial", 5}, {"legal_service", 3}} {
		for i := range g.count {
			month := 1 + i%9
			v := s.register(fmt.Sprintf("2020-%02d-10", month), "in_person", application(g.applicant, n))
			s.answer(fmt.Sprintf("2020-%02d-28", month), v, "三(一)")
			n++
		}
	}
	raw, err := os.ReadFile("../report/testdata/seed2020_table3.txt")
	if err != nil {
		t.Fatal(err)
	}
	// Each data row of the copy ends in its seven figures (the split row "5. 要求行政机关确认" too).
	figures := regexp.MustCompile(`((?:\t\d+){7})\t?$`)
	var seed [][7]int
	for _, line := range strings.Split(string(raw), "\n") {
		m := figures.FindStringSubmatch(strings.TrimRight(line, "\r"))
		if m == nil {
			continue
		}
		var row [7]int
		for i, f := range strings.Fields(m[1]) {
			row[i], _ = strconv.Atoi(f)
		}
		seed = append(seed, row)
	}
	keys := report.RequestRowKeys(report.Format2019)
	if len(seed) != len(keys) {
		t.Fatalf("read %d rows from the seed table, want %d", len(seed), len(keys))
	}
	status, body := s.do(http.MethodGet, "/api/v1/reports/2020/export?format=json", "officer", nil)
	if status != http.StatusOK {
		t.Fatalf("export: %d %s", status, body)
	}
	got := requestRows(t, body)
	for i, key := range keys {
		if got[key] != seed[i] {
			t.Errorf("row %s = %v, the 2020 report has %v", key, got[key], seed[i])
		}
	}
	status, html := s.do(http.MethodGet, "/api/v1/reports/2020/export?format=html", "officer", nil)
	if status != http.StatusOK || !strings.Contains(string(html), "其他处理") || strings.Contains(string(html), "逾期不补正") {
		t.Fatalf("not rendered in the 2019 format (one row 其他处理): %d", status)
	}
}

// TestRequestOutcomesAreTheReportRows keeps the outcome list of the use case and the applicant
// types equal to the report package's rows and columns.
func TestRequestOutcomesAreTheReportRows(t *testing.T) {
	var keys []string
	for _, o := range requests.RequestOutcomes() {
		keys = append(keys, o.Key)
		if o.Label != report.RequestRowLabel(o.Key) {
			t.Errorf("outcome %s label %q, report %q", o.Key, o.Label, report.RequestRowLabel(o.Key))
		}
	}
	if !slices.Equal(keys, report.OutcomeKeys(report.Format2021)) {
		t.Fatalf("outcomes %v, report %v", keys, report.OutcomeKeys(report.Format2021))
	}
	at := requests.RequestApplicantTypes()
	for i, a := range report.ApplicantTypes() {
		if at[i].Code != a.Code || at[i].Label != a.Label {
			t.Errorf("applicant type %d: %+v, report %+v", i, at[i], a)
		}
	}
}

// TestOwnExtensionNotApproved: a member of staff who is both handler and head of the disclosure
// office cannot decide on an extension they asked for; another head can.
func TestOwnExtensionNotApproved(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	head, err := s.store.Accounts.UserByUsername(ctx, "head")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.store.Accounts.AssignRoles(ctx, head.ID, []postgres.RoleAssignment{{Role: "disclosure_officer", Unit: "*"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.enf.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	s.at("2026-03-02")
	var receipt struct {
		ReceiptNo string `json:"receipt_no"`
	}
	s.mustDo(http.MethodPost, "/api/v1/public/requests", "", application("natural", 2), http.StatusCreated, &receipt)
	var list struct {
		Items []reqView `json:"items"`
	}
	s.mustDo(http.MethodGet, "/api/v1/requests?open=true", "head", nil, http.StatusOK, &list)
	v := s.request(list.Items[0].ID)
	v = s.act("2026-03-02", "head", v, "accept", nil)
	v = s.act("2026-03-03", "head", v, "request_extension", map[string]string{"extension_days": "10", "extension_reason": "需调取档案"})
	if v.can("approve_extension") || v.can("reject_extension") {
		t.Fatal("the decision on an extension is offered to the person who asked for it")
	}
	for _, name := range []string{"approve_extension", "reject_extension"} {
		st, b := s.do(http.MethodPost, pathf("/api/v1/requests/%d/transitions/%s", v.ID, name), "head",
			map[string]any{"version": v.Version, "input": map[string]string{"opinion": "不同意"}})
		var p problem
		_ = json.Unmarshal(b, &p)
		if st != http.StatusForbidden || p.Code != workflow.EForbidden || !strings.Contains(p.Detail, "本人不能批准") {
			t.Fatalf("%s of one's own extension: %d %s", name, st, b)
		}
	}
	if got := s.request(v.ID); got.State != "extension_pending" || got.Version != v.Version {
		t.Fatalf("refused decisions changed the request: %s v%d", got.State, got.Version)
	}
}

// TestRequestStatusLookup: the applicant follows their request with the receipt number and a
// contact they gave; a wrong number and a wrong contact are told apart by nothing, nothing personal
// is shown, and lookups are limited per client.
func TestRequestStatusLookup(t *testing.T) {
	s := newStack(t)
	s.at("2026-03-02")
	app := application("natural", 3)
	app["email"] = "Applicant@Example.com"
	var receipt struct {
		ReceiptNo string `json:"receipt_no"`
		ReplyDue  string `json:"reply_due"`
	}
	s.mustDo(http.MethodPost, "/api/v1/public/requests", "", app, http.StatusCreated, &receipt)
	type status struct {
		ReceiptNo       string `json:"receipt_no"`
		State           string `json:"state"`
		Stage           string `json:"stage"`
		ReplyDue        string `json:"reply_due"`
		Outcome         string `json:"outcome"`
		SupplementItems string `json:"supplement_items"`
		SupplementBy    string `json:"supplement_by"`
	}
	lookup := func(no, contact string) (int, status, problem, string) {
		t.Helper()
		st, b := s.do(http.MethodPost, "/api/v1/public/requests/status", "", map[string]string{"receipt_no": no, "contact": contact})
		var v status
		var p problem
		if st == http.StatusOK {
			_ = json.Unmarshal(b, &v)
		} else {
			_ = json.Unmarshal(b, &p)
		}
		return st, v, p, string(b)
	}
	// Wrong contact and unknown number: the same 404 and message.
	st1, _, p1, _ := lookup(receipt.ReceiptNo, "13900000000")
	st2, _, p2, _ := lookup("YSQ-2026-09999", "13800138000")
	if st1 != http.StatusNotFound || st2 != http.StatusNotFound || p1.Detail != p2.Detail || !hasHan(p1.Detail) {
		t.Fatalf("wrong contact %d %q, unknown number %d %q: want the same 404", st1, p1.Detail, st2, p2.Detail)
	}
	if st, _, p, _ := lookup(receipt.ReceiptNo, ""); st != http.StatusBadRequest || p.Field != "contact" {
		t.Fatalf("no contact: %d %+v", st, p)
	}
	// Each contact given opens it: the phone written differently, the e-mail in other case, the
	// last six characters of the identity document.
	id := residentID(3)
	for _, contact := range []string{"138-0013-8000", "applicant@example.COM", id[len(id)-6:]} {
		st, v, _, body := lookup(strings.ToLower(receipt.ReceiptNo), contact)
		if st != http.StatusOK || v.ReceiptNo != receipt.ReceiptNo || v.State != "已收到" || v.ReplyDue != receipt.ReplyDue {
			t.Fatalf("lookup with %q: %d %s", contact, st, body)
		}
		for _, secret := range []string{"申请人3", "13800138000", id, "Applicant@Example.com"} {
			if strings.Contains(body, secret) {
				t.Fatalf("the status shows personal data %q: %s", secret, body)
			}
		}
	}
	// A 补正 notice stops the clock: no due date, the stage says what to supply and by when.
	var list struct {
		Items []reqView `json:"items"`
	}
	s.mustDo(http.MethodGet, "/api/v1/requests?open=true", "officer", nil, http.StatusOK, &list)
	v := s.request(list.Items[0].ID)
	v = s.act("2026-03-03", "officer", v, "request_supplement", map[string]string{"supplement_items": "请写明文号", "supplement_by": "2026-03-20"})
	if st, got, _, body := lookup(receipt.ReceiptNo, "13800138000"); st != http.StatusOK || got.ReplyDue != "" ||
		!strings.Contains(got.Stage, "请于 2026-03-20 前补正") || got.SupplementItems != "请写明文号" || got.SupplementBy != "2026-03-20" {
		t.Fatalf("after the 补正 notice: %d %s", st, body)
	}
	v = s.act("2026-03-05", "officer", v, "receive_supplement", map[string]string{"supplemented_on": "2026-03-05"})
	s.answer("2026-03-06", v, "三(一)")
	if st, got, _, body := lookup(receipt.ReceiptNo, "13800138000"); st != http.StatusOK || got.Outcome != "予以公开" || got.ReplyDue != "" ||
		got.SupplementItems != "" || got.SupplementBy != "" {
		t.Fatalf("after the answer: %d %s", st, body)
	}
	// One lookup since the clock last moved; the burst is 8, so 7 more pass and the next is
	// refused as too many (the test clock stands still, so nothing refills).
	n := 0
	for ; n < 20; n++ {
		st, _, p, _ := lookup(receipt.ReceiptNo, "13800138000")
		if st == http.StatusTooManyRequests {
			if p.Code != workflow.ETooMany {
				t.Fatalf("429 with code %q", p.Code)
			}
			break
		}
	}
	if n != 7 {
		t.Fatalf("refused after %d more lookups, want 7", n)
	}
}
