package httpkit

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"wugongkai/workflow"
)

func testContext(h http.Header) (*gin.Context, *httptest.ResponseRecorder) {
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest(http.MethodGet, "/", nil)
	for k, vs := range h {
		c.Request.Header[k] = vs
	}
	return c, w
}

func TestSessionCookie(t *testing.T) {
	for _, secure := range []bool{false, true} {
		c, w := testContext(nil)
		Session{Secure: secure}.Set(c, "tok")
		got := w.Header().Get("Set-Cookie")
		for _, want := range []string{SessionCookie + "=tok", "Path=/", "HttpOnly", "SameSite=Lax"} {
			if !strings.Contains(got, want) {
				t.Errorf("cookie %q lacks %q", got, want)
			}
		}
		if strings.Contains(got, "Secure") != secure || strings.Contains(got, "Max-Age") {
			t.Errorf("secure=%v: cookie %q", secure, got)
		}
		c, w = testContext(nil)
		Session{}.Clear(c)
		if got := w.Header().Get("Set-Cookie"); !strings.Contains(got, "Max-Age=0") {
			t.Errorf("cleared cookie %q", got)
		}
	}
}

func TestTokens(t *testing.T) {
	for _, tc := range []struct {
		header         http.Header
		bearer, cookie string
	}{
		{http.Header{"Authorization": {"Bearer abc "}}, "abc", ""},
		{http.Header{"Authorization": {"Basic abc"}, "Cookie": {SessionCookie + "=c1"}}, "", "c1"},
		{http.Header{"Cookie": {SessionCookie + "=c1"}}, "c1", "c1"},
		{nil, "", ""},
	} {
		c, _ := testContext(tc.header)
		if got := BearerToken(c); got != tc.bearer {
			t.Errorf("%v: bearer %q, want %q", tc.header, got, tc.bearer)
		}
		if got := CookieToken(c); got != tc.cookie {
			t.Errorf("%v: cookie %q, want %q", tc.header, got, tc.cookie)
		}
	}
}

type accountsFunc func(token string) (workflow.Staff, error)

func (f accountsFunc) Authenticate(_ context.Context, token string) (workflow.Staff, error) {
	return f(token)
}

type grants map[string]bool // "user unit permission"

func (g grants) Can(user, unit, permission string) bool { return g[user+" "+unit+" "+permission] }

func TestAuthenticate(t *testing.T) {
	ada := workflow.Staff{ID: 1, Username: "ada", Roles: []workflow.RoleAssignment{{Role: "drafter", Unit: "chengjian"}}}
	acc := accountsFunc(func(token string) (workflow.Staff, error) {
		if token != "good" {
			return workflow.Staff{}, workflow.Errorf(workflow.EUnauthenticated, "请先登录")
		}
		return ada, nil
	})
	authz := grants{"ada chengjian document:create": true}
	for _, tc := range []struct {
		token, perm, code string
	}{
		{"bad", PermAuthenticated, workflow.EUnauthenticated},
		{"good", PermAuthenticated, ""},
		{"good", "document:create", ""},
		{"good", "document:publish", workflow.EForbidden},
	} {
		st, err := Authenticate(context.Background(), acc, authz, tc.token, tc.perm)
		if workflow.ErrorCode(err) != tc.code && !(tc.code == "" && err == nil) {
			t.Errorf("%s %s: %v, want code %q", tc.token, tc.perm, err, tc.code)
		}
		if err == nil && st.Username != "ada" {
			t.Errorf("%s %s: staff %+v", tc.token, tc.perm, st)
		}
		if tc.code == workflow.EForbidden && !strings.Contains(workflow.ErrorMessage(err), "权限") {
			t.Errorf("forbidden message %q", workflow.ErrorMessage(err))
		}
	}
}

func TestRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&workflow.Error{Code: workflow.ETooMany, Message: "太快", Details: map[string]any{"retry_after_seconds": 7}}, "7"},
		{&workflow.Error{Code: workflow.ETooMany, Message: "太快"}, ""},
		{&workflow.Error{Code: workflow.EInvalid, Message: "错", Details: map[string]any{"retry_after_seconds": 7}}, ""},
	} {
		c, w := testContext(nil)
		RetryAfter(c, tc.err)
		if got := w.Header().Get("Retry-After"); got != tc.want {
			t.Errorf("%v: Retry-After %q, want %q", tc.err, got, tc.want)
		}
	}
	if Title(workflow.ETooMany) == "" || Title("no_such_code") != "" {
		t.Error("titles")
	}
}
