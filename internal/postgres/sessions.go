package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"

	"wugongkai/workflow"
	"wugongkai/workflow/accounts"
)

// Credentials implements accounts.AccountStore.
func (s *Accounts) Credentials(ctx context.Context, username string) (accounts.Credentials, error) {
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

// CreateSession implements accounts.AccountStore.
func (s *Accounts) CreateSession(ctx context.Context, tokenHash string, user int64, created, expires time.Time) error {
	const q = `INSERT INTO sessions (org_id, token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`
	if _, err := s.db.ExecContext(ctx, q, s.org, tokenHash, user, created.UTC(), expires.UTC()); err != nil {
		return translate(fmt.Errorf("create session: %w", err), "")
	}
	return nil
}

// SessionStaff implements accounts.AccountStore: the staff member of a live session, whose expiry
// moves to extendTo (written at most once a minute, so a busy user does not write on every request).
func (s *Accounts) SessionStaff(ctx context.Context, tokenHash string, now, extendTo, createdAfter time.Time) (workflow.Staff, error) {
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
		WHERE s.org_id = $1 AND s.token_hash = $2 AND s.expires_at > $3 AND s.created_at > $4 AND NOT u.disabled
		GROUP BY s.user_id, s.expires_at, u.username, u.display_name`
	if err := s.db.getPrepared(ctx, &row, q, s.org, tokenHash, now.UTC(), createdAfter.UTC()); err != nil {
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

// DeleteSession implements accounts.AccountStore.
func (s *Accounts) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE org_id = $1 AND token_hash = $2`, s.org, tokenHash)
	if err != nil {
		return translate(fmt.Errorf("delete session: %w", err), "")
	}
	return nil
}

// CountLoginAttempt implements accounts.AccountStore: one UPSERT that counts an attempt against
// limit before its password is checked. The attempt is admitted (zero time returned) unless the
// counter is blocked; an admitted attempt that reaches limit.Free blocks the counter for
// limit.Delay, doubled for each further attempt, at most limit.MaxDelay. A counter untouched for
// limit.Window starts again. PostgreSQL serialises concurrent upserts of one key, so no two
// attempts see the same count.
func (s *Accounts) CountLoginAttempt(ctx context.Context, limit accounts.LoginLimit, now time.Time) (time.Time, error) {
	const q = `INSERT INTO login_throttle AS t (org_id, key, attempts, last_at, blocked_until)
		VALUES (:org, :key, 1, CAST(:now AS timestamptz), CASE WHEN 1 >= CAST(:free AS int) THEN CAST(:now AS timestamptz) + make_interval(secs => CAST(:delay AS float8)) END)
		ON CONFLICT (org_id, key) DO UPDATE SET
			attempts = CASE WHEN t.last_at <= CAST(:now AS timestamptz) - make_interval(secs => CAST(:window AS float8)) THEN 1 ELSE t.attempts + 1 END,
			blocked_until = CASE
				WHEN (CASE WHEN t.last_at <= CAST(:now AS timestamptz) - make_interval(secs => CAST(:window AS float8)) THEN 1 ELSE t.attempts + 1 END) >= CAST(:free AS int)
				THEN CAST(:now AS timestamptz) + make_interval(secs => LEAST(CAST(:delay AS float8) * power(2, LEAST(
					(CASE WHEN t.last_at <= CAST(:now AS timestamptz) - make_interval(secs => CAST(:window AS float8)) THEN 1 ELSE t.attempts + 1 END) - CAST(:free AS int), 30)), CAST(:max_delay AS float8)))
				END,
			last_at = CAST(:now AS timestamptz)
		WHERE t.blocked_until IS NULL OR t.blocked_until <= CAST(:now AS timestamptz)
		RETURNING attempts`
	args := map[string]any{"org": s.org, "key": limit.Key, "now": now.UTC(), "free": limit.Free,
		"delay": limit.Delay.Seconds(), "max_delay": max(limit.MaxDelay, limit.Delay).Seconds(), "window": limit.Window.Seconds()}
	qq, qargs, err := s.db.BindNamed(q, args)
	if err != nil {
		return time.Time{}, fmt.Errorf("count login attempt: %w", err)
	}
	var n int
	err = s.db.QueryRowxContext(ctx, qq, qargs...).Scan(&n)
	if err == nil {
		return time.Time{}, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, translate(fmt.Errorf("count login attempt: %w", err), "")
	}
	// Blocked: the update's WHERE left the row alone.
	var until sql.NullTime
	const qb = `SELECT blocked_until FROM login_throttle WHERE org_id = $1 AND key = $2`
	if err := s.db.GetContext(ctx, &until, qb, s.org, limit.Key); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, translate(fmt.Errorf("read login block: %w", err), "")
	}
	if !until.Valid || !until.Time.After(now) {
		return now.Add(time.Second), nil // unblocked in between: try again at once
	}
	return until.Time, nil
}

// ForgetLoginAttempt implements accounts.AccountStore: after a right password, the counter of key
// is deleted (reset) or gives the attempt back (the address ceiling counts only failures).
func (s *Accounts) ForgetLoginAttempt(ctx context.Context, key string, reset bool, now time.Time) error {
	q := `UPDATE login_throttle SET attempts = GREATEST(attempts - 1, 0) WHERE org_id = $1 AND key = $2`
	if reset {
		q = `DELETE FROM login_throttle WHERE org_id = $1 AND key = $2`
	}
	if _, err := s.db.ExecContext(ctx, q, s.org, key); err != nil {
		return translate(fmt.Errorf("forget login attempt: %w", err), "")
	}
	// Counters left alone for a day are of no use any more.
	const qo = `DELETE FROM login_throttle WHERE org_id = $1 AND last_at < $2 AND (blocked_until IS NULL OR blocked_until < $2)`
	if _, err := s.db.ExecContext(ctx, qo, s.org, now.Add(-24*time.Hour).UTC()); err != nil {
		return translate(fmt.Errorf("prune login counters: %w", err), "")
	}
	return nil
}
