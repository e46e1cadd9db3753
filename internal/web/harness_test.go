package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"wugongkai/internal/httpapi"
	"wugongkai/internal/postgres"
	"wugongkai/internal/report"
	"wugongkai/internal/tasks"
	"wugongkai/internal/testkit"
	"wugongkai/internal/web"
	"wugongkai/policy"
	"wugongkai/workflow"
	"wugongkai/workflow/accounts"
	"wugongkai/workflow/agencies"
	"wugongkai/workflow/city"
	"wugongkai/workflow/consultations"
	"wugongkai/workflow/documents"
	"wugongkai/workflow/requests"
)

const (
	testPassword = testkit.Password
	testOrg      = "测试市住房和城乡建设局"
)

// testUsers are the staff of the test bureau: user name, display name, role, unit.
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

// stack is the server as cmd wires it (the JSON API and the pages on one httpapi.Server) on a
// fresh database.
type stack struct {
	t      testing.TB
	srv    *httptest.Server
	api    *httpapi.Server
	store  *postgres.Stores
	docs   *documents.Documents
	cons   *consultations.Consultations
	reqs   *requests.Requests
	cases  *requests.Cases
	enf    *policy.Enforcer
	site   *web.Site
	clock  *testClock
	engine *workflow.Engine
	db     *postgres.DB
	// agencies maps each agency's code to its portal's address, for the city pages' links; the
	// stacks of one database share it.
	agencies map[string]string
}

// testClock is the wall clock moved forward by an offset the test sets, so a consultation can
// open and close without waiting a month. The documents, the consultations and the deadline
// sweep read it; sessions keep the wall clock.
type testClock struct {
	mu     sync.Mutex
	off    time.Duration
	frozen time.Time // not zero: the clock stands still here (plus what Advance adds)
}

// Now implements workflow.Clock.
func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.frozen.IsZero() {
		return c.frozen.Add(c.off)
	}
	return time.Now().Add(c.off)
}

// Freeze stops the clock where it is, so a test that counts what a rate allows is not undone by a
// slow machine refilling the bucket between requests.
func (c *testClock) Freeze() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frozen = time.Now()
}

// Advance moves the clock forward by d.
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

// sweep runs the deadline sweep once at the test clock, as the worker would: it opens and closes
// consultations whose instants have come.
func (s *stack) sweep() {
	s.t.Helper()
	sw := tasks.NewSweep(tasks.OneOrg(s.store.Org(), s.store.Outbox, s.store.Deadlines), s.engine, tasks.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)), s.clock)
	if _, err := sw.RunOnce(context.Background()); err != nil {
		s.t.Fatal(err)
	}
}

func mustEngine(tb testing.TB) *workflow.Engine { return testkit.Engine(tb) }

// testUnits are the units of every test organisation.
var testUnits = []testkit.Unit{{Code: "chengjian", Name: "城建科"}, {Code: "fangchan", Name: "房产科"}, {Code: "fagui", Name: "法规科"},
	{Code: requests.DefaultRequestUnit, Name: "办公室"}}

// testkitUsers are testUsers as testkit takes them.
func testkitUsers() []testkit.User {
	var us []testkit.User
	for _, u := range testUsers {
		us = append(us, testkit.User{Name: u.name, Display: u.display, Role: u.role, Unit: u.unit})
	}
	return us
}

// newStack is the platform's own organisation (the test bureau) on a fresh database.
func newStack(tb testing.TB) *stack {
	tb.Helper()
	return newStackOn(tb, testkit.NewBureau(tb, testOrg, testUnits, testkitUsers()), testkit.OrgCode, testOrg, map[string]string{})
}

// newAgency is another agency of s's platform, with the same units and users, on its own server.
func (s *stack) newAgency(code, name string) *stack {
	s.t.Helper()
	return newStackOn(s.t, testkit.NewAgency(s.t, s.db, code, name, testUnits, testkitUsers()), code, name, s.agencies)
}

// newStackOn serves organisation b (code, name) as cmd wires it; portals (shared by the stacks
// of one database) gets its address. The first organisation of the database is the platform's.
func newStackOn(tb testing.TB, b *testkit.Bureau, code, name string, portals map[string]string) *stack {
	tb.Helper()
	testOrg := name
	store, enf, engine := b.Stores, b.Enforcer, b.Engine
	clock := &testClock{}
	docs := b.Documents(clock)
	cons := &consultations.Consultations{Store: store.Comments, Auth: enf, Engine: engine, Clock: clock, OrgName: testOrg,
		MaxLength: 500, Limiter: consultations.NewClientLimiter(60, 40), BurstMin: 5}
	reqs := &requests.Requests{Engine: engine, Store: store.Requests, Auth: enf, Clock: clock, Limiter: consultations.NewClientLimiter(60, 20)}
	cases := &requests.Cases{Store: store.Requests, Auth: enf, Clock: clock}
	accounts := &accounts.Accounts{Store: store.Accounts, TTL: time.Hour, MaxFailures: 50, FailureWindow: 15 * time.Minute}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	api := httpapi.New(httpapi.Options{MaxBodyBytes: 1 << 20, Log: log})
	tasks := b.Desk(docs, reqs)
	httpapi.Mount(api, &httpapi.API{Accounts: accounts, Docs: docs, Desk: tasks, Authz: enf, Inbox: store.Outbox, OrgName: testOrg})
	site := &web.Site{Accounts: accounts, Docs: docs, Desk: tasks, Consultations: cons, Requests: reqs, Cases: cases,
		OnRequest: &requests.OnRequest{Requests: reqs, Store: store.OnRequest},
		Reports:   &report.Reports{Store: store.ReportData, Auth: enf, Org: testOrg, Clock: clock}, Texts: store.Portal, Catalogue: b.Catalogue(tb), Compliance: b.Compliance(clock), SiteCode: "4110000001", ICP: "豫ICP备12345678号", Activity: store.Audit, Authz: enf, Inbox: store.Outbox, OrgName: testOrg, Log: log, Clock: clock,
		Files: b.Files(3 << 20), Admin: b.Admin(), Calendars: b.Calendars(), Audit: b.Audit(), CatalogueAdmin: b.CatalogueAdmin(), CityName: "测试市",
		Agencies: &agencies.Agencies{Store: store.Agencies, Auth: enf, Platform: len(portals) == 0, Clock: clock},
		Units: func(ctx context.Context) (map[string]string, error) {
			us, err := store.Orgs.Units(ctx)
			m := map[string]string{}
			for _, u := range us {
				m[u.Code] = u.Name
			}
			return m, err
		}}
	cityStore := postgres.NewCity(b.DB, clock)
	site.City = &city.City{Store: cityStore, Engine: engine, Auth: enf, AgencyURL: func(code string) string { return portals[code] },
		Platform: len(portals) == 0, Clock: clock}
	site.CityReports = &report.CityReports{Store: cityStore, Auth: enf, Name: "测试市", Platform: site.City.Platform}
	if err := web.Mount(api, site); err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(api)
	tb.Cleanup(srv.Close)
	portals[code] = srv.URL
	return &stack{t: tb, srv: srv, api: api, store: store, docs: docs, cons: cons, reqs: reqs, cases: cases, enf: enf, site: site,
		clock: clock, engine: engine, db: b.DB, agencies: portals}
}

// actor returns the workflow actor of a test user.
func (s *stack) actor(username string) workflow.Actor {
	s.t.Helper()
	u, err := s.store.Accounts.UserByUsername(context.Background(), username)
	if err != nil {
		s.t.Fatal(err)
	}
	return workflow.Actor{UserID: u.ID, Username: u.Username, Name: u.DisplayName}
}

func str(v string) *string { return &v }

// mustCreate creates a draft through the use case.
func (s *stack) mustCreate(user string, d documents.Draft) documents.Document {
	s.t.Helper()
	if d.Unit == "" {
		d.Unit = "chengjian"
	}
	doc, err := s.docs.Create(context.Background(), s.actor(user), d)
	if err != nil {
		s.t.Fatal(err)
	}
	return doc
}

// mustFire fires transitions through the use case: pairs of user and transition name.
func (s *stack) mustFire(d documents.Document, steps ...[2]string) documents.Document {
	s.t.Helper()
	for _, st := range steps {
		in := workflow.Input{}
		switch st[1] {
		case "return", "rereview", "disclose":
			in["opinion"] = "请修改后再报"
		case "sign":
			in["opinion"] = "同意"
		case "approve":
			if st[0] == "legal" {
				in["opinion"] = "审查同意"
			}
		case "publish":
			in["summary"] = "内容概述：" + d.Title
		}
		var err error
		if d, err = s.docs.Fire(context.Background(), s.actor(st[0]), d.ID, 0, st[1], in); err != nil {
			s.t.Fatalf("%s by %s: %v", st[1], st[0], err)
		}
	}
	return d
}

// mustPublished creates a 主动公开 document and walks it to publication.
func (s *stack) mustPublished(title, body string) documents.Document {
	s.t.Helper()
	d := s.mustCreate("drafter", documents.Draft{Title: str(title), Body: str(body), Attribute: str("主动公开"),
		SubjectCategory: str("城乡建设、环境保护\\住房保障"), DocNumber: str("测建〔2026〕1号")})
	return s.mustFire(d, [2]string{"drafter", "submit"}, [2]string{"unithead", "approve"}, [2]string{"leader", "sign"},
		[2]string{"officer", "publish"})
}

// processOutbox delivers the notifications waiting in the outbox, as the worker would.
func (s *stack) processOutbox() {
	s.t.Helper()
	ctx := context.Background()
	items, err := s.store.Outbox.PendingOutbox(ctx, time.Now(), time.Minute, 1000)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, it := range items {
		if _, err := s.store.Outbox.ProcessOutbox(ctx, it.ID, time.Now()); err != nil {
			s.t.Fatal(err)
		}
	}
}

// client is a browser-like HTTP client with its own cookies that does not follow redirects.
type client struct {
	s    *stack
	http *http.Client
}

func (s *stack) anon() *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return &client{s: s, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// login returns a client signed in as username through the login form.
func (s *stack) login(username string) *client {
	s.t.Helper()
	c := s.anon()
	resp := c.postForm("/console/login", url.Values{"username": {username}, "password": {testPassword}})
	if resp.status != http.StatusSeeOther {
		s.t.Fatalf("login %s: status %d: %s", username, resp.status, resp.body)
	}
	return c
}

type response struct {
	status int
	body   string
	header http.Header
}

func (c *client) do(req *http.Request) response {
	c.s.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.s.t.Fatal(err)
	}
	return response{status: resp.StatusCode, body: string(b), header: resp.Header}
}

func (c *client) get(path string) response {
	c.s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.s.srv.URL+path, nil)
	if err != nil {
		c.s.t.Fatal(err)
	}
	return c.do(req)
}

// postForm posts a form as a same-origin browser would (Sec-Fetch-Site: same-origin); header
// pairs override or add headers.
func (c *client) postForm(path string, form url.Values, header ...string) response {
	c.s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.s.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.s.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	return c.do(req)
}

// mustContain fails unless body holds every want.
func mustContain(tb testing.TB, what, body string, wants ...string) {
	tb.Helper()
	missing := false
	for _, w := range wants {
		if !strings.Contains(body, w) {
			tb.Errorf("%s: missing %q", what, w)
			missing = true
		}
	}
	if missing {
		tb.Logf("%s body:\n%s", what, excerpt(body))
	}
}

// mustNotContain fails if body holds any of bad.
func mustNotContain(tb testing.TB, what, body string, bad ...string) {
	tb.Helper()
	for _, b := range bad {
		if strings.Contains(body, b) {
			tb.Errorf("%s: unexpectedly contains %q", what, b)
		}
	}
}

func excerpt(s string) string {
	if len(s) > 6000 {
		return s[:6000] + "…"
	}
	return s
}
