package postgres

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"wugongkai/workflow"
	"wugongkai/workflow/consultations"
)

type consultationRow struct {
	ID                int64        `db:"id"`
	Unit              string       `db:"unit_code"`
	UnitName          string       `db:"unit_name"`
	Definition        string       `db:"definition"`
	DefinitionVersion int          `db:"definition_version"`
	State             string       `db:"state"`
	Version           int          `db:"version"`
	Facts             []byte       `db:"facts"`
	Title             string       `db:"title"`
	Body              string       `db:"body"`
	Explanation       string       `db:"explanation"`
	AdoptionSummary   string       `db:"adoption_summary"`
	CommentCount      int          `db:"comment_count"`
	PublishedAt       sql.NullTime `db:"published_at"`
}

func (r consultationRow) toDomain() (consultations.Consultation, error) {
	f := workflow.Facts{}
	if len(r.Facts) > 0 {
		if err := json.Unmarshal(r.Facts, &f); err != nil {
			return consultations.Consultation{}, fmt.Errorf("decode facts of %d: %w", r.ID, err)
		}
	}
	return consultations.Consultation{ID: r.ID, Unit: r.Unit, UnitName: r.UnitName, Definition: r.Definition,
		DefinitionVersion: r.DefinitionVersion, State: r.State, Version: r.Version, Facts: f, Title: r.Title, Body: r.Body,
		Explanation: r.Explanation, AdoptionSummary: r.AdoptionSummary, CommentCount: r.CommentCount,
		PublishedAt: r.PublishedAt.Time}, nil
}

const (
	consultationBrief = `SELECT d.id, d.unit_code, un.name AS unit_name, d.definition, d.definition_version, d.state, d.version,
		d.facts, d.title, '' AS body, '' AS explanation, '' AS adoption_summary, 0 AS comment_count, d.published_at
		FROM documents d JOIN units un ON un.org_id = d.org_id AND un.code = d.unit_code`
	consultationFull = `SELECT d.id, d.unit_code, un.name AS unit_name, d.definition, d.definition_version, d.state, d.version,
		d.facts, d.title, d.body, d.explanation, d.adoption_summary,
		(SELECT count(*) FROM comments c WHERE c.org_id = d.org_id AND c.document_id = d.id) AS comment_count, d.published_at
		FROM documents d JOIN units un ON un.org_id = d.org_id AND un.code = d.unit_code`
)

// Consultation implements consultations.ConsultationStore.
func (s *Comments) Consultation(ctx context.Context, id int64, withText bool) (consultations.Consultation, error) {
	q := consultationBrief
	if withText {
		q = consultationFull
	}
	var r consultationRow
	if err := s.db.GetContext(ctx, &r, q+` WHERE d.org_id = $1 AND d.id = $2`, s.org, id); err != nil {
		return consultations.Consultation{}, translate(err, "草案")
	}
	return r.toDomain()
}

// publicConsultationWhere is the one condition of the public consultation read path; it is
// workflow.ConsultationPublic in SQL ($1 the organisation, $2 the public states). The city portal
// reads it over several organisations (publicConsultationWhereAcross).
const publicConsultationWhere = ` WHERE d.org_id = $1 AND` + publicConsultationRule

// publicConsultationWhereAcross is publicConsultationWhere over the organisations whose ids are $1.
const publicConsultationWhereAcross = ` WHERE d.org_id = ANY($1) AND` + publicConsultationRule

// publicConsultationRule is the rule of publicConsultationWhere without the organisation.
const publicConsultationRule = ` d.definition = 'decision' AND d.state = ANY($2)
	AND d.facts->>'opens_at' IS NOT NULL AND d.facts->>'closes_at' IS NOT NULL
	AND COALESCE(d.facts->>'consultation_exempt', '') <> 'true'
	AND COALESCE(d.facts->>'attribute', '主动公开') = '主动公开'`

// PublicConsultations implements consultations.ConsultationStore. Open consultations come closing
// soonest first, upcoming ones opening soonest first, closed ones most recently closed first.
func (s *Comments) PublicConsultations(ctx context.Context, q consultations.ConsultationQuery) ([]consultations.Consultation, int, error) {
	rows, total, err := publicConsultations(ctx, s.db, publicConsultationWhere, s.org, q)
	out := make([]consultations.Consultation, len(rows))
	for i, r := range rows {
		out[i] = r.Consultation
	}
	return out, total, err
}

// orgConsultation is a consultation with the organisation that runs it.
type orgConsultation struct {
	OrgID int64
	consultations.Consultation
}

// publicConsultations lists the consultations that where (publicConsultationWhere or
// publicConsultationWhereAcross, with org as $1) and q select, in the order of PublicConsultations.
func publicConsultations(ctx context.Context, db *DB, where string, org any, q consultations.ConsultationQuery) ([]orgConsultation, int, error) {
	if q.Limit <= 0 || q.Limit > 100 {
		q.Limit = 20
	}
	const opens, closes = `(d.facts->>'opens_at')::timestamptz`, `(d.facts->>'closes_at')::timestamptz`
	order := opens + ` DESC, d.id DESC`
	args := []any{org, pq.Array(q.States)}
	switch q.Status {
	case consultations.ConsultationUpcoming:
		where += ` AND ` + opens + ` > $3`
		order = opens + `, d.id`
	case consultations.ConsultationOpen:
		where += ` AND ` + opens + ` <= $3 AND ` + closes + ` > $3`
		order = closes + `, d.id`
	case consultations.ConsultationClosed:
		where += ` AND ` + closes + ` <= $3`
		order = closes + ` DESC, d.id DESC`
	default:
		where += ` AND $3::timestamptz IS NOT NULL`
	}
	args = append(args, q.Now.UTC(), q.Limit, q.Offset)
	query := strings.Replace(consultationFull, "SELECT ", "SELECT count(*) OVER () AS total, d.org_id, ", 1) + where +
		` ORDER BY ` + order + ` LIMIT $4 OFFSET $5`
	var rows []struct {
		consultationRow
		OrgID int64 `db:"org_id"`
		Total int   `db:"total"`
	}
	if err := db.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, 0, translate(fmt.Errorf("list consultations: %w", err), "")
	}
	out := make([]orgConsultation, 0, len(rows))
	total := 0
	for _, r := range rows {
		c, err := r.consultationRow.toDomain()
		if err != nil {
			return nil, 0, err
		}
		out = append(out, orgConsultation{OrgID: r.OrgID, Consultation: c})
		total = r.Total
	}
	return out, total, nil
}

type commentRow struct {
	ID                int64        `db:"id"`
	DocumentID        int64        `db:"document_id"`
	ReceiptNo         string       `db:"receipt_no"`
	Name              string       `db:"name"`
	Contact           string       `db:"contact"`
	Body              string       `db:"body"`
	CreatedAt         time.Time    `db:"created_at"`
	Status            string       `db:"status"`
	ModerationReason  string       `db:"moderation_reason"`
	CampaignKey       string       `db:"campaign_key"`
	ClientKey         string       `db:"client_key"`
	Disposition       string       `db:"disposition"`
	DispositionReason string       `db:"disposition_reason"`
	DisposedAt        sql.NullTime `db:"disposed_at"`
}

const commentCols = `id, document_id, receipt_no, name, contact, body, created_at, status, moderation_reason, campaign_key,
	client_key, disposition, disposition_reason, disposed_at`

func (r commentRow) toDomain() consultations.Comment {
	return consultations.Comment{ID: r.ID, DocumentID: r.DocumentID, ReceiptNo: r.ReceiptNo, Name: r.Name, Contact: r.Contact,
		Text: r.Body, CreatedAt: r.CreatedAt, Status: consultations.CommentStatus(r.Status), ModerationReason: r.ModerationReason,
		CampaignKey: r.CampaignKey, ClientKey: r.ClientKey, Disposition: consultations.Disposition(r.Disposition),
		DispositionReason: r.DispositionReason, DisposedAt: r.DisposedAt.Time}
}

// PublishedComments implements consultations.ConsultationStore: the newest published comments first.
func (s *Comments) PublishedComments(ctx context.Context, doc int64, limit int) ([]consultations.Comment, error) {
	q := `SELECT ` + commentCols + ` FROM comments WHERE org_id = $1 AND document_id = $2 AND status = 'published'
		ORDER BY created_at DESC, id DESC LIMIT $3`
	return selectAll(ctx, s.db, "list published comments", commentRow.toDomain, q, s.org, doc, limit)
}

// CommentByReceipt implements consultations.ConsultationStore.
func (s *Comments) CommentByReceipt(ctx context.Context, no string) (consultations.Comment, error) {
	var r commentRow
	if err := s.db.GetContext(ctx, &r, `SELECT `+commentCols+` FROM comments WHERE org_id = $1 AND receipt_no = $2`, s.org, no); err != nil {
		return consultations.Comment{}, translate(fmt.Errorf("read comment by receipt: %w", err), "意见")
	}
	return r.toDomain(), nil
}

// commentWindows numbers a consultation's comments by campaign and counts, for each comment, the
// comments of the same client and of the same campaign in the window that starts with it
// ($1 organisation, $2 document, $3 window).
const commentWindows = `SELECT c.*,
		count(*) OVER (PARTITION BY c.campaign_key) AS campaign_size,
		row_number() OVER (PARTITION BY c.campaign_key ORDER BY c.created_at, c.id) AS campaign_rank,
		count(*) OVER (PARTITION BY c.client_key ORDER BY c.created_at
			RANGE BETWEEN CURRENT ROW AND $3::interval FOLLOWING) AS client_fwd,
		count(*) OVER (PARTITION BY c.campaign_key ORDER BY c.created_at
			RANGE BETWEEN CURRENT ROW AND $3::interval FOLLOWING) AS campaign_fwd
	FROM comments c WHERE c.org_id = $1 AND c.document_id = $2`

// ListComments implements consultations.ConsultationStore. A comment is in a burst when some window of
// BurstWindow that contains it holds at least BurstMin comments of its client or of its campaign:
// exactly when a comment of the same key at most one window earlier starts such a window.
func (s *Comments) ListComments(ctx context.Context, q consultations.CommentQuery) (consultations.CommentPage, error) {
	window := fmt.Sprintf("%d microseconds", q.BurstWindow.Microseconds())
	args := []any{s.org, q.DocumentID, window, q.BurstMin}
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	where := ` WHERE true`
	if q.Status != "" {
		where += ` AND m.status = ` + arg(string(q.Status))
	}
	if q.Campaign != "" {
		where += ` AND m.campaign_key = ` + arg(q.Campaign)
	}
	order := `m.created_at, m.id`
	if q.Grouped {
		where += ` AND m.campaign_rank = 1`
		order = `m.campaign_size DESC, m.created_at, m.id`
	}
	query := `WITH base AS (` + commentWindows + `), marked AS (
		SELECT b.*,
			(bool_or(b.client_fwd >= $4) OVER (PARTITION BY b.client_key ORDER BY b.created_at
				RANGE BETWEEN $3::interval PRECEDING AND CURRENT ROW)
			OR bool_or(b.campaign_fwd >= $4) OVER (PARTITION BY b.campaign_key ORDER BY b.created_at
				RANGE BETWEEN $3::interval PRECEDING AND CURRENT ROW)) AS in_burst
		FROM base b)
		SELECT count(*) OVER () AS total, m.id, m.document_id, m.receipt_no, m.name, m.contact, m.body, m.created_at,
			m.status, m.moderation_reason, m.campaign_key, m.client_key, m.disposition, m.disposition_reason, m.disposed_at,
			m.campaign_size, m.in_burst
		FROM marked m` + where + ` ORDER BY ` + order + ` LIMIT ` + arg(q.Limit) + ` OFFSET ` + arg(q.Offset)
	var rows []struct {
		commentRow
		Total        int  `db:"total"`
		CampaignSize int  `db:"campaign_size"`
		InBurst      bool `db:"in_burst"`
	}
	if err := s.db.SelectContext(ctx, &rows, query, args...); err != nil {
		return consultations.CommentPage{}, translate(fmt.Errorf("list comments: %w", err), "")
	}
	page := consultations.CommentPage{Items: make([]consultations.Comment, 0, len(rows))}
	for _, r := range rows {
		c := r.commentRow.toDomain()
		c.CampaignSize, c.InBurst = r.CampaignSize, r.InBurst
		page.Items = append(page.Items, c)
		page.Total = r.Total
	}
	var err error
	if page.Bursts, err = s.bursts(ctx, q); err != nil {
		return consultations.CommentPage{}, err
	}
	if page.Campaigns, err = s.campaigns(ctx, q.DocumentID); err != nil {
		return consultations.CommentPage{}, err
	}
	if page.Stats, err = s.commentStats(ctx, q.DocumentID); err != nil {
		return consultations.CommentPage{}, err
	}
	return page, nil
}

func (s *Comments) bursts(ctx context.Context, q consultations.CommentQuery) ([]consultations.Burst, error) {
	query := `WITH base AS (` + commentWindows + `)
		SELECT kind, key, peak, n, first_at, last_at FROM (
			SELECT 'client' AS kind, client_key AS key, max(client_fwd) AS peak, count(*) AS n,
				min(created_at) AS first_at, max(created_at) AS last_at FROM base GROUP BY client_key
			UNION ALL
			SELECT 'campaign', campaign_key, max(campaign_fwd), count(*), min(created_at), max(created_at)
				FROM base GROUP BY campaign_key) x
		WHERE peak >= $4 ORDER BY peak DESC, first_at, kind, key LIMIT 100`
	window := fmt.Sprintf("%d microseconds", q.BurstWindow.Microseconds())
	return selectAll(ctx, s.db, "find bursts", burstRow.toDomain, query, s.org, q.DocumentID, window, q.BurstMin)
}

type burstRow struct {
	Kind    string    `db:"kind"`
	Key     string    `db:"key"`
	Peak    int       `db:"peak"`
	N       int       `db:"n"`
	FirstAt time.Time `db:"first_at"`
	LastAt  time.Time `db:"last_at"`
}

func (r burstRow) toDomain() consultations.Burst {
	return consultations.Burst{Kind: r.Kind, Key: r.Key, Peak: r.Peak, Count: r.N, FirstAt: r.FirstAt, LastAt: r.LastAt}
}

func (s *Comments) campaigns(ctx context.Context, doc int64) ([]consultations.Campaign, error) {
	const q = `SELECT g.campaign_key, g.n, g.first_at, g.last_at, g.undisposed, g.kinds, g.disposition, g.reasons, g.reason, c.body
		FROM (SELECT campaign_key, count(*) AS n, min(created_at) AS first_at, max(created_at) AS last_at, min(id) AS first_id,
				count(*) FILTER (WHERE disposition = '') AS undisposed, count(DISTINCT disposition) AS kinds,
				max(disposition) AS disposition, count(DISTINCT disposition_reason) AS reasons, max(disposition_reason) AS reason
			FROM comments WHERE org_id = $1 AND document_id = $2 GROUP BY campaign_key HAVING count(*) >= 2) g
		JOIN comments c ON c.org_id = $1 AND c.id = g.first_id
		ORDER BY g.n DESC, g.first_at, g.campaign_key LIMIT 200`
	var rows []struct {
		Key         string    `db:"campaign_key"`
		N           int       `db:"n"`
		FirstAt     time.Time `db:"first_at"`
		LastAt      time.Time `db:"last_at"`
		Undisposed  int       `db:"undisposed"`
		Kinds       int       `db:"kinds"`
		Disposition string    `db:"disposition"`
		Reasons     int       `db:"reasons"`
		Reason      string    `db:"reason"`
		Body        string    `db:"body"`
	}
	if err := s.db.SelectContext(ctx, &rows, q, s.org, doc); err != nil {
		return nil, translate(fmt.Errorf("list campaigns: %w", err), "")
	}
	out := make([]consultations.Campaign, len(rows))
	for i, r := range rows {
		c := consultations.Campaign{Key: r.Key, Count: r.N, Text: r.Body, FirstAt: r.FirstAt, LastAt: r.LastAt, Undisposed: r.Undisposed,
			Mixed: r.Kinds > 1}
		if r.Kinds == 1 {
			c.Disposition = consultations.Disposition(r.Disposition)
			if r.Reasons == 1 {
				c.Reason = r.Reason
			}
		}
		out[i] = c
	}
	return out, nil
}

func (s *Comments) commentStats(ctx context.Context, doc int64) (consultations.CommentStats, error) {
	const q = `SELECT status, disposition, count(*) AS n FROM comments WHERE org_id = $1 AND document_id = $2
		GROUP BY status, disposition`
	var rows []struct {
		Status      string `db:"status"`
		Disposition string `db:"disposition"`
		N           int    `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &rows, q, s.org, doc); err != nil {
		return consultations.CommentStats{}, translate(fmt.Errorf("count comments: %w", err), "")
	}
	st := consultations.CommentStats{ByStatus: map[consultations.CommentStatus]int{}, ByDisposition: map[consultations.Disposition]int{}}
	for _, r := range rows {
		st.Total += r.N
		st.ByStatus[consultations.CommentStatus(r.Status)] += r.N
		st.ByDisposition[consultations.Disposition(r.Disposition)] += r.N
	}
	return st, nil
}

// Moderate implements consultations.ConsultationStore.
func (s *Comments) Moderate(ctx context.Context, doc, id int64, status consultations.CommentStatus, reason string, actor workflow.Actor, now time.Time) (consultations.Comment, error) {
	var by sql.NullInt64
	if actor.UserID != 0 {
		by = sql.NullInt64{Int64: actor.UserID, Valid: true}
	}
	q := `UPDATE comments SET status = $1, moderation_reason = $2, moderated_by = $3, moderated_at = $4
		WHERE org_id = $5 AND document_id = $6 AND id = $7 RETURNING ` + commentCols
	var r commentRow
	if err := s.db.GetContext(ctx, &r, q, string(status), reason, by, now.UTC(), s.org, doc, id); err != nil {
		return consultations.Comment{}, translate(fmt.Errorf("moderate comment %d: %w", id, err), "意见")
	}
	return r.toDomain(), nil
}

// bumpDocument bumps document id's version (if it is still at prevVersion, 0 = any, and in state)
// with set as further assignments (whose parameters setArgs are numbered from $6), and returns the
// new version. A miss is explained: the document
// is gone, in another state, or at another version.
func (s *Comments) bumpDocument(ctx context.Context, tx *sqlx.Tx, id int64, prevVersion int, state string, now time.Time, set string, setArgs ...any) (int, error) {
	args := append([]any{now.UTC(), s.org, id, state, prevVersion}, setArgs...)
	q := `UPDATE documents SET version = version + 1, updated_at = $1` + set + `
		WHERE org_id = $2 AND id = $3 AND state = $4 AND ($5 = 0 OR version = $5)`
	var version int
	err := tx.GetContext(ctx, &version, q+` RETURNING version`, args...)
	if err == nil {
		return version, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, translate(fmt.Errorf("update document %d: %w", id, err), "草案")
	}
	var cur struct {
		Version int    `db:"version"`
		State   string `db:"state"`
	}
	if err := tx.GetContext(ctx, &cur, `SELECT version, state FROM documents WHERE org_id = $1 AND id = $2`, s.org, id); err != nil {
		return 0, translate(fmt.Errorf("read document %d: %w", id, err), "草案")
	}
	if cur.State != state {
		return 0, &workflow.Error{Code: workflow.ETransitionNotAllowed, Message: "草案的状态已经变化，请刷新后重试",
			Details: map[string]any{"state": cur.State}}
	}
	return 0, &workflow.Error{Code: workflow.EConflict,
		Message: fmt.Sprintf("草案已被他人处理（您看到的是第 %d 版，当前为第 %d 版），请刷新后重试", prevVersion, cur.Version),
		Details: map[string]any{"your_version": prevVersion, "current_version": cur.Version}}
}

// Dispose implements consultations.ConsultationStore: in one transaction it bumps the document's
// version, sets the disposition of the named comments and campaigns, and appends a "dispose"
// audit event; an id or campaign that is not the document's fails it all.
func (s *Comments) Dispose(ctx context.Context, doc int64, d consultations.Disposal, state string, actor workflow.Actor, now time.Time) (consultations.Disposed, error) {
	ids, keys := d.CommentIDs, d.CampaignKeys
	if ids == nil {
		ids = []int64{}
	}
	if keys == nil {
		keys = []string{}
	}
	var out consultations.Disposed
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if out.Version, err = s.bumpDocument(ctx, tx, doc, 0, state, now, ""); err != nil {
			return err
		}
		var known struct {
			IDs  int `db:"ids"`
			Keys int `db:"keys"`
		}
		const qk = `SELECT count(*) FILTER (WHERE id = ANY($3)) AS ids,
			count(DISTINCT campaign_key) FILTER (WHERE campaign_key = ANY($4)) AS keys
			FROM comments WHERE org_id = $1 AND document_id = $2 AND (id = ANY($3) OR campaign_key = ANY($4))`
		if err := tx.GetContext(ctx, &known, qk, s.org, doc, pq.Array(ids), pq.Array(keys)); err != nil {
			return translate(fmt.Errorf("check disposed comments: %w", err), "")
		}
		if known.IDs != len(ids) {
			return &workflow.Error{Code: workflow.EInvalid, Field: "comment_ids",
				Message: fmt.Sprintf("有 %d 个意见编号不属于本次征求意见，请刷新后重试", len(ids)-known.IDs)}
		}
		if known.Keys != len(keys) {
			return &workflow.Error{Code: workflow.EInvalid, Field: "campaign_keys",
				Message: fmt.Sprintf("有 %d 个相同意见组不属于本次征求意见，请刷新后重试", len(keys)-known.Keys)}
		}
		var by sql.NullInt64
		if actor.UserID != 0 {
			by = sql.NullInt64{Int64: actor.UserID, Valid: true}
		}
		const q = `UPDATE comments SET disposition = $1, disposition_reason = $2, disposed_by = $3, disposed_at = $4
			WHERE org_id = $5 AND document_id = $6 AND (id = ANY($7) OR campaign_key = ANY($8))`
		res, err := tx.ExecContext(ctx, q, string(d.Disposition), d.Reason, by, now.UTC(), s.org, doc, pq.Array(ids), pq.Array(keys))
		if err != nil {
			return translate(fmt.Errorf("dispose comments: %w", err), "")
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("dispose comments: %w", err)
		}
		out.Count = int(n)
		data := map[string]string{"disposition": string(d.Disposition), "count": strconv.Itoa(out.Count)}
		if d.Reason != "" {
			data["reason"] = d.Reason
		}
		if len(d.CommentIDs) > 0 {
			ids := make([]string, 0, len(d.CommentIDs))
			for i, id := range d.CommentIDs {
				if i == 200 {
					ids = append(ids, "…")
					break
				}
				ids = append(ids, strconv.FormatInt(id, 10))
			}
			data["comment_ids"] = strings.Join(ids, ",")
		}
		if len(d.CampaignKeys) > 0 {
			data["campaign_keys"] = strings.Join(d.CampaignKeys, ",")
		}
		return s.db.appendAudit(ctx, tx, s.org, "document", doc, workflow.AuditEntry{Action: "dispose", FromState: state, ToState: state,
			ActorID: actor.UserID, ActorName: actorName(actor), Data: data, At: now})
	})
	if err != nil {
		return consultations.Disposed{}, err
	}
	return out, nil
}

// SummaryGroups implements consultations.ConsultationStore: the comments grouped by campaign and
// disposition, each with the first text that was not hidden.
func (s *Comments) SummaryGroups(ctx context.Context, doc int64) ([]consultations.CommentGroup, error) {
	const q = `SELECT g.campaign_key, g.disposition, g.disposition_reason, g.n, g.hidden, g.first_at, COALESCE(c.body, '') AS body
		FROM (SELECT campaign_key, disposition, disposition_reason, count(*) AS n,
				count(*) FILTER (WHERE status = 'hidden') AS hidden, min(created_at) AS first_at,
				min(id) FILTER (WHERE status <> 'hidden') AS first_id
			FROM comments WHERE org_id = $1 AND document_id = $2 GROUP BY campaign_key, disposition, disposition_reason) g
		LEFT JOIN comments c ON c.org_id = $1 AND c.id = g.first_id
		ORDER BY g.first_at, g.campaign_key, g.disposition, g.disposition_reason`
	return selectAll(ctx, s.db, "group comments", groupRow.toDomain, q, s.org, doc)
}

type groupRow struct {
	Key         string    `db:"campaign_key"`
	Disposition string    `db:"disposition"`
	Reason      string    `db:"disposition_reason"`
	N           int       `db:"n"`
	Hidden      int       `db:"hidden"`
	FirstAt     time.Time `db:"first_at"`
	Body        string    `db:"body"`
}

func (r groupRow) toDomain() consultations.CommentGroup {
	return consultations.CommentGroup{CampaignKey: r.Key, Disposition: consultations.Disposition(r.Disposition), Reason: r.Reason,
		Count: r.N, Hidden: r.Hidden, Text: r.Body, FirstAt: r.FirstAt}
}

// AttachSummary implements consultations.ConsultationStore.
func (s *Comments) AttachSummary(ctx context.Context, doc int64, prevVersion int, state, text string, actor workflow.Actor, now time.Time) (int, error) {
	var version int
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		version, err = s.bumpDocument(ctx, tx, doc, prevVersion, state, now,
			`, adoption_summary = $6, facts = facts || '{"summary_attached": "true"}'::jsonb`, text)
		if err != nil {
			return err
		}
		var open int
		const qo = `SELECT count(*) FROM comments WHERE org_id = $1 AND document_id = $2 AND disposition = ''`
		if err := tx.GetContext(ctx, &open, qo, s.org, doc); err != nil {
			return translate(fmt.Errorf("count unhandled comments: %w", err), "")
		}
		if open > 0 {
			return &workflow.Error{Code: workflow.EGuardFailed, Message: fmt.Sprintf("尚有 %d 条意见未处理，请逐条（或按相同意见组）处理后再上传意见采纳情况说明", open),
				Details: map[string]any{"undisposed": open}}
		}
		sum := sha256.Sum256([]byte(text))
		return s.db.appendAudit(ctx, tx, s.org, "document", doc, workflow.AuditEntry{Action: "summary", FromState: state, ToState: state,
			ActorID: actor.UserID, ActorName: actorName(actor), At: now,
			Data: map[string]string{"characters": strconv.Itoa(len([]rune(text))), "sha256": hex.EncodeToString(sum[:])}})
	})
	return version, err
}

// SetCommentsPublic implements consultations.ConsultationStore. The audit event is an "edit" that names
// the changed setting, like the other draft fields.
func (s *Comments) SetCommentsPublic(ctx context.Context, doc int64, prevVersion int, state string, on bool, actor workflow.Actor, now time.Time) (int, error) {
	set := `, facts = facts - 'comments_public'`
	if on {
		set = `, facts = facts || '{"comments_public": "true"}'::jsonb`
	}
	var version int
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if version, err = s.bumpDocument(ctx, tx, doc, prevVersion, state, now, set); err != nil {
			return err
		}
		return s.db.appendAudit(ctx, tx, s.org, "document", doc, workflow.AuditEntry{Action: "edit", FromState: state, ToState: state,
			ActorID: actor.UserID, ActorName: actorName(actor), At: now,
			Data: map[string]string{"changed": "consultation.comments_public"}})
	})
	return version, err
}
