package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"wugongkai/internal/postgres"
	"wugongkai/internal/report"
	"wugongkai/workflow"
	"wugongkai/workflow/documents"
)

// TestRequestCountsMatchTheTally checks the SQL aggregation of Table 三 against the report
// package's tally of the same records, for random requests around three year ends.
func TestRequestCountsMatchTheTally(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	rng := rand.New(rand.NewPCG(6, 2025))
	types := []string{"natural", "commercial", "research", "nonprofit", "legal_service", "other"}
	outcomes := report.OutcomeKeys(report.Format2021)
	start := workflow.Date{Year: 2023, Month: 11, Day: 1}
	var recs []report.RequestRecord
	for i := range 400 {
		received := start.AddDays(rng.IntN(900))
		rec := report.RequestRecord{Applicant: types[rng.IntN(len(types))], Received: received}
		if rng.IntN(5) > 0 {
			rec.Closed = received.AddDays(rng.IntN(60))
			rec.Outcome = outcomes[rng.IntN(len(outcomes))]
		}
		recs = append(recs, rec)
		facts := fmt.Sprintf(`{"received_on": %q}`, received)
		if !rec.Closed.IsZero() {
			facts = fmt.Sprintf(`{"received_on": %q, "outcome": %q, "closed_on": %q}`, received, rec.Outcome, rec.Closed)
		}
		const q = `INSERT INTO requests (org_id, definition, definition_version, unit_code, state, facts, receipt_no, title,
			channel, received_on, applicant_type, applicant_name, id_type, id_number, description, info_form, delivery)
			VALUES ($1, 'request', 1, 'chengjian', 'received', $2, $3, 't', 'online', $4, $5, 'x', '其他', 'X1', 'd', '纸质', '邮寄')`
		if _, err := f.db.ExecContext(ctx, q, f.store.Org(), facts, fmt.Sprintf("R%d", i), received.String(), rec.Applicant); err != nil {
			t.Fatal(err)
		}
	}
	for _, year := range []int{2024, 2025, 2026} {
		for _, format := range []string{report.Format2019, report.Format2021} {
			t.Run(fmt.Sprintf("%d/%s", year, format), func(t *testing.T) {
				counts, err := f.store.ReportData.RequestCounts(ctx, year)
				if err != nil {
					t.Fatal(err)
				}
				got, want := report.RequestsFromCounts(format, counts), report.TallyRequests(format, year, recs)
				for _, k := range report.RequestRowKeys(format) {
					if got.Row(k) != want.Row(k) {
						t.Errorf("row %s: SQL %v, tally %v", k, got.Row(k), want.Row(k))
					}
				}
				if want.Row(report.RowReceived)[report.ColTotal] == 0 {
					t.Error("no requests in the year: the test proves nothing")
				}
			})
		}
	}
}

// TestNormativeCounts counts Table 二 第二十条第（一）项 from documents: made by signing date,
// published by publication time, repealed and in force at the year's end by the audit log.
func TestNormativeCounts(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	at := func(day string) time.Time {
		d, err := workflow.ParseDate(day)
		if err != nil {
			t.Fatal(err)
		}
		return d.Start().Add(10 * time.Hour)
	}
	doc := func(kind, signed, published, repealed string) {
		t.Helper()
		d, err := f.store.Documents.CreateDocument(ctx, documents.Document{
			Instance: workflow.Instance{Unit: "chengjian", Definition: "document", DefinitionVersion: 1, State: "awaiting_publication",
				Facts: workflow.Facts{"attribute": "主动公开", "signed_on": signed}},
			Title: "关于" + signed + "的规定", Body: "正文", DocKind: kind, CreatedBy: f.user.ID,
		}, f.actor, at(signed))
		if err != nil {
			t.Fatal(err)
		}
		pub := documents.Publication{IndexTemplate: "{org}/{year}-{serial:5}", DocNumber: "X〔2025〕1号", SubjectCategory: "城乡建设",
			Summary: "摘要", Validity: documents.ValidityValid, PublishedAt: at(published), SearchTerms: []string{"规定"}}
		if _, err := f.store.Documents.ApplyPublication(ctx, d.Instance, result(d.Instance, "published", "publish", f.actor, at(published)), pub); err != nil {
			t.Fatal(err)
		}
		if repealed != "" {
			if _, err := f.store.Documents.SetValidity(ctx, d.ID, d.Version+1, documents.ValidityRepealed, time.Time{}, f.actor, at(repealed)); err != nil {
				t.Fatal(err)
			}
		}
	}
	doc(documents.KindNormative, "2025-03-01", "2025-03-10", "2026-02-01")
	doc(documents.KindNormative, "2024-12-20", "2025-01-05", "2025-06-01")
	doc(documents.KindNormative, "2025-12-30", "2026-01-05", "")
	doc(documents.KindOther, "2025-04-01", "2025-04-02", "")
	for year, want := range map[int]postgres.NormativeCounts{
		2025: {Made: 2, Published: 2, PublishedTotal: 2, Repealed: 1, InForce: 1},
		2026: {Made: 0, Published: 1, PublishedTotal: 3, Repealed: 1, InForce: 1},
	} {
		got, err := f.store.ReportData.NormativeCounts(ctx, year)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%d: %+v, want %+v", year, got, want)
		}
	}
	rep, _, err := f.store.ReportData.AnnualReport(ctx, 2025, "测试局")
	if err != nil {
		t.Fatal(err)
	}
	if fs := report.Check(rep, nil); len(fs) != 0 {
		t.Fatalf("assembled report fails its checks: %+v", fs)
	}
	row := rep.Proactive.Blocks[0].Rows[1]
	if row.Label != "行政规范性文件" || row.Values[0].Value != 2 || row.Values[1].Value != 1 || row.Values[2].Value != 1 {
		t.Fatalf("Table 二 (一) = %+v", rep.Proactive.Blocks[0])
	}
}
