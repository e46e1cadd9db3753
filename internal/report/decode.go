package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
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
