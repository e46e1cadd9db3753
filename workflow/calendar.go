package workflow

import (
	"cmp"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Day is a named day of the official calendar: a day off of a holiday, or a make-up working day.
type Day struct {
	Date Date
	Name string
}

// Holiday is one holiday of a year's arrangement: the days off From to To, both included. The
// days off may include Saturdays and Sundays.
type Holiday struct {
	Name     string
	From, To Date
}

// CalendarYear is the official holiday arrangement of one year, as the State Council General
// Office publishes it each November for the following year.
type CalendarYear struct {
	Year     int
	Source   string // the notice the data comes from
	File     string // the file it was read from
	Holidays []Holiday
	Workdays []Day // 调休 make-up working days: Saturdays or Sundays that are worked
}

// Calendar is the working-day calendar: Monday to Friday, minus the official days off, plus the
// make-up working days, for every year whose arrangement is loaded. Years without one count
// Monday to Friday, and counts that reach them are provisional. A Calendar is immutable; the nil
// *Calendar has no years.
type Calendar struct {
	years map[int]CalendarYear
	off   map[Date]string // day off → holiday name
	work  map[Date]string // make-up working day → its name
}

// NewCalendar returns a calendar of the given years. A year given twice is an error.
func NewCalendar(years ...CalendarYear) (*Calendar, error) {
	c := &Calendar{years: map[int]CalendarYear{}, off: map[Date]string{}, work: map[Date]string{}}
	for _, y := range years {
		if prev, dup := c.years[y.Year]; dup {
			return nil, ConfigErrors{{File: y.File, Message: fmt.Sprintf("%d 年的节假日安排重复（另见 %s）", y.Year, prev.File)}}
		}
		c.years[y.Year] = y
		for _, h := range y.Holidays {
			for d := h.From; !d.After(h.To); d = d.AddDays(1) {
				c.off[d] = h.Name
			}
		}
		for _, w := range y.Workdays {
			c.work[w.Date] = w.Name
		}
	}
	return c, nil
}

// LoadCalendar reads every *.yaml file at the root of fsys as one year's arrangement (see
// ParseCalendarYear) and returns the calendar of all of them. It reports every problem of every
// file, each with its file and line.
func LoadCalendar(fsys fs.FS) (*Calendar, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list holiday files: %w", err)
	}
	slices.Sort(names)
	var (
		years []CalendarYear
		errs  ConfigErrors
		seen  = map[int]string{}
	)
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read holiday file %s: %w", name, err)
		}
		y, err := ParseCalendarYear(name, data)
		if err != nil {
			errs = appendConfigErrors(errs, err)
			continue
		}
		if other, dup := seen[y.Year]; dup {
			errs = append(errs, ConfigError{File: name, Message: fmt.Sprintf("%d 年的节假日安排重复（另见 %s）", y.Year, other)})
			continue
		}
		seen[y.Year] = name
		years = append(years, y)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return NewCalendar(years...)
}

// appendConfigErrors appends the problems err carries.
func appendConfigErrors(errs ConfigErrors, err error) ConfigErrors {
	if ces, ok := err.(ConfigErrors); ok {
		return append(errs, ces...)
	}
	return append(errs, ConfigError{Message: err.Error()})
}

// ParseCalendarYear reads one year's arrangement. file names the data in error messages; a file
// named after a year (2026.yaml) must hold that year. The shape is
//
//	year: 2026
//	source: 国务院办公厅关于2026年部分节假日安排的通知（2025-11-04）
//	holidays:
//	  - {name: 元旦, from: 2026-01-01, to: 2026-01-03}
//	workdays:
//	  - {date: 2026-01-04, name: 元旦调休上班}
//
// Every date must lie in the year, a holiday must not end before it starts, no day may belong to
// two holidays, make-up working days must be Saturdays or Sundays and must not be days off, and
// unknown keys are rejected. The error is ConfigErrors listing every problem.
func ParseCalendarYear(file string, data []byte) (CalendarYear, error) {
	c := &collector{file: file}
	y := CalendarYear{File: file}
	root := c.parseYAML(data)
	if root == nil {
		return y, c.err()
	}
	f, ok := c.mapping(root, "节假日文件", "year", "source", "holidays", "workdays")
	if !ok {
		return y, c.err()
	}
	if !f.has("year") {
		c.add(f.line, "缺少 year（年份）")
	} else if year, ok := c.integer(f, "year", "节假日文件"); ok && (year < 1949 || year > 9999) {
		c.add(f.lineOf("year"), "year %d 不是有效年份", year)
	} else {
		y.Year = year
	}
	if stem := strings.TrimSuffix(path.Base(file), ".yaml"); y.Year != 0 {
		if n, err := strconv.Atoi(stem); err == nil && n != y.Year {
			c.add(f.lineOf("year"), "文件名 %s 与 year %d 不一致", path.Base(file), y.Year)
		}
	}
	if y.Source = c.str(f, "source", "节假日文件"); y.Source == "" {
		c.add(f.lineOf("source"), "缺少 source（数据来源，写明国务院办公厅通知的名称和日期）")
	}
	inYear := func(d Date, line int, what string) {
		if y.Year != 0 && !d.IsZero() && d.Year != y.Year {
			c.add(line, "%s %s 不在 %d 年内", what, d, y.Year)
		}
	}
	offAt := map[Date]string{}
	for _, n := range c.list(f, "holidays", "节假日文件") {
		hf, ok := c.mapping(n, "holidays 的一项", "name", "from", "to")
		if !ok {
			continue
		}
		h := Holiday{Name: c.str(hf, "name", "节假日")}
		if h.Name == "" {
			c.add(hf.line, "节假日缺少 name（名称）")
		}
		h.From = c.date(hf, "from", "节假日")
		h.To = c.date(hf, "to", "节假日")
		inYear(h.From, hf.lineOf("from"), "节假日开始日期")
		inYear(h.To, hf.lineOf("to"), "节假日结束日期")
		if h.From.IsZero() || h.To.IsZero() {
			continue
		}
		if h.To.Before(h.From) {
			c.add(hf.lineOf("to"), "节假日「%s」的结束日期 %s 早于开始日期 %s", h.Name, h.To, h.From)
			continue
		}
		for d := h.From; !d.After(h.To); d = d.AddDays(1) {
			if other, dup := offAt[d]; dup {
				c.add(hf.line, "%s 同时属于节假日「%s」和「%s」", d, other, h.Name)
				continue
			}
			offAt[d] = h.Name
		}
		y.Holidays = append(y.Holidays, h)
	}
	workAt := map[Date]bool{}
	for _, n := range c.list(f, "workdays", "节假日文件") {
		wf, ok := c.mapping(n, "workdays 的一项", "date", "name")
		if !ok {
			continue
		}
		w := Day{Date: c.date(wf, "date", "调休上班日"), Name: c.str(wf, "name", "调休上班日")}
		if w.Name == "" {
			c.add(wf.line, "调休上班日缺少 name（名称，如“国庆节调休上班”）")
		}
		if w.Date.IsZero() {
			continue
		}
		inYear(w.Date, wf.lineOf("date"), "调休上班日")
		line := wf.lineOf("date")
		if wd := w.Date.Weekday(); wd != time.Saturday && wd != time.Sunday {
			c.add(line, "调休上班日 %s 是%s，应为星期六或星期日", w.Date, w.Date.WeekdayName())
		}
		if h, off := offAt[w.Date]; off {
			c.add(line, "%s 既是节假日「%s」的休息日，又是调休上班日", w.Date, h)
		}
		if workAt[w.Date] {
			c.add(line, "调休上班日 %s 重复", w.Date)
		}
		workAt[w.Date] = true
		y.Workdays = append(y.Workdays, w)
	}
	slices.SortFunc(y.Holidays, func(a, b Holiday) int { return a.From.Compare(b.From) })
	slices.SortFunc(y.Workdays, func(a, b Day) int { return a.Date.Compare(b.Date) })
	return y, c.err()
}

// With returns a copy of c in which y's year is replaced by (or extended with) y: how an operator
// adds next year's arrangement without a release. Deadlines counted before must be recounted.
func (c *Calendar) With(y CalendarYear) *Calendar {
	var years []CalendarYear
	for _, old := range c.all() {
		if old.Year != y.Year {
			years = append(years, old)
		}
	}
	out, _ := NewCalendar(append(years, y)...) // years are distinct by construction
	return out
}

func (c *Calendar) all() []CalendarYear {
	if c == nil {
		return nil
	}
	out := make([]CalendarYear, 0, len(c.years))
	for _, y := range c.years {
		out = append(out, y)
	}
	slices.SortFunc(out, func(a, b CalendarYear) int { return cmp.Compare(a.Year, b.Year) })
	return out
}

// Years returns the loaded years in ascending order.
func (c *Calendar) Years() []int {
	var out []int
	for _, y := range c.all() {
		out = append(out, y.Year)
	}
	return out
}

// Year returns the loaded arrangement of year, if any.
func (c *Calendar) Year(year int) (CalendarYear, bool) {
	if c == nil {
		return CalendarYear{}, false
	}
	y, ok := c.years[year]
	return y, ok
}

// IsWorkingDay reports whether d is a working day. known is false when d's year has no loaded
// arrangement; working then says whether d is a Monday to Friday.
func (c *Calendar) IsWorkingDay(d Date) (working, known bool) {
	weekday := d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
	if c == nil {
		return weekday && !fixedHoliday(d), false
	}
	if _, ok := c.years[d.Year]; !ok {
		return weekday && !fixedHoliday(d), false
	}
	if _, off := c.off[d]; off {
		return false, true
	}
	if _, work := c.work[d]; work {
		return true, true
	}
	return weekday, true
}

// fixedHolidays are the statutory holidays on fixed dates that every year has
// (《全国年节及纪念日放假办法》第2条, 2024 revision): until a year's notice is loaded, counts skip
// them, so a provisional count is not a day early over 元旦, 劳动节 or 国庆节. The notice may add
// 调休 days around them; those are taken in when the year is loaded and the count is redone.
var fixedHolidays = map[[2]int]string{
	{1, 1}: "元旦", {5, 1}: "劳动节", {5, 2}: "劳动节", {10, 1}: "国庆节", {10, 2}: "国庆节", {10, 3}: "国庆节",
}

// fixedHoliday reports whether d is one of the fixed-date statutory holidays.
func fixedHoliday(d Date) bool {
	_, ok := fixedHolidays[[2]int{int(d.Month), d.Day}]
	return ok
}

// holiday returns the name of the official day off d, if it is one: from the loaded arrangement
// of d's year, or, for a year with none, the fixed-date statutory holiday it is.
func (c *Calendar) holiday(d Date) (string, bool) {
	if c != nil {
		if _, loaded := c.years[d.Year]; loaded {
			name, ok := c.off[d]
			return name, ok
		}
	}
	name, ok := fixedHolidays[[2]int{int(d.Month), d.Day}]
	return name, ok
}

// makeUp returns the name of the make-up working day d, if it is one.
func (c *Calendar) makeUp(d Date) (string, bool) {
	if c == nil {
		return "", false
	}
	name, ok := c.work[d]
	return name, ok
}

// The units of a Count.
const (
	UnitWorking  = "working"
	UnitCalendar = "calendar"
)

// Count is a counted deadline with everything needed to explain it: the day the count starts from
// (not itself counted), the number of days, the due date, the official days off that were skipped
// and the make-up working days that were counted.
type Count struct {
	From Date
	N    int
	Unit string // UnitWorking or UnitCalendar
	Due  Date
	// Nominal is, for a count in calendar days, the Nth day after From; Due differs from it when
	// that day is a rest day and the period runs on to the next working day.
	Nominal      Date
	Holidays     []Day // official days off in the window, weekend or not, with the holiday's name
	MakeUpDays   []Day // Saturdays and Sundays counted because they were make-up working days
	Provisional  bool  // the window reached a year with no loaded arrangement
	MissingYears []int // those years
}

// AddWorkingDays counts n working days after from: the day from is not counted, and the due date
// is the nth working day after it (《民事诉讼法》第85条 by analogy). A deadline
// falls due at the End of its due date.
func (c *Calendar) AddWorkingDays(from Date, n int) Count {
	out := Count{From: from, N: n, Unit: UnitWorking, Due: from}
	missing := map[int]bool{}
	d := from
	for counted := 0; counted < n; {
		d = d.AddDays(1)
		working, known := c.IsWorkingDay(d)
		if !known {
			missing[d.Year] = true
		}
		if name, ok := c.holiday(d); ok {
			out.Holidays = append(out.Holidays, Day{Date: d, Name: name})
		}
		if working {
			counted++
			if name, ok := c.makeUp(d); ok {
				out.MakeUpDays = append(out.MakeUpDays, Day{Date: d, Name: name})
			}
		}
	}
	out.Due = d
	out.setMissing(missing)
	return out
}

// AddCalendarDays counts n calendar days after from (from itself not counted). When the nth day
// is a rest day (a weekend day that is not a make-up working day, or an official day off) the
// period ends on the next working day, as 《民事诉讼法》第85条 provides for periods. A count in
// calendar days is never provisional: in a year with no loaded arrangement the run-on uses the
// weekend and the fixed-date statutory holidays.
func (c *Calendar) AddCalendarDays(from Date, n int) Count {
	out := Count{From: from, N: n, Unit: UnitCalendar}
	d := from.AddDays(n)
	out.Nominal = d
	for {
		working, _ := c.IsWorkingDay(d)
		if working {
			break
		}
		if name, ok := c.holiday(d); ok {
			out.Holidays = append(out.Holidays, Day{Date: d, Name: name})
		}
		d = d.AddDays(1)
	}
	out.Due = d
	return out
}

func (ct *Count) setMissing(missing map[int]bool) {
	for y := range missing {
		ct.MissingYears = append(ct.MissingYears, y)
	}
	slices.Sort(ct.MissingYears)
	ct.Provisional = len(ct.MissingYears) > 0
}

// Text explains the count line by line: first the due date alone (YYYY-MM-DD), then how it was
// counted, in Chinese, with one line per skipped day off and per counted make-up day.
func (ct Count) Text() string {
	lines := []string{ct.Due.String()}
	if ct.Unit == UnitCalendar {
		lines = append(lines, fmt.Sprintf("自 %s 起算（当日不计），第 %d 日", ct.From, ct.N))
		if ct.Nominal != ct.Due {
			lines = append(lines, fmt.Sprintf("第 %d 日 %s 为休息日，顺延至 %s", ct.N, ct.Nominal, ct.Due))
		}
	} else {
		lines = append(lines, fmt.Sprintf("自 %s 起算（当日不计），第 %d 个工作日", ct.From, ct.N))
	}
	days := make([]Day, 0, len(ct.Holidays)+len(ct.MakeUpDays))
	days = append(days, ct.Holidays...)
	days = append(days, ct.MakeUpDays...)
	slices.SortFunc(days, func(a, b Day) int { return a.Date.Compare(b.Date) })
	for _, d := range days {
		if slices.Contains(ct.MakeUpDays, d) {
			lines = append(lines, fmt.Sprintf("计入 %s（%s）调休上班", d.Date, d.Date.WeekdayName()))
		} else {
			lines = append(lines, fmt.Sprintf("跳过 %s %s", d.Date, d.Name))
		}
	}
	if ct.Provisional {
		lines = append(lines, fmt.Sprintf("暂定：%s 年的节假日安排尚未载入，按周一至周五并扣除元旦、劳动节、国庆节等固定日期的法定节假日计算，载入后重新计算", JoinYears(ct.MissingYears)))
	}
	return strings.Join(lines, "\n")
}

// Explanation summarises the count in one Chinese paragraph, for deadline rows and notices.
func (ct Count) Explanation() string {
	var b strings.Builder
	if ct.Unit == UnitCalendar {
		fmt.Fprintf(&b, "自 %s 起算（当日不计）%d 日，于 %s 到期", ct.From, ct.N, ct.Due)
		if ct.Nominal != ct.Due {
			fmt.Fprintf(&b, "（第 %d 日 %s 为休息日，顺延至下一个工作日）", ct.N, ct.Nominal)
		}
	} else {
		fmt.Fprintf(&b, "自 %s 起算（当日不计）%d 个工作日，于 %s 到期", ct.From, ct.N, ct.Due)
	}
	if len(ct.Holidays) > 0 {
		fmt.Fprintf(&b, "；跳过法定节假日 %d 天（%s）", len(ct.Holidays), DayRanges(ct.Holidays))
	}
	if len(ct.MakeUpDays) > 0 {
		dates := make([]string, len(ct.MakeUpDays))
		for i, d := range ct.MakeUpDays {
			dates[i] = d.Date.String()
		}
		fmt.Fprintf(&b, "；调休上班日 %s 计为工作日", strings.Join(dates, "、"))
	}
	b.WriteString("。")
	if ct.Provisional {
		fmt.Fprintf(&b, "其中 %s 年的节假日安排尚未载入，暂按周一至周五并扣除固定日期的法定节假日计算，载入后重新计算。", JoinYears(ct.MissingYears))
	}
	return b.String()
}

// DayRanges writes consecutive days of the same holiday as one range: "国庆节 2026-10-01 至
// 2026-10-07，元旦 2027-01-01".
func DayRanges(days []Day) string {
	var parts []string
	for i := 0; i < len(days); {
		j := i
		for j+1 < len(days) && days[j+1].Name == days[i].Name && days[j+1].Date == days[j].Date.AddDays(1) {
			j++
		}
		if i == j {
			parts = append(parts, fmt.Sprintf("%s %s", days[i].Name, days[i].Date))
		} else {
			parts = append(parts, fmt.Sprintf("%s %s 至 %s", days[i].Name, days[i].Date, days[j].Date))
		}
		i = j + 1
	}
	return strings.Join(parts, "，")
}

func JoinYears(years []int) string {
	s := make([]string, len(years))
	for i, y := range years {
		s[i] = strconv.Itoa(y)
	}
	return strings.Join(s, "、")
}
