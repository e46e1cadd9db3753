package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"wugongkai/workflow"
)

// FireDueDeadlines carries out up to limit due deadlines in one transaction (FireDueDeadlinesAfter
// from the first due deadline).
func (s *Deadlines) FireDueDeadlines(ctx context.Context, now time.Time, limit int, fire func(d workflow.Deadline, inst workflow.Instance) (workflow.Result, error)) (int, error) {
	n, _, err := s.FireDueDeadlinesAfter(ctx, now, workflow.DueCursor{}, limit, fire)
	return n, err
}

// FireDueDeadlinesAfter carries out up to limit due deadlines after the cursor in one transaction
// with a fixed number of statements whatever the batch size (docs/performance.md): it locks the
// batch (FOR UPDATE SKIP LOCKED, so concurrent sweeps take disjoint batches and no deadline is
// fired twice), locks the instances and reads their audit chain heads in one statement per table,
// computes every transition in Go, then writes the instance updates, audit events, outbox rows,
// new and cancelled deadlines and the deadlines' outcome with one unnest statement each. Deadlines
// of one subject in one batch are fired in order, each on the instance the one before left. If
// the batch fails it is rolled back and its deadlines are tried one per transaction, so one bad
// deadline cannot hold up the others. It returns how many deadlines it carried out (done, skipped
// or cancelled; 0 means none was due and unlocked) and the cursor of the last one it locked: a
// sweep that starts its next batch there does not walk again past the index entries of the
// deadlines it has just carried out, which stay in the partial index until vacuum.
func (s *Deadlines) FireDueDeadlinesAfter(ctx context.Context, now time.Time, after workflow.DueCursor, limit int, fire func(d workflow.Deadline, inst workflow.Instance) (workflow.Result, error)) (int, workflow.DueCursor, error) {
	var ids []int64
	n, last := 0, after
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		n, ids, last, err = s.fireBatchTx(ctx, tx, now, after, limit, fire)
		return err
	})
	if err == nil || len(ids) <= 1 {
		return n, last, err
	}
	n, err = s.fireEach(ctx, ids, now, fire)
	return n, last, err
}

type subjectKey struct {
	kind string
	id   int64
}

// batchEvent is an audit event of a batch before its gseq and hash are known.
type batchEvent struct {
	subject subjectKey
	e       workflow.AuditEntry
}

func (s *Deadlines) fireBatchTx(ctx context.Context, tx *sqlx.Tx, now time.Time, after workflow.DueCursor, limit int, fire func(d workflow.Deadline, inst workflow.Instance) (workflow.Result, error)) (int, []int64, workflow.DueCursor, error) {
	now = now.UTC().Truncate(time.Microsecond)
	var due []deadlineRow
	q := `SELECT ` + deadlineCols + ` FROM deadlines WHERE org_id = $1 AND status = 'pending' AND due_at <= $2
		AND (due_at, id) > ($4, $5) ORDER BY due_at, id LIMIT $3 FOR UPDATE SKIP LOCKED`
	if err := tx.SelectContext(ctx, &due, q, s.org, now, limit, after.DueAt.UTC(), after.ID); err != nil {
		return 0, nil, after, translate(fmt.Errorf("lock due deadlines: %w", err), "")
	}
	if len(due) == 0 {
		return 0, nil, after, nil
	}
	ids := make([]int64, len(due))
	for i, d := range due {
		ids[i] = d.ID
	}
	last := workflow.DueCursor{DueAt: due[len(due)-1].DueAt, ID: due[len(due)-1].ID}
	n, err := s.fireLockedTx(ctx, tx, now, due, ids, fire)
	return n, ids, last, err
}

// fireLockedTx carries out the locked due deadlines due (ids: their ids) as FireDueDeadlinesAfter
// describes.
func (s *Deadlines) fireLockedTx(ctx context.Context, tx *sqlx.Tx, now time.Time, due []deadlineRow, ids []int64, fire func(d workflow.Deadline, inst workflow.Instance) (workflow.Result, error)) (int, error) {

	// The instances the fire deadlines act on, locked in id order, with what their notifications
	// say of them and their audit chain heads (kept on the row, migration 000023).
	subjects := map[string][]int64{}
	seen := map[subjectKey]bool{}
	for _, d := range due {
		k := subjectKey{d.SubjectKind, d.SubjectID}
		if workflow.DeadlineAction(d.Action) != workflow.ActionFire || seen[k] {
			continue
		}
		seen[k] = true
		subjects[tableOf(d.SubjectKind)] = append(subjects[tableOf(d.SubjectKind)], d.SubjectID)
	}
	insts := map[subjectKey]workflow.Instance{}
	sums := map[subjectKey]subjectSummary{}
	heads := map[subjectKey]chainHead{}
	for _, table := range []string{"documents", "requests"} {
		if len(subjects[table]) == 0 {
			continue
		}
		var rows []lockedRow
		q := `SELECT id, org_id, unit_code, definition, definition_version, state, version, facts, title, created_by,
				audit_seq, audit_hash FROM ` + table + `
			WHERE org_id = $1 AND id = ANY($2::bigint[]) ORDER BY id FOR UPDATE`
		if err := tx.SelectContext(ctx, &rows, q, s.org, pq.Array(subjects[table])); err != nil {
			return 0, translate(fmt.Errorf("lock %s: %w", table, err), "")
		}
		kind := "document"
		if table == "requests" {
			kind = "request"
		}
		for _, r := range rows {
			inst, err := r.toDomain()
			if err != nil {
				return 0, err
			}
			k := subjectKey{kind, r.ID}
			insts[k] = inst
			sums[k] = subjectSummary{ID: r.ID, Title: r.Title, Unit: r.Unit, Creator: r.Creator}
			heads[k] = chainHead{seq: r.AuditSeq, hash: r.AuditHash}
		}
	}

	// Compute every transition in Go, in the deadlines' order.
	var (
		statuses, outcomes []string
		events             []batchEvent
		told               []toldOf
		newDeadlines       []deadlineEffect
		cancels            []deadlineEffect
		changed            = map[subjectKey]bool{}
		cancelled          = map[subjectKey][]string{}
		notify             []deadlineRow
	)
	for _, d := range due {
		k := subjectKey{d.SubjectKind, d.SubjectID}
		if slices.ContainsFunc(cancelled[k], func(c string) bool { return workflow.Cancels(c, d.Name) }) {
			statuses, outcomes = append(statuses, "cancelled"), append(outcomes, "")
			continue
		}
		status, outcome := "done", ""
		switch workflow.DeadlineAction(d.Action) {
		case workflow.ActionFire:
			inst, ok := insts[k]
			if !ok {
				status, outcome = "skipped", "记录不存在"
				break
			}
			res, err := fire(d.toDomain(), inst)
			if err != nil {
				code := workflow.ErrorCode(err)
				if code == workflow.EInternal || code == workflow.EUnavailable {
					return 0, err
				}
				status, outcome = "skipped", workflow.ErrorMessage(err)
				break
			}
			res.Event.At = now
			next := res.Instance
			next.Version = inst.Version + 1
			insts[k], changed[k] = next, true
			data := map[string]string{}
			for key, v := range res.Event.Input {
				data[key] = v
			}
			h := heads[k]
			h.seq++
			heads[k] = h
			events = append(events, batchEvent{subject: k, e: workflow.AuditEntry{Seq: h.seq, Action: res.Event.Transition,
				FromState: res.Event.From, ToState: res.Event.To, ActorID: res.Event.Actor.UserID,
				ActorName: actorName(res.Event.Actor), Data: data, At: now}})
			p := newNotifyPayload(k.kind, inst, res)
			for _, e := range res.Effects {
				switch e.Kind {
				case workflow.EffectDeadline:
					newDeadlines = append(newDeadlines, deadlineEffect{subject: k, e: e})
				case workflow.EffectCancel:
					cancels = append(cancels, deadlineEffect{subject: k, e: e})
					cancelled[k] = append(cancelled[k], e.Name)
				case workflow.EffectNotify:
					p.addNotify(e)
				}
			}
			told = append(told, toldOf{p: p, deadline: d.ID})
			outcome = fmt.Sprintf("%s → %s", res.Event.From, res.Event.To)
		case workflow.ActionRemind, workflow.ActionOverdue:
			outcome = "notify" // counted below, all notifications of the batch in one go
			notify = append(notify, d)
		}
		statuses, outcomes = append(statuses, status), append(outcomes, outcome)
	}

	// Write it all, one statement per kind of row. The transitions' notifications go straight to
	// the inbox in this transaction, not through the outbox: the batch knows every subject and
	// reads every role holder in one statement, where an outbox row would cost a write, a relay,
	// a queued task and a transaction of its own per firing.
	notified, err := s.notifyDeadlines(ctx, tx, notify)
	if err != nil {
		return 0, err
	}
	for i, d := range due {
		if statuses[i] == "done" && outcomes[i] == "notify" {
			outcomes[i] = fmt.Sprintf("notified %d", notified[d.ID])
		}
	}
	if err := s.tellTransitions(ctx, tx, told, sums); err != nil {
		return 0, err
	}
	if err := insertDeadlines(ctx, tx, s.org, newDeadlines); err != nil {
		return 0, err
	}
	if len(cancels) > 0 {
		var kinds, names []string
		var subs []int64
		for _, c := range cancels {
			kinds, subs, names = append(kinds, c.subject.kind), append(subs, c.subject.id), append(names, c.e.Name)
		}
		const qc = `UPDATE deadlines d SET status = 'cancelled', done_at = now()
			FROM unnest($2::text[], $3::bigint[], $4::text[]) AS c(kind, subject, name)
			WHERE d.org_id = $1 AND d.subject_kind = c.kind AND d.subject_id = c.subject AND d.status = 'pending'
			AND (d.name = c.name OR starts_with(d.name, c.name || '.'))`
		if _, err := tx.ExecContext(ctx, qc, s.org, pq.Array(kinds), pq.Array(subs), pq.Array(names)); err != nil {
			return 0, translate(fmt.Errorf("cancel deadlines: %w", err), "")
		}
	}
	const qd = `UPDATE deadlines d SET status = u.status, outcome = u.outcome, done_at = $2
		FROM unnest($3::bigint[], $4::text[], $5::text[]) AS u(id, status, outcome)
		WHERE d.org_id = $1 AND d.id = u.id`
	if _, err := tx.ExecContext(ctx, qd, s.org, now, pq.Array(ids), pq.Array(statuses), pq.Array(outcomes)); err != nil {
		return 0, translate(fmt.Errorf("mark deadlines: %w", err), "")
	}
	// The audit events last: taking their gseq range locks the organisation's audit head until
	// commit, so the lock is held for as little as possible. The instances are written with their
	// new chain heads before the events, so the trigger that keeps the heads (000023) finds them
	// current and every instance gets one new row version, not two.
	prevHash := make(map[subjectKey]string, len(heads))
	for k, h := range heads {
		prevHash[k] = h.hash
	}
	batch, err := s.db.prepareAuditBatch(ctx, tx, s.org, events, prevHash)
	if err != nil {
		return 0, err
	}
	for k := range changed {
		heads[k] = batch.heads[k]
	}
	if err := s.updateInstances(ctx, tx, insts, changed, heads, now); err != nil {
		return 0, err
	}
	if err := batch.insert(ctx, tx, s.org); err != nil {
		return 0, err
	}
	return len(due), nil
}

// deadlineUnit is the unit whose role holders a deadline tells: its own, or its subject's.
func deadlineUnit(d deadlineRow, subjectUnit string) string {
	if d.Unit != "" {
		return d.Unit
	}
	return subjectUnit
}

// deadlineEffect is a deadline effect of one subject's transition.
type deadlineEffect struct {
	subject subjectKey
	e       workflow.Effect
}

// updateInstances writes the new state, facts, version and audit chain head of every changed
// instance, one statement per table.
func (s *Deadlines) updateInstances(ctx context.Context, tx *sqlx.Tx, insts map[subjectKey]workflow.Instance, changed map[subjectKey]bool,
	heads map[subjectKey]chainHead, now time.Time) error {
	type cols struct {
		ids, versions, seqs []int64
		states, facts       []string
		hashes              []string
	}
	by := map[string]*cols{}
	for k := range changed {
		inst := insts[k]
		table := tableOf(k.kind)
		if by[table] == nil {
			by[table] = &cols{}
		}
		f, err := jsonText(inst.Facts)
		if err != nil {
			return fmt.Errorf("encode facts: %w", err)
		}
		c := by[table]
		c.ids, c.states, c.facts, c.versions = append(c.ids, k.id), append(c.states, inst.State), append(c.facts, f),
			append(c.versions, int64(inst.Version))
		c.seqs, c.hashes = append(c.seqs, int64(heads[k].seq)), append(c.hashes, heads[k].hash)
	}
	for table, c := range by {
		q := `UPDATE ` + table + ` t SET state = u.state, facts = u.facts::jsonb, version = u.version, updated_at = $2,
				audit_seq = u.seq, audit_hash = u.hash
			FROM unnest($3::bigint[], $4::text[], $5::text[], $6::int[], $7::int[], $8::text[]) AS u(id, state, facts, version, seq, hash)
			WHERE t.org_id = $1 AND t.id = u.id`
		if _, err := tx.ExecContext(ctx, q, s.org, now, pq.Array(c.ids), pq.Array(c.states), pq.Array(c.facts), pq.Array(c.versions),
			pq.Array(c.seqs), pq.Array(c.hashes)); err != nil {
			return translate(fmt.Errorf("update %s: %w", table, err), "")
		}
	}
	return nil
}

// insertDeadlines inserts the deadline effects in one statement.
func insertDeadlines(ctx context.Context, tx *sqlx.Tx, org int64, effects []deadlineEffect) error {
	if len(effects) == 0 {
		return nil
	}
	n := len(effects)
	var (
		kinds, names, dueAt, dueDate, actions, transitions, roles, expls, from, units, to = make([]string, n), make([]string, n),
			make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n),
			make([]string, n), make([]string, n), make([]string, n)
		subjects, days = make([]int64, n), make([]int64, n)
		provisional    = make([]bool, n)
	)
	for i, d := range effects {
		e := d.e
		dd := e.DueDate
		if dd.IsZero() {
			dd = workflow.DateOf(e.DueAt)
		}
		if !e.CountFrom.IsZero() {
			from[i] = e.CountFrom.String()
		}
		kinds[i], subjects[i], names[i] = d.subject.kind, d.subject.id, e.Name
		dueAt[i], dueDate[i], provisional[i] = e.DueAt.UTC().Format(time.RFC3339Nano), dd.String(), e.Provisional
		actions[i], transitions[i], roles[i], to[i], expls[i] = string(e.Action), e.Transition, e.Role, e.Unit, e.Explanation
		days[i], units[i] = int64(e.CountDays), e.CountUnit
	}
	const q = `INSERT INTO deadlines (org_id, subject_kind, subject_id, name, due_at, due_date, provisional,
			action, transition, role, unit, explanation, count_from, count_days, count_unit)
		SELECT $1, kind, subject, name, due_at::timestamptz, due_date::date, provisional, action, transition, role, to_unit, expl,
			NULLIF(count_from, '')::date, days, unit
		FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::text[], $9::text[],
			$10::text[], $11::text[], $12::text[], $13::int[], $14::text[], $15::text[])
			WITH ORDINALITY AS u(kind, subject, name, due_at, due_date, provisional, action, transition, role, expl, count_from, days, unit, to_unit, n)
		ORDER BY n`
	_, err := tx.ExecContext(ctx, q, org, pq.Array(kinds), pq.Array(subjects), pq.Array(names), pq.Array(dueAt), pq.Array(dueDate),
		pq.Array(provisional), pq.Array(actions), pq.Array(transitions), pq.Array(roles), pq.Array(expls), pq.Array(from),
		pq.Array(days), pq.Array(units), pq.Array(to))
	if err != nil {
		return translate(fmt.Errorf("insert deadlines: %w", err), "")
	}
	return nil
}

// chainHead is the seq and hash of the last event of a subject's audit chain.
type chainHead struct {
	seq  int
	hash string
}

// auditBatch is a batch of audit events with their gseq and hashes, ready to insert, and the
// chain head each subject will have after them.
type auditBatch struct {
	heads                                                       map[subjectKey]chainHead
	kinds, actions, froms, tos, names, data, prevs, hashes, ats []string
	subjects, seqs, actors, gseqs                               []int64
}

// prepareAuditBatch takes the gseq range of events (locking the organisation's audit head until
// commit) and computes their hashes after the chain heads prevHash (which it advances).
func (db *DB) prepareAuditBatch(ctx context.Context, tx *sqlx.Tx, org int64, events []batchEvent, prevHash map[subjectKey]string) (auditBatch, error) {
	n := len(events)
	b := auditBatch{heads: map[subjectKey]chainHead{}}
	if n == 0 {
		return b, nil
	}
	if db.auditKey == nil {
		return b, errNoAuditKey
	}
	var last, legacy int64
	const qh = `INSERT INTO audit_heads (org_id, gseq) VALUES ($1, $2)
		ON CONFLICT (org_id) DO UPDATE SET gseq = audit_heads.gseq + $2 RETURNING gseq, legacy_until`
	if err := tx.QueryRowContext(ctx, qh, org, n).Scan(&last, &legacy); err != nil {
		return b, translate(fmt.Errorf("take audit sequence: %w", err), "")
	}
	b.kinds, b.actions, b.froms, b.tos, b.names = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	b.data, b.prevs, b.hashes, b.ats = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	b.subjects, b.seqs, b.actors, b.gseqs = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	first := last - int64(n) + 1
	for i, ev := range events {
		e := ev.e
		e.At = e.At.UTC().Truncate(time.Microsecond)
		if e.Data == nil {
			e.Data = map[string]string{}
		}
		g := first + int64(i)
		e.PrevHash = prevHash[ev.subject]
		h, err := auditHash(db.auditKey, e.PrevHash, org, ev.subject.kind, ev.subject.id, g, legacy, e)
		if err != nil {
			return b, err
		}
		prevHash[ev.subject] = h
		b.heads[ev.subject] = chainHead{seq: e.Seq, hash: h}
		d, err := jsonText(e.Data)
		if err != nil {
			return b, fmt.Errorf("encode audit data: %w", err)
		}
		b.kinds[i], b.subjects[i], b.seqs[i], b.actions[i], b.froms[i], b.tos[i] = ev.subject.kind, ev.subject.id, int64(e.Seq), e.Action, e.FromState, e.ToState
		b.actors[i], b.names[i], b.data[i], b.ats[i], b.prevs[i], b.hashes[i], b.gseqs[i] = e.ActorID, e.ActorName, d, e.At.Format(time.RFC3339Nano), e.PrevHash, h, g
	}
	return b, nil
}

// insert writes the batch's events in one statement.
func (b auditBatch) insert(ctx context.Context, tx *sqlx.Tx, org int64) error {
	if len(b.kinds) == 0 {
		return nil
	}
	const q = `INSERT INTO audit_events (org_id, subject_kind, subject_id, seq, action, from_state, to_state,
			actor_id, actor_name, data, at, prev_hash, hash, gseq, keyed)
		SELECT $1, kind, subject, seq, action, from_state, to_state, NULLIF(actor, 0), actor_name, data::jsonb, at::timestamptz,
			prev_hash, hash, gseq, true
		FROM unnest($2::text[], $3::bigint[], $4::int[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[],
			$10::text[], $11::text[], $12::text[], $13::text[], $14::bigint[])
			AS u(kind, subject, seq, action, from_state, to_state, actor, actor_name, data, at, prev_hash, hash, gseq)
		ORDER BY gseq`
	_, err := tx.ExecContext(ctx, q, org, pq.Array(b.kinds), pq.Array(b.subjects), pq.Array(b.seqs), pq.Array(b.actions), pq.Array(b.froms),
		pq.Array(b.tos), pq.Array(b.actors), pq.Array(b.names), pq.Array(b.data), pq.Array(b.ats), pq.Array(b.prevs), pq.Array(b.hashes), pq.Array(b.gseqs))
	if err != nil {
		return translate(fmt.Errorf("append audit events: %w", err), "")
	}
	return nil
}

// lockedRow is an instance row as the batch locks it: the instance, what a notification says of
// it, and its audit chain head.
type lockedRow struct {
	instanceRow
	Title     string        `db:"title"`
	Creator   sql.NullInt64 `db:"created_by"`
	AuditSeq  int           `db:"audit_seq"`
	AuditHash string        `db:"audit_hash"`
}

// toldOf is the notification of a transition the batch fired for deadline.
type toldOf struct {
	p        notifyPayload
	deadline int64
}

// tellTransitions writes the inbox entries of the batch's transitions, in two statements (the
// role holders, the entries) whatever their number; sums are the subjects' summaries.
func (s *Deadlines) tellTransitions(ctx context.Context, tx *sqlx.Tx, told []toldOf, sums map[subjectKey]subjectSummary) error {
	if len(told) == 0 {
		return nil
	}
	var pairs []roleUnit
	for _, t := range told {
		pairs = append(pairs, t.p.rolePairs(sums[subjectKey{t.p.SubjectKind, t.p.SubjectID}].Unit)...)
	}
	holders, err := roleHoldersOf(ctx, tx, s.org, pairs)
	if err != nil {
		return err
	}
	var notes noticeRows
	for _, t := range told {
		notes.addTransition(t.p, sums[subjectKey{t.p.SubjectKind, t.p.SubjectID}], holders, fmt.Sprintf("deadline:%d", t.deadline))
	}
	return notes.insertFresh(ctx, tx, s.org)
}

// notifyDeadlines does what notifyDeadline does for every reminder and overdue deadline of a
// batch, in at most five statements: the subjects' titles, units and creators; the deadlines the
// reminders remind of; the role holders; and the inbox entries (a repeat of a source is a no-op).
// It returns, per deadline id, how many users were notified.
func (s *Deadlines) notifyDeadlines(ctx context.Context, tx *sqlx.Tx, ds []deadlineRow) (map[int64]int, error) {
	out := map[int64]int{}
	if len(ds) == 0 {
		return out, nil
	}
	subjects := map[string][]int64{}
	var mainKinds, mainNames []string
	var mainIDs []int64
	for _, d := range ds {
		subjects[d.SubjectKind] = append(subjects[d.SubjectKind], d.SubjectID)
		if workflow.DeadlineAction(d.Action) == workflow.ActionRemind {
			mainKinds, mainIDs = append(mainKinds, d.SubjectKind), append(mainIDs, d.SubjectID)
			mainNames = append(mainNames, strings.TrimSuffix(d.Name, ".remind"))
		}
	}
	sums, err := subjectSummaries(ctx, tx, s.org, subjects)
	if err != nil {
		return nil, err
	}
	type mainDeadline struct {
		Kind        string    `db:"subject_kind"`
		Subject     int64     `db:"subject_id"`
		Name        string    `db:"name"`
		Due         time.Time `db:"due_date"`
		Explanation string    `db:"explanation"`
	}
	type mainKey struct {
		subject subjectKey
		name    string
	}
	mains := map[mainKey]mainDeadline{}
	if len(mainIDs) > 0 {
		var rows []mainDeadline
		const q = `SELECT DISTINCT ON (subject_kind, subject_id, name) subject_kind, subject_id, name, due_date, explanation
			FROM deadlines WHERE org_id = $1 AND status = 'pending'
			AND (subject_kind, subject_id, name) IN (SELECT * FROM unnest($2::text[], $3::bigint[], $4::text[]))
			ORDER BY subject_kind, subject_id, name, id DESC`
		if err := tx.SelectContext(ctx, &rows, q, s.org, pq.Array(mainKinds), pq.Array(mainIDs), pq.Array(mainNames)); err != nil {
			return nil, translate(fmt.Errorf("read deadlines reminded of: %w", err), "")
		}
		for _, r := range rows {
			mains[mainKey{subjectKey{r.Kind, r.Subject}, r.Name}] = r
		}
	}
	var pairs []roleUnit
	for _, d := range ds {
		pairs = append(pairs, roleUnit{d.Role, deadlineUnit(d, sums[subjectKey{d.SubjectKind, d.SubjectID}].Unit)})
	}
	holders, err := roleHoldersOf(ctx, tx, s.org, pairs)
	if err != nil {
		return nil, err
	}
	var notes noticeRows
	for _, d := range ds {
		k := subjectKey{d.SubjectKind, d.SubjectID}
		sum, ok := sums[k]
		if !ok {
			return nil, &workflow.Error{Code: workflow.ENotFound, Message: "记录不存在"}
		}
		var msg, nkind string
		if workflow.DeadlineAction(d.Action) == workflow.ActionOverdue {
			nkind = "overdue"
			msg = fmt.Sprintf("「%s」已超过期限（%s 到期）：%s", sum.Title, d.DueDate.Format("2006-01-02"), d.Explanation)
		} else {
			nkind = "reminder"
			due, expl := d.DueDate.Format("2006-01-02"), d.Explanation
			if m, ok := mains[mainKey{k, strings.TrimSuffix(d.Name, ".remind")}]; ok {
				due, expl = m.Due.Format("2006-01-02"), m.Explanation
			}
			msg = fmt.Sprintf("「%s」即将到期：请在 %s 前处理。%s", sum.Title, due, expl)
		}
		to := append([]int64(nil), holders[roleUnit{d.Role, deadlineUnit(d, sum.Unit)}]...)
		if sum.Creator.Int64 != 0 {
			to = append(to, sum.Creator.Int64)
		}
		notes.add(to, 0, d.SubjectKind, d.SubjectID, nkind, msg, fmt.Sprintf("deadline:%d", d.ID))
		out[d.ID] = 0
	}
	inserted, err := notes.insert(ctx, tx, s.org)
	if err != nil {
		return nil, err
	}
	for _, src := range inserted {
		var id int64
		if _, err := fmt.Sscanf(src, "deadline:%d", &id); err == nil {
			out[id]++
		}
	}
	return out, nil
}
