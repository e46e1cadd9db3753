// Package policy decides who may do what: the casbin model and the built-in role → permission
// policy (both embedded), the Enforcer that adds the user → role-in-unit assignments kept in the
// database, and the disclosure rules of the 《政府信息公开条例》 as pure functions.
package policy

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"

	"wugongkai/workflow"
)

//go:embed model.conf
var modelConf string

//go:embed policy.csv
var builtinPolicy string

// userPrefix marks a casbin subject as a user, so that a user whose name equals a role name
// (casbin's role manager treats equal names as linked) gains nothing from it.
const userPrefix = "user:"

func subject(user string) string { return userPrefix + user }

// Assignment gives a user a role in a unit. Unit "*" means bureau-wide, as the bureau-wide roles
// (BureauWide) are assigned; drafter and unit_head are assigned in one unit.
type Assignment struct{ User, Role, Unit string }

// Validate checks a against the built-in roles (see RoleSet.Validate).
func (a Assignment) Validate() error { return builtinRoles.Validate(a) }

// AssignmentSource lists the current user → role-in-unit assignments (the role_assignments table).
type AssignmentSource interface {
	Assignments(ctx context.Context) ([]Assignment, error)
}

// Enforcer answers permission questions from the built-in policy and the assignments of its
// source. It is safe for concurrent use; Reload swaps in a freshly built casbin enforcer, so a
// concurrent check sees either the old assignments or the new ones, never an empty policy.
type Enforcer struct {
	grants []grant
	roles  RoleSet
	src    AssignmentSource

	reloadMu sync.Mutex // serialises Reload so that a newer snapshot is never replaced by an older one
	cur      atomic.Pointer[snapshot]
}

// snapshot is one built casbin enforcer with the assignments it was built from.
type snapshot struct {
	enf         *casbin.Enforcer
	assignments []Assignment // sorted by user, unit, role
	rejected    []Rejected
}

// Rejected is an assignment row that failed validation on reload, with why. Its user holds no
// role at all until the row is fixed: a bad row denies that user, never everyone.
type Rejected struct {
	Assignment
	Err error
}

// New returns an Enforcer over the built-in policy and the assignments of src. A nil src means
// no assignments: everyone is denied everything.
func New(ctx context.Context, src AssignmentSource) (*Enforcer, error) {
	return NewFromFiles(ctx, builtinRolesCSV, builtinPolicy, src)
}

// NewFromPolicy is New with another policy file (policy.csv format) in place of the built-in one.
// The policy must pass Validate.
func NewFromPolicy(ctx context.Context, policyCSV string, src AssignmentSource) (*Enforcer, error) {
	return NewFromFiles(ctx, builtinRolesCSV, policyCSV, src)
}

// NewFromFiles is New with another roles file (roles.csv format) and policy file in place of the
// built-in ones: a role added to both files is a role, with nothing changed in Go.
func NewFromFiles(ctx context.Context, rolesCSV, policyCSV string, src AssignmentSource) (*Enforcer, error) {
	roles, err := ParseRoles(rolesCSV)
	if err != nil {
		return nil, fmt.Errorf("load roles: %w", err)
	}
	grants, problems := parsePolicy(policyCSV, roles)
	if len(problems) > 0 {
		return nil, fmt.Errorf("load policy: %w", validate(policyCSV, roles))
	}
	e := &Enforcer{grants: grants, roles: roles, src: src}
	if err := e.Reload(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// Reload re-reads the assignments from the source and swaps them in. If the source fails, the
// previous assignments stay in force. An assignment that fails validation (a role not in the
// roles file, a unit that does not fit the role) is rejected together with every other
// assignment of its user, so that user is denied everything while everyone else's current rights
// apply; Rejected lists such rows.
func (e *Enforcer) Reload(ctx context.Context) error {
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()

	var as []Assignment
	if e.src != nil {
		var err error
		if as, err = e.src.Assignments(ctx); err != nil {
			return fmt.Errorf("load assignments: %w", err)
		}
	}
	var rejected []Rejected
	bad := map[string]bool{}
	for _, a := range as {
		if err := e.roles.Validate(a); err != nil {
			rejected = append(rejected, Rejected{Assignment: a, Err: err})
			bad[a.User] = true
		}
	}
	as = slices.DeleteFunc(slices.Clone(as), func(a Assignment) bool { return bad[a.User] })
	slices.SortFunc(as, func(a, b Assignment) int {
		return strings.Compare(a.User+"\x00"+a.Unit+"\x00"+a.Role, b.User+"\x00"+b.Unit+"\x00"+b.Role)
	})
	as = slices.Compact(as)

	m, err := model.NewModelFromString(modelConf)
	if err != nil {
		return fmt.Errorf("load model: %w", err)
	}
	enf, err := casbin.NewEnforcer(m, &adapter{grants: e.grants, assignments: as})
	if err != nil {
		return fmt.Errorf("build enforcer: %w", err)
	}
	e.cur.Store(&snapshot{enf: enf, assignments: as, rejected: rejected})
	return nil
}

// Rejected returns the assignment rows the last Reload rejected; their users hold no role.
func (e *Enforcer) Rejected() []Rejected { return slices.Clone(e.cur.Load().rejected) }

// RoleSet returns the roles the enforcer knows.
func (e *Enforcer) RoleSet() RoleSet { return slices.Clone(e.roles) }

// enforce asks the current snapshot whether user may use permission in unit.
func (e *Enforcer) enforce(user, unit, permission string) (bool, error) {
	obj, act, ok := splitPermission(permission)
	if !ok || user == "" {
		return false, nil
	}
	return e.cur.Load().enf.Enforce(subject(user), unit, obj, act)
}

// Can reports whether user may use permission ("object:action") in unit. Roles assigned in one
// unit apply only when that unit is asked for; bureau-wide roles apply for every unit, including
// "*" or "" (no particular unit).
func (e *Enforcer) Can(user, unit, permission string) bool {
	ok, err := e.enforce(user, unit, permission)
	return err == nil && ok
}

// Authorize implements workflow.Authorizer with the actor's username as the subject. The system
// actor (timed transitions) is always allowed. A denial is an *workflow.Error with code forbidden
// that names the permission in Chinese, with Details "permission" and "unit".
func (e *Enforcer) Authorize(ctx context.Context, actor workflow.Actor, unit, permission string) error {
	if actor.System {
		return nil
	}
	ok, err := e.enforce(actor.Username, unit, permission)
	if err != nil {
		return &workflow.Error{Code: workflow.EInternal, Message: "权限检查出错。",
			Err: fmt.Errorf("enforce %s in %s: %w", permission, unit, err)}
	}
	if ok {
		return nil
	}
	denied := &workflow.Error{
		Code:    workflow.EForbidden,
		Message: fmt.Sprintf("您没有权限执行此操作（需要“%s”权限）", PermissionLabel(permission)),
		Details: map[string]any{"permission": permission, "unit": unit},
	}
	if _, known := permissionLabels[permission]; !known {
		denied.Err = fmt.Errorf("unknown permission %q", permission)
	}
	return denied
}

// Permissions returns the permissions user holds in unit, sorted.
func (e *Enforcer) Permissions(user, unit string) []string {
	var ps []string
	for _, p := range AllPermissions() {
		if e.Can(user, unit, p) {
			ps = append(ps, p)
		}
	}
	return ps
}

// Roles returns the assignments of user, sorted by unit and role.
func (e *Enforcer) Roles(user string) []Assignment {
	var out []Assignment
	for _, a := range e.cur.Load().assignments {
		if a.User == user {
			out = append(out, a)
		}
	}
	return out
}

// errReadOnly is returned by every adapter method that would write policy.
var errReadOnly = errors.New("policy adapter is read-only: change policy.csv or the role assignments")

// adapter is a read-only casbin adapter: it loads the grants of the policy file and the
// assignments read from the database, and refuses every write.
type adapter struct {
	grants      []grant
	assignments []Assignment
}

var _ persist.Adapter = (*adapter)(nil)

// LoadPolicy adds the "p" grants and one "g" line per assignment to m.
func (a *adapter) LoadPolicy(m model.Model) error {
	for _, g := range a.grants {
		if err := persist.LoadPolicyArray([]string{"p", g.role, g.obj, g.act}, m); err != nil {
			return fmt.Errorf("load grant of line %d: %w", g.line, err)
		}
	}
	for _, as := range a.assignments {
		if err := persist.LoadPolicyArray([]string{"g", subject(as.User), as.Role, as.Unit}, m); err != nil {
			return fmt.Errorf("load assignment of %q: %w", as.User, err)
		}
	}
	return nil
}

// SavePolicy refuses: the policy is read-only.
func (a *adapter) SavePolicy(model.Model) error { return errReadOnly }

// AddPolicy refuses: the policy is read-only.
func (a *adapter) AddPolicy(string, string, []string) error { return errReadOnly }

// RemovePolicy refuses: the policy is read-only.
func (a *adapter) RemovePolicy(string, string, []string) error { return errReadOnly }

// RemoveFilteredPolicy refuses: the policy is read-only.
func (a *adapter) RemoveFilteredPolicy(string, string, int, ...string) error { return errReadOnly }
