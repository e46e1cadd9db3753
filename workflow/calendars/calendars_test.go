package calendars

import (
	"testing"

	"wugongkai/workflow"
)

func mustYear(t *testing.T, src string) workflow.CalendarYear {
	t.Helper()
	y, err := workflow.ParseCalendarYear("2026.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return y
}

// TestCompare: the differences name each day off and make-up working day added or removed.
func TestCompare(t *testing.T) {
	old := mustYear(t, "year: 2026\nsource: a\nholidays:\n  - {name: 国庆节, from: 2026-10-01, to: 2026-10-07}\nworkdays:\n  - {date: 2026-10-10, name: 国庆节调休上班}\n")
	next := mustYear(t, "year: 2026\nsource: b\nholidays:\n  - {name: 国庆节, from: 2026-10-02, to: 2026-10-08}\nworkdays:\n  - {date: 2026-09-27, name: 国庆节调休上班}\n")
	d := Compare(old, next)
	str := func(ds []workflow.Day) string {
		s := ""
		for _, x := range ds {
			s += x.Date.String() + " "
		}
		return s
	}
	if str(d.HolidaysAdded) != "2026-10-08 " || str(d.HolidaysRemoved) != "2026-10-01 " ||
		str(d.WorkdaysAdded) != "2026-09-27 " || str(d.WorkdaysRemoved) != "2026-10-10 " || d.Empty() {
		t.Fatalf("diff %+v", d)
	}
	if !Compare(old, old).Empty() {
		t.Fatal("a year compared with itself differs")
	}
}
