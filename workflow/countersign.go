package workflow

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Countersign makes a state an "all of" step (会签): the instance names its co-units in the fact
// UnitsFact (unit codes separated by commas); the head of each co-unit fires Approve, in any
// order, and the instance stays in the state until every co-unit has approved, when Approve's
// transition is taken. Any co-unit may fire Return, which sends the instance away and clears the
// approvals. Both are authorized in the co-unit's domain: the caller checks the permission there
// and names the unit in Actor.CoUnit.
//
//	states:
//	  - {name: countersign, label: 会签, countersign: {units_fact: co_units, approve: approve, return: return}}
type Countersign struct {
	UnitsFact string
	Approve   string
	Return    string
	Line      int
	// Deadlines are the per-unit deadlines (per_unit: UnitsFact) the transitions into the step
	// schedule: a co-unit's approval cancels its own, leaving the step cancels them all.
	Deadlines []string
}

// CountersignFact is the fact recording that unit has approved a countersign step (its value is
// the approver's name). Its name holds a dot, so no definition can set it.
func CountersignFact(unit string) string { return countersignPrefix + unit }

const countersignPrefix = "countersigned_by."

// CoUnits returns the co-units the fact named by cs lists in f, in order.
func (cs *Countersign) CoUnits(f Facts) []string { return SplitUnits(f[cs.UnitsFact]) }

// SplitUnits splits a list of unit codes kept in a fact.
func SplitUnits(v string) []string {
	var out []string
	for _, u := range strings.Split(v, ",") {
		if u = strings.TrimSpace(u); u != "" && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

// Pending returns the co-units that have not yet approved.
func (cs *Countersign) Pending(f Facts) []string {
	var out []string
	for _, u := range cs.CoUnits(f) {
		if f[CountersignFact(u)] == "" {
			out = append(out, u)
		}
	}
	return out
}

// Covers reports whether the transition called name is the step's approve or return, which are
// authorized in a co-unit's domain rather than the instance's unit.
func (cs *Countersign) Covers(name string) bool { return name == cs.Approve || name == cs.Return }

// Ordered returns the co-units, those still to approve first: the order in which a caller looks
// for the co-unit an actor acts for, so that the head of two co-units approves for a pending one.
func (cs *Countersign) Ordered(f Facts) []string {
	out := cs.Pending(f)
	for _, u := range cs.CoUnits(f) {
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

// Countersign returns the countersign step inst is in, or nil when its state is not one.
func (e *Engine) Countersign(inst Instance) *Countersign {
	def, err := e.Definition(inst)
	if err != nil {
		return nil
	}
	if s := def.State(inst.State); s != nil {
		return s.Countersign
	}
	return nil
}

// checkCountersign refuses to enter a countersign step when the instance names no co-units, and
// a countersign approve or return by an actor who does not act for a co-unit still entitled to
// it: the unit must be named, be a co-unit, and not have approved yet (for approve).
func checkCountersign(def *Definition, t *Transition, g GuardContext) error {
	if to := def.State(t.To); to != nil && to.Countersign != nil && t.To != g.Instance.State && len(to.Countersign.CoUnits(g.Instance.Facts)) == 0 {
		return Errorf(EGuardFailed, "未指定会签科室，无需“%s”", to.Label)
	}
	s := def.State(g.Instance.State)
	if s == nil || s.Countersign == nil || g.Actor.System {
		return nil
	}
	cs, unit := s.Countersign, g.Actor.CoUnit
	if !cs.Covers(t.Name) {
		return nil
	}
	switch {
	case unit == "" || !slices.Contains(cs.CoUnits(g.Instance.Facts), unit):
		return &Error{Code: EForbidden, Message: fmt.Sprintf("“%s”须由会签科室的负责人办理", t.Label),
			Details: map[string]any{"transition": t.Name, "co_unit": unit}}
	case t.Name == cs.Approve && g.Instance.Facts[CountersignFact(unit)] != "":
		return &Error{Code: ETransitionNotAllowed, Message: fmt.Sprintf("科室“%s”已会签同意，不能重复会签", unit),
			Details: map[string]any{"transition": t.Name, "co_unit": unit}}
	}
	return nil
}

// countersign adjusts the result of taking t from inst's state: an approval of a countersign step
// records the co-unit's approval and keeps the instance in the state (without t's facts and
// effects) until it is the last one; leaving the step otherwise, or entering it afresh, clears
// the approvals. It reports whether t is taken in full.
func countersign(def *Definition, t *Transition, inst Instance, actor Actor, facts Facts) (stay bool) {
	from, to := def.State(inst.State), def.State(t.To)
	if from != nil && from.Countersign != nil && t.Name == from.Countersign.Approve && !actor.System {
		name := actor.Name
		if name == "" {
			name = actor.Username
		}
		facts[CountersignFact(actor.CoUnit)] = name
		return len(from.Countersign.Pending(facts)) > 0
	}
	if inst.State != t.To && (from != nil && from.Countersign != nil || to != nil && to.Countersign != nil) {
		maps.DeleteFunc(facts, func(k, _ string) bool { return strings.HasPrefix(k, countersignPrefix) })
	}
	return false
}

// cancels returns the cancellations of the step's per-unit deadlines that taking t does: a
// co-unit's approval ends that unit's deadline, leaving the step ends every unit's.
func (cs *Countersign) cancels(t *Transition, actor Actor, leaving bool) []Effect {
	var out []Effect
	for _, name := range cs.Deadlines {
		switch {
		case leaving:
			out = append(out, Effect{Kind: EffectCancel, Name: name})
		case t.Name == cs.Approve && !actor.System && actor.CoUnit != "":
			out = append(out, Effect{Kind: EffectCancel, Name: name + "." + actor.CoUnit})
		}
	}
	return out
}

// perUnit repeats the effects of spec for each unit its per_unit fact lists, addressed to that
// unit; a deadline called name (and its reminder) is renamed name+"."+unit.
func perUnit(spec EffectSpec, effs []Effect, facts Facts) []Effect {
	if spec.PerUnit == "" {
		return effs
	}
	var out []Effect
	for _, u := range SplitUnits(facts[spec.PerUnit]) {
		for _, e := range effs {
			e.Unit = u
			if e.Kind == EffectDeadline {
				e.Name = spec.Deadline + "." + u + strings.TrimPrefix(e.Name, spec.Deadline)
			}
			out = append(out, e)
		}
	}
	return out
}

// checkPerUnit checks a per_unit effect of t: t enters a countersign step whose units_fact it
// names. It records a per-unit deadline on the step.
func (c *collector) checkPerUnit(def *Definition, t *Transition, e EffectSpec, line int) {
	to := def.State(t.To)
	if to == nil || to.Countersign == nil || to.Countersign.UnitsFact != e.PerUnit || slices.Contains(t.From, t.To) {
		c.add(line, "per_unit %q 只能用于进入以它为 units_fact 的会签步骤的流转（transition %q）", e.PerUnit, t.Name)
		return
	}
	if cs := to.Countersign; e.Deadline != "" && !slices.Contains(cs.Deadlines, e.Deadline) {
		cs.Deadlines = append(cs.Deadlines, e.Deadline)
	}
}

// countersignState reads a state's countersign key.
func (c *collector) countersignState(f fields, s *State) {
	if !f.has("countersign") {
		return
	}
	what := fmt.Sprintf("状态“%s”的会签设置（countersign）", s.Name)
	cf, ok := c.mapping(f.values["countersign"], what, "units_fact", "approve", "return")
	if !ok {
		return
	}
	cs := &Countersign{UnitsFact: c.str(cf, "units_fact", what), Approve: c.str(cf, "approve", what), Return: c.str(cf, "return", what), Line: cf.line}
	for _, kv := range [][2]string{{"units_fact", cs.UnitsFact}, {"approve", cs.Approve}, {"return", cs.Return}} {
		if !isIdent(kv[1]) {
			c.add(cf.lineOf(kv[0]), "%s缺少 %s 或其值 %q 不是小写标识符", what, kv[0], kv[1])
		}
	}
	if s.Terminal {
		c.add(cf.line, "终止状态 %q 不能是会签步骤", s.Name)
	}
	s.Countersign = cs
}

// checkCountersigns checks each countersign step against the transitions: its approve and return
// leave it for another state, are fired by people and not by the system.
func (c *collector) checkCountersigns(def *Definition) {
	for _, s := range def.States {
		cs := s.Countersign
		if cs == nil {
			continue
		}
		for _, name := range []string{cs.Approve, cs.Return} {
			cands := def.Candidates(s.Name, name)
			if len(cands) == 0 {
				c.add(cs.Line, "会签步骤 %q 的流转 %q 未定义或不从该状态出发", s.Name, name)
			}
			for _, t := range cands {
				switch {
				case t.System:
					c.add(t.Line, "会签步骤 %q 的流转 %q 不能是系统操作", s.Name, name)
				case t.To == s.Name:
					c.add(t.Line, "会签步骤 %q 的流转 %q 应通往其他状态（会签未完成时由引擎停留在本状态）", s.Name, name)
				}
			}
		}
		if cs.Approve == cs.Return {
			c.add(cs.Line, "会签步骤 %q 的 approve 与 return 不能是同一流转", s.Name)
		}
	}
}
