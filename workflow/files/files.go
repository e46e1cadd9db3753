package files

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"wugongkai/workflow"
	"wugongkai/workflow/documents"
)

// DefaultMaxBytes is the largest file accepted unless the configuration says otherwise.
const DefaultMaxBytes = 100 << 20

// MaxNameRunes is the longest file name accepted.
const MaxNameRunes = 120

// Stable reasons (details.reason) of a refused upload.
const (
	ReasonName         = "file_name"         // empty, too long, a path, control characters, no extension
	ReasonKind         = "file_kind"         // not original, attachment or figure
	ReasonEmpty        = "file_empty"        // no content
	ReasonTypeRefused  = "file_type"         // a type not accepted here
	ReasonTypeMismatch = "file_type_differs" // the declared type or the name's extension is not what the content is
	ReasonNotEditable  = "not_editable"      // the document has left drafting
)

// Files holds the file use cases; the JSON API and the pages both call them.
type Files struct {
	Engine *workflow.Engine
	Store  Store
	Auth   Authz
	// Docs says who may read a document (documents.Documents): whoever may read it may read its
	// files, co-units of a joint document included.
	Docs  Reader
	Clock workflow.Clock
	// MaxBytes is the largest file accepted (DefaultMaxBytes when 0).
	MaxBytes int64
	// Types are the names of the accepted types (DefaultTypes when nil).
	Types []string
}

func (s *Files) now() time.Time {
	if s.Clock == nil {
		return time.Now()
	}
	return s.Clock.Now()
}

// Limit returns the largest file accepted.
func (s *Files) Limit() int64 {
	if s.MaxBytes <= 0 {
		return DefaultMaxBytes
	}
	return s.MaxBytes
}

// Accepted returns the accepted types.
func (s *Files) Accepted() []Type {
	names := s.Types
	if names == nil {
		names = DefaultTypes
	}
	var out []Type
	for _, n := range names {
		if t, ok := TypeByName(n); ok {
			out = append(out, t)
		}
	}
	return out
}

// Accept is the accept attribute of a file input: the accepted extensions.
func (s *Files) Accept() string {
	var exts []string
	for _, t := range s.Accepted() {
		exts = append(exts, t.Exts...)
	}
	return strings.Join(exts, ",")
}

// notFound hides whether a document or file exists from someone who may not see it.
func notFound() error {
	return &workflow.Error{Code: workflow.ENotFound, Message: "文件不存在或您无权查看"}
}

func refused(reason, field, format string, args ...any) error {
	return &workflow.Error{Code: workflow.EInvalid, Field: field, Message: fmt.Sprintf(format, args...),
		Details: map[string]any{"reason": reason}}
}

// TooLarge is the error of a file over limit bytes.
func TooLarge(limit int64) error {
	return &workflow.Error{Code: workflow.ETooLarge, Field: "file",
		Message: fmt.Sprintf("文件超过 %s 的上限，请压缩或拆分后再上传", FormatSize(limit)),
		Details: map[string]any{"limit_bytes": limit, "reason": "file_too_large"}}
}

// Reader loads a document for an actor who may read it, and answers ENotFound to anyone else.
type Reader interface {
	Get(ctx context.Context, actor workflow.Actor, id int64) (documents.Document, error)
}

// readable returns document doc if actor may read it.
func (s *Files) readable(ctx context.Context, actor workflow.Actor, doc int64) (workflow.Instance, error) {
	d, err := s.Docs.Get(ctx, actor, doc)
	if err != nil {
		if workflow.ErrorCode(err) == workflow.ENotFound {
			return workflow.Instance{}, notFound()
		}
		return workflow.Instance{}, err
	}
	return d.Instance, nil
}

// Upload is what a client sends with a file.
type Upload struct {
	Kind         string
	Name         string // as the client sent it; refused if it names a directory
	DeclaredType string // the Content-Type the client declared, checked against the content
	Size         int64  // the size the client announced, -1 when unknown; checked before reading
}

// CheckName checks an uploaded file's name: not empty, no directory (a browser sends the bare name;
// a path is a client trying something), no control characters, at most MaxNameRunes, with an
// extension.
func CheckName(name string) error {
	if strings.TrimSpace(name) == "" {
		return refused(ReasonName, "file", "请选择要上传的文件")
	}
	if strings.ContainsAny(name, `/\`) || name == "." || name == ".." || strings.HasPrefix(name, "..") {
		return refused(ReasonName, "file", "文件名“%s”含有路径，只能是文件本身的名称", name)
	}
	if !utf8.ValidString(name) {
		return refused(ReasonName, "file", "文件名含有无效字符（不是合法的 UTF-8 文本）")
	}
	if n := utf8.RuneCountInString(name); n > MaxNameRunes {
		return refused(ReasonName, "file", "文件名不能超过 %d 个字（现有 %d 个）", MaxNameRunes, n)
	}
	if err := workflow.CheckText("file", name, MaxNameRunes, false); err != nil {
		return refused(ReasonName, "file", "文件名含有不可见的控制字符，请改名后重试")
	}
	if path.Ext(name) == "" || strings.TrimSpace(strings.TrimSuffix(name, path.Ext(name))) == "" {
		return refused(ReasonName, "file", "文件名“%s”没有扩展名（如 .pdf），无法确认文件类型", name)
	}
	return nil
}

// Upload stores content as a new file of document doc for actor, if doc is still a draft at
// version (0: do not check) and actor may edit it. The type is sniffed from the content; a name
// with a path, an unknown or refused type, a declared type or extension that differs from the
// content, an empty file or one over the limit is refused, and nothing is kept.
func (s *Files) Upload(ctx context.Context, actor workflow.Actor, doc int64, version int, up Upload, content io.Reader) (File, error) {
	inst, err := s.readable(ctx, actor, doc)
	if err != nil {
		return File{}, err
	}
	if err := s.Auth.Authorize(ctx, actor, inst.Unit, "document:edit"); err != nil {
		return File{}, err
	}
	def, err := s.Engine.Definition(inst)
	if err != nil {
		return File{}, err
	}
	if inst.State != def.Initial {
		return File{}, &workflow.Error{Code: workflow.ETransitionNotAllowed,
			Message: fmt.Sprintf("文件当前处于“%s”，只有起草中的文件可以上传附件；如需上传请先撤回或由审核人退回", def.StateLabel(inst.State)),
			Details: map[string]any{"reason": ReasonNotEditable}}
	}
	if version != 0 && version != inst.Version {
		return File{}, &workflow.Error{Code: workflow.EConflict,
			Message: fmt.Sprintf("文件已被他人修改（您看到的是第 %d 版，当前为第 %d 版），请刷新后重试", version, inst.Version),
			Details: map[string]any{"your_version": version, "current_version": inst.Version}}
	}
	if KindLabel(up.Kind) == "" {
		return File{}, refused(ReasonKind, "kind", "文件类别只能是签发原件、附件或图解")
	}
	if err := CheckName(up.Name); err != nil {
		return File{}, err
	}
	limit := s.Limit()
	if up.Size > limit {
		return File{}, TooLarge(limit)
	}
	br := bufio.NewReaderSize(content, SniffLen)
	head, err := br.Peek(SniffLen)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return File{}, readError(err, limit)
	}
	if len(head) == 0 {
		return File{}, refused(ReasonEmpty, "file", "文件“%s”是空的", up.Name)
	}
	t, err := s.sniff(head, up)
	if err != nil {
		return File{}, err
	}
	c := NewContent(br, limit)
	f := File{DocumentID: doc, Kind: up.Kind, Name: up.Name, ContentType: t.MIME, UploadedBy: actor.UserID,
		UploaderName: actor.Name, CreatedAt: s.now()}
	return s.Store.Save(ctx, f, inst.Version, c, actor, f.CreatedAt)
}

// sniff decides the type of an upload from its first bytes and checks it is accepted and what the
// client said it was.
func (s *Files) sniff(head []byte, up Upload) (Type, error) {
	t, ok := Sniff(head, up.Name)
	accepted := s.Accepted()
	if !ok || !slices.ContainsFunc(accepted, func(a Type) bool { return a.Name == t.Name }) {
		var labels []string
		for _, a := range accepted {
			labels = append(labels, a.Label)
		}
		what := "无法识别的内容"
		if ok {
			what = t.Label
		}
		return Type{}, refused(ReasonTypeRefused, "file", "文件“%s”是%s，不能上传；可以上传的类型：%s", up.Name, what, strings.Join(labels, "、"))
	}
	if ext := strings.ToLower(path.Ext(up.Name)); !slices.Contains(t.Exts, ext) {
		return Type{}, refused(ReasonTypeMismatch, "file", "文件“%s”的内容是%s，与扩展名 %s 不符，请确认文件后重试", up.Name, t.Label, ext)
	}
	if !t.declares(up.DeclaredType) {
		return Type{}, refused(ReasonTypeMismatch, "file", "文件“%s”的内容是%s，与声明的类型 %s 不符", up.Name, t.Label, up.DeclaredType)
	}
	return t, nil
}

// readError explains why reading an upload failed: over the limit, or the client went away.
func readError(err error, limit int64) error {
	if workflow.AsError(err) != nil {
		return err
	}
	if strings.Contains(err.Error(), "request body too large") { // net/http's MaxBytesReader

		return TooLarge(limit)
	}
	return &workflow.Error{Code: workflow.EInvalid, Field: "file", Message: "文件没有完整上传（连接中断），请重新上传",
		Details: map[string]any{"reason": "file_incomplete"}, Err: err}
}

// Content is an upload's content as the store reads it: it counts and hashes what is read and
// fails with ETooLarge past the limit.
type Content struct {
	r     io.Reader
	limit int64
	n     int64
	h     hash.Hash
}

// NewContent wraps r as upload content of at most limit bytes (tests and other callers of Store).
func NewContent(r io.Reader, limit int64) *Content {
	return &Content{r: r, limit: limit, h: sha256.New()}
}

// Read implements io.Reader.
func (c *Content) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.h.Write(p[:n])
	if c.n > c.limit {
		return n, TooLarge(c.limit)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return n, readError(err, c.limit)
	}
	return n, err
}

// Sum returns the size and hex SHA-256 of what has been read.
func (c *Content) Sum() (int64, string) {
	return c.n, hex.EncodeToString(c.h.Sum(nil))
}

// List returns the files of document doc, which actor must be able to read.
func (s *Files) List(ctx context.Context, actor workflow.Actor, doc int64) ([]File, error) {
	if _, err := s.readable(ctx, actor, doc); err != nil {
		return nil, err
	}
	return s.Store.Files(ctx, doc)
}

// Open returns file id of document doc and its content, for actor who may read the document.
// The caller closes the content.
func (s *Files) Open(ctx context.Context, actor workflow.Actor, doc, id int64) (File, io.ReadSeekCloser, error) {
	if _, err := s.readable(ctx, actor, doc); err != nil {
		return File{}, nil, err
	}
	f, err := s.Store.File(ctx, doc, id)
	return s.open(ctx, f, err)
}

func (s *Files) open(ctx context.Context, f File, err error) (File, io.ReadSeekCloser, error) {
	if err != nil {
		if workflow.ErrorCode(err) == workflow.ENotFound {
			return File{}, nil, notFound()
		}
		return File{}, nil, err
	}
	r, err := s.Store.Open(ctx, f)
	if err != nil {
		return File{}, nil, err
	}
	return f, r, nil
}

// notPublic is what the public is told of a document, or a file, that is not public: what the
// document's own page says (documents.Documents.PublicDocument).
func notPublic(err error) error {
	if workflow.ErrorCode(err) == workflow.ENotFound {
		return &workflow.Error{Code: workflow.ENotFound, Message: "文件不存在或尚未公开"}
	}
	return err
}

// PublicList returns the files of document doc if it is public (published and 主动公开); any
// other document answers ENotFound, as its page does.
func (s *Files) PublicList(ctx context.Context, doc int64) ([]File, error) {
	fs, err := s.Store.PublicFiles(ctx, doc, s.Engine.Registry().Tagged(workflow.TagPublic))
	return fs, notPublic(err)
}

// PublicOpen returns file id of public document doc and its content; a file of any other document
// answers ENotFound as the document does. The caller closes the content.
func (s *Files) PublicOpen(ctx context.Context, doc, id int64) (File, io.ReadSeekCloser, error) {
	f, err := s.Store.PublicFile(ctx, doc, id, s.Engine.Registry().Tagged(workflow.TagPublic))
	if err != nil {
		return File{}, nil, notPublic(err)
	}
	return s.open(ctx, f, nil)
}

// Headers are the response headers a file is served with: its sniffed Content-Type; inline only
// for PDF and images, every other type (HTML and SVG always) as a download; the Chinese name as
// RFC 5987 filename* beside an ASCII fallback; nosniff; an ETag of its SHA-256.
func (f File) Headers() map[string]string {
	disposition := "attachment"
	if t, ok := TypeByMIME(f.ContentType); ok && t.Inline {
		disposition = "inline"
	}
	return map[string]string{
		"Content-Type":           f.ContentType,
		"Content-Disposition":    disposition + `; filename="` + asciiName(f.Name) + `"; filename*=UTF-8''` + rfc5987(f.Name),
		"X-Content-Type-Options": "nosniff",
		"ETag":                   `"` + f.SHA256 + `"`,
	}
}

// asciiName is the name for clients that do not read filename*: non-ASCII runs become _.
func asciiName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == '"' || r == '\\' || r < 0x20 || r >= 0x7f:
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// rfc5987 percent-encodes name as an RFC 5987 value: attr-char kept, every other byte %XX.
func rfc5987(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// FormatSize renders a size in bytes for people.
func FormatSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d 字节", n)
}
