package httpapi_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"wugongkai/internal/httpapi"
)

// The answers the edge gives before any handler are Chinese problem+json too (issue 18 item 11):
// a browser's cross-site request (CrossOriginProtection's deny handler, as cmd wires it), a wrong
// method (405 with Allow, not 400), and /metrics is not on the public server (item 12).
func TestEdgeAnswersAreChineseProblems(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	api := httpapi.New(httpapi.Options{Log: quiet})
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(httpapi.CrossOriginRefused(quiet))
	srv := httptest.NewServer(cop.Handler(api))
	defer srv.Close()
	send := func(method, path string, header ...string) (int, http.Header, problem, string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var p problem
		_ = json.Unmarshal(b, &p)
		return resp.StatusCode, resp.Header, p, string(b)
	}
	for _, tc := range []struct {
		name, method, path string
		header             []string
		status             int
		code               string
	}{
		{"cross-site POST", http.MethodPost, "/api/v1/session", []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden, "forbidden"},
		{"cross-origin DELETE", http.MethodDelete, "/api/v1/session", []string{"Origin", "https://evil.example"}, http.StatusForbidden, "forbidden"},
		{"wrong method", http.MethodPut, "/healthz", nil, http.StatusMethodNotAllowed, "invalid"},
		{"metrics not public", http.MethodGet, "/metrics", nil, http.StatusNotFound, "not_found"},
		{"oversized headers", http.MethodGet, "/healthz", []string{"Cookie", "x=" + strings.Repeat("a", httpapi.MaxHeaderBytes)},
			http.StatusRequestHeaderFieldsTooLarge, "headers_too_large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, h, p, body := send(tc.method, tc.path, tc.header...)
			if st != tc.status || p.Code != tc.code || !hasHan(p.Detail) || !strings.HasPrefix(h.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("%d %s %q, want %d %s as Chinese problem+json", st, h.Get("Content-Type"), body, tc.status, tc.code)
			}
			if tc.status == http.StatusMethodNotAllowed && !strings.Contains(h.Get("Allow"), http.MethodGet) {
				t.Errorf("Allow = %q, want the methods the path takes", h.Get("Allow"))
			}
		})
	}
}
