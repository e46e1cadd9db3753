package httpkit

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"wugongkai/workflow"
)

// ErrNoAgency is what Dispatcher.Resolve returns for a host registered to no agency.
var ErrNoAgency = errors.New("no agency serves this host")

// Dispatcher is the outer handler of a platform of many agencies: it resolves the agency of each
// request from its Host header (the port ignored) and hands the request to that agency's handler.
// The platform-wide paths (health, readiness, metrics) go to Platform whatever the host, paths under
// /city/ to City when it is set; a host that is no agency's gets a 404 in Chinese.
type Dispatcher struct {
	// Resolve returns the handler of the agency serving host (lower case, no port), ErrNoAgency
	// when there is none, or another error when it cannot tell (the database is down).
	Resolve  func(r *http.Request, host string) (http.Handler, error)
	Platform http.Handler
	City     http.Handler // nil = no city level
	Log      *slog.Logger
}

// platformPaths are served by Dispatcher.Platform on every host.
var platformPaths = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// ServeHTTP routes r to its agency's handler.
func (d *Dispatcher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if platformPaths[r.URL.Path] {
		d.Platform.ServeHTTP(w, r)
		return
	}
	if d.City != nil && (r.URL.Path == "/city" || strings.HasPrefix(r.URL.Path, "/city/")) {
		d.City.ServeHTTP(w, r)
		return
	}
	h, err := d.Resolve(r, HostOf(r))
	if err == nil {
		h.ServeHTTP(w, r)
		return
	}
	if errors.Is(err, ErrNoAgency) {
		notFoundAgency(w, r)
		return
	}
	if d.Log != nil {
		d.Log.Error("resolve agency", "host", r.Host, "err", err)
	}
	writeProblem(w, http.StatusServiceUnavailable, workflow.EUnavailable, "服务暂时不可用，请稍后重试")
}

// HostOf returns the host of r in lower case, without its port and trailing dot.
func HostOf(r *http.Request) string {
	h := strings.ToLower(r.Host)
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.HasSuffix(h, "]") {
		h = h[:i]
	}
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	return strings.TrimSuffix(h, ".")
}

// noAgencyPage is the page of a host that is no agency's portal.
const noAgencyPage = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>没有这个机构</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main style="max-width:40em;margin:4em auto;padding:0 1em;font-family:sans-serif"><h1>没有这个机构</h1>
<p>本平台没有使用这个网址的机构。请核对网址，或从政府门户网站进入相应机构的政府信息公开专栏。</p></main></body></html>`

// notFoundAgency answers a request to a host that is no agency's: a page for browsers, problem+json
// for the API.
func notFoundAgency(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/api/") {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(noAgencyPage))
		return
	}
	writeProblem(w, http.StatusNotFound, workflow.ENotFound, "没有这个机构：本平台没有使用这个网址的机构")
}

// writeProblem writes a problem+json answer outside any agency's engine.
func writeProblem(w http.ResponseWriter, status int, code, detail string) {
	w.Header().Set("Content-Type", "application/problem+json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": "/problems/" + code, "title": Title(code), "status": status,
		"detail": detail, "code": code})
}
