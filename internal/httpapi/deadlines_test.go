package httpapi_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"wugongkai/internal/tasks"
	"wugongkai/workflow"
)

// TestPublicationRemindersAndOverdueAlerts: a signed 主动公开 document gets a reminder to the
// disclosure office before its 20-working-day publication deadline and an overdue alert after it,
// each exactly once however often the sweep runs; the alerts stop once it is published.
func TestPublicationRemindersAndOverdueAlerts(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	d := s.create("drafter", map[string]any{"title": "逾期提醒测试", "attribute": "主动公开"})
	d = s.fire("drafter", d, "submit", nil)
	d = s.fire("unithead", d, "approve", nil)
	d = s.fire("leader", d, "sign", nil)
	var due, remind string
	for _, dl := range d.Deadlines {
		switch dl.Name {
		case "publication_due":
			due = dl.DueDate
		case "publication_due.remind":
			remind = dl.DueDate
		}
	}
	if due == "" || remind == "" || remind >= due {
		t.Fatalf("deadlines: %+v", d.Deadlines)
	}
	dueDay, _ := workflow.ParseDate(due)
	remindDay, _ := workflow.ParseDate(remind)
	var now time.Time
	sweep := tasks.NewSweep(tasks.OneOrg(s.store.Org(), s.store.Outbox, s.store.Deadlines), mustEngine(t), tasks.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)),
		workflow.ClockFunc(func() time.Time { return now }))
	officerNotes := func() []string {
		var out []string
		s2 := struct {
			Items []struct {
				Kind    string `json:"kind"`
				Message string `json:"message"`
			} `json:"items"`
		}{}
		s.mustDo(http.MethodGet, "/api/v1/notifications", "officer", nil, http.StatusOK, &s2)
		for _, n := range s2.Items {
			if n.Kind == "reminder" || n.Kind == "overdue" {
				out = append(out, n.Kind+":"+n.Message)
			}
		}
		return out
	}
	// The day before the reminder: nothing.
	now = remindDay.Start().Add(-time.Hour)
	if _, err := sweep.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if n := officerNotes(); len(n) != 0 {
		t.Fatalf("alerts before the reminder date: %v", n)
	}
	// After the reminder day ends: one reminder naming the real due date, even if the sweep runs twice.
	now = remindDay.End().Add(time.Minute)
	for range 2 {
		if _, err := sweep.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	n := officerNotes()
	if len(n) != 1 || !strings.HasPrefix(n[0], "reminder:") || !strings.Contains(n[0], due) {
		t.Fatalf("after the reminder date: %v (due %s)", n, due)
	}
	// After the due day: the overdue alert.
	now = dueDay.End().Add(time.Minute)
	if _, err := sweep.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	n = officerNotes()
	if len(n) != 2 || !strings.HasPrefix(n[0], "overdue:") {
		t.Fatalf("after the due date: %v", n)
	}
}

// TestValidityEndsByItself: a published document with an 有效期 flips to 失效 the day after it ends,
// with an audit event, and the portal shows the new validity.
func TestValidityEndsByItself(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	d := s.create("drafter", map[string]any{"title": "有效期测试", "attribute": "主动公开"})
	d = s.fire("drafter", d, "submit", nil)
	d = s.fire("unithead", d, "approve", nil)
	d = s.fire("leader", d, "sign", nil)
	until := workflow.DateOf(time.Now()).AddDays(30)
	d = s.fire("officer", d, "publish", map[string]string{"summary": "概述", "subject_category": "综合政务", "valid_until": until.String()})
	if d.Validity != "有效" {
		t.Fatalf("validity %q", d.Validity)
	}
	if n, err := s.store.Documents.ExpireValidity(ctx, until); err != nil || n != 0 {
		t.Fatalf("expired on its last valid day: %d %v", n, err)
	}
	if n, err := s.store.Documents.ExpireValidity(ctx, until.AddDays(1)); err != nil || n != 1 {
		t.Fatalf("not expired the day after: %d %v", n, err)
	}
	var pub struct {
		Validity   string `json:"validity"`
		ValidUntil string `json:"valid_until"`
	}
	s.mustDo(http.MethodGet, pathf("/api/v1/public/documents/%d", d.ID), "", nil, http.StatusOK, &pub)
	if pub.Validity != "失效" || pub.ValidUntil != until.String() {
		t.Fatalf("portal shows %+v", pub)
	}
	// The office can also repeal it by hand.
	var cur docView
	s.mustDo(http.MethodGet, pathf("/api/v1/documents/%d", d.ID), "officer", nil, http.StatusOK, &cur)
	s.mustDo(http.MethodPut, pathf("/api/v1/documents/%d/validity", d.ID), "officer", map[string]any{"version": cur.Version, "validity": "废止"}, http.StatusOK, &cur)
	s.mustFail(http.MethodPut, pathf("/api/v1/documents/%d/validity", d.ID), "drafter", map[string]any{"version": cur.Version, "validity": "有效"}, http.StatusForbidden, workflow.EForbidden)
	if cur.Validity != "废止" {
		t.Fatalf("validity %q", cur.Validity)
	}
}
