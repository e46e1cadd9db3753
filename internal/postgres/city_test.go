package postgres_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lib/pq"

	"wugongkai/configs"
	"wugongkai/internal/postgres"
	"wugongkai/internal/report"
	"wugongkai/workflow"
	"wugongkai/workflow/catalogue"
	"wugongkai/workflow/city"
	"wugongkai/workflow/documents"
)

// cityAgency is one organisation of the city tests, on the fixture's database.
type cityAgency struct {
	id     int64
	code   string
	stores *postgres.Stores
	user   int64
}

// mustAgency adds an organisation with a unit and a user to f's database (the fixture's own
// organisation is TESTORG001).
func mustAgency(t *testing.T, f fixture, code, name string) cityAgency {
	t.Helper()
	ctx := context.Background()
	org, err := postgres.EnsureOrg(ctx, f.db, code, name)
	if err != nil {
		t.Fatal(err)
	}
	s := postgres.NewStores(f.db, org, f.clock)
	t.Cleanup(s.Close)
	if err := s.Orgs.EnsureUnit(ctx, "chengjian", name+"城建科"); err != nil {
		t.Fatal(err)
	}
	u, err := s.Accounts.CreateUser(ctx, postgres.User{Username: "drafter", DisplayName: "起草人", PasswordHash: "x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cityAgency{id: org, code: code, stores: s, user: u.ID}
}

// mustCityDocument stores a document of a in state with attribute, written straight into the
// table (published ones with their publication time and search terms), and returns its id.
func mustCityDocument(t *testing.T, f fixture, a cityAgency, title, state, attribute string) int64 {
	t.Helper()
	ctx := context.Background()
	d, err := a.stores.Documents.CreateDocument(ctx, documents.Document{
		Instance: workflow.Instance{Unit: "chengjian", Definition: "document", DefinitionVersion: 1, State: "drafting",
			Facts: workflow.Facts{"attribute": attribute}},
		Title: title, Body: "正文：" + title, DocKind: documents.KindOther, CreatedBy: a.user,
	}, workflow.Actor{UserID: a.user, Username: "drafter"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	const q = `UPDATE documents SET state = $1, published_at = CASE WHEN $1 = 'published' THEN $2::timestamptz END,
		search_terms = $3 WHERE org_id = $4 AND id = $5`
	if _, err := f.db.ExecContext(ctx, q, state, t0, pq.Array(documents.SearchTerms(title+" 正文："+title)), a.id, d.ID); err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// TestCityReadsAcrossAgenciesOnlyWhatIsPublic: the city store lists and searches the published
// 主动公开 documents of exactly the agencies it is given (nothing unpublished, nothing 依申请公开 even
// when written as published), and finds the agency that holds what a citizen asks for.
func TestCityReadsAcrossAgenciesOnlyWhatIsPublic(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	a := cityAgency{id: f.store.Org(), code: "TESTORG001", stores: f.store, user: f.user.ID}
	b := mustAgency(t, f, "TESTORG002", "测试市发展和改革委员会")
	c := mustAgency(t, f, "TESTORG003", "测试市教育局")
	public := map[int64]string{}
	for _, ag := range []cityAgency{a, b, c} {
		id := mustCityDocument(t, f, ag, ag.code+"关于住房租赁补贴的通知", "published", "主动公开")
		public[id] = ag.code
		mustCityDocument(t, f, ag, ag.code+"未公开的住房租赁补贴草稿", "drafting", "主动公开")
		mustCityDocument(t, f, ag, ag.code+"依申请公开的住房租赁补贴文件", "published", "依申请公开")
		mustCityDocument(t, f, ag, ag.code+"待发布的住房租赁补贴文件", "awaiting_publication", "主动公开")
	}
	mustCityDocument(t, f, b, "价格监测报告", "published", "主动公开")
	store := postgres.NewCity(f.db, f.clock)
	agencies, err := store.Agencies(ctx)
	if err != nil || len(agencies) != 3 || agencies[1].Code != "TESTORG002" || agencies[1].Name != "测试市发展和改革委员会" {
		t.Fatalf("agencies %+v, %v", agencies, err)
	}
	all := []int64{a.id, b.id, c.id}
	states := []string{"published"}
	var q documents.PublicQuery
	if err := q.Search("住房租赁补贴"); err != nil {
		t.Fatal(err)
	}
	q.States = states
	docs, total, err := store.PublicDocuments(ctx, all, q)
	if err != nil {
		t.Fatal(err)
	}
	if total != 3 || len(docs) != 3 {
		t.Fatalf("search found %d (%d): %+v", total, len(docs), docs)
	}
	seen := map[string]bool{}
	for _, d := range docs {
		if public[d.ID] == "" || public[d.ID] != map[int64]string{a.id: a.code, b.id: b.code, c.id: c.code}[d.OrgID] {
			t.Errorf("document %d %q of org %d is not a public one", d.ID, d.Title, d.OrgID)
		}
		seen[public[d.ID]] = true
	}
	if len(seen) != 3 {
		t.Errorf("search merged %v, want all three agencies", seen)
	}
	docs, total, err = store.PublicDocuments(ctx, []int64{a.id, c.id}, documents.PublicQuery{States: states})
	if err != nil || total != 2 {
		t.Fatalf("two agencies: %d, %v", total, err)
	}
	for _, d := range docs {
		if d.OrgID == b.id {
			t.Errorf("agency B's %q read though not asked for", d.Title)
		}
	}
	// A page is the merge of the agencies' newest: one at a time, the pages give the whole list's order.
	whole, total, err := store.PublicDocuments(ctx, all, documents.PublicQuery{States: states, Limit: 10})
	if err != nil || total != 4 || len(whole) != 4 {
		t.Fatalf("whole list: %d of %d, %v", len(whole), total, err)
	}
	for i, want := range whole {
		page, _, err := store.PublicDocuments(ctx, all, documents.PublicQuery{States: states, Limit: 1, Offset: i})
		if err != nil || len(page) != 1 || page[0].ID != want.ID {
			t.Errorf("page %d: %+v, %v; want document %d", i+1, page, err, want.ID)
		}
		if i > 0 && whole[i-1].PublishedAt.Before(want.PublishedAt) {
			t.Errorf("the list is not newest first at %d", i)
		}
	}
	// Routing a request: the agency whose name, unit or public documents match comes first.
	ms, err := store.FindAgencies(ctx, all, city.AgencyQuery{Text: "价格监测", Terms: documents.QueryTerms("价格监测"),
		Phrases: documents.SearchPhrases("价格监测"), States: states})
	if err != nil || len(ms) != 1 || ms[0].Code != "TESTORG002" || ms[0].Documents != 1 {
		t.Fatalf("find 价格监测: %+v, %v", ms, err)
	}
	ms, err = store.FindAgencies(ctx, all, city.AgencyQuery{Text: "教育", Terms: documents.QueryTerms("教育"),
		Phrases: documents.SearchPhrases("教育"), States: states})
	if err != nil || len(ms) != 1 || ms[0].Code != "TESTORG003" || !ms[0].NameMatch {
		t.Fatalf("find 教育: %+v, %v", ms, err)
	}
	ms, err = store.FindAgencies(ctx, all, city.AgencyQuery{States: states})
	if err != nil || len(ms) != 3 || ms[1].Documents != 2 {
		t.Fatalf("every agency: %+v, %v", ms, err)
	}
}

// TestCityOverdue: a document past its publication deadline and a request past its reply deadline
// are overdue per agency while still waiting, whether the sweep has sent the overdue alert or not;
// a cancelled deadline, a published document and a closed request are not.
func TestCityOverdue(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	a := cityAgency{id: f.store.Org(), code: "TESTORG001", stores: f.store, user: f.user.ID}
	b := mustAgency(t, f, "TESTORG002", "测试市发展和改革委员会")
	late := mustCityDocument(t, f, a, "逾期未发布的通知", "awaiting_publication", "主动公开")
	alerted := mustCityDocument(t, f, b, "已提醒仍未发布的通知", "awaiting_publication", "主动公开")
	inTime := mustCityDocument(t, f, b, "未到期的通知", "awaiting_publication", "主动公开")
	cancelled := mustCityDocument(t, f, b, "期限已取消的通知", "awaiting_publication", "主动公开")
	published := mustCityDocument(t, f, a, "逾期但已发布的通知", "published", "主动公开")
	now := t0.Add(60 * 24 * time.Hour)
	deadline := func(org, subject int64, kind, name, status string, due time.Time) {
		t.Helper()
		const q = `INSERT INTO deadlines (org_id, subject_kind, subject_id, name, due_at, due_date, action, status)
			VALUES ($1, $2, $3, $4, $5, $6, 'overdue', $7)`
		if _, err := f.db.ExecContext(ctx, q, org, kind, subject, name, due, workflow.DateOf(due).String(), status); err != nil {
			t.Fatal(err)
		}
	}
	deadline(a.id, late, "document", "publication_due", "pending", now.Add(-72*time.Hour))
	deadline(b.id, alerted, "document", "publication_due", "done", now.Add(-24*time.Hour))
	deadline(b.id, inTime, "document", "publication_due", "pending", now.Add(24*time.Hour))
	deadline(b.id, cancelled, "document", "publication_due", "cancelled", now.Add(-24*time.Hour))
	deadline(a.id, published, "document", "publication_due", "done", now.Add(-24*time.Hour))
	request := func(org int64, no string, closed bool) int64 {
		t.Helper()
		facts := `{}`
		if closed {
			facts = `{"closed_on": "2025-01-20", "outcome": "三(一)"}`
		}
		const q = `INSERT INTO requests (org_id, definition, definition_version, unit_code, state, receipt_no, title,
			channel, received_on, applicant_type, applicant_name, id_type, id_number, description, info_form, delivery, facts)
			VALUES ($1, 'request', 1, 'chengjian', 'processing', $2, 't', 'online', '2025-01-02', 'natural', '张某', '居民身份证', 'X1', 'd', '纸质', '邮寄', $3)
			RETURNING id`
		var id int64
		if err := f.db.GetContext(ctx, &id, q, org, no, facts); err != nil {
			t.Fatal(err)
		}
		return id
	}
	open := request(b.id, "YSQ-2025-00001", false)
	deadline(b.id, open, "request", "reply_due", "done", now.Add(-48*time.Hour))
	deadline(b.id, request(b.id, "YSQ-2025-00002", true), "request", "reply_due", "done", now.Add(-48*time.Hour))
	// A reply deadline replaced by a later one (a 补正 restarts the count) is the later one's.
	replaced := request(a.id, "YSQ-2025-00003", false)
	deadline(a.id, replaced, "request", "reply_due", "done", now.Add(-48*time.Hour))
	deadline(a.id, replaced, "request", "reply_due", "pending", now.Add(48*time.Hour))

	got, err := postgres.NewCity(f.db, f.clock).Overdue(ctx, []int64{a.id, b.id}, []string{"awaiting_publication"}, now)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, o := range got {
		lines = append(lines, fmt.Sprintf("%d %s %d %s %s", o.AgencyID, o.Kind, o.SubjectID, o.Title, o.DueDate))
	}
	want := []string{
		fmt.Sprintf("%d publication %d 逾期未发布的通知 %s", a.id, late, workflow.DateOf(now.Add(-72*time.Hour))),
		fmt.Sprintf("%d publication %d 已提醒仍未发布的通知 %s", b.id, alerted, workflow.DateOf(now.Add(-24*time.Hour))),
		fmt.Sprintf("%d reply %d YSQ-2025-00001 %s", b.id, open, workflow.DateOf(now.Add(-48*time.Hour))),
	}
	if !slices.Equal(lines, want) {
		t.Errorf("overdue:\n%q\nwant\n%q", lines, want)
	}
	got, err = postgres.NewCity(f.db, f.clock).Overdue(ctx, []int64{a.id}, []string{"awaiting_publication"}, now)
	if err != nil || len(got) != 1 || got[0].AgencyID != a.id {
		t.Errorf("agency A alone: %+v, %v", got, err)
	}
}

// TestCityReportAddsUpTheAgencies: the city summary's Tables 三 and 四 equal the agencies' own
// reports (each assembled by its organisation's ReportData) added up here cell by cell, and an
// agency whose report fails a check (its carry-over from last year's final report) is listed
// with the failure.
func TestCityReportAddsUpTheAgencies(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	a := cityAgency{id: f.store.Org(), code: "TESTORG001", stores: f.store, user: f.user.ID}
	b := mustAgency(t, f, "TESTORG002", "测试市发展和改革委员会")
	c := mustAgency(t, f, "TESTORG003", "测试市教育局")
	types := []string{"natural", "commercial", "research", "nonprofit", "legal_service", "other"}
	outcomes := report.OutcomeKeys(report.Format2021)
	n := 0
	for i, ag := range []cityAgency{a, b, c} {
		for j := range 25 + 10*i {
			n++
			received := workflow.Date{Year: 2024, Month: 11, Day: 1}.AddDays((j * 37) % 400)
			facts := `{}`
			if j%4 != 0 {
				facts = fmt.Sprintf(`{"closed_on": %q, "outcome": %q}`, received.AddDays(j%30), outcomes[(j+i)%len(outcomes)])
			}
			const q = `INSERT INTO requests (org_id, definition, definition_version, unit_code, state, receipt_no, title,
				channel, received_on, applicant_type, applicant_name, id_type, id_number, description, info_form, delivery, facts)
				VALUES ($1, 'request', 1, 'chengjian', 'received', $2, 't', 'online', $3, $4, 'x', '其他', 'X1', 'd', '纸质', '邮寄', $5)`
			if _, err := f.db.ExecContext(ctx, q, ag.id, fmt.Sprintf("R%d", n), received.String(), types[(j+2*i)%len(types)],
				facts); err != nil {
				t.Fatal(err)
			}
		}
		kinds := []string{"reconsideration", "litigation_direct", "litigation_after_reconsideration"}
		results := []string{"upheld", "corrected", "other", "pending"}
		for j := range 4 + i {
			const q = `INSERT INTO cases (org_id, kind, filed_on, concluded_on, outcome, created_by) VALUES ($1, $2, $3, $4, $5, $6)`
			var concluded any
			outcome := results[(j+i)%len(results)]
			if outcome != "pending" {
				concluded = "2025-06-01"
			}
			if _, err := f.db.ExecContext(ctx, q, ag.id, kinds[(j+i)%len(kinds)], "2025-03-01", concluded, outcome, ag.user); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Agency B finalised its 2024 report with one more request carried out than the data has now.
	prev, _, err := b.stores.ReportData.AnnualReport(ctx, 2024, "测试市发展和改革委员会")
	if err != nil {
		t.Fatal(err)
	}
	row := prev.Requests.Rows[report.RowCarriedOut]
	row[report.ColNatural]++
	row[report.ColTotal]++
	prev.Requests.Rows[report.RowCarriedOut] = row
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, prev); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.ExecContext(ctx, `INSERT INTO report_inputs (org_id, year, final_json, finalized_at, finalized_by, updated_at, updated_by)
		VALUES ($1, 2024, $2, $3, 'x', $3, 'x')`, b.id, buf.String(), t0); err != nil {
		t.Fatal(err)
	}

	got, err := report.Compile(ctx, postgres.NewCity(f.db, f.clock), "测试市", 2025)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title() != "测试市2025年政府信息公开工作年度报告汇总" || len(got.Agencies) != 3 {
		t.Fatalf("%s, %d agencies", got.Title(), len(got.Agencies))
	}
	var want report.Requests
	want.Rows = map[string]report.Counts{}
	var cases [3][5]int
	for _, ag := range []cityAgency{a, b, c} {
		rep, _, err := ag.stores.ReportData.AnnualReport(ctx, 2025, ag.code)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range report.RequestRowKeys(report.Format2021) {
			sum := want.Rows[k]
			for col, v := range rep.Requests.Row(k) {
				sum[col] += v
			}
			want.Rows[k] = sum
		}
		rl := rep.ReviewLitigation
		for i, block := range []report.CaseCounts{rl.Reconsideration, rl.LitigationDirect, rl.LitigationAfterReconsideration} {
			for j, v := range []int{block.Upheld, block.Corrected, block.Other, block.Pending, block.Total} {
				cases[i][j] += v
			}
		}
	}
	for _, k := range report.RequestRowKeys(report.Format2021) {
		if got.Summary.Requests.Row(k) != want.Row(k) {
			t.Errorf("表三 %s: summary %v, agencies add up to %v", k, got.Summary.Requests.Row(k), want.Row(k))
		}
	}
	if want.Row(report.RowReceived)[report.ColTotal] == 0 || want.Row(report.RowCarriedIn)[report.ColTotal] == 0 {
		t.Error("no requests received or carried in: the test proves little")
	}
	rl := got.Summary.ReviewLitigation
	for i, block := range []report.CaseCounts{rl.Reconsideration, rl.LitigationDirect, rl.LitigationAfterReconsideration} {
		if g := [5]int{block.Upheld, block.Corrected, block.Other, block.Pending, block.Total}; g != cases[i] {
			t.Errorf("表四 block %d: summary %v, agencies add up to %v", i, g, cases[i])
		}
	}
	failed := got.Failed()
	if len(failed) != 1 || failed[0].Agency.Code != "TESTORG002" || failed[0].Failures[0].Rule != report.RuleCarryOver {
		t.Fatalf("failed agencies: %+v", failed)
	}
	for _, format := range []string{"html", "csv", "json"} {
		var out bytes.Buffer
		if _, err := report.RenderCity(&out, got, format); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		for _, want := range []string{"测试市发展和改革委员会", "上年结转", "测试市2025年政府信息公开工作年度报告汇总"} {
			if !bytes.Contains(out.Bytes(), []byte(want)) {
				t.Errorf("%s lacks %q", format, want)
			}
		}
	}
	if _, err := report.Compile(ctx, postgres.NewCity(f.db, f.clock), "测试市", 2018); workflow.ErrorCode(err) != workflow.EInvalid {
		t.Errorf("2018: %v", err)
	}
}

// BenchmarkCityDocuments compares a page of one agency's public list with a page of the city's
// list over three agencies of 10,000 published documents each, plain and searched.
func BenchmarkCityDocuments(b *testing.B) {
	ctx := context.Background()
	f := mustFixture(b)
	var ids []int64
	for i := range 3 {
		org, err := postgres.EnsureOrg(ctx, f.db, fmt.Sprintf("BENCH%03d", i), fmt.Sprintf("机关%d", i))
		if err != nil {
			b.Fatal(err)
		}
		s := postgres.NewStores(f.db, org, f.clock)
		b.Cleanup(s.Close)
		if err := s.Orgs.EnsureUnit(ctx, "chengjian", "城建科"); err != nil {
			b.Fatal(err)
		}
		u, err := s.Accounts.CreateUser(ctx, postgres.User{Username: "drafter", DisplayName: "起草人", PasswordHash: "x"}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := postgres.LoadPublished(ctx, f.db.DB.DB, postgres.BenchOwner{Org: org, Unit: "chengjian", User: u.ID},
			fmt.Sprintf("BENCH%03d", i), 10000, time.Now()); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, org)
	}
	if _, err := f.db.ExecContext(ctx, `ANALYZE documents`); err != nil {
		b.Fatal(err)
	}
	one := postgres.NewStores(f.db, ids[0], f.clock)
	b.Cleanup(one.Close)
	city := postgres.NewCity(f.db, f.clock)
	search := documents.PublicQuery{States: []string{"published"}, Limit: 20}
	if err := search.Search("管理"); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		q    documents.PublicQuery
		list func(documents.PublicQuery) (int, error)
	}{
		{"agency", documents.PublicQuery{States: []string{"published"}, Limit: 20}, func(q documents.PublicQuery) (int, error) {
			_, n, err := one.Documents.PublicDocuments(ctx, q)
			return n, err
		}},
		{"city", documents.PublicQuery{States: []string{"published"}, Limit: 20}, func(q documents.PublicQuery) (int, error) {
			_, n, err := city.PublicDocuments(ctx, ids, q)
			return n, err
		}},
		{"agency-search", search, func(q documents.PublicQuery) (int, error) {
			_, n, err := one.Documents.PublicDocuments(ctx, q)
			return n, err
		}},
		{"city-search", search, func(q documents.PublicQuery) (int, error) {
			_, n, err := city.PublicDocuments(ctx, ids, q)
			return n, err
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if n, err := c.list(c.q); err != nil || n == 0 {
					b.Fatal(n, err)
				}
			}
		})
	}
}

// TestCityCatalogueGaps: the catalogue items to be disclosed proactively under which an agency
// published nothing this year, per agency; before documents carry their item (migration 000019)
// nothing is listed and the store says so.
func TestCityCatalogueGaps(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	a := cityAgency{id: f.store.Org(), code: "TESTORG001", stores: f.store, user: f.user.ID}
	b := mustAgency(t, f, "TESTORG002", "测试市发展和改革委员会")
	store := postgres.NewCity(f.db, f.clock)
	yearStart := time.Date(t0.In(workflow.Shanghai).Year(), 1, 1, 0, 0, 0, 0, workflow.Shanghai)
	var tagged bool
	if err := f.db.GetContext(ctx, &tagged, `SELECT EXISTS (SELECT 1 FROM information_schema.columns
		WHERE table_name = 'documents' AND column_name = 'catalogue_code')`); err != nil {
		t.Fatal(err)
	}
	if !tagged {
		gaps, ok, err := store.CatalogueGaps(ctx, []int64{a.id, b.id}, []string{"published"}, yearStart)
		if err != nil || ok || len(gaps) != 0 {
			t.Fatalf("without catalogue tags: %v %v %v", gaps, ok, err)
		}
		// The columns as migration 000019 adds them, so the query is tried here too.
		if _, err := f.db.ExecContext(ctx, `ALTER TABLE documents ADD COLUMN catalogue_code text, ADD COLUMN catalogue_version integer`); err != nil {
			t.Fatal(err)
		}
	}
	items, err := catalogue.LoadDir(configs.Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	proactive := 0
	var first catalogue.Item
	for _, it := range items {
		if it.Mode == "主动" {
			if proactive == 0 {
				first = it
			}
			proactive++
		}
	}
	for _, ag := range []cityAgency{a, b} {
		if _, err := (&catalogue.Catalogue{Store: ag.stores.Catalogue}).Load(ctx, items); err != nil {
			t.Fatal(err)
		}
	}
	doc := mustCityDocument(t, f, a, "本年发布的目录事项文件", "published", "主动公开")
	if _, err := f.db.ExecContext(ctx, `UPDATE documents SET catalogue_code = $1, catalogue_version = 1 WHERE org_id = $2 AND id = $3`,
		first.Code, a.id, doc); err != nil {
		t.Fatal(err)
	}
	gaps, ok, err := store.CatalogueGaps(ctx, []int64{a.id, b.id}, []string{"published"}, yearStart)
	if err != nil || !ok {
		t.Fatalf("catalogue gaps: %v %v", ok, err)
	}
	per := map[int64][]string{}
	for _, g := range gaps {
		per[g.AgencyID] = append(per[g.AgencyID], g.Code)
	}
	if len(per[a.id]) != proactive-1 || slices.Contains(per[a.id], first.Code) || len(per[b.id]) != proactive || !slices.Contains(per[b.id], first.Code) {
		t.Errorf("gaps: A %d (%v), B %d; want A %d without %s, B %d", len(per[a.id]), per[a.id], len(per[b.id]), proactive-1, first.Code, proactive)
	}
	// Next year, A's document no longer counts.
	gaps, _, err = store.CatalogueGaps(ctx, []int64{a.id}, []string{"published"}, yearStart.AddDate(1, 0, 0))
	if err != nil || len(gaps) != proactive {
		t.Errorf("next year: %d gaps, %v", len(gaps), err)
	}
}

// TestPublicSearchPhrases: the public search finds a phrase in the title or in the body, in any
// case, and not where only its characters' pairs occur apart; the title is asked before the body.
func TestPublicSearchPhrases(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	a := cityAgency{id: f.store.Org(), code: "TESTORG001", stores: f.store, user: f.user.ID}
	doc := func(title, body string) int64 {
		id := mustCityDocument(t, f, a, title, "published", "主动公开")
		if _, err := f.db.ExecContext(ctx, `UPDATE documents SET body = $1, search_terms = $2 WHERE id = $3`,
			body, pq.Array(documents.SearchTerms(title+" "+body)), id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	inTitle := doc("关于住房租赁补贴的通知", "各有关单位：现将有关事项通知如下。")
	inBody := doc("关于做好有关工作的通知", "一、做好住房租赁补贴的发放。二、GIS平台建设。")
	apart := doc("租赁住房与补贴管理", "住房租赁，补贴另行规定。")
	for _, c := range []struct {
		q    string
		want []int64
	}{
		{"住房租赁补贴", []int64{inTitle, inBody}},
		{"gis平台", []int64{inBody}},
		{"租赁住房", []int64{apart}},
		{"补贴 租赁", []int64{inTitle, inBody, apart}},
	} {
		var q documents.PublicQuery
		if err := q.Search(c.q); err != nil {
			t.Fatal(err)
		}
		q.States, q.Limit = []string{"published"}, 20
		got, total, err := f.store.Documents.PublicDocuments(ctx, q)
		var ids []int64
		for _, d := range got {
			ids = append(ids, d.ID)
		}
		slices.Sort(ids)
		if err != nil || total != len(c.want) || !slices.Equal(ids, c.want) {
			t.Errorf("search %q: %v (total %d), %v; want %v", c.q, ids, total, err, c.want)
		}
	}
}
