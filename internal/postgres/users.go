package postgres

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"wugongkai/policy"
	"wugongkai/workflow/accounts"
)

// User is a staff account.
type User struct {
	ID           int64  `db:"id"`
	Username     string `db:"username"`
	DisplayName  string `db:"display_name"`
	PasswordHash string `db:"password_hash"`
	Disabled     bool   `db:"disabled"`
}

// RoleAssignment is one role a user holds in a unit ("*" = bureau-wide).
type RoleAssignment struct {
	Role string `db:"role"`
	Unit string `db:"unit_code"`
}

// CreateUser adds an account with its role assignments in one transaction.
func (s *Accounts) CreateUser(ctx context.Context, u User, roles []RoleAssignment) (User, error) {
	u.Username = accounts.FoldUsername(u.Username)
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		const q = `INSERT INTO users (org_id, username, display_name, password_hash) VALUES ($1, $2, $3, $4) RETURNING id`
		if err := tx.QueryRowContext(ctx, q, s.org, u.Username, u.DisplayName, u.PasswordHash).Scan(&u.ID); err != nil {
			return translate(fmt.Errorf("insert user %s: %w", u.Username, err), "用户名 "+u.Username)
		}
		return assignRoles(ctx, tx, s.org, u.ID, roles)
	})
	return u, err
}

// assignRoles writes role assignments after checking each against the roles file (policy/roles.csv):
// a row the enforcer would reject is refused here, where it is written.
func assignRoles(ctx context.Context, tx *sqlx.Tx, org, user int64, roles []RoleAssignment) error {
	for _, r := range roles {
		if err := (policy.Assignment{User: fmt.Sprint(user), Role: r.Role, Unit: r.Unit}).Validate(); err != nil {
			return err
		}
		const q = `INSERT INTO role_assignments (org_id, user_id, role, unit_code) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING`
		if _, err := tx.ExecContext(ctx, q, org, user, r.Role, r.Unit); err != nil {
			return translate(fmt.Errorf("assign role %s: %w", r.Role, err), "")
		}
	}
	return nil
}

// AssignRoles adds role assignments to an existing user.
func (s *Accounts) AssignRoles(ctx context.Context, user int64, roles []RoleAssignment) error {
	return s.db.InTx(ctx, func(tx *sqlx.Tx) error { return assignRoles(ctx, tx, s.org, user, roles) })
}

// SetPassword replaces a user's password hash and ends their sessions.
func (s *Accounts) SetPassword(ctx context.Context, username, hash string) error {
	username = accounts.FoldUsername(username)
	return s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var id int64
		const q = `UPDATE users SET password_hash = $1 WHERE org_id = $2 AND username = $3 RETURNING id`
		if err := tx.QueryRowContext(ctx, q, hash, s.org, username).Scan(&id); err != nil {
			return translate(fmt.Errorf("set password of %s: %w", username, err), "用户 "+username)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE org_id = $1 AND user_id = $2`, s.org, id)
		return translate(err, "")
	})
}

// UserByUsername loads an account.
func (s *Accounts) UserByUsername(ctx context.Context, username string) (User, error) {
	username = accounts.FoldUsername(username)
	var u User
	const q = `SELECT id, username, display_name, password_hash, disabled FROM users WHERE org_id = $1 AND username = $2`
	if err := s.db.GetContext(ctx, &u, q, s.org, username); err != nil {
		return User{}, translate(err, "用户")
	}
	return u, nil
}

// UserByID loads an account.
func (s *Accounts) UserByID(ctx context.Context, id int64) (User, error) {
	var u User
	const q = `SELECT id, username, display_name, password_hash, disabled FROM users WHERE org_id = $1 AND id = $2`
	if err := s.db.GetContext(ctx, &u, q, s.org, id); err != nil {
		return User{}, translate(err, "用户")
	}
	return u, nil
}

// UserRoles lists a user's role assignments.
func (s *Accounts) UserRoles(ctx context.Context, user int64) ([]RoleAssignment, error) {
	var rs []RoleAssignment
	const q = `SELECT role, unit_code FROM role_assignments WHERE org_id = $1 AND user_id = $2 ORDER BY role, unit_code`
	if err := s.db.SelectContext(ctx, &rs, q, s.org, user); err != nil {
		return nil, translate(fmt.Errorf("list roles: %w", err), "")
	}
	return rs, nil
}

// Assignments implements policy.AssignmentSource: every user→role-in-unit row of the organisation.
func (s *Accounts) Assignments(ctx context.Context) ([]policy.Assignment, error) {
	const q = `SELECT u.username, ra.role, ra.unit_code FROM role_assignments ra
		JOIN users u ON u.org_id = ra.org_id AND u.id = ra.user_id
		WHERE ra.org_id = $1 AND NOT u.disabled ORDER BY u.username, ra.role, ra.unit_code`
	return selectAll(ctx, s.db, "list assignments", assignmentRow.toDomain, q, s.org)
}

type assignmentRow struct {
	Username string `db:"username"`
	Role     string `db:"role"`
	Unit     string `db:"unit_code"`
}

func (r assignmentRow) toDomain() policy.Assignment {
	return policy.Assignment{User: r.Username, Role: r.Role, Unit: r.Unit}
}
