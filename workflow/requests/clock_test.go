package requests_test

import (
	"strings"
	"testing"

	"wugongkai/configs"
	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

func mustDay(tb testing.TB, s string) workflow.Date {
	tb.Helper()
	d, err := workflow.ParseDate(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// TestReplyDeadline covers the reply clock of a request across the 2025 and 2026 holiday weeks.
// Every expected date was counted by hand on the official calendars (the day of receipt or of the
// supplement is not counted; 调休 weekend days count; days off do not).
func TestReplyDeadline(t *testing.T) {
	cal, err := workflow.LoadCalendar(configs.Holidays())
	if err != nil {
		t.Fatal(err)
	}
	d := func(s string) workflow.Date { return mustDay(t, s) }
	cases := []struct {
		name      string
		clock     requests.RequestClock
		due       string
		total     int
		suspended bool
		explain   []string
	}{
		{"plain 20 working days over 中秋 and 国庆 2026",
			requests.RequestClock{Received: d("2026-09-18")}, "2026-10-22", 20, false, []string{"2026-09-20", "2026-10-10"}},
		{"supplement restarts the clock across 春节 2026 (make-up Saturdays 14 and 28 Feb count)",
			requests.RequestClock{Received: d("2026-01-05"), Supplemented: d("2026-02-12")}, "2026-03-18", 20, false, []string{"补正", "2026-02-14", "2026-02-28"}},
		{"extension of 20 working days",
			requests.RequestClock{Received: d("2026-09-18"), ExtensionDays: 20}, "2026-11-19", 40, false, []string{"延长 20 个工作日"}},
		// Received Fri 19 Sep 2025; the third party was consulted from Fri 26 Sep to Fri 10 Oct:
		// Sun 28 Sep (make-up), 29 and 30 Sep, 9 and 10 Oct = 5 working days not counted.
		{"third-party consultation pauses the clock over 国庆 2025",
			requests.RequestClock{Received: d("2025-09-19"), Pauses: []requests.Pause{{Kind: requests.PauseThirdParty, From: d("2025-09-26"), To: d("2025-10-10")}}},
			"2025-10-30", 25, false, []string{"征求第三方意见", "5 个工作日不计入"}},
		// A consultation counts at most 15 working days (to 23 Oct 2025) however long it ran.
		{"a long consultation counts at most 15 working days",
			requests.RequestClock{Received: d("2025-09-19"), Pauses: []requests.Pause{{Kind: requests.PauseCoMaker, From: d("2025-09-26"), To: d("2025-11-20")}}},
			"2025-11-13", 35, false, []string{"最长 15 个工作日", "2025-10-23"}},
		{"a pause that begins after the reply was due moves nothing",
			requests.RequestClock{Received: d("2026-09-18"), Pauses: []requests.Pause{{Kind: requests.PauseThirdParty, From: d("2026-10-26"), To: d("2026-10-30")}}},
			"2026-10-22", 20, false, []string{"不再顺延"}},
		{"an unpaid fee notice suspends the clock",
			requests.RequestClock{Received: d("2026-09-18"), Pauses: []requests.Pause{{Kind: requests.PauseFee, From: d("2026-09-25")}}},
			"", 0, true, []string{"暂停计算"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := requests.ReplyDeadlineOf(cal, c.clock)
			if got.Suspended != c.suspended {
				t.Fatalf("suspended = %v, want %v", got.Suspended, c.suspended)
			}
			if !c.suspended && (got.Due.String() != c.due || got.Total != c.total) {
				t.Fatalf("due %s after %d working days, want %s after %d\n%s", got.Due, got.Total, c.due, c.total, got.Text())
			}
			text := got.Text()
			if !c.suspended && !strings.HasPrefix(text, c.due+"\n") {
				t.Errorf("Text does not start with the due date:\n%s", text)
			}
			for _, want := range c.explain {
				if !strings.Contains(text+got.Explanation(), want) {
					t.Errorf("explanation lacks %q:\n%s\n%s", want, text, got.Explanation())
				}
			}
		})
	}
	// A reminder 5 working days before the plain 2026 deadline falls on Thu 15 Oct.
	rd := requests.ReplyDeadlineOf(cal, requests.RequestClock{Received: d("2026-09-18")})
	if r, ok := requests.ReminderOf(cal, rd, 5); !ok || r.Due.String() != "2026-10-15" {
		t.Fatalf("reminder = %s %v, want 2026-10-15", r.Due, ok)
	}
}

func TestPausesRoundTripAndFees(t *testing.T) {
	ps := []requests.Pause{{Kind: requests.PauseThirdParty, From: mustDay(t, "2025-09-26"), To: mustDay(t, "2025-10-10")},
		{Kind: requests.PauseCoMaker, From: mustDay(t, "2025-11-03"), To: mustDay(t, "2025-11-07")}}
	got, err := requests.ParsePauses(requests.FormatPauses(ps))
	if err != nil || len(got) != 2 || got[0] != ps[0] || got[1] != ps[1] {
		t.Fatalf("round trip = %+v, %v", got, err)
	}
	for _, bad := range []string{"third_party:2025-09-26", "x:2025-13-01:2025-10-10"} {
		if _, err := requests.ParsePauses(bad); err == nil {
			t.Errorf("ParsePauses(%q) accepted", bad)
		}
	}
	// 《政府信息公开信息处理费管理办法》: 10 a month free, 11–30 at 100 yuan, then +100 per band of 10.
	for nth, want := range map[int]int{1: 0, 10: 0, 11: 100, 30: 100, 31: 200, 40: 200, 41: 300, 55: 400} {
		if got := requests.FeeFor(nth); got != want {
			t.Errorf("FeeFor(%d) = %d, want %d", nth, got, want)
		}
	}
}
