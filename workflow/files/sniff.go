package files

import (
	"bytes"
	"encoding/binary"
	"path"
	"slices"
	"strings"
)

// Type is a file type the service knows: what its content starts with decides it, never the
// client's word.
type Type struct {
	Name  string   // the name in the configuration (files.types)
	MIME  string   // the Content-Type it is served with
	Label string   // Chinese name for messages
	Exts  []string // file name extensions, lower case, with the dot
	// Aliases are other Content-Types clients declare for it.
	Aliases []string
	// Inline types may be shown in the browser; every other type is served as a download.
	Inline bool
}

// Types are the types the service recognises. DefaultTypes are the ones accepted unless the
// configuration says otherwise; HTML and SVG are recognised only to be refused by name, and would
// never be served inline even if a configuration allowed them.
var Types = []Type{
	{Name: "pdf", MIME: "application/pdf", Label: "PDF 文档", Exts: []string{".pdf"}, Aliases: []string{"application/x-pdf"}, Inline: true},
	{Name: "ofd", MIME: "application/ofd", Label: "OFD 版式文档", Exts: []string{".ofd"}},
	{Name: "docx", MIME: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Label: "Word 文档（DOCX）", Exts: []string{".docx"}},
	{Name: "wps", MIME: "application/kswps", Label: "WPS 文字文档", Exts: []string{".wps"}, Aliases: []string{"application/vnd.ms-works", "application/wps-office.wps"}},
	{Name: "xlsx", MIME: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Label: "Excel 表格（XLSX）", Exts: []string{".xlsx"}},
	{Name: "et", MIME: "application/kset", Label: "WPS 表格", Exts: []string{".et"}, Aliases: []string{"application/wps-office.et"}},
	{Name: "png", MIME: "image/png", Label: "PNG 图片", Exts: []string{".png"}, Inline: true},
	{Name: "jpeg", MIME: "image/jpeg", Label: "JPEG 图片", Exts: []string{".jpg", ".jpeg"}, Aliases: []string{"image/jpg", "image/pjpeg"}, Inline: true},
	{Name: "html", MIME: "text/html", Label: "网页（HTML）", Exts: []string{".html", ".htm"}},
	{Name: "svg", MIME: "image/svg+xml", Label: "SVG 图形", Exts: []string{".svg"}},
}

// DefaultTypes are the names of the types accepted by default.
var DefaultTypes = []string{"pdf", "ofd", "docx", "wps", "xlsx", "et", "png", "jpeg"}

// TypeByName returns the type called name.
func TypeByName(name string) (Type, bool) {
	for _, t := range Types {
		if t.Name == name {
			return t, true
		}
	}
	return Type{}, false
}

// TypeByMIME returns the type served as mime.
func TypeByMIME(mime string) (Type, bool) {
	for _, t := range Types {
		if t.MIME == mime {
			return t, true
		}
	}
	return Type{}, false
}

// SniffLen is how much of the start of a file Sniff looks at.
const SniffLen = 64 << 10

// Sniff names the type of a file from the first bytes of its content (up to SniffLen) and, for
// the two containers that do not say what they hold (an OLE2 compound file is a WPS text or ET
// table, as its name says), from its name. ok is false for content of no known type.
func Sniff(head []byte, name string) (Type, bool) {
	ext := strings.ToLower(path.Ext(name))
	var t string
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		t = "pdf"
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		t = "png"
	case bytes.HasPrefix(head, []byte("\xff\xd8\xff")):
		t = "jpeg"
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		t = zipKind(head)
	case bytes.HasPrefix(head, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		switch ext {
		case ".wps":
			t = "wps"
		case ".et":
			t = "et"
		}
	default:
		t = markupKind(head)
	}
	return TypeByName(t)
}

// zipKind tells OFD, DOCX and XLSX apart by the names of the first entries of a ZIP archive. An
// entry whose sizes follow its data (a data descriptor) cannot be skipped by its header, so the
// next entry is found by its signature.
func zipKind(b []byte) string {
	sig := []byte("PK\x03\x04")
	for range 64 {
		i := bytes.Index(b, sig)
		if i < 0 || len(b) < i+30 {
			return ""
		}
		b = b[i:]
		nameLen := int(binary.LittleEndian.Uint16(b[26:]))
		if len(b) < 30+nameLen {
			return ""
		}
		name := string(b[30 : 30+nameLen])
		switch {
		case name == "OFD.xml":
			return "ofd"
		case strings.HasPrefix(name, "word/"):
			return "docx"
		case strings.HasPrefix(name, "xl/"):
			return "xlsx"
		}
		b = b[30+nameLen:]
	}
	return ""
}

// markupKind recognises HTML and SVG, so that they are refused by name.
func markupKind(b []byte) string {
	s := strings.ToLower(string(bytes.TrimLeft(b[:min(len(b), 1024)], "\xef\xbb\xbf \t\r\n")))
	switch {
	case strings.HasPrefix(s, "<!doctype html"), strings.HasPrefix(s, "<html"), strings.HasPrefix(s, "<head"),
		strings.HasPrefix(s, "<script"), strings.HasPrefix(s, "<body"):
		return "html"
	case strings.HasPrefix(s, "<svg"), strings.HasPrefix(s, "<?xml") && strings.Contains(s, "<svg"):
		return "svg"
	}
	return ""
}

// declares reports whether a Content-Type a client declared fits t; an empty or generic one
// declares nothing.
func (t Type) declares(declared string) bool {
	declared = strings.ToLower(strings.TrimSpace(strings.Split(declared, ";")[0]))
	switch declared {
	case "", "application/octet-stream", "binary/octet-stream", "application/zip", "application/x-ole-storage":
		return true
	}
	return declared == t.MIME || slices.Contains(t.Aliases, declared)
}
