package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"wugongkai/internal/postgres"
	"wugongkai/workflow"
	"wugongkai/workflow/consultations"
)

// TestDeskStore checks the 待办 queries: the pending deadlines of many subjects at once, soonest
// first, and the consultations whose public comments wait for moderation, each within its
// organisation and the units asked for.
func TestDeskStore(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t)
	cs := mustCommentStore(t, f, postgres.CommentOptions{})
	public := f.mustDecision(t, "consultation_open", workflow.Facts{"comments_public": "true"})
	private := f.mustDecision(t, "consultation_open", nil)
	cms := mustAdd(t, cs, comment(public.ID, "建议增加投放点", "192.0.2.1", t0), comment(public.ID, "请明确处罚标准", "192.0.2.2", t0),
		comment(public.ID, "同意", "192.0.2.3", t0), comment(private.ID, "不公开的意见", "192.0.2.4", t0))
	if _, err := cs.Moderate(ctx, public.ID, cms[2].ID, consultations.CommentPublished, "", f.actor, t0); err != nil {
		t.Fatal(err)
	}
	other, err := postgres.EnsureOrg(ctx, f.db, "TESTORG002", "另一局")
	if err != nil {
		t.Fatal(err)
	}
	const ins = `INSERT INTO deadlines (org_id, subject_kind, subject_id, name, due_at, due_date, action, status)
		VALUES ($1, 'document', $2, $3, $4, $4::timestamptz::date, $5, $6)`
	for _, d := range []struct {
		org          int64
		subject      int64
		name         string
		due          time.Time
		action, stat string
	}{
		{f.store.Org(), public.ID, "consultation_closes", t0.Add(72 * time.Hour), "fire", "pending"},
		{f.store.Org(), public.ID, "consultation_closes.remind", t0.Add(24 * time.Hour), "remind", "pending"},
		{f.store.Org(), public.ID, "publication_due", t0, "overdue", "done"},
		{f.store.Org(), private.ID, "consultation_closes", t0.Add(48 * time.Hour), "fire", "pending"},
		{other, public.ID, "publication_due", t0, "overdue", "pending"},
	} {
		if _, err := f.db.ExecContext(ctx, ins, d.org, d.subject, d.name, d.due.UTC(), d.action, d.stat); err != nil {
			t.Fatal(err)
		}
	}

	ds := f.store.Desk
	dls, err := ds.PendingDeadlines(ctx, "document", []int64{public.ID, private.ID})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, dl := range dls[public.ID] {
		names = append(names, dl.Name)
	}
	if !slices.Equal(names, []string{"consultation_closes.remind", "consultation_closes"}) || len(dls[private.ID]) != 1 || len(dls) != 2 {
		t.Fatalf("pending deadlines: %v (%d subjects)", names, len(dls))
	}
	if dls, err := ds.PendingDeadlines(ctx, "request", []int64{public.ID}); err != nil || len(dls) != 0 {
		t.Fatalf("another kind's deadlines: %v, %v", dls, err)
	}

	for _, c := range []struct {
		units []string
		all   bool
		want  int
	}{{nil, true, 1}, {[]string{"chengjian"}, false, 1}, {[]string{"fangchan"}, false, 0}, {nil, false, 0}} {
		ms, err := ds.ModerationQueue(ctx, c.units, c.all)
		if err != nil || len(ms) != c.want {
			t.Fatalf("moderation queue of %v (all %v): %+v, %v", c.units, c.all, ms, err)
		}
		if c.want == 1 && (ms[0].DocumentID != public.ID || ms[0].Pending != 2 || ms[0].UnitName != "城建科" || ms[0].Title != public.Title) {
			t.Fatalf("moderation item: %+v", ms[0])
		}
	}
	otherStores := postgres.NewStores(f.db, other, nil)
	defer otherStores.Close()
	otherDesk := otherStores.Desk
	if ms, err := otherDesk.ModerationQueue(ctx, nil, true); err != nil || len(ms) != 0 {
		t.Fatalf("another organisation's moderation queue: %+v, %v", ms, err)
	}
	if dls, err := otherDesk.PendingDeadlines(ctx, "document", []int64{private.ID}); err != nil || len(dls) != 0 {
		t.Fatalf("another organisation's deadlines: %v, %v", dls, err)
	}
}
