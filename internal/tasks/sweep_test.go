package tasks_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"wugongkai/internal/postgres"
	"wugongkai/internal/tasks"
	"wugongkai/internal/testkit"
)

// TestSweepFiresTenThousandDeadlinesExactlyOnce: 10,000 consultations whose opening is due at once,
// swept by three sweeps side by side (as three worker processes would), then swept again: every
// deadline is carried out once, every consultation opens once (one version step, one audit event,
// its chain head on the row), each of the unit's two drafters is told once in the firing's own
// transaction (no outbox row), and the audit log verifies with its global sequence complete.
// Then 10,000 transition notifications are handed to three outbox handlers side by side in
// overlapping batches (as asynq's at-least-once delivery and the relay's re-queue would): each row
// is processed once and tells each drafter once.
func TestSweepFiresTenThousandDeadlinesExactlyOnce(t *testing.T) {
	const n = 10000
	ctx := context.Background()
	e := mustEnv(t)
	if _, err := e.store.Accounts.CreateUser(ctx, postgres.User{Username: "drafter2", DisplayName: "李起草", PasswordHash: "x"},
		[]postgres.RoleAssignment{{Role: "drafter", Unit: "chengjian"}}); err != nil {
		t.Fatal(err)
	}
	owner := postgres.BenchOwner{Org: e.store.Org(), Unit: "chengjian", User: e.drafter.UserID}
	if err := postgres.LoadDueConsultations(ctx, e.db.DB.DB, owner, n, time.Now()); err != nil {
		t.Fatal(err)
	}
	// The loader writes no history: start the chains at version 0 so the audit check covers them.
	if _, err := e.db.ExecContext(ctx, `UPDATE documents SET version = 0 WHERE state = 'consultation_scheduled'`); err != nil {
		t.Fatal(err)
	}
	engine := testkit.Engine(t)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		fired int
	)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sw := tasks.NewSweep(tasks.OneOrg(e.store.Org(), e.store.Outbox, e.store.Deadlines), engine, tasks.Config{}, quietLog(), nil)
			got, err := sw.RunOnce(ctx)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			fired += got
			mu.Unlock()
		}()
	}
	wg.Wait()
	if fired != n {
		t.Errorf("the sweeps report %d deadlines carried out, want %d", fired, n)
	}

	if again, err := tasks.NewSweep(tasks.OneOrg(e.store.Org(), e.store.Outbox, e.store.Deadlines), engine, tasks.Config{}, quietLog(), nil).RunOnce(ctx); err != nil || again != 0 {
		t.Fatalf("a second sweep carried out %d, %v", again, err)
	}

	// Deliver: outbox rows of another transition of every consultation, as the API writes them;
	// three handlers, each given every row in batches of 100 that start at different offsets, so
	// every row is handed over three times, in overlapping batches, concurrently.
	if _, err := e.db.ExecContext(ctx, `INSERT INTO outbox (org_id, kind, payload)
		SELECT org_id, 'notify', jsonb_build_object('subject_kind', 'document', 'subject_id', id, 'unit', unit_code,
			'transition', 'close', 'from', 'consultation_open', 'to', 'consultation_closed', 'actor_id', 0,
			'actor_name', '系统', 'roles', jsonb_build_array('drafter'))
		FROM documents WHERE state = 'consultation_open' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	items, err := e.store.Outbox.PendingOutbox(ctx, time.Now(), time.Minute, 2*n)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	processed := 0
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for start := -w * 37; start < len(ids); start += 100 {
				batch := ids[max(start, 0):min(start+100, len(ids))]
				got, err := e.store.Outbox.ProcessOutboxBatch(ctx, batch, time.Now())
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				processed += got
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if processed != n {
		t.Errorf("the handlers report %d outbox rows processed, want %d", processed, n)
	}

	checks := []struct {
		what string
		q    string
		want int
	}{
		{"opening deadlines done", `SELECT count(*) FROM deadlines WHERE name = 'consultation_opens' AND status = 'done'`, n},
		{"opening deadlines not done", `SELECT count(*) FROM deadlines WHERE name = 'consultation_opens' AND status <> 'done'`, 0},
		{"consultations open at version 1", `SELECT count(*) FROM documents WHERE state = 'consultation_open' AND version = 1`, n},
		{"open events", `SELECT count(*) FROM audit_events WHERE action = 'open'`, n},
		{"documents with an open event", `SELECT count(DISTINCT subject_id) FROM audit_events WHERE action = 'open'`, n},
		{"open notifications in the outbox", `SELECT count(*) FROM outbox WHERE payload->>'transition' = 'open'`, 0},
		{"documents whose chain head is the open event", `SELECT count(*) FROM documents d JOIN audit_events a
			ON a.org_id = d.org_id AND a.subject_kind = 'document' AND a.subject_id = d.id AND a.seq = d.audit_seq AND a.hash = d.audit_hash
			WHERE a.action = 'open'`, n},
		{"audit sequence numbers", `SELECT count(DISTINCT gseq) FROM audit_events WHERE action = 'open'`, n},
		{"open notifications (two drafters each)", `SELECT count(*) FROM notifications WHERE kind = 'open'`, 2 * n},
		{"documents whose two drafters were told", `SELECT count(*) FROM (SELECT subject_id FROM notifications WHERE kind = 'open'
			GROUP BY subject_id HAVING count(DISTINCT user_id) = 2 AND count(*) = 2) d`, n},
		{"open notifications naming their deadline", `SELECT count(*) FROM notifications nt JOIN deadlines d
			ON d.org_id = nt.org_id AND nt.source = 'deadline:' || d.id AND d.subject_id = nt.subject_id
			WHERE nt.kind = 'open' AND d.name = 'consultation_opens'`, 2 * n},
		{"close rows processed", `SELECT count(*) FROM outbox WHERE payload->>'transition' = 'close' AND processed_at IS NOT NULL`, n},
		{"close notifications (two drafters each)", `SELECT count(*) FROM notifications WHERE kind = 'close'`, 2 * n},
		{"documents whose two drafters were told of the close", `SELECT count(*) FROM (SELECT subject_id FROM notifications
			WHERE kind = 'close' GROUP BY subject_id HAVING count(DISTINCT user_id) = 2 AND count(*) = 2) d`, n},
	}
	for _, c := range checks {
		if got := e.count(t, c.q); got != c.want {
			t.Errorf("%s: %d, want %d", c.what, got, c.want)
		}
	}
	if _, problems, err := postgres.VerifyAudit(ctx, e.db); err != nil || len(problems) != 0 {
		t.Fatalf("audit after the sweep: %v %v", err, problems[:min(len(problems), 5)])
	}
}

// TestSweepTakesOrganisationsInTurn: organisation A has 2,500 deadlines due, organisation B one.
// With one worker and batches of 1,000, B's deadline is fired in the first round, right after A's
// first batch, not after all of A's; every deadline is fired in its own organisation.
func TestSweepTakesOrganisationsInTurn(t *testing.T) {
	ctx := context.Background()
	e, orgs, orgB, ub := twoOrgs(t)
	orgA := e.store.Org()
	if err := postgres.LoadDueConsultations(ctx, e.db.DB.DB, postgres.BenchOwner{Org: orgA, Unit: "chengjian", User: e.drafter.UserID}, 2500, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := postgres.LoadDueConsultations(ctx, e.db.DB.DB, postgres.BenchOwner{Org: orgB, Unit: "chengjian", User: ub}, 1, time.Now()); err != nil {
		t.Fatal(err)
	}
	var turns []turn
	sw := tasks.NewSweep(orgs, testkit.Engine(t), tasks.Config{SweepBatch: 1000, SweepWorkers: 1}, quietLog(), nil)
	sw.OnFired = func(org int64, n int) { turns = append(turns, turn{org, n}) }
	got, err := sw.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got != 2501 {
		t.Errorf("fired %d, want 2501", got)
	}
	want := []turn{{orgA, 1000}, {orgB, 1}, {orgA, 1000}, {orgA, 500}}
	if !slices.Equal(turns, want) {
		t.Errorf("turns %v, want %v (B's deadline in the first round)", turns, want)
	}
	for _, c := range []struct {
		what      string
		org, want int64
	}{{"A", orgA, 2500}, {"B", orgB, 1}} {
		var opened, events int64
		if err := e.db.GetContext(ctx, &opened, `SELECT count(*) FROM documents WHERE org_id = $1 AND state = 'consultation_open'`, c.org); err != nil {
			t.Fatal(err)
		}
		if err := e.db.GetContext(ctx, &events, `SELECT count(*) FROM audit_events a JOIN documents d ON d.id = a.subject_id
			WHERE a.action = 'open' AND a.org_id = $1 AND d.org_id = $1`, c.org); err != nil {
			t.Fatal(err)
		}
		if opened != c.want || events != c.want {
			t.Errorf("organisation %s: %d opened with %d events in it, want %d", c.what, opened, events, c.want)
		}
	}
}

// TestSweepGivesRestingOrganisationsAnotherTurn: while one sweep fires organisation A's flood, a
// deadline of organisation B, which had nothing due at its first turn, falls due: B is given
// another turn within the same sweep and its deadline fired before A's flood is done.
func TestSweepGivesRestingOrganisationsAnotherTurn(t *testing.T) {
	ctx := context.Background()
	e, orgs, orgB, ub := twoOrgs(t)
	orgA := e.store.Org()
	if err := postgres.LoadDueConsultations(ctx, e.db.DB.DB, postgres.BenchOwner{Org: orgA, Unit: "chengjian", User: e.drafter.UserID}, 2000, time.Now()); err != nil {
		t.Fatal(err)
	}
	var turns []turn
	sw := tasks.NewSweep(orgs, testkit.Engine(t), tasks.Config{SweepBatch: 500, SweepWorkers: 1, SweepInterval: time.Nanosecond}, quietLog(), nil)
	sw.OnFired = func(org int64, n int) {
		turns = append(turns, turn{org, n})
		if len(turns) == 2 { // A's second batch: B's first turn found nothing; now B has one due
			if err := postgres.LoadDueConsultations(ctx, e.db.DB.DB, postgres.BenchOwner{Org: orgB, Unit: "chengjian", User: ub}, 1, time.Now()); err != nil {
				t.Error(err)
			}
		}
	}
	if _, err := sw.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	want := []turn{{orgA, 500}, {orgA, 500}, {orgB, 1}, {orgA, 500}, {orgA, 500}}
	if !slices.Equal(turns, want) {
		t.Errorf("turns %v, want %v (B's deadline fired in the same sweep, before A's flood is done)", turns, want)
	}
}

// turn is one sweep turn: an organisation and how many of its deadlines were carried out.
type turn struct {
	org int64
	n   int
}

// twoOrgs returns the test environment (organisation A, its store) with a second organisation B
// beside it (a unit and a drafter, whose id it returns), and the sweep's view of both.
func twoOrgs(t *testing.T) (env, tasks.Orgs, int64, int64) {
	t.Helper()
	ctx := context.Background()
	e := mustEnv(t)
	orgB, err := postgres.EnsureOrg(ctx, e.db, "TESTORG002", "测试委")
	if err != nil {
		t.Fatal(err)
	}
	b := postgres.NewStores(e.db, orgB, nil)
	t.Cleanup(b.Close)
	if err := b.Orgs.EnsureUnit(ctx, "chengjian", "城建科"); err != nil {
		t.Fatal(err)
	}
	ub, err := b.Accounts.CreateUser(ctx, postgres.User{Username: "drafter", DisplayName: "赵起草", PasswordHash: "x"},
		[]postgres.RoleAssignment{{Role: "drafter", Unit: "chengjian"}})
	if err != nil {
		t.Fatal(err)
	}
	stores := postgres.NewOrgStores(e.db, nil, e.store, b)
	return e, tasks.Orgs{IDs: stores.IDs,
		Outbox:    func(org int64) tasks.Outbox { return stores.For(org).Outbox },
		Deadlines: func(org int64) tasks.Deadlines { return stores.For(org).Deadlines }}, orgB, ub.ID
}
