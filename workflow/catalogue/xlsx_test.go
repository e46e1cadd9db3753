package catalogue

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func sheet(t *testing.T, rows ...[]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i, r := range rows {
		cells := make([]any, len(r))
		for j, v := range r {
			cells[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestParseXLSX: a row is checked as a YAML item is, its problems named by row; the columns must
// come in XLSXColumns order; list cells split on lines and "；".
func TestParseXLSX(t *testing.T) {
	good := []string{"A-1", "通用事项", "机构信息", "机构职能", "机构名称\n主要职能", "《条例》", "3个工作日内", "办公室",
		"政府网站；公开查阅点", "全社会", "主动", "管理"}
	items, err := ParseXLSX("a.xlsx", sheet(t, XLSXColumns, good, nil, good[:3]))
	if err == nil {
		t.Fatal("an incomplete row was taken")
	}
	msg := err.Error()
	for _, want := range []string{"a.xlsx:4: 事项 A-1 缺少 level2（二级事项）", "a.xlsx:4: 事项 A-1 缺少 content"} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in %s", want, msg)
		}
	}
	items, err = ParseXLSX("a.xlsx", sheet(t, XLSXColumns, good))
	if err != nil || len(items) != 1 {
		t.Fatalf("%v %v", items, err)
	}
	it := items[0]
	if it.Line != 2 || len(it.Content) != 2 || len(it.Channels) != 2 || it.TimeLimit.Kind != "working" || it.TimeLimit.Days != 3 || it.Area != "通用事项" {
		t.Fatalf("item %+v", it)
	}
	swapped := append([]string(nil), XLSXColumns...)
	swapped[2], swapped[3] = swapped[3], swapped[2]
	if _, err := ParseXLSX("a.xlsx", sheet(t, swapped, good)); err == nil || !strings.Contains(err.Error(), "a.xlsx:1: 第 3 列应为“一级事项”") {
		t.Fatalf("swapped columns: %v", err)
	}
	if _, err := ParseXLSX("a.xlsx", []byte("not a spreadsheet")); err == nil || !strings.Contains(err.Error(), "无法读取 Excel 文件") {
		t.Fatalf("not xlsx: %v", err)
	}
}
