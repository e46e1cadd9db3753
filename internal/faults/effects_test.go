package faults

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"wugongkai/internal/postgres"
)

// flows drives documents and decision drafts through the API of one server.
type flows struct {
	t      *testing.T
	base   string
	tokens map[string]string
}

func newFlows(t *testing.T, base string) *flows {
	f := &flows{t: t, base: base, tokens: map[string]string{}}
	for _, u := range []string{"drafter", "unithead", "legal", "officer", "leader"} {
		f.tokens[u] = login(t, base, u)
	}
	return f
}

// draft creates a 主动公开 document.
func (f *flows) draft(title string) doc {
	return create(f.t, f.base, f.tokens["drafter"], map[string]any{"title": title, "attribute": "主动公开", "body": "正文：" + title,
		"summary": "内容概述", "subject_category": `城乡建设、环境保护\城市规划`})
}

// signed takes a new document to awaiting_publication: submit, approve, sign. Each step writes a
// notification outbox row; the signature adds the publication deadline and its reminder.
func (f *flows) signed(title string) doc {
	d := f.draft(title)
	d = fire(f.t, f.base, f.tokens["drafter"], d, "submit", nil)
	d = fire(f.t, f.base, f.tokens["unithead"], d, "approve", nil)
	return fire(f.t, f.base, f.tokens["leader"], d, "sign", nil)
}

// consultation schedules a decision draft whose comment period opens at opens and closes at
// closes (a shortened period, with its reason); the sweep opens and closes it.
func (f *flows) consultation(title string, opens, closes time.Time) doc {
	d := create(f.t, f.base, f.tokens["drafter"], map[string]any{"definition": "decision", "title": title, "body": "决策草案正文",
		"explanation": "起草说明", "attribute": "主动公开", "opens_at": opens.UTC().Format(time.RFC3339),
		"closes_at": closes.UTC().Format(time.RFC3339), "shortening_reason": "测试用的缩短理由"})
	d = fire(f.t, f.base, f.tokens["drafter"], d, "submit", nil)
	return fire(f.t, f.base, f.tokens["unithead"], d, "approve", nil)
}

// checkEffectsOnce verifies that every committed side effect happened exactly once: every outbox
// row is processed and reached exactly the users it names (role holders of the subject's unit or
// bureau-wide, and the subject's creator, never the actor), every reminder or overdue deadline
// that fired reached its role holders and the creator, every timed transition told the creator
// once, and no timed transition fired twice.
func checkEffectsOnce(t *testing.T, db *postgres.DB) {
	t.Helper()
	ctx := context.Background()
	if n := count(t, db, `SELECT count(*) FROM outbox WHERE processed_at IS NULL`); n != 0 {
		t.Errorf("%d outbox rows never processed", n)
	}
	const recipients = `
		SELECT o.id, COALESCE(x.n, 0) AS want,
			(SELECT count(*) FROM notifications n WHERE n.org_id = o.org_id AND n.source = 'outbox:' || o.id) AS got
		FROM outbox o
		LEFT JOIN LATERAL (
			SELECT count(DISTINCT u.uid) AS n
			FROM documents d
			CROSS JOIN LATERAL (
				SELECT ra.user_id AS uid FROM role_assignments ra
				JOIN users us ON us.org_id = ra.org_id AND us.id = ra.user_id
				WHERE ra.org_id = d.org_id AND NOT us.disabled AND (ra.unit_code = d.unit_code OR ra.unit_code = '*')
				AND ra.role IN (SELECT jsonb_array_elements_text(CASE WHEN jsonb_typeof(o.payload->'roles') = 'array'
					THEN o.payload->'roles' ELSE '[]'::jsonb END))
				UNION SELECT d.created_by) u
			WHERE d.org_id = o.org_id AND d.id = (o.payload->>'subject_id')::bigint
			AND u.uid <> (o.payload->>'actor_id')::bigint) x ON true
		WHERE o.kind = 'notify' AND o.payload->>'subject_kind' = 'document'`
	checkCounts(t, db, "outbox row", recipients)
	const reminders = `
		SELECT dl.id, COALESCE(x.n, 0) AS want,
			(SELECT count(*) FROM notifications n WHERE n.org_id = dl.org_id AND n.source = 'deadline:' || dl.id) AS got
		FROM deadlines dl
		LEFT JOIN LATERAL (
			SELECT count(DISTINCT u.uid) AS n
			FROM documents d
			CROSS JOIN LATERAL (
				SELECT ra.user_id AS uid FROM role_assignments ra
				JOIN users us ON us.org_id = ra.org_id AND us.id = ra.user_id
				WHERE ra.org_id = d.org_id AND NOT us.disabled AND (ra.unit_code = d.unit_code OR ra.unit_code = '*')
				AND ra.role = dl.role
				UNION SELECT d.created_by) u
			WHERE d.org_id = dl.org_id AND d.id = dl.subject_id) x ON true
		WHERE dl.action IN ('remind', 'overdue') AND dl.status = 'done' AND dl.subject_kind = 'document'`
	checkCounts(t, db, "reminder", reminders)
	// A timed transition the sweep fired is told in its own transaction, each entry naming the
	// deadline: its subject's creator exactly once (its role holders are checked by the flows).
	const fired = `
		SELECT dl.id, 1 AS want, (SELECT count(*) FROM notifications n WHERE n.org_id = dl.org_id
			AND n.source = 'deadline:' || dl.id AND n.user_id = d.created_by) AS got
		FROM deadlines dl JOIN documents d ON d.org_id = dl.org_id AND d.id = dl.subject_id
		WHERE dl.action = 'fire' AND dl.status = 'done' AND dl.subject_kind = 'document'`
	checkCounts(t, db, "timed transition", fired)
	rows, err := db.QueryContext(ctx, `SELECT subject_id, action, count(*) FROM audit_events
		WHERE action IN ('open', 'close', 'publish') GROUP BY subject_id, action HAVING count(*) > 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var action string
		var n int
		if err := rows.Scan(&id, &action, &n); err != nil {
			t.Fatal(err)
		}
		t.Errorf("document %d: %s happened %d times", id, action, n)
	}
	if n := count(t, db, `SELECT count(*) FROM (SELECT 1 FROM deadlines WHERE status = 'done'
		GROUP BY subject_kind, subject_id, name, due_at HAVING count(*) > 1) x`); n != 0 {
		t.Errorf("%d deadlines carried out more than once", n)
	}
}

// checkCounts runs a query of (id, want, got) rows and reports every row where got ≠ want.
func checkCounts(t *testing.T, db *postgres.DB, what, q string) {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id int64
		var want, got int
		if err := rows.Scan(&id, &want, &got); err != nil {
			t.Fatal(err)
		}
		n++
		if want != got {
			t.Errorf("%s %d: %d notifications, want %d", what, id, got, want)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Errorf("no %s to check: the scenario did not exercise it", what)
	}
}

// TestRedisOutageAndFlushLoseNothing stops the queue's Redis while transitions commit, while
// reminders fall due and across a consultation's opening and closing instants, then flushes it
// while tasks wait in it: when it returns, every effect happens, and exactly once (invariant 3
// and 4).
func TestRedisOutageAndFlushLoseNothing(t *testing.T) {
	rs := startRedis(t)
	e := newEnv(t, scratchDB(t), rs.url())
	e.bureau()
	srv := e.start("run")
	db := e.db()
	f := newFlows(t, srv.base())

	// Redis up: documents signed (their reminders are pulled forward below), two consultations
	// scheduled to open and close while Redis is down.
	var signed []doc
	for i := range 3 {
		signed = append(signed, f.signed(fmt.Sprintf("签发的文件 %d", i)))
	}
	opens := time.Now().Add(4 * time.Second).Truncate(time.Second)
	var decisions []doc
	for i := range 2 {
		decisions = append(decisions, f.consultation(fmt.Sprintf("征求意见的草案 %d", i), opens, opens.Add(3*time.Second)))
	}

	rs.stop()
	// Transitions commit without Redis.
	for i := range 4 {
		d := f.draft(fmt.Sprintf("停机期间提交的文件 %d", i))
		fire(t, srv.base(), f.tokens["drafter"], d, "submit", nil)
	}
	// The reminders fall due without Redis.
	if _, err := db.ExecContext(context.Background(), `UPDATE deadlines SET due_at = now() + interval '1 second'
		WHERE name = 'publication_due.remind' AND status = 'pending'`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the consultations to open and close and the reminders to fire with Redis down", 30*time.Second, func() bool {
		return count(t, db, `SELECT count(*) FROM documents WHERE definition = 'decision' AND state = 'consultation_closed'`) == len(decisions) &&
			count(t, db, `SELECT count(*) FROM deadlines WHERE name = 'publication_due.remind' AND status = 'done'`) == len(signed)
	})
	if n := count(t, db, `SELECT count(*) FROM outbox WHERE processed_at IS NULL`); n == 0 {
		t.Fatal("every outbox row was processed although Redis was down: the test did not exercise the outage")
	}
	srv.alive()
	time.Sleep(time.Second)
	rs.start()
	waitFor(t, "every effect after Redis returned", 60*time.Second, func() bool {
		return count(t, db, `SELECT count(*) FROM outbox WHERE processed_at IS NULL`) == 0
	})

	// Flush Redis again and again while transitions commit and their tasks wait in the queue.
	stop := make(chan struct{})
	flushed := make(chan int)
	go func() {
		n := 0
		defer func() { flushed <- n }()
		for {
			select {
			case <-stop:
				return
			case <-time.After(30 * time.Millisecond):
				rs.flush()
				n++
			}
		}
	}()
	for i := range 6 {
		d := f.draft(fmt.Sprintf("清空队列期间提交的文件 %d", i))
		d = fire(t, srv.base(), f.tokens["drafter"], d, "submit", nil)
		fire(t, srv.base(), f.tokens["unithead"], d, "approve", nil)
	}
	close(stop)
	if n := <-flushed; n == 0 {
		t.Fatal("Redis was never flushed")
	}
	waitFor(t, "every effect after the flushes", 60*time.Second, func() bool {
		return count(t, db, `SELECT count(*) FROM outbox WHERE processed_at IS NULL`) == 0
	})
	checkEffectsOnce(t, db)
	for _, d := range decisions {
		for _, action := range []string{"open", "close"} {
			if n := count(t, db, `SELECT count(*) FROM audit_events WHERE subject_id = $1 AND action = $2`, d.ID, action); n != 1 {
				t.Errorf("decision %d: %s recorded %d times, want once", d.ID, action, n)
			}
		}
	}
	var st int
	st, _, _ = call(context.Background(), http.MethodGet, srv.base()+"/readyz", "", nil)
	if st != http.StatusOK {
		t.Errorf("readyz %d after Redis returned", st)
	}
	srv.stop()
}
