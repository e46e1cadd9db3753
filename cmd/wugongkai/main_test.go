package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"wugongkai/internal/postgres"
	"wugongkai/internal/postgres/pgtest"
	"wugongkai/workflow"
	"wugongkai/workflow/documents"
)

// testEnv returns an environment for the binary with its own database (created by the binary
// itself, dropped at the end) and Redis DB 3.
func testEnv(t *testing.T, extra map[string]string) (func(string) string, string) {
	t.Helper()
	dsn, err := postgres.WithDatabase(pgtest.BaseURL(), fmt.Sprintf("wgk_cmd_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = postgres.DropDatabase(context.Background(), dsn) })
	env := map[string]string{
		"WUGONGKAI_DATABASE_URL": dsn,
		"WUGONGKAI_REDIS_URL":    "redis://127.0.0.1:6379/3",
		"WUGONGKAI_HTTP_ADDR":    "127.0.0.1:0",
		"WUGONGKAI_LOG_FORMAT":   "text",
		"WUGONGKAI_LOG_LEVEL":    "warn",
		// The audit key is generated here on first use, outside the database.
		"WUGONGKAI_AUDIT_KEY_FILE": filepath.Join(t.TempDir(), "audit.key"),
	}
	for k, v := range extra {
		env[k] = v
	}
	return func(k string) string { return env[k] }, dsn
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// cli runs one subcommand to completion.
func cli(t *testing.T, env func(string) string, stdin string, args ...string) (string, error) {
	t.Helper()
	var out syncBuffer
	err := runWith(context.Background(), args, &globals{env: env, stdin: strings.NewReader(stdin), stdout: &out, stderr: io.Discard})
	return out.String(), err
}

// startService runs `wugongkai args...` in the background and returns its address and a stop
// function that cancels it (as SIGTERM does) and returns run's error.
func startService(t *testing.T, env func(string) string, args ...string) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	errc := make(chan error, 1)
	var logs syncBuffer
	g := &globals{env: env, stdin: strings.NewReader(""), stdout: &logs, stderr: &logs, ready: func(a string) { addrc <- a }}
	go func() { errc <- runWith(ctx, args, g) }()
	select {
	case addr := <-addrc:
		return addr, func() error {
			cancel()
			select {
			case err := <-errc:
				return err
			case <-time.After(30 * time.Second):
				return fmt.Errorf("did not shut down in 30s; logs:\n%s", logs.String())
			}
		}
	case err := <-errc:
		cancel()
		t.Fatalf("service exited before listening: %v\n%s", err, logs.String())
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatalf("service did not start; logs:\n%s", logs.String())
	}
	return "", nil
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestRunCreatesDatabaseServesAndShutsDown is the first README command: on a database that does not
// exist yet, `run --demo` creates and migrates it, serves, answers health and readiness, lets a demo
// user log in, and stops cleanly on cancellation (SIGTERM).
func TestRunCreatesDatabaseServesAndShutsDown(t *testing.T) {
	ml, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := ml.Addr().String()
	ml.Close()
	env, _ := testEnv(t, map[string]string{"WUGONGKAI_METRICS_ADDR": metricsAddr})
	addr, stop := startService(t, env, "run", "--demo")
	base := "http://" + addr
	if st, body := get(t, base+"/healthz"); st != 200 {
		t.Fatalf("healthz %d %s", st, body)
	}
	if st, body := get(t, base+"/readyz"); st != 200 || !strings.Contains(body, `"postgres":"ok"`) || !strings.Contains(body, `"redis":"ok"`) {
		t.Fatalf("readyz %d %s", st, body)
	}
	resp, err := http.Post(base+"/api/v1/session", "application/json", strings.NewReader(`{"username":"officer","password":"`+DemoPassword+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("demo login: %d", resp.StatusCode)
	}
	var pub struct {
		Total int
		Items []struct {
			Catalogue *struct{ Code string }
		}
	}
	_, body := get(t, base+"/api/v1/public/documents")
	if err := json.Unmarshal([]byte(body), &pub); err != nil || pub.Total != 3 {
		t.Fatalf("demo portal: %v %s", err, body)
	}
	for _, d := range pub.Items {
		if d.Catalogue == nil || d.Catalogue.Code == "" {
			t.Fatalf("a demo document without its catalogue item: %s", body)
		}
	}
	// The operator's figures are on their own address, never on the public one (issue 18 item 12).
	if st, body := get(t, "http://"+metricsAddr+"/metrics"); st != 200 || !strings.Contains(body, "wugongkai_outbox_pending") {
		t.Fatalf("metrics %d", st)
	}
	if st, body := get(t, base+"/metrics"); st != http.StatusNotFound || strings.Contains(body, "wugongkai_outbox_pending") {
		t.Fatalf("public /metrics = %d %.200s, want 404", st, body)
	}
	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Fatal("still listening after shutdown")
	}
	out, err := cli(t, env, "", "audit", "checkpoint")
	if err != nil || !strings.HasPrefix(out, "checkpoint: org ") {
		t.Fatalf("audit checkpoint after the demo: %v\n%s", err, out)
	}
	out, err = cli(t, env, "", "audit", "verify")
	if err != nil || !strings.HasPrefix(out, "ok:") {
		t.Fatalf("audit verify after the demo: %v\n%s", err, out)
	}
	// Without the key, verify refuses rather than passing or generating a new one.
	noKey := func(k string) string {
		if k == "WUGONGKAI_AUDIT_KEY_FILE" {
			return filepath.Join(t.TempDir(), "missing.key")
		}
		return env(k)
	}
	if out, err := cli(t, noKey, "", "audit", "verify"); err == nil || !strings.Contains(err.Error()+out, "no audit key") {
		t.Fatalf("audit verify without the key: %v\n%s", err, out)
	}
}

// TestReadyzFollowsRedis: /readyz answers 503 with the reason while Redis is down and 200 again
// when it is back; /healthz stays 200.
func TestReadyzFollowsRedis(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatal("redis-server is not installed")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir := t.TempDir()
	startRedis := func() *exec.Cmd {
		cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for range 100 {
			if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
				c.Close()
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		return cmd
	}
	redis := startRedis()
	defer func() { redis.Process.Kill(); redis.Wait() }()
	env, _ := testEnv(t, map[string]string{"WUGONGKAI_REDIS_URL": fmt.Sprintf("redis://127.0.0.1:%d/0", port)})
	addr, stop := startService(t, env, "serve")
	defer stop()
	base := "http://" + addr
	if st, _ := get(t, base+"/readyz"); st != 200 {
		t.Fatalf("readyz with redis up: %d", st)
	}
	redis.Process.Kill()
	redis.Wait()
	st, body := get(t, base+"/readyz")
	if st != http.StatusServiceUnavailable || !strings.Contains(body, `"redis":"unavailable`) || !strings.Contains(body, `"postgres":"ok"`) {
		t.Fatalf("readyz with redis down: %d %s", st, body)
	}
	if st, _ := get(t, base+"/healthz"); st != 200 {
		t.Fatalf("healthz with redis down: %d", st)
	}
	redis = startRedis()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if st, _ := get(t, base+"/readyz"); st == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("readyz did not recover after redis came back")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestWorkflowValidateAndShow(t *testing.T) {
	env, _ := testEnv(t, nil)
	out, err := cli(t, env, "", "workflow", "validate")
	if err != nil || !strings.Contains(out, "ok  document v8") || !strings.Contains(out, "ok  decision v5") {
		t.Fatalf("validate shipped definitions: %v\n%s", err, out)
	}
	out, err = cli(t, env, "", "workflow", "validate", "--dir", "../../workflow/testdata")
	if err == nil {
		t.Fatal("bad definitions validated")
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 5 {
		t.Fatalf("expected an error per bad definition, got:\n%s", out)
	}
	for _, l := range lines {
		parts := strings.SplitN(l, ":", 3)
		if len(parts) < 3 || !strings.HasSuffix(parts[0], ".yaml") {
			t.Errorf("error line without file:line: %q", l)
			continue
		}
		if n, err := strconv.Atoi(parts[1]); err != nil || n < 0 {
			t.Errorf("error line without a line number: %q", l)
		}
	}
	out, err = cli(t, env, "", "workflow", "show", "document", "--format", "mermaid")
	if err != nil || !strings.Contains(out, "stateDiagram-v2") || !strings.Contains(out, "sign_off") {
		t.Fatalf("mermaid: %v\n%s", err, out)
	}
	out, err = cli(t, env, "", "workflow", "show", "decision", "--format", "dot")
	if err != nil || !strings.HasPrefix(out, "digraph") || !strings.Contains(out, "consultation_open") {
		t.Fatalf("dot: %v\n%s", err, out)
	}
	if _, err := cli(t, env, "", "workflow", "show", "document", "--format", "png"); err == nil {
		t.Fatal("unknown format accepted")
	}
}

func TestCalendarAdd(t *testing.T) {
	env, _ := testEnv(t, nil)
	cases := []struct {
		args        []string
		first       string
		contains    []string
		provisional bool
	}{
		{[]string{"--from", "2026-09-18", "--days", "20"}, "2026-10-22", []string{"国庆节", "2026-09-20", "2026-10-10"}, false},
		{[]string{"--from", "2025-01-24", "--days", "5"}, "2025-02-07", []string{"春节", "2025-01-26"}, false},
		{[]string{"--from", "2026-12-18", "--days", "20"}, "2027-01-18", []string{"2027", "跳过 2027-01-01 元旦"}, true},
	}
	for _, c := range cases {
		out, err := cli(t, env, "", append([]string{"calendar", "add"}, c.args...)...)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(out, "\n")
		if first != c.first {
			t.Errorf("calendar add %v: first line %q, want %q\n%s", c.args, first, c.first, out)
		}
		for _, s := range c.contains {
			if !strings.Contains(out, s) {
				t.Errorf("calendar add %v: output lacks %q\n%s", c.args, s, out)
			}
		}
		if strings.Contains(out, "暂定：") != c.provisional || strings.Contains(out, "provisional") {
			t.Errorf("calendar add %v: provisional marking wrong\n%s", c.args, out)
		}
	}
	if _, err := cli(t, env, "", "calendar", "add", "--from", "2026-13-01"); err == nil {
		t.Fatal("bad date accepted")
	}
}

func TestConfigPrecedenceAndValidation(t *testing.T) {
	dir := t.TempDir()
	file := dir + "/c.yaml"
	if err := os.WriteFile(file, []byte("http:\n  addr: \"127.0.0.1:9999\"\nlog:\n  level: debug\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig(file, true, func(k string) string {
		if k == "WUGONGKAI_HTTP_ADDR" {
			return "127.0.0.1:7777"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTP.Addr != "127.0.0.1:7777" || c.Log.Level != "debug" || c.Org.Code == "" {
		t.Fatalf("precedence: %+v", c)
	}
	if err := os.WriteFile(file, []byte("http:\n  adr: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadConfig(file, true, func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "adr") {
		t.Fatalf("unknown key not reported: %v", err)
	}
	if _, err := loadConfig(dir+"/missing.yaml", true, func(string) string { return "" }); err == nil {
		t.Fatal("an explicit missing config file was ignored")
	}
	_, err = loadConfig("", false, func(k string) string {
		return map[string]string{"WUGONGKAI_DATABASE_URL": "mysql://x", "WUGONGKAI_LOG_LEVEL": "loud"}[k]
	})
	if err == nil || !strings.Contains(err.Error(), "database.url") || !strings.Contains(err.Error(), "log.level") {
		t.Fatalf("validation: %v", err)
	}
	masked := Config{Database: DatabaseConfig{URL: "postgres://u:secret@h/db"}}.masked()
	if strings.Contains(masked.Database.URL, "secret") {
		t.Fatal("password not masked")
	}
}

// database.listen_url: the LISTEN connections' URL from the environment (else database.url),
// masked in the log, and refused when it is not a postgres:// URL; http.page_cache_mb below 0 is
// refused.
func TestListenURLAndPageCacheConfig(t *testing.T) {
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	c, err := loadConfig("", false, env(nil))
	if err != nil || c.Database.Listen() != c.Database.URL {
		t.Fatalf("default listen URL %q, database URL %q, %v", c.Database.Listen(), c.Database.URL, err)
	}
	direct := "postgres://u:secret@10.0.0.5:5432/wugongkai?sslmode=disable"
	c, err = loadConfig("", false, env(map[string]string{"WUGONGKAI_DATABASE_LISTEN_URL": direct}))
	if err != nil || c.Database.Listen() != direct {
		t.Fatalf("listen URL %q, %v; want %q", c.Database.Listen(), err, direct)
	}
	if strings.Contains(c.masked().Database.ListenURL, "secret") {
		t.Error("listen URL password not masked")
	}
	if _, err := loadConfig("", false, env(map[string]string{"WUGONGKAI_DATABASE_LISTEN_URL": "redis://h/0"})); err == nil ||
		!strings.Contains(err.Error(), "database.listen_url") {
		t.Errorf("a redis:// listen URL: %v", err)
	}
	c, _ = loadConfig("", false, env(nil))
	c.HTTP.PageCacheMB = -1
	if err := c.validate(); err == nil || !strings.Contains(err.Error(), "http.page_cache_mb") {
		t.Errorf("negative page cache size: %v", err)
	}
}

// The session cookie is Secure whenever the portal's public address is https, whatever
// session.secure_cookie says (issue 18 item 12); the metrics address comes from the environment.
func TestSecureCookieFollowsHTTPSBaseURL(t *testing.T) {
	for _, tc := range []struct {
		base string
		want bool
	}{{"https://gk.example.gov.cn", true}, {"HTTPS://gk.example.gov.cn/", true}, {"http://127.0.0.1:8080", false}} {
		c, err := loadConfig("", false, func(k string) string {
			return map[string]string{"WUGONGKAI_PUBLIC_BASE_URL": tc.base, "WUGONGKAI_METRICS_ADDR": "127.0.0.1:9090"}[k]
		})
		if err != nil {
			t.Fatal(err)
		}
		if c.Session.SecureCookie != tc.want || c.HTTP.MetricsAddr != "127.0.0.1:9090" {
			t.Errorf("base %s: secure_cookie %v, metrics_addr %q; want %v", tc.base, c.Session.SecureCookie, c.HTTP.MetricsAddr, tc.want)
		}
	}
}

func TestUserAddAndPolicyValidate(t *testing.T) {
	env, _ := testEnv(t, nil)
	out, err := cli(t, env, "a long enough password\n", "user", "add", "--username", "wang", "--name", "王某", "--unit", "chengjian",
		"--unit-name", "城建科", "--role", "drafter", "--role", "legal_reviewer", "--password-stdin")
	if err != nil || !strings.Contains(out, "已添加用户 wang") {
		t.Fatalf("user add: %v %s", err, out)
	}
	if _, err := cli(t, env, "short\n", "user", "add", "--username", "li", "--unit", "chengjian", "--role", "drafter", "--password-stdin"); err == nil {
		t.Fatal("short password accepted")
	}
	if _, err := cli(t, env, "a long enough password\n", "user", "add", "--username", "li", "--role", "pope", "--password-stdin"); err == nil {
		t.Fatal("unknown role accepted")
	}
	if _, err := cli(t, env, "another long password\n", "user", "passwd", "--username", "wang", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	if out, err := cli(t, env, "", "policy", "validate", "../../policy/policy.csv"); err != nil {
		t.Fatalf("shipped policy: %v %s", err, out)
	}
	bad := t.TempDir() + "/bad.csv"
	if err := os.WriteFile(bad, []byte("p, pope, document, sign\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := cli(t, env, "", "policy", "validate", bad); err == nil || !strings.Contains(out, "1") {
		t.Fatalf("bad policy: %v %s", err, out)
	}
}

// TestUserAddKeepsUnitsFoldsNamesChecksPasswords (issue 18 item 10): adding a user to an existing
// unit never renames it; an unknown unit needs an explicit name; user names are stored in lower
// case; trivial and common passwords are refused in Chinese.
func TestUserAddKeepsUnitsFoldsNamesChecksPasswords(t *testing.T) {
	env, dsn := testEnv(t, nil)
	const pw = "a long enough password\n"
	add := func(stdin string, args ...string) (string, error) {
		return cli(t, env, stdin, append(append([]string{"user", "add"}, args...), "--password-stdin")...)
	}
	if out, err := add(pw, "--username", "wang", "--unit", "chengjian", "--unit-name", "城建科", "--role", "drafter"); err != nil {
		t.Fatalf("first user: %v %s", err, out)
	}
	if out, err := add(pw, "--username", "Zhao", "--unit", "chengjian", "--role", "unit_head"); err != nil {
		t.Fatalf("user in an existing unit without --unit-name: %v %s", err, out)
	}
	if out, err := add(pw, "--username", "qian", "--unit", "chengjian", "--unit-name", "改名科", "--role", "drafter"); err != nil {
		t.Fatalf("user in an existing unit with another --unit-name: %v %s", err, out)
	}
	db, err := postgres.Open(context.Background(), dsn, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var unitName string
	if err := db.GetContext(context.Background(), &unitName, `SELECT name FROM units WHERE code = 'chengjian'`); err != nil || unitName != "城建科" {
		t.Fatalf("unit chengjian is named %q (%v), want 城建科 kept", unitName, err)
	}
	if _, err := add(pw, "--username", "sun", "--unit", "nosuch", "--role", "drafter"); err == nil || !strings.Contains(err.Error(), "--unit-name") {
		t.Fatalf("unknown unit without a name: %v, want a refusal asking for --unit-name", err)
	}
	var units int
	if err := db.GetContext(context.Background(), &units, `SELECT count(*) FROM units WHERE code = 'nosuch'`); err != nil || units != 0 {
		t.Fatalf("unit nosuch created: %d %v", units, err)
	}
	var names []string
	if err := db.SelectContext(context.Background(), &names, `SELECT username FROM users ORDER BY username`); err != nil {
		t.Fatal(err)
	}
	if strings.Join(names, ",") != "qian,wang,zhao" {
		t.Fatalf("usernames = %v, want qian,wang,zhao (folded)", names)
	}
	if _, err := add(pw, "--username", "ZHAO", "--unit", "chengjian", "--role", "drafter"); err == nil {
		t.Fatal("ZHAO accepted beside zhao")
	}
	if _, err := cli(t, env, "another long password\n", "user", "passwd", "--username", "ZHAO", "--password-stdin"); err != nil {
		t.Fatalf("passwd by another case: %v", err)
	}
	for _, bad := range []string{"11111111", "        ", "12345678", "abcdefgh", "Password1", "abcabcabc", "short"} {
		_, err := add(bad+"\n", "--username", "li", "--unit", "chengjian", "--role", "drafter")
		if err == nil {
			t.Errorf("password %q accepted", bad)
			continue
		}
		if !strings.ContainsRune(err.Error(), '密') {
			t.Errorf("password %q refused with %q, want a Chinese message", bad, err)
		}
	}
}

// TestDocumentsKeepTheirDefinitionVersion: a document started on the shipped version N of a flow
// keeps it after the operator ships version N+1; new documents start on version N+1.
func TestDocumentsKeepTheirDefinitionVersion(t *testing.T) {
	ctx := context.Background()
	env, _ := testEnv(t, nil)
	g := &globals{env: env, stdout: io.Discard, stderr: io.Discard}
	cfg, err := g.loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	a, err := newApp(ctx, cfg, newLogger(cfg, g))
	if err != nil {
		t.Fatal(err)
	}
	if err := seedDemo(ctx, a, io.Discard); err != nil {
		t.Fatal(err)
	}
	a.Close()

	// Version N+1 of the document flow: the same file with a new version and a renamed state label.
	shipped := a.engine.Registry().Latest
	cur, err := shipped("document")
	if err != nil {
		t.Fatal(err)
	}
	n := cur.Version
	vN, vNext := []byte(fmt.Sprintf("version: %d\n", n)), []byte(fmt.Sprintf("version: %d\n", n+1))
	dir := t.TempDir()
	for _, name := range []string{"document.yaml", "decision.yaml"} {
		b, err := os.ReadFile("../../configs/workflows/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if name == "document.yaml" {
			b = bytes.Replace(b, vN, vNext, 1)
			b = bytes.Replace(b, []byte("label: 待签发"), []byte("label: 待局领导签发"), 1)
		}
		if err := os.WriteFile(dir+"/"+name, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg.Paths.Workflows = dir
	a, err = newApp(ctx, cfg, newLogger(cfg, g))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	old, err := a.engine.Registry().Get("document", n)
	if err != nil {
		t.Fatalf("version %d no longer known after version %d shipped: %v", n, n+1, err)
	}
	if next, _ := a.engine.Registry().Latest("document"); next == nil || next.Version != n+1 {
		t.Fatalf("latest = %+v", next)
	}
	docs, _, err := a.stores.Documents.ListDocuments(ctx, documents.DocumentQuery{States: []string{"sign_off", "legal_review", "unit_review"}})
	if err != nil || len(docs) == 0 {
		t.Fatalf("demo documents in review: %v %d", err, len(docs))
	}
	for _, d := range docs {
		def, err := a.engine.Definition(d.Instance)
		if err != nil || d.DefinitionVersion != n || def != old {
			t.Fatalf("document %d runs on v%d (%v)", d.ID, d.DefinitionVersion, err)
		}
	}
	// Changing version N's content without a new number is refused.
	b, _ := os.ReadFile(dir + "/document.yaml")
	b = bytes.Replace(b, vNext, vN, 1)
	if err := os.WriteFile(dir+"/document.yaml", b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := newApp(ctx, cfg, newLogger(cfg, g)); err == nil || !strings.Contains(err.Error(), "new version number") {
		t.Fatalf("a changed definition under an old version number was accepted: %v", err)
	}
}

// TestReportCheckAndRender: `report check` passes the bureau's 2020 report (rebuilt from data),
// prints every failure of a deliberately broken one and exits non-zero, and `report render` lays a
// report out as the official tables.
func TestReportCheckAndRender(t *testing.T) {
	env, _ := testEnv(t, nil)
	good, bad := "../../internal/report/testdata/seed2020.json", "../../internal/report/testdata/broken.json"
	out, err := cli(t, env, "", "report", "check", good)
	if err != nil || !strings.HasPrefix(out, "ok:") {
		t.Fatalf("consistent report: %v\n%s", err, out)
	}
	out, err = cli(t, env, "", "report", "check", bad)
	if err == nil {
		t.Fatalf("broken report passed:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 3 || !strings.Contains(out, "表三") || !strings.Contains(out, "≠") {
		t.Fatalf("failures not printed with cell and both sides:\n%s", out)
	}
	html, err := cli(t, env, "", "report", "render", good, "--format", "html")
	if err != nil || !strings.Contains(html, "政府信息公开工作年度报告") || !strings.Contains(html, "本年度办理结果") {
		t.Fatalf("render html: %v", err)
	}
	x := t.TempDir() + "/r.xlsx"
	if _, err := cli(t, env, "", "report", "render", good, "--format", "xlsx", "--out", x); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(x); err != nil || !bytes.HasPrefix(b, []byte("PK")) {
		t.Fatalf("xlsx not written: %v", err)
	}
}

// TestPortalConfig: the footer identifiers come from the file or the environment and default to
// empty; the 我为政府网站找错 address defaults to the national platform and must be an http(s) URL.
func TestPortalConfig(t *testing.T) {
	c, err := loadConfig("", false, func(k string) string {
		return map[string]string{"WUGONGKAI_SITE_CODE": "4110000001", "WUGONGKAI_ICP": "豫ICP备12345678号"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Portal.SiteCode != "4110000001" || c.Portal.ICP != "豫ICP备12345678号" || c.Portal.PoliceRecord != "" ||
		c.Portal.ErrorReportURL != "https://zfwzzc.www.gov.cn/" {
		t.Fatalf("portal config: %+v", c.Portal)
	}
	file := t.TempDir() + "/c.yaml"
	if err := os.WriteFile(file, []byte("portal:\n  error_report_url: \"javascript:alert(1)\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadConfig(file, true, func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "portal.error_report_url") {
		t.Fatalf("bad error report url: %v", err)
	}
}

// TestShortestPeriodConfig: the floor of a shortened comment period defaults to 7 days, comes
// from the file or the environment, must lie between nothing and 30 days, and is the guard's floor.
func TestShortestPeriodConfig(t *testing.T) {
	c, err := loadConfig("", false, func(string) string { return "" })
	if err != nil || c.Comments.ShortestPeriod != 7*24*time.Hour {
		t.Fatalf("default: %v, %v", c.Comments.ShortestPeriod, err)
	}
	c, err = loadConfig("", false, func(k string) string { return map[string]string{"WUGONGKAI_SHORTEST_PERIOD": "240h"}[k] })
	if err != nil || c.Comments.ShortestPeriod != 10*24*time.Hour {
		t.Fatalf("env: %v, %v", c.Comments.ShortestPeriod, err)
	}
	opens := time.Date(2030, 1, 7, 9, 0, 0, 0, time.UTC)
	g := workflow.GuardContext{Now: opens.Add(-time.Hour), Instance: workflow.Instance{Facts: workflow.Facts{"opens_at": opens.Format(time.RFC3339),
		"closes_at": opens.Add(9 * 24 * time.Hour).Format(time.RFC3339), "shortening_reason": "紧急"}}}
	if err := guardSet(c.Comments)["period_valid"](g); workflow.ErrorCode(err) != workflow.EGuardFailed {
		t.Errorf("9 days under a 10-day floor: %v", err)
	}
	if err := guardSet(CommentsConfig{ShortestPeriod: 7 * 24 * time.Hour})["period_valid"](g); err != nil {
		t.Errorf("9 days over a 7-day floor: %v", err)
	}
	for _, bad := range []string{"0s", "721h", "7d"} {
		if _, err := loadConfig("", false, func(k string) string { return map[string]string{"WUGONGKAI_SHORTEST_PERIOD": bad}[k] }); err == nil ||
			!strings.Contains(strings.ToLower(err.Error()), "shortest_period") {
			t.Errorf("floor %q: %v", bad, err)
		}
	}
}
