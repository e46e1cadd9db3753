// Package bench measures wugongkai under load beside the limits of the machine it runs on: a load
// generator of concurrent HTTP clients over loopback, the scenarios (comment intake, workflow
// transitions, the public portal, the deadline sweep, the annual report, memory), PostgreSQL's own
// pgbench and a trivial gin handler as the limits, the bulk loaders of the data the scenarios
// need, and the Markdown and JSON report. `wugongkai bench` starts the service and calls Run.
package bench

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Owner is who loaded rows belong to: the organisation, a unit and a user of it.
type Owner struct {
	Org  int64
	Unit string
	User int64
}

// DataSizes are how many rows the data scenarios load.
type DataSizes struct {
	Published       int `json:"published_documents"`
	Deadlines       int `json:"due_deadlines"`
	ReportDocuments int `json:"report_documents"`
	ReportRequests  int `json:"report_requests"`
	OpenTasks       int `json:"open_tasks,omitempty"` // documents waiting for the unit head (the growth scenario)
}

// withDefaults gives every size left at zero (or below) its default.
func (d DataSizes) withDefaults() DataSizes {
	for _, f := range []struct {
		n   *int
		def int
	}{{&d.Published, 10000}, {&d.Deadlines, 100000}, {&d.ReportDocuments, 1000000}, {&d.ReportRequests, 100000}, {&d.OpenTasks, 1000}} {
		if *f.n <= 0 {
			*f.n = f.def
		}
	}
	return d
}

// Scenario names, as --scenarios takes them.
const (
	ScenarioComments    = "comments"
	ScenarioTransitions = "transitions"
	ScenarioPublic      = "public"
	ScenarioSweep       = "sweep"
	ScenarioAgencies    = "agencies"
	ScenarioReport      = "report"
	ScenarioMemory      = "memory"
	ScenarioGrowth      = "growth"
	ScenarioScaleout    = "scaleout"
)

// Scenarios lists every scenario in the order Run runs them.
func Scenarios() []string {
	return []string{ScenarioComments, ScenarioTransitions, ScenarioPublic, ScenarioSweep, ScenarioAgencies, ScenarioReport, ScenarioGrowth,
		ScenarioScaleout, ScenarioMemory}
}

// DefaultScenarios are the scenarios run when none are named: all but growth, whose million
// documents take long to load, and scaleout, which starts the service twice more as child
// processes and measures three scenarios in each.
func DefaultScenarios() []string {
	return slices.DeleteFunc(Scenarios(), func(s string) bool { return s == ScenarioGrowth || s == ScenarioScaleout })
}

// Names of the limit rows.
const (
	LimitTPCB    = "pgbench tpcb-like"
	LimitInsert  = "pgbench single-row INSERT"
	LimitTrivial = "gin trivial handler"
	LimitScan    = "sequential scan of the report's rows"
)

// Config is one run.
type Config struct {
	Duration     time.Duration // measured time per scenario
	Warmup       time.Duration // unmeasured time before each; 0 = a tenth of Duration, at most 2 s
	Concurrency  int           // concurrent HTTP clients (and pgbench clients, capped at DBConns)
	DBConns      int           // the service's pool size: pgbench runs with min(Concurrency, DBConns) clients
	Scenarios    []string      // nil = all
	Data         DataSizes
	PgbenchScale int    // pgbench -i scale; 0 = the number of pgbench clients
	WorkDir      string // scratch directory (pgbench logs and scripts)
	ReportYear   int    // the year the report scenario loads; 0 = last year
	GrowthSizes  []int  // published documents at which the growth scenario measures; nil = 10k, 100k, 1M
}

// Target is the running service and what the bench may do beside it.
type Target struct {
	BaseURL string
	// BaseURLs are the service's servers when it runs several; load clients are spread over them
	// round robin. nil = BaseURL alone.
	BaseURLs []string
	DB       *sql.DB // the service's scratch database
	DSN      string  // its URL (pgbench connects with the same settings)
	Owner    Owner   // organisation, unit and user that loaded rows belong to
	Agency   Owner   // a second organisation (the agencies scenario); zero = none
	OrgCode  string
	Drafters []Account // drafters of Owner.Unit
	UnitHead Account   // unit head of Owner.Unit
	Redis    string    // what the service's queue runs on, for the report
	// Report builds the annual report of year (the report scenario); nil = not available in this
	// build.
	Report func(ctx context.Context, year int) error
	// LoadPublished bulk-loads n published 主动公开 documents and returns their ids; the data
	// scenarios need it (postgres.LoadPublished).
	LoadPublished func(ctx context.Context, db *sql.DB, o Owner, orgCode string, n int, now time.Time) ([]int64, error)
	// LoadDueConsultations bulk-loads n decision drafts whose consultation is due to open; the
	// data scenarios need it (postgres.LoadDueConsultations).
	LoadDueConsultations func(ctx context.Context, db *sql.DB, o Owner, n int, now time.Time) error
	// LoadReport loads a year of documents and requests for the report scenario; nil = not
	// available in this build.
	LoadReport func(ctx context.Context, db *sql.DB, o Owner, year, documents, requests int) error
	// LoadOpenTasks loads n documents of o's unit waiting for its head's review (the growth
	// scenario's 待办); nil = not available in this build.
	LoadOpenTasks func(ctx context.Context, db *sql.DB, o Owner, n int, now time.Time) error
	// PeakRSS returns the service's peak resident set size in bytes; nil = this process's VmHWM.
	PeakRSS func() (int64, error)
	// Fleet prepares the scaleout scenario's child processes of the service and their
	// database; nil = not available in this build.
	Fleet func(ctx context.Context) (*Fleet, error)
	// NoFleet, when set, is why the scaleout scenario cannot run in this bench (it needs a real
	// Redis that its child processes can reach).
	NoFleet string
	Log     io.Writer // progress lines; nil = none
}

// bases returns the service's servers.
func (t Target) bases() []string {
	if len(t.BaseURLs) > 0 {
		return t.BaseURLs
	}
	return []string{t.BaseURL}
}

func (t Target) logf(format string, args ...any) {
	if t.Log != nil {
		fmt.Fprintf(t.Log, format+"\n", args...)
	}
}

func (c Config) withDefaults() Config {
	if c.Concurrency <= 0 {
		c.Concurrency = 16
	}
	if c.DBConns <= 0 {
		c.DBConns = 20
	}
	if c.Duration <= 0 {
		c.Duration = 10 * time.Second
	}
	if c.Warmup == 0 {
		c.Warmup = min(c.Duration/10, 2*time.Second)
	}
	if c.Warmup < 0 {
		c.Warmup = 0
	}
	if len(c.Scenarios) == 0 {
		c.Scenarios = DefaultScenarios()
	}
	if len(c.GrowthSizes) == 0 {
		c.GrowthSizes = []int{10000, 100000, 1000000}
	}
	if c.ReportYear == 0 {
		c.ReportYear = time.Now().Year() - 1
	}
	c.Data = c.Data.withDefaults()
	return c
}

// CheckScenarios returns an error naming any unknown scenario.
func CheckScenarios(names []string) error {
	for _, n := range names {
		if !slices.Contains(Scenarios(), n) {
			return fmt.Errorf("unknown scenario %q (known: %s)", n, strings.Join(Scenarios(), ", "))
		}
	}
	return nil
}

// Run measures the limits the chosen scenarios are compared with, then each scenario, and returns
// the report. A scenario whose feature is not in this build is recorded as skipped with the reason;
// a scenario that fails is an error.
func Run(ctx context.Context, cfg Config, t Target) (*Report, error) {
	cfg = cfg.withDefaults()
	if err := CheckScenarios(cfg.Scenarios); err != nil {
		return nil, err
	}
	r := &Report{Started: time.Now(), Machine: ThisMachine(), Duration: cfg.Duration.String(), Concurrency: cfg.Concurrency,
		DBConns: cfg.DBConns, Data: cfg.Data}
	r.Machine.Redis = t.Redis
	var v string
	if err := t.DB.QueryRowContext(ctx, `SHOW server_version`).Scan(&v); err == nil {
		r.Machine.PostgreSQL = v
	}
	b := &runner{cfg: cfg, t: t, r: r, client: NewClient(cfg.Concurrency)}
	b.api = api{base: t.BaseURL, client: b.client}
	defer b.client.CloseIdleConnections()

	want := func(s string) bool { return slices.Contains(cfg.Scenarios, s) }
	if want(ScenarioComments) {
		b.limit(ctx, LimitInsert, b.pgbenchInsert)
	}
	if want(ScenarioTransitions) || want(ScenarioSweep) {
		b.limit(ctx, LimitTPCB, b.pgbenchTPCB)
	}
	if want(ScenarioPublic) {
		b.limit(ctx, LimitTrivial, b.trivial)
	}
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{ScenarioComments, b.comments},
		{ScenarioTransitions, b.transitions},
		{ScenarioPublic, b.public},
		{ScenarioSweep, b.sweep},
		{ScenarioAgencies, b.agencies},
		{ScenarioReport, b.report},
		{ScenarioGrowth, b.growth},
		{ScenarioScaleout, b.scaleout},
		{ScenarioMemory, b.memory},
	}
	for _, s := range steps {
		if !want(s.name) {
			continue
		}
		t.logf("bench: scenario %s", s.name)
		if err := s.fn(ctx); err != nil {
			return r, fmt.Errorf("scenario %s: %w", s.name, err)
		}
	}
	r.Finished = time.Now()
	return r, nil
}

// runner holds one run's state.
type runner struct {
	cfg    Config
	t      Target
	r      *Report
	client *http.Client
	api    api
}

// apiFor returns the API client of load client w: the service's servers taken round robin, so
// that every client keeps its connection to one server and the servers get equal shares.
func (b *runner) apiFor(w int) api {
	return api{base: roundRobin(b.t.bases(), w), client: b.client}
}

// roundRobin returns the base URL of client w among bases.
func roundRobin(bases []string, w int) string {
	return bases[w%len(bases)]
}

// limit measures one limit row; a limit that cannot be measured (pgbench missing) is recorded as
// skipped rather than failing the run.
func (b *runner) limit(ctx context.Context, name string, fn func(context.Context) (Row, error)) {
	b.t.logf("bench: limit %s", name)
	row, err := fn(ctx)
	if err != nil {
		b.r.Rows = append(b.r.Rows, Row{Name: name, Kind: "limit", Skipped: err.Error()})
		return
	}
	row.Name, row.Kind = name, "limit"
	b.r.Rows = append(b.r.Rows, row)
}

func (b *runner) load() Load {
	return Load{Concurrency: b.cfg.Concurrency, Duration: b.cfg.Duration, Warmup: b.cfg.Warmup}
}

// add records a measured row, compared with the limit row named limit.
func (b *runner) add(row Row, limit string) {
	b.r.Compare(&row, limit)
	b.r.Rows = append(b.r.Rows, row)
}

// skip records a scenario row that could not be measured in this build.
func (b *runner) skip(name, why string) {
	b.t.logf("bench: %s skipped: %s", name, why)
	b.r.Rows = append(b.r.Rows, Row{Name: name, Kind: "scenario", Skipped: why})
}
