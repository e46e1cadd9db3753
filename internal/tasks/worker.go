package tasks

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"wugongkai/workflow"
)

// Worker is the background half of the service: the asynq server with the task handlers, the
// outbox relay and the deadline sweep, for every organisation in the database.
type Worker struct {
	srv    *asynq.Server
	client *asynq.Client
	Relay  *Relay
	Sweep  *Sweep
	mux    *asynq.ServeMux
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewWorker wires a worker on redis.
func NewWorker(r *Redis, orgs Orgs, engine Firer, cfg Config, concurrency int, log *slog.Logger, clock workflow.Clock) *Worker {
	cfg = cfg.withDefaults()
	if concurrency <= 0 {
		concurrency = 10
	}
	srv := asynq.NewServer(r.Opt, asynq.Config{
		Concurrency:              concurrency,
		Queues:                   map[string]int{cfg.Queue: 1},
		DelayedTaskCheckInterval: time.Second,
		ShutdownTimeout:          20 * time.Second,
		Logger:                   asynqLogger{log},
		LogLevel:                 asynq.WarnLevel,
	})
	client := asynq.NewClient(r.Opt)
	return &Worker{
		srv:    srv,
		client: client,
		Relay:  NewRelay(orgs, client, cfg, log, clock),
		Sweep:  NewSweep(orgs, engine, cfg, log, clock),
		mux:    NewHandlers(orgs, log, clock).Mux(),
	}
}

// Start begins processing tasks, relaying the outbox and sweeping deadlines.
func (w *Worker) Start(ctx context.Context) error {
	if err := w.srv.Start(w.mux); err != nil {
		return fmt.Errorf("start task server: %w", err)
	}
	ctx, w.cancel = context.WithCancel(ctx)
	w.wg.Add(2)
	go func() { defer w.wg.Done(); w.Relay.Run(ctx) }()
	go func() { defer w.wg.Done(); w.Sweep.Run(ctx) }()
	return nil
}

// Shutdown stops the relay and sweep, then lets in-flight tasks finish.
func (w *Worker) Shutdown() {
	if w.cancel != nil {
		w.cancel()
	}
	w.wg.Wait()
	w.srv.Shutdown()
	w.client.Close()
}

// asynqLogger sends asynq's logs to slog.
type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Info(args ...any)  { a.l.Info(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Error(args ...any) { a.l.Error(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Fatal(args ...any) {
	a.l.Error(fmt.Sprint(args...), "component", "asynq", "fatal", true)
}
