package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"wugongkai/internal/postgres"
	"wugongkai/internal/testkit"
	"wugongkai/workflow"
	"wugongkai/workflow/documents"
)

// TestLoadedRowsAreWhatTheServiceReads loads published documents and due consultations and reads
// them back through the service's own store: the portal's query finds the documents as published
// 主动公开 ones, searchable; the sweep's query finds the deadlines due, and firing one opens its
// consultation with the shipped workflow.
func TestLoadedRowsAreWhatTheServiceReads(t *testing.T) {
	ctx := context.Background()
	b := testkit.NewBureau(t, "测试局", []testkit.Unit{{Code: "chengjian", Name: "城建科"}},
		[]testkit.User{{Name: "drafter", Display: "王起草", Role: "drafter", Unit: "chengjian"}})
	u, err := b.Stores.Accounts.UserByUsername(ctx, "drafter")
	if err != nil {
		t.Fatal(err)
	}
	owner := postgres.BenchOwner{Org: b.Stores.Org(), Unit: "chengjian", User: u.ID}
	now := time.Now()
	db := b.DB.DB.DB

	ids, err := postgres.LoadPublished(ctx, db, owner, testkit.OrgCode, 120, now)
	if err != nil {
		t.Fatal(err)
	}
	docs, total, err := b.Stores.Documents.PublicDocuments(ctx, documents.PublicQuery{Limit: 20, States: []string{"published"}})
	if err != nil || total != 120 || len(docs) != 20 {
		t.Fatalf("public list of the loaded documents: total %d, %d on the page, %v", total, len(docs), err)
	}
	if docs[0].PublishedAt.Before(docs[19].PublishedAt) {
		t.Error("the public list is not newest first")
	}
	d, err := b.Stores.Documents.PublicDocument(ctx, ids[7], []string{"published"})
	if err != nil || d.Title == "" || d.Body == "" || d.IndexNo == "" || d.Summary == "" {
		t.Fatalf("loaded document %d: %+v %v", ids[7], d, err)
	}
	found, _, err := b.Stores.Documents.PublicDocuments(ctx, documents.PublicQuery{Limit: 5, Terms: documents.QueryTerms("管理"), States: []string{"published"}})
	if err != nil || len(found) == 0 {
		t.Fatalf("search finds no loaded document: %v", err)
	}

	if err := postgres.LoadDueConsultations(ctx, db, owner, 30, now); err != nil {
		t.Fatal(err)
	}
	due, err := b.Stores.Deadlines.DueDeadlines(ctx, time.Now(), 100)
	if err != nil || len(due) != 30 {
		t.Fatalf("%d due deadlines, want 30: %v", len(due), err)
	}
	ok, err := b.Stores.Deadlines.FireDeadline(ctx, due[0].ID, time.Now(), func(inst workflow.Instance) (workflow.Result, error) {
		return b.Engine.Fire(inst, due[0].Transition, workflow.SystemActor, workflow.Input{}, time.Now())
	})
	if err != nil || !ok {
		t.Fatalf("fire a loaded deadline: %v %v", ok, err)
	}
	inst, err := b.Stores.Instances.Instance(ctx, due[0].SubjectID)
	if err != nil || inst.State != "consultation_open" {
		t.Fatalf("after its opening deadline the consultation is %q (%v)", inst.State, err)
	}
}

// TestLoadedOpenTasksAreAllOnTheDesk loads more documents awaiting review than the store returns
// in one page and checks the unit head's 待办 holds every one, each with 审核通过 available: the
// 待办 reads page after page instead of stopping at the first.
func TestLoadedOpenTasksAreAllOnTheDesk(t *testing.T) {
	ctx := context.Background()
	users := []testkit.User{{Name: "drafter", Display: "王起草", Role: "drafter", Unit: "chengjian"},
		{Name: "head", Display: "李科长", Role: "unit_head", Unit: "chengjian"}}
	b := testkit.NewBureau(t, "测试局", []testkit.Unit{{Code: "chengjian", Name: "城建科"}}, users)
	u, err := b.Stores.Accounts.UserByUsername(ctx, "drafter")
	if err != nil {
		t.Fatal(err)
	}
	const n = 1100
	if err := postgres.LoadOpenTasks(ctx, b.DB.DB.DB, postgres.BenchOwner{Org: b.Stores.Org(), Unit: "chengjian", User: u.ID}, n, time.Now()); err != nil {
		t.Fatal(err)
	}
	docs := b.Documents(workflow.SystemClock)
	items, err := b.Desk(docs, nil).Items(ctx, b.Staff(t, users[1]))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for _, it := range items {
		if !slices.ContainsFunc(it.Actions, func(a workflow.TransitionView) bool { return a.Name == "approve" }) {
			t.Fatalf("待办 item %d offers %v, not 审核通过", it.ID, it.Actions)
		}
		seen[it.ID] = true
	}
	if len(items) != n || len(seen) != n {
		t.Fatalf("the unit head's 待办 holds %d items (%d distinct), want all %d open tasks", len(items), len(seen), n)
	}
}

// TestLoadReportYear loads a small year and assembles its annual report from the data: the
// report's figures are the loaded ones.
func TestLoadReportYear(t *testing.T) {
	ctx := context.Background()
	b := testkit.NewBureau(t, "测试局", []testkit.Unit{{Code: "chengjian", Name: "城建科"}},
		[]testkit.User{{Name: "drafter", Display: "王起草", Role: "drafter", Unit: "chengjian"}})
	u, err := b.Stores.Accounts.UserByUsername(ctx, "drafter")
	if err != nil {
		t.Fatal(err)
	}
	const year, docs, reqs = 2025, 600, 300
	if err := postgres.LoadReportYear(ctx, b.DB.DB.DB, postgres.BenchOwner{Org: b.Stores.Org(), Unit: "chengjian", User: u.ID}, year, docs, reqs); err != nil {
		t.Fatal(err)
	}
	nc, err := b.Stores.ReportData.NormativeCounts(ctx, year)
	if err != nil {
		t.Fatal(err)
	}
	if nc.Made != docs/10 || nc.Published == 0 || nc.Published >= nc.Made || nc.Repealed == 0 {
		t.Errorf("normative counts of the loaded year: %+v", nc)
	}
	counts, err := b.Stores.ReportData.RequestCounts(ctx, year)
	if err != nil {
		t.Fatal(err)
	}
	received, carried, closed := 0, 0, 0
	for _, a := range counts.Applicants {
		received += a.Received
		carried += a.CarriedIn
	}
	for _, c := range counts.Closed {
		closed += c.Count
	}
	// One request in 25 came in the year before (some of those were answered before this year).
	if received != reqs-reqs/25 || carried == 0 || closed == 0 || closed >= reqs {
		t.Errorf("request counts of the loaded year: received %d, carried in %d, closed %d", received, carried, closed)
	}
	if _, _, err := b.Stores.ReportData.AnnualReport(ctx, year, "测试局"); err != nil {
		t.Fatalf("assemble the loaded year's report: %v", err)
	}
}
