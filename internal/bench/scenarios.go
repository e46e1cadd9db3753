package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"strings"
	"time"

	"wugongkai/internal/benchtext"
)

// pgbench returns the pgbench runner with the service's connection settings and as many clients
// as the service can hold connections.
func (b *runner) pgbench() (Pgbench, error) {
	path, err := FindPgbench()
	if err != nil {
		return Pgbench{}, err
	}
	dir := b.cfg.WorkDir
	if dir == "" {
		dir = os.TempDir()
	}
	clients := min(b.cfg.Concurrency, b.cfg.DBConns)
	return Pgbench{Path: path, DSN: b.t.DSN, Clients: clients, Threads: min(clients, runtime.NumCPU()), Dir: dir}, nil
}

func pgbenchRow(unit string, res PgbenchResult) Row {
	return Row{Unit: unit, Throughput: res.TPS, P50ms: ms(res.P50), P99ms: ms(res.P99), Requests: res.Transactions, Errors: res.Failed}
}

func (b *runner) pgbenchTPCB(ctx context.Context) (Row, error) {
	p, err := b.pgbench()
	if err != nil {
		return Row{}, err
	}
	scale := b.cfg.PgbenchScale
	if scale <= 0 {
		scale = p.Clients
	}
	if err := p.Init(ctx, scale); err != nil {
		return Row{}, err
	}
	res, err := p.TPCB(ctx, b.cfg.Duration)
	if err != nil {
		return Row{}, err
	}
	row := pgbenchRow("tx/s", res)
	row.Note = fmt.Sprintf("pgbench -b tpcb-like -s %d -c %d -j %d: five statements per transaction (three UPDATEs, a SELECT, an INSERT)",
		scale, p.Clients, p.Threads)
	return row, nil
}

func (b *runner) pgbenchInsert(ctx context.Context) (Row, error) {
	p, err := b.pgbench()
	if err != nil {
		return Row{}, err
	}
	if _, err := b.t.DB.ExecContext(ctx, InsertTable); err != nil {
		return Row{}, fmt.Errorf("create bench_insert: %w", err)
	}
	res, err := p.Insert(ctx, b.cfg.Duration)
	if err != nil {
		return Row{}, err
	}
	row := pgbenchRow("tx/s", res)
	row.Note = fmt.Sprintf("pgbench -f insert.sql -c %d -j %d: one comment-sized row per transaction, one commit each", p.Clients, p.Threads)
	return row, nil
}

func (b *runner) trivial(ctx context.Context) (Row, error) {
	tr, err := StartTrivial()
	if err != nil {
		return Row{}, err
	}
	defer tr.Close()
	st, err := b.load().Drive(ctx, func(ctx context.Context, _, _ int) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, tr.URL, nil)
		if err != nil {
			return err
		}
		return Expect(b.client, req, http.StatusOK, nil)
	})
	if err != nil {
		return Row{}, err
	}
	return statsRow("", "limit", "req/s", st), nil
}

// transitions fires submit and withdraw in turn on documents each client owns, as logged-in
// drafters: every request a full transition (version check, audit event, outbox row) answered with
// the document's detail. Documents rotate so their histories stay the length of real ones.
func (b *runner) transitions(ctx context.Context) error {
	const name, perClient = "workflow transitions (submit/withdraw)", 20
	if len(b.t.Drafters) == 0 {
		return fmt.Errorf("no drafter accounts")
	}
	tokens := make([]string, len(b.t.Drafters))
	for i, acc := range b.t.Drafters {
		tok, err := b.api.login(ctx, acc)
		if err != nil {
			return err
		}
		tokens[i] = tok
	}
	docs := make([][]document, b.cfg.Concurrency)
	for w := range docs {
		tok := tokens[w%len(tokens)]
		for i := range perClient {
			d, err := b.api.create(ctx, tok, map[string]any{"title": fmt.Sprintf("压测文件 %d-%d", w, i), "attribute": "主动公开",
				"body": benchtext.Text(rand.New(rand.NewPCG(uint64(w), uint64(i))), 8)})
			if err != nil {
				return err
			}
			docs[w] = append(docs[w], d)
		}
	}
	st, err := b.load().Drive(ctx, func(ctx context.Context, w, seq int) error {
		tok := tokens[w%len(tokens)]
		d := &docs[w][seq%perClient]
		next := "submit"
		if d.State == "unit_review" {
			next = "withdraw"
		}
		a := b.apiFor(w)
		out, err := a.fire(ctx, tok, *d, next, nil)
		if err != nil {
			if fresh, gerr := a.get(ctx, tok, d.ID); gerr == nil {
				*d = fresh
			}
			return err
		}
		*d = out
		return nil
	})
	if err != nil {
		return err
	}
	row := statsRow(name, "scenario", "transitions/s", st)
	b.add(row, LimitTPCB)
	return nil
}

// comments opens a consultation through the workflow (drafter submits, unit head approves, the
// sweep opens it) and posts comments to it from every client.
func (b *runner) comments(ctx context.Context) error {
	const name = "comment intake (one open consultation)"
	if len(b.t.Drafters) == 0 || b.t.UnitHead.Username == "" {
		return fmt.Errorf("no drafter or unit head account")
	}
	probe, err := b.api.request(ctx, http.MethodPost, "/api/v1/public/consultations/1/comments", "", map[string]string{"text": "探测意见接口"})
	if err != nil {
		return err
	}
	if perr := Expect(b.client, probe, http.StatusCreated, nil); perr != nil && routeMissing(perr) {
		b.skip(name, "comment intake is not wired into this build (POST /api/v1/public/consultations/:id/comments has no route)")
		return nil
	}
	id, path, err := b.openConsultation(ctx)
	if err != nil {
		return err
	}
	st, err := b.load().Drive(ctx, commentOp(b.apiFor, path))
	if err != nil {
		return err
	}
	row := statsRow(name, "scenario", "comments/s", st)
	var stored int
	if err := b.t.DB.QueryRowContext(ctx, `SELECT count(*) FROM comments WHERE document_id = $1`, id).Scan(&stored); err == nil {
		row.Note = strings.TrimSpace(fmt.Sprintf("%d comments stored. %s", stored, row.Note))
	}
	b.add(row, LimitInsert)
	return nil
}

// openConsultation takes a decision draft through the workflow as the bench's drafter and unit
// head (submit, approve) and waits until the sweep has opened its consultation; it returns the
// draft's id and the path comments are posted to.
func (b *runner) openConsultation(ctx context.Context) (int64, string, error) {
	drafter, err := b.api.login(ctx, b.t.Drafters[0])
	if err != nil {
		return 0, "", err
	}
	head, err := b.api.login(ctx, b.t.UnitHead)
	if err != nil {
		return 0, "", err
	}
	opens := time.Now().Add(3 * time.Second).Truncate(time.Second)
	closes := opens.Add(40 * 24 * time.Hour)
	d, err := b.api.create(ctx, drafter, map[string]any{"definition": "decision", "title": "关于城市道路占用挖掘管理的规定（征求意见稿）",
		"body": benchtext.Text(rand.New(rand.NewPCG(5, 6)), 30), "explanation": "起草说明", "attribute": "主动公开",
		"opens_at": opens.Format(time.RFC3339), "closes_at": closes.Format(time.RFC3339)})
	if err != nil {
		return 0, "", err
	}
	if d, err = b.api.fire(ctx, drafter, d, "submit", nil); err != nil {
		return 0, "", err
	}
	if _, err = b.api.fire(ctx, head, d, "approve", nil); err != nil {
		return 0, "", err
	}
	path := fmt.Sprintf("/api/v1/public/consultations/%d/comments", d.ID)
	deadline := time.Now().Add(30 * time.Second)
	for {
		time.Sleep(200 * time.Millisecond)
		req, err := b.api.request(ctx, http.MethodPost, path, "", map[string]string{"name": "压测", "text": "开放前后探测：建议延长公示期限。"})
		if err != nil {
			return 0, "", err
		}
		err = Expect(b.client, req, http.StatusCreated, nil)
		if err == nil {
			return d.ID, path, nil
		}
		if time.Now().After(deadline) {
			return 0, "", fmt.Errorf("the consultation did not open: %w", err)
		}
	}
}

// commentOp posts one citizen's comment to path, client w through apiFor(w).
func commentOp(apiFor func(w int) api, path string) Op {
	return func(ctx context.Context, w, seq int) error {
		a := apiFor(w)
		text := fmt.Sprintf("第%d位市民的第%d条意见：建议在第%d条中明确%s的具体标准和时限，并向社会公开办理结果。", w+1, seq+1, seq%30+1,
			benchtext.Topics[(w+seq)%len(benchtext.Topics)])
		req, err := a.request(ctx, http.MethodPost, path, "", map[string]string{"name": fmt.Sprintf("市民%d", w+1), "text": text})
		if err != nil {
			return err
		}
		return Expect(a.client, req, http.StatusCreated, nil)
	}
}

// public loads published documents and reads the portal's list and document page, as JSON and,
// when the pages are wired, as HTML.
func (b *runner) public(ctx context.Context) error {
	n := b.cfg.Data.Published
	b.t.logf("bench: loading %d published documents", n)
	ids, err := b.t.LoadPublished(ctx, b.t.DB, b.t.Owner, b.t.OrgCode, n, time.Now())
	if err != nil {
		return err
	}
	if _, err := b.t.DB.ExecContext(ctx, `VACUUM ANALYZE documents`); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	pages := max(1, min(50, n/20))
	get := func(path string, html bool) Op {
		return func(ctx context.Context, w, seq int) error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.t.BaseURL+path, nil)
			if err != nil {
				return err
			}
			if html {
				req.Header.Set("Accept", "text/html")
			}
			return Expect(b.client, req, http.StatusOK, nil)
		}
	}
	pick := func(w, seq int) int64 { return ids[(w*7919+seq*104729)%len(ids)] }
	cases := []struct {
		name string
		op   Op
		html bool
	}{
		{"public document list (JSON, pages 1–50)", func(ctx context.Context, w, seq int) error {
			return get(fmt.Sprintf("/api/v1/public/documents?page=%d", 1+(w+seq)%pages), false)(ctx, w, seq)
		}, false},
		{"public document page (JSON)", func(ctx context.Context, w, seq int) error {
			return get(fmt.Sprintf("/api/v1/public/documents/%d", pick(w, seq)), false)(ctx, w, seq)
		}, false},
		{"portal list page (HTML)", func(ctx context.Context, w, seq int) error {
			return get(fmt.Sprintf("/?page=%d", 1+(w+seq)%pages), true)(ctx, w, seq)
		}, true},
		{"portal document page (HTML)", func(ctx context.Context, w, seq int) error {
			return get(fmt.Sprintf("/documents/%d", pick(w, seq)), true)(ctx, w, seq)
		}, true},
	}
	for _, c := range cases {
		if err := c.op(ctx, 0, 0); err != nil {
			if c.html && routeMissing(err) {
				b.skip(c.name, "the portal pages are not wired into this build")
				continue
			}
			return err
		}
		b.t.logf("bench: %s", c.name)
		st, err := b.load().Drive(ctx, c.op)
		if err != nil {
			return err
		}
		row := statsRow(c.name, "scenario", "req/s", st)
		if row.Note == "" {
			row.Note = fmt.Sprintf("%d published documents", n)
		}
		b.add(row, LimitTrivial)
	}
	return nil
}

// sweep commits n opening deadlines that are due at once and waits until the service's deadline
// sweep has fired every one, and then until the notifications they cause are delivered. The
// latencies are those of the firings after the commit (each firing's transaction start).
func (b *runner) sweep(ctx context.Context) error {
	n := b.cfg.Data.Deadlines
	name := fmt.Sprintf("deadline sweep (%d due at once)", n)
	b.t.logf("bench: loading %d consultations with due opening deadlines", n)
	run, err := b.loadDue(ctx, b.t.Owner, n)
	if err != nil {
		return err
	}
	committed, firstDeadline := run.committed, run.firstDeadline
	limit := committed.Add(max(10*time.Minute, time.Duration(n)*10*time.Millisecond))
	firedLate, err := b.waitFired(ctx, b.t.Owner, run, limit)
	if err != nil {
		return err
	}
	fired := time.Since(committed)
	deliveredLate := firedLate
	told := 0
	if !firedLate {
		// Watching must not cost the sweep: each poll is one index probe, 100 ms apart, and the
		// notifications are counted only once no outbox row is left (a binary whose sweep writes
		// them through the outbox), then every second.
		for {
			var one int
			err := b.t.DB.QueryRowContext(ctx, `SELECT 1 FROM outbox WHERE processed_at IS NULL AND id > $1 LIMIT 1`, run.outboxBefore).Scan(&one)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("watch notifications: %w", err)
			}
			if errors.Is(err, sql.ErrNoRows) {
				if told, err = b.told(ctx, b.t.Owner, run); err != nil {
					return err
				}
				if told >= n {
					break
				}
			}
			if time.Now().After(limit) {
				deliveredLate = true
				break
			}
			wait := 100 * time.Millisecond
			if err == nil {
				wait = time.Second
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
		}
	}
	delivered := time.Since(committed)
	if !deliveredLate {
		// When the last notification was written (its transaction's start), not when the
		// watcher noticed.
		var last sql.NullTime
		if err := b.t.DB.QueryRowContext(ctx, `SELECT max(nt.created_at) FROM notifications nt
			JOIN deadlines d ON d.org_id = nt.org_id AND d.subject_kind = nt.subject_kind AND d.subject_id = nt.subject_id
			WHERE nt.org_id = $1 AND nt.kind = 'open' AND d.name = 'consultation_opens' AND d.id > $2`,
			b.t.Owner.Org, run.firstDeadline).Scan(&last); err != nil {
			return fmt.Errorf("last notification: %w", err)
		}
		if last.Valid {
			delivered = last.Time.Sub(committed)
		}
	}
	p50, p99, err := b.firingLatency(ctx, b.t.Owner, run)
	if err != nil {
		return err
	}
	var done, skipped, left int
	if err := b.t.DB.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE status = 'done'), count(*) FILTER (WHERE status = 'skipped'),
		count(*) FILTER (WHERE status = 'pending') FROM deadlines WHERE org_id = $1 AND name = 'consultation_opens' AND id > $2`,
		b.t.Owner.Org, firstDeadline).Scan(&done, &skipped, &left); err != nil {
		return fmt.Errorf("count fired deadlines: %w", err)
	}
	row := Row{Name: name, Kind: "scenario", Unit: "deadlines/s", Throughput: float64(done+skipped) / fired.Seconds(),
		P50ms: p50 * 1000, P99ms: p99 * 1000, Requests: done, Errors: skipped + left,
		Note: fmt.Sprintf("every deadline fired %.1f s after the commit (%d done, %d skipped); all %d consultations' openings notified after %.1f s; "+
			"latency = firing time after the commit", fired.Seconds(), done, skipped, told, delivered.Seconds())}
	switch {
	case firedLate:
		row.Note = fmt.Sprintf("gave up after %.0f s with %d of %d deadlines still pending (%d done, %d skipped); "+
			"latency = firing time after the commit", fired.Seconds(), left, n, done, skipped)
	case deliveredLate:
		row.Note = fmt.Sprintf("every deadline fired %.1f s after the commit (%d done, %d skipped); gave up waiting for their "+
			"notifications after %.0f s with %d of %d notified; latency = firing time after the commit", fired.Seconds(), done, skipped,
			delivered.Seconds(), told, n)
	}
	b.add(row, LimitTPCB)
	return nil
}

// report loads a year of documents and requests and times the annual report of that year.
func (b *runner) report(ctx context.Context) error {
	docs, reqs := b.cfg.Data.ReportDocuments, b.cfg.Data.ReportRequests
	name := fmt.Sprintf("annual report (%d documents, %d requests)", docs, reqs)
	if b.t.Report == nil || b.t.LoadReport == nil {
		b.skip(name, "the annual report's data layer is not in this build")
		return nil
	}
	b.t.logf("bench: loading %d documents and %d requests of %d", docs, reqs, b.cfg.ReportYear)
	if err := b.t.LoadReport(ctx, b.t.DB, b.t.Owner, b.cfg.ReportYear, docs, reqs); err != nil {
		return err
	}
	if _, err := b.t.DB.ExecContext(ctx, `ANALYZE`); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	// The limit: one pass over the same rows with nothing but a count.
	scanStart := time.Now()
	var seen int
	if err := b.t.DB.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM documents WHERE org_id = $1) +
		(SELECT count(*) FROM requests WHERE org_id = $1)`, b.t.Owner.Org).Scan(&seen); err != nil {
		return fmt.Errorf("scan the report's rows: %w", err)
	}
	scan := time.Since(scanStart)
	b.r.Rows = append(b.r.Rows, Row{Name: LimitScan, Kind: "limit", Unit: "rows/s", Throughput: float64(seen) / scan.Seconds(),
		P50ms: ms(scan), P99ms: ms(scan), Requests: 1, Note: fmt.Sprintf("SELECT count(*) over %d rows took %s", seen, scan.Round(time.Millisecond))})
	var times []time.Duration
	deadline := time.Now().Add(b.cfg.Duration)
	for len(times) < 3 && (len(times) == 0 || time.Now().Before(deadline)) {
		start := time.Now()
		if err := b.t.Report(ctx, b.cfg.ReportYear); err != nil {
			return err
		}
		times = append(times, time.Since(start))
	}
	p50, p99, _, _ := percentiles(times)
	row := Row{Name: name, Kind: "scenario", Unit: "rows/s", Throughput: float64(docs+reqs) / p50.Seconds(), P50ms: ms(p50), P99ms: ms(p99),
		Requests: len(times), Note: fmt.Sprintf("the whole report of %d built %d times; median %s", b.cfg.ReportYear, len(times), p50.Round(time.Millisecond))}
	b.add(row, LimitScan)
	return nil
}

// memory records the service's peak resident set size.
func (b *runner) memory(context.Context) error {
	peak := b.t.PeakRSS
	note := "VmHWM of the service process"
	if peak == nil {
		peak = PeakRSS
		note = "VmHWM of the bench process, which runs the service, the load generator and the loaders"
	}
	v, err := peak()
	if err != nil {
		b.skip("peak RSS", err.Error())
		return nil
	}
	b.r.Rows = append(b.r.Rows, Row{Name: "peak RSS", Kind: "memory", Unit: "MB", Throughput: float64(v) / (1 << 20), Note: note})
	return nil
}
