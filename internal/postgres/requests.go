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
	"wugongkai/workflow/requests"
)

// requestUnitName is the name a missing request unit is created with.
const requestUnitName = "办公室"

type requestRow struct {
	instanceRow
	ReceiptNo     string         `db:"receipt_no"`
	Title         string         `db:"title"`
	Channel       string         `db:"channel"`
	ReceivedOn    time.Time      `db:"received_on"`
	ApplicantType string         `db:"applicant_type"`
	ApplicantName string         `db:"applicant_name"`
	ContactPerson string         `db:"contact_person"`
	IDType        string         `db:"id_type"`
	IDNumber      string         `db:"id_number"`
	Phone         string         `db:"phone"`
	Email         string         `db:"email"`
	Address       string         `db:"address"`
	Description   string         `db:"description"`
	Form          string         `db:"info_form"`
	Delivery      string         `db:"delivery"`
	Note          string         `db:"note"`
	UnitName      string         `db:"unit_name"`
	CreatedBy     sql.NullInt64  `db:"created_by"`
	CreatedByName string         `db:"created_by_name"`
	CreatedAt     time.Time      `db:"created_at"`
	UpdatedAt     time.Time      `db:"updated_at"`
	ReplyDue      sql.NullTime   `db:"reply_due"`
	Outcome       sql.NullString `db:"outcome"`
	ClosedOn      sql.NullTime   `db:"closed_on"`
}

// dayOf turns a PostgreSQL date (midnight UTC as lib/pq returns it) into a workflow.Date.
func dayOf(t time.Time) workflow.Date {
	return workflow.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}
}

func nullDay(t sql.NullTime) workflow.Date {
	if !t.Valid {
		return workflow.Date{}
	}
	return dayOf(t.Time)
}

func (r requestRow) toDomain() (requests.Request, error) {
	inst, err := r.instanceRow.toDomain()
	if err != nil {
		return requests.Request{}, err
	}
	return requests.Request{Instance: inst, ReceiptNo: r.ReceiptNo, Title: r.Title, Channel: r.Channel,
		ReceivedOn: dayOf(r.ReceivedOn), ApplicantType: r.ApplicantType, ApplicantName: r.ApplicantName,
		ContactPerson: r.ContactPerson, IDType: r.IDType, IDNumber: r.IDNumber, Phone: r.Phone, Email: r.Email,
		Address: r.Address, Description: r.Description, Form: r.Form, Delivery: r.Delivery, Note: r.Note,
		UnitName: r.UnitName, CreatedBy: r.CreatedBy.Int64, CreatedByName: r.CreatedByName, CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt, ReplyDue: nullDay(r.ReplyDue), Outcome: r.Outcome.String, ClosedOn: nullDay(r.ClosedOn)}, nil
}

const requestSelect = `SELECT r.id, r.org_id, r.unit_code, r.definition, r.definition_version, r.state, r.version, r.facts,
	r.receipt_no, r.title, r.channel, r.received_on, r.applicant_type, r.applicant_name, r.contact_person, r.id_type,
	r.id_number, r.phone, r.email, r.address, r.description, r.info_form, r.delivery, r.note, un.name AS unit_name,
	r.created_by, COALESCE(u.display_name, '') AS created_by_name, r.created_at, r.updated_at, r.reply_due, r.outcome,
	r.closed_on
	FROM requests r
	JOIN units un ON un.org_id = r.org_id AND un.code = r.unit_code
	LEFT JOIN users u ON u.org_id = r.org_id AND u.id = r.created_by`

// CreateRequest implements requests.RequestStore: in one transaction it creates the handling unit
// if it is missing, draws the next receipt number of the receipt year (YSQ-<year>-<serial>),
// inserts the request at version 1 with its first audit event (which holds no personal
// information), schedules its reply deadlines and notifies the disclosure office.
func (s *Requests) CreateRequest(ctx context.Context, r requests.Request, actor workflow.Actor, now time.Time, reply []workflow.Effect) (requests.Request, error) {
	if r.Facts == nil {
		r.Facts = workflow.Facts{}
	}
	facts, err := jsonText(r.Facts)
	if err != nil {
		return requests.Request{}, fmt.Errorf("encode facts: %w", err)
	}
	var creator sql.NullInt64
	if r.CreatedBy != 0 {
		creator = sql.NullInt64{Int64: r.CreatedBy, Valid: true}
	}
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		const qUnit = `INSERT INTO units (org_id, code, name) VALUES ($1, $2, $3) ON CONFLICT (org_id, code) DO NOTHING`
		if _, err := tx.ExecContext(ctx, qUnit, s.org, r.Unit, requestUnitName); err != nil {
			return translate(fmt.Errorf("ensure request unit: %w", err), "")
		}
		var serial int
		const qSerial = `INSERT INTO request_serials (org_id, year, last) VALUES ($1, $2, 1)
			ON CONFLICT (org_id, year) DO UPDATE SET last = request_serials.last + 1 RETURNING last`
		if err := tx.GetContext(ctx, &serial, qSerial, s.org, r.ReceivedOn.Year); err != nil {
			return translate(fmt.Errorf("next receipt serial: %w", err), "")
		}
		r.ReceiptNo = fmt.Sprintf("YSQ-%d-%05d", r.ReceivedOn.Year, serial)
		const q = `INSERT INTO requests (org_id, definition, definition_version, unit_code, state, version, facts,
			receipt_no, title, channel, received_on, applicant_type, applicant_name, contact_person, id_type, id_number,
			phone, email, address, description, info_form, delivery, note, created_by, created_at, updated_at)
			VALUES (:org, :definition, :definition_version, :unit, :state, 1, :facts, :receipt_no, :title, :channel,
			:received_on, :applicant_type, :applicant_name, :contact_person, :id_type, :id_number, :phone, :email,
			:address, :description, :info_form, :delivery, :note, :created_by, :now, :now) RETURNING id`
		if err := namedGet(ctx, tx, &r.ID, q, params{"org": s.org, "definition": r.Definition,
			"definition_version": r.DefinitionVersion, "unit": r.Unit, "state": r.State, "facts": facts,
			"receipt_no": r.ReceiptNo, "title": r.Title, "channel": r.Channel, "received_on": r.ReceivedOn.String(),
			"applicant_type": r.ApplicantType, "applicant_name": r.ApplicantName, "contact_person": r.ContactPerson,
			"id_type": r.IDType, "id_number": r.IDNumber, "phone": r.Phone, "email": r.Email, "address": r.Address,
			"description": r.Description, "info_form": r.Form, "delivery": r.Delivery, "note": r.Note, "created_by": creator,
			"now": now.UTC()}); err != nil {
			return translate(fmt.Errorf("insert request: %w", err), "申请")
		}
		if err := s.db.appendAudit(ctx, tx, s.org, "request", r.ID, workflow.AuditEntry{Action: "create", ToState: r.State,
			ActorID: actor.UserID, ActorName: actorName(actor), At: now,
			Data: map[string]string{"receipt_no": r.ReceiptNo, "channel": r.Channel, "received_on": r.ReceivedOn.String()}}); err != nil {
			return err
		}
		for _, e := range reply {
			if err := insertDeadline(ctx, tx, s.org, "request", r.ID, e); err != nil {
				return err
			}
		}
		return insertOutbox(ctx, tx, s.org, OutboxNotify, notifyPayload{SubjectKind: "request", SubjectID: r.ID, Unit: r.Unit,
			Transition: "create", To: r.State, ActorID: actor.UserID, ActorName: actorName(actor),
			Roles: []string{"disclosure_officer"}, Label: "登记政府信息公开申请"}, time.Time{})
	})
	if err != nil {
		return requests.Request{}, err
	}
	return s.Request(ctx, r.ID)
}

// Request implements requests.RequestStore.
func (s *Requests) Request(ctx context.Context, id int64) (requests.Request, error) {
	var r requestRow
	if err := s.db.GetContext(ctx, &r, requestSelect+` WHERE r.org_id = $1 AND r.id = $2`, s.org, id); err != nil {
		return requests.Request{}, translate(err, "申请")
	}
	return r.toDomain()
}

// RequestByReceipt implements requests.RequestStore.
func (s *Requests) RequestByReceipt(ctx context.Context, no string) (requests.Request, error) {
	var r requestRow
	if err := s.db.GetContext(ctx, &r, requestSelect+` WHERE r.org_id = $1 AND r.receipt_no = $2`, s.org, no); err != nil {
		return requests.Request{}, translate(err, "申请")
	}
	return r.toDomain()
}

// ListRequests implements requests.RequestStore: newest receipt first, the total counted apart
// from the page.
func (s *Requests) ListRequests(ctx context.Context, q requests.RequestQuery) ([]requests.Request, int, error) {
	where := ` WHERE r.org_id = $1`
	args := []any{s.org}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if q.States != nil {
		where += ` AND r.state = ANY(` + arg(pq.Array(q.States)) + `)`
	}
	if q.Open || !q.Overdue.IsZero() {
		where += ` AND r.closed_on IS NULL`
	}
	if !q.Overdue.IsZero() {
		where += ` AND r.reply_due < ` + arg(q.Overdue.String())
	}
	if q.Year != 0 {
		where += ` AND r.received_on BETWEEN ` + arg(fmt.Sprintf("%04d-01-01", q.Year)) + ` AND ` + arg(fmt.Sprintf("%04d-12-31", q.Year))
	}
	if q.Applicant != "" {
		where += ` AND r.applicant_type = ` + arg(q.Applicant)
	}
	if q.Text != "" {
		p := arg(strings.ToLower(q.Text))
		where += ` AND (position(` + p + ` IN lower(r.receipt_no)) > 0 OR position(` + p + ` IN lower(r.applicant_name)) > 0
			OR position(` + p + ` IN lower(r.title)) > 0)`
	}
	var total int
	if err := s.db.GetContext(ctx, &total, `SELECT count(*) FROM requests r`+where, args...); err != nil {
		return nil, 0, translate(fmt.Errorf("count requests: %w", err), "")
	}
	limit := q.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	query := requestSelect + where + ` ORDER BY r.received_on DESC, r.id DESC LIMIT ` + arg(limit) + ` OFFSET ` + arg(q.Offset)
	var rows []requestRow
	if err := s.db.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, 0, translate(fmt.Errorf("list requests: %w", err), "")
	}
	out, err := toDomains(rows)
	return out, total, err
}

// ApplyRequest implements requests.RequestStore: the transition as Apply writes it and, in the same
// transaction, the request's pending reply deadline and its reminder replaced by reply. A pending
// deadline that reply repeats unchanged is kept, so recomputing an unchanged clock adds no rows.
func (s *Requests) ApplyRequest(ctx context.Context, prev workflow.Instance, res workflow.Result, reply []workflow.Effect) (workflow.Instance, error) {
	var out workflow.Instance
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if out, err = s.applyTx(ctx, tx, prev, res); err != nil {
			return err
		}
		return s.replaceReplyTx(ctx, tx, prev.ID, reply)
	})
	return out, err
}

// replaceReplyTx makes the pending reply_due and reply_due.remind deadlines of request id equal
// to reply.
func (s *Requests) replaceReplyTx(ctx context.Context, tx *sqlx.Tx, id int64, reply []workflow.Effect) error {
	var pending []deadlineRow
	q := `SELECT ` + deadlineCols + ` FROM deadlines WHERE org_id = $1 AND subject_kind = 'request' AND subject_id = $2
		AND status = 'pending' AND name IN ('reply_due', 'reply_due.remind') ORDER BY id`
	if err := tx.SelectContext(ctx, &pending, q, s.org, id); err != nil {
		return translate(fmt.Errorf("read reply deadlines: %w", err), "")
	}
	type key struct {
		name, due, from string
		days            int
	}
	keyOf := func(name string, due, from workflow.Date, days int) key {
		return key{name, due.String(), from.String(), days}
	}
	var want []key
	for _, e := range reply {
		want = append(want, keyOf(e.Name, e.DueDate, e.CountFrom, e.CountDays))
	}
	var have []key
	for _, p := range pending {
		d := p.toDomain()
		due, _ := workflow.ParseDate(d.DueDate)
		have = append(have, keyOf(d.Name, due, d.CountFrom, d.CountDays))
	}
	if slices.Equal(want, have) {
		return nil
	}
	const qCancel = `UPDATE deadlines SET status = 'cancelled', done_at = now() WHERE org_id = $1 AND subject_kind = 'request'
		AND subject_id = $2 AND status = 'pending' AND name IN ('reply_due', 'reply_due.remind')`
	if _, err := tx.ExecContext(ctx, qCancel, s.org, id); err != nil {
		return translate(fmt.Errorf("cancel reply deadlines: %w", err), "")
	}
	for _, e := range reply {
		if err := insertDeadline(ctx, tx, s.org, "request", id, e); err != nil {
			return err
		}
	}
	return nil
}

// ApplicantMonthCount implements requests.RequestStore: the requests with r's identity document
// received in the calendar month of r's receipt, up to and including r (for the fee tiers of
// 《政府信息公开信息处理费管理办法》).
func (s *Requests) ApplicantMonthCount(ctx context.Context, r requests.Request) (int, error) {
	first := workflow.Date{Year: r.ReceivedOn.Year, Month: r.ReceivedOn.Month, Day: 1}
	const q = `SELECT count(*) FROM requests WHERE org_id = $1 AND id_type = $2 AND id_number = $3
		AND received_on >= $4 AND (received_on, id) <= ($5::date, $6)`
	var n int
	if err := s.db.GetContext(ctx, &n, q, s.org, r.IDType, r.IDNumber, first.String(), r.ReceivedOn.String(), r.ID); err != nil {
		return 0, translate(fmt.Errorf("count applicant's requests: %w", err), "")
	}
	return n, nil
}

type caseRow struct {
	ID            int64         `db:"id"`
	Version       int           `db:"version"`
	Kind          string        `db:"kind"`
	CaseNo        string        `db:"case_no"`
	Organ         string        `db:"organ"`
	ApplicantName string        `db:"applicant_name"`
	RequestID     sql.NullInt64 `db:"request_id"`
	FiledOn       time.Time     `db:"filed_on"`
	ConcludedOn   sql.NullTime  `db:"concluded_on"`
	Outcome       string        `db:"outcome"`
	Summary       string        `db:"summary"`
	CreatedBy     int64         `db:"created_by"`
	CreatedAt     time.Time     `db:"created_at"`
	UpdatedAt     time.Time     `db:"updated_at"`
}

func (r caseRow) toDomain() requests.Case {
	return requests.Case{ID: r.ID, Version: r.Version, Kind: r.Kind, CaseNo: r.CaseNo, Organ: r.Organ,
		ApplicantName: r.ApplicantName, RequestID: r.RequestID.Int64, FiledOn: dayOf(r.FiledOn),
		ConcludedOn: nullDay(r.ConcludedOn), Outcome: r.Outcome, Summary: r.Summary, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

const caseCols = `id, version, kind, case_no, organ, applicant_name, request_id, filed_on, concluded_on, outcome,
	summary, created_by, created_at, updated_at`

// caseParams returns the named parameters of c's columns and of the statement's org and now.
func (s *Requests) caseParams(c requests.Case, now time.Time) params {
	var request sql.NullInt64
	if c.RequestID != 0 {
		request = sql.NullInt64{Int64: c.RequestID, Valid: true}
	}
	var concluded sql.NullString
	if !c.ConcludedOn.IsZero() {
		concluded = sql.NullString{String: c.ConcludedOn.String(), Valid: true}
	}
	return params{"org": s.org, "id": c.ID, "kind": c.Kind, "case_no": c.CaseNo, "organ": c.Organ,
		"applicant_name": c.ApplicantName, "request_id": request, "filed_on": c.FiledOn.String(), "concluded_on": concluded,
		"outcome": c.Outcome, "summary": c.Summary, "created_by": c.CreatedBy, "now": now.UTC()}
}

// caseAudit is what the audit log keeps of a case: its figures for Table 四, no names.
func caseAudit(c requests.Case) map[string]string {
	return map[string]string{"kind": c.Kind, "case_no": c.CaseNo, "filed_on": c.FiledOn.String(),
		"concluded_on": c.ConcludedOn.String(), "outcome": c.Outcome}
}

// CreateCase implements requests.CaseStore.
func (s *Requests) CreateCase(ctx context.Context, c requests.Case, actor workflow.Actor, now time.Time) (requests.Case, error) {
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		const q = `INSERT INTO cases (org_id, kind, case_no, organ, applicant_name, request_id, filed_on, concluded_on,
			outcome, summary, created_by, created_at, updated_at) VALUES (:org, :kind, :case_no, :organ, :applicant_name,
			:request_id, :filed_on, :concluded_on, :outcome, :summary, :created_by, :now, :now)
			RETURNING id`
		if err := namedGet(ctx, tx, &c.ID, q, s.caseParams(c, now)); err != nil {
			return translate(fmt.Errorf("insert case: %w", err), "案件")
		}
		return s.db.appendAudit(ctx, tx, s.org, "case", c.ID, workflow.AuditEntry{Action: "create", ActorID: actor.UserID,
			ActorName: actorName(actor), Data: caseAudit(c), At: now})
	})
	if err != nil {
		return requests.Case{}, err
	}
	return s.Case(ctx, c.ID)
}

// UpdateCase implements requests.CaseStore.
func (s *Requests) UpdateCase(ctx context.Context, c requests.Case, prevVersion int, actor workflow.Actor, now time.Time) (requests.Case, error) {
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		const q = `UPDATE cases SET kind = :kind, case_no = :case_no, organ = :organ, applicant_name = :applicant_name,
			request_id = :request_id, filed_on = :filed_on, concluded_on = :concluded_on, outcome = :outcome,
			summary = :summary, version = version + 1, updated_at = :now
			WHERE org_id = :org AND id = :id AND version = :prev_version`
		p := s.caseParams(c, now)
		p["prev_version"] = prevVersion
		res, err := tx.NamedExecContext(ctx, q, p)
		if err != nil {
			return translate(fmt.Errorf("update case: %w", err), "案件")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var current int
			if err := tx.GetContext(ctx, &current, `SELECT version FROM cases WHERE org_id = $1 AND id = $2`, s.org, c.ID); err != nil {
				return translate(err, "案件")
			}
			return &workflow.Error{Code: workflow.EConflict,
				Message: fmt.Sprintf("案件已被他人修改（您看到的是第 %d 版，当前为第 %d 版），请刷新后重试", prevVersion, current),
				Details: map[string]any{"your_version": prevVersion, "current_version": current}}
		}
		return s.db.appendAudit(ctx, tx, s.org, "case", c.ID, workflow.AuditEntry{Action: "edit", ActorID: actor.UserID,
			ActorName: actorName(actor), Data: caseAudit(c), At: now})
	})
	if err != nil {
		return requests.Case{}, err
	}
	return s.Case(ctx, c.ID)
}

// Case implements requests.CaseStore.
func (s *Requests) Case(ctx context.Context, id int64) (requests.Case, error) {
	var r caseRow
	if err := s.db.GetContext(ctx, &r, `SELECT `+caseCols+` FROM cases WHERE org_id = $1 AND id = $2`, s.org, id); err != nil {
		return requests.Case{}, translate(err, "案件")
	}
	return r.toDomain(), nil
}

// ListCases implements requests.CaseStore: newest filed first. A year selects the cases Table 四
// of that year counts: filed by its end and not concluded before its start.
func (s *Requests) ListCases(ctx context.Context, q requests.CaseQuery) ([]requests.Case, int, error) {
	where := ` WHERE org_id = $1`
	args := []any{s.org}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if q.Year != 0 {
		where += ` AND filed_on <= ` + arg(fmt.Sprintf("%04d-12-31", q.Year)) +
			` AND (concluded_on IS NULL OR concluded_on >= ` + arg(fmt.Sprintf("%04d-01-01", q.Year)) + `)`
	}
	if q.Kind != "" {
		where += ` AND kind = ` + arg(q.Kind)
	}
	var total int
	if err := s.db.GetContext(ctx, &total, `SELECT count(*) FROM cases`+where, args...); err != nil {
		return nil, 0, translate(fmt.Errorf("count cases: %w", err), "")
	}
	limit := q.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var rows []caseRow
	query := `SELECT ` + caseCols + ` FROM cases` + where + ` ORDER BY filed_on DESC, id DESC LIMIT ` + arg(limit) + ` OFFSET ` + arg(q.Offset)
	if err := s.db.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, 0, translate(fmt.Errorf("list cases: %w", err), "")
	}
	out := make([]requests.Case, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, total, nil
}
