package postgres_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"wugongkai/internal/postgres"
	"wugongkai/internal/postgres/pgtest"
	"wugongkai/migrations"
	"wugongkai/workflow"
	"wugongkai/workflow/consultations"
)

// asSuperuser runs fn in one transaction with triggers (the append-only one, and foreign keys)
// switched off, as someone with full database access would.
func asSuperuser(t *testing.T, db *postgres.DB, fn func(tx *sqlx.Tx)) {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
		t.Fatal(err)
	}
	fn(tx)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func mustExec(t *testing.T, tx *sqlx.Tx, q string, args ...any) {
	t.Helper()
	if _, err := tx.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// rewriteChain edits the event at seq of a document's chain and recomputes every hash from there
// on, with key (nil: plain SHA-256, marking the events unkeyed).
func rewriteChain(t *testing.T, f fixture, doc int64, seq int, key []byte) {
	t.Helper()
	ctx := context.Background()
	hist, err := f.store.Audit.History(ctx, "document", doc)
	if err != nil {
		t.Fatal(err)
	}
	var gseqs []int64
	if err := f.db.SelectContext(ctx, &gseqs, `SELECT gseq FROM audit_events WHERE subject_id = $1 ORDER BY seq`, doc); err != nil {
		t.Fatal(err)
	}
	asSuperuser(t, f.db, func(tx *sqlx.Tx) {
		prev := ""
		for i, e := range hist {
			if e.Seq == seq {
				e.ActorName = "李某"
			}
			h, err := postgres.AuditHash(key, prev, f.store.Org(), "document", doc, gseqs[i], 0, e)
			if err != nil {
				t.Fatal(err)
			}
			mustExec(t, tx, `UPDATE audit_events SET actor_name = $1, prev_hash = $2, hash = $3, keyed = $4
				WHERE subject_id = $5 AND seq = $6`, e.ActorName, prev, h, key != nil, doc, e.Seq)
			prev = h
		}
	})
}

// mustDocuments creates n documents, each with a chain of four events.
func (f fixture) mustDocuments(t *testing.T, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	for range n {
		d := f.mustDocument(t)
		inst := d.Instance
		for _, step := range []struct{ to, name string }{{"unit_review", "submit"}, {"drafting", "return"}, {"unit_review", "submit"}} {
			var err error
			if inst, err = f.store.Instances.Apply(ctx, inst, result(inst, step.to, step.name, f.actor, t0)); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, d.ID)
	}
	return ids
}

func mustVerify(t *testing.T, db *postgres.DB) []postgres.AuditProblem {
	t.Helper()
	_, problems, err := postgres.VerifyAudit(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return problems
}

func wantProblem(t *testing.T, problems []postgres.AuditProblem, want string) {
	t.Helper()
	for _, p := range problems {
		if strings.Contains(p.Reason, want) {
			return
		}
	}
	t.Fatalf("problems = %v, want one mentioning %q", problems, want)
}

// TestAuditTamperingBySuperuser plays someone with full database access: the append-only trigger
// off, and the chain recomputed after each change. Each attack must be found.
func TestAuditTamperingBySuperuser(t *testing.T) {
	ctx := context.Background()
	attacks := []struct {
		name       string
		checkpoint bool // a checkpoint was written before the attack
		attack     func(t *testing.T, f fixture, docs []int64)
		want       string
	}{
		{"event rewritten, chain recomputed with SHA-256 and marked unkeyed", false, func(t *testing.T, f fixture, docs []int64) {
			rewriteChain(t, f, docs[0], 2, nil)
		}, "unkeyed event written after the audit key"},
		{"event rewritten, chain recomputed under a guessed key", false, func(t *testing.T, f fixture, docs []int64) {
			rewriteChain(t, f, docs[1], 2, []byte("a guess at the key, 32 bytes long"))
		}, "edited"},
		{"last event of a document deleted and its version lowered", false, func(t *testing.T, f fixture, docs []int64) {
			asSuperuser(t, f.db, func(tx *sqlx.Tx) {
				mustExec(t, tx, `DELETE FROM audit_events WHERE subject_id = $1 AND seq = 4`, docs[1])
				mustExec(t, tx, `UPDATE documents SET version = 3 WHERE id = $1`, docs[1])
			})
		}, "hole: gseq 8 to 8 missing"},
		{"document deleted with its whole chain", false, func(t *testing.T, f fixture, docs []int64) {
			asSuperuser(t, f.db, func(tx *sqlx.Tx) {
				for _, table := range []string{"audit_events", "deadlines", "notifications"} {
					mustExec(t, tx, `DELETE FROM `+table+` WHERE subject_id = $1`, docs[1])
				}
				mustExec(t, tx, `DELETE FROM document_versions WHERE document_id = $1`, docs[1])
				mustExec(t, tx, `DELETE FROM documents WHERE id = $1`, docs[1])
			})
		}, "hole: gseq 5 to 8 missing"},
		{"last document of the log deleted with its chain and the counter lowered", true, func(t *testing.T, f fixture, docs []int64) {
			asSuperuser(t, f.db, func(tx *sqlx.Tx) {
				mustExec(t, tx, `DELETE FROM audit_events WHERE subject_id = $1`, docs[2])
				mustExec(t, tx, `DELETE FROM document_versions WHERE document_id = $1`, docs[2])
				mustExec(t, tx, `DELETE FROM documents WHERE id = $1`, docs[2])
				mustExec(t, tx, `UPDATE audit_heads SET gseq = gseq - 4`)
			})
		}, "a checkpoint of"},
		{"last event of the log deleted, version and counter lowered", true, func(t *testing.T, f fixture, docs []int64) {
			asSuperuser(t, f.db, func(tx *sqlx.Tx) {
				mustExec(t, tx, `DELETE FROM audit_events WHERE subject_id = $1 AND seq = 4`, docs[2])
				mustExec(t, tx, `UPDATE documents SET version = 3 WHERE id = $1`, docs[2])
				mustExec(t, tx, `UPDATE audit_heads SET gseq = gseq - 1`)
			})
		}, "a checkpoint of"},
		{"counter lowered with the last event deleted, no checkpoint", false, func(t *testing.T, f fixture, docs []int64) {
			asSuperuser(t, f.db, func(tx *sqlx.Tx) {
				mustExec(t, tx, `DELETE FROM audit_events WHERE subject_id = $1 AND seq = 4`, docs[2])
				mustExec(t, tx, `UPDATE documents SET version = 3 WHERE id = $1`, docs[2])
			})
		}, "events at the end deleted"},
		{"a checkpoint forged", false, func(t *testing.T, f fixture, docs []int64) {
			line := `{"database":"` + currentDatabase(t, f.db) + `","org":1,"gseq":3,"digest":"00","at":"2026-01-01T00:00:00Z","mac":"00"}` + "\n"
			if err := os.WriteFile(f.checkpoints, []byte(line), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "bad signature"},
	}
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			f := mustFixture(t)
			f.checkpoints = filepath.Join(t.TempDir(), "checkpoints")
			f.db.SetAudit(postgres.AuditOptions{Key: pgtest.TestAuditKey, CheckpointsFile: f.checkpoints})
			docs := f.mustDocuments(t, 3)
			if a.checkpoint {
				if _, err := postgres.WriteAuditCheckpoints(ctx, f.db, t0); err != nil {
					t.Fatal(err)
				}
			}
			if p := mustVerify(t, f.db); len(p) != 0 {
				t.Fatalf("intact log: %v", p)
			}
			a.attack(t, f, docs)
			wantProblem(t, mustVerify(t, f.db), a.want)
		})
	}
}

func currentDatabase(t *testing.T, db *postgres.DB) string {
	t.Helper()
	var name string
	if err := db.GetContext(context.Background(), &name, `SELECT current_database()`); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestAuditCheckpointsAreIncremental: checkpoints written after more events still verify, and a
// checkpoint pins the legacy part too.
func TestAuditCheckpointsAreIncremental(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	f.checkpoints = filepath.Join(t.TempDir(), "checkpoints")
	f.db.SetAudit(postgres.AuditOptions{Key: pgtest.TestAuditKey, CheckpointsFile: f.checkpoints})
	f.mustDocuments(t, 2)
	for range 2 {
		cps, err := postgres.WriteAuditCheckpoints(ctx, f.db, t0)
		if err != nil || len(cps) != 1 {
			t.Fatalf("checkpoint: %v %v", cps, err)
		}
		f.mustDocuments(t, 1)
	}
	if p := mustVerify(t, f.db); len(p) != 0 {
		t.Fatalf("intact log with checkpoints: %v", p)
	}
	b, _ := os.ReadFile(f.checkpoints)
	if n := strings.Count(string(b), "\n"); n != 2 {
		t.Fatalf("%d checkpoint lines, want 2", n)
	}
}

// TestLegacyChainsStillVerify: chains written before the audit key (plain SHA-256, no gseq) verify
// as legacy after the migration, keyed events continue them, and a rewritten legacy event is still
// found because the keyed continuation covers its hash.
func TestLegacyChainsStillVerify(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	docs := f.mustDocuments(t, 2)
	// Make the log what the code before the key wrote: plain SHA-256 without gseq.
	for _, doc := range docs {
		hist, err := f.store.Audit.History(ctx, "document", doc)
		if err != nil {
			t.Fatal(err)
		}
		asSuperuser(t, f.db, func(tx *sqlx.Tx) {
			prev := ""
			for _, e := range hist {
				h, err := postgres.AuditHash(nil, prev, f.store.Org(), "document", doc, 0, 0, e)
				if err != nil {
					t.Fatal(err)
				}
				mustExec(t, tx, `UPDATE audit_events SET prev_hash = $1, hash = $2, keyed = false WHERE subject_id = $3 AND seq = $4`,
					prev, h, doc, e.Seq)
				prev = h
			}
		})
	}
	m, err := postgres.NewMigrator(f.db, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.DownTo(ctx, 8); err != nil { // back to before the key (000009_audit_keyed)
		t.Fatal(err)
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if p := mustVerify(t, f.db); len(p) != 0 {
		t.Fatalf("legacy log after the migration: %v", p)
	}
	// Keyed events continue a legacy chain, and new chains are keyed.
	d, err := f.store.Documents.Document(ctx, docs[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Instances.Apply(ctx, d.Instance, result(d.Instance, "drafting", "return", f.actor, t0)); err != nil {
		t.Fatal(err)
	}
	f.mustDocuments(t, 1)
	if p := mustVerify(t, f.db); len(p) != 0 {
		t.Fatalf("legacy and keyed log: %v", p)
	}
	var keyed, legacy int
	if err := f.db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE keyed), count(*) FILTER (WHERE NOT keyed) FROM audit_events`).Scan(&keyed, &legacy); err != nil {
		t.Fatal(err)
	}
	if keyed != 5 || legacy != 8 {
		t.Fatalf("%d keyed and %d legacy events, want 5 and 8", keyed, legacy)
	}
	// The legacy head of docs[0] rewritten with SHA-256: the keyed event after it no longer links.
	rewriteLegacyHead(t, f, docs[0])
	wantProblem(t, mustVerify(t, f.db), "prev_hash does not match")
}

func rewriteLegacyHead(t *testing.T, f fixture, doc int64) {
	t.Helper()
	hist, err := f.store.Audit.History(context.Background(), "document", doc)
	if err != nil {
		t.Fatal(err)
	}
	asSuperuser(t, f.db, func(tx *sqlx.Tx) {
		prev := ""
		for _, e := range hist[:4] {
			if e.Seq == 2 {
				e.ActorName = "李某"
			}
			h, err := postgres.AuditHash(nil, prev, f.store.Org(), "document", doc, 0, 0, e)
			if err != nil {
				t.Fatal(err)
			}
			mustExec(t, tx, `UPDATE audit_events SET actor_name = $1, prev_hash = $2, hash = $3 WHERE subject_id = $4 AND seq = $5`,
				e.ActorName, prev, h, doc, e.Seq)
			prev = h
		}
	})
}

// TestChainHeadOnRowUnderConcurrency: transitions read the audit chain's head from the subject's
// row (migration 000023) while other appenders (comment dispositions) write events in between,
// each waiting for the others' row lock. Every event chains to the one before it, the chain
// verifies, and the row's head is the last event.
func TestChainHeadOnRowUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	doc := f.mustDecision(t, "consultation_closed", nil)
	cs := mustCommentStore(t, f, postgres.CommentOptions{})
	added := mustAdd(t, cs, comment(doc.ID, "建议公布收运时间", "198.51.100.3", t0))
	const transitions, disposals = 24, 12
	var wg sync.WaitGroup
	errs := make(chan error, transitions+disposals)
	for i := range transitions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				inst, err := f.store.Instances.Instance(ctx, doc.ID)
				if err != nil {
					errs <- err
					return
				}
				next := inst
				next.Facts = workflow.Facts{"note": fmt.Sprint(i)}
				_, err = f.store.Instances.Apply(ctx, inst, workflow.Result{Instance: next,
					Event: workflow.Event{Transition: "note", From: inst.State, To: inst.State, At: t0, Actor: f.actor}})
				if workflow.ErrorCode(err) == workflow.EConflict {
					continue
				}
				errs <- err
				return
			}
		}()
	}
	for range disposals {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := cs.Dispose(ctx, doc.ID, consultations.Disposal{CommentIDs: []int64{added[0].ID}, Disposition: consultations.DispositionAdopted},
				"consultation_closed", f.actor, t0)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var head struct {
		Seq      int    `db:"audit_seq"`
		Hash     string `db:"audit_hash"`
		LastSeq  int    `db:"last_seq"`
		LastHash string `db:"last_hash"`
		Events   int    `db:"events"`
	}
	if err := f.db.GetContext(ctx, &head, `SELECT d.audit_seq, d.audit_hash, a.seq AS last_seq, a.hash AS last_hash,
		(SELECT count(*) FROM audit_events WHERE subject_id = d.id) AS events
		FROM documents d JOIN LATERAL (SELECT seq, hash FROM audit_events WHERE subject_kind = 'document' AND subject_id = d.id
		ORDER BY seq DESC LIMIT 1) a ON true WHERE d.id = $1`, doc.ID); err != nil {
		t.Fatal(err)
	}
	if head.Seq != head.LastSeq || head.Hash != head.LastHash || head.Events != head.LastSeq {
		t.Fatalf("row head %d %s, last event %d %s, %d events", head.Seq, head.Hash, head.LastSeq, head.LastHash, head.Events)
	}
	if head.Events < transitions+disposals {
		t.Fatalf("%d events, want at least %d", head.Events, transitions+disposals)
	}
	if _, problems, err := postgres.VerifyAudit(ctx, f.db); err != nil || len(problems) != 0 {
		t.Fatalf("audit verify: problems %v, err %v", problems, err)
	}
}
