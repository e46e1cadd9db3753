package workflow

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Period is a deadline period an instance carries in a fact (see EffectSpec.PeriodFact), written
// "N working_days", "N calendar_days" or "yearly MM-DD" (the next MM-DD after the day counted
// from), optionally followed by " | " and the basis of the period in Chinese, which the deadline's
// explanation begins with. The period may be left out ("| basis"): the effect's own count then
// applies, explained by the basis.
type Period struct {
	Unit  string // UnitWorking, UnitCalendar, UnitYearly, or "" for the effect's own count
	Days  int    // UnitWorking and UnitCalendar
	Month int    // UnitYearly
	Day   int    // UnitYearly
	Basis string
}

// UnitYearly is the unit of a Period falling due on a fixed day each year.
const UnitYearly = "yearly"

// String writes p as ParsePeriod reads it.
func (p Period) String() string {
	var s string
	switch p.Unit {
	case UnitWorking:
		s = fmt.Sprintf("%d working_days", p.Days)
	case UnitCalendar:
		s = fmt.Sprintf("%d calendar_days", p.Days)
	case UnitYearly:
		s = fmt.Sprintf("yearly %02d-%02d", p.Month, p.Day)
	}
	if p.Basis != "" {
		if s != "" {
			s += " "
		}
		s += "| " + p.Basis
	}
	return s
}

// ParsePeriod reads a period as String writes it.
func ParsePeriod(s string) (Period, error) {
	spec, basis, _ := strings.Cut(s, "|")
	p := Period{Basis: strings.TrimSpace(basis)}
	f := strings.Fields(spec)
	bad := func() (Period, error) {
		return Period{}, fmt.Errorf("期限 %q 的格式应为“N working_days”“N calendar_days”或“yearly MM-DD”", s)
	}
	switch {
	case len(f) == 0:
		if p.Basis == "" {
			return bad()
		}
		return p, nil
	case len(f) != 2:
		return bad()
	case f[0] == UnitYearly:
		m, d, ok := strings.Cut(f[1], "-")
		month, err1 := strconv.Atoi(m)
		day, err2 := strconv.Atoi(d)
		if !ok || err1 != nil || err2 != nil || month < 1 || month > 12 || day < 1 || day > 28+monthExtra[month-1] {
			return bad()
		}
		p.Unit, p.Month, p.Day = UnitYearly, month, day
		return p, nil
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n < 1 || n > 3660 {
		return bad()
	}
	switch f[1] {
	case "working_days":
		p.Unit = UnitWorking
	case "calendar_days":
		p.Unit = UnitCalendar
	default:
		return bad()
	}
	p.Days = n
	return p, nil
}

// monthExtra is how many days each month has beyond 28 (February: none, so 29 February, which
// not every year has, is refused).
var monthExtra = [12]int{3, 0, 3, 2, 3, 2, 3, 3, 2, 3, 2, 3}

// Count counts p from the day from on cal. ok is false for a period without a count of its own.
// A yearly period is counted in calendar days to the next MM-DD after from (run on to the next
// working day when that is a rest day), so that it is recounted like any count in calendar days.
func (p Period) Count(cal *Calendar, from Date) (c Count, ok bool) {
	switch p.Unit {
	case UnitWorking:
		return cal.AddWorkingDays(from, p.Days), true
	case UnitCalendar:
		return cal.AddCalendarDays(from, p.Days), true
	case UnitYearly:
		due := Date{Year: from.Year, Month: time.Month(p.Month), Day: p.Day}
		if !due.After(from) {
			due.Year++
		}
		n := 0
		for d := from; d.Before(due); d = d.AddDays(1) {
			n++
		}
		return cal.AddCalendarDays(from, n), true
	}
	return Count{}, false
}
