package postgres_test

import (
	"context"
	"testing"

	"wugongkai/internal/postgres"
	"wugongkai/workflow"
	"wugongkai/workflow/documents"
	"wugongkai/workflow/workflowtest"
)

// pgHarness adapts the PostgreSQL store to the contract suite the fake store also passes.
type pgHarness struct {
	*postgres.Instances
	s *postgres.Stores
	f fixture
}

func (h pgHarness) Create(ctx context.Context, inst workflow.Instance) (workflow.Instance, error) {
	d, err := h.s.Documents.CreateDocument(ctx, documents.Document{Instance: inst, Title: "契约测试", DocKind: documents.KindOther,
		CreatedBy: h.f.user.ID}, h.f.actor, t0)
	return d.Instance, err
}

func (h pgHarness) Load(ctx context.Context, id int64) (workflow.Instance, error) {
	return h.s.Instances.Instance(ctx, id)
}

func (h pgHarness) Events(ctx context.Context, id int64) ([]workflow.Event, error) {
	hist, err := h.s.Audit.History(ctx, "document", id)
	if err != nil {
		return nil, err
	}
	var out []workflow.Event
	for _, e := range hist {
		if e.Action == "create" {
			continue
		}
		out = append(out, workflow.Event{Transition: e.Action, From: e.FromState, To: e.ToState,
			Actor: workflow.Actor{UserID: e.ActorID, Name: e.ActorName}, Input: workflow.Input(e.Data), At: e.At})
	}
	return out, nil
}

func (h pgHarness) Deadlines(ctx context.Context, id int64) ([]workflow.Effect, error) {
	dls, err := h.s.Deadlines.Deadlines(ctx, "document", id)
	if err != nil {
		return nil, err
	}
	var out []workflow.Effect
	for _, d := range dls {
		if d.Status != "pending" {
			continue
		}
		due, _ := workflow.ParseDate(d.DueDate)
		out = append(out, workflow.Effect{Kind: workflow.EffectDeadline, Name: d.Name, DueAt: d.DueAt, DueDate: due,
			Provisional: d.Provisional, Action: d.Action, Transition: d.Transition, Role: d.Role, Explanation: d.Explanation,
			CountFrom: d.CountFrom, CountDays: d.CountDays, CountUnit: d.CountUnit})
	}
	return out, nil
}

// TestStoreContract runs the workflow store contract (workflowtest) against PostgreSQL.
func TestStoreContract(t *testing.T) {
	workflowtest.RunStoreContract(t, func(t *testing.T) workflowtest.Harness {
		f := mustFixture(t)
		if err := f.store.Orgs.EnsureUnit(context.Background(), "bangongshi", "办公室"); err != nil {
			t.Fatal(err)
		}
		return pgHarness{Instances: f.store.Instances, s: f.store, f: f}
	})
}
