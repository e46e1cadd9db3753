package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"wugongkai/workflow"
)

// PendingOutbox returns up to limit unprocessed rows that were never enqueued, or were enqueued
// longer than requeueAfter ago and are still not processed (Redis lost them: flushed, restarted
// without persistence, or the worker died). Handing a row to asynq twice is harmless: the task id
// is the row id, and processing is idempotent.
func (s *Outbox) PendingOutbox(ctx context.Context, now time.Time, requeueAfter time.Duration, limit int) ([]workflow.OutboxItem, error) {
	// Two index scans (migrations/000006): rows never handed over, and rows handed over before
	// the cut-off and still not processed; the rows handed over a moment ago are in neither.
	const q = `SELECT id, kind, payload, run_at FROM (
		(SELECT id, kind, payload, run_at FROM outbox
			WHERE org_id = $1 AND processed_at IS NULL AND enqueued_at IS NULL ORDER BY id LIMIT $3)
		UNION ALL
		(SELECT id, kind, payload, run_at FROM outbox
			WHERE org_id = $1 AND processed_at IS NULL AND enqueued_at IS NOT NULL AND enqueued_at < $2
			ORDER BY enqueued_at LIMIT $3)) due
		ORDER BY id LIMIT $3`
	return selectAll(ctx, s.db, "read outbox", outboxRow.toDomain, q, s.org, now.Add(-requeueAfter).UTC(), limit)
}

type outboxRow struct {
	ID      int64     `db:"id"`
	Kind    string    `db:"kind"`
	Payload []byte    `db:"payload"`
	RunAt   time.Time `db:"run_at"`
}

func (r outboxRow) toDomain() workflow.OutboxItem {
	return workflow.OutboxItem{ID: r.ID, Kind: r.Kind, Payload: r.Payload, RunAt: r.RunAt}
}

// MarkEnqueued records that rows were handed to the queue at now.
func (s *Outbox) MarkEnqueued(ctx context.Context, ids []int64, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	const q = `UPDATE outbox SET enqueued_at = $1, attempts = attempts + 1 WHERE org_id = $2 AND id = ANY($3)`
	_, err := s.db.ExecContext(ctx, q, now.UTC(), s.org, pq.Array(ids))
	return translate(err, "")
}

// OutboxStats reports how many rows wait to be processed and the age of the oldest.
func (s *Outbox) OutboxStats(ctx context.Context, now time.Time) (pending int, oldest time.Duration, err error) {
	var first sql.NullTime
	const q = `SELECT count(*), min(created_at) FROM outbox WHERE org_id = $1 AND processed_at IS NULL`
	if err := s.db.QueryRowContext(ctx, q, s.org).Scan(&pending, &first); err != nil {
		return 0, 0, translate(fmt.Errorf("outbox stats: %w", err), "")
	}
	if first.Valid {
		oldest = now.Sub(first.Time)
	}
	return pending, oldest, nil
}

// ProcessOutbox carries out one outbox row inside a transaction that also marks the row processed,
// so the row's effect happens exactly once however often its task is delivered. It reports false
// when the row was already processed. A second delivery of the same row waits for the first to
// commit and then finds it processed: skipping a locked row instead would report success for a row
// whose first attempt might still roll back (then it would wait for the re-queue).
func (s *Outbox) ProcessOutbox(ctx context.Context, id int64, now time.Time) (bool, error) {
	did := false
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var r struct {
			Kind    string `db:"kind"`
			Payload []byte `db:"payload"`
		}
		const q = `SELECT kind, payload FROM outbox WHERE org_id = $1 AND id = $2 AND processed_at IS NULL FOR UPDATE`
		if err := tx.GetContext(ctx, &r, q, s.org, id); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			return translate(fmt.Errorf("lock outbox %d: %w", id, err), "")
		}
		row := workflow.OutboxItem{ID: id, Kind: r.Kind, Payload: r.Payload}
		switch r.Kind {
		case OutboxNotify:
			if err := s.deliverNotify(ctx, tx, row); err != nil {
				return err
			}
		default:
			return &workflow.Error{Code: workflow.EInvalid, Message: "未知的待办类型 " + r.Kind}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET processed_at = $1 WHERE org_id = $2 AND id = $3`, now.UTC(), s.org, id); err != nil {
			return translate(fmt.Errorf("mark outbox %d: %w", id, err), "")
		}
		did = true
		return nil
	})
	return did, err
}

// deliverNotify turns a transition's notify row into inbox entries: the holders of the roles the
// transition names, in the subject's unit (or the unit a co-unit's role names) or bureau-wide, and the subject's creator; never the
// actor who fired it.
func (s *Outbox) deliverNotify(ctx context.Context, tx *sqlx.Tx, row workflow.OutboxItem) error {
	var p notifyPayload
	if err := json.Unmarshal(row.Payload, &p); err != nil {
		return &workflow.Error{Code: workflow.EInvalid, Message: "通知内容无法解析", Err: err}
	}
	title, unit, creator, err := s.subjectSummary(ctx, tx, p.SubjectKind, p.SubjectID)
	if err != nil {
		return err
	}
	var users []int64
	for _, role := range p.Roles {
		ids, err := roleHolders(ctx, tx, s.org, role, unit)
		if err != nil {
			return err
		}
		users = append(users, ids...)
	}
	for _, ru := range p.UnitRoles {
		ids, err := roleHolders(ctx, tx, s.org, ru.Role, ru.Unit)
		if err != nil {
			return err
		}
		users = append(users, ids...)
	}
	if creator != 0 {
		users = append(users, creator)
	}
	filtered := users[:0]
	for _, u := range users {
		if u != p.ActorID {
			filtered = append(filtered, u)
		}
	}
	msg := fmt.Sprintf("「%s」：%s 执行了“%s”", title, p.ActorName, p.Transition)
	if p.Label != "" {
		msg = fmt.Sprintf("「%s」：%s 执行了“%s”", title, p.ActorName, p.Label)
	}
	if p.Opinion != "" {
		msg += "，意见：" + strings.TrimSpace(p.Opinion)
	}
	_, err = insertNotifications(ctx, tx, s.org, filtered, p.SubjectKind, p.SubjectID, p.Transition, msg, fmt.Sprintf("outbox:%d", row.ID))
	return err
}

// Notifications lists a user's inbox, newest first.
func (s *Outbox) Notifications(ctx context.Context, user int64, limit int) ([]workflow.Notification, error) {
	const q = `SELECT id, user_id, subject_kind, subject_id, kind, message, created_at, read_at
		FROM notifications WHERE org_id = $1 AND user_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3`
	return selectAll(ctx, s.db, "list notifications", notificationRow.toDomain, q, s.org, user, limit)
}

type notificationRow struct {
	ID          int64        `db:"id"`
	UserID      int64        `db:"user_id"`
	SubjectKind string       `db:"subject_kind"`
	SubjectID   int64        `db:"subject_id"`
	Kind        string       `db:"kind"`
	Message     string       `db:"message"`
	CreatedAt   time.Time    `db:"created_at"`
	ReadAt      sql.NullTime `db:"read_at"`
}

func (r notificationRow) toDomain() workflow.Notification {
	return workflow.Notification{ID: r.ID, UserID: r.UserID, SubjectKind: r.SubjectKind, SubjectID: r.SubjectID,
		Kind: r.Kind, Message: r.Message, CreatedAt: r.CreatedAt, ReadAt: r.ReadAt.Time}
}
