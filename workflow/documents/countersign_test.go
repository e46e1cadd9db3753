package documents_test

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"wugongkai/internal/testkit"
	"wugongkai/policy"
	"wugongkai/workflow"
	"wugongkai/workflow/desk"
	"wugongkai/workflow/documents"
	"wugongkai/workflow/requests"
)

// jointBureau is a bureau whose drafting unit chengjian has two other units, fazhi and jiaotong,
// each with its head, to name as co-units.
func jointBureau(t *testing.T) (*testkit.Bureau, map[string]workflow.Staff) {
	t.Helper()
	var users []testkit.User
	for _, u := range [][4]string{{"drafter", "王起草", "drafter", "chengjian"}, {"unithead", "李科长", "unit_head", "chengjian"},
		{"fahead", "法科长", "unit_head", "fazhi"}, {"jiaohead", "交科长", "unit_head", "jiaotong"}} {
		users = append(users, testkit.User{Name: u[0], Display: u[1], Role: u[2], Unit: u[3]})
	}
	b := testkit.NewBureau(t, "测试市住房和城乡建设局", []testkit.Unit{{Code: "chengjian", Name: "城建科"},
		{Code: "fazhi", Name: "法规科"}, {Code: "jiaotong", Name: "交通科"}}, users)
	staff := map[string]workflow.Staff{}
	for _, u := range users {
		staff[u.Name] = b.Staff(t, u)
	}
	return b, staff
}

// jointDraft is a 主动公开 draft of chengjian naming co.
func jointDraft(co ...string) documents.Draft {
	title, body, attr := "关于联合开展道路整治的通知", "正文", "主动公开"
	return documents.Draft{Definition: "document", Unit: "chengjian", Title: &title, Body: &body, Attribute: &attr, CoUnits: &co}
}

// TestJointDocument: a joint document with two co-units (会签) is shown to each co-unit head in
// the 待办 while their approval is pending, completes its countersign only after both approve,
// whoever approves first, and returns to the drafter on either's send-back. The drafting unit's
// head cannot approve for a co-unit; a co-unit that is the drafting unit itself or not a unit of
// the organisation is refused.
func TestJointDocument(t *testing.T) {
	ctx := context.Background()
	b, staff := jointBureau(t)
	docs := b.Documents(nil)
	dk := b.Desk(docs, nil)
	actor := func(name string) workflow.Actor { return staff[name].Actor() }
	for _, bad := range [][]string{{"fazhi", "chengjian"}, {"fazhi", "nosuch"}, {"fa zhi"}} {
		if _, err := docs.Create(ctx, actor("drafter"), jointDraft(bad...)); workflow.ErrorCode(err) != workflow.EInvalid || workflow.AsError(err).Field != "co_units" {
			t.Fatalf("co-units %v: %v, want invalid co_units", bad, err)
		}
	}
	doc, err := docs.Create(ctx, actor("drafter"), jointDraft("fazhi", "jiaotong"))
	if err != nil {
		t.Fatal(err)
	}
	fire := func(user string, name string, in workflow.Input) (documents.Document, error) {
		return docs.Fire(ctx, actor(user), doc.ID, 0, name, in)
	}
	must := func(user, name string, in workflow.Input, state string) {
		t.Helper()
		d, err := fire(user, name, in)
		if err != nil || d.State != state {
			t.Fatalf("%s by %s: %v, state %s, want %s", name, user, err, d.State, state)
		}
	}
	waiting := func(user string) bool {
		t.Helper()
		tasks, err := docs.Tasks(ctx, staff[user])
		if err != nil {
			t.Fatal(err)
		}
		items, err := dk.Items(ctx, staff[user])
		if err != nil {
			t.Fatal(err)
		}
		inTasks := slices.ContainsFunc(tasks, func(d documents.Document) bool { return d.ID == doc.ID })
		if inDesk := slices.ContainsFunc(items, func(it desk.Item) bool { return it.ID == doc.ID }); inDesk != inTasks {
			t.Fatalf("%s: in the tasks %v, in the 待办 %v", user, inTasks, inDesk)
		}
		return inTasks
	}
	// Before submission the co-units neither see the draft nor wait on it.
	if _, err := docs.Get(ctx, actor("fahead"), doc.ID); workflow.ErrorCode(err) != workflow.ENotFound {
		t.Fatalf("co-unit reads the draft: %v", err)
	}

	for round, order := range [][2]string{{"fahead", "jiaohead"}, {"jiaohead", "fahead"}} {
		must("drafter", "submit", nil, "unit_review")
		must("unithead", "approve", nil, "countersign")
		if !waiting("fahead") || !waiting("jiaohead") || waiting("unithead") {
			t.Fatalf("round %d: the countersign is not on each co-unit head's 待办 alone", round)
		}
		det, err := docs.Detail(ctx, actor(order[0]), doc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(det.CoUnits, []documents.CoUnitStatus{{Unit: "fazhi"}, {Unit: "jiaotong"}}) ||
			!slices.ContainsFunc(det.Available, func(v workflow.TransitionView) bool { return v.Name == "approve" }) {
			t.Fatalf("round %d detail for %s: co-units %+v available %+v", round, order[0], det.CoUnits, det.Available)
		}
		if _, err := fire("unithead", "approve", nil); workflow.ErrorCode(err) != workflow.EForbidden {
			t.Fatalf("the drafting unit's head approved for a co-unit: %v", err)
		}
		must(order[0], "approve", nil, "countersign")
		if _, err := fire(order[0], "approve", nil); workflow.ErrorCode(err) != workflow.ETransitionNotAllowed {
			t.Fatalf("second approval by %s: %v", order[0], err)
		}
		if waiting(order[0]) || !waiting(order[1]) {
			t.Fatalf("round %d: after %s approved, the 待办 is not %s's alone", round, order[0], order[1])
		}
		if round == 0 {
			// The co-unit still to approve sends it back; the approvals lapse.
			if _, err := fire(order[1], "return", nil); workflow.ErrorCode(err) != workflow.EInputMissing {
				t.Fatalf("return without an opinion: %v", err)
			}
			must(order[1], "return", workflow.Input{"opinion": "请补充我科意见"}, "drafting")
			continue
		}
		must(order[1], "approve", nil, "sign_off")
	}
	det, err := docs.Detail(ctx, actor("drafter"), doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(det.CoUnits, []documents.CoUnitStatus{{Unit: "fazhi", ApprovedBy: "法科长"}, {Unit: "jiaotong", ApprovedBy: "交科长"}}) {
		t.Fatalf("co-units after the countersign: %+v", det.CoUnits)
	}
}

// TestJointDocumentDeadlines: entering the countersign gives each co-unit its own deadline and
// tells its head; the 待办 dates the document by the co-unit's deadline; a return cancels both
// deadlines, an approval its unit's alone; the sweep reminds and alerts the head of the co-unit
// still to approve, not the other co-unit's nor the drafting unit's. A document on version 5 of
// the flow keeps its path without deadlines.
func TestJointDocumentDeadlines(t *testing.T) {
	ctx := context.Background()
	b, staff := jointBureau(t)
	// Friday 18 September 2026 (Sunday 20th is a working day, 25th is 中秋): due on Thursday 24th.
	now := time.Date(2026, 9, 18, 10, 0, 0, 0, workflow.Shanghai)
	docs := b.Documents(workflow.ClockFunc(func() time.Time { return now }))
	dk := b.Desk(docs, nil)
	actor := func(name string) workflow.Actor { return staff[name].Actor() }
	doc, err := docs.Create(ctx, actor("drafter"), jointDraft("fazhi", "jiaotong"))
	if err != nil {
		t.Fatal(err)
	}
	must := func(id int64, user, name string, in workflow.Input, state string) {
		t.Helper()
		d, err := docs.Fire(ctx, actor(user), id, 0, name, in)
		if err != nil || d.State != state {
			t.Fatalf("%s by %s: %v, state %s, want %s", name, user, err, d.State, state)
		}
	}
	pending := func(id int64) []string {
		t.Helper()
		ds, err := b.Stores.Deadlines.Deadlines(ctx, "document", id)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range ds {
			if d.Status == "pending" {
				out = append(out, d.Name+"@"+d.Unit+" "+d.DueDate)
			}
		}
		slices.Sort(out)
		return out
	}
	deliver := func() {
		t.Helper()
		items, err := b.Stores.Outbox.PendingOutbox(ctx, now, time.Minute, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if _, err := b.Stores.Outbox.ProcessOutbox(ctx, it.ID, now); err != nil {
				t.Fatal(err)
			}
		}
	}
	inbox := func(user string) []string {
		t.Helper()
		ns, err := b.Stores.Outbox.Notifications(ctx, staff[user].ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, n := range ns {
			out = append(out, n.Kind)
		}
		slices.Sort(out)
		return out
	}

	must(doc.ID, "drafter", "submit", nil, "unit_review")
	must(doc.ID, "unithead", "approve", nil, "countersign")
	both := []string{"countersign_due.fazhi.remind@fazhi 2026-09-22", "countersign_due.fazhi@fazhi 2026-09-24",
		"countersign_due.jiaotong.remind@jiaotong 2026-09-22", "countersign_due.jiaotong@jiaotong 2026-09-24"}
	if got := pending(doc.ID); !slices.Equal(got, both) {
		t.Fatalf("deadlines on entering the countersign: %v, want %v", got, both)
	}
	deliver()
	for _, u := range []string{"fahead", "jiaohead"} {
		if got := inbox(u); !slices.Equal(got, []string{"approve"}) {
			t.Fatalf("%s's inbox after the countersign began: %v, want the notice", u, got)
		}
	}
	// Each head's 待办 dates the document by its own unit's deadline, even when another co-unit's
	// falls sooner (as if set earlier).
	const q = `UPDATE deadlines SET due_date = '2026-09-21', due_at = '2026-09-21T16:00:00Z' WHERE subject_id = $1 AND name = 'countersign_due.jiaotong'`
	if _, err := b.DB.ExecContext(ctx, q, doc.ID); err != nil {
		t.Fatal(err)
	}
	for user, want := range map[string]string{"fahead": "2026-09-24", "jiaohead": "2026-09-21"} {
		items, err := dk.Items(ctx, staff[user])
		if err != nil {
			t.Fatal(err)
		}
		if i := slices.IndexFunc(items, func(it desk.Item) bool { return it.ID == doc.ID }); i < 0 || items[i].DueDate != want {
			t.Fatalf("%s's 待办: %+v, want the document due on %s", user, items, want)
		}
	}

	// A return cancels both co-units' deadlines.
	must(doc.ID, "jiaohead", "return", workflow.Input{"opinion": "请补充我科意见"}, "drafting")
	if got := pending(doc.ID); len(got) != 0 {
		t.Fatalf("deadlines after a return: %v, want none", got)
	}
	// The next round: fazhi approves, which ends its deadline alone.
	must(doc.ID, "drafter", "submit", nil, "unit_review")
	must(doc.ID, "unithead", "approve", nil, "countersign")
	must(doc.ID, "fahead", "approve", nil, "countersign")
	if got := pending(doc.ID); !slices.Equal(got, both[2:]) {
		t.Fatalf("deadlines after fazhi approved: %v, want jiaotong's alone", got)
	}
	deliver()
	before := map[string][]string{}
	for u := range staff {
		before[u] = inbox(u)
	}
	// On the 25th the reminder (carried out alone, as after a failed batch) and the alert (by the
	// sweep's batch) reach jiaotong's head (and the drafter).
	now = time.Date(2026, 9, 25, 10, 0, 0, 0, workflow.Shanghai)
	ds, err := b.Stores.Deadlines.Deadlines(ctx, "document", doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	remind := slices.IndexFunc(ds, func(d workflow.Deadline) bool {
		return d.Name == "countersign_due.jiaotong.remind" && d.Status == "pending"
	})
	if remind < 0 {
		t.Fatalf("no pending reminder for jiaotong: %+v", ds)
	}
	if done, err := b.Stores.Deadlines.FireDeadline(ctx, ds[remind].ID, now, nil); err != nil || !done {
		t.Fatalf("reminder: %v %v", done, err)
	}
	if n, err := b.Stores.Deadlines.FireDueDeadlines(ctx, now, 100, nil); err != nil || n != 1 {
		t.Fatalf("sweep: %d %v, want the alert carried out", n, err)
	}
	for u, want := range map[string][]string{"jiaohead": {"overdue", "reminder"}, "drafter": {"overdue", "reminder"}, "fahead": nil, "unithead": nil} {
		got := slices.DeleteFunc(inbox(u), func(k string) bool { return k != "overdue" && k != "reminder" })
		if !slices.Equal(got, want) || len(inbox(u)) != len(before[u])+len(want) {
			t.Fatalf("%s after the sweep: %v, want %v", u, got, want)
		}
	}
	must(doc.ID, "jiaohead", "approve", nil, "sign_off")
	if got := pending(doc.ID); len(got) != 0 {
		t.Fatalf("deadlines after the countersign: %v, want none", got)
	}

	// A document on version 5 enters the countersign without deadlines.
	data, err := os.ReadFile("../testdata/document.v5.yaml")
	if err != nil {
		t.Fatal(err)
	}
	v5, err := workflow.LoadDefinition("document.v5.yaml", data, workflow.DefaultGuards().With(policy.Guards()).With(requests.Guards()), policy.Roles...)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Engine.Registry().Add(v5); err != nil {
		t.Fatal(err)
	}
	old, err := docs.Create(ctx, actor("drafter"), jointDraft("fazhi", "jiaotong"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.DB.ExecContext(ctx, `UPDATE documents SET definition_version = 5 WHERE id = $1`, old.ID); err != nil {
		t.Fatal(err)
	}
	must(old.ID, "drafter", "submit", nil, "unit_review")
	must(old.ID, "unithead", "approve", nil, "countersign")
	must(old.ID, "fahead", "approve", nil, "countersign")
	if got := pending(old.ID); len(got) != 0 {
		t.Fatalf("version 5 document's deadlines: %v, want none", got)
	}
}
