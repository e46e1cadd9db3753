package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// The limits Read puts on an XLSX file, far above the workbook RenderXLSX writes.
const (
	maxXLSXUnzipped = 64 << 20 // bytes of the whole unzipped workbook
	maxXLSXPart     = 16 << 20 // bytes of one unzipped XML part
	maxSheetRows    = 1000     // rows read from one table
)

// Read reads a report file in any form that `report render` writes: JSON, the XLSX workbook of
// RenderXLSX or the CSV of RenderCSV, told apart by content (an XLSX file is a zip archive, JSON
// starts with "{") and then by the extension of name. Unlike ReadJSON it reads leniently, as
// reports made elsewhere need: rows of Table 三 are identified by key or, without one, by
// position; printed labels with their numbering ("（一）予以公开") read as the official ones and
// other differences from the official labels are warnings naming both texts; org and the text
// sections are optional; a 2021 report may keep the single 三(六) row. It goes on after an error
// and returns what it could read (nil when nothing could be read) with every problem in file order.
// XLSX and CSV hold the tables only: the org and the year come from the title, the format from the
// year, and the text sections are empty.
func Read(name string, data []byte) (*Report, []Problem) {
	var (
		root     *jvalue
		problems []Problem
	)
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\uFEFF")), " \t\r\n")
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")) || ext == ".xlsx":
		root, problems = readXLSX(data)
	case bytes.HasPrefix(trimmed, []byte("{")) || bytes.HasPrefix(trimmed, []byte("[")) || ext == ".json":
		var err error
		if root, err = parseJSON(bytes.NewReader(data)); err != nil {
			return nil, []Problem{{Where: "JSON", Detail: err.Error()}}
		}
	default:
		root, problems = readCSV(data)
	}
	if root == nil {
		return nil, problems
	}
	d := &decoder{lenient: true, problems: problems}
	rep := d.report(root)
	return rep, d.problems
}

// Errors returns the problems that are errors, not warnings.
func Errors(problems []Problem) []Problem {
	var out []Problem
	for _, p := range problems {
		if !p.Warning {
			out = append(out, p)
		}
	}
	return out
}

// sheetTable is one table read from a spreadsheet: the text of its cells and where each stands.
type sheetTable struct {
	cells [][]string
	at    func(row, col int) string
}

// text returns the trimmed text of a cell, "" outside the table.
func (t *sheetTable) text(row, col int) string {
	if row < 0 || row >= len(t.cells) || col < 0 || col >= len(t.cells[row]) {
		return ""
	}
	return strings.TrimSpace(t.cells[row][col])
}

// str returns a cell as a JSON string that knows its place.
func (t *sheetTable) str(row, col int) *jvalue {
	return &jvalue{kind: jString, str: t.text(row, col), at: t.at(row, col)}
}

// plainNumber matches a figure as written in a cell.
var plainNumber = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

// figure returns a cell as a JSON value: null for an empty cell or a dash, a number, or else the
// text (which the decoder reports).
func (t *sheetTable) figure(row, col int) *jvalue {
	s := strings.NewReplacer(",", "", "，", "", " ", "").Replace(t.text(row, col))
	s = strings.TrimPrefix(s, "+")
	switch {
	case s == "" || s == "-" || s == "—" || s == "/" || s == "／":
		return &jvalue{kind: jNull, at: t.at(row, col)}
	case plainNumber.MatchString(s):
		return &jvalue{kind: jNumber, num: json.Number(s), at: t.at(row, col)}
	}
	return &jvalue{kind: jString, str: t.text(row, col), at: t.at(row, col)}
}

// empty reports whether a row of the table has no text at all.
func (t *sheetTable) empty(row int) bool {
	for c := range t.cells[row] {
		if t.text(row, c) != "" {
			return false
		}
	}
	return true
}

// newObject returns a JSON object of the keys and values in order.
func newObject(kv ...any) *jvalue {
	v := &jvalue{kind: jObject, obj: map[string]*jvalue{}}
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		v.keys = append(v.keys, k)
		v.obj[k] = kv[i+1].(*jvalue)
	}
	return v
}

// titlePattern matches a report's title, "<org><year>年政府信息公开工作年度报告".
var titlePattern = regexp.MustCompile(`^\s*(.*?)\s*([0-9]{4})\s*年度?政府信息公开工作年度报告\s*$`)

// fromTables builds the JSON form of a report from its title and the three tables of a
// spreadsheet; a table that is nil was not found.
func fromTables(title, titleAt string, t2, t3, t4 *sheetTable) (*jvalue, []Problem) {
	var problems []Problem
	top := newObject()
	add := func(k string, v *jvalue) { top.keys = append(top.keys, k); top.obj[k] = v }
	if m := titlePattern.FindStringSubmatch(title); m != nil {
		add("org", &jvalue{kind: jString, str: m[1], at: titleAt})
		add("year", &jvalue{kind: jNumber, num: json.Number(m[2]), at: titleAt})
	} else {
		add("year", &jvalue{kind: jString, str: title, at: titleAt})
	}
	if t2 != nil {
		add("proactive", proactiveFromTable(t2, &problems))
	}
	if t3 != nil {
		add("requests", requestsFromTable(t3))
	} else {
		problems = append(problems, Problem{Table: "表三", Where: "文件", Detail: "找不到表三（收到和处理政府信息公开申请情况）"})
	}
	if t4 != nil {
		add("review_litigation", casesFromTable(t4, &problems))
	} else {
		problems = append(problems, Problem{Table: "表四", Where: "文件", Detail: "找不到表四（政府信息公开行政复议、行政诉讼情况）"})
	}
	return top, problems
}

// proactiveFromTable reads Table 二 as proactiveGrid lays it out: per block a row with the item
// ("第二十条第（一）项"), a row of column heads, then the data rows.
func proactiveFromTable(t *sheetTable, problems *[]Problem) *jvalue {
	blocks := &jvalue{kind: jArray}
	var rows *jvalue
	var ncols int
	for r := range t.cells {
		if t.empty(r) {
			continue
		}
		first := t.text(r, 0)
		switch {
		case strings.HasPrefix(normalizeLabel(first), "第二十条") && t.text(r, 1) == "":
			rows = &jvalue{kind: jArray}
			blocks.arr = append(blocks.arr, newObject("item", t.str(r, 0), "columns", &jvalue{kind: jArray}, "rows", rows))
			ncols = 0
		case rows == nil:
			*problems = append(*problems, Problem{Warning: true, Table: "表二", Where: t.at(r, 0),
				Detail: fmt.Sprintf("“%s”不在任何一项（第二十条第…项）之下，已忽略", first)})
		case ncols == 0:
			cols := blocks.arr[len(blocks.arr)-1].obj["columns"]
			for c := range t.cells[r] {
				if t.text(r, c) != "" {
					cols.arr = append(cols.arr, t.str(r, c))
				}
			}
			ncols = len(cols.arr)
		default:
			vals := &jvalue{kind: jArray}
			for c := 1; c < max(ncols, 2); c++ {
				vals.arr = append(vals.arr, t.figure(r, c))
			}
			rows.arr = append(rows.arr, newObject("label", t.str(r, 0), "values", vals))
		}
	}
	return newObject("blocks", blocks)
}

// requestsFromTable reads Table 三 as requestsGrid lays it out: three label columns, then the
// seven figures; the rows start at "一、本年新收政府信息公开申请数量" (or after the three head rows).
func requestsFromTable(t *sheetTable) *jvalue {
	label := func(r int) (string, int) {
		for c := 2; c >= 0; c-- {
			if s := t.text(r, c); s != "" {
				return s, c
			}
		}
		return "", 0
	}
	start := min(3, len(t.cells))
	for r := range t.cells {
		if s, _ := label(r); normalizeLabel(s) == normalizeLabel(RequestRowLabel(RowReceived)) {
			start = r
			break
		}
	}
	var body []int
	for r := start; r < len(t.cells); r++ {
		if !t.empty(r) {
			body = append(body, r)
		}
	}
	if n := len(body); n != len(RequestRowKeys(Format2019)) && n != len(RequestRowKeys(Format2021)) {
		// A layout that gives the group headings rows of their own: leave out those without figures.
		body = slices.DeleteFunc(body, func(r int) bool {
			s, _ := label(r)
			if !slices.Contains(groupLabels, normalizeLabel(s)) {
				return false
			}
			for i := range numCols {
				if t.text(r, 3+i) != "" {
					return false
				}
			}
			return true
		})
	}
	rows := &jvalue{kind: jArray}
	for _, r := range body {
		_, c := label(r)
		vals := &jvalue{kind: jArray}
		for i := range numCols {
			vals.arr = append(vals.arr, t.figure(r, 3+i))
		}
		rows.arr = append(rows.arr, newObject("label", t.str(r, c), "values", vals))
	}
	return newObject("rows", rows)
}

// groupLabels are the normalized labels of the group headings of Table 三, which carry no
// figures of their own.
var groupLabels = []string{
	normalizeLabel(RequestRowLabel("三")), normalizeLabel(RequestRowLabel("三(三)")), normalizeLabel(RequestRowLabel("三(四)")),
	normalizeLabel(RequestRowLabel("三(五)")), normalizeLabel(RequestRowLabel(RowOther)),
}

// casesFromTable reads Table 四 as casesGrid lays it out: the 15 figures in the last row that
// holds a figure.
func casesFromTable(t *sheetTable, problems *[]Problem) *jvalue {
	last := -1
	for r := len(t.cells) - 1; r >= 0 && last < 0; r-- {
		for c := range t.cells[r] {
			if t.figure(r, c).kind == jNumber {
				last = r
			}
		}
	}
	labels := caseColumnLabels()
	block := func(from int) *jvalue {
		o := newObject()
		for i, l := range labels {
			v := &jvalue{kind: jNull}
			if last >= 0 {
				v = t.figure(last, from+i)
			}
			o.keys = append(o.keys, l)
			o.obj[l] = v
		}
		return o
	}
	if last < 0 {
		*problems = append(*problems, Problem{Table: "表四", Where: t.at(max(len(t.cells)-1, 0), 0), Detail: "表四没有数据行"})
	}
	return newObject("行政复议", block(0), "行政诉讼", newObject("未经复议直接起诉", block(5), "复议后起诉", block(10)))
}

// readXLSX reads the workbook RenderXLSX writes: the sheets "表二 主动公开", "表三 依申请公开" and
// "表四 复议诉讼" (or, failing the names, the first three sheets) and the title from the document
// properties (or from a cell of the first sheet that holds it).
func readXLSX(data []byte) (root *jvalue, problems []Problem) {
	defer func() {
		// A malformed workbook must not take the checker down with it.
		if r := recover(); r != nil {
			root, problems = nil, []Problem{{Where: "XLSX", Detail: fmt.Sprintf("无法读取 XLSX 文件（%v）", r)}}
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxXLSXUnzipped, UnzipXMLSizeLimit: maxXLSXPart})
	if err != nil {
		return nil, []Problem{{Where: "XLSX", Detail: fmt.Sprintf("无法读取 XLSX 文件（%v）", err)}}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	table := func(i int, name string) *sheetTable {
		sheet := ""
		for _, s := range sheets {
			if strings.TrimSpace(s) == name {
				sheet = s
			}
		}
		if sheet == "" && len(sheets) == 3 {
			sheet = sheets[i]
		}
		if sheet == "" {
			return nil
		}
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			problems = append(problems, Problem{Where: sheet, Detail: fmt.Sprintf("无法读取工作表（%v）", err)})
			return nil
		}
		if len(rows) > maxSheetRows {
			problems = append(problems, Problem{Where: sheet, Detail: fmt.Sprintf("工作表行数过多（%d行），只读取前%d行", len(rows), maxSheetRows)})
			rows = rows[:maxSheetRows]
		}
		return &sheetTable{cells: rows, at: func(r, c int) string {
			ref, err := excelize.CoordinatesToCellName(c+1, r+1)
			if err != nil {
				return sheet
			}
			return sheet + "!" + ref
		}}
	}
	var gs [3]string
	for i, g := range []*grid{proactiveGrid(Proactive{}), requestsGrid(Format2021, Requests{}), casesGrid(ReviewLitigation{})} {
		gs[i] = g.Sheet
	}
	t2, t3, t4 := table(0, gs[0]), table(1, gs[1]), table(2, gs[2])
	title, titleAt := "", "XLSX 文档属性“标题”"
	if props, err := f.GetDocProps(); err == nil {
		title = props.Title
	}
	if !titlePattern.MatchString(title) {
		for _, t := range []*sheetTable{t2, t3, t4} {
			if t == nil {
				continue
			}
			for r := range min(len(t.cells), 5) {
				for c := range t.cells[r] {
					if titlePattern.MatchString(t.text(r, c)) {
						title, titleAt = t.text(r, c), t.at(r, c)
					}
				}
			}
		}
	}
	root, more := fromTables(title, titleAt, t2, t3, t4)
	return root, append(problems, more...)
}

// readCSV reads the CSV RenderCSV writes: a title line, then per table its heading line
// ("三、收到和处理政府信息公开申请情况") and its grid.
func readCSV(data []byte) (*jvalue, []Problem) {
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	type line struct {
		fields []string
		lines  []int
	}
	var lines []line
	for len(lines) < 4*maxSheetRows {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, []Problem{{Where: "CSV", Detail: fmt.Sprintf("无法读取 CSV 文件（%v）", err)}}
		}
		l := line{fields: rec}
		for i := range rec {
			n, _ := cr.FieldPos(i)
			l.lines = append(l.lines, n)
		}
		lines = append(lines, l)
	}
	if len(lines) == 0 {
		return nil, []Problem{{Where: "CSV", Detail: "文件为空"}}
	}
	at := func(l line, col int) string {
		n := l.lines[0]
		if col < len(l.lines) {
			n = l.lines[col]
		}
		return "第" + strconv.Itoa(n) + "行第" + strconv.Itoa(col+1) + "列"
	}
	headings := map[string]int{}
	for i, key := range []string{"二", "三", "四"} {
		headings[normalizeLabel(sectionHeading(key))] = i
	}
	var tables [3]*sheetTable
	var current []line
	flush := func(i int) {
		if i < 0 {
			return
		}
		ls := current
		t := &sheetTable{at: func(r, c int) string {
			if r >= 0 && r < len(ls) {
				return at(ls[r], c)
			}
			return "CSV"
		}}
		for _, l := range ls {
			t.cells = append(t.cells, l.fields)
		}
		tables[i] = t
	}
	which := -1
	for _, l := range lines[1:] {
		nonEmpty := 0
		for _, f := range l.fields {
			if strings.TrimSpace(f) != "" {
				nonEmpty++
			}
		}
		if i, ok := headings[normalizeLabel(l.fields[0])]; ok && nonEmpty == 1 {
			flush(which)
			which, current = i, nil
			continue
		}
		current = append(current, l)
	}
	flush(which)
	return fromTables(strings.TrimSpace(lines[0].fields[0]), at(lines[0], 0), tables[0], tables[1], tables[2])
}
