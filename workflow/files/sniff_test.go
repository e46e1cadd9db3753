package files

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
)

func zipOf(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := z.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(strings.Repeat("<x/>", 100)))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSniffDecidesByContent(t *testing.T) {
	ole := []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00")
	for _, tc := range []struct {
		name string
		head []byte
		file string
		want string // "" = unknown
	}{
		{"pdf", []byte("%PDF-1.4\n"), "a.docx", "pdf"},
		{"png", []byte("\x89PNG\r\n\x1a\n...."), "a.png", "png"},
		{"jpeg", []byte("\xff\xd8\xff\xe0JFIF"), "a.jpg", "jpeg"},
		{"docx", zipOf(t, "[Content_Types].xml", "_rels/.rels", "word/document.xml"), "a.docx", "docx"},
		{"xlsx", zipOf(t, "[Content_Types].xml", "xl/workbook.xml"), "a.xlsx", "xlsx"},
		{"ofd", zipOf(t, "OFD.xml", "Doc_0/Document.xml"), "a.ofd", "ofd"},
		{"plain zip", zipOf(t, "readme.txt"), "a.docx", ""},
		{"wps by its name", ole, "a.wps", "wps"},
		{"et by its name", ole, "a.ET", "et"},
		{"doc is not accepted as wps", ole, "a.doc", ""},
		{"html", []byte("\n  <!DOCTYPE html><html>"), "a.pdf", "html"},
		{"svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">`), "a.png", "svg"},
		{"text", []byte("就是一段文字"), "a.pdf", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Sniff(tc.head, tc.file)
			if ok != (tc.want != "") || got.Name != tc.want {
				t.Fatalf("Sniff = %q, %v; want %q", got.Name, ok, tc.want)
			}
		})
	}
}

func TestHeadersNeverServeMarkupInline(t *testing.T) {
	for _, tc := range []struct{ mime, disposition string }{
		{"application/pdf", "inline"}, {"image/png", "inline"}, {"image/jpeg", "inline"},
		{"text/html", "attachment"}, {"image/svg+xml", "attachment"}, {"application/ofd", "attachment"},
	} {
		h := File{Name: `通知 "最终".pdf`, ContentType: tc.mime}.Headers()
		want := tc.disposition + `; filename="__ ____.pdf"; filename*=UTF-8''%E9%80%9A%E7%9F%A5%20%22%E6%9C%80%E7%BB%88%22.pdf`
		if h["Content-Disposition"] != want || h["X-Content-Type-Options"] != "nosniff" || h["Content-Type"] != tc.mime {
			t.Errorf("%s: %v, want disposition %s", tc.mime, h, want)
		}
	}
}
