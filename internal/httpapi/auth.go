package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"wugongkai/internal/httpkit"
	"wugongkai/policy"
	"wugongkai/workflow"
)

// SessionCookie is the name of the staff session cookie the pages set and the API accepts.
const SessionCookie = httpkit.SessionCookie

// Can answers "may user use permission in unit"; *policy.Enforcer satisfies it.
type Can = httpkit.Can

// authenticate resolves the session (bearer token, else the cookie) and checks that the route's
// permission is held somewhere; the use case then checks it in the unit of the object at hand.
func (a *API) authenticate(permission string) gin.HandlerFunc {
	return func(c *gin.Context) {
		staff, err := httpkit.Authenticate(c.Request.Context(), a.Accounts, a.Authz, httpkit.BearerToken(c), permission)
		if err != nil {
			if workflow.ErrorCode(err) != workflow.EForbidden {
				c.Header("WWW-Authenticate", `Bearer realm="wugongkai"`)
			}
			WriteProblem(c, a.srv.log, err)
			return
		}
		httpkit.SetStaff(c, staff)
		c.Next()
	}
}

func staffOf(c *gin.Context) workflow.Staff {
	st, _ := httpkit.StaffOf(c)
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

func (a *API) login(c *gin.Context) error {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	token, staff, err := a.Accounts.Login(c.Request.Context(), req.Username, req.Password, c.ClientIP())
	return reply(c, http.StatusCreated, gin.H{"token": token, "user": toStaffDTO(staff)}, err)
}

func (a *API) logout(c *gin.Context) error {
	if err := a.Accounts.Logout(c.Request.Context(), httpkit.BearerToken(c)); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (a *API) me(c *gin.Context) error {
	c.JSON(http.StatusOK, toStaffDTO(staffOf(c)))
	return nil
}
