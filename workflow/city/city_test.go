package city_test

import (
	"context"
	"testing"
	"time"

	"wugongkai/workflow"
	"wugongkai/workflow/city"
)

// agenciesOnly is a store that knows the agencies and nothing else.
type agenciesOnly struct{ city.Store }

func (agenciesOnly) Agencies(context.Context) ([]city.Agency, error) {
	return []city.Agency{{ID: 1, Code: "A1", Name: "甲局"}, {ID: 2, Code: "B2", Name: "乙委"}}, nil
}

// allow grants every permission to user 1 and none to anyone else.
type allow struct{}

func (allow) Authorize(_ context.Context, a workflow.Actor, _, _ string) error {
	if a.UserID == 1 {
		return nil
	}
	return &workflow.Error{Code: workflow.EForbidden, Message: "无权"}
}

func TestRequestFormGoesToTheAgency(t *testing.T) {
	c := &city.City{Store: agenciesOnly{}, AgencyURL: func(code string) string { return "https://" + code + ".example.gov.cn/" }}
	got, err := c.RequestForm(context.Background(), "B2")
	if err != nil || got != "https://B2.example.gov.cn/requests/new" {
		t.Errorf("B2: %q, %v", got, err)
	}
	if _, err := c.RequestForm(context.Background(), "C3"); workflow.ErrorCode(err) != workflow.ENotFound {
		t.Errorf("unknown agency: %v", err)
	}
	if got := (&city.City{}).PortalURL(city.Agency{Code: "A1"}); got != "" {
		t.Errorf("no AgencyURL: %q", got)
	}
}

func TestCheckOfficeNeedsThePlatform(t *testing.T) {
	ctx := context.Background()
	office, other := workflow.Actor{UserID: 1}, workflow.Actor{UserID: 2}
	if err := city.CheckOffice(ctx, allow{}, true, office, "city:oversee"); err != nil {
		t.Errorf("office on the platform: %v", err)
	}
	if err := city.CheckOffice(ctx, allow{}, true, other, "city:oversee"); workflow.ErrorCode(err) != workflow.EForbidden {
		t.Errorf("without the permission: %v", err)
	}
	if err := city.CheckOffice(ctx, allow{}, false, office, "city:oversee"); workflow.ErrorCode(err) != workflow.EForbidden {
		t.Errorf("off the platform: %v", err)
	}
}

func TestDaysOverdue(t *testing.T) {
	o := city.Overdue{DueDate: workflow.Date{Year: 2026, Month: time.February, Day: 27}}
	now := time.Date(2026, 3, 2, 0, 30, 0, 0, workflow.Shanghai) // 2 March in Beijing, 1 March in UTC
	if got := o.DaysOverdue(now); got != 3 {
		t.Errorf("DaysOverdue = %d, want 3", got)
	}
}
