package workflowtest

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"wugongkai/workflow"
)

// Harness is a workflow.Store with what the contract needs to set up and inspect instances.
type Harness interface {
	workflow.Store
	// Create stores a new instance and returns it with its ID assigned and Version 1.
	Create(ctx context.Context, inst workflow.Instance) (workflow.Instance, error)
	// Load returns the stored instance.
	Load(ctx context.Context, id int64) (workflow.Instance, error)
	// Events returns the instance's applied events, oldest first.
	Events(ctx context.Context, id int64) ([]workflow.Event, error)
	// Deadlines returns the instance's pending deadlines.
	Deadlines(ctx context.Context, id int64) ([]workflow.Effect, error)
}

// RunStoreContract checks that the store made by newHarness (a fresh one per subtest) behaves as
// the engine relies on: Apply bumps the version by one and stores state and facts; a stale
// version gives EConflict and changes nothing; of 20 concurrent applies from one version exactly
// one wins; events are appended in order; deadline effects become pending deadlines and a cancel
// removes the pending ones with its name and its ".remind".
func RunStoreContract(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Run("create and load", func(t *testing.T) {
		h := newHarness(t)
		inst := mustCreate(t, h)
		if inst.ID == 0 || inst.Version != 1 {
			t.Fatalf("Create = ID %d version %d, want an ID and version 1", inst.ID, inst.Version)
		}
		got := mustLoad(t, h, inst.ID)
		checkInstance(t, got, inst)
	})

	t.Run("apply bumps the version and stores state and facts", func(t *testing.T) {
		h := newHarness(t)
		inst := mustCreate(t, h)
		next := inst
		next.State = "unit_review"
		next.Facts = workflow.Facts{"attribute": "主动公开", "signer": "张三"} // "grounds" removed, "signer" added
		res := result(next, "submit", "drafting", "unit_review", at(0))
		stored, err := h.Apply(context.Background(), inst, res)
		if err != nil {
			t.Fatalf("Apply: %v", err)
		}
		want := next
		want.Version = inst.Version + 1
		checkInstance(t, stored, want)
		checkInstance(t, mustLoad(t, h, inst.ID), want)
	})

	t.Run("stale version conflicts and changes nothing", func(t *testing.T) {
		h := newHarness(t)
		inst := mustCreate(t, h)
		first := inst
		first.State = "unit_review"
		stored := mustApply(t, h, inst, result(first, "submit", "drafting", "unit_review", at(0),
			deadline("publication_due", at(24*time.Hour))))
		stale := inst
		stale.State = "legal_review"
		stale.Facts = workflow.Facts{"attribute": "不予公开"}
		_, err := h.Apply(context.Background(), inst, result(stale, "approve", "drafting", "legal_review", at(time.Hour),
			workflow.Effect{Kind: workflow.EffectCancel, Name: "publication_due"},
			deadline("rereview_due", at(48*time.Hour))))
		if code := workflow.ErrorCode(err); code != workflow.EConflict {
			t.Fatalf("Apply with stale version %d: error %v (code %q), want code %q", inst.Version, err, code, workflow.EConflict)
		}
		checkInstance(t, mustLoad(t, h, inst.ID), stored)
		if evs := mustEvents(t, h, inst.ID); len(evs) != 1 {
			t.Errorf("events after a conflict = %d, want 1", len(evs))
		}
		ds := mustDeadlines(t, h, inst.ID)
		if names := deadlineNames(ds); !slices.Equal(names, []string{"publication_due"}) {
			t.Errorf("pending deadlines after a conflict = %v, want [publication_due]", names)
		}
	})

	t.Run("concurrent applies from one version: exactly one wins", func(t *testing.T) {
		h := newHarness(t)
		inst := mustCreate(t, h)
		const n = 20
		var (
			wg   sync.WaitGroup
			errs = make([]error, n)
		)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				next := inst
				next.State = "unit_review"
				next.Facts = workflow.Facts{"winner": fmt.Sprint(i)}
				res := result(next, "submit", "drafting", "unit_review", at(time.Duration(i)*time.Second))
				_, errs[i] = h.Apply(context.Background(), inst, res)
			}()
		}
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch code := workflow.ErrorCode(err); code {
			case "":
				if winner >= 0 {
					t.Errorf("applies %d and %d both succeeded", winner, i)
				}
				winner = i
			case workflow.EConflict:
			default:
				t.Errorf("apply %d: error %v (code %q), want nil or %q", i, err, code, workflow.EConflict)
			}
		}
		if winner < 0 {
			t.Fatal("no apply succeeded")
		}
		got := mustLoad(t, h, inst.ID)
		if got.Version != inst.Version+1 || got.Facts["winner"] != fmt.Sprint(winner) {
			t.Errorf("stored version %d winner %q, want version %d winner %d", got.Version, got.Facts["winner"], inst.Version+1, winner)
		}
		if evs := mustEvents(t, h, inst.ID); len(evs) != 1 {
			t.Errorf("events = %d, want 1", len(evs))
		}
	})

	t.Run("events are appended in order", func(t *testing.T) {
		h := newHarness(t)
		inst := mustCreate(t, h)
		steps := []struct{ name, from, to string }{
			{"submit", "drafting", "unit_review"},
			{"return", "unit_review", "drafting"},
			{"submit", "drafting", "unit_review"},
			{"approve", "unit_review", "sign_off"},
		}
		var want []workflow.Event
		for i, s := range steps {
			next := inst
			next.State = s.to
			res := result(next, s.name, s.from, s.to, at(time.Duration(i)*time.Minute))
			res.Event.Input = workflow.Input{"opinion": fmt.Sprintf("第 %d 步", i+1)}
			inst = mustApply(t, h, inst, res)
			want = append(want, res.Event)
		}
		got := mustEvents(t, h, inst.ID)
		if len(got) != len(want) {
			t.Fatalf("events = %d, want %d", len(got), len(want))
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.Transition != w.Transition || g.From != w.From || g.To != w.To || !g.At.Equal(w.At) ||
				g.Actor.UserID != w.Actor.UserID || g.Actor.Name != w.Actor.Name || !maps.Equal(g.Input, w.Input) {
				t.Errorf("event %d = %+v, want %+v", i, g, w)
			}
		}
	})

	t.Run("deadlines are pending until cancelled", func(t *testing.T) {
		h := newHarness(t)
		inst := mustCreate(t, h)
		due := deadline("publication_due", at(20*24*time.Hour))
		due.Action, due.Role, due.Provisional = workflow.ActionOverdue, "disclosure_officer", true
		due.Explanation, due.CountFrom, due.CountDays, due.CountUnit = "自 2026-09-18 起算（当日不计）20 个工作日，于 2026-10-22 到期。", workflow.Date{Year: 2026, Month: 9, Day: 18}, 20, workflow.UnitWorking
		remind := deadline("publication_due.remind", at(13*24*time.Hour))
		remind.Role = "disclosure_officer"
		open := deadline("consultation_opens", at(time.Hour))
		open.Action, open.Transition = workflow.ActionFire, "open"
		next := inst
		next.State = "awaiting_publication"
		inst = mustApply(t, h, inst, result(next, "sign", "sign_off", "awaiting_publication", at(0),
			workflow.Effect{Kind: workflow.EffectNotify, Name: "document.disclosure_officer", Role: "disclosure_officer"},
			due, remind, open))
		checkDeadlines(t, mustDeadlines(t, h, inst.ID), []workflow.Effect{due, remind, open})

		next = inst
		next.State = "published"
		inst = mustApply(t, h, inst, result(next, "publish", "awaiting_publication", "published", at(time.Hour),
			workflow.Effect{Kind: workflow.EffectCancel, Name: "publication_due"}))
		checkDeadlines(t, mustDeadlines(t, h, inst.ID), []workflow.Effect{open})

		// Cancelling and rescheduling in one transition leaves only the new deadline.
		moved := deadline("consultation_opens", at(2*time.Hour))
		moved.Action, moved.Transition = workflow.ActionFire, "open"
		mustApply(t, h, inst, result(inst, "extend", "published", "published", at(2*time.Hour),
			workflow.Effect{Kind: workflow.EffectCancel, Name: "consultation_opens"}, moved))
		checkDeadlines(t, mustDeadlines(t, h, inst.ID), []workflow.Effect{moved})
	})

	t.Run("apply to a missing instance", func(t *testing.T) {
		h := newHarness(t)
		inst := mustCreate(t, h)
		missing := inst
		missing.ID = inst.ID + 1_000_000
		_, err := h.Apply(context.Background(), missing, result(missing, "submit", "drafting", "unit_review", at(0)))
		if code := workflow.ErrorCode(err); code != workflow.ENotFound {
			t.Errorf("Apply to a missing instance: error %v (code %q), want code %q", err, code, workflow.ENotFound)
		}
	})
}

// at returns the instant d after the contract's base time (whole seconds, which any store keeps exactly).
func at(d time.Duration) time.Time {
	return time.Date(2026, 9, 18, 2, 0, 0, 0, time.UTC).Add(d)
}

func result(next workflow.Instance, name, from, to string, when time.Time, effects ...workflow.Effect) workflow.Result {
	return workflow.Result{
		Instance:   next,
		Transition: &workflow.Transition{Name: name, Label: name, From: []string{from}, To: to},
		Event: workflow.Event{Transition: name, From: from, To: to, At: when,
			Actor: workflow.Actor{UserID: 7, Username: "zhangsan", Name: "张三"}},
		Effects: effects,
	}
}

func deadline(name string, due time.Time) workflow.Effect {
	return workflow.Effect{Kind: workflow.EffectDeadline, Name: name, DueAt: due, DueDate: workflow.DateOf(due),
		Action: workflow.ActionRemind, Explanation: "按设定的时间到期。"}
}

func mustCreate(tb testing.TB, h Harness) workflow.Instance {
	tb.Helper()
	inst, err := h.Create(context.Background(), workflow.Instance{
		Unit: "bangongshi", Definition: "document", DefinitionVersion: 1, State: "drafting",
		Facts: workflow.Facts{"attribute": "主动公开", "grounds": ""},
	})
	if err != nil {
		tb.Fatalf("Create: %v", err)
	}
	return inst
}

func mustLoad(tb testing.TB, h Harness, id int64) workflow.Instance {
	tb.Helper()
	inst, err := h.Load(context.Background(), id)
	if err != nil {
		tb.Fatalf("Load %d: %v", id, err)
	}
	return inst
}

func mustApply(tb testing.TB, h Harness, prev workflow.Instance, res workflow.Result) workflow.Instance {
	tb.Helper()
	inst, err := h.Apply(context.Background(), prev, res)
	if err != nil {
		tb.Fatalf("Apply %s: %v", res.Event.Transition, err)
	}
	return inst
}

func mustEvents(tb testing.TB, h Harness, id int64) []workflow.Event {
	tb.Helper()
	evs, err := h.Events(context.Background(), id)
	if err != nil {
		tb.Fatalf("Events %d: %v", id, err)
	}
	return evs
}

func mustDeadlines(tb testing.TB, h Harness, id int64) []workflow.Effect {
	tb.Helper()
	ds, err := h.Deadlines(context.Background(), id)
	if err != nil {
		tb.Fatalf("Deadlines %d: %v", id, err)
	}
	return ds
}

func checkInstance(tb testing.TB, got, want workflow.Instance) {
	tb.Helper()
	if got.ID != want.ID || got.Version != want.Version || got.State != want.State || got.Unit != want.Unit ||
		got.Definition != want.Definition || got.DefinitionVersion != want.DefinitionVersion || !maps.Equal(got.Facts, want.Facts) {
		tb.Errorf("instance = %+v, want %+v", got, want)
	}
}

func deadlineNames(ds []workflow.Effect) []string {
	names := make([]string, len(ds))
	for i, d := range ds {
		names[i] = d.Name
	}
	slices.Sort(names)
	return names
}

func checkDeadlines(tb testing.TB, got, want []workflow.Effect) {
	tb.Helper()
	byName := func(a, b workflow.Effect) int { return cmp.Compare(a.Name, b.Name) }
	got, want = slices.Clone(got), slices.Clone(want)
	slices.SortFunc(got, byName)
	slices.SortFunc(want, byName)
	if len(got) != len(want) {
		tb.Fatalf("pending deadlines = %v, want %v", deadlineNames(got), deadlineNames(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Kind != workflow.EffectDeadline || g.Name != w.Name || !g.DueAt.Equal(w.DueAt) || g.DueDate != w.DueDate ||
			g.Provisional != w.Provisional || g.Action != w.Action || g.Transition != w.Transition || g.Role != w.Role ||
			g.Explanation != w.Explanation || g.CountFrom != w.CountFrom || g.CountDays != w.CountDays || g.CountUnit != w.CountUnit {
			tb.Errorf("deadline %s = %+v, want %+v", w.Name, g, w)
		}
	}
}
