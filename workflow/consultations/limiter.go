package consultations

import (
	"fmt"
	"math"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"wugongkai/workflow"
)

// ClientBucket returns the part of a client address that identifies one sender: the address
// itself for IPv4, its /64 network for IPv6 (one subscriber's allocation), and the raw text for
// anything that does not parse.
func ClientBucket(client string) string {
	a, err := netip.ParseAddr(strings.TrimSpace(client))
	if err != nil {
		return client
	}
	a = a.Unmap()
	if a.Is6() {
		p, err := a.Prefix(64)
		if err == nil {
			return p.String()
		}
	}
	return a.String()
}

// ClientLimiter limits how often one client may act: a token bucket per client bucket (see
// ClientBucket) that holds burst tokens and refills at the configured rate. Idle buckets are
// forgotten. It is safe for concurrent use; a nil *ClientLimiter allows everything.
type ClientLimiter struct {
	limit rate.Limit
	burst int

	mu      sync.Mutex
	clients map[string]*rate.Limiter
	swept   time.Time
}

// NewClientLimiter returns a limiter that allows burst actions at once and perMinute a minute
// after that, per client. perMinute ≤ 0 disables it.
func NewClientLimiter(perMinute float64, burst int) *ClientLimiter {
	if burst < 1 {
		burst = 1
	}
	return &ClientLimiter{limit: rate.Limit(perMinute / 60), burst: burst, clients: map[string]*rate.Limiter{}}
}

// Allow takes a token of client's bucket at now. When the bucket is empty it returns false and
// how long until the next token.
func (l *ClientLimiter) Allow(client string, now time.Time) (bool, time.Duration) {
	if l == nil || l.limit <= 0 {
		return true, 0
	}
	key := ClientBucket(client)
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) >= time.Minute {
		for k, lim := range l.clients {
			if lim.TokensAt(now) >= float64(l.burst) { // refilled: the same as a new bucket
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
	lim, ok := l.clients[key]
	if !ok {
		lim = rate.NewLimiter(l.limit, l.burst)
		l.clients[key] = lim
	}
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Minute
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// Check is Allow as an error: nil when client may act now, else ETooMany with the seconds to wait
// in Details["retry_after_seconds"] (the Retry-After header).
func (l *ClientLimiter) Check(client string, now time.Time) error {
	ok, wait := l.Allow(client, now)
	if ok {
		return nil
	}
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return &workflow.Error{Code: workflow.ETooMany, Message: fmt.Sprintf("提交过于频繁，请 %d 秒后再试", secs),
		Details: map[string]any{"retry_after_seconds": secs}}
}

// Clients returns how many client buckets the limiter remembers.
func (l *ClientLimiter) Clients() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}
