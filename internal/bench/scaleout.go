package bench

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Fleet is what the scaleout scenario needs to run the service as child processes: the
// executable, the arguments before the mode (the configuration file), the children's
// environment, and their database with its accounts. It is the bench's own service over again,
// on objects of its own: the children's database and Redis are not the in-process service's, so
// the in-process worker neither fires their deadlines nor takes their tasks, and their figures
// are theirs alone.
type Fleet struct {
	Binary   string
	Args     []string // before the mode, e.g. --config path
	Env      []string // the children's whole environment
	DB       *sql.DB  // the children's database
	Owner    Owner    // organisation, unit and user of it that loaded rows belong to
	Drafters []Account
	UnitHead Account
	Note     string // where the children run, for the report
	Close    func() // closes DB and drops what preparing the fleet made
}

// Scaleout row labels: what each phase runs.
const (
	scaleoutTransitions = "transitions"
	scaleoutComments    = "comment intake"
	scaleoutSweep       = "deadline sweep"
)

// childReady is how long a child process may take to start, and childStop how long it may take
// to stop after SIGTERM before it is killed (a variable for the tests).
const childReady = 2 * time.Minute

var childStop = time.Minute

// scaleout runs the service as one `serve` and one `worker` child process and then as two of
// each, on one PostgreSQL database and one Redis, and measures in each case workflow
// transitions and comment intake (the load clients spread over the servers round robin) and the
// deadline sweep (Data.Deadlines due at once, until all fired and their notifications
// delivered). The two-pair rows are compared with the one-pair rows.
func (b *runner) scaleout(ctx context.Context) error {
	const name = "scaleout"
	if b.t.NoFleet != "" {
		b.skip(name, b.t.NoFleet)
		return nil
	}
	if b.t.Fleet == nil || b.t.LoadDueConsultations == nil {
		b.skip(name, "running the service as child processes is not wired into this build")
		return nil
	}
	b.t.logf("bench: scaleout: preparing the child processes' database")
	f, err := b.t.Fleet(ctx)
	if err != nil {
		return err
	}
	defer f.Close()
	one, err := b.fleetRows(ctx, f, 1)
	b.r.Rows = append(b.r.Rows, one...)
	if err != nil {
		return err
	}
	two, err := b.fleetRows(ctx, f, 2)
	for i, row := range two {
		// Both phases measure the same steps in the same order: each two-pair row goes under its
		// one-pair row, compared with it.
		at := slices.IndexFunc(b.r.Rows, func(r Row) bool { return i < len(one) && r.Name == one[i].Name })
		if at < 0 {
			b.r.Rows = append(b.r.Rows, row)
			continue
		}
		b.r.Compare(&row, one[i].Name)
		b.r.Rows = slices.Insert(b.r.Rows, at+1, row)
	}
	return err
}

// scaleoutName returns the row name of what, measured with n servers and n workers: the HTTP
// scenarios count servers, the sweep workers.
func scaleoutName(what string, n int) string {
	proc := "server"
	if strings.HasPrefix(what, scaleoutSweep) {
		proc = "worker"
	}
	if n != 1 {
		proc += "s"
	}
	return fmt.Sprintf("scaleout: %s, %d %s", what, n, proc)
}

// fleetRows starts n servers and n workers, measures transitions, comment intake and the sweep
// on them, stops them and returns the rows. Whatever fails, every child is stopped (SIGTERM, then
// SIGKILL after childStop) and, on failure, the end of each one's log is printed.
func (b *runner) fleetRows(ctx context.Context, f *Fleet, n int) (rows []Row, err error) {
	b.t.logf("bench: scaleout: starting %d server and %d worker processes", n, n)
	kids, err := startFleet(ctx, f, n, b.cfg.WorkDir)
	defer func() {
		if serr := stopChildren(kids); serr != nil && err == nil {
			err = serr
		}
		if err != nil {
			for _, c := range kids {
				b.t.logf("bench: scaleout: the end of %s's log:\n%s", c.name, logTail(c.logPath, 30))
			}
		}
	}()
	if err != nil {
		return nil, err
	}
	var bases []string
	for _, c := range kids {
		if c.addr != "" {
			bases = append(bases, "http://"+c.addr)
		}
	}
	sub := &runner{cfg: b.cfg, r: &Report{}, client: b.client, t: Target{BaseURL: bases[0], BaseURLs: bases, DB: f.DB,
		Owner: f.Owner, Drafters: f.Drafters, UnitHead: f.UnitHead, LoadDueConsultations: b.t.LoadDueConsultations, Log: b.t.Log}}
	sub.api = api{base: bases[0], client: b.client}
	steps := []struct {
		what string
		fn   func(context.Context) error
	}{
		{scaleoutTransitions, sub.transitions},
		{scaleoutComments, sub.comments},
		{fmt.Sprintf("%s (%d due at once)", scaleoutSweep, b.cfg.Data.Deadlines), sub.sweep},
	}
	for _, s := range steps {
		b.t.logf("bench: scaleout: %s with %d server and %d worker processes", s.what, n, n)
		before := len(sub.r.Rows)
		if err := s.fn(ctx); err != nil {
			return rows, fmt.Errorf("%s with %d servers and %d workers: %w", s.what, n, n, err)
		}
		for _, c := range kids {
			if exited, cerr := c.exited(); exited {
				return rows, fmt.Errorf("%s exited during %s: %v", c.name, s.what, cerr)
			}
		}
		for _, row := range sub.r.Rows[before:] {
			row.Name = scaleoutName(s.what, n)
			row.Limit, row.LimitValue, row.Ratio = "", 0, 0
			row.Note = joinNote(row.Note, fmt.Sprintf("processes: %d serve, %d worker, on %s; load average %s at the end",
				n, n, f.Note, loadAverage()))
			rows = append(rows, row)
		}
	}
	if len(rows) > 0 {
		var rss []string
		for _, c := range kids {
			if v, err := PeakRSSOf(c.cmd.Process.Pid); err == nil {
				rss = append(rss, fmt.Sprintf("%s %.0f MB", c.name, float64(v)/(1<<20)))
			}
		}
		if len(rss) > 0 {
			rows[len(rows)-1].Note = joinNote(rows[len(rows)-1].Note, "peak RSS of the children: "+strings.Join(rss, ", "))
		}
	}
	return rows, nil
}

// joinNote appends a sentence to a row's note.
func joinNote(note, more string) string {
	if note == "" {
		return more
	}
	return strings.TrimSuffix(note, ".") + "; " + more
}

// child is one running process of the service.
type child struct {
	name    string // "serve 1", "worker 2"
	mode    string
	cmd     *exec.Cmd
	cancel  context.CancelFunc // sends SIGTERM (then SIGKILL after childStop)
	logPath string             // its stdout and stderr
	addr    string             // the HTTP address of a server
	done    chan struct{}
	err     error // from Wait, once done is closed
}

// startFleet starts n `serve` and n `worker` processes at once and waits until every one is
// ready. On error it returns the children it started, for the caller to stop.
func startFleet(ctx context.Context, f *Fleet, n int, dir string) ([]*child, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	var kids []*child
	for _, mode := range []string{"serve", "worker"} {
		for i := range n {
			name := fmt.Sprintf("%s %d", mode, i+1)
			logPath := filepath.Join(dir, fmt.Sprintf("scaleout-%d-%s-%d.log", n, mode, i+1))
			c, err := startChild(ctx, f, mode, name, logPath)
			if err != nil {
				return kids, err
			}
			kids = append(kids, c)
		}
	}
	errs := make([]error, len(kids))
	var wg sync.WaitGroup
	for i, c := range kids {
		wg.Go(func() { errs[i] = c.waitReady(time.Now().Add(childReady)) })
	}
	wg.Wait()
	return kids, errors.Join(errs...)
}

// startChild starts `binary args... mode` with its output in logPath. Cancelling its context
// (stop) sends SIGTERM; a child still running childStop later is killed.
func startChild(ctx context.Context, f *Fleet, mode, name, logPath string) (*child, error) {
	lf, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("log file of %s: %w", name, err)
	}
	defer lf.Close() // the child has its own descriptor
	cctx, cancel := context.WithCancel(ctx)
	cmd := exec.CommandContext(cctx, f.Binary, append(slices.Clone(f.Args), mode)...)
	cmd.Env = f.Env
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = childStop
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, mode: mode, cmd: cmd, cancel: cancel, logPath: logPath, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// waitReady waits until the child's log says it is ready (a server's address, a worker's start),
// the child exits, or until.
func (c *child) waitReady(until time.Time) error {
	for {
		log, _ := os.ReadFile(c.logPath)
		if addr, ok := readyIn(c.mode, log); ok {
			c.addr = addr
			return nil
		}
		select {
		case <-c.done:
			return fmt.Errorf("%s exited before it was ready: %v", c.name, c.err)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(until) {
			return fmt.Errorf("%s was not ready within %s", c.name, childReady)
		}
	}
}

// exited reports whether the child has exited, and how.
func (c *child) exited() (bool, error) {
	select {
	case <-c.done:
		return true, c.err
	default:
		return false, nil
	}
}

// stopChildren stops every child at once (SIGTERM, SIGKILL after childStop) and waits for them;
// it returns an error for each that did not exit cleanly.
func stopChildren(kids []*child) error {
	for _, c := range kids {
		c.cancel()
	}
	var errs []error
	for _, c := range kids {
		<-c.done
		// A child that exits 0 after SIGTERM is reported by Wait as the cancelled context.
		if c.err != nil && !errors.Is(c.err, context.Canceled) {
			errs = append(errs, fmt.Errorf("%s did not stop cleanly: %w", c.name, c.err))
		}
	}
	return errors.Join(errs...)
}

// listeningRE finds a server's address in its JSON log.
var listeningRE = regexp.MustCompile(`"msg":"http server listening".*?"addr":"([^"]+)"`)

// readyIn reports whether a child's JSON log says it is ready: for `serve` the address it
// listens on, for `worker` that the worker started.
func readyIn(mode string, log []byte) (addr string, ok bool) {
	if mode == "worker" {
		return "", bytes.Contains(log, []byte(`"msg":"worker started"`))
	}
	if m := listeningRE.FindSubmatch(log); m != nil {
		return string(m[1]), true
	}
	return "", false
}

// logTail returns the last n lines of the file at path, indented, or why it cannot.
func logTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "    (" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "    " + strings.Join(lines, "\n    ")
}
