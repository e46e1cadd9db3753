package workflow

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Engine is the state machine: it decides whether a transition may happen and computes its
// result (new state, facts, audit event, effects) without doing any I/O.
type Engine struct {
	reg    *Registry
	guards GuardSet
	cal    atomic.Pointer[Calendar] // swapped whole when an admin uploads a year (SetCalendar)
}

// NewEngine returns an engine over the definitions in reg, running guards, counting working days
// on cal (nil counts Monday to Friday, every count provisional).
func NewEngine(reg *Registry, guards GuardSet, cal *Calendar) *Engine {
	e := &Engine{reg: reg, guards: guards}
	e.cal.Store(cal)
	return e
}

// Registry returns the engine's definitions.
func (e *Engine) Registry() *Registry { return e.reg }

// Calendar returns the engine's working-day calendar. A caller that counts more than once reads
// it once, so that one answer is counted on one calendar.
func (e *Engine) Calendar() *Calendar { return e.cal.Load() }

// SetCalendar replaces the working-day calendar from now on (a Calendar is immutable, so a count
// under way keeps the one it read). Deadlines already stored are recounted by the caller.
func (e *Engine) SetCalendar(cal *Calendar) { e.cal.Store(cal) }

// Definition returns the definition version inst runs on.
func (e *Engine) Definition(inst Instance) (*Definition, error) {
	return e.reg.Get(inst.Definition, inst.DefinitionVersion)
}

// candidates returns the transitions called name from inst's current state, or the error Fire
// gives when there are none.
func (e *Engine) candidates(inst Instance, name string) (*Definition, []*Transition, error) {
	def, err := e.Definition(inst)
	if err != nil {
		return nil, nil, err
	}
	if !def.HasTransition(name) {
		return nil, nil, Errorf(EUnknownTransition, "“%s”流程没有“%s”这一操作", def.Title, name)
	}
	cands := def.Candidates(inst.State, name)
	if len(cands) == 0 {
		return nil, nil, &Error{Code: ETransitionNotAllowed,
			Message: fmt.Sprintf("当前状态为“%s”，不能执行“%s”，请刷新后查看可执行的操作", def.StateLabel(inst.State), def.TransitionLabel(name)),
			Details: map[string]any{"state": inst.State, "transition": name}}
	}
	return def, cands, nil
}

// Permission returns the permission ("object:action") actor needs for the transition called name
// from inst's current state; "" for a system transition fired by the system actor. A system
// transition asked for by a person is refused here, with the reason Fire gives, so no caller asks
// the authorizer about an empty permission. Its other errors are those of Fire for an unknown
// transition or one that does not start from the current state.
func (e *Engine) Permission(inst Instance, name string, actor Actor) (string, error) {
	_, cands, err := e.candidates(inst, name)
	if err != nil {
		return "", err
	}
	if cands[0].System && !actor.System {
		return "", errSystemOnly(cands[0])
	}
	return cands[0].Permission, nil
}

// errSystemOnly refuses a person firing a system transition.
func errSystemOnly(t *Transition) error {
	return Errorf(EForbidden, "“%s”由系统按期限自动执行，不能手动操作", t.Label)
}

// Fire computes the transition called name of inst by actor at now. Among the transitions of
// that name from the current state, the first whose guards all pass is taken. If none passes,
// the refusal of the candidate that got furthest (passed the most guards; the first such one on a
// tie) is returned: a document that is 不予公开 but not yet approved by the legal section is told
// about the approval, not that it is not 主动公开. Fire checks, in order: the definition has the
// transition (EUnknownTransition), it starts from the current state (ETransitionNotAllowed),
// system transitions are fired only by the system actor and others only by users (EForbidden),
// required inputs are given (EInputMissing, with Field), then for each candidate the separation of
// duties (an actor who fired a transition its distinct_from names gets EForbidden) and the guards. The result's instance
// has the new state and facts and the same Version (the store bumps it). Fire does no I/O and,
// for the same arguments, always returns the same result.
func (e *Engine) Fire(inst Instance, name string, actor Actor, in Input, now time.Time) (Result, error) {
	def, cands, err := e.candidates(inst, name)
	if err != nil {
		return Result{}, err
	}
	first := cands[0]
	switch {
	case first.System && !actor.System:
		return Result{}, errSystemOnly(first)
	case !first.System && actor.System:
		return Result{}, Errorf(EForbidden, "“%s”须由工作人员操作，系统不能自动执行", first.Label)
	}
	if err := checkInputs(def, first, in); err != nil {
		return Result{}, err
	}
	for _, r := range first.Requires {
		if strings.TrimSpace(in[r]) == "" {
			return Result{}, &Error{Code: EInputMissing, Field: r, Message: fmt.Sprintf("请填写%s", def.InputLabel(r))}
		}
	}
	if inst.Facts == nil {
		inst.Facts = Facts{}
	}
	g := GuardContext{Instance: inst, Input: in, Actor: actor, Now: now, Calendar: e.Calendar()}
	var (
		chosen  *Transition
		refusal error
		best    = -1
	)
	for _, t := range cands {
		passed, err := e.check(def, t, g)
		if err == nil {
			chosen = t
			break
		}
		if passed > best {
			best, refusal = passed, err
		}
	}
	if chosen == nil {
		return Result{}, refusal
	}
	return e.apply(def, chosen, inst, actor, in, now)
}

// checkInputs refuses an input the transition does not take (one the definition does not
// declare, or one outside the transition's inputs) and an input longer than its max_length.
// Inputs are stored in the append-only audit log: nothing unbounded may get there.
func checkInputs(def *Definition, t *Transition, in Input) error {
	for k, v := range in {
		spec := def.input(k)
		if spec == nil || !t.Accepts(k) {
			label := k
			if spec != nil {
				label = spec.Label
			}
			return &Error{Code: EInvalid, Field: k, Message: fmt.Sprintf("“%s”不接受输入项“%s”", t.Label, label),
				Details: map[string]any{"reason": "undeclared_input"}}
		}
		limit := spec.MaxRunes
		if limit == 0 {
			limit = DefaultInputMaxRunes
		}
		if n := utf8.RuneCountInString(v); n > limit {
			return &Error{Code: EInvalid, Field: k, Message: fmt.Sprintf("%s不能超过 %d 个字（现有 %d 个）", spec.Label, limit, n),
				Details: map[string]any{"reason": "input_too_long", "limit": limit}}
		}
	}
	return nil
}

// check runs t's separation of duties (distinct_from) and then its guards in order, and returns
// the first refusal, with how many guards passed before it.
func (e *Engine) check(def *Definition, t *Transition, g GuardContext) (passed int, err error) {
	if err := distinctFrom(def, t, g); err != nil {
		return 0, err
	}
	if err := checkCountersign(def, t, g); err != nil {
		return 0, err
	}
	for i, name := range t.Guards {
		guard, ok := e.guards[name]
		if !ok {
			return i, fmt.Errorf("run guard %s of %s: guard not registered", name, t.Name)
		}
		if err := guard(g); err != nil {
			if AsError(err) == nil {
				return i, fmt.Errorf("run guard %s of %s: %w", name, t.Name, err)
			}
			return i, err
		}
	}
	return len(t.Guards), nil
}

// actorKey is how an actor is kept in an ActorFact: the user id, or the username of an actor
// without one.
func actorKey(a Actor) string {
	if a.UserID != 0 {
		return strconv.FormatInt(a.UserID, 10)
	}
	return "user:" + a.Username
}

// actorList splits an ActorFact.
func actorList(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

// distinctFrom refuses t to an actor who fired one of the transitions t's distinct_from names
// (separation of duties), with code EForbidden. The system actor is never refused.
func distinctFrom(def *Definition, t *Transition, g GuardContext) error {
	if g.Actor.System {
		return nil
	}
	me := actorKey(g.Actor)
	for _, name := range t.DistinctFrom {
		if slices.Contains(actorList(g.Instance.Facts[ActorFact(name)]), me) {
			return &Error{Code: EForbidden,
				Message: fmt.Sprintf("您已对此件办理过“%s”，按职责分离的要求不能再“%s”，请由其他有权限的人员办理", def.TransitionLabel(name), t.Label),
				Details: map[string]any{"transition": t.Name, "distinct_from": name}}
		}
	}
	return nil
}

// apply computes the result of taking t.
func (e *Engine) apply(def *Definition, t *Transition, inst Instance, actor Actor, in Input, now time.Time) (Result, error) {
	facts := inst.Facts.Clone()
	to, set, specs := t.To, t.Set, t.Effects
	if countersign(def, t, inst, actor, facts) {
		// A co-unit approved a countersign step others have still to approve: it stays.
		to, set, specs = inst.State, nil, nil
	}
	for k, v := range set {
		switch {
		case v == "$now":
			v = now.UTC().Format(time.RFC3339)
		case v == "$today":
			v = DateOf(now).String()
		case v == "$actor":
			v = actor.Name
			if v == "" {
				v = actor.Username
			}
		case strings.HasPrefix(v, "$input."):
			v = strings.TrimSpace(in[strings.TrimPrefix(v, "$input.")])
		}
		if v == "" {
			delete(facts, k)
		} else {
			facts[k] = v
		}
	}
	if !actor.System && def.recordsActors(t.Name) {
		key := ActorFact(t.Name)
		if ids := actorList(facts[key]); !slices.Contains(ids, actorKey(actor)) {
			facts[key] = strings.Join(append(ids, actorKey(actor)), ",")
		}
	}
	out := inst
	out.State = to
	out.Facts = facts

	var effects []Effect
	if from := def.State(inst.State); from != nil && from.Countersign != nil {
		effects = from.Countersign.cancels(t, actor, to != inst.State)
	}
	for _, spec := range specs {
		effs, err := e.effects(def, spec, facts, now)
		if err != nil {
			return Result{}, err
		}
		effects = append(effects, perUnit(spec, effs, facts)...)
	}
	var input Input
	if in != nil {
		input = maps.Clone(in)
	}
	return Result{
		Instance:   out,
		Transition: t,
		Event:      Event{Transition: t.Name, From: inst.State, To: to, Actor: actor, Input: input, At: now},
		Effects:    effects,
	}, nil
}

// effects computes the effects of one spec: a notification, a cancellation, or a deadline and
// perhaps its reminder.
func (e *Engine) effects(def *Definition, spec EffectSpec, facts Facts, now time.Time) ([]Effect, error) {
	switch spec.Kind() {
	case EffectNotify:
		return []Effect{{Kind: EffectNotify, Name: def.Name + "." + spec.Notify, Role: spec.Notify}}, nil
	case EffectCancel:
		return []Effect{{Kind: EffectCancel, Name: spec.Cancel}}, nil
	}
	d := Effect{Kind: EffectDeadline, Name: spec.Deadline, Action: spec.Action, Transition: spec.Transition, Role: spec.Role}
	from := DateOf(now)
	cal := e.Calendar()
	switch {
	case spec.AtFact != "":
		at, ok := FactTime(facts, spec.AtFact)
		if !ok {
			return nil, Errorf(EInvalid, "期限“%s”所依据的时间（%s）未设置或格式不正确", spec.Deadline, spec.AtFact)
		}
		d.DueAt = at.UTC()
		d.DueDate = DateOf(at)
		d.Explanation = fmt.Sprintf("按设定的时间 %s（北京时间）到期。", ShowTime(at))
		return []Effect{d}, nil
	}
	var c Count
	if spec.CalendarDays > 0 {
		c = cal.AddCalendarDays(from, spec.CalendarDays)
	} else {
		c = cal.AddWorkingDays(from, spec.WorkingDays)
	}
	basis := ""
	if spec.PeriodFact != "" && strings.TrimSpace(facts[spec.PeriodFact]) != "" {
		p, err := ParsePeriod(facts[spec.PeriodFact])
		if err != nil {
			return nil, &Error{Code: EInvalid, Message: fmt.Sprintf("期限“%s”所依据的期限（%s）格式不正确", spec.Deadline, spec.PeriodFact),
				Details: map[string]any{"reason": "period_fact", "fact": spec.PeriodFact}}
		}
		switch own, ok := p.Count(cal, from); {
		case ok && !own.Due.After(c.Due):
			c, basis = own, p.Basis
		case ok:
			basis = strings.TrimSpace(p.Basis + "（晚于此项期限的上限，按上限计算）")
		default:
			basis = p.Basis
		}
	}
	SetCount(&d, c)
	if basis != "" {
		d.Explanation = basis + "：" + d.Explanation
	}
	out := []Effect{d}
	if n := c.N - spec.RemindBefore; spec.RemindBefore > 0 && c.Unit == UnitWorking && n > 0 {
		rc := cal.AddWorkingDays(from, n)
		r := Effect{Kind: EffectDeadline, Name: spec.Deadline + ".remind", Action: ActionRemind, Role: spec.Role}
		SetCount(&r, rc)
		r.Explanation = fmt.Sprintf("提前 %d 个工作日提醒：%s", spec.RemindBefore, d.Explanation)
		out = append(out, r)
	}
	return out, nil
}

// SetCount fills the deadline fields of d from c.
func SetCount(d *Effect, c Count) {
	d.DueAt = c.Due.End().UTC()
	d.DueDate = c.Due
	d.Provisional = c.Provisional
	d.Explanation = c.Explanation()
	d.CountFrom = c.From
	d.CountDays = c.N
	d.CountUnit = c.Unit
}

// Available returns the transitions a user could fire on inst now: the non-system transitions
// from its current state whose guards pass in probe mode (without input), one per name, in
// definition order. The caller filters them by the actor's permissions.
func (e *Engine) Available(inst Instance, actor Actor, now time.Time) []*Transition {
	available, _ := e.probe(inst, actor, now)
	return available
}
