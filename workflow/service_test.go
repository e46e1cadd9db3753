package workflow_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"wugongkai/workflow"
	"wugongkai/workflow/workflowtest"
)

// fixture is a Service over the fake store, a fake authorizer and a settable clock.
type fixture struct {
	svc   *workflow.Service
	store *workflowtest.Store
	auth  *workflowtest.Authorizer
	now   time.Time
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	f := &fixture{store: workflowtest.NewStore(), now: friday}
	f.auth = workflowtest.NewAuthorizer().
		Grant("li", "chengjian", "document:submit").
		Grant("li", "chengjian", "document:withdraw").
		Grant("li", "chengjian", "document:edit").
		Grant("li", "chengjian", "decision:consult").
		Grant("wu", "chengjian", "document:review_unit").
		Grant("fa", "*", "document:review_legal").
		Grant("fa", "*", "decision:review_legality").
		Grant("zhao", "*", "document:sign").
		Grant("zhao", "*", "decision:decide").
		Grant("gong", "*", "document:publish").
		Grant("gong", "*", "document:rereview")
	f.svc = &workflow.Service{Engine: mustEngine(tb), Store: f.store, Auth: f.auth,
		Clock: workflow.ClockFunc(func() time.Time { return f.now })}
	return f
}

func (f *fixture) create(tb testing.TB, def string, facts workflow.Facts) workflow.Instance {
	tb.Helper()
	inst, err := f.store.Create(context.Background(), workflow.Instance{OrgID: 1, Unit: "chengjian", Definition: def,
		DefinitionVersion: 1, State: "drafting", Facts: facts})
	if err != nil {
		tb.Fatal(err)
	}
	return inst
}

// mustFire fires through the service and fails the test on an error.
func (f *fixture) mustFire(tb testing.TB, inst workflow.Instance, name, user string, in workflow.Input) workflow.Instance {
	tb.Helper()
	out, _, err := f.svc.Fire(context.Background(), inst, name, workflow.Actor{Username: user, Name: user}, in)
	if err != nil {
		tb.Fatalf("%s by %s in %s: %v", name, user, inst.State, err)
	}
	return out
}

// sweep fires every pending "fire" deadline of inst that is due at f.now, as the deadline sweep
// does, and returns the instance.
func (f *fixture) sweep(tb testing.TB, inst workflow.Instance) workflow.Instance {
	tb.Helper()
	ds, err := f.store.Deadlines(context.Background(), inst.ID)
	if err != nil {
		tb.Fatal(err)
	}
	for _, d := range ds {
		if d.Action == workflow.ActionFire && !f.now.Before(d.DueAt) {
			out, _, err := f.svc.Fire(context.Background(), inst, d.Transition, workflow.SystemActor, nil)
			if err != nil {
				tb.Fatalf("sweep %s: %v", d.Name, err)
			}
			f.store.MarkDone(inst.ID, d.Name)
			inst = out
		}
	}
	return inst
}

func pending(tb testing.TB, s *workflowtest.Store, id int64) []string {
	tb.Helper()
	ds, err := s.Deadlines(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, d := range ds {
		names = append(names, d.Name+"@"+d.DueDate.String())
	}
	return names
}

func TestServiceFire(t *testing.T) {
	tests := []struct {
		name       string
		state      string
		transition string
		actor      workflow.Actor
		wantCode   string
		wantAuth   []string // the authorizer calls
	}{
		{name: "allowed", state: "drafting", transition: "submit", actor: workflow.Actor{Username: "li"},
			wantAuth: []string{"li|chengjian|document:submit"}},
		{name: "another unit's drafter", state: "drafting", transition: "submit", actor: workflow.Actor{Username: "wu"},
			wantCode: workflow.EForbidden, wantAuth: []string{"wu|chengjian|document:submit"}},
		{name: "bureau-wide role", state: "sign_off", transition: "sign", actor: workflow.Actor{Username: "zhao"},
			wantAuth: []string{"zhao|chengjian|document:sign"}},
		{name: "not from this state: no authorization asked", state: "published", transition: "submit",
			actor: workflow.Actor{Username: "li"}, wantCode: workflow.ETransitionNotAllowed},
		{name: "unknown transition", state: "drafting", transition: "burn", actor: workflow.Actor{Username: "li"},
			wantCode: workflow.EUnknownTransition},
		{name: "the system is not authorized but refused a user transition", state: "drafting", transition: "submit",
			actor: workflow.SystemActor, wantCode: workflow.EForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			inst := f.create(t, "document", public())
			if tt.state != "drafting" {
				inst = f.forceState(t, inst, tt.state)
			}
			out, res, err := f.svc.Fire(context.Background(), inst, tt.transition, tt.actor, nil)
			if code := workflow.ErrorCode(err); code != tt.wantCode {
				t.Fatalf("Fire error = %v (code %q), want %q", err, code, tt.wantCode)
			}
			if got := f.auth.Calls(); !slices.Equal(got, tt.wantAuth) {
				t.Errorf("authorizer calls = %v, want %v", got, tt.wantAuth)
			}
			stored, _ := f.store.Load(context.Background(), inst.ID)
			if err != nil {
				if stored.Version != inst.Version || stored.State != inst.State {
					t.Errorf("a refused transition changed the store: %+v", stored)
				}
				return
			}
			if out.Version != inst.Version+1 || out.State != res.Instance.State || stored.Version != out.Version {
				t.Errorf("stored %+v, returned %+v, want version %d", stored, out, inst.Version+1)
			}
			if evs, _ := f.store.Events(context.Background(), inst.ID); len(evs) == 0 || evs[len(evs)-1].Transition != tt.transition {
				t.Errorf("events = %+v", evs)
			}
		})
	}
}

// forceState moves inst to state through the store, as if earlier transitions had happened.
func (f *fixture) forceState(tb testing.TB, inst workflow.Instance, state string) workflow.Instance {
	tb.Helper()
	next := inst
	next.State = state
	out, err := f.store.Apply(context.Background(), inst, workflow.Result{Instance: next,
		Event: workflow.Event{Transition: "setup", From: inst.State, To: state, At: f.now}})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestServiceStaleInstance(t *testing.T) {
	f := newFixture(t)
	inst := f.create(t, "document", public())
	f.mustFire(t, inst, "submit", "li", nil)
	_, _, err := f.svc.Fire(context.Background(), inst, "submit", workflow.Actor{Username: "li"}, nil)
	if code := workflow.ErrorCode(err); code != workflow.EConflict {
		t.Errorf("second submit from the same version: %v (code %q), want conflict", err, code)
	}
}

// TestDocumentLifecycle walks a 不予公开 document from drafting to filing and, after a re-review,
// to publication, checking the deadlines the store holds at each step.
func TestDocumentLifecycle(t *testing.T) {
	f := newFixture(t)
	inst := f.create(t, "document", withheld())
	inst = f.mustFire(t, inst, "submit", "li", nil)
	inst = f.mustFire(t, inst, "approve", "wu", nil)
	if inst.State != "legal_review" {
		t.Fatalf("after the unit head: %s, want legal_review", inst.State)
	}
	inst = f.mustFire(t, inst, "approve", "fa", nil)
	inst = f.mustFire(t, inst, "sign", "zhao", workflow.Input{"opinion": "同意"})
	if inst.State != "filed" || inst.Facts["signer"] != "zhao" {
		t.Fatalf("after signing: %+v", inst)
	}
	if got := pending(t, f.store, inst.ID); !slices.Equal(got, []string{"rereview_due@2027-09-20"}) {
		t.Errorf("pending after filing = %v", got)
	}
	f.now = time.Date(2027, 9, 20, 9, 0, 0, 0, workflow.Shanghai) // Monday
	inst = f.mustFire(t, inst, "disclose", "gong", workflow.Input{"opinion": "已无不公开的理由"})
	// From Mon 20 Sep 2027 (no 2027 calendar, but 国庆节 1–3 Oct is fixed: Fri 1 Oct skipped):
	// 20 working days → Tue 19 Oct; reminder after 15 → Tue 12 Oct.
	if got := pending(t, f.store, inst.ID); !slices.Equal(got, []string{"publication_due@2027-10-19", "publication_due.remind@2027-10-12"}) {
		t.Errorf("pending after disclosure = %v", got)
	}
	inst = f.mustFire(t, inst, "publish", "gong", nil)
	if inst.State != "published" || inst.Facts["published_on"] != "2027-09-20" || inst.Version != 7 {
		t.Errorf("published = %+v", inst)
	}
	if got := pending(t, f.store, inst.ID); len(got) != 0 {
		t.Errorf("pending after publication = %v", got)
	}
	evs, _ := f.store.Events(context.Background(), inst.ID)
	var names []string
	for _, e := range evs {
		names = append(names, e.Transition)
	}
	if want := []string{"submit", "approve", "approve", "sign", "disclose", "publish"}; !slices.Equal(names, want) {
		t.Errorf("events = %v, want %v", names, want)
	}
}

// TestDecisionLifecycle walks a decision draft through a consultation driven by its deadlines,
// with an extension, to its publication.
func TestDecisionLifecycle(t *testing.T) {
	f := newFixture(t)
	inst := f.create(t, "decision", with(consulted(), "attribute", "主动公开"))
	inst = f.mustFire(t, inst, "submit", "li", nil)
	inst = f.mustFire(t, inst, "approve", "wu", nil)
	if got := pending(t, f.store, inst.ID); !slices.Equal(got, []string{"consultation_opens@2026-09-21", "consultation_closes@2026-10-23"}) {
		t.Fatalf("pending after approval = %v", got)
	}
	if inst = f.sweep(t, inst); inst.State != "consultation_scheduled" {
		t.Fatalf("swept before the opening: %s", inst.State)
	}
	f.now = mustTime(t, "2026-09-21T01:00:00Z")
	if inst = f.sweep(t, inst); inst.State != "consultation_open" {
		t.Fatalf("after the opening: %s", inst.State)
	}
	if _, _, err := f.svc.Fire(context.Background(), inst, "decide", workflow.Actor{Username: "zhao"}, nil); workflow.ErrorCode(err) != workflow.ETransitionNotAllowed {
		t.Errorf("decide during the consultation: %v", err)
	}
	inst = f.mustFire(t, inst, "extend", "li", workflow.Input{"reason": "意见较多", "closes_at": "2026-11-06T18:00:00+08:00"})
	if got := pending(t, f.store, inst.ID); !slices.Equal(got, []string{"consultation_closes@2026-11-06"}) {
		t.Fatalf("pending after the extension = %v", got)
	}
	f.now = mustTime(t, "2026-10-23T10:00:00Z") // the old closing time: nothing is due any more
	if inst = f.sweep(t, inst); inst.State != "consultation_open" {
		t.Fatalf("closed at the old time: %s", inst.State)
	}
	f.now = mustTime(t, "2026-11-06T10:00:00Z")
	if inst = f.sweep(t, inst); inst.State != "consultation_closed" {
		t.Fatalf("after the closing: %s", inst.State)
	}
	if _, _, err := f.svc.Fire(context.Background(), inst, "attach_summary", workflow.Actor{Username: "li"}, nil); workflow.ErrorCode(err) != workflow.EGuardFailed {
		t.Errorf("attach_summary without a summary: %v", err)
	}
	inst.Facts["summary_attached"] = "true" // the document use case records the upload
	inst = f.mustFire(t, inst, "attach_summary", "li", nil)
	inst = f.mustFire(t, inst, "approve", "fa", workflow.Input{"opinion": "未发现违法情形"})
	f.now = time.Date(2026, 11, 20, 15, 0, 0, 0, workflow.Shanghai) // Friday
	inst = f.mustFire(t, inst, "decide", "zhao", workflow.Input{"meeting": "2026年第9次局长办公会议", "decision_outcome": "通过"})
	// From Fri 20 Nov 2026: 20 working days → Fri 18 Dec; the reminder after 15 → Fri 11 Dec.
	if got := pending(t, f.store, inst.ID); !slices.Equal(got, []string{"publication_due@2026-12-18", "publication_due.remind@2026-12-11"}) {
		t.Errorf("pending after the decision = %v", got)
	}
	inst = f.mustFire(t, inst, "publish", "gong", nil)
	if inst.State != "published" || len(pending(t, f.store, inst.ID)) != 0 {
		t.Errorf("published = %+v, pending %v", inst, pending(t, f.store, inst.ID))
	}
	if n := f.store.Notifications(inst.ID); len(n) != 7 {
		t.Errorf("notifications = %d %+v, want 7", len(n), n)
	}
}
