package policy_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"wugongkai/policy"
	"wugongkai/workflow"
)

var update = flag.Bool("update", false, "rewrite testdata/permissions.golden")

// source is an AssignmentSource whose assignments a test can change.
type source struct {
	mu  sync.Mutex
	as  []policy.Assignment
	err error
}

func (s *source) Assignments(context.Context) ([]policy.Assignment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	return slices.Clone(s.as), nil
}

func (s *source) set(err error, as ...policy.Assignment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.as, s.err = as, err
}

func mustEnforcer(tb testing.TB, as ...policy.Assignment) *policy.Enforcer {
	tb.Helper()
	e, err := policy.New(context.Background(), &source{as: as})
	if err != nil {
		tb.Fatalf("policy.New: %v", err)
	}
	return e
}

// grantsFromBrief is the role → permission table of common.md, written out independently of
// policy.csv so that a change to either shows up here.
func grantsFromBrief() map[string][]string {
	return map[string][]string{
		"drafter": {"document:create", "document:read", "document:edit", "document:submit", "document:withdraw",
			"decision:consult", "comment:read", "task:list"},
		"unit_head":      {"document:read", "document:review_unit", "comment:read", "task:list"},
		"legal_reviewer": {"document:read", "document:review_legal", "decision:review_legality", "comment:read", "task:list"},
		"disclosure_officer": {"document:read", "document:publish", "document:rereview", "comment:read", "comment:read_contact",
			"comment:moderate", "request:register", "request:read", "request:handle",
			"case:record", "report:read", "report:edit", "task:list"},
		// 《条例》第33条: the head of the disclosure office approves extending the reply period.
		"disclosure_head": {"request:read", "request:approve_extension", "report:read", "task:list"},
		"leader":          {"document:read", "document:sign", "decision:decide", "comment:read", "report:read", "task:list"},
		// The city's disclosure office on a platform of many agencies (issue 15).
		"city_office": {"city:oversee", "city:report", "task:list"},
		"admin":       {"user:manage", "agency:manage", "calendar:manage", "catalogue:manage", "audit:verify", "report:read", "task:list"},
	}
}

// assignmentOf assigns "u_<role>" the role in chengjian, or bureau-wide for a bureau-wide role.
func assignmentOf(role string) policy.Assignment {
	unit := "chengjian"
	if policy.BureauWide(role) {
		unit = "*"
	}
	return policy.Assignment{User: "u_" + role, Role: role, Unit: unit}
}

func TestAllPermissionsMatchBrief(t *testing.T) {
	want := []string{
		"agency:manage", "audit:verify", "calendar:manage", "case:record", "catalogue:manage",
		"city:oversee", "city:report",
		"comment:moderate", "comment:read", "comment:read_contact",
		"decision:consult", "decision:decide", "decision:review_legality",
		"document:create", "document:edit", "document:publish", "document:read", "document:rereview",
		"document:review_legal", "document:review_unit", "document:sign", "document:submit", "document:withdraw",
		"report:edit", "report:read",
		"request:approve_extension", "request:handle", "request:read", "request:register",
		"task:list", "user:manage",
	}
	if got := policy.AllPermissions(); !slices.Equal(got, want) {
		t.Errorf("AllPermissions() =\n%q\nwant\n%q", got, want)
	}
}

// TestRolePermissionUnitTuples checks every role × every permission × (own unit, other unit).
func TestRolePermissionUnitTuples(t *testing.T) {
	grants := grantsFromBrief()
	var as []policy.Assignment
	for _, r := range policy.Roles {
		as = append(as, assignmentOf(r))
	}
	e := mustEnforcer(t, as...)
	for _, role := range policy.Roles {
		for _, perm := range policy.AllPermissions() {
			for _, unit := range []string{"chengjian", "fangchan"} {
				want := slices.Contains(grants[role], perm) && (policy.BureauWide(role) || unit == "chengjian")
				t.Run(fmt.Sprintf("%s/%s/%s", role, perm, unit), func(t *testing.T) {
					if got := e.Can("u_"+role, unit, perm); got != want {
						t.Errorf("Can(u_%s, %s, %s) = %v, want %v", role, unit, perm, got, want)
					}
				})
			}
		}
	}
}

func TestCanTuples(t *testing.T) {
	e := mustEnforcer(t,
		policy.Assignment{User: "zhang", Role: "drafter", Unit: "chengjian"},
		policy.Assignment{User: "li", Role: "legal_reviewer", Unit: "*"},
		policy.Assignment{User: "wang", Role: "admin", Unit: "*"},
		policy.Assignment{User: "zhao", Role: "leader", Unit: "*"},
		policy.Assignment{User: "qian", Role: "disclosure_officer", Unit: "*"},
		policy.Assignment{User: "sun", Role: "drafter", Unit: "chengjian"},
		policy.Assignment{User: "sun", Role: "unit_head", Unit: "fangchan"},
	)
	tests := []struct {
		name             string
		user, unit, perm string
		want             bool
	}{
		{"drafter submits in own unit", "zhang", "chengjian", "document:submit", true},
		{"drafter cannot submit in another unit", "zhang", "fangchan", "document:submit", false},
		{"drafter cannot review own draft", "zhang", "chengjian", "document:review_unit", false},
		{"drafter's role does not apply without a unit", "zhang", "", "task:list", false},
		{"drafter's role does not apply bureau-wide", "zhang", "*", "document:create", false},
		{"legal reviewer reviews in chengjian", "li", "chengjian", "document:review_legal", true},
		{"legal reviewer reviews in fangchan", "li", "fangchan", "document:review_legal", true},
		{"legal reviewer reviews legality in lingdao", "li", "lingdao", "decision:review_legality", true},
		{"legal reviewer cannot sign", "li", "chengjian", "document:sign", false},
		{"admin cannot sign", "wang", "bangongshi", "document:sign", false},
		{"admin cannot read documents", "wang", "chengjian", "document:read", false},
		{"admin manages users", "wang", "*", "user:manage", true},
		{"leader signs in any unit", "zhao", "fangchan", "document:sign", true},
		{"leader cannot publish", "zhao", "fangchan", "document:publish", false},
		{"disclosure officer handles requests", "qian", "bangongshi", "request:handle", true},
		{"disclosure officer cannot approve an extension", "qian", "bangongshi", "request:approve_extension", false},
		{"request wildcard does not leak into other objects", "qian", "bangongshi", "document:sign", false},
		{"bureau-wide role applies with no unit", "qian", "", "report:edit", true},
		{"two roles: unit head in fangchan", "sun", "fangchan", "document:review_unit", true},
		{"two roles: not unit head in chengjian", "sun", "chengjian", "document:review_unit", false},
		{"two roles: not drafter in fangchan", "sun", "fangchan", "document:submit", false},
		{"unknown user", "nobody", "chengjian", "document:read", false},
		{"user named like a role gains nothing", "admin", "*", "user:manage", false},
		{"empty user", "", "chengjian", "task:list", false},
		{"permission without colon", "zhang", "chengjian", "documentsubmit", false},
		{"unknown permission", "qian", "chengjian", "document:shred", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := e.Can(tt.user, tt.unit, tt.perm); got != tt.want {
				t.Errorf("Can(%q, %q, %q) = %v, want %v", tt.user, tt.unit, tt.perm, got, tt.want)
			}
		})
	}
}

func TestPermissionsGolden(t *testing.T) {
	var as []policy.Assignment
	for _, r := range policy.Roles {
		as = append(as, assignmentOf(r))
	}
	e := mustEnforcer(t, as...)

	var b strings.Builder
	b.WriteString("# Effective permissions of each role in its own unit (bureau-wide roles: in every unit).\n")
	b.WriteString("# Regenerate with: go test ./policy -run TestPermissionsGolden -update\n")
	for _, r := range policy.Roles {
		scope := "one unit"
		if policy.BureauWide(r) {
			scope = "bureau-wide"
		}
		fmt.Fprintf(&b, "\n%s (%s, %s)\n", r, policy.RoleLabel(r), scope)
		for _, p := range e.Permissions("u_"+r, "chengjian") {
			fmt.Fprintf(&b, "  %-26s %s\n", p, policy.PermissionLabel(p))
		}
	}
	got := b.String()

	path := filepath.Join("testdata", "permissions.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("effective permissions differ from %s (run with -update if intended):\n%s", path, got)
	}
}

func TestPermissionsOfOtherUnit(t *testing.T) {
	e := mustEnforcer(t, assignmentOf("drafter"), assignmentOf("leader"))
	if got := e.Permissions("u_drafter", "fangchan"); len(got) != 0 {
		t.Errorf("drafter of chengjian holds %q in fangchan, want none", got)
	}
	if got, want := e.Permissions("u_leader", "fangchan"), e.Permissions("u_leader", "chengjian"); !slices.Equal(got, want) || len(got) == 0 {
		t.Errorf("leader holds %q in fangchan and %q in chengjian, want the same non-empty set", got, want)
	}
}

func TestAuthorize(t *testing.T) {
	e := mustEnforcer(t, policy.Assignment{User: "zhang", Role: "drafter", Unit: "chengjian"})
	ctx := context.Background()
	zhang := workflow.Actor{UserID: 1, Username: "zhang", Name: "张三"}

	t.Run("allowed", func(t *testing.T) {
		if err := e.Authorize(ctx, zhang, "chengjian", "document:submit"); err != nil {
			t.Errorf("Authorize = %v, want nil", err)
		}
	})
	t.Run("system actor is always allowed", func(t *testing.T) {
		if err := e.Authorize(ctx, workflow.SystemActor, "fangchan", "document:publish"); err != nil {
			t.Errorf("Authorize(system) = %v, want nil", err)
		}
	})
	t.Run("denied names the permission", func(t *testing.T) {
		err := e.Authorize(ctx, zhang, "chengjian", "document:publish")
		werr := workflow.AsError(err)
		if werr == nil {
			t.Fatalf("Authorize = %v, want *workflow.Error", err)
		}
		if werr.Code != workflow.EForbidden {
			t.Errorf("code = %q, want %q", werr.Code, workflow.EForbidden)
		}
		if want := "您没有权限执行此操作（需要“发布”权限）"; werr.Message != want {
			t.Errorf("message = %q, want %q", werr.Message, want)
		}
		if werr.Details["permission"] != "document:publish" || werr.Details["unit"] != "chengjian" {
			t.Errorf("details = %v, want permission document:publish and unit chengjian", werr.Details)
		}
		if werr.Err != nil {
			t.Errorf("Err = %v, want nil for a known permission", werr.Err)
		}
	})
	t.Run("denied in another unit", func(t *testing.T) {
		err := e.Authorize(ctx, zhang, "fangchan", "document:submit")
		if workflow.ErrorCode(err) != workflow.EForbidden {
			t.Errorf("Authorize = %v, want forbidden", err)
		}
		if want := "您没有权限执行此操作（需要“提交公文”权限）"; workflow.ErrorMessage(err) != want {
			t.Errorf("message = %q, want %q", workflow.ErrorMessage(err), want)
		}
	})
	t.Run("anonymous actor is denied", func(t *testing.T) {
		if err := e.Authorize(ctx, workflow.Actor{}, "chengjian", "task:list"); workflow.ErrorCode(err) != workflow.EForbidden {
			t.Errorf("Authorize(anonymous) = %v, want forbidden", err)
		}
	})
	t.Run("unknown permission is denied with a logged cause", func(t *testing.T) {
		err := e.Authorize(ctx, zhang, "chengjian", "document:shred")
		werr := workflow.AsError(err)
		if werr == nil || werr.Code != workflow.EForbidden || werr.Err == nil {
			t.Errorf("Authorize = %#v, want forbidden with a cause", err)
		}
	})
}

func TestAuthorizerInterface(t *testing.T) {
	var _ workflow.Authorizer = mustEnforcer(t)
}

func TestRoles(t *testing.T) {
	e := mustEnforcer(t,
		policy.Assignment{User: "sun", Role: "unit_head", Unit: "fangchan"},
		policy.Assignment{User: "sun", Role: "drafter", Unit: "chengjian"},
		policy.Assignment{User: "sun", Role: "drafter", Unit: "chengjian"},
		policy.Assignment{User: "li", Role: "legal_reviewer", Unit: "*"},
	)
	want := []policy.Assignment{
		{User: "sun", Role: "drafter", Unit: "chengjian"},
		{User: "sun", Role: "unit_head", Unit: "fangchan"},
	}
	if got := e.Roles("sun"); !slices.Equal(got, want) {
		t.Errorf("Roles(sun) = %v, want %v", got, want)
	}
	if got := e.Roles("nobody"); len(got) != 0 {
		t.Errorf("Roles(nobody) = %v, want none", got)
	}
}

func TestReload(t *testing.T) {
	ctx := context.Background()
	src := &source{}
	src.set(nil, policy.Assignment{User: "alice", Role: "drafter", Unit: "chengjian"})
	e, err := policy.New(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if !e.Can("alice", "chengjian", "document:create") {
		t.Fatal("alice cannot create before the reload")
	}

	src.set(nil, policy.Assignment{User: "bob", Role: "drafter", Unit: "chengjian"})
	if e.Can("bob", "chengjian", "document:create") {
		t.Fatal("bob can create before the reload")
	}
	if err := e.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if e.Can("alice", "chengjian", "document:create") {
		t.Error("alice can still create after her assignment was removed")
	}
	if !e.Can("bob", "chengjian", "document:create") {
		t.Error("bob cannot create after his assignment was added")
	}
	if got := e.Roles("alice"); len(got) != 0 {
		t.Errorf("Roles(alice) = %v after removal, want none", got)
	}

	t.Run("source error keeps the previous assignments", func(t *testing.T) {
		down := errors.New("connection refused")
		src.set(down)
		err := e.Reload(ctx)
		if !errors.Is(err, down) {
			t.Errorf("Reload = %v, want it to wrap %v", err, down)
		}
		if !e.Can("bob", "chengjian", "document:create") {
			t.Error("bob lost his permission after a failed reload")
		}
	})
	// Issue 18 item 5: one bad row used to make every reload fail, so bob, revoked here, kept his
	// rights. Now the bad row denies its own user only and the rest applies.
	t.Run("invalid assignment denies its user only", func(t *testing.T) {
		src.set(nil,
			policy.Assignment{User: "carol", Role: "superuser", Unit: "*"},
			policy.Assignment{User: "carol", Role: "drafter", Unit: "chengjian"},
			policy.Assignment{User: "dave", Role: "leader", Unit: "chengjian"},
			policy.Assignment{User: "erin", Role: "drafter", Unit: "chengjian"})
		if err := e.Reload(ctx); err != nil {
			t.Fatalf("Reload = %v, want the good rows applied", err)
		}
		if e.Can("bob", "chengjian", "document:create") {
			t.Error("bob, revoked, can still create after a reload with a bad row")
		}
		if !e.Can("erin", "chengjian", "document:create") {
			t.Error("erin, added beside the bad row, cannot create")
		}
		for _, u := range []string{"carol", "dave"} {
			if ps := e.Permissions(u, "chengjian"); len(ps) != 0 {
				t.Errorf("%s, with a bad row, holds %v; want nothing", u, ps)
			}
		}
		var got []string
		for _, r := range e.Rejected() {
			got = append(got, r.User+"/"+r.Role)
			if workflow.ErrorCode(r.Err) != workflow.EInvalid {
				t.Errorf("rejected %v: error %v, want invalid", r.Assignment, r.Err)
			}
		}
		if !slices.Equal(got, []string{"carol/superuser", "dave/leader"}) {
			t.Errorf("Rejected = %v, want carol/superuser and dave/leader", got)
		}
	})
}

// TestRoleAddedByCSVAlone: a role written into a roles file and a policy file, and nothing else,
// can be assigned (in its scope only) and holds exactly its grants.
func TestRoleAddedByCSVAlone(t *testing.T) {
	ctx := context.Background()
	roles := policy.BuiltinRolesCSV() + "\nrecords_clerk, 档案员, bureau\nunit_archivist, 科室档案员, unit\n"
	pol := policy.BuiltinPolicyCSV() + "\np, records_clerk, document, read\np, records_clerk, report, read\np, unit_archivist, document, read\n"
	src := &source{}
	src.set(nil,
		policy.Assignment{User: "qian", Role: "records_clerk", Unit: "*"},
		policy.Assignment{User: "sun", Role: "unit_archivist", Unit: "chengjian"},
		policy.Assignment{User: "li", Role: "records_clerk", Unit: "chengjian"}) // wrong scope: refused
	e, err := policy.NewFromFiles(ctx, roles, pol, src)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Permissions("qian", "fangchan"); !slices.Equal(got, []string{"document:read", "report:read"}) {
		t.Errorf("records_clerk holds %v in any unit, want document:read and report:read", got)
	}
	if !e.Can("sun", "chengjian", "document:read") || e.Can("sun", "fangchan", "document:read") {
		t.Error("unit_archivist should read documents of its own unit only")
	}
	if ps := e.Permissions("li", "chengjian"); len(ps) != 0 {
		t.Errorf("a bureau-wide role assigned in one unit was applied: %v", ps)
	}
	if got := e.RoleSet().Label("records_clerk"); got != "档案员" {
		t.Errorf("label = %q", got)
	}
	// The built-in enforcer does not know the role: the policy line alone is refused.
	if _, err := policy.NewFromPolicy(ctx, pol, nil); err == nil {
		t.Error("a grant of a role missing from the roles file was accepted")
	}
}

// TestReloadConcurrentCan runs checks while assignments are reloaded. An assignment present in
// every version must never be denied; run with -race.
func TestReloadConcurrentCan(t *testing.T) {
	ctx := context.Background()
	stable := policy.Assignment{User: "zhao", Role: "leader", Unit: "*"}
	src := &source{}
	src.set(nil, stable)
	e, err := policy.New(ctx, src)
	if err != nil {
		t.Fatal(err)
	}

	var (
		stop     atomic.Bool
		denied   atomic.Int64
		checks   atomic.Int64
		checkers sync.WaitGroup
	)
	for range 4 {
		checkers.Go(func() {
			for !stop.Load() {
				if !e.Can("zhao", "chengjian", "document:sign") {
					denied.Add(1)
				}
				_ = e.Permissions("extra", "chengjian")
				_ = e.Roles("zhao")
				checks.Add(1)
			}
		})
	}
	var reloaders sync.WaitGroup
	var reloadErrs atomic.Int64
	for w := range 2 {
		reloaders.Go(func() {
			for i := range 50 {
				if (i+w)%2 == 0 {
					src.set(nil, stable, policy.Assignment{User: "extra", Role: "drafter", Unit: "chengjian"})
				} else {
					src.set(nil, stable)
				}
				if err := e.Reload(ctx); err != nil {
					reloadErrs.Add(1)
				}
			}
		})
	}
	reloaders.Wait()
	stop.Store(true)
	checkers.Wait()

	if n := reloadErrs.Load(); n > 0 {
		t.Errorf("%d reloads failed", n)
	}
	if n := denied.Load(); n > 0 {
		t.Errorf("%d of %d checks denied a permission held in every version", n, checks.Load())
	}
	if checks.Load() == 0 {
		t.Error("no checks ran during the reloads")
	}
}

func TestNewFromPolicy(t *testing.T) {
	ctx := context.Background()
	src := &source{as: []policy.Assignment{{User: "wang", Role: "admin", Unit: "*"}}}

	t.Run("uses the given policy", func(t *testing.T) {
		e, err := policy.NewFromPolicy(ctx, "p, admin, document, sign\n", src)
		if err != nil {
			t.Fatal(err)
		}
		if !e.Can("wang", "chengjian", "document:sign") {
			t.Error("admin cannot sign under a policy that grants it")
		}
		if e.Can("wang", "*", "user:manage") {
			t.Error("admin holds a built-in grant absent from the given policy")
		}
	})
	t.Run("refuses an invalid policy", func(t *testing.T) {
		_, err := policy.NewFromPolicy(ctx, "p, admin, document, shred\n", src)
		if workflow.ErrorCode(err) != workflow.EInvalid {
			t.Errorf("NewFromPolicy = %v, want invalid", err)
		}
	})
	t.Run("nil source denies everyone", func(t *testing.T) {
		e, err := policy.New(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Permissions("wang", "*"); len(got) != 0 {
			t.Errorf("Permissions = %q, want none", got)
		}
	})
}

func TestAssignmentValidate(t *testing.T) {
	tests := []struct {
		name      string
		a         policy.Assignment
		wantField string // "" = valid
	}{
		{"drafter in a unit", policy.Assignment{User: "zhang", Role: "drafter", Unit: "chengjian"}, ""},
		{"unit head in a unit", policy.Assignment{User: "zhang", Role: "unit_head", Unit: "fangchan"}, ""},
		{"leader bureau-wide", policy.Assignment{User: "zhao", Role: "leader", Unit: "*"}, ""},
		{"no user", policy.Assignment{User: " ", Role: "drafter", Unit: "chengjian"}, "user"},
		{"unknown role", policy.Assignment{User: "zhang", Role: "root", Unit: "*"}, "role"},
		{"no unit", policy.Assignment{User: "zhang", Role: "drafter", Unit: ""}, "unit"},
		{"drafter bureau-wide", policy.Assignment{User: "zhang", Role: "drafter", Unit: "*"}, "unit"},
		{"legal reviewer in one unit", policy.Assignment{User: "li", Role: "legal_reviewer", Unit: "fagui"}, "unit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.a.Validate()
			if tt.wantField == "" {
				if err != nil {
					t.Errorf("Validate = %v, want nil", err)
				}
				return
			}
			werr := workflow.AsError(err)
			if werr == nil || werr.Code != workflow.EInvalid || werr.Field != tt.wantField || werr.Message == "" {
				t.Errorf("Validate = %#v, want invalid on field %q with a message", err, tt.wantField)
			}
		})
	}
}

func TestLabels(t *testing.T) {
	seen := map[string]string{}
	for _, p := range policy.AllPermissions() {
		l := policy.PermissionLabel(p)
		if l == p || l == "" {
			t.Errorf("permission %s has no Chinese label", p)
		}
		if other, dup := seen[l]; dup {
			t.Errorf("permissions %s and %s share the label %q", other, p, l)
		}
		seen[l] = p
	}
	if got := policy.PermissionLabel("document:shred"); got != "document:shred" {
		t.Errorf("PermissionLabel(unknown) = %q, want the permission itself", got)
	}
	wantRoles := map[string]string{
		"drafter": "起草人", "unit_head": "科室负责人", "legal_reviewer": "法规科审查员",
		"disclosure_officer": "政务公开办", "disclosure_head": "政务公开工作机构负责人", "leader": "局领导", "admin": "系统管理员",
		"city_office": "市政务公开办",
	}
	if len(policy.Roles) != len(wantRoles) {
		t.Errorf("Roles = %q, want the %d roles of the brief", policy.Roles, len(wantRoles))
	}
	for _, r := range policy.Roles {
		if got := policy.RoleLabel(r); got != wantRoles[r] {
			t.Errorf("RoleLabel(%s) = %q, want %q", r, got, wantRoles[r])
		}
	}
	for r, want := range map[string]bool{"drafter": false, "unit_head": false, "legal_reviewer": true,
		"disclosure_officer": true, "disclosure_head": true, "leader": true, "admin": true, "city_office": true, "nobody": false} {
		if got := policy.BureauWide(r); got != want {
			t.Errorf("BureauWide(%s) = %v, want %v", r, got, want)
		}
	}
}
