package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
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
	const q = `SELECT id, org_id, kind, payload, run_at FROM (
		(SELECT id, org_id, kind, payload, run_at FROM outbox
			WHERE org_id = $1 AND processed_at IS NULL AND enqueued_at IS NULL ORDER BY id LIMIT $3)
		UNION ALL
		(SELECT id, org_id, kind, payload, run_at FROM outbox
			WHERE org_id = $1 AND processed_at IS NULL AND enqueued_at IS NOT NULL AND enqueued_at < $2
			ORDER BY enqueued_at LIMIT $3)) due
		ORDER BY id LIMIT $3`
	return selectAll(ctx, s.db, "read outbox", outboxRow.toDomain, q, s.org, now.Add(-requeueAfter).UTC(), limit)
}

type outboxRow struct {
	ID      int64     `db:"id"`
	Org     int64     `db:"org_id"`
	Kind    string    `db:"kind"`
	Payload []byte    `db:"payload"`
	RunAt   time.Time `db:"run_at"`
}

func (r outboxRow) toDomain() workflow.OutboxItem {
	return workflow.OutboxItem{ID: r.ID, Org: r.Org, Kind: r.Kind, Payload: r.Payload, RunAt: r.RunAt}
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

// ProcessOutbox carries out one outbox row (ProcessOutboxBatch of one row) and reports false when
// it was already processed.
func (s *Outbox) ProcessOutbox(ctx context.Context, id int64, now time.Time) (bool, error) {
	n, err := s.ProcessOutboxBatch(ctx, []int64{id}, now)
	return n == 1, err
}

// ProcessOutboxBatch carries out the outbox rows ids in one transaction that also marks them
// processed, so each row's effect happens exactly once however often its task is delivered, with
// a fixed number of statements whatever the batch size (lock the rows, read their subjects, their
// role holders, insert every inbox entry, mark the rows). It returns how many rows this call
// processed; rows already processed are skipped. A second delivery of the same rows waits for the
// first to commit and then finds them processed: skipping locked rows instead would report success
// for rows whose first attempt might still roll back (then they would wait for the re-queue). If a
// batch of several rows fails (a row that cannot be processed: an unreadable payload, a subject no
// longer there), the rows are tried one per transaction, so that one does not hold up the others.
func (s *Outbox) ProcessOutboxBatch(ctx context.Context, ids []int64, now time.Time) (int, error) {
	n := 0
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		n, err = s.processOutboxTx(ctx, tx, ids, now)
		return err
	})
	if err == nil || len(ids) <= 1 || ctx.Err() != nil {
		return n, err
	}
	n = 0
	var firstErr error
	for _, id := range ids {
		did, err := s.ProcessOutbox(ctx, id, now)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		if did {
			n++
		}
	}
	return n, firstErr
}

func (s *Outbox) processOutboxTx(ctx context.Context, tx *sqlx.Tx, ids []int64, now time.Time) (int, error) {
	var rows []struct {
		ID      int64  `db:"id"`
		Kind    string `db:"kind"`
		Payload []byte `db:"payload"`
	}
	const q = `SELECT id, kind, payload FROM outbox WHERE org_id = $1 AND id = ANY($2::bigint[]) AND processed_at IS NULL
		ORDER BY id FOR UPDATE`
	if err := tx.SelectContext(ctx, &rows, q, s.org, pq.Array(ids)); err != nil {
		return 0, translate(fmt.Errorf("lock outbox rows: %w", err), "")
	}
	if len(rows) == 0 {
		return 0, nil
	}
	payloads := make([]notifyPayload, len(rows))
	locked := make([]int64, len(rows))
	subjects := map[string][]int64{}
	for i, r := range rows {
		if r.Kind != OutboxNotify {
			return 0, &workflow.Error{Code: workflow.EInvalid, Message: "未知的待办类型 " + r.Kind}
		}
		if err := json.Unmarshal(r.Payload, &payloads[i]); err != nil {
			return 0, &workflow.Error{Code: workflow.EInvalid, Message: "通知内容无法解析", Err: err}
		}
		p := payloads[i]
		locked[i] = r.ID
		subjects[p.SubjectKind] = append(subjects[p.SubjectKind], p.SubjectID)
	}
	sums, err := subjectSummaries(ctx, tx, s.org, subjects)
	if err != nil {
		return 0, err
	}
	var pairs []roleUnit
	for _, p := range payloads {
		pairs = append(pairs, p.rolePairs(sums[subjectKey{p.SubjectKind, p.SubjectID}].Unit)...)
	}
	holders, err := roleHoldersOf(ctx, tx, s.org, pairs)
	if err != nil {
		return 0, err
	}
	var notes noticeRows
	for i, p := range payloads {
		sum, ok := sums[subjectKey{p.SubjectKind, p.SubjectID}]
		if !ok {
			return 0, &workflow.Error{Code: workflow.ENotFound, Message: "记录不存在"}
		}
		notes.addTransition(p, sum, holders, fmt.Sprintf("outbox:%d", rows[i].ID))
	}
	if _, err := notes.insert(ctx, tx, s.org); err != nil {
		return 0, err
	}
	const qm = `UPDATE outbox SET processed_at = $1 WHERE org_id = $2 AND id = ANY($3::bigint[])`
	if _, err := tx.ExecContext(ctx, qm, now.UTC(), s.org, pq.Array(locked)); err != nil {
		return 0, translate(fmt.Errorf("mark outbox rows: %w", err), "")
	}
	return len(rows), nil
}

// Notifications lists a user's inbox, newest first.
func (s *Outbox) Notifications(ctx context.Context, user int64, limit int) ([]workflow.Notification, error) {
	const q = `SELECT id, user_id, subject_kind, subject_id, kind, message, created_at, read_at
		FROM notifications WHERE org_id = $1 AND user_id = $2 ORDER BY id DESC LIMIT $3`
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
