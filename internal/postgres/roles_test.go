package postgres_test

import (
	"context"
	"testing"
	"time"

	"wugongkai/internal/postgres"
	"wugongkai/internal/postgres/pgtest"
	"wugongkai/policy"
	"wugongkai/workflow"
)

// TestRoleChangesReachTheEnforcerAtOnce: the enforcer of a node reloads on the notification that
// a role assignment changed, so a revoked user is denied within moments, not after a periodic
// re-read; and a disabled user too.
func TestRoleChangesReachTheEnforcerAtOnce(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewURL(t)
	db, err := postgres.Open(ctx, dsn, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	org, err := postgres.EnsureOrg(ctx, db, "TESTORG001", "测试局")
	if err != nil {
		t.Fatal(err)
	}
	s := postgres.NewStores(db, org, nil)
	t.Cleanup(s.Close)
	if err := s.Orgs.EnsureUnit(ctx, "chengjian", "城建科"); err != nil {
		t.Fatal(err)
	}
	u, err := s.Accounts.CreateUser(ctx, postgres.User{Username: "alice", DisplayName: "alice", PasswordHash: "x"},
		[]postgres.RoleAssignment{{Role: "drafter", Unit: "chengjian"}})
	if err != nil {
		t.Fatal(err)
	}
	e, err := policy.New(ctx, s.Accounts)
	if err != nil {
		t.Fatal(err)
	}
	lctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		if err := postgres.Listen(lctx, dsn, postgres.RolesChannel, func() { _ = e.Reload(lctx) }, nil); err != nil {
			t.Error(err)
		}
	}()
	within := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(1500 * time.Millisecond) // the old periodic re-read took up to 5 s
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not seen within 1.5 s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if err := s.Accounts.AssignRoles(ctx, u.ID, []postgres.RoleAssignment{{Role: "leader", Unit: "*"}}); err != nil {
		t.Fatal(err)
	}
	within("granted leader", func() bool { return e.Can("alice", "chengjian", "document:sign") })
	if _, err := db.ExecContext(ctx, `DELETE FROM role_assignments WHERE user_id = $1 AND role = 'leader'`, u.ID); err != nil {
		t.Fatal(err)
	}
	within("revoked leader", func() bool { return !e.Can("alice", "chengjian", "document:sign") })
	if _, err := db.ExecContext(ctx, `UPDATE users SET disabled = true WHERE id = $1`, u.ID); err != nil {
		t.Fatal(err)
	}
	within("disabled user", func() bool { return !e.Can("alice", "chengjian", "document:create") })
}

// TestAssignRolesRefusesInvalidRows: a row the enforcer would reject is refused where it is
// written, and nothing of the call is kept.
func TestAssignRolesRefusesInvalidRows(t *testing.T) {
	f := mustFixture(t)
	ctx := context.Background()
	for _, bad := range [][]postgres.RoleAssignment{
		{{Role: "superuser", Unit: "*"}},
		{{Role: "leader", Unit: "chengjian"}},
		{{Role: "drafter", Unit: "*"}},
		{{Role: "leader", Unit: "*"}, {Role: "drafter", Unit: ""}},
	} {
		if err := f.store.Accounts.AssignRoles(ctx, f.user.ID, bad); workflow.ErrorCode(err) != workflow.EInvalid {
			t.Errorf("AssignRoles(%v) = %v, want invalid", bad, err)
		}
		if _, err := f.store.Accounts.CreateUser(ctx, postgres.User{Username: "zed", DisplayName: "zed", PasswordHash: "x"}, bad); workflow.ErrorCode(err) != workflow.EInvalid {
			t.Errorf("CreateUser with %v = %v, want invalid", bad, err)
		}
	}
	rs, err := f.store.Accounts.UserRoles(ctx, f.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Role != "drafter" {
		t.Errorf("roles after refused writes = %v, want only drafter", rs)
	}
	if _, err := f.store.Accounts.UserByUsername(ctx, "zed"); workflow.ErrorCode(err) != workflow.ENotFound {
		t.Errorf("user zed created despite a bad role: %v", err)
	}
}
