package postgres_test

import (
	"context"
	"strings"
	"testing"

	"wugongkai/workflow"
)

// TestRecountKeepsTheBasis: a provisional deadline counted into a year with no holiday calendar is
// recounted when the year is loaded, and what its explanation said before the count (the
// catalogue item it was counted by, a reminder's 提前 N 个工作日) stays.
func TestRecountKeepsTheBasis(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	d := f.mustDocument(t)
	from := workflow.Date{Year: 2027, Month: 9, Day: 29}
	c := (*workflow.Calendar)(nil).AddWorkingDays(from, 3) // 2027 unknown: weekdays without 国庆 1–3 Oct
	e := workflow.Effect{Kind: workflow.EffectDeadline, Name: "publication_due", Action: workflow.ActionOverdue, Role: "disclosure_officer"}
	workflow.SetCount(&e, c)
	e.Explanation = "标准目录事项 K-W3“三个工作日”（第 1 版）公开时限“3个工作日内”：" + e.Explanation
	if !c.Provisional {
		t.Fatal("count not provisional")
	}
	if _, err := f.store.Instances.Apply(ctx, d.Instance, result(d.Instance, "drafting", "edit", f.actor, t0, e)); err != nil {
		t.Fatal(err)
	}
	// 2027: 国庆节 1–7 October, as an operator would load it.
	cal, err := workflow.NewCalendar(workflow.CalendarYear{Year: 2027, Source: "测试", File: "2027.yaml",
		Holidays: []workflow.Holiday{{Name: "国庆节", From: workflow.Date{Year: 2027, Month: 10, Day: 1}, To: workflow.Date{Year: 2027, Month: 10, Day: 7}}}})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := f.store.Deadlines.Recount(ctx, cal); err != nil || n != 1 {
		t.Fatalf("Recount = %d, %v", n, err)
	}
	dls, err := f.store.Deadlines.Deadlines(ctx, "document", d.ID)
	if err != nil || len(dls) != 1 {
		t.Fatalf("deadlines %+v %v", dls, err)
	}
	if dls[0].DueDate != "2027-10-11" || dls[0].Provisional ||
		!strings.HasPrefix(dls[0].Explanation, "标准目录事项 K-W3") || !strings.Contains(dls[0].Explanation, "自 2027-09-29 起算（当日不计）3 个工作日，于 2027-10-11 到期") {
		t.Errorf("recounted: %+v", dls[0])
	}
}
