// Package workflow is the engine that carries documents, decision drafts and disclosure requests
// from state to state. It holds the types every domain shares (Instance, Actor, Facts, Effect,
// the audit and outbox records), the definitions loaded from YAML, the state machine (Fire), the
// working-day calendar, the error type and the interfaces the engine needs from the outside
// (Store, Authorizer, Clock). It imports the standard library and YAML only; the domains and
// their use cases live below it (workflow/documents, consultations, requests, accounts).
package workflow

import (
	"context"
	"strings"
	"time"
)

// Facts are the named values of an instance that guards read and transitions set, such as
// "attribute", "legal_approved" or "closes_at". Times are stored as RFC 3339 strings, dates as
// YYYY-MM-DD and booleans as "true" (absent means false).
type Facts map[string]string

// Clone returns a copy of f that can be changed without touching f.
func (f Facts) Clone() Facts {
	c := make(Facts, len(f))
	for k, v := range f {
		c[k] = v
	}
	return c
}

// Bool reports whether the fact name holds "true".
func (f Facts) Bool(name string) bool { return f[name] == "true" }

// Instance is the workflow side of one document, decision draft or request.
type Instance struct {
	ID                int64
	OrgID             int64
	Unit              string // code of the owning unit: the casbin domain
	Definition        string // "document", "decision" or "request"
	DefinitionVersion int
	State             string
	Version           int // optimistic concurrency: bumped by every applied change
	Facts             Facts
}

// Actor is who fires a transition: a signed-in user, or the system when a deadline fires.
type Actor struct {
	UserID   int64
	Username string
	Name     string
	System   bool
	// CoUnit is the co-unit the actor approves or returns for on a countersign step: the use
	// case sets it to a co-unit in which it has checked the actor's permission.
	CoUnit string
}

// SystemActor is the actor of timed transitions fired by the deadline sweep.
var SystemActor = Actor{Username: "system", Name: "系统", System: true}

// Input is what the caller hands to a transition: an opinion, a reason, a new closing time.
type Input map[string]string

// Event is the audit record of one applied transition.
type Event struct {
	Transition string
	From, To   string
	Actor      Actor
	Input      Input
	At         time.Time
}

// EffectKind says what an effect does once its transition is committed.
type EffectKind string

// The effect kinds. Deadlines and cancellations are written to PostgreSQL in the transition's
// transaction; notifications go through the outbox.
const (
	EffectDeadline EffectKind = "deadline" // schedule a named deadline
	EffectCancel   EffectKind = "cancel"   // cancel the instance's pending deadlines with this name or under it (see Cancels)
	EffectNotify   EffectKind = "notify"   // tell the holders of a role (in the instance's scope)
)

// DeadlineAction says what the sweep does when a deadline falls due.
type DeadlineAction string

// The deadline actions.
const (
	ActionFire    DeadlineAction = "fire"    // fire Transition as the system actor
	ActionRemind  DeadlineAction = "remind"  // notify Role that the deadline approaches
	ActionOverdue DeadlineAction = "overdue" // notify Role that the deadline has passed
)

// Effect is one side effect of a transition, computed by Fire and persisted by the Store in the
// same transaction as the new state.
type Effect struct {
	Kind EffectKind
	Name string // deadline name (deadline and cancel), or a message key (notify)

	// Deadline fields.
	DueAt       time.Time      // the instant the deadline falls due (UTC)
	DueDate     Date           // the day it is shown as, in Asia/Shanghai
	Provisional bool           // counted over a year with no official calendar loaded
	Action      DeadlineAction // what happens when due
	Transition  string         // for ActionFire
	Explanation string         // how the date was counted, in Chinese, for staff and applicants
	CountFrom   Date           // the day the count started from (not itself counted)
	CountDays   int            // N of "N working days" or "N calendar days"; 0 for an instant
	CountUnit   string         // "working", "calendar" or "" for an instant taken from a fact

	// Notify and reminder fields.
	Role string // the role to tell
	Unit string // the unit whose Role holders are told; "" = the subject's own unit
}

// Cancels reports whether cancelling the deadline called cancel cancels the one called name: the
// deadline itself and those named under it (its reminder name+".remind", the per-unit deadlines
// name+"."+unit and their reminders). Deadline names in definitions hold no dot.
func Cancels(cancel, name string) bool {
	return name == cancel || strings.HasPrefix(name, cancel+".")
}

// Result is what Fire returns: the instance after the transition, its audit event and effects.
type Result struct {
	Instance   Instance
	Transition *Transition
	Event      Event
	Effects    []Effect
}

// Store persists instances. Every method that changes state is one transaction.
type Store interface {
	// Apply writes res.Instance if the stored version still equals prev.Version, together with
	// res.Event in the audit log and res.Effects as deadlines and outbox rows, in one
	// transaction. A stale version gives an *Error with code EConflict.
	Apply(ctx context.Context, prev Instance, res Result) (Instance, error)
}

// Authorizer decides whether an actor may use a permission in a unit.
type Authorizer interface {
	// Authorize returns nil when actor may use permission ("object:action") in unit, and an
	// *Error with code EForbidden otherwise.
	Authorize(ctx context.Context, actor Actor, unit string, permission string) error
}

// Clock tells the time; tests pass a fixed one.
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts a function to Clock.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// SystemClock is the wall clock.
var SystemClock Clock = ClockFunc(time.Now)

// TransitionView is a transition the actor may fire now.
type TransitionView struct {
	Name     string
	Label    string
	Requires []string
	// Inputs are the optional inputs of the entry that would be taken now, when it names them (a
	// 规范性文件's publication asks why it has no interpretation, another document's does not);
	// nil = those of the first entry of that name.
	Inputs []string
}
