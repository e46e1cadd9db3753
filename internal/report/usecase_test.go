package report_test

import (
	"context"
	"testing"
	"time"

	"wugongkai/internal/report"
	"wugongkai/internal/testkit"
	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

// TestReportsCheckPermission runs the annual report use cases on the real database as each role:
// a drafter reads nothing, the head reads but neither edits nor finalizes (and a refusal writes
// nothing), the office edits and finalizes, and the portal sees the report only once it is final.
func TestReportsCheckPermission(t *testing.T) {
	ctx := context.Background()
	users := []testkit.User{
		{Name: "drafter", Display: "王起草", Role: "drafter", Unit: "chengjian"},
		{Name: "officer", Display: "周公开", Role: "disclosure_officer", Unit: "*"},
		{Name: "head", Display: "吴主任", Role: "disclosure_head", Unit: "*"},
	}
	const org = "测试市住房和城乡建设局"
	b := testkit.NewBureau(t, org, []testkit.Unit{{Code: "chengjian", Name: "城建科"}}, users)
	now := time.Date(2026, 1, 20, 2, 0, 0, 0, time.UTC)
	reps := &report.Reports{Store: b.Stores.ReportData, Auth: b.Enforcer, Org: org, Clock: workflow.ClockFunc(func() time.Time { return now })}
	actor := map[string]workflow.Actor{}
	for _, u := range users {
		actor[u.Name] = b.Actor(t, u.Name)
	}
	const year = 2025
	forbidden := func(what string, err error) {
		t.Helper()
		if workflow.ErrorCode(err) != workflow.EForbidden {
			t.Errorf("%s: %v, want %s", what, err, workflow.EForbidden)
		}
	}
	_, _, err := reps.Year(ctx, actor["drafter"], year)
	forbidden("drafter reads", err)
	_, err = reps.Check(ctx, actor["drafter"], year)
	forbidden("drafter checks", err)
	_, err = reps.Previous(ctx, actor["drafter"], year)
	forbidden("drafter reads last year", err)

	in := requests.ReportInputs{Year: year, Sections: map[string]string{report.SectionOverview: "本年度总体情况",
		report.SectionProblems: "存在的主要问题", report.SectionOther: "无"}}
	_, err = reps.Save(ctx, actor["head"], in, 0)
	forbidden("head edits", err)
	_, _, err = reps.Finalize(ctx, actor["head"], year)
	forbidden("head finalizes", err)
	ch, err := reps.Check(ctx, actor["head"], year)
	if err != nil || ch.Report == nil || ch.Report.Year != year || ch.Inputs.Version != 0 || ch.Inputs.Final {
		t.Fatalf("head's report after refused writes: %+v, %v", ch.Inputs, err)
	}
	if _, _, err := reps.Published(ctx, year); workflow.ErrorCode(err) != workflow.ENotFound {
		t.Fatalf("draft published: %v", err)
	}

	saved, err := reps.Save(ctx, actor["officer"], in, 0)
	if err != nil || saved.Version != 1 {
		t.Fatalf("officer saves: %+v, %v", saved, err)
	}
	if _, fs, err := reps.Finalize(ctx, actor["officer"], year); err != nil {
		t.Fatalf("officer finalizes: %v %v", fs, err)
	}
	final, at, err := reps.Final(ctx, year)
	if err != nil || !final || !at.Equal(now) {
		t.Fatalf("final: %v at %v, %v; want final at %v", final, at, err, now)
	}
	rep, got, err := reps.Published(ctx, year)
	if err != nil || !got.Final || rep.Sections[report.SectionOverview] != "本年度总体情况" {
		t.Fatalf("published: %+v, %v", got, err)
	}
}
