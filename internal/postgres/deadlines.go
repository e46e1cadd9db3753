package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"wugongkai/workflow"
)

type deadlineRow struct {
	ID          int64        `db:"id"`
	SubjectKind string       `db:"subject_kind"`
	SubjectID   int64        `db:"subject_id"`
	Name        string       `db:"name"`
	DueAt       time.Time    `db:"due_at"`
	DueDate     time.Time    `db:"due_date"`
	Provisional bool         `db:"provisional"`
	Action      string       `db:"action"`
	Transition  string       `db:"transition"`
	Role        string       `db:"role"`
	Unit        string       `db:"unit"`
	Explanation string       `db:"explanation"`
	CountFrom   sql.NullTime `db:"count_from"`
	CountDays   int          `db:"count_days"`
	CountUnit   string       `db:"count_unit"`
	Status      string       `db:"status"`
	DoneAt      sql.NullTime `db:"done_at"`
	Outcome     string       `db:"outcome"`
}

func (r deadlineRow) toDomain() workflow.Deadline {
	d := workflow.Deadline{ID: r.ID, SubjectKind: r.SubjectKind, SubjectID: r.SubjectID, Name: r.Name,
		DueAt: r.DueAt, DueDate: r.DueDate.Format("2006-01-02"), Provisional: r.Provisional,
		Action: workflow.DeadlineAction(r.Action), Transition: r.Transition, Role: r.Role, Unit: r.Unit,
		Explanation: r.Explanation, CountDays: r.CountDays, CountUnit: r.CountUnit, Status: r.Status, DoneAt: r.DoneAt.Time,
		Outcome: r.Outcome}
	if r.CountFrom.Valid {
		t := r.CountFrom.Time
		d.CountFrom = workflow.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}
	}
	return d
}

const deadlineCols = `id, subject_kind, subject_id, name, due_at, due_date, provisional, action, transition,
	role, unit, explanation, count_from, count_days, count_unit, status, done_at, outcome`

// Deadlines lists a subject's deadlines, pending ones first by due time.
func (s *Deadlines) Deadlines(ctx context.Context, kind string, subject int64) ([]workflow.Deadline, error) {
	return s.deadlines(ctx, kind, subject)
}

func (s *base) deadlines(ctx context.Context, kind string, subject int64) ([]workflow.Deadline, error) {
	q := `SELECT ` + deadlineCols + ` FROM deadlines WHERE org_id = $1 AND subject_kind = $2 AND subject_id = $3
		ORDER BY status <> 'pending', due_at, id`
	return selectAll(ctx, s.db, "list deadlines", deadlineRow.toDomain, q, s.org, kind, subject)
}

// DueDeadlines lists up to limit pending deadlines due at or before now, oldest first.
func (s *Deadlines) DueDeadlines(ctx context.Context, now time.Time, limit int) ([]workflow.Deadline, error) {
	q := `SELECT ` + deadlineCols + ` FROM deadlines WHERE status = 'pending' AND due_at <= $1 AND org_id = $2
		ORDER BY due_at, id LIMIT $3`
	return selectAll(ctx, s.db, "list due deadlines", deadlineRow.toDomain, q, now.UTC(), s.org, limit)
}

// DeadlineStats reports the pending deadlines and how late the oldest due one is.
func (s *Deadlines) DeadlineStats(ctx context.Context, now time.Time) (pending int, lag time.Duration, err error) {
	var oldest sql.NullTime
	const q = `SELECT count(*), min(due_at) FILTER (WHERE due_at <= $1) FROM deadlines WHERE status = 'pending' AND org_id = $2`
	if err := s.db.QueryRowContext(ctx, q, now.UTC(), s.org).Scan(&pending, &oldest); err != nil {
		return 0, 0, translate(fmt.Errorf("deadline stats: %w", err), "")
	}
	if oldest.Valid {
		lag = now.Sub(oldest.Time)
	}
	return pending, lag, nil
}

// FireDeadline carries out one due deadline exactly once. In one transaction it locks the deadline
// (skipping it if another worker holds it or it is no longer pending), does its action (fires the
// transition that fire computes from the locked instance, or notifies the role), and marks it done.
// A transition that no longer applies (the instance moved on) marks the deadline skipped with the
// reason. It reports whether this call did the work.
func (s *Deadlines) FireDeadline(ctx context.Context, id int64, now time.Time, fire func(inst workflow.Instance) (workflow.Result, error)) (done bool, err error) {
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		done, err = s.fireDeadlineTx(ctx, tx, id, now, func(_ workflow.Deadline, inst workflow.Instance) (workflow.Result, error) {
			return fire(inst)
		})
		return err
	})
	return done, err
}

// FireDeadlines carries out a batch of due deadlines in one transaction, so a crowd of deadlines
// costs one commit per batch rather than one per deadline. If anything in the batch fails, the
// batch rolls back and each deadline is tried in its own transaction, so one bad deadline cannot
// hold up the others. It returns how many this call did.
func (s *Deadlines) FireDeadlines(ctx context.Context, ids []int64, now time.Time, fire func(d workflow.Deadline, inst workflow.Instance) (workflow.Result, error)) (int, error) {
	n := 0
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		n = 0
		for _, id := range ids {
			did, err := s.fireDeadlineTx(ctx, tx, id, now, fire)
			if err != nil {
				return err
			}
			if did {
				n++
			}
		}
		return nil
	})
	if err == nil || len(ids) == 1 {
		return n, err
	}
	return s.fireEach(ctx, ids, now, fire)
}

// fireEach fires ids one transaction each (after a batch failed, so that one bad deadline does not
// hold back the others) and returns how many fired and the first error.
func (s *Deadlines) fireEach(ctx context.Context, ids []int64, now time.Time, fire func(d workflow.Deadline, inst workflow.Instance) (workflow.Result, error)) (int, error) {
	n := 0
	var firstErr error
	for _, id := range ids {
		var did bool
		err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
			var err error
			did, err = s.fireDeadlineTx(ctx, tx, id, now, fire)
			return err
		})
		if err != nil && firstErr == nil {
			firstErr = err
		}
		if did && err == nil {
			n++
		}
	}
	return n, firstErr
}

func (s *Deadlines) fireDeadlineTx(ctx context.Context, tx *sqlx.Tx, id int64, now time.Time, fire func(d workflow.Deadline, inst workflow.Instance) (workflow.Result, error)) (bool, error) {
	var d deadlineRow
	q := `SELECT ` + deadlineCols + ` FROM deadlines WHERE org_id = $1 AND id = $2 AND status = 'pending'
		FOR UPDATE SKIP LOCKED`
	if err := tx.GetContext(ctx, &d, q, s.org, id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return false, translate(fmt.Errorf("lock deadline %d: %w", id, err), "")
	}
	status, outcome := "done", ""
	switch workflow.DeadlineAction(d.Action) {
	case workflow.ActionFire:
		inst, err := s.loadInstance(ctx, tx, tableOf(d.SubjectKind), d.SubjectID, true)
		if err != nil {
			return false, err
		}
		res, err := fire(d.toDomain(), inst)
		if err != nil {
			code := workflow.ErrorCode(err)
			if code == workflow.EInternal || code == workflow.EUnavailable {
				return false, err
			}
			status, outcome = "skipped", workflow.ErrorMessage(err)
			break
		}
		res.Event.At = now
		if _, err := s.applyTx(ctx, tx, inst, res); err != nil {
			return false, err
		}
		outcome = fmt.Sprintf("%s → %s", res.Event.From, res.Event.To)
	case workflow.ActionRemind, workflow.ActionOverdue:
		n, err := s.notifyDeadline(ctx, tx, d)
		if err != nil {
			return false, err
		}
		outcome = fmt.Sprintf("notified %d", n)
	}
	const qDone = `UPDATE deadlines SET status = $1, outcome = $2, done_at = $3 WHERE org_id = $4 AND id = $5`
	if _, err := tx.ExecContext(ctx, qDone, status, outcome, now.UTC(), s.org, id); err != nil {
		return false, translate(fmt.Errorf("mark deadline %d: %w", id, err), "")
	}
	return true, nil
}

// notifyDeadline tells the holders of the deadline's role in its unit (the subject's when it names
// none) and the subject's creator that it approaches or has passed. The source key makes a repeat a no-op.
func (s *Deadlines) notifyDeadline(ctx context.Context, tx *sqlx.Tx, d deadlineRow) (int, error) {
	title, unit, creator, err := s.subjectSummary(ctx, tx, d.SubjectKind, d.SubjectID)
	if err != nil {
		return 0, err
	}
	var msg, kind string
	if workflow.DeadlineAction(d.Action) == workflow.ActionOverdue {
		kind = "overdue"
		msg = fmt.Sprintf("「%s」已超过期限（%s 到期）：%s", title, d.DueDate.Format("2006-01-02"), d.Explanation)
	} else {
		kind = "reminder"
		// A reminder names the date of the deadline it reminds of, not its own.
		due, expl := d.DueDate.Format("2006-01-02"), d.Explanation
		var main struct {
			Due         time.Time `db:"due_date"`
			Explanation string    `db:"explanation"`
		}
		const qm = `SELECT due_date, explanation FROM deadlines WHERE org_id = $1 AND subject_kind = $2 AND subject_id = $3
			AND name = $4 AND status = 'pending' ORDER BY id DESC LIMIT 1`
		err := tx.GetContext(ctx, &main, qm, s.org, d.SubjectKind, d.SubjectID, strings.TrimSuffix(d.Name, ".remind"))
		if err == nil {
			due, expl = main.Due.Format("2006-01-02"), main.Explanation
		} else if !errors.Is(err, sql.ErrNoRows) {
			return 0, translate(fmt.Errorf("read deadline reminded of: %w", err), "")
		}
		msg = fmt.Sprintf("「%s」即将到期：请在 %s 前处理。%s", title, due, expl)
	}
	users, err := roleHolders(ctx, tx, s.org, d.Role, deadlineUnit(d, unit))
	if err != nil {
		return 0, err
	}
	if creator != 0 {
		users = append(users, creator)
	}
	return insertNotifications(ctx, tx, s.org, users, d.SubjectKind, d.SubjectID, kind, msg, fmt.Sprintf("deadline:%d", d.ID))
}

// subjectSummary returns the title, unit and creator of a document or request.
func (s *base) subjectSummary(ctx context.Context, tx *sqlx.Tx, kind string, id int64) (title, unit string, creator int64, err error) {
	table := tableOf(kind)
	var row struct {
		Title   string        `db:"title"`
		Unit    string        `db:"unit_code"`
		Creator sql.NullInt64 `db:"created_by"`
	}
	q := `SELECT title, unit_code, created_by FROM ` + table + ` WHERE org_id = $1 AND id = $2`
	if err := tx.GetContext(ctx, &row, q, s.org, id); err != nil {
		return "", "", 0, translate(fmt.Errorf("read %s %d: %w", kind, id, err), "记录")
	}
	return row.Title, row.Unit, row.Creator.Int64, nil
}

// roleHolders lists the users holding role in unit, or bureau-wide.
func roleHolders(ctx context.Context, tx *sqlx.Tx, org int64, role, unit string) ([]int64, error) {
	if role == "" {
		return nil, nil
	}
	const q = `SELECT DISTINCT ra.user_id FROM role_assignments ra JOIN users u ON u.org_id = ra.org_id AND u.id = ra.user_id
		WHERE ra.org_id = $1 AND ra.role = $2 AND (ra.unit_code = $3 OR ra.unit_code = '*') AND NOT u.disabled
		ORDER BY ra.user_id`
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, q, org, role, unit); err != nil {
		return nil, translate(fmt.Errorf("role holders of %s: %w", role, err), "")
	}
	return ids, nil
}

// insertNotifications writes one inbox entry per distinct user, in one statement whatever the
// number of recipients; a repeat of the same source is a no-op.
func insertNotifications(ctx context.Context, tx *sqlx.Tx, org int64, users []int64, kind string, subject int64, nkind, msg, source string) (int, error) {
	seen := map[int64]bool{}
	distinct := make([]int64, 0, len(users))
	for _, u := range users {
		if !seen[u] {
			seen[u] = true
			distinct = append(distinct, u)
		}
	}
	if len(distinct) == 0 {
		return 0, nil
	}
	const q = `INSERT INTO notifications (org_id, user_id, subject_kind, subject_id, kind, message, source)
		SELECT $1, u, $3, $4, $5, $6, $7 FROM unnest($2::bigint[]) WITH ORDINALITY AS r(u, n) ORDER BY n
		ON CONFLICT (org_id, user_id, source) DO NOTHING`
	res, err := tx.ExecContext(ctx, q, org, pq.Array(distinct), kind, subject, nkind, msg, source)
	if err != nil {
		return 0, translate(fmt.Errorf("insert notifications: %w", err), "")
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// Recount recomputes every pending provisional deadline counted in working days with cal, after a
// holiday calendar was added: a deadline that reached into a year with no calendar was counted on
// weekdays alone and must now follow the official days off and make-up days. It returns how many
// deadlines changed.
func (s *Deadlines) Recount(ctx context.Context, cal *workflow.Calendar) (int, error) {
	changed := 0
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		changed, err = s.recount(ctx, tx, cal, 0)
		return err
	})
	return changed, err
}

// recount recomputes, in tx, the pending deadlines counted in working days that are provisional
// or (year > 0) whose count touches year, and returns how many of them changed.
func (s *base) recount(ctx context.Context, tx *sqlx.Tx, cal *workflow.Calendar, year int) (int, error) {
	var rows []struct {
		ID          int64     `db:"id"`
		From        time.Time `db:"count_from"`
		Days        int       `db:"count_days"`
		Due         time.Time `db:"due_date"`
		Provisional bool      `db:"provisional"`
		Explanation string    `db:"explanation"`
	}
	const q = `SELECT id, count_from, count_days, due_date, provisional, explanation FROM deadlines
		WHERE org_id = $1 AND status = 'pending' AND count_unit = 'working' AND count_from IS NOT NULL
		AND (provisional OR ($2 > 0 AND count_from <= make_date($2, 12, 31) AND due_date >= make_date($2, 1, 1)))
		FOR UPDATE`
	if err := tx.SelectContext(ctx, &rows, q, s.org, year); err != nil {
		return 0, translate(fmt.Errorf("read deadlines to recount: %w", err), "")
	}
	changed := 0
	for _, r := range rows {
		from := workflow.Date{Year: r.From.Year(), Month: r.From.Month(), Day: r.From.Day()}
		c := cal.AddWorkingDays(from, r.Days)
		due := workflow.Date{Year: r.Due.Year(), Month: r.Due.Month(), Day: r.Due.Day()}
		if c.Due == due && c.Provisional == r.Provisional && year > 0 {
			continue
		}
		const qu = `UPDATE deadlines SET due_date = $1, due_at = $2, provisional = $3, explanation = $4
			WHERE org_id = $5 AND id = $6`
		// What the explanation said before the count (a reminder's 提前 N 个工作日提醒, the basis of
		// a period taken from the catalogue) stays.
		explanation := c.Explanation()
		if i := strings.Index(r.Explanation, "自 "+from.String()+" 起算"); i > 0 {
			explanation = r.Explanation[:i] + explanation
		}
		if _, err := tx.ExecContext(ctx, qu, c.Due.String(), c.Due.End().UTC(), c.Provisional, explanation, s.org, r.ID); err != nil {
			return 0, translate(fmt.Errorf("recount deadline %d: %w", r.ID, err), "")
		}
		changed++
	}
	return changed, nil
}
