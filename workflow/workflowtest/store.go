// Package workflowtest holds test doubles of the engine's dependencies (an in-memory Store and an
// Authorizer) and the contract every Store implementation must pass (RunStoreContract).
package workflowtest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"wugongkai/workflow"
)

// Store is an in-memory workflow.Store and Harness. It keeps instances, their events, their
// pending deadlines and the notifications asked for. It is safe for concurrent use.
type Store struct {
	mu            sync.Mutex
	nextID        int64
	instances     map[int64]workflow.Instance
	events        map[int64][]workflow.Event
	deadlines     map[int64][]workflow.Effect
	notifications map[int64][]workflow.Effect
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{
		instances:     map[int64]workflow.Instance{},
		events:        map[int64][]workflow.Event{},
		deadlines:     map[int64][]workflow.Effect{},
		notifications: map[int64][]workflow.Effect{},
	}
}

// Create stores inst as a new instance with the next ID and Version 1.
func (s *Store) Create(_ context.Context, inst workflow.Instance) (workflow.Instance, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	inst.ID = s.nextID
	inst.Version = 1
	inst.Facts = cloneFacts(inst.Facts)
	s.instances[inst.ID] = inst
	return copyInstance(inst), nil
}

// Load returns the stored instance id, or an *workflow.Error with code ENotFound.
func (s *Store) Load(_ context.Context, id int64) (workflow.Instance, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, ok := s.instances[id]
	if !ok {
		return workflow.Instance{}, notFound(id)
	}
	return copyInstance(inst), nil
}

// Apply implements workflow.Store: if the stored version still equals prev.Version it stores
// res.Instance with the version bumped, appends res.Event and applies res.Effects, all at once.
func (s *Store) Apply(_ context.Context, prev workflow.Instance, res workflow.Result) (workflow.Instance, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.instances[prev.ID]
	if !ok {
		return workflow.Instance{}, notFound(prev.ID)
	}
	if cur.Version != prev.Version {
		return workflow.Instance{}, &workflow.Error{Code: workflow.EConflict,
			Message: fmt.Sprintf("该记录已被他人处理（您看到的是第 %d 版，当前为第 %d 版），请刷新后重试", prev.Version, cur.Version),
			Details: map[string]any{"your_version": prev.Version, "current_version": cur.Version}}
	}
	next := res.Instance
	next.ID = prev.ID
	next.Version = cur.Version + 1
	next.Facts = cloneFacts(next.Facts)
	s.instances[prev.ID] = next

	ev := res.Event
	ev.Input = maps.Clone(ev.Input)
	s.events[prev.ID] = append(s.events[prev.ID], ev)

	for _, e := range res.Effects {
		switch e.Kind {
		case workflow.EffectDeadline:
			s.deadlines[prev.ID] = append(s.deadlines[prev.ID], e)
		case workflow.EffectCancel:
			s.deadlines[prev.ID] = slices.DeleteFunc(s.deadlines[prev.ID], func(d workflow.Effect) bool {
				return d.Name == e.Name || d.Name == e.Name+".remind"
			})
		case workflow.EffectNotify:
			s.notifications[prev.ID] = append(s.notifications[prev.ID], e)
		}
	}
	return copyInstance(next), nil
}

// Events returns the events of instance id in the order they were applied.
func (s *Store) Events(_ context.Context, id int64) ([]workflow.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.instances[id]; !ok {
		return nil, notFound(id)
	}
	out := slices.Clone(s.events[id])
	for i := range out {
		out[i].Input = maps.Clone(out[i].Input)
	}
	return out, nil
}

// Deadlines returns the pending deadlines of instance id in the order they were scheduled.
func (s *Store) Deadlines(_ context.Context, id int64) ([]workflow.Effect, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.instances[id]; !ok {
		return nil, notFound(id)
	}
	return slices.Clone(s.deadlines[id]), nil
}

// MarkDone removes the pending deadline name of instance id, as the deadline sweep does once it
// has carried it out.
func (s *Store) MarkDone(id int64, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deadlines[id] = slices.DeleteFunc(s.deadlines[id], func(d workflow.Effect) bool { return d.Name == name })
}

// Notifications returns the notify effects applied to instance id, in order.
func (s *Store) Notifications(id int64) []workflow.Effect {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.notifications[id])
}

func notFound(id int64) error {
	return workflow.Errorf(workflow.ENotFound, "记录 %d 不存在或您无权查看", id)
}

func cloneFacts(f workflow.Facts) workflow.Facts {
	if f == nil {
		return workflow.Facts{}
	}
	return f.Clone()
}

func copyInstance(inst workflow.Instance) workflow.Instance {
	inst.Facts = cloneFacts(inst.Facts)
	return inst
}

// Authorizer is a workflow.Authorizer that allows what was granted with Grant and forbids the
// rest. It is safe for concurrent use.
type Authorizer struct {
	mu     sync.Mutex
	grants map[string]bool
	calls  []string
}

// NewAuthorizer returns an authorizer that forbids everything.
func NewAuthorizer() *Authorizer {
	return &Authorizer{grants: map[string]bool{}}
}

// Grant allows username to use permission in unit ("*" for every unit) and returns a.
func (a *Authorizer) Grant(username, unit, permission string) *Authorizer {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.grants[username+"|"+unit+"|"+permission] = true
	return a
}

// Authorize implements workflow.Authorizer.
func (a *Authorizer) Authorize(_ context.Context, actor workflow.Actor, unit, permission string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, strings.Join([]string{actor.Username, unit, permission}, "|"))
	if a.grants[actor.Username+"|"+unit+"|"+permission] || a.grants[actor.Username+"|*|"+permission] {
		return nil
	}
	return workflow.Errorf(workflow.EForbidden, "您没有权限执行此操作（需要 %s 权限）", permission)
}

// Calls returns the checks asked for so far, each as "username|unit|permission".
func (a *Authorizer) Calls() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.calls)
}
