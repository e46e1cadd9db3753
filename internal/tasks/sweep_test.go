package tasks_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"wugongkai/internal/postgres"
	"wugongkai/internal/tasks"
	"wugongkai/internal/testkit"
)

// TestSweepFiresTenThousandDeadlinesExactlyOnce: 10,000 consultations whose opening is due at once,
// swept by three sweeps side by side (as three worker processes would): every deadline is carried
// out once, every consultation opens once (one version step, one audit event, one outbox row), and the audit log verifies with its global sequence complete.
func TestSweepFiresTenThousandDeadlinesExactlyOnce(t *testing.T) {
	const n = 10000
	ctx := context.Background()
	e := mustEnv(t)
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
			sw := tasks.NewSweep(e.store.Deadlines, engine, tasks.Config{}, quietLog(), nil)
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
		{"open notifications in the outbox", `SELECT count(*) FROM outbox WHERE payload->>'transition' = 'open'`, n},
		{"documents with an open outbox row", `SELECT count(DISTINCT payload->>'subject_id') FROM outbox WHERE payload->>'transition' = 'open'`, n},
		{"audit sequence numbers", `SELECT count(DISTINCT gseq) FROM audit_events WHERE action = 'open'`, n},
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
