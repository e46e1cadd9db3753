package catalogue_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"wugongkai/configs"
	"wugongkai/workflow"
	"wugongkai/workflow/catalogue"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func mustCalendar(tb testing.TB) *workflow.Calendar {
	tb.Helper()
	cal, err := workflow.LoadCalendar(configs.Holidays())
	if err != nil {
		tb.Fatal(err)
	}
	return cal
}

func mustShipped(tb testing.TB) []catalogue.Item {
	tb.Helper()
	items, err := catalogue.LoadDir(configs.Catalogue())
	if err != nil {
		tb.Fatalf("shipped catalogue: %v", err)
	}
	return items
}

func mustDate(tb testing.TB, s string) workflow.Date {
	tb.Helper()
	d, err := workflow.ParseDate(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// TestShippedCatalogue: the embedded catalogue loads, numbers its items in file order, and has the
// general items and the housing bureau's four areas, with every 五公开 category and rule kind used.
func TestShippedCatalogue(t *testing.T) {
	items := mustShipped(t)
	areas := map[string]bool{}
	cats := map[string]bool{}
	kinds := map[string]bool{}
	for i, it := range items {
		if it.Seq != i+1 {
			t.Fatalf("item %s has seq %d, want %d", it.Code, it.Seq, i+1)
		}
		areas[it.Area] = true
		cats[it.Category] = true
		kinds[it.TimeLimit.Kind] = true
	}
	for _, a := range []string{"通用事项", "国有土地上房屋征收与补偿", "保障性住房", "农村危房改造", "市政服务"} {
		if !areas[a] {
			t.Errorf("no item of area %s", a)
		}
	}
	for _, c := range catalogue.Categories {
		if !cats[c] {
			t.Errorf("no item of category %s", c)
		}
	}
	for _, k := range []string{catalogue.Working, catalogue.Calendar, catalogue.Prompt, catalogue.Standing, catalogue.Annual} {
		if !kinds[k] {
			t.Errorf("no item with a %s time limit", k)
		}
	}
	if items[0].Code != "TY-01" || items[0].File != "01-general.yaml" || items[0].Line == 0 {
		t.Errorf("first item = %+v", items[0])
	}
}

// TestBadCatalogue: a catalogue with a missing field, an unknown category, an unparseable time
// limit, two rules in one time limit, an unknown channel and 公开对象, an unknown key and a code
// given twice (in another file) is refused whole, every problem listed with its file and line.
func TestBadCatalogue(t *testing.T) {
	items, err := catalogue.LoadDir(os.DirFS("testdata/bad"))
	if err == nil || items != nil {
		t.Fatalf("bad catalogue loaded: %v", items)
	}
	if _, ok := err.(workflow.ConfigErrors); !ok {
		t.Fatalf("error %T, want workflow.ConfigErrors", err)
	}
	golden(t, filepath.Join("testdata", "bad.err"), err.Error()+"\n")
}

func golden(t *testing.T, file, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("got\n%s\nwant (%s)\n%s", got, file, want)
	}
}

// TestParseFileProblems: each malformed shape is one message on its line.
func TestParseFileProblems(t *testing.T) {
	for _, tc := range []struct{ name, data, want string }{
		{"syntax", "area: [\n", "f.yaml: YAML 格式错误"},
		{"empty", "", "f.yaml: 文件为空"},
		{"not a mapping", "- 1\n", "f.yaml:1: 标准目录文件应为键值对"},
		{"no items", "area: 甲\n", "f.yaml:1: 缺少 items"},
		{"empty items", "area: 甲\nitems: []\n", "f.yaml:2: items 应为事项列表"},
		{"no area", "items:\n  - code: A\n", "f.yaml:1: 缺少 area"},
		{"item not a mapping", "area: 甲\nitems:\n  - 1\n", "f.yaml:3: 事项应为键值对"},
		{"bad code", "area: 甲\nitems:\n  - code: 甲乙\n", "f.yaml:3: 编码“甲乙”只能由"},
		{"content not a list", "area: 甲\nitems:\n  - code: A\n    content: {a: 1}\n", "f.yaml:4: content 应为列表"},
		{"empty element", "area: 甲\nitems:\n  - code: A\n    basis: [\"\"]\n", "f.yaml:4: basis 的每一项应为一段不空的文字"},
		{"repeated key", "area: 甲\nitems:\n  - code: A\n    code: B\n", "f.yaml:4: 事项中的键 code 重复"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := catalogue.ParseFile("f.yaml", []byte(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
	if _, err := catalogue.LoadDir(os.DirFS(t.TempDir())); err == nil || !strings.Contains(err.Error(), "标准目录为空") {
		t.Fatalf("empty directory: %v", err)
	}
}

// TestParseTimeLimit reads each way a catalogue prints a time limit, and refuses texts that say
// nothing countable or two things at once.
func TestParseTimeLimit(t *testing.T) {
	for _, tc := range []struct {
		text string
		want catalogue.TimeLimit
		rule string
	}{
		{"信息形成或者变更之日起20个工作日内", catalogue.TimeLimit{Kind: catalogue.Working, Days: 20}, "20个工作日"},
		{"信息获取(形成变更)20个工作日内", catalogue.TimeLimit{Kind: catalogue.Working, Days: 20}, "20个工作日"},
		{"3个工作日内", catalogue.TimeLimit{Kind: catalogue.Working, Days: 3}, "3个工作日"},
		{"20 工作日", catalogue.TimeLimit{Kind: catalogue.Working, Days: 20}, "20个工作日"},
		{"财政部门批复后20日内", catalogue.TimeLimit{Kind: catalogue.Calendar, Days: 20}, "20日（自然日）"},
		{"15天内", catalogue.TimeLimit{Kind: catalogue.Calendar, Days: 15}, "15日（自然日）"},
		{"实时公开", catalogue.TimeLimit{Kind: catalogue.Prompt}, "实时/及时（当日或下一个工作日）"},
		{"作出房屋征收决定后及时公告", catalogue.TimeLimit{Kind: catalogue.Prompt}, "实时/及时（当日或下一个工作日）"},
		{"长期公开", catalogue.TimeLimit{Kind: catalogue.Standing}, "长期公开"},
		{"常态化公开", catalogue.TimeLimit{Kind: catalogue.Standing}, "长期公开"},
		{"每年1月31日前", catalogue.TimeLimit{Kind: catalogue.Annual, Month: 1, Day: 31}, "每年1月31日前"},
	} {
		t.Run(tc.text, func(t *testing.T) {
			got, err := catalogue.ParseTimeLimit(tc.text)
			tc.want.Text = tc.text
			if err != nil || got != tc.want || got.Rule() != tc.rule {
				t.Fatalf("= %+v (%s), %v; want %+v (%s)", got, got.Rule(), err, tc.want, tc.rule)
			}
		})
	}
	for _, bad := range []string{"", "尽快公开", "及时公开，长期保持", "10个工作日内及时公开", "0个工作日内", "400日内", "每年2月30日前", "每年2月29日前", "99999999999999999999个工作日"} {
		t.Run("bad "+bad, func(t *testing.T) {
			if got, err := catalogue.ParseTimeLimit(bad); err == nil {
				t.Fatalf("%q read as %+v", bad, got)
			}
		})
	}
}

// TestDueAcrossHolidays counts each rule kind across the 2026 春节 and 国庆/中秋 weeks, with their
// 调休 working weekends (02-14, 02-28, 09-20, 10-10).
func TestDueAcrossHolidays(t *testing.T) {
	cal := mustCalendar(t)
	for _, tc := range []struct {
		name, text, from, due string
	}{
		{"20 working days over 中秋 and 国庆", "信息形成或者变更之日起20个工作日内", "2026-09-18", "2026-10-22"},
		{"3 working days over 春节, counting the 02-14 make-up Saturday", "3个工作日内", "2026-02-12", "2026-02-24"},
		{"5 working days after 春节, counting the 02-28 make-up Saturday", "5个工作日内", "2026-02-24", "2026-03-02"},
		{"20 calendar days ending in 国庆 run on", "批复后20日内", "2026-09-11", "2026-10-08"},
		{"20 calendar days ending in 春节 run on", "批复后20日内", "2026-01-27", "2026-02-24"},
		{"20 calendar days ending on a working day", "批复后20日内", "2026-03-02", "2026-03-23"},
		{"及时 before 国庆", "及时公开", "2026-09-30", "2026-10-08"},
		{"实时 on the eve of the 春节 make-up Saturday", "实时公开", "2026-02-13", "2026-02-14"},
		{"实时 before 中秋", "实时公开", "2026-09-24", "2026-09-28"},
		{"实时 on the 国庆 make-up Sunday", "实时公开", "2026-09-19", "2026-09-20"},
		{"annual, later in the year", "每年1月31日前", "2026-10-01", "2027-01-31"},
		{"annual, on the day", "每年1月31日前", "2026-01-31", "2027-01-31"},
		{"annual, the day before", "每年1月31日前", "2026-01-30", "2026-01-31"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tl, err := catalogue.ParseTimeLimit(tc.text)
			if err != nil {
				t.Fatal(err)
			}
			c, ok := tl.Due(cal, mustDate(t, tc.from))
			if !ok || c.Due.String() != tc.due {
				t.Fatalf("due %s (ok %v), want %s\n%s", c.Due, ok, tc.due, c.Text())
			}
			if c.From.String() != tc.from || c.Provisional {
				t.Fatalf("count %+v", c)
			}
		})
	}
	tl, _ := catalogue.ParseTimeLimit("长期公开")
	if c, ok := tl.Due(cal, mustDate(t, "2026-09-30")); ok {
		t.Fatalf("a standing item is due %s", c.Due)
	}
}

// TestBrowse: the tree keeps the catalogue order under 领域 and 一级事项, the five categories are
// always there, and a search keeps only items containing every word.
func TestBrowse(t *testing.T) {
	items := mustShipped(t)
	c := &catalogue.Catalogue{Store: fixedStore(items)}
	v, err := c.Browse(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if v.Count != len(items) || len(v.Tree) != 5 || v.Tree[0].Name != "通用事项" || v.Tree[0].Groups[0].Level1 != "机构信息" {
		t.Fatalf("tree = %+v", v.Tree[:1])
	}
	n := 0
	for _, a := range v.Tree {
		for _, g := range a.Groups {
			n += len(g.Items)
		}
	}
	if n != len(items) {
		t.Fatalf("tree holds %d items, want %d", n, len(items))
	}
	if len(v.Categories) != 5 || v.Categories[0].Category != catalogue.Decision {
		t.Fatalf("categories = %+v", v.Categories)
	}
	v, err = c.Browse(context.Background(), "征收  决定")
	if err != nil || v.Count != 1 || v.Tree[0].Groups[0].Items[0].Code != "ZS-05" {
		t.Fatalf("search = %+v, %v", v, err)
	}
	if len(v.Categories) != 5 || len(v.Categories[1].Items) != 1 {
		t.Fatalf("search categories = %+v", v.Categories)
	}
	if v, _ := c.Browse(context.Background(), "没有这样的事项"); v.Count != 0 || len(v.Tree) != 0 {
		t.Fatalf("search for nothing = %+v", v)
	}
	if v, _ := c.Browse(context.Background(), "ty-07"); v.Count != 1 {
		t.Fatalf("search by code, any case = %+v", v)
	}
	if _, err := c.Browse(context.Background(), strings.Repeat("字", catalogue.MaxQuery)); err != nil {
		t.Fatalf("longest search: %v", err)
	}
	if _, err := c.Browse(context.Background(), strings.Repeat("字", catalogue.MaxQuery+1)); workflow.ErrorCode(err) != workflow.EInvalid {
		t.Fatalf("overlong search: %v, want invalid", err)
	}
}

// TestLoadValidates: the Load use case refuses an invalid catalogue before the store sees it.
func TestLoadValidates(t *testing.T) {
	items := mustShipped(t)
	items = append(items, items[0])
	s := fixedStore(nil)
	c := &catalogue.Catalogue{Store: s, Clock: workflow.ClockFunc(func() time.Time { return time.Unix(0, 0) })}
	if _, err := c.Load(context.Background(), items); err == nil || !strings.Contains(err.Error(), "编码 TY-01 重复（另见 01-general.yaml:") {
		t.Fatalf("duplicate loaded: %v", err)
	}
}

// fixedStore serves a fixed list of items; saving is refused.
type fixedStore []catalogue.Item

func (s fixedStore) SaveCatalogue(context.Context, []catalogue.Item, time.Time) (catalogue.LoadResult, error) {
	return catalogue.LoadResult{}, workflow.Errorf(workflow.EInternal, "read-only")
}

func (s fixedStore) CatalogueItems(context.Context) ([]catalogue.Item, error) { return s, nil }

func (s fixedStore) CatalogueItem(_ context.Context, code string, _ int) (catalogue.Item, error) {
	for _, it := range s {
		if it.Code == code {
			return it, nil
		}
	}
	return catalogue.Item{}, workflow.Errorf(workflow.ENotFound, "没有这个目录事项")
}

// TestPeriodOf: each kind of 公开时限 becomes the period a publication deadline reads, explained by
// the item; 长期/常态 has none of its own (the flow's 20 working days apply).
func TestPeriodOf(t *testing.T) {
	tests := []struct{ text, period string }{
		{"信息形成之日起3个工作日内", "3 working_days"},
		{"财政部门批复后20日内", "20 calendar_days"},
		{"实时公开", "1 working_days"},
		{"作出房屋征收决定后及时公告", "1 working_days"},
		{"每年1月31日前", "yearly 01-31"},
		{"长期公开", ""},
	}
	for _, tt := range tests {
		tl, err := catalogue.ParseTimeLimit(tt.text)
		if err != nil {
			t.Fatal(err)
		}
		p := catalogue.PeriodOf(catalogue.Item{Code: "X-1", Level2: "事项", Version: 2, TimeLimit: tl})
		spec, basis, _ := strings.Cut(p.String(), " | ")
		if tt.period == "" {
			spec, basis, _ = strings.Cut(p.String(), "| ")
		}
		if spec != tt.period || !strings.Contains(basis, "标准目录事项 X-1“事项”（第 2 版）公开时限“"+tt.text+"”") {
			t.Errorf("%s: period %q", tt.text, p.String())
		}
		if back, err := workflow.ParsePeriod(p.String()); err != nil || back != p {
			t.Errorf("%s: %q does not read back: %+v %v", tt.text, p.String(), back, err)
		}
	}
}
