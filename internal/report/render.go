package report

import (
	"bytes"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"html/template"
	"io"
	"strings"
)

//go:embed templates/report.html.tmpl
var templateFS embed.FS

// htmlPart is one section of the HTML report: text paragraphs or a table.
type htmlPart struct {
	Heading    string
	Paragraphs []string
	Table      *grid
}

// htmlPage is the data of the report page.
type htmlPage struct {
	Title string
	Parts []htmlPart
}

// parseTemplates parses the embedded report template.
func parseTemplates() (*template.Template, error) {
	t, err := template.ParseFS(templateFS, "templates/report.html.tmpl")
	if err != nil {
		return nil, fmt.Errorf("parse report template: %w", err)
	}
	return t, nil
}

// paragraphs splits a section's text into its non-empty lines.
func paragraphs(text string) []string {
	var out []string
	for line := range strings.Lines(text) {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// RenderHTML writes r as a complete zh-CN HTML page titled "<org><year>年政府信息公开工作年度报告":
// sections 一 to 六 in order, with Tables 二, 三 and 四 laid out like the national format (merged
// cells as rowspan and colspan, the 勾稽关系 note in the top-left cell of Table 三) and a print
// stylesheet for A4. A text section that is empty shows "（未填写）".
func RenderHTML(w io.Writer, r *Report) error {
	gs, err := grids(r)
	if err != nil {
		return fmt.Errorf("render report html: %w", err)
	}
	page := htmlPage{Title: r.Title()}
	for _, key := range []string{"一", "二", "三", "四", "五", "六"} {
		part := htmlPart{Heading: sectionHeading(key)}
		switch key {
		case "二":
			part.Table = gs[0]
		case "三":
			part.Table = gs[1]
		case "四":
			part.Table = gs[2]
		default:
			part.Paragraphs = paragraphs(r.Sections[key])
		}
		page.Parts = append(page.Parts, part)
	}
	return execute(w, "page", page)
}

// RenderTablesHTML writes Tables 二, 三 and 四 of r as HTML fragments, each in a <section> with
// its heading, for embedding in another page. The tables carry the classes "report-table" and
// "proactive", "requests" or "cases"; the embedding page supplies the styles (borders).
func RenderTablesHTML(w io.Writer, r *Report) error {
	gs, err := grids(r)
	if err != nil {
		return fmt.Errorf("render report tables: %w", err)
	}
	return execute(w, "tables", gs)
}

// execute runs the named template into a buffer and writes it only if it completed.
func execute(w io.Writer, name string, data any) error {
	t, err := parseTemplates()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("render report %s: %w", name, err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("render report %s: %w", name, err)
	}
	return nil
}

// RenderCSV writes Tables 二, 三 and 四 of r as CSV for Excel: UTF-8 with a byte order mark, a
// title line, then one block per table (its heading, then the grid of the official layout, a
// merged cell's text in its top-left position) with a blank line between blocks.
func RenderCSV(w io.Writer, r *Report) error {
	gs, err := grids(r)
	if err != nil {
		return fmt.Errorf("render report csv: %w", err)
	}
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	if err := cw.Write([]string{r.Title()}); err != nil {
		return fmt.Errorf("render report csv: %w", err)
	}
	for _, g := range gs {
		cw.Flush()
		buf.WriteString("\r\n")
		if err := cw.Write([]string{g.Heading}); err != nil {
			return fmt.Errorf("render report csv: %w", err)
		}
		if err := cw.WriteAll(g.matrix()); err != nil {
			return fmt.Errorf("render report csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("render report csv: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("render report csv: %w", err)
	}
	return nil
}

// ErrFormat is returned by Render for a format it does not know.
var ErrFormat = errors.New("report format must be html, csv, xlsx or json")

// Render writes r in format (html, csv, xlsx or json) to w and returns the content type of what it wrote.
func Render(w io.Writer, r *Report, format string) (contentType string, err error) {
	switch format {
	case "html":
		return "text/html; charset=utf-8", RenderHTML(w, r)
	case "csv":
		return "text/csv; charset=utf-8", RenderCSV(w, r)
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", RenderXLSX(w, r)
	case "json":
		return "application/json; charset=utf-8", WriteJSON(w, r)
	}
	return "", ErrFormat
}
