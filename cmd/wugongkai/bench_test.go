package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"wugongkai/internal/bench"
	"wugongkai/internal/postgres"
	"wugongkai/internal/postgres/pgtest"
)

// TestMain lets the test binary stand in for wugongkai when GO_WANT_WUGONGKAI_MAIN=1: the bench's
// scaleout scenario starts os.Executable() as `serve` and `worker` child processes, which in a
// test is this binary.
func TestMain(m *testing.M) {
	if os.Getenv("GO_WANT_WUGONGKAI_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runBenchCmd runs `wugongkai bench args...` to completion and returns its stdout and stderr.
func runBenchCmd(t *testing.T, env func(string) string, args ...string) (string, string, error) {
	t.Helper()
	var out, errs syncBuffer
	g := &globals{env: env, stdin: strings.NewReader(""), stdout: &out, stderr: &errs}
	cmd := benchCmd(g)
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errs)
	cmd.SilenceUsage = true
	err := cmd.ExecuteContext(context.Background())
	return out.String(), errs.String(), err
}

// TestBenchRunsOnce runs the whole bench with a tiny duration and small data, so that it keeps
// working: every scenario gives a row with a throughput (or a stated reason it is not in this
// build), the limits are measured, both files are written and the scratch database is dropped.
func TestBenchRunsOnce(t *testing.T) {
	env, _ := testEnv(t, nil)
	out := t.TempDir()
	stdout, stderr, err := runBenchCmd(t, env, "--duration", "400ms", "--concurrency", "4", "--published", "300",
		"--deadlines", "400", "--report-documents", "3000", "--report-requests", "300", "--pgbench-scale", "1", "--out", out)
	if err != nil {
		t.Fatalf("bench: %v\nstderr:\n%s", err, stderr)
	}
	t.Log("\n" + stdout)
	if !strings.Contains(stdout, "| scenario | throughput |") {
		t.Fatalf("no table on stdout:\n%s", stdout)
	}
	rep, b := readBenchReport(t, out)
	if rep.Machine.CPUs == 0 || rep.Machine.PostgreSQL == "" {
		t.Errorf("machine not described: %+v", rep.Machine)
	}
	measured := func(name string) *bench.Row {
		t.Helper()
		for i := range rep.Rows {
			if strings.HasPrefix(rep.Rows[i].Name, name) {
				return &rep.Rows[i]
			}
		}
		t.Errorf("no row %q in %s", name, b)
		return nil
	}
	for _, name := range []string{bench.LimitTPCB, bench.LimitTrivial, "workflow transitions", "public document list",
		"public document page", "deadline sweep", "peak RSS"} {
		r := measured(name)
		if r == nil {
			continue
		}
		if r.Skipped != "" || r.Throughput <= 0 {
			t.Errorf("row %q not measured: %+v", name, *r)
		}
		if r.Kind == "scenario" && r.Errors > 0 && !strings.HasPrefix(name, "deadline") {
			t.Errorf("row %q had %d errors: %s", name, r.Errors, r.Note)
		}
	}
	if r := measured("deadline sweep"); r != nil && r.Requests != 400 {
		t.Errorf("sweep fired %d deadlines, want 400: %s", r.Requests, r.Note)
	}
	if r := measured("workflow transitions"); r != nil && (r.Limit != bench.LimitTPCB || r.Ratio <= 0) {
		t.Errorf("transitions not compared with tpcb-like: %+v", *r)
	}
	// Comment intake and the annual report are measured once their features are wired, and say
	// why not until then.
	for _, name := range []string{"comment intake", "annual report"} {
		if r := measured(name); r != nil && r.Skipped == "" && r.Throughput <= 0 {
			t.Errorf("row %q neither measured nor skipped: %+v", name, *r)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "latest.md")); err != nil {
		t.Error(err)
	}
	mustBeDropped(t, stderr, `scratch database (wgk_bench_\w+) dropped`)
}

// mustBeDropped checks that the bench reported a scratch database dropped (pattern names it in
// its first group) and that it is gone.
func mustBeDropped(t *testing.T, stderr, pattern string) {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("scratch database not reported dropped (%s):\n%s", pattern, stderr)
	}
	db, err := postgres.Open(context.Background(), pgtest.BaseURL(), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(context.Background(), `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, m[1]).Scan(&exists); err != nil || exists {
		t.Fatalf("scratch database %s still exists (%v)", m[1], err)
	}
}

func TestBenchRefusesUnknownScenario(t *testing.T) {
	env, _ := testEnv(t, nil)
	if _, _, err := runBenchCmd(t, env, "--scenarios", "transitions,teleport"); err == nil || !strings.Contains(err.Error(), "teleport") {
		t.Fatalf("unknown scenario: %v", err)
	}
}

// TestBenchScaleout runs the scaleout scenario briefly: one server and one worker child process,
// then two of each, on their own scratch database, which is dropped at the end; every row is
// measured without errors, the sweep fires all its deadlines with either pair, and the two-pair
// rows are compared with the one-pair rows.
func TestBenchScaleout(t *testing.T) {
	if testing.Short() {
		t.Skip("starts six child processes")
	}
	t.Setenv("GO_WANT_WUGONGKAI_MAIN", "1") // the children are this test binary
	env, _ := testEnv(t, nil)
	out := t.TempDir()
	stdout, stderr, err := runBenchCmd(t, env, "--scenarios", "scaleout", "--duration", "400ms", "--concurrency", "4",
		"--deadlines", "200", "--out", out)
	if err != nil {
		t.Fatalf("bench: %v\nstderr:\n%s", err, stderr)
	}
	t.Log("\n" + stdout)
	rep, b := readBenchReport(t, out)
	for _, what := range []string{"transitions, %d server", "comment intake, %d server", "deadline sweep (200 due at once), %d worker"} {
		one := rep.Row("scaleout: " + fmt.Sprintf(what, 1))
		two := rep.Row("scaleout: " + fmt.Sprintf(what, 2) + "s")
		if one == nil || two == nil {
			t.Errorf("no rows for %q in %s", what, b)
			continue
		}
		for _, r := range []*bench.Row{one, two} {
			if r.Skipped != "" || r.Throughput <= 0 || r.Errors > 0 {
				t.Errorf("row %q: %+v", r.Name, *r)
			}
			if strings.HasPrefix(what, "deadline") && r.Requests != 200 {
				t.Errorf("row %q fired %d deadlines, want 200: %s", r.Name, r.Requests, r.Note)
			}
		}
		if two.Limit != one.Name || two.Ratio <= 0 {
			t.Errorf("row %q not compared with %q: %+v", two.Name, one.Name, *two)
		}
	}
	mustBeDropped(t, stderr, `scratch database (wgk_bench_\w+_fleet) dropped`)
}

// TestBenchScaleoutNeedsRedis records the scenario as skipped, with the reason, when the queue
// runs in-process: child processes cannot reach it.
func TestBenchScaleoutNeedsRedis(t *testing.T) {
	env, _ := testEnv(t, nil)
	out := t.TempDir()
	if _, stderr, err := runBenchCmd(t, env, "--scenarios", "scaleout", "--redis", "in-process", "--duration", "200ms", "--out", out); err != nil {
		t.Fatalf("bench: %v\nstderr:\n%s", err, stderr)
	}
	rep, b := readBenchReport(t, out)
	if r := rep.Row("scaleout"); r == nil || !strings.Contains(r.Skipped, "needs a real Redis") {
		t.Errorf("scaleout with the queue in-process: %s", b)
	}
}

// readBenchReport reads the JSON report the bench wrote into out, and its bytes.
func readBenchReport(t *testing.T, out string) (bench.Report, []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, "latest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep bench.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	return rep, b
}
