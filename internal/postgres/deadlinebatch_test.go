package postgres_test

import (
	"context"
	"testing"
	"time"

	"wugongkai/workflow"
)

// TestFireDueDeadlinesBatch: one batch fires two deadlines of one document in order (the second on
// the instance the first left), honours a cancel effect on a later deadline of the same batch,
// writes the new deadline effect, skips a transition that no longer applies, and leaves a log
// that verifies.
func TestFireDueDeadlinesBatch(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	a, b := f.mustDocument(t), f.mustDocument(t)
	due := func(name, transition string) workflow.Effect {
		return workflow.Effect{Kind: workflow.EffectDeadline, Name: name, DueAt: t0.Add(time.Minute), Action: workflow.ActionFire, Transition: transition}
	}
	if _, err := f.store.Instances.Apply(ctx, a.Instance, result(a.Instance, "scheduled", "schedule", f.actor, t0,
		due("first", "one"), due("second", "two"), due("third", "three"))); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Instances.Apply(ctx, b.Instance, result(b.Instance, "scheduled", "schedule", f.actor, t0, due("stale", "nope"))); err != nil {
		t.Fatal(err)
	}
	now := t0.Add(time.Hour)
	var seen []string
	n, err := f.store.Deadlines.FireDueDeadlines(ctx, now, 100, func(d workflow.Deadline, inst workflow.Instance) (workflow.Result, error) {
		seen = append(seen, d.Transition+"@"+inst.State)
		switch d.Transition {
		case "one":
			return result(inst, "step1", "one", workflow.SystemActor, now,
				workflow.Effect{Kind: workflow.EffectCancel, Name: "third"},
				workflow.Effect{Kind: workflow.EffectDeadline, Name: "later", DueAt: now.Add(48 * time.Hour), Action: workflow.ActionRemind, Role: "drafter"}), nil
		case "two":
			return result(inst, "step2", "two", workflow.SystemActor, now), nil
		}
		return workflow.Result{}, &workflow.Error{Code: workflow.EConflict, Message: "不再适用"}
	})
	if err != nil || n != 4 {
		t.Fatalf("fired %d, %v; want 4", n, err)
	}
	if want := []string{"one@scheduled", "two@step1", "nope@scheduled"}; len(seen) != 3 || seen[0] != want[0] || seen[1] != want[1] || seen[2] != want[2] {
		t.Fatalf("fired %v, want %v", seen, want)
	}
	statuses := map[string]string{}
	rows, err := f.db.QueryContext(ctx, `SELECT name, status FROM deadlines`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name, status string
		if err := rows.Scan(&name, &status); err != nil {
			t.Fatal(err)
		}
		statuses[name] = status
	}
	rows.Close()
	want := map[string]string{"first": "done", "second": "done", "third": "cancelled", "stale": "skipped", "later": "pending"}
	for name, st := range want {
		if statuses[name] != st {
			t.Errorf("deadline %s: %q, want %q (all: %v)", name, statuses[name], st, statuses)
		}
	}
	inst, err := f.store.Instances.Instance(ctx, a.ID)
	if err != nil || inst.State != "step2" || inst.Version != 4 {
		t.Fatalf("document after the batch: %+v %v", inst, err)
	}
	if p := mustVerify(t, f.db); len(p) != 0 {
		t.Fatalf("audit after the batch: %v", p)
	}
	if n, err := f.store.Deadlines.FireDueDeadlines(ctx, now, 100, nil); err != nil || n != 0 {
		t.Fatalf("second sweep: %d %v", n, err)
	}
	// The reminder the first transition scheduled: its role holder, who is also the creator, is
	// told once, and once only however often the batch runs.
	later := now.Add(49 * time.Hour)
	if n, err := f.store.Deadlines.FireDueDeadlines(ctx, later, 100, nil); err != nil || n != 1 {
		t.Fatalf("reminder sweep: %d %v", n, err)
	}
	var notes int
	var outcome string
	if err := f.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM notifications WHERE kind = 'reminder' AND user_id = $1),
		(SELECT outcome FROM deadlines WHERE name = 'later')`, f.user.ID).Scan(&notes, &outcome); err != nil {
		t.Fatal(err)
	}
	if notes != 1 || outcome != "notified 1" {
		t.Fatalf("reminder: %d notifications, outcome %q", notes, outcome)
	}
}
