package httpkit

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"wugongkai/policy"
)

// Adapters that serve routes.
const (
	API  = "api"  // internal/httpapi, JSON under /api/v1 and the health endpoints
	Page = "page" // internal/web, the portal and the console
)

// Route is one line of the route table.
type Route struct {
	Method     string
	Path       string
	Permission string
	Adapter    string
	Handler    string // group.name
	Cached     bool   // kept in the public page cache
}

// Group is the part of the handler name before the dot.
func (r Route) Group() string {
	g, _, _ := strings.Cut(r.Handler, ".")
	return g
}

//go:embed routes.txt
var routesTxt string

var table = mustParse(routesTxt)

func mustParse(text string) []Route {
	rs, err := parseRoutes(text)
	if err != nil {
		panic(err)
	}
	return rs
}

func parseRoutes(text string) ([]Route, error) {
	var out []Route
	seen := map[string]bool{}
	for i, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if len(f) < 5 || len(f) > 6 || (len(f) == 6 && f[5] != "cached") {
			return nil, fmt.Errorf("routes.txt:%d: want method path permission adapter handler [cached]", i+1)
		}
		r := Route{Method: f[0], Path: f[1], Permission: f[2], Adapter: f[3], Handler: f[4], Cached: len(f) == 6}
		if r.Adapter != API && r.Adapter != Page {
			return nil, fmt.Errorf("routes.txt:%d: adapter %q is neither api nor page", i+1, r.Adapter)
		}
		if r.Permission != PermPublic && r.Permission != PermAuthenticated && !slices.Contains(policy.AllPermissions(), r.Permission) {
			return nil, fmt.Errorf("routes.txt:%d: permission %q is not in the policy", i+1, r.Permission)
		}
		if !strings.Contains(r.Handler, ".") {
			return nil, fmt.Errorf("routes.txt:%d: handler %q is not group.name", i+1, r.Handler)
		}
		for _, k := range []string{r.Method + " " + r.Path, r.Adapter + " " + r.Handler} {
			if seen[k] {
				return nil, fmt.Errorf("routes.txt:%d: %s twice", i+1, k)
			}
			seen[k] = true
		}
		out = append(out, r)
	}
	return out, nil
}

// Routes returns the table's routes of adapter, in the table's order.
func Routes(adapter string) []Route {
	var out []Route
	for _, r := range table {
		if r.Adapter == adapter {
			out = append(out, r)
		}
	}
	return out
}

// Mount registers the routes of adapter in groups through register, each with its handler from
// handlers (by name; handlers of other groups are left alone). A route of those groups without a
// handler, or a handler of those groups that no route names, is a programming error and panics.
func Mount(adapter string, groups []string, handlers map[string]gin.HandlerFunc, register func(Route, gin.HandlerFunc)) {
	used := map[string]bool{}
	for _, r := range Routes(adapter) {
		if !slices.Contains(groups, r.Group()) {
			continue
		}
		h, ok := handlers[r.Handler]
		if !ok {
			panic(fmt.Sprintf("route %s %s: %s has no handler %s", r.Method, r.Path, adapter, r.Handler))
		}
		used[r.Handler] = true
		register(r, h)
	}
	for name := range handlers {
		g, _, _ := strings.Cut(name, ".")
		if slices.Contains(groups, g) && !used[name] {
			panic(fmt.Sprintf("%s handler %s is in no route of %v", adapter, name, groups))
		}
	}
}
