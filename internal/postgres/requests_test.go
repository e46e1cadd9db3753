package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"wugongkai/internal/postgres"
	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

// mustRequest stores a request received on day with the given reply deadlines.
func (f fixture) mustRequest(tb testing.TB, applicant, day string, reply ...workflow.Effect) requests.Request {
	tb.Helper()
	d, err := workflow.ParseDate(day)
	if err != nil {
		tb.Fatal(err)
	}
	idType, idNo := "居民身份证", "41100219800101001X"
	if applicant != "natural" {
		idType, idNo = "统一社会信用代码", "91411000MA00000001"
	}
	r, err := f.store.Requests.CreateRequest(context.Background(), requests.Request{
		Instance: workflow.Instance{Unit: "bangongshi", Definition: "request", DefinitionVersion: 1, State: "received",
			Facts: workflow.Facts{"received_on": day}},
		Title: "保障房分配名单", Channel: "in_person", ReceivedOn: d, ApplicantType: applicant, ApplicantName: "张三",
		IDType: idType, IDNumber: idNo, Phone: "13800138000", Description: "保障房分配名单", Form: "纸质", Delivery: "自行领取",
		CreatedBy: f.user.ID,
	}, f.actor, d.Start().Add(9*time.Hour), reply)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func replyDue(day string, days int) workflow.Effect {
	d, _ := workflow.ParseDate(day)
	return workflow.Effect{Kind: workflow.EffectDeadline, Name: "reply_due", DueAt: d.End(), DueDate: d,
		Action: workflow.ActionOverdue, Role: "disclosure_officer", CountFrom: workflow.Date{Year: 2025, Month: 3, Day: 3},
		CountDays: days, CountUnit: workflow.UnitWorking}
}

// TestApplyRequestReplacesTheReplyDeadline: the reply deadline is replaced in the transition's
// transaction, an unchanged one is kept, the outcome columns follow the facts whoever fires the
// transition, and the audit check covers requests.
func TestApplyRequestReplacesTheReplyDeadline(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	r := f.mustRequest(t, "natural", "2025-03-03", replyDue("2025-03-31", 20))
	if r.ReceiptNo != "YSQ-2025-00001" || r.ReplyDue.String() != "" {
		t.Fatalf("created %q reply_due %q", r.ReceiptNo, r.ReplyDue)
	}
	pending := func() []string {
		dls, err := f.store.Deadlines.Deadlines(ctx, "request", r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range dls {
			out = append(out, d.Name+"@"+d.DueDate+":"+d.Status)
		}
		return out
	}
	apply := func(prev workflow.Instance, to string, facts workflow.Facts, reply ...workflow.Effect) workflow.Instance {
		t.Helper()
		res := result(prev, to, "step", f.actor, t0)
		for k, v := range facts {
			res.Instance.Facts[k] = v
		}
		got, err := f.store.Requests.ApplyRequest(ctx, prev, res, reply)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	inst := apply(r.Instance, "processing", workflow.Facts{"reply_due": "2025-03-31"}, replyDue("2025-03-31", 20))
	if got := pending(); len(got) != 1 || got[0] != "reply_due@2025-03-31:pending" {
		t.Fatalf("unchanged deadline not kept: %v", got)
	}
	inst = apply(inst, "processing", workflow.Facts{"reply_due": "2025-04-08"}, replyDue("2025-04-08", 25))
	if got := strings.Join(pending(), " "); got != "reply_due@2025-04-08:pending reply_due@2025-03-31:cancelled" {
		t.Fatalf("deadlines after a pause: %s", got)
	}
	if got, _ := f.store.Requests.Request(ctx, r.ID); got.ReplyDue.String() != "2025-04-08" {
		t.Fatalf("reply_due column %q", got.ReplyDue)
	}
	// The sweep closes requests through the plain Apply: the columns follow the facts all the same.
	res := result(inst, "closed", "lapse_supplement", workflow.SystemActor, t0)
	res.Instance.Facts["outcome"], res.Instance.Facts["closed_on"] = "三(六)1", "2025-04-10"
	delete(res.Instance.Facts, "reply_due")
	if _, err := f.store.Instances.Apply(ctx, inst, res); err != nil {
		t.Fatal(err)
	}
	got, err := f.store.Requests.Request(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Outcome != "三(六)1" || got.ClosedOn.String() != "2025-04-10" || !got.ReplyDue.IsZero() || got.Version != 4 {
		t.Fatalf("closed request: outcome %q closed %q due %q version %d", got.Outcome, got.ClosedOn, got.ReplyDue, got.Version)
	}
	if _, problems, err := postgres.VerifyAudit(ctx, f.db); err != nil || len(problems) != 0 {
		t.Fatalf("audit: %v %v", problems, err)
	}
	if _, err := f.db.ExecContext(ctx, `UPDATE requests SET version = version + 1 WHERE id = $1`, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, problems, _ := postgres.VerifyAudit(ctx, f.db); len(problems) != 1 || problems[0].Kind != "request" {
		t.Fatalf("a request changed without audit was not found: %v", problems)
	}
}
