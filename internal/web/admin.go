package web

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"wugongkai/policy"
	"wugongkai/workflow"
	"wugongkai/workflow/accounts"
	"wugongkai/workflow/auditcheck"
	"wugongkai/workflow/calendars"
)

// adminActions are the admin log's actions in Chinese.
var adminActions = map[string]string{
	"user_add": "添加账号", "user_disable": "停用账号", "user_enable": "启用账号", "user_password": "重置密码",
	"user_sessions_end": "结束会话", "role_grant": "分配角色", "role_revoke": "收回角色", "unit_add": "添加科室",
	"unit_rename": "科室改名", "calendar_upload": "上传节假日安排", "catalogue_import": "导入标准目录",
	"catalogue_edit": "修改目录事项", "catalogue_retire": "停用目录事项",
}

type adminLogView struct {
	At     string
	Actor  string
	Action string
	Detail string
}

type accountRow struct {
	accounts.Account
	RoleText string
}

type adminUsersView struct {
	Accounts []accountRow
	Fields   []formField
	Error    string
	Flash    string
	Log      []adminLogView
}

// adminFields are the boxes of the add-account form, as typed (values) and refused (err).
func (s *Site) adminFields(c *gin.Context, values map[string]string, err error) []formField {
	units, _ := s.Admin.Units(c.Request.Context(), staffOf(c).Actor())
	var unitOpts []option
	for _, u := range units {
		unitOpts = append(unitOpts, option{Value: u.Code, Label: u.Name + "（" + u.Code + "）"})
	}
	fs := []formField{
		{ID: "new-username", Name: "username", Label: "用户名", Kind: "text", Required: true, MaxLength: 32,
			Help: "登录用，小写字母开头，可含数字和 . _ -"},
		{ID: "new-name", Name: "name", Label: "姓名", Kind: "text", Required: true, MaxLength: accounts.MaxNameRunes},
		{ID: "new-password", Name: "password", Label: "初始密码", Kind: "text", Required: true, MaxLength: 72,
			Help: fmt.Sprintf("至少 %d 个字符；不能是常用密码、同一字符重复或连续的数字字母", accounts.MinPasswordLength)},
		s.roleField("new-role", values["role"]),
		{ID: "new-unit", Name: "unit", Label: "所在科室", Kind: "select", Options: unitOpts,
			Help: "科室角色（起草人、科室负责人）在此科室任职；全局角色不需选择"},
	}
	for i := range fs {
		if fs[i].Name != "role" {
			fs[i].Value = values[fs[i].Name]
		}
	}
	if e := workflow.AsError(err); e != nil {
		for i := range fs {
			if fs[i].Name == e.Field {
				fs[i].Error = e.Message
			}
		}
	}
	return fs
}

func (s *Site) roleField(id, value string) formField {
	f := formField{ID: id, Name: "role", Label: "角色", Kind: "select", Required: true, Value: value}
	for _, r := range s.Admin.Roles {
		label := r.Label
		if r.BureauWide {
			label += "（全局）"
		}
		f.Options = append(f.Options, option{Value: r.Name, Label: label})
	}
	return f
}

// fieldNamed reports whether an error is shown beside one of fields.
func fieldNamed(fields []formField) bool {
	for _, f := range fields {
		if f.Error != "" {
			return true
		}
	}
	return false
}

func (s *Site) rolesText(c *gin.Context, rs []workflow.RoleAssignment) string {
	names := s.unitNames(c)
	parts := make([]string, len(rs))
	for i, r := range rs {
		unit := "全局"
		if r.Unit != "*" {
			unit = unitName(names, r.Unit)
		}
		parts[i] = policy.RoleLabel(r.Role) + "（" + unit + "）"
	}
	return strings.Join(parts, "、")
}

func (s *Site) adminLog(c *gin.Context) []adminLogView {
	es, err := s.Admin.Log(c.Request.Context(), staffOf(c).Actor(), 30)
	if err != nil {
		return nil
	}
	out := make([]adminLogView, len(es))
	for i, e := range es {
		var parts []string
		for _, k := range []string{"username", "role", "unit", "name", "year", "code", "files", "before", "after", "sessions_ended",
			"holidays_added", "holidays_removed", "workdays_added", "workdays_removed", "deadlines_recounted",
			"added", "changed", "retired", "restored", "version_before", "version_after"} {
			if v := e.Data[k]; v != "" {
				parts = append(parts, k+"="+v)
			}
		}
		label := adminActions[e.Action]
		if label == "" {
			label = e.Action
		}
		out[i] = adminLogView{At: formatDateTime(e.At), Actor: e.ActorName, Action: label, Detail: strings.Join(parts, "；")}
	}
	return out
}

func (s *Site) adminUsersView(c *gin.Context, values map[string]string, err error) (adminUsersView, error) {
	as, lerr := s.Admin.Accounts(c.Request.Context(), staffOf(c).Actor())
	if lerr != nil {
		return adminUsersView{}, lerr
	}
	v := adminUsersView{Fields: s.adminFields(c, values, err), Log: s.adminLog(c)}
	for _, a := range as {
		v.Accounts = append(v.Accounts, accountRow{Account: a, RoleText: s.rolesText(c, a.Roles)})
	}
	if err != nil && !fieldNamed(v.Fields) {
		v.Error = workflow.ErrorMessage(err)
	}
	if c.Query("added") != "" {
		v.Flash = "已添加账号 " + c.Query("added") + "，该用户现在即可登录。"
	}
	return v, nil
}

// adminUsers is the account list with the add-account form and the admin log.
func (s *Site) adminUsers(c *gin.Context) {
	show(s, c, "console_admin_users", func(c *gin.Context) (adminUsersView, error) { return s.adminUsersView(c, nil, nil) }, nil)
}

// adminAddUser adds an account with one role.
func (s *Site) adminAddUser(c *gin.Context) {
	values := map[string]string{}
	for _, k := range []string{"username", "name", "password", "role", "unit"} {
		values[k] = c.PostForm(k)
	}
	_, err := s.Admin.AddAccount(c.Request.Context(), staffOf(c).Actor(), accounts.NewAccount{Username: values["username"],
		Name: values["name"], Password: values["password"], Roles: []workflow.RoleAssignment{{Role: values["role"], Unit: values["unit"]}}})
	if err == nil {
		c.Redirect(http.StatusSeeOther, "/console/admin/users?added="+accounts.FoldUsername(values["username"]))
		return
	}
	values["password"] = ""
	refused(s, c, err, "console_admin_users", func(c *gin.Context) (adminUsersView, error) { return s.adminUsersView(c, values, err) }, func(*adminUsersView) {})
}

type adminUserView struct {
	Account  accounts.Account
	Roles    []adminRoleView
	Grant    []formField
	Password []formField
	Error    string
	Flash    string
	Self     bool
}

type adminRoleView struct {
	Role, Unit, Text string
}

func (s *Site) adminUserView(c *gin.Context, err error) (adminUserView, error) {
	id, perr := strconv.ParseInt(c.Param("user"), 10, 64)
	if perr != nil || id <= 0 {
		return adminUserView{}, workflow.Errorf(workflow.ENotFound, "用户编号无效：%s", c.Param("user"))
	}
	st := staffOf(c)
	a, lerr := s.Admin.Account(c.Request.Context(), st.Actor(), id)
	if lerr != nil {
		return adminUserView{}, lerr
	}
	v := adminUserView{Account: a, Self: a.ID == st.ID,
		Password: []formField{{ID: "reset-password", Name: "password", Label: "新密码", Kind: "text", Required: true, MaxLength: 72,
			Help: fmt.Sprintf("至少 %d 个字符；重置后该用户的全部会话立即结束", accounts.MinPasswordLength)}}}
	for _, r := range a.Roles {
		v.Roles = append(v.Roles, adminRoleView{Role: r.Role, Unit: r.Unit, Text: s.rolesText(c, []workflow.RoleAssignment{r})})
	}
	fs := s.adminFields(c, nil, nil)
	v.Grant = []formField{s.roleField("grant-role", ""), fs[4]}
	v.Grant[1].ID = "grant-unit"
	if err != nil {
		v.Error = workflow.ErrorMessage(err)
	}
	switch c.Query("done") {
	case "disable":
		v.Flash = "账号已停用，其登录会话已全部结束。"
	case "enable":
		v.Flash = "账号已启用。"
	case "password":
		v.Flash = "密码已重置，其登录会话已全部结束。"
	case "sessions":
		v.Flash = "该用户的登录会话已全部结束。"
	case "grant":
		v.Flash = "角色已分配，该用户下一次操作即生效。"
	case "revoke":
		v.Flash = "角色已收回，该用户下一次操作即生效。"
	}
	return v, nil
}

// adminUser is one account: its roles, the grant form and the account's actions.
func (s *Site) adminUser(c *gin.Context) {
	show(s, c, "console_admin_user", func(c *gin.Context) (adminUserView, error) { return s.adminUserView(c, nil) }, nil)
}

// adminChangeUser carries out the action the form names on the account.
func (s *Site) adminChangeUser(c *gin.Context) {
	id, _ := strconv.ParseInt(c.Param("user"), 10, 64)
	ctx, actor := c.Request.Context(), staffOf(c).Actor()
	action := c.PostForm("action")
	var err error
	switch action {
	case "disable", "enable":
		_, err = s.Admin.SetDisabled(ctx, actor, id, action == "disable")
	case "password":
		_, err = s.Admin.ResetPassword(ctx, actor, id, c.PostForm("password"))
	case "sessions":
		_, err = s.Admin.EndSessions(ctx, actor, id)
	case "grant":
		err = s.Admin.Grant(ctx, actor, id, workflow.RoleAssignment{Role: c.PostForm("role"), Unit: c.PostForm("unit")})
	case "revoke":
		err = s.Admin.Revoke(ctx, actor, id, workflow.RoleAssignment{Role: c.PostForm("role"), Unit: c.PostForm("unit")})
	default:
		err = &workflow.Error{Code: workflow.EInvalid, Field: "action", Message: "请选择要执行的操作"}
	}
	if err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/console/admin/users/%d?done=%s", id, action))
		return
	}
	refused(s, c, err, "console_admin_user", func(c *gin.Context) (adminUserView, error) { return s.adminUserView(c, err) }, func(*adminUserView) {})
}

type adminUnitsView struct {
	Units  []accounts.Unit
	Fields []formField
	Error  string
	Flash  string
}

func (s *Site) adminUnitsView(c *gin.Context, err error) (adminUnitsView, error) {
	us, lerr := s.Admin.Units(c.Request.Context(), staffOf(c).Actor())
	if lerr != nil {
		return adminUnitsView{}, lerr
	}
	v := adminUnitsView{Units: us, Fields: []formField{
		{ID: "unit-code", Name: "code", Label: "科室代码", Kind: "text", Required: true, MaxLength: 32, Value: c.PostForm("code"),
			Help: "小写字母开头，如 chengjian；添加后不能更改"},
		{ID: "unit-name", Name: "name", Label: "科室名称", Kind: "text", Required: true, MaxLength: accounts.MaxNameRunes, Value: c.PostForm("name")},
	}}
	if err != nil {
		v.Error = workflow.ErrorMessage(err)
	}
	switch c.Query("done") {
	case "add":
		v.Flash = "科室已添加。"
	case "rename":
		v.Flash = "科室已改名。"
	}
	return v, nil
}

// adminUnits lists the units with the add and rename forms.
func (s *Site) adminUnits(c *gin.Context) {
	show(s, c, "console_admin_units", func(c *gin.Context) (adminUnitsView, error) { return s.adminUnitsView(c, nil) }, nil)
}

// adminSaveUnit adds a unit or renames one (action add or rename).
func (s *Site) adminSaveUnit(c *gin.Context) {
	ctx, actor := c.Request.Context(), staffOf(c).Actor()
	u := accounts.Unit{Code: c.PostForm("code"), Name: c.PostForm("name")}
	action := c.PostForm("action")
	var err error
	switch action {
	case "add":
		err = s.Admin.AddUnit(ctx, actor, u)
	case "rename":
		err = s.Admin.RenameUnit(ctx, actor, u)
	default:
		err = &workflow.Error{Code: workflow.EInvalid, Field: "action", Message: "请选择要执行的操作"}
	}
	if err == nil {
		c.Redirect(http.StatusSeeOther, "/console/admin/units?done="+action)
		return
	}
	refused(s, c, err, "console_admin_units", func(c *gin.Context) (adminUnitsView, error) { return s.adminUnitsView(c, err) }, func(*adminUnitsView) {})
}

type adminCalendarView struct {
	Years    []calendars.YearView
	Error    string
	Problems []string
	Flash    string
	// Pending is an upload of a year in force waiting for confirmation: its differences, and the
	// file to post again with confirm.
	Pending *calendars.Upload
	File    string
	Source  string
}

func (s *Site) adminCalendarView(c *gin.Context) (adminCalendarView, error) {
	ys, err := s.Calendars.Years(c.Request.Context(), staffOf(c).Actor())
	v := adminCalendarView{Years: ys}
	if y := c.Query("year"); y != "" {
		v.Flash = fmt.Sprintf("%s 年的节假日安排已生效，已重算 %s 个待办期限。", y, c.Query("recounted"))
	}
	return v, err
}

// adminCalendar shows the years in force and the upload form.
func (s *Site) adminCalendar(c *gin.Context) {
	show(s, c, "console_admin_calendar", s.adminCalendarView, nil)
}

// maxCalendarBytes is the largest holiday file taken.
const maxCalendarBytes = 64 << 10

// adminUploadCalendar takes a holiday file (a file part, or the text posted back with the
// confirmation) and uploads it.
func (s *Site) adminUploadCalendar(c *gin.Context) {
	name, data := "upload.yaml", []byte(c.PostForm("source"))
	if fh, err := c.FormFile("file"); err == nil {
		name = fh.Filename
		f, err := fh.Open()
		if err == nil {
			data, err = io.ReadAll(io.LimitReader(f, maxCalendarBytes+1))
			f.Close()
		}
		if err != nil {
			s.errorPage(c, fmt.Errorf("read holiday file: %w", err))
			return
		}
	} else if n := c.PostForm("file_name"); n != "" {
		name = n
	}
	var up calendars.Upload
	err := error(&workflow.Error{Code: workflow.EInvalid, Field: "file", Message: "请选择节假日文件"})
	switch {
	case len(data) > maxCalendarBytes:
		err = &workflow.Error{Code: workflow.EInvalid, Field: "file", Message: fmt.Sprintf("节假日文件不能超过 %d KB", maxCalendarBytes>>10)}
	case len(data) > 0:
		up, err = s.Calendars.Upload(c.Request.Context(), staffOf(c).Actor(), name, data, c.PostForm("confirm") == "1")
	}
	if err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/console/admin/calendar?year=%d&recounted=%d", up.Year.Year, up.Recounted))
		return
	}
	refused(s, c, err, "console_admin_calendar", s.adminCalendarView, func(v *adminCalendarView) {
		v.Error = workflow.ErrorMessage(err)
		if e := workflow.AsError(err); e != nil {
			v.Problems, _ = e.Details["problems"].([]string)
		}
		if workflow.ErrorCode(err) == workflow.EConflict && up.Replaces {
			v.Pending, v.File, v.Source = &up, name, string(data)
		}
	})
}

type adminAuditView struct {
	Ran    bool
	Result auditcheck.Result
}

// adminAudit runs the audit verification when asked (?run=1) and shows its result.
func (s *Site) adminAudit(c *gin.Context) {
	show(s, c, "console_admin_audit", func(c *gin.Context) (adminAuditView, error) {
		if c.Query("run") == "" {
			return adminAuditView{}, nil
		}
		res, err := s.Audit.Verify(c.Request.Context(), staffOf(c).Actor())
		return adminAuditView{Ran: true, Result: res}, err
	}, nil)
}
