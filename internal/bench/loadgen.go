package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Op is one request of a load: worker is the client's index (0 ≤ worker < concurrency) and seq
// counts that client's requests from 0. It returns nil when the service answered as expected.
type Op func(ctx context.Context, worker, seq int) error

// Load configures one run of the load generator.
type Load struct {
	Concurrency int           // concurrent clients
	Duration    time.Duration // measured time
	Warmup      time.Duration // unmeasured time before it (connections, caches)
}

// Stats is what one run measured.
type Stats struct {
	Requests  int           // answered as expected during the measured time
	Errors    int           // failed or unexpected answers during the measured time
	Elapsed   time.Duration // measured wall time
	P50       time.Duration
	P99       time.Duration
	Max       time.Duration
	Mean      time.Duration
	FirstErr  string  // the first error seen, for the report
	PerSecond float64 // Requests / Elapsed
}

// Drive runs op from l.Concurrency clients for l.Warmup and then l.Duration, and returns the
// throughput and the latency distribution of the measured part. Latencies of failed requests are
// not counted in the percentiles. Drive returns an error only when ctx ends first.
func (l Load) Drive(ctx context.Context, op Op) (Stats, error) {
	if l.Concurrency <= 0 {
		l.Concurrency = 1
	}
	if l.Duration <= 0 {
		return Stats{}, errors.New("load duration must be positive")
	}
	start := time.Now()
	measureFrom := start.Add(l.Warmup)
	end := measureFrom.Add(l.Duration)
	type result struct {
		lat      []time.Duration
		errs     int
		firstErr error
	}
	results := make([]result, l.Concurrency)
	var wg sync.WaitGroup
	for w := range l.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &results[w]
			r.lat = make([]time.Duration, 0, 1024)
			for seq := 0; ; seq++ {
				t0 := time.Now()
				if !t0.Before(end) || ctx.Err() != nil {
					return
				}
				err := op(ctx, w, seq)
				t1 := time.Now()
				if t0.Before(measureFrom) || t1.After(end) {
					continue // warm-up, or finished after the measured window
				}
				if err != nil {
					r.errs++
					if r.firstErr == nil {
						r.firstErr = err
					}
					continue
				}
				r.lat = append(r.lat, t1.Sub(t0))
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return Stats{}, err
	}
	var all []time.Duration
	st := Stats{Elapsed: l.Duration}
	for _, r := range results {
		all = append(all, r.lat...)
		st.Errors += r.errs
		if r.firstErr != nil && st.FirstErr == "" {
			st.FirstErr = r.firstErr.Error()
		}
	}
	st.Requests = len(all)
	st.PerSecond = float64(st.Requests) / st.Elapsed.Seconds()
	st.P50, st.P99, st.Max, st.Mean = percentiles(all)
	return st, nil
}

// percentiles returns the median, the 99th percentile, the maximum and the mean of ds (nearest
// rank); ds is sorted in place.
func percentiles(ds []time.Duration) (p50, p99, max, mean time.Duration) {
	if len(ds) == 0 {
		return 0, 0, 0, 0
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	rank := func(p float64) time.Duration {
		i := int(p*float64(len(ds))+0.999999) - 1
		if i < 0 {
			i = 0
		}
		if i >= len(ds) {
			i = len(ds) - 1
		}
		return ds[i]
	}
	return rank(0.50), rank(0.99), ds[len(ds)-1], sum / time.Duration(len(ds))
}

// NewClient returns an HTTP client for concurrency clients over loopback: one kept-alive
// connection per client, no compression, no proxy.
func NewClient(concurrency int) *http.Client {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        concurrency * 2,
		MaxIdleConnsPerHost: concurrency * 2,
		MaxConnsPerHost:     0,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{Transport: tr, Timeout: time.Minute}
}

// StatusError is an answer with an unexpected status.
type StatusError struct {
	Method, Path string
	Status, Want int
	Body         string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s: status %d, want %d: %s", e.Method, e.Path, e.Status, e.Want, e.Body)
}

// Expect sends req with client and returns nil if the answer has status want; the body is read
// to the end (so the connection is reused) and, when out is non-nil, copied into it.
func Expect(client *http.Client, req *http.Request, want int, out *[]byte) error {
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var body []byte
	if out != nil || resp.StatusCode != want {
		body, err = io.ReadAll(resp.Body)
	} else {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	if err != nil {
		return fmt.Errorf("%s %s: read body: %w", req.Method, req.URL.Path, err)
	}
	if resp.StatusCode != want {
		if len(body) > 300 {
			body = body[:300]
		}
		return &StatusError{Method: req.Method, Path: req.URL.Path, Status: resp.StatusCode, Want: want, Body: string(body)}
	}
	if out != nil {
		*out = body
	}
	return nil
}
