package httpkit

import (
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

func TestRouteTableParses(t *testing.T) {
	for _, a := range []string{API, Page} {
		if len(Routes(a)) < 10 {
			t.Errorf("%s has %d routes", a, len(Routes(a)))
		}
	}
	for _, r := range table {
		if strings.HasPrefix(r.Path, "/api/") != (r.Adapter == API) && r.Group() != "server" && r.Group() != "metrics" {
			t.Errorf("%s %s is served by %s", r.Method, r.Path, r.Adapter)
		}
	}
}

func TestRouteTableRefusesBadLines(t *testing.T) {
	for _, text := range []string{
		"GET /a public api",                                  // too few fields
		"GET /a public web core.a",                           // unknown adapter
		"GET /a document api core.a",                         // not a permission
		"GET /a document:fly api core.a",                     // not in the policy
		"GET /a public api a",                                // handler without a group
		"GET /a public api core.a fast",                      // unknown flag
		"GET /a public api core.a\nGET /a public api core.b", // path twice
		"GET /a public api core.a\nGET /b public api core.a", // handler twice
	} {
		if _, err := parseRoutes(text); err == nil {
			t.Errorf("%q parsed", text)
		}
	}
}

func TestMountNeedsEveryHandler(t *testing.T) {
	h := func(*gin.Context) {}
	mustPanic := func(name string, handlers map[string]gin.HandlerFunc) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: no panic", name)
			}
		}()
		Mount(API, []string{"server"}, handlers, func(Route, gin.HandlerFunc) {})
	}
	mustPanic("missing", map[string]gin.HandlerFunc{"server.healthz": h})
	mustPanic("unused", map[string]gin.HandlerFunc{"server.healthz": h, "server.readyz": h, "server.other": h})
	var got []string
	Mount(API, []string{"server"}, map[string]gin.HandlerFunc{"server.healthz": h, "server.readyz": h, "core.other": h},
		func(r Route, _ gin.HandlerFunc) { got = append(got, r.Path) })
	if strings.Join(got, " ") != "/healthz /readyz" {
		t.Errorf("mounted %v", got)
	}
}
