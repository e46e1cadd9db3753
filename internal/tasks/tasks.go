// Package tasks runs the background side of wugongkai on asynq (Redis): the outbox relay that hands
// committed side effects to the queue, the handlers that carry them out, and the deadline sweep that
// fires every due timed step straight from PostgreSQL. PostgreSQL holds the truth: with Redis empty,
// flushed or down, work is delayed, never lost (docs/invariants.md, 3).
package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"wugongkai/workflow"
)

// Task types ("domain:verb").
const (
	TypeOutboxNotify = "outbox:notify"
)

// Outbox is what the relay and the handlers need from PostgreSQL.
type Outbox interface {
	PendingOutbox(ctx context.Context, now time.Time, requeueAfter time.Duration, limit int) ([]workflow.OutboxItem, error)
	MarkEnqueued(ctx context.Context, ids []int64, now time.Time) error
	ProcessOutbox(ctx context.Context, id int64, now time.Time) (bool, error)
}

// Deadlines is what the sweep needs from PostgreSQL.
type Deadlines interface {
	FireDueDeadlines(ctx context.Context, now time.Time, limit int, fire func(workflow.Deadline, workflow.Instance) (workflow.Result, error)) (int, error)
}

// Firer computes a timed transition; *workflow.Engine satisfies it.
type Firer interface {
	Fire(inst workflow.Instance, name string, actor workflow.Actor, in workflow.Input, now time.Time) (workflow.Result, error)
}

// Config tunes the relay and the sweep.
type Config struct {
	RelayInterval time.Duration // how often the relay looks for unsent outbox rows
	RequeueAfter  time.Duration // an enqueued row still unprocessed after this is sent again
	SweepInterval time.Duration // how often the sweep looks for due deadlines
	Batch         int           // rows per relay or sweep round
	Queue         string        // asynq queue name
}

func (c Config) withDefaults() Config {
	if c.RelayInterval <= 0 {
		c.RelayInterval = 500 * time.Millisecond
	}
	if c.RequeueAfter <= 0 {
		c.RequeueAfter = time.Minute
	}
	if c.SweepInterval <= 0 {
		c.SweepInterval = time.Second
	}
	if c.Batch <= 0 {
		c.Batch = 500
	}
	if c.Queue == "" {
		c.Queue = "default"
	}
	return c
}

// outboxPayload is the task payload: only the row id; the row itself stays in PostgreSQL.
type outboxPayload struct {
	ID int64 `json:"id"`
}

// NewOutboxTask returns the asynq task for an outbox row, with the row id as task id so that
// handing the same row over twice is refused by asynq while the first copy is still queued.
func NewOutboxTask(item workflow.OutboxItem, queue string) (*asynq.Task, []asynq.Option, error) {
	b, err := json.Marshal(outboxPayload{ID: item.ID})
	if err != nil {
		return nil, nil, fmt.Errorf("encode task: %w", err)
	}
	opts := []asynq.Option{asynq.TaskID("outbox-" + strconv.FormatInt(item.ID, 10)), asynq.MaxRetry(25), asynq.Queue(queue),
		asynq.Timeout(time.Minute)}
	if item.RunAt.After(time.Now()) {
		opts = append(opts, asynq.ProcessAt(item.RunAt))
	}
	return asynq.NewTask("outbox:"+item.Kind, b), opts, nil
}

// Relay hands committed outbox rows to asynq.
type Relay struct {
	store  Outbox
	client *asynq.Client
	cfg    Config
	log    *slog.Logger
	clock  workflow.Clock
}

// NewRelay returns a relay.
func NewRelay(store Outbox, client *asynq.Client, cfg Config, log *slog.Logger, clock workflow.Clock) *Relay {
	if clock == nil {
		clock = workflow.SystemClock
	}
	return &Relay{store: store, client: client, cfg: cfg.withDefaults(), log: log, clock: clock}
}

// RunOnce relays one batch and returns how many rows it handed over.
func (r *Relay) RunOnce(ctx context.Context) (int, error) {
	now := r.clock.Now()
	items, err := r.store.PendingOutbox(ctx, now, r.cfg.RequeueAfter, r.cfg.Batch)
	if err != nil {
		return 0, err
	}
	var sent []int64
	var firstErr error
	for _, it := range items {
		task, opts, err := NewOutboxTask(it, r.cfg.Queue)
		if err != nil {
			return 0, err
		}
		_, err = r.client.EnqueueContext(ctx, task, opts...)
		if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) && !errors.Is(err, asynq.ErrDuplicateTask) {
			firstErr = fmt.Errorf("enqueue outbox %d: %w", it.ID, err)
			break // Redis is likely down: stop this round, the rows stay pending
		}
		sent = append(sent, it.ID)
	}
	if err := r.store.MarkEnqueued(ctx, sent, now); err != nil {
		return 0, err
	}
	return len(sent), firstErr
}

// Run relays until ctx ends.
func (r *Relay) Run(ctx context.Context) {
	loop(ctx, r.cfg.RelayInterval, func() {
		for {
			n, err := r.RunOnce(ctx)
			if err != nil {
				if ctx.Err() == nil {
					r.log.Warn("outbox relay", "err", err)
				}
				return
			}
			if n < r.cfg.Batch {
				return
			}
		}
	})
}

// Handlers carries out queued tasks.
type Handlers struct {
	store Outbox
	clock workflow.Clock
	log   *slog.Logger
}

// NewHandlers returns the task handlers.
func NewHandlers(store Outbox, log *slog.Logger, clock workflow.Clock) *Handlers {
	if clock == nil {
		clock = workflow.SystemClock
	}
	return &Handlers{store: store, clock: clock, log: log}
}

// Mux returns the asynq handler that routes every task type.
func (h *Handlers) Mux() *asynq.ServeMux {
	mux := asynq.NewServeMux()
	mux.HandleFunc(TypeOutboxNotify, h.ProcessOutbox)
	return mux
}

// ProcessOutbox carries out one outbox row. It is idempotent: the row is marked processed in the
// transaction that does the work, and a processed row is skipped.
func (h *Handlers) ProcessOutbox(ctx context.Context, t *asynq.Task) error {
	var p outboxPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.ID <= 0 {
		return fmt.Errorf("bad outbox payload %q: %w", t.Payload(), asynq.SkipRetry)
	}
	_, err := h.store.ProcessOutbox(ctx, p.ID, h.clock.Now())
	if err != nil && workflow.ErrorCode(err) == workflow.EInvalid {
		return fmt.Errorf("outbox %d: %v: %w", p.ID, err, asynq.SkipRetry)
	}
	return err
}

// Sweep fires every due deadline straight from PostgreSQL. Several sweeps (one per worker
// process) can run at once: each deadline is locked with SKIP LOCKED and done exactly once.
type Sweep struct {
	store   Deadlines
	engine  Firer
	cfg     Config
	log     *slog.Logger
	clock   workflow.Clock
	workers int
	OnFired func(n int) // optional hook (metrics): n deadlines were carried out
	// Housekeeping, if set, runs about once a minute in the sweep loop (validity expiry).
	Housekeeping func(ctx context.Context) error
	lastHouse    time.Time
}

// NewSweep returns a sweep.
func NewSweep(store Deadlines, engine Firer, cfg Config, log *slog.Logger, clock workflow.Clock) *Sweep {
	if clock == nil {
		clock = workflow.SystemClock
	}
	return &Sweep{store: store, engine: engine, cfg: cfg.withDefaults(), log: log, clock: clock, workers: 4}
}

// RunOnce fires the deadlines due now, a batch per transaction with several workers side by side
// (each batch locks its deadlines with SKIP LOCKED, so the workers never share one), and returns
// how many this call carried out.
func (s *Sweep) RunOnce(ctx context.Context) (int, error) {
	var (
		mu       sync.Mutex
		done     int
		firstErr error
		wg       sync.WaitGroup
	)
	now := s.clock.Now()
	fire := func(d workflow.Deadline, inst workflow.Instance) (workflow.Result, error) {
		return s.engine.Fire(inst, d.Transition, workflow.SystemActor, workflow.Input{}, now)
	}
	for i := 0; i < s.workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				n, err := s.store.FireDueDeadlines(ctx, now, sweepBatch, fire)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("fire deadlines: %w", err)
				}
				done += n
				mu.Unlock()
				if s.OnFired != nil && n > 0 {
					s.OnFired(n)
				}
				if err != nil || n < sweepBatch {
					return // nothing more due that another worker does not hold
				}
			}
		}()
	}
	wg.Wait()
	return done, firstErr
}

// sweepBatch is how many deadlines one transaction carries out: large enough that the fixed
// statements per batch cost little per deadline, small enough that a batch commits in well under
// a second and holds the organisation's audit head briefly.
const sweepBatch = 1000

// Run sweeps until ctx ends.
func (s *Sweep) Run(ctx context.Context) {
	loop(ctx, s.cfg.SweepInterval, func() {
		if _, err := s.RunOnce(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("deadline sweep", "err", err)
		}
		if s.Housekeeping != nil && time.Since(s.lastHouse) >= time.Minute {
			s.lastHouse = time.Now()
			if err := s.Housekeeping(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("housekeeping", "err", err)
			}
		}
	})
}

func loop(ctx context.Context, every time.Duration, fn func()) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		fn()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
