package postgres

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// AuditCheckpoint is a signed record of one organisation's audit log up to gseq, written outside
// the database. Digest folds every event hash in gseq order (digest = sha256(digest "\n" hash)),
// so a checkpoint pins the content and the length of the whole log at that point.
type AuditCheckpoint struct {
	Database string    `json:"database"`
	Org      int64     `json:"org"`
	GSeq     int64     `json:"gseq"`
	Digest   string    `json:"digest"`
	At       time.Time `json:"at"`
	MAC      string    `json:"mac"`
}

func (c AuditCheckpoint) mac(key []byte) string {
	h := hmac.New(sha256.New, key)
	fmt.Fprintf(h, "wugongkai audit checkpoint\n%s\n%d\n%d\n%s\n%s", c.Database, c.Org, c.GSeq, c.Digest,
		c.At.UTC().Format(time.RFC3339Nano))
	return hex.EncodeToString(h.Sum(nil))
}

// foldDigest adds one event hash to a log digest.
func foldDigest(digest, hash string) string {
	h := sha256.New()
	h.Write([]byte(digest))
	h.Write([]byte{'\n'})
	h.Write([]byte(hash))
	return hex.EncodeToString(h.Sum(nil))
}

// readCheckpoints returns the checkpoints of database in the file, oldest first, and the problems
// of lines that are not validly signed.
func readCheckpoints(path, database string, key []byte) ([]AuditCheckpoint, []AuditProblem, error) {
	if path == "" {
		return nil, nil, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("open audit checkpoints: %w", err)
	}
	defer f.Close()
	var (
		out      []AuditCheckpoint
		problems []AuditProblem
		line     int
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line++
		var c AuditCheckpoint
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			problems = append(problems, AuditProblem{Kind: "log", Reason: fmt.Sprintf("checkpoint file line %d unreadable: %v", line, err)})
			continue
		}
		if c.Database != database {
			continue
		}
		if !hmac.Equal([]byte(c.mac(key)), []byte(c.MAC)) {
			problems = append(problems, AuditProblem{Org: c.Org, Kind: "log", Seq: int(c.GSeq),
				Reason: fmt.Sprintf("checkpoint file line %d: bad signature (forged, or another key)", line)})
			continue
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("read audit checkpoints: %w", err)
	}
	return out, problems, nil
}

type logEvent struct {
	Org   int64  `db:"org_id"`
	GSeq  int64  `db:"gseq"`
	Keyed bool   `db:"keyed"`
	Hash  string `db:"hash"`
}

// verifyGlobal walks each organisation's events in gseq order.
func verifyGlobal(ctx context.Context, db *DB) ([]AuditProblem, error) {
	var database string
	if err := db.GetContext(ctx, &database, `SELECT current_database()`); err != nil {
		return nil, translate(fmt.Errorf("read database name: %w", err), "")
	}
	cps, problems, err := readCheckpoints(db.checkpointsFile, database, db.auditKey)
	if err != nil {
		return nil, err
	}
	byOrg := map[int64]map[int64][]AuditCheckpoint{}
	for _, c := range cps {
		if byOrg[c.Org] == nil {
			byOrg[c.Org] = map[int64][]AuditCheckpoint{}
		}
		byOrg[c.Org][c.GSeq] = append(byOrg[c.Org][c.GSeq], c)
	}
	head, err := auditHeads(ctx, db, "gseq")
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryxContext(ctx, `SELECT org_id, gseq, keyed, hash FROM audit_events ORDER BY org_id, gseq`)
	if err != nil {
		return nil, translate(fmt.Errorf("read audit log: %w", err), "")
	}
	defer rows.Close()
	var (
		org       int64
		last      int64
		digest    string
		keyedFrom int64
		started   bool
		holeFound bool
		seen      = map[int64]bool{}
	)
	finish := func() {
		if !started {
			return
		}
		if head[org] > last {
			problems = append(problems, AuditProblem{Org: org, Kind: "log", Seq: int(last + 1),
				Reason: fmt.Sprintf("the log ends at gseq %d but %d were handed out (events at the end deleted)", last, head[org])})
		}
		for g, list := range byOrg[org] {
			if g > last {
				problems = append(problems, AuditProblem{Org: org, Kind: "log", Seq: int(g),
					Reason: fmt.Sprintf("a checkpoint of %s records gseq %d but the log ends at %d (events deleted)",
						list[0].At.Format(time.RFC3339), g, last)})
			}
		}
		delete(byOrg, org)
	}
	for rows.Next() {
		var e logEvent
		if err := rows.StructScan(&e); err != nil {
			return nil, fmt.Errorf("scan audit event: %w", err)
		}
		if !started || e.Org != org {
			finish()
			org, last, digest, keyedFrom, started, holeFound = e.Org, 0, "", 0, true, false
			seen[org] = true
		}
		if e.GSeq != last+1 && !holeFound {
			problems = append(problems, AuditProblem{Org: org, Kind: "log", Seq: int(last + 1),
				Reason: fmt.Sprintf("hole: gseq %d to %d missing (events or whole documents deleted)", last+1, e.GSeq-1)})
			holeFound = true
		}
		switch {
		case e.Keyed && keyedFrom == 0:
			keyedFrom = e.GSeq
		case !e.Keyed && keyedFrom != 0:
			problems = append(problems, AuditProblem{Org: org, Kind: "log", Seq: int(e.GSeq),
				Reason: fmt.Sprintf("unkeyed event after keyed events began at gseq %d (downgraded)", keyedFrom)})
		}
		last = e.GSeq
		digest = foldDigest(digest, e.Hash)
		for _, c := range byOrg[org][e.GSeq] {
			if c.Digest != digest {
				problems = append(problems, AuditProblem{Org: org, Kind: "log", Seq: int(e.GSeq),
					Reason: fmt.Sprintf("the log up to gseq %d differs from its checkpoint of %s (events rewritten or deleted)",
						e.GSeq, c.At.Format(time.RFC3339))})
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, translate(fmt.Errorf("read audit log: %w", err), "")
	}
	finish()
	for o, h := range head {
		if !seen[o] && h > 0 {
			problems = append(problems, AuditProblem{Org: o, Kind: "log", Seq: 1,
				Reason: fmt.Sprintf("%d events were handed out but the organisation has none left (all deleted)", h)})
		}
	}
	// Organisations whose every event is gone (still counted or checkpointed).
	for o, list := range byOrg {
		for g := range list {
			problems = append(problems, AuditProblem{Org: o, Kind: "log", Seq: int(g),
				Reason: fmt.Sprintf("a checkpoint records gseq %d but the organisation has no audit events left", g)})
		}
	}
	return problems, nil
}

// WriteAuditCheckpoints appends to the checkpoint file one signed checkpoint per organisation: its
// log's last gseq and digest, read in one snapshot. It continues from the organisation's last valid
// checkpoint in the file, so it reads only the events since. It returns what it wrote.
func WriteAuditCheckpoints(ctx context.Context, db *DB, now time.Time) ([]AuditCheckpoint, error) {
	if db.auditKey == nil {
		return nil, errNoAuditKey
	}
	if db.checkpointsFile == "" {
		return nil, errors.New("no audit checkpoint file configured")
	}
	tx, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, translate(fmt.Errorf("begin: %w", err), "")
	}
	defer tx.Rollback()
	var database string
	if err := tx.GetContext(ctx, &database, `SELECT current_database()`); err != nil {
		return nil, translate(fmt.Errorf("read database name: %w", err), "")
	}
	cps, _, err := readCheckpoints(db.checkpointsFile, database, db.auditKey)
	if err != nil {
		return nil, err
	}
	from := map[int64]AuditCheckpoint{}
	for _, c := range cps {
		if c.GSeq >= from[c.Org].GSeq {
			from[c.Org] = c
		}
	}
	var orgs []int64
	if err := tx.SelectContext(ctx, &orgs, `SELECT DISTINCT org_id FROM audit_events ORDER BY org_id`); err != nil {
		return nil, translate(fmt.Errorf("list audit organisations: %w", err), "")
	}
	var out []AuditCheckpoint
	for _, org := range orgs {
		c := AuditCheckpoint{Database: database, Org: org, GSeq: from[org].GSeq, Digest: from[org].Digest, At: now.UTC()}
		rows, err := tx.QueryxContext(ctx, `SELECT org_id, gseq, keyed, hash FROM audit_events WHERE org_id = $1 AND gseq > $2
			ORDER BY gseq`, org, c.GSeq)
		if err != nil {
			return nil, translate(fmt.Errorf("read audit log: %w", err), "")
		}
		for rows.Next() {
			var e logEvent
			if err := rows.StructScan(&e); err != nil {
				rows.Close()
				return nil, fmt.Errorf("scan audit event: %w", err)
			}
			c.GSeq, c.Digest = e.GSeq, foldDigest(c.Digest, e.Hash)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, translate(fmt.Errorf("read audit log: %w", err), "")
		}
		c.MAC = c.mac(db.auditKey)
		out = append(out, c)
	}
	f, err := os.OpenFile(db.checkpointsFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open audit checkpoints: %w", err)
	}
	for _, c := range out {
		b, _ := json.Marshal(c)
		if _, err := f.Write(append(b, '\n')); err != nil {
			f.Close()
			return nil, fmt.Errorf("write audit checkpoint: %w", err)
		}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("sync audit checkpoints: %w", err)
	}
	return out, f.Close()
}
