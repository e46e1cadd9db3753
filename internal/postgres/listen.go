package postgres

import (
	"context"
	"log/slog"
	"time"

	"github.com/lib/pq"
)

// RolesChannel is the notification channel on which a change to role_assignments, or to a user
// the assignments read, is announced (migrations/000011).
const RolesChannel = "wugongkai_roles"

// Listen keeps a connection to PostgreSQL listening on channel until ctx ends and calls changed
// after every notification, and after every (re)connection, since notifications sent while the
// connection was down are lost. It is the mechanism of internal/pagecache for any in-process copy
// of database state. Listen returns when ctx ends, or with an error if the first LISTEN fails.
func Listen(ctx context.Context, dsn, channel string, changed func(), log *slog.Logger) error {
	if log == nil {
		log = slog.Default()
	}
	events := func(ev pq.ListenerEventType, err error) {
		switch ev {
		case pq.ListenerEventReconnected:
			log.Info("listening again", "channel", channel)
			changed()
		case pq.ListenerEventDisconnected, pq.ListenerEventConnectionAttemptFailed:
			log.Warn("lost the notification connection", "channel", channel, "err", err)
		}
	}
	l := pq.NewListener(dsn, 500*time.Millisecond, 10*time.Second, events)
	stop := context.AfterFunc(ctx, func() { _ = l.Close() })
	defer stop()
	defer func() { _ = l.Close() }()
	if err := l.Listen(channel); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	changed()
	ping := time.NewTicker(30 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case _, ok := <-l.Notify:
			if !ok {
				return nil
			}
			changed()
		case <-ping.C:
			if err := l.Ping(); err != nil {
				log.Warn("notification connection ping failed", "channel", channel, "err", err)
			}
		}
	}
}
