package requests_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"wugongkai/configs"
	"wugongkai/policy"
	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

// allowAll lets every user use every permission: the guards are under test, not the policy.
type allowAll struct{}

func (allowAll) Authorize(context.Context, workflow.Actor, string, string) error { return nil }
func (allowAll) Can(string, string, string) bool                                 { return true }

// guardEngine is the engine over the shipped definitions and request version 3, whose rules were
// the use case's before they became the guards of version 4.
func guardEngine(t *testing.T) *workflow.Engine {
	t.Helper()
	guards := workflow.DefaultGuards().With(policy.Guards()).With(requests.Guards())
	reg, err := workflow.LoadDefinitions(configs.Workflows(), guards, policy.Roles...)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("testdata", "request.v3.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	v3, err := workflow.LoadDefinition("request.v3.yaml", data, guards, policy.Roles...)
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Add(v3); err != nil {
		t.Fatal(err)
	}
	cal, err := workflow.LoadCalendar(configs.Holidays())
	if err != nil {
		t.Fatal(err)
	}
	return workflow.NewEngine(reg, guards, cal)
}

// TestRequestGuards: the rules of the request flow are named guards. A 补正 notice is offered only
// within 7 working days of receipt, an extension only once and before the reply is due, and its
// decision not to whoever asked for it; a request started on version 3, which names none of them,
// is held to them all the same.
func TestRequestGuards(t *testing.T) {
	e := guardEngine(t)
	at := func(day string) time.Time {
		d, err := workflow.ParseDate(day)
		if err != nil {
			t.Fatal(err)
		}
		return d.Start().Add(10 * time.Hour)
	}
	alice := workflow.Actor{UserID: 1, Username: "alice", Name: "张三"}
	bob := workflow.Actor{UserID: 2, Username: "bob", Name: "李四"}
	for _, version := range []int{3, 4} {
		svc := &requests.Requests{Engine: e, Auth: allowAll{}}
		offered := func(state string, facts workflow.Facts, actor workflow.Actor, now time.Time) []string {
			svc.Clock = workflow.ClockFunc(func() time.Time { return now })
			r := requests.Request{Instance: workflow.Instance{ID: 1, Unit: "bangongshi", Definition: "request", DefinitionVersion: version,
				State: state, Facts: facts}}
			var names []string
			for _, tv := range svc.Available(actor, r) {
				names = append(names, tv.Name)
			}
			return names
		}
		received := workflow.Facts{"received_on": "2026-03-02"} // a Monday; 7 working days end on 11 March
		if got := offered("received", received, alice, at("2026-03-11")); !slices.Contains(got, "request_supplement") {
			t.Errorf("v%d: on the last day, %v lacks request_supplement", version, got)
		}
		if got := offered("received", received, alice, at("2026-03-12")); slices.Contains(got, "request_supplement") {
			t.Errorf("v%d: a day late, %v offers request_supplement", version, got)
		}
		processing := workflow.Facts{"received_on": "2026-03-02", "accepted_on": "2026-03-03"}
		if got := offered("processing", processing, alice, at("2026-03-10")); !slices.Contains(got, "request_extension") {
			t.Errorf("v%d: %v lacks request_extension", version, got)
		}
		extended := workflow.Facts{"received_on": "2026-03-02", "extension_days": "10"}
		if got := offered("processing", extended, alice, at("2026-03-10")); slices.Contains(got, "request_extension") {
			t.Errorf("v%d: extended once, %v offers request_extension again", version, got)
		}
		if got := offered("processing", processing, alice, at("2026-04-30")); slices.Contains(got, "request_extension") {
			t.Errorf("v%d: after the reply was due, %v offers request_extension", version, got)
		}
		pending := workflow.Facts{"received_on": "2026-03-02", "extension_requested_days": "10", "extension_requested_by": "alice"}
		if got := offered("extension_pending", pending, alice, at("2026-03-10")); len(got) != 0 {
			t.Errorf("v%d: whoever asked is offered %v", version, got)
		}
		if got := offered("extension_pending", pending, bob, at("2026-03-10")); !slices.Equal(got, []string{"approve_extension", "reject_extension"}) {
			t.Errorf("v%d: the head is offered %v", version, got)
		}
	}

	// The engine refuses a version 4 request as the guards say.
	inst := workflow.Instance{ID: 1, Unit: "bangongshi", Definition: "request", DefinitionVersion: 4, State: "processing",
		Facts: workflow.Facts{"received_on": "2026-03-02", "extension_days": "10"}}
	_, err := e.Fire(inst, "request_extension", alice, workflow.Input{"extension_days": "5", "extension_reason": "需调取档案"}, at("2026-03-10"))
	if workflow.ErrorCode(err) != workflow.EGuardFailed {
		t.Errorf("second extension: %v, want guard_failed", err)
	}
	inst.State, inst.Facts = "extension_pending", workflow.Facts{"received_on": "2026-03-02", "extension_requested_by": "alice"}
	if _, err := e.Fire(inst, "approve_extension", alice, nil, at("2026-03-10")); workflow.ErrorCode(err) != workflow.EForbidden {
		t.Errorf("own extension approved: %v, want forbidden", err)
	}
}
