package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"wugongkai/workflow"
)

// formField is one box of a transition's form, as the flow definition describes its input.
type formField struct {
	ID        string
	Name      string
	Label     string
	Kind      string // textarea | text | date | datetime | number | select
	Value     string
	Required  bool
	Help      string
	Min       string
	Max       string
	MaxLength int
	Rows      int           // a textarea's
	Options   []option      // a select's, after its empty "请选择" option
	Groups    []optionGroup // or grouped
	Error     string
}

// formAction is one transition the user may take now, with exactly the boxes it asks for.
type formAction struct {
	Name    string
	Label   string
	Style   string // primary | danger | plain
	FormID  string
	Fields  []formField
	Error   string
	Publish bool // it publishes to the portal: the catalogue metadata are checked first
}

// option is one choice of a select.
type option struct {
	Value string
	Label string
}

// optionGroup is an <optgroup>; an empty Label puts its options at the top level.
type optionGroup struct {
	Label   string
	Options []option
}

// formSpec is what a form is built from besides the transition.
type formSpec struct {
	Def      *workflow.Definition // the instance's version: which inputs the transition takes
	Meta     *workflow.Definition // the flow's latest version: how each input is asked for (nil = Def)
	State    string               // the instance's state
	Facts    workflow.Facts       // for date bounds that name a fact
	Today    workflow.Date
	FormID   string
	Values   map[string]string        // prefilled values by input name
	Required []string                 // inputs the use case requires besides the flow's requires
	Help     map[string]string        // help that depends on the record, replacing the definition's
	Choices  map[string][]optionGroup // the choices of a choice input the domain supplies
	Omit     []string                 // optional inputs not asked for unless the use case requires them
}

// formOf builds the form of transition t: one box per input the definition asks for (its
// requires, then its optional inputs), typed, bounded and explained as the definition says. The
// metadata are read from the latest version of the flow, which describes the inputs of the
// versions before it too.
func formOf(spec formSpec, t workflow.TransitionView) formAction {
	meta := spec.Meta
	if meta == nil {
		meta = spec.Def
	}
	a := formAction{Name: t.Name, Label: t.Label, Style: workflow.StylePrimary, FormID: spec.FormID}
	names := slices.Clone(t.Requires)
	cands := meta.Candidates(spec.State, t.Name)
	if len(cands) == 0 {
		cands = spec.Def.Candidates(spec.State, t.Name)
	}
	if len(cands) > 0 {
		a.Style = cands[0].Style
		a.Publish = meta.StateHas(cands[0].To, workflow.TagPublic)
		// The optional inputs of the entry that would be taken now, else those the instance's
		// version names, else (a version that names none) the latest's that the version declares
		// (all of them for a version declaring none: the use case takes them).
		inputs := cands[0].Inputs
		if own := spec.Def.Candidates(spec.State, t.Name); len(own) > 0 && own[0].Inputs != nil {
			inputs = own[0].Inputs
		} else if slices.ContainsFunc(inputs, spec.Def.Declares) {
			inputs = slices.DeleteFunc(slices.Clone(inputs), func(n string) bool { return !spec.Def.Declares(n) })
		}
		if t.Inputs != nil {
			inputs = t.Inputs
		}
		for _, name := range inputs {
			if !slices.Contains(cands[0].Requires, name) && !slices.Contains(names, name) && !slices.Contains(spec.Omit, name) {
				names = append(names, name)
			}
		}
	}
	for _, name := range names {
		in := meta.Input(name)
		if in == nil {
			in = spec.Def.Input(name)
		}
		if in == nil {
			continue
		}
		a.Fields = append(a.Fields, spec.field(in, slices.Contains(t.Requires, name)))
	}
	return a
}

// field builds the box of input in; required says the flow requires it.
func (spec formSpec) field(in *workflow.InputSpec, required bool) formField {
	f := formField{ID: spec.FormID + "-" + in.Name, Name: in.Name, Label: in.Label, Kind: string(in.Kind), Help: in.Help,
		MaxLength: in.Limit(), Rows: 3, Value: spec.Values[in.Name]}
	if in.Limit() > workflow.DefaultInputMaxRunes {
		f.Rows = 10
	}
	if own := spec.Def.Input(in.Name); own != nil {
		f.MaxLength = own.Limit() // what the engine will take on the instance's version
	}
	if h, ok := spec.Help[in.Name]; ok {
		f.Help = h
	}
	switch in.Kind {
	case workflow.InputDate:
		f.Min, f.Max = spec.dateBound(in.Min), spec.dateBound(in.Max)
		if f.Value == "" && in.Default != "" {
			f.Value = spec.Today.String()
		}
	case workflow.InputNumber:
		f.Min, f.Max = in.Min, in.Max
		if f.Value == "" {
			f.Value = in.Default
		}
	case workflow.InputDateTime:
		f.Value = localInput(f.Value)
	case workflow.InputChoice:
		f.Kind = "select"
		for _, c := range in.Choices {
			f.Options = append(f.Options, option{Value: c.Value, Label: c.Label})
		}
		f.Groups = spec.Choices[in.Name]
	}
	// An input with a default may be left empty: the use case fills it in.
	f.Required = (required || slices.Contains(spec.Required, in.Name)) && in.Default == ""
	if !required && !f.Required && in.Default == "" {
		f.Label += "（可选）"
	}
	return f
}

// dateBound resolves a date bound of the definition: today, today±N, or the date held by a fact.
func (spec formSpec) dateBound(v string) string {
	if v == "" {
		return ""
	}
	if n, ok := workflow.TodayOffset(v); ok {
		return spec.Today.AddDays(n).String()
	}
	if d, err := workflow.ParseDate(spec.Facts[v]); err == nil {
		return d.String()
	}
	return ""
}

// formInput reads the boxes of form a from the request, keeping what was typed in a. A datetime
// becomes an RFC 3339 instant; an empty box is left out, except on a publication, where an
// emptied catalogue field must reach the use case.
func formInput(c *gin.Context, a *formAction) (workflow.Input, error) {
	in := workflow.Input{}
	for i := range a.Fields {
		f := &a.Fields[i]
		f.Value = c.PostForm(f.Name)
		v := strings.TrimSpace(f.Value)
		if f.Kind == string(workflow.InputDateTime) {
			t, err := parseLocal(f.Name, v)
			if err != nil {
				return nil, err
			}
			if !t.IsZero() {
				in[f.Name] = t.UTC().Format(time.RFC3339)
			}
			continue
		}
		if v != "" || a.Publish {
			in[f.Name] = v
		}
	}
	return in, nil
}

// refused shows err on form a: beside the box it names, or under the form.
func (a *formAction) refused(err error) {
	msg := workflow.ErrorMessage(err)
	a.Error = msg
	if e := workflow.AsError(err); e != nil && e.Field != "" {
		for i := range a.Fields {
			if a.Fields[i].Name == e.Field {
				a.Fields[i].Error, a.Error = msg, ""
			}
		}
	}
}

// latest returns the latest version of def's flow, or def.
func latest(reg *workflow.Registry, def *workflow.Definition) *workflow.Definition {
	if l, err := reg.Latest(def.Name); err == nil {
		return l
	}
	return def
}

// pageByID loads the page of the record the path names with load; on failure it shows the error
// page and reports false.
func pageByID[V any](s *Site, c *gin.Context, load func(*gin.Context, int64) (V, error)) (int64, V, bool) {
	var v V
	id, err := pathID(c)
	if err == nil {
		v, err = load(c, id)
	}
	if err != nil {
		s.errorPage(c, err)
		return id, v, false
	}
	return id, v, true
}

// transitionPage is a page of one record with a form per transition the user may take now.
type transitionPage[V any] struct {
	page    string                               // its template
	load    func(*gin.Context, int64) (V, error) // builds it for the record id
	actions func(*V) []formAction                // its forms
	fire    func(id int64, version int, name string, in workflow.Input) error
	next    func(id int64, name string) string          // where to go once done
	refused func(v *V, name, msg string, conflict bool) // puts the page's message on it
}

// fireForm answers the form of the transition the path names on the record it names: it reads
// what was typed into the form (kept when the page comes back), fires the transition and goes to
// the next page; a refusal is shown beside the form, and the page's message says which action
// failed and why, or that someone else changed the record meanwhile.
func fireForm[V any](s *Site, c *gin.Context, p transitionPage[V]) {
	id, v, ok := pageByID(s, c, p.load)
	if !ok {
		return
	}
	name := c.Param("name")
	version, _ := strconv.Atoi(c.PostForm("version"))
	actions := p.actions(&v)
	idx := slices.IndexFunc(actions, func(a formAction) bool { return a.Name == name })
	var in workflow.Input
	var err error
	if idx >= 0 {
		in, err = formInput(c, &actions[idx])
	}
	if err == nil {
		err = p.fire(id, version, name, in)
	}
	answerForm(s, c, err, p.next(id, name), p.page, loaded(v), func(v *V) {
		msg := workflow.ErrorMessage(err)
		conflict := workflow.ErrorCode(err) == workflow.EConflict
		if !conflict && idx >= 0 {
			actions[idx].refused(err)
			msg = "未能完成“" + actions[idx].Label + "”：" + msg
		}
		p.refused(v, name, msg, conflict)
	})
}

// doneFlash says what was just done: the newest entry of the history called done names it, with
// the label of the transition actually taken.
func doneFlash(history []historyView, done string) string {
	for _, h := range history {
		if h.Name == done {
			return "已完成“" + h.Action + "”。"
		}
	}
	return ""
}

// answerForm answers a posted form: on success it goes to next; a server failure gets the error
// page; a refusal shows the page again, loaded by load, after show has put the message on it.
func answerForm[V any](s *Site, c *gin.Context, err error, next, page string, load func() (V, error), show func(*V)) {
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, next)
		return
	case statusFor(err) >= 500:
		s.errorPage(c, err)
		return
	}
	v, lerr := load()
	if lerr != nil {
		s.errorPage(c, lerr)
		return
	}
	show(&v)
	s.render(c, statusFor(err), page, v)
}

// loaded returns a load for answerForm of a page already loaded.
func loaded[V any](v V) func() (V, error) { return func() (V, error) { return v, nil } }
