package postgres

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"

	"wugongkai/workflow"
	"wugongkai/workflow/consultations"
)

// CommentOptions tunes the group commit of comment intake.
type CommentOptions struct {
	MaxBatch     int           // most comments written by one statement; 0 = 200
	MaxWait      time.Duration // how long a batch waits for more comments; 0 = not at all (see flusher)
	Flushers     int           // batches collected and written at once; 0 = 2
	QueueSize    int           // comments waiting for a batch; 0 = 8 × MaxBatch
	QueueWait    time.Duration // how long AddComment waits for room in a full queue; 0 = 5 s
	WriteTimeout time.Duration // how long one batch may take; 0 = 10 s
}

func (o CommentOptions) withDefaults() CommentOptions {
	if o.MaxBatch <= 0 {
		o.MaxBatch = 200
	}
	if o.Flushers <= 0 {
		o.Flushers = 2
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 8 * o.MaxBatch
	}
	if o.QueueWait <= 0 {
		o.QueueWait = 5 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 10 * time.Second
	}
	return o
}

// Comments is the PostgreSQL store of public consultations and their comments; it implements
// consultations.ConsultationStore. Comments are written by group commit: concurrent
// AddComment calls are collected for up to MaxWait or MaxBatch comments and inserted by one
// statement (one transaction), and every caller is answered only after that commit. A failed
// batch fails every caller in it and writes none of its rows. A flash crowd thus costs one commit
// per batch, and intake holds at most Flushers connections of the pool, whatever the crowd.
type Comments struct {
	records
	opts  CommentOptions
	queue chan *pendingComment

	mu     sync.RWMutex // held for reading while sending to queue, for writing to close it
	closed bool
	wg     sync.WaitGroup

	saltMu sync.Mutex // serialises loading the salt
	salt   atomic.Pointer[[]byte]
}

type pendingComment struct {
	c    consultations.Comment
	done chan commentResult // buffered: the flusher never waits for the caller
}

type commentResult struct {
	c   consultations.Comment
	err error
}

// NewComments returns the comment store of organisation org (clock nil = the wall clock) and
// starts its flushers; Close stops them.
func NewComments(db *DB, org int64, clock workflow.Clock, opts CommentOptions) *Comments {
	opts = opts.withDefaults()
	cs := &Comments{records: records{newBase(db, org, clock)}, opts: opts, queue: make(chan *pendingComment, opts.QueueSize)}
	cs.wg.Add(opts.Flushers)
	for range opts.Flushers {
		go cs.flusher()
	}
	return cs
}

// Close stops taking comments, writes every comment already queued, answers its caller, and
// returns once all are answered.
func (s *Comments) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.queue)
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func errIntakeClosed() error {
	return &workflow.Error{Code: workflow.EUnavailable, Message: "意见受理服务正在停止，请稍后重试",
		Details: map[string]any{"retry_after_seconds": 5}}
}

// AddComment implements consultations.ConsultationStore: it queues c for the next batch and returns it
// with its id and receipt number once the batch is committed. c.Client is replaced by its keyed
// hash; the address itself is never stored.
func (s *Comments) AddComment(ctx context.Context, c consultations.Comment) (consultations.Comment, error) {
	key, err := s.clientKey(ctx, c.Client)
	if err != nil {
		return consultations.Comment{}, err
	}
	c.ClientKey, c.Client = key, ""
	if c.Status == "" {
		c.Status = consultations.CommentPending
	}
	p := &pendingComment{c: c, done: make(chan commentResult, 1)}
	if err := s.enqueue(ctx, p); err != nil {
		return consultations.Comment{}, err
	}
	// Once queued the comment will be written: wait for the outcome even if the caller gives up,
	// so that no comment is committed without the answer being known here. WriteTimeout bounds it.
	r := <-p.done
	return r.c, r.err
}

func (s *Comments) enqueue(ctx context.Context, p *pendingComment) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return errIntakeClosed()
	}
	select {
	case s.queue <- p:
		return nil
	default:
	}
	t := time.NewTimer(s.opts.QueueWait)
	defer t.Stop()
	select {
	case s.queue <- p:
		return nil
	case <-t.C:
		return &workflow.Error{Code: workflow.EUnavailable, Message: "提交意见的人数过多，请稍后重试",
			Details: map[string]any{"retry_after_seconds": 5}}
	case <-ctx.Done():
		return fmt.Errorf("queue comment: %w", ctx.Err())
	}
}

// flusher collects a batch (the first comment, then whatever arrives within MaxWait, up to
// MaxBatch) and writes it, until the queue is closed and drained. With MaxWait 0 (the default) a
// batch is the first comment and whatever is queued behind it: what arrived while the flushers
// were writing the batches before. A lone comment is written at once, and a crowd is written in
// batches that grow with the time a write takes, without any client waiting on a timer (a 2 ms
// wait per batch was most of what an answer waited for with 32 clients: docs/performance.md).
func (s *Comments) flusher() {
	defer s.wg.Done()
	batch := make([]*pendingComment, 0, s.opts.MaxBatch)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		p, ok := <-s.queue
		if !ok {
			return
		}
		batch = append(batch[:0], p)
		if s.opts.MaxWait <= 0 {
		drain:
			for len(batch) < s.opts.MaxBatch {
				select {
				case p, ok := <-s.queue:
					if !ok {
						break drain
					}
					batch = append(batch, p)
				default:
					break drain
				}
			}
			s.flush(batch)
			continue
		}
		timer.Reset(s.opts.MaxWait)
	collect:
		for len(batch) < s.opts.MaxBatch {
			select {
			case p, ok := <-s.queue:
				if !ok {
					break collect
				}
				batch = append(batch, p)
			case <-timer.C:
				break collect
			}
		}
		timer.Stop()
		s.flush(batch)
	}
}

// flush writes a batch and answers every caller in it with the same outcome.
func (s *Comments) flush(batch []*pendingComment) {
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.WriteTimeout)
	defer cancel()
	cs := make([]consultations.Comment, len(batch))
	for i, p := range batch {
		cs[i] = p.c
	}
	err := s.insertComments(ctx, cs)
	for i, p := range batch {
		if err != nil {
			p.done <- commentResult{err: err}
		} else {
			p.done <- commentResult{c: cs[i]}
		}
	}
}

// ReceiptNo returns the receipt number of comment id received at t: YJ, the day in Beijing time,
// and the id with at least six digits.
func ReceiptNo(id int64, t time.Time) string {
	return fmt.Sprintf("YJ%s-%06d", t.In(workflow.Shanghai).Format("20060102"), id)
}

// insertComments writes cs with one INSERT: ids first from the sequence, so each receipt number
// is known before the row is written. cs gets the ids and receipt numbers.
func (s *Comments) insertComments(ctx context.Context, cs []consultations.Comment) error {
	var ids []int64
	if err := s.db.SelectContext(ctx, &ids, `SELECT nextval('comments_id_seq') FROM generate_series(1, $1)`, len(cs)); err != nil {
		return translate(fmt.Errorf("draw comment ids: %w", err), "")
	}
	if len(ids) != len(cs) {
		return fmt.Errorf("draw comment ids: got %d, want %d", len(ids), len(cs))
	}
	n := len(cs)
	var (
		docs                                       = make([]int64, n)
		receipts, names, contacts, bodies, created = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		campaigns, clients, statuses               = make([]string, n), make([]string, n), make([]string, n)
	)
	for i := range cs {
		c := &cs[i]
		c.ID = ids[i]
		c.CreatedAt = c.CreatedAt.UTC().Truncate(time.Microsecond)
		c.ReceiptNo = ReceiptNo(c.ID, c.CreatedAt)
		docs[i], receipts[i], names[i], contacts[i], bodies[i] = c.DocumentID, c.ReceiptNo, c.Name, c.Contact, c.Text
		created[i], campaigns[i], clients[i], statuses[i] = c.CreatedAt.Format(time.RFC3339Nano), c.CampaignKey, c.ClientKey, string(c.Status)
	}
	const q = `INSERT INTO comments (org_id, id, document_id, receipt_no, name, contact, body, created_at, campaign_key,
		client_key, status)
		SELECT $1, u.id, u.document_id, u.receipt_no, u.name, u.contact, u.body, u.created_at, u.campaign_key, u.client_key, u.status
		FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[],
			$9::text[], $10::text[], $11::text[])
			AS u(id, document_id, receipt_no, name, contact, body, created_at, campaign_key, client_key, status)`
	_, err := s.db.ExecContext(ctx, q, s.org, pq.Array(ids), pq.Array(docs), pq.Array(receipts), pq.Array(names),
		pq.Array(contacts), pq.Array(bodies), pq.Array(created), pq.Array(campaigns), pq.Array(clients), pq.Array(statuses))
	if err != nil {
		return translate(fmt.Errorf("insert %d comments: %w", n, err), "意见")
	}
	return nil
}

// clientKey returns the keyed hash of a client's address bucket (workflow.ClientBucket) under the
// organisation's salt.
func (s *Comments) clientKey(ctx context.Context, client string) (string, error) {
	salt, err := s.clientSalt(ctx)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, salt)
	m.Write([]byte(consultations.ClientBucket(client)))
	return hex.EncodeToString(m.Sum(nil))[:24], nil
}

// clientSalt returns the organisation's salt of client keys, creating it on first use.
func (s *Comments) clientSalt(ctx context.Context) ([]byte, error) {
	if p := s.salt.Load(); p != nil {
		return *p, nil
	}
	s.saltMu.Lock()
	defer s.saltMu.Unlock()
	if p := s.salt.Load(); p != nil {
		return *p, nil
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("client key salt: %w", err)
	}
	const qi = `INSERT INTO comment_salts (org_id, salt) VALUES ($1, $2) ON CONFLICT (org_id) DO NOTHING`
	if _, err := s.db.ExecContext(ctx, qi, s.org, hex.EncodeToString(b[:])); err != nil {
		return nil, translate(fmt.Errorf("create client key salt: %w", err), "")
	}
	var salt string
	if err := s.db.GetContext(ctx, &salt, `SELECT salt FROM comment_salts WHERE org_id = $1`, s.org); err != nil {
		return nil, translate(fmt.Errorf("read client key salt: %w", err), "")
	}
	key := []byte(salt)
	s.salt.Store(&key)
	return key, nil
}
