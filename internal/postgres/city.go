package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lib/pq"

	"wugongkai/internal/report"
	"wugongkai/workflow"
	"wugongkai/workflow/city"
	"wugongkai/workflow/consultations"
	"wugongkai/workflow/documents"
)

// City is the store of the city level (city.Store and report.CityStore): the one store besides the
// deadline sweep that reads across organisations, on purpose. It is bound to no organisation; every
// method but Agencies is given the ids of the agencies it reads and names them in each query
// (org_id = ANY(...)), so on a database distributed by org_id (Citus) these are the queries that
// cross shards. The public reads go through the one public rule (publicWhereAcross,
// publicConsultationWhereAcross).
type City struct {
	db    *DB
	clock workflow.Clock
}

// NewCity returns the city store over db (clock nil = the wall clock).
func NewCity(db *DB, clock workflow.Clock) *City {
	if clock == nil {
		clock = workflow.SystemClock
	}
	return &City{db: db, clock: clock}
}

// Agencies implements city.Store: every organisation on the platform, by code.
func (s *City) Agencies(ctx context.Context) ([]city.Agency, error) {
	const q = `SELECT id, code, name FROM orgs ORDER BY code`
	var rows []struct {
		ID   int64  `db:"id"`
		Code string `db:"code"`
		Name string `db:"name"`
	}
	if err := s.db.SelectContext(ctx, &rows, q); err != nil {
		return nil, translate(fmt.Errorf("list agencies: %w", err), "")
	}
	out := make([]city.Agency, len(rows))
	for i, r := range rows {
		out[i] = city.Agency{ID: r.ID, Code: r.Code, Name: r.Name}
	}
	return out, nil
}

// PublicDocuments implements city.Store: the public document list over the agencies, newest
// first. The page is merged from each agency's newest documents (a lateral join, each branch
// reading its agency's public index up to the page's end), so it costs about what a page of one
// agency's list costs per agency, not a sort of every agency's public documents; the total still
// counts every match, as one agency's list does.
func (s *City) PublicDocuments(ctx context.Context, agencies []int64, q documents.PublicQuery) ([]documents.Document, int, error) {
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 50
	}
	where, args := publicFilter(publicWhereAcross, pq.Array(agencies), q)
	var total int
	if err := s.db.GetContext(ctx, &total, `SELECT count(*) FROM documents d`+where, args...); err != nil {
		return nil, 0, translate(fmt.Errorf("count city documents: %w", err), "")
	}
	if total == 0 || q.Offset >= total {
		return nil, total, nil
	}
	each, args := publicFilter(publicWhereEach, pq.Array(agencies), q)
	n := len(args)
	args = append(args, q.Offset+q.Limit, q.Limit, q.Offset)
	query := fmt.Sprintf(`SELECT d.* FROM unnest($1::bigint[]) AS o(id) CROSS JOIN LATERAL (%s%s
		ORDER BY d.published_at DESC, d.id DESC LIMIT $%d) d
		ORDER BY d.published_at DESC, d.id DESC LIMIT $%d OFFSET $%d`, listSelect, each, n+1, n+2, n+3)
	var rows []documentRow
	if err := s.db.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, 0, translate(fmt.Errorf("list city documents: %w", err), "")
	}
	out, err := toDomains(rows)
	return out, total, err
}

// PublicConsultations implements city.Store: the public consultation list over the agencies.
func (s *City) PublicConsultations(ctx context.Context, agencies []int64, q consultations.ConsultationQuery) ([]city.AgencyConsultation, int, error) {
	rows, total, err := publicConsultations(ctx, s.db, publicConsultationWhereAcross, pq.Array(agencies), q)
	out := make([]city.AgencyConsultation, len(rows))
	for i, r := range rows {
		out[i] = city.AgencyConsultation{AgencyID: r.OrgID, Consultation: r.Consultation}
	}
	return out, total, err
}

// FindAgencies implements city.Store: per agency, whether its name contains the text, which of its
// units' names do, and how many of its public documents the search finds (the public rule and
// search of the portal list).
func (s *City) FindAgencies(ctx context.Context, agencies []int64, q city.AgencyQuery) ([]city.AgencyMatch, error) {
	args := []any{pq.Array(agencies), pq.Array(q.States), strings.ToLower(q.Text)}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	query := `SELECT o.id, o.code, o.name,
		$3 <> '' AND position($3 IN lower(o.name)) > 0 AS name_match,
		COALESCE((SELECT array_agg(u.name ORDER BY u.code) FROM units u
			WHERE u.org_id = o.id AND $3 <> '' AND position($3 IN lower(u.name)) > 0), '{}') AS units,
		(SELECT count(*) FROM documents d WHERE d.org_id = o.id AND` + publicRule + searchWhere(q.Terms, q.Phrases, arg) + `) AS documents
		FROM orgs o WHERE o.id = ANY($1) ORDER BY o.code`
	var rows []struct {
		ID        int64          `db:"id"`
		Code      string         `db:"code"`
		Name      string         `db:"name"`
		NameMatch bool           `db:"name_match"`
		Units     pq.StringArray `db:"units"`
		Documents int            `db:"documents"`
	}
	if err := s.db.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, translate(fmt.Errorf("find agencies: %w", err), "")
	}
	out := make([]city.AgencyMatch, 0, len(rows))
	for _, r := range rows {
		if q.Text != "" && !r.NameMatch && len(r.Units) == 0 && r.Documents == 0 {
			continue
		}
		out = append(out, city.AgencyMatch{Agency: city.Agency{ID: r.ID, Code: r.Code, Name: r.Name}, NameMatch: r.NameMatch,
			Units: []string(r.Units), Documents: r.Documents})
	}
	if q.Text != "" {
		slices.SortStableFunc(out, func(a, b city.AgencyMatch) int {
			switch {
			case a.NameMatch != b.NameMatch:
				if a.NameMatch {
					return -1
				}
				return 1
			case len(a.Units) != len(b.Units):
				return len(b.Units) - len(a.Units)
			}
			return b.Documents - a.Documents
		})
	}
	return out, nil
}

// Overdue implements city.Store. A record is overdue while its latest deadline of the kind
// (publication_due of a document, reply_due of a request) has passed and was not cancelled: still
// pending, or done by the sweep (the overdue alert was sent) while the record is still waiting, a
// document in one of the awaiting states or a request not closed.
func (s *City) Overdue(ctx context.Context, agencies []int64, awaiting []string, now time.Time) ([]city.Overdue, error) {
	const q = `SELECT d.org_id, 'publication' AS kind, d.id AS subject_id, d.title, COALESCE(un.name, d.unit_code) AS unit_name,
			dl.due_at, dl.due_date
		FROM documents d
		LEFT JOIN units un ON un.org_id = d.org_id AND un.code = d.unit_code
		JOIN LATERAL (SELECT x.due_at, x.due_date, x.status FROM deadlines x
			WHERE x.org_id = d.org_id AND x.subject_kind = 'document' AND x.subject_id = d.id AND x.name = 'publication_due'
			ORDER BY x.id DESC LIMIT 1) dl ON true
		WHERE d.org_id = ANY($1) AND d.state = ANY($2) AND dl.status IN ('pending', 'done') AND dl.due_at <= $3
		UNION ALL
		SELECT r.org_id, 'reply', r.id, r.receipt_no, COALESCE(un.name, r.unit_code), dl.due_at, dl.due_date
		FROM requests r
		LEFT JOIN units un ON un.org_id = r.org_id AND un.code = r.unit_code
		JOIN LATERAL (SELECT x.due_at, x.due_date, x.status FROM deadlines x
			WHERE x.org_id = r.org_id AND x.subject_kind = 'request' AND x.subject_id = r.id AND x.name = 'reply_due'
			ORDER BY x.id DESC LIMIT 1) dl ON true
		WHERE r.org_id = ANY($1) AND r.closed_on IS NULL AND dl.status IN ('pending', 'done') AND dl.due_at <= $3
		ORDER BY 1, 2, 6, 3`
	return selectAll(ctx, s.db, "list overdue records", overdueRow.toDomain, q, pq.Array(agencies), pq.Array(awaiting), now.UTC())
}

type overdueRow struct {
	OrgID     int64     `db:"org_id"`
	Kind      string    `db:"kind"`
	SubjectID int64     `db:"subject_id"`
	Title     string    `db:"title"`
	UnitName  string    `db:"unit_name"`
	DueAt     time.Time `db:"due_at"`
	DueDate   time.Time `db:"due_date"`
}

func (r overdueRow) toDomain() city.Overdue {
	return city.Overdue{AgencyID: r.OrgID, Kind: r.Kind, SubjectID: r.SubjectID, Title: r.Title, UnitName: r.UnitName,
		DueAt: r.DueAt, DueDate: dayOf(r.DueDate)}
}

// CatalogueGaps implements city.Store. Documents carry their catalogue item (catalogue_code) from
// migration 000019 on; without that column nothing is listed and ok is false.
func (s *City) CatalogueGaps(ctx context.Context, agencies []int64, public []string, yearStart time.Time) ([]city.CatalogueGap, bool, error) {
	var tagged bool
	const qc = `SELECT EXISTS (SELECT 1 FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'documents' AND column_name = 'catalogue_code')`
	if err := s.db.GetContext(ctx, &tagged, qc); err != nil {
		return nil, false, translate(fmt.Errorf("look for catalogue tags: %w", err), "")
	}
	if !tagged {
		return nil, false, nil
	}
	const q = `SELECT ci.org_id, ci.code, v.level1, v.level2
		FROM catalogue_items ci
		JOIN catalogue_item_versions v ON v.org_id = ci.org_id AND v.code = ci.code AND v.version = ci.current_version
		WHERE ci.org_id = ANY($1) AND ci.retired_at IS NULL AND v.mode = '主动'
			AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.org_id = ci.org_id AND d.catalogue_code = ci.code
				AND d.state = ANY($2) AND d.facts->>'attribute' = '主动公开' AND d.published_at >= $3)
		ORDER BY ci.org_id, ci.seq`
	var rows []struct {
		OrgID  int64  `db:"org_id"`
		Code   string `db:"code"`
		Level1 string `db:"level1"`
		Level2 string `db:"level2"`
	}
	if err := s.db.SelectContext(ctx, &rows, q, pq.Array(agencies), pq.Array(public), yearStart.UTC()); err != nil {
		return nil, true, translate(fmt.Errorf("list catalogue items with nothing published: %w", err), "")
	}
	out := make([]city.CatalogueGap, len(rows))
	for i, r := range rows {
		out[i] = city.CatalogueGap{AgencyID: r.OrgID, Code: r.Code, Level1: r.Level1, Level2: r.Level2}
	}
	return out, true, nil
}

// AgencyReports implements report.CityStore: every agency's report of year and of the year before,
// each assembled by its own organisation's ReportData exactly as the agency's console shows it.
func (s *City) AgencyReports(ctx context.Context, year int) ([]report.AgencyYear, error) {
	as, err := s.Agencies(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]report.AgencyYear, 0, len(as))
	for _, a := range as {
		rd := &ReportData{newBase(s.db, a.ID, s.clock)}
		rep, _, err := rd.AnnualReport(ctx, year, a.Name)
		if err != nil {
			return nil, fmt.Errorf("report of %s: %w", a.Code, err)
		}
		prev, err := rd.PreviousReport(ctx, year, a.Name)
		if err != nil {
			return nil, fmt.Errorf("previous report of %s: %w", a.Code, err)
		}
		out = append(out, report.AgencyYear{Agency: a, Report: rep, Previous: prev})
	}
	return out, nil
}
