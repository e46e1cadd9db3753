package postgres

import (
	"sync"
	"time"

	"github.com/lib/pq"
)

// Listener is a connection that LISTENs for PostgreSQL notifications and reconnects by itself
// (a pq.Listener): it retries after 500 ms at first, backing off to 10 s.
type Listener struct {
	l      *pq.Listener
	notify chan struct{}
	done   chan struct{}
	once   sync.Once
}

// NewListener opens a listener on dsn. changed is called with up=false when the connection is
// lost or an attempt to reconnect fails, and with up=true once a reconnection has issued LISTEN
// again (notifications sent while it was down are lost).
func NewListener(dsn string, changed func(up bool, err error)) *Listener {
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
	go l.forward()
	return l
}

// forward passes every notification (and the empty one pq sends after a reconnection) on to
// Notify, and closes it when the pq listener closes.
func (l *Listener) forward() {
	defer close(l.notify)
	for range l.l.Notify {
		select {
		case l.notify <- struct{}{}:
		case <-l.done:
			return
		}
	}
}

// Listen waits for the first connection and returns once LISTEN channel has run on it.
func (l *Listener) Listen(channel string) error { return l.l.Listen(channel) }

// Notify receives once per notification and once after every reconnection; it is closed when
// the listener closes.
func (l *Listener) Notify() <-chan struct{} { return l.notify }

// Ping checks the connection.
func (l *Listener) Ping() error { return l.l.Ping() }

// Close closes the connection and stops reconnecting.
func (l *Listener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.l.Close()
}
