package catalogue

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
	"gopkg.in/yaml.v3"

	"wugongkai/workflow"
)

// XLSXColumns are the columns of a catalogue spreadsheet, in order: the first row of the sheet
// names them, and each further row is one item. A list cell (公开内容, 公开依据, 公开渠道和载体) holds
// one entry a line (or entries separated by "；").
var XLSXColumns = []string{"编码", "领域", "一级事项", "二级事项", "公开内容（要素）", "公开依据", "公开时限", "公开主体",
	"公开渠道和载体", "公开对象", "公开方式", "五公开类别"}

// Row is one item as a spreadsheet row or a form gives it.
type Row struct {
	Code, Area, Level1, Level2 string
	Content, Basis             []string
	TimeLimit, Subject         string
	Channels                   []string
	Audience, Mode, Category   string
}

// ParseRow checks one item given as a row (line: its row, for the messages) exactly as an item of
// a catalogue file is checked, and returns it.
func ParseRow(name string, line int, r Row) (Item, error) {
	f := &file{name: name}
	n := &yaml.Node{Kind: yaml.MappingNode, Line: line}
	add := func(key string, v any) {
		k := &yaml.Node{Kind: yaml.ScalarNode, Value: key, Line: line}
		switch x := v.(type) {
		case string:
			if strings.TrimSpace(x) == "" {
				return
			}
			n.Content = append(n.Content, k, &yaml.Node{Kind: yaml.ScalarNode, Value: x, Line: line})
		case []string:
			seq := &yaml.Node{Kind: yaml.SequenceNode, Line: line}
			for _, e := range x {
				if e = strings.TrimSpace(e); e != "" {
					seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: e, Line: line})
				}
			}
			if len(seq.Content) > 0 {
				n.Content = append(n.Content, k, seq)
			}
		}
	}
	add("code", r.Code)
	add("level1", r.Level1)
	add("level2", r.Level2)
	add("content", r.Content)
	add("basis", r.Basis)
	add("time_limit", r.TimeLimit)
	add("subject", r.Subject)
	add("channels", r.Channels)
	add("audience", r.Audience)
	add("mode", r.Mode)
	add("category", r.Category)
	area := strings.Join(strings.Fields(r.Area), " ")
	if area == "" {
		f.missing(n, "area", strings.TrimSpace(r.Code))
	}
	it, _ := f.item(n, area)
	if len(f.errs) > 0 {
		return it, f.errs
	}
	return it, nil
}

// splitList splits a list cell: one entry a line, or entries separated by "；" or ";".
func splitList(cell string) []string {
	return strings.FieldsFunc(cell, func(r rune) bool { return r == '\n' || r == '\r' || r == '；' || r == ';' })
}

// ParseXLSX reads a catalogue spreadsheet: its first sheet, whose first row names XLSXColumns in
// order, one item a row after it (empty rows are skipped). Each problem is reported as
// name:row: message; the error is workflow.ConfigErrors.
func ParseXLSX(name string, data []byte) ([]Item, error) {
	xf, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, workflow.ConfigErrors{{File: name, Message: "无法读取 Excel 文件（须为 .xlsx）：" + err.Error()}}
	}
	defer xf.Close()
	sheets := xf.GetSheetList()
	if len(sheets) == 0 {
		return nil, workflow.ConfigErrors{{File: name, Message: "Excel 文件没有工作表"}}
	}
	rows, err := xf.GetRows(sheets[0])
	if err != nil {
		return nil, workflow.ConfigErrors{{File: name, Message: "无法读取工作表：" + err.Error()}}
	}
	var errs workflow.ConfigErrors
	if len(rows) == 0 {
		return nil, workflow.ConfigErrors{{File: name, Line: 1, Message: "工作表为空；第一行应为列名：" + strings.Join(XLSXColumns, "、")}}
	}
	for i, want := range XLSXColumns {
		got := ""
		if i < len(rows[0]) {
			got = strings.TrimSpace(rows[0][i])
		}
		if got != want {
			errs = append(errs, workflow.ConfigError{File: name, Line: 1,
				Message: fmt.Sprintf("第 %d 列应为“%s”，而不是“%s”（列的顺序：%s）", i+1, want, got, strings.Join(XLSXColumns, "、"))})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var items []Item
	for i, cells := range rows[1:] {
		line := i + 2
		cell := func(k int) string {
			if k < len(cells) {
				return strings.TrimSpace(cells[k])
			}
			return ""
		}
		if strings.TrimSpace(strings.Join(cells, "")) == "" {
			continue
		}
		it, err := ParseRow(name, line, Row{Code: cell(0), Area: cell(1), Level1: cell(2), Level2: cell(3),
			Content: splitList(cell(4)), Basis: splitList(cell(5)), TimeLimit: cell(6), Subject: cell(7),
			Channels: splitList(cell(8)), Audience: cell(9), Mode: cell(10), Category: cell(11)})
		errs = appendErrors(errs, err)
		if it.Code != "" {
			items = append(items, it)
		}
	}
	if len(items) == 0 && len(errs) == 0 {
		errs = append(errs, workflow.ConfigError{File: name, Line: 2, Message: "工作表中没有事项"})
	}
	if len(errs) > 0 {
		return items, errs
	}
	return items, nil
}
