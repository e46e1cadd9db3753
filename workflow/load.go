package workflow

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// knownRole reports whether role may be named by a definition: one of roles (the roles of the
// policy's roles file, which the caller passes), or any identifier when no roles are given.
func knownRole(role string, roles []string) bool {
	if len(roles) == 0 {
		return isIdent(role)
	}
	return slices.Contains(roles, role)
}

// isIdent reports whether s is a lower-case identifier: a letter, then letters, digits or "_".
func isIdent(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

// isPermission reports whether s looks like "object:action".
func isPermission(s string) bool {
	obj, act, ok := strings.Cut(s, ":")
	return ok && isIdent(obj) && isIdent(act)
}

// transitionLines are the lines of a transition's keys, kept while it is validated.
type transitionLines struct {
	fields
	effects []fields
}

// LoadDefinition reads and validates one workflow definition. file names it in error messages;
// guards are the guards the engine will run (a definition naming any other guard is rejected);
// roles, when given, are the roles a notify or deadline effect may name (the policy's roles.csv).
// The error is DefinitionErrors listing every problem found, each with its line.
//
// The shape (configs/workflows/document.yaml is the commented example):
//
//	name: document
//	version: 1
//	title: 公文
//	initial: drafting
//	inputs:
//	  - {name: opinion, label: 审核意见, help: 说明退回的理由}
//	  - {name: days, label: 天数, kind: number, min: 1, max: 20, default: 20}
//	  - {name: due, label: 期限, kind: date, min: today+1, max: today+120}
//	  - {name: kind, label: 对象, kind: choice, choices: [{value: a, label: 甲}]}
//	states:
//	  - {name: drafting, label: 起草中}
//	  - {name: published, label: 已公开, terminal: true, tags: [public]}
//	transitions:
//	  - name: submit
//	    label: 提交审核
//	    from: [drafting]
//	    to: unit_review
//	    permission: document:submit
//	    style: primary
//	    guards: [attribute_set]
//	    distinct_from: []
//	    requires: []
//	    inputs: [opinion]
//	    set: {legal_approved: ""}
//	    effects:
//	      - {notify: unit_head}
//	      - {deadline: publication_due, working_days: 20, action: overdue, role: disclosure_officer, remind_before: 5}
//	      - {deadline: publication_due, working_days: 20, period_fact: publication_period, action: overdue, role: disclosure_officer}
//	      - {deadline: consultation_opens, at_fact: opens_at, action: fire, transition: open}
//	      - {cancel: publication_due}
//	    system: false
func LoadDefinition(file string, data []byte, guards GuardSet, roles ...string) (*Definition, error) {
	c := &collector{file: file, roles: roles}
	def := &Definition{File: file, Source: slices.Clone(data)}
	root := c.parseYAML(data)
	if root == nil {
		return nil, c.err()
	}
	top, ok := c.mapping(root, "流程定义", "name", "version", "title", "initial", "inputs", "states", "transitions")
	if !ok {
		return nil, c.err()
	}
	def.Name = c.str(top, "name", "流程定义")
	switch {
	case def.Name == "":
		c.add(top.lineOf("name"), "缺少 name（流程名称）")
	case !isIdent(def.Name):
		c.add(top.lineOf("name"), "name %q 应由小写字母、数字和下划线组成", def.Name)
	}
	if !top.has("version") {
		c.add(top.line, "缺少 version（版本号）")
	} else if v, ok := c.integer(top, "version", "流程定义"); ok && v < 1 {
		c.add(top.lineOf("version"), "version 应为不小于 1 的整数")
	} else {
		def.Version = v
	}
	if def.Title = c.str(top, "title", "流程定义"); def.Title == "" {
		c.add(top.lineOf("title"), "缺少 title（流程的中文名称）")
	}
	if def.Initial = c.str(top, "initial", "流程定义"); def.Initial == "" {
		c.add(top.lineOf("initial"), "缺少 initial（初始状态）")
	}

	for _, n := range c.list(top, "inputs", "流程定义") {
		in, ok := c.input(n)
		if !ok {
			continue
		}
		if def.input(in.Name) != nil {
			c.add(in.Line, "输入项 %q 重复", in.Name)
			continue
		}
		def.Inputs = append(def.Inputs, in)
	}

	stateNodes := c.list(top, "states", "流程定义")
	if len(stateNodes) == 0 {
		c.add(top.lineOf("states"), "缺少 states（状态列表）")
	}
	for _, n := range stateNodes {
		f, ok := c.mapping(n, "states 的一项", "name", "label", "terminal", "tags", "countersign")
		if !ok {
			continue
		}
		s := &State{Name: c.str(f, "name", "状态"), Label: c.str(f, "label", "状态"), Terminal: c.boolean(f, "terminal", "状态"), Line: f.line}
		for _, tag := range c.strList(f, "tags", "状态") {
			switch {
			case !slices.Contains(stateTags, tag):
				c.add(f.lineOf("tags"), "状态 %q 的标签 %q 未知（可用的标签：%s）", s.Name, tag, strings.Join(stateTags, ", "))
			case slices.Contains(s.Tags, tag):
				c.add(f.lineOf("tags"), "状态 %q 的标签 %q 重复", s.Name, tag)
			default:
				s.Tags = append(s.Tags, tag)
			}
		}
		switch has := s.Has(TagTerminal); {
		case s.Terminal && !has:
			s.Tags = append(s.Tags, TagTerminal)
		case has && !s.Terminal:
			c.add(f.lineOf("tags"), "状态 %q 有 terminal 标签，却未设 terminal: true", s.Name)
		}
		switch {
		case !isIdent(s.Name):
			c.add(f.lineOf("name"), "状态的 name %q 应由小写字母、数字和下划线组成", s.Name)
			continue
		case s.Label == "":
			c.add(f.line, "状态 %q 缺少 label（中文名称）", s.Name)
		}
		c.countersignState(f, s)
		if def.State(s.Name) != nil {
			c.add(f.line, "状态 %q 重复定义", s.Name)
			continue
		}
		def.States = append(def.States, s)
	}

	var lines []transitionLines
	for _, n := range c.list(top, "transitions", "流程定义") {
		t, tl, ok := c.transition(n)
		if ok {
			def.Transitions = append(def.Transitions, t)
			lines = append(lines, tl)
		}
	}
	if len(def.Transitions) == 0 && len(def.States) > 1 {
		c.add(top.lineOf("transitions"), "缺少 transitions（流转列表）")
	}

	c.checkDefinition(def, lines, guards, top)
	c.checkCountersigns(def)
	if err := c.err(); err != nil {
		return nil, err
	}
	return def, nil
}

// transition reads one transition and checks what can be checked without the rest of the file.
func (c *collector) transition(n *yaml.Node) (*Transition, transitionLines, bool) {
	f, ok := c.mapping(n, "transitions 的一项", "name", "label", "from", "to", "permission", "guards", "distinct_from", "requires", "inputs", "set", "effects", "system", "style")
	tl := transitionLines{fields: f}
	if !ok {
		return nil, tl, false
	}
	t := &Transition{Line: f.line}
	t.Name = c.str(f, "name", "流转")
	if !isIdent(t.Name) {
		c.add(f.lineOf("name"), "流转的 name %q 应由小写字母、数字和下划线组成", t.Name)
		return nil, tl, false
	}
	what := fmt.Sprintf("流转“%s”", t.Name)
	if t.Label = c.str(f, "label", what); t.Label == "" {
		c.add(f.line, "%s缺少 label（中文名称）", what)
	}
	if fn := f.values["from"]; fn != nil && fn.Kind == yaml.ScalarNode {
		t.From = []string{c.str(f, "from", what)}
	} else {
		t.From = c.strList(f, "from", what)
	}
	if len(t.From) == 0 {
		c.add(f.lineOf("from"), "%s缺少 from（起始状态）", what)
	}
	if t.To = c.str(f, "to", what); t.To == "" {
		c.add(f.lineOf("to"), "%s缺少 to（目标状态）", what)
	}
	t.Permission = c.str(f, "permission", what)
	t.System = c.boolean(f, "system", what)
	switch t.Style = c.str(f, "style", what); t.Style {
	case "":
		t.Style = StylePrimary
	case StylePrimary, StyleDanger, StylePlain:
	default:
		c.add(f.lineOf("style"), "%s的 style %q 未知（可用 primary、danger、plain）", what, t.Style)
	}
	if f.values["inputs"] != nil {
		t.Inputs = append([]string{}, c.strList(f, "inputs", what)...)
	}
	switch {
	case t.System && t.Permission != "":
		c.add(f.lineOf("permission"), "%s是系统操作（system: true），不应设置 permission", what)
	case !t.System && t.Permission == "":
		c.add(f.lineOf("permission"), "%s缺少 permission（所需权限，如 document:submit）", what)
	case !t.System && !isPermission(t.Permission):
		c.add(f.lineOf("permission"), "%s的 permission %q 应为“对象:操作”形式，如 document:submit", what, t.Permission)
	}
	t.Guards = c.strList(f, "guards", what)
	t.DistinctFrom = c.strList(f, "distinct_from", what)
	t.Requires = c.strList(f, "requires", what)
	if t.System && len(t.DistinctFrom) > 0 {
		c.add(f.lineOf("distinct_from"), "%s是系统操作，不能设置 distinct_from（系统不是工作人员）", what)
	}
	if t.System && len(t.Requires) > 0 {
		c.add(f.lineOf("requires"), "%s是系统操作，不能要求输入（requires）", what)
	}
	if sn := f.values["set"]; sn != nil && !(sn.Kind == yaml.ScalarNode && sn.Tag == "!!null") {
		if sn.Kind != yaml.MappingNode {
			c.add(sn.Line, "%s的 set 应为键值映射", what)
		} else {
			t.Set = map[string]string{}
			for i := 0; i+1 < len(sn.Content); i += 2 {
				k, v := sn.Content[i], resolve(sn.Content[i+1])
				switch {
				case !isIdent(k.Value):
					c.add(k.Line, "%s的 set 中的事实名 %q 应由小写字母、数字和下划线组成", what, k.Value)
					continue
				case v.Kind != yaml.ScalarNode:
					c.add(v.Line, "%s的 set 中 %s 的值应为单个值", what, k.Value)
					continue
				}
				if _, dup := t.Set[k.Value]; dup {
					c.add(k.Line, "%s的 set 中 %s 重复", what, k.Value)
					continue
				}
				val := v.Value
				if v.Tag == "!!null" {
					val = ""
				}
				t.Set[k.Value] = val
				if strings.HasPrefix(val, "$") {
					switch x, isInput := strings.CutPrefix(val, "$input."); {
					case val == "$now" || val == "$today" || val == "$actor":
					case isInput && (slices.Contains(t.Requires, x) || slices.Contains(t.Inputs, x)):
					case isInput:
						c.add(v.Line, "%s的 set 引用了输入 %q，但它不在 requires 或 inputs 中", what, x)
					default:
						c.add(v.Line, "%s的 set 中的取值 %q 未知（可用 $now、$today、$actor、$input.名称）", what, val)
					}
				}
			}
		}
	}
	for _, en := range c.list(f, "effects", what) {
		e, ef, ok := c.effect(en, what)
		if ok {
			t.Effects = append(t.Effects, e)
			tl.effects = append(tl.effects, ef)
		}
	}
	return t, tl, true
}

// effect reads one effect of a transition and checks its own keys.
func (c *collector) effect(n *yaml.Node, what string) (EffectSpec, fields, bool) {
	f, ok := c.mapping(n, what+"的 effects 的一项", "notify", "deadline", "working_days", "calendar_days", "at_fact", "action", "transition", "role", "remind_before", "cancel", "per_unit", "period_fact")
	if !ok {
		return EffectSpec{}, f, false
	}
	e := EffectSpec{Line: f.line}
	var kinds []string
	for _, k := range []string{"notify", "deadline", "cancel"} {
		if f.has(k) {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) != 1 {
		c.add(f.line, "%s的每个 effect 须且只须有 notify、deadline、cancel 之一", what)
		return e, f, false
	}
	onlyWith := func(kind string, keys ...string) {
		for _, k := range keys {
			if f.has(k) {
				c.add(f.lineOf(k), "%s：%s 不能用于 %s 效果", what, k, kind)
			}
		}
	}
	if f.has("per_unit") {
		if e.PerUnit = c.str(f, "per_unit", what); !isIdent(e.PerUnit) {
			c.add(f.lineOf("per_unit"), "%s：per_unit 的事实名 %q 应由小写字母、数字和下划线组成", what, e.PerUnit)
		}
	}
	switch kinds[0] {
	case "notify":
		e.Notify = c.str(f, "notify", what)
		if !knownRole(e.Notify, c.roles) {
			c.add(f.lineOf("notify"), "%s：notify 的角色 %q 未定义", what, e.Notify)
		}
		onlyWith("notify", "working_days", "calendar_days", "at_fact", "action", "transition", "role", "remind_before", "period_fact")
	case "cancel":
		e.Cancel = c.str(f, "cancel", what)
		if !isIdent(e.Cancel) {
			c.add(f.lineOf("cancel"), "%s：cancel 的期限名 %q 应由小写字母、数字和下划线组成", what, e.Cancel)
		}
		onlyWith("cancel", "working_days", "calendar_days", "at_fact", "action", "transition", "role", "remind_before", "per_unit", "period_fact")
	case "deadline":
		e.Deadline = c.str(f, "deadline", what)
		dw := fmt.Sprintf("%s的期限“%s”", what, e.Deadline)
		if !isIdent(e.Deadline) {
			c.add(f.lineOf("deadline"), "%s：期限名 %q 应由小写字母、数字和下划线组成", what, e.Deadline)
		}
		e.WorkingDays, _ = c.integer(f, "working_days", dw)
		e.CalendarDays, _ = c.integer(f, "calendar_days", dw)
		e.AtFact = c.str(f, "at_fact", dw)
		e.Action = DeadlineAction(c.str(f, "action", dw))
		e.Transition = c.str(f, "transition", dw)
		e.Role = c.str(f, "role", dw)
		e.RemindBefore, _ = c.integer(f, "remind_before", dw)
		set := 0
		for _, k := range []string{"working_days", "calendar_days", "at_fact"} {
			if f.has(k) {
				set++
			}
		}
		if set != 1 {
			c.add(f.line, "%s须且只须设置 working_days、calendar_days、at_fact 之一", dw)
		}
		if f.has("working_days") && e.WorkingDays < 1 || f.has("calendar_days") && e.CalendarDays < 1 {
			c.add(f.line, "%s的天数应为正整数", dw)
		}
		if f.has("at_fact") && !isIdent(e.AtFact) {
			c.add(f.lineOf("at_fact"), "%s的 at_fact %q 应为事实名", dw, e.AtFact)
		}
		switch e.Action {
		case ActionFire:
			if e.Transition == "" {
				c.add(f.line, "%s的 action 为 fire，须用 transition 指定要执行的系统操作", dw)
			}
		case ActionRemind, ActionOverdue:
			if e.Role == "" {
				c.add(f.line, "%s的 action 为 %s，须用 role 指定通知的角色", dw, e.Action)
			}
			if f.has("transition") {
				c.add(f.lineOf("transition"), "%s：transition 只用于 action: fire", dw)
			}
		case "":
			c.add(f.line, "%s缺少 action（fire、remind 或 overdue）", dw)
		default:
			c.add(f.lineOf("action"), "%s的 action %q 未知（可用 fire、remind、overdue）", dw, e.Action)
		}
		if e.Role != "" && !knownRole(e.Role, c.roles) {
			c.add(f.lineOf("role"), "%s的角色 %q 未定义", dw, e.Role)
		}
		if f.has("period_fact") {
			switch e.PeriodFact = c.str(f, "period_fact", dw); {
			case !isIdent(e.PeriodFact):
				c.add(f.lineOf("period_fact"), "%s的 period_fact %q 应为事实名", dw, e.PeriodFact)
			case f.has("at_fact"):
				c.add(f.lineOf("period_fact"), "%s：period_fact 只能与 working_days 或 calendar_days（期限的上限）一起使用", dw)
			case f.has("per_unit"):
				c.add(f.lineOf("period_fact"), "%s：period_fact 不能与 per_unit 一起使用", dw)
			}
		}
		if f.has("per_unit") && e.Action == ActionFire {
			c.add(f.lineOf("per_unit"), "%s：per_unit 只用于 action: remind 或 overdue", dw)
		}
		if f.has("remind_before") {
			switch {
			case !f.has("working_days"):
				c.add(f.lineOf("remind_before"), "%s：remind_before 只能与 working_days 一起使用", dw)
			case e.RemindBefore < 1 || e.RemindBefore >= e.WorkingDays:
				c.add(f.lineOf("remind_before"), "%s：remind_before 应为正整数且小于 working_days", dw)
			case e.Role == "":
				c.add(f.lineOf("remind_before"), "%s：remind_before 须用 role 指定提醒的角色", dw)
			}
		}
	}
	return e, f, true
}

// checkDefinition checks what needs the whole definition: state references, guards, transitions
// sharing a name, effects that refer elsewhere, reachability and dead ends.
func (c *collector) checkDefinition(def *Definition, lines []transitionLines, guards GuardSet, top fields) {
	if def.Initial != "" && def.State(def.Initial) == nil {
		c.add(top.lineOf("initial"), "状态 %q 未定义（initial）", def.Initial)
	}
	scheduled := map[string]bool{}
	for _, t := range def.Transitions {
		for _, e := range t.Effects {
			if e.Deadline != "" {
				scheduled[e.Deadline] = true
			}
		}
	}
	for i, t := range def.Transitions {
		tl := lines[i]
		for _, from := range t.From {
			if def.State(from) == nil {
				c.add(tl.lineOf("from"), "状态 %q 未定义（transition %q 的 from）", from, t.Name)
			}
		}
		if t.To != "" && def.State(t.To) == nil {
			c.add(tl.lineOf("to"), "状态 %q 未定义（transition %q 的 to）", t.To, t.Name)
		}
		for _, g := range t.Guards {
			if _, ok := guards[g]; !ok {
				c.add(tl.lineOf("guards"), "guard %q 未定义（transition %q）；可用的 guard：%s", g, t.Name, strings.Join(guards.Names(), ", "))
			}
		}
		for _, name := range t.DistinctFrom {
			switch target := def.transition(name); {
			case target == nil:
				c.add(tl.lineOf("distinct_from"), "distinct_from 中的流转 %q 未定义（transition %q）", name, t.Name)
			case target.System:
				c.add(tl.lineOf("distinct_from"), "distinct_from 中的流转 %q 是系统操作，没有经办人（transition %q）", name, t.Name)
			}
		}
		for _, r := range t.Requires {
			if def.input(r) == nil {
				c.add(tl.lineOf("requires"), "输入项 %q 未在 inputs 中定义（transition %q 的 requires）", r, t.Name)
			}
		}
		for _, r := range t.Inputs {
			if def.input(r) == nil {
				c.add(tl.lineOf("inputs"), "输入项 %q 未在 inputs 中定义（transition %q 的 inputs）", r, t.Name)
			}
		}
		for j, e := range t.Effects {
			el := tl.effects[j]
			if e.PerUnit != "" {
				c.checkPerUnit(def, t, e, el.lineOf("per_unit"))
			}
			if e.Action == ActionFire && e.Transition != "" {
				switch target := def.transition(e.Transition); {
				case target == nil:
					c.add(el.lineOf("transition"), "期限 %q 要执行的 transition %q 未定义", e.Deadline, e.Transition)
				case !target.System:
					c.add(el.lineOf("transition"), "期限 %q 要执行的 transition %q 不是系统操作（应设 system: true）", e.Deadline, e.Transition)
				}
			}
			if e.Cancel != "" {
				if !scheduled[e.Cancel] {
					c.add(el.lineOf("cancel"), "要取消的期限 %q 在本流程中没有设置过（transition %q）", e.Cancel, t.Name)
				}
				for _, prev := range t.Effects[:j] {
					if prev.Deadline == e.Cancel {
						c.add(el.lineOf("cancel"), "transition %q 先设置又取消期限 %q：cancel 须写在同名 deadline 之前", t.Name, e.Cancel)
					}
				}
			}
		}
		for _, o := range def.Transitions[:i] {
			if o.Name != t.Name || !slices.ContainsFunc(t.From, func(s string) bool { return slices.Contains(o.From, s) }) {
				continue
			}
			conflicts := len(c.errs)
			switch {
			case sameSet(o.Guards, t.Guards):
				c.add(t.Line, "transition %q 与第 %d 行的同名流转起始状态重叠且 guards 相同，后者永远不会被选中", t.Name, o.Line)
			case o.Permission != t.Permission:
				c.add(tl.lineOf("permission"), "transition %q 与第 %d 行的同名流转起始状态重叠，但 permission 不同（%q 与 %q）", t.Name, o.Line, t.Permission, o.Permission)
			case o.System != t.System:
				c.add(tl.lineOf("system"), "transition %q 与第 %d 行的同名流转起始状态重叠，但 system 不同", t.Name, o.Line)
			case !slices.Equal(o.Requires, t.Requires):
				c.add(tl.lineOf("requires"), "transition %q 与第 %d 行的同名流转起始状态重叠，但 requires 不同", t.Name, o.Line)
			}
			if len(c.errs) > conflicts {
				break // one conflict per transition is enough
			}
		}
	}
	if def.State(def.Initial) == nil {
		return
	}
	reached := map[string]bool{def.Initial: true}
	queue := []string{def.Initial}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, t := range def.TransitionsFrom(s) {
			if def.State(t.To) != nil && !reached[t.To] {
				reached[t.To] = true
				queue = append(queue, t.To)
			}
		}
	}
	for _, s := range def.States {
		// A terminal state may keep system transitions that stay in it: they record what happens
		// to the record after its flow has ended (an interpretation of a published document).
		out, leaving := 0, 0
		for _, t := range def.TransitionsFrom(s.Name) {
			out++
			if !t.System || t.To != s.Name {
				leaving++
			}
		}
		switch {
		case !reached[s.Name]:
			c.add(s.Line, "状态 %q 从初始状态 %q 无法到达", s.Name, def.Initial)
		case s.Terminal && leaving > 0:
			c.add(s.Line, "终止状态 %q 不应有流出的流转（只可有停留在本状态的系统操作）", s.Name)
		case !s.Terminal && out == 0:
			c.add(s.Line, "状态 %q 不是终止状态，却没有流出的流转（应设 terminal: true 或增加流转）", s.Name)
		}
	}
}

// sameSet reports whether a and b hold the same strings, in any order.
func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// LoadDefinitions reads every *.yaml file at the root of fsys as a definition (see
// LoadDefinition) and returns a registry of them. It reports every problem of every file.
func LoadDefinitions(fsys fs.FS, guards GuardSet, roles ...string) (*Registry, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list workflow definitions: %w", err)
	}
	slices.Sort(names)
	reg := NewRegistry()
	var errs ConfigErrors
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read workflow definition %s: %w", name, err)
		}
		def, err := LoadDefinition(name, data, guards, roles...)
		if err != nil {
			errs = appendConfigErrors(errs, err)
			continue
		}
		if err := reg.Add(def); err != nil {
			errs = append(errs, ConfigError{File: name, Message: ErrorMessage(err)})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return reg, nil
}
