package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// agencyDeadlines is how many deadlines of the second agency fall due at once in each measurement
// of the agencies scenario.
const agencyDeadlines = 1000

// agencies shows that one agency's flood does not delay another's statutory deadlines (issue 15):
// the second agency's deadlines are loaded due at once and their firing lag measured three times,
// with the platform quiet, during a mass comment campaign on the first agency (every client
// posting comments to one open consultation), and while a flood of the first agency's deadlines
// (as many as the sweep scenario's) falls due at the same instant. The sweep takes the agencies'
// batches in turn, so the second agency's lag should stay near the quiet one.
func (b *runner) agencies(ctx context.Context) error {
	const name = "agency B's deadline lag"
	if b.t.Agency.Org == 0 || b.t.LoadDueConsultations == nil {
		b.skip(name, "no second agency in this build")
		return nil
	}
	quietName := fmt.Sprintf("%s (%d due, quiet)", name, agencyDeadlines)
	quiet, err := b.agencyLag(ctx, quietName)
	if err != nil {
		return err
	}
	b.r.Rows = append(b.r.Rows, quiet)

	_, path, err := b.openConsultation(ctx)
	if err != nil {
		return err
	}
	type result struct {
		st  Stats
		err error
	}
	campaign := make(chan result, 1)
	go func() {
		st, err := Load{Concurrency: b.cfg.Concurrency, Duration: b.cfg.Duration}.Drive(ctx, commentOp(b.apiFor, path))
		campaign <- result{st, err}
	}()
	time.Sleep(min(time.Second, b.cfg.Duration/4)) // the campaign at full load first
	busy, err := b.agencyLag(ctx, fmt.Sprintf("%s (%d due, during a comment campaign on agency A)", name, agencyDeadlines))
	c := <-campaign
	if err != nil {
		return err
	}
	if c.err != nil {
		return c.err
	}
	busy.Note = fmt.Sprintf("%s; the campaign: %.0f comments/s from %d clients for %s (p99 %.1f ms, %d errors)", busy.Note,
		c.st.PerSecond, b.cfg.Concurrency, b.cfg.Duration, ms(c.st.P99), c.st.Errors)
	b.add(busy, quietName)

	flood := b.cfg.Data.Deadlines
	b.t.logf("bench: loading %d due deadlines of agency A, then %d of agency B", flood, agencyDeadlines)
	a, err := b.loadDue(ctx, b.t.Owner, flood)
	if err != nil {
		return err
	}
	floodRow, err := b.agencyLag(ctx, fmt.Sprintf("%s (%d due, while %d of agency A's fire)", name, agencyDeadlines, flood))
	if err != nil {
		return err
	}
	late, err := b.waitFired(ctx, b.t.Owner, a, time.Now().Add(max(10*time.Minute, time.Duration(flood)*10*time.Millisecond)))
	if err != nil {
		return err
	}
	if late {
		floodRow.Note += fmt.Sprintf("; agency A's %d deadlines were still not all fired when the bench gave up", flood)
	} else {
		floodRow.Note += fmt.Sprintf("; agency A's %d all fired %.1f s after their commit", flood, time.Since(a.committed).Seconds())
	}
	b.add(floodRow, quietName)
	return nil
}

// agencyLag loads the second agency's deadlines due at once and measures how long they waited.
func (b *runner) agencyLag(ctx context.Context, name string) (Row, error) {
	b.t.logf("bench: %s", name)
	run, err := b.loadDue(ctx, b.t.Agency, agencyDeadlines)
	if err != nil {
		return Row{}, err
	}
	late, err := b.waitFired(ctx, b.t.Agency, run, time.Now().Add(5*time.Minute))
	if err != nil {
		return Row{}, err
	}
	fired := time.Since(run.committed)
	p50, p99, err := b.firingLatency(ctx, b.t.Agency, run)
	if err != nil {
		return Row{}, err
	}
	row := Row{Name: name, Kind: "scenario", Unit: "deadlines/s", Throughput: float64(agencyDeadlines) / fired.Seconds(),
		P50ms: p50 * 1000, P99ms: p99 * 1000, Requests: agencyDeadlines,
		Note: fmt.Sprintf("every deadline fired %.2f s after the commit; latency = firing time after the commit", fired.Seconds())}
	if late {
		row.Errors = agencyDeadlines
		row.Note = "gave up after 5 minutes with deadlines still pending"
	}
	return row, nil
}

// dueRun is one load of deadlines due at once: when it was committed, and the deadline and outbox
// ids before it, so that only its own rows are watched.
type dueRun struct {
	committed     time.Time
	firstDeadline int64
	outboxBefore  int64
}

// loadDue commits n opening deadlines of o, due at once.
func (b *runner) loadDue(ctx context.Context, o Owner, n int) (dueRun, error) {
	var r dueRun
	if err := b.t.DB.QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) FROM outbox`).Scan(&r.outboxBefore); err != nil {
		return r, fmt.Errorf("read outbox: %w", err)
	}
	if err := b.t.DB.QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) FROM deadlines`).Scan(&r.firstDeadline); err != nil {
		return r, fmt.Errorf("read deadlines: %w", err)
	}
	if err := b.t.LoadDueConsultations(ctx, b.t.DB, o, n, time.Now()); err != nil {
		return r, err
	}
	r.committed = time.Now()
	// The statistics a working database has: the loader's COPY leaves the tables as PostgreSQL
	// last analyzed them, nearly empty, and planned from that it takes the organisation's rows
	// for a few hundred and joins each batch against a scan of all of them (docs/performance.md).
	// Autovacuum analyzes a table a minute or so after such a load; here it is done at once, and
	// its time counts against the sweep, which is already firing.
	if _, err := b.t.DB.ExecContext(ctx, `ANALYZE documents, deadlines`); err != nil {
		return r, fmt.Errorf("analyze: %w", err)
	}
	return r, nil
}

// waitFired polls (one index probe every 100 ms, so that watching does not cost the sweep) until
// none of run's deadlines is pending, and reports whether it gave up at limit.
func (b *runner) waitFired(ctx context.Context, o Owner, run dueRun, limit time.Time) (bool, error) {
	for {
		var one int
		err := b.t.DB.QueryRowContext(ctx, `SELECT 1 FROM deadlines WHERE status = 'pending' AND due_at <= $3 AND org_id = $1
			AND name = 'consultation_opens' AND id > $2 LIMIT 1`, o.Org, run.firstDeadline, run.committed.UTC()).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("watch deadlines: %w", err)
		}
		if time.Now().After(limit) {
			return true, nil
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// firingLatency returns the median and 99th percentile, in seconds, of run's firings after its
// commit (each deadline's done_at: the start of the batch that fired it).
func (b *runner) firingLatency(ctx context.Context, o Owner, run dueRun) (p50, p99 float64, err error) {
	const q = `SELECT COALESCE(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM done_at - $3)), 0),
		COALESCE(percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM done_at - $3)), 0)
		FROM deadlines WHERE org_id = $1 AND id > $2 AND name = 'consultation_opens' AND status = 'done'`
	if err := b.t.DB.QueryRowContext(ctx, q, o.Org, run.firstDeadline, run.committed).Scan(&p50, &p99); err != nil {
		return 0, 0, fmt.Errorf("firing latencies: %w", err)
	}
	return max(p50, 0), max(p99, 0), nil
}

// told counts run's consultations whose opening has been notified to someone.
func (b *runner) told(ctx context.Context, o Owner, run dueRun) (int, error) {
	var n int
	const q = `SELECT count(DISTINCT nt.subject_id) FROM notifications nt
		JOIN deadlines d ON d.org_id = nt.org_id AND d.subject_kind = nt.subject_kind AND d.subject_id = nt.subject_id
		WHERE nt.org_id = $1 AND nt.kind = 'open' AND d.name = 'consultation_opens' AND d.id > $2`
	if err := b.t.DB.QueryRowContext(ctx, q, o.Org, run.firstDeadline).Scan(&n); err != nil {
		return 0, fmt.Errorf("count notified consultations: %w", err)
	}
	return n, nil
}
