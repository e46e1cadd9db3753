package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// outcome tallies the answers of one phase of the load.
type outcome struct {
	mu       sync.Mutex
	statuses map[string]int // "kind status" → count
	bad      []string       // answers that break the rules
	failures int            // anything but success
}

func (o *outcome) add(ctx context.Context, kind string, status int, body []byte, err error, allowed ...int) {
	if ctx.Err() != nil {
		return // the test stopped the clients
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.statuses == nil {
		o.statuses = map[string]int{}
	}
	if err != nil {
		o.statuses[kind+" transport error"]++
		o.failures++
		o.bad = append(o.bad, fmt.Sprintf("%s: %v", kind, err))
		return
	}
	o.statuses[fmt.Sprintf("%s %d", kind, status)]++
	if status < 300 {
		return
	}
	o.failures++
	var p problem
	_ = json.Unmarshal(body, &p)
	switch {
	case status == http.StatusServiceUnavailable:
		if p.Code != "unavailable" || !hasHan(p.Detail) {
			o.bad = append(o.bad, fmt.Sprintf("%s: 503 without the unavailable code and a Chinese message: %s", kind, body))
		}
	case contains(allowed, status):
	default:
		o.bad = append(o.bad, fmt.Sprintf("%s: %d %s", kind, status, body))
	}
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// TestPostgresRestartUnderLoad restarts the database while clients read the portal, read
// documents, log in and fire transitions: during the outage requests get 503 with code
// unavailable and a Chinese message (never a 500, never a panic), and once the database is back
// the same process serves every request again, without a restart.
func TestPostgresRestartUnderLoad(t *testing.T) {
	cluster := startCluster(t)
	e := newEnv(t, cluster.url("wugongkai_faults"), "")
	e.bureau()
	srv := e.start("run")
	f := newFlows(t, srv.base())
	const clients = 8
	docs := make([]doc, clients)
	for i := range docs {
		docs[i] = f.draft(fmt.Sprintf("重启数据库期间的文件 %d", i))
	}

	var phase atomic.Pointer[outcome]
	before, during, after := &outcome{}, &outcome{}, &outcome{}
	phase.Store(before)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := docs[c]
			for seq := 0; ctx.Err() == nil; seq++ {
				// An answer counts in the phase it arrives in.
				o := func() *outcome { return phase.Load() }
				switch seq % 4 {
				case 0:
					st, b, err := call(ctx, http.MethodGet, srv.base()+"/api/v1/public/documents", "", nil)
					o().add(ctx, "public list", st, b, err)
				case 1:
					st, b, err := call(ctx, http.MethodGet, fmt.Sprintf("%s/api/v1/documents/%d", srv.base(), d.ID), f.tokens["drafter"], nil)
					o().add(ctx, "document", st, b, err)
				case 2:
					name := "submit"
					if d.State == "unit_review" {
						name = "withdraw"
					}
					st, b, err := call(ctx, http.MethodPost, fmt.Sprintf("%s/api/v1/documents/%d/transitions/%s", srv.base(), d.ID, name),
						f.tokens["drafter"], map[string]any{"version": d.Version})
					o().add(ctx, "transition", st, b, err, http.StatusConflict)
					if err == nil && st == http.StatusOK {
						_ = json.Unmarshal(b, &d)
					} else if err == nil && st == http.StatusConflict {
						// The transaction may have committed although its answer was lost: read it again.
						if st2, b2, err2 := call(ctx, http.MethodGet, fmt.Sprintf("%s/api/v1/documents/%d", srv.base(), d.ID),
							f.tokens["drafter"], nil); err2 == nil && st2 == http.StatusOK {
							_ = json.Unmarshal(b2, &d)
						}
					}
				case 3:
					if seq%16 == 3 { // logging in runs bcrypt: now and then
						// Each client signs in as one of the bureau's people: one account hammered from
						// one address by all clients at once is what login throttling refuses.
						user := []string{"drafter", "unithead", "legal", "officer", "leader"}[c%5]
						st, b, err := call(ctx, http.MethodPost, srv.base()+"/api/v1/session", "",
							map[string]string{"username": user, "password": password})
						o().add(ctx, "login", st, b, err)
					}
				}
				if ctx.Err() != nil {
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	time.Sleep(time.Second)
	phase.Store(during)
	cluster.stop()
	st, body, err := call(context.Background(), http.MethodGet, srv.base()+"/readyz", "", nil)
	if err != nil || st != http.StatusServiceUnavailable || !strings.Contains(string(body), `"postgres":"unavailable`) {
		t.Errorf("readyz with PostgreSQL down: %d %s %v", st, body, err)
	}
	time.Sleep(3 * time.Second)
	cluster.start()
	// Recovery: the pool replaces its dead connections as requests find them.
	recovered := time.Now()
	waitFor(t, "requests to succeed again after PostgreSQL returned", 30*time.Second, func() bool {
		st1, _, err1 := call(context.Background(), http.MethodGet, srv.base()+"/api/v1/public/documents", "", nil)
		st2, _, err2 := call(context.Background(), http.MethodGet, fmt.Sprintf("%s/api/v1/documents/%d", srv.base(), docs[0].ID),
			f.tokens["drafter"], nil)
		return err1 == nil && err2 == nil && st1 == http.StatusOK && st2 == http.StatusOK
	})
	t.Logf("serving again %s after PostgreSQL started", time.Since(recovered).Round(time.Millisecond))
	time.Sleep(time.Second) // let the clients' in-flight requests of the outage finish
	phase.Store(after)
	time.Sleep(2 * time.Second)
	cancel()
	wg.Wait()

	for name, o := range map[string]*outcome{"before": before, "during": during, "after": after} {
		t.Logf("%s the restart: %v", name, o.statuses)
		for i, b := range o.bad {
			if i < 10 {
				t.Errorf("%s the restart: %s", name, b)
			}
		}
	}
	if during.statuses["public list 503"]+during.statuses["document 503"]+during.statuses["transition 503"] == 0 {
		t.Error("no request got 503 during the outage: the restart was not exercised")
	}
	if before.failures > 0 {
		t.Errorf("%d requests failed before the restart", before.failures)
	}
	if after.failures > 0 {
		t.Errorf("%d requests failed after recovery", after.failures)
	}
	if after.statuses["transition 200"] == 0 || after.statuses["public list 200"] == 0 {
		t.Errorf("no transition or portal read succeeded after recovery: %v", after.statuses)
	}
	srv.alive()
	if srv.panicked() {
		t.Errorf("the server panicked:\n%s", srv.logs.String())
	}
	srv.stop()
}
