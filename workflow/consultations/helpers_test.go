package consultations_test

import (
	"testing"

	"wugongkai/configs"
	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

// The helpers below are copies of the engine tests' helpers in package workflow_test.

func mustEngine(tb testing.TB) *workflow.Engine {
	tb.Helper()
	return workflow.NewEngine(mustRegistry(tb), testGuards(), mustCalendar(tb))
}

func testGuards() workflow.GuardSet {
	return workflow.DefaultGuards().With(requests.Guards()).With(workflow.GuardSet{
		"disclosure_valid": func(g workflow.GuardContext) error {
			f := g.Instance.Facts
			if f["attribute"] != workflow.AttributeProactive && (f["grounds"] == "" || f["grounds_explanation"] == "") {
				return workflow.Errorf(workflow.EInvalid, "不予公开或依申请公开须说明法定理由")
			}
			return nil
		},
	})
}

// mustRegistry loads the shipped definitions.
func mustRegistry(tb testing.TB) *workflow.Registry {
	tb.Helper()
	reg, err := workflow.LoadDefinitions(configs.Workflows(), testGuards())
	if err != nil {
		tb.Fatalf("LoadDefinitions: %v", err)
	}
	return reg
}

// mustCalendar loads the shipped holiday calendars (2025 and 2026).
func mustCalendar(tb testing.TB) *workflow.Calendar {
	tb.Helper()
	cal, err := workflow.LoadCalendar(configs.Holidays())
	if err != nil {
		tb.Fatalf("LoadCalendar: %v", err)
	}
	return cal
}

var drafter = workflow.Actor{UserID: 11, Username: "li", Name: "李起草"}
