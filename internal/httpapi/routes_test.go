package httpapi_test

import (
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"wugongkai/internal/httpkit"
)

// TestEveryRouteDeniesByDefault walks every API route of the route table as every role and as an
// anonymous caller (invariant 8): a route that needs a permission refuses anyone the policy does
// not grant it to (401 anonymous, 403 signed in), and no caller gets a success the policy does not
// allow. The server mounts exactly the table's routes.
func TestEveryRouteDeniesByDefault(t *testing.T) {
	s := newStack(t)
	doc := s.create("drafter", map[string]any{"title": "路由检查", "attribute": "主动公开"})
	// The admin routes of one account act on an account of its own, so that the walk (which ends
	// that account's sessions) keeps the callers' sessions.
	var walked struct {
		ID int64 `json:"id"`
	}
	s.mustDo(http.MethodPost, "/api/v1/admin/users", "admin", map[string]any{"username": "walked", "name": "路由检查",
		"password": testPassword, "roles": []map[string]string{{"role": "drafter", "unit": "chengjian"}}}, http.StatusCreated, &walked)
	registered := map[string]string{}
	for _, r := range s.api.Routes() {
		registered[r.Method+" "+r.Path] = r.Permission
	}
	var routes []httpkit.Route
	for _, r := range httpkit.Routes(httpkit.API) {
		if r.Group() == "metrics" {
			continue // served only with Options.Metrics
		}
		if perm, ok := registered[r.Method+" "+r.Path]; !ok || perm != r.Permission {
			t.Errorf("table route %s %s (%s) is mounted with %q", r.Method, r.Path, r.Permission, perm)
		}
		routes = append(routes, r)
	}
	if len(routes) != len(registered) {
		t.Errorf("the server has %d routes, the table %d", len(registered), len(routes))
	}
	// Log out last, so the walk keeps its sessions.
	sort.SliceStable(routes, func(i, j int) bool {
		return !(routes[i].Method == http.MethodDelete && routes[i].Path == "/api/v1/session")
	})
	param := regexp.MustCompile(`:[a-z]+|\*[a-z]+`)
	callers := append([]string{""}, func() []string {
		var us []string
		for _, u := range testUsers {
			us = append(us, u.name)
		}
		return us
	}()...)
	for _, r := range routes {
		if r.Permission == "" {
			t.Errorf("%s %s declares no permission", r.Method, r.Path)
			continue
		}
		path := param.ReplaceAllStringFunc(r.Path, func(p string) string {
			switch p {
			case ":id":
				return pathf("%d", doc.ID)
			case ":name":
				return "submit"
			case ":user":
				return pathf("%d", walked.ID)
			}
			return "1"
		})
		for _, who := range callers {
			status, body := s.do(r.Method, path, who, map[string]any{})
			denied := status == http.StatusUnauthorized || status == http.StatusForbidden
			allowedByPolicy := s.granted(who, r.Permission)
			switch {
			case r.Permission == httpkit.PermPublic:
				if denied {
					t.Errorf("%s %s is public but %q got %d: %s", r.Method, path, who, status, body)
				}
			case who == "":
				if status != http.StatusUnauthorized {
					t.Errorf("%s %s (%s) answered %d to an anonymous caller, want 401", r.Method, path, r.Permission, status)
				}
			case !allowedByPolicy && !denied:
				t.Errorf("%s %s (%s) answered %d to %s, whom the policy does not grant it", r.Method, path, r.Permission, status, who)
			case allowedByPolicy && status == http.StatusUnauthorized:
				t.Errorf("%s %s answered 401 to signed-in %s", r.Method, path, who)
			}
			if status >= 200 && status < 300 && r.Permission != httpkit.PermPublic && !allowedByPolicy {
				t.Errorf("%s %s succeeded for %q without the permission %s", r.Method, path, who, r.Permission)
			}
		}
	}
}

// granted reports whether the policy gives user the route permission in any unit they hold.
func (s *stack) granted(user, perm string) bool {
	if user == "" {
		return false
	}
	if perm == httpkit.PermAuthenticated || perm == httpkit.PermPublic {
		return true
	}
	for _, u := range testUsers {
		if u.name == user && s.enf.Can(user, u.unit, perm) {
			return true
		}
	}
	return false
}

// TestOpenAPIDescribesEveryRoute checks the served OpenAPI description against the registered
// routes, both ways, with the permission of each.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	s := newStack(t)
	var spec struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	s.mustDo(http.MethodGet, "/api/v1/openapi.json", "", nil, http.StatusOK, &spec)
	if !strings.HasPrefix(spec.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", spec.OpenAPI)
	}
	documented := map[string]string{}
	for p, ops := range spec.Paths {
		for m, op := range ops {
			perm, _ := op["x-permission"].(string)
			documented[strings.ToUpper(m)+" "+p] = perm
		}
	}
	brace := regexp.MustCompile(`:([a-z]+)`)
	registered := map[string]string{}
	for _, r := range s.api.Routes() {
		if !strings.HasPrefix(r.Path, "/api/") && !slices.Contains([]string{"/healthz", "/readyz", "/metrics"}, r.Path) {
			continue // pages are not part of the API description
		}
		registered[r.Method+" "+brace.ReplaceAllString(r.Path, "{$1}")] = r.Permission
	}
	for k, perm := range registered {
		dp, ok := documented[k]
		if !ok {
			t.Errorf("route %s is not in openapi.json", k)
		} else if dp != perm {
			t.Errorf("route %s: openapi says permission %q, the route declares %q", k, dp, perm)
		}
	}
	for k := range documented {
		if _, ok := registered[k]; !ok {
			t.Errorf("openapi.json describes %s, which is not registered", k)
		}
	}
	// The file in the repository is what is served.
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(raw) {
		t.Fatal("openapi.json is not valid JSON")
	}
}
