package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"wugongkai/workflow"
	"wugongkai/workflow/accounts"
)

// Credentials implements workflow.AccountStore.
func (s *Store) Credentials(ctx context.Context, username string) (accounts.Credentials, error) {
	u, err := s.UserByUsername(ctx, username)
	if err != nil {
		return accounts.Credentials{}, err
	}
	roles, err := s.UserRoles(ctx, u.ID)
	if err != nil {
		return accounts.Credentials{}, err
	}
	return accounts.Credentials{Staff: workflow.Staff{ID: u.ID, Username: u.Username, Name: u.DisplayName, Roles: toRoles(roles)},
		PasswordHash: u.PasswordHash, Disabled: u.Disabled}, nil
}

func toRoles(rs []RoleAssignment) []workflow.RoleAssignment {
	out := make([]workflow.RoleAssignment, len(rs))
	for i, r := range rs {
		out[i] = workflow.RoleAssignment{Role: r.Role, Unit: r.Unit}
	}
	return out
}

// CreateSession implements workflow.AccountStore.
func (s *Store) CreateSession(ctx context.Context, tokenHash string, user int64, expires time.Time) error {
	const q = `INSERT INTO sessions (org_id, token_hash, user_id, expires_at) VALUES ($1, $2, $3, $4)`
	if _, err := s.db.ExecContext(ctx, q, s.org, tokenHash, user, expires.UTC()); err != nil {
		return translate(fmt.Errorf("create session: %w", err), "")
	}
	return nil
}

// SessionStaff implements workflow.AccountStore: the staff member of a live session, whose expiry
// moves to extendTo (written at most once a minute, so a busy user does not write on every request).
func (s *Store) SessionStaff(ctx context.Context, tokenHash string, now, extendTo time.Time) (workflow.Staff, error) {
	var row struct {
		UserID  int64          `db:"user_id"`
		Expires time.Time      `db:"expires_at"`
		User    string         `db:"username"`
		Name    string         `db:"display_name"`
		Roles   pq.StringArray `db:"roles"`
		Units   pq.StringArray `db:"units"`
	}
	// One round trip per request: the session, the user and their roles.
	const q = `SELECT s.user_id, s.expires_at, u.username, u.display_name,
		COALESCE(array_agg(ra.role ORDER BY ra.role, ra.unit_code) FILTER (WHERE ra.role IS NOT NULL), '{}') AS roles,
		COALESCE(array_agg(ra.unit_code ORDER BY ra.role, ra.unit_code) FILTER (WHERE ra.role IS NOT NULL), '{}') AS units
		FROM sessions s
		JOIN users u ON u.org_id = s.org_id AND u.id = s.user_id
		LEFT JOIN role_assignments ra ON ra.org_id = s.org_id AND ra.user_id = s.user_id
		WHERE s.org_id = $1 AND s.token_hash = $2 AND s.expires_at > $3 AND NOT u.disabled
		GROUP BY s.user_id, s.expires_at, u.username, u.display_name`
	if err := s.db.GetContext(ctx, &row, q, s.org, tokenHash, now.UTC()); err != nil {
		return workflow.Staff{}, translate(err, "会话")
	}
	if extendTo.Sub(row.Expires) > time.Minute {
		const qx = `UPDATE sessions SET expires_at = $1 WHERE org_id = $2 AND token_hash = $3`
		if _, err := s.db.ExecContext(ctx, qx, extendTo.UTC(), s.org, tokenHash); err != nil {
			return workflow.Staff{}, translate(fmt.Errorf("extend session: %w", err), "")
		}
	}
	st := workflow.Staff{ID: row.UserID, Username: row.User, Name: row.Name, Roles: []workflow.RoleAssignment{}}
	for i := range row.Roles {
		st.Roles = append(st.Roles, workflow.RoleAssignment{Role: row.Roles[i], Unit: row.Units[i]})
	}
	return st, nil
}

// DeleteSession implements workflow.AccountStore.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE org_id = $1 AND token_hash = $2`, s.org, tokenHash)
	if err != nil {
		return translate(fmt.Errorf("delete session: %w", err), "")
	}
	return nil
}

// LoginFailures implements workflow.AccountStore: the most failures any one key has since since.
func (s *Store) LoginFailures(ctx context.Context, keys []string, since time.Time) (int, error) {
	var n int
	const q = `SELECT COALESCE(MAX(c), 0) FROM (SELECT count(*) AS c FROM login_failures
		WHERE org_id = $1 AND key = ANY($2) AND at > $3 GROUP BY key) k`
	if err := s.db.GetContext(ctx, &n, q, s.org, pq.Array(keys), since.UTC()); err != nil {
		return 0, translate(fmt.Errorf("count login failures: %w", err), "")
	}
	return n, nil
}

// RecordLoginFailure implements workflow.AccountStore.
func (s *Store) RecordLoginFailure(ctx context.Context, keys []string, at time.Time) error {
	return s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (org_id, key, at) VALUES ($1, $2, $3)`, s.org, k, at.UTC()); err != nil {
				return translate(fmt.Errorf("record login failure: %w", err), "")
			}
		}
		// Old rows are of no use to the window check.
		_, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE org_id = $1 AND at < $2`, s.org, at.Add(-24*time.Hour).UTC())
		return translate(err, "")
	})
}

// ClearLoginFailures implements workflow.AccountStore.
func (s *Store) ClearLoginFailures(ctx context.Context, keys []string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM login_failures WHERE org_id = $1 AND key = ANY($2)`, s.org, pq.Array(keys))
	if err != nil {
		return translate(fmt.Errorf("clear login failures: %w", err), "")
	}
	return nil
}
