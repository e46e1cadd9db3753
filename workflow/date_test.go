package workflow_test

import (
	"testing"
	"time"

	"wugongkai/workflow"
)

// mustDate parses a YYYY-MM-DD day or fails the test.
func mustDate(tb testing.TB, s string) workflow.Date {
	tb.Helper()
	d, err := workflow.ParseDate(s)
	if err != nil {
		tb.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}

// mustTime parses an RFC 3339 instant or fails the test.
func mustTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		tb.Fatalf("parse %q: %v", s, err)
	}
	return t
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in      string
		want    workflow.Date
		wantErr bool
	}{
		{in: "2026-09-18", want: workflow.Date{Year: 2026, Month: time.September, Day: 18}},
		{in: "2024-02-29", want: workflow.Date{Year: 2024, Month: time.February, Day: 29}},
		{in: "2025-02-29", wantErr: true},
		{in: "2026-9-18", wantErr: true},
		{in: "2026-09-18T00:00:00Z", wantErr: true},
		{in: "", wantErr: true},
		{in: "20260918", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := workflow.ParseDate(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseDate(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseDate(%q) = %v, want %v", tt.in, got, tt.want)
			}
			if !tt.wantErr && got.String() != tt.in {
				t.Errorf("String() = %q, want %q", got.String(), tt.in)
			}
		})
	}
}

func TestDateOf(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"2026-09-17T15:59:59Z", "2026-09-17"}, // 23:59:59 in Shanghai
		{"2026-09-17T16:00:00Z", "2026-09-18"}, // midnight in Shanghai
		{"2026-09-18T00:30:00+08:00", "2026-09-18"},
		{"2025-12-31T16:00:00Z", "2026-01-01"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := workflow.DateOf(mustTime(t, tt.in)).String(); got != tt.want {
				t.Errorf("DateOf(%s) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestDateArithmetic(t *testing.T) {
	d := mustDate(t, "2025-12-30")
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"add across the year", d.AddDays(3).String(), "2026-01-02"},
		{"add back", d.AddDays(-30).String(), "2025-11-30"},
		{"add across February", mustDate(t, "2024-02-28").AddDays(1).String(), "2024-02-29"},
		{"weekday", d.Weekday(), time.Tuesday},
		{"weekday name", mustDate(t, "2026-09-20").WeekdayName(), "星期日"},
		{"start", d.Start().UTC().Format(time.RFC3339), "2025-12-29T16:00:00Z"},
		{"end is the next start", d.End().Equal(d.AddDays(1).Start()), true},
		{"end", d.End().UTC().Format(time.RFC3339), "2025-12-30T16:00:00Z"},
		{"before", d.Before(mustDate(t, "2026-01-01")), true},
		{"not before itself", d.Before(d), false},
		{"after", d.After(mustDate(t, "2025-12-29")), true},
		{"after across months", mustDate(t, "2026-02-01").After(mustDate(t, "2026-01-31")), true},
		{"equal", d.Equal(mustDate(t, "2025-12-30")), true},
		{"zero", workflow.Date{}.IsZero(), true},
		{"zero string", workflow.Date{}.String(), ""},
		{"not zero", d.IsZero(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}
