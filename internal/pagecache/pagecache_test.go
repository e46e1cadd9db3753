package pagecache_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"wugongkai/internal/pagecache"
	"wugongkai/internal/postgres"
	"wugongkai/internal/postgres/pgtest"
	"wugongkai/internal/testkit"
	"wugongkai/migrations"
	"wugongkai/workflow"
	"wugongkai/workflow/consultations"
	"wugongkai/workflow/documents"
)

func init() { gin.SetMode(gin.ReleaseMode) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// node is one server process: a cache listening on the bureau's database and a public list
// drawn from the real public query.
type node struct {
	cache *pagecache.Cache
	srv   *httptest.Server
}

// openListener opens the PostgreSQL listener the service wires in.
func openListener(dsn string) pagecache.OpenListener {
	return func(changed func(up bool, err error)) pagecache.Listener { return postgres.NewListener(dsn, changed) }
}

func newNode(t *testing.T, dsn string, docs *documents.Documents) *node {
	t.Helper()
	c := pagecache.New(pagecache.Options{TTL: time.Hour}) // only a notification may drop an entry
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := pagecache.Listen(ctx, openListener(dsn), c, quiet); err != nil {
			t.Errorf("listen: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	r := gin.New()
	r.GET("/list", c.Handler(), func(g *gin.Context) {
		ds, _, err := docs.Public(g.Request.Context(), documents.PublicQuery{Limit: 50}, "")
		if err != nil {
			g.String(http.StatusInternalServerError, err.Error())
			return
		}
		var titles []string
		for _, d := range ds {
			titles = append(titles, d.Title)
		}
		g.String(http.StatusOK, "[%s]", strings.Join(titles, "|"))
	})
	// A document's page, as the portal's is: drawn from the public query, long enough to compress.
	r.GET("/documents/:id", c.Handler(), func(g *gin.Context) {
		id, _ := strconv.ParseInt(g.Param("id"), 10, 64)
		d, err := docs.PublicDocument(g.Request.Context(), id)
		if err != nil {
			g.String(http.StatusNotFound, err.Error())
			return
		}
		g.String(http.StatusOK, "<h1>%s</h1><p>%s</p><p>有效性：%s</p>%s", d.Title, d.Body, d.Validity, strings.Repeat("<p>"+d.Body+"</p>", 100))
	})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	waitFor(t, "listener up", c.Live)
	return &node{cache: c, srv: srv}
}

func (n *node) get(t *testing.T, header ...string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, n.srv.URL+"/list", nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type bureau struct {
	*testkit.Bureau
	dsn  string
	docs *documents.Documents
}

func newBureau(t *testing.T) *bureau {
	b := testkit.NewBureau(t, "测试局", []testkit.Unit{{Code: "chengjian", Name: "城建科"}}, []testkit.User{
		{Name: "drafter", Display: "王起草", Role: "drafter", Unit: "chengjian"},
		{Name: "unithead", Display: "李科长", Role: "unit_head", Unit: "chengjian"},
		{Name: "leader", Display: "张局长", Role: "leader", Unit: "*"},
		{Name: "officer", Display: "周公开", Role: "disclosure_officer", Unit: "*"},
	})
	var name string
	if err := b.DB.QueryRowContext(context.Background(), `SELECT current_database()`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	dsn, err := postgres.WithDatabase(pgtest.BaseURL(), name)
	if err != nil {
		t.Fatal(err)
	}
	return &bureau{Bureau: b, dsn: dsn, docs: b.Documents(nil)}
}

func (b *bureau) actor(t *testing.T, name string) workflow.Actor {
	u, err := b.Stores.Accounts.UserByUsername(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return workflow.Actor{UserID: u.ID, Username: u.Username, Name: u.DisplayName}
}

func (b *bureau) draft(t *testing.T, title string) documents.Document {
	s := func(v string) *string { return &v }
	d, err := b.docs.Create(context.Background(), b.actor(t, "drafter"), documents.Draft{Unit: "chengjian", Title: s(title),
		Body: s("正文"), Attribute: s("主动公开"), SubjectCategory: s("城乡建设、环境保护\\住房保障"), DocNumber: s("测建〔2026〕1号")})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (b *bureau) fire(t *testing.T, d documents.Document, steps ...[2]string) documents.Document {
	for _, st := range steps {
		in := workflow.Input{}
		switch st[1] {
		case "sign":
			in["opinion"] = "同意"
		case "publish":
			in["summary"] = "内容概述"
		}
		var err error
		if d, err = b.docs.Fire(context.Background(), b.actor(t, st[0]), d.ID, 0, st[1], in); err != nil {
			t.Fatalf("%s: %v", st[1], err)
		}
	}
	return d
}

// Two nodes cache the public list; publishing on either side of them reaches both at once, while
// work on drafts leaves their entries alone.
func TestPublicationReachesEveryNode(t *testing.T) {
	b := newBureau(t)
	a, c := newNode(t, b.dsn, b.docs), newNode(t, b.dsn, b.docs)
	for _, n := range []*node{a, c} {
		if _, body, h := n.get(t); body != "[]" || h.Get("X-Cache") != "" {
			t.Fatalf("first fetch = %q (X-Cache %q), want an empty list rendered", body, h.Get("X-Cache"))
		}
		if _, body, h := n.get(t); body != "[]" || h.Get("X-Cache") != "hit" {
			t.Fatalf("second fetch = %q (X-Cache %q), want the cached empty list", body, h.Get("X-Cache"))
		}
	}
	d := b.draft(t, "关于住房租赁补贴的通知")
	d = b.fire(t, d, [2]string{"drafter", "submit"}, [2]string{"unithead", "approve"}, [2]string{"leader", "sign"})
	time.Sleep(200 * time.Millisecond) // a notification, had a draft sent one, would have arrived
	for _, n := range []*node{a, c} {
		if _, body, h := n.get(t); body != "[]" || h.Get("X-Cache") != "hit" {
			t.Fatalf("after work on a draft: %q (X-Cache %q), want the entry kept", body, h.Get("X-Cache"))
		}
	}
	b.fire(t, d, [2]string{"officer", "publish"})
	for _, n := range []*node{a, c} {
		waitFor(t, "the published document on every node", func() bool {
			_, body, _ := n.get(t)
			return body == "[关于住房租赁补贴的通知]"
		})
	}
	_, _, h := a.get(t)
	if h.Get("X-Cache") != "hit" || h.Get("ETag") == "" {
		t.Fatalf("fresh entry not cached: X-Cache %q ETag %q", h.Get("X-Cache"), h.Get("ETag"))
	}
	if st, body, _ := a.get(t, "If-None-Match", h.Get("ETag")); st != http.StatusNotModified || body != "" {
		t.Fatalf("revalidation with the ETag = %d %q, want 304 and no body", st, body)
	}
	if st, _, _ := a.get(t, "If-None-Match", `"other"`); st != http.StatusOK {
		t.Fatalf("revalidation with another ETag = %d, want 200", st)
	}
}

// When the notification connection drops, the cache stops serving until it is listening again,
// and what it held before is gone: a change made meanwhile is never hidden.
func TestLostConnectionEmptiesTheCache(t *testing.T) {
	b := newBureau(t)
	n := newNode(t, b.dsn, b.docs)
	n.get(t)
	if _, _, h := n.get(t); h.Get("X-Cache") != "hit" {
		t.Fatal("not cached")
	}
	var killed int
	if err := b.DB.QueryRowContext(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query ILIKE 'listen%'`).Scan(&killed); err != nil || killed != 1 {
		t.Fatalf("terminate the listener: %d, %v", killed, err)
	}
	waitFor(t, "the cache to go off", func() bool { return !n.cache.Live() })
	if n.cache.Len() != 0 {
		t.Fatalf("%d entries kept after the connection was lost", n.cache.Len())
	}
	waitFor(t, "the listener to come back", n.cache.Live)
	if _, _, h := n.get(t); h.Get("X-Cache") == "hit" {
		t.Fatal("served an entry from before the reconnection")
	}
	if _, _, h := n.get(t); h.Get("X-Cache") != "hit" {
		t.Fatal("not caching after the reconnection")
	}
}

// A response rendered while an invalidation arrived is not kept, and without a listener nothing is.
func TestStaleRendersAreNotKept(t *testing.T) {
	c := pagecache.New(pagecache.Options{TTL: time.Hour})
	r := gin.New()
	renders := 0
	r.GET("/racy", c.Handler(), func(g *gin.Context) {
		renders++
		c.Invalidate() // a change committed while this page was being drawn
		g.String(http.StatusOK, "old")
	})
	r.GET("/plain", c.Handler(), func(g *gin.Context) {
		renders++
		g.String(http.StatusOK, "x")
	})
	r.GET("/missing", c.Handler(), func(g *gin.Context) {
		renders++
		g.String(http.StatusNotFound, "no")
	})
	get := func(path string) {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	}
	get("/plain")
	get("/plain")
	if renders != 2 || c.Len() != 0 {
		t.Fatalf("not live yet: %d renders, %d entries; want 2 and 0", renders, c.Len())
	}
	c.SetLive(true)
	renders = 0
	for range 3 {
		get("/racy")
		get("/missing")
	}
	if renders != 6 {
		t.Fatalf("%d renders of 6 requests: a stale or failed answer was kept", renders)
	}
	get("/plain")
	get("/plain")
	if renders != 7 {
		t.Fatalf("%d renders, want 7: the plain page should be cached", renders)
	}
}

// The cache stays within its bounds.
func TestBounds(t *testing.T) {
	c := pagecache.New(pagecache.Options{TTL: time.Hour, MaxEntries: 3, MaxBytes: 1000, MaxBody: 400})
	c.SetLive(true)
	r := gin.New()
	r.GET("/p/:n", c.Handler(), func(g *gin.Context) {
		g.String(http.StatusOK, strings.Repeat("x", 100))
	})
	r.GET("/big", c.Handler(), func(g *gin.Context) {
		g.String(http.StatusOK, strings.Repeat("y", 500))
	})
	for i := range 10 {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/p/"+string(rune('a'+i)), nil))
		if w.Body.Len() != 100 {
			t.Fatalf("body %d bytes", w.Body.Len())
		}
		if c.Len() > 3 {
			t.Fatalf("%d entries, bound is 3", c.Len())
		}
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/big", nil))
	if w.Body.Len() != 500 {
		t.Fatalf("big body %d bytes, want 500 passed through", w.Body.Len())
	}
	w = httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/big", nil))
	if w.Header().Get("X-Cache") == "hit" {
		t.Fatal("a body over MaxBody was cached")
	}
}

// The trigger's list of public states is the workflow's.
func TestTriggerKnowsThePublicStates(t *testing.T) {
	b, err := migrations.FS.ReadFile("000005_public_changes.up.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range consultations.PublicConsultationStates() {
		if !strings.Contains(string(b), "'"+st+"'") {
			t.Errorf("migration 000005 does not notify changes in state %s, which the public sees", st)
		}
	}
}

// A burst of visitors to a page that is not cached renders it once; the others get that render.
func TestBurstRendersOnce(t *testing.T) {
	c := pagecache.New(pagecache.Options{TTL: time.Hour})
	c.SetLive(true)
	var renders atomic.Int32
	r := gin.New()
	r.GET("/slow", c.Handler(), func(g *gin.Context) {
		renders.Add(1)
		time.Sleep(200 * time.Millisecond)
		g.String(http.StatusOK, "page")
	})
	srv := httptest.NewServer(r)
	defer srv.Close()
	var wg sync.WaitGroup
	bodies := make([]string, 20)
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(srv.URL + "/slow")
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			bodies[i] = string(b)
		}()
	}
	wg.Wait()
	if n := renders.Load(); n != 1 {
		t.Errorf("%d renders for 20 concurrent visitors, want 1", n)
	}
	for i, b := range bodies {
		if b != "page" {
			t.Errorf("visitor %d got %q", i, b)
		}
	}
}

// Only a successful answer is kept, and a hit replays what the first client was sent: an error
// written by an outer middleware after the chain (as the API's problem middleware does) is never
// turned into an empty 200, nor are 400s and 500s kept.
func TestOnlySuccessIsCachedAsSent(t *testing.T) {
	c := pagecache.New(pagecache.Options{TTL: time.Hour})
	c.SetLive(true)
	r := gin.New()
	r.Use(func(g *gin.Context) { // like httpapi's errorMiddleware
		g.Next()
		if len(g.Errors) > 0 && !g.Writer.Written() {
			g.Header("Content-Type", "application/problem+json; charset=utf-8")
			g.AbortWithStatusJSON(http.StatusNotFound, gin.H{"title": "未找到"})
		}
	})
	r.GET("/missing", c.Handler(), func(g *gin.Context) { _ = g.Error(io.EOF) })
	r.GET("/bad", c.Handler(), func(g *gin.Context) { g.String(http.StatusBadRequest, "参数错误") })
	r.GET("/boom", c.Handler(), func(g *gin.Context) { g.String(http.StatusInternalServerError, "内部错误") })
	r.GET("/ok", c.Handler(), func(g *gin.Context) {
		g.Header("Content-Language", "zh-CN")
		g.Header("Content-Disposition", "inline")
		g.Header("X-Request-Id", "per-response")
		g.Data(http.StatusOK, "application/atom+xml; charset=utf-8", []byte("<feed/>"))
	})
	srv := httptest.NewServer(r)
	defer srv.Close()
	get := func(path string) (int, string, http.Header) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	for _, tc := range []struct {
		path string
		want int
	}{{"/missing", 404}, {"/bad", 400}, {"/boom", 500}} {
		st1, body1, _ := get(tc.path)
		st2, body2, h2 := get(tc.path)
		if st1 != tc.want || st2 != tc.want || body2 != body1 || body2 == "" || h2.Get("X-Cache") != "" {
			t.Errorf("%s: %d %q then %d %q (X-Cache %q), want %d twice, never from the cache",
				tc.path, st1, body1, st2, body2, h2.Get("X-Cache"), tc.want)
		}
	}
	_, body1, h1 := get("/ok")
	st, body2, h2 := get("/ok")
	if st != http.StatusOK || h2.Get("X-Cache") != "hit" || body2 != body1 {
		t.Fatalf("/ok second = %d %q (X-Cache %q), want the cached %q", st, body2, h2.Get("X-Cache"), body1)
	}
	for _, k := range []string{"Content-Type", "Content-Language", "Content-Disposition"} {
		if h2.Get(k) != h1.Get(k) {
			t.Errorf("hit %s = %q, sent first %q", k, h2.Get(k), h1.Get(k))
		}
	}
	if h2.Get("X-Request-Id") != "" {
		t.Errorf("hit replayed the first response's request id")
	}
	if hits, _, stores := c.Stats(); stores != 1 || hits != 1 {
		t.Errorf("stats: %d hits, %d stores; want 1 and 1", hits, stores)
	}
}

// A document's page is cached per host and path: a hit carries an ETag and answers a matching
// If-None-Match with 304, a client accepting gzip gets the same page compressed, and a change to
// the document (its validity) changes the page and its ETag at once, by the notification.
func TestDocumentPageETagGzipAndChange(t *testing.T) {
	b := newBureau(t)
	n := newNode(t, b.dsn, b.docs)
	d := b.fire(t, b.draft(t, "关于公共租赁住房保障的通知"), [2]string{"drafter", "submit"}, [2]string{"unithead", "approve"},
		[2]string{"leader", "sign"}, [2]string{"officer", "publish"})
	// raw sees the bytes on the wire: no transparent decompression.
	raw := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	get := func(host string, header ...string) (int, []byte, http.Header) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/documents/%d", n.srv.URL, d.ID), nil)
		if host != "" {
			req.Host = host
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := raw.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, body, resp.Header
	}
	waitFor(t, "the published page cached", func() bool {
		_, body, h := get("")
		return bytes.Contains(body, []byte("有效性：有效")) && h.Get("X-Cache") == "hit"
	})
	st, plain, h := get("")
	etag := h.Get("ETag")
	if st != http.StatusOK || h.Get("X-Cache") != "hit" || etag == "" || h.Get("Content-Encoding") != "" ||
		!strings.Contains(h.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("second fetch: %d, headers %v", st, h)
	}
	if st, body, _ := get("", "If-None-Match", etag); st != http.StatusNotModified || len(body) != 0 {
		t.Fatalf("If-None-Match with the ETag: %d %q, want 304 and no body", st, body)
	}
	st, gz, gh := get("", "Accept-Encoding", "gzip, deflate, br")
	if st != http.StatusOK || gh.Get("Content-Encoding") != "gzip" || len(gz) >= len(plain) || gh.Get("ETag") == etag {
		t.Fatalf("gzip fetch: %d, %d bytes (plain %d), headers %v", st, len(gz), len(plain), gh)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(unzipped, plain) {
		t.Fatalf("gzip body does not decompress to the plain body (err %v)", err)
	}
	if st, _, _ := get("", "Accept-Encoding", "gzip", "If-None-Match", gh.Get("ETag")); st != http.StatusNotModified {
		t.Fatalf("If-None-Match with the gzip ETag: %d, want 304", st)
	}
	if st, _, h := get("", "Accept-Encoding", "gzip;q=0"); st != http.StatusOK || h.Get("Content-Encoding") != "" {
		t.Fatalf("gzip;q=0 got Content-Encoding %q", h.Get("Content-Encoding"))
	}
	// Another host is another entry (another agency's portal on the same process).
	if _, _, h := get("other.example.gov.cn"); h.Get("X-Cache") != "" {
		t.Fatalf("another host was answered from this host's entry")
	}

	if _, err := b.docs.ChangeValidity(context.Background(), b.actor(t, "officer"), d.ID, 0, documents.ValidityRepealed, ""); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the change on the page", func() bool {
		_, body, _ := get("")
		return bytes.Contains(body, []byte("有效性：废止"))
	})
	if st, body, h := get("", "If-None-Match", etag); st != http.StatusOK || h.Get("ETag") == etag || bytes.Equal(body, plain) {
		t.Fatalf("after the change, the old ETag: %d (ETag %q, was %q)", st, h.Get("ETag"), etag)
	}
}

// TestCacheKeepsAgenciesApart: one cache serves every agency of a platform, each on its own host;
// a page cached for one host is never the answer on another.
func TestCacheKeepsAgenciesApart(t *testing.T) {
	dsn := pgtest.NewURL(t)
	c := pagecache.New(pagecache.Options{TTL: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = pagecache.Listen(ctx, openListener(dsn), c, quiet)
	}()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, "listener up", c.Live)
	var renders atomic.Int32
	r := gin.New()
	r.GET("/", c.Handler(), func(g *gin.Context) {
		renders.Add(1)
		g.String(http.StatusOK, "portal of %s", g.Request.Host)
	})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	get := func(host string) string {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	for i := 0; i < 2; i++ {
		if got := get("zjj.example"); got != "portal of zjj.example" {
			t.Fatalf("zjj: %q", got)
		}
		if got := get("fgw.example"); got != "portal of fgw.example" {
			t.Fatalf("fgw is served zjj's page: %q", got)
		}
	}
	if n := renders.Load(); n != 2 {
		t.Errorf("%d renders, want one per host", n)
	}
}
