package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// FindPgbench returns the path of PostgreSQL's pgbench: on PATH, else the newest
// /usr/lib/postgresql/*/bin/pgbench (Debian installs it there with the server package).
func FindPgbench() (string, error) {
	if p, err := exec.LookPath("pgbench"); err == nil {
		return p, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pgbench")
	if len(matches) == 0 {
		return "", errors.New("pgbench not found on PATH or in /usr/lib/postgresql/*/bin (it ships with the PostgreSQL server package)")
	}
	sort.Slice(matches, func(i, j int) bool { return versionOf(matches[i]) < versionOf(matches[j]) })
	return matches[len(matches)-1], nil
}

func versionOf(path string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return v
}

// Pgbench runs pgbench against one database with the connection settings of a postgres:// URL.
type Pgbench struct {
	Path    string // pgbench binary
	DSN     string // postgres:// URL of the database to run in
	Clients int    // -c: concurrent connections
	Threads int    // -j: pgbench worker threads
	Dir     string // working directory for transaction logs and scripts
}

// connArgs turns the URL into pgbench's connection flags and environment (password and sslmode
// travel in the environment, never on the command line).
func (p Pgbench) connArgs() ([]string, []string, error) {
	u, err := url.Parse(p.DSN)
	if err != nil {
		return nil, nil, fmt.Errorf("parse database url: %w", err)
	}
	var args []string
	env := os.Environ()
	if h := u.Hostname(); h != "" {
		args = append(args, "-h", h)
	}
	if port := u.Port(); port != "" {
		args = append(args, "-p", port)
	}
	if u.User != nil {
		args = append(args, "-U", u.User.Username())
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
		}
	}
	if m := u.Query().Get("sslmode"); m != "" {
		env = append(env, "PGSSLMODE="+m)
	}
	db := strings.TrimPrefix(u.Path, "/")
	if db == "" {
		return nil, nil, errors.New("database url names no database")
	}
	return append(args, db), env, nil
}

func (p Pgbench) run(ctx context.Context, args ...string) (string, error) {
	conn, env, err := p.connArgs()
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, p.Path, append(args, conn...)...)
	cmd.Env = env
	cmd.Dir = p.Dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("pgbench %s: %w\n%s", strings.Join(args, " "), err, tail(out.String(), 2000))
	}
	return out.String(), nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// Init creates the tpcb-like tables at scale (pgbench -i -s scale).
func (p Pgbench) Init(ctx context.Context, scale int) error {
	if scale < 1 {
		scale = 1
	}
	_, err := p.run(ctx, "-i", "-q", "-s", strconv.Itoa(scale))
	return err
}

// PgbenchResult is one pgbench run: transactions per second (without connection time) and the
// latency distribution from the per-transaction log.
type PgbenchResult struct {
	TPS          float64
	Transactions int
	P50, P99     time.Duration
	Mean         time.Duration
	Failed       int
}

// TPCB runs the built-in tpcb-like script for d.
func (p Pgbench) TPCB(ctx context.Context, d time.Duration) (PgbenchResult, error) {
	return p.bench(ctx, d, "-b", "tpcb-like")
}

// insertScript is the custom single-row INSERT: one comment-sized row per transaction.
const insertScript = `\set v random(1, 1000000000)
INSERT INTO bench_insert (v, body) VALUES (:v, '对《关于加强城市道路占用挖掘管理的规定（征求意见稿）》的意见：建议明确夜间施工的噪声限值和公示方式，并在第十二条增加对沿街商户的告知义务。');
`

// InsertTable is the table the single-row INSERT script writes into.
const InsertTable = `CREATE TABLE IF NOT EXISTS bench_insert (id bigserial PRIMARY KEY, v bigint NOT NULL, body text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now())`

// Insert runs the single-row INSERT script for d; the table InsertTable must exist.
func (p Pgbench) Insert(ctx context.Context, d time.Duration) (PgbenchResult, error) {
	script := filepath.Join(p.Dir, "insert.sql")
	if err := os.WriteFile(script, []byte(insertScript), 0o644); err != nil {
		return PgbenchResult{}, fmt.Errorf("write pgbench script: %w", err)
	}
	return p.bench(ctx, d, "-f", script)
}

func (p Pgbench) bench(ctx context.Context, d time.Duration, script ...string) (PgbenchResult, error) {
	secs := int(d.Round(time.Second) / time.Second)
	if secs < 1 {
		secs = 1
	}
	clients, threads := max(p.Clients, 1), max(p.Threads, 1)
	if threads > clients {
		threads = clients
	}
	logDir, err := os.MkdirTemp(p.Dir, "pgbench-log-")
	if err != nil {
		return PgbenchResult{}, fmt.Errorf("pgbench log dir: %w", err)
	}
	defer os.RemoveAll(logDir)
	args := append([]string{"-n", "-c", strconv.Itoa(clients), "-j", strconv.Itoa(threads), "-T", strconv.Itoa(secs),
		"-l", "--log-prefix=" + filepath.Join(logDir, "tx")}, script...)
	out, err := p.run(ctx, args...)
	if err != nil {
		return PgbenchResult{}, err
	}
	res, err := ParsePgbenchOutput(out)
	if err != nil {
		return PgbenchResult{}, err
	}
	lat, err := readPgbenchLogs(logDir)
	if err != nil {
		return PgbenchResult{}, err
	}
	res.P50, res.P99, _, res.Mean = percentiles(lat)
	return res, nil
}

var (
	tpsRE    = regexp.MustCompile(`(?m)^tps = ([0-9.]+) \(without initial connection time\)`)
	txRE     = regexp.MustCompile(`(?m)^number of transactions actually processed: (\d+)`)
	failedRE = regexp.MustCompile(`(?m)^number of failed transactions: (\d+)`)
)

// ParsePgbenchOutput reads the summary pgbench prints.
func ParsePgbenchOutput(out string) (PgbenchResult, error) {
	m := tpsRE.FindStringSubmatch(out)
	if m == nil {
		return PgbenchResult{}, fmt.Errorf("pgbench printed no tps line:\n%s", tail(out, 2000))
	}
	var r PgbenchResult
	r.TPS, _ = strconv.ParseFloat(m[1], 64)
	if m := txRE.FindStringSubmatch(out); m != nil {
		r.Transactions, _ = strconv.Atoi(m[1])
	}
	if m := failedRE.FindStringSubmatch(out); m != nil {
		r.Failed, _ = strconv.Atoi(m[1])
	}
	return r, nil
}

// readPgbenchLogs reads the per-transaction logs of a run (-l): the third field of each line is
// the transaction's latency in microseconds.
func readPgbenchLogs(dir string) ([]time.Duration, error) {
	files, err := filepath.Glob(filepath.Join(dir, "tx*"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("pgbench wrote no transaction log in %s", dir)
	}
	var out []time.Duration
	for _, f := range files {
		lat, err := parsePgbenchLog(f)
		if err != nil {
			return nil, err
		}
		out = append(out, lat...)
	}
	return out, nil
}

func parsePgbenchLog(path string) ([]time.Duration, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read pgbench log: %w", err)
	}
	defer f.Close()
	var out []time.Duration
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 {
			continue
		}
		us, err := strconv.ParseInt(fields[2], 10, 64)
		if err != nil {
			continue // "failed" or "skipped" transactions carry no latency
		}
		out = append(out, time.Duration(us)*time.Microsecond)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read pgbench log: %w", err)
	}
	return out, nil
}
