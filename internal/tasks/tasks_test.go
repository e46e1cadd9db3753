package tasks_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"wugongkai/internal/postgres"
	"wugongkai/internal/postgres/pgtest"
	"wugongkai/internal/tasks"
	"wugongkai/workflow"
	"wugongkai/workflow/documents"
)

// redisServer is a private redis-server process, so a test can stop, restart and flush it without
// touching the Redis other test packages use.
type redisServer struct {
	port int
	dir  string
	cmd  *exec.Cmd
}

func startRedis(tb testing.TB) *redisServer {
	tb.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		tb.Fatal("redis-server is not installed (Debian package redis-server)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	r := &redisServer{port: port, dir: tb.TempDir()}
	r.start(tb)
	tb.Cleanup(r.stop)
	return r
}

func (r *redisServer) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

func (r *redisServer) start(tb testing.TB) {
	tb.Helper()
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "no", "--dir", r.dir)
	r.cmd.Stdout, r.cmd.Stderr = io.Discard, io.Discard
	if err := r.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", r.port)); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	tb.Fatal("redis-server did not start")
}

func (r *redisServer) stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		r.cmd.Process.Kill()
		r.cmd.Wait()
		r.cmd = nil
	}
}

// fakeEngine opens a scheduled instance: the only timed transition these tests need.
type fakeEngine struct{}

func (fakeEngine) Fire(inst workflow.Instance, name string, actor workflow.Actor, in workflow.Input, now time.Time) (workflow.Result, error) {
	if inst.State != "scheduled" || name != "open" {
		return workflow.Result{}, workflow.Errorf(workflow.ETransitionNotAllowed, "当前状态不允许")
	}
	next := inst
	next.State = "open"
	next.Facts = inst.Facts.Clone()
	return workflow.Result{Instance: next, Event: workflow.Event{Transition: name, From: inst.State, To: "open", Actor: actor, At: now},
		Effects: []workflow.Effect{{Kind: workflow.EffectNotify, Role: "unit_head"}}}, nil
}

type env struct {
	store   *postgres.Stores
	db      *postgres.DB
	drafter workflow.Actor
	heads   int
}

func mustEnv(tb testing.TB) env {
	tb.Helper()
	ctx := context.Background()
	db := pgtest.New(tb)
	org, err := postgres.EnsureOrg(ctx, db, "TESTORG001", "测试局")
	if err != nil {
		tb.Fatal(err)
	}
	s := postgres.NewStores(db, org, nil)
	tb.Cleanup(s.Close)
	if err := s.Orgs.EnsureUnit(ctx, "chengjian", "城建科"); err != nil {
		tb.Fatal(err)
	}
	u, err := s.Accounts.CreateUser(ctx, postgres.User{Username: "drafter", DisplayName: "王起草", PasswordHash: "x"},
		[]postgres.RoleAssignment{{Role: "drafter", Unit: "chengjian"}})
	if err != nil {
		tb.Fatal(err)
	}
	for i := range 2 {
		if _, err := s.Accounts.CreateUser(ctx, postgres.User{Username: fmt.Sprintf("head%d", i), DisplayName: "科长", PasswordHash: "x"},
			[]postgres.RoleAssignment{{Role: "unit_head", Unit: "chengjian"}}); err != nil {
			tb.Fatal(err)
		}
	}
	return env{store: s, db: db, drafter: workflow.Actor{UserID: u.ID, Username: u.Username, Name: u.DisplayName}, heads: 2}
}

// submit creates a document and moves it to "scheduled" with a notify effect and an opening
// deadline due at due.
func (e env) submit(tb testing.TB, due time.Time) int64 {
	tb.Helper()
	ctx := context.Background()
	now := time.Now()
	d, err := e.store.Documents.CreateDocument(ctx, documents.Document{
		Instance: workflow.Instance{Unit: "chengjian", Definition: "decision", DefinitionVersion: 1, State: "drafting", Facts: workflow.Facts{}},
		Title:    "草案", DocKind: documents.KindOther, CreatedBy: e.drafter.UserID}, e.drafter, now)
	if err != nil {
		tb.Fatal(err)
	}
	next := d.Instance
	next.State = "scheduled"
	_, err = e.store.Instances.Apply(ctx, d.Instance, workflow.Result{Instance: next,
		Event: workflow.Event{Transition: "schedule", From: "drafting", To: "scheduled", Actor: e.drafter, At: now},
		Effects: []workflow.Effect{{Kind: workflow.EffectNotify, Role: "unit_head"},
			{Kind: workflow.EffectDeadline, Name: "opens", DueAt: due, Action: workflow.ActionFire, Transition: "open"}}})
	if err != nil {
		tb.Fatal(err)
	}
	return d.ID
}

func (e env) count(tb testing.TB, q string) int {
	tb.Helper()
	var n int
	if err := e.db.GetContext(context.Background(), &n, q); err != nil {
		tb.Fatal(err)
	}
	return n
}

func waitFor(tb testing.TB, what string, timeout time.Duration, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatalf("timed out waiting for %s", what)
}

func quietLog() *slog.Logger {
	if os.Getenv("WUGONGKAI_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func startWorker(tb testing.TB, e env, r *tasks.Redis) *tasks.Worker {
	tb.Helper()
	w := tasks.NewWorker(r, tasks.OneOrg(e.store.Org(), e.store.Outbox, e.store.Deadlines), fakeEngine{}, tasks.Config{RelayInterval: 50 * time.Millisecond,
		SweepInterval: 100 * time.Millisecond, RequeueAfter: time.Second}, 4, quietLog(), nil)
	if err := w.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return w
}

// TestNothingLostWhenRedisStopsOrIsFlushed proves invariant 3: with Redis stopped during
// transitions and across a deadline's instant, and with Redis flushed while tasks wait in it,
// every committed effect still happens, and exactly once.
func TestNothingLostWhenRedisStopsOrIsFlushed(t *testing.T) {
	ctx := context.Background()
	e := mustEnv(t)
	rs := startRedis(t)
	r, err := tasks.ConnectRedis(ctx, rs.url(), false, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()

	// Two workers, as two processes would run: nothing may happen twice.
	w1 := startWorker(t, e, r)
	w2 := startWorker(t, e, r)
	defer w1.Shutdown()
	defer w2.Shutdown()

	// Phase 1: Redis up.
	for range 5 {
		e.submit(t, time.Now().Add(300*time.Millisecond))
	}
	// Phase 2: Redis down while transitions commit and while their deadlines fall due.
	rs.stop()
	for range 5 {
		e.submit(t, time.Now().Add(300*time.Millisecond))
	}
	// The deadlines fire from PostgreSQL even with Redis down.
	waitFor(t, "deadlines to fire with redis down", 20*time.Second, func() bool {
		return e.count(t, `SELECT count(*) FROM documents WHERE state = 'open'`) == 10
	})
	time.Sleep(500 * time.Millisecond)
	rs.start(t)

	// Each document: 1 notify row from schedule; its open notification is written by the sweep
	// itself, in the firing's transaction, to the 2 unit heads and the creator.
	waitFor(t, "every outbox row processed after redis returns", 30*time.Second, func() bool {
		return e.count(t, `SELECT count(*) FROM outbox WHERE processed_at IS NULL`) == 0
	})

	// Phase 3: flush Redis while tasks sit in it unprocessed.
	w1.Shutdown()
	w2.Shutdown()
	relayOnly := tasks.NewWorker(r, tasks.OneOrg(e.store.Org(), e.store.Outbox, e.store.Deadlines), fakeEngine{}, tasks.Config{RequeueAfter: time.Second}, 1, quietLog(), nil)
	for range 3 {
		e.submit(t, time.Now().Add(time.Hour))
	}
	if n, err := relayOnly.Relay.RunOnce(ctx); err != nil || n != 3 {
		t.Fatalf("relay handed over %d rows, err %v; want 3", n, err)
	}
	if err := r.Client().FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	w3 := startWorker(t, e, r)
	defer w3.Shutdown()
	waitFor(t, "flushed tasks to be sent again and processed", 30*time.Second, func() bool {
		return e.count(t, `SELECT count(*) FROM outbox WHERE processed_at IS NULL`) == 0
	})

	// Exactly once: 13 notify rows and 10 opens, each delivered to the 2 unit heads (the actor, the
	// drafter, is told only of the system's "open", i.e. 10 more), and no source delivered twice to
	// one user.
	wantRows := 13
	if got := e.count(t, `SELECT count(*) FROM outbox`); got != wantRows {
		t.Fatalf("outbox rows %d, want %d", got, wantRows)
	}
	wantNotes := (wantRows+10)*e.heads + 10
	if got := e.count(t, `SELECT count(*) FROM notifications`); got != wantNotes {
		t.Fatalf("notifications %d, want %d", got, wantNotes)
	}
	if got := e.count(t, `SELECT count(*) FROM audit_events WHERE action = 'open'`); got != 10 {
		t.Fatalf("open fired %d times, want 10", got)
	}
	if got := e.count(t, `SELECT count(*) FROM deadlines WHERE status = 'done'`); got != 10 {
		t.Fatalf("%d deadlines done, want 10", got)
	}
}

func TestFallbackToInProcessRedis(t *testing.T) {
	ctx := context.Background()
	r, err := tasks.ConnectRedis(ctx, "redis://127.0.0.1:1/0", true, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !r.Fallback {
		t.Fatal("unreachable redis did not fall back")
	}
	if err := r.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := tasks.ConnectRedis(ctx, "redis://127.0.0.1:1/0", false, quietLog()); err == nil {
		t.Fatal("unreachable redis without fallback did not fail")
	}
}

// TestFallbackWorkerProcessesTasks runs the full worker on the in-process Redis.
func TestFallbackWorkerProcessesTasks(t *testing.T) {
	ctx := context.Background()
	e := mustEnv(t)
	r, err := tasks.ConnectRedis(ctx, "", true, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w := startWorker(t, e, r)
	defer w.Shutdown()
	e.submit(t, time.Now().Add(100*time.Millisecond))
	waitFor(t, "work done on in-process redis", 20*time.Second, func() bool {
		return e.count(t, `SELECT count(*) FROM outbox WHERE processed_at IS NULL`) == 0 &&
			e.count(t, `SELECT count(*) FROM documents WHERE state = 'open'`) == 1
	})
}

// TestWorkerServesEveryOrganisation: one worker serves every organisation in the database, an
// organisation added while it runs too: each organisation's deadlines fire and its notifications
// reach its own users, each once.
func TestWorkerServesEveryOrganisation(t *testing.T) {
	ctx := context.Background()
	a := mustEnv(t)
	r, err := tasks.ConnectRedis(ctx, "", true, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	stores := postgres.NewOrgStores(a.db, nil, a.store)
	defer stores.Close()
	orgs := tasks.Orgs{IDs: stores.IDs,
		Outbox:    func(org int64) tasks.Outbox { return stores.For(org).Outbox },
		Deadlines: func(org int64) tasks.Deadlines { return stores.For(org).Deadlines }}
	w := tasks.NewWorker(r, orgs, fakeEngine{}, tasks.Config{RelayInterval: 50 * time.Millisecond,
		SweepInterval: 100 * time.Millisecond, RequeueAfter: time.Second}, 4, quietLog(), nil)
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer w.Shutdown()
	a.submit(t, time.Now().Add(200*time.Millisecond))

	// A second organisation, added while the worker runs, with its own unit, drafter and head.
	orgB, err := postgres.EnsureOrg(ctx, a.db, "TESTORG002", "测试委")
	if err != nil {
		t.Fatal(err)
	}
	sb := postgres.NewStores(a.db, orgB, nil)
	defer sb.Close()
	if err := sb.Orgs.EnsureUnit(ctx, "chengjian", "城建科"); err != nil {
		t.Fatal(err)
	}
	ub, err := sb.Accounts.CreateUser(ctx, postgres.User{Username: "drafter", DisplayName: "赵起草", PasswordHash: "x"},
		[]postgres.RoleAssignment{{Role: "drafter", Unit: "chengjian"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sb.Accounts.CreateUser(ctx, postgres.User{Username: "head", DisplayName: "钱科长", PasswordHash: "x"},
		[]postgres.RoleAssignment{{Role: "unit_head", Unit: "chengjian"}}); err != nil {
		t.Fatal(err)
	}
	b := env{store: sb, db: a.db, drafter: workflow.Actor{UserID: ub.ID, Username: ub.Username, Name: ub.DisplayName}, heads: 1}
	b.submit(t, time.Now().Add(200*time.Millisecond))

	waitFor(t, "both organisations' documents open and their notifications delivered", 30*time.Second, func() bool {
		return a.count(t, `SELECT count(*) FROM documents WHERE state = 'open'`) == 2 &&
			a.count(t, `SELECT count(*) FROM outbox WHERE processed_at IS NULL`) == 0
	})
	for _, c := range []struct {
		name string
		e    env
	}{{"A", a}, {"B", b}} {
		org := c.e.store.Org()
		var notes, foreign, opened int
		if err := a.db.GetContext(ctx, &notes, `SELECT count(*) FROM notifications WHERE org_id = $1`, org); err != nil {
			t.Fatal(err)
		}
		if err := a.db.GetContext(ctx, &foreign, `SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id
			WHERE n.org_id = $1 AND u.org_id <> $1`, org); err != nil {
			t.Fatal(err)
		}
		if err := a.db.GetContext(ctx, &opened, `SELECT count(*) FROM audit_events WHERE org_id = $1 AND action = 'open'`, org); err != nil {
			t.Fatal(err)
		}
		// Two notify rows (schedule, open), each to the unit heads; the open also to the creator.
		if want := 2*c.e.heads + 1; notes != want || foreign != 0 || opened != 1 {
			t.Errorf("organisation %s: %d notifications (%d to another organisation's users), %d opened; want %d, 0, 1",
				c.name, notes, foreign, opened, want)
		}
	}
}
