package postgres_test

import (
	"context"
	"testing"
	"time"

	"wugongkai/internal/postgres"
	"wugongkai/workflow"
	"wugongkai/workflow/portal"
)

// TestPortalTexts: a text never saved reads as version 0; saving from version 0 creates it,
// saving again needs the current version (a stale one gets EConflict and changes nothing); and
// each organisation has its own texts.
func TestPortalTexts(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	s := f.store
	got, err := s.Portal.PortalText(ctx, portal.Guide)
	if err != nil || got.Version != 0 || got.Body != "" || got.Key != portal.Guide {
		t.Fatalf("unsaved text = %+v, %v", got, err)
	}
	at := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	v1, err := s.Portal.SavePortalText(ctx, portal.Text{Key: portal.Guide, Body: "第一版", UpdatedAt: at, UpdatedBy: "周公开"}, 0)
	if err != nil || v1.Version != 1 || v1.Body != "第一版" || v1.UpdatedBy != "周公开" {
		t.Fatalf("first save = %+v, %v", v1, err)
	}
	if _, err := s.Portal.SavePortalText(ctx, portal.Text{Key: portal.Guide, Body: "又一个第一版", UpdatedAt: at, UpdatedBy: "x"}, 0); workflow.ErrorCode(err) != workflow.EConflict {
		t.Fatalf("second create: %v, want conflict", err)
	}
	v2, err := s.Portal.SavePortalText(ctx, portal.Text{Key: portal.Guide, Body: "第二版", UpdatedAt: at.Add(time.Hour), UpdatedBy: "周公开"}, 1)
	if err != nil || v2.Version != 2 || v2.Body != "第二版" {
		t.Fatalf("second save = %+v, %v", v2, err)
	}
	if _, err := s.Portal.SavePortalText(ctx, portal.Text{Key: portal.Guide, Body: "过时", UpdatedAt: at, UpdatedBy: "x"}, 1); workflow.ErrorCode(err) != workflow.EConflict {
		t.Fatalf("stale save: %v, want conflict", err)
	}
	if _, err := s.Portal.SavePortalText(ctx, portal.Text{Key: portal.Rules, Body: "制度", UpdatedAt: at, UpdatedBy: "x"}, 5); workflow.ErrorCode(err) != workflow.EConflict {
		t.Fatalf("update of a text never saved: %v, want conflict", err)
	}
	if got, _ := s.Portal.PortalText(ctx, portal.Rules); got.Version != 0 {
		t.Fatalf("a refused update created the text: %+v", got)
	}
	got, err = s.Portal.PortalText(ctx, portal.Guide)
	if err != nil || got.Body != "第二版" || got.Version != 2 || !got.UpdatedAt.Equal(at.Add(time.Hour)) {
		t.Fatalf("read back = %+v, %v", got, err)
	}

	other, err := postgres.EnsureOrg(ctx, f.db, "TESTORG002", "另一局")
	if err != nil {
		t.Fatal(err)
	}
	others := postgres.NewStores(f.db, other, nil)
	t.Cleanup(others.Close)
	if got, err := others.Portal.PortalText(ctx, portal.Guide); err != nil || got.Version != 0 {
		t.Fatalf("another organisation sees %+v, %v", got, err)
	}
}
