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

// Outbox is what the relay and the handlers need from one organisation's PostgreSQL stores.
type Outbox interface {
	PendingOutbox(ctx context.Context, now time.Time, requeueAfter time.Duration, limit int) ([]workflow.OutboxItem, error)
	MarkEnqueued(ctx context.Context, ids []int64, now time.Time) error
	ProcessOutboxBatch(ctx context.Context, ids []int64, now time.Time) (int, error)
}

// Deadlines is what the sweep needs from one organisation's PostgreSQL stores.
type Deadlines interface {
	FireDueDeadlinesAfter(ctx context.Context, now time.Time, after workflow.DueCursor, limit int,
		fire func(workflow.Deadline, workflow.Instance) (workflow.Result, error)) (int, workflow.DueCursor, error)
}

// Orgs resolves organisations to their stores. The worker serves every organisation in the
// database, not one from the configuration (issue 15): the relay and the sweep ask IDs each round
// (so an organisation added while running is served from the next one), and each outbox row, task
// and deadline is handled with its own organisation's stores.
type Orgs struct {
	IDs       func(ctx context.Context) ([]int64, error)
	Outbox    func(org int64) Outbox
	Deadlines func(org int64) Deadlines
}

// OneOrg serves the one organisation org with outbox and deadlines (tests, tools).
func OneOrg(org int64, outbox Outbox, deadlines Deadlines) Orgs {
	return Orgs{
		IDs:       func(context.Context) ([]int64, error) { return []int64{org}, nil },
		Outbox:    func(int64) Outbox { return outbox },
		Deadlines: func(int64) Deadlines { return deadlines },
	}
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
	Batch         int           // outbox rows per organisation per relay turn
	TaskBatch     int           // outbox rows per task (carried out in one transaction)
	SweepBatch    int           // deadlines per organisation per sweep turn (one transaction)
	SweepWorkers  int           // sweep batches carried out side by side
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
		c.Batch = 1000
	}
	if c.TaskBatch <= 0 {
		c.TaskBatch = 100
	}
	if c.SweepBatch <= 0 {
		// Large enough that the fixed statements per batch cost little per deadline, small
		// enough that a batch commits in well under a second and holds the organisation's audit
		// head briefly.
		c.SweepBatch = 1000
	}
	if c.SweepWorkers <= 0 {
		c.SweepWorkers = 4
	}
	if c.Queue == "" {
		c.Queue = "default"
	}
	return c
}

// outboxPayload is the task payload: the organisation and the row ids; the rows themselves stay
// in PostgreSQL.
type outboxPayload struct {
	Org int64   `json:"org"`
	IDs []int64 `json:"ids"`
}

// NewOutboxTask returns the asynq task carrying out items, rows of one organisation and kind, in
// one transaction. Its task id names the rows, so handing the same rows over again is refused by
// asynq while the first copy is still queued (a single row keeps the id "outbox-<id>").
func NewOutboxTask(items []workflow.OutboxItem, queue string) (*asynq.Task, []asynq.Option, error) {
	if len(items) == 0 {
		return nil, nil, errors.New("outbox task without rows")
	}
	p := outboxPayload{Org: items[0].Org, IDs: make([]int64, len(items))}
	var runAt time.Time
	for i, it := range items {
		p.IDs[i] = it.ID
		if it.RunAt.After(runAt) {
			runAt = it.RunAt
		}
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, nil, fmt.Errorf("encode task: %w", err)
	}
	id := "outbox-" + strconv.FormatInt(p.IDs[0], 10)
	if len(p.IDs) > 1 {
		id += fmt.Sprintf("-%d-%d", p.IDs[len(p.IDs)-1], len(p.IDs))
	}
	opts := []asynq.Option{asynq.TaskID(id), asynq.MaxRetry(25), asynq.Queue(queue), asynq.Timeout(time.Minute)}
	if runAt.After(time.Now()) {
		opts = append(opts, asynq.ProcessAt(runAt))
	}
	return asynq.NewTask("outbox:"+items[0].Kind, b), opts, nil
}

// groupOutbox splits items (one organisation's, in id order) into the rows of one task each: up
// to max rows of one kind that are due now; a row scheduled for later goes alone.
func groupOutbox(items []workflow.OutboxItem, max int, now time.Time) [][]workflow.OutboxItem {
	var groups [][]workflow.OutboxItem
	var cur []workflow.OutboxItem
	for _, it := range items {
		later := it.RunAt.After(now)
		if len(cur) > 0 && (later || len(cur) == max || cur[0].Kind != it.Kind) {
			groups, cur = append(groups, cur), nil
		}
		cur = append(cur, it)
		if later {
			groups, cur = append(groups, cur), nil
		}
	}
	if len(cur) > 0 {
		groups = append(groups, cur)
	}
	return groups
}

// Relay hands committed outbox rows to asynq, every organisation's in turn.
type Relay struct {
	orgs   Orgs
	client *asynq.Client
	cfg    Config
	log    *slog.Logger
	clock  workflow.Clock
}

// NewRelay returns a relay.
func NewRelay(orgs Orgs, client *asynq.Client, cfg Config, log *slog.Logger, clock workflow.Clock) *Relay {
	if clock == nil {
		clock = workflow.SystemClock
	}
	return &Relay{orgs: orgs, client: client, cfg: cfg.withDefaults(), log: log, clock: clock}
}

// RunOnce relays one turn, up to a batch of each organisation's rows, and returns how many rows
// it handed over.
func (r *Relay) RunOnce(ctx context.Context) (int, error) {
	n, _, err := r.turn(ctx)
	return n, err
}

// turn relays up to a batch of each organisation's rows and reports whether any organisation
// had a full batch (more may be waiting).
func (r *Relay) turn(ctx context.Context) (int, bool, error) {
	orgs, err := r.orgs.IDs(ctx)
	if err != nil {
		return 0, false, err
	}
	sent, full := 0, false
	for _, org := range orgs {
		n, err := r.relayOrg(ctx, org)
		sent += n
		if err != nil {
			return sent, false, err
		}
		full = full || n == r.cfg.Batch
	}
	return sent, full, nil
}

func (r *Relay) relayOrg(ctx context.Context, org int64) (int, error) {
	store := r.orgs.Outbox(org)
	now := r.clock.Now()
	items, err := store.PendingOutbox(ctx, now, r.cfg.RequeueAfter, r.cfg.Batch)
	if err != nil {
		return 0, err
	}
	var sent []int64
	var firstErr error
	for _, group := range groupOutbox(items, r.cfg.TaskBatch, time.Now()) {
		task, opts, err := NewOutboxTask(group, r.cfg.Queue)
		if err != nil {
			return 0, err
		}
		_, err = r.client.EnqueueContext(ctx, task, opts...)
		if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) && !errors.Is(err, asynq.ErrDuplicateTask) {
			firstErr = fmt.Errorf("enqueue outbox %d: %w", group[0].ID, err)
			break // Redis is likely down: stop this round, the rows stay pending
		}
		for _, it := range group {
			sent = append(sent, it.ID)
		}
	}
	if err := store.MarkEnqueued(ctx, sent, now); err != nil {
		return 0, err
	}
	return len(sent), firstErr
}

// Run relays until ctx ends.
func (r *Relay) Run(ctx context.Context) {
	loop(ctx, r.cfg.RelayInterval, func() {
		for {
			_, full, err := r.turn(ctx)
			if err != nil {
				if ctx.Err() == nil {
					r.log.Warn("outbox relay", "err", err)
				}
				return
			}
			if !full {
				return
			}
		}
	})
}

// Handlers carries out queued tasks.
type Handlers struct {
	orgs  Orgs
	clock workflow.Clock
	log   *slog.Logger
}

// NewHandlers returns the task handlers.
func NewHandlers(orgs Orgs, log *slog.Logger, clock workflow.Clock) *Handlers {
	if clock == nil {
		clock = workflow.SystemClock
	}
	return &Handlers{orgs: orgs, clock: clock, log: log}
}

// Mux returns the asynq handler that routes every task type.
func (h *Handlers) Mux() *asynq.ServeMux {
	mux := asynq.NewServeMux()
	mux.HandleFunc(TypeOutboxNotify, h.ProcessOutbox)
	return mux
}

// ProcessOutbox carries out the outbox rows of a task with their organisation's stores. It is
// idempotent: the rows are marked processed in the transaction that does the work, and processed
// rows are skipped. A task queued before tasks carried their organisation (payload {"id": n}) is
// dropped: its row is still unprocessed, so the relay hands it over again, with its organisation,
// after RequeueAfter.
func (h *Handlers) ProcessOutbox(ctx context.Context, t *asynq.Task) error {
	var p outboxPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("bad outbox payload %q: %w", t.Payload(), asynq.SkipRetry)
	}
	if p.Org <= 0 || len(p.IDs) == 0 {
		h.log.Info("outbox task without organisation dropped; the relay sends its row again", "payload", string(t.Payload()))
		return nil
	}
	_, err := h.orgs.Outbox(p.Org).ProcessOutboxBatch(ctx, p.IDs, h.clock.Now())
	if err != nil && workflow.ErrorCode(err) == workflow.EInvalid {
		return fmt.Errorf("outbox %v: %v: %w", p.IDs, err, asynq.SkipRetry)
	}
	return err
}

// Sweep fires every due deadline straight from PostgreSQL, every organisation's. Several sweeps
// (one per worker process) can run at once: each deadline is locked with SKIP LOCKED and done
// exactly once.
type Sweep struct {
	orgs    Orgs
	engine  Firer
	cfg     Config
	log     *slog.Logger
	clock   workflow.Clock
	OnFired func(org int64, n int) // optional hook (metrics): n deadlines of org were carried out
	// Housekeeping, if set, runs about once a minute in the sweep loop (validity expiry).
	Housekeeping func(ctx context.Context) error
	lastHouse    time.Time
}

// NewSweep returns a sweep.
func NewSweep(orgs Orgs, engine Firer, cfg Config, log *slog.Logger, clock workflow.Clock) *Sweep {
	if clock == nil {
		clock = workflow.SystemClock
	}
	return &Sweep{orgs: orgs, engine: engine, cfg: cfg.withDefaults(), log: log, clock: clock}
}

// RunOnce fires the deadlines due now and returns how many this call carried out. Organisations
// take turns (round robin): a turn is one batch of at most SweepBatch deadlines of one
// organisation in one transaction, and an organisation whose batch was full goes to the back of
// the line, so one agency's flood of due deadlines delays another's by at most a batch per worker
// (issue 15). SweepWorkers batches run side by side: while a worker would be idle, an organisation
// with more due holds a second place in the line (up to one per worker). Each batch locks its
// deadlines with SKIP LOCKED, so workers never share one, and starts after the last deadline this
// call has locked of its organisation (a deadline passed over, held by another process whose batch
// then failed, is fired by the next call). While a long call goes on (one agency's flood), an
// organisation that had nothing due is given another turn every SweepInterval. An organisation
// whose batch fails is left until the next call; the others go on.
func (s *Sweep) RunOnce(ctx context.Context) (int, error) {
	orgs, err := s.orgs.IDs(ctx)
	if err != nil {
		return 0, fmt.Errorf("list organisations: %w", err)
	}
	var (
		mu       sync.Mutex
		cond     = sync.NewCond(&mu)
		done     int
		firstErr error
		wg       sync.WaitGroup
		line     = append([]int64(nil), orgs...) // the organisations waiting for a turn, first come first served
		places   = map[int64]int{}               // each organisation's places in the line and in progress
		cursors  = map[int64]workflow.DueCursor{}
		busy     int     // batches in progress
		idle     int     // workers waiting for a place in the line
		resting  []int64 // organisations that had nothing more due at their last turn
		probed   = time.Now()
	)
	for _, org := range orgs {
		places[org] = 1
	}
	// next waits for a place in the line; false when the line is empty and nothing in progress
	// can put an organisation back in it.
	next := func() (int64, workflow.DueCursor, bool) {
		mu.Lock()
		defer mu.Unlock()
		for len(line) == 0 && busy > 0 && ctx.Err() == nil {
			idle++
			cond.Wait()
			idle--
		}
		if len(line) == 0 || ctx.Err() != nil {
			return 0, workflow.DueCursor{}, false
		}
		org := line[0]
		line = line[1:]
		busy++
		return org, cursors[org], true
	}
	finish := func(org int64, n int, last workflow.DueCursor, err error) {
		mu.Lock()
		defer mu.Unlock()
		defer cond.Broadcast()
		busy--
		done += n
		if c := cursors[org]; last.DueAt.After(c.DueAt) || last.DueAt.Equal(c.DueAt) && last.ID > c.ID {
			cursors[org] = last
		}
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("fire deadlines of organisation %d: %w", org, err)
		}
		if err != nil || n < s.cfg.SweepBatch {
			places[org]-- // nothing more due that another worker does not hold
			if err == nil && places[org] == 0 {
				resting = append(resting, org)
			}
			return
		}
		// While a long run goes on, the organisations that had nothing due get another turn every
		// SweepInterval, so a deadline of theirs falling due meanwhile waits no longer than it
		// would between two runs.
		if time.Since(probed) >= s.cfg.SweepInterval {
			probed = time.Now()
			for _, o := range resting {
				line = append(line, o)
				places[o]++
			}
			resting = nil
		}
		line = append(line, org) // more may be due: back of the line
		if idle > len(line)-1 && places[org] < s.cfg.SweepWorkers {
			line = append(line, org) // and a worker would be idle: take a second place
			places[org]++
		}
	}
	for range s.cfg.SweepWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				org, after, ok := next()
				if !ok {
					return
				}
				now := s.clock.Now()
				fire := func(d workflow.Deadline, inst workflow.Instance) (workflow.Result, error) {
					return s.engine.Fire(inst, d.Transition, workflow.SystemActor, workflow.Input{}, now)
				}
				n, last, err := s.orgs.Deadlines(org).FireDueDeadlinesAfter(ctx, now, after, s.cfg.SweepBatch, fire)
				if s.OnFired != nil && n > 0 {
					s.OnFired(org, n)
				}
				finish(org, n, last, err)
			}
		}()
	}
	wg.Wait()
	return done, firstErr
}

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
