package accounts

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"wugongkai/workflow"
)

// Account is a staff account as the admin's console shows it.
type Account struct {
	ID       int64
	Username string
	Name     string
	Disabled bool
	Roles    []workflow.RoleAssignment
	Created  time.Time
	Sessions int // live sessions
}

// Unit is a unit of the bureau (a casbin domain).
type Unit struct {
	Code string
	Name string
}

// Role is a role of policy/roles.csv as the admin assigns it: bureau-wide roles are held in every
// unit (unit "*"), the others in one unit.
type Role struct {
	Name       string
	Label      string
	BureauWide bool
}

// NewAccount is what the admin types to add an account.
type NewAccount struct {
	Username string
	Name     string
	Password string
	Roles    []workflow.RoleAssignment
}

// AdminStore is what the admin use cases need from the database. Each change is one transaction
// with its audit event (in the organisation's admin chain) and fails without writing anything.
type AdminStore interface {
	ListAccounts(ctx context.Context) ([]Account, error)
	Account(ctx context.Context, id int64) (Account, error)
	// AddAccount stores the account with its roles; a taken user name is EConflict, an unknown
	// unit EInvalid.
	AddAccount(ctx context.Context, a NewAccount, hash string, actor workflow.Actor, at time.Time) (Account, error)
	// SetDisabled disables (ending every session) or enables the account.
	SetDisabled(ctx context.Context, id int64, disabled bool, actor workflow.Actor, at time.Time) (ended int, err error)
	// ResetPassword replaces the password hash and ends every session.
	ResetPassword(ctx context.Context, id int64, hash string, actor workflow.Actor, at time.Time) (ended int, err error)
	// EndSessions ends every session of the account.
	EndSessions(ctx context.Context, id int64, actor workflow.Actor, at time.Time) (ended int, err error)
	// GrantRole and RevokeRole add or remove one role assignment (an unknown unit is EInvalid;
	// a grant held already or a revoke of a role not held is EConflict).
	GrantRole(ctx context.Context, id int64, r workflow.RoleAssignment, actor workflow.Actor, at time.Time) error
	RevokeRole(ctx context.Context, id int64, r workflow.RoleAssignment, actor workflow.Actor, at time.Time) error
	ListUnits(ctx context.Context) ([]Unit, error)
	// AddUnit adds a unit (a taken code is EConflict); RenameUnit renames one (ENotFound).
	AddUnit(ctx context.Context, u Unit, actor workflow.Actor, at time.Time) error
	RenameUnit(ctx context.Context, u Unit, actor workflow.Actor, at time.Time) (old string, err error)
	// AdminLog returns the newest entries of the organisation's admin chain, newest first.
	AdminLog(ctx context.Context, limit int) ([]workflow.AuditEntry, error)
}

// AdminUnit is the unit the admin permissions are checked in: accounts, units and roles are the
// bureau's, so the admin holds user:manage bureau-wide.
const AdminUnit = "*"

// Admin is the admin's use cases for accounts, units and role assignments, called by the console
// and the JSON API. Every one checks user:manage first.
type Admin struct {
	Store AdminStore
	Auth  workflow.Authorizer
	Roles []Role // the roles that may be assigned (policy/roles.csv)
	Clock workflow.Clock
	// RolesChanged is called after a change to who holds which role has committed, so this node
	// acts on it before its reply (other nodes hear the database's notification). nil = nothing.
	RolesChanged func(ctx context.Context) error
}

func (a *Admin) now() time.Time {
	if a.Clock == nil {
		return time.Now()
	}
	return a.Clock.Now()
}

func (a *Admin) authorize(ctx context.Context, actor workflow.Actor) error {
	return a.Auth.Authorize(ctx, actor, AdminUnit, "user:manage")
}

// rolesChanged tells this node's enforcer; its failure is not the admin's (the change committed
// and the notification reaches every node), so it is not returned.
func (a *Admin) rolesChanged(ctx context.Context) {
	if a.RolesChanged != nil {
		_ = a.RolesChanged(context.WithoutCancel(ctx))
	}
}

// Accounts lists every account with its roles.
func (a *Admin) Accounts(ctx context.Context, actor workflow.Actor) ([]Account, error) {
	if err := a.authorize(ctx, actor); err != nil {
		return nil, err
	}
	return a.Store.ListAccounts(ctx)
}

// Account returns one account.
func (a *Admin) Account(ctx context.Context, actor workflow.Actor, id int64) (Account, error) {
	if err := a.authorize(ctx, actor); err != nil {
		return Account{}, err
	}
	return a.Store.Account(ctx, id)
}

// usernamePattern is a user name: lower-case letters, digits and . _ -, starting with a letter.
var usernamePattern = regexp.MustCompile(`^[a-z][a-z0-9._-]{1,31}$`)

// unitCodePattern is a unit code (a casbin domain): lower-case letters, digits, _ and -.
var unitCodePattern = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

// MaxNameRunes is the longest display or unit name.
const MaxNameRunes = 50

func checkName(field, label, name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", &workflow.Error{Code: workflow.EInvalid, Field: field, Message: "请填写" + label}
	case utf8.RuneCountInString(name) > MaxNameRunes:
		return "", &workflow.Error{Code: workflow.EInvalid, Field: field, Message: fmt.Sprintf("%s不能超过 %d 个字", label, MaxNameRunes)}
	}
	if err := workflow.CheckText(field, name, MaxNameRunes, false); err != nil {
		return "", &workflow.Error{Code: workflow.EInvalid, Field: field, Message: label + "含有不可见的控制字符，请删除后重试"}
	}
	return name, nil
}

// role returns the assignable role called name.
func (a *Admin) role(name string) (Role, bool) {
	i := slices.IndexFunc(a.Roles, func(r Role) bool { return r.Name == name })
	if i < 0 {
		return Role{}, false
	}
	return a.Roles[i], true
}

// assignment checks one role assignment: the role exists, a bureau-wide role is held in "*"
// (whatever unit was given), a unit role in a named unit.
func (a *Admin) assignment(r workflow.RoleAssignment) (workflow.RoleAssignment, error) {
	role, ok := a.role(strings.TrimSpace(r.Role))
	if !ok {
		return r, &workflow.Error{Code: workflow.EInvalid, Field: "role", Message: fmt.Sprintf("没有角色“%s”", r.Role)}
	}
	if role.BureauWide {
		return workflow.RoleAssignment{Role: role.Name, Unit: "*"}, nil
	}
	unit := strings.TrimSpace(r.Unit)
	if unit == "" || unit == "*" {
		return r, &workflow.Error{Code: workflow.EInvalid, Field: "unit", Message: fmt.Sprintf("角色“%s”须指定所在科室", role.Label)}
	}
	return workflow.RoleAssignment{Role: role.Name, Unit: unit}, nil
}

// AddAccount adds an account with its roles. The user name is stored folded (FoldUsername); the
// password must pass CheckPassword.
func (a *Admin) AddAccount(ctx context.Context, actor workflow.Actor, n NewAccount) (Account, error) {
	if err := a.authorize(ctx, actor); err != nil {
		return Account{}, err
	}
	n.Username = FoldUsername(n.Username)
	if !usernamePattern.MatchString(n.Username) {
		return Account{}, &workflow.Error{Code: workflow.EInvalid, Field: "username",
			Message: "用户名须以小写字母开头，由 2 至 32 个小写字母、数字或 . _ - 组成"}
	}
	var err error
	if n.Name, err = checkName("name", "姓名", n.Name); err != nil {
		return Account{}, err
	}
	if len(n.Roles) == 0 {
		return Account{}, &workflow.Error{Code: workflow.EInvalid, Field: "role", Message: "请至少分配一个角色"}
	}
	for i, r := range n.Roles {
		if n.Roles[i], err = a.assignment(r); err != nil {
			return Account{}, err
		}
	}
	hash, err := HashPassword(n.Password)
	if err != nil {
		return Account{}, err
	}
	acc, err := a.Store.AddAccount(ctx, n, hash, actor, a.now())
	if err != nil {
		return Account{}, err
	}
	a.rolesChanged(ctx)
	return acc, nil
}

// SetDisabled disables an account, ending its sessions at once on every node (the sessions live
// in the database), or enables it again. An admin cannot disable their own account.
func (a *Admin) SetDisabled(ctx context.Context, actor workflow.Actor, id int64, disabled bool) (int, error) {
	if err := a.authorize(ctx, actor); err != nil {
		return 0, err
	}
	if disabled && id == actor.UserID {
		return 0, &workflow.Error{Code: workflow.EInvalid, Message: "不能停用自己的账号"}
	}
	n, err := a.Store.SetDisabled(ctx, id, disabled, actor, a.now())
	if err != nil {
		return 0, err
	}
	a.rolesChanged(ctx)
	return n, nil
}

// ResetPassword sets a new password (CheckPassword) and ends the account's sessions.
func (a *Admin) ResetPassword(ctx context.Context, actor workflow.Actor, id int64, password string) (int, error) {
	if err := a.authorize(ctx, actor); err != nil {
		return 0, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return 0, err
	}
	return a.Store.ResetPassword(ctx, id, hash, actor, a.now())
}

// EndSessions ends every session of the account: its user must sign in again.
func (a *Admin) EndSessions(ctx context.Context, actor workflow.Actor, id int64) (int, error) {
	if err := a.authorize(ctx, actor); err != nil {
		return 0, err
	}
	return a.Store.EndSessions(ctx, id, actor, a.now())
}

// Grant gives the account a role in a unit (bureau-wide roles in every unit); the user acts with
// it on their next request.
func (a *Admin) Grant(ctx context.Context, actor workflow.Actor, id int64, r workflow.RoleAssignment) error {
	return a.changeRole(ctx, actor, id, r, a.Store.GrantRole)
}

// Revoke takes a role in a unit from the account. An admin cannot revoke their own admin role.
func (a *Admin) Revoke(ctx context.Context, actor workflow.Actor, id int64, r workflow.RoleAssignment) error {
	return a.changeRole(ctx, actor, id, r, a.Store.RevokeRole)
}

func (a *Admin) changeRole(ctx context.Context, actor workflow.Actor, id int64, r workflow.RoleAssignment,
	change func(context.Context, int64, workflow.RoleAssignment, workflow.Actor, time.Time) error) error {
	if err := a.authorize(ctx, actor); err != nil {
		return err
	}
	r, err := a.assignment(r)
	if err != nil {
		return err
	}
	if id == actor.UserID && r.Role == "admin" {
		return &workflow.Error{Code: workflow.EInvalid, Field: "role", Message: "不能更改自己的系统管理员角色"}
	}
	if err := change(ctx, id, r, actor, a.now()); err != nil {
		return err
	}
	a.rolesChanged(ctx)
	return nil
}

// Units lists the bureau's units.
func (a *Admin) Units(ctx context.Context, actor workflow.Actor) ([]Unit, error) {
	if err := a.authorize(ctx, actor); err != nil {
		return nil, err
	}
	return a.Store.ListUnits(ctx)
}

// AddUnit adds a unit.
func (a *Admin) AddUnit(ctx context.Context, actor workflow.Actor, u Unit) error {
	if err := a.authorize(ctx, actor); err != nil {
		return err
	}
	u.Code = strings.TrimSpace(u.Code)
	if !unitCodePattern.MatchString(u.Code) {
		return &workflow.Error{Code: workflow.EInvalid, Field: "code",
			Message: "科室代码须以小写字母开头，由至多 32 个小写字母、数字、_ 或 - 组成（如 chengjian）"}
	}
	var err error
	if u.Name, err = checkName("name", "科室名称", u.Name); err != nil {
		return err
	}
	return a.Store.AddUnit(ctx, u, actor, a.now())
}

// RenameUnit renames a unit; its code (and every role held in it) stays.
func (a *Admin) RenameUnit(ctx context.Context, actor workflow.Actor, u Unit) error {
	if err := a.authorize(ctx, actor); err != nil {
		return err
	}
	var err error
	if u.Name, err = checkName("name", "科室名称", u.Name); err != nil {
		return err
	}
	_, err = a.Store.RenameUnit(ctx, u, actor, a.now())
	return err
}

// Log returns the newest admin changes (at most limit), newest first.
func (a *Admin) Log(ctx context.Context, actor workflow.Actor, limit int) ([]workflow.AuditEntry, error) {
	if err := a.authorize(ctx, actor); err != nil {
		return nil, err
	}
	return a.Store.AdminLog(ctx, limit)
}
