package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"wugongkai/internal/httpapi"
	"wugongkai/internal/postgres"
	"wugongkai/internal/report"
	"wugongkai/internal/testkit"
	"wugongkai/policy"
	"wugongkai/workflow"
	"wugongkai/workflow/accounts"
	"wugongkai/workflow/city"
	"wugongkai/workflow/consultations"
	"wugongkai/workflow/documents"
)

const testPassword = testkit.Password

// client keeps connections open for concurrent tests and benchmarks (the default keeps two).
var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: time.Minute}

// stack is the whole API wired as cmd wires it, on a fresh database.
type stack struct {
	t      testing.TB
	srv    *httptest.Server
	api    *httpapi.Server
	store  *postgres.Stores
	db     *postgres.DB
	enf    *policy.Enforcer
	docs   *documents.Documents
	tokens map[string]string
	clock  *testClock // the clock of the request, case and report routes
	bureau *testkit.Bureau
}

// users of the test bureau: name → role, unit.
var testUsers = []struct{ name, display, role, unit string }{
	{"drafter", "王起草", "drafter", "chengjian"},
	{"drafter2", "刘起草", "drafter", "fangchan"},
	{"unithead", "李科长", "unit_head", "chengjian"},
	{"legal", "陈法规", "legal_reviewer", "*"},
	{"officer", "周公开", "disclosure_officer", "*"},
	{"head", "吴主任", "disclosure_head", "*"},
	{"leader", "张局长", "leader", "*"},
	{"admin", "管理员", "admin", "*"},
	{"city", "孙市公开", "city_office", "*"},
}

func mustEngine(tb testing.TB) *workflow.Engine { return testkit.Engine(tb) }

// bureauOf turns a test user table into testkit users on the standard test units.
func bureauOf(tb testing.TB, users []struct{ name, display, role, unit string }) *testkit.Bureau {
	tb.Helper()
	var us []testkit.User
	for _, u := range users {
		us = append(us, testkit.User{Name: u.name, Display: u.display, Role: u.role, Unit: u.unit})
	}
	return testkit.NewBureau(tb, "测试市住房和城乡建设局",
		[]testkit.Unit{{Code: "chengjian", Name: "城建科"}, {Code: "fangchan", Name: "房产科"}, {Code: "fagui", Name: "法规科"}}, us)
}

func newStack(tb testing.TB) *stack {
	tb.Helper()
	return newStackWithFiles(tb, testFileLimit)
}

// newStackWithFiles is newStack accepting files of up to fileLimit bytes.
func newStackWithFiles(tb testing.TB, fileLimit int64) *stack {
	tb.Helper()
	b := bureauOf(tb, testUsers)
	db, store, enf, engine := b.DB, b.Stores, b.Enforcer, b.Engine
	docs := b.Documents(nil)
	accounts := &accounts.Accounts{Store: store.Accounts, TTL: time.Hour, MaxFailures: 5, FailureWindow: 15 * time.Minute}
	api := httpapi.New(httpapi.Options{MaxBodyBytes: 64 << 10, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Ready: map[string]httpapi.Pinger{"postgres": httpapi.PingFunc(db.PingContext)}})
	handlers := &httpapi.API{Accounts: accounts, Docs: docs, Authz: enf, Inbox: store.Outbox, OrgName: "测试市住房和城乡建设局"}
	httpapi.Mount(api, handlers)
	httpapi.MountConsultations(api, handlers, &httpapi.ConsultationsAPI{Consultations: &consultations.Consultations{Store: store.Comments,
		Auth: enf, Engine: engine, OrgName: "测试市住房和城乡建设局", Limiter: consultations.NewClientLimiter(600, 100)}})
	clock := mountRequests(tb, api, handlers, b)
	httpapi.MountCatalogue(api, handlers, &httpapi.CatalogueAPI{Catalogue: b.Catalogue(tb), Compliance: b.Compliance(clock)})
	httpapi.MountFiles(api, handlers, &httpapi.FilesAPI{Files: b.Files(fileLimit)})
	httpapi.MountAdmin(api, handlers, &httpapi.AdminAPI{Admin: b.Admin(), Calendars: b.Calendars(), Audit: b.Audit(), Catalogue: b.CatalogueAdmin()})
	cityStore := postgres.NewCity(db, clock)
	httpapi.MountCity(api, handlers, &httpapi.CityAPI{
		City:    &city.City{Store: cityStore, Engine: engine, Auth: enf, Platform: true, Clock: clock},
		Reports: &report.CityReports{Store: cityStore, Auth: enf, Name: "测试市", Platform: true}})
	srv := httptest.NewServer(api)
	tb.Cleanup(srv.Close)
	s := &stack{t: tb, srv: srv, api: api, store: store, db: db, enf: enf, docs: docs, tokens: map[string]string{}, clock: clock, bureau: b}
	for _, u := range testUsers {
		var out struct {
			Token string `json:"token"`
		}
		s.mustDo(http.MethodPost, "/api/v1/session", "", map[string]string{"username": u.name, "password": testPassword}, http.StatusCreated, &out)
		s.tokens[u.name] = out.Token
	}
	return s
}

// do sends a JSON request as user ("" = anonymous) and returns the status and body.
func (s *stack) do(method, path, user string, body any) (int, []byte) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		if raw, ok := body.([]byte); ok {
			rd = bytes.NewReader(raw)
		} else {
			b, err := json.Marshal(body)
			if err != nil {
				s.t.Fatal(err)
			}
			rd = bytes.NewReader(b)
		}
	}
	req, err := http.NewRequest(method, s.srv.URL+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, b := s.send(req, user)
	return resp.StatusCode, b
}

// send sends req as user ("" = anonymous) and returns the response with its body read.
func (s *stack) send(req *http.Request, user string) (*http.Response, []byte) {
	s.t.Helper()
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+s.tokens[user])
	}
	resp, err := client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp, b
}

// mustDo is do that fails the test unless the status is want, and decodes the body into out.
func (s *stack) mustDo(method, path, user string, body any, want int, out any) {
	s.t.Helper()
	status, b := s.do(method, path, user, body)
	if status != want {
		s.t.Fatalf("%s %s as %q: status %d, want %d: %s", method, path, user, status, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			s.t.Fatalf("decode %s: %v: %s", path, err, b)
		}
	}
}

// problem decodes a problem+json answer.
type problem struct {
	Status  int            `json:"status"`
	Code    string         `json:"code"`
	Detail  string         `json:"detail"`
	Field   string         `json:"field"`
	Details map[string]any `json:"details"`
}

func (s *stack) mustFail(method, path, user string, body any, wantStatus int, wantCode string) problem {
	s.t.Helper()
	status, b := s.do(method, path, user, body)
	var p problem
	if err := json.Unmarshal(b, &p); err != nil {
		s.t.Fatalf("%s %s: not problem+json: %s", method, path, b)
	}
	if status != wantStatus || p.Code != wantCode {
		s.t.Fatalf("%s %s as %q: %d %s, want %d %s: %s", method, path, user, status, p.Code, wantStatus, wantCode, b)
	}
	if p.Detail == "" || !hasHan(p.Detail) {
		s.t.Fatalf("%s %s: problem without a Chinese message: %s", method, path, b)
	}
	return p
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

type docView struct {
	ID                 int64    `json:"id"`
	Version            int      `json:"version"`
	State              string   `json:"state"`
	Attribute          string   `json:"attribute"`
	Grounds            []string `json:"grounds"`
	LegalApproved      bool     `json:"legal_approved"`
	SignedOn           string   `json:"signed_on"`
	Signer             string   `json:"signer"`
	IndexNo            string   `json:"index_no"`
	Validity           string   `json:"validity"`
	DisclosureProblems []string `json:"disclosure_problems"`
	Available          []struct {
		Name     string   `json:"name"`
		Requires []string `json:"requires"`
	} `json:"available_transitions"`
	Blocked []struct {
		Name   string `json:"name"`
		Reason string `json:"reason"`
	} `json:"blocked_transitions"`
	History []struct {
		Action    string            `json:"action"`
		Label     string            `json:"label"`
		ActorName string            `json:"actor_name"`
		Data      map[string]string `json:"data"`
	} `json:"history"`
	Deadlines []struct {
		Name        string `json:"name"`
		DueDate     string `json:"due_date"`
		Status      string `json:"status"`
		Action      string `json:"action"`
		Explanation string `json:"explanation"`
	} `json:"deadlines"`
}

// reason is why transition name is blocked ("" if it is not).
func (v docView) reason(name string) string {
	for _, b := range v.Blocked {
		if b.Name == name {
			return b.Reason
		}
	}
	return ""
}

func (v docView) can(name string) bool {
	for _, a := range v.Available {
		if a.Name == name {
			return true
		}
	}
	return false
}

func (s *stack) create(user string, body map[string]any) docView {
	s.t.Helper()
	var v docView
	s.mustDo(http.MethodPost, "/api/v1/documents", user, body, http.StatusCreated, &v)
	return v
}

func (s *stack) fire(user string, v docView, name string, input map[string]string) docView {
	s.t.Helper()
	var out docView
	s.mustDo(http.MethodPost, pathf("/api/v1/documents/%d/transitions/%s?detail=full", v.ID, name), user,
		map[string]any{"version": v.Version, "input": input}, http.StatusOK, &out)
	return out
}
