package httpapi

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"wugongkai/policy"
	"wugongkai/workflow"
	"wugongkai/workflow/accounts"
	"wugongkai/workflow/auditcheck"
	"wugongkai/workflow/calendars"
	"wugongkai/workflow/catalogue"
)

// AdminAPI is the admin's JSON API: accounts, units, role assignments, the standard catalogue, the
// holiday calendar and the audit verification. Every handler calls one use case, which checks the permission.
type AdminAPI struct {
	Admin     *accounts.Admin
	Calendars *calendars.Calendars
	Audit     *auditcheck.Audit
	Catalogue *catalogue.Admin
}

// MountAdmin registers the admin routes on srv.
func MountAdmin(srv *Server, a *API, ad *AdminAPI) {
	if a.srv == nil {
		a.srv = srv
	}
	a.admin = ad
	a.mount("admin")
}

type accountDTO struct {
	ID       int64     `json:"id"`
	Username string    `json:"username"`
	Name     string    `json:"name"`
	Disabled bool      `json:"disabled"`
	Roles    []roleDTO `json:"roles"`
	Sessions int       `json:"sessions"`
	Created  time.Time `json:"created_at"`
}

func toAccountDTO(a accounts.Account) accountDTO {
	d := accountDTO{ID: a.ID, Username: a.Username, Name: a.Name, Disabled: a.Disabled, Sessions: a.Sessions,
		Created: a.Created, Roles: []roleDTO{}}
	for _, r := range a.Roles {
		d.Roles = append(d.Roles, roleDTO{Role: r.Role, RoleLabel: policy.RoleLabel(r.Role), Unit: r.Unit})
	}
	return d
}

type roleRequest struct {
	Role string `json:"role"`
	Unit string `json:"unit"`
}

type addAccountRequest struct {
	Username string        `json:"username"`
	Name     string        `json:"name"`
	Password string        `json:"password"`
	Roles    []roleRequest `json:"roles"`
}

func (a *AdminAPI) users(c *gin.Context) error {
	as, err := a.Admin.Accounts(c.Request.Context(), staffOf(c).Actor())
	if err != nil {
		return err
	}
	out := make([]accountDTO, len(as))
	for i, x := range as {
		out[i] = toAccountDTO(x)
	}
	c.JSON(http.StatusOK, gin.H{"users": out})
	return nil
}

func (a *AdminAPI) addUser(c *gin.Context) error {
	var req addAccountRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	n := accounts.NewAccount{Username: req.Username, Name: req.Name, Password: req.Password}
	for _, r := range req.Roles {
		n.Roles = append(n.Roles, workflow.RoleAssignment{Role: r.Role, Unit: r.Unit})
	}
	acc, err := a.Admin.AddAccount(c.Request.Context(), staffOf(c).Actor(), n)
	return reply(c, http.StatusCreated, toAccountDTO(acc), err)
}

// user answers the account the :user path names, after change (nil: none) has run on it.
func (a *AdminAPI) user(c *gin.Context) error { return a.account(c, http.StatusOK) }

func (a *AdminAPI) account(c *gin.Context, status int) error {
	id, err := pathID(c, "user")
	if err != nil {
		return err
	}
	acc, err := a.Admin.Account(c.Request.Context(), staffOf(c).Actor(), id)
	return reply(c, status, toAccountDTO(acc), err)
}

type updateUserRequest struct {
	Disabled *bool `json:"disabled"`
}

func (a *AdminAPI) updateUser(c *gin.Context) error {
	id, err := pathID(c, "user")
	if err != nil {
		return err
	}
	var req updateUserRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Disabled == nil {
		return &workflow.Error{Code: workflow.EInvalid, Field: "disabled", Message: "请说明要停用（disabled: true）还是启用（disabled: false）账号"}
	}
	if _, err := a.Admin.SetDisabled(c.Request.Context(), staffOf(c).Actor(), id, *req.Disabled); err != nil {
		return err
	}
	return a.account(c, http.StatusOK)
}

type passwordRequest struct {
	Password string `json:"password"`
}

func (a *AdminAPI) resetPassword(c *gin.Context) error {
	id, err := pathID(c, "user")
	if err != nil {
		return err
	}
	var req passwordRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	n, err := a.Admin.ResetPassword(c.Request.Context(), staffOf(c).Actor(), id, req.Password)
	return reply(c, http.StatusOK, gin.H{"sessions_ended": n}, err)
}

func (a *AdminAPI) endSessions(c *gin.Context) error {
	id, err := pathID(c, "user")
	if err != nil {
		return err
	}
	n, err := a.Admin.EndSessions(c.Request.Context(), staffOf(c).Actor(), id)
	return reply(c, http.StatusOK, gin.H{"sessions_ended": n}, err)
}

func (a *AdminAPI) grant(c *gin.Context) error {
	id, err := pathID(c, "user")
	if err != nil {
		return err
	}
	var req roleRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := a.Admin.Grant(c.Request.Context(), staffOf(c).Actor(), id, workflow.RoleAssignment{Role: req.Role, Unit: req.Unit}); err != nil {
		return err
	}
	return a.account(c, http.StatusOK)
}

func (a *AdminAPI) revoke(c *gin.Context) error {
	id, err := pathID(c, "user")
	if err != nil {
		return err
	}
	r := workflow.RoleAssignment{Role: c.Query("role"), Unit: c.Query("unit")}
	if err := a.Admin.Revoke(c.Request.Context(), staffOf(c).Actor(), id, r); err != nil {
		return err
	}
	return a.account(c, http.StatusOK)
}

type unitDTO struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

func (a *AdminAPI) units(c *gin.Context) error {
	us, err := a.Admin.Units(c.Request.Context(), staffOf(c).Actor())
	if err != nil {
		return err
	}
	out := make([]unitDTO, len(us))
	for i, u := range us {
		out[i] = unitDTO{Code: u.Code, Name: u.Name}
	}
	c.JSON(http.StatusOK, gin.H{"units": out})
	return nil
}

func (a *AdminAPI) addUnit(c *gin.Context) error {
	var req unitDTO
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	err := a.Admin.AddUnit(c.Request.Context(), staffOf(c).Actor(), accounts.Unit{Code: req.Code, Name: req.Name})
	return reply(c, http.StatusCreated, unitDTO{Code: strings.TrimSpace(req.Code), Name: strings.TrimSpace(req.Name)}, err)
}

func (a *AdminAPI) renameUnit(c *gin.Context) error {
	var req struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	code := c.Param("code")
	err := a.Admin.RenameUnit(c.Request.Context(), staffOf(c).Actor(), accounts.Unit{Code: code, Name: req.Name})
	return reply(c, http.StatusOK, unitDTO{Code: code, Name: strings.TrimSpace(req.Name)}, err)
}

type adminLogDTO struct {
	Seq       int               `json:"seq"`
	Action    string            `json:"action"`
	ActorName string            `json:"actor_name"`
	At        time.Time         `json:"at"`
	Data      map[string]string `json:"data"`
}

func (a *AdminAPI) log(c *gin.Context) error {
	limit, err := queryInt(c, "limit", 50, 1, 500)
	if err != nil {
		return err
	}
	es, err := a.Admin.Log(c.Request.Context(), staffOf(c).Actor(), limit)
	if err != nil {
		return err
	}
	out := make([]adminLogDTO, len(es))
	for i, e := range es {
		out[i] = adminLogDTO{Seq: e.Seq, Action: e.Action, ActorName: e.ActorName, At: e.At, Data: e.Data}
	}
	c.JSON(http.StatusOK, gin.H{"events": out})
	return nil
}

type dayDTO struct {
	Date string `json:"date"`
	Name string `json:"name"`
}

func toDayDTOs(ds []workflow.Day) []dayDTO {
	out := make([]dayDTO, len(ds))
	for i, d := range ds {
		out[i] = dayDTO{Date: d.Date.String(), Name: d.Name}
	}
	return out
}

type calendarDiffDTO struct {
	HolidaysAdded   []dayDTO `json:"holidays_added"`
	HolidaysRemoved []dayDTO `json:"holidays_removed"`
	WorkdaysAdded   []dayDTO `json:"workdays_added"`
	WorkdaysRemoved []dayDTO `json:"workdays_removed"`
}

func toCalendarDiffDTO(d calendars.Diff) calendarDiffDTO {
	return calendarDiffDTO{HolidaysAdded: toDayDTOs(d.HolidaysAdded), HolidaysRemoved: toDayDTOs(d.HolidaysRemoved),
		WorkdaysAdded: toDayDTOs(d.WorkdaysAdded), WorkdaysRemoved: toDayDTOs(d.WorkdaysRemoved)}
}

type calendarYearDTO struct {
	Year       int        `json:"year"`
	Source     string     `json:"source"`
	Uploaded   bool       `json:"uploaded"`
	UploadedAt *time.Time `json:"uploaded_at,omitempty"`
	UploadedBy string     `json:"uploaded_by,omitempty"`
	Holidays   []dayDTO   `json:"holidays"`
	Workdays   []dayDTO   `json:"workdays"`
}

func (a *AdminAPI) calendars(c *gin.Context) error {
	ys, err := a.Calendars.Years(c.Request.Context(), staffOf(c).Actor())
	if err != nil {
		return err
	}
	out := []calendarYearDTO{}
	for _, y := range ys {
		d := calendarYearDTO{Year: y.Year.Year, Source: y.Year.Source, Uploaded: y.Uploaded != nil,
			Holidays: toDayDTOs(calendars.DaysOff(y.Year)), Workdays: toDayDTOs(y.Year.Workdays)}
		if y.Uploaded != nil {
			d.UploadedAt, d.UploadedBy = &y.Uploaded.UploadedAt, y.Uploaded.UploadedBy
		}
		out = append(out, d)
	}
	c.JSON(http.StatusOK, gin.H{"years": out})
	return nil
}

type uploadCalendarRequest struct {
	File    string `json:"file"`
	YAML    string `json:"yaml"`
	Confirm bool   `json:"confirm"`
}

func (a *AdminAPI) uploadCalendar(c *gin.Context) error {
	var req uploadCalendarRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	up, err := a.Calendars.Upload(c.Request.Context(), staffOf(c).Actor(), req.File, []byte(req.YAML), req.Confirm)
	if e := workflow.AsError(err); e != nil && e.Code == workflow.EConflict && up.Replaces {
		e.Details["year"] = up.Year.Year
		e.Details["differences"] = toCalendarDiffDTO(up.Diff)
	}
	return reply(c, http.StatusOK, gin.H{"year": up.Year.Year, "replaced": up.Replaces, "differences": toCalendarDiffDTO(up.Diff),
		"deadlines_recounted": up.Recounted}, err)
}

type auditProblemDTO struct {
	Kind    string `json:"kind"`
	Subject int64  `json:"subject"`
	Seq     int    `json:"seq"`
	Reason  string `json:"reason"`
}

func (a *AdminAPI) verifyAudit(c *gin.Context) error {
	res, err := a.Audit.Verify(c.Request.Context(), staffOf(c).Actor())
	if err != nil {
		return err
	}
	ps := make([]auditProblemDTO, len(res.Problems))
	for i, p := range res.Problems {
		ps[i] = auditProblemDTO{Kind: p.Kind, Subject: p.Subject, Seq: p.Seq, Reason: p.Reason}
	}
	c.JSON(http.StatusOK, gin.H{"ok": res.OK(), "checked": res.Checked, "problems": ps, "at": res.At})
	return nil
}

type loadResultDTO struct {
	Added     []string `json:"added"`
	Changed   []string `json:"changed"`
	Retired   []string `json:"retired"`
	Restored  []string `json:"restored"`
	Unchanged int      `json:"unchanged"`
}

func toLoadResultDTO(r catalogue.LoadResult) loadResultDTO {
	nonNil := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	return loadResultDTO{Added: nonNil(r.Added), Changed: nonNil(r.Changed), Retired: nonNil(r.Retired), Restored: nonNil(r.Restored),
		Unchanged: r.Unchanged}
}

func (a *AdminAPI) catalogueItems(c *gin.Context) error {
	items, err := a.Catalogue.Items(c.Request.Context(), staffOf(c).Actor())
	if err != nil {
		return err
	}
	out := make([]catalogueItemDTO, len(items))
	for i, it := range items {
		out[i] = toCatalogueItemDTO(it)
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
	return nil
}

// importCatalogue takes one or more "file" parts (YAML or XLSX) of a multipart/form-data body.
func (a *AdminAPI) importCatalogue(c *gin.Context) error {
	var files []catalogue.File
	if form, err := c.MultipartForm(); err == nil {
		for _, fh := range form.File["file"] {
			f, err := fh.Open()
			if err != nil {
				return fmt.Errorf("open uploaded catalogue file: %w", err)
			}
			data, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return fmt.Errorf("read uploaded catalogue file: %w", err)
			}
			files = append(files, catalogue.File{Name: fh.Filename, Data: data})
		}
	}
	res, err := a.Catalogue.Import(c.Request.Context(), staffOf(c).Actor(), files)
	return reply(c, http.StatusOK, toLoadResultDTO(res), err)
}

type itemFormDTO struct {
	Area      string   `json:"area"`
	Level1    string   `json:"level1"`
	Level2    string   `json:"level2"`
	Content   []string `json:"content"`
	Basis     []string `json:"basis"`
	TimeLimit string   `json:"time_limit"`
	Subject   string   `json:"subject"`
	Channels  []string `json:"channels"`
	Audience  string   `json:"audience"`
	Mode      string   `json:"mode"`
	Category  string   `json:"category"`
}

func (a *AdminAPI) editItem(c *gin.Context) error {
	var req itemFormDTO
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	code := c.Param("code")
	if _, err := a.Catalogue.Edit(c.Request.Context(), staffOf(c).Actor(), code, catalogue.ItemForm{Area: req.Area, Level1: req.Level1,
		Level2: req.Level2, Content: req.Content, Basis: req.Basis, TimeLimit: req.TimeLimit, Subject: req.Subject,
		Channels: req.Channels, Audience: req.Audience, Mode: req.Mode, Category: req.Category}); err != nil {
		return err
	}
	it, err := a.Catalogue.Item(c.Request.Context(), staffOf(c).Actor(), code)
	return reply(c, http.StatusOK, toCatalogueItemDTO(it), err)
}

func (a *AdminAPI) retireItem(c *gin.Context) error {
	res, err := a.Catalogue.Retire(c.Request.Context(), staffOf(c).Actor(), c.Param("code"))
	return reply(c, http.StatusOK, toLoadResultDTO(res), err)
}
