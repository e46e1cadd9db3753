package workflow

import (
	"fmt"
	"slices"
	"strings"
)

// Definition is a workflow loaded from YAML (configs/workflows): its states and the transitions
// between them. Instances keep the (Name, Version) they started on. A Definition is not changed
// after loading.
type Definition struct {
	Name        string
	Version     int
	Title       string // Chinese name of the flow, e.g. 公文
	Initial     string
	Inputs      []*InputSpec
	States      []*State
	Transitions []*Transition
	Source      []byte // the YAML it was loaded from, stored so older versions can be re-added
	File        string
}

// InputSpec names an input a transition may take, with the Chinese label shown to the user and
// the most characters it may hold (MaxRunes; 0 = DefaultInputMaxRunes). Kind, Min, Max, Default,
// Choices and Help say how a page asks for it.
type InputSpec struct {
	Name     string
	Label    string
	MaxRunes int
	Kind     InputKind // InputTextarea when the definition gives none
	// Min and Max bound a number (integers) or a date: "today", "today+N", "today-N", or the
	// name of a fact holding a YYYY-MM-DD date (a bound whose fact is unset is no bound).
	Min, Max string
	Default  string   // a number's integer, or "today" for a date
	Choices  []Choice // a choice's values; none = the domain supplies them
	Help     string   // Chinese, shown under the box
	Line     int
}

// InputKind is how an input is typed.
type InputKind string

// The input kinds a definition may name.
const (
	InputText     InputKind = "text"     // one line
	InputTextarea InputKind = "textarea" // several lines
	InputDate     InputKind = "date"     // YYYY-MM-DD
	InputDateTime InputKind = "datetime" // a local date and time, sent as an RFC 3339 instant
	InputNumber   InputKind = "number"   // an integer
	InputChoice   InputKind = "choice"   // one of Choices
)

var inputKinds = []InputKind{InputText, InputTextarea, InputDate, InputDateTime, InputNumber, InputChoice}

// Choice is one value of a choice input with its Chinese label.
type Choice struct {
	Value string
	Label string
}

// Limit returns the most characters the input may hold.
func (in *InputSpec) Limit() int {
	if in.MaxRunes == 0 {
		return DefaultInputMaxRunes
	}
	return in.MaxRunes
}

// DefaultInputMaxRunes bounds an input whose definition gives no max_length.
const DefaultInputMaxRunes = 2000

// State is one state of a definition.
type State struct {
	Name     string
	Label    string // Chinese, shown to users
	Terminal bool
	Tags     []string // what the state means to code and queries: StatePublic, ...; TagTerminal when Terminal
	// Countersign, when set, makes the state an "all of" step approved by each co-unit.
	Countersign *Countersign
	Line        int
}

// The tags a state may carry. Code and queries test these rather than state names.
const (
	TagPublic              = "public"               // the record is on the portal
	TagAwaitingPublication = "awaiting_publication" // signed or decided, to be published
	TagOnRequest           = "on_request"           // signed 依申请公开: provided to whoever requests it
	TagTerminal            = "terminal"             // the flow has ended (terminal: true)
)

var stateTags = []string{TagPublic, TagAwaitingPublication, TagOnRequest, TagTerminal}

// Has reports whether s carries tag.
func (s *State) Has(tag string) bool { return slices.Contains(s.Tags, tag) }

// Tagged returns the names of the states carrying tag, in definition order.
func (d *Definition) Tagged(tag string) []string {
	var out []string
	for _, s := range d.States {
		if s.Has(tag) {
			out = append(out, s.Name)
		}
	}
	return out
}

// StateHas reports whether state name carries tag (false for an unknown state).
func (d *Definition) StateHas(name, tag string) bool {
	s := d.State(name)
	return s != nil && s.Has(tag)
}

// Transition is one way out of one or more states. Several transitions may share a name (and
// from-states): the first whose guards pass is taken. Those must agree on permission, system and
// requires.
type Transition struct {
	Name       string
	Label      string // Chinese, shown on buttons and in the history
	From       []string
	To         string
	Permission string   // "object:action"; empty only for system transitions
	Guards     []string // all must pass
	// DistinctFrom names earlier transitions whose actors may not fire this one (separation of
	// duties): whoever submitted a document may not approve or sign it.
	DistinctFrom []string
	Requires     []string // inputs that must be non-empty
	// Inputs are the optional inputs the transition takes besides Requires and those its Set
	// copies ($input.x). Nil (no inputs key) accepts every input of the definition; an empty
	// list accepts none beyond those.
	Inputs []string
	// Set are the facts the transition sets. "" deletes the fact; "$now" is the RFC 3339 instant,
	// "$today" the Shanghai date, "$actor" the actor's display name and "$input.x" the input x (one
	// of Requires or Inputs; an optional input not given deletes the fact).
	Set     map[string]string
	Effects []EffectSpec
	System  bool   // fired only by the deadline sweep (SystemActor), never by users
	Style   string // how its button looks: StylePrimary (the default), StyleDanger or StylePlain
	Line    int
}

// The button styles of a transition.
const (
	StylePrimary = "primary"
	StyleDanger  = "danger"
	StylePlain   = "plain"
)

// FormInputs returns the inputs a form for t asks for: its requires, then its optional inputs,
// in definition order, each once. A transition without an inputs key asks only for its requires.
func (d *Definition) FormInputs(t *Transition) []*InputSpec {
	var out []*InputSpec
	for _, name := range append(slices.Clone(t.Requires), t.Inputs...) {
		if in := d.input(name); in != nil && !slices.Contains(out, in) {
			out = append(out, in)
		}
	}
	return out
}

// EffectSpec is one effect of a transition as written in the definition: exactly one of Notify,
// Deadline or Cancel is set.
type EffectSpec struct {
	Notify string // notify: the role to tell

	Deadline     string // deadline: its name
	WorkingDays  int    // counted in working days from the Shanghai date of the transition
	CalendarDays int    // counted in calendar days from it
	AtFact       string // or due at the RFC 3339 instant held by this fact (after Set)
	Action       DeadlineAction
	Transition   string // for ActionFire: the system transition to fire
	Role         string // for ActionRemind and ActionOverdue: the role to tell
	RemindBefore int    // also remind Role this many working days before (working_days only)
	// PeriodFact names a fact holding a period of the instance's own (see ParsePeriod): when set,
	// the deadline falls due at the end of that period if this is sooner than the count of
	// WorkingDays or CalendarDays, which stays the ceiling (and the count when the fact is unset).
	PeriodFact string

	Cancel string // cancel: the deadline to cancel (with its reminder)

	// PerUnit (notify and deadline, on a transition into a countersign step) names the fact
	// listing the step's co-units: the effect is repeated for each, addressed to that unit, and a
	// deadline called name becomes name+"."+unit.
	PerUnit string

	Line int
}

// Kind returns which kind of effect e is.
func (e EffectSpec) Kind() EffectKind {
	switch {
	case e.Notify != "":
		return EffectNotify
	case e.Cancel != "":
		return EffectCancel
	default:
		return EffectDeadline
	}
}

// State returns the state called name, or nil.
func (d *Definition) State(name string) *State {
	for _, s := range d.States {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// StateLabel returns the Chinese label of state name, or name itself if it is unknown.
func (d *Definition) StateLabel(name string) string {
	if s := d.State(name); s != nil {
		return s.Label
	}
	return name
}

// Candidates returns the transitions called name that start from state from, in definition order.
func (d *Definition) Candidates(from, name string) []*Transition {
	var out []*Transition
	for _, t := range d.Transitions {
		if t.Name == name && slices.Contains(t.From, from) {
			out = append(out, t)
		}
	}
	return out
}

// TransitionsFrom returns every transition that starts from state, in definition order.
func (d *Definition) TransitionsFrom(state string) []*Transition {
	var out []*Transition
	for _, t := range d.Transitions {
		if slices.Contains(t.From, state) {
			out = append(out, t)
		}
	}
	return out
}

// HasTransition reports whether some transition is called name.
func (d *Definition) HasTransition(name string) bool {
	return d.transition(name) != nil
}

// TransitionLabel returns the Chinese label of the first transition called name, or name.
func (d *Definition) TransitionLabel(name string) string {
	if t := d.transition(name); t != nil {
		return t.Label
	}
	return name
}

func (d *Definition) transition(name string) *Transition {
	for _, t := range d.Transitions {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// ActorFact is the fact that lists who fired the transitions called name, kept only for the
// transitions some distinct_from names. Its name holds a dot, so no definition can set it.
func ActorFact(name string) string { return "actors." + name }

// recordsActors reports whether some transition names name in its distinct_from, so that the
// engine keeps who fired name.
func (d *Definition) recordsActors(name string) bool {
	for _, t := range d.Transitions {
		if slices.Contains(t.DistinctFrom, name) {
			return true
		}
	}
	return false
}

// Input returns the input called name, or nil.
func (d *Definition) Input(name string) *InputSpec { return d.input(name) }

func (d *Definition) input(name string) *InputSpec {
	for _, in := range d.Inputs {
		if in.Name == name {
			return in
		}
	}
	return nil
}

// Declares reports whether the definition declares an input called name.
func (d *Definition) Declares(name string) bool { return d.input(name) != nil }

// Accepts reports whether t takes the input called name.
func (t *Transition) Accepts(name string) bool {
	if t.Inputs == nil || slices.Contains(t.Inputs, name) || slices.Contains(t.Requires, name) {
		return true
	}
	for _, v := range t.Set {
		if v == "$input."+name {
			return true
		}
	}
	return false
}

// InputLabel returns the Chinese label of input name, or name itself.
func (d *Definition) InputLabel(name string) string {
	for _, in := range d.Inputs {
		if in.Name == name {
			return in.Label
		}
	}
	return name
}

// edgeLabel is a transition's label with its guards, and a mark for system transitions.
func (t *Transition) edgeLabel() string {
	label := t.Label
	if t.System {
		label += "（系统）"
	}
	if g := t.guardText(); g != "" {
		label += " [" + g + "]"
	}
	return label
}

// guardText lists t's guards and its distinct_from, for the diagrams.
func (t *Transition) guardText() string {
	parts := slices.Clone(t.Guards)
	if len(t.DistinctFrom) > 0 {
		parts = append(parts, "distinct_from "+strings.Join(t.DistinctFrom, "/"))
	}
	return strings.Join(parts, ", ")
}

// Mermaid returns the definition as a Mermaid stateDiagram-v2 with the Chinese labels.
func (d *Definition) Mermaid() string {
	var b strings.Builder
	fmt.Fprintf(&b, "---\ntitle: %s（%s 第 %d 版）\n---\n", d.Title, d.Name, d.Version)
	b.WriteString("stateDiagram-v2\n")
	for _, s := range d.States {
		fmt.Fprintf(&b, "    state \"%s\" as %s\n", mermaidText(s.Label), s.Name)
	}
	fmt.Fprintf(&b, "    [*] --> %s\n", d.Initial)
	for _, t := range d.Transitions {
		for _, from := range t.From {
			fmt.Fprintf(&b, "    %s --> %s: %s\n", from, t.To, mermaidText(t.edgeLabel()))
		}
	}
	for _, s := range d.States {
		if s.Terminal {
			fmt.Fprintf(&b, "    %s --> [*]\n", s.Name)
		}
	}
	return b.String()
}

// mermaidText keeps a label from breaking Mermaid's line syntax.
func mermaidText(s string) string {
	return strings.NewReplacer("\"", "'", ";", "，", "\n", " ", ":", "：").Replace(s)
}

// Dot returns the definition as a Graphviz digraph with the Chinese labels. System transitions are
// dashed; terminal states have a double border.
func (d *Definition) Dot() string {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n", dotQuote(d.Name))
	fmt.Fprintf(&b, "    label=%s;\n", dotQuote(fmt.Sprintf("%s（%s 第 %d 版）", d.Title, d.Name, d.Version)))
	b.WriteString("    rankdir=LR;\n")
	b.WriteString("    node [shape=box, style=rounded];\n")
	b.WriteString("    \"__start\" [shape=point, label=\"\"];\n")
	for _, s := range d.States {
		attrs := "label=" + dotQuote(s.Label+"\n"+s.Name)
		if s.Terminal {
			attrs += ", peripheries=2"
		}
		fmt.Fprintf(&b, "    %s [%s];\n", dotQuote(s.Name), attrs)
	}
	fmt.Fprintf(&b, "    \"__start\" -> %s;\n", dotQuote(d.Initial))
	for _, t := range d.Transitions {
		label := t.Label + "\n" + t.Name
		if g := t.guardText(); g != "" {
			label += "\n[" + g + "]"
		}
		attrs := "label=" + dotQuote(label)
		if t.System {
			attrs += ", style=dashed"
		}
		for _, from := range t.From {
			fmt.Fprintf(&b, "    %s -> %s [%s];\n", dotQuote(from), dotQuote(t.To), attrs)
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// dotQuote quotes s as a Graphviz string.
func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
