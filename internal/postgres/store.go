package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"wugongkai/workflow"
)

// base is what every store type holds: the pool, the organisation it serves (every query filters
// by it) and the clock. Its methods are the code the domains share: the transaction that applies a
// transition (state, audit event, deadlines, outbox), loading an instance, the audit history and
// the deadlines of a subject.
type base struct {
	db    *DB
	org   int64
	clock workflow.Clock
}

// Instances is the engine's workflow.Store: it applies transitions to documents, decision drafts
// and requests.
type Instances struct{ base }

// subjectKind maps a definition to the audit and deadline subject kind and its table.
func subjectKind(definition string) (kind, table string) {
	if definition == "request" {
		return "request", "requests"
	}
	return "document", "documents"
}

// tableOf returns the table of a subject kind.
func tableOf(kind string) string {
	if kind == "request" {
		return "requests"
	}
	return "documents"
}

// Apply implements workflow.Store: one transaction writes the new state and facts (if the version
// still matches), the audit event, the deadlines and the outbox rows.
func (s *Instances) Apply(ctx context.Context, prev workflow.Instance, res workflow.Result) (workflow.Instance, error) {
	return s.apply(ctx, prev, res)
}

// apply is Apply for every store type whose consumer applies transitions.
func (s *base) apply(ctx context.Context, prev workflow.Instance, res workflow.Result) (workflow.Instance, error) {
	var out workflow.Instance
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		out, err = s.applyTx(ctx, tx, prev, res)
		return err
	})
	return out, err
}

// applyTx writes a transition in the caller's transaction in two statements with the effects
// between them: the versioned update of the row, which also takes the organisation's next gseq and
// returns the audit chain's head kept on the row (migration 000023); then, with the event hashed
// in Go, the audit event and the notification's outbox row. Both are prepared statements.
func (s *base) applyTx(ctx context.Context, tx *sqlx.Tx, prev workflow.Instance, res workflow.Result) (workflow.Instance, error) {
	kind, table := subjectKind(prev.Definition)
	facts, err := jsonText(res.Instance.Facts)
	if err != nil {
		return workflow.Instance{}, fmt.Errorf("encode facts: %w", err)
	}
	var head struct {
		version, seq int
		hash         string
		gseq, legacy int64
	}
	err = s.db.queryRowIn(ctx, tx, qTransitionUpdate[table], res.Instance.State, facts, res.Event.At, s.org, prev.ID, prev.Version).
		Scan(&head.version, &head.seq, &head.hash, &head.gseq, &head.legacy)
	if err != nil {
		if workflow.ErrorCode(translate(err, "")) == workflow.ENotFound {
			return workflow.Instance{}, s.staleOrMissing(ctx, tx, table, prev)
		}
		return workflow.Instance{}, translate(fmt.Errorf("update %s: %w", table, err), "")
	}
	payload, err := s.writeEffects(ctx, tx, kind, prev, res)
	if err != nil {
		return workflow.Instance{}, err
	}
	data := map[string]string{}
	for k, v := range res.Event.Input {
		data[k] = v
	}
	e := workflow.AuditEntry{Seq: head.seq + 1, PrevHash: head.hash,
		Action: res.Event.Transition, FromState: res.Event.From, ToState: res.Event.To,
		ActorID: res.Event.Actor.UserID, ActorName: actorName(res.Event.Actor), Data: data, At: res.Event.At}
	p, err := s.db.auditParams(s.org, kind, prev.ID, head.gseq, head.legacy, &e)
	if err != nil {
		return workflow.Instance{}, err
	}
	if p["payload"], err = jsonText(payload); err != nil {
		return workflow.Instance{}, fmt.Errorf("encode outbox payload: %w", err)
	}
	p["outbox_kind"] = OutboxNotify
	if err := s.db.execPrepared(ctx, tx, qTransitionAppend, p); err != nil {
		return workflow.Instance{}, translate(fmt.Errorf("append audit event: %w", err), "")
	}
	out := res.Instance
	out.Version = head.version
	return out, nil
}

// qTransitionUpdate is the versioned update of a transition, by table. It takes the
// organisation's next gseq only when the row was updated (the INSERT reads u), after the row's lock
// (every appender locks the subject before audit_heads). A transaction that waited for the row's
// lock gets the row as the other left it, with the audit head that one wrote.
var qTransitionUpdate = map[string]string{"documents": transitionUpdate("documents"), "requests": transitionUpdate("requests")}

func transitionUpdate(table string) string {
	return `WITH u AS (
			UPDATE ` + table + ` SET state = $1, facts = $2, version = version + 1, updated_at = $3
			WHERE org_id = $4 AND id = $5 AND version = $6 RETURNING version, audit_seq, audit_hash),
		h AS (
			INSERT INTO audit_heads (org_id, gseq) SELECT $4, 1 FROM u
			ON CONFLICT (org_id) DO UPDATE SET gseq = audit_heads.gseq + 1 RETURNING gseq, legacy_until)
		SELECT u.version, u.audit_seq, u.audit_hash, h.gseq, h.legacy_until FROM u, h`
}

// qTransitionAppend writes a transition's audit event (qAppendAudit's columns) and its
// notification's outbox row in one statement.
const qTransitionAppend = `WITH a AS (
		INSERT INTO audit_events (org_id, subject_kind, subject_id, seq, action, from_state, to_state,
			actor_id, actor_name, data, at, prev_hash, hash, gseq, keyed)
		VALUES (:org, :kind, :subject, :seq, :action, :from, :to, :actor, :actor_name, :data, :at, :prev_hash, :hash,
			:gseq, true))
	INSERT INTO outbox (org_id, kind, payload) VALUES (:org, :outbox_kind, :payload)`

func actorName(a workflow.Actor) string {
	if a.Name != "" {
		return a.Name
	}
	return a.Username
}

// staleOrMissing explains why a versioned update touched no row.
func (s *base) staleOrMissing(ctx context.Context, tx *sqlx.Tx, table string, prev workflow.Instance) error {
	var current int
	err := tx.QueryRowContext(ctx, `SELECT version FROM `+table+` WHERE org_id = $1 AND id = $2`, s.org, prev.ID).Scan(&current)
	if err != nil {
		return translate(err, "记录")
	}
	return &workflow.Error{Code: workflow.EConflict,
		Message: fmt.Sprintf("该记录已被他人处理（您看到的是第 %d 版，当前为第 %d 版），请刷新后重试", prev.Version, current),
		Details: map[string]any{"your_version": prev.Version, "current_version": current}}
}

// notifyPayload is the outbox payload of a transition's notifications.
type notifyPayload struct {
	SubjectKind string   `json:"subject_kind"`
	SubjectID   int64    `json:"subject_id"`
	Unit        string   `json:"unit"`
	Transition  string   `json:"transition"`
	From        string   `json:"from"`
	To          string   `json:"to"`
	ActorID     int64    `json:"actor_id"`
	ActorName   string   `json:"actor_name"`
	Roles       []string `json:"roles"`
	// UnitRoles are roles told in another unit than the subject's (a countersign's co-units).
	UnitRoles []unitRole `json:"unit_roles,omitempty"`
	Opinion   string     `json:"opinion,omitempty"`
	Label     string     `json:"label,omitempty"`
}

// unitRole is a role whose holders in Unit are told.
type unitRole struct {
	Role string `json:"role"`
	Unit string `json:"unit"`
}

// addNotify adds a notify effect's role to p: in the subject's unit, or in the effect's own.
func (p *notifyPayload) addNotify(e workflow.Effect) {
	if e.Unit == "" {
		p.Roles = append(p.Roles, e.Role)
	} else {
		p.UnitRoles = append(p.UnitRoles, unitRole{e.Role, e.Unit})
	}
}

// OutboxNotify is the outbox kind of transition notifications.
const OutboxNotify = "notify"

// writeEffects writes the deadlines and cancellations of res and returns the payload of its
// notification's outbox row (which the caller writes).
func (s *base) writeEffects(ctx context.Context, tx *sqlx.Tx, kind string, prev workflow.Instance, res workflow.Result) (notifyPayload, error) {
	p := newNotifyPayload(kind, prev, res)
	for _, e := range res.Effects {
		switch e.Kind {
		case workflow.EffectDeadline:
			if err := insertDeadline(ctx, tx, s.org, kind, prev.ID, e); err != nil {
				return p, err
			}
		case workflow.EffectCancel:
			const q = `UPDATE deadlines SET status = 'cancelled', done_at = now()
				WHERE org_id = $1 AND subject_kind = $2 AND subject_id = $3 AND status = 'pending'
				AND (name = $4 OR starts_with(name, $4 || '.'))`
			if _, err := tx.ExecContext(ctx, q, s.org, kind, prev.ID, e.Name); err != nil {
				return p, translate(fmt.Errorf("cancel deadline %s: %w", e.Name, err), "")
			}
		case workflow.EffectNotify:
			p.addNotify(e)
		}
	}
	return p, nil
}

// newNotifyPayload starts the notify payload of res taken on inst, without its roles.
func newNotifyPayload(kind string, inst workflow.Instance, res workflow.Result) notifyPayload {
	p := notifyPayload{SubjectKind: kind, SubjectID: inst.ID, Unit: inst.Unit, Transition: res.Event.Transition,
		From: res.Event.From, To: res.Event.To, ActorID: res.Event.Actor.UserID, ActorName: actorName(res.Event.Actor),
		Opinion: res.Event.Input["opinion"]}
	if res.Transition != nil {
		p.Label = res.Transition.Label
	}
	return p
}

func insertDeadline(ctx context.Context, tx *sqlx.Tx, org int64, kind string, subject int64, e workflow.Effect) error {
	const q = `INSERT INTO deadlines (org_id, subject_kind, subject_id, name, due_at, due_date, provisional,
		action, transition, role, unit, explanation, count_from, count_days, count_unit)
		VALUES (:org, :kind, :subject, :name, :due_at, :due_date, :provisional, :action, :transition, :role, :unit,
		:explanation, :count_from, :count_days, :count_unit)`
	dueDate := e.DueDate
	if dueDate.IsZero() {
		dueDate = workflow.DateOf(e.DueAt)
	}
	var from sql.NullString
	if !e.CountFrom.IsZero() {
		from = sql.NullString{String: e.CountFrom.String(), Valid: true}
	}
	_, err := tx.NamedExecContext(ctx, q, params{"org": org, "kind": kind, "subject": subject, "name": e.Name,
		"due_at": e.DueAt.UTC(), "due_date": dueDate.String(), "provisional": e.Provisional, "action": string(e.Action),
		"transition": e.Transition, "role": e.Role, "unit": e.Unit, "explanation": e.Explanation, "count_from": from,
		"count_days": e.CountDays, "count_unit": e.CountUnit})
	if err != nil {
		return translate(fmt.Errorf("insert deadline %s: %w", e.Name, err), "")
	}
	return nil
}

func insertOutbox(ctx context.Context, tx *sqlx.Tx, org int64, kind string, payload any, runAt time.Time) error {
	b, err := jsonText(payload)
	if err != nil {
		return fmt.Errorf("encode outbox payload: %w", err)
	}
	if runAt.IsZero() {
		_, err = tx.ExecContext(ctx, `INSERT INTO outbox (org_id, kind, payload) VALUES ($1, $2, $3)`, org, kind, b)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO outbox (org_id, kind, payload, run_at) VALUES ($1, $2, $3, $4)`, org, kind, b, runAt.UTC())
	}
	if err != nil {
		return translate(fmt.Errorf("insert outbox: %w", err), "")
	}
	return nil
}

// instanceRow is the workflow part of a documents or requests row.
type instanceRow struct {
	ID                int64  `db:"id"`
	OrgID             int64  `db:"org_id"`
	Unit              string `db:"unit_code"`
	Definition        string `db:"definition"`
	DefinitionVersion int    `db:"definition_version"`
	State             string `db:"state"`
	Version           int    `db:"version"`
	Facts             []byte `db:"facts"`
}

func (r instanceRow) toDomain() (workflow.Instance, error) {
	f := workflow.Facts{}
	if len(r.Facts) > 0 {
		if err := json.Unmarshal(r.Facts, &f); err != nil {
			return workflow.Instance{}, fmt.Errorf("decode facts of %d: %w", r.ID, err)
		}
	}
	return workflow.Instance{ID: r.ID, OrgID: r.OrgID, Unit: r.Unit, Definition: r.Definition,
		DefinitionVersion: r.DefinitionVersion, State: r.State, Version: r.Version, Facts: f}, nil
}

// Instance loads the workflow instance of a document or decision draft.
func (s *Instances) Instance(ctx context.Context, id int64) (workflow.Instance, error) {
	return s.loadInstance(ctx, s.db, "documents", id, false)
}

type queryer interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
}

func (s *base) loadInstance(ctx context.Context, q queryer, table string, id int64, forUpdate bool) (workflow.Instance, error) {
	query := `SELECT id, org_id, unit_code, definition, definition_version, state, version, facts
		FROM ` + table + ` WHERE org_id = $1 AND id = $2`
	if forUpdate {
		query += ` FOR UPDATE`
	}
	var r instanceRow
	if err := q.GetContext(ctx, &r, query, s.org, id); err != nil {
		return workflow.Instance{}, translate(err, "记录")
	}
	return r.toDomain()
}
