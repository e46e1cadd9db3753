package report

import (
	"bytes"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// problemLines returns the problems as their String lines.
func problemLines(ps []Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// TestReadPrinted: testdata/printed2021.json is a 2021 report as offices publish it: the single
// 三(六) row of the 2019 layout, labels with their printed numbering and no keys, a typo, no org,
// no sections and no Table 二. It reads with warnings only and passes its checks.
func TestReadPrinted(t *testing.T) {
	e := Examine("printed2021.json", mustReadFile(t, "printed2021.json"), nil)
	want := []string{
		"警告：表二（proactive）：文件中没有表二（主动公开政府信息情况），按空表处理",
		"警告：表三 三(四)1行（requests.rows[12].label）：行名称与官方格式不同：应为“1.本机关不掌握相关政府信息”，实为“1.本机关不掌握相关正府信息”（按行“三(四)1”读取）",
	}
	if got := problemLines(e.Problems); !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(e.Failures) != 0 || !e.Passed() {
		t.Errorf("failures %v", e.Failures)
	}
	r := e.Report
	if r.Org != "" || r.Year != 2022 || r.Format != Format2021 || !r.Requests.SingleOther(r.Format) {
		t.Errorf("report %q %d %q single 三(六) %v", r.Org, r.Year, r.Format, r.Requests.SingleOther(r.Format))
	}
	if got := r.Requests.Row(RowOther); got != (Counts{2, 0, 0, 0, 0, 0, 2}) {
		t.Errorf("三(六) = %v", got)
	}
	if len(r.Proactive.Blocks) != 4 || r.Proactive.Blocks[0].Rows[1].Label != "行政规范性文件" || !r.Proactive.Blocks[0].Rows[1].Values[0].Blank {
		t.Errorf("Table 二 of a report without it: %+v", r.Proactive)
	}
	r.Org = "某区某局"
	for _, format := range []string{"html", "csv", "xlsx", "json"} {
		if _, err := Render(io.Discard, r, format); err != nil {
			t.Errorf("Render %s: %v", format, err)
		}
	}
}

func TestNormalizeLabel(t *testing.T) {
	tests := []struct {
		label, official string
		same            bool
	}{
		{"一、本年新收政府信息公开申请数量", "本年新收政府信息公开申请数量", true},
		{"（一）予以公开", "予以公开", true},
		{"(一)予以公开", "予以公开", true},
		{"1.属于国家秘密", "属于国家秘密", true},
		{"1、属于国家秘密", "属于国家秘密", true},
		{"3.危及\"三安全一稳定\"", "危及“三安全一稳定”", true},
		{"（二）部分公开(区分处理的，只计这一情形，不计其他情形)", "部分公开（区分处理的，只计这一情形，不计其他情形）", true},
		{" 重复 申请 ", "重复申请", true},
		{"第二十条第(一)项", "第二十条第（一）项", true},
		{"本机关不掌握相关正府信息", "本机关不掌握相关政府信息", false},
		{"公开", "予以公开", false},
	}
	lenient := &decoder{lenient: true}
	for _, tt := range tests {
		if got := lenient.same(tt.label, tt.official); got != tt.same {
			t.Errorf("same(%q, %q) = %v, want %v", tt.label, tt.official, got, tt.same)
		}
	}
}

// TestExamineCollectsEverything: reading problems and check failures come back together, each
// naming its cell, instead of the first reading problem alone.
func TestExamineCollectsEverything(t *testing.T) {
	doc := mustEditJSON(t, mustReadFile(t, "printed2021.json"), func(m map[string]any) {
		rows := at(m, "requests", "rows").([]any)
		rows[2].(map[string]any)["values"].([]any)[0] = "十二"                         // 三(一) 自然人
		rows[3].(map[string]any)["values"].([]any)[6] = -1                           // 三(二) 总计
		rows[15].(map[string]any)["values"] = []any{1, 0, 0, 0, 0, 0}                // 三(五)1: six values
		at(m, "review_litigation", "行政复议").(map[string]any)["总计"] = 0                // Table 四 total left at 0
		at(m, "review_litigation", "行政诉讼").(map[string]any)["二审"] = map[string]any{} // unknown block
		m["format"] = "2022"
	})
	e := Examine("x.json", doc, nil)
	got := problemLines(Errors(e.Problems))
	want := []string{
		"错误：format：未知的年度报告格式“2022”（应为“2019”或“2021”）",
		"错误：表三 三(一)行 自然人列（requests.rows[2].values[0]）：应为数值，实为字符串",
		"错误：表三 三(二)行 总计列（requests.rows[3].values[6]）：件数不能为负数（-1）",
		"错误：表三（requests.rows[15].values）：行“三(五)1”应有7个数值（6类申请人和总计），实为6个",
	}
	if !slices.Equal(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var cells []string
	for _, f := range e.Failures {
		cells = append(cells, f.Table+" "+f.Cell)
	}
	wantCells := []string{"表三 三(一)/总计", "表三 三(二)/总计", "表三 三(七)/自然人", "表三 三(七)/总计", "表四 行政复议/总计"}
	if !slices.Equal(cells, wantCells) {
		t.Errorf("failures %v, want %v", cells, wantCells)
	}
	if e.Passed() || e.Errors() != len(want)+len(wantCells) {
		t.Errorf("Passed %v, Errors %d", e.Passed(), e.Errors())
	}
}

// TestReadRoundTrip: a report rendered as XLSX or CSV, or written as JSON, reads back with Read
// to the same report (XLSX and CSV hold no text sections), without problems.
func TestReadRoundTrip(t *testing.T) {
	reports := []struct {
		name string
		rep  *Report
	}{
		{"seed 2020", mustSeedReport(t)},
		{"2021 with blanks and extra rows", mustReport2021(t)},
		{"2021 with the single 三(六) row", mustSingleOther2021(t)},
	}
	for _, tt := range reports {
		for _, format := range []string{"json", "xlsx", "csv"} {
			t.Run(tt.name+" "+format, func(t *testing.T) {
				var buf bytes.Buffer
				if _, err := Render(&buf, tt.rep, format); err != nil {
					t.Fatalf("Render: %v", err)
				}
				got, problems := Read("report."+format, buf.Bytes())
				want := *tt.rep
				if format != "json" {
					want.Sections = map[string]string{}
				}
				if len(problems) != 0 {
					t.Errorf("problems:\n%s", strings.Join(problemLines(problems), "\n"))
				}
				if !reflect.DeepEqual(got, &want) {
					t.Errorf("read back differs:\n got %+v\nwant %+v", got, &want)
				}
			})
		}
	}
}

// TestReadXLSXNamesCells: problems in a workbook name the sheet and cell.
func TestReadXLSXNamesCells(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderXLSX(&buf, mustReport2021(t)); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	const sheet = "表三 依申请公开"
	for ref, v := range map[string]string{"C8": "1.属于国家秘审", "D4": "十", "J5": "2"} {
		if err := f.SetCellStr(sheet, ref, v); err != nil {
			t.Fatal(err)
		}
	}
	var edited bytes.Buffer
	if err := f.Write(&edited); err != nil {
		t.Fatal(err)
	}
	e := Examine("edited.xlsx", edited.Bytes(), nil)
	want := []string{
		"错误：表三 一行 自然人列（表三 依申请公开!D4）：应为数值，实为“十”",
		"警告：表三 三(三)1行（表三 依申请公开!C8）：行名称与官方格式不同：应为“1.属于国家秘密”，实为“1.属于国家秘审”（按行“三(三)1”读取）",
	}
	if got := problemLines(e.Problems); !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(e.Failures) == 0 {
		t.Error("no failures for the edited figures")
	}
}

// TestReadCSVGroupRows: a CSV made by hand that gives the group headings of Table 三 rows of
// their own ("三、本年度办理结果", "（三）不予公开", …) reads by position once those are left out.
func TestReadCSVGroupRows(t *testing.T) {
	want := mustReport2021(t)
	var b strings.Builder
	b.WriteString(want.Title() + "\n三、收到和处理政府信息公开申请情况\n说明,,,申请人情况\n,,,自然人,法人或其他组织,,,,,总计\n,,,,商业企业,科研机构,社会公益组织,法律服务机构,其他,\n")
	for _, k := range RequestRowKeys(Format2021) {
		switch k {
		case "三(一)":
			b.WriteString("三、本年度办理结果,,,,,,,,,\n")
		case "三(三)1", "三(四)1", "三(五)1", "三(六)1":
			b.WriteString(requestRowDisplay(requestGroup(k)) + "\n")
		}
		b.WriteString(requestRowDisplay(k) + ",,")
		for _, n := range want.Requests.Row(k) {
			b.WriteString("," + strconv.Itoa(n))
		}
		b.WriteString("\n")
	}
	b.WriteString("四、政府信息公开行政复议、行政诉讼情况\n行政复议,,,,,行政诉讼\n\n\n1,0,0,1,2,0,0,0,0,0,0,0,0,0,0\n")
	got, problems := Read("hand.csv", []byte(b.String()))
	if errs := Errors(problems); len(errs) != 0 {
		t.Fatalf("errors:\n%s", strings.Join(problemLines(errs), "\n"))
	}
	if !reflect.DeepEqual(got.Requests, want.Requests) || got.ReviewLitigation != want.ReviewLitigation {
		t.Errorf("read %+v %+v\nwant %+v %+v", got.Requests, got.ReviewLitigation, want.Requests, want.ReviewLitigation)
	}
}

// FuzzRead: Read never panics, returns a report or an error, and reads whatever ReadJSON
// accepts to the same report without problems.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"seed2020.json", "broken.json", "printed2021.json", "seed2020.csv"} {
		f.Add(mustReadFile(f, name))
	}
	var buf bytes.Buffer
	if err := RenderCSV(&buf, mustSingleOther2021(f)); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("标题\n三、收到和处理政府信息公开申请情况\n\"a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, problems := Read("fuzz", data)
		if rep == nil && len(Errors(problems)) == 0 {
			t.Fatal("no report and no error")
		}
		if rep != nil {
			Check(rep, nil)
		}
		strict, err := ReadJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		if len(problems) != 0 || !reflect.DeepEqual(rep, strict) {
			t.Errorf("Read differs from ReadJSON: %v\n got %+v\nwant %+v", problemLines(problems), rep, strict)
		}
	})
}
