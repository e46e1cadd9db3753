package report

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"
)

// htmlTable is a table of a rendered page, expanded to its grid of positions.
type htmlTable struct {
	class string
	cells [][]string // text at every position a cell covers
}

// mustParseTables parses page and expands every table's rowspan and colspan, failing on
// overlapping cells and on rows that do not fill the table's width exactly.
func mustParseTables(tb testing.TB, page []byte) []htmlTable {
	tb.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		tb.Fatalf("parse html: %v", err)
	}
	var tables []htmlTable
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "table" {
			tables = append(tables, expandTable(tb, n))
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return tables
}

// attr returns the value of attribute key of n.
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// text returns the text content of n.
func text(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(text(c))
	}
	return b.String()
}

// expandTable places the cells of table n on a grid.
func expandTable(tb testing.TB, n *html.Node) htmlTable {
	tb.Helper()
	t := htmlTable{class: attr(n, "class")}
	var rows []*html.Node
	var collect func(n *html.Node)
	collect = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && c.Data == "tr" {
				rows = append(rows, c)
			} else {
				collect(c)
			}
		}
	}
	collect(n)
	occupied := map[[2]int]string{}
	width := 0
	for r, tr := range rows {
		col := 0
		for td := tr.FirstChild; td != nil; td = td.NextSibling {
			if td.Type != html.ElementNode {
				continue
			}
			for occupied[[2]int{r, col}] != "" {
				col++
			}
			rs, cs := 1, 1
			if v := attr(td, "rowspan"); v != "" {
				rs, _ = strconv.Atoi(v)
			}
			if v := attr(td, "colspan"); v != "" {
				cs, _ = strconv.Atoi(v)
			}
			txt := text(td)
			if txt == "" {
				txt = "·" // mark blank cells as occupied
			}
			for i := range rs {
				for j := range cs {
					key := [2]int{r + i, col + j}
					if occupied[key] != "" {
						tb.Errorf("table %s: cell %q overlaps %q at row %d col %d", t.class, txt, occupied[key], r+i, col+j)
					}
					occupied[key] = txt
				}
			}
			col += cs
		}
		width = max(width, col)
	}
	for r := range rows {
		var line []string
		for c := range width {
			v := occupied[[2]int{r, c}]
			if v == "" {
				tb.Errorf("table %s: row %d has a hole at column %d", t.class, r, c)
			}
			line = append(line, v)
		}
		t.cells = append(t.cells, line)
	}
	return t
}

func TestRenderHTMLLayout(t *testing.T) {
	tests := []struct {
		name        string
		rep         *Report
		resultRows  int
		otherRows   int // rows under （六）其他处理
		requestRows int
	}{
		{"2019 format", mustSeedReport(t), 20, 1, 23},
		{"2021 format", mustReport2021(t), 22, 3, 25},
		{"2021 format with the single 三(六) row", mustSingleOther2021(t), 20, 1, 23},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := RenderHTML(&buf, tt.rep); err != nil {
				t.Fatalf("RenderHTML: %v", err)
			}
			page := buf.String()
			for _, want := range []string{
				`<html lang="zh-CN">`,
				"<title>" + tt.rep.Title() + "</title>",
				"@page { size: A4;",
				"page-break-inside: avoid",
			} {
				if !strings.Contains(page, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			var headings []string
			for line := range strings.Lines(page) {
				if h, ok := strings.CutPrefix(strings.TrimSpace(line), "<h2>"); ok {
					headings = append(headings, strings.TrimSuffix(h, "</h2>"))
				}
			}
			wantHeadings := []string{"一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
				"四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"}
			if !slices.Equal(headings, wantHeadings) {
				t.Errorf("headings %v, want %v", headings, wantHeadings)
			}

			tables := mustParseTables(t, buf.Bytes())
			if len(tables) != 3 {
				t.Fatalf("got %d tables, want 3", len(tables))
			}
			req := tables[1]
			if len(req.cells) != 3+tt.requestRows || len(req.cells[0]) != 10 {
				t.Fatalf("Table 三 is %d×%d, want %d×10", len(req.cells), len(req.cells[0]), 3+tt.requestRows)
			}
			if req.cells[0][0] != balanceNote || req.cells[2][2] != balanceNote {
				t.Errorf("top-left 3×3 is not the note: %q", req.cells[2][2])
			}
			for c := 3; c < 10; c++ {
				if req.cells[0][c] != "申请人情况" {
					t.Errorf("row 0 col %d = %q, want 申请人情况", c, req.cells[0][c])
				}
			}
			count := func(col int, label string) int {
				n := 0
				for _, row := range req.cells {
					if row[col] == label {
						n++
					}
				}
				return n
			}
			if n := count(0, "三、本年度办理结果"); n != tt.resultRows {
				t.Errorf("三、本年度办理结果 spans %d rows, want %d", n, tt.resultRows)
			}
			if n := count(1, "（三）不予公开"); n != 8 {
				t.Errorf("（三）不予公开 spans %d rows, want 8", n)
			}
			if n := count(1, "（六）其他处理"); n != tt.otherRows {
				t.Errorf("（六）其他处理 spans %d rows, want %d", n, tt.otherRows)
			}
			last := req.cells[len(req.cells)-1]
			if last[0] != "四、结转下年度继续办理" || last[2] != "四、结转下年度继续办理" {
				t.Errorf("last row starts %q", last[:3])
			}
			cases := tables[2]
			if len(cases.cells) != 4 || len(cases.cells[0]) != 15 || cases.cells[0][4] != "行政复议" || cases.cells[0][5] != "行政诉讼" ||
				cases.cells[2][0] != "结果维持" || cases.cells[1][10] != "复议后起诉" || cases.cells[2][14] != "总计" {
				t.Errorf("Table 四 layout: %v", cases.cells)
			}
		})
	}
}

func TestRenderHTMLEscapesAndBlanks(t *testing.T) {
	r := mustReport2021(t)
	var buf bytes.Buffer
	if err := RenderHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{
		"<p>第二段 &lt;b&gt;不是标签&lt;/b&gt; &amp; 符号。</p>",
		`<p class="empty">（未填写）</p>`,
		`<th class="row">行政处罚</th><td colspan="3"></td>`,
		`<th class="row">其他主动公开文件</th><td>4</td><td>0</td><td>9</td>`,
		`<th colspan="3">本年收费金额（单位：万元）</th>`,
		`<td colspan="3">12.75</td>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestRenderTablesHTML(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderTablesHTML(&buf, mustSeedReport(t)); err != nil {
		t.Fatal(err)
	}
	frag := buf.String()
	if strings.Contains(frag, "<html") || strings.Contains(frag, "<style") || strings.Contains(frag, "一、总体情况") {
		t.Errorf("fragment holds more than the tables:\n%s", frag)
	}
	if n := strings.Count(frag, "<table "); n != 3 {
		t.Errorf("fragment has %d tables, want 3", n)
	}
}

func TestRenderUnknownFormat(t *testing.T) {
	r := mustSeedReport(t)
	r.Format = "2018"
	renderers := map[string]func(*bytes.Buffer, *Report) error{
		"html":   func(b *bytes.Buffer, r *Report) error { return RenderHTML(b, r) },
		"tables": func(b *bytes.Buffer, r *Report) error { return RenderTablesHTML(b, r) },
		"csv":    func(b *bytes.Buffer, r *Report) error { return RenderCSV(b, r) },
		"xlsx":   func(b *bytes.Buffer, r *Report) error { return RenderXLSX(b, r) },
	}
	for name, render := range renderers {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			err := render(&buf, r)
			if err == nil || !strings.Contains(err.Error(), "未知的年度报告格式“2018”") {
				t.Errorf("error = %v, want the unknown format", err)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes on error", buf.Len())
			}
		})
	}
}

func TestRenderCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderCSV(&buf, mustReport2021(t)); err != nil {
		t.Fatal(err)
	}
	data, ok := bytes.CutPrefix(buf.Bytes(), []byte("\uFEFF"))
	if !ok {
		t.Fatal("no UTF-8 byte order mark")
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	records, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("read csv: %v", err)
	}
	// The reader skips blank lines; count them in the raw text instead.
	if n := strings.Count(string(data), "\r\n\r\n"); n != 3 {
		t.Errorf("got %d blank separator lines, want 3", n)
	}
	find := func(first string) []string {
		for _, rec := range records {
			if rec[0] == first {
				return rec
			}
		}
		t.Fatalf("no record starting %q", first)
		return nil
	}
	if got := find("一、本年新收政府信息公开申请数量"); !slices.Equal(got[3:], []string{"4", "5", "4", "4", "4", "4", "25"}) {
		t.Errorf("row 一 = %v", got)
	}
	if got := find("行政处罚"); !slices.Equal(got, []string{"行政处罚", "", "", ""}) {
		t.Errorf("blank cell row = %v", got)
	}
	if got := find("行政事业性收费"); got[1] != "12.75" {
		t.Errorf("decimal row = %v", got)
	}
}

func TestRenderXLSX(t *testing.T) {
	tests := []struct {
		name   string
		rep    *Report
		merged map[string]string // merged range → its value
		cells  map[string]string // sheet!cell → value
	}{
		{
			name: "2019 format",
			rep:  mustSeedReport(t),
			merged: map[string]string{
				"表三 依申请公开!A1:C3":   balanceNote,
				"表三 依申请公开!D1:J1":   "申请人情况",
				"表三 依申请公开!D2:D3":   "自然人",
				"表三 依申请公开!E2:I2":   "法人或其他组织",
				"表三 依申请公开!J2:J3":   "总计",
				"表三 依申请公开!A4:C4":   "一、本年新收政府信息公开申请数量",
				"表三 依申请公开!A6:A25":  "三、本年度办理结果",
				"表三 依申请公开!B8:B15":  "（三）不予公开",
				"表三 依申请公开!B16:B18": "（四）无法提供",
				"表三 依申请公开!B19:B23": "（五）不予处理",
				"表三 依申请公开!B24:C24": "（六）其他处理",
				"表三 依申请公开!A26:C26": "四、结转下年度继续办理",
				"表二 主动公开!A1:D1":    "第二十条第（一）项",
				"表二 主动公开!C18:D18":  "31.2",
				"表四 复议诉讼!A1:E1":    "行政复议",
				"表四 复议诉讼!F1:O1":    "行政诉讼",
				"表四 复议诉讼!A2:A3":    "结果维持",
				"表四 复议诉讼!F2:J2":    "未经复议直接起诉",
				"表四 复议诉讼!K2:O2":    "复议后起诉",
			},
			cells: map[string]string{
				"表三 依申请公开!D4":  "18",
				"表三 依申请公开!H4":  "3",
				"表三 依申请公开!J6":  "26",
				"表三 依申请公开!J25": "26",
				"表三 依申请公开!C8":  "1.属于国家秘密",
				"表二 主动公开!D4":   "52",
				"表二 主动公开!B18":  "1",
				"表四 复议诉讼!O4":   "0",
			},
		},
		{
			name: "2021 format",
			rep:  mustReport2021(t),
			merged: map[string]string{
				"表三 依申请公开!A6:A27":  "三、本年度办理结果",
				"表三 依申请公开!B24:B26": "（六）其他处理",
				"表三 依申请公开!B27:C27": "（七）总计",
				"表二 主动公开!B7:D7":    "本年处理决定数量",
				"表二 主动公开!B15:D15":  "12.75",
			},
			cells: map[string]string{
				"表三 依申请公开!C26": "3.其他",
				"表三 依申请公开!J27": "25",
				"表二 主动公开!B11":  "",
				"表二 主动公开!A5":   "其他主动公开文件",
				"表四 复议诉讼!E4":   "2",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := RenderXLSX(&buf, tt.rep); err != nil {
				t.Fatalf("RenderXLSX: %v", err)
			}
			f, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatalf("open xlsx: %v", err)
			}
			defer f.Close()
			if got, want := f.GetSheetList(), []string{"表二 主动公开", "表三 依申请公开", "表四 复议诉讼"}; !slices.Equal(got, want) {
				t.Errorf("sheets %v, want %v", got, want)
			}
			props, err := f.GetDocProps()
			if err != nil || props.Title != tt.rep.Title() {
				t.Errorf("title %q (%v), want %q", props.Title, err, tt.rep.Title())
			}
			merged := map[string]string{}
			for _, sheet := range f.GetSheetList() {
				mcs, err := f.GetMergeCells(sheet)
				if err != nil {
					t.Fatal(err)
				}
				for _, mc := range mcs {
					merged[sheet+"!"+mc.GetStartAxis()+":"+mc.GetEndAxis()] = mc.GetCellValue()
				}
			}
			for rng, want := range tt.merged {
				got, ok := merged[rng]
				if !ok {
					t.Errorf("%s is not merged", rng)
				} else if got != want {
					t.Errorf("%s = %q, want %q", rng, got, want)
				}
			}
			for ref, want := range tt.cells {
				sheet, cell, _ := strings.Cut(ref, "!")
				got, err := f.GetCellValue(sheet, cell)
				if err != nil || got != want {
					t.Errorf("%s = %q (%v), want %q", ref, got, err, want)
				}
			}
			typ, err := f.GetCellType("表三 依申请公开", "D4")
			if err != nil || (typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset) {
				t.Errorf("D4 has type %v (%v), want a number", typ, err)
			}
			styleID, err := f.GetCellStyle("表三 依申请公开", "C3")
			if err != nil {
				t.Fatal(err)
			}
			style, err := f.GetStyle(styleID)
			if err != nil || len(style.Border) != 4 || style.Alignment == nil || !style.Alignment.WrapText {
				t.Errorf("C3 (inside the merged note) style %+v (%v), want four borders and wrapped text", style, err)
			}
			width, err := f.GetColWidth("表三 依申请公开", "C")
			if err != nil || width != 44 {
				t.Errorf("column C width %v (%v), want 44", width, err)
			}
		})
	}
}
