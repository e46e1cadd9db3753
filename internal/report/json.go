package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The limits ReadJSON enforces on figures, far above any real report.
const (
	maxCount  = 1_000_000_000 // a count in Table 三 or 四
	maxAmount = 1e12          // a figure in Table 二
	maxDepth  = 32            // nesting of JSON arrays and objects
)

// The JSON form of a report, as WriteJSON writes it. Field order is the output order.
type (
	jsonReport struct {
		Org              string               `json:"org"`
		Year             int                  `json:"year"`
		Format           string               `json:"format"`
		Sections         map[string]string    `json:"sections"` // keys 一 五 六 sort in report order
		Proactive        jsonProactive        `json:"proactive"`
		Requests         jsonRequests         `json:"requests"`
		ReviewLitigation jsonReviewLitigation `json:"review_litigation"`
	}
	jsonProactive struct {
		Blocks []jsonBlock `json:"blocks"`
	}
	jsonBlock struct {
		Item    string             `json:"item"`
		Columns []string           `json:"columns"`
		Rows    []jsonProactiveRow `json:"rows"`
	}
	jsonProactiveRow struct {
		Label  string     `json:"label"`
		Values []*float64 `json:"values"` // nil is a blank cell
	}
	jsonRequests struct {
		Rows []jsonRequestRow `json:"rows"`
	}
	jsonRequestRow struct {
		Key    string `json:"key"`
		Label  string `json:"label"`
		Values []int  `json:"values"`
	}
	jsonReviewLitigation struct {
		Reconsideration jsonCases      `json:"行政复议"`
		Litigation      jsonLitigation `json:"行政诉讼"`
	}
	jsonLitigation struct {
		Direct               jsonCases `json:"未经复议直接起诉"`
		AfterReconsideration jsonCases `json:"复议后起诉"`
	}
	jsonCases struct {
		Upheld    int `json:"结果维持"`
		Corrected int `json:"结果纠正"`
		Other     int `json:"其他结果"`
		Pending   int `json:"尚未审结"`
		Total     int `json:"总计"`
	}
)

// toJSONCases converts a Table 四 block.
func toJSONCases(c CaseCounts) jsonCases {
	return jsonCases{Upheld: c.Upheld, Corrected: c.Corrected, Other: c.Other, Pending: c.Pending, Total: c.Total}
}

// toJSON converts r to its JSON form. Rows of Table 三 come in the order of the format, followed
// by any rows that do not belong to it (which ReadJSON then rejects).
func toJSON(r *Report) jsonReport {
	out := jsonReport{Org: r.Org, Year: r.Year, Format: r.Format, Sections: map[string]string{}}
	for _, k := range sectionKeys() {
		out.Sections[k] = ""
	}
	maps.Copy(out.Sections, r.Sections)
	out.Proactive.Blocks = make([]jsonBlock, 0, len(r.Proactive.Blocks))
	for _, b := range r.Proactive.Blocks {
		jb := jsonBlock{Item: b.Item, Columns: append([]string{}, b.Columns...), Rows: make([]jsonProactiveRow, 0, len(b.Rows))}
		for _, row := range b.Rows {
			jr := jsonProactiveRow{Label: row.Label, Values: make([]*float64, len(row.Values))}
			for i, c := range row.Values {
				if !c.Blank {
					v := c.Value
					jr.Values[i] = &v
				}
			}
			jb.Rows = append(jb.Rows, jr)
		}
		out.Proactive.Blocks = append(out.Proactive.Blocks, jb)
	}
	keys := r.Requests.RowKeys(r.Format)
	var extra []string
	for k := range r.Requests.Rows {
		if !slices.Contains(keys, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	out.Requests.Rows = make([]jsonRequestRow, 0, len(keys)+len(extra))
	for _, k := range append(keys, extra...) {
		row := r.Requests.Row(k)
		out.Requests.Rows = append(out.Requests.Rows, jsonRequestRow{Key: k, Label: RequestRowLabel(k), Values: row[:]})
	}
	rl := r.ReviewLitigation
	out.ReviewLitigation = jsonReviewLitigation{
		Reconsideration: toJSONCases(rl.Reconsideration),
		Litigation: jsonLitigation{
			Direct:               toJSONCases(rl.LitigationDirect),
			AfterReconsideration: toJSONCases(rl.LitigationAfterReconsideration),
		},
	}
	return out
}

// WriteJSON writes r as indented JSON in a stable order: the form that `wugongkai report annual
// --format json` prints and ReadJSON reads. Small flat objects and arrays (a row of Table 三, a
// block of Table 四) stay on one line so that the file is easy to read and edit. It validates the
// result as ReadJSON does and writes nothing if that fails, so whatever WriteJSON writes reads
// back; a report built with New and filled in passes.
func WriteJSON(w io.Writer, r *Report) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(toJSON(r)); err != nil {
		return fmt.Errorf("write report json: %w", err)
	}
	root, err := parseJSON(&buf)
	if err != nil {
		return fmt.Errorf("write report json: %w", err)
	}
	if _, err := decodeReport(root); err != nil {
		return fmt.Errorf("write report json: %w", err)
	}
	var out bytes.Buffer
	writePretty(&out, root, "")
	out.WriteByte('\n')
	if _, err := w.Write(out.Bytes()); err != nil {
		return fmt.Errorf("write report json: %w", err)
	}
	return nil
}

// maxInline is the longest flat value, in bytes, that writePretty keeps on one line.
const maxInline = 240

// writePretty writes v indented by two spaces per level, keeping flat values that fit in
// maxInline bytes on one line.
func writePretty(b *bytes.Buffer, v *jvalue, indent string) {
	if isFlat(v) {
		var line bytes.Buffer
		writeInline(&line, v)
		if line.Len() <= maxInline {
			b.Write(line.Bytes())
			return
		}
	}
	inner := indent + "  "
	switch v.kind {
	case jObject:
		b.WriteString("{\n")
		for i, k := range v.keys {
			b.WriteString(inner)
			writeString(b, k)
			b.WriteString(": ")
			writePretty(b, v.obj[k], inner)
			if i < len(v.keys)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "}")
	case jArray:
		b.WriteString("[\n")
		for i, e := range v.arr {
			b.WriteString(inner)
			writePretty(b, e, inner)
			if i < len(v.arr)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "]")
	default:
		writeInline(b, v)
	}
}

// isFlat reports whether v holds no objects below its own level and no arrays of arrays: a
// scalar, an array of scalars, or an object of scalars and arrays of scalars.
func isFlat(v *jvalue) bool {
	switch v.kind {
	case jArray:
		for _, e := range v.arr {
			if e.kind == jArray || e.kind == jObject {
				return false
			}
		}
	case jObject:
		for _, e := range v.obj {
			if e.kind == jObject || (e.kind == jArray && !isFlat(e)) {
				return false
			}
		}
	}
	return true
}

// writeInline writes v on one line.
func writeInline(b *bytes.Buffer, v *jvalue) {
	switch v.kind {
	case jNull:
		b.WriteString("null")
	case jBool:
		b.WriteString(strconv.FormatBool(v.b))
	case jNumber:
		b.WriteString(v.num.String())
	case jString:
		writeString(b, v.str)
	case jArray:
		b.WriteByte('[')
		for i, e := range v.arr {
			if i > 0 {
				b.WriteString(", ")
			}
			writeInline(b, e)
		}
		b.WriteByte(']')
	case jObject:
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writeString(b, k)
			b.WriteString(": ")
			writeInline(b, v.obj[k])
		}
		b.WriteByte('}')
	}
}

// writeString writes s as a JSON string, leaving <, > and & unescaped.
func writeString(b *bytes.Buffer, s string) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // encoding a string cannot fail
	b.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// ReadJSON reads a report in the form WriteJSON writes and validates it strictly: unknown or
// repeated keys, missing keys and rows, rows of Table 三 without exactly 7 values, unknown row
// keys, rows or Table 二 blocks that do not belong to the format, a format that does not fit the
// year, and negative or fractional counts are errors. A null figure is a blank cell and reads as
// 0. The error message is Chinese and names the place in the file, e.g. "requests.rows[4].values".
func ReadJSON(r io.Reader) (*Report, error) {
	root, err := parseJSON(r)
	if err != nil {
		return nil, err
	}
	return decodeReport(root)
}

// jsonError is a validation error at path of a report file.
func jsonError(path, format string, args ...any) error {
	if path == "" {
		path = "（顶层）"
	}
	return fmt.Errorf("年度报告 JSON 有误：%s：%s", path, fmt.Sprintf(format, args...))
}

// jkind is the kind of a parsed JSON value.
type jkind int

// The kinds of JSON values.
const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

// kindName returns the Chinese name of k for messages.
func (k jkind) kindName() string {
	switch k {
	case jNull:
		return "null"
	case jBool:
		return "布尔值"
	case jNumber:
		return "数值"
	case jString:
		return "字符串"
	case jArray:
		return "数组"
	}
	return "对象"
}

// jvalue is a parsed JSON value that keeps the order of object keys.
type jvalue struct {
	kind jkind
	b    bool        // jBool
	str  string      // jString
	num  json.Number // jNumber
	arr  []*jvalue   // jArray
	keys []string    // jObject, in file order
	obj  map[string]*jvalue
}

// parseJSON reads exactly one JSON value from r, rejecting repeated object keys, nesting deeper
// than maxDepth and anything after the value.
func parseJSON(r io.Reader) (*jvalue, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	v, err := parseValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("年度报告 JSON 有误：第%d字节之后还有多余内容", dec.InputOffset())
	}
	return v, nil
}

// tokenError turns a decoder error into a Chinese message with the position.
func tokenError(dec *json.Decoder, err error) error {
	switch {
	case errors.Is(err, io.EOF) && dec.InputOffset() == 0:
		return errors.New("年度报告 JSON 有误：文件为空")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("年度报告 JSON 有误：文件不完整（意外结束）")
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("年度报告 JSON 有误：第%d字节处语法错误（%v）", se.Offset, err)
	}
	return fmt.Errorf("年度报告 JSON 有误：第%d字节附近无法读取（%w）", dec.InputOffset(), err)
}

// parseValue reads the next value.
func parseValue(dec *json.Decoder, depth int) (*jvalue, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, tokenError(dec, err)
	}
	switch t := tok.(type) {
	case nil:
		return &jvalue{kind: jNull}, nil
	case bool:
		return &jvalue{kind: jBool, b: t}, nil
	case json.Number:
		return &jvalue{kind: jNumber, num: t}, nil
	case string:
		return &jvalue{kind: jString, str: t}, nil
	case json.Delim:
		if depth >= maxDepth {
			return nil, fmt.Errorf("年度报告 JSON 有误：第%d字节处嵌套过深", dec.InputOffset())
		}
		if t == '[' {
			v := &jvalue{kind: jArray}
			for dec.More() {
				e, err := parseValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				v.arr = append(v.arr, e)
			}
			if _, err := dec.Token(); err != nil {
				return nil, tokenError(dec, err)
			}
			return v, nil
		}
		v := &jvalue{kind: jObject, obj: map[string]*jvalue{}}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, tokenError(dec, err)
			}
			key, _ := kt.(string) // the decoder only yields strings as object keys
			if _, dup := v.obj[key]; dup {
				return nil, fmt.Errorf("年度报告 JSON 有误：第%d字节处的键“%s”重复", dec.InputOffset(), key)
			}
			e, err := parseValue(dec, depth+1)
			if err != nil {
				return nil, err
			}
			v.keys = append(v.keys, key)
			v.obj[key] = e
		}
		if _, err := dec.Token(); err != nil {
			return nil, tokenError(dec, err)
		}
		return v, nil
	}
	return nil, fmt.Errorf("年度报告 JSON 有误：第%d字节处无法识别的内容", dec.InputOffset())
}

// join returns the path of key under path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// index returns the path of element i under path.
func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// object checks that v is an object holding only the keys allowed and all the keys required.
func object(v *jvalue, path string, required, optional []string) (map[string]*jvalue, error) {
	if v.kind != jObject {
		return nil, jsonError(path, "应为对象，实为%s", v.kind.kindName())
	}
	for _, k := range v.keys {
		if !slices.Contains(required, k) && !slices.Contains(optional, k) {
			return nil, jsonError(path, "未知的键“%s”（允许的键：%s）", k, strings.Join(append(append([]string{}, required...), optional...), "、"))
		}
	}
	for _, k := range required {
		if _, ok := v.obj[k]; !ok {
			return nil, jsonError(path, "缺少键“%s”", k)
		}
	}
	return v.obj, nil
}

// array checks that v is an array.
func array(v *jvalue, path string) ([]*jvalue, error) {
	if v.kind != jArray {
		return nil, jsonError(path, "应为数组，实为%s", v.kind.kindName())
	}
	return v.arr, nil
}

// str checks that v is a string.
func str(v *jvalue, path string) (string, error) {
	if v.kind != jString {
		return "", jsonError(path, "应为字符串，实为%s", v.kind.kindName())
	}
	return v.str, nil
}

// count reads a count of Table 三 or 四: a non-negative whole number, or null for 0.
func count(v *jvalue, path string) (int, error) {
	switch v.kind {
	case jNull:
		return 0, nil
	case jNumber:
	default:
		return 0, jsonError(path, "应为数值，实为%s", v.kind.kindName())
	}
	f, err := strconv.ParseFloat(v.num.String(), 64)
	if err != nil {
		return 0, jsonError(path, "无法读取数值%s", v.num)
	}
	switch {
	case f < 0:
		return 0, jsonError(path, "件数不能为负数（%s）", v.num)
	case f != math.Trunc(f):
		return 0, jsonError(path, "件数应为整数，实为%s", v.num)
	case f > maxCount:
		return 0, jsonError(path, "数值过大（%s）", v.num)
	}
	return int(f), nil
}

// amount reads a figure of Table 二: a number, or null for a blank cell. Only change columns
// (本年增/减) may be negative.
func amount(v *jvalue, path string, negative bool) (Cell, error) {
	switch v.kind {
	case jNull:
		return Cell{Blank: true}, nil
	case jNumber:
	default:
		return Cell{}, jsonError(path, "应为数值或 null，实为%s", v.kind.kindName())
	}
	f, err := strconv.ParseFloat(v.num.String(), 64)
	if err != nil || math.Abs(f) > maxAmount {
		return Cell{}, jsonError(path, "数值超出范围（%s）", v.num)
	}
	if f < 0 && !negative {
		return Cell{}, jsonError(path, "该列不能为负数（%s）", v.num)
	}
	return Cell{Value: f}, nil
}

// decodeReport validates the parsed file and builds the Report.
func decodeReport(root *jvalue) (*Report, error) {
	top, err := object(root, "", []string{"org", "year", "format", "sections", "proactive", "requests", "review_litigation"}, nil)
	if err != nil {
		return nil, err
	}
	rep := &Report{}
	if rep.Org, err = str(top["org"], "org"); err != nil {
		return nil, err
	}
	if strings.TrimSpace(rep.Org) == "" {
		return nil, jsonError("org", "机关名称不能为空")
	}
	if top["year"].kind != jNumber {
		return nil, jsonError("year", "应为数值，实为%s", top["year"].kind.kindName())
	}
	year, err := strconv.Atoi(top["year"].num.String())
	if err != nil {
		return nil, jsonError("year", "应为年份（整数），实为%s", top["year"].num)
	}
	rep.Year = year
	if rep.Format, err = str(top["format"], "format"); err != nil {
		return nil, err
	}
	if !validFormat(rep.Format) {
		return nil, jsonError("format", "未知的年度报告格式“%s”（应为“2019”或“2021”）", rep.Format)
	}
	want, err := FormatForYear(rep.Year)
	if err != nil {
		return nil, jsonError("year", "%v", err)
	}
	if want != rep.Format {
		return nil, jsonError("format", "%d年度报告应使用“%s”格式，实为“%s”", rep.Year, want, rep.Format)
	}
	if rep.Sections, err = decodeSections(top["sections"]); err != nil {
		return nil, err
	}
	if rep.Proactive, err = decodeProactive(top["proactive"], rep.Format); err != nil {
		return nil, err
	}
	if rep.Requests, err = decodeRequests(top["requests"], rep.Format); err != nil {
		return nil, err
	}
	if rep.ReviewLitigation, err = decodeReviewLitigation(top["review_litigation"]); err != nil {
		return nil, err
	}
	return rep, nil
}

// decodeSections reads the text sections 一, 五 and 六; any may be missing. Empty sections are
// left out of the map, as WriteJSON writes a missing section as "".
func decodeSections(v *jvalue) (map[string]string, error) {
	obj, err := object(v, "sections", nil, sectionKeys())
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(obj))
	for k, e := range obj {
		text, err := str(e, join("sections", k))
		if err != nil {
			return nil, err
		}
		if text != "" {
			out[k] = text
		}
	}
	return out, nil
}

// decodeProactive reads Table 二: the official blocks of format in order, each with its official
// columns and its official rows first, then any locally configured rows.
func decodeProactive(v *jvalue, format string) (Proactive, error) {
	obj, err := object(v, "proactive", []string{"blocks"}, nil)
	if err != nil {
		return Proactive{}, err
	}
	blocks, err := array(obj["blocks"], "proactive.blocks")
	if err != nil {
		return Proactive{}, err
	}
	official := officialBlocks(format)
	if len(blocks) != len(official) {
		return Proactive{}, jsonError("proactive.blocks", "%s年格式的表二应有%d项，实为%d项", format, len(official), len(blocks))
	}
	p := Proactive{Blocks: make([]ProactiveBlock, len(blocks))}
	for bi, bv := range blocks {
		path := index("proactive.blocks", bi)
		b, err := decodeBlock(bv, path, official[bi], format)
		if err != nil {
			return Proactive{}, err
		}
		p.Blocks[bi] = b
	}
	return p, nil
}

// decodeBlock reads one block of Table 二 against its official form ob.
func decodeBlock(v *jvalue, path string, ob officialBlock, format string) (ProactiveBlock, error) {
	obj, err := object(v, path, []string{"item", "columns", "rows"}, nil)
	if err != nil {
		return ProactiveBlock{}, err
	}
	var b ProactiveBlock
	if b.Item, err = str(obj["item"], join(path, "item")); err != nil {
		return b, err
	}
	if b.Item != ob.item {
		return b, jsonError(join(path, "item"), "%s年格式此处应为“%s”，实为“%s”", format, ob.item, b.Item)
	}
	cols, err := array(obj["columns"], join(path, "columns"))
	if err != nil {
		return b, err
	}
	for i, cv := range cols {
		c, err := str(cv, index(join(path, "columns"), i))
		if err != nil {
			return b, err
		}
		b.Columns = append(b.Columns, c)
	}
	if !slices.Equal(b.Columns, ob.columns) {
		return b, jsonError(join(path, "columns"), "%s年格式%s的列应为“%s”，实为“%s”",
			format, ob.item, strings.Join(ob.columns, "/"), strings.Join(b.Columns, "/"))
	}
	rows, err := array(obj["rows"], join(path, "rows"))
	if err != nil {
		return b, err
	}
	if len(rows) < len(ob.rows) {
		return b, jsonError(join(path, "rows"), "%s应至少有%d行（%s），实为%d行", ob.item, len(ob.rows), strings.Join(ob.rows, "、"), len(rows))
	}
	seen := map[string]bool{}
	for ri, rv := range rows {
		rpath := index(join(path, "rows"), ri)
		ro, err := object(rv, rpath, []string{"label", "values"}, nil)
		if err != nil {
			return b, err
		}
		label, err := str(ro["label"], join(rpath, "label"))
		if err != nil {
			return b, err
		}
		switch {
		case ri < len(ob.rows) && label != ob.rows[ri]:
			return b, jsonError(join(rpath, "label"), "此处应为“%s”，实为“%s”", ob.rows[ri], label)
		case strings.TrimSpace(label) == "":
			return b, jsonError(join(rpath, "label"), "行名称不能为空")
		case seen[label]:
			return b, jsonError(join(rpath, "label"), "行“%s”重复", label)
		}
		seen[label] = true
		vals, err := array(ro["values"], join(rpath, "values"))
		if err != nil {
			return b, err
		}
		if len(vals) != len(ob.columns)-1 {
			return b, jsonError(join(rpath, "values"), "应有%d个数值（%s），实为%d个",
				len(ob.columns)-1, strings.Join(ob.columns[1:], "/"), len(vals))
		}
		row := ProactiveRow{Label: label, Values: make([]Cell, len(vals))}
		for i, ev := range vals {
			if row.Values[i], err = amount(ev, index(join(rpath, "values"), i), allowsNegative(ob.columns[i+1])); err != nil {
				return b, err
			}
		}
		b.Rows = append(b.Rows, row)
	}
	return b, nil
}

// decodeRequests reads Table 三: every row of format exactly once, each with 7 counts.
func decodeRequests(v *jvalue, format string) (Requests, error) {
	obj, err := object(v, "requests", []string{"rows"}, nil)
	if err != nil {
		return Requests{}, err
	}
	rows, err := array(obj["rows"], "requests.rows")
	if err != nil {
		return Requests{}, err
	}
	keys := RequestRowKeys(format)
	q := Requests{Rows: make(map[string]Counts, len(keys))}
	for i, rv := range rows {
		path := index("requests.rows", i)
		ro, err := object(rv, path, []string{"key", "values"}, []string{"label"})
		if err != nil {
			return Requests{}, err
		}
		key, err := str(ro["key"], join(path, "key"))
		if err != nil {
			return Requests{}, err
		}
		switch {
		case slices.Contains(keys, key):
		case format == Format2021 && key == RowOther:
			// The single 其他处理 row that some 2021 reports keep from the 2019 layout.
		case slices.Contains(RequestRowKeys(otherFormat(format)), key):
			return Requests{}, jsonError(join(path, "key"), "“%s”是%s年格式的行，与 format“%s”不符", key, otherFormat(format), format)
		default:
			return Requests{}, jsonError(join(path, "key"), "未知的行“%s”", key)
		}
		if _, dup := q.Rows[key]; dup {
			return Requests{}, jsonError(join(path, "key"), "行“%s”重复", key)
		}
		if lv, ok := ro["label"]; ok {
			label, err := str(lv, join(path, "label"))
			if err != nil {
				return Requests{}, err
			}
			if label != RequestRowLabel(key) {
				return Requests{}, jsonError(join(path, "label"), "行“%s”的名称应为“%s”，实为“%s”", key, RequestRowLabel(key), label)
			}
		}
		vals, err := array(ro["values"], join(path, "values"))
		if err != nil {
			return Requests{}, err
		}
		if len(vals) != numCols {
			return Requests{}, jsonError(join(path, "values"), "行“%s”应有7个数值（6类申请人和总计），实为%d个", key, len(vals))
		}
		var row Counts
		for c, ev := range vals {
			if row[c], err = count(ev, index(join(path, "values"), c)); err != nil {
				return Requests{}, err
			}
		}
		q.Rows[key] = row
	}
	if _, ok := q.Rows[RowOther]; ok && !q.SingleOther(format) {
		return Requests{}, jsonError("requests.rows", "（六）其他处理应只填一行“三(六)”（2019年格式）或分为“三(六)1”至“三(六)3”三行，不能同时填写")
	}
	for _, k := range q.RowKeys(format) {
		if _, ok := q.Rows[k]; !ok {
			return Requests{}, jsonError("requests.rows", "缺少行“%s”（%s）", k, requestRowDisplay(k))
		}
	}
	return q, nil
}

// decodeReviewLitigation reads Table 四.
func decodeReviewLitigation(v *jvalue) (ReviewLitigation, error) {
	const path = "review_litigation"
	obj, err := object(v, path, []string{"行政复议", "行政诉讼"}, nil)
	if err != nil {
		return ReviewLitigation{}, err
	}
	var rl ReviewLitigation
	if rl.Reconsideration, err = decodeCases(obj["行政复议"], join(path, "行政复议")); err != nil {
		return rl, err
	}
	lit, err := object(obj["行政诉讼"], join(path, "行政诉讼"), []string{"未经复议直接起诉", "复议后起诉"}, nil)
	if err != nil {
		return rl, err
	}
	if rl.LitigationDirect, err = decodeCases(lit["未经复议直接起诉"], join(path, "行政诉讼.未经复议直接起诉")); err != nil {
		return rl, err
	}
	if rl.LitigationAfterReconsideration, err = decodeCases(lit["复议后起诉"], join(path, "行政诉讼.复议后起诉")); err != nil {
		return rl, err
	}
	return rl, nil
}

// decodeCases reads one block of Table 四: all five cells.
func decodeCases(v *jvalue, path string) (CaseCounts, error) {
	labels := caseColumnLabels()
	obj, err := object(v, path, labels[:], nil)
	if err != nil {
		return CaseCounts{}, err
	}
	var n [5]int
	for i, l := range labels {
		if n[i], err = count(obj[l], join(path, l)); err != nil {
			return CaseCounts{}, err
		}
	}
	return CaseCounts{Upheld: n[0], Corrected: n[1], Other: n[2], Pending: n[3], Total: n[4]}, nil
}
