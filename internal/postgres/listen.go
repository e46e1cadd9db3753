package postgres

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/lib/pq"
)

// Listener is a connection that LISTENs for PostgreSQL notifications and reconnects by itself
// (a pq.Listener): it retries after 500 ms at first, backing off to 10 s.
type Listener struct {
	l        *pq.Listener
	notify   chan struct{}
	payloads chan string // instead of notify, when the payloads are wanted (ListenPayloads)
	done     chan struct{}
	once     sync.Once
}

// NewListener opens a listener on dsn. changed is called with up=false when the connection is
// lost or an attempt to reconnect fails, and with up=true once a reconnection has issued LISTEN
// again (notifications sent while it was down are lost).
func NewListener(dsn string, changed func(up bool, err error)) *Listener {
	return newListener(dsn, changed, false)
}

func newListener(dsn string, changed func(up bool, err error), payloads bool) *Listener {
	events := func(ev pq.ListenerEventType, err error) {
		switch ev {
		case pq.ListenerEventReconnected:
			// The listener has issued LISTEN again before it says so.
			changed(true, nil)
		case pq.ListenerEventDisconnected, pq.ListenerEventConnectionAttemptFailed:
			changed(false, err)
		}
	}
	l := &Listener{l: pq.NewListener(dsn, 500*time.Millisecond, 10*time.Second, events),
		notify: make(chan struct{}), done: make(chan struct{})}
	if payloads {
		l.payloads = make(chan string)
	}
	go l.forward()
	return l
}

// forward passes every notification on to Notify, and closes it when the pq listener closes.
// The empty notification pq sends after a reconnection is not passed on: the reconnection is
// reported once, through changed(true), and a second report could drop what was cached since.
func (l *Listener) forward() {
	defer close(l.notify)
	if l.payloads != nil {
		defer close(l.payloads)
	}
	for n := range l.l.Notify {
		if n == nil {
			continue
		}
		if l.payloads != nil {
			select {
			case l.payloads <- n.Extra:
			case <-l.done:
				return
			}
			continue
		}
		select {
		case l.notify <- struct{}{}:
		case <-l.done:
			return
		}
	}
}

// Listen waits for the first connection and returns once LISTEN channel has run on it.
func (l *Listener) Listen(channel string) error { return l.l.Listen(channel) }

// Notify receives once per notification (a reconnection is reported through changed(true)); it
// is closed when the listener closes.
func (l *Listener) Notify() <-chan struct{} { return l.notify }

// Ping checks the connection.
func (l *Listener) Ping() error { return l.l.Ping() }

// Close closes the connection and stops reconnecting.
func (l *Listener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.l.Close()
}

// RolesChannel is the notification channel on which a change to role_assignments, or to a user
// the assignments read, is announced (migrations/000011), with the organisation's id as payload
// ("" = every organisation; migrations/000024).
const RolesChannel = "wugongkai_roles"

// Listen keeps a Listener on channel until ctx ends and calls changed after every notification,
// and after every (re)connection, since notifications sent while the connection was down are
// lost. It is the mechanism of internal/pagecache for any in-process copy of database state.
// Listen returns when ctx ends, or with an error if the first LISTEN fails.
func Listen(ctx context.Context, dsn, channel string, changed func(), log *slog.Logger) error {
	return ListenPayloads(ctx, dsn, channel, func(string) { changed() }, log)
}

// ListenPayloads is Listen that passes each notification's payload to changed; after a
// (re)connection it passes "" (anything may have changed).
func ListenPayloads(ctx context.Context, dsn, channel string, changed func(payload string), log *slog.Logger) error {
	if log == nil {
		log = slog.Default()
	}
	l := newListener(dsn, func(up bool, err error) {
		if up {
			log.Info("listening again", "channel", channel)
			changed("") // notifications sent while the connection was down are lost
			return
		}
		log.Warn("lost the notification connection", "channel", channel, "err", err)
	}, true)
	stop := context.AfterFunc(ctx, func() { _ = l.Close() })
	defer stop()
	defer func() { _ = l.Close() }()
	if err := l.Listen(channel); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	changed("")
	ping := time.NewTicker(30 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case p, ok := <-l.payloads:
			if !ok {
				return nil
			}
			changed(p)
		case <-ping.C:
			if err := l.Ping(); err != nil {
				log.Warn("notification connection ping failed", "channel", channel, "err", err)
			}
		}
	}
}
