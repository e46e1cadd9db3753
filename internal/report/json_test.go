package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// mustWriteJSON writes r with WriteJSON.
func mustWriteJSON(tb testing.TB, r *Report) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := WriteJSON(&buf, r); err != nil {
		tb.Fatalf("WriteJSON: %v", err)
	}
	return buf.Bytes()
}

// mustEditJSON decodes doc, applies edit to the generic value and encodes it again.
func mustEditJSON(tb testing.TB, doc []byte, edit func(m map[string]any)) []byte {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		tb.Fatalf("unmarshal: %v", err)
	}
	edit(m)
	b, err := json.Marshal(m)
	if err != nil {
		tb.Fatalf("marshal: %v", err)
	}
	return b
}

// at walks a generic JSON value along keys (string for objects, int for arrays).
func at(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			v = v.(map[string]any)[k]
		case int:
			v = v.([]any)[k]
		}
	}
	return v
}

// mustReport2021 returns a consistent 2021 report with a blank cell, a decimal, a negative
// change and a locally configured row.
func mustReport2021(tb testing.TB) *Report {
	tb.Helper()
	r, err := New("测试局", 2021)
	if err != nil {
		tb.Fatal(err)
	}
	r.Sections[SectionOverview] = "第一段。\n第二段 <b>不是标签</b> & 符号。"
	if err := r.Proactive.Set("第二十条第（六）项", "行政处罚", Cell{Blank: true}); err != nil {
		tb.Fatal(err)
	}
	if err := r.Proactive.Set("第二十条第（八）项", "行政事业性收费", Num(12.75)); err != nil {
		tb.Fatal(err)
	}
	if err := r.Proactive.Set("第二十条第（一）项", "其他主动公开文件", Num(4), Num(0), Num(9)); err != nil {
		tb.Fatal(err)
	}
	r.Requests = TallyRequests(Format2021, 2021, handMadeYear(tb))
	r.ReviewLitigation = ReviewLitigation{Reconsideration: CaseCounts{Upheld: 1, Pending: 1, Total: 2}}
	return r
}

// mustSingleOther2021 returns mustReport2021 with 三(六)1 to 三(六)3 merged into the single
// 三(六) 其他处理 row of the 2019 layout, as some published 2021 reports keep it.
func mustSingleOther2021(tb testing.TB) *Report {
	tb.Helper()
	r := mustReport2021(tb)
	var other Counts
	for _, k := range []string{"三(六)1", "三(六)2", "三(六)3"} {
		for c, n := range r.Requests.Rows[k] {
			other[c] += n
		}
		delete(r.Requests.Rows, k)
	}
	r.Requests.Rows[RowOther] = other
	return r
}

func TestJSONRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		rep  *Report
	}{
		{"seed 2020", mustSeedReport(t)},
		{"2021 with blanks and extra rows", mustReport2021(t)},
		{"2021 with the single 三(六) row", mustSingleOther2021(t)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first := mustWriteJSON(t, tt.rep)
			got, err := ReadJSON(bytes.NewReader(first))
			if err != nil {
				t.Fatalf("ReadJSON: %v", err)
			}
			if !reflect.DeepEqual(got, tt.rep) {
				t.Errorf("read back differs:\n got %+v\nwant %+v", got, tt.rep)
			}
			if second := mustWriteJSON(t, got); !bytes.Equal(first, second) {
				t.Errorf("second write differs:\n%s", firstDiff(string(second), string(first)))
			}
		})
	}
}

func TestReadJSONNullAndExtras(t *testing.T) {
	doc := mustEditJSON(t, mustWriteJSON(t, mustSeedReport(t)), func(m map[string]any) {
		row := at(m, "requests", "rows", 1).(map[string]any)
		row["values"] = []any{nil, nil, nil, nil, nil, nil, nil}
		delete(row, "label")
		block := at(m, "proactive", "blocks", 1).(map[string]any)
		block["rows"] = append(block["rows"].([]any), map[string]any{"label": "其他主动公开文件", "values": []any{2, -1, nil}})
		at(m, "review_litigation", "行政复议").(map[string]any)["总计"] = nil
	})
	r, err := ReadJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("ReadJSON: %v", err)
	}
	if got := r.Requests.Row(RowCarriedIn); got != (Counts{}) {
		t.Errorf("null counts: got %v, want zeros", got)
	}
	extra := r.Proactive.Blocks[1].Rows[2]
	want := ProactiveRow{Label: "其他主动公开文件", Values: []Cell{Num(2), Num(-1), {Blank: true}}}
	if !reflect.DeepEqual(extra, want) {
		t.Errorf("extra row: got %+v, want %+v", extra, want)
	}
}

func TestReadJSONRejects(t *testing.T) {
	seed := mustWriteJSON(t, mustSeedReport(t))
	edit := func(f func(m map[string]any)) []byte { return mustEditJSON(t, seed, f) }
	rows := func(m map[string]any) []any { return at(m, "requests", "rows").([]any) }
	row := func(m map[string]any, i int) map[string]any { return rows(m)[i].(map[string]any) }
	block := func(m map[string]any, i int) map[string]any { return at(m, "proactive", "blocks", i).(map[string]any) }
	tests := []struct {
		name string
		doc  []byte
		want string
	}{
		{"empty", nil, "年度报告 JSON 有误：文件为空"},
		{"truncated", seed[:len(seed)/2], "年度报告 JSON 有误：文件不完整（意外结束）"},
		{"syntax", []byte(`{"org" "测试局"}`), "年度报告 JSON 有误：第7字节处语法错误"},
		{"trailing", append(append([]byte{}, seed...), "{}"...), "之后还有多余内容"},
		{"repeated key", []byte(`{"org": "甲", "org": "乙"}`), "的键“org”重复"},
		{"too deep", []byte(strings.Repeat("[", 40) + strings.Repeat("]", 40)), "嵌套过深"},
		{"not an object", []byte(`[]`), "（顶层）：应为对象，实为数组"},
		{"unknown key", edit(func(m map[string]any) { m["author"] = "x" }), "（顶层）：未知的键“author”"},
		{"missing key", edit(func(m map[string]any) { delete(m, "requests") }), "（顶层）：缺少键“requests”"},
		{"empty org", edit(func(m map[string]any) { m["org"] = " " }), "org：机关名称不能为空"},
		{"year as text", edit(func(m map[string]any) { m["year"] = "2020" }), "year：应为数值，实为字符串"},
		{"fractional year", edit(func(m map[string]any) { m["year"] = 2020.5 }), "year：应为年份（整数），实为2020.5"},
		{"year before 2019", edit(func(m map[string]any) { m["year"] = 2018 }), "year：2018年的年度报告不适用现行年度报告格式"},
		{"unknown format", edit(func(m map[string]any) { m["format"] = "2020" }), "format：未知的年度报告格式“2020”"},
		{"format of another year", edit(func(m map[string]any) { m["format"] = "2021" }), "format：2020年度报告应使用“2019”格式，实为“2021”"},
		{"unknown section", edit(func(m map[string]any) { at(m, "sections").(map[string]any)["二"] = "x" }), "sections：未知的键“二”"},
		{"section not text", edit(func(m map[string]any) { at(m, "sections").(map[string]any)["六"] = 1 }), "sections.六：应为字符串，实为数值"},
		{"six values", edit(func(m map[string]any) { row(m, 2)["values"] = []any{1, 2, 3, 4, 5, 6} }),
			"requests.rows[2].values：行“三(一)”应有7个数值（6类申请人和总计），实为6个"},
		{"negative count", edit(func(m map[string]any) { row(m, 0)["values"].([]any)[0] = -1 }),
			"requests.rows[0].values[0]：件数不能为负数（-1）"},
		{"fractional count", edit(func(m map[string]any) { row(m, 0)["values"].([]any)[4] = 1.5 }),
			"requests.rows[0].values[4]：件数应为整数，实为1.5"},
		{"count as text", edit(func(m map[string]any) { row(m, 0)["values"].([]any)[6] = "26" }),
			"requests.rows[0].values[6]：应为数值，实为字符串"},
		{"huge count", edit(func(m map[string]any) { row(m, 0)["values"].([]any)[6] = 1e12 }),
			"requests.rows[0].values[6]：数值过大"},
		{"unknown row", edit(func(m map[string]any) { row(m, 3)["key"] = "三(九)"; delete(row(m, 3), "label") }),
			"requests.rows[3].key：未知的行“三(九)”"},
		{"row of the 2021 format", edit(func(m map[string]any) { row(m, 20)["key"] = "三(六)1"; delete(row(m, 20), "label") }),
			"requests.rows[20].key：“三(六)1”是2021年格式的行，与 format“2019”不符"},
		{"missing row", edit(func(m map[string]any) { at(m, "requests").(map[string]any)["rows"] = rows(m)[:22] }),
			"requests.rows：缺少行“四”（四、结转下年度继续办理）"},
		{"2021 rows 三(六) and 三(六)1", mustEditJSON(t, mustWriteJSON(t, mustReport2021(t)), func(m map[string]any) {
			r := at(m, "requests", "rows", 20).(map[string]any)
			r["key"], r["label"] = "三(六)", "其他处理"
		}), "requests.rows：（六）其他处理应只填一行“三(六)”（2019年格式）或分为“三(六)1”至“三(六)3”三行，不能同时填写"},
		{"repeated row", edit(func(m map[string]any) { row(m, 1)["key"] = "一"; row(m, 1)["label"] = RequestRowLabel("一") }),
			"requests.rows[1].key：行“一”重复"},
		{"wrong label", edit(func(m map[string]any) { row(m, 2)["label"] = "公开" }),
			"requests.rows[2].label：行“三(一)”的名称应为“予以公开”，实为“公开”"},
		{"unknown key in row", edit(func(m map[string]any) { row(m, 0)["note"] = "x" }),
			"requests.rows[0]：未知的键“note”"},
		{"missing case cell", edit(func(m map[string]any) { delete(at(m, "review_litigation", "行政复议").(map[string]any), "总计") }),
			"review_litigation.行政复议：缺少键“总计”"},
		{"negative case cell", edit(func(m map[string]any) {
			at(m, "review_litigation", "行政诉讼", "复议后起诉").(map[string]any)["尚未审结"] = -2
		}),
			"review_litigation.行政诉讼.复议后起诉.尚未审结：件数不能为负数（-2）"},
		{"unknown case block", edit(func(m map[string]any) {
			at(m, "review_litigation", "行政诉讼").(map[string]any)["二审"] = map[string]any{}
		}),
			"review_litigation.行政诉讼：未知的键“二审”"},
		{"missing block", edit(func(m map[string]any) {
			p := at(m, "proactive").(map[string]any)
			p["blocks"] = p["blocks"].([]any)[:4]
		}), "proactive.blocks：2019年格式的表二应有5项，实为4项"},
		{"block of another item", edit(func(m map[string]any) { block(m, 1)["item"] = "第二十条第（七）项" }),
			"proactive.blocks[1].item：2019年格式此处应为“第二十条第（五）项”，实为“第二十条第（七）项”"},
		{"columns of the 2021 format", edit(func(m map[string]any) {
			block(m, 0)["columns"] = []any{"信息内容", "本年制发件数", "本年废止件数", "现行有效件数"}
		}), "proactive.blocks[0].columns：2019年格式第二十条第（一）项的列应为“信息内容/本年新制作数量/本年新公开数量/对外公开总数量”"},
		{"official row renamed", edit(func(m map[string]any) { block(m, 0)["rows"].([]any)[0].(map[string]any)["label"] = "地方性法规" }),
			"proactive.blocks[0].rows[0].label：此处应为“规章”，实为“地方性法规”"},
		{"official row missing", edit(func(m map[string]any) { block(m, 0)["rows"] = block(m, 0)["rows"].([]any)[:1] }),
			"proactive.blocks[0].rows：第二十条第（一）项应至少有2行（规章、规范性文件），实为1行"},
		{"proactive value count", edit(func(m map[string]any) { block(m, 4)["rows"].([]any)[0].(map[string]any)["values"] = []any{1} }),
			"proactive.blocks[4].rows[0].values：应有2个数值（采购项目数量/采购总金额），实为1个"},
		{"negative amount", edit(func(m map[string]any) { block(m, 4)["rows"].([]any)[0].(map[string]any)["values"] = []any{1, -0.5} }),
			"proactive.blocks[4].rows[0].values[1]：该列不能为负数（-0.5）"},
		{"repeated extra row", edit(func(m map[string]any) {
			b := block(m, 3)
			b["rows"] = append(b["rows"].([]any), map[string]any{"label": "行政事业性收费", "values": []any{0, 0}})
		}), "proactive.blocks[3].rows[1].label：行“行政事业性收费”重复"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadJSON(bytes.NewReader(tt.doc))
			if err == nil {
				t.Fatalf("ReadJSON accepted it, want error %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\n does not contain %q", err, tt.want)
			}
		})
	}
}

func TestWriteJSONRejectsInvalidReport(t *testing.T) {
	tests := []struct {
		name string
		edit func(r *Report)
		want string
	}{
		{"unknown section", func(r *Report) { r.Sections["七"] = "x" }, "sections：未知的键“七”"},
		{"row of another format", func(r *Report) { r.Requests.Rows["三(六)3"] = Counts{} }, "“三(六)3”是2021年格式的行"},
		{"no Table 二", func(r *Report) { r.Proactive = Proactive{} }, "proactive.blocks：2019年格式的表二应有5项，实为0项"},
		{"negative count", func(r *Report) { r.ReviewLitigation.Reconsideration.Other = -1 }, "件数不能为负数（-1）"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustSeedReport(t)
			tt.edit(r)
			var buf bytes.Buffer
			err := WriteJSON(&buf, r)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("WriteJSON error = %v, want one containing %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("WriteJSON wrote %d bytes on error", buf.Len())
			}
		})
	}
}

func FuzzCheckJSON(f *testing.F) {
	f.Add(mustReadFile(f, "seed2020.json"))
	f.Add(mustReadFile(f, "broken.json"))
	f.Add([]byte(`{"org":"甲","year":2021,"format":"2021"}`))
	f.Add([]byte(`{"requests":{"rows":[{"key":"一","values":[1,2,3,4,5,6,null]}]}}`))
	f.Add([]byte(`[[[[{"a":1e400}]]]]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fs, err := CheckJSON(bytes.NewReader(data))
		if err != nil {
			if fs != nil {
				t.Errorf("failures %v returned with error %v", fs, err)
			}
			return
		}
		// A file that reads must write and read back to the same report.
		r, err := ReadJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("CheckJSON accepted what ReadJSON rejects: %v", err)
		}
		var buf bytes.Buffer
		if err := WriteJSON(&buf, r); err != nil {
			t.Fatalf("WriteJSON of a report ReadJSON accepted: %v", err)
		}
		again, err := ReadJSON(&buf)
		if err != nil {
			t.Fatalf("ReadJSON of WriteJSON output: %v", err)
		}
		if !reflect.DeepEqual(r, again) {
			t.Errorf("round trip differs:\n got %+v\nwant %+v", again, r)
		}
	})
}
