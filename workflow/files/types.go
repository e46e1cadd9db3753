// Package files holds the files of a document: the signed original (签发原件), its attachments (附件)
// and 图解 images. It has their types, the storage interface the use cases need (PostgreSQL by
// default, in chunks; a deployment may put the content elsewhere) and the use cases both the JSON
// API and the pages call: upload to a draft, list and open for staff who may read the document,
// and list and open for the public only where the document itself is public.
package files

import (
	"context"
	"io"
	"time"

	"wugongkai/workflow"
)

// The kinds of file a document carries.
const (
	KindOriginal   = "original"   // 签发原件: the signed 红头 document as issued (PDF or OFD)
	KindAttachment = "attachment" // 附件: tables, maps, lists
	KindFigure     = "figure"     // 图解: the illustrated interpretation
)

// Kinds lists the kinds in the order pages show them.
var Kinds = []string{KindOriginal, KindAttachment, KindFigure}

// KindLabel returns the Chinese name of a kind, "" for an unknown one.
func KindLabel(kind string) string {
	switch kind {
	case KindOriginal:
		return "签发原件"
	case KindAttachment:
		return "附件"
	case KindFigure:
		return "图解"
	}
	return ""
}

// File is one stored file of a document.
type File struct {
	ID           int64
	DocumentID   int64
	Kind         string
	Name         string // the uploader's file name, without any directory
	ContentType  string // sniffed from the content when uploaded, never taken from the client
	Size         int64
	SHA256       string // hex
	UploadedBy   int64
	UploaderName string
	// DocumentVersion is the document's version the upload made (an upload is a change of the
	// draft, with its audit event).
	DocumentVersion int
	CreatedAt       time.Time
}

// Store keeps the files' records and content. The PostgreSQL store keeps both, the content in
// chunks; another store may keep the content elsewhere.
type Store interface {
	// Save reads up to io.EOF and stores f with that content as a new file of f.DocumentID, in
	// one transaction with the document's version bump (if it is still prevVersion, else
	// EConflict) and an "upload" audit event carrying the file's SHA-256. When reading content
	// fails (too large, the client went away) nothing is kept. f.Size and f.SHA256 are taken
	// from content.Sum after the last byte.
	Save(ctx context.Context, f File, prevVersion int, content *Content, actor workflow.Actor, now time.Time) (File, error)
	// Files lists the files of document doc, oldest first.
	Files(ctx context.Context, doc int64) ([]File, error)
	// File returns file id of document doc (not found: ENotFound).
	File(ctx context.Context, doc, id int64) (File, error)
	// PublicFiles and PublicFile are Files and File through the one public read rule: only the
	// files of a 主动公开 document in one of the public states (the states the flows tag
	// public); any other document, and its files, are missing (ENotFound).
	PublicFiles(ctx context.Context, doc int64, public []string) ([]File, error)
	PublicFile(ctx context.Context, doc, id int64, public []string) (File, error)
	// Open returns f's content, seekable so that byte ranges can be served.
	Open(ctx context.Context, f File) (io.ReadSeekCloser, error)
}

// Authz is the authorizer with the question "may this user do that in this unit".
type Authz interface {
	workflow.Authorizer
	Can(user, unit, permission string) bool
}
