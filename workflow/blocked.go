package workflow

import "time"

// Blocked is a transition a user could take from the current state but cannot yet, with the
// refusal that stops it: what is missing before the next step.
type Blocked struct {
	Transition *Transition
	Reason     *Error
}

// Blocked returns the non-system transitions from inst's current state that no candidate passes
// in probe mode (separation of duties and guards, without input: the inputs a transition requires
// are asked for by its form), one per name, in definition order, each with the refusal Fire would
// give (that of the candidate that got furthest). Nothing is fired. The caller filters them by
// the actor's permissions, as for Available.
func (e *Engine) Blocked(inst Instance, actor Actor, now time.Time) []Blocked {
	_, blocked := e.probe(inst, actor, now)
	return blocked
}

// probe sorts the non-system transitions from inst's current state, one per name, into those
// that pass in probe mode and those that do not, with the refusal of the furthest candidate.
func (e *Engine) probe(inst Instance, actor Actor, now time.Time) (available []*Transition, blocked []Blocked) {
	def, err := e.Definition(inst)
	if err != nil {
		return nil, nil
	}
	if inst.Facts == nil {
		inst.Facts = Facts{}
	}
	g := GuardContext{Instance: inst, Actor: actor, Now: now, Probe: true, Calendar: e.Calendar()}
	seen := map[string]bool{}
	for _, t := range def.TransitionsFrom(inst.State) {
		if t.System || seen[t.Name] {
			continue
		}
		seen[t.Name] = true
		var (
			refusal *Error
			best    = -1
			passes  *Transition
		)
		for _, c := range def.Candidates(inst.State, t.Name) {
			passed, err := e.check(def, c, g)
			if err == nil {
				passes = c
				break
			}
			if passed > best {
				best, refusal = passed, AsError(err)
			}
		}
		switch {
		case passes != nil:
			available = append(available, passes)
		case refusal != nil: // an unregistered guard is a broken definition, not a reason
			blocked = append(blocked, Blocked{Transition: t, Reason: refusal})
		}
	}
	return available, blocked
}
