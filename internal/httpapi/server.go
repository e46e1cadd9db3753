// Package httpapi is the JSON API of wugongkai under /api/v1 (gin), the health and metrics
// endpoints, and the middleware every request passes: request ids, access logs, metrics, body
// limits, authentication, authorization and the one mapping of error codes to problem+json.
package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"wugongkai/internal/httpkit"
	"wugongkai/workflow"
)

const ctxRequestID = "request_id"

// Pinger is a dependency /readyz checks.
type Pinger interface {
	Ping(ctx context.Context) error
}

// PingFunc adapts a function to Pinger.
type PingFunc func(ctx context.Context) error

// Ping calls f.
func (f PingFunc) Ping(ctx context.Context) error { return f(ctx) }

// Route is one registered endpoint and the permission it requires.
type Route struct {
	Method     string
	Path       string
	Permission string
}

// Options configures the server.
type Options struct {
	MaxBodyBytes int64
	// Metrics serves /metrics on this (public) server. Off by default: the figures (outbox,
	// deadlines, queue) are for the operator, who serves MetricsHandler on a private address.
	Metrics  bool
	Ready    map[string]Pinger // name → dependency, checked by /readyz
	Registry *prometheus.Registry
	Log      *slog.Logger
}

// Server is the gin engine with the route table.
type Server struct {
	Engine *gin.Engine
	opts   Options
	log    *slog.Logger
	routes []Route
	// streamed are the routes ("METHOD path") whose handlers read a large body as it arrives,
	// with their body limits (StreamBody).
	streamed map[string]int64

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	transitions  *prometheus.CounterVec
}

// New returns a server with the health, readiness and metrics endpoints and the common middleware.
func New(opts Options) *Server {
	gin.SetMode(gin.ReleaseMode)
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	s := &Server{Engine: gin.New(), opts: opts, log: opts.Log}
	s.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "wugongkai_http_requests_total", Help: "HTTP requests by route and status."},
		[]string{"method", "route", "status"})
	s.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "wugongkai_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}},
		[]string{"method", "route"})
	s.transitions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "wugongkai_transitions_total", Help: "Workflow transitions fired through the API."},
		[]string{"definition", "transition"})
	// The agencies of a platform each have a server over one registry: they share the collectors.
	s.httpRequests = registerOnce(opts.Registry, s.httpRequests)
	s.httpDuration = registerOnce(opts.Registry, s.httpDuration)
	s.transitions = registerOnce(opts.Registry, s.transitions)

	s.Engine.ContextWithFallback = true
	s.Engine.HandleMethodNotAllowed = true
	s.Engine.Use(s.requestID, s.accessLog, s.recoverer, errorMiddleware(s.log), s.limitHeaders, s.limitBody, s.checkTextInputs)
	s.Engine.NoRoute(func(c *gin.Context) {
		if !strings.HasPrefix(c.Request.URL.Path, "/api/") && strings.Contains(c.GetHeader("Accept"), "text/html") {
			c.Header("Content-Type", "text/html; charset=utf-8")
			c.String(http.StatusNotFound, notFoundPage)
			return
		}
		WriteProblem(c, s.log, workflow.Errorf(workflow.ENotFound, "页面或接口不存在：%s", c.Request.URL.Path))
	})
	s.Engine.NoMethod(func(c *gin.Context) {
		// gin has already set Allow to the methods the path does take.
		p := ProblemOf(&workflow.Error{Code: workflow.EInvalid, Message: "此地址不支持 " + c.Request.Method + " 请求方法",
			Details: map[string]any{"reason": "method_not_allowed"}}, c.GetString(ctxRequestID))
		p.Status, p.Title = http.StatusMethodNotAllowed, "请求方法不允许"
		c.Header("Content-Type", "application/problem+json; charset=utf-8")
		c.AbortWithStatusJSON(http.StatusMethodNotAllowed, p)
	})

	groups := []string{"server"}
	handlers := map[string]gin.HandlerFunc{
		"server.healthz": func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) },
		"server.readyz":  s.ready,
	}
	if opts.Metrics {
		groups = append(groups, "metrics")
		handlers["metrics.metrics"] = gin.WrapH(MetricsHandler(opts.Registry))
	}
	httpkit.Mount(httpkit.API, groups, handlers, func(r httpkit.Route, h gin.HandlerFunc) { s.Handle(r.Method, r.Path, r.Permission, h) })
	return s
}

// registerOnce registers c on reg, or returns the equal collector registered before.
func registerOnce[C prometheus.Collector](reg *prometheus.Registry, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic(err)
	}
	return c
}

// MetricsHandler serves the Prometheus metrics of reg, for a listener of its own.
func MetricsHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// CrossOriginRefused is the deny handler of http.CrossOriginProtection: a cross-site
// state-changing request from a browser gets a Chinese problem+json 403.
func CrossOriginRefused(log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := ProblemOf(&workflow.Error{Code: workflow.EForbidden, Message: "请求来自其他网站，已被拒绝。请回到本站页面重新提交。",
			Details: map[string]any{"reason": "cross_origin"}}, "")
		log.Info("cross-origin request refused", "path", r.URL.Path, "origin", r.Header.Get("Origin"))
		w.Header().Set("Content-Type", "application/problem+json; charset=utf-8")
		w.WriteHeader(p.Status)
		_ = json.NewEncoder(w).Encode(p)
	})
}

// Log returns the server's logger.
func (s *Server) Log() *slog.Logger { return s.log }

// Handle registers a route with the permission it needs. Every route names one: the route table
// test walks them all.
func (s *Server) Handle(method, path, permission string, handlers ...gin.HandlerFunc) {
	if permission == "" {
		panic(fmt.Sprintf("route %s %s declares no permission", method, path))
	}
	s.routes = append(s.routes, Route{Method: method, Path: path, Permission: permission})
	s.Engine.Handle(method, path, handlers...)
}

// StreamBody declares that the route method path takes a body of up to limit bytes, which its
// handler reads as it arrives (a file upload): the server's body limit does not apply to it, and
// its form body is not parsed in advance (the handler checks its text fields itself).
func (s *Server) StreamBody(method, path string, limit int64) {
	if s.streamed == nil {
		s.streamed = map[string]int64{}
	}
	s.streamed[method+" "+path] = limit
}

// bodyLimit returns the body limit of the request's route and whether it is a streamed one.
func (s *Server) bodyLimit(c *gin.Context) (int64, bool) {
	if limit, ok := s.streamed[c.Request.Method+" "+c.FullPath()]; ok {
		return limit, true
	}
	return s.opts.MaxBodyBytes, false
}

// Routes returns the registered routes, sorted.
func (s *Server) Routes() []Route {
	out := append([]Route(nil), s.routes...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.Engine.ServeHTTP(w, r) }

func (s *Server) ready(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	checks := gin.H{}
	ok := true
	names := make([]string, 0, len(s.opts.Ready))
	for n := range s.opts.Ready {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := s.opts.Ready[n].Ping(ctx); err != nil {
			ok = false
			checks[n] = "unavailable: " + err.Error()
		} else {
			checks[n] = "ok"
		}
	}
	if !ok {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "checks": checks})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "checks": checks})
}

func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-Id")
	if id == "" || len(id) > 64 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	c.Set(ctxRequestID, id)
	c.Header("X-Request-Id", id)
	c.Next()
}

func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	d := time.Since(start)
	status := c.Writer.Status()
	s.httpRequests.WithLabelValues(c.Request.Method, route, strconv.Itoa(status)).Inc()
	s.httpDuration.WithLabelValues(c.Request.Method, route).Observe(d.Seconds())
	level := slog.LevelDebug
	if status >= 500 {
		level = slog.LevelError
	} else if status >= 400 {
		level = slog.LevelInfo
	}
	s.log.Log(c.Request.Context(), level, "http request", "method", c.Request.Method, "route", route,
		"status", status, "duration_ms", float64(d.Microseconds())/1000, "request_id", c.GetString(ctxRequestID))
}

func (s *Server) recoverer(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			WriteProblem(c, s.log, &workflow.Error{Code: workflow.EInternal, Err: fmt.Errorf("panic: %v", r)})
		}
	}()
	c.Next()
}

// MaxHeaderBytes is the most request header bytes (names, values and the request line's URL) the
// service takes; larger requests get 431 with a Chinese problem. The http.Server is given more
// room (ServerMaxHeaderBytes), so that this answer, not Go's plain-text one, is what a client
// over the limit sees.
const (
	MaxHeaderBytes       = 32 << 10
	ServerMaxHeaderBytes = 1 << 20
)

func (s *Server) limitHeaders(c *gin.Context) {
	n := len(c.Request.RequestURI)
	for k, vs := range c.Request.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	if n > MaxHeaderBytes {
		WriteProblem(c, s.log, &workflow.Error{Code: workflow.EHeadersTooLarge,
			Message: fmt.Sprintf("请求头（含地址和 Cookie）超过 %d 字节的上限，请清除本站 Cookie 或缩短地址后重试", MaxHeaderBytes),
			Details: map[string]any{"limit_bytes": MaxHeaderBytes}})
		return
	}
	c.Next()
}

func (s *Server) limitBody(c *gin.Context) {
	limit, _ := s.bodyLimit(c)
	if c.Request.ContentLength > limit {
		WriteProblem(c, s.log, tooLarge(limit))
		return
	}
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	}
	c.Next()
}

func tooLarge(limit int64) error {
	return &workflow.Error{Code: workflow.ETooLarge, Message: fmt.Sprintf("请求内容超过 %d 字节的上限，请精简后重试", limit),
		Details: map[string]any{"limit_bytes": limit}}
}

// notFoundPage is what a person who follows a dead link sees.
const notFoundPage = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>页面不存在</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/static/site.css"></head>
<body><main style="max-width:40em;margin:4em auto;padding:0 1em"><h1>页面不存在</h1>
<p>您访问的页面不存在或已被移除。</p><p><a href="/">返回首页</a></p></main></body></html>`
