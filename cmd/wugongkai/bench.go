package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"wugongkai/internal/bench"
	"wugongkai/internal/postgres"
	"wugongkai/internal/report"
	"wugongkai/workflow"
	"wugongkai/workflow/accounts"
)

// benchFlags are the options of `wugongkai bench`.
type benchFlags struct {
	duration    time.Duration
	concurrency int
	scenarios   []string
	out         string
	data        bench.DataSizes
	scale       int
	redis       string
	keep        bool
	cpuprofile  string
	sizes       []int
}

func benchCmd(g *globals) *cobra.Command {
	f := benchFlags{}
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "measure the service under load beside the machine's limits (pgbench, a trivial handler) and write a report",
		Long: `bench creates a scratch database on the configured PostgreSQL server, starts the service on it
(web server and worker, in this process, on a free loopback port), loads the data the scenarios
need, runs each scenario for --duration with --concurrency HTTP clients, measures pgbench and a
trivial gin handler with the same settings, and writes a Markdown table and a JSON file into --out.
The scratch database is dropped at the end.

Scenarios: ` + strings.Join(bench.Scenarios(), ", ") + `; all but growth and scaleout run when --scenarios
is not given. growth loads published documents up to each of --sizes in turn and measures the
public list, the search and the document page at each size, and the 待办 of a unit head with
--open-tasks waiting. scaleout starts this binary as one serve and one worker process, then as two
of each, on a second scratch database and a Redis database of their own, and measures transitions,
comment intake (clients spread over the servers) and the sweep of --deadlines in each case; it
takes several minutes and needs the private redis-server (--redis private).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBench(cmd.Context(), g, f)
		},
	}
	fl := cmd.Flags()
	fl.DurationVar(&f.duration, "duration", 10*time.Second, "measured time per scenario")
	fl.IntVar(&f.concurrency, "concurrency", 32, "concurrent HTTP clients")
	fl.StringSliceVar(&f.scenarios, "scenarios", nil, "scenarios to run (comma-separated; default all but growth): "+strings.Join(bench.Scenarios(), ","))
	fl.StringVar(&f.out, "out", "bench-results", "directory for the Markdown and JSON results")
	fl.IntVar(&f.data.Published, "published", 10000, "published documents for the public scenario")
	fl.IntVar(&f.data.Deadlines, "deadlines", 100000, "deadlines due at once for the sweep scenario")
	fl.IntVar(&f.data.ReportDocuments, "report-documents", 1000000, "documents of the report year")
	fl.IntVar(&f.data.ReportRequests, "report-requests", 100000, "disclosure requests of the report year")
	fl.IntVar(&f.data.OpenTasks, "open-tasks", 1000, "documents waiting for the unit head (the growth scenario's 待办)")
	fl.IntSliceVar(&f.sizes, "sizes", []int{10000, 100000, 1000000}, "published documents at which the growth scenario measures (comma-separated)")
	fl.IntVar(&f.scale, "pgbench-scale", 0, "pgbench -i scale (0 = as many as pgbench clients)")
	fl.StringVar(&f.redis, "redis", "private", `queue Redis: "private" (a redis-server on a free port, else in-process), "in-process", or a redis:// URL`)
	fl.BoolVar(&f.keep, "keep-database", false, "keep the scratch database for inspection")
	fl.StringVar(&f.cpuprofile, "cpuprofile", "", "write a CPU profile of the whole run (service, load generator, loaders) to this file")
	return cmd
}

// benchSetup is what runBench prepared before the service starts.
type benchSetup struct {
	org      int64
	drafters []bench.Account
	head     bench.Account
	drafter  int64
	agency   bench.Owner // the second agency of the agencies scenario
}

func runBench(ctx context.Context, g *globals, f benchFlags) error {
	if err := bench.CheckScenarios(f.scenarios); err != nil {
		return err
	}
	cfg, err := g.loadConfig()
	if err != nil {
		return err
	}
	if f.cpuprofile != "" {
		pf, err := os.Create(f.cpuprofile)
		if err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	dsn, err := postgres.WithDatabase(cfg.Database.URL, fmt.Sprintf("wgk_bench_%d_%d", os.Getpid(), time.Now().Unix()))
	if err != nil {
		return err
	}
	name, _ := postgres.DatabaseName(dsn)
	if !f.keep {
		defer func() {
			if err := postgres.DropDatabase(context.Background(), dsn); err != nil {
				fmt.Fprintln(g.stderr, "bench: drop scratch database:", err)
			} else {
				fmt.Fprintln(g.stderr, "bench: scratch database", name, "dropped")
			}
		}()
	}
	fmt.Fprintln(g.stderr, "bench: scratch database", name)
	cfg.Database.URL, cfg.Database.ListenURL = dsn, ""
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.Log.Level = "warn"
	// Load comes from one address: the per-client limit of comment intake would measure itself.
	cfg.Comments.RatePerMinute, cfg.Comments.Burst = 1e9, 1e9

	setup, err := prepareBench(ctx, cfg, g, min(f.concurrency, 8))
	if err != nil {
		return err
	}

	redisURL, redisNote, stopRedis, err := benchRedis(f.redis, g.stderr)
	if err != nil {
		return err
	}
	defer stopRedis()
	cfg.Redis.URL, cfg.Redis.Fallback = redisURL, true

	dir, err := os.MkdirTemp("", "wgk-bench-")
	if err != nil {
		return fmt.Errorf("scratch directory: %w", err)
	}
	defer os.RemoveAll(dir)
	confPath := filepath.Join(dir, "wugongkai.yaml")
	b, err := yaml.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("encode bench configuration: %w", err)
	}
	if err := os.WriteFile(confPath, b, 0o600); err != nil {
		return fmt.Errorf("write bench configuration: %w", err)
	}
	// The service reads this file; the environment must not point it elsewhere.
	pinned := map[string]string{"WUGONGKAI_DATABASE_URL": dsn, "WUGONGKAI_DATABASE_LISTEN_URL": dsn, "WUGONGKAI_HTTP_ADDR": cfg.HTTP.Addr, "WUGONGKAI_REDIS_URL": redisURL,
		"WUGONGKAI_LOG_LEVEL": cfg.Log.Level, "WUGONGKAI_REDIS_FALLBACK": "true"}
	sg := &globals{configPath: confPath, configExplicit: true, stdin: strings.NewReader(""), stdout: io.Discard, stderr: g.stderr,
		env: func(k string) string {
			if v, ok := pinned[k]; ok {
				return v
			}
			return g.env(k)
		}}
	addrc := make(chan string, 1)
	sg.ready = func(addr string) { addrc <- addr }
	sctx, stop := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() { errc <- runService(sctx, sg, modeRun) }()
	stopService := func() error {
		stop()
		select {
		case err := <-errc:
			return err
		case <-time.After(time.Minute):
			return errors.New("the service did not stop within a minute")
		}
	}
	var addr string
	select {
	case addr = <-addrc:
	case err := <-errc:
		stop()
		return fmt.Errorf("start the service: %w", err)
	case <-time.After(2 * time.Minute):
		stopService()
		return errors.New("the service did not start within two minutes")
	}

	db, err := postgres.Open(ctx, dsn, 8)
	if err != nil {
		stopService()
		return err
	}
	defer db.Close()
	audit, err := auditOptions(cfg.Audit, true, newLogger(cfg, g))
	if err != nil {
		stopService()
		return err
	}
	db.SetAudit(audit)
	stores := postgres.NewStores(db, setup.org, workflow.SystemClock)
	defer stores.Close()
	noFleet := ""
	switch {
	case redisURL == "":
		noFleet = "needs a real Redis that child processes can reach; this bench's queue is " + redisNote
	case f.redis != "private":
		noFleet = "runs only on the bench's private redis-server (--redis private, the default), where it gives its child " +
			"processes a Redis database of their own"
	}
	report, runErr := bench.Run(ctx, bench.Config{Duration: f.duration, Concurrency: f.concurrency, DBConns: cfg.Database.MaxConns,
		Scenarios: f.scenarios, Data: f.data, PgbenchScale: f.scale, WorkDir: dir, GrowthSizes: f.sizes}, bench.Target{
		BaseURL: "http://" + addr, DB: db.DB.DB, DSN: dsn, OrgCode: cfg.Org.Code, Redis: redisNote,
		Owner: bench.Owner{Org: setup.org, Unit: benchUnit, User: setup.drafter}, Agency: setup.agency,
		Drafters: setup.drafters, UnitHead: setup.head, Log: g.stderr, NoFleet: noFleet,
		Fleet: func(ctx context.Context) (*bench.Fleet, error) {
			return benchFleet(ctx, cfg, g, f, confPath, redisURL)
		},
		LoadPublished: func(ctx context.Context, db *sql.DB, o bench.Owner, orgCode string, n int, now time.Time) ([]int64, error) {
			return postgres.LoadPublished(ctx, db, postgres.BenchOwner(o), orgCode, n, now)
		},
		LoadDueConsultations: func(ctx context.Context, db *sql.DB, o bench.Owner, n int, now time.Time) error {
			return postgres.LoadDueConsultations(ctx, db, postgres.BenchOwner(o), n, now)
		},
		LoadReport: func(ctx context.Context, db *sql.DB, o bench.Owner, year, documents, requests int) error {
			return postgres.LoadReportYear(ctx, db, postgres.BenchOwner(o), year, documents, requests)
		},
		LoadOpenTasks: func(ctx context.Context, db *sql.DB, o bench.Owner, n int, now time.Time) error {
			return postgres.LoadOpenTasks(ctx, db, postgres.BenchOwner(o), n, now)
		},
		Report: func(ctx context.Context, year int) error {
			// What `wugongkai report` and the report pages do: assemble the year from the data,
			// check it and render it.
			rep, _, err := stores.ReportData.AnnualReport(ctx, year, cfg.Org.Name)
			if err != nil {
				return err
			}
			report.Check(rep, nil)
			return report.RenderHTML(io.Discard, rep)
		},
	})
	if err := stopService(); err != nil && runErr == nil {
		runErr = fmt.Errorf("stop the service: %w", err)
	}
	if report != nil && len(report.Rows) > 0 {
		if report.Finished.IsZero() {
			report.Finished = time.Now()
		}
		path, err := report.WriteFiles(f.out)
		if err != nil {
			return err
		}
		if err := report.WriteMarkdown(g.stdout); err != nil {
			return err
		}
		fmt.Fprintln(g.stderr, "bench: results written to", path, "and", strings.TrimSuffix(path, ".md")+".json")
	}
	return runErr
}

// benchUnit is the drafting unit of the bench accounts.
const benchUnit = "chengjian"

// prepareBench creates and migrates the scratch database and adds the bench accounts: drafters
// drafters of one unit and its unit head, all with one random password.
func prepareBench(ctx context.Context, cfg Config, g *globals, drafters int) (benchSetup, error) {
	log := newLogger(cfg, g)
	db, err := openDB(ctx, cfg, log)
	if err != nil {
		return benchSetup{}, err
	}
	defer db.Close()
	org, err := postgres.EnsureOrg(ctx, db, cfg.Org.Code, cfg.Org.Name)
	if err != nil {
		return benchSetup{}, err
	}
	stores := postgres.NewStores(db, org, workflow.SystemClock)
	defer stores.Close()
	if err := stores.Orgs.EnsureUnit(ctx, benchUnit, "城建科"); err != nil {
		return benchSetup{}, err
	}
	var raw [12]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return benchSetup{}, err
	}
	password := hex.EncodeToString(raw[:])
	hash, err := accounts.HashPassword(password)
	if err != nil {
		return benchSetup{}, err
	}
	s := benchSetup{org: org}
	for i := range max(drafters, 1) {
		u, err := stores.Accounts.CreateUser(ctx, postgres.User{Username: fmt.Sprintf("bench_drafter_%d", i+1),
			DisplayName: fmt.Sprintf("压测起草人%d", i+1), PasswordHash: hash},
			[]postgres.RoleAssignment{{Role: "drafter", Unit: benchUnit}})
		if err != nil {
			return benchSetup{}, err
		}
		if i == 0 {
			s.drafter = u.ID
		}
		s.drafters = append(s.drafters, bench.Account{Username: u.Username, Password: password})
	}
	if _, err := stores.Accounts.CreateUser(ctx, postgres.User{Username: "bench_unithead", DisplayName: "压测科长", PasswordHash: hash},
		[]postgres.RoleAssignment{{Role: "unit_head", Unit: benchUnit}}); err != nil {
		return benchSetup{}, err
	}
	s.head = bench.Account{Username: "bench_unithead", Password: password}
	// A second agency on the same platform, with a unit and a drafter of its own: the worker
	// serves it beside the first (the agencies scenario).
	agency, err := postgres.EnsureOrg(ctx, db, benchAgencyCode, "压测第二机关")
	if err != nil {
		return benchSetup{}, err
	}
	as := postgres.NewStores(db, agency, workflow.SystemClock)
	defer as.Close()
	if err := as.Orgs.EnsureUnit(ctx, benchUnit, "城建科"); err != nil {
		return benchSetup{}, err
	}
	u, err := as.Accounts.CreateUser(ctx, postgres.User{Username: "bench_agency_drafter", DisplayName: "压测第二机关起草人", PasswordHash: hash},
		[]postgres.RoleAssignment{{Role: "drafter", Unit: benchUnit}})
	if err != nil {
		return benchSetup{}, err
	}
	s.agency = bench.Owner{Org: agency, Unit: benchUnit, User: u.ID}
	return s, nil
}

// benchFleet prepares the child processes of the scaleout scenario. They run this binary with the
// bench's configuration file on objects of their own, so that the in-process service, which keeps
// running beside them idle, cannot touch their figures: a second scratch database, created,
// migrated and given accounts as the first (the in-process worker serves every organisation of
// its own database only, so it never fires their deadlines), and database 1 of the private
// redis-server (the in-process service's queue is database 0, so its worker never takes their
// tasks, whose outbox ids would name rows of the other database).
func benchFleet(ctx context.Context, cfg Config, g *globals, f benchFlags, confPath, redisURL string) (*bench.Fleet, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find this binary: %w", err)
	}
	name, err := postgres.DatabaseName(cfg.Database.URL)
	if err != nil {
		return nil, err
	}
	dsn, err := postgres.WithDatabase(cfg.Database.URL, name+"_fleet")
	if err != nil {
		return nil, err
	}
	drop := func() {
		if f.keep {
			fmt.Fprintln(g.stderr, "bench: scratch database", name+"_fleet", "kept")
			return
		}
		if err := postgres.DropDatabase(context.Background(), dsn); err != nil {
			fmt.Fprintln(g.stderr, "bench: drop scratch database:", err)
		} else {
			fmt.Fprintln(g.stderr, "bench: scratch database", name+"_fleet", "dropped")
		}
	}
	fcfg := cfg
	fcfg.Database.URL = dsn
	setup, err := prepareBench(ctx, fcfg, g, min(f.concurrency, 8))
	if err != nil {
		drop()
		return nil, err
	}
	db, err := postgres.Open(ctx, dsn, 8)
	if err != nil {
		drop()
		return nil, err
	}
	childRedis := strings.TrimSuffix(redisURL, "/0") + "/1"
	// The configuration file is the bench's whole configuration, resolved from the file and the
	// environment: the children get it with nothing of the environment that could say otherwise,
	// and the pins the in-process service gets, with their own database and Redis. They log at
	// info, as JSON, because their readiness ("http server listening" with the address,
	// "worker started") is logged at info; nothing is logged per request.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WUGONGKAI_") {
			env = append(env, kv)
		}
	}
	env = append(env, "WUGONGKAI_DATABASE_URL="+dsn, "WUGONGKAI_HTTP_ADDR=127.0.0.1:0", "WUGONGKAI_REDIS_URL="+childRedis,
		"WUGONGKAI_REDIS_FALLBACK=false", "WUGONGKAI_LOG_LEVEL=info", "WUGONGKAI_LOG_FORMAT=json")
	if cfg.Audit.Key != "" { // never written to the file
		env = append(env, "WUGONGKAI_AUDIT_KEY="+cfg.Audit.Key)
	}
	return &bench.Fleet{Binary: exe, Args: []string{"--config", confPath}, Env: env, DB: db.DB.DB,
		Owner: bench.Owner{Org: setup.org, Unit: benchUnit, User: setup.drafter}, Drafters: setup.drafters, UnitHead: setup.head,
		Note:  "their own scratch database and Redis database 1",
		Close: func() { db.Close(); drop() }}, nil
}

// benchAgencyCode is the organisation code of the bench's second agency.
const benchAgencyCode = "BENCH0002"

// benchRedis returns the queue's Redis URL for the bench ("" = the in-process fallback), a note
// for the report, and a function that stops a private server.
func benchRedis(choice string, logw io.Writer) (url, note string, stop func(), err error) {
	switch choice {
	case "in-process":
		return "", "in-process (miniredis)", func() {}, nil
	case "private":
	default:
		return choice, "configured (" + redact(choice) + ")", func() {}, nil
	}
	path, lerr := exec.LookPath("redis-server")
	if lerr != nil {
		fmt.Fprintln(logw, "bench: redis-server not found, the queue runs in-process (miniredis)")
		return "", "in-process (miniredis): redis-server not found", func() {}, nil
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", "", nil, fmt.Errorf("find a port for redis: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir, err := os.MkdirTemp("", "wgk-bench-redis-")
	if err != nil {
		return "", "", nil, fmt.Errorf("redis directory: %w", err)
	}
	cmd := exec.Command(path, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir)
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return "", "", nil, fmt.Errorf("start redis-server: %w", err)
	}
	stop = func() {
		cmd.Process.Kill()
		cmd.Wait()
		os.RemoveAll(dir)
	}
	for start := time.Now(); ; {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			break
		}
		if time.Since(start) > 10*time.Second {
			stop()
			return "", "", nil, errors.New("the private redis-server did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	version := ""
	if out, err := exec.Command(path, "--version").Output(); err == nil {
		for _, f := range strings.Fields(string(out)) {
			if v, ok := strings.CutPrefix(f, "v="); ok {
				version = " " + v
			}
		}
	}
	return fmt.Sprintf("redis://127.0.0.1:%d/0", port), "private redis-server" + version, stop, nil
}
