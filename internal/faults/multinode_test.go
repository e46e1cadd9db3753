package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestTwoServersTwoWorkersNothingTwice runs two server processes and two worker processes
// against one database and one Redis: reminders, consultation openings and closings, the
// notifications of transitions made on either server, and publications raced from both servers
// each happen exactly once.
func TestTwoServersTwoWorkersNothingTwice(t *testing.T) {
	rs := startRedis(t)
	e := newEnv(t, scratchDB(t), rs.url())
	e.bureau()
	s1 := e.start("serve")
	var (
		wg sync.WaitGroup
		mu sync.Mutex
		ps []*proc
	)
	for _, mode := range []string{"serve", "worker", "worker"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := e.start(mode)
			mu.Lock()
			ps = append(ps, p)
			mu.Unlock()
		}()
	}
	wg.Wait()
	var s2 *proc
	for _, p := range ps {
		if p.name == "serve" {
			s2 = p
		}
	}
	db := e.db()
	f1, f2 := newFlows(t, s1.base()), newFlows(t, s2.base())
	on := func(i int) *flows {
		if i%2 == 0 {
			return f1
		}
		return f2
	}

	opens := time.Now().Add(4 * time.Second).Truncate(time.Second)
	var decisions []doc
	for i := range 4 {
		decisions = append(decisions, on(i).consultation(fmt.Sprintf("两个节点的草案 %d", i), opens, opens.Add(2*time.Second)))
	}
	var toPublish, toRemind []doc
	for i := range 6 {
		toPublish = append(toPublish, on(i).signed(fmt.Sprintf("待发布的文件 %d", i)))
	}
	for i := range 3 {
		toRemind = append(toRemind, on(i+1).signed(fmt.Sprintf("待提醒的文件 %d", i)))
	}
	if _, err := db.ExecContext(context.Background(), `UPDATE deadlines SET due_at = now() + interval '1 second'
		WHERE name = 'publication_due.remind' AND status = 'pending' AND subject_id = ANY($1)`,
		fmt.Sprintf("{%d,%d,%d}", toRemind[0].ID, toRemind[1].ID, toRemind[2].ID)); err != nil {
		t.Fatal(err)
	}

	// Both servers cache the public list, empty so far; a publication made on either server must
	// reach both at once (the page cache is dropped by PostgreSQL's notification, not its TTL).
	for _, f := range []*flows{f1, f2} {
		publicList(t, f.base)
		if total, hit := publicList(t, f.base); total != 0 || !hit {
			t.Fatalf("%s: public list total %d, cache hit %v; want an empty list served from the cache", f.base, total, hit)
		}
	}

	// Publish each document from both servers at once: one wins, the other is told it lost.
	for _, d := range toPublish {
		results := make(chan int, 2)
		for _, f := range []*flows{f1, f2} {
			go func() {
				st, _, err := call(context.Background(), http.MethodPost, fmt.Sprintf("%s/api/v1/documents/%d/transitions/publish", f.base, d.ID),
					f.tokens["officer"], map[string]any{"version": d.Version})
				if err != nil {
					st = -1
				}
				results <- st
			}()
		}
		a, b := <-results, <-results
		if !(a == http.StatusOK && b == http.StatusConflict || a == http.StatusConflict && b == http.StatusOK) {
			t.Errorf("document %d published from two servers: statuses %d and %d, want one 200 and one 409", d.ID, a, b)
		}
	}

	for _, f := range []*flows{f1, f2} {
		waitFor(t, "every publication on the public list of "+f.base, 3*time.Second, func() bool {
			total, _ := publicList(t, f.base)
			return total == len(toPublish)
		})
	}

	waitFor(t, "the workers to open and close every consultation and send every reminder and notification", 60*time.Second, func() bool {
		return count(t, db, `SELECT count(*) FROM documents WHERE definition = 'decision' AND state = 'consultation_closed'`) == len(decisions) &&
			count(t, db, `SELECT count(*) FROM deadlines WHERE name = 'publication_due.remind' AND status = 'done'`) == len(toRemind) &&
			count(t, db, `SELECT count(*) FROM outbox WHERE processed_at IS NULL`) == 0
	})
	// Give a duplicate the time to show up.
	time.Sleep(2 * time.Second)
	checkEffectsOnce(t, db)
	if n := count(t, db, `SELECT count(*) FROM documents WHERE state = 'published'`); n != len(toPublish) {
		t.Errorf("%d documents published, want %d", n, len(toPublish))
	}
	if n := count(t, db, `SELECT count(DISTINCT index_no) FROM documents WHERE state = 'published'`); n != len(toPublish) {
		t.Errorf("%d distinct 索引号 for %d publications", n, len(toPublish))
	}
	for _, d := range decisions {
		for _, action := range []string{"open", "close"} {
			if n := count(t, db, `SELECT count(*) FROM audit_events WHERE subject_id = $1 AND action = $2`, d.ID, action); n != 1 {
				t.Errorf("decision %d: %s recorded %d times, want once", d.ID, action, n)
			}
		}
	}
	for _, d := range toPublish {
		if n := count(t, db, `SELECT count(*) FROM audit_events WHERE subject_id = $1 AND action = 'publish'`, d.ID); n != 1 {
			t.Errorf("document %d: published %d times", d.ID, n)
		}
	}
	for _, p := range append(ps, s1) {
		p.alive()
		p.stop()
	}
}

// publicList returns the total of a server's public document list and whether it came from the
// page cache.
func publicList(t *testing.T, base string) (int, bool) {
	t.Helper()
	resp, err := http.Get(base + "/api/v1/public/documents")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct{ Total int }
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("public list of %s: %d %v", base, resp.StatusCode, err)
	}
	return page.Total, resp.Header.Get("X-Cache") == "hit"
}
