package bench

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestScaleoutRoundRobin(t *testing.T) {
	tests := []struct {
		name    string
		bases   []string
		clients int
		want    map[string]int
	}{
		{"one server", []string{"http://a"}, 5, map[string]int{"http://a": 5}},
		{"two servers", []string{"http://a", "http://b"}, 32, map[string]int{"http://a": 16, "http://b": 16}},
		{"three servers", []string{"http://a", "http://b", "http://c"}, 32, map[string]int{"http://a": 11, "http://b": 11, "http://c": 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]int{}
			for w := range tt.clients {
				got[roundRobin(tt.bases, w)]++
			}
			if len(got) != len(tt.want) {
				t.Fatalf("clients spread as %v, want %v", got, tt.want)
			}
			for base, n := range tt.want {
				if got[base] != n {
					t.Errorf("clients spread as %v, want %v", got, tt.want)
				}
			}
		})
	}
	// A client keeps its server from one request to the next; neighbours alternate.
	b := &runner{t: Target{BaseURL: "http://a", BaseURLs: []string{"http://a", "http://b"}}}
	if b.apiFor(0).base != "http://a" || b.apiFor(1).base != "http://b" || b.apiFor(2).base != "http://a" {
		t.Errorf("clients 0, 1, 2 talk to %s, %s, %s", b.apiFor(0).base, b.apiFor(1).base, b.apiFor(2).base)
	}
	one := &runner{t: Target{BaseURL: "http://a"}}
	if one.apiFor(7).base != "http://a" {
		t.Errorf("with one server client 7 talks to %s", one.apiFor(7).base)
	}
}

func TestScaleoutReadyIn(t *testing.T) {
	const listening = `{"time":"2026-12-04T10:00:00Z","level":"INFO","msg":"starting","mode":"serve"}
{"time":"2026-12-04T10:00:01Z","level":"INFO","msg":"http server listening","addr":"127.0.0.1:41234","url":"http://127.0.0.1:41234/"}
`
	tests := []struct {
		mode, log string
		addr      string
		ok        bool
	}{
		{"serve", listening, "127.0.0.1:41234", true},
		{"serve", `{"level":"INFO","msg":"starting","mode":"serve"}` + "\n", "", false},
		{"worker", `{"level":"INFO","msg":"worker started","fallback_redis":false}` + "\n", "", true},
		{"worker", listening, "", false},
	}
	for _, tt := range tests {
		addr, ok := readyIn(tt.mode, []byte(tt.log))
		if addr != tt.addr || ok != tt.ok {
			t.Errorf("readyIn(%s, %q) = %q, %v; want %q, %v", tt.mode, tt.log, addr, ok, tt.addr, tt.ok)
		}
	}
}

func TestScaleoutName(t *testing.T) {
	for _, tt := range []struct {
		what string
		n    int
		want string
	}{
		{scaleoutTransitions, 1, "scaleout: transitions, 1 server"},
		{scaleoutTransitions, 2, "scaleout: transitions, 2 servers"},
		{scaleoutComments, 2, "scaleout: comment intake, 2 servers"},
		{"deadline sweep (20000 due at once)", 1, "scaleout: deadline sweep (20000 due at once), 1 worker"},
		{"deadline sweep (20000 due at once)", 2, "scaleout: deadline sweep (20000 due at once), 2 workers"},
	} {
		if got := scaleoutName(tt.what, tt.n); got != tt.want {
			t.Errorf("scaleoutName(%q, %d) = %q, want %q", tt.what, tt.n, got, tt.want)
		}
	}
}

// fakeService is a shell script standing in for the service: it logs what `serve` and `worker`
// log when ready (unless told to fail first), and exits on SIGTERM unless told to ignore it.
const fakeService = `case "$FAKE" in
fail) echo "startup failed: no database" >&2; exit 3 ;;
esac
trap 'echo "stopping $1" >&2; exit 0' TERM
[ "$FAKE" = stubborn ] && trap '' TERM
case "$1" in
serve) echo '{"level":"INFO","msg":"http server listening","addr":"127.0.0.1:4'$$'","url":"http://x/"}' >&2 ;;
worker) echo '{"level":"INFO","msg":"worker started"}' >&2 ;;
esac
while :; do sleep 0.05; done
`

func fakeFleet(behaviour string) *Fleet {
	return &Fleet{Binary: "/bin/sh", Args: []string{"-c", fakeService, "fake"}, Env: append(os.Environ(), "FAKE="+behaviour)}
}

// TestScaleoutChildren starts two fake servers and two fake workers, reads the servers' addresses from
// their logs and stops all four with SIGTERM; a child that ignores SIGTERM is killed after
// childStop and reported, and a child that exits at start fails the start with its log kept.
func TestScaleoutChildren(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	dir := t.TempDir()
	kids, err := startFleet(context.Background(), fakeFleet("good"), 2, dir)
	if err != nil {
		stopChildren(kids)
		t.Fatal(err)
	}
	if len(kids) != 4 {
		t.Fatalf("%d children, want 4", len(kids))
	}
	servers := 0
	for _, c := range kids {
		if c.mode == "serve" {
			servers++
			if !strings.HasPrefix(c.addr, "127.0.0.1:4") {
				t.Errorf("%s: address %q", c.name, c.addr)
			}
		} else if c.addr != "" {
			t.Errorf("%s has an address %q", c.name, c.addr)
		}
		if exited, err := c.exited(); exited {
			t.Errorf("%s exited: %v", c.name, err)
		}
	}
	if servers != 2 {
		t.Errorf("%d servers, want 2", servers)
	}
	if err := stopChildren(kids); err != nil {
		t.Errorf("stop: %v", err)
	}
	for _, c := range kids {
		if l := logTail(c.logPath, 5); !strings.Contains(l, "stopping "+c.mode) {
			t.Errorf("%s was not stopped by SIGTERM; its log:\n%s", c.name, l)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "scaleout-2-worker-2.log")); err != nil {
		t.Error(err)
	}

	t.Run("stubborn", func(t *testing.T) {
		defer func(d time.Duration) { childStop = d }(childStop)
		childStop = 300 * time.Millisecond
		kids, err := startFleet(context.Background(), fakeFleet("stubborn"), 1, t.TempDir())
		if err != nil {
			stopChildren(kids)
			t.Fatal(err)
		}
		start := time.Now()
		err = stopChildren(kids)
		if err == nil || !strings.Contains(err.Error(), "did not stop cleanly") || !strings.Contains(err.Error(), "killed") {
			t.Errorf("a child ignoring SIGTERM: %v", err)
		}
		if took := time.Since(start); took < 300*time.Millisecond || took > 10*time.Second {
			t.Errorf("stopping took %s with childStop 300ms", took)
		}
	})

	t.Run("fails at start", func(t *testing.T) {
		kids, err := startFleet(context.Background(), fakeFleet("fail"), 1, t.TempDir())
		stopChildren(kids)
		if err == nil || !strings.Contains(err.Error(), "exited before it was ready") {
			t.Fatalf("start of a failing child: %v", err)
		}
		if l := logTail(kids[0].logPath, 3); !strings.Contains(l, "startup failed: no database") {
			t.Errorf("log tail %q", l)
		}
	})
}
