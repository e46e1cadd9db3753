package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"wugongkai/internal/httpapi"
	"wugongkai/internal/pagecache"
	"wugongkai/internal/postgres"
	"wugongkai/internal/tasks"
	"wugongkai/workflow"
)

type mode int

const (
	modeRun mode = iota
	modeServe
	modeWorker
)

func serviceCmd(g *globals, m mode, use, short string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runService(cmd.Context(), g, m)
		},
	}
	if m != modeWorker {
		cmd.Flags().BoolVar(&g.demo, "demo", false, "create the demo bureau (units, users, sample documents) if it is not there yet")
	}
	return cmd
}

// runService runs the web server, the worker or both until ctx is cancelled (SIGINT/SIGTERM), then
// shuts down gracefully: the listener closes, in-flight requests finish, the relay and sweep stop
// and in-flight tasks finish.
func runService(ctx context.Context, g *globals, m mode) error {
	cfg, err := g.loadConfig()
	if err != nil {
		return err
	}
	log := newLogger(cfg, g)
	log.Info("starting", "mode", []string{"run", "serve", "worker"}[m], "config", cfg.masked())

	a, err := newApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	a.followCalendar()
	if g.demo {
		if err := seedDemo(ctx, a, g.stdout); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}

	redis, err := tasks.ConnectRedis(ctx, cfg.Redis.URL, cfg.Redis.Fallback && m == modeRun, log)
	if err != nil {
		return err
	}
	defer redis.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(newBacklogCollector(a, redis))

	var worker *tasks.Worker
	if m != modeServe {
		worker = tasks.NewWorker(redis, a.workerOrgs(), a.engine, tasks.Config{
			RelayInterval: cfg.Worker.RelayInterval, SweepInterval: cfg.Worker.SweepInterval,
			RequeueAfter: cfg.Worker.RequeueAfter,
		}, cfg.Worker.Concurrency, log, workflow.SystemClock)
		fired := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wugongkai_deadlines_fired_total",
			Help: "Deadlines carried out by the sweep (transitions fired, reminders and overdue alerts sent), by organisation id."},
			[]string{"org"})
		reg.MustRegister(fired)
		worker.Sweep.OnFired = func(org int64, n int) { fired.WithLabelValues(strconv.FormatInt(org, 10)).Add(float64(n)) }
		worker.Sweep.Housekeeping = a.expireValidity
		if err := worker.Start(ctx); err != nil {
			return err
		}
		log.Info("worker started", "fallback_redis", redis.Fallback)
	}

	var srv *http.Server
	errc := make(chan error, 1)
	if m != modeWorker {
		var pages *pagecache.Cache
		if cfg.HTTP.PageCacheTTL > 0 {
			pages = pagecache.New(pagecache.Options{TTL: cfg.HTTP.PageCacheTTL, MaxBytes: cfg.HTTP.PageCacheMB << 20})
			listening := make(chan struct{})
			lctx, stopListening := context.WithCancel(ctx)
			go func() {
				defer close(listening)
				if err := pagecache.Listen(lctx, func(changed func(up bool, err error)) pagecache.Listener {
					return postgres.NewListener(cfg.Database.Listen(), changed)
				}, pages, log); err != nil {
					log.Warn("public page cache off: cannot listen for changes", "err", err)
				}
			}()
			defer func() { stopListening(); <-listening }()
			reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "wugongkai_page_cache_hits_total",
				Help: "Public responses served from the page cache."}, func() float64 { h, _, _ := pages.Stats(); return float64(h) }))
			reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "wugongkai_page_cache_misses_total",
				Help: "Public responses rendered because the page cache had no current entry."}, func() float64 { _, m, _ := pages.Stats(); return float64(m) }))
		}
		plat, err := newPlatform(ctx, a, reg, redis, pages)
		if err != nil {
			if worker != nil {
				worker.Shutdown()
			}
			return err
		}
		defer plat.Close()
		ln, err := net.Listen("tcp", cfg.HTTP.Addr)
		if err != nil {
			if worker != nil {
				worker.Shutdown()
			}
			return fmt.Errorf("listen on %s: %w", cfg.HTTP.Addr, err)
		}
		// Browsers' cross-site state-changing requests are refused for the API too (the pages
		// check this themselves); clients that send no Origin or Sec-Fetch-Site, such as scripts,
		// are unaffected.
		cop := http.NewCrossOriginProtection()
		cop.SetDenyHandler(httpapi.CrossOriginRefused(log))
		srv = &http.Server{Handler: cop.Handler(plat.Handler()), ReadTimeout: cfg.HTTP.ReadTimeout, ReadHeaderTimeout: 10 * time.Second,
			MaxHeaderBytes: httpapi.ServerMaxHeaderBytes,
			WriteTimeout:   cfg.HTTP.WriteTimeout, IdleTimeout: 2 * time.Minute}
		if cfg.HTTP.MetricsAddr != "" {
			mln, err := net.Listen("tcp", cfg.HTTP.MetricsAddr)
			if err != nil {
				ln.Close()
				if worker != nil {
					worker.Shutdown()
				}
				return fmt.Errorf("listen on http.metrics_addr %s: %w", cfg.HTTP.MetricsAddr, err)
			}
			mux := http.NewServeMux()
			mux.Handle("GET /metrics", httpapi.MetricsHandler(reg))
			msrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
			go func() { _ = msrv.Serve(mln) }()
			defer msrv.Close()
			log.Info("metrics listening", "addr", mln.Addr().String())
		}
		addr := ln.Addr().String()
		log.Info("http server listening", "addr", addr, "url", "http://"+addr+"/")
		if g.ready != nil {
			g.ready(addr)
		}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
	} else if g.ready != nil {
		g.ready("")
	}

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case runErr = <-errc:
		log.Error("http server failed", "err", runErr)
	}
	if srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), cfg.HTTP.ShutdownTimeout)
		if err := srv.Shutdown(sctx); err != nil {
			log.Warn("http shutdown", "err", err)
		}
		cancel()
	}
	if worker != nil {
		worker.Shutdown()
	}
	log.Info("stopped")
	return runErr
}

// backlogCollector reports every organisation's outbox backlog and deadline lag, and the queue
// sizes, at scrape time.
type backlogCollector struct {
	a       *app
	redis   *tasks.Redis
	outbox  *prometheus.Desc
	oldest  *prometheus.Desc
	pending *prometheus.Desc
	lag     *prometheus.Desc
	queue   *prometheus.Desc
}

func newBacklogCollector(a *app, r *tasks.Redis) *backlogCollector {
	org := []string{"org"}
	return &backlogCollector{a: a, redis: r,
		outbox:  prometheus.NewDesc("wugongkai_outbox_pending", "Outbox rows not yet processed, by organisation id.", org, nil),
		oldest:  prometheus.NewDesc("wugongkai_outbox_oldest_seconds", "Age of the oldest unprocessed outbox row, by organisation id.", org, nil),
		pending: prometheus.NewDesc("wugongkai_deadlines_pending", "Deadlines not yet carried out, by organisation id.", org, nil),
		lag:     prometheus.NewDesc("wugongkai_deadline_lag_seconds", "How long the oldest due deadline has waited, by organisation id.", org, nil),
		queue:   prometheus.NewDesc("wugongkai_queue_size", "Tasks in the asynq queue by state.", []string{"state"}, nil),
	}
}

func (b *backlogCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- b.outbox
	ch <- b.oldest
	ch <- b.pending
	ch <- b.lag
	ch <- b.queue
}

func (b *backlogCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	now := time.Now()
	orgs, _ := b.a.orgs.IDs(ctx)
	for _, org := range orgs {
		s, label := b.a.orgs.For(org), strconv.FormatInt(org, 10)
		if n, age, err := s.Outbox.OutboxStats(ctx, now); err == nil {
			ch <- prometheus.MustNewConstMetric(b.outbox, prometheus.GaugeValue, float64(n), label)
			ch <- prometheus.MustNewConstMetric(b.oldest, prometheus.GaugeValue, age.Seconds(), label)
		}
		if n, lag, err := s.Deadlines.DeadlineStats(ctx, now); err == nil {
			ch <- prometheus.MustNewConstMetric(b.pending, prometheus.GaugeValue, float64(n), label)
			ch <- prometheus.MustNewConstMetric(b.lag, prometheus.GaugeValue, lag.Seconds(), label)
		}
	}
	if qi, err := tasks.QueueInfo(b.redis); err == nil {
		for state, n := range qi {
			ch <- prometheus.MustNewConstMetric(b.queue, prometheus.GaugeValue, float64(n), state)
		}
	}
}
