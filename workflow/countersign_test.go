package workflow_test

import (
	"slices"
	"testing"

	"wugongkai/workflow"
)

// coHead is the head of co-unit unit.
func coHead(id int64, name, unit string) workflow.Actor {
	return workflow.Actor{UserID: id, Username: name, Name: name, CoUnit: unit}
}

// joint returns the engine, the drafting unit's head, the heads of the co-units fazhi and
// jiaotong, and a draft naming both on version v of the document flow.
func joint(t *testing.T, v int) (e *workflow.Engine, head, fa, jiao workflow.Actor, start workflow.Instance) {
	head = workflow.Actor{UserID: 13, Username: "wang", Name: "王科长"}
	start = workflow.Instance{ID: 9, Unit: "chengjian", Definition: "document", DefinitionVersion: v, State: "drafting",
		Facts: with(public(), "co_units", "fazhi,jiaotong")}
	return mustEngine(t), head, coHead(31, "fa", "fazhi"), coHead(32, "jiao", "jiaotong"), start
}

// TestCountersign: a document on version 4 naming two co-units goes from the unit head to their
// countersign; each co-unit's head approves in any order, a second approval of the same unit and
// an approval for a unit that is not a co-unit are refused, and the document moves on only when
// both have approved. Either co-unit's head may return it, with an opinion, which clears the
// approvals.
func TestCountersign(t *testing.T) {
	e, head, fa, jiao, start := joint(t, 5)
	inst := mustFire(t, e, start, "submit", drafter, nil)
	inst = mustFire(t, e, inst, "approve", head, nil)
	if inst.State != "countersign" {
		t.Fatalf("after the unit head: %s, want countersign", inst.State)
	}
	for _, order := range [][]workflow.Actor{{fa, jiao}, {jiao, fa}} {
		cur := inst
		for _, bad := range []workflow.Actor{head, coHead(33, "x", "chengjian"), coHead(34, "y", "")} {
			if _, err := e.Fire(cur, "approve", bad, nil, friday); workflow.ErrorCode(err) != workflow.EForbidden || !hasHan(workflow.ErrorMessage(err)) {
				t.Fatalf("approve for %q: %v, want forbidden in Chinese", bad.CoUnit, err)
			}
		}
		res, err := e.Fire(cur, "approve", order[0], nil, friday)
		if err != nil {
			t.Fatal(err)
		}
		cur = res.Instance
		if cur.State != "countersign" || res.Event.To != "countersign" || len(res.Effects) != 0 ||
			cur.Facts[workflow.CountersignFact(order[0].CoUnit)] != order[0].Name || cur.Facts[workflow.CountersignFact(order[1].CoUnit)] != "" {
			t.Fatalf("after %s: state %s event %+v effects %v facts %v", order[0].CoUnit, cur.State, res.Event, res.Effects, cur.Facts)
		}
		if _, err := e.Fire(cur, "approve", order[0], nil, friday); workflow.ErrorCode(err) != workflow.ETransitionNotAllowed || !hasHan(workflow.ErrorMessage(err)) {
			t.Fatalf("second approval of %s: %v, want refused", order[0].CoUnit, err)
		}
		res, err = e.Fire(cur, "approve", order[1], nil, friday)
		if err != nil {
			t.Fatal(err)
		}
		if res.Instance.State != "sign_off" || !slices.Equal(res.Effects, []workflow.Effect{notify("document", "leader")}) {
			t.Fatalf("after both: %s %v, want sign_off notifying the leader", res.Instance.State, res.Effects)
		}
	}

	// Either co-unit returns it, with an opinion; the approvals lapse and the next round starts afresh.
	cur := mustFire(t, e, inst, "approve", fa, nil)
	if got := e.Available(cur, jiao, friday); !slices.ContainsFunc(got, func(tr *workflow.Transition) bool { return tr.Name == "return" }) {
		t.Fatalf("return not offered to a co-unit head: %v", got)
	}
	if _, err := e.Fire(cur, "return", jiao, nil, friday); workflow.ErrorCode(err) != workflow.EInputMissing {
		t.Fatalf("return without opinion: %v", err)
	}
	if _, err := e.Fire(cur, "return", coHead(35, "z", "caizheng"), workflow.Input{"opinion": "不同意"}, friday); workflow.ErrorCode(err) != workflow.EForbidden {
		t.Fatalf("return by a unit that is not a co-unit: %v", err)
	}
	for _, by := range []workflow.Actor{fa, jiao} {
		back := mustFire(t, e, cur, "return", by, workflow.Input{"opinion": "请与我科协商"})
		if back.State != "drafting" || back.Facts[workflow.CountersignFact("fazhi")] != "" {
			t.Fatalf("returned by %s: %s %v", by.CoUnit, back.State, back.Facts)
		}
		again := mustFire(t, e, mustFire(t, e, back, "submit", drafter, nil), "approve", head, nil)
		if again.State != "countersign" || len(workflow.SplitUnits(again.Facts["co_units"])) != 2 || again.Facts[workflow.CountersignFact("fazhi")] != "" {
			t.Fatalf("second round: %s %v", again.State, again.Facts)
		}
	}

	// Without co-units the unit head's approval goes on as before.
	plain := start
	plain.Facts = public()
	if got := mustFire(t, e, mustFire(t, e, plain, "submit", drafter, nil), "approve", head, nil); got.State != "sign_off" {
		t.Fatalf("without co-units: %s, want sign_off", got.State)
	}
	// A document on version 3 keeps its path even if it names co-units.
	v3 := start
	v3.DefinitionVersion = 3
	if got := mustFire(t, e, mustFire(t, e, v3, "submit", drafter, nil), "approve", head, nil); got.State != "sign_off" {
		t.Fatalf("version 3: %s, want sign_off", got.State)
	}
}

// TestCountersignDeadlines: on version 6, entering the countersign tells each co-unit's head and
// gives each co-unit its own deadline and reminder, addressed to that unit; a co-unit's approval
// cancels its own deadline only; the last approval, a return and a withdrawal cancel them all.
func TestCountersignDeadlines(t *testing.T) {
	e, head, fa, jiao, start := joint(t, 6)
	res, err := e.Fire(mustFire(t, e, start, "submit", drafter, nil), "approve", head, nil, friday)
	if err != nil {
		t.Fatal(err)
	}
	inst := res.Instance
	type got struct{ kind, name, role, unit, due string }
	var effects []got
	for _, ef := range res.Effects {
		effects = append(effects, got{string(ef.Kind), ef.Name, ef.Role, ef.Unit, ef.DueDate.String()})
	}
	// From Friday 18 September 2026 (Sunday 20th is a make-up working day, 25th is 中秋): 5 working
	// days are due on Thursday 24th, the reminder 2 working days earlier.
	want := []got{
		{"notify", "document.unit_head", "unit_head", "fazhi", ""},
		{"notify", "document.unit_head", "unit_head", "jiaotong", ""},
		{"deadline", "countersign_due.fazhi", "unit_head", "fazhi", "2026-09-24"},
		{"deadline", "countersign_due.fazhi.remind", "unit_head", "fazhi", "2026-09-22"},
		{"deadline", "countersign_due.jiaotong", "unit_head", "jiaotong", "2026-09-24"},
		{"deadline", "countersign_due.jiaotong.remind", "unit_head", "jiaotong", "2026-09-22"},
	}
	if !slices.Equal(effects, want) {
		t.Fatalf("entering the countersign:\n got %v\nwant %v", effects, want)
	}
	cancel := func(name string) workflow.Effect { return workflow.Effect{Kind: workflow.EffectCancel, Name: name} }
	res, err = e.Fire(inst, "approve", fa, nil, friday)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Effects, []workflow.Effect{cancel("countersign_due.fazhi")}) {
		t.Fatalf("first approval: %v, want its own deadline cancelled", res.Effects)
	}
	last, err := e.Fire(res.Instance, "approve", jiao, nil, friday)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(last.Effects, []workflow.Effect{cancel("countersign_due"), notify("document", "leader")}) {
		t.Fatalf("last approval: %v, want all deadlines cancelled and the leader told", last.Effects)
	}
	for _, step := range []struct {
		name string
		by   workflow.Actor
		in   workflow.Input
	}{{"return", jiao, workflow.Input{"opinion": "请与我科协商"}}, {"withdraw", drafter, nil}} {
		res, err := e.Fire(inst, step.name, step.by, step.in, friday)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Effects) == 0 || res.Effects[0] != cancel("countersign_due") {
			t.Fatalf("%s: %v, want every co-unit's deadline cancelled", step.name, res.Effects)
		}
	}
	if !workflow.Cancels("countersign_due", "countersign_due.fazhi.remind") || workflow.Cancels("countersign_due.fazhi", "countersign_due.jiaotong") ||
		workflow.Cancels("countersign", "countersign_due") {
		t.Fatal("Cancels: wrong deadlines covered")
	}
}
