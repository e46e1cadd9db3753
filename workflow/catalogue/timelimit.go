package catalogue

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"wugongkai/workflow"
)

// The kinds of a time-limit rule.
const (
	Working  = "working"  // N working days from when the information is formed or changed
	Calendar = "calendar" // N calendar days
	Prompt   = "prompt"   // 实时/及时: the same or the next working day
	Standing = "standing" // 长期/常态: kept public, no due date
	Annual   = "annual"   // a fixed day each year (年度报告: 每年1月31日前)
)

// TimeLimit is an item's 公开时限: the text as printed and the rule read from it.
type TimeLimit struct {
	Text  string
	Kind  string // Working, Calendar, Prompt, Standing or Annual
	Days  int    // Working and Calendar
	Month int    // Annual
	Day   int    // Annual
}

var (
	workingDays  = regexp.MustCompile(`(\d+)\s*个?\s*工作日`)
	calendarDays = regexp.MustCompile(`(\d+)\s*(?:个自然日|个日历日|日|天)`)
	annualDay    = regexp.MustCompile(`每年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日`)
)

// ParseTimeLimit reads the rule of a 公开时限 as printed in a catalogue: "信息形成或者变更之日起20个
// 工作日内" (20 working days), "批复后20日内" (20 calendar days), "实时公开" or "及时公开" (the next
// working day at the latest), "长期公开" or "常态化公开" (no due date), "每年1月31日前" (a fixed day
// each year). A text that says none of these, or two of them, is an error.
func ParseTimeLimit(text string) (TimeLimit, error) {
	t := TimeLimit{Text: strings.TrimSpace(text)}
	if t.Text == "" {
		return t, fmt.Errorf("公开时限为空")
	}
	var kinds []string
	if m := annualDay.FindStringSubmatch(t.Text); m != nil {
		t.Kind, t.Month, t.Day = Annual, atoi(m[1]), atoi(m[2])
		if !validMonthDay(t.Month, t.Day) {
			return t, fmt.Errorf("公开时限“%s”中的日期 %d月%d日 不存在", t.Text, t.Month, t.Day)
		}
		kinds = append(kinds, "每年固定日期")
	} else if m := workingDays.FindStringSubmatch(t.Text); m != nil {
		t.Kind, t.Days = Working, atoi(m[1])
		kinds = append(kinds, "工作日")
	} else if m := calendarDays.FindStringSubmatch(t.Text); m != nil {
		t.Kind, t.Days = Calendar, atoi(m[1])
		kinds = append(kinds, "自然日")
	}
	if strings.Contains(t.Text, "实时") || strings.Contains(t.Text, "及时") {
		t.Kind = Prompt
		kinds = append(kinds, "实时/及时")
	}
	if strings.Contains(t.Text, "长期") || strings.Contains(t.Text, "常态") {
		t.Kind = Standing
		kinds = append(kinds, "长期/常态")
	}
	switch {
	case len(kinds) == 0:
		return t, fmt.Errorf("看不懂公开时限“%s”：应写明“N个工作日内”“N日内”“实时/及时”“长期/常态”或“每年M月D日前”", t.Text)
	case len(kinds) > 1:
		return t, fmt.Errorf("公开时限“%s”同时写了%s，只能写一种", t.Text, strings.Join(kinds, "和"))
	case (t.Kind == Working || t.Kind == Calendar) && (t.Days < 1 || t.Days > 366):
		return t, fmt.Errorf("公开时限“%s”的天数 %d 应在 1 到 366 之间", t.Text, t.Days)
	}
	if t.Kind != Working && t.Kind != Calendar {
		t.Days = 0
	}
	return t, nil
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1 // only digits are matched; a number too long to read is out of range
	}
	return n
}

// validMonthDay reports whether month/day exists in every year (29 February does not).
func validMonthDay(month, day int) bool {
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	return month >= 1 && month <= 12 && day >= 1 && day <= days[month-1]
}

// Rule returns the rule in Chinese: "20个工作日", "20日（自然日）", "实时/及时（当日或下一个工作日）",
// "长期公开", "每年1月31日前".
func (t TimeLimit) Rule() string {
	switch t.Kind {
	case Working:
		return fmt.Sprintf("%d个工作日", t.Days)
	case Calendar:
		return fmt.Sprintf("%d日（自然日）", t.Days)
	case Prompt:
		return "实时/及时（当日或下一个工作日）"
	case Standing:
		return "长期公开"
	case Annual:
		return fmt.Sprintf("每年%d月%d日前", t.Month, t.Day)
	}
	return ""
}

// Due counts the time limit on the working-day calendar from the day the information was formed or
// changed (from itself not counted): the due date with its explanation. ok is false for a
// standing item, which has no due date.
//
// 实时/及时 is due on the next working day after from (published the same day or the next working
// day); N working days and N calendar days count as workflow.Calendar does (a calendar-day period
// ending on a rest day runs on to the next working day); a fixed day each year is due on its next
// occurrence after from.
func (t TimeLimit) Due(cal *workflow.Calendar, from workflow.Date) (c workflow.Count, ok bool) {
	switch t.Kind {
	case Working:
		return cal.AddWorkingDays(from, t.Days), true
	case Calendar:
		return cal.AddCalendarDays(from, t.Days), true
	case Prompt:
		return cal.AddWorkingDays(from, 1), true
	case Annual:
		due := workflow.Date{Year: from.Year, Month: time.Month(t.Month), Day: t.Day}
		if !due.After(from) {
			due.Year++
		}
		n := int(due.Start().Sub(from.Start()).Hours()+12) / 24
		return workflow.Count{From: from, N: n, Unit: workflow.UnitCalendar, Due: due, Nominal: due}, true
	}
	return workflow.Count{}, false
}

// Period is the time limit as the period a deadline effect reads from a fact (workflow.Period,
// see period_fact in configs/workflows/document.yaml), with basis as its explanation: N working
// days, N calendar days and 每年M月D日前 as such, 实时/及时 as one working day (the same or the
// next working day), and 长期/常态 as no period of its own, so that the flow's own count — the
// statutory 20 working days of 《条例》第二十六条 — applies.
func (t TimeLimit) Period(basis string) workflow.Period {
	p := workflow.Period{Basis: basis}
	switch t.Kind {
	case Working:
		p.Unit, p.Days = workflow.UnitWorking, t.Days
	case Calendar:
		p.Unit, p.Days = workflow.UnitCalendar, t.Days
	case Prompt:
		p.Unit, p.Days = workflow.UnitWorking, 1
	case Annual:
		p.Unit, p.Month, p.Day = workflow.UnitYearly, t.Month, t.Day
	case Standing:
		p.Basis += "，无具体期限，按《政府信息公开条例》第二十六条以 20 个工作日为限"
	}
	return p
}

// PeriodOf is the period of item it as the publication of a document tagged with it reads it,
// explained by the item and its time limit.
func PeriodOf(it Item) workflow.Period {
	return it.TimeLimit.Period(fmt.Sprintf("标准目录事项 %s“%s”（第 %d 版）公开时限“%s”", it.Code, it.Level2, it.Version, it.TimeLimit.Text))
}
