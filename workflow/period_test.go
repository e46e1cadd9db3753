package workflow_test

import (
	"strings"
	"testing"
	"time"

	"wugongkai/workflow"
)

func TestParsePeriod(t *testing.T) {
	good := []struct {
		in   string
		want workflow.Period
	}{
		{"3 working_days", workflow.Period{Unit: workflow.UnitWorking, Days: 3}},
		{"20 calendar_days | 财政部门批复后20日内", workflow.Period{Unit: workflow.UnitCalendar, Days: 20, Basis: "财政部门批复后20日内"}},
		{"yearly 01-31 | 每年1月31日前", workflow.Period{Unit: workflow.UnitYearly, Month: 1, Day: 31, Basis: "每年1月31日前"}},
		{"| 长期公开", workflow.Period{Basis: "长期公开"}},
	}
	for _, tt := range good {
		got, err := workflow.ParsePeriod(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParsePeriod(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
		if back, _ := workflow.ParsePeriod(got.String()); back != got {
			t.Errorf("ParsePeriod(%q.String()) = %+v", tt.in, back)
		}
	}
	for _, bad := range []string{"", "|", "3", "3 weeks", "0 working_days", "yearly 02-29", "yearly 13-01", "x working_days", "1 2 3"} {
		if p, err := workflow.ParsePeriod(bad); err == nil {
			t.Errorf("ParsePeriod(%q) = %+v, want an error", bad, p)
		}
	}
}

// TestPeriodFactDeadline signs a 主动公开 document whose publication_period says how soon it is to
// be published: the deadline is the period's end when no later than 20 working days, which stay
// the ceiling and the count without the fact; the explanation starts with the basis.
func TestPeriodFactDeadline(t *testing.T) {
	eng := mustEngine(t)
	at := func(day string) time.Time {
		d := mustDate(t, day)
		return time.Date(d.Year, d.Month, d.Day, 10, 0, 0, 0, workflow.Shanghai)
	}
	tests := []struct {
		name, period, signed string
		due, unit            string
		days                 int
		remind               string // the reminder's due date, "" = none
		explains             string
	}{
		// 20 working days from Fri 18 Sep: 20 Sep (Sun) is worked, 1–7 Oct off, 10 Oct (Sat) worked.
		{"no item", "", "2026-09-18", "2026-10-22", "working", 20, "2026-10-15", "自 2026-09-18 起算"},
		{"working days over 国庆", "3 working_days | 标准目录事项 T-1", "2026-09-30", "2026-10-10", "working", 3, "", "标准目录事项 T-1：自 2026-09-30 起算（当日不计）3 个工作日"},
		{"prompt before 国庆", "1 working_days | 实时公开", "2026-09-30", "2026-10-08", "working", 1, "", "实时公开："},
		{"prompt over 劳动节", "1 working_days | 及时公开", "2026-04-30", "2026-05-06", "working", 1, "", "及时公开："},
		{"calendar days into 国庆", "10 calendar_days | 批复后10日内", "2026-09-25", "2026-10-08", "calendar", 10, "", "顺延"},
		{"yearly", "yearly 01-31 | 每年1月31日前", "2027-01-20", "2027-02-01", "calendar", 11, "", "每年1月31日前："},
		{"yearly beyond the ceiling", "yearly 01-31 | 每年1月31日前", "2026-03-02", "2026-03-30", "working", 20, "2026-03-23", "按上限计算"},
		{"standing", "| 长期公开，以20个工作日为限", "2026-04-29", "2026-05-29", "working", 20, "2026-05-22", "长期公开，以20个工作日为限：自 2026-04-29"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			facts := with(public(), "publication_period", tt.period)
			if tt.period == "" {
				facts = public()
			}
			inst := workflow.Instance{Definition: "document", DefinitionVersion: 7, State: "sign_off", Facts: facts}
			res, err := eng.Fire(inst, "sign", leader, nil, at(tt.signed))
			if err != nil {
				t.Fatal(err)
			}
			var dl, remind *workflow.Effect
			for i, e := range res.Effects {
				switch e.Name {
				case "publication_due":
					dl = &res.Effects[i]
				case "publication_due.remind":
					remind = &res.Effects[i]
				}
			}
			if dl == nil {
				t.Fatalf("no publication_due among %+v", res.Effects)
			}
			if dl.DueDate.String() != tt.due || dl.CountUnit != tt.unit || dl.CountDays != tt.days || dl.CountFrom.String() != tt.signed {
				t.Errorf("due %s (%d %s from %s), want %s (%d %s from %s)", dl.DueDate, dl.CountDays, dl.CountUnit, dl.CountFrom, tt.due, tt.days, tt.unit, tt.signed)
			}
			if !strings.Contains(dl.Explanation, tt.explains) {
				t.Errorf("explanation %q does not say %q", dl.Explanation, tt.explains)
			}
			switch {
			case tt.remind == "" && remind != nil:
				t.Errorf("a reminder on %s, want none", remind.DueDate)
			case tt.remind != "" && (remind == nil || remind.DueDate.String() != tt.remind):
				t.Errorf("reminder %+v, want on %s", remind, tt.remind)
			}
		})
	}
	t.Run("a period that cannot be read refuses the transition", func(t *testing.T) {
		inst := workflow.Instance{Definition: "document", DefinitionVersion: 7, State: "sign_off", Facts: with(public(), "publication_period", "soon")}
		if _, err := eng.Fire(inst, "sign", leader, nil, friday); workflow.ErrorCode(err) != workflow.EInvalid {
			t.Errorf("Fire = %v, want invalid", err)
		}
	})
}

// TestDepartureFromProposedAttribute: a drafter whose attribute is not the one the catalogue item
// proposes submits only with the reason, which the document keeps until the next submission.
func TestDepartureFromProposedAttribute(t *testing.T) {
	eng := mustEngine(t)
	onRequest := with(public(), "attribute", "依申请公开", "grounds_explanation", "涉及特定群体", "proposed_attribute", "主动公开")
	inst := workflow.Instance{Definition: "document", DefinitionVersion: 7, State: "drafting", Facts: onRequest}
	_, err := eng.Fire(inst, "submit", drafter, nil, friday)
	if e := workflow.AsError(err); e == nil || e.Code != workflow.EInputMissing || e.Field != "departure_reason" || !strings.Contains(e.Message, "主动公开") {
		t.Fatalf("submit without a reason = %v", err)
	}
	res, err := eng.Fire(inst, "submit", drafter, workflow.Input{"departure_reason": "仅涉及个别住户"}, friday)
	if err != nil || res.Instance.Facts["departure_reason"] != "仅涉及个别住户" {
		t.Fatalf("submit with a reason = %v, facts %v", err, res.Instance.Facts)
	}
	as := workflow.Instance{Definition: "document", DefinitionVersion: 7, State: "drafting", Facts: with(public(), "proposed_attribute", "主动公开", "departure_reason", "旧理由")}
	res, err = eng.Fire(as, "submit", drafter, nil, friday)
	if err != nil || res.Instance.Facts["departure_reason"] != "" {
		t.Fatalf("submit as proposed = %v, facts %v", err, res.Instance.Facts)
	}
}
