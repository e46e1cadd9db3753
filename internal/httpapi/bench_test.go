package httpapi_test

import (
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkTransitionsHTTP fires workflow transitions through the HTTP API as an authenticated
// drafter: each worker owns a set of documents and submits and withdraws them in turn (each one a
// full transaction with version check, audit event and outbox row, answered with the document's
// detail). Documents rotate so their histories stay the length of real ones. It reports
// transitions per second and the p50/p99 latency of one transition.
func BenchmarkTransitionsHTTP(b *testing.B) {
	s := newStack(b)
	const workers, perWorker = 16, 20
	docs := make([][]docView, workers)
	for w := range docs {
		for range perWorker {
			docs[w] = append(docs[w], s.create("drafter", map[string]any{"title": "压测文件", "attribute": "主动公开"}))
		}
	}
	var (
		next      atomic.Int64
		mu        sync.Mutex
		latencies []time.Duration
	)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, b.N/workers+1)
			for i := 0; next.Add(1) <= int64(b.N); i++ {
				d := &docs[w][i%perWorker]
				name := "submit"
				if d.State == "unit_review" {
					name = "withdraw"
				}
				t0 := time.Now()
				status, _ := s.do(http.MethodPost, pathf("/api/v1/documents/%d/transitions/%s", d.ID, name), "drafter",
					map[string]any{"version": d.Version})
				local = append(local, time.Since(t0))
				if status != http.StatusOK {
					b.Errorf("transition %s: status %d", name, status)
					return
				}
				d.Version++
				if name == "submit" {
					d.State = "unit_review"
				} else {
					d.State = "drafting"
				}
			}
			mu.Lock()
			latencies = append(latencies, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	if n := len(latencies); n > 0 {
		b.ReportMetric(float64(n)/elapsed.Seconds(), "transitions/s")
		b.ReportMetric(float64(latencies[n/2].Microseconds())/1000, "p50_ms")
		b.ReportMetric(float64(latencies[n*99/100].Microseconds())/1000, "p99_ms")
	}
}
