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
	"wugongkai/workflow/catalogue"
	"wugongkai/workflow/documents"
)

// Catalogue keeps the organisation's standard catalogue: every version of every item, which items
// are in force and in what order. It implements catalogue.Storer.
type Catalogue struct{ base }

// catalogueRow is an item at one version, with its place in the catalogue.
type catalogueRow struct {
	Code       string         `db:"code"`
	Version    int            `db:"version"`
	Seq        int            `db:"seq"`
	RetiredAt  sql.NullTime   `db:"retired_at"`
	Area       string         `db:"area"`
	Level1     string         `db:"level1"`
	Level2     string         `db:"level2"`
	Content    pq.StringArray `db:"content"`
	Basis      pq.StringArray `db:"basis"`
	TimeLimit  string         `db:"time_limit"`
	RuleKind   string         `db:"rule_kind"`
	RuleDays   int            `db:"rule_days"`
	RuleMonth  int            `db:"rule_month"`
	RuleDay    int            `db:"rule_day"`
	Subject    string         `db:"subject"`
	Channels   pq.StringArray `db:"channels"`
	Audience   string         `db:"audience"`
	Mode       string         `db:"mode"`
	Category   string         `db:"category"`
	SourceFile string         `db:"source_file"`
	SourceLine int            `db:"source_line"`
	LoadedAt   time.Time      `db:"loaded_at"`
}

func (r catalogueRow) toDomain() catalogue.Item {
	it := catalogue.Item{Code: r.Code, Version: r.Version, Seq: r.Seq, Area: r.Area, Level1: r.Level1, Level2: r.Level2,
		Content: r.Content, Basis: r.Basis,
		TimeLimit: catalogue.TimeLimit{Text: r.TimeLimit, Kind: r.RuleKind, Days: r.RuleDays, Month: r.RuleMonth, Day: r.RuleDay},
		Subject:   r.Subject, Channels: r.Channels, Audience: r.Audience, Mode: r.Mode, Category: r.Category,
		File: r.SourceFile, Line: r.SourceLine, LoadedAt: r.LoadedAt}
	if r.RetiredAt.Valid {
		it.RetiredAt = r.RetiredAt.Time
	}
	return it
}

// catalogueSelect reads items joined with one of their versions; the caller adds the join's
// version condition and the filters.
const catalogueSelect = `SELECT i.code, v.version, i.seq, i.retired_at, v.area, v.level1, v.level2, v.content, v.basis,
	v.time_limit, v.rule_kind, v.rule_days, v.rule_month, v.rule_day, v.subject, v.channels, v.audience, v.mode,
	v.category, v.source_file, v.source_line, v.loaded_at
	FROM catalogue_items i JOIN catalogue_item_versions v ON v.org_id = i.org_id AND v.code = i.code`

// CatalogueItems implements catalogue.Storer: the items in force at their current version, in
// catalogue order.
func (s *Catalogue) CatalogueItems(ctx context.Context) ([]catalogue.Item, error) {
	return s.items(ctx, s.db, catalogueSelect+` AND v.version = i.current_version
		WHERE i.org_id = $1 AND i.retired_at IS NULL ORDER BY i.seq, i.code`, s.org)
}

// CatalogueItem implements catalogue.Storer: one item at version (0: its current version),
// retired or not.
func (s *Catalogue) CatalogueItem(ctx context.Context, code string, version int) (catalogue.Item, error) {
	const q = catalogueSelect + ` AND v.version = CASE WHEN $3 = 0 THEN i.current_version ELSE $3 END
		WHERE i.org_id = $1 AND i.code = $2`
	items, err := s.items(ctx, s.db, q, s.org, code, version)
	if err != nil {
		return catalogue.Item{}, err
	}
	if len(items) == 0 {
		if version > 0 {
			return catalogue.Item{}, workflow.Errorf(workflow.ENotFound, "标准目录中没有事项 %s 的第 %d 版", code, version)
		}
		return catalogue.Item{}, workflow.Errorf(workflow.ENotFound, "标准目录中没有事项 %s", code)
	}
	return items[0], nil
}

func (s *Catalogue) items(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) ([]catalogue.Item, error) {
	return selectAll(ctx, q, "read catalogue", catalogueRow.toDomain, query, args...)
}

// SaveCatalogue implements catalogue.Storer in one transaction. Loads of one organisation's
// catalogue run one at a time (several nodes may load the same files on start).
func (s *Catalogue) SaveCatalogue(ctx context.Context, items []catalogue.Item, at time.Time) (catalogue.LoadResult, error) {
	var res catalogue.LoadResult
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		res, err = s.saveCatalogue(ctx, tx, items, at)
		return err
	})
	if err != nil {
		return catalogue.LoadResult{}, err
	}
	return res, nil
}

// SaveCatalogueAs implements catalogue.AdminStore: SaveCatalogue with the admin's audit event
// (what was added, given a new version, retired or restored, and note) in the same transaction.
func (s *Catalogue) SaveCatalogueAs(ctx context.Context, items []catalogue.Item, at time.Time, actor workflow.Actor, action string,
	note map[string]string) (catalogue.LoadResult, error) {
	var res catalogue.LoadResult
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if res, err = s.saveCatalogue(ctx, tx, items, at); err != nil {
			return err
		}
		data := map[string]string{"added": strings.Join(res.Added, " "), "changed": strings.Join(res.Changed, " "),
			"retired": strings.Join(res.Retired, " "), "restored": strings.Join(res.Restored, " ")}
		for k, v := range note {
			data[k] = v
		}
		return s.appendAdminAudit(ctx, tx, actor, at, action, data)
	})
	if err != nil {
		return catalogue.LoadResult{}, err
	}
	return res, nil
}

// saveCatalogue records items as the catalogue in tx.
func (s *Catalogue) saveCatalogue(ctx context.Context, tx *sqlx.Tx, items []catalogue.Item, at time.Time) (catalogue.LoadResult, error) {
	res := catalogue.LoadResult{}
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM orgs WHERE id = $1 FOR NO KEY UPDATE`, s.org); err != nil {
		return res, translate(fmt.Errorf("lock catalogue: %w", err), "")
	}
	stored, err := s.items(ctx, tx, catalogueSelect+` AND v.version = i.current_version WHERE i.org_id = $1`, s.org)
	if err != nil {
		return res, err
	}
	current := make(map[string]catalogue.Item, len(stored))
	for _, it := range stored {
		current[it.Code] = it
	}
	for i, it := range items {
		seq := i + 1
		old, known := current[it.Code]
		delete(current, it.Code)
		switch {
		case !known:
			res.Added = append(res.Added, it.Code)
			if err := s.insertVersion(ctx, tx, it, 1, seq, at, true); err != nil {
				return res, err
			}
		case !catalogue.Same(old, it):
			res.Changed = append(res.Changed, it.Code)
			if err := s.insertVersion(ctx, tx, it, old.Version+1, seq, at, false); err != nil {
				return res, err
			}
		default:
			if old.Retired() {
				res.Restored = append(res.Restored, it.Code)
			} else {
				res.Unchanged++
			}
			const q = `UPDATE catalogue_items SET seq = $3, retired_at = NULL WHERE org_id = $1 AND code = $2`
			if _, err := tx.ExecContext(ctx, q, s.org, it.Code, seq); err != nil {
				return res, translate(fmt.Errorf("place catalogue item %s: %w", it.Code, err), "标准目录事项")
			}
		}
	}
	for code, old := range current {
		if old.Retired() {
			continue
		}
		res.Retired = append(res.Retired, code)
		const q = `UPDATE catalogue_items SET retired_at = $3 WHERE org_id = $1 AND code = $2`
		if _, err := tx.ExecContext(ctx, q, s.org, code, at); err != nil {
			return res, translate(fmt.Errorf("retire catalogue item %s: %w", code, err), "标准目录事项")
		}
	}
	slices.Sort(res.Retired)
	return res, nil
}

// insertVersion records version of it as the item's current version (creating the item when
// first), in force at place seq.
func (s *Catalogue) insertVersion(ctx context.Context, tx *sqlx.Tx, it catalogue.Item, version, seq int, at time.Time, first bool) error {
	qItem := `UPDATE catalogue_items SET current_version = $3, seq = $4, retired_at = NULL WHERE org_id = $1 AND code = $2`
	if first {
		qItem = `INSERT INTO catalogue_items (org_id, code, current_version, seq) VALUES ($1, $2, $3, $4)`
	}
	if _, err := tx.ExecContext(ctx, qItem, s.org, it.Code, version, seq); err != nil {
		return translate(fmt.Errorf("save catalogue item %s: %w", it.Code, err), "标准目录事项")
	}
	const q = `INSERT INTO catalogue_item_versions (org_id, code, version, area, level1, level2, content, basis,
		time_limit, rule_kind, rule_days, rule_month, rule_day, subject, channels, audience, mode, category,
		source_file, source_line, loaded_at)
		VALUES (:org_id, :code, :version, :area, :level1, :level2, :content, :basis, :time_limit, :rule_kind,
		:rule_days, :rule_month, :rule_day, :subject, :channels, :audience, :mode, :category, :source_file,
		:source_line, :loaded_at)`
	t := it.TimeLimit
	_, err := sqlx.NamedExecContext(ctx, tx, q, map[string]any{
		"org_id": s.org, "code": it.Code, "version": version, "area": it.Area, "level1": it.Level1, "level2": it.Level2,
		"content": pq.StringArray(it.Content), "basis": pq.StringArray(it.Basis), "time_limit": t.Text,
		"rule_kind": t.Kind, "rule_days": t.Days, "rule_month": t.Month, "rule_day": t.Day, "subject": it.Subject,
		"channels": pq.StringArray(it.Channels), "audience": it.Audience, "mode": it.Mode, "category": it.Category,
		"source_file": it.File, "source_line": it.Line, "loaded_at": at,
	})
	if err != nil {
		return translate(fmt.Errorf("save catalogue item %s version %d: %w", it.Code, version, err), "标准目录事项")
	}
	return nil
}

// DocumentTag is the item code at its current version as tagging a document with it needs it
// (documents.Documents.Catalogue): where it sits, what it proposes, whether it is retired, and
// its 公开时限 as the period of the publication deadline (catalogue.PeriodOf).
func (s *Catalogue) DocumentTag(ctx context.Context, code string) (documents.CatalogueTag, error) {
	it, err := s.CatalogueItem(ctx, code, 0)
	if err != nil {
		return documents.CatalogueTag{}, err
	}
	return documents.CatalogueTag{Retired: it.Retired(), Period: catalogue.PeriodOf(it),
		Item: documents.CatalogueItem{Code: it.Code, Version: it.Version, Area: it.Area, Level1: it.Level1, Level2: it.Level2,
			Category: it.Category, Mode: it.Mode, TimeLimit: it.TimeLimit.Text, Channels: it.Channels}}, nil
}

// Compliance implements catalogue.ComplianceStorer in three statements: the items in force, the
// publications per item, and the documents waiting for publication with their deadline.
func (s *Catalogue) Compliance(ctx context.Context, public, waiting []string, yearStart, now time.Time) ([]catalogue.ComplianceRow, error) {
	items, err := s.CatalogueItems(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]catalogue.ComplianceRow, len(items))
	at := make(map[string]int, len(items))
	for i, it := range items {
		rows[i].Item = it
		at[it.Code] = i
	}
	var pubs []struct {
		Code     string    `db:"catalogue_code"`
		Last     time.Time `db:"last"`
		ThisYear int       `db:"this_year"`
	}
	const qp = `SELECT d.catalogue_code, max(d.published_at) AS last, count(*) FILTER (WHERE d.published_at >= $3) AS this_year
		FROM documents d
		WHERE d.org_id = $1 AND d.catalogue_code IS NOT NULL AND d.state = ANY($2) AND d.facts->>'attribute' = '主动公开'
			AND d.published_at IS NOT NULL
		GROUP BY d.catalogue_code`
	if err := s.db.SelectContext(ctx, &pubs, qp, s.org, pq.Array(public), yearStart.UTC()); err != nil {
		return nil, translate(fmt.Errorf("read publications by catalogue item: %w", err), "")
	}
	for _, p := range pubs {
		if i, ok := at[p.Code]; ok {
			rows[i].LastPublished, rows[i].PublishedThisYear = p.Last, p.ThisYear
		}
	}
	var waits []struct {
		ID       int64          `db:"id"`
		Title    string         `db:"title"`
		Unit     string         `db:"unit_code"`
		Code     string         `db:"catalogue_code"`
		SignedOn string         `db:"signed_on"`
		DueDate  sql.NullString `db:"due_date"`
		DueAt    sql.NullTime   `db:"due_at"`
	}
	const qw = `SELECT d.id, d.title, d.unit_code, d.catalogue_code,
			COALESCE(d.facts->>'signed_on', d.facts->>'decided_on', '') AS signed_on,
			to_char(dl.due_date, 'YYYY-MM-DD') AS due_date, dl.due_at
		FROM documents d
		LEFT JOIN LATERAL (SELECT due_date, due_at FROM deadlines
			WHERE org_id = d.org_id AND subject_kind = 'document' AND subject_id = d.id AND name = 'publication_due'
				AND status <> 'cancelled'
			ORDER BY id DESC LIMIT 1) dl ON true
		WHERE d.org_id = $1 AND d.catalogue_code IS NOT NULL AND d.state = ANY($2)
		ORDER BY dl.due_at NULLS LAST, d.id`
	if err := s.db.SelectContext(ctx, &waits, qw, s.org, pq.Array(waiting)); err != nil {
		return nil, translate(fmt.Errorf("read documents waiting by catalogue item: %w", err), "")
	}
	for _, w := range waits {
		i, ok := at[w.Code]
		if !ok {
			continue // an item retired since: the view lists the items in force
		}
		rows[i].Waiting = append(rows[i].Waiting, catalogue.Waiting{ID: w.ID, Title: w.Title, Unit: w.Unit, SignedOn: w.SignedOn,
			DueDate: w.DueDate.String, DueAt: w.DueAt.Time, Overdue: w.DueAt.Valid && w.DueAt.Time.Before(now)})
	}
	return rows, nil
}
