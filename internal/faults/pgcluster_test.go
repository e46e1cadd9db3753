package faults

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"

	"wugongkai/internal/postgres"
)

// pgCluster is a private PostgreSQL cluster (initdb + pg_ctl) in a temporary directory on a free
// port, so a test can stop and start it without touching the server other tests share.
type pgCluster struct {
	t    *testing.T
	bin  string // directory of initdb, pg_ctl
	dir  string // parent of the data directory, owned by the server's user
	data string
	port int
	cred *syscall.Credential // run as this user (initdb refuses root)
}

// pgBinDir returns the newest /usr/lib/postgresql/*/bin that has initdb and pg_ctl.
func pgBinDir(t *testing.T) string {
	t.Helper()
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi < vj
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i]
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p)
	}
	t.Fatal("initdb not found in /usr/lib/postgresql/*/bin or on PATH (Debian package postgresql)")
	return ""
}

// startCluster creates and starts a private cluster; it is stopped and removed at cleanup.
func startCluster(t *testing.T) *pgCluster {
	t.Helper()
	c := &pgCluster{t: t, bin: pgBinDir(t), port: freePort(t)}
	dir, err := os.MkdirTemp("", "wgk-faults-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir, c.data = dir, filepath.Join(dir, "data")
	t.Cleanup(func() {
		c.pgctl("stop", "-m", "immediate")
		os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatal("running as root and there is no postgres user to run initdb as")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	c.run(filepath.Join(c.bin, "initdb"), "-D", c.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
	c.start()
	return c
}

func (c *pgCluster) run(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil && name != filepath.Join(c.bin, "pg_ctl") {
		c.t.Fatalf("%s %v: %v\n%s", filepath.Base(name), args, err, out.String())
	}
	return out.String(), err
}

func (c *pgCluster) pgctl(args ...string) error {
	_, err := c.run(filepath.Join(c.bin, "pg_ctl"), append([]string{"-D", c.data, "-w", "-t", "60"}, args...)...)
	return err
}

// start starts the server and waits until it accepts connections.
func (c *pgCluster) start() {
	c.t.Helper()
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories=%s -c max_connections=200 -c shared_buffers=64MB -c fsync=off",
		c.port, c.dir)
	if err := c.pgctl("start", "-l", filepath.Join(c.dir, "server.log"), "-o", opts); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		c.t.Fatalf("start private PostgreSQL: %v\n%s", err, log)
	}
}

// stop shuts the server down the way an operator's restart does (fast: connections are ended).
func (c *pgCluster) stop() {
	c.t.Helper()
	if err := c.pgctl("stop", "-m", "fast"); err != nil {
		c.t.Fatalf("stop private PostgreSQL: %v", err)
	}
}

// url returns the URL of database name on the cluster.
func (c *pgCluster) url(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, name)
}

// ping reports whether the cluster answers.
func (c *pgCluster) ping() bool {
	db, err := postgres.Open(context.Background(), c.url("postgres"), 1)
	if err != nil {
		return false
	}
	db.Close()
	return true
}
