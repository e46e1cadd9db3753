package workflow_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"wugongkai/workflow"
)

func TestDefaultGuards(t *testing.T) {
	guards := workflow.DefaultGuards()
	opens := "2026-09-21T01:00:00Z"
	tests := []struct {
		guard    string
		facts    workflow.Facts
		input    workflow.Input
		now      time.Time
		probe    bool
		wantCode string
	}{
		{guard: "attribute_set", facts: workflow.Facts{"attribute": "依申请公开"}},
		{guard: "attribute_set", facts: workflow.Facts{"attribute": "公开"}, wantCode: workflow.EGuardFailed},
		{guard: "attribute_public", facts: workflow.Facts{"attribute": "依申请公开"}, wantCode: workflow.EGuardFailed},
		{guard: "attribute_not_public", facts: workflow.Facts{"attribute": "依申请公开"}},
		{guard: "attribute_not_public", facts: workflow.Facts{}, wantCode: workflow.EGuardFailed},
		{guard: "legal_approved", facts: workflow.Facts{"legal_approved": "yes"}, wantCode: workflow.EGuardFailed},
		{guard: "consultation_required", facts: workflow.Facts{"consultation_exempt": "false"}},
		{guard: "consultation_exempt", facts: workflow.Facts{}, wantCode: workflow.EGuardFailed},
		{guard: "exempt_reason_given", facts: workflow.Facts{"exempt_reason": "  "}, wantCode: workflow.EGuardFailed},

		// period_valid: at least 30 days (720 hours), opening ahead of now
		{guard: "period_valid", facts: workflow.Facts{"opens_at": opens, "closes_at": "2026-10-21T01:00:00Z"}, now: friday},
		{guard: "period_valid", facts: workflow.Facts{"opens_at": opens, "closes_at": "2026-10-21T00:59:59Z"}, now: friday,
			wantCode: workflow.EGuardFailed},
		{guard: "period_valid", facts: workflow.Facts{"opens_at": opens, "closes_at": "2026-09-28T01:00:00Z", "shortening_reason": "紧急"}, now: friday},
		// ... never below the floor, 7 days by default, whatever the reason (6 minutes were once accepted)
		{guard: "period_valid", facts: workflow.Facts{"opens_at": opens, "closes_at": "2026-09-28T00:59:59Z", "shortening_reason": "紧急"}, now: friday,
			wantCode: workflow.EGuardFailed},
		{guard: "period_valid", facts: workflow.Facts{"opens_at": opens, "closes_at": "2026-09-21T01:06:00Z", "shortening_reason": "紧急"}, now: friday,
			wantCode: workflow.EGuardFailed},
		// shortening_reviewed: a shortened period is approved only with an opinion on its reason
		{guard: "shortening_reviewed", facts: workflow.Facts{"shortening_reason": "紧急"}, wantCode: workflow.EInputMissing},
		{guard: "shortening_reviewed", facts: workflow.Facts{"shortening_reason": "紧急"}, input: workflow.Input{"shortening_opinion": " "},
			wantCode: workflow.EInputMissing},
		{guard: "shortening_reviewed", facts: workflow.Facts{"shortening_reason": "紧急"}, input: workflow.Input{"shortening_opinion": "理由成立"}},
		{guard: "shortening_reviewed", facts: workflow.Facts{"shortening_reason": "紧急"}, probe: true},
		{guard: "shortening_reviewed", facts: workflow.Facts{}},
		{guard: "period_valid", facts: workflow.Facts{"opens_at": opens, "closes_at": opens, "shortening_reason": "紧急"}, now: friday,
			wantCode: workflow.EGuardFailed},
		{guard: "period_valid", facts: workflow.Facts{"opens_at": opens, "closes_at": "2026-12-01T01:00:00Z"}, now: mustTime(t, opens),
			wantCode: workflow.EGuardFailed},
		{guard: "period_valid", facts: workflow.Facts{"opens_at": "2026-09-21 09:00", "closes_at": "2026-12-01T01:00:00Z"}, now: friday,
			wantCode: workflow.EGuardFailed},
		{guard: "period_started", facts: workflow.Facts{"opens_at": opens}, now: mustTime(t, opens)},
		{guard: "period_started", facts: workflow.Facts{}, now: friday, wantCode: workflow.EGuardFailed},
		{guard: "period_closed", facts: workflow.Facts{"closes_at": opens}, now: mustTime(t, opens)},
		{guard: "period_closed", facts: workflow.Facts{"closes_at": opens}, now: mustTime(t, opens).Add(-time.Second),
			wantCode: workflow.EGuardFailed},

		// extension_valid checks the input, except when probing
		{guard: "extension_valid", facts: workflow.Facts{"closes_at": opens}, probe: true},
		{guard: "extension_valid", facts: workflow.Facts{"closes_at": opens}, input: workflow.Input{"closes_at": "2026-09-21T01:00:01Z"}, now: friday},
		{guard: "extension_valid", facts: workflow.Facts{"closes_at": opens}, input: workflow.Input{"closes_at": opens}, now: friday,
			wantCode: workflow.EGuardFailed},
		{guard: "extension_valid", facts: workflow.Facts{"closes_at": opens}, input: workflow.Input{"closes_at": "2026-09-22T00:00:00Z"},
			now: mustTime(t, "2026-09-23T00:00:00Z"), wantCode: workflow.EGuardFailed},
		{guard: "extension_valid", facts: workflow.Facts{"closes_at": opens}, input: workflow.Input{}, now: friday,
			wantCode: workflow.EInvalid},

		{guard: "summary_attached", facts: workflow.Facts{"summary_attached": "true"}},
		{guard: "period_closed_or_exempt", facts: workflow.Facts{"consultation_exempt": "true", "exemption_approved": "true"}, now: friday},
		{guard: "period_closed_or_exempt", facts: workflow.Facts{"consultation_exempt": "true"}, now: friday, wantCode: workflow.EGuardFailed},
		{guard: "period_closed_or_exempt", facts: workflow.Facts{"exemption_approved": "true", "closes_at": opens}, now: friday,
			wantCode: workflow.EGuardFailed},
		{guard: "summary_attached_or_exempt", facts: workflow.Facts{"consultation_exempt": "true", "exemption_approved": "true"}},
		{guard: "summary_attached_or_exempt", facts: workflow.Facts{"consultation_exempt": "true"}, wantCode: workflow.EGuardFailed},
	}
	for _, tt := range tests {
		t.Run(tt.guard, func(t *testing.T) {
			g, ok := guards[tt.guard]
			if !ok {
				t.Fatalf("no guard %s", tt.guard)
			}
			err := g(workflow.GuardContext{Instance: workflow.Instance{Facts: tt.facts}, Input: tt.input, Now: tt.now, Probe: tt.probe})
			if code := workflow.ErrorCode(err); code != tt.wantCode {
				t.Errorf("%s(%v, %v) = %v (code %q), want %q", tt.guard, tt.facts, tt.input, err, code, tt.wantCode)
			}
			if err != nil && workflow.ErrorMessage(err) == "" {
				t.Errorf("refusal without a message")
			}
		})
	}
}

// TestPeriodFloor: the floor of a shortened period is the configured one, and its refusal says
// the floor and the earliest closing time.
func TestPeriodFloor(t *testing.T) {
	opens := "2026-09-21T01:00:00Z"
	reason := workflow.Facts{"opens_at": opens, "shortening_reason": "防汛紧急"}
	at := func(closes string) workflow.GuardContext {
		return workflow.GuardContext{Instance: workflow.Instance{Facts: with(reason, "closes_at", closes)}, Now: friday}
	}
	threeDays := workflow.PeriodValid(3 * 24 * time.Hour)
	if err := threeDays(at("2026-09-24T01:00:00Z")); err != nil {
		t.Errorf("3 days with a 3-day floor: %v", err)
	}
	err := threeDays(at("2026-09-24T00:00:00Z"))
	e := workflow.AsError(err)
	if e == nil || e.Code != workflow.EGuardFailed || e.Details["reason"] != "period_below_floor" ||
		!strings.Contains(e.Message, "不得少于 3 日") || !strings.Contains(e.Message, "2026-09-24 09:00") {
		t.Errorf("under the floor: %v", err)
	}
	if err := workflow.DefaultGuards()["period_valid"](at("2026-09-24T01:00:00Z")); workflow.ErrorCode(err) != workflow.EGuardFailed ||
		!strings.Contains(workflow.ErrorMessage(err), "不得少于 7 日") {
		t.Errorf("3 days under the default floor: %v", err)
	}
}

func TestGuardSetWith(t *testing.T) {
	base := workflow.GuardSet{"a": func(workflow.GuardContext) error { return nil }}
	refuse := func(workflow.GuardContext) error { return workflow.Errorf(workflow.EGuardFailed, "不行") }
	merged := base.With(workflow.GuardSet{"a": refuse, "b": refuse})
	if got := merged.Names(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("merged names = %v", got)
	}
	if merged["a"](workflow.GuardContext{}) == nil {
		t.Error("the other set does not win on a shared name")
	}
	if len(base) != 1 || base["a"](workflow.GuardContext{}) != nil {
		t.Error("With changed the receiver")
	}
}
