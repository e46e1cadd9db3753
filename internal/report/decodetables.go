package report

// The tables of a report file read by the decoder of decode.go: Table 二 (proactive disclosure),
// Tables 三 and 四 (requests, reconsideration and litigation), and the comparison of printed labels
// with the official ones.

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
)

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
