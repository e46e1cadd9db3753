package report

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Problem is one problem found while reading a report file, before any check: an error that keeps
// part of the report from being read (a figure that is not a number, a missing row), or a warning
// (a label that differs from the official one). Table, Row and Column name the cell as far as the
// problem concerns one.
type Problem struct {
	Warning bool
	Table   string // "表二", "表三", "表四", or "" for the report as a whole
	Row     string // the row: its key in Table 三 ("三(一)"), block and label in Table 二, block in Table 四
	Column  string // the column head, e.g. "自然人"
	Where   string // the place in the file: a JSON path or a sheet cell ("表三 依申请公开!D7")
	Detail  string // Chinese: what is wrong
}

// String returns the problem as one Chinese line, e.g.
// "错误：表三 三(一)行 自然人列（requests.rows[2].values[0]）：件数不能为负数（-1）".
func (p Problem) String() string {
	var b strings.Builder
	if p.Warning {
		b.WriteString("警告：")
	} else {
		b.WriteString("错误：")
	}
	var parts []string
	if p.Table != "" {
		parts = append(parts, p.Table)
	}
	if p.Row != "" {
		parts = append(parts, p.Row+"行")
	}
	if p.Column != "" {
		parts = append(parts, p.Column+"列")
	}
	if len(parts) > 0 {
		b.WriteString(strings.Join(parts, " "))
		b.WriteString("（" + p.Where + "）")
	} else {
		b.WriteString(p.Where)
	}
	b.WriteString("：" + p.Detail)
	return b.String()
}

// cell names the cell a problem concerns.
type cell struct{ table, row, col string }

// decoder builds a Report from a parsed file and collects every problem on the way. A strict
// decoder (ReadJSON's) wants the file exactly as WriteJSON writes it; a lenient one (Read's)
// identifies rows by key or position, accepts printed labels with their numbering and other
// differences from the official labels as warnings, and needs neither org nor sections.
type decoder struct {
	lenient  bool
	problems []Problem
}

// add records a problem at v (whose own place in the file, if known, wins over path).
func (d *decoder) add(warning bool, v *jvalue, path string, c cell, format string, args ...any) {
	where := path
	if v != nil && v.at != "" {
		where = v.at
	}
	if where == "" {
		where = "（顶层）"
	}
	d.problems = append(d.problems, Problem{Warning: warning, Table: c.table, Row: c.row, Column: c.col,
		Where: where, Detail: fmt.Sprintf(format, args...)})
}

// errorf records an error.
func (d *decoder) errorf(v *jvalue, path string, c cell, format string, args ...any) {
	d.add(false, v, path, c, format, args...)
}

// differ records a difference from the official form: an error when strict, a warning when lenient.
func (d *decoder) differ(v *jvalue, path string, c cell, format string, args ...any) {
	d.add(d.lenient, v, path, c, format, args...)
}

// err returns the first error as ReadJSON reports it, or nil.
func (d *decoder) err() error {
	for _, p := range d.problems {
		if !p.Warning {
			return jsonError(p.Where, "%s", p.Detail)
		}
	}
	return nil
}

// object checks that v is an object holding only the keys allowed and all the keys required. A
// lenient decoder ignores unknown keys with a warning. It reports false if v is missing or not an
// object; missing required keys are recorded and the object is still returned.
func (d *decoder) object(v *jvalue, path string, c cell, required, optional []string) (map[string]*jvalue, bool) {
	if v == nil {
		return nil, false
	}
	if v.kind != jObject {
		d.errorf(v, path, c, "应为对象，实为%s", v.kind.kindName())
		return nil, false
	}
	for _, k := range v.keys {
		if !slices.Contains(required, k) && !slices.Contains(optional, k) {
			allowed := strings.Join(append(append([]string{}, required...), optional...), "、")
			if d.lenient {
				d.add(true, v, path, c, "未知的键“%s”，已忽略（允许的键：%s）", k, allowed)
			} else {
				d.errorf(v, path, c, "未知的键“%s”（允许的键：%s）", k, allowed)
			}
		}
	}
	for _, k := range required {
		if _, ok := v.obj[k]; !ok {
			d.errorf(v, path, c, "缺少键“%s”", k)
		}
	}
	return v.obj, true
}

// array checks that v is an array.
func (d *decoder) array(v *jvalue, path string, c cell) ([]*jvalue, bool) {
	if v == nil {
		return nil, false
	}
	if v.kind != jArray {
		d.errorf(v, path, c, "应为数组，实为%s", v.kind.kindName())
		return nil, false
	}
	return v.arr, true
}

// str checks that v is a string.
func (d *decoder) str(v *jvalue, path string, c cell) (string, bool) {
	if v == nil {
		return "", false
	}
	if v.kind != jString {
		d.errorf(v, path, c, "应为字符串，实为%s", v.kind.kindName())
		return "", false
	}
	return v.str, true
}

// notNumber records that v, which should be a figure, is not a number.
func (d *decoder) notNumber(v *jvalue, path string, c cell, want string) {
	if v.kind == jString && v.at != "" {
		d.errorf(v, path, c, "应为数值，实为“%s”", v.str)
		return
	}
	d.errorf(v, path, c, "应为%s，实为%s", want, v.kind.kindName())
}

// count reads a count of Table 三 or 四: a non-negative whole number, or null for 0.
func (d *decoder) count(v *jvalue, path string, c cell) (int, bool) {
	if v == nil {
		return 0, false
	}
	switch v.kind {
	case jNull:
		return 0, true
	case jNumber:
	default:
		d.notNumber(v, path, c, "数值")
		return 0, false
	}
	f, err := strconv.ParseFloat(v.num.String(), 64)
	switch {
	case err != nil:
		d.errorf(v, path, c, "无法读取数值%s", v.num)
	case f < 0:
		d.errorf(v, path, c, "件数不能为负数（%s）", v.num)
	case f != math.Trunc(f):
		d.errorf(v, path, c, "件数应为整数，实为%s", v.num)
	case f > maxCount:
		d.errorf(v, path, c, "数值过大（%s）", v.num)
	default:
		return int(f), true
	}
	return 0, false
}

// amount reads a figure of Table 二: a number, or null for a blank cell. Only change columns
// (本年增/减) may be negative. A figure that cannot be read is a blank cell.
func (d *decoder) amount(v *jvalue, path string, c cell, negative bool) (Cell, bool) {
	switch v.kind {
	case jNull:
		return Cell{Blank: true}, true
	case jNumber:
	default:
		d.notNumber(v, path, c, "数值或 null")
		return Cell{Blank: true}, false
	}
	f, err := strconv.ParseFloat(v.num.String(), 64)
	switch {
	case err != nil || math.Abs(f) > maxAmount:
		d.errorf(v, path, c, "数值超出范围（%s）", v.num)
	case f < 0 && !negative:
		d.errorf(v, path, c, "该列不能为负数（%s）", v.num)
	default:
		return Cell{Value: f}, true
	}
	return Cell{Blank: true}, false
}

// report validates the parsed file and builds the Report from what it could read; it returns nil
// if the file is not an object.
func (d *decoder) report(root *jvalue) *Report {
	required := []string{"org", "year", "format", "sections", "proactive", "requests", "review_litigation"}
	var optional []string
	if d.lenient {
		required = []string{"year", "requests", "review_litigation"}
		optional = []string{"org", "format", "sections", "proactive"}
	}
	top, ok := d.object(root, "", cell{}, required, optional)
	if !ok {
		return nil
	}
	rep := &Report{Sections: map[string]string{}}
	if org, ok := d.str(top["org"], "org", cell{}); ok {
		rep.Org = org
		if !d.lenient && strings.TrimSpace(org) == "" {
			d.errorf(top["org"], "org", cell{}, "机关名称不能为空")
		}
	}
	yearOK := false
	if v := top["year"]; v != nil {
		switch {
		case v.kind == jString && v.at != "":
			d.errorf(v, "year", cell{}, "无法从标题“%s”读出机关和年度（标题应为“<机关><年度>年政府信息公开工作年度报告”）", v.str)
		case v.kind != jNumber:
			d.notNumber(v, "year", cell{}, "数值")
		default:
			if year, err := strconv.Atoi(v.num.String()); err != nil {
				d.errorf(v, "year", cell{}, "应为年份（整数），实为%s", v.num)
			} else {
				rep.Year, yearOK = year, true
			}
		}
	}
	formatOK := false
	if f, ok := d.str(top["format"], "format", cell{}); ok {
		if validFormat(f) {
			rep.Format, formatOK = f, true
		} else {
			d.errorf(top["format"], "format", cell{}, "未知的年度报告格式“%s”（应为“2019”或“2021”）", f)
		}
	}
	if yearOK && (formatOK || d.lenient) {
		want, err := FormatForYear(rep.Year)
		switch {
		case err != nil && !d.lenient:
			d.errorf(top["year"], "year", cell{}, "%v", err)
		case err != nil:
			// Check reports the year.
		case !formatOK:
			rep.Format, formatOK = want, true
		case want != rep.Format && !d.lenient:
			d.errorf(top["format"], "format", cell{}, "%d年度报告应使用“%s”格式，实为“%s”", rep.Year, want, rep.Format)
		}
	}
	if d.lenient && !formatOK {
		d.errorf(nil, "", cell{}, "无法确定年度报告格式（format 与 year 均不可用），未读取表二、表三")
	}
	if v := top["sections"]; v != nil {
		rep.Sections = d.sections(v)
	}
	if v := top["proactive"]; v != nil && formatOK {
		rep.Proactive = d.proactive(v, rep.Format)
	} else if d.lenient && v == nil {
		d.add(true, nil, "proactive", cell{table: "表二"}, "文件中没有表二（主动公开政府信息情况），按空表处理")
		if formatOK {
			rep.Proactive = blankProactive(rep.Format)
		}
	}
	if v := top["requests"]; v != nil && formatOK {
		rep.Requests = d.requests(v, rep.Format)
	}
	if v := top["review_litigation"]; v != nil {
		rep.ReviewLitigation = d.reviewLitigation(v)
	}
	return rep
}

// blankProactive returns Table 二 of format with the official rows and every cell blank: what a
// report without Table 二 renders as.
func blankProactive(format string) Proactive {
	p, _ := ProactiveTemplate(format) // format is valid
	for _, b := range p.Blocks {
		for _, row := range b.Rows {
			for i := range row.Values {
				row.Values[i] = Cell{Blank: true}
			}
		}
	}
	return p
}

// sections reads the text sections 一, 五 and 六; any may be missing. Empty sections are left
// out of the map, as WriteJSON writes a missing section as "".
func (d *decoder) sections(v *jvalue) map[string]string {
	out := map[string]string{}
	obj, ok := d.object(v, "sections", cell{}, nil, sectionKeys())
	if !ok {
		return out
	}
	for _, k := range v.keys {
		if !slices.Contains(sectionKeys(), k) {
			continue
		}
		if text, ok := d.str(obj[k], join("sections", k), cell{}); ok && text != "" {
			out[k] = text
		}
	}
	return out
}

// proactive reads Table 二: the official blocks of format in order, each with its official
// columns and its official rows first, then any locally configured rows.
func (d *decoder) proactive(v *jvalue, format string) Proactive {
	c := cell{table: "表二"}
	obj, ok := d.object(v, "proactive", c, []string{"blocks"}, nil)
	if !ok {
		return Proactive{}
	}
	blocks, ok := d.array(obj["blocks"], "proactive.blocks", c)
	if !ok {
		return Proactive{}
	}
	official := officialBlocks(format)
	if len(blocks) != len(official) {
		d.errorf(obj["blocks"], "proactive.blocks", c, "%s年格式的表二应有%d项，实为%d项", format, len(official), len(blocks))
		return Proactive{}
	}
	p := Proactive{Blocks: make([]ProactiveBlock, len(blocks))}
	for bi, bv := range blocks {
		p.Blocks[bi] = d.block(bv, index("proactive.blocks", bi), official[bi], format)
	}
	return p
}

// block reads one block of Table 二 against its official form ob. A lenient decoder takes the
// official item, columns and row labels, warning where the file says otherwise.
func (d *decoder) block(v *jvalue, path string, ob officialBlock, format string) ProactiveBlock {
	c := cell{table: "表二", row: ob.item}
	b := ProactiveBlock{Item: ob.item, Columns: append([]string(nil), ob.columns...)}
	obj, ok := d.object(v, path, c, []string{"item", "columns", "rows"}, nil)
	if !ok {
		return b
	}
	if item, ok := d.str(obj["item"], join(path, "item"), c); ok && !d.same(item, ob.item) {
		d.differ(obj["item"], join(path, "item"), c, "%s年格式此处应为“%s”，实为“%s”", format, ob.item, item)
		if !d.lenient {
			b.Item = item
		}
	}
	if cols, ok := d.array(obj["columns"], join(path, "columns"), c); ok {
		var got []string
		for i, cv := range cols {
			if s, ok := d.str(cv, index(join(path, "columns"), i), c); ok {
				got = append(got, s)
			}
		}
		if len(got) == len(cols) && !d.sameAll(got, ob.columns) {
			d.differ(obj["columns"], join(path, "columns"), c, "%s年格式%s的列应为“%s”，实为“%s”",
				format, ob.item, strings.Join(ob.columns, "/"), strings.Join(got, "/"))
		}
	}
	rows, ok := d.array(obj["rows"], join(path, "rows"), c)
	if !ok {
		return b
	}
	if len(rows) < len(ob.rows) {
		d.errorf(obj["rows"], join(path, "rows"), c, "%s应至少有%d行（%s），实为%d行", ob.item, len(ob.rows), strings.Join(ob.rows, "、"), len(rows))
	}
	seen := map[string]bool{}
	for ri, rv := range rows {
		rpath := index(join(path, "rows"), ri)
		ro, ok := d.object(rv, rpath, c, []string{"label", "values"}, nil)
		if !ok {
			continue
		}
		label, ok := d.str(ro["label"], join(rpath, "label"), c)
		if !ok {
			continue
		}
		rc := cell{table: "表二", row: ob.item + " " + label}
		switch {
		case ri < len(ob.rows) && !d.same(label, ob.rows[ri]):
			d.differ(ro["label"], join(rpath, "label"), rc, "此处应为“%s”，实为“%s”", ob.rows[ri], label)
			if !d.lenient {
				continue
			}
			label = ob.rows[ri]
		case ri < len(ob.rows):
			label = ob.rows[ri]
		case strings.TrimSpace(label) == "":
			d.errorf(ro["label"], join(rpath, "label"), rc, "行名称不能为空")
			continue
		case seen[label]:
			d.errorf(ro["label"], join(rpath, "label"), rc, "行“%s”重复", label)
			continue
		}
		rc.row = ob.item + " " + label
		seen[label] = true
		vals, ok := d.array(ro["values"], join(rpath, "values"), rc)
		if !ok {
			continue
		}
		if len(vals) != len(ob.columns)-1 {
			d.errorf(ro["values"], join(rpath, "values"), rc, "应有%d个数值（%s），实为%d个",
				len(ob.columns)-1, strings.Join(ob.columns[1:], "/"), len(vals))
			continue
		}
		row := ProactiveRow{Label: label, Values: make([]Cell, len(vals))}
		for i, ev := range vals {
			rc.col = ob.columns[i+1]
			row.Values[i], _ = d.amount(ev, index(join(rpath, "values"), i), rc, allowsNegative(ob.columns[i+1]))
		}
		b.Rows = append(b.Rows, row)
	}
	return b
}

// requests reads Table 三: every row of format exactly once, each with 7 counts. A lenient
// decoder takes a row without a key by its position.
func (d *decoder) requests(v *jvalue, format string) Requests {
	c := cell{table: "表三"}
	q := Requests{Rows: map[string]Counts{}}
	obj, ok := d.object(v, "requests", c, []string{"rows"}, nil)
	if !ok {
		return q
	}
	rows, ok := d.array(obj["rows"], "requests.rows", c)
	if !ok {
		return q
	}
	keys := RequestRowKeys(format)
	var positional []string
	if d.lenient {
		switch {
		case len(rows) == len(keys):
			positional = keys
		case format == Format2021 && len(rows) == len(RequestRowKeys(Format2019)):
			positional = RequestRowKeys(Format2019)
		}
	}
	required, optional := []string{"key", "values"}, []string{"label"}
	if d.lenient {
		required, optional = []string{"values"}, []string{"key", "label"}
	}
	for i, rv := range rows {
		path := index("requests.rows", i)
		ro, ok := d.object(rv, path, c, required, optional)
		if !ok {
			continue
		}
		var key string
		switch {
		case ro["key"] != nil:
			if key, ok = d.str(ro["key"], join(path, "key"), c); !ok {
				continue
			}
			if d.lenient {
				key = normalizeKey(key)
			}
		case i < len(positional):
			key = positional[i]
		case ro["values"] != nil: // a strict decoder has reported the missing key
			if d.lenient {
				d.errorf(rv, path, c, "无法确定这是表三的哪一行：没有 key，且行数（%d）与%s年格式（%d行）不符", len(rows), format, len(keys))
			}
			continue
		default:
			continue
		}
		rc := cell{table: "表三", row: key}
		switch {
		case slices.Contains(keys, key):
		case format == Format2021 && key == RowOther:
			// The single 其他处理 row that some 2021 reports keep from the 2019 layout.
		case slices.Contains(RequestRowKeys(otherFormat(format)), key):
			d.errorf(ro["key"], join(path, "key"), c, "“%s”是%s年格式的行，与 format“%s”不符", key, otherFormat(format), format)
			continue
		default:
			d.errorf(ro["key"], join(path, "key"), c, "未知的行“%s”", key)
			continue
		}
		if _, dup := q.Rows[key]; dup {
			d.errorf(ro["key"], join(path, "key"), rc, "行“%s”重复", key)
			continue
		}
		if label, ok := d.str(ro["label"], join(path, "label"), rc); ok && !d.same(label, RequestRowLabel(key)) {
			if d.lenient {
				d.add(true, ro["label"], join(path, "label"), rc, "行名称与官方格式不同：应为“%s”，实为“%s”（按行“%s”读取）", requestRowDisplay(key), label, key)
			} else {
				d.errorf(ro["label"], join(path, "label"), c, "行“%s”的名称应为“%s”，实为“%s”", key, RequestRowLabel(key), label)
			}
		}
		var row Counts
		if vals, ok := d.array(ro["values"], join(path, "values"), rc); ok {
			if len(vals) != numCols {
				d.errorf(ro["values"], join(path, "values"), c, "行“%s”应有7个数值（6类申请人和总计），实为%d个", key, len(vals))
			} else {
				for col, ev := range vals {
					rc.col = columnLabel(col)
					row[col], _ = d.count(ev, index(join(path, "values"), col), rc)
				}
			}
		}
		q.Rows[key] = row
	}
	if _, ok := q.Rows[RowOther]; ok && !q.SingleOther(format) {
		d.errorf(obj["rows"], "requests.rows", c, "（六）其他处理应只填一行“三(六)”（2019年格式）或分为“三(六)1”至“三(六)3”三行，不能同时填写")
	}
	for _, k := range q.RowKeys(format) {
		if _, ok := q.Rows[k]; !ok {
			d.errorf(obj["rows"], "requests.rows", cell{table: "表三", row: k}, "缺少行“%s”（%s）", k, requestRowDisplay(k))
		}
	}
	return q
}

// reviewLitigation reads Table 四.
func (d *decoder) reviewLitigation(v *jvalue) ReviewLitigation {
	const path = "review_litigation"
	c := cell{table: "表四"}
	var rl ReviewLitigation
	obj, ok := d.object(v, path, c, []string{"行政复议", "行政诉讼"}, nil)
	if !ok {
		return rl
	}
	rl.Reconsideration = d.cases(obj["行政复议"], join(path, "行政复议"), "行政复议")
	lit, ok := d.object(obj["行政诉讼"], join(path, "行政诉讼"), c, []string{"未经复议直接起诉", "复议后起诉"}, nil)
	if !ok {
		return rl
	}
	rl.LitigationDirect = d.cases(lit["未经复议直接起诉"], join(path, "行政诉讼.未经复议直接起诉"), "未经复议直接起诉")
	rl.LitigationAfterReconsideration = d.cases(lit["复议后起诉"], join(path, "行政诉讼.复议后起诉"), "复议后起诉")
	return rl
}

// cases reads one block of Table 四: all five cells.
func (d *decoder) cases(v *jvalue, path, block string) CaseCounts {
	labels := caseColumnLabels()
	c := cell{table: "表四", row: block}
	obj, ok := d.object(v, path, c, labels[:], nil)
	if !ok {
		return CaseCounts{}
	}
	var n [5]int
	for i, l := range labels {
		if obj[l] != nil {
			c.col = l
			n[i], _ = d.count(obj[l], join(path, l), c)
		}
	}
	return CaseCounts{Upheld: n[0], Corrected: n[1], Other: n[2], Pending: n[3], Total: n[4]}
}

// same reports whether label reads as official: equal for a strict decoder; equal once
// normalized (numbering, spaces, width of brackets and quotes) for a lenient one.
func (d *decoder) same(label, official string) bool {
	if !d.lenient {
		return label == official
	}
	return normalizeLabel(label) == normalizeLabel(official)
}

// sameAll reports whether labels read as official, element by element.
func (d *decoder) sameAll(labels, official []string) bool {
	return slices.EqualFunc(labels, official, d.same)
}

// numbering matches the numbering printed before a label: "一、", "（一）", "(一)", "1.", "1、",
// "（1）", possibly several ("三、（一）").
var numbering = regexp.MustCompile(`^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十0-9]+[）)]|[0-9]+[、.．])+`)

// normalizeLabel returns label without spaces, quotes and printed numbering, with half-width
// brackets and colons made full-width.
func normalizeLabel(label string) string {
	label = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r), strings.ContainsRune("\"'“”‘’", r):
			return -1
		case r == '(':
			return '（'
		case r == ')':
			return '）'
		case r == ':':
			return '：'
		case r == '．':
			return '.'
		}
		return r
	}, label)
	return numbering.ReplaceAllString(label, "")
}

// normalizeKey returns a row key of Table 三 with spaces dropped and full-width brackets made
// half-width: "三（三）1" reads as "三(三)1".
func normalizeKey(key string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return -1
		case r == '（':
			return '('
		case r == '）':
			return ')'
		}
		return r
	}, key)
}
