package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"wugongkai/workflow/documents"
)

// fetched is what a page's script got for a URL.
type fetched struct {
	Status      int    `json:"status"`
	Type        string `json:"type"`
	Disposition string `json:"disposition"`
	Nosniff     string `json:"nosniff"`
	SHA256      string `json:"sha256"`
}

// fetchLink has the browser fetch the href of the link matched by css, as clicking it would, and
// hash what came.
func (p *person) fetchLink(css string) fetched {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	f, err := chromedp.Run(ctx, chromedp.Evaluate[fetched](`(async () => {
		const r = await fetch(document.querySelector(`+strconv.Quote(css)+`).href);
		const b = await r.arrayBuffer();
		const h = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', b))).map(x => x.toString(16).padStart(2, '0')).join('');
		return {status: r.status, type: r.headers.get('Content-Type'), disposition: r.headers.get('Content-Disposition') || '',
			nosniff: r.headers.get('X-Content-Type-Options') || '', sha256: h};
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		p.fail("fetch "+css, err)
	}
	return f
}

// TestBrowserFileUploadAndPortalDownload: the drafter uploads the signed original and an
// attachment on the draft's page (a refused file is explained on the same page), the document is
// published, and the public downloads both from the portal page; a withheld document's file is a
// 404 page.
func TestBrowserFileUploadAndPortalDownload(t *testing.T) {
	s := newStack(t)
	d := s.mustCreate("drafter", documents.Draft{Title: str("关于住房租赁补贴的通知"), Body: str("正文"), Attribute: str("主动公开"),
		SubjectCategory: str("城乡建设、环境保护\\住房保障"), DocNumber: str("测建〔2026〕1号")})
	dir := t.TempDir()
	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("签发原件"), 200000)...) // 2.4 MB: three chunks
	files := map[string][]byte{"测建〔2026〕1号 签发原件.pdf": pdf, "附件1 补贴名单.png": []byte("\x89PNG\r\n\x1a\n0000IHDR"),
		"伪装.pdf": []byte("<!DOCTYPE html><script>alert(1)</script>")}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p := newPerson(t, s, "drafter")
	p.login("drafter")
	page := "/console/documents/" + strconv.FormatInt(d.ID, 10)
	p.visit(page, 200)
	p.see("尚未上传签发原件或附件")
	upload := func(kind, name string, wantStatus int64) {
		p.t.Helper()
		p.do("choose "+name, chromedp.SetValue(chromedp.ID("file-kind"), kind),
			chromedp.SetUploadFiles(chromedp.ID("file-input"), []string{filepath.Join(dir, name)}))
		p.press("#upload-button", wantStatus)
	}
	upload("original", "测建〔2026〕1号 签发原件.pdf", 200)
	p.see("文件已上传", "测建〔2026〕1号 签发原件.pdf", "PDF 文档", "王起草", "上传文件", "类别：签发原件", "大小：2.3 MB")
	upload("attachment", "伪装.pdf", 400)
	p.see("不能上传")
	if n := p.count("#file-list tbody tr"); n != 1 {
		t.Fatalf("%d files listed after a refused upload, want 1", n)
	}
	upload("attachment", "附件1 补贴名单.png", 200)
	if n := p.count("#file-list tbody tr"); n != 2 {
		t.Fatalf("%d files listed, want 2", n)
	}
	if got := p.fetchLink("#file-list a"); got.Status != 200 || got.SHA256 != hexSHA(pdf) {
		t.Fatalf("staff download: %+v", got)
	}

	// The public sees nothing before publication, then both files.
	pub := newPerson(t, s, "public")
	fileHref := p.attr("#file-list a", "href")
	pub.visit(strings.Replace(fileHref, "/console", "", 1), 404)
	s.mustFire(d, [2]string{"drafter", "submit"}, [2]string{"unithead", "approve"}, [2]string{"leader", "sign"},
		[2]string{"officer", "publish"})
	pub.visit("/documents/"+strconv.FormatInt(d.ID, 10), 200)
	pub.see("附件", "签发原件：测建〔2026〕1号 签发原件.pdf", "附件：附件1 补贴名单.png")
	got := pub.fetchLink("#file-list li:first-child a")
	wantName := "filename*=UTF-8''" + url.PathEscape("测建〔2026〕1号 签发原件.pdf")
	if got.Status != 200 || got.Type != "application/pdf" || got.SHA256 != hexSHA(pdf) || got.Nosniff != "nosniff" ||
		!strings.HasPrefix(got.Disposition, "inline;") || !strings.HasSuffix(got.Disposition, wantName) {
		t.Fatalf("public PDF: %+v", got)
	}
	if got := pub.fetchLink("#file-list li:nth-child(2) a"); got.Status != 200 || got.Type != "image/png" {
		t.Fatalf("public attachment: %+v", got)
	}

	// A withheld document's file answers the public as the withheld document does: 404.
	w := s.mustCreate("drafter", documents.Draft{Title: str("内部文件"), Attribute: str("不予公开"), Grounds: &[]string{"internal_affairs"},
		GroundsExplanation: str("属于内部事务信息")})
	p.visit("/console/documents/"+strconv.FormatInt(w.ID, 10), 200)
	upload("original", "测建〔2026〕1号 签发原件.pdf", 200)
	withheld := p.attr("#file-list a", "href")
	if _, err := s.db.ExecContext(context.Background(), `UPDATE documents SET state = 'published' WHERE id = $1`, w.ID); err != nil {
		t.Fatal(err)
	}
	pub.visit("/documents/"+strconv.FormatInt(w.ID, 10), 404)
	pub.visit(strings.Replace(withheld, "/console", "", 1), 404)
	pub.see("文件不存在或尚未公开")
}

func hexSHA(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

// attr returns an attribute of the first element matching css.
func (p *person) attr(css, name string) string {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.querySelector(`+strconv.Quote(css)+`).getAttribute(`+strconv.Quote(name)+`)`))
	if err != nil {
		p.fail("read "+css, err)
	}
	return v
}
