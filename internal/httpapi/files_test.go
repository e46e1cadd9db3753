package httpapi_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
)

// testFileLimit is the largest file the test stack accepts: two chunks and a bit.
const testFileLimit = 2<<20 + 4096

// testPDF returns a PDF-looking file of n bytes.
func testPDF(n int) []byte {
	b := bytes.Repeat([]byte("0123456789abcdef"), n/16+1)[:n]
	copy(b, "%PDF-1.7\n")
	return b
}

// testXLSX returns a minimal XLSX (a ZIP whose entries are a workbook's).
func testXLSX(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for _, name := range []string{"[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"} {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, `<?xml version="1.0"?><x/>`)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// upload is one multipart upload.
type upload struct {
	kind, version, name, contentType string
	content                          []byte
	hideLength                       bool // send chunked, so the limit is met while reading
}

// upload sends u to document doc as user and returns the status and body.
func (s *stack) upload(user string, doc int64, u upload) (int, []byte) {
	s.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if u.kind != "" {
		mw.WriteField("kind", u.kind)
	}
	if u.version != "" {
		mw.WriteField("version", u.version)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(u.name)+`"`)
	if u.contentType != "" {
		h.Set("Content-Type", u.contentType)
	}
	pw, err := mw.CreatePart(h)
	if err != nil {
		s.t.Fatal(err)
	}
	pw.Write(u.content)
	mw.Close()
	var rd io.Reader = &body
	if u.hideLength {
		rd = io.MultiReader(&body)
	}
	req, err := http.NewRequest(http.MethodPost, s.srv.URL+pathf("/api/v1/documents/%d/files", doc), rd)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, b := s.send(req, user)
	return resp.StatusCode, b
}

type fileView struct {
	ID          int64  `json:"id"`
	Kind        string `json:"kind"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	Uploader    string `json:"uploader"`
	URL         string `json:"url"`
}

func (s *stack) mustUpload(user string, doc int64, u upload) fileView {
	s.t.Helper()
	status, b := s.upload(user, doc, u)
	if status != http.StatusCreated {
		s.t.Fatalf("upload %s: %d %s", u.name, status, b)
	}
	var f fileView
	if err := json.Unmarshal(b, &f); err != nil {
		s.t.Fatal(err)
	}
	return f
}

// get fetches path as user ("" = anonymous) with optional extra headers.
func (s *stack) fetch(path, user string, header ...string) (*http.Response, []byte) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.srv.URL+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return s.send(req, user)
}

func sha(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

// TestFilesUploadPublishDownload: the signed original and an attachment are uploaded to a draft,
// the document is published, and the public downloads both as uploaded, the PDF inline with its
// Chinese name and by ranges, the table as a download.
func TestFilesUploadPublishDownload(t *testing.T) {
	s := newStack(t)
	d := s.create("drafter", map[string]any{"title": "关于住房租赁补贴的通知", "attribute": "主动公开", "summary": "概述",
		"subject_category": `城乡建设、环境保护\住房保障`})
	pdf := testPDF(testFileLimit - 10)
	xlsx := testXLSX(t)
	orig := s.mustUpload("drafter", d.ID, upload{kind: "original", version: pathf("%d", d.Version), name: "测建〔2026〕1号 关于住房租赁补贴的通知.pdf",
		contentType: "application/pdf", content: pdf})
	att := s.mustUpload("drafter", d.ID, upload{kind: "attachment", name: "附件1：补贴名单.xlsx", content: xlsx})
	if orig.ContentType != "application/pdf" || orig.Size != int64(len(pdf)) || orig.SHA256 != sha(pdf) || orig.Uploader != "王起草" {
		t.Fatalf("original = %+v", orig)
	}
	if att.ContentType != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("attachment type %q", att.ContentType)
	}
	d = s.get("drafter", d)
	if d.Version != 3 || d.History[len(d.History)-1].Action != "upload" || d.History[len(d.History)-1].Data["sha256"] != sha(xlsx) {
		t.Fatalf("after two uploads: version %d, history %+v", d.Version, d.History[len(d.History)-1])
	}
	// Not yet public: the public sees nothing, as for the document itself.
	for _, p := range []string{pathf("/api/v1/public/documents/%d", d.ID), pathf("/api/v1/public/documents/%d/files", d.ID),
		pathf("/api/v1/public/documents/%d/files/%d", d.ID, orig.ID)} {
		if resp, b := s.fetch(p, ""); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("GET %s before publication: %d %s", p, resp.StatusCode, b)
		}
	}
	// Staff who may read it download it already.
	if resp, b := s.fetch(orig.URL, "unithead"); resp.StatusCode != http.StatusOK || !bytes.Equal(b, pdf) {
		t.Fatalf("staff download: %d, %d bytes", resp.StatusCode, len(b))
	}
	d = s.fire("drafter", d, "submit", nil)
	d = s.fire("unithead", d, "approve", nil)
	d = s.fire("leader", d, "sign", nil)
	s.fire("officer", d, "publish", nil)

	var list struct {
		Items []fileView `json:"items"`
	}
	s.mustDo(http.MethodGet, pathf("/api/v1/public/documents/%d/files", d.ID), "", nil, http.StatusOK, &list)
	if len(list.Items) != 2 || list.Items[0].Uploader != "" || !strings.HasPrefix(list.Items[0].URL, "/api/v1/public/") {
		t.Fatalf("public list = %+v", list.Items)
	}
	resp, b := s.fetch(list.Items[0].URL, "")
	if resp.StatusCode != http.StatusOK || !bytes.Equal(b, pdf) {
		t.Fatalf("public PDF: %d, %d bytes", resp.StatusCode, len(b))
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `inline; filename="`) || !strings.HasSuffix(cd, `"; filename*=UTF-8''`+url.PathEscape(orig.Name)) {
		t.Errorf("Content-Disposition = %q, want inline with the name as filename*", cd)
	}
	for k, want := range map[string]string{"Content-Type": "application/pdf",
		"X-Content-Type-Options": "nosniff", "Accept-Ranges": "bytes", "ETag": `"` + sha(pdf) + `"`} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	// A range across the first chunk boundary, as a PDF viewer asks for.
	resp, b = s.fetch(list.Items[0].URL, "", "Range", "bytes=1048500-1048699")
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(b, pdf[1048500:1048700]) {
		t.Fatalf("range: %d, %d bytes", resp.StatusCode, len(b))
	}
	if got := resp.Header.Get("Content-Range"); got != pathf("bytes 1048500-1048699/%d", len(pdf)) {
		t.Errorf("Content-Range = %q", got)
	}
	resp, b = s.fetch(list.Items[1].URL, "")
	if resp.StatusCode != http.StatusOK || !bytes.Equal(b, xlsx) || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("public attachment: %d, %d bytes, %q", resp.StatusCode, len(b), resp.Header.Get("Content-Disposition"))
	}
	// A published document is not editable: no more uploads.
	p := s.mustFail(http.MethodPost, pathf("/api/v1/documents/%d/files", d.ID), "drafter", nil, http.StatusBadRequest, "invalid")
	if p.Details["reason"] != "not_multipart" {
		t.Fatalf("JSON to the upload route: %+v", p)
	}
}

// TestWithheldDocumentFilesAnswer404: the files of a document that is not public answer the public
// exactly as the document does, however they are asked for; staff of another unit do not see them
// either.
func TestWithheldDocumentFilesAnswer404(t *testing.T) {
	s := newStack(t)
	d := s.create("drafter", map[string]any{"title": "内部文件", "attribute": "不予公开", "grounds": []string{"internal_affairs"},
		"grounds_explanation": "属于内部事务信息"})
	f := s.mustUpload("drafter", d.ID, upload{kind: "original", name: "内部.pdf", content: testPDF(1000)})
	// Even written straight into the database as published, it is not 主动公开.
	if _, err := s.db.ExecContext(context.Background(), `UPDATE documents SET state = 'published' WHERE id = $1`, d.ID); err != nil {
		t.Fatal(err)
	}
	want, wantBody := s.fetch(pathf("/api/v1/public/documents/%d", d.ID), "")
	var wantProblem problem
	json.Unmarshal(wantBody, &wantProblem)
	for _, p := range []string{pathf("/api/v1/public/documents/%d/files", d.ID), pathf("/api/v1/public/documents/%d/files/%d", d.ID, f.ID),
		pathf("/api/v1/public/documents/%d/files/%d", d.ID+1000, f.ID)} {
		resp, b := s.fetch(p, "", "Range", "bytes=0-10")
		var got problem
		json.Unmarshal(b, &got)
		if resp.StatusCode != want.StatusCode || want.StatusCode != http.StatusNotFound || got.Code != wantProblem.Code || bytes.Contains(b, []byte("%PDF")) {
			t.Errorf("GET %s: %d %s, want what the document answers: %d %s", p, resp.StatusCode, b, want.StatusCode, wantBody)
		}
	}
	for _, p := range []string{pathf("/api/v1/documents/%d/files", d.ID), f.URL} {
		if resp, b := s.fetch(p, "drafter2"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s as another unit's drafter: %d %s", p, resp.StatusCode, b)
		}
	}
}

// fileCounts is what an upload writes: file rows, chunks, audit events.
func (s *stack) fileCounts() [3]int {
	s.t.Helper()
	var n [3]int
	for i, q := range []string{`SELECT count(*) FROM document_files`, `SELECT count(*) FROM document_file_chunks`, `SELECT count(*) FROM audit_events`} {
		if err := s.db.GetContext(context.Background(), &n[i], q); err != nil {
			s.t.Fatal(err)
		}
	}
	return n
}

// TestBadUploadsLeaveNothing: each bad upload gets a 4xx with a Chinese message and a stable code
// and reason, and nothing of it is kept.
func TestBadUploadsLeaveNothing(t *testing.T) {
	s := newStack(t)
	d := s.create("drafter", map[string]any{"title": "草稿", "attribute": "主动公开"})
	png := []byte("\x89PNG\r\n\x1a\n0000IHDR")
	submitted := s.create("drafter", map[string]any{"title": "已提交", "attribute": "主动公开"})
	submitted = s.fire("drafter", submitted, "submit", nil)
	before := s.fileCounts()
	cases := []struct {
		name   string
		doc    int64
		u      upload
		status int
		code   string
		reason string
	}{
		{"over the limit, announced", d.ID, upload{kind: "original", name: "大.pdf", content: testPDF(testFileLimit + 70<<10)}, 413, "too_large", ""},
		{"over the limit, found while reading", d.ID, upload{kind: "original", name: "大.pdf", content: testPDF(testFileLimit + 1), hideLength: true}, 413, "too_large", "file_too_large"},
		{"HTML", d.ID, upload{kind: "attachment", name: "页面.html", content: []byte("<!DOCTYPE html><script>alert(1)</script>")}, 400, "invalid", "file_type"},
		{"SVG named as PNG", d.ID, upload{kind: "figure", name: "图解.png", content: []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)}, 400, "invalid", "file_type"},
		{"an executable", d.ID, upload{kind: "attachment", name: "工具.pdf", content: []byte("MZ\x90\x00\x03")}, 400, "invalid", "file_type"},
		{"declared type differs", d.ID, upload{kind: "original", name: "原件.pdf", contentType: "image/png", content: testPDF(100)}, 400, "invalid", "file_type_differs"},
		{"extension differs", d.ID, upload{kind: "figure", name: "图解.pdf", content: png}, 400, "invalid", "file_type_differs"},
		{"a relative path", d.ID, upload{kind: "original", name: "../../etc/原件.pdf", content: testPDF(100)}, 400, "invalid", "file_name"},
		{"a Windows path", d.ID, upload{kind: "original", name: `C:\公文\原件.pdf`, content: testPDF(100)}, 400, "invalid", "file_name"},
		{"no extension", d.ID, upload{kind: "original", name: "原件", content: testPDF(100)}, 400, "invalid", "file_name"},
		{"empty", d.ID, upload{kind: "original", name: "空.pdf"}, 400, "invalid", "file_empty"},
		{"unknown kind", d.ID, upload{kind: "cover", name: "原件.pdf", content: testPDF(100)}, 400, "invalid", "file_kind"},
		{"stale version", d.ID, upload{kind: "original", version: "99", name: "原件.pdf", content: testPDF(100)}, 409, "conflict", ""},
		{"no longer editable", submitted.ID, upload{kind: "original", name: "原件.pdf", content: testPDF(100)}, 409, "transition_not_allowed", "not_editable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, b := s.upload("drafter", tc.doc, tc.u)
			var p problem
			if err := json.Unmarshal(b, &p); err != nil {
				t.Fatalf("not problem+json: %d %s", status, b)
			}
			if status != tc.status || p.Code != tc.code || !hasHan(p.Detail) || tc.reason != "" && p.Details["reason"] != tc.reason {
				t.Fatalf("%d %s %v: %s; want %d %s %s", status, p.Code, p.Details["reason"], p.Detail, tc.status, tc.code, tc.reason)
			}
			if after := s.fileCounts(); after != before {
				t.Fatalf("rows (files, chunks, audit events) %v after the refusal, %v before", after, before)
			}
		})
	}
	if got := s.get("drafter", d); got.Version != d.Version {
		t.Fatalf("document version %d after refused uploads, want %d", got.Version, d.Version)
	}
	// Someone who may read but not edit the draft is refused too.
	if status, b := s.upload("unithead", d.ID, upload{kind: "original", name: "原件.pdf", content: testPDF(100)}); status != http.StatusForbidden {
		t.Fatalf("upload by the unit head: %d %s", status, b)
	}
}

// BenchmarkFileAPI uploads a 10 MB PDF to a draft and downloads it through the JSON API over
// loopback: the figure beside internal/postgres's BenchmarkFile (the store alone and a plain copy).
func BenchmarkFileAPI(b *testing.B) {
	s := newStackWithFiles(b, 16<<20)
	d := s.create("drafter", map[string]any{"title": "基准", "attribute": "主动公开"})
	pdf := testPDF(10 << 20)
	var last fileView
	b.Run("upload", func(b *testing.B) {
		b.SetBytes(int64(len(pdf)))
		for b.Loop() {
			last = s.mustUpload("drafter", d.ID, upload{kind: "original", name: "原件.pdf", content: pdf})
		}
	})
	b.Run("serve", func(b *testing.B) {
		b.SetBytes(int64(len(pdf)))
		for b.Loop() {
			if resp, body := s.fetch(last.URL, "drafter"); resp.StatusCode != http.StatusOK || len(body) != len(pdf) {
				b.Fatalf("download: %d, %d bytes", resp.StatusCode, len(body))
			}
		}
	})
}
