package tasks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Redis is the queue's connection: a real Redis server, or (in `run` only, when none is configured
// or reachable) an in-process miniredis. The fallback is safe only because PostgreSQL holds every
// pending side effect and deadline: whatever the in-process queue holds when the process stops is
// sent again by the relay on the next start.
type Redis struct {
	Opt      asynq.RedisConnOpt
	Fallback bool
	client   redis.UniversalClient
	mr       *miniredis.Miniredis
	stop     chan struct{}
	once     sync.Once
}

// ConnectRedis connects to url. If url is empty or unreachable and fallback is allowed, it starts
// an in-process miniredis instead and logs a warning.
func ConnectRedis(ctx context.Context, url string, fallback bool, log *slog.Logger) (*Redis, error) {
	if url != "" {
		opt, err := asynq.ParseRedisURI(url)
		if err != nil {
			return nil, fmt.Errorf("parse redis url: %w", err)
		}
		r := &Redis{Opt: opt, client: opt.MakeRedisClient().(redis.UniversalClient)}
		perr := r.Ping(ctx)
		if perr == nil {
			return r, nil
		}
		r.client.Close()
		if !fallback {
			return nil, fmt.Errorf("redis at %s: %w", maskURL(url), perr)
		}
		log.Warn("redis unreachable, using in-process miniredis; PostgreSQL keeps every pending effect, so nothing is lost", "err", perr)
	} else {
		if !fallback {
			return nil, errors.New("no redis url configured")
		}
		log.Warn("no redis configured, using in-process miniredis; PostgreSQL keeps every pending effect, so nothing is lost")
	}
	mr := miniredis.NewMiniRedis()
	if err := mr.Start(); err != nil {
		return nil, fmt.Errorf("start miniredis: %w", err)
	}
	opt := asynq.RedisClientOpt{Addr: mr.Addr()}
	r := &Redis{Opt: opt, Fallback: true, client: opt.MakeRedisClient().(redis.UniversalClient), mr: mr, stop: make(chan struct{})}
	// miniredis keeps its own clock: keys with a TTL (asynq's leases and locks) only expire when it
	// is moved forward, so tick it with the wall clock.
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		last := time.Now()
		for {
			select {
			case <-r.stop:
				return
			case now := <-t.C:
				mr.FastForward(now.Sub(last))
				last = now
			}
		}
	}()
	return r, nil
}

// Ping checks the connection.
func (r *Redis) Ping(ctx context.Context) error {
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return r.client.Ping(pctx).Err()
}

// Client returns the underlying go-redis client (for the inspector and tests).
func (r *Redis) Client() redis.UniversalClient { return r.client }

// Close releases the connection and stops the fallback server, if any.
func (r *Redis) Close() {
	r.once.Do(func() {
		r.client.Close()
		if r.mr != nil {
			close(r.stop)
			r.mr.Close()
		}
	})
}

// maskURL hides a password in a URL for logs.
func maskURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable url)"
	}
	return u.Redacted()
}

// QueueInfo returns the sizes of the default queue by task state.
func QueueInfo(r *Redis) (map[string]int, error) {
	insp := asynq.NewInspectorFromRedisClient(r.client)
	qi, err := insp.GetQueueInfo("default")
	if err != nil {
		return nil, err
	}
	return map[string]int{"pending": qi.Pending, "active": qi.Active, "scheduled": qi.Scheduled,
		"retry": qi.Retry, "archived": qi.Archived}, nil
}
