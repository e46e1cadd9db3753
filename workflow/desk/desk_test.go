package desk_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"wugongkai/internal/testkit"
	"wugongkai/workflow"
	"wugongkai/workflow/consultations"
	"wugongkai/workflow/desk"
	"wugongkai/workflow/documents"
	"wugongkai/workflow/requests"
)

// fixture is a test bureau with the 待办 over its documents and requests, on a settable clock.
type fixture struct {
	b     *testkit.Bureau
	docs  *documents.Documents
	reqs  *requests.Requests
	desk  *desk.Desk
	staff map[string]workflow.Staff
	now   time.Time
}

func mustFixture(t *testing.T) *fixture {
	t.Helper()
	users := []testkit.User{
		{Name: "drafter", Display: "王起草", Role: "drafter", Unit: "chengjian"},
		{Name: "unithead", Display: "李科长", Role: "unit_head", Unit: "chengjian"},
		{Name: "officer", Display: "周公开", Role: "disclosure_officer", Unit: "*"},
		{Name: "head", Display: "吴主任", Role: "disclosure_head", Unit: "*"},
	}
	b := testkit.NewBureau(t, "测试市住房和城乡建设局", []testkit.Unit{{Code: "chengjian", Name: "城建科"},
		{Code: requests.DefaultRequestUnit, Name: "办公室"}}, users)
	f := &fixture{b: b, staff: map[string]workflow.Staff{}}
	clock := workflow.ClockFunc(func() time.Time { return f.now })
	f.docs = b.Documents(clock)
	f.reqs = &requests.Requests{Engine: b.Engine, Store: b.Stores.Requests, Auth: b.Enforcer, Clock: clock}
	f.desk = b.Desk(f.docs, f.reqs)
	for _, u := range users {
		f.staff[u.Name] = b.Staff(t, u)
	}
	return f
}

// at sets the clock to 10:00 Beijing time on day.
func (f *fixture) at(t *testing.T, day string) {
	t.Helper()
	d, err := workflow.ParseDate(day)
	if err != nil {
		t.Fatal(err)
	}
	f.now = d.Start().Add(10 * time.Hour)
}

func (f *fixture) register(t *testing.T, day, what string) requests.Request {
	t.Helper()
	f.at(t, day)
	r, err := f.reqs.Register(context.Background(), f.staff["officer"].Actor(), requests.Application{ApplicantType: "natural",
		Name: "赵市民", IDType: requests.IDResidentCard, IDNumber: "11010519491231002X", Phone: "13800138000",
		Description: what, Form: "纸质", Delivery: "自行领取", Channel: "in_person", ReceiptDate: day})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *fixture) fire(t *testing.T, day, user string, r requests.Request, name string, in workflow.Input) requests.Request {
	t.Helper()
	f.at(t, day)
	r, err := f.reqs.Fire(context.Background(), f.staff[user].Actor(), r.ID, r.Version, name, in)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return r
}

func (f *fixture) items(t *testing.T, user string) []desk.Item {
	t.Helper()
	items, err := f.desk.Items(context.Background(), f.staff[user])
	if err != nil {
		t.Fatalf("%s's 待办: %v", user, err)
	}
	return items
}

func ids(items []desk.Item) []int64 {
	var out []int64
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

// TestItems walks the 待办 of each role: the officer's new requests with their reply deadlines and
// reminders, soonest due first whatever the order they were registered in, and the comments to
// moderate last (undated); the head's extension waiting for a decision; the unit head's document;
// nothing of another's work.
func TestItems(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	late := f.register(t, "2026-03-09", "请公开2025年老旧小区改造资金使用情况")
	early := f.register(t, "2026-03-02", "请公开2025年保障性住房分配名单")
	ext := f.register(t, "2026-03-04", "请公开2025年城市道路维修计划")
	ext = f.fire(t, "2026-03-10", "officer", ext, "accept", nil)
	ext = f.fire(t, "2026-03-10", "officer", ext, "request_extension", workflow.Input{"extension_days": "10", "extension_reason": "需调取档案"})

	drafter := f.staff["drafter"].Actor()
	title, body, attr := "关于加强城市道路养护管理的通知", "正文", "主动公开"
	doc, err := f.docs.Create(ctx, drafter, documents.Draft{Definition: "document", Unit: "chengjian", Title: &title, Body: &body, Attribute: &attr})
	if err != nil {
		t.Fatal(err)
	}
	if doc, err = f.docs.Fire(ctx, drafter, doc.ID, doc.Version, "submit", nil); err != nil {
		t.Fatal(err)
	}
	// A decision draft in consultation that publishes its comments, with two waiting for moderation.
	decision, err := f.b.Stores.Documents.CreateDocument(ctx, documents.Document{
		Instance: workflow.Instance{Unit: "chengjian", Definition: "decision", DefinitionVersion: 1, State: "consultation_open",
			Facts: workflow.Facts{"comments_public": "true"}},
		Title: "关于生活垃圾分类管理办法（草案）", Body: "第一条 ……", DocKind: documents.KindOther, CreatedBy: drafter.UserID,
	}, drafter, f.now)
	if err != nil {
		t.Fatal(err)
	}
	comments := f.b.Stores.Comments
	for i, text := range []string{"建议增加厨余垃圾投放点", "请明确处罚标准", "同意"} {
		c, err := comments.AddComment(ctx, consultations.Comment{DocumentID: decision.ID, Text: text, CreatedAt: f.now,
			Status: consultations.CommentPending, CampaignKey: consultations.CampaignKey(text), Client: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			if _, err := comments.Moderate(ctx, decision.ID, c.ID, consultations.CommentPublished, "", f.staff["officer"].Actor(), f.now); err != nil {
				t.Fatal(err)
			}
		}
	}

	f.at(t, "2026-03-10")
	officer := f.items(t, "officer")
	if got, want := ids(officer), []int64{early.ID, late.ID, decision.ID}; !slices.Equal(got, want) {
		t.Fatalf("officer's 待办 %v, want %v (soonest due first, undated last)", got, want)
	}
	for i, r := range []requests.Request{early, late} {
		it := officer[i]
		if it.Kind != desk.KindRequest || it.Title != r.Title || it.ReceiptNo != r.ReceiptNo || it.StateLabel != "已收到" ||
			it.DueDate != r.ReplyDue.String() || it.Due.IsZero() || len(it.Actions) == 0 {
			t.Fatalf("officer's request item %d: %+v", i, it)
		}
		var names []string
		for _, dl := range it.Deadlines {
			names = append(names, dl.Name)
		}
		if !slices.Equal(names, []string{"reply_due.remind", "reply_due"}) {
			t.Fatalf("request %s deadlines %v, want the reminder and the reply deadline", r.ReceiptNo, names)
		}
	}
	if !officer[0].Due.Before(officer[1].Due) {
		t.Fatalf("officer's requests not soonest first: %s, %s", officer[0].DueDate, officer[1].DueDate)
	}
	if m := officer[2]; m.Kind != desk.KindModeration || m.PendingComments != 2 || m.Title != decision.Title || m.DueDate != "" ||
		m.UnitName != "城建科" {
		t.Fatalf("moderation item: %+v", m)
	}

	head := f.items(t, "head")
	if len(head) != 1 || head[0].ID != ext.ID || head[0].Kind != desk.KindRequest || head[0].StateLabel != "延期待批准" ||
		head[0].DueDate == "" || !slices.ContainsFunc(head[0].Actions, func(a workflow.TransitionView) bool { return a.Name == "approve_extension" }) {
		t.Fatalf("head's 待办: %+v", head)
	}

	unithead := f.items(t, "unithead")
	if len(unithead) != 1 || unithead[0].ID != doc.ID || unithead[0].Kind != desk.KindDocument || unithead[0].Document == nil ||
		unithead[0].StateLabel == "" || unithead[0].StateLabel == doc.State {
		t.Fatalf("unit head's 待办: %+v", unithead)
	}
	for _, it := range f.items(t, "drafter") {
		if it.Kind == desk.KindRequest || it.Kind == desk.KindModeration {
			t.Fatalf("drafter's 待办 holds %s %d", it.Kind, it.ID)
		}
	}

	// Once the head decides, the extension leaves the head's 待办 and the request returns to the
	// officer's.
	ext = f.fire(t, "2026-03-11", "head", ext, "approve_extension", nil)
	if head := f.items(t, "head"); len(head) != 0 {
		t.Fatalf("head's 待办 after the decision: %+v", head)
	}
	if !slices.Contains(ids(f.items(t, "officer")), ext.ID) {
		t.Fatal("the extended request is not back in the officer's 待办")
	}
	if strings.Contains(officer[0].Title, "赵") {
		t.Fatalf("a 待办 item names the applicant: %q", officer[0].Title)
	}
}
