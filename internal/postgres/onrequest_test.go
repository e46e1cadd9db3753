package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"wugongkai/internal/postgres"
	"wugongkai/internal/testkit"
	"wugongkai/policy"
	"wugongkai/workflow"
	"wugongkai/workflow/documents"
	"wugongkai/workflow/requests"
)

// mustSignedDocument stores a document of store's organisation in state with a 文号, a summary and
// the facts of a signed 依申请公开 document.
func mustSignedDocument(tb testing.TB, f fixture, state, title, no, summary string) documents.Document {
	tb.Helper()
	d, err := f.store.Documents.CreateDocument(context.Background(), documents.Document{
		Instance: workflow.Instance{Unit: "chengjian", Definition: "document", DefinitionVersion: 1, State: state,
			Facts: workflow.Facts{"attribute": "依申请公开", "grounds_explanation": "仅涉及特定企业，与公众无直接关系", "signed_on": "2026-03-02"}},
		Title: title, Body: "正文", DocKind: documents.KindOther, DocNumber: no, Summary: summary, CreatedBy: f.user.ID,
	}, f.actor, t0)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// TestOnRequestDesk: the request desk finds the organisation's signed 依申请公开 documents by
// words of their title, 文号 or summary, and only those; only request handlers may search; a link
// to a request is recorded in its audit chain and shown from both sides; a link to a document not
// available on request, of another organisation, or to a closed request is refused with nothing
// written.
func TestOnRequestDesk(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	if err := f.store.Orgs.EnsureUnit(ctx, "bangongshi", "办公室"); err != nil {
		t.Fatal(err)
	}
	officer, err := f.store.Accounts.CreateUser(ctx, postgres.User{Username: "qian", DisplayName: "钱公开", PasswordHash: "x"},
		[]postgres.RoleAssignment{{Role: "disclosure_officer", Unit: "*"}})
	if err != nil {
		t.Fatal(err)
	}
	qian := workflow.Actor{UserID: officer.ID, Username: officer.Username, Name: officer.DisplayName}
	enf, err := policy.New(ctx, f.store.Accounts)
	if err != nil {
		t.Fatal(err)
	}
	uc := &requests.OnRequest{Requests: &requests.Requests{Engine: testkit.Engine(t), Store: f.store.Requests, Auth: enf, Clock: workflow.ClockFunc(func() time.Time { return t0 })},
		Store: f.store.OnRequest}

	permit := mustSignedDocument(t, f, "available_on_request", "城市道路挖掘许可台账", "许城建〔2026〕7号", "2025年度道路挖掘许可的企业名单")
	other := mustSignedDocument(t, f, "available_on_request", "建筑企业资质核查结果", "许城建〔2026〕9号", "资质核查")
	draft := mustSignedDocument(t, f, "drafting", "城市道路挖掘许可台账（修订稿）", "", "")
	// Another organisation's document available on request, with the same words.
	foreign := testkit.ForeignDocument(t, f.db, "available_on_request", "城市道路挖掘许可台账")

	ids := func(ds []requests.OnRequestDocument) []int64 {
		var out []int64
		for _, d := range ds {
			out = append(out, d.ID)
		}
		return out
	}
	for _, c := range []struct {
		q    string
		want []int64
	}{
		{"道路挖掘", []int64{permit.ID}},
		{"〔2026〕9号", []int64{other.ID}},
		{"企业 名单", []int64{permit.ID}},
		{"企业", []int64{other.ID, permit.ID}},
		{"", []int64{other.ID, permit.ID}},
		{"%", nil},
		{"道路 资质", nil},
	} {
		got, err := uc.Search(ctx, qian, c.q)
		if err != nil || !slices.Equal(ids(got), c.want) {
			t.Errorf("Search(%q) = %v, %v; want %v", c.q, ids(got), err, c.want)
		}
	}
	got, _ := uc.Search(ctx, qian, "7号")
	if len(got) != 1 || got[0].UnitName != "城建科" || got[0].SignedOn.String() != "2026-03-02" || got[0].Reason == "" ||
		got[0].Citation() != "《城市道路挖掘许可台账》（许城建〔2026〕7号）" {
		t.Errorf("found %+v", got)
	}
	if _, err := uc.Search(ctx, f.actor, "道路"); workflow.ErrorCode(err) != workflow.EForbidden {
		t.Errorf("a drafter searched: %v", err)
	}

	r := f.mustRequest(t, "natural", "2026-03-03")
	events := func() int {
		return f.count(t, `SELECT count(*) FROM audit_events WHERE subject_kind = 'request' AND subject_id = $1`, r.ID)
	}
	before := events()
	for _, c := range []struct {
		name string
		docs []int64
		code string
	}{
		{"not signed", []int64{permit.ID, draft.ID}, workflow.EInvalid},
		{"another organisation's", []int64{foreign.ID}, workflow.EInvalid},
		{"none", nil, workflow.EInvalid},
	} {
		if _, err := uc.Link(ctx, qian, r.ID, c.docs); workflow.ErrorCode(err) != c.code || workflow.ErrorMessage(err) == "" {
			t.Errorf("%s: Link = %v, want %s", c.name, err, c.code)
		}
	}
	if _, err := uc.Link(ctx, f.actor, r.ID, []int64{permit.ID}); err == nil {
		t.Error("a drafter linked a document")
	}
	if n := f.count(t, `SELECT count(*) FROM request_documents`); n != 0 || events() != before {
		t.Fatalf("refused links wrote %d links, %d events", n, events()-before)
	}

	linked, err := uc.Link(ctx, qian, r.ID, []int64{permit.ID, permit.ID})
	if err != nil || !slices.Equal(ids(linked), []int64{permit.ID}) || linked[0].LinkedByName != "钱公开" {
		t.Fatalf("Link = %+v, %v", linked, err)
	}
	if _, err := uc.Link(ctx, qian, r.ID, []int64{permit.ID, other.ID}); err != nil {
		t.Fatal(err)
	}
	hist, err := f.store.Audit.History(ctx, "request", r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var cited []string
	for _, h := range hist {
		if h.Action == "link_document" {
			cited = append(cited, h.Data["document"])
		}
	}
	if !slices.Equal(cited, []string{"《城市道路挖掘许可台账》（许城建〔2026〕7号）", "《建筑企业资质核查结果》（许城建〔2026〕9号）"}) {
		t.Errorf("audit chain records links %v", cited)
	}
	if p := mustVerify(t, f.db); len(p) != 0 {
		t.Errorf("audit after linking documents to a request: %v", p)
	}
	citing, err := uc.Citing(ctx, qian, permit.ID)
	if err != nil || len(citing) != 1 || citing[0].ReceiptNo != r.ReceiptNo {
		t.Errorf("Citing = %+v, %v", citing, err)
	}
	if citing, _ := uc.Citing(ctx, f.actor, permit.ID); len(citing) != 0 {
		t.Errorf("a drafter sees the requests %+v", citing)
	}

	// An answered request takes no more links, in the use case and in the store (a reply that
	// came between reading the request and linking).
	res := result(r.Instance, "answered", "answer", qian, t0)
	if _, err := f.store.Requests.ApplyRequest(ctx, r.Instance, res, nil); err != nil {
		t.Fatal(err)
	}
	third := mustSignedDocument(t, f, "available_on_request", "第三份", "", "")
	before = events()
	if _, err := uc.Link(ctx, qian, r.ID, []int64{third.ID}); workflow.ErrorCode(err) != workflow.EClosed {
		t.Errorf("linked to an answered request: %v", err)
	}
	err = f.store.OnRequest.LinkDocuments(ctx, r.ID, []int64{third.ID},
		[]string{requests.RequestAnswered, requests.RequestClosed}, []string{"available_on_request"}, qian, t0)
	if workflow.ErrorCode(err) != workflow.EClosed {
		t.Errorf("store linked to an answered request: %v", err)
	}
	if n := f.count(t, `SELECT count(*) FROM request_documents`); n != 2 || events() != before {
		t.Errorf("closed request: %d links, %d new events", n, events()-before)
	}
}
