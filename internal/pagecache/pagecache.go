// Package pagecache keeps rendered public responses (the portal's document list and pages, the
// public JSON API) in memory and throws them all away when public data changes.
//
// Invalidation is by generation: every entry remembers the generation current when its request
// began, and is served only while that is still the current generation. A trigger on documents
// (migrations/000005) sends NOTIFY wugongkai_public in the transaction that changes a row the
// public can see; PostgreSQL delivers it after the commit to every process listening (Listen), on
// every node, and each bumps its generation. A response rendered from data read before a change
// therefore never outlives the notification, even if it is stored after it. While the listener is
// not connected notifications can be lost, so nothing is cached until it is back (and the
// generation is bumped when it reconnects). Entries also expire after a TTL, which bounds what
// changes without a documents row changing (a consultation opening by the clock before the sweep
// fires it, comment counts beside the list).
//
// Entries are keyed by host and request URI (one process may serve several agencies' portals on
// different hosts). A hit carries an ETag (a hash of the body) and answers If-None-Match with 304;
// a client that accepts gzip gets the body compressed, compressed once per entry at the first
// such hit and kept beside the plain body.
package pagecache

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
)

// Channel is the PostgreSQL notification channel of changes to public data.
const Channel = "wugongkai_public"

// Options configures a Cache.
type Options struct {
	TTL        time.Duration // how long an entry may be served at most; 0 = 60 s
	MaxEntries int           // 0 = 100,000
	MaxBytes   int           // total body bytes kept; 0 = 256 MiB
	MaxBody    int           // larger responses are not kept; 0 = 1 MiB
}

// Cache is an in-memory cache of public GET responses. The zero value is not usable; call New.
// A nil *Cache caches nothing.
type Cache struct {
	opts Options

	gen  atomic.Uint64
	live atomic.Bool // a listener is connected (or none is needed: see SetLive)

	mu       sync.RWMutex
	entries  map[string]*entry
	inflight map[string]chan struct{} // pages being rendered, closed when done
	bytes    int

	hits, misses, stores atomic.Uint64
}

type entry struct {
	gen    uint64
	at     time.Time
	header http.Header // what the client was sent, less what is per response (see replayed)
	etag   string
	body   []byte

	gzOnce sync.Once
	gz     []byte // body gzipped (nil until a client accepting gzip asked, or if it does not shrink)
	gzEtag string
}

// minGzip is the smallest body worth compressing.
const minGzip = 512

// gzipped returns e's body compressed with its ETag, compressing it at the first call; nil when
// compression does not make it smaller. Memory: the compressed copies are not counted against
// MaxBytes, and are never larger than the bodies that are.
func (e *entry) gzipped() ([]byte, string) {
	e.gzOnce.Do(func() {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		if _, err := zw.Write(e.body); err != nil || zw.Close() != nil || b.Len() >= len(e.body) {
			return
		}
		e.gz = b.Bytes()
		e.gzEtag = strings.TrimSuffix(e.etag, `"`) + `-gz"`
	})
	return e.gz, e.gzEtag
}

// acceptsGzip reports whether the request's Accept-Encoding admits gzip.
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if !strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.TrimSpace(name) != "*" {
				continue
			}
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// perResponse lists the headers that belong to one response and are never replayed: the request
// id, the date, and those the cache sets itself.
var perResponse = []string{"X-Request-Id", "Date", "Content-Length", "Etag", "X-Cache", "Cache-Control", "Set-Cookie",
	"Content-Encoding", "Vary"}

// New returns an empty cache. It caches nothing until SetLive(true) or a connected Listen.
func New(o Options) *Cache {
	if o.TTL <= 0 {
		o.TTL = time.Minute
	}
	// Large enough for every public page of a city's agencies, a few tens of thousands of
	// documents in two forms (HTML and JSON) of a few kilobytes each: a portal whose pages do not
	// fit renders most of them on every visit (docs/performance.md).
	if o.MaxEntries <= 0 {
		o.MaxEntries = 100000
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 256 << 20
	}
	if o.MaxBody <= 0 {
		o.MaxBody = 1 << 20
	}
	return &Cache{opts: o, entries: map[string]*entry{}, inflight: map[string]chan struct{}{}}
}

// Invalidate makes every entry stale: a change to public data was committed.
func (c *Cache) Invalidate() {
	if c == nil {
		return
	}
	c.gen.Add(1)
	c.mu.Lock()
	clear(c.entries)
	c.bytes = 0
	c.mu.Unlock()
}

// SetLive says whether changes are being heard. Listen sets it; a single-process test with no
// listener may set it by hand and call Invalidate itself.
func (c *Cache) SetLive(live bool) {
	if c == nil {
		return
	}
	if !live {
		c.Invalidate()
	}
	c.live.Store(live)
}

// Live reports whether the cache serves entries (a listener is connected).
func (c *Cache) Live() bool { return c != nil && c.live.Load() }

// Len returns the number of entries held.
func (c *Cache) Len() int {
	if c == nil {
		return 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}

// Stats returns how many lookups were served from the cache, how many were not, and how many
// responses were stored.
func (c *Cache) Stats() (hits, misses, stores uint64) {
	if c == nil {
		return 0, 0, 0
	}
	return c.hits.Load(), c.misses.Load(), c.stores.Load()
}

// Handler is gin middleware for a public GET route: it answers from the cache, or runs the rest
// of the chain and keeps a 200 answer that was actually written by the chain (an error recorded
// with c.Error and written later by an outer middleware is never kept), with the headers and body
// the client was sent. Responses carry an ETag and "Cache-Control: no-cache" (a
// browser may keep them but must revalidate, which costs a 304), and "Vary: Accept-Encoding".
// Entries are keyed by the host
// and the full URI: one cache serves every agency of a platform, each on its own host, and never
// answers one agency's request with another's page.
func (c *Cache) Handler() gin.HandlerFunc {
	return func(g *gin.Context) {
		if c == nil || (g.Request.Method != http.MethodGet && g.Request.Method != http.MethodHead) || !c.live.Load() {
			g.Next()
			return
		}
		key := strings.ToLower(g.Request.Host) + g.Request.URL.RequestURI()
		if c.serveCurrent(g, key) {
			return
		}
		// One render per page at a time: the others asking for it meanwhile wait for that render
		// (a burst of visitors after a publication costs one query, not one each).
		if wait, leader := c.join(key); !leader {
			select {
			case <-wait:
			case <-g.Request.Context().Done():
			case <-time.After(5 * time.Second):
			}
			if c.serveCurrent(g, key) {
				return
			}
		} else {
			defer c.leave(key, wait)
		}
		gen := c.gen.Load()
		c.misses.Add(1)
		w := &recorder{ResponseWriter: g.Writer, limit: c.opts.MaxBody}
		g.Writer = w
		g.Writer.Header().Set("Cache-Control", "no-cache")
		g.Writer.Header().Set("Vary", "Accept-Encoding")
		g.Next()
		g.Writer = w.ResponseWriter
		if !w.Written() || w.Status() != http.StatusOK || len(g.Errors) > 0 || w.over ||
			g.Request.Method != http.MethodGet || w.Header().Get("Set-Cookie") != "" || w.Header().Get("Content-Encoding") != "" {
			return
		}
		h := w.Header().Clone()
		for _, k := range perResponse {
			h.Del(k)
		}
		c.store(key, &entry{gen: gen, at: time.Now(), header: h, body: w.buf.Bytes()})
	}
}

// serveCurrent answers from a current entry for key, if there is one.
func (c *Cache) serveCurrent(g *gin.Context, key string) bool {
	gen := c.gen.Load()
	c.mu.RLock()
	e := c.entries[key]
	c.mu.RUnlock()
	if e == nil || e.gen != gen || time.Since(e.at) >= c.opts.TTL {
		return false
	}
	c.hits.Add(1)
	c.serve(g, e)
	g.Abort()
	return true
}

// join registers a render of key. The first caller is the leader (it renders, then calls leave);
// the others get the channel closed when the leader is done.
func (c *Cache) join(key string) (chan struct{}, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch, ok := c.inflight[key]; ok {
		return ch, false
	}
	ch := make(chan struct{})
	c.inflight[key] = ch
	return ch, true
}

func (c *Cache) leave(key string, ch chan struct{}) {
	c.mu.Lock()
	delete(c.inflight, key)
	c.mu.Unlock()
	close(ch)
}

func (c *Cache) serve(g *gin.Context, e *entry) {
	h := g.Writer.Header()
	for k, v := range e.header {
		h[k] = append([]string(nil), v...)
	}
	body, etag := e.body, e.etag
	if len(e.body) >= minGzip && acceptsGzip(g.Request) {
		if gz, gzEtag := e.gzipped(); gz != nil {
			body, etag = gz, gzEtag
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("Cache-Control", "no-cache")
	h.Set("Vary", "Accept-Encoding")
	h.Set("ETag", etag)
	h.Set("X-Cache", "hit")
	if match := g.GetHeader("If-None-Match"); match != "" && etagMatches(match, etag) {
		h.Del("Content-Encoding")
		g.Status(http.StatusNotModified)
		g.Writer.WriteHeaderNow()
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	g.Status(http.StatusOK)
	if g.Request.Method == http.MethodHead {
		g.Writer.WriteHeaderNow()
		return
	}
	_, _ = g.Writer.Write(body)
}

func (c *Cache) store(key string, e *entry) {
	sum := sha256.Sum256(e.body)
	e.etag = `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.gen != c.gen.Load() { // invalidated while rendering: the body may be stale
		return
	}
	if old := c.entries[key]; old != nil {
		c.bytes -= len(old.body)
		delete(c.entries, key)
	}
	// Evict arbitrary entries (Go's map order) until the new one fits: a public site's hot pages
	// come back at once, and the bound is what matters.
	for k, old := range c.entries {
		if len(c.entries) < c.opts.MaxEntries && c.bytes+len(e.body) <= c.opts.MaxBytes {
			break
		}
		c.bytes -= len(old.body)
		delete(c.entries, k)
	}
	if c.bytes+len(e.body) > c.opts.MaxBytes {
		return
	}
	c.entries[key] = e
	c.bytes += len(e.body)
	c.stores.Add(1)
}

func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// recorder passes the response through and keeps a copy of the body up to limit bytes.
type recorder struct {
	gin.ResponseWriter
	buf   bytes.Buffer
	limit int
	over  bool
}

func (r *recorder) Write(b []byte) (int, error) {
	r.keep(b)
	return r.ResponseWriter.Write(b)
}

func (r *recorder) WriteString(s string) (int, error) {
	r.keep([]byte(s))
	return r.ResponseWriter.WriteString(s)
}

func (r *recorder) keep(b []byte) {
	if r.over {
		return
	}
	if r.buf.Len()+len(b) > r.limit {
		r.over = true
		r.buf = bytes.Buffer{}
		return
	}
	r.buf.Write(b)
}

// Listener is a PostgreSQL connection that LISTENs and reconnects by itself (postgres.Listener).
type Listener interface {
	// Listen waits for the first connection and returns once LISTEN channel has run on it.
	Listen(channel string) error
	// Notify receives once per notification (a reconnection is reported through changed(true));
	// it is closed when the listener closes.
	Notify() <-chan struct{}
	Ping() error
	Close() error
}

// OpenListener opens a Listener that calls changed with up=false when its connection is lost or
// a reconnection attempt fails, and with up=true once a reconnection has issued LISTEN again.
type OpenListener func(changed func(up bool, err error)) Listener

// Listen keeps a connection to PostgreSQL (opened by open) listening on Channel until ctx ends,
// invalidating c on every notification. The cache is live only while the connection is up and
// listening; on every reconnection c is invalidated, since notifications sent while it was down
// are lost. Listen returns when ctx ends, or with an error if the first LISTEN fails.
func Listen(ctx context.Context, open OpenListener, c *Cache, log *slog.Logger) error {
	if log == nil {
		log = slog.Default()
	}
	changed := func(up bool, err error) {
		if up {
			c.Invalidate()
			c.SetLive(true)
			log.Info("public page cache listening again")
			return
		}
		if c.live.Load() {
			log.Warn("public page cache off: lost the notification connection", "err", err)
		}
		c.SetLive(false)
	}
	l := open(changed)
	stop := context.AfterFunc(ctx, func() { _ = l.Close() })
	defer stop()
	defer func() { _ = l.Close() }()
	defer c.SetLive(false)
	// Listen waits for the first connection and returns once LISTEN has run on it.
	if err := l.Listen(Channel); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	c.Invalidate()
	c.SetLive(true)
	ping := time.NewTicker(30 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case _, ok := <-l.Notify():
			if !ok {
				return nil
			}
			c.Invalidate()
		case <-ping.C:
			if err := l.Ping(); err != nil {
				log.Warn("public page cache: notification connection ping failed", "err", err)
			}
		}
	}
}
