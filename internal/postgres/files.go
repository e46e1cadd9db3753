package postgres

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"wugongkai/workflow"
	"wugongkai/workflow/files"
)

// FileChunkSize is the size of the chunks a file's content is stored in: an upload or a download
// holds one chunk in memory, never the whole file.
const FileChunkSize = 1 << 20

// Files keeps the files of documents (workflow/files.Store): records in document_files, content
// in document_file_chunks.
type Files struct{ base }

type fileRow struct {
	ID              int64     `db:"id"`
	DocumentID      int64     `db:"document_id"`
	Kind            string    `db:"kind"`
	Name            string    `db:"name"`
	ContentType     string    `db:"content_type"`
	Size            int64     `db:"size"`
	SHA256          string    `db:"sha256"`
	ChunkSize       int       `db:"chunk_size"`
	UploadedBy      int64     `db:"uploaded_by"`
	UploaderName    string    `db:"uploader_name"`
	DocumentVersion int       `db:"document_version"`
	CreatedAt       time.Time `db:"created_at"`
}

func (r fileRow) toDomain() files.File {
	return files.File{ID: r.ID, DocumentID: r.DocumentID, Kind: r.Kind, Name: r.Name, ContentType: r.ContentType,
		Size: r.Size, SHA256: r.SHA256, UploadedBy: r.UploadedBy, UploaderName: r.UploaderName,
		DocumentVersion: r.DocumentVersion, CreatedAt: r.CreatedAt}
}

// fileSelect reads files with their document as d, so the public read rule (publicWhere) applies.
const fileSelect = `SELECT f.id, f.document_id, f.kind, f.name, f.content_type, f.size, f.sha256, f.chunk_size,
	f.uploaded_by, u.display_name AS uploader_name, f.document_version, f.created_at
	FROM document_files f
	JOIN documents d ON d.org_id = f.org_id AND d.id = f.document_id
	JOIN users u ON u.org_id = f.org_id AND u.id = f.uploaded_by`

// Save implements files.Store: the file's row, its chunks as they are read, the document's version
// bump and the "upload" audit event with the file's SHA-256, in one transaction.
func (s *Files) Save(ctx context.Context, f files.File, prevVersion int, content *files.Content, actor workflow.Actor, now time.Time) (files.File, error) {
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		const qFile = `INSERT INTO document_files (org_id, document_id, kind, name, content_type, size, sha256, chunk_size,
			uploaded_by, document_version, created_at) VALUES ($1, $2, $3, $4, $5, 0, '', $6, $7, $8, $9) RETURNING id`
		if err := tx.GetContext(ctx, &f.ID, qFile, s.org, f.DocumentID, f.Kind, f.Name, f.ContentType, FileChunkSize,
			actor.UserID, prevVersion+1, now.UTC()); err != nil {
			return translate(fmt.Errorf("insert file: %w", err), "文件")
		}
		buf := make([]byte, FileChunkSize)
		for no := 0; ; no++ {
			n, err := io.ReadFull(content, buf)
			if n > 0 {
				const qChunk = `INSERT INTO document_file_chunks (org_id, file_id, no, data) VALUES ($1, $2, $3, $4)`
				if _, err := tx.ExecContext(ctx, qChunk, s.org, f.ID, no, buf[:n]); err != nil {
					return translate(fmt.Errorf("insert file chunk: %w", err), "文件")
				}
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				break
			}
			if err != nil {
				return err
			}
		}
		f.Size, f.SHA256 = content.Sum()
		const qSum = `UPDATE document_files SET size = $1, sha256 = $2 WHERE org_id = $3 AND id = $4`
		if _, err := tx.ExecContext(ctx, qSum, f.Size, f.SHA256, s.org, f.ID); err != nil {
			return translate(fmt.Errorf("record file hash: %w", err), "文件")
		}
		// The upload is a change of the draft: its version moves on (a stale one is a conflict).
		var state string
		const qDoc = `UPDATE documents SET version = version + 1, updated_at = $1
			WHERE org_id = $2 AND id = $3 AND version = $4 RETURNING state`
		if err := tx.GetContext(ctx, &state, qDoc, now.UTC(), s.org, f.DocumentID, prevVersion); err != nil {
			if workflow.ErrorCode(translate(err, "")) == workflow.ENotFound {
				return s.staleOrMissing(ctx, tx, "documents", workflow.Instance{ID: f.DocumentID, Version: prevVersion})
			}
			return translate(fmt.Errorf("update document: %w", err), "文件")
		}
		f.DocumentVersion = prevVersion + 1
		return s.db.appendAudit(ctx, tx, s.org, "document", f.DocumentID, workflow.AuditEntry{Action: "upload",
			FromState: state, ToState: state, ActorID: actor.UserID, ActorName: actorName(actor), At: now,
			Data: map[string]string{"file_id": strconv.FormatInt(f.ID, 10), "file_name": f.Name, "file_kind": f.Kind,
				"content_type": f.ContentType, "size": strconv.FormatInt(f.Size, 10), "sha256": f.SHA256}})
	})
	if err != nil {
		return files.File{}, err
	}
	return f, nil
}

func (s *Files) list(ctx context.Context, where string, args ...any) ([]files.File, error) {
	return selectAll(ctx, s.db, "list files", fileRow.toDomain, fileSelect+where+` ORDER BY f.id`, args...)
}

func (s *Files) one(ctx context.Context, where string, args ...any) (files.File, error) {
	var r fileRow
	if err := s.db.GetContext(ctx, &r, fileSelect+where, args...); err != nil {
		return files.File{}, translate(err, "文件")
	}
	return r.toDomain(), nil
}

// Files implements files.Store.
func (s *Files) Files(ctx context.Context, doc int64) ([]files.File, error) {
	return s.list(ctx, ` WHERE f.org_id = $1 AND f.document_id = $2`, s.org, doc)
}

// File implements files.Store.
func (s *Files) File(ctx context.Context, doc, id int64) (files.File, error) {
	return s.one(ctx, ` WHERE f.org_id = $1 AND f.document_id = $2 AND f.id = $3`, s.org, doc, id)
}

// publicFilesSelect reads a document through the public read rule (publicWhere) with its files, if
// any, in one statement: no row = the document is not public; one row with id 0 = public, no files.
const publicFilesSelect = `SELECT COALESCE(f.id, 0) AS id, d.id AS document_id, COALESCE(f.kind, '') AS kind,
	COALESCE(f.name, '') AS name, COALESCE(f.content_type, '') AS content_type, COALESCE(f.size, 0) AS size,
	COALESCE(f.sha256, '') AS sha256, COALESCE(f.chunk_size, 0) AS chunk_size, COALESCE(f.uploaded_by, 0) AS uploaded_by,
	COALESCE(u.display_name, '') AS uploader_name, COALESCE(f.document_version, 0) AS document_version,
	COALESCE(f.created_at, d.updated_at) AS created_at
	FROM documents d
	LEFT JOIN document_files f ON f.org_id = d.org_id AND f.document_id = d.id
	LEFT JOIN users u ON u.org_id = f.org_id AND u.id = f.uploaded_by`

// PublicFiles implements files.Store through the one public read rule (publicWhere): a document
// that is not public is not found, rather than shown without files. One statement answers both
// (a public document page asks this on every miss of the page cache).
func (s *Files) PublicFiles(ctx context.Context, doc int64, states []string) ([]files.File, error) {
	all, err := selectAll(ctx, s.db, "list public files", fileRow.toDomain,
		publicFilesSelect+publicWhere+` AND d.id = $3 ORDER BY f.id`, s.org, pq.Array(states), doc)
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, translate(sql.ErrNoRows, "文件")
	}
	return slices.DeleteFunc(all, func(f files.File) bool { return f.ID == 0 }), nil
}

// PublicFile implements files.Store through the one public read rule (publicWhere).
func (s *Files) PublicFile(ctx context.Context, doc, id int64, states []string) (files.File, error) {
	return s.one(ctx, publicWhere+` AND f.document_id = $3 AND f.id = $4`, s.org, pq.Array(states), doc, id)
}

// Open implements files.Store: a reader that fetches one chunk at a time, at any offset.
func (s *Files) Open(ctx context.Context, f files.File) (io.ReadSeekCloser, error) {
	return &chunkReader{ctx: ctx, db: s.db, org: s.org, file: f.ID, size: f.Size, chunk: -1}, nil
}

// chunkReader reads a stored file chunk by chunk; Seek only moves the offset. Chunks are read
// through a prepared statement: lib/pq then receives bytea in binary, not as hex text twice its
// size (docs/performance.md has the figures).
type chunkReader struct {
	ctx   context.Context
	db    *DB
	org   int64
	file  int64
	size  int64
	off   int64
	stmt  *sql.Stmt
	chunk int64 // the chunk in data, -1 = none
	data  []byte
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	no := r.off / FileChunkSize
	if no != r.chunk {
		if err := r.load(no); err != nil {
			r.chunk = -1
			return 0, translate(fmt.Errorf("read file %d chunk %d: %w", r.file, no, err), "文件内容")
		}
		r.chunk = no
	}
	start := r.off - no*FileChunkSize
	if start >= int64(len(r.data)) {
		return 0, fmt.Errorf("file %d chunk %d is shorter than its size says", r.file, no)
	}
	n := copy(p, r.data[start:])
	r.off += int64(n)
	return n, nil
}

func (r *chunkReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.off
	case io.SeekEnd:
		offset += r.size
	default:
		return r.off, errors.New("seek: invalid whence")
	}
	if offset < 0 {
		return r.off, errors.New("seek: negative position")
	}
	r.off = offset
	return offset, nil
}

func (r *chunkReader) load(no int64) error {
	if r.stmt == nil {
		const q = `SELECT data FROM document_file_chunks WHERE org_id = $1 AND file_id = $2 AND no = $3`
		stmt, err := r.db.PrepareContext(r.ctx, q)
		if err != nil {
			return err
		}
		r.stmt = stmt
	}
	r.data = r.data[:0]
	return r.stmt.QueryRowContext(r.ctx, r.org, r.file, no).Scan(&r.data)
}

func (r *chunkReader) Close() error {
	r.data = nil
	if r.stmt != nil {
		return r.stmt.Close()
	}
	return nil
}

// verifyFiles re-hashes every stored file and compares the content with the SHA-256 its upload
// event recorded in the (keyed) audit chain, and with the file's own record: a file whose chunks
// were changed, or whose record and chunks were changed together, is reported. It returns the
// number of files checked.
func verifyFiles(ctx context.Context, db *DB) (int, []AuditProblem, error) {
	var fs []struct {
		Org     int64  `db:"org_id"`
		ID      int64  `db:"id"`
		Doc     int64  `db:"document_id"`
		Size    int64  `db:"size"`
		SHA256  string `db:"sha256"`
		Audited string `db:"audited"`
		Seq     int    `db:"seq"`
	}
	const q = `SELECT f.org_id, f.id, f.document_id, f.size, f.sha256,
		COALESCE(a.data->>'sha256', '') AS audited, COALESCE(a.seq, 0) AS seq
		FROM document_files f
		LEFT JOIN audit_events a ON a.org_id = f.org_id AND a.subject_kind = 'document' AND a.subject_id = f.document_id
			AND a.action = 'upload' AND a.data->>'file_id' = f.id::text
		ORDER BY f.org_id, f.id`
	if err := db.SelectContext(ctx, &fs, q); err != nil {
		return 0, nil, translate(fmt.Errorf("list files: %w", err), "")
	}
	var problems []AuditProblem
	for _, f := range fs {
		bad := func(reason string) {
			problems = append(problems, AuditProblem{Org: f.Org, Kind: "document", Subject: f.Doc, Seq: f.Seq,
				Reason: fmt.Sprintf("file %d: %s", f.ID, reason)})
		}
		r := &chunkReader{ctx: ctx, db: db, org: f.Org, file: f.ID, size: f.Size, chunk: -1}
		h := sha256.New()
		n, err := io.Copy(h, r)
		r.Close()
		if err != nil && workflow.ErrorCode(err) != workflow.ENotFound {
			return len(fs), problems, err
		}
		got := hex.EncodeToString(h.Sum(nil))
		switch {
		case f.Audited == "":
			bad("no upload event in the audit log records this file")
		case err != nil:
			bad("content missing (chunks deleted)")
		case !hmac.Equal([]byte(got), []byte(f.Audited)):
			bad(fmt.Sprintf("content SHA-256 %s differs from the %s recorded when it was uploaded (changed)", got[:16], f.Audited[:min(16, len(f.Audited))]))
		case f.SHA256 != f.Audited:
			bad("recorded SHA-256 differs from the audit log (record changed)")
		case n != f.Size:
			bad(fmt.Sprintf("content is %d bytes, its record says %d", n, f.Size))
		}
	}
	return len(fs), problems, nil
}
