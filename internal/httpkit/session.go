package httpkit

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"wugongkai/policy"
	"wugongkai/workflow"
)

// SessionCookie is the name of the staff session cookie. The pages set it; the API accepts it as
// well as a bearer token, so a signed-in page may call the API.
const SessionCookie = "wgk_session"

// Session writes the session cookie: HttpOnly, SameSite=Lax, on the whole site, Secure when
// configured (config session.secure_cookie).
type Session struct {
	Secure bool
}

// Set sets the cookie to token for the browser session.
func (s Session) Set(c *gin.Context, token string) { s.write(c, token, 0) }

// Clear removes the cookie.
func (s Session) Clear(c *gin.Context) { s.write(c, "", -1) }

func (s Session) write(c *gin.Context, token string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.Secure})
}

// CookieToken returns the session token of the cookie, "" without one.
func CookieToken(c *gin.Context) string {
	t, _ := c.Cookie(SessionCookie)
	return t
}

// BearerToken returns the session token of an API request: the bearer token, else the cookie. An
// Authorization header of another scheme gives "".
func BearerToken(c *gin.Context) string {
	if h := c.GetHeader("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t)
		}
		return ""
	}
	return CookieToken(c)
}

// Authenticator resolves a session token; *accounts.Accounts satisfies it.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (workflow.Staff, error)
}

// Authenticate resolves token into the member of staff and checks that permission (a route's) is
// held in at least one unit; the use case then checks it in the unit of the object at hand. The
// error is the session's (EUnauthenticated, or a failure to read it) or EForbidden.
func Authenticate(ctx context.Context, acc Authenticator, authz Can, token, permission string) (workflow.Staff, error) {
	st, err := acc.Authenticate(ctx, token)
	if err != nil {
		return workflow.Staff{}, err
	}
	if permission != PermAuthenticated && !HasAnywhere(authz, st, permission) {
		return workflow.Staff{}, &workflow.Error{Code: workflow.EForbidden,
			Message: "您没有权限执行此操作（需要“" + policy.PermissionLabel(permission) + "”权限）",
			Details: map[string]any{"permission": permission}}
	}
	return st, nil
}

const ctxStaff = "httpkit.staff"

// SetStaff keeps the authenticated member of staff on the request.
func SetStaff(c *gin.Context, st workflow.Staff) { c.Set(ctxStaff, st) }

// StaffOf returns the member of staff SetStaff kept, and whether there is one.
func StaffOf(c *gin.Context) (workflow.Staff, bool) {
	v, ok := c.Get(ctxStaff)
	st, _ := v.(workflow.Staff)
	return st, ok
}
