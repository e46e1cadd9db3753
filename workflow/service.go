package workflow

import (
	"context"
	"fmt"
)

// Service is the use case "fire a transition": authorize, compute, persist. The JSON API, the
// pages and the deadline sweep all go through it.
type Service struct {
	Engine *Engine
	Store  Store
	Auth   Authorizer
	Clock  Clock // nil means SystemClock
}

// Fire fires the transition called name on inst (as loaded by the caller) for actor with input
// in. A user needs the transition's permission in inst's unit; the system actor is not
// authorized (the engine lets it fire system transitions only). The result is stored with
// Store.Apply, which fails with EConflict if inst is stale. Fire returns the stored instance (its
// Version bumped) and the result.
func (s *Service) Fire(ctx context.Context, inst Instance, name string, actor Actor, in Input) (Instance, Result, error) {
	perm, err := s.Engine.Permission(inst, name, actor)
	if err != nil {
		return Instance{}, Result{}, fmt.Errorf("fire %s: %w", name, err)
	}
	if !actor.System && perm != "" {
		if err := s.Auth.Authorize(ctx, actor, inst.Unit, perm); err != nil {
			return Instance{}, Result{}, fmt.Errorf("fire %s: authorize %s: %w", name, perm, err)
		}
	}
	clock := s.Clock
	if clock == nil {
		clock = SystemClock
	}
	res, err := s.Engine.Fire(inst, name, actor, in, clock.Now())
	if err != nil {
		return Instance{}, Result{}, fmt.Errorf("fire %s: %w", name, err)
	}
	stored, err := s.Store.Apply(ctx, inst, res)
	if err != nil {
		return Instance{}, Result{}, fmt.Errorf("fire %s: store: %w", name, err)
	}
	return stored, res, nil
}
