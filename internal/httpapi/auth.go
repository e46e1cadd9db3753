package httpapi

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"wugongkai/policy"
	"wugongkai/workflow"
)

// SessionCookie is the name of the staff session cookie the pages use.
const SessionCookie = "wgk_session"

const ctxStaff = "staff"

// Can answers "may user use permission in unit"; *policy.Enforcer satisfies it.
type Can interface {
	Can(user, unit, permission string) bool
}

// bearer returns the session token of a request: the bearer token, else the session cookie.
func bearer(c *gin.Context) string {
	if h := c.GetHeader("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t)
		}
		return ""
	}
	if ck, err := c.Cookie(SessionCookie); err == nil {
		return ck
	}
	return ""
}

// HasAnywhere reports whether staff may use permission in at least one unit they hold a role in.
func HasAnywhere(authz Can, staff workflow.Staff, permission string) bool {
	for _, r := range staff.Roles {
		if authz.Can(staff.Username, r.Unit, permission) {
			return true
		}
	}
	return false
}

// authenticate resolves the session and checks that the route's permission is held somewhere;
// the use case then checks it in the unit of the object at hand.
func (a *API) authenticate(permission string) gin.HandlerFunc {
	return func(c *gin.Context) {
		staff, err := a.Accounts.Authenticate(c.Request.Context(), bearer(c))
		if err != nil {
			c.Header("WWW-Authenticate", `Bearer realm="wugongkai"`)
			WriteProblem(c, a.srv.log, err)
			return
		}
		if permission != PermAuthenticated && !HasAnywhere(a.Authz, staff, permission) {
			WriteProblem(c, a.srv.log, &workflow.Error{Code: workflow.EForbidden,
				Message: "您没有权限执行此操作（需要“" + policy.PermissionLabel(permission) + "”权限）",
				Details: map[string]any{"permission": permission}})
			return
		}
		c.Set(ctxStaff, staff)
		c.Next()
	}
}

func staffOf(c *gin.Context) workflow.Staff {
	s, _ := c.Get(ctxStaff)
	st, _ := s.(workflow.Staff)
	return st
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type staffDTO struct {
	ID       int64           `json:"id"`
	Username string          `json:"username"`
	Name     string          `json:"name"`
	Roles    []roleDTO       `json:"roles"`
	Perms    map[string]bool `json:"permissions,omitempty"`
}

type roleDTO struct {
	Role      string `json:"role"`
	RoleLabel string `json:"role_label"`
	Unit      string `json:"unit"`
}

func toStaffDTO(s workflow.Staff) staffDTO {
	d := staffDTO{ID: s.ID, Username: s.Username, Name: s.Name, Roles: []roleDTO{}}
	for _, r := range s.Roles {
		d.Roles = append(d.Roles, roleDTO{Role: r.Role, RoleLabel: policy.RoleLabel(r.Role), Unit: r.Unit})
	}
	return d
}

func (a *API) login(c *gin.Context) {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		c.Error(err)
		return
	}
	token, staff, err := a.Accounts.Login(c.Request.Context(), req.Username, req.Password, c.ClientIP())
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"token": token, "user": toStaffDTO(staff)})
}

func (a *API) logout(c *gin.Context) {
	if err := a.Accounts.Logout(c.Request.Context(), bearer(c)); err != nil {
		c.Error(err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (a *API) me(c *gin.Context) {
	c.JSON(http.StatusOK, toStaffDTO(staffOf(c)))
}
