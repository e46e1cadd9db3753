package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestPercentiles(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		var out []time.Duration
		for _, x := range v {
			out = append(out, time.Duration(x)*time.Millisecond)
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // 100 … 1, unsorted
	}
	tests := []struct {
		name                string
		in                  []time.Duration
		p50, p99, max, mean time.Duration
	}{
		{"empty", nil, 0, 0, 0, 0},
		{"one", ms(7), 7 * time.Millisecond, 7 * time.Millisecond, 7 * time.Millisecond, 7 * time.Millisecond},
		{"two", ms(10, 2), 2 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond, 6 * time.Millisecond},
		{"hundred", ms(hundred...), 50 * time.Millisecond, 99 * time.Millisecond, 100 * time.Millisecond, 50500 * time.Microsecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p50, p99, max, mean := percentiles(tt.in)
			if p50 != tt.p50 || p99 != tt.p99 || max != tt.max || mean != tt.mean {
				t.Errorf("percentiles = %v %v %v %v, want %v %v %v %v", p50, p99, max, mean, tt.p50, tt.p99, tt.max, tt.mean)
			}
		})
	}
}

// TestDrive runs the load generator against a server that takes 2 ms and fails every third
// request: it counts answers and failures of the measured window only and measures latency.
func TestDrive(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(2 * time.Millisecond)
		if r.URL.Query().Get("fail") != "" {
			http.Error(w, "失败", http.StatusServiceUnavailable)
			return
		}
		hits.Add(1)
		w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	client := NewClient(4)
	l := Load{Concurrency: 4, Duration: 400 * time.Millisecond, Warmup: 100 * time.Millisecond}
	start := time.Now()
	st, err := l.Drive(context.Background(), func(ctx context.Context, w, seq int) error {
		url := srv.URL
		if seq%3 == 2 {
			url += "?fail=1"
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		return Expect(client, req, http.StatusOK, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 500*time.Millisecond || took > 3*time.Second {
		t.Errorf("the run took %s for 100 ms warm-up and 400 ms measured", took)
	}
	if st.Requests == 0 || st.Errors == 0 {
		t.Fatalf("requests %d, errors %d: want both", st.Requests, st.Errors)
	}
	if int64(st.Requests) >= hits.Load() {
		t.Errorf("%d requests counted of %d served: the warm-up was counted", st.Requests, hits.Load())
	}
	if ratio := float64(st.Errors) / float64(st.Requests+st.Errors); ratio < 0.2 || ratio > 0.45 {
		t.Errorf("error share %.2f, want about a third", ratio)
	}
	if st.P50 < 2*time.Millisecond || st.P99 < st.P50 || st.Max < st.P99 {
		t.Errorf("latencies p50 %s p99 %s max %s: want ≥ 2 ms and ordered", st.P50, st.P99, st.Max)
	}
	if want := float64(st.Requests) / 0.4; st.PerSecond < want*0.99 || st.PerSecond > want*1.01 {
		t.Errorf("throughput %.1f/s, want %.1f/s", st.PerSecond, want)
	}
	if !strings.Contains(st.FirstErr, "status 503, want 200") {
		t.Errorf("first error %q", st.FirstErr)
	}
	if _, err := (Load{Concurrency: 1}).Drive(context.Background(), nil); err == nil {
		t.Error("a load without a duration was accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (Load{Concurrency: 1, Duration: time.Second}).Drive(ctx, func(context.Context, int, int) error { return nil }); err == nil {
		t.Error("a cancelled run reported no error")
	}
}

const pgbenchOutput = `pgbench (15.20 (Debian 15.20-0+deb12u1))
transaction type: <builtin: TPC-B (sort of)>
scaling factor: 20
query mode: simple
number of clients: 20
number of threads: 2
maximum number of tries: 1
duration: 10 s
number of transactions actually processed: 23310
number of failed transactions: 0 (0.000%)
latency average = 8.580 ms
initial connection time = 21.397 ms
tps = 2331.018217 (without initial connection time)
`

func TestParsePgbenchOutput(t *testing.T) {
	r, err := ParsePgbenchOutput(pgbenchOutput)
	if err != nil {
		t.Fatal(err)
	}
	if r.TPS < 2331.01 || r.TPS > 2331.02 || r.Transactions != 23310 || r.Failed != 0 {
		t.Errorf("parsed %+v", r)
	}
	if _, err := ParsePgbenchOutput("pgbench: error: connection to server failed\n"); err == nil {
		t.Error("output without a tps line was accepted")
	}
}

func TestReadPgbenchLogs(t *testing.T) {
	dir := t.TempDir()
	logs := map[string]string{
		"tx.1234":   "0 0 1500 0 1700000000 1\n1 0 2500 0 1700000000 2\n",
		"tx.1234.1": "2 0 failed 0 1700000000 3\n3 0 500 0 1700000000 4\n\n",
	}
	for name, body := range logs {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lat, err := readPgbenchLogs(dir)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(lat)
	want := []time.Duration{500 * time.Microsecond, 1500 * time.Microsecond, 2500 * time.Microsecond}
	if !slices.Equal(lat, want) {
		t.Errorf("latencies %v, want %v", lat, want)
	}
	if _, err := readPgbenchLogs(t.TempDir()); err == nil {
		t.Error("an empty log directory was accepted")
	}
}

func TestPgbenchConnArgs(t *testing.T) {
	p := Pgbench{DSN: "postgres://bench:s%40cret@db.example:6543/wgk_bench_1?sslmode=require"}
	args, env, err := p.connArgs()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"-h", "db.example", "-p", "6543", "-U", "bench", "wgk_bench_1"}; !slices.Equal(args, want) {
		t.Errorf("args %v, want %v", args, want)
	}
	if !slices.Contains(env, "PGPASSWORD=s@cret") || !slices.Contains(env, "PGSSLMODE=require") {
		t.Error("password and sslmode not passed in the environment")
	}
	if strings.Contains(strings.Join(args, " "), "cret") {
		t.Error("the password is on the command line")
	}
	if _, _, err := (Pgbench{DSN: "postgres://h/"}).connArgs(); err == nil {
		t.Error("a URL without a database was accepted")
	}
}

// TestReport checks the comparison, the Markdown table and the files of a report.
func TestReport(t *testing.T) {
	r := &Report{Started: time.Date(2026, 11, 27, 1, 2, 3, 0, time.UTC), Machine: Machine{CPUs: 2, CPUModel: "AMD EPYC"},
		Duration: "10s", Concurrency: 32, DBConns: 20}
	r.Rows = append(r.Rows, Row{Name: LimitTPCB, Kind: "limit", Unit: "tx/s", Throughput: 2000, P50ms: 7.5, P99ms: 21})
	r.Rows = append(r.Rows, Row{Name: LimitInsert, Kind: "limit", Skipped: "pgbench not found | anywhere"})
	trans := Row{Name: "workflow transitions", Kind: "scenario", Unit: "transitions/s", Throughput: 500, P50ms: 60, P99ms: 120}
	r.Compare(&trans, LimitTPCB)
	comments := Row{Name: "comment intake", Kind: "scenario", Unit: "comments/s", Throughput: 4000}
	r.Compare(&comments, LimitInsert)
	r.Rows = append(r.Rows, trans, comments, Row{Name: "peak RSS", Kind: "memory", Unit: "MB", Throughput: 53.7, Note: "VmHWM"})
	if trans.Ratio != 0.25 || trans.LimitValue != 2000 {
		t.Errorf("transitions compared as %+v", trans)
	}
	if comments.Ratio != 0 || comments.Limit != LimitInsert {
		t.Errorf("a row compared with a skipped limit got a ratio: %+v", comments)
	}
	var md bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| workflow transitions | 500 transitions/s | 60.0 ms | 120.0 ms | 0 | pgbench tpcb-like | 2000 tx/s | 0.25 |",
		"| pgbench single-row INSERT | skipped: pgbench not found / anywhere |",
		"| comment intake | 4000 comments/s | 0.0 ms | 0.0 ms | 0 | pgbench single-row INSERT | not measured |  |",
		"| peak RSS | 53.7 MB |  |  | 0 |",
		"- peak RSS: VmHWM",
		"2 CPUs (AMD EPYC)",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md.String())
		}
	}
	dir := filepath.Join(t.TempDir(), "out")
	path, err := r.WriteFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != "bench-20261127-010203.md" {
		t.Errorf("report written to %s", path)
	}
	for _, name := range []string{"bench-20261127-010203.json", "latest.md", "latest.json"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "latest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil || len(back.Rows) != len(r.Rows) || back.Row("workflow transitions").Ratio != 0.25 {
		t.Errorf("JSON does not round-trip: %v %s", err, b)
	}
}

// TestGrowthTable checks the growth rows leave the main table and make their own, one line per
// read and size, and that growth is not among the scenarios run by default.
func TestGrowthTable(t *testing.T) {
	r := &Report{Started: time.Now(), Rows: []Row{
		{Name: GrowthList, Kind: "growth", Size: 10000, Unit: "req/s", Throughput: 120, P50ms: 30, P99ms: 90},
		{Name: GrowthList, Kind: "growth", Size: 100000, Unit: "req/s", Throughput: 40, P50ms: 95, P99ms: 300},
	}}
	var md bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| public list (JSON, pages 1–50) | 10000 | 120 req/s | 30.0 ms | 90.0 ms | 0 |",
		"| public list (JSON, pages 1–50) | 100000 | 40.0 req/s | 95.0 ms | 300.0 ms | 0 |",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md.String())
		}
	}
	if strings.Contains(md.String(), "| public list (JSON, pages 1–50) | 40.0 req/s") {
		t.Errorf("a growth row is in the main table:\n%s", md.String())
	}
	if slices.Contains(DefaultScenarios(), ScenarioGrowth) || !slices.Contains(Scenarios(), ScenarioGrowth) {
		t.Errorf("default scenarios %v, all %v", DefaultScenarios(), Scenarios())
	}
}

func TestCheckScenarios(t *testing.T) {
	if err := CheckScenarios([]string{ScenarioPublic, ScenarioSweep}); err != nil {
		t.Error(err)
	}
	if err := CheckScenarios([]string{ScenarioPublic, "teleport"}); err == nil || !strings.Contains(err.Error(), "teleport") {
		t.Errorf("unknown scenario: %v", err)
	}
}

func TestTrivial(t *testing.T) {
	tr, err := StartTrivial()
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, tr.URL, nil)
	var body []byte
	if err := Expect(NewClient(1), req, http.StatusOK, &body); err != nil || string(body) != `{"status":"ok"}` {
		t.Fatalf("trivial handler: %v %s", err, body)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := NewClient(1).Get(tr.URL); err == nil {
		t.Error("still serving after Close")
	}
}
