package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"wugongkai/workflow"
	"wugongkai/workflow/documents"
)

type documentRow struct {
	instanceRow
	Title           string         `db:"title"`
	Body            string         `db:"body"`
	Explanation     string         `db:"explanation"`
	DocKind         string         `db:"doc_kind"`
	SubjectCategory string         `db:"subject_category"`
	DocNumber       string         `db:"doc_number"`
	Summary         string         `db:"summary"`
	UnitName        string         `db:"unit_name"`
	CreatedBy       int64          `db:"created_by"`
	CreatedByName   string         `db:"created_by_name"`
	CreatedAt       time.Time      `db:"created_at"`
	UpdatedAt       time.Time      `db:"updated_at"`
	IndexNo         sql.NullString `db:"index_no"`
	PublishedAt     sql.NullTime   `db:"published_at"`
	Validity        string         `db:"validity"`
	ValidUntil      sql.NullTime   `db:"valid_until"`
	HasFiles        bool           `db:"has_files"` // read by PublicDocument only
	ItemCode        sql.NullString `db:"catalogue_code"`
	ItemVersion     sql.NullInt64  `db:"catalogue_version"`
	ItemArea        sql.NullString `db:"item_area"`
	ItemLevel1      sql.NullString `db:"item_level1"`
	ItemLevel2      sql.NullString `db:"item_level2"`
	ItemCategory    sql.NullString `db:"item_category"`
	ItemMode        sql.NullString `db:"item_mode"`
	ItemTimeLimit   sql.NullString `db:"item_time_limit"`
	ItemChannels    pq.StringArray `db:"item_channels"`
	Interprets      sql.NullInt64  `db:"interprets"`
}

func (r documentRow) toDomain() (documents.Document, error) {
	inst, err := r.instanceRow.toDomain()
	if err != nil {
		return documents.Document{}, err
	}
	return documents.Document{Instance: inst, Title: r.Title, Body: r.Body, Explanation: r.Explanation,
		DocKind: r.DocKind, SubjectCategory: r.SubjectCategory, DocNumber: r.DocNumber, Summary: r.Summary,
		UnitName: r.UnitName, CreatedBy: r.CreatedBy, CreatedByName: r.CreatedByName, CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt, IndexNo: r.IndexNo.String, PublishedAt: r.PublishedAt.Time,
		Validity: r.Validity, ValidUntil: r.ValidUntil.Time, HasFiles: r.HasFiles, Interprets: r.Interprets.Int64,
		Item: documents.CatalogueItem{Code: r.ItemCode.String, Version: int(r.ItemVersion.Int64), Area: r.ItemArea.String,
			Level1: r.ItemLevel1.String, Level2: r.ItemLevel2.String, Category: r.ItemCategory.String, Mode: r.ItemMode.String,
			TimeLimit: r.ItemTimeLimit.String, Channels: r.ItemChannels}}, nil
}

// itemData is how the audit log records the item a document was tagged with: "code 第N版", or
// "" when untagged.
func itemData(it documents.CatalogueItem) string {
	if !it.Tagged() {
		return ""
	}
	return fmt.Sprintf("%s 第%d版", it.Code, it.Version)
}

// itemParams are the catalogue columns of d as query parameters (NULL when not tagged).
func itemParams(d documents.Document) (code sql.NullString, version sql.NullInt64) {
	if !d.Item.Tagged() {
		return code, version
	}
	return sql.NullString{String: d.Item.Code, Valid: true}, sql.NullInt64{Int64: int64(d.Item.Version), Valid: true}
}

const documentSelect = `SELECT d.id, d.org_id, d.unit_code, d.definition, d.definition_version, d.state, d.version,
	d.facts, d.title, d.body, d.explanation, d.doc_kind, d.subject_category, d.doc_number, d.summary,
	un.name AS unit_name, d.created_by, u.display_name AS created_by_name, d.created_at, d.updated_at,
	d.catalogue_code, d.catalogue_version, cv.area AS item_area, cv.level1 AS item_level1, cv.level2 AS item_level2,
	cv.category AS item_category, cv.mode AS item_mode, cv.time_limit AS item_time_limit, cv.channels AS item_channels,
	d.interprets, d.index_no, d.published_at, d.validity, d.valid_until
	FROM documents d
	JOIN units un ON un.org_id = d.org_id AND un.code = d.unit_code
	JOIN users u ON u.org_id = d.org_id AND u.id = d.created_by
	LEFT JOIN catalogue_item_versions cv ON cv.org_id = d.org_id AND cv.code = d.catalogue_code AND cv.version = d.catalogue_version`

// CreateDocument inserts a new draft at version 1 with its first body version and its first audit
// event, in one transaction.
func (s *Documents) CreateDocument(ctx context.Context, d documents.Document, actor workflow.Actor, now time.Time) (documents.Document, error) {
	if d.Facts == nil {
		d.Facts = workflow.Facts{}
	}
	facts, err := jsonText(d.Facts)
	if err != nil {
		return documents.Document{}, fmt.Errorf("encode facts: %w", err)
	}
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		const q = `INSERT INTO documents (org_id, definition, definition_version, unit_code, state, version, facts,
			title, body, explanation, doc_kind, subject_category, doc_number, summary, interprets, created_by, created_at, updated_at,
			catalogue_code, catalogue_version)
			VALUES (:org, :definition, :definition_version, :unit, :state, 1, :facts, :title, :body, :explanation,
			:doc_kind, :subject_category, :doc_number, :summary, :interprets, :created_by, :now, :now, :catalogue_code, :catalogue_version) RETURNING id`
		code, version := itemParams(d)
		if err := namedGet(ctx, tx, &d.ID, q, params{"org": s.org, "definition": d.Definition, "catalogue_code": code, "catalogue_version": version,
			"definition_version": d.DefinitionVersion, "unit": d.Unit, "state": d.State, "facts": facts, "title": d.Title,
			"body": d.Body, "explanation": d.Explanation, "doc_kind": d.DocKind, "subject_category": d.SubjectCategory,
			"doc_number": d.DocNumber, "summary": d.Summary, "interprets": nullID(d.Interprets), "created_by": d.CreatedBy,
			"now": now.UTC()}); err != nil {
			return translate(fmt.Errorf("insert document: %w", err), "文件")
		}
		if err := insertBodyVersion(ctx, tx, s.org, d, 1, actor.UserID, now); err != nil {
			return err
		}
		data := map[string]string{"title": d.Title}
		if d.Item.Tagged() {
			data["catalogue_item"] = itemData(d.Item)
		}
		if d.Interprets != 0 {
			data["interprets"] = strconv.FormatInt(d.Interprets, 10)
		}
		if err := s.db.appendAudit(ctx, tx, s.org, "document", d.ID, workflow.AuditEntry{Action: "create", ToState: d.State,
			ActorID: actor.UserID, ActorName: actorName(actor), Data: data, At: now}); err != nil {
			return err
		}
		return s.linkInterpretation(ctx, tx, d, 0, actor, now)
	})
	if err != nil {
		return documents.Document{}, err
	}
	return s.Document(ctx, d.ID)
}

func insertBodyVersion(ctx context.Context, tx *sqlx.Tx, org int64, d documents.Document, no int, author int64, now time.Time) error {
	const q = `INSERT INTO document_versions (org_id, document_id, version_no, title, body, explanation, author_id, created_at)
		VALUES (:org, :document, :no, :title, :body, :explanation, :author, :now)`
	if _, err := tx.NamedExecContext(ctx, q, params{"org": org, "document": d.ID, "no": no, "title": d.Title, "body": d.Body,
		"explanation": d.Explanation, "author": author, "now": now.UTC()}); err != nil {
		return translate(fmt.Errorf("insert body version: %w", err), "")
	}
	return nil
}

// Document loads one document or decision draft.
func (s *Documents) Document(ctx context.Context, id int64) (documents.Document, error) {
	var r documentRow
	if err := s.db.getPrepared(ctx, &r, documentSelect+` WHERE d.org_id = $1 AND d.id = $2`, s.org, id); err != nil {
		return documents.Document{}, translate(err, "文件")
	}
	return r.toDomain()
}

// UpdateDocument implements documents.DocumentStore.
func (s *Documents) UpdateDocument(ctx context.Context, d documents.Document, prevVersion int, actor workflow.Actor, now time.Time, changed []string) (documents.Document, error) {
	facts, err := jsonText(d.Facts)
	if err != nil {
		return documents.Document{}, fmt.Errorf("encode facts: %w", err)
	}
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var was sql.NullInt64
		const qWas = `SELECT interprets FROM documents WHERE org_id = $1 AND id = $2 AND version = $3 FOR UPDATE`
		if err := tx.GetContext(ctx, &was, qWas, s.org, d.ID, prevVersion); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return s.staleOrMissing(ctx, tx, "documents", workflow.Instance{ID: d.ID, Version: prevVersion})
			}
			return translate(fmt.Errorf("lock document: %w", err), "文件")
		}
		const q = `UPDATE documents SET title = :title, body = :body, explanation = :explanation, doc_kind = :doc_kind,
			subject_category = :subject_category, doc_number = :doc_number, summary = :summary, facts = :facts,
			catalogue_code = :catalogue_code, catalogue_version = :catalogue_version, interprets = :interprets, version = version + 1, updated_at = :now
			WHERE org_id = :org AND id = :id AND version = :prev_version`
		code, version := itemParams(d)
		res, err := tx.NamedExecContext(ctx, q, params{"title": d.Title, "body": d.Body, "explanation": d.Explanation,
			"catalogue_code": code, "catalogue_version": version,
			"doc_kind": d.DocKind, "subject_category": d.SubjectCategory, "doc_number": d.DocNumber, "summary": d.Summary,
			"facts": facts, "interprets": nullID(d.Interprets), "now": now.UTC(), "org": s.org, "id": d.ID, "prev_version": prevVersion})
		if err != nil {
			return translate(fmt.Errorf("update document: %w", err), "文件")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return s.staleOrMissing(ctx, tx, "documents", workflow.Instance{ID: d.ID, Version: prevVersion})
		}
		textChanged := false
		for _, c := range changed {
			if c == "title" || c == "body" || c == "explanation" {
				textChanged = true
			}
		}
		if textChanged {
			var last int
			if err := tx.GetContext(ctx, &last, `SELECT COALESCE(MAX(version_no), 0) FROM document_versions WHERE org_id = $1 AND document_id = $2`, s.org, d.ID); err != nil {
				return translate(fmt.Errorf("read body versions: %w", err), "")
			}
			if err := insertBodyVersion(ctx, tx, s.org, d, last+1, actor.UserID, now); err != nil {
				return err
			}
		}
		data := map[string]string{"changed": strings.Join(changed, ",")}
		if slices.Contains(changed, "catalogue.item") {
			data["catalogue_item"] = itemData(d.Item)
		}
		if was.Int64 != d.Interprets {
			data["interprets"] = strconv.FormatInt(d.Interprets, 10) // "0": no longer an interpretation
		}
		if err := s.db.appendAudit(ctx, tx, s.org, "document", d.ID, workflow.AuditEntry{Action: "edit", FromState: d.State, ToState: d.State,
			ActorID: actor.UserID, ActorName: actorName(actor), Data: data, At: now}); err != nil {
			return err
		}
		return s.linkInterpretation(ctx, tx, d, was.Int64, actor, now)
	})
	if err != nil {
		return documents.Document{}, err
	}
	return s.Document(ctx, d.ID)
}

// ApplyPublication implements documents.DocumentStore: the publish transition and the catalogue
// metadata, with a fresh 索引号, in one transaction.
func (s *Documents) ApplyPublication(ctx context.Context, prev workflow.Instance, res workflow.Result, pub documents.Publication) (workflow.Instance, error) {
	var out workflow.Instance
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if out, err = s.applyTx(ctx, tx, prev, res); err != nil {
			return err
		}
		for _, st := range pub.Then {
			if _, err := s.applyTx(ctx, tx, st.Prev, st.Result); err != nil {
				return err
			}
		}
		year := pub.PublishedAt.In(workflow.Shanghai).Year()
		var serial int
		const qs = `INSERT INTO index_serials (org_id, year, last) VALUES ($1, $2, 1)
			ON CONFLICT (org_id, year) DO UPDATE SET last = index_serials.last + 1 RETURNING last`
		if err := tx.GetContext(ctx, &serial, qs, s.org, year); err != nil {
			return translate(fmt.Errorf("next index serial: %w", err), "")
		}
		var code string
		if err := tx.GetContext(ctx, &code, `SELECT code FROM orgs WHERE id = $1`, s.org); err != nil {
			return translate(fmt.Errorf("read org code: %w", err), "")
		}
		index, err := RenderIndex(pub.IndexTemplate, code, year, serial)
		if err != nil {
			return err
		}
		var until sql.NullTime
		if !pub.ValidUntil.IsZero() {
			until = sql.NullTime{Time: pub.ValidUntil, Valid: true}
		}
		const q = `UPDATE documents SET index_no = :index_no, published_at = :published_at, doc_number = :doc_number,
			subject_category = :subject_category, summary = :summary, validity = :validity, valid_until = :valid_until,
			search_terms = :search_terms, title = COALESCE(NULLIF(:title, ''), title),
			doc_kind = COALESCE(NULLIF(:doc_kind, ''), doc_kind) WHERE org_id = :org AND id = :id`
		if _, err := tx.NamedExecContext(ctx, q, params{"index_no": index, "published_at": pub.PublishedAt.UTC(),
			"doc_number": pub.DocNumber, "subject_category": pub.SubjectCategory, "summary": pub.Summary,
			"validity": pub.Validity, "valid_until": until, "search_terms": pq.Array(pub.SearchTerms), "title": pub.Title,
			"doc_kind": pub.DocKind, "org": s.org,
			"id": prev.ID}); err != nil {
			return translate(fmt.Errorf("record publication: %w", err), "索引号")
		}
		return nil
	})
	return out, err
}

var serialRE = regexp.MustCompile(`\{serial(?::(\d+))?\}`)

// RenderIndex fills an 索引号 template: {org} the organisation code, {year} the year, {serial} or
// {serial:N} the serial padded to N digits.
func RenderIndex(tmpl, org string, year, serial int) (string, error) {
	if !serialRE.MatchString(tmpl) {
		return "", fmt.Errorf("index template %q has no {serial}", tmpl)
	}
	out := strings.ReplaceAll(tmpl, "{org}", org)
	out = strings.ReplaceAll(out, "{year}", strconv.Itoa(year))
	out = serialRE.ReplaceAllStringFunc(out, func(m string) string {
		width := 0
		if sub := serialRE.FindStringSubmatch(m); sub[1] != "" {
			width, _ = strconv.Atoi(sub[1])
		}
		return fmt.Sprintf("%0*d", width, serial)
	})
	return out, nil
}

// SetValidity implements documents.DocumentStore.
func (s *Documents) SetValidity(ctx context.Context, id int64, prevVersion int, validity string, validUntil time.Time, actor workflow.Actor, now time.Time) (documents.Document, error) {
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		return s.setValidityTx(ctx, tx, id, prevVersion, validity, validUntil, actor, now)
	})
	if err != nil {
		return documents.Document{}, err
	}
	return s.Document(ctx, id)
}

func (s *Documents) setValidityTx(ctx context.Context, tx *sqlx.Tx, id int64, prevVersion int, validity string, validUntil time.Time, actor workflow.Actor, now time.Time) error {
	var until sql.NullTime
	if !validUntil.IsZero() {
		until = sql.NullTime{Time: validUntil, Valid: true}
	}
	var state string
	const q = `UPDATE documents SET validity = $1, valid_until = $2, version = version + 1, updated_at = $3
		WHERE org_id = $4 AND id = $5 AND version = $6 RETURNING state`
	if err := tx.GetContext(ctx, &state, q, validity, until, now.UTC(), s.org, id, prevVersion); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return s.staleOrMissing(ctx, tx, "documents", workflow.Instance{ID: id, Version: prevVersion})
		}
		return translate(fmt.Errorf("set validity: %w", err), "文件")
	}
	data := map[string]string{"validity": validity}
	if until.Valid {
		data["valid_until"] = workflow.DateOf(validUntil).String()
	}
	return s.db.appendAudit(ctx, tx, s.org, "document", id, workflow.AuditEntry{Action: "validity", FromState: state, ToState: state,
		ActorID: actor.UserID, ActorName: actorName(actor), Data: data, At: now})
}

// ExpireValidity flips to 失效 every published document whose 有效期 ended before today, each
// with an audit event. It returns how many changed.
func (s *Documents) ExpireValidity(ctx context.Context, today workflow.Date) (int, error) {
	var rows []struct {
		ID      int64 `db:"id"`
		Version int   `db:"version"`
	}
	const q = `SELECT id, version FROM documents WHERE org_id = $1 AND validity = '有效' AND valid_until IS NOT NULL
		AND valid_until < $2 LIMIT 1000`
	if err := s.db.SelectContext(ctx, &rows, q, s.org, today.String()); err != nil {
		return 0, translate(fmt.Errorf("find expired documents: %w", err), "")
	}
	n := 0
	for _, r := range rows {
		var until time.Time
		err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
			if err := tx.GetContext(ctx, &until, `SELECT valid_until FROM documents WHERE org_id = $1 AND id = $2`, s.org, r.ID); err != nil {
				return translate(err, "")
			}
			return s.setValidityTx(ctx, tx, r.ID, r.Version, documents.ValidityExpired, until, workflow.SystemActor, time.Now())
		})
		if workflow.ErrorCode(err) == workflow.EConflict {
			continue // changed meanwhile; the next round looks again
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Versions implements documents.DocumentStore.
func (s *Documents) Versions(ctx context.Context, id int64) ([]documents.BodyVersion, error) {
	const q = `SELECT v.version_no, v.title, v.body, v.explanation, u.display_name, v.created_at FROM document_versions v
		JOIN users u ON u.org_id = v.org_id AND u.id = v.author_id
		WHERE v.org_id = $1 AND v.document_id = $2 ORDER BY v.version_no`
	return selectAll(ctx, s.db, "list versions", versionRow.toDomain, q, s.org, id)
}

type versionRow struct {
	No          int       `db:"version_no"`
	Title       string    `db:"title"`
	Body        string    `db:"body"`
	Explanation string    `db:"explanation"`
	Author      string    `db:"display_name"`
	CreatedAt   time.Time `db:"created_at"`
}

func (r versionRow) toDomain() documents.BodyVersion {
	return documents.BodyVersion{No: r.No, Title: r.Title, Body: r.Body, Explanation: r.Explanation, AuthorName: r.Author, CreatedAt: r.CreatedAt}
}

// listSelect is documentSelect for lists, without body and explanation (no page list shows them;
// the API's staff list asks for them with DocumentQuery.WithBody), so a page of results does not
// drag whole documents out of the table.
var listSelect = strings.Replace(documentSelect, "d.body, d.explanation,", "'' AS body, '' AS explanation,", 1)

func (s *Documents) listDocuments(ctx context.Context, sel, where string, args []any, order string, limit, offset int) ([]documents.Document, int, error) {
	return listDocuments(ctx, s.db, sel, where, args, order, limit, offset)
}

// listDocuments returns a page of the documents that where selects (sel the columns, args its
// parameters) in order, and how many there are in all.
func listDocuments(ctx context.Context, db *DB, sel, where string, args []any, order string, limit, offset int) ([]documents.Document, int, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	// The total and the page are two queries: a window count over the page query would make
	// PostgreSQL build every matching row before it could stop at the page.
	var total int
	if err := db.GetContext(ctx, &total, `SELECT count(*) FROM documents d`+where, args...); err != nil {
		return nil, 0, translate(fmt.Errorf("count documents: %w", err), "")
	}
	if total == 0 || offset >= total {
		return nil, total, nil
	}
	args = append(args, limit, offset)
	q := sel + where + ` ORDER BY ` + order + fmt.Sprintf(` LIMIT $%d OFFSET $%d`, len(args)-1, len(args))
	var rows []documentRow
	if err := db.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, 0, translate(fmt.Errorf("list documents: %w", err), "")
	}
	out, err := toDomains(rows)
	return out, total, err
}

// ListDocuments implements documents.DocumentStore.
func (s *Documents) ListDocuments(ctx context.Context, q documents.DocumentQuery) ([]documents.Document, int, error) {
	where := ` WHERE d.org_id = $1`
	args := []any{s.org}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if q.Units != nil {
		where += ` AND d.unit_code = ANY(` + arg(pq.Array(q.Units)) + `)`
	}
	if q.Definitions != nil {
		where += ` AND d.definition = ANY(` + arg(pq.Array(q.Definitions)) + `)`
	}
	if q.States != nil {
		where += ` AND d.state = ANY(` + arg(pq.Array(q.States)) + `)`
	}
	if q.StatePairs != nil {
		defs := make([]string, len(q.StatePairs))
		states := make([]string, len(q.StatePairs))
		var distinct []string
		for i, p := range q.StatePairs {
			defs[i], states[i] = p[0], p[1]
			if !slices.Contains(distinct, p[1]) {
				distinct = append(distinct, p[1])
			}
		}
		// The states alone as well, which the state indexes answer: the pairs' semi-join cannot
		// use an index, so without them the 待办 read every document of its units, published
		// ones included, twice per page (docs/performance.md, growth).
		where += ` AND d.state = ANY(` + arg(pq.Array(distinct)) + `) AND (d.definition, d.state) IN (SELECT * FROM unnest(` +
			arg(pq.Array(defs)) + `::text[], ` + arg(pq.Array(states)) + `::text[]))`
	}
	if q.IDs != nil {
		where += ` AND d.id = ANY(` + arg(pq.Array(q.IDs)) + `)`
	}
	if q.CreatedBy != 0 {
		where += ` AND d.created_by = ` + arg(q.CreatedBy)
	}
	sel := listSelect
	if q.WithBody {
		sel = documentSelect
	}
	return s.listDocuments(ctx, sel, where, args, `d.updated_at DESC, d.id DESC`, q.Limit, q.Offset)
}

// publicWhere is the one condition of the public read path (docs/invariants.md, 5): only
// published documents (in a state $2 of those the flows tag public) whose attribute is 主动公开 ever
// reach a page, the API, a feed, the search or the sitemap. Every public read builds on it; the
// city portal reads it over several organisations (publicWhereAcross).
const publicWhere = ` WHERE d.org_id = $1 AND` + publicRule

// publicWhereAcross is publicWhere over the organisations whose ids are $1: the city portal's.
const publicWhereAcross = ` WHERE d.org_id = ANY($1) AND` + publicRule

// publicWhereEach is publicWhere for the organisation o.id of a lateral join over the ids in $1:
// the city portal's page, merged from each organisation's newest.
const publicWhereEach = ` WHERE d.org_id = o.id AND` + publicRule

// publicRule is the rule of publicWhere without the organisation.
const publicRule = ` d.state = ANY($2) AND d.facts->>'attribute' = '主动公开'`

// PublicDocuments implements documents.DocumentStore.
func (s *Documents) PublicDocuments(ctx context.Context, q documents.PublicQuery) ([]documents.Document, int, error) {
	return publicDocuments(ctx, s.db, publicWhere, s.org, q)
}

// publicDocuments lists the public documents that where (publicWhere, with org as $1) and q's
// filters select, newest first.
func publicDocuments(ctx context.Context, db *DB, where string, org any, q documents.PublicQuery) ([]documents.Document, int, error) {
	where, args := publicFilter(where, org, q)
	return listDocuments(ctx, db, listSelect, where, args, `d.published_at DESC, d.id DESC`, q.Limit, q.Offset)
}

// publicFilter returns where (a public condition: publicWhere and the like, with org as $1) with
// q's filters added, and its parameters.
func publicFilter(where string, org any, q documents.PublicQuery) (string, []any) {
	args := []any{org, pq.Array(q.States)}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if q.Category != "" {
		where += ` AND d.subject_category LIKE ` + arg(likePrefix(q.Category)) + ` ESCAPE '\'`
	}
	if q.Item != "" {
		where += ` AND d.catalogue_code = ` + arg(q.Item)
	}
	if q.ItemCategory != "" {
		where += ` AND EXISTS (SELECT 1 FROM catalogue_item_versions v WHERE v.org_id = d.org_id AND v.code = d.catalogue_code
			AND v.version = d.catalogue_version AND v.category = ` + arg(q.ItemCategory) + `)`
	}
	if q.Year != 0 {
		start := time.Date(q.Year, 1, 1, 0, 0, 0, 0, workflow.Shanghai)
		where += ` AND d.published_at >= ` + arg(start.UTC()) + ` AND d.published_at < ` + arg(start.AddDate(1, 0, 0).UTC())
	}
	if q.Validity != "" {
		where += ` AND d.validity = ` + arg(q.Validity)
	}
	where += searchWhere(q.Terms, q.Phrases, arg)
	return where, args
}

// searchWhere is the condition of the public search: every term (bigram) in the index and every
// phrase in the title or body; arg adds a parameter and returns its placeholder.
func searchWhere(terms, phrases []string, arg func(any) string) string {
	var where string
	if len(terms) > 0 {
		where += ` AND d.search_terms @> ` + arg(pq.Array(terms))
	}
	if len(phrases) > 0 {
		// A phrase is a run of letters and digits, so it is in the title or in the body, never
		// across the two; the short title is asked first, and the body, which costs most to
		// lower-case and scan (growth, docs/performance.md), only when the title lacks it.
		where += ` AND NOT EXISTS (SELECT 1 FROM unnest(` + arg(pq.Array(phrases)) + `::text[]) p
			WHERE position(p IN lower(d.title)) = 0 AND position(p IN lower(d.body)) = 0)`
	}
	return where
}

// PublicDocument implements documents.DocumentStore.
func (s *Documents) PublicDocument(ctx context.Context, id int64, states []string) (documents.Document, error) {
	var r documentRow
	if err := s.db.getPrepared(ctx, &r, publicDocumentSelect+publicWhere+` AND d.id = $3`, s.org, pq.Array(states), id); err != nil {
		return documents.Document{}, translate(err, "文件")
	}
	return r.toDomain()
}

// publicDocumentSelect is documentSelect with whether the document has files, so its public page
// looks its files up only when there are some (one statement per page instead of two).
var publicDocumentSelect = strings.Replace(documentSelect, "d.valid_until\n", "d.valid_until,\n\tEXISTS (SELECT 1 FROM document_files f WHERE f.org_id = d.org_id AND f.document_id = d.id) AS has_files\n", 1)

func likePrefix(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s) + "%"
}

// nullID is a document id for a nullable column: 0 is NULL.
func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// linkInterpretation records, in the audit chain of the policies concerned, that document d now
// interprets d.Interprets (link_interpretation) and no longer was (unlink_interpretation). The
// interpretation's own event (create or edit) carries the same change.
func (s *Documents) linkInterpretation(ctx context.Context, tx *sqlx.Tx, d documents.Document, was int64, actor workflow.Actor, now time.Time) error {
	if was == d.Interprets {
		return nil
	}
	event := func(policy int64, action string) error {
		var state string
		if err := tx.GetContext(ctx, &state, `SELECT state FROM documents WHERE org_id = $1 AND id = $2`, s.org, policy); err != nil {
			return translate(fmt.Errorf("read policy %d: %w", policy, err), "文件")
		}
		return s.db.appendAudit(ctx, tx, s.org, "document", policy, workflow.AuditEntry{Action: action, FromState: state, ToState: state,
			ActorID: actor.UserID, ActorName: actorName(actor), At: now,
			Data: map[string]string{"interpretation_id": strconv.FormatInt(d.ID, 10), "interpretation": d.Title}})
	}
	if was != 0 {
		if err := event(was, "unlink_interpretation"); err != nil {
			return err
		}
	}
	if d.Interprets != 0 {
		return event(d.Interprets, "link_interpretation")
	}
	return nil
}

// Interpretations implements documents.DocumentStore.
func (s *Documents) Interpretations(ctx context.Context, id int64) ([]documents.Document, error) {
	var rows []documentRow
	if err := s.db.SelectContext(ctx, &rows, listSelect+` WHERE d.org_id = $1 AND d.interprets = $2 ORDER BY d.id`, s.org, id); err != nil {
		return nil, translate(fmt.Errorf("list interpretations: %w", err), "")
	}
	return toDomains(rows)
}

// PublicInterpretations implements documents.DocumentStore: through the one public condition.
func (s *Documents) PublicInterpretations(ctx context.Context, id int64, states []string) ([]documents.Document, error) {
	var rows []documentRow
	if err := s.db.SelectContext(ctx, &rows, listSelect+publicWhere+` AND d.interprets = $3 ORDER BY d.published_at, d.id`, s.org, pq.Array(states), id); err != nil {
		return nil, translate(fmt.Errorf("list public interpretations: %w", err), "")
	}
	return toDomains(rows)
}
