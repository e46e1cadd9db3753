package workflow_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"wugongkai/configs"
	"wugongkai/workflow"
)

// mustCalendar loads the shipped holiday calendars (2025 and 2026).
func mustCalendar(tb testing.TB) *workflow.Calendar {
	tb.Helper()
	cal, err := workflow.LoadCalendar(configs.Holidays())
	if err != nil {
		tb.Fatalf("LoadCalendar: %v", err)
	}
	return cal
}

func dates(days []workflow.Day) []string {
	out := make([]string, len(days))
	for i, d := range days {
		out[i] = d.Date.String()
	}
	return out
}

func TestShippedCalendar(t *testing.T) {
	cal := mustCalendar(t)
	if got := cal.Years(); !slices.Equal(got, []int{2025, 2026}) {
		t.Fatalf("Years() = %v, want [2025 2026]", got)
	}
	y, ok := cal.Year(2026)
	if !ok || !strings.Contains(y.Source, "2026年部分节假日安排") || len(y.Holidays) != 7 || len(y.Workdays) != 6 {
		t.Errorf("2026 = %+v, want the 2026 notice with 7 holidays and 6 make-up days", y)
	}
	y, ok = cal.Year(2025)
	if !ok || !strings.Contains(y.Source, "国办发明电〔2024〕12号") || len(y.Holidays) != 6 || len(y.Workdays) != 5 {
		t.Errorf("2025 = %+v, want the 2025 notice with 6 holidays and 5 make-up days", y)
	}
}

func TestIsWorkingDay(t *testing.T) {
	cal := mustCalendar(t)
	tests := []struct {
		day          string
		working, kno bool
	}{
		{"2026-02-14", true, true},   // Saturday, 春节 make-up day
		{"2026-02-28", true, true},   // Saturday, 春节 make-up day
		{"2026-02-16", false, true},  // Monday, 春节
		{"2026-02-23", false, true},  // Monday, last day of 春节
		{"2026-02-24", true, true},   // Tuesday after 春节
		{"2026-03-07", false, true},  // an ordinary Saturday
		{"2026-03-09", true, true},   // an ordinary Monday
		{"2026-09-20", true, true},   // Sunday, 国庆 make-up day
		{"2026-10-10", true, true},   // Saturday, 国庆 make-up day
		{"2026-10-11", false, true},  // the Sunday after it
		{"2025-09-28", true, true},   // Sunday, 国庆 make-up day 2025
		{"2025-10-08", false, true},  // Wednesday, last day of 国庆节、中秋节 2025
		{"2025-01-26", true, true},   // Sunday, 春节 make-up day 2025
		{"2025-01-01", false, true},  // 元旦 2025, a Wednesday
		{"2027-01-01", false, false}, // no 2027 calendar: 元旦 is a fixed-date statutory holiday all the same
		{"2027-01-04", true, false},  // an ordinary Monday of an unloaded year
		{"2027-05-03", true, false},  // Monday after 劳动节's fixed days (1–2 May)
		{"2027-10-01", false, false}, // 国庆节, fixed 1–3 Oct
		{"2027-10-04", true, false},  // Monday after them; the 2027 notice may still add days off
		{"2027-01-02", false, false},
		{"2024-12-31", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.day, func(t *testing.T) {
			working, known := cal.IsWorkingDay(mustDate(t, tt.day))
			if working != tt.working || known != tt.kno {
				t.Errorf("IsWorkingDay(%s) = %v, %v; want %v, %v", tt.day, working, known, tt.working, tt.kno)
			}
		})
	}
}

func TestAddWorkingDays(t *testing.T) {
	cal := mustCalendar(t)
	tests := []struct {
		name     string
		from     string
		n        int
		due      string
		holidays []string
		makeUp   []string
		missing  []int
	}{
		{
			// Sat 19 off; Sun 20 make-up (1); 21–24 (2–5); 25–27 中秋; 28–30 (6–8); 1–7 Oct 国庆;
			// 8, 9 (9, 10); Sat 10 make-up (11); 12–16 (12–16); 19–22 (17–20).
			name: "国庆 2026 with Sun 20 Sep and Sat 10 Oct", from: "2026-09-18", n: 20, due: "2026-10-22",
			holidays: []string{"2026-09-25", "2026-09-26", "2026-09-27", "2026-10-01", "2026-10-02", "2026-10-03",
				"2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07"},
			makeUp: []string{"2026-09-20", "2026-10-10"},
		},
		{
			// Sat 25 off; Sun 26 make-up (1); Mon 27 (2); 28 Jan–4 Feb 春节; 5–7 Feb (3–5).
			name: "春节 2025", from: "2025-01-24", n: 5, due: "2025-02-07",
			holidays: []string{"2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31", "2025-02-01", "2025-02-02",
				"2025-02-03", "2025-02-04"},
			makeUp: []string{"2025-01-26"},
		},
		{
			// Feb 5–7 (1–3); Sat 8 make-up (4).
			name: "春节 2025 make-up Saturday", from: "2025-02-04", n: 4, due: "2025-02-08",
			makeUp: []string{"2025-02-08"},
		},
		{
			name: "make-up Saturday before 春节 2026", from: "2026-02-13", n: 1, due: "2026-02-14",
			makeUp: []string{"2026-02-14"},
		},
		{
			// Sat 14 make-up (1); 15–23 春节; Tue 24 (2).
			name: "春节 2026", from: "2026-02-13", n: 2, due: "2026-02-24",
			holidays: []string{"2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20",
				"2026-02-21", "2026-02-22", "2026-02-23"},
			makeUp: []string{"2026-02-14"},
		},
		{
			name: "make-up Saturday after 春节 2026", from: "2026-02-27", n: 1, due: "2026-02-28",
			makeUp: []string{"2026-02-28"},
		},
		{
			name: "make-up Sunday before 国庆 2025", from: "2025-09-26", n: 1, due: "2025-09-28",
			makeUp: []string{"2025-09-28"},
		},
		{
			// 1–8 Oct off; Thu 9 (1), Fri 10 (2), Sat 11 make-up (3).
			name: "国庆节、中秋节 2025 with Sat 11 Oct", from: "2025-09-30", n: 3, due: "2025-10-11",
			holidays: []string{"2025-10-01", "2025-10-02", "2025-10-03", "2025-10-04", "2025-10-05", "2025-10-06",
				"2025-10-07", "2025-10-08"},
			makeUp: []string{"2025-10-11"},
		},
		{
			name: "make-up Sunday before 劳动节 2025", from: "2025-04-25", n: 1, due: "2025-04-27",
			makeUp: []string{"2025-04-27"},
		},
		{
			// 1–5 May off; 6–8 (1–3); Sat 9 make-up (4); Sun 10 off; Mon 11 (5).
			name: "劳动节 2026 with Sat 9 May", from: "2026-04-30", n: 5, due: "2026-05-11",
			holidays: []string{"2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05"},
			makeUp:   []string{"2026-05-09"},
		},
		{
			// Fri 26 (1); 29–31 (2–4); 1–3 Jan 2026 元旦; Sun 4 Jan make-up (5).
			name: "across 2025 into 2026", from: "2025-12-25", n: 5, due: "2026-01-04",
			holidays: []string{"2026-01-01", "2026-01-02", "2026-01-03"},
			makeUp:   []string{"2026-01-04"},
		},
		{
			name: "counting from inside a holiday", from: "2026-10-03", n: 1, due: "2026-10-08",
			holidays: []string{"2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07"},
		},
		{
			// 21–25, 28–31 Dec (1–9); 2027 unknown but 元旦 is fixed: Fri 1 Jan skipped, 4–8 (10–14),
			// 11–15 (15–19), Mon 18 (20).
			name: "into 2027 is provisional and skips 元旦", from: "2026-12-18", n: 20, due: "2027-01-18",
			holidays: []string{"2027-01-01"}, missing: []int{2027},
		},
		{
			// 2024 unknown: Tue 31 Dec (1); 元旦 2025; Thu 2, Fri 3 Jan (2, 3).
			name: "from 2024 is provisional", from: "2024-12-30", n: 3, due: "2025-01-03",
			holidays: []string{"2025-01-01"}, missing: []int{2024},
		},
		{name: "zero days", from: "2026-03-02", n: 0, due: "2026-03-02"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cal.AddWorkingDays(mustDate(t, tt.from), tt.n)
			if c.Due.String() != tt.due {
				t.Errorf("due = %s, want %s", c.Due, tt.due)
			}
			if got := dates(c.Holidays); !slices.Equal(got, tt.holidays) {
				t.Errorf("holidays = %v, want %v", got, tt.holidays)
			}
			if got := dates(c.MakeUpDays); !slices.Equal(got, tt.makeUp) {
				t.Errorf("make-up days = %v, want %v", got, tt.makeUp)
			}
			if c.Provisional != (len(tt.missing) > 0) || !slices.Equal(c.MissingYears, tt.missing) {
				t.Errorf("provisional = %v %v, want missing %v", c.Provisional, c.MissingYears, tt.missing)
			}
			if c.From.String() != tt.from || c.N != tt.n || c.Unit != workflow.UnitWorking {
				t.Errorf("count = from %s n %d unit %q, want from %s n %d unit working", c.From, c.N, c.Unit, tt.from, tt.n)
			}
		})
	}
}

func TestAddCalendarDays(t *testing.T) {
	cal := mustCalendar(t)
	tests := []struct {
		name, from string
		n          int
		due        string
		nominal    string
		holidays   []string
		missing    []int
	}{
		{name: "plain", from: "2026-03-01", n: 30, due: "2026-03-31", nominal: "2026-03-31"},
		{
			name: "lands on 国庆 2026: runs on to Thu 8 Oct", from: "2025-10-01", n: 365, due: "2026-10-08", nominal: "2026-10-01",
			holidays: []string{"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07"},
		},
		{name: "lands on a make-up Saturday: no shift", from: "2026-10-09", n: 1, due: "2026-10-10", nominal: "2026-10-10"},
		{name: "lands on an ordinary Sunday", from: "2026-03-07", n: 1, due: "2026-03-09", nominal: "2026-03-08"},
		{name: "a year ahead into 2027: Sat 18 Sep 2027 runs on, never provisional", from: "2026-09-18", n: 365, due: "2027-09-20",
			nominal: "2027-09-18"},
		{name: "lands on 国庆 2027 (fixed days): runs on to Mon 4 Oct", from: "2026-10-01", n: 365, due: "2027-10-04",
			nominal: "2027-10-01", holidays: []string{"2027-10-01", "2027-10-02", "2027-10-03"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cal.AddCalendarDays(mustDate(t, tt.from), tt.n)
			if c.Due.String() != tt.due || c.Nominal.String() != tt.nominal {
				t.Errorf("due = %s nominal %s, want %s nominal %s", c.Due, c.Nominal, tt.due, tt.nominal)
			}
			if got := dates(c.Holidays); !slices.Equal(got, tt.holidays) {
				t.Errorf("holidays = %v, want %v", got, tt.holidays)
			}
			if !slices.Equal(c.MissingYears, tt.missing) || c.Provisional != (len(tt.missing) > 0) {
				t.Errorf("missing = %v provisional %v, want %v", c.MissingYears, c.Provisional, tt.missing)
			}
			if c.Unit != workflow.UnitCalendar {
				t.Errorf("unit = %q, want calendar", c.Unit)
			}
		})
	}
}

func TestCountText(t *testing.T) {
	cal := mustCalendar(t)
	tests := []struct {
		name        string
		count       workflow.Count
		text        string
		explanation string
	}{
		{
			name:  "国庆 2026",
			count: cal.AddWorkingDays(mustDate(t, "2026-09-18"), 20),
			text: `2026-10-22
自 2026-09-18 起算（当日不计），第 20 个工作日
计入 2026-09-20（星期日）调休上班
跳过 2026-09-25 中秋节
跳过 2026-09-26 中秋节
跳过 2026-09-27 中秋节
跳过 2026-10-01 国庆节
跳过 2026-10-02 国庆节
跳过 2026-10-03 国庆节
跳过 2026-10-04 国庆节
跳过 2026-10-05 国庆节
跳过 2026-10-06 国庆节
跳过 2026-10-07 国庆节
计入 2026-10-10（星期六）调休上班`,
			explanation: "自 2026-09-18 起算（当日不计）20 个工作日，于 2026-10-22 到期；跳过法定节假日 10 天（中秋节 2026-09-25 至 2026-09-27，国庆节 2026-10-01 至 2026-10-07）；调休上班日 2026-09-20、2026-10-10 计为工作日。",
		},
		{
			name:        "no holiday",
			count:       cal.AddWorkingDays(mustDate(t, "2026-03-02"), 3),
			text:        "2026-03-05\n自 2026-03-02 起算（当日不计），第 3 个工作日",
			explanation: "自 2026-03-02 起算（当日不计）3 个工作日，于 2026-03-05 到期。",
		},
		{
			name:  "provisional",
			count: cal.AddWorkingDays(mustDate(t, "2026-12-18"), 20),
			text: `2027-01-18
自 2026-12-18 起算（当日不计），第 20 个工作日
跳过 2027-01-01 元旦
暂定：2027 年的节假日安排尚未载入，按周一至周五并扣除元旦、劳动节、国庆节等固定日期的法定节假日计算，载入后重新计算`,
			explanation: "自 2026-12-18 起算（当日不计）20 个工作日，于 2027-01-18 到期；跳过法定节假日 1 天（元旦 2027-01-01）。其中 2027 年的节假日安排尚未载入，暂按周一至周五并扣除固定日期的法定节假日计算，载入后重新计算。",
		},
		{
			name:  "calendar days running on past a holiday",
			count: cal.AddCalendarDays(mustDate(t, "2025-10-01"), 365),
			text: `2026-10-08
自 2025-10-01 起算（当日不计），第 365 日
第 365 日 2026-10-01 为休息日，顺延至 2026-10-08
跳过 2026-10-01 国庆节
跳过 2026-10-02 国庆节
跳过 2026-10-03 国庆节
跳过 2026-10-04 国庆节
跳过 2026-10-05 国庆节
跳过 2026-10-06 国庆节
跳过 2026-10-07 国庆节`,
			explanation: "自 2025-10-01 起算（当日不计）365 日，于 2026-10-08 到期（第 365 日 2026-10-01 为休息日，顺延至下一个工作日）；跳过法定节假日 7 天（国庆节 2026-10-01 至 2026-10-07）。",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.count.Text(); got != tt.text {
				t.Errorf("Text() =\n%s\nwant\n%s", got, tt.text)
			}
			if got := tt.count.Explanation(); got != tt.explanation {
				t.Errorf("Explanation() =\n%s\nwant\n%s", got, tt.explanation)
			}
		})
	}
}

func TestParseCalendarYearErrors(t *testing.T) {
	tests := []struct {
		name, file, data string
		want             string // the whole error text
	}{
		{
			name: "unknown keys", file: "2026.yaml",
			data: "year: 2026\nsource: x\nholiday: []\nworkdays:\n  - {date: 2026-01-04, name: a, note: b}\n",
			want: "2026.yaml:3: 节假日文件中有未知的键 \"holiday\"（可用的键：year, source, holidays, workdays）\n" +
				"2026.yaml:5: workdays 的一项中有未知的键 \"note\"（可用的键：date, name）",
		},
		{
			name: "dates outside the year and reversed", file: "2026.yaml",
			data: "year: 2026\nsource: x\nholidays:\n  - {name: 元旦, from: 2025-12-31, to: 2026-01-02}\n  - {name: 国庆节, from: 2026-10-07, to: 2026-10-01}\n",
			want: "2026.yaml:4: 节假日开始日期 2025-12-31 不在 2026 年内\n" +
				"2026.yaml:5: 节假日「国庆节」的结束日期 2026-10-01 早于开始日期 2026-10-07",
		},
		{
			name: "make-up day on a weekday, on a day off, twice", file: "cal.yaml",
			data: "year: 2026\nsource: x\nholidays:\n  - {name: 春节, from: 2026-02-15, to: 2026-02-23}\n" +
				"workdays:\n  - {date: 2026-02-16, name: a}\n  - {date: 2026-02-22, name: b}\n  - {date: 2026-02-28, name: c}\n  - {date: 2026-02-28, name: d}\n",
			want: "cal.yaml:6: 调休上班日 2026-02-16 是星期一，应为星期六或星期日\n" +
				"cal.yaml:6: 2026-02-16 既是节假日「春节」的休息日，又是调休上班日\n" +
				"cal.yaml:7: 2026-02-22 既是节假日「春节」的休息日，又是调休上班日\n" +
				"cal.yaml:9: 调休上班日 2026-02-28 重复",
		},
		{
			name: "overlapping holidays", file: "2025.yaml",
			data: "year: 2025\nsource: x\nholidays:\n  - {name: 国庆节, from: 2025-10-01, to: 2025-10-08}\n  - {name: 中秋节, from: 2025-10-06, to: 2025-10-06}\n",
			want: "2025.yaml:5: 2025-10-06 同时属于节假日「国庆节」和「中秋节」",
		},
		{
			name: "missing year, source, names and dates", file: "x.yaml",
			data: "holidays:\n  - {from: 2026-01-01}\nworkdays:\n  - {date: 2026-13-01, name: a}\n",
			want: "x.yaml:1: 缺少 year（年份）\n" +
				"x.yaml:1: 缺少 source（数据来源，写明国务院办公厅通知的名称和日期）\n" +
				"x.yaml:2: 节假日缺少 name（名称）\n" +
				"x.yaml:2: 节假日缺少 to\n" +
				"x.yaml:4: 调休上班日的 date \"2026-13-01\" 不是有效日期（应为 YYYY-MM-DD）",
		},
		{
			name: "file named after another year", file: "2027.yaml",
			data: "year: 2026\nsource: x\n",
			want: "2027.yaml:1: 文件名 2027.yaml 与 year 2026 不一致",
		},
		{
			name: "syntax error", file: "2026.yaml",
			data: "year: 2026\nsource: x\n  bad: y\n",
			want: "2026.yaml:3: YAML 格式错误：line 3: mapping values are not allowed in this context",
		},
		{name: "empty", file: "2026.yaml", data: "", want: "2026.yaml: 文件为空"},
		{name: "not a mapping", file: "2026.yaml", data: "- 2026\n", want: "2026.yaml:1: 节假日文件应为键值映射（mapping）"},
		{
			name: "wrong types", file: "2026.yaml",
			data: "year: twenty\nsource: x\nholidays: {name: a}\n",
			want: "2026.yaml:1: 节假日文件的 year 应为整数\n2026.yaml:3: 节假日文件的 holidays 应为列表",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := workflow.ParseCalendarYear(tt.file, []byte(tt.data))
			if err == nil {
				t.Fatal("ParseCalendarYear: no error")
			}
			var ces workflow.ConfigErrors
			if !errors.As(err, &ces) {
				t.Fatalf("error %T, want ConfigErrors", err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestLoadCalendarAcrossFiles(t *testing.T) {
	good := "year: 2026\nsource: x\nholidays:\n  - {name: 元旦, from: 2026-01-01, to: 2026-01-03}\n"
	t.Run("a year twice", func(t *testing.T) {
		_, err := workflow.LoadCalendar(fstest.MapFS{
			"2026.yaml":  {Data: []byte(good)},
			"extra.yaml": {Data: []byte(good)},
		})
		want := "extra.yaml: 2026 年的节假日安排重复（另见 2026.yaml）"
		if err == nil || err.Error() != want {
			t.Errorf("error = %v, want %s", err, want)
		}
	})
	t.Run("every file's problems", func(t *testing.T) {
		_, err := workflow.LoadCalendar(fstest.MapFS{
			"2025.yaml": {Data: []byte("year: 2025\n")},
			"2026.yaml": {Data: []byte("year: 2026\nsource: x\nbad: 1\n")},
			"notes.txt": {Data: []byte("ignored")},
		})
		want := "2025.yaml:1: 缺少 source（数据来源，写明国务院办公厅通知的名称和日期）\n" +
			"2026.yaml:3: 节假日文件中有未知的键 \"bad\"（可用的键：year, source, holidays, workdays）"
		if err == nil || err.Error() != want {
			t.Errorf("error = %v, want %s", err, want)
		}
	})
	t.Run("with adds a year", func(t *testing.T) {
		cal := mustCalendar(t)
		y2027, err := workflow.ParseCalendarYear("2027.yaml", []byte(
			"year: 2027\nsource: x\nholidays:\n  - {name: 元旦, from: 2027-01-01, to: 2027-01-03}\n"))
		if err != nil {
			t.Fatal(err)
		}
		next := cal.With(y2027)
		c := next.AddWorkingDays(mustDate(t, "2026-12-18"), 20)
		// 21–25, 28–31 Dec (1–9); 1–3 Jan off; 4–8 (10–14), 11–15 (15–19), Mon 18 (20).
		if c.Due.String() != "2027-01-18" || c.Provisional {
			t.Errorf("due = %s provisional %v, want 2027-01-18 not provisional", c.Due, c.Provisional)
		}
		if old := cal.AddWorkingDays(mustDate(t, "2026-12-18"), 20); old.Due.String() != "2027-01-18" || !old.Provisional {
			t.Errorf("the original calendar changed: due %s provisional %v", old.Due, old.Provisional)
		}
		if got := next.Years(); !slices.Equal(got, []int{2025, 2026, 2027}) {
			t.Errorf("Years() = %v", got)
		}
	})
	t.Run("nil calendar counts weekdays", func(t *testing.T) {
		var cal *workflow.Calendar
		c := cal.AddWorkingDays(mustDate(t, "2026-09-29"), 1)
		if c.Due.String() != "2026-09-30" || !c.Provisional {
			t.Errorf("due = %s provisional %v, want 2026-09-30 provisional", c.Due, c.Provisional)
		}
		// Even with no year loaded, 国庆节's fixed days (1–3 Oct) are skipped: Sun 4 Oct is a
		// weekend day, so one working day after 30 Sep is Mon 5 Oct.
		if c := cal.AddWorkingDays(mustDate(t, "2026-09-30"), 1); c.Due.String() != "2026-10-05" || !c.Provisional {
			t.Errorf("due = %s provisional %v, want 2026-10-05 provisional", c.Due, c.Provisional)
		}
	})
}
