package postgres

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"time"

	"github.com/jmoiron/sqlx"

	"wugongkai/workflow"
	"wugongkai/workflow/auditcheck"
)

// canonicalEvent is what an audit hash covers. Field order is fixed by the struct and map keys
// are sorted by encoding/json, so the same event always gives the same bytes. GSeq is covered only
// by keyed events (legacy events were hashed before it existed, and omitempty keeps their bytes).
type canonicalEvent struct {
	Org       int64             `json:"org"`
	Kind      string            `json:"kind"`
	Subject   int64             `json:"subject"`
	Seq       int               `json:"seq"`
	Action    string            `json:"action"`
	From      string            `json:"from"`
	To        string            `json:"to"`
	ActorID   int64             `json:"actor_id"`
	ActorName string            `json:"actor_name"`
	Data      map[string]string `json:"data"`
	At        string            `json:"at"`
	GSeq      int64             `json:"gseq,omitempty"`
	Legacy    int64             `json:"legacy_until,omitempty"`
}

// auditHash chains an event to the hash of the one before it: plain SHA-256 when key is nil (the
// legacy chains written before the audit key), HMAC-SHA256 under key otherwise, covering gseq too.
func auditHash(key []byte, prev string, org int64, kind string, subject int64, gseq, legacyUntil int64, e workflow.AuditEntry) (string, error) {
	data := e.Data
	if data == nil {
		data = map[string]string{}
	}
	c := canonicalEvent{Org: org, Kind: kind, Subject: subject, Seq: e.Seq, Action: e.Action,
		From: e.FromState, To: e.ToState, ActorID: e.ActorID, ActorName: e.ActorName, Data: data,
		At: e.At.UTC().Format(time.RFC3339Nano)}
	var h hash.Hash
	if key == nil {
		h = sha256.New()
	} else {
		c.GSeq, c.Legacy = gseq, legacyUntil
		h = hmac.New(sha256.New, key)
	}
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("encode audit event: %w", err)
	}
	h.Write([]byte(prev))
	h.Write([]byte{'\n'})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// errNoAuditKey is returned when an audit event is to be written on a pool without the audit key.
var errNoAuditKey = errors.New("audit key not configured (SetAuditKey): refusing to write an unkeyed audit event")

// appendAudit adds e to the end of the subject's chain, keyed with the pool's audit key and numbered
// with the organisation's next gseq. The caller's transaction must already hold the subject's row
// lock (it has just updated or inserted it), which orders concurrent appends to one chain; taking
// the gseq locks the organisation's audit_heads row until commit, which keeps gseq gap-free.
func (db *DB) appendAudit(ctx context.Context, tx *sqlx.Tx, org int64, kind string, subject int64, e workflow.AuditEntry) error {
	if db.auditKey == nil {
		return errNoAuditKey
	}
	var last struct {
		GSeq   int64  `db:"gseq"`
		Legacy int64  `db:"legacy_until"`
		Seq    int    `db:"seq"`
		Hash   string `db:"hash"`
	}
	// One round trip: take the next gseq and read the chain's head.
	const qLast = `WITH h AS (
			INSERT INTO audit_heads (org_id, gseq) VALUES ($1, 1)
			ON CONFLICT (org_id) DO UPDATE SET gseq = audit_heads.gseq + 1 RETURNING gseq, legacy_until)
		SELECT h.gseq, h.legacy_until, COALESCE(l.seq, 0) AS seq, COALESCE(l.hash, '') AS hash FROM h
		LEFT JOIN LATERAL (SELECT seq, hash FROM audit_events WHERE org_id = $1 AND subject_kind = $2 AND subject_id = $3
			ORDER BY seq DESC LIMIT 1) l ON true`
	if err := tx.GetContext(ctx, &last, qLast, org, kind, subject); err != nil {
		return translate(fmt.Errorf("read audit chain: %w", err), "")
	}
	e.Seq, e.PrevHash = last.Seq+1, last.Hash
	p, err := db.auditParams(org, kind, subject, last.GSeq, last.Legacy, &e)
	if err != nil {
		return err
	}
	if _, err = tx.NamedExecContext(ctx, qAppendAudit, p); err != nil {
		return translate(fmt.Errorf("append audit event: %w", err), "")
	}
	return nil
}

const qAppendAudit = `INSERT INTO audit_events (org_id, subject_kind, subject_id, seq, action, from_state, to_state,
		actor_id, actor_name, data, at, prev_hash, hash, gseq, keyed)
		VALUES (:org, :kind, :subject, :seq, :action, :from, :to, :actor, :actor_name, :data, :at, :prev_hash, :hash,
		:gseq, true)`

// auditParams hashes e (its Seq and PrevHash set: the chain's next place) with the pool's audit key
// under gseq, and returns the parameters of its INSERT (qAppendAudit).
func (db *DB) auditParams(org int64, kind string, subject int64, gseq, legacy int64, e *workflow.AuditEntry) (params, error) {
	if db.auditKey == nil {
		return nil, errNoAuditKey
	}
	e.At = e.At.UTC().Truncate(time.Microsecond) // timestamptz keeps microseconds
	if e.Data == nil {
		e.Data = map[string]string{}
	}
	var err error
	if e.Hash, err = auditHash(db.auditKey, e.PrevHash, org, kind, subject, gseq, legacy, *e); err != nil {
		return nil, err
	}
	data, err := jsonText(e.Data)
	if err != nil {
		return nil, fmt.Errorf("encode audit data: %w", err)
	}
	var actor sql.NullInt64
	if e.ActorID != 0 {
		actor = sql.NullInt64{Int64: e.ActorID, Valid: true}
	}
	return params{"org": org, "kind": kind, "subject": subject, "seq": e.Seq,
		"action": e.Action, "from": e.FromState, "to": e.ToState, "actor": actor, "actor_name": e.ActorName, "data": data,
		"at": e.At, "prev_hash": e.PrevHash, "hash": e.Hash, "gseq": gseq}, nil
}

type auditRow struct {
	Org       int64         `db:"org_id"`
	Kind      string        `db:"subject_kind"`
	Subject   int64         `db:"subject_id"`
	Seq       int           `db:"seq"`
	Action    string        `db:"action"`
	From      string        `db:"from_state"`
	To        string        `db:"to_state"`
	ActorID   sql.NullInt64 `db:"actor_id"`
	ActorName string        `db:"actor_name"`
	Data      []byte        `db:"data"`
	At        time.Time     `db:"at"`
	PrevHash  string        `db:"prev_hash"`
	Hash      string        `db:"hash"`
	GSeq      int64         `db:"gseq"`
	Keyed     bool          `db:"keyed"`
}

func (r auditRow) toDomain() (workflow.AuditEntry, error) {
	data := map[string]string{}
	if err := json.Unmarshal(r.Data, &data); err != nil {
		return workflow.AuditEntry{}, fmt.Errorf("decode audit data: %w", err)
	}
	return workflow.AuditEntry{Seq: r.Seq, Action: r.Action, FromState: r.From, ToState: r.To,
		ActorID: r.ActorID.Int64, ActorName: r.ActorName, Data: data, At: r.At, PrevHash: r.PrevHash, Hash: r.Hash}, nil
}

// History returns a subject's audit chain in order.
func (s *Audit) History(ctx context.Context, kind string, subject int64) ([]workflow.AuditEntry, error) {
	return s.history(ctx, kind, subject)
}

func (s *base) history(ctx context.Context, kind string, subject int64) ([]workflow.AuditEntry, error) {
	const q = `SELECT ` + auditCols + ` FROM audit_events WHERE org_id = $1 AND subject_kind = $2 AND subject_id = $3
		ORDER BY seq`
	var rows []auditRow
	if err := s.db.SelectContext(ctx, &rows, q, s.org, kind, subject); err != nil {
		return nil, translate(fmt.Errorf("read history: %w", err), "")
	}
	return toDomains(rows)
}

// auditCols are the columns of an auditRow.
const auditCols = `org_id, subject_kind, subject_id, seq, action, from_state, to_state, actor_id, actor_name,
	data, at, prev_hash, hash, gseq, keyed`

// ActedOn returns, for the subjects of kind the user acted on most recently (at most limit), the
// latest entry of each that is the user's, newest first. It looks at the user's last 1,000
// actions through audit_events_actor_idx, so it costs the same however long the log grows.
func (s *Audit) ActedOn(ctx context.Context, user int64, kind string, limit int) ([]workflow.Acted, error) {
	const q = `SELECT ` + auditCols + ` FROM (
			SELECT DISTINCT ON (subject_id) * FROM (
				SELECT * FROM audit_events WHERE org_id = $1 AND actor_id = $2 AND subject_kind = $3
				ORDER BY id DESC LIMIT 1000) recent
			ORDER BY subject_id, id DESC) latest
		ORDER BY at DESC, subject_id DESC LIMIT $4`
	var rows []auditRow
	if err := s.db.SelectContext(ctx, &rows, q, s.org, user, kind, limit); err != nil {
		return nil, translate(fmt.Errorf("read the user's actions: %w", err), "")
	}
	out := make([]workflow.Acted, 0, len(rows))
	for _, r := range rows {
		e, err := r.toDomain()
		if err != nil {
			return nil, err
		}
		out = append(out, workflow.Acted{SubjectID: r.Subject, Entry: e})
	}
	return out, nil
}

// AuditOptions configure the tamper evidence of the audit log.
type AuditOptions struct {
	// Key is the HMAC-SHA256 key of the audit chains (at least 32 bytes). It must be kept outside
	// the database: whoever holds it can rewrite the log undetected.
	Key []byte
	// CheckpointsFile is where `audit checkpoint` appends signed chain heads and where verify
	// looks for them; empty means no checkpoints.
	CheckpointsFile string
}

// SetAudit sets the audit key and checkpoint file of the pool. Without a key the pool refuses to
// write audit events.
func (db *DB) SetAudit(o AuditOptions) {
	db.auditKey = o.Key
	db.checkpointsFile = o.CheckpointsFile
}

// AuditProblem is the first bad link found in one chain, or a hole in an organisation's log.
type AuditProblem struct {
	Org     int64
	Kind    string // subject kind, or "log" for the organisation's global sequence
	Subject int64
	Seq     int
	Reason  string
}

// String renders the problem for the audit verify command.
func (p AuditProblem) String() string {
	if p.Kind == "log" {
		return fmt.Sprintf("org %d log gseq %d: %s", p.Org, p.Seq, p.Reason)
	}
	return fmt.Sprintf("org %d %s %d seq %d: %s", p.Org, p.Kind, p.Subject, p.Seq, p.Reason)
}

// VerifyAudit walks every audit chain of every organisation and reports the first bad link of each
// broken chain: a gap or repeat in seq, a prev_hash that does not match the link before, a hash that
// does not match the event's content under the audit key (or, for legacy events written before the
// key, plain SHA-256), or an unkeyed event after a keyed one. It then walks each organisation's
// global sequence and reports holes (deleted events or whole subjects), an unkeyed event after the
// first keyed one, a counter ahead of the log, and any signed checkpoint the log no longer matches
// (a deleted tail, or legacy events rewritten). Last it re-hashes every stored file against the
// SHA-256 its upload event recorded (verifyFiles). It returns the number of events checked.
func VerifyAudit(ctx context.Context, db *DB) (checked int, problems []AuditProblem, err error) {
	if db.auditKey == nil {
		return 0, nil, errNoAuditKey
	}
	legacy, err := legacyBoundaries(ctx, db)
	if err != nil {
		return 0, nil, err
	}
	const q = `SELECT ` + auditCols + ` FROM audit_events ORDER BY org_id, subject_kind, subject_id, seq`
	rows, err := db.QueryxContext(ctx, q)
	if err != nil {
		return 0, nil, translate(fmt.Errorf("read audit log: %w", err), "")
	}
	defer rows.Close()
	type chainKey struct {
		org     int64
		kind    string
		subject int64
	}
	var (
		cur      chainKey
		prevHash string
		prevSeq  int
		keyed    bool
		broken   bool
	)
	for rows.Next() {
		var r auditRow
		if err := rows.StructScan(&r); err != nil {
			return checked, problems, fmt.Errorf("scan audit event: %w", err)
		}
		checked++
		k := chainKey{r.Org, r.Kind, r.Subject}
		if k != cur || checked == 1 {
			cur, prevHash, prevSeq, keyed, broken = k, "", 0, false, false
		}
		if broken {
			continue
		}
		bad := func(reason string) {
			problems = append(problems, AuditProblem{Org: r.Org, Kind: r.Kind, Subject: r.Subject, Seq: r.Seq, Reason: reason})
			broken = true
		}
		e, err := r.toDomain()
		if err != nil {
			bad(err.Error())
			continue
		}
		var key []byte
		if r.Keyed {
			key = db.auditKey
		}
		switch {
		case r.Seq != prevSeq+1:
			bad(fmt.Sprintf("gap: expected seq %d, found %d", prevSeq+1, r.Seq))
		case r.PrevHash != prevHash:
			bad("prev_hash does not match the hash of the event before")
		case keyed && !r.Keyed:
			bad("unkeyed event after a keyed one (downgraded to plain SHA-256)")
		case !r.Keyed && r.GSeq > legacy[r.Org]:
			bad(fmt.Sprintf("unkeyed event written after the audit key was introduced (gseq %d > %d): rewritten", r.GSeq, legacy[r.Org]))
		default:
			want, err := auditHash(key, prevHash, r.Org, r.Kind, r.Subject, r.GSeq, legacy[r.Org], e)
			if err != nil {
				bad(err.Error())
			} else if !hmac.Equal([]byte(want), []byte(r.Hash)) {
				bad("hash does not match the event's content (edited)")
			}
		}
		prevHash, prevSeq, keyed = r.Hash, r.Seq, keyed || r.Keyed
	}
	if err := rows.Err(); err != nil {
		return checked, problems, translate(fmt.Errorf("read audit log: %w", err), "")
	}
	rows.Close()
	// Every change of a document, request or case bumps its version and appends one event; some
	// events record a change beside the subject without a new version (a document linked to a
	// request, an interpretation linked to its policy). A document's and a request's row keeps the
	// seq and hash of its chain's last event (migration 000023, written by the trigger on
	// audit_events), so a chain whose last event is not that head has lost its tail, and one
	// shorter than the version has a change without audit. A case has no head on its row: its
	// chain ends at its version.
	const qTail = `SELECT t.kind, t.org_id, t.id, t.version, t.head_seq, t.head_hash, COALESCE(l.seq, 0) AS last,
			COALESCE(l.hash, '') AS last_hash
		FROM (SELECT 'document' AS kind, org_id, id, version, audit_seq AS head_seq, audit_hash AS head_hash FROM documents
		      UNION ALL SELECT 'request', org_id, id, version, audit_seq, audit_hash FROM requests
		      UNION ALL SELECT 'case', org_id, id, version, version, NULL FROM cases) t
		LEFT JOIN LATERAL (SELECT seq, hash FROM audit_events a WHERE a.org_id = t.org_id AND a.subject_kind = t.kind
			AND a.subject_id = t.id ORDER BY seq DESC LIMIT 1) l ON true
		WHERE COALESCE(l.seq, 0) <> t.head_seq OR COALESCE(l.seq, 0) < t.version
			OR (t.head_hash IS NOT NULL AND t.head_seq > 0 AND COALESCE(l.hash, '') <> t.head_hash)`
	var tails []struct {
		Kind     string         `db:"kind"`
		Org      int64          `db:"org_id"`
		ID       int64          `db:"id"`
		Version  int            `db:"version"`
		HeadSeq  int            `db:"head_seq"`
		HeadHash sql.NullString `db:"head_hash"`
		Last     int            `db:"last"`
		LastHash string         `db:"last_hash"`
	}
	if err := db.SelectContext(ctx, &tails, qTail); err != nil {
		return checked, problems, translate(fmt.Errorf("check chain tails: %w", err), "")
	}
	for _, t := range tails {
		reason := fmt.Sprintf("chain ends at seq %d but the %s's record names seq %d as its last event (events missing)", t.Last, t.Kind, t.HeadSeq)
		switch {
		case t.Last < t.Version:
			reason = fmt.Sprintf("chain ends at seq %d but the %s is at version %d (events missing)", t.Last, t.Kind, t.Version)
		case t.Last == t.HeadSeq:
			reason = fmt.Sprintf("the last event (seq %d) is not the one the %s's record names (changed)", t.Last, t.Kind)
		}
		problems = append(problems, AuditProblem{Org: t.Org, Kind: t.Kind, Subject: t.ID, Seq: t.Last + 1, Reason: reason})
	}
	global, err := verifyGlobal(ctx, db)
	if err != nil {
		return checked, problems, err
	}
	problems = append(problems, global...)
	_, changed, err := verifyFiles(ctx, db)
	return checked, append(problems, changed...), err
}

// legacyBoundaries returns, per organisation, the last gseq written before the audit key. Keyed
// hashes cover it, so a changed boundary breaks every keyed event after it.
func legacyBoundaries(ctx context.Context, db *DB) (map[int64]int64, error) {
	return auditHeads(ctx, db, "legacy_until")
}

// auditHeads returns one column of audit_heads (gseq or legacy_until) per organisation.
func auditHeads(ctx context.Context, db *DB, column string) (map[int64]int64, error) {
	var rows []struct {
		Org   int64 `db:"org_id"`
		Value int64 `db:"value"`
	}
	if err := db.SelectContext(ctx, &rows, `SELECT org_id, `+column+` AS value FROM audit_heads`); err != nil {
		return nil, translate(fmt.Errorf("read audit heads: %w", err), "")
	}
	out := map[int64]int64{}
	for _, r := range rows {
		out[r.Org] = r.Value
	}
	return out, nil
}

// VerifyOrgAudit implements auditcheck.Verifier: VerifyAudit, reporting the problems of this
// organisation only.
func (s *Audit) VerifyOrgAudit(ctx context.Context) (int, []auditcheck.Problem, error) {
	n, problems, err := VerifyAudit(ctx, s.db)
	if err != nil {
		return n, nil, err
	}
	var out []auditcheck.Problem
	for _, p := range problems {
		if p.Org == s.org {
			out = append(out, auditcheck.Problem{Kind: p.Kind, Subject: p.Subject, Seq: p.Seq, Reason: p.Reason})
		}
	}
	return n, out, nil
}
