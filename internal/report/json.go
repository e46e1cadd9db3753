package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
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
	if _, err := decodeStrict(root); err != nil {
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
// 0. A 2021 report may keep the single 三(六) row of the 2019 layout (see Requests.SingleOther).
// The error message is Chinese and names the place in the file of the first problem, e.g.
// "requests.rows[4].values". Read reads reports made elsewhere leniently and reports every problem.
func ReadJSON(r io.Reader) (*Report, error) {
	root, err := parseJSON(r)
	if err != nil {
		return nil, err
	}
	return decodeStrict(root)
}

// decodeStrict builds the Report from a parsed file that must be exactly in the form WriteJSON
// writes, and returns the first problem as the error.
func decodeStrict(root *jvalue) (*Report, error) {
	d := &decoder{}
	rep := d.report(root)
	if err := d.err(); err != nil {
		return nil, err
	}
	return rep, nil
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
	at   string // where the value stands in a spreadsheet ("表三 依申请公开!D7"); "" for JSON
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
