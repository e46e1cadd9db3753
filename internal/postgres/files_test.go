package postgres_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"strings"
	"testing"

	"wugongkai/internal/postgres"
	"wugongkai/workflow"
	"wugongkai/workflow/files"
)

func mustRandom(tb testing.TB, n int) []byte {
	tb.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return b
}

func (f fixture) mustSaveFile(tb testing.TB, fs *postgres.Files, doc int64, version int, name string, content []byte) files.File {
	tb.Helper()
	saved, err := fs.Save(context.Background(), files.File{DocumentID: doc, Kind: files.KindAttachment, Name: name,
		ContentType: "application/pdf", UploadedBy: f.user.ID}, version, files.NewContent(bytes.NewReader(content), 1<<30), f.actor, t0)
	if err != nil {
		tb.Fatal(err)
	}
	return saved
}

func TestFilesAreSavedInChunksAndReadsAnyRange(t *testing.T) {
	f := mustFixture(t)
	ctx := context.Background()
	fs := f.store.Files
	d := f.mustDocument(t)
	content := mustRandom(t, 2*postgres.FileChunkSize+12345)
	saved := f.mustSaveFile(t, fs, d.ID, d.Version, "附件一：补贴名单.pdf", content)
	sum := sha256.Sum256(content)
	if saved.Size != int64(len(content)) || saved.SHA256 != hex.EncodeToString(sum[:]) || saved.DocumentVersion != d.Version+1 {
		t.Fatalf("saved = %+v, want size %d, sha %x, version %d", saved, len(content), sum, d.Version+1)
	}
	var chunks int
	if err := f.db.GetContext(ctx, &chunks, `SELECT count(*) FROM document_file_chunks WHERE file_id = $1`, saved.ID); err != nil || chunks != 3 {
		t.Fatalf("chunks = %d (%v), want 3", chunks, err)
	}
	after, err := f.store.Documents.Document(ctx, d.ID)
	if err != nil || after.Version != d.Version+1 {
		t.Fatalf("document version after upload = %d (%v), want %d", after.Version, err, d.Version+1)
	}
	h, err := f.store.Documents.History(ctx, "document", d.ID)
	if err != nil || h[len(h)-1].Action != "upload" || h[len(h)-1].Data["sha256"] != saved.SHA256 {
		t.Fatalf("last audit event = %+v (%v), want the upload with the file's SHA-256", h[len(h)-1], err)
	}

	got, err := fs.File(ctx, d.ID, saved.ID)
	if err != nil || got.Name != "附件一：补贴名单.pdf" || got.UploaderName != "王起草" {
		t.Fatalf("File = %+v, %v", got, err)
	}
	r, err := fs.Open(ctx, got)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	all, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(all, content) {
		t.Fatalf("read back %d bytes (%v), want the %d uploaded", len(all), err, len(content))
	}
	// A range across a chunk boundary, as http.ServeContent asks for one.
	start := int64(postgres.FileChunkSize - 100)
	if _, err := r.Seek(start, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	part := make([]byte, 300)
	if _, err := io.ReadFull(r, part); err != nil || !bytes.Equal(part, content[start:start+300]) {
		t.Fatalf("range read differs (%v)", err)
	}
	if end, _ := r.Seek(0, io.SeekEnd); end != int64(len(content)) {
		t.Fatalf("Seek(0, end) = %d, want %d", end, len(content))
	}

	// A stale version is a conflict and leaves nothing behind.
	_, err = fs.Save(ctx, files.File{DocumentID: d.ID, Kind: files.KindAttachment, Name: "b.pdf", ContentType: "application/pdf"},
		d.Version, files.NewContent(bytes.NewReader(content), 1<<30), f.actor, t0)
	if workflow.ErrorCode(err) != workflow.EConflict {
		t.Fatalf("stale save: %v, want conflict", err)
	}
	// Content over the limit fails while it is read, and nothing is kept either.
	_, err = fs.Save(ctx, files.File{DocumentID: d.ID, Kind: files.KindAttachment, Name: "c.pdf", ContentType: "application/pdf"},
		after.Version, files.NewContent(bytes.NewReader(content), postgres.FileChunkSize), f.actor, t0)
	if workflow.ErrorCode(err) != workflow.ETooLarge {
		t.Fatalf("oversized save: %v, want too_large", err)
	}
	list, err := fs.Files(ctx, d.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("files after refused saves = %d (%v), want 1", len(list), err)
	}
	if err := f.db.GetContext(ctx, &chunks, `SELECT count(*) FROM document_file_chunks`); err != nil || chunks != 3 {
		t.Fatalf("chunks after refused saves = %d (%v), want 3", chunks, err)
	}
}

func TestPublicFilesFollowThePublicReadRule(t *testing.T) {
	published := []string{"published"}
	f := mustFixture(t)
	ctx := context.Background()
	fs := f.store.Files
	d := f.mustDocument(t)
	saved := f.mustSaveFile(t, fs, d.ID, d.Version, "原件.pdf", []byte("%PDF-1.7 test"))
	for _, tc := range []struct {
		state, attribute string
		public           bool
	}{
		{"drafting", "主动公开", false},
		{"awaiting_publication", "主动公开", false},
		{"published", "依申请公开", false},
		{"published", "不予公开", false},
		{"published", "主动公开", true},
	} {
		t.Run(tc.state+"/"+tc.attribute, func(t *testing.T) {
			if _, err := f.db.ExecContext(ctx, `UPDATE documents SET state = $1, facts = jsonb_build_object('attribute', $2::text) WHERE id = $3`,
				tc.state, tc.attribute, d.ID); err != nil {
				t.Fatal(err)
			}
			list, err := fs.PublicFiles(ctx, d.ID, published)
			if tc.public && (err != nil || len(list) != 1) || !tc.public && workflow.ErrorCode(err) != workflow.ENotFound {
				t.Fatalf("PublicFiles = %d files (%v), public %v", len(list), err, tc.public)
			}
			_, err = fs.PublicFile(ctx, d.ID, saved.ID, published)
			if tc.public && err != nil || !tc.public && workflow.ErrorCode(err) != workflow.ENotFound {
				t.Fatalf("PublicFile: %v, public %v", err, tc.public)
			}
		})
	}
	// Another document's id never reaches the file.
	if _, err := fs.PublicFile(ctx, d.ID+1, saved.ID, published); workflow.ErrorCode(err) != workflow.ENotFound {
		t.Fatalf("file through another document: %v, want not found", err)
	}
}

func TestAuditVerifyReportsAChangedFile(t *testing.T) {
	f := mustFixture(t)
	ctx := context.Background()
	fs := f.store.Files
	d := f.mustDocument(t)
	content := mustRandom(t, postgres.FileChunkSize+10)
	saved := f.mustSaveFile(t, fs, d.ID, d.Version, "原件.pdf", content)
	if _, problems, err := postgres.VerifyAudit(ctx, f.db); err != nil || len(problems) != 0 {
		t.Fatalf("verify before any change: %v %v", problems, err)
	}
	cases := []struct {
		name, sql, want string
	}{
		{"one byte of a chunk", `UPDATE document_file_chunks SET data = overlay(data placing '\x00'::bytea from 5 for 1) WHERE file_id = $1 AND no = 1`, "changed"},
		{"the chunk and the record's hash", `UPDATE document_files SET sha256 = encode(sha256(''), 'hex') WHERE id = $1`, "changed"},
		{"a chunk deleted", `DELETE FROM document_file_chunks WHERE file_id = $1 AND no = 1`, "missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.db.ExecContext(ctx, tc.sql, saved.ID); err != nil {
				t.Fatal(err)
			}
			_, problems, err := postgres.VerifyAudit(ctx, f.db)
			if err != nil {
				t.Fatal(err)
			}
			if len(problems) != 1 || problems[0].Subject != d.ID || !strings.Contains(problems[0].Reason, tc.want) {
				t.Fatalf("problems = %v, want one about document %d's file (%s)", problems, d.ID, tc.want)
			}
		})
	}
}

// BenchmarkFile uploads and reads back a 10 MB PDF through the chunked store, beside a plain copy
// of the same bytes between two files on this machine's disk.
func BenchmarkFile(b *testing.B) {
	f := mustFixture(b)
	ctx := context.Background()
	fs := f.store.Files
	content := append([]byte("%PDF-1.7\n"), mustRandom(b, 10<<20-9)...)
	d := f.mustDocument(b)
	version := d.Version
	var last files.File
	b.Run("upload", func(b *testing.B) {
		b.SetBytes(int64(len(content)))
		for b.Loop() {
			last = f.mustSaveFile(b, fs, d.ID, version, "原件.pdf", content)
			version++
		}
	})
	b.Run("serve", func(b *testing.B) {
		b.SetBytes(int64(len(content)))
		for b.Loop() {
			r, err := fs.Open(ctx, last)
			if err != nil {
				b.Fatal(err)
			}
			if n, err := io.Copy(io.Discard, r); err != nil || n != int64(len(content)) {
				b.Fatalf("read %d (%v)", n, err)
			}
			r.Close()
		}
	})
	b.Run("plain-file-copy", func(b *testing.B) {
		dir := b.TempDir()
		src := dir + "/src.pdf"
		if err := writeFile(src, content); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(content)))
		for b.Loop() {
			if err := copyFile(dir+"/dst.pdf", src); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func writeFile(name string, b []byte) error { return os.WriteFile(name, b, 0o600) }

// copyFile copies src to dst and syncs it to disk, as a commit does.
func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
