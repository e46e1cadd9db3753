package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"wugongkai/internal/httpapi"
	"wugongkai/internal/httpkit"
	"wugongkai/internal/postgres"
	"wugongkai/internal/tasks"
	"wugongkai/internal/testkit"
	"wugongkai/policy"
	"wugongkai/workflow"
	"wugongkai/workflow/accounts"
	"wugongkai/workflow/consultations"
	"wugongkai/workflow/documents"
)

// consultStack is the API as cmd wires it, with the consultation routes, on a fresh database:
// the document API, the consultation API over the group-commit comment store, and (when started)
// a real worker with its deadline sweep on a private Redis.
type consultStack struct {
	t        testing.TB
	srv      *httptest.Server
	api      *httpapi.Server
	store    *postgres.Stores
	comments *postgres.Comments
	db       *postgres.DB
	engine   *workflow.Engine
	client   *http.Client
	tokens   map[string]string
}

var consultUsers = []struct{ name, display, role, unit string }{
	{"drafter", "王起草", "drafter", "chengjian"},
	{"drafter2", "刘起草", "drafter", "fangchan"},
	{"unithead", "李科长", "unit_head", "chengjian"},
	{"legal", "陈法规", "legal_reviewer", "*"},
	{"officer", "周公开", "disclosure_officer", "*"},
	{"leader", "张局长", "leader", "*"},
	{"admin", "管理员", "admin", "*"},
}

// consultMaxLength is the longest comment the test stack accepts.
const consultMaxLength = 200

func newConsultStack(tb testing.TB) *consultStack {
	tb.Helper()
	b := bureauOf(tb, consultUsers)
	// Comment periods of seconds, which the sweep opens and closes while the test waits.
	b.Engine = testkit.Engine(tb, workflow.GuardSet{"period_valid": workflow.PeriodValid(time.Second)})
	db, store, enf, engine := b.DB, b.Stores, b.Enforcer, b.Engine
	docs := b.Documents(nil)
	accounts := &accounts.Accounts{Store: store.Accounts, TTL: time.Hour, MaxFailures: 5, FailureWindow: 15 * time.Minute}
	comments := store.Comments
	cons := &consultations.Consultations{Store: comments, Auth: enf, Engine: engine, OrgName: "测试市住房和城乡建设局",
		MaxLength: consultMaxLength, Limiter: consultations.NewClientLimiter(60, 30), BurstMin: 10}
	api := httpapi.New(httpapi.Options{MaxBodyBytes: 64 << 10, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	// Only the test's own loopback proxy may name the client (X-Forwarded-For), as a deployment
	// trusts only its reverse proxy.
	if err := api.Engine.SetTrustedProxies([]string{"127.0.0.1", "::1"}); err != nil {
		tb.Fatal(err)
	}
	a := &httpapi.API{Accounts: accounts, Docs: docs, Desk: b.Desk(docs, nil), Authz: enf, Inbox: store.Outbox, OrgName: "测试市住房和城乡建设局"}
	httpapi.Mount(api, a)
	httpapi.MountConsultations(api, a, &httpapi.ConsultationsAPI{Consultations: cons})
	srv := httptest.NewServer(api)
	tb.Cleanup(srv.Close)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: time.Minute}
	tb.Cleanup(hc.CloseIdleConnections)
	s := &consultStack{t: tb, srv: srv, api: api, store: store, comments: comments, db: db, engine: engine, client: hc,
		tokens: map[string]string{}}
	for _, u := range consultUsers {
		var out struct {
			Token string `json:"token"`
		}
		s.mustDo(http.MethodPost, "/api/v1/session", "", map[string]string{"username": u.name, "password": testPassword}, http.StatusCreated, &out)
		s.tokens[u.name] = out.Token
	}
	return s
}

// request is one call: JSON body (or raw bytes), the client address it comes from, a content type.
type request struct {
	method, path, user string
	body               any
	from               string // X-Forwarded-For
	contentType        string
}

func (s *consultStack) send(r request) (int, http.Header, []byte) {
	s.t.Helper()
	var rd io.Reader
	if r.body != nil {
		if raw, ok := r.body.([]byte); ok {
			rd = bytes.NewReader(raw)
		} else {
			b, err := json.Marshal(r.body)
			if err != nil {
				s.t.Fatal(err)
			}
			rd = bytes.NewReader(b)
		}
	}
	req, err := http.NewRequest(r.method, s.srv.URL+r.path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if r.body != nil {
		ct := r.contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	if r.user != "" {
		req.Header.Set("Authorization", "Bearer "+s.tokens[r.user])
	}
	if r.from != "" {
		req.Header.Set("X-Forwarded-For", r.from)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

func (s *consultStack) mustDo(method, path, user string, body any, want int, out any) []byte {
	s.t.Helper()
	status, _, b := s.send(request{method: method, path: path, user: user, body: body})
	if status != want {
		s.t.Fatalf("%s %s as %q: status %d, want %d: %s", method, path, user, status, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			s.t.Fatalf("decode %s: %v: %s", path, err, b)
		}
	}
	return b
}

// mustFail checks a refusal: its status, stable code, field (if given) and Chinese message.
func (s *consultStack) mustFail(r request, wantStatus int, wantCode, wantField string) problem {
	s.t.Helper()
	status, hdr, b := s.send(r)
	var p problem
	if err := json.Unmarshal(b, &p); err != nil {
		s.t.Fatalf("%s %s: not problem+json: %s", r.method, r.path, b)
	}
	if status != wantStatus || p.Code != wantCode || (wantField != "" && p.Field != wantField) {
		s.t.Fatalf("%s %s as %q: %d %s (field %q), want %d %s (field %q): %s", r.method, r.path, r.user, status, p.Code, p.Field,
			wantStatus, wantCode, wantField, b)
	}
	if !strings.HasPrefix(hdr.Get("Content-Type"), "application/problem+json") || !hasHan(p.Detail) {
		s.t.Fatalf("%s %s: not a Chinese problem+json: %s", r.method, r.path, b)
	}
	return p
}

type consultDoc struct {
	ID        int64             `json:"id"`
	Version   int               `json:"version"`
	State     string            `json:"state"`
	Facts     map[string]string `json:"facts"`
	Available []struct {
		Name string `json:"name"`
	} `json:"available_transitions"`
}

func (s *consultStack) doc(user string, id int64) consultDoc {
	s.t.Helper()
	var d consultDoc
	s.mustDo(http.MethodGet, pathf("/api/v1/documents/%d", id), user, nil, http.StatusOK, &d)
	return d
}

func (s *consultStack) fire(user string, d consultDoc, name string, input map[string]string) consultDoc {
	s.t.Helper()
	var out consultDoc
	s.mustDo(http.MethodPost, pathf("/api/v1/documents/%d/transitions/%s?detail=full", d.ID, name), user,
		map[string]any{"version": d.Version, "input": input}, http.StatusOK, &out)
	return out
}

type publicConsultation struct {
	ID               int64     `json:"id"`
	Title            string    `json:"title"`
	Status           string    `json:"status"`
	Body             string    `json:"body"`
	Explanation      string    `json:"explanation"`
	OpensAt          time.Time `json:"opens_at"`
	ClosesAt         time.Time `json:"closes_at"`
	ShorteningReason string    `json:"shortening_reason"`
	CommentCount     int       `json:"comment_count"`
	Extensions       []struct {
		ClosesAt time.Time `json:"closes_at"`
		Reason   string    `json:"reason"`
	} `json:"extensions"`
	CommentsPublic    bool `json:"comments_public"`
	PublishedComments []struct {
		Text string `json:"text"`
	} `json:"published_comments"`
	AdoptionSummary string `json:"adoption_summary"`
	Published       bool   `json:"decision_published"`
}

func (s *consultStack) public(id int64) (publicConsultation, []byte) {
	s.t.Helper()
	var v publicConsultation
	raw := s.mustDo(http.MethodGet, pathf("/api/v1/public/consultations/%d", id), "", nil, http.StatusOK, &v)
	return v, raw
}

// commentReceipt is the public answer to a receipt number.
type commentReceipt struct {
	ReceiptNo    string    `json:"receipt_no"`
	ReceivedAt   time.Time `json:"received_at"`
	Consultation struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	} `json:"consultation"`
	SummaryPublished bool   `json:"summary_published"`
	Disposition      string `json:"disposition"`
}

// lookup looks a receipt number up on the public API and checks that the answer names nothing of
// the comment's author or text.
func (s *consultStack) lookup(no string) commentReceipt {
	s.t.Helper()
	var r commentReceipt
	raw := s.mustDo(http.MethodGet, "/api/v1/public/comment-receipts/"+no, "", nil, http.StatusOK, &r)
	for _, secret := range []string{"赵市民", "13812341234", "138****1234", "建议明确执法主体", `"contact"`, `"name"`, `"text"`} {
		if bytes.Contains(raw, []byte(secret)) {
			s.t.Fatalf("the receipt lookup tells %q: %s", secret, raw)
		}
	}
	return r
}

func (s *consultStack) publicList(status string) []int64 {
	s.t.Helper()
	var out struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	s.mustDo(http.MethodGet, "/api/v1/public/consultations?status="+status, "", nil, http.StatusOK, &out)
	var ids []int64
	for _, it := range out.Items {
		ids = append(ids, it.ID)
	}
	return ids
}

type receipt struct {
	ReceiptNo   string    `json:"receipt_no"`
	SubmittedAt time.Time `json:"submitted_at"`
}

func (s *consultStack) comment(id int64, from string, body map[string]any) receipt {
	s.t.Helper()
	status, _, b := s.send(request{method: http.MethodPost, path: pathf("/api/v1/public/consultations/%d/comments", id), body: body, from: from})
	if status != http.StatusCreated {
		s.t.Fatalf("comment from %s: %d %s", from, status, b)
	}
	var r receipt
	if err := json.Unmarshal(b, &r); err != nil {
		s.t.Fatal(err)
	}
	return r
}

func waitUntil(tb testing.TB, what string, timeout time.Duration, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatalf("timed out waiting for %s", what)
}

// privateRedis is a redis-server process of the test's own, so it can be stopped and started
// without touching the Redis other tests use.
type privateRedis struct {
	port int
	dir  string
	cmd  *exec.Cmd
}

func startPrivateRedis(tb testing.TB) *privateRedis {
	tb.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		tb.Fatal("redis-server is not installed (Debian package redis-server)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	r := &privateRedis{port: l.Addr().(*net.TCPAddr).Port, dir: tb.TempDir()}
	l.Close()
	r.start(tb)
	tb.Cleanup(r.stop)
	return r
}

func (r *privateRedis) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

func (r *privateRedis) start(tb testing.TB) {
	tb.Helper()
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "no", "--dir", r.dir)
	if err := r.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	waitUntil(tb, "redis-server to listen", 10*time.Second, func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", r.port))
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}

func (r *privateRedis) stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		r.cmd.Process.Kill()
		r.cmd.Wait()
		r.cmd = nil
	}
}

// startWorker runs the real worker (outbox relay, task handlers, deadline sweep) on redis.
func (s *consultStack) startWorker(tb testing.TB, redisURL string) {
	tb.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	r, err := tasks.ConnectRedis(context.Background(), redisURL, false, log)
	if err != nil {
		tb.Fatal(err)
	}
	w := tasks.NewWorker(r, tasks.OneOrg(s.store.Org(), s.store.Outbox, s.store.Deadlines), s.engine, tasks.Config{RelayInterval: 50 * time.Millisecond, SweepInterval: 100 * time.Millisecond,
		RequeueAfter: time.Second}, 4, log, nil)
	if err := w.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { w.Shutdown(); r.Close() })
}

var shanghaiMinute = regexp.MustCompile(`\d{4}-\d{2}-\d{2} \d{2}:\d{2}`)

// TestConsultationEndToEnd drives a decision draft over HTTP, with the real worker on a private
// Redis, from drafting through a consultation that opens by itself, receives comments (a burst of
// identical ones, invalid ones, too many from one client), is extended but cannot be shortened,
// closes by itself while Redis is down, refuses a comment one second after closing, gets
// dispositions and an adoption summary, passes the legality review, is decided and published
// with its summary, which the public consultation page then shows.
func TestConsultationEndToEnd(t *testing.T) {
	s := newConsultStack(t)
	rs := startPrivateRedis(t)
	s.startWorker(t, rs.url())
	const (
		drafterContact = "13812341234"
		maskedContact  = "138****1234"
	)

	// Drafting: a short period, with the reason published with the call for comments.
	opens := time.Now().Truncate(time.Second).Add(4 * time.Second)
	closes := opens.Add(9 * time.Second)
	var d consultDoc
	s.mustDo(http.MethodPost, "/api/v1/documents", "drafter", map[string]any{"definition": "decision",
		"title": "测试市生活垃圾分类管理办法（征求意见稿）", "body": "第一条 为了推进生活垃圾分类……", "explanation": "起草说明：依据《固体废物污染环境防治法》……",
		"attribute": "主动公开", "subject_category": "城乡建设、环境保护\\环境监测、保护与治理", "summary": "生活垃圾分类管理的规定",
		"opens_at": opens, "closes_at": closes, "shortening_reason": "落实省里部署，须在年内出台"}, http.StatusCreated, &d)
	var set consultDoc
	s.mustDo(http.MethodPut, pathf("/api/v1/documents/%d/comments/publication", d.ID), "drafter",
		map[string]any{"version": d.Version, "publish_comments": true}, http.StatusOK, &set)
	if set.Facts["comments_public"] != "true" || set.Version != d.Version+1 {
		t.Fatalf("publication setting: %+v", set)
	}
	d = s.fire("drafter", set, "submit", nil)
	d = s.fire("unithead", d, "approve", nil)
	if d.State != "consultation_scheduled" {
		t.Fatalf("after approve: %s", d.State)
	}
	// Opening is the system's, at opens_at: a person who tries is told so, not "需要“”权限".
	for _, user := range []string{"drafter", "unithead"} {
		p := s.mustFail(request{method: http.MethodPost, path: pathf("/api/v1/documents/%d/transitions/open", d.ID), user: user,
			body: map[string]any{"version": d.Version}}, http.StatusForbidden, workflow.EForbidden, "")
		if !strings.Contains(p.Detail, "系统") || strings.Contains(p.Detail, "“”") {
			t.Errorf("opening by hand as %s: %q", user, p.Detail)
		}
	}

	// Announced but not open: listed as upcoming without the text; comments refused with the period.
	if ids := s.publicList("upcoming"); len(ids) != 1 || ids[0] != d.ID {
		t.Fatalf("upcoming consultations %v", ids)
	}
	if v, _ := s.public(d.ID); v.Status != "upcoming" || v.Body != "" || v.ShorteningReason != "落实省里部署，须在年内出台" {
		t.Fatalf("upcoming page: %+v", v)
	}
	early := s.mustFail(request{method: http.MethodPost, path: pathf("/api/v1/public/consultations/%d/comments", d.ID),
		body: map[string]any{"text": "提前提交的意见"}, from: "192.0.2.1"}, http.StatusConflict, workflow.EClosed, "")
	if got := shanghaiMinute.FindAllString(early.Detail, -1); len(got) != 2 ||
		got[0] != opens.In(workflow.Shanghai).Format("2006-01-02 15:04") || got[1] != closes.In(workflow.Shanghai).Format("2006-01-02 15:04") {
		t.Fatalf("refusal before opening does not state the period in Beijing time: %s", early.Detail)
	}

	// The sweep opens it at opens_at.
	waitUntil(t, "the consultation to open by itself", 15*time.Second, func() bool {
		return s.doc("drafter", d.ID).State == "consultation_open"
	})
	if time.Now().Before(opens) {
		t.Fatal("opened before opens_at")
	}
	if v, _ := s.public(d.ID); v.Status != "open" || !strings.Contains(v.Body, "第一条") || !strings.Contains(v.Explanation, "起草说明") {
		t.Fatalf("open page: %+v", v)
	}

	// Comments: one with contact details, one with HTML, and a burst of 25 near-identical ones
	// from one client at once.
	lone := s.comment(d.ID, "192.0.2.10", map[string]any{"name": "赵市民", "contact": drafterContact, "text": "建议明确执法主体和处罚标准"})
	if !strings.HasPrefix(lone.ReceiptNo, "YJ") || time.Since(lone.SubmittedAt) > time.Minute {
		t.Fatalf("receipt %+v", lone)
	}
	// The receipt number can be looked up: received, the consultation, no disposition yet, and
	// nothing of the comment or its author.
	receipt := s.lookup(lone.ReceiptNo)
	if !receipt.ReceivedAt.Equal(lone.SubmittedAt) || receipt.Consultation.ID != d.ID || receipt.SummaryPublished || receipt.Disposition != "" {
		t.Fatalf("receipt lookup while open: %+v", receipt)
	}
	s.mustFail(request{method: http.MethodGet, path: "/api/v1/public/comment-receipts/YJ-1"}, http.StatusBadRequest, workflow.EInvalid, "receipt_no")
	s.mustFail(request{method: http.MethodGet, path: "/api/v1/public/comment-receipts/YJ20000101-999999"}, http.StatusNotFound, workflow.ENotFound, "receipt_no")
	s.comment(d.ID, "192.0.2.11", map[string]any{"contact": "resident@example.com", "text": "<script>alert('x')</script>请公开听证会记录"})
	burst := []string{"反对在小区内建设垃圾转运站！", "反对在小区内建设垃圾转运站", " 反对 在小区内建设垃圾转运站。", "反对在小区内建设垃圾转运站!!!"}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		receipts = map[string]bool{lone.ReceiptNo: true}
	)
	for i := range 25 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := s.comment(d.ID, "192.0.2.20", map[string]any{"text": burst[i%len(burst)]})
			mu.Lock()
			receipts[r.ReceiptNo] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(receipts) != 26 {
		t.Fatalf("%d distinct receipts for 26 comments", len(receipts))
	}

	// Invalid comments: each refused with its own code and field, none stored.
	commentsPath := pathf("/api/v1/public/consultations/%d/comments", d.ID)
	invalid := []struct {
		name        string
		body        any
		contentType string
		path        string
		status      int
		code, field string
	}{
		{"no text", map[string]any{"name": "钱"}, "", "", 400, workflow.EInvalid, "text"},
		{"too short", map[string]any{"text": "同意"}, "", "", 400, workflow.EInvalid, "text"},
		{"too long", map[string]any{"text": strings.Repeat("长", consultMaxLength+1)}, "", "", 400, workflow.EInvalid, "text"},
		{"control character", map[string]any{"text": "同意\u0007该草案内容"}, "", "", 400, workflow.EInvalid, "text"},
		{"contact neither phone nor e-mail", map[string]any{"text": "同意该草案内容", "contact": "微信号abc"}, "", "", 400, workflow.EInvalid, "contact"},
		{"name too long", map[string]any{"text": "同意该草案内容", "name": strings.Repeat("名", 51)}, "", "", 400, workflow.EInvalid, "name"},
		{"unknown field", map[string]any{"text": "同意该草案内容", "email": "a@example.com"}, "", "", 400, workflow.EInvalid, "email"},
		{"wrong type", map[string]any{"text": 42}, "", "", 400, workflow.EInvalid, "text"},
		{"invalid UTF-8", []byte("{\"text\": \"\xff\xfe同意该草案内容\"}"), "", "", 400, workflow.EInvalid, ""},
		{"not JSON", []byte("text=同意该草案内容"), "application/x-www-form-urlencoded", "", 400, workflow.EInvalid, ""},
		{"too large", map[string]any{"text": strings.Repeat("大", 30000)}, "", "", 413, workflow.ETooLarge, ""},
		{"no such consultation", map[string]any{"text": "同意该草案内容"}, "", "/api/v1/public/consultations/999999/comments", 404, workflow.ENotFound, ""},
	}
	for i, tt := range invalid {
		t.Run("invalid/"+tt.name, func(t *testing.T) {
			path := tt.path
			if path == "" {
				path = commentsPath
			}
			sub := *s
			sub.t = t
			sub.mustFail(request{method: http.MethodPost, path: path, body: tt.body, contentType: tt.contentType,
				from: fmt.Sprintf("192.0.2.%d", 100+i)}, tt.status, tt.code, tt.field)
		})
	}
	// A 公文 is no consultation.
	var doc consultDoc
	s.mustDo(http.MethodPost, "/api/v1/documents", "drafter", map[string]any{"title": "一份公文", "attribute": "主动公开"}, http.StatusCreated, &doc)
	s.mustFail(request{method: http.MethodPost, path: pathf("/api/v1/public/consultations/%d/comments", doc.ID),
		body: map[string]any{"text": "同意该草案内容"}, from: "192.0.2.90"}, 404, workflow.ENotFound, "")

	// Too many from one client: the burst allowance (each request counts, valid or not), then 429
	// with Retry-After.
	limited := 0
	for i := range 40 {
		st, hdr, b := s.send(request{method: http.MethodPost, path: "/api/v1/public/consultations/999999/comments",
			body: map[string]any{"text": "同意该草案内容"}, from: "198.51.100.7"})
		if st == http.StatusNotFound {
			continue
		}
		if ra, _ := strconv.Atoi(hdr.Get("Retry-After")); st != http.StatusTooManyRequests || ra < 1 || !strings.Contains(string(b), workflow.ETooMany) {
			t.Fatalf("request %d: %d Retry-After %q %s", i+1, st, hdr.Get("Retry-After"), b)
		}
		limited = i + 1
		break
	}
	if limited < 31 {
		t.Fatalf("refused as too many at request %d, within the allowance of 30", limited)
	}

	// Extension: never shorter, then later with a reason, shown publicly.
	d = s.doc("drafter", d.ID)
	s.mustFail(request{method: http.MethodPost, path: pathf("/api/v1/documents/%d/transitions/extend", d.ID), user: "drafter",
		body: map[string]any{"version": d.Version, "input": map[string]string{"reason": "缩短", "closes_at": closes.Add(-time.Second).Format(time.RFC3339)}}},
		http.StatusUnprocessableEntity, workflow.EGuardFailed, "closes_at")
	closes = closes.Add(3 * time.Second)
	d = s.fire("drafter", d, "extend", map[string]string{"reason": "收到较多意见，延长以充分听取", "closes_at": closes.Format(time.RFC3339)})
	v, raw := s.public(d.ID)
	if len(v.Extensions) != 1 || v.Extensions[0].Reason != "收到较多意见，延长以充分听取" || !v.Extensions[0].ClosesAt.Equal(closes) || !v.ClosesAt.Equal(closes) {
		t.Fatalf("extension on the public page: %+v", v)
	}
	if v.CommentCount != 27 {
		t.Fatalf("comment count %d, want 27", v.CommentCount)
	}
	if strings.Contains(string(raw), "赵市民") || strings.Contains(string(raw), "1381234") || strings.Contains(string(raw), "resident@") {
		t.Fatalf("the public page shows commenters: %s", raw)
	}

	// Staff list: the burst is one campaign with its count; bursts are flagged; contact masked for
	// the drafter, shown to the disclosure office.
	type staffList struct {
		Items []struct {
			ID           int64  `json:"id"`
			Name         string `json:"name"`
			Contact      string `json:"contact"`
			Text         string `json:"text"`
			CampaignKey  string `json:"campaign_key"`
			CampaignSize int    `json:"campaign_size"`
			ClientKey    string `json:"client_key"`
			InBurst      bool   `json:"in_burst"`
			Status       string `json:"status"`
		} `json:"items"`
		Total          int  `json:"total"`
		ContactVisible bool `json:"contact_visible"`
		Campaigns      []struct {
			Key   string `json:"campaign_key"`
			Count int    `json:"count"`
		} `json:"campaigns"`
		Bursts []struct {
			Kind  string `json:"kind"`
			Peak  int    `json:"peak_per_window"`
			Count int    `json:"count"`
		} `json:"bursts"`
		Counts struct {
			Total int `json:"total"`
		} `json:"counts"`
	}
	var list staffList
	rawList := s.mustDo(http.MethodGet, pathf("/api/v1/documents/%d/comments", d.ID), "drafter", nil, http.StatusOK, &list)
	if list.Total != 3 || list.Counts.Total != 27 || list.Items[0].CampaignSize != 25 || !list.Items[0].InBurst || list.ContactVisible {
		t.Fatalf("grouped staff list: %s", rawList)
	}
	if len(list.Campaigns) != 1 || list.Campaigns[0].Count != 25 {
		t.Fatalf("campaigns: %+v", list.Campaigns)
	}
	var kinds []string
	for _, b := range list.Bursts {
		kinds = append(kinds, fmt.Sprintf("%s:%d", b.Kind, b.Peak))
	}
	if strings.Join(kinds, ",") != "campaign:25,client:25" && strings.Join(kinds, ",") != "client:25,campaign:25" {
		t.Fatalf("bursts %v", kinds)
	}
	campaign := list.Items[0].CampaignKey
	var loneID, htmlID int64
	for _, it := range list.Items[1:] {
		if strings.HasPrefix(it.Text, "建议明确") {
			loneID = it.ID
			if it.Contact != maskedContact || it.Name != "赵市民" || it.InBurst || strings.Contains(it.ClientKey, "192.0.2") {
				t.Fatalf("lone comment as the drafter sees it: %+v", it)
			}
		} else {
			htmlID = it.ID
			if it.Contact != "r***@example.com" || it.Text != "<script>alert('x')</script>请公开听证会记录" {
				t.Fatalf("HTML comment as the drafter sees it: %+v", it)
			}
		}
	}
	if strings.Contains(string(rawList), drafterContact) || strings.Contains(string(rawList), "192.0.2.") {
		t.Fatalf("the drafter's list shows a full contact or an address: %s", rawList)
	}
	s.mustDo(http.MethodGet, pathf("/api/v1/documents/%d/comments?status=pending", d.ID), "officer", nil, http.StatusOK, &list)
	if list.Total != 27 || !list.ContactVisible || !strings.Contains(fmt.Sprint(list.Items), drafterContact) {
		t.Fatalf("the disclosure office's moderation queue: total %d visible %v", list.Total, list.ContactVisible)
	}
	s.mustFail(request{method: http.MethodGet, path: pathf("/api/v1/documents/%d/comments", d.ID), user: "drafter2"}, 404, workflow.ENotFound, "")

	// Moderation: publish the HTML comment (rendered escaped), hide the lone one with a reason.
	moderation := func(cid int64) string { return pathf("/api/v1/documents/%d/comments/%d/moderation", d.ID, cid) }
	s.mustFail(request{method: http.MethodPost, path: moderation(loneID), user: "officer", body: map[string]any{"status": "hidden"}},
		http.StatusUnprocessableEntity, workflow.EInputMissing, "reason")
	s.mustFail(request{method: http.MethodPost, path: moderation(loneID), user: "drafter", body: map[string]any{"status": "published"}},
		http.StatusForbidden, workflow.EForbidden, "")
	s.mustDo(http.MethodPost, moderation(htmlID), "officer", map[string]any{"status": "published"}, http.StatusOK, nil)
	s.mustDo(http.MethodPost, moderation(loneID), "officer", map[string]any{"status": "hidden", "reason": "含个人信息"}, http.StatusOK, nil)
	v, raw = s.public(d.ID)
	if len(v.PublishedComments) != 1 || v.PublishedComments[0].Text != "<script>alert('x')</script>请公开听证会记录" {
		t.Fatalf("published comments: %+v", v.PublishedComments)
	}
	if bytes.Contains(raw, []byte("<script>")) || !bytes.Contains(raw, []byte(`\u003cscript\u003e`)) {
		t.Fatalf("the public page does not escape HTML: %s", raw)
	}

	// Dispositions wait for the close.
	dispositions := pathf("/api/v1/documents/%d/comments/dispositions", d.ID)
	s.mustFail(request{method: http.MethodPost, path: dispositions, user: "drafter",
		body: map[string]any{"campaign_keys": []string{campaign}, "disposition": "采纳"}}, http.StatusConflict, workflow.ETransitionNotAllowed, "")

	// Redis goes down before the closing instant; the sweep closes the consultation from
	// PostgreSQL anyway.
	if time.Until(closes) < 500*time.Millisecond {
		t.Fatalf("the steps before closing took too long (%v left): lengthen the period", time.Until(closes))
	}
	rs.stop()
	waitUntil(t, "the consultation to close by itself with Redis down", 15*time.Second, func() bool {
		return s.doc("drafter", d.ID).State == "consultation_closed"
	})
	if time.Now().Before(closes) {
		t.Fatal("closed before closes_at")
	}
	rs.start(t)

	// One second after closing: refused.
	time.Sleep(time.Until(closes.Add(time.Second)))
	late := s.mustFail(request{method: http.MethodPost, path: commentsPath, body: map[string]any{"text": "截止后才提交的意见"}, from: "192.0.2.50"},
		http.StatusConflict, workflow.EClosed, "")
	if !strings.Contains(late.Detail, closes.In(workflow.Shanghai).Format("2006-01-02 15:04")) {
		t.Fatalf("late refusal: %s", late.Detail)
	}
	if ids := s.publicList("closed"); len(ids) != 1 || ids[0] != d.ID {
		t.Fatalf("closed consultations %v", ids)
	}

	// Dispositions: by campaign and by comment; a reason for anything but 采纳; drafter only.
	s.mustFail(request{method: http.MethodPost, path: dispositions, user: "drafter",
		body: map[string]any{"comment_ids": []int64{loneID}, "disposition": "不采纳"}}, http.StatusUnprocessableEntity, workflow.EInputMissing, "reason")
	s.mustFail(request{method: http.MethodPost, path: dispositions, user: "legal",
		body: map[string]any{"comment_ids": []int64{loneID}, "disposition": "采纳"}}, http.StatusForbidden, workflow.EForbidden, "")
	s.mustFail(request{method: http.MethodPost, path: dispositions, user: "drafter",
		body: map[string]any{"comment_ids": []int64{loneID}, "disposition": "同意"}}, http.StatusBadRequest, workflow.EInvalid, "disposition")
	var upd struct {
		Updated int `json:"updated"`
		Version int `json:"version"`
	}
	s.mustDo(http.MethodPost, dispositions, "drafter", map[string]any{"campaign_keys": []string{campaign}, "disposition": "不采纳",
		"reason": "转运站选址已经专家论证，并设置了防臭措施"}, http.StatusOK, &upd)
	if upd.Updated != 25 {
		t.Fatalf("campaign disposition changed %d comments, want 25", upd.Updated)
	}
	// The answer says the document's new version (a disposal raises it).
	if d = s.doc("drafter", d.ID); upd.Version != d.Version {
		t.Fatalf("disposition answered version %d, the document is at %d", upd.Version, d.Version)
	}
	s.mustFail(request{method: http.MethodPost, path: pathf("/api/v1/documents/%d/transitions/attach_summary", d.ID), user: "drafter",
		body: map[string]any{"version": d.Version}}, http.StatusUnprocessableEntity, workflow.EGuardFailed, "")
	s.mustDo(http.MethodPost, dispositions, "drafter", map[string]any{"comment_ids": []int64{loneID}, "disposition": "采纳"}, http.StatusOK, &upd)

	// The summary cannot be attached while a comment is unhandled; then it can.
	d = s.doc("drafter", d.ID)
	s.mustFail(request{method: http.MethodPut, path: pathf("/api/v1/documents/%d/summary", d.ID), user: "drafter",
		body: map[string]any{"version": d.Version, "text": "说明"}}, http.StatusUnprocessableEntity, workflow.EGuardFailed, "")
	s.mustDo(http.MethodPost, dispositions, "drafter", map[string]any{"comment_ids": []int64{htmlID}, "disposition": "部分采纳",
		"reason": "听证会记录将按规定公开"}, http.StatusOK, &upd)
	var draft struct {
		Text        string         `json:"text"`
		Total       int            `json:"total"`
		Disposition map[string]int `json:"disposition"`
	}
	s.mustDo(http.MethodGet, pathf("/api/v1/documents/%d/summary-draft", d.ID), "drafter", nil, http.StatusOK, &draft)
	if draft.Total != 27 || draft.Disposition["不采纳"] != 25 || draft.Disposition["采纳"] != 1 || draft.Disposition["部分采纳"] != 1 ||
		!strings.Contains(draft.Text, "共收到意见 27 条") || !strings.Contains(draft.Text, "（25 条相同或相近意见）") ||
		!strings.Contains(draft.Text, "收到较多意见，延长以充分听取") || strings.Contains(draft.Text, drafterContact) {
		t.Fatalf("summary draft: %+v", draft)
	}
	summary := draft.Text + "\n（经承办科室审定）"
	d.Version = upd.Version // the version the last disposition answered: the summary saves with it
	s.mustFail(request{method: http.MethodPut, path: pathf("/api/v1/documents/%d/summary", d.ID), user: "drafter",
		body: map[string]any{"version": d.Version - 1, "text": summary}}, http.StatusConflict, workflow.EConflict, "")
	var attached consultDoc
	s.mustDo(http.MethodPut, pathf("/api/v1/documents/%d/summary", d.ID), "drafter", map[string]any{"version": d.Version, "text": summary},
		http.StatusOK, &attached)
	if attached.Facts["summary_attached"] != "true" || attached.Version != d.Version+1 {
		t.Fatalf("after attaching the summary: %+v", attached)
	}

	// Legality review, the collective decision, publication.
	d = s.fire("drafter", attached, "attach_summary", nil)
	if d.State != "legality_review" {
		t.Fatalf("after attach_summary: %s", d.State)
	}
	if v, _ := s.public(d.ID); v.AdoptionSummary != "" {
		t.Fatal("the summary is public before the decision is published")
	}
	// The shortened period's reason is reviewed: the approval asks for the opinion on it, which
	// the audit log keeps.
	approve := pathf("/api/v1/documents/%d/transitions/approve", d.ID)
	p := s.mustFail(request{method: http.MethodPost, path: approve, user: "legal",
		body: map[string]any{"version": d.Version, "input": map[string]string{"opinion": "经审查，草案符合法定权限和程序，内容合法"}}},
		http.StatusUnprocessableEntity, workflow.EInputMissing, "shortening_opinion")
	if !strings.Contains(p.Detail, "落实省里部署，须在年内出台") {
		t.Errorf("the refusal does not show the reason under review: %s", p.Detail)
	}
	d = s.fire("legal", d, "approve", map[string]string{"opinion": "经审查，草案符合法定权限和程序，内容合法",
		"shortening_opinion": "缩短理由成立：省里部署有明确时限"})
	var reviewed struct {
		History []struct {
			Action string            `json:"action"`
			Label  string            `json:"label"`
			Data   map[string]string `json:"data"`
		} `json:"history"`
	}
	s.mustDo(http.MethodGet, pathf("/api/v1/documents/%d", d.ID), "legal", nil, http.StatusOK, &reviewed)
	if last := reviewed.History[len(reviewed.History)-1]; last.Action != "approve" || last.Label != "合法性审查通过" ||
		last.Data["shortening_opinion"] != "缩短理由成立：省里部署有明确时限" {
		t.Fatalf("the review of the shortening reason is not in the history: %+v", last)
	}
	d = s.fire("leader", d, "decide", map[string]string{"meeting": "2026年第5次局长办公会议", "decision_outcome": "通过"})
	// Publication asks for the catalogue's 主题分类 and 内容概述, as its requires says.
	s.mustFail(request{method: http.MethodPost, path: pathf("/api/v1/documents/%d/transitions/publish", d.ID), user: "officer",
		body: map[string]any{"version": d.Version}}, http.StatusUnprocessableEntity, workflow.EInputMissing, "subject_category")
	d = s.fire("officer", d, "publish", map[string]string{"subject_category": "城乡建设、环境保护\\环境监测、保护与治理", "summary": "生活垃圾分类管理的规定"})
	if d.State != "published" {
		t.Fatalf("after publish: %s", d.State)
	}
	v, _ = s.public(d.ID)
	if v.AdoptionSummary != summary || !v.Published || v.Status != "closed" {
		t.Fatalf("published consultation page: %+v", v)
	}
	var pub struct {
		Items []struct {
			ID      int64  `json:"id"`
			Title   string `json:"title"`
			DocKind string `json:"doc_kind"`
		} `json:"items"`
	}
	s.mustDo(http.MethodGet, "/api/v1/public/documents", "", nil, http.StatusOK, &pub)
	if len(pub.Items) != 1 || pub.Items[0].ID != d.ID {
		t.Fatalf("public documents %+v", pub.Items)
	}
	// Once the adoption summary is published, the receipt says how the comment was handled.
	if r := s.lookup(strings.ToLower(lone.ReceiptNo)); !r.SummaryPublished || r.Disposition != "采纳" || r.Consultation.Status != "closed" {
		t.Fatalf("receipt lookup after publication: %+v", r)
	}
	// The decision is published as a decision, without the draft's mark.
	if it := pub.Items[0]; it.Title != "测试市生活垃圾分类管理办法" || it.DocKind != documents.KindDecision {
		t.Fatalf("published decision: %+v", it)
	}

	// Every change is in the audit chains, and the outbox rows written while Redis was down were
	// delivered once it came back.
	if _, problems, err := postgres.VerifyAudit(context.Background(), s.db); err != nil || len(problems) > 0 {
		t.Fatalf("audit: %v %v", problems, err)
	}
	waitUntil(t, "the outbox to drain after Redis came back", 30*time.Second, func() bool {
		var n int
		if err := s.db.GetContext(context.Background(), &n, `SELECT count(*) FROM outbox WHERE processed_at IS NULL`); err != nil {
			t.Fatal(err)
		}
		return n == 0
	})
}

// TestConsultationRoutesDenyByDefault walks the consultation routes as every role and as an
// anonymous caller (invariant 8): the public ones are open to all; the others refuse anonymous
// callers with 401 and anyone the policy does not grant the route's permission with 403.
func TestConsultationRoutesDenyByDefault(t *testing.T) {
	s := newConsultStack(t)
	var d consultDoc
	s.mustDo(http.MethodPost, "/api/v1/documents", "drafter", map[string]any{"definition": "decision", "title": "路由检查"}, http.StatusCreated, &d)
	enf, err := policy.New(context.Background(), s.store.Accounts)
	if err != nil {
		t.Fatal(err)
	}
	granted := func(user, perm string) bool {
		for _, u := range consultUsers {
			if u.name == user && enf.Can(user, u.unit, perm) {
				return true
			}
		}
		return false
	}
	var mine []httpapi.Route
	for _, r := range s.api.Routes() {
		if strings.Contains(r.Path, "consultations") || strings.Contains(r.Path, "/comments") || strings.Contains(r.Path, "summary") {
			mine = append(mine, r)
		}
	}
	if len(mine) != 9 {
		t.Fatalf("%d consultation routes registered, want 9: %+v", len(mine), mine)
	}
	param := regexp.MustCompile(`:[a-z]+`)
	for _, r := range mine {
		path := param.ReplaceAllStringFunc(r.Path, func(p string) string {
			if p == ":id" {
				return strconv.FormatInt(d.ID, 10)
			}
			return "1"
		})
		for _, who := range append([]string{""}, "drafter", "drafter2", "unithead", "legal", "officer", "leader", "admin") {
			status, _, body := s.send(request{method: r.Method, path: path, user: who, body: map[string]any{}, from: "203.0.113.1"})
			denied := status == http.StatusUnauthorized || status == http.StatusForbidden
			switch {
			case r.Permission == httpkit.PermPublic:
				if denied {
					t.Errorf("%s %s is public but %q got %d: %s", r.Method, path, who, status, body)
				}
			case who == "":
				if status != http.StatusUnauthorized {
					t.Errorf("%s %s answered %d to an anonymous caller", r.Method, path, status)
				}
			case !granted(who, r.Permission) && !denied:
				t.Errorf("%s %s (%s) answered %d to %s, whom the policy does not grant it: %s", r.Method, path, r.Permission, status, who, body)
			}
		}
	}
}

// BenchmarkCommentIntakeHTTP posts comments to one open consultation from a crowd of concurrent
// senders (each with its own address, as a flash crowd has) through the whole API: decoding,
// validation, the rate limiter, the period check and the group commit. Meanwhile one reader keeps
// asking for the public document list, to show what the crowd does to the rest of the service.
// In the same run it measures the plain single-row INSERT rate of the same number of comments. It
// reports accepted comments per second with the p50/p99 latency of one POST, the reader's p50/p99
// during the crowd and alone, and single-row inserts per second.
func BenchmarkCommentIntakeHTTP(b *testing.B) {
	ctx := context.Background()
	s := newConsultStack(b)
	u, err := s.store.Accounts.UserByUsername(ctx, "drafter")
	if err != nil {
		b.Fatal(err)
	}
	d, err := s.store.Documents.CreateDocument(ctx, documents.Document{Instance: workflow.Instance{Unit: "chengjian", Definition: "decision",
		DefinitionVersion: 1, State: "consultation_open", Facts: workflow.Facts{
			"opens_at": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), "closes_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}},
		Title: "压测草案", DocKind: documents.KindOther, CreatedBy: u.ID}, workflow.Actor{UserID: u.ID, Username: u.Username}, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	body, err := json.Marshal(map[string]string{"text": strings.Repeat("建议进一步明确垃圾分类投放点的设置标准和收运时间。", 4)})
	if err != nil {
		b.Fatal(err)
	}
	get := func() (time.Duration, error) {
		t := time.Now()
		resp, err := s.client.Get(s.srv.URL + "/api/v1/public/documents")
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("public documents: %d", resp.StatusCode)
		}
		return time.Since(t), nil
	}
	reads := func(stop <-chan struct{}, n int) []time.Duration {
		var out []time.Duration
		for i := 0; n == 0 || i < n; i++ {
			select {
			case <-stop:
				return out
			default:
			}
			lat, err := get()
			if err != nil {
				b.Error(err)
				return out
			}
			out = append(out, lat)
		}
		return out
	}
	idle := reads(nil, 200)

	const senders = 128
	var (
		next = make(chan int, b.N)
		mu   sync.Mutex
		lats = make([]time.Duration, 0, b.N)
		wg   sync.WaitGroup
	)
	for i := range b.N {
		next <- i
	}
	close(next)
	stop := make(chan struct{})
	busy := make(chan []time.Duration, 1)
	go func() { busy <- reads(stop, 0) }()
	b.ResetTimer()
	start := time.Now()
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, b.N/senders+1)
			for i := range next {
				req, err := http.NewRequest(http.MethodPost, s.srv.URL+pathf("/api/v1/public/consultations/%d/comments", d.ID), bytes.NewReader(body))
				if err != nil {
					b.Error(err)
					return
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
				t := time.Now()
				resp, err := s.client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					b.Errorf("comment %d: status %d", i, resp.StatusCode)
					return
				}
				local = append(local, time.Since(t))
			}
			mu.Lock()
			lats = append(lats, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	close(stop)
	during := <-busy

	var inserts sync.WaitGroup
	ins := make(chan int, b.N)
	for i := range b.N {
		ins <- i
	}
	close(ins)
	istart := time.Now()
	for range senders {
		inserts.Add(1)
		go func() {
			defer inserts.Done()
			for i := range ins {
				const q = `INSERT INTO comments (org_id, document_id, receipt_no, body, created_at, campaign_key, client_key)
					VALUES ($1, $2, $3, $4, now(), $5, $6)`
				if _, err := s.db.ExecContext(ctx, q, s.store.Org(), d.ID, fmt.Sprintf("B%d-%d", b.N, i), string(body), "k", "c"); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	inserts.Wait()
	single := time.Since(istart)

	pct := func(ds []time.Duration, p int) float64 {
		if len(ds) == 0 {
			return 0
		}
		slices.Sort(ds)
		return float64(ds[len(ds)*p/100].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(lats))/elapsed.Seconds(), "comments/s")
	b.ReportMetric(pct(lats, 50), "p50_ms")
	b.ReportMetric(pct(lats, 99), "p99_ms")
	b.ReportMetric(pct(idle, 50), "reader_idle_p50_ms")
	b.ReportMetric(pct(during, 50), "reader_crowd_p50_ms")
	b.ReportMetric(pct(during, 99), "reader_crowd_p99_ms")
	b.ReportMetric(float64(b.N)/single.Seconds(), "single_row_inserts/s")
}
