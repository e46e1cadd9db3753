package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"wugongkai/internal/postgres"
	"wugongkai/internal/postgres/pgtest"
	"wugongkai/migrations"
	"wugongkai/workflow"
	"wugongkai/workflow/documents"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, workflow.Shanghai)

type fixture struct {
	db    *postgres.DB
	store *postgres.Stores
	clock workflow.Clock
	user  postgres.User
	actor workflow.Actor
	// checkpoints is the audit checkpoint file, when a test sets one.
	checkpoints string
}

func mustFixture(tb testing.TB) fixture {
	tb.Helper()
	ctx := context.Background()
	db := pgtest.New(tb)
	org, err := postgres.EnsureOrg(ctx, db, "TESTORG001", "测试局")
	if err != nil {
		tb.Fatal(err)
	}
	clock := workflow.ClockFunc(func() time.Time { return t0 })
	s := postgres.NewStores(db, org, clock)
	tb.Cleanup(s.Close)
	if err := s.Orgs.EnsureUnit(ctx, "chengjian", "城建科"); err != nil {
		tb.Fatal(err)
	}
	u, err := s.Accounts.CreateUser(ctx, postgres.User{Username: "drafter", DisplayName: "王起草", PasswordHash: "x"},
		[]postgres.RoleAssignment{{Role: "drafter", Unit: "chengjian"}})
	if err != nil {
		tb.Fatal(err)
	}
	return fixture{db: db, store: s, clock: clock, user: u, actor: workflow.Actor{UserID: u.ID, Username: u.Username, Name: u.DisplayName}}
}

func (f fixture) mustDocument(tb testing.TB) documents.Document {
	tb.Helper()
	d, err := f.store.Documents.CreateDocument(context.Background(), documents.Document{
		Instance: workflow.Instance{Unit: "chengjian", Definition: "document", DefinitionVersion: 1, State: "drafting",
			Facts: workflow.Facts{"attribute": "主动公开"}},
		Title: "关于住房租赁补贴的通知", Body: "正文", DocKind: documents.KindOther, CreatedBy: f.user.ID,
	}, f.actor, t0)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func result(prev workflow.Instance, to, name string, actor workflow.Actor, at time.Time, effects ...workflow.Effect) workflow.Result {
	next := prev
	next.State = to
	next.Facts = prev.Facts.Clone()
	return workflow.Result{Instance: next, Event: workflow.Event{Transition: name, From: prev.State, To: to, Actor: actor, At: at},
		Effects: effects}
}

func TestMigrationsRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	m, err := postgres.NewMigrator(db, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	st, err := m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if !s.Applied {
			t.Fatalf("migration %d not applied after Up", s.Version)
		}
	}
	for range st {
		if _, err := m.Down(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var tables int
	if err := db.GetContext(ctx, &tables, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'goose_db_version'`); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Fatalf("%d tables left after rolling every migration back", tables)
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestApplyWritesStateAuditDeadlinesAndOutboxTogether(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	d := f.mustDocument(t)
	due := workflow.Date{Year: 2026, Month: 3, Day: 30}
	res := result(d.Instance, "unit_review", "submit", f.actor, t0,
		workflow.Effect{Kind: workflow.EffectDeadline, Name: "publication_due", DueAt: due.End(), DueDate: due,
			Action: workflow.ActionOverdue, Role: "disclosure_officer", CountFrom: workflow.DateOf(t0), CountDays: 20, CountUnit: "working"},
		workflow.Effect{Kind: workflow.EffectNotify, Role: "unit_head"})
	got, err := f.store.Instances.Apply(ctx, d.Instance, res)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || got.State != "unit_review" {
		t.Fatalf("after apply: version %d state %s, want 2 unit_review", got.Version, got.State)
	}
	hist, err := f.store.Audit.History(ctx, "document", d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[1].Action != "submit" || hist[1].PrevHash != hist[0].Hash {
		t.Fatalf("history = %+v", hist)
	}
	dls, err := f.store.Deadlines.Deadlines(ctx, "document", d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(dls) != 1 || dls[0].DueDate != "2026-03-30" || !dls[0].DueAt.Equal(due.End()) {
		t.Fatalf("deadlines = %+v", dls)
	}
	items, err := f.store.Outbox.PendingOutbox(ctx, t0, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Kind != postgres.OutboxNotify {
		t.Fatalf("outbox = %+v", items)
	}
}

// TestApplyRollsBackOnFailure proves invariant 1: when any part of a transition cannot be written
// (here a deadline with an action the schema refuses), nothing of it is: not the state, not the
// audit event, not the other effects.
func TestApplyRollsBackOnFailure(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	d := f.mustDocument(t)
	res := result(d.Instance, "unit_review", "submit", f.actor, t0,
		workflow.Effect{Kind: workflow.EffectNotify, Role: "unit_head"},
		workflow.Effect{Kind: workflow.EffectDeadline, Name: "ok", DueAt: t0.Add(time.Hour), Action: workflow.ActionRemind, Role: "leader"},
		workflow.Effect{Kind: workflow.EffectDeadline, Name: "bad", DueAt: t0.Add(time.Hour), Action: "explode"})
	if _, err := f.store.Instances.Apply(ctx, d.Instance, res); err == nil {
		t.Fatal("apply with a bad effect succeeded")
	}
	after, err := f.store.Documents.Document(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.State != "drafting" || after.Version != 1 {
		t.Fatalf("state %s version %d after a failed apply", after.State, after.Version)
	}
	for table, want := range map[string]int{"audit_events": 1, "deadlines": 0, "outbox": 0} {
		var n int
		if err := f.db.GetContext(ctx, &n, `SELECT count(*) FROM `+table); err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("%s has %d rows after a failed apply, want %d", table, n, want)
		}
	}
}

// TestConcurrentApplyExactlyOneWins proves invariant 2.
func TestConcurrentApplyExactlyOneWins(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	d := f.mustDocument(t)
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.store.Instances.Apply(ctx, d.Instance, result(d.Instance, "unit_review", "submit", f.actor, t0))
		}()
	}
	wg.Wait()
	wins, conflicts := 0, 0
	for _, err := range errs {
		switch workflow.ErrorCode(err) {
		case "":
			wins++
		case workflow.EConflict:
			conflicts++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if wins != 1 || conflicts != n-1 {
		t.Fatalf("wins %d conflicts %d, want 1 and %d", wins, conflicts, n-1)
	}
	hist, err := f.store.Audit.History(ctx, "document", d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 {
		t.Fatalf("%d audit events, want 2 (create + one submit)", len(hist))
	}
}

func TestAuditChainDetectsTampering(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	d := f.mustDocument(t)
	inst := d.Instance
	for _, step := range []struct{ to, name string }{{"unit_review", "submit"}, {"drafting", "return"}, {"unit_review", "submit"}} {
		var err error
		inst, err = f.store.Instances.Apply(ctx, inst, result(inst, step.to, step.name, f.actor, t0))
		if err != nil {
			t.Fatal(err)
		}
	}
	n, problems, err := postgres.VerifyAudit(ctx, f.db)
	if err != nil || len(problems) != 0 || n != 4 {
		t.Fatalf("intact chain: n=%d problems=%v err=%v", n, problems, err)
	}
	// The table refuses edits outright.
	if _, err := f.db.ExecContext(ctx, `UPDATE audit_events SET actor_name = 'x'`); err == nil {
		t.Fatal("audit_events accepted an UPDATE")
	}
	if _, err := f.db.ExecContext(ctx, `DELETE FROM audit_events`); err == nil {
		t.Fatal("audit_events accepted a DELETE")
	}
	// A superuser who switches the trigger off can edit, but verify finds it.
	cases := []struct {
		name, sql, want string
	}{
		{"edited opinion", `UPDATE audit_events SET actor_name = '李某' WHERE seq = 2`, "edited"},
		{"deleted middle event", `DELETE FROM audit_events WHERE seq = 2`, "gap"},
		{"deleted last event", `DELETE FROM audit_events WHERE seq = 4`, "events missing"},
		// The version rewound with it: the document's record still names its last event.
		{"deleted last event and version", `DELETE FROM audit_events WHERE seq = 4; UPDATE documents SET version = 3`,
			"record names seq 4 as its last event (events missing)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, q := range []string{`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`,
				`CREATE TABLE audit_backup AS SELECT * FROM audit_events`, c.sql} {
				if _, err := f.db.ExecContext(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			t.Cleanup(func() {
				for _, q := range []string{`DELETE FROM audit_events`, `INSERT INTO audit_events SELECT * FROM audit_backup`,
					`DROP TABLE audit_backup`, `ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update`} {
					if _, err := f.db.ExecContext(ctx, q); err != nil {
						t.Fatal(err)
					}
				}
			})
			_, problems, err := postgres.VerifyAudit(ctx, f.db)
			if err != nil {
				t.Fatal(err)
			}
			wantProblem(t, problems, c.want)
		})
	}
}

// TestFireDeadlineExactlyOnce runs many concurrent sweeps over one due deadline: the transition
// happens once, the deadline is done once, the others see nothing to do.
func TestFireDeadlineExactlyOnce(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	d := f.mustDocument(t)
	inst, err := f.store.Instances.Apply(ctx, d.Instance, result(d.Instance, "scheduled", "schedule", f.actor, t0,
		workflow.Effect{Kind: workflow.EffectDeadline, Name: "opens", DueAt: t0.Add(time.Minute), Action: workflow.ActionFire, Transition: "open"}))
	if err != nil {
		t.Fatal(err)
	}
	now := t0.Add(2 * time.Minute)
	due, err := f.store.Deadlines.DueDeadlines(ctx, now, 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due = %v, %v", due, err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		fired int
	)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := f.store.Deadlines.FireDeadline(ctx, due[0].ID, now, func(cur workflow.Instance) (workflow.Result, error) {
				if cur.State != "scheduled" {
					return workflow.Result{}, workflow.Errorf(workflow.ETransitionNotAllowed, "已开始")
				}
				return result(cur, "open", "open", workflow.SystemActor, now), nil
			})
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				fired++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if fired != 1 {
		t.Fatalf("deadline fired %d times, want 1", fired)
	}
	got, err := f.store.Instances.Instance(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != "open" || got.Version != inst.Version+1 {
		t.Fatalf("state %s version %d", got.State, got.Version)
	}
	hist, _ := f.store.Audit.History(ctx, "document", d.ID)
	if len(hist) != 3 || hist[2].ActorName != "系统" {
		t.Fatalf("history %+v", hist)
	}
}

func TestFireDeadlineSkipsWhenInstanceMovedOn(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	d := f.mustDocument(t)
	if _, err := f.store.Instances.Apply(ctx, d.Instance, result(d.Instance, "scheduled", "schedule", f.actor, t0,
		workflow.Effect{Kind: workflow.EffectDeadline, Name: "opens", DueAt: t0, Action: workflow.ActionFire, Transition: "open"})); err != nil {
		t.Fatal(err)
	}
	due, _ := f.store.Deadlines.DueDeadlines(ctx, t0.Add(time.Second), 10)
	ok, err := f.store.Deadlines.FireDeadline(ctx, due[0].ID, t0, func(workflow.Instance) (workflow.Result, error) {
		return workflow.Result{}, workflow.Errorf(workflow.ETransitionNotAllowed, "当前状态不允许")
	})
	if err != nil || !ok {
		t.Fatalf("ok=%v err=%v", ok, err)
	}
	dls, _ := f.store.Deadlines.Deadlines(ctx, "document", d.ID)
	if dls[0].Status != "skipped" || dls[0].Outcome != "当前状态不允许" {
		t.Fatalf("deadline %+v", dls[0])
	}
	// An infrastructure failure leaves it pending for the next sweep.
	if _, err := f.store.Instances.Apply(ctx, mustInstance(t, f, d.ID), result(mustInstance(t, f, d.ID), "scheduled2", "x", f.actor, t0,
		workflow.Effect{Kind: workflow.EffectDeadline, Name: "again", DueAt: t0, Action: workflow.ActionFire, Transition: "open"})); err != nil {
		t.Fatal(err)
	}
	due, _ = f.store.Deadlines.DueDeadlines(ctx, t0.Add(time.Second), 10)
	_, err = f.store.Deadlines.FireDeadline(ctx, due[0].ID, t0, func(workflow.Instance) (workflow.Result, error) {
		return workflow.Result{}, errors.New("engine exploded")
	})
	if err == nil {
		t.Fatal("infrastructure error swallowed")
	}
	due, _ = f.store.Deadlines.DueDeadlines(ctx, t0.Add(time.Second), 10)
	if len(due) != 1 {
		t.Fatalf("deadline not left pending after a failure: %v", due)
	}
}

func mustInstance(tb testing.TB, f fixture, id int64) workflow.Instance {
	tb.Helper()
	inst, err := f.store.Instances.Instance(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return inst
}

func TestProcessOutboxDeliversOnce(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	head, err := f.store.Accounts.CreateUser(ctx, postgres.User{Username: "head", DisplayName: "李科长", PasswordHash: "x"},
		[]postgres.RoleAssignment{{Role: "unit_head", Unit: "chengjian"}})
	if err != nil {
		t.Fatal(err)
	}
	other, err := f.store.Accounts.CreateUser(ctx, postgres.User{Username: "otherhead", DisplayName: "赵科长", PasswordHash: "x"},
		[]postgres.RoleAssignment{{Role: "unit_head", Unit: "fangchan"}})
	if err != nil {
		t.Fatal(err)
	}
	d := f.mustDocument(t)
	if _, err := f.store.Instances.Apply(ctx, d.Instance, result(d.Instance, "unit_review", "submit", f.actor, t0,
		workflow.Effect{Kind: workflow.EffectNotify, Role: "unit_head"})); err != nil {
		t.Fatal(err)
	}
	items, _ := f.store.Outbox.PendingOutbox(ctx, t0, time.Minute, 10)
	for range 3 {
		if _, err := f.store.Outbox.ProcessOutbox(ctx, items[0].ID, t0); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		user int64
		want int
	}{{head.ID, 1}, {other.ID, 0}, {f.user.ID, 0}} { // the actor is not told of their own action
		ns, err := f.store.Outbox.Notifications(ctx, c.user, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ns) != c.want {
			t.Errorf("user %d has %d notifications, want %d: %+v", c.user, len(ns), c.want, ns)
		}
	}
	left, _ := f.store.Outbox.PendingOutbox(ctx, t0.Add(time.Hour), time.Minute, 10)
	if len(left) != 0 {
		t.Fatalf("processed row still pending: %+v", left)
	}
}

// TestFireDeadlinesBatchFallsBackOnFailure: a batch with one deadline that cannot be carried out
// rolls back and is retried one by one, so the others are still done and the bad one stays pending.
func TestFireDeadlinesBatchFallsBackOnFailure(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	var ids []int64
	for range 5 {
		d := f.mustDocument(t)
		if _, err := f.store.Instances.Apply(ctx, d.Instance, result(d.Instance, "scheduled", "schedule", f.actor, t0,
			workflow.Effect{Kind: workflow.EffectDeadline, Name: "opens", DueAt: t0, Action: workflow.ActionFire, Transition: "open"})); err != nil {
			t.Fatal(err)
		}
	}
	due, err := f.store.Deadlines.DueDeadlines(ctx, t0.Add(time.Second), 10)
	if err != nil || len(due) != 5 {
		t.Fatalf("due %v %v", due, err)
	}
	for _, d := range due {
		ids = append(ids, d.ID)
	}
	bad := due[2].SubjectID
	n, err := f.store.Deadlines.FireDeadlines(ctx, ids, t0, func(d workflow.Deadline, cur workflow.Instance) (workflow.Result, error) {
		if cur.ID == bad {
			return workflow.Result{}, errors.New("engine exploded")
		}
		return result(cur, "open", d.Transition, workflow.SystemActor, t0), nil
	})
	if err == nil || n != 4 {
		t.Fatalf("n=%d err=%v, want 4 done and the failure reported", n, err)
	}
	left, _ := f.store.Deadlines.DueDeadlines(ctx, t0.Add(time.Second), 10)
	if len(left) != 1 || left[0].SubjectID != bad {
		t.Fatalf("pending after the batch: %+v", left)
	}
}

// TestActedOn: the 已办 list gets the user's latest action on each subject, newest subject first,
// limited, and never another user's actions.
func TestActedOn(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	other := workflow.Actor{UserID: 0, Username: "system", Name: "系统"}
	a, b, c := f.mustDocument(t), f.mustDocument(t), f.mustDocument(t)
	at := t0
	step := func(d workflow.Instance, to, name string, actor workflow.Actor) workflow.Instance {
		t.Helper()
		at = at.Add(time.Minute)
		got, err := f.store.Instances.Apply(ctx, d, result(d, to, name, actor, at))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	ai := step(a.Instance, "unit_review", "submit", f.actor)
	step(b.Instance, "unit_review", "submit", f.actor)
	ai = step(ai, "drafting", "withdraw", f.actor) // a: two actions, the later one counts
	step(ai, "unit_review", "submit", other)       // not the user's
	step(c.Instance, "unit_review", "submit", other)
	got, err := f.store.Audit.ActedOn(ctx, f.user.ID, "document", 10)
	if err != nil {
		t.Fatal(err)
	}
	var saw []string
	for _, g := range got {
		saw = append(saw, fmt.Sprintf("%d:%s", g.SubjectID, g.Entry.Action))
	}
	// Creating each document is the user's action too; c was only created by them.
	want := []string{fmt.Sprintf("%d:withdraw", a.ID), fmt.Sprintf("%d:submit", b.ID), fmt.Sprintf("%d:create", c.ID)}
	if !slices.Equal(saw, want) {
		t.Fatalf("acted on = %v, want %v", saw, want)
	}
	if got, err := f.store.Audit.ActedOn(ctx, f.user.ID, "document", 1); err != nil || len(got) != 1 || got[0].SubjectID != a.ID {
		t.Fatalf("limit 1 = %+v, %v", got, err)
	}
}

// TestProcessOutboxBatchOneBadRow: a batch holding a row that cannot be delivered (its subject is
// not there) still delivers the others, each once, and leaves the bad row pending.
func TestProcessOutboxBatchOneBadRow(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	head, err := f.store.Accounts.CreateUser(ctx, postgres.User{Username: "head", DisplayName: "李科长", PasswordHash: "x"},
		[]postgres.RoleAssignment{{Role: "unit_head", Unit: "chengjian"}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for range 2 {
		d := f.mustDocument(t)
		if _, err := f.store.Instances.Apply(ctx, d.Instance, result(d.Instance, "unit_review", "submit", f.actor, t0,
			workflow.Effect{Kind: workflow.EffectNotify, Role: "unit_head"})); err != nil {
			t.Fatal(err)
		}
	}
	var bad int64
	if err := f.db.GetContext(ctx, &bad, `INSERT INTO outbox (org_id, kind, payload) VALUES ($1, 'notify',
		'{"subject_kind":"document","subject_id":987654321,"transition":"submit","roles":["unit_head"]}') RETURNING id`, f.store.Org()); err != nil {
		t.Fatal(err)
	}
	items, _ := f.store.Outbox.PendingOutbox(ctx, t0, time.Minute, 10)
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	if len(ids) != 3 {
		t.Fatalf("pending rows %v, want 3", ids)
	}
	n, err := f.store.Outbox.ProcessOutboxBatch(ctx, ids, t0)
	if err == nil || n != 2 {
		t.Fatalf("batch with a bad row: %d processed, err %v; want 2 and an error", n, err)
	}
	if n, err := f.store.Outbox.ProcessOutboxBatch(ctx, ids, t0); n != 0 || err == nil {
		t.Fatalf("second delivery: %d processed, err %v; want 0 and the bad row's error", n, err)
	}
	if ns, err := f.store.Outbox.Notifications(ctx, head.ID, 10); err != nil || len(ns) != 2 {
		t.Errorf("the head has %d notifications (err %v), want 2, one per good row", len(ns), err)
	}
	left, _ := f.store.Outbox.PendingOutbox(ctx, t0.Add(time.Hour), time.Minute, 10)
	if len(left) != 1 || left[0].ID != bad {
		t.Errorf("pending after the batch: %+v, want only the bad row %d", left, bad)
	}
}
