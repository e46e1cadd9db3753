package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// TestConflictingTransitionsOneWins sends 100 concurrent transitions on one document (invariant
// 2): exactly one succeeds and every other gets 409 with a Chinese message, whether the clients
// name the version they saw or none; the audit log and the outbox hold one event, not more.
func TestConflictingTransitionsOneWins(t *testing.T) {
	e := newEnv(t, scratchDB(t), "")
	e.bureau()
	srv := e.start("run")
	db := e.db()
	tokens := map[string]string{"drafter": login(t, srv.base(), "drafter"), "unithead": login(t, srv.base(), "unithead")}

	cases := []struct {
		name        string
		user        string
		transition  string
		sendVersion bool
		setup       func(d doc) doc
	}{
		{"submit with version", "drafter", "submit", true, func(d doc) doc { return d }},
		{"submit without version", "drafter", "submit", false, func(d doc) doc { return d }},
		{"approve and return race", "unithead", "", true, func(d doc) doc { return fire(t, srv.base(), tokens["drafter"], d, "submit", nil) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := create(t, srv.base(), tokens["drafter"], map[string]any{"title": "并发测试：" + c.name, "attribute": "主动公开"})
			d = c.setup(d)
			var (
				wg       sync.WaitGroup
				mu       sync.Mutex
				statuses = map[int]int{}
				bad      []string
			)
			start := make(chan struct{})
			for i := range 100 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					name, input := c.transition, map[string]string(nil)
					if name == "" { // half approve, half return with an opinion
						name = "approve"
						if i%2 == 1 {
							name, input = "return", map[string]string{"opinion": "请补充依据"}
						}
					}
					body := map[string]any{"input": input}
					if c.sendVersion {
						body["version"] = d.Version
					}
					<-start
					status, b, err := call(context.Background(), http.MethodPost,
						fmt.Sprintf("%s/api/v1/documents/%d/transitions/%s", srv.base(), d.ID, name), tokens[c.user], body)
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						bad = append(bad, err.Error())
						return
					}
					statuses[status]++
					if status != http.StatusOK {
						var p problem
						if json.Unmarshal(b, &p) != nil || status != http.StatusConflict || !hasHan(p.Detail) ||
							(p.Code != "conflict" && p.Code != "transition_not_allowed") {
							bad = append(bad, fmt.Sprintf("%d %s", status, b))
						}
					}
				}()
			}
			close(start)
			wg.Wait()
			if statuses[http.StatusOK] != 1 || statuses[http.StatusConflict] != 99 || len(bad) > 0 {
				t.Fatalf("statuses %v, want one 200 and 99 409; unexpected answers: %v", statuses, bad)
			}
			var version int
			if err := db.QueryRowContext(context.Background(), `SELECT version FROM documents WHERE id = $1`, d.ID).Scan(&version); err != nil {
				t.Fatal(err)
			}
			if version != d.Version+1 {
				t.Errorf("version %d after one transition from %d", version, d.Version)
			}
			events := count(t, db, `SELECT count(*) FROM audit_events WHERE subject_kind = 'document' AND subject_id = $1
				AND action NOT IN ('create', 'edit')`, d.ID)
			wantEvents := 1
			if c.transition == "" {
				wantEvents = 2 // the submit of the setup, then the winner
			}
			if events != wantEvents {
				t.Errorf("%d transition events in the audit log, want %d", events, wantEvents)
			}
			if n := count(t, db, `SELECT count(*) FROM outbox WHERE (payload->>'subject_id')::bigint = $1`, d.ID); n != wantEvents {
				t.Errorf("%d outbox rows, want %d", n, wantEvents)
			}
		})
	}
	srv.alive()
}
