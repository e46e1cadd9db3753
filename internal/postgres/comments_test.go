package postgres_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"wugongkai/internal/postgres"
	"wugongkai/workflow"
	"wugongkai/workflow/consultations"
	"wugongkai/workflow/documents"
)

var _ consultations.ConsultationStore = (*postgres.Comments)(nil)

// mustDecision creates a decision draft in state with facts (a consultation period by default).
func (f fixture) mustDecision(tb testing.TB, state string, facts workflow.Facts) documents.Document {
	tb.Helper()
	if facts == nil {
		facts = workflow.Facts{"opens_at": t0.Add(-time.Hour).UTC().Format(time.RFC3339),
			"closes_at": t0.Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339)}
	}
	d, err := f.store.Documents.CreateDocument(context.Background(), documents.Document{
		Instance: workflow.Instance{Unit: "chengjian", Definition: "decision", DefinitionVersion: 1, State: state, Facts: facts},
		Title:    "关于生活垃圾分类管理办法（草案）", Body: "第一条 ……", Explanation: "起草说明", DocKind: documents.KindOther, CreatedBy: f.user.ID,
	}, f.actor, t0)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func mustCommentStore(tb testing.TB, f fixture, opts postgres.CommentOptions) *postgres.Comments {
	tb.Helper()
	cs := postgres.NewComments(f.db, f.store.Org(), f.clock, opts)
	tb.Cleanup(cs.Close)
	return cs
}

func comment(doc int64, text, client string, at time.Time) consultations.Comment {
	return consultations.Comment{DocumentID: doc, Text: text, CreatedAt: at, Status: consultations.CommentPending,
		CampaignKey: consultations.CampaignKey(text), Client: client}
}

func (f fixture) count(tb testing.TB, q string, args ...any) int {
	tb.Helper()
	var n int
	if err := f.db.GetContext(context.Background(), &n, q, args...); err != nil {
		tb.Fatal(err)
	}
	return n
}

var receiptRE = regexp.MustCompile(`^YJ\d{8}-\d{6,}$`)

// TestGroupCommit sends many comments at once: every one is stored once with its own receipt
// number, and they were written by far fewer transactions than comments (rows written by one
// statement share their xmin).
func TestGroupCommit(t *testing.T) {
	f := mustFixture(t)
	doc := f.mustDecision(t, "consultation_open", nil)
	cs := mustCommentStore(t, f, postgres.CommentOptions{})
	const n = 600
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		receipts = map[string]bool{}
		errs     []error
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := cs.AddComment(context.Background(), comment(doc.ID, fmt.Sprintf("意见第 %d 条", i), fmt.Sprintf("203.0.113.%d", i%250), t0))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			if !receiptRE.MatchString(c.ReceiptNo) || !strings.HasPrefix(c.ReceiptNo, "YJ20260302-") || c.ID == 0 {
				errs = append(errs, fmt.Errorf("comment %d: receipt %q id %d", i, c.ReceiptNo, c.ID))
			}
			receipts[c.ReceiptNo] = true
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d of %d failed, first: %v", len(errs), n, errs[0])
	}
	if len(receipts) != n {
		t.Fatalf("%d distinct receipts for %d comments", len(receipts), n)
	}
	if got := f.count(t, `SELECT count(*) FROM comments WHERE document_id = $1`, doc.ID); got != n {
		t.Fatalf("%d rows, want %d", got, n)
	}
	if got := f.count(t, `SELECT count(DISTINCT receipt_no) FROM comments`); got != n {
		t.Fatalf("%d distinct stored receipts, want %d", got, n)
	}
	txs := f.count(t, `SELECT count(DISTINCT xmin::text) FROM comments`)
	if txs > n/4 {
		t.Fatalf("%d comments took %d transactions: not grouped", n, txs)
	}
	t.Logf("%d comments in %d transactions", n, txs)
	// The client's address is never stored, only its keyed hash.
	if got := f.count(t, `SELECT count(*) FROM comments WHERE client_key LIKE '203.%' OR length(client_key) <> 24`); got != 0 {
		t.Fatalf("%d rows with a raw or malformed client key", got)
	}
	if got := f.count(t, `SELECT count(DISTINCT client_key) FROM comments`); got != 250 {
		t.Fatalf("%d distinct client keys, want 250", got)
	}
}

// TestFailedBatchWritesNothing puts one comment that cannot be written (its draft does not exist)
// into a batch with valid ones: every caller of the batch gets the error and no row is written.
func TestFailedBatchWritesNothing(t *testing.T) {
	f := mustFixture(t)
	doc := f.mustDecision(t, "consultation_open", nil)
	const n = 20
	cs := mustCommentStore(t, f, postgres.CommentOptions{MaxBatch: n, MaxWait: 10 * time.Second, Flushers: 1})
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			target := doc.ID
			if i == n/2 {
				target = doc.ID + 1000 // no such draft: the foreign key fails the statement
			}
			_, errs[i] = cs.AddComment(context.Background(), comment(target, fmt.Sprintf("意见第 %d 条", i), "203.0.113.1", t0))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err == nil {
			t.Fatalf("caller %d of the failed batch got no error", i)
		}
	}
	if got := f.count(t, `SELECT count(*) FROM comments`); got != 0 {
		t.Fatalf("a failed batch left %d rows", got)
	}
	// The store goes on working after a failed batch.
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = cs.AddComment(context.Background(), comment(doc.ID, fmt.Sprintf("之后的意见 %d", i), "203.0.113.1", t0))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("caller %d of the next batch: %v", i, err)
		}
	}
	if got := f.count(t, `SELECT count(*) FROM comments`); got != n {
		t.Fatalf("next batch wrote %d rows, want %d", got, n)
	}
}

// TestCloseDrains closes the store while comments arrive: each caller is answered, every comment
// answered with a receipt is stored, and none is stored without one.
func TestCloseDrains(t *testing.T) {
	f := mustFixture(t)
	doc := f.mustDecision(t, "consultation_open", nil)
	cs := postgres.NewComments(f.db, f.store.Org(), f.clock, postgres.CommentOptions{MaxBatch: 50})
	const n = 400
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		accepted []string
		refused  int
	)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			c, err := cs.AddComment(context.Background(), comment(doc.ID, fmt.Sprintf("意见第 %d 条", i), "203.0.113.1", t0))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				accepted = append(accepted, c.ReceiptNo)
			case workflow.ErrorCode(err) == workflow.EUnavailable:
				refused++
			default:
				t.Errorf("comment %d: %v", i, err)
			}
		}()
	}
	close(start)
	time.Sleep(2 * time.Millisecond)
	cs.Close()
	wg.Wait()
	if len(accepted)+refused != n {
		t.Fatalf("%d accepted + %d refused of %d", len(accepted), refused, n)
	}
	var stored []string
	if err := f.db.SelectContext(context.Background(), &stored, `SELECT receipt_no FROM comments`); err != nil {
		t.Fatal(err)
	}
	slices.Sort(stored)
	slices.Sort(accepted)
	if !slices.Equal(stored, accepted) {
		t.Fatalf("stored %d comments, answered %d with a receipt", len(stored), len(accepted))
	}
	t.Logf("%d accepted before close, %d refused", len(accepted), refused)
	if _, err := cs.AddComment(context.Background(), comment(doc.ID, "关闭之后的意见", "203.0.113.1", t0)); workflow.ErrorCode(err) != workflow.EUnavailable {
		t.Fatalf("after Close: %v, want %s", err, workflow.EUnavailable)
	}
}

// mustAdd stores comments one by one at the given instants.
func mustAdd(tb testing.TB, cs *postgres.Comments, cms ...consultations.Comment) []consultations.Comment {
	tb.Helper()
	out := make([]consultations.Comment, 0, len(cms))
	for _, c := range cms {
		got, err := cs.AddComment(context.Background(), c)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, got)
	}
	return out
}

func TestListCommentsCampaignsAndBursts(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	doc := f.mustDecision(t, "consultation_open", nil)
	other := f.mustDecision(t, "consultation_open", nil)
	cs := mustCommentStore(t, f, postgres.CommentOptions{})
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	var batch []consultations.Comment
	// A campaign: 4 near-identical texts from 4 clients within 40 s.
	for i, text := range []string{"反对建设转运站！", "反对建设转运站", " 反对 建设转运站。", "反对建设转运站!!"} {
		batch = append(batch, comment(doc.ID, text, fmt.Sprintf("198.51.100.%d", i+1), at(i*10)))
	}
	// One client sending 3 different comments at 0, 30 and 59 s after 1000 s: one window of 60 s
	// holds all three, though neither the window ending at the middle one nor the one starting at
	// it does.
	for i, s := range []int{1000, 1030, 1059} {
		batch = append(batch, comment(doc.ID, fmt.Sprintf("建议第 %d 条：增加投放点", i+1), "203.0.113.9", at(s)))
	}
	// The same client later, slowly: not in a burst.
	batch = append(batch, comment(doc.ID, "另外建议公布收运时间", "203.0.113.9", at(5000)))
	// A lone comment, with contact details.
	lone := comment(doc.ID, "建议明确执法主体", "192.0.2.1", at(2000))
	lone.Name, lone.Contact = "张三", "13812341234"
	batch = append(batch, lone)
	// Another draft's comments do not count here.
	batch = append(batch, comment(other.ID, "反对建设转运站", "198.51.100.1", at(5)))
	added := mustAdd(t, cs, batch...)

	q := consultations.CommentQuery{DocumentID: doc.ID, Grouped: true, BurstMin: 3, BurstWindow: time.Minute, Limit: 50}
	page, err := cs.ListComments(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	// Grouped: the campaign once (largest first, as its first comment), then the rest by time.
	if page.Total != 6 || len(page.Items) != 6 {
		t.Fatalf("grouped total %d items %d, want 6", page.Total, len(page.Items))
	}
	if first := page.Items[0]; first.ID != added[0].ID || first.CampaignSize != 4 || !first.InBurst {
		t.Fatalf("first grouped item %+v, want the campaign's first comment with size 4 in a burst", first)
	}
	inBurst := map[string]bool{}
	for _, it := range page.Items[1:] {
		if it.CampaignSize != 1 {
			t.Fatalf("item %q campaign size %d", it.Text, it.CampaignSize)
		}
		inBurst[it.Text] = it.InBurst
	}
	for text, want := range map[string]bool{"建议第 1 条：增加投放点": true, "建议第 2 条：增加投放点": true, "建议第 3 条：增加投放点": true,
		"另外建议公布收运时间": false, "建议明确执法主体": false} {
		if got, ok := inBurst[text]; !ok || got != want {
			t.Errorf("%q in burst = %v (listed %v), want %v", text, got, ok, want)
		}
	}
	if len(page.Campaigns) != 1 || page.Campaigns[0].Count != 4 || page.Campaigns[0].Text != "反对建设转运站！" || page.Campaigns[0].Undisposed != 4 {
		t.Fatalf("campaigns %+v", page.Campaigns)
	}
	var kinds []string
	for _, b := range page.Bursts {
		kinds = append(kinds, fmt.Sprintf("%s:%d/%d", b.Kind, b.Peak, b.Count))
	}
	sort.Strings(kinds)
	if want := []string{"campaign:4/4", "client:3/4"}; !slices.Equal(kinds, want) {
		t.Fatalf("bursts %v, want %v", kinds, want)
	}
	if page.Stats.Total != 9 || page.Stats.ByStatus[consultations.CommentPending] != 9 || page.Stats.ByDisposition[""] != 9 {
		t.Fatalf("stats %+v", page.Stats)
	}
	// The store gives contact details as they are; masking is the use case's job.
	for _, it := range page.Items {
		if it.Text == "建议明确执法主体" && (it.Contact != "13812341234" || it.Name != "张三") {
			t.Fatalf("lone comment %+v", it)
		}
	}

	// One campaign, ungrouped, in time order.
	q.Grouped, q.Campaign = false, added[0].CampaignKey
	page, err = cs.ListComments(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 4 || page.Items[0].ID != added[0].ID || page.Items[3].ID != added[3].ID {
		t.Fatalf("campaign list %+v", page.Items)
	}

	// Moderation and the published comments.
	if _, err := cs.Moderate(ctx, doc.ID, added[1].ID, consultations.CommentPublished, "", f.actor, t0); err != nil {
		t.Fatal(err)
	}
	hidden, err := cs.Moderate(ctx, doc.ID, added[2].ID, consultations.CommentHidden, "含人身攻击", f.actor, t0)
	if err != nil || hidden.Status != consultations.CommentHidden || hidden.ModerationReason != "含人身攻击" {
		t.Fatalf("hide: %+v, %v", hidden, err)
	}
	if _, err := cs.Moderate(ctx, other.ID, added[1].ID, consultations.CommentHidden, "x", f.actor, t0); workflow.ErrorCode(err) != workflow.ENotFound {
		t.Fatalf("moderating another draft's comment: %v", err)
	}
	pub, err := cs.PublishedComments(ctx, doc.ID, 10)
	if err != nil || len(pub) != 1 || pub[0].ID != added[1].ID {
		t.Fatalf("published %+v, %v", pub, err)
	}
	q.Campaign, q.Status = "", consultations.CommentPending
	if page, err = cs.ListComments(ctx, q); err != nil || page.Total != 7 {
		t.Fatalf("pending queue: total %d, %v", page.Total, err)
	}
}

func TestDisposeAndAttachSummary(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	doc := f.mustDecision(t, "consultation_closed", nil)
	other := f.mustDecision(t, "consultation_closed", nil)
	cs := mustCommentStore(t, f, postgres.CommentOptions{})
	added := mustAdd(t, cs,
		comment(doc.ID, "反对建设转运站", "198.51.100.1", t0),
		comment(doc.ID, "反对建设转运站！", "198.51.100.2", t0),
		comment(doc.ID, "建议公布收运时间", "198.51.100.3", t0),
		comment(doc.ID, "建议明确执法主体", "198.51.100.4", t0),
		comment(other.ID, "其他草案的意见", "198.51.100.5", t0))
	version := func() int {
		return f.count(t, `SELECT version FROM documents WHERE id = $1`, doc.ID)
	}
	v0 := version()

	// An id of another draft fails the whole disposal.
	_, err := cs.Dispose(ctx, doc.ID, consultations.Disposal{CommentIDs: []int64{added[2].ID, added[4].ID}, Disposition: consultations.DispositionAdopted},
		"consultation_closed", f.actor, t0)
	if workflow.ErrorCode(err) != workflow.EInvalid || version() != v0 {
		t.Fatalf("foreign id: %v, version %d → %d", err, v0, version())
	}
	if got := f.count(t, `SELECT count(*) FROM comments WHERE disposition <> ''`); got != 0 {
		t.Fatalf("%d comments disposed by a refused disposal", got)
	}
	// A campaign key unknown to this draft too.
	_, err = cs.Dispose(ctx, doc.ID, consultations.Disposal{CampaignKeys: []string{consultations.CampaignKey("其他草案的意见")}, Disposition: consultations.DispositionAdopted},
		"consultation_closed", f.actor, t0)
	if workflow.ErrorCode(err) != workflow.EInvalid {
		t.Fatalf("foreign campaign: %v", err)
	}
	// The draft must still be in the state the use case saw.
	_, err = cs.Dispose(ctx, doc.ID, consultations.Disposal{CommentIDs: []int64{added[2].ID}, Disposition: consultations.DispositionAdopted},
		"consultation_open", f.actor, t0)
	if workflow.ErrorCode(err) != workflow.ETransitionNotAllowed {
		t.Fatalf("wrong state: %v", err)
	}

	// By campaign and by id (overlapping): each comment counted once, one version and one event.
	n, err := cs.Dispose(ctx, doc.ID, consultations.Disposal{CommentIDs: []int64{added[0].ID, added[2].ID},
		CampaignKeys: []string{added[0].CampaignKey}, Disposition: consultations.DispositionRejected, Reason: "选址已经论证"}, "consultation_closed", f.actor, t0)
	if err != nil || n.Count != 3 || n.Version != v0+1 {
		t.Fatalf("dispose: %+v, %v; want 3 comments and version %d", n, err, v0+1)
	}
	if version() != v0+1 {
		t.Fatalf("version %d, want %d", version(), v0+1)
	}

	// The summary cannot be attached while a comment is unhandled.
	_, err = cs.AttachSummary(ctx, doc.ID, v0+1, "consultation_closed", "说明", f.actor, t0)
	if e := workflow.AsError(err); e == nil || e.Code != workflow.EGuardFailed || e.Details["undisposed"] != 1 {
		t.Fatalf("attach with an unhandled comment: %v", err)
	}
	if version() != v0+1 {
		t.Fatal("a refused attach changed the version")
	}
	if _, err := cs.Dispose(ctx, doc.ID, consultations.Disposal{CommentIDs: []int64{added[3].ID}, Disposition: consultations.DispositionAdopted},
		"consultation_closed", f.actor, t0); err != nil {
		t.Fatal(err)
	}
	groups, err := cs.SummaryGroups(ctx, doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, g := range groups {
		total += g.Count
		if g.CampaignKey == added[0].CampaignKey && (g.Count != 2 || g.Disposition != consultations.DispositionRejected || g.Reason != "选址已经论证" || g.Text != "反对建设转运站") {
			t.Fatalf("campaign group %+v", g)
		}
	}
	if total != 4 || len(groups) != 3 {
		t.Fatalf("groups %+v", groups)
	}

	// A stale version is a conflict; the current one attaches, sets the fact and bumps the version.
	if _, err := cs.AttachSummary(ctx, doc.ID, v0, "consultation_closed", "说明", f.actor, t0); workflow.ErrorCode(err) != workflow.EConflict {
		t.Fatalf("stale attach: %v", err)
	}
	nv, err := cs.AttachSummary(ctx, doc.ID, v0+2, "consultation_closed", "意见采纳情况说明全文", f.actor, t0)
	if err != nil || nv != v0+3 {
		t.Fatalf("attach: %d, %v", nv, err)
	}
	c, err := cs.Consultation(ctx, doc.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if c.AdoptionSummary != "意见采纳情况说明全文" || !c.Facts.Bool("summary_attached") || c.CommentCount != 4 || c.Version != nv {
		t.Fatalf("after attach: %+v", c)
	}
	// Every version bump has its audit event: the chains verify.
	_, problems, err := postgres.VerifyAudit(ctx, f.db)
	if err != nil || len(problems) > 0 {
		t.Fatalf("audit: %v %v", problems, err)
	}
	hist, err := cs.History(ctx, "document", doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, h := range hist {
		actions = append(actions, h.Action)
	}
	if want := []string{"create", "dispose", "dispose", "summary"}; !slices.Equal(actions, want) {
		t.Fatalf("history %v, want %v", actions, want)
	}
}

func TestSetCommentsPublic(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	doc := f.mustDecision(t, "drafting", nil)
	cs := mustCommentStore(t, f, postgres.CommentOptions{})
	v, err := cs.SetCommentsPublic(ctx, doc.ID, doc.Version, "drafting", true, f.actor, t0)
	if err != nil || v != doc.Version+1 {
		t.Fatalf("set: %d, %v", v, err)
	}
	c, err := cs.Consultation(ctx, doc.ID, false)
	if err != nil || !c.Facts.Bool("comments_public") || c.Facts["opens_at"] == "" {
		t.Fatalf("after set: %+v, %v", c, err)
	}
	if v, err = cs.SetCommentsPublic(ctx, doc.ID, v, "drafting", false, f.actor, t0); err != nil {
		t.Fatal(err)
	}
	if c, _ = cs.Consultation(ctx, doc.ID, false); c.Facts.Bool("comments_public") || c.Version != v {
		t.Fatalf("after clear: %+v", c)
	}
	if _, err := cs.SetCommentsPublic(ctx, doc.ID, v, "unit_review", true, f.actor, t0); workflow.ErrorCode(err) != workflow.ETransitionNotAllowed {
		t.Fatalf("wrong state: %v", err)
	}
	if _, problems, err := postgres.VerifyAudit(ctx, f.db); err != nil || len(problems) > 0 {
		t.Fatalf("audit: %v %v", problems, err)
	}
}

func TestPublicConsultations(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	cs := mustCommentStore(t, f, postgres.CommentOptions{})
	period := func(opens, closes time.Duration, kv ...string) workflow.Facts {
		fs := workflow.Facts{"opens_at": t0.Add(opens).UTC().Format(time.RFC3339), "closes_at": t0.Add(closes).UTC().Format(time.RFC3339)}
		for i := 0; i+1 < len(kv); i += 2 {
			fs[kv[i]] = kv[i+1]
		}
		return fs
	}
	day := 24 * time.Hour
	docs := map[string]documents.Document{
		"upcoming":            f.mustDecision(t, "consultation_scheduled", period(day, 31*day)),
		"open before sweep":   f.mustDecision(t, "consultation_scheduled", period(-time.Hour, 30*day)),
		"open":                f.mustDecision(t, "consultation_open", period(-day, 10*day)),
		"closed before sweep": f.mustDecision(t, "consultation_open", period(-31*day, -time.Second)),
		"closed":              f.mustDecision(t, "legality_review", period(-40*day, -10*day)),
		"published":           f.mustDecision(t, "published", period(-60*day, -30*day, "attribute", "主动公开")),
		"drafting":            f.mustDecision(t, "drafting", period(day, 31*day)),
		"exempt":              f.mustDecision(t, "legality_review", period(-40*day, -10*day, "consultation_exempt", "true")),
		"withheld":            f.mustDecision(t, "consultation_open", period(-day, 10*day, "attribute", "依申请公开")),
	}
	mustAdd(t, cs, comment(docs["open"].ID, "同意该草案内容", "192.0.2.1", t0), comment(docs["open"].ID, "建议延长过渡期", "192.0.2.2", t0))
	names := func(cs []consultations.Consultation) []string {
		var out []string
		for _, c := range cs {
			for n, d := range docs {
				if d.ID == c.ID {
					out = append(out, n)
				}
			}
		}
		return out
	}
	tests := []struct {
		status string
		want   []string
	}{
		{consultations.ConsultationUpcoming, []string{"upcoming"}},
		{consultations.ConsultationOpen, []string{"open", "open before sweep"}},
		{consultations.ConsultationClosed, []string{"closed before sweep", "closed", "published"}},
		{"", []string{"upcoming", "open before sweep", "open", "closed before sweep", "closed", "published"}},
	}
	for _, tt := range tests {
		t.Run("status "+tt.status, func(t *testing.T) {
			got, total, err := cs.PublicConsultations(ctx, consultations.ConsultationQuery{Status: tt.status, Now: t0,
				States: consultations.PublicConsultationStates(), Limit: 20})
			if err != nil {
				t.Fatal(err)
			}
			if g := names(got); !slices.Equal(g, tt.want) || total != len(tt.want) {
				t.Fatalf("got %v (total %d), want %v", g, total, tt.want)
			}
			// The SQL and workflow.ConsultationPublic agree.
			for _, c := range got {
				if !consultations.ConsultationPublic(c) {
					t.Fatalf("%d listed but not public by the domain rule", c.ID)
				}
				if c.ID == docs["open"].ID && c.CommentCount != 2 {
					t.Fatalf("comment count %d, want 2", c.CommentCount)
				}
			}
		})
	}
	for name, d := range docs {
		c, err := cs.Consultation(ctx, d.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		want := !slices.Contains([]string{"drafting", "exempt", "withheld"}, name)
		if consultations.ConsultationPublic(c) != want {
			t.Errorf("%s: ConsultationPublic = %v, want %v", name, !want, want)
		}
	}
	if _, err := cs.Consultation(ctx, 999999, false); workflow.ErrorCode(err) != workflow.ENotFound {
		t.Fatalf("missing draft: %v", err)
	}
}

// BenchmarkCommentIntake measures comment intake under a crowd of concurrent senders through the
// group commit, and, in the same run and on the same table, the plain single-row INSERT rate of
// the same number of comments sent through the same pool. It reports accepted comments per second
// with the p50 and p99 latency of one AddComment, and single-row inserts per second.
func BenchmarkCommentIntake(b *testing.B) {
	ctx := context.Background()
	f := mustFixture(b)
	doc := f.mustDecision(b, "consultation_open", nil)
	cs := mustCommentStore(b, f, postgres.CommentOptions{})
	const senders = 256
	text := strings.Repeat("建议进一步明确垃圾分类投放点的设置标准和收运时间。", 4)
	run := func(n int, send func(i int) error) (time.Duration, []time.Duration) {
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			lats = make([]time.Duration, 0, n)
			next = make(chan int, n)
		)
		for i := range n {
			next <- i
		}
		close(next)
		start := time.Now()
		for range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				local := make([]time.Duration, 0, n/senders+1)
				for i := range next {
					t := time.Now()
					if err := send(i); err != nil {
						b.Error(err)
						return
					}
					local = append(local, time.Since(t))
				}
				mu.Lock()
				lats = append(lats, local...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		return time.Since(start), lats
	}
	b.ResetTimer()
	elapsed, lats := run(b.N, func(i int) error {
		_, err := cs.AddComment(ctx, comment(doc.ID, text, fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255), time.Now()))
		return err
	})
	b.StopTimer()
	single, _ := run(b.N, func(i int) error {
		const q = `INSERT INTO comments (org_id, document_id, receipt_no, body, created_at, campaign_key, client_key)
			VALUES ($1, $2, $3, $4, now(), $5, $6)`
		_, err := f.db.ExecContext(ctx, q, f.store.Org(), doc.ID, fmt.Sprintf("B%d-%d", b.N, i), text, "k", "c")
		return err
	})
	slices.Sort(lats)
	if n := len(lats); n > 0 {
		b.ReportMetric(float64(n)/elapsed.Seconds(), "comments/s")
		b.ReportMetric(float64(lats[n/2].Microseconds())/1000, "p50_ms")
		b.ReportMetric(float64(lats[n*99/100].Microseconds())/1000, "p99_ms")
		b.ReportMetric(float64(b.N)/single.Seconds(), "single_row_inserts/s")
	}
}
