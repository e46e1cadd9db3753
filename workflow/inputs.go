package workflow

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// input reads one input of the definition and checks its kind, limits, default and choices.
func (c *collector) input(n *yaml.Node) (*InputSpec, bool) {
	f, ok := c.mapping(n, "inputs 的一项", "name", "label", "kind", "max_length", "min", "max", "default", "choices", "help")
	if !ok {
		return nil, false
	}
	in := &InputSpec{Name: c.str(f, "name", "输入项"), Label: c.str(f, "label", "输入项"), Line: f.line}
	if !isIdent(in.Name) {
		c.add(f.lineOf("name"), "输入项的 name %q 应由小写字母、数字和下划线组成", in.Name)
		return nil, false
	}
	what := fmt.Sprintf("输入项 %q ", in.Name)
	if in.Label == "" {
		c.add(f.line, "输入项 %q 缺少 label（中文名称）", in.Name)
	}
	if v, ok := c.integer(f, "max_length", "输入项"); ok {
		if v <= 0 {
			c.add(f.lineOf("max_length"), "输入项 %q 的 max_length 应为正整数", in.Name)
		}
		in.MaxRunes = v
	}
	in.Kind = InputKind(c.str(f, "kind", what))
	switch {
	case in.Kind == "":
		in.Kind = InputTextarea
	case !slices.Contains(inputKinds, in.Kind):
		kinds := make([]string, len(inputKinds))
		for i, k := range inputKinds {
			kinds[i] = string(k)
		}
		c.add(f.lineOf("kind"), "输入项 %q 的 kind %q 未知（可用：%s）", in.Name, in.Kind, strings.Join(kinds, ", "))
	}
	in.Help = c.str(f, "help", what)
	in.Min, in.Max, in.Default = c.str(f, "min", what), c.str(f, "max", what), c.str(f, "default", what)
	for _, key := range []string{"min", "max", "default"} {
		v := map[string]string{"min": in.Min, "max": in.Max, "default": in.Default}[key]
		switch {
		case v == "":
		case in.Kind == InputNumber:
			if _, err := strconv.Atoi(v); err != nil {
				c.add(f.lineOf(key), "输入项 %q 是 number，%s 应为整数", in.Name, key)
			}
		case in.Kind == InputDate && key == "default":
			if v != "today" {
				c.add(f.lineOf(key), "输入项 %q 的 default 只能是 today", in.Name)
			}
		case in.Kind == InputDate:
			if _, ok := TodayOffset(v); !ok && !isIdent(v) {
				c.add(f.lineOf(key), "输入项 %q 的 %s %q 应为 today、today+天数、today-天数或事实名", in.Name, key, v)
			}
		default:
			c.add(f.lineOf(key), "输入项 %q：%s 只能用于 number 或 date", in.Name, key)
		}
	}
	if in.Kind == InputNumber && in.Min != "" && in.Max != "" {
		lo, _ := strconv.Atoi(in.Min)
		hi, _ := strconv.Atoi(in.Max)
		if lo > hi {
			c.add(f.lineOf("max"), "输入项 %q 的 max 应不小于 min", in.Name)
		}
	}
	for _, cn := range c.list(f, "choices", what) {
		cf, ok := c.mapping(cn, what+"的 choices 的一项", "value", "label")
		if !ok {
			continue
		}
		ch := Choice{Value: c.str(cf, "value", what), Label: c.str(cf, "label", what)}
		switch {
		case ch.Value == "" || ch.Label == "":
			c.add(cf.line, "输入项 %q 的每个选项须有 value 和 label", in.Name)
		case slices.ContainsFunc(in.Choices, func(o Choice) bool { return o.Value == ch.Value }):
			c.add(cf.line, "输入项 %q 的选项 %q 重复", in.Name, ch.Value)
		default:
			in.Choices = append(in.Choices, ch)
		}
	}
	if len(in.Choices) > 0 && in.Kind != InputChoice {
		c.add(f.lineOf("choices"), "输入项 %q：choices 只能用于 choice", in.Name)
	}
	return in, true
}

// TodayOffset reads a date bound "today", "today+N" or "today-N" as the days from today.
func TodayOffset(v string) (int, bool) {
	rest, ok := strings.CutPrefix(v, "today")
	if !ok {
		return 0, false
	}
	if rest == "" {
		return 0, true
	}
	if rest[0] != '+' && rest[0] != '-' {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil
}
