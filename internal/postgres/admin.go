package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"wugongkai/policy"
	"wugongkai/workflow"
	"wugongkai/workflow/accounts"
)

// The admin's changes (accounts, units, role assignments, the catalogue, the holiday calendar)
// are audited in one chain per organisation: subject kind "admin", subject 0. A unit or a calendar
// year has no row id of its own, and one chain reads as the admin log.
const (
	adminKind    = "admin"
	adminSubject = 0
	// adminLockKey is the first key of the transaction advisory lock that orders appends to an
	// organisation's admin chain (the second is the organisation), as a document's row lock
	// orders appends to its chain.
	adminLockKey = 0x61646d6e // "admn"
)

// appendAdminAudit appends one admin change to the organisation's admin chain, in tx.
func (s *base) appendAdminAudit(ctx context.Context, tx *sqlx.Tx, actor workflow.Actor, at time.Time, action string, data map[string]string) error {
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2::int)`, adminLockKey, s.org); err != nil {
		return translate(fmt.Errorf("lock admin chain: %w", err), "")
	}
	return s.db.appendAudit(ctx, tx, s.org, adminKind, adminSubject, workflow.AuditEntry{Action: action,
		ActorID: actor.UserID, ActorName: actorName(actor), Data: data, At: at})
}

// AdminLog implements accounts.AdminStore: the newest entries of the admin chain, newest first.
func (s *Accounts) AdminLog(ctx context.Context, limit int) ([]workflow.AuditEntry, error) {
	const q = `SELECT ` + auditCols + ` FROM audit_events WHERE org_id = $1 AND subject_kind = $2 AND subject_id = $3
		ORDER BY seq DESC LIMIT $4`
	var rows []auditRow
	if err := s.db.SelectContext(ctx, &rows, q, s.org, adminKind, adminSubject, limit); err != nil {
		return nil, translate(fmt.Errorf("read admin log: %w", err), "")
	}
	return toDomains(rows)
}

type accountRow struct {
	ID       int64          `db:"id"`
	Username string         `db:"username"`
	Name     string         `db:"display_name"`
	Disabled bool           `db:"disabled"`
	Created  time.Time      `db:"created_at"`
	Roles    pq.StringArray `db:"roles"`
	Units    pq.StringArray `db:"units"`
	Sessions int            `db:"sessions"`
}

func (r accountRow) toDomain() accounts.Account {
	a := accounts.Account{ID: r.ID, Username: r.Username, Name: r.Name, Disabled: r.Disabled, Created: r.Created,
		Sessions: r.Sessions, Roles: []workflow.RoleAssignment{}}
	for i := range r.Roles {
		a.Roles = append(a.Roles, workflow.RoleAssignment{Role: r.Roles[i], Unit: r.Units[i]})
	}
	return a
}

const accountSelect = `SELECT u.id, u.username, u.display_name, u.disabled, u.created_at,
	COALESCE(array_agg(ra.role ORDER BY ra.role, ra.unit_code) FILTER (WHERE ra.role IS NOT NULL), '{}') AS roles,
	COALESCE(array_agg(ra.unit_code ORDER BY ra.role, ra.unit_code) FILTER (WHERE ra.role IS NOT NULL), '{}') AS units,
	(SELECT count(*) FROM sessions s WHERE s.org_id = u.org_id AND s.user_id = u.id AND s.expires_at > now()) AS sessions
	FROM users u LEFT JOIN role_assignments ra ON ra.org_id = u.org_id AND ra.user_id = u.id`

// ListAccounts implements accounts.AdminStore: every account by user name.
func (s *Accounts) ListAccounts(ctx context.Context) ([]accounts.Account, error) {
	return selectAll(ctx, s.db, "list accounts", accountRow.toDomain,
		accountSelect+` WHERE u.org_id = $1 GROUP BY u.org_id, u.id ORDER BY u.username`, s.org)
}

// Account implements accounts.AdminStore.
func (s *Accounts) Account(ctx context.Context, id int64) (accounts.Account, error) {
	return s.account(ctx, s.db, id)
}

func (s *Accounts) account(ctx context.Context, q sqlx.QueryerContext, id int64) (accounts.Account, error) {
	as, err := selectAll(ctx, q, "read account", accountRow.toDomain,
		accountSelect+` WHERE u.org_id = $1 AND u.id = $2 GROUP BY u.org_id, u.id`, s.org, id)
	if err != nil {
		return accounts.Account{}, err
	}
	if len(as) == 0 {
		return accounts.Account{}, workflow.Errorf(workflow.ENotFound, "用户 %d 不存在", id)
	}
	return as[0], nil
}

// lockAccount locks the account row (ordering concurrent changes of one account) and returns it.
func (s *Accounts) lockAccount(ctx context.Context, tx *sqlx.Tx, id int64) (accounts.Account, error) {
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM users WHERE org_id = $1 AND id = $2 FOR UPDATE`, s.org, id); err != nil {
		return accounts.Account{}, translate(fmt.Errorf("lock user %d: %w", id, err), "用户")
	}
	return s.account(ctx, tx, id)
}

// checkUnits refuses a role in a unit the organisation does not have.
func (s *Accounts) checkUnits(ctx context.Context, tx *sqlx.Tx, roles []workflow.RoleAssignment) error {
	for _, r := range roles {
		if r.Unit == "*" {
			continue
		}
		var ok bool
		if err := tx.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM units WHERE org_id = $1 AND code = $2)`, s.org, r.Unit); err != nil {
			return translate(fmt.Errorf("find unit %s: %w", r.Unit, err), "")
		}
		if !ok {
			return &workflow.Error{Code: workflow.EInvalid, Field: "unit", Message: fmt.Sprintf("科室“%s”不存在，请先在科室管理中添加", r.Unit)}
		}
	}
	return nil
}

func toAssignments(rs []workflow.RoleAssignment) []RoleAssignment {
	out := make([]RoleAssignment, len(rs))
	for i, r := range rs {
		out[i] = RoleAssignment{Role: r.Role, Unit: r.Unit}
	}
	return out
}

func rolesText(rs []workflow.RoleAssignment) string {
	out := ""
	for i, r := range rs {
		if i > 0 {
			out += " "
		}
		out += r.Role + "@" + r.Unit
	}
	return out
}

// AddAccount implements accounts.AdminStore.
func (s *Accounts) AddAccount(ctx context.Context, n accounts.NewAccount, hash string, actor workflow.Actor, at time.Time) (accounts.Account, error) {
	var out accounts.Account
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.checkUnits(ctx, tx, n.Roles); err != nil {
			return err
		}
		var id int64
		const q = `INSERT INTO users (org_id, username, display_name, password_hash) VALUES ($1, $2, $3, $4)
			ON CONFLICT (org_id, username) DO NOTHING RETURNING id`
		if err := tx.GetContext(ctx, &id, q, s.org, n.Username, n.Name, hash); err != nil {
			if workflow.ErrorCode(translate(err, "")) == workflow.ENotFound {
				return &workflow.Error{Code: workflow.EConflict, Field: "username", Message: fmt.Sprintf("用户名“%s”已被使用", n.Username)}
			}
			return translate(fmt.Errorf("insert user %s: %w", n.Username, err), "用户")
		}
		if err := assignRoles(ctx, tx, s.org, id, toAssignments(n.Roles)); err != nil {
			return err
		}
		var err error
		if out, err = s.account(ctx, tx, id); err != nil {
			return err
		}
		return s.appendAdminAudit(ctx, tx, actor, at, "user_add", map[string]string{"user_id": fmt.Sprint(id),
			"username": n.Username, "name": n.Name, "roles": rolesText(n.Roles)})
	})
	return out, err
}

// endSessions deletes the account's sessions in tx and says how many were live.
func (s *Accounts) endSessions(ctx context.Context, tx *sqlx.Tx, id int64, at time.Time) (int, error) {
	var n int
	const q = `WITH d AS (DELETE FROM sessions WHERE org_id = $1 AND user_id = $2 RETURNING expires_at)
		SELECT count(*) FROM d WHERE expires_at > $3`
	if err := tx.GetContext(ctx, &n, q, s.org, id, at.UTC()); err != nil {
		return 0, translate(fmt.Errorf("end sessions of user %d: %w", id, err), "")
	}
	return n, nil
}

func enabledText(disabled bool) string {
	if disabled {
		return "停用"
	}
	return "启用"
}

// SetDisabled implements accounts.AdminStore. Disabling deletes the sessions in the same
// transaction; every node reads sessions from here, so they end at once everywhere.
func (s *Accounts) SetDisabled(ctx context.Context, id int64, disabled bool, actor workflow.Actor, at time.Time) (int, error) {
	ended := 0
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		a, err := s.lockAccount(ctx, tx, id)
		if err != nil {
			return err
		}
		if a.Disabled == disabled {
			msg := "账号已是启用状态"
			if disabled {
				msg = "账号已停用"
			}
			return &workflow.Error{Code: workflow.EConflict, Message: msg}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled = $3 WHERE org_id = $1 AND id = $2`, s.org, id, disabled); err != nil {
			return translate(fmt.Errorf("disable user %d: %w", id, err), "用户")
		}
		action := "user_enable"
		if disabled {
			action = "user_disable"
			if ended, err = s.endSessions(ctx, tx, id, at); err != nil {
				return err
			}
		}
		return s.appendAdminAudit(ctx, tx, actor, at, action, map[string]string{"user_id": fmt.Sprint(id), "username": a.Username,
			"before": enabledText(a.Disabled), "after": enabledText(disabled), "sessions_ended": fmt.Sprint(ended)})
	})
	return ended, err
}

// ResetPassword implements accounts.AdminStore.
func (s *Accounts) ResetPassword(ctx context.Context, id int64, hash string, actor workflow.Actor, at time.Time) (int, error) {
	ended := 0
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		a, err := s.lockAccount(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $3 WHERE org_id = $1 AND id = $2`, s.org, id, hash); err != nil {
			return translate(fmt.Errorf("set password of user %d: %w", id, err), "用户")
		}
		if ended, err = s.endSessions(ctx, tx, id, at); err != nil {
			return err
		}
		return s.appendAdminAudit(ctx, tx, actor, at, "user_password", map[string]string{"user_id": fmt.Sprint(id),
			"username": a.Username, "sessions_ended": fmt.Sprint(ended)})
	})
	return ended, err
}

// EndSessions implements accounts.AdminStore.
func (s *Accounts) EndSessions(ctx context.Context, id int64, actor workflow.Actor, at time.Time) (int, error) {
	ended := 0
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		a, err := s.lockAccount(ctx, tx, id)
		if err != nil {
			return err
		}
		if ended, err = s.endSessions(ctx, tx, id, at); err != nil {
			return err
		}
		return s.appendAdminAudit(ctx, tx, actor, at, "user_sessions_end", map[string]string{"user_id": fmt.Sprint(id),
			"username": a.Username, "sessions_ended": fmt.Sprint(ended)})
	})
	return ended, err
}

// GrantRole implements accounts.AdminStore.
func (s *Accounts) GrantRole(ctx context.Context, id int64, r workflow.RoleAssignment, actor workflow.Actor, at time.Time) error {
	return s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		a, err := s.lockAccount(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.checkUnits(ctx, tx, []workflow.RoleAssignment{r}); err != nil {
			return err
		}
		if err := (policy.Assignment{User: a.Username, Role: r.Role, Unit: r.Unit}).Validate(); err != nil {
			return err
		}
		const q = `INSERT INTO role_assignments (org_id, user_id, role, unit_code) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`
		res, err := tx.ExecContext(ctx, q, s.org, id, r.Role, r.Unit)
		if err != nil {
			return translate(fmt.Errorf("grant role %s: %w", r.Role, err), "")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &workflow.Error{Code: workflow.EConflict, Field: "role", Message: fmt.Sprintf("用户 %s 已有此角色", a.Username)}
		}
		return s.appendAdminAudit(ctx, tx, actor, at, "role_grant", map[string]string{"user_id": fmt.Sprint(id),
			"username": a.Username, "role": r.Role, "unit": r.Unit, "before": rolesText(a.Roles),
			"after": rolesText(append(a.Roles, r))})
	})
}

// RevokeRole implements accounts.AdminStore.
func (s *Accounts) RevokeRole(ctx context.Context, id int64, r workflow.RoleAssignment, actor workflow.Actor, at time.Time) error {
	return s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		a, err := s.lockAccount(ctx, tx, id)
		if err != nil {
			return err
		}
		const q = `DELETE FROM role_assignments WHERE org_id = $1 AND user_id = $2 AND role = $3 AND unit_code = $4`
		res, err := tx.ExecContext(ctx, q, s.org, id, r.Role, r.Unit)
		if err != nil {
			return translate(fmt.Errorf("revoke role %s: %w", r.Role, err), "")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &workflow.Error{Code: workflow.EConflict, Field: "role", Message: fmt.Sprintf("用户 %s 没有此角色", a.Username)}
		}
		var after []workflow.RoleAssignment
		for _, old := range a.Roles {
			if old != r {
				after = append(after, old)
			}
		}
		return s.appendAdminAudit(ctx, tx, actor, at, "role_revoke", map[string]string{"user_id": fmt.Sprint(id),
			"username": a.Username, "role": r.Role, "unit": r.Unit, "before": rolesText(a.Roles), "after": rolesText(after)})
	})
}

// ListUnits implements accounts.AdminStore.
func (s *Accounts) ListUnits(ctx context.Context) ([]accounts.Unit, error) {
	return selectAll(ctx, s.db, "list units", func(u Unit) accounts.Unit { return accounts.Unit{Code: u.Code, Name: u.Name} },
		`SELECT code, name FROM units WHERE org_id = $1 ORDER BY code`, s.org)
}

// AddUnit implements accounts.AdminStore.
func (s *Accounts) AddUnit(ctx context.Context, u accounts.Unit, actor workflow.Actor, at time.Time) error {
	return s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO units (org_id, code, name) VALUES ($1, $2, $3) ON CONFLICT (org_id, code) DO NOTHING`,
			s.org, u.Code, u.Name)
		if err != nil {
			return translate(fmt.Errorf("add unit %s: %w", u.Code, err), "科室")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &workflow.Error{Code: workflow.EConflict, Field: "code", Message: fmt.Sprintf("科室代码“%s”已被使用", u.Code)}
		}
		return s.appendAdminAudit(ctx, tx, actor, at, "unit_add", map[string]string{"unit": u.Code, "name": u.Name})
	})
}

// RenameUnit implements accounts.AdminStore.
func (s *Accounts) RenameUnit(ctx context.Context, u accounts.Unit, actor workflow.Actor, at time.Time) (string, error) {
	var old string
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &old, `SELECT name FROM units WHERE org_id = $1 AND code = $2 FOR UPDATE`, s.org, u.Code); err != nil {
			return translate(fmt.Errorf("find unit %s: %w", u.Code, err), "科室")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE units SET name = $3 WHERE org_id = $1 AND code = $2`, s.org, u.Code, u.Name); err != nil {
			return translate(fmt.Errorf("rename unit %s: %w", u.Code, err), "科室")
		}
		return s.appendAdminAudit(ctx, tx, actor, at, "unit_rename", map[string]string{"unit": u.Code, "before": old, "after": u.Name})
	})
	return old, err
}
