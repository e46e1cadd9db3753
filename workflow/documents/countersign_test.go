package documents_test

import (
	"context"
	"slices"
	"testing"

	"wugongkai/internal/testkit"
	"wugongkai/workflow"
	"wugongkai/workflow/desk"
	"wugongkai/workflow/documents"
)

// TestJointDocument: a joint document with two co-units (会签) is shown to each co-unit head in
// the 待办 while their approval is pending, completes its countersign only after both approve,
// whoever approves first, and returns to the drafter on either's send-back. The drafting unit's
// head cannot approve for a co-unit; a co-unit that is the drafting unit itself or not a unit of
// the organisation is refused.
func TestJointDocument(t *testing.T) {
	ctx := context.Background()
	var users []testkit.User
	for _, u := range [][4]string{{"drafter", "王起草", "drafter", "chengjian"}, {"unithead", "李科长", "unit_head", "chengjian"},
		{"fahead", "法科长", "unit_head", "fazhi"}, {"jiaohead", "交科长", "unit_head", "jiaotong"}} {
		users = append(users, testkit.User{Name: u[0], Display: u[1], Role: u[2], Unit: u[3]})
	}
	b := testkit.NewBureau(t, "测试市住房和城乡建设局", []testkit.Unit{{Code: "chengjian", Name: "城建科"},
		{Code: "fazhi", Name: "法规科"}, {Code: "jiaotong", Name: "交通科"}}, users)
	docs := b.Documents(nil)
	dk := b.Desk(docs, nil)
	staff := map[string]workflow.Staff{}
	for _, u := range users {
		staff[u.Name] = b.Staff(t, u)
	}
	actor := func(name string) workflow.Actor { return staff[name].Actor() }

	title, body, attr := "关于联合开展道路整治的通知", "正文", "主动公开"
	draft := func(co ...string) documents.Draft {
		return documents.Draft{Definition: "document", Unit: "chengjian", Title: &title, Body: &body, Attribute: &attr, CoUnits: &co}
	}
	for _, bad := range [][]string{{"fazhi", "chengjian"}, {"fazhi", "nosuch"}, {"fa zhi"}} {
		if _, err := docs.Create(ctx, actor("drafter"), draft(bad...)); workflow.ErrorCode(err) != workflow.EInvalid || workflow.AsError(err).Field != "co_units" {
			t.Fatalf("co-units %v: %v, want invalid co_units", bad, err)
		}
	}
	doc, err := docs.Create(ctx, actor("drafter"), draft("fazhi", "jiaotong"))
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
