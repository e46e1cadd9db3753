// Package faults proves the invariants (docs/invariants.md) under faults: the real wugongkai binary, built
// once into a temporary directory, runs as child processes that the tests SIGKILL, start twice,
// or cut off from a private Redis or a private PostgreSQL cluster they stop and start. Nothing
// here touches the machine's shared PostgreSQL or Redis beyond a scratch database per test.
package faults

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"wugongkai/internal/postgres"
	"wugongkai/internal/postgres/pgtest"
)

// binary is the wugongkai binary TestMain builds.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "wgk-faults-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "wugongkai")
	build := exec.Command("go", "build", "-o", binary, "wugongkai/cmd/wugongkai")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build wugongkai:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const password = "fault-test-password"

// faultConfig is the configuration file of the child processes: a fast relay and sweep, a short
// requeue, no per-client limit on comments (every client is 127.0.0.1), and comment periods of
// seconds.
const faultConfig = `http:
  shutdown_timeout: 5s
worker:
  concurrency: 10
  relay_interval: 100ms
  sweep_interval: 200ms
  requeue_after: 2s
comments:
  rate_per_minute: 1000000000
  burst: 1000000000
  shortest_period: 1s
log:
  format: json
  level: info
`

// scratchDB returns the URL of a database on the shared server that the binary creates on its
// first start; it is dropped when the test ends.
func scratchDB(t *testing.T) string {
	t.Helper()
	var b [5]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	dsn, err := postgres.WithDatabase(pgtest.BaseURL(), "wgk_faults_"+hex.EncodeToString(b[:]))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := postgres.DropDatabase(context.Background(), dsn); err != nil {
			t.Logf("drop %s: %v", dsn, err)
		}
	})
	return dsn
}

// env is the environment of one deployment: its database, Redis and configuration file.
type env struct {
	t     *testing.T
	dsn   string
	redis string // "" = in-process fallback (run mode only)
	conf  string
}

func newEnv(t *testing.T, dsn, redis string) *env {
	t.Helper()
	conf := filepath.Join(t.TempDir(), "wugongkai.yaml")
	if err := os.WriteFile(conf, []byte(faultConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	return &env{t: t, dsn: dsn, redis: redis, conf: conf}
}

func (e *env) environ() []string {
	out := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TZ=UTC",
		"WUGONGKAI_DATABASE_URL=" + e.dsn, "WUGONGKAI_HTTP_ADDR=127.0.0.1:0"}
	if e.redis != "" {
		out = append(out, "WUGONGKAI_REDIS_URL="+e.redis, "WUGONGKAI_REDIS_FALLBACK=false")
	} else {
		out = append(out, "WUGONGKAI_REDIS_URL=", "WUGONGKAI_REDIS_FALLBACK=true")
	}
	return out
}

// cli runs a subcommand of the binary to completion.
func (e *env) cli(stdin string, args ...string) string {
	e.t.Helper()
	cmd := exec.Command(binary, append([]string{"--config", e.conf}, args...)...)
	cmd.Env = e.environ()
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		e.t.Fatalf("wugongkai %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// bureau creates the accounts the tests act as: a drafter and a unit head of 城建科, and the
// bureau-wide legal reviewer, disclosure officer and leader.
func (e *env) bureau() {
	e.t.Helper()
	for _, u := range []struct{ name, display, role, unit string }{
		{"drafter", "王起草", "drafter", "chengjian"},
		{"unithead", "李科长", "unit_head", "chengjian"},
		{"legal", "陈法规", "legal_reviewer", "*"},
		{"officer", "周公开", "disclosure_officer", "*"},
		{"leader", "张局长", "leader", "*"},
	} {
		e.cli(password+"\n", "user", "add", "--username", u.name, "--name", u.display, "--unit", u.unit, "--unit-name", "城建科",
			"--role", u.role, "--password-stdin")
	}
}

// lockedBuffer collects a child's log lines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// proc is one running child process of the binary.
type proc struct {
	t    *testing.T
	name string
	cmd  *exec.Cmd
	addr string // the HTTP address; "" for a worker
	logs *lockedBuffer
	done chan struct{}
	err  error
}

var listeningRE = regexp.MustCompile(`"msg":"http server listening".*?"addr":"([^"]+)"`)

// start runs `wugongkai mode` (run, serve or worker) and waits until it listens (or, for a
// worker, until its worker started). The process is killed at cleanup if still running.
func (e *env) start(mode string) *proc {
	e.t.Helper()
	p := &proc{t: e.t, name: mode, logs: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(binary, "--config", e.conf, mode)
	p.cmd.Env = e.environ()
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	p.cmd.Stdout = p.logs
	if err := p.cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.logs.Write([]byte(line + "\n"))
			if m := listeningRE.FindStringSubmatch(line); m != nil {
				select {
				case ready <- m[1]:
				default:
				}
			} else if mode == "worker" && strings.Contains(line, `"msg":"worker started"`) {
				select {
				case ready <- "":
				default:
				}
			}
		}
	}()
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	e.t.Cleanup(p.kill)
	select {
	case p.addr = <-ready:
	case <-p.done:
		e.t.Fatalf("wugongkai %s exited before it was ready: %v\n%s", mode, p.err, p.logs.String())
	case <-time.After(90 * time.Second):
		p.kill()
		e.t.Fatalf("wugongkai %s did not start in 90 s\n%s", mode, p.logs.String())
	}
	return p
}

func (p *proc) base() string { return "http://" + p.addr }

// kill sends SIGKILL and waits for the process to be gone.
func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop sends SIGTERM and waits for a clean exit.
func (p *proc) stop() {
	p.t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		if p.err != nil {
			p.t.Errorf("wugongkai %s exited with %v\n%s", p.name, p.err, p.logs.String())
		}
	case <-time.After(30 * time.Second):
		p.kill()
		p.t.Errorf("wugongkai %s did not stop on SIGTERM\n%s", p.name, p.logs.String())
	}
}

// alive fails the test if the process has exited.
func (p *proc) alive() {
	p.t.Helper()
	select {
	case <-p.done:
		p.t.Fatalf("wugongkai %s exited: %v\n%s", p.name, p.err, p.logs.String())
	default:
	}
}

// panicked reports whether the process logged a recovered panic or died of one.
func (p *proc) panicked() bool {
	l := p.logs.String()
	return strings.Contains(l, "panic") || strings.Contains(l, "goroutine ")
}

// client is the tests' HTTP client: several connections, bounded time.
var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128, MaxConnsPerHost: 0}, Timeout: 30 * time.Second}

// problem is the error body of the API.
type problem struct {
	Status int    `json:"status"`
	Code   string `json:"code"`
	Detail string `json:"detail"`
}

// call sends a JSON request and returns the status and body; a transport error is returned as is.
func call(ctx context.Context, method, url, token string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// mustCall is call that fails the test unless the status is want, decoding the body into out.
func mustCall(t *testing.T, method, url, token string, body any, want int, out any) {
	t.Helper()
	status, b, err := call(context.Background(), method, url, token, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	if status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, url, status, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decode: %v: %s", method, url, err, b)
		}
	}
}

func login(t *testing.T, base, user string) string {
	t.Helper()
	var out struct {
		Token string `json:"token"`
	}
	mustCall(t, http.MethodPost, base+"/api/v1/session", "", map[string]string{"username": user, "password": password}, http.StatusCreated, &out)
	return out.Token
}

// doc is the part of a document the tests follow.
type doc struct {
	ID      int64  `json:"id"`
	Version int    `json:"version"`
	State   string `json:"state"`
}

func create(t *testing.T, base, token string, body map[string]any) doc {
	t.Helper()
	var d doc
	mustCall(t, http.MethodPost, base+"/api/v1/documents", token, body, http.StatusCreated, &d)
	return d
}

func fire(t *testing.T, base, token string, d doc, name string, input map[string]string) doc {
	t.Helper()
	var out doc
	mustCall(t, http.MethodPost, fmt.Sprintf("%s/api/v1/documents/%d/transitions/%s", base, d.ID, name), token,
		map[string]any{"version": d.Version, "input": input}, http.StatusOK, &out)
	return out
}

// db opens the deployment's database for checks.
func (e *env) db() *postgres.DB {
	e.t.Helper()
	db, err := postgres.Open(context.Background(), e.dsn, 4)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { db.Close() })
	return db
}

func count(t *testing.T, db *postgres.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// redisServer is a private redis-server the test may stop, restart and flush.
type redisServer struct {
	t    *testing.T
	port int
	dir  string
	cmd  *exec.Cmd
}

func startRedis(t *testing.T) *redisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatal("redis-server is not installed (Debian package redis-server)")
	}
	r := &redisServer{t: t, port: freePort(t), dir: t.TempDir()}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *redisServer) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

func (r *redisServer) start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", r.dir)
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	waitFor(r.t, "redis-server to listen", 10*time.Second, func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", r.port))
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}

func (r *redisServer) stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		r.cmd.Process.Kill()
		r.cmd.Wait()
		r.cmd = nil
	}
}

// flush empties every database of the server.
func (r *redisServer) flush() {
	r.t.Helper()
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", r.port))
	if err != nil {
		r.t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("*1\r\n$8\r\nFLUSHALL\r\n")); err != nil {
		r.t.Fatal(err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "+OK") {
		r.t.Fatalf("FLUSHALL: %q %v", line, err)
	}
}

// hasHan reports whether s contains a Chinese character.
func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}
