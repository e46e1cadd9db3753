package catalogue

import (
	"cmp"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"wugongkai/workflow"
)

// itemKeys are the keys of an item, every one required, in the order they are checked.
var itemKeys = []string{"code", "level1", "level2", "content", "basis", "time_limit", "subject", "channels", "audience", "mode", "category"}

// itemKeyNames names each key in the messages.
var itemKeyNames = map[string]string{
	"area": "领域", "code": "编码", "level1": "一级事项", "level2": "二级事项", "content": "公开内容（要素）", "basis": "公开依据",
	"time_limit": "公开时限", "subject": "公开主体", "channels": "公开渠道和载体", "audience": "公开对象",
	"mode": "公开方式", "category": "五公开类别",
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$`)

// LoadDir reads every *.yaml file at the root of fsys, in name order, as the catalogue (see
// ParseFile) and checks it whole (see Validate). Any problem refuses the whole catalogue: the
// error is workflow.ConfigErrors listing every problem with its file and line.
func LoadDir(fsys fs.FS) ([]Item, error) {
	entries, err := fs.ReadDir(fsys, ".") // sorted by name
	if err != nil {
		return nil, fmt.Errorf("list catalogue files: %w", err)
	}
	var (
		items []Item
		errs  workflow.ConfigErrors
		files int
	)
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".yaml") {
			continue
		}
		files++
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read catalogue file %s: %w", name, err)
		}
		its, err := ParseFile(name, data)
		errs = appendErrors(errs, err)
		items = append(items, its...)
	}
	if files == 0 {
		errs = append(errs, workflow.ConfigError{Message: "目录中没有 *.yaml 文件，标准目录为空"})
	}
	if len(errs) == 0 {
		errs = appendErrors(errs, Validate(items))
	} else {
		errs = append(errs, duplicates(items)...) // the items with problems are incomplete
	}
	if len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b workflow.ConfigError) int {
			return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
		})
		return nil, errs
	}
	for i := range items {
		items[i].Seq = i + 1
	}
	return items, nil
}

func appendErrors(errs workflow.ConfigErrors, err error) workflow.ConfigErrors {
	if err == nil {
		return errs
	}
	if ces, ok := err.(workflow.ConfigErrors); ok {
		return append(errs, ces...)
	}
	return append(errs, workflow.ConfigError{Message: err.Error()})
}

// file collects the problems of one catalogue file.
type file struct {
	name string
	errs workflow.ConfigErrors
}

func (f *file) add(line int, format string, args ...any) {
	f.errs = append(f.errs, workflow.ConfigError{File: f.name, Line: line, Message: fmt.Sprintf(format, args...)})
}

// ParseFile reads one catalogue file:
//
//	area: 保障性住房
//	items:
//	  - code: BZ-01
//	    level1: 法规政策
//	    ...
//
// Every item key is required (see configs/catalogue/01-general.yaml), unknown keys are refused,
// and each value is checked on its own (categories, 公开对象, 公开方式, channels, the time limit);
// what needs the whole catalogue (duplicate codes) is Validate's. It returns the items it read
// (with a problem or not, as long as they have a code) and workflow.ConfigErrors with every problem.
func ParseFile(name string, data []byte) ([]Item, error) {
	f := &file{name: name}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		f.add(0, "YAML 格式错误：%s", strings.TrimPrefix(err.Error(), "yaml: "))
		return nil, f.errs
	}
	if len(doc.Content) == 0 {
		f.add(0, "文件为空")
		return nil, f.errs
	}
	root := doc.Content[0]
	fields := f.mapping(root, "标准目录文件", "area", "items")
	if fields == nil {
		return nil, f.errs
	}
	area := f.text(root, fields, "area", "")
	list, ok := fields["items"]
	if !ok {
		f.add(root.Line, "缺少 items（事项列表）")
		return nil, f.errs
	}
	if list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
		f.add(list.Line, "items 应为事项列表，且至少有一项")
		return nil, f.errs
	}
	var items []Item
	for _, n := range list.Content {
		if it, ok := f.item(n, area); ok || it.Code != "" {
			items = append(items, it)
		}
	}
	if len(f.errs) > 0 {
		return items, f.errs
	}
	return items, nil
}

// item reads one item; ok is false when it has a problem (recorded). An item with a problem
// still comes back with what could be read of it, so that its code counts among the duplicates.
func (f *file) item(n *yaml.Node, area string) (Item, bool) {
	before := len(f.errs)
	fields := f.mapping(n, "事项", itemKeys...)
	if fields == nil {
		return Item{}, false
	}
	it := Item{File: f.name, Line: n.Line, Area: area}
	it.Code = f.text(n, fields, "code", "")
	if it.Code != "" && !codePattern.MatchString(it.Code) {
		f.add(fields["code"].Line, "编码“%s”只能由字母、数字和 . _ - 组成，以字母或数字开头，不超过 40 个字符", it.Code)
	}
	it.Level1 = f.text(n, fields, "level1", it.Code)
	it.Level2 = f.text(n, fields, "level2", it.Code)
	it.Content = f.texts(n, fields, "content", it.Code)
	it.Basis = f.texts(n, fields, "basis", it.Code)
	it.Subject = f.text(n, fields, "subject", it.Code)
	it.Channels = f.texts(n, fields, "channels", it.Code)
	for _, c := range it.Channels {
		if !slices.Contains(Channels, c) && !strings.HasPrefix(c, "其他：") {
			f.add(fields["channels"].Line, "事项 %s 的公开渠道“%s”不在标准目录的渠道中（%s，或“其他：…”）", it.Code, c, strings.Join(Channels, "、"))
		}
	}
	if tl := f.text(n, fields, "time_limit", it.Code); tl != "" {
		t, err := ParseTimeLimit(tl)
		if err != nil {
			f.add(fields["time_limit"].Line, "事项 %s：%v", it.Code, err)
		}
		it.TimeLimit = t
	}
	it.Audience = f.oneOf(n, fields, "audience", it.Code, Everyone, SomeGroups)
	it.Mode = f.oneOf(n, fields, "mode", it.Code, Proactive, OnRequest)
	it.Category = f.oneOf(n, fields, "category", it.Code, Categories...)
	return it, len(f.errs) == before
}

// mapping returns the keys of a mapping node, refusing unknown and repeated keys.
func (f *file) mapping(n *yaml.Node, what string, keys ...string) map[string]*yaml.Node {
	if n.Kind != yaml.MappingNode {
		f.add(n.Line, "%s应为键值对（mapping）", what)
		return nil
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case !slices.Contains(keys, k.Value):
			f.add(k.Line, "%s中有未知的键 %s（可用的键：%s）", what, k.Value, strings.Join(keys, ", "))
		case out[k.Value] != nil:
			f.add(k.Line, "%s中的键 %s 重复", what, k.Value)
		default:
			out[k.Value] = v
		}
	}
	return out
}

// missing records a missing or empty key of an item.
func (f *file) missing(n *yaml.Node, key, code string) {
	name := itemKeyNames[key]
	if name == "" {
		name = key
	}
	if code == "" {
		f.add(n.Line, "缺少 %s（%s）", key, name)
		return
	}
	f.add(n.Line, "事项 %s 缺少 %s（%s）", code, key, name)
}

// text returns a required one-line text value.
func (f *file) text(parent *yaml.Node, fields map[string]*yaml.Node, key, code string) string {
	v, ok := fields[key]
	if !ok || v.Kind == yaml.ScalarNode && strings.TrimSpace(v.Value) == "" {
		f.missing(parent, key, code)
		return ""
	}
	if v.Kind != yaml.ScalarNode {
		f.add(v.Line, "%s 应为一段文字", key)
		return ""
	}
	return strings.Join(strings.Fields(v.Value), " ")
}

// texts returns a required list of texts; a single text is a list of one.
func (f *file) texts(parent *yaml.Node, fields map[string]*yaml.Node, key, code string) []string {
	v, ok := fields[key]
	if ok && v.Kind == yaml.ScalarNode {
		if t := f.text(parent, fields, key, code); t != "" {
			return []string{t}
		}
		return nil
	}
	if !ok || v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
		if ok && v.Kind != yaml.SequenceNode {
			f.add(v.Line, "%s 应为列表", key)
			return nil
		}
		f.missing(parent, key, code)
		return nil
	}
	var out []string
	for _, e := range v.Content {
		t := strings.Join(strings.Fields(e.Value), " ")
		if e.Kind != yaml.ScalarNode || t == "" {
			f.add(e.Line, "%s 的每一项应为一段不空的文字", key)
			continue
		}
		out = append(out, t)
	}
	return out
}

// oneOf returns a required value that must be one of allowed.
func (f *file) oneOf(parent *yaml.Node, fields map[string]*yaml.Node, key, code string, allowed ...string) string {
	v := f.text(parent, fields, key, code)
	if v != "" && !slices.Contains(allowed, v) {
		f.add(fields[key].Line, "事项 %s 的%s“%s”不是 %s 之一", code, itemKeyNames[key], v, strings.Join(allowed, "、"))
		return ""
	}
	return v
}

// Validate checks a catalogue whole: every item complete and valid (items parsed from files already
// are) and no code given twice. The error is workflow.ConfigErrors listing every problem.
func Validate(items []Item) error {
	errs := duplicates(items)
	for _, it := range items {
		switch {
		case it.Code == "":
			errs = append(errs, problem(it, "事项缺少编码"))
		case !complete(it):
			errs = append(errs, problem(it, "事项 %s 不完整：一级事项、二级事项、公开内容、公开依据、公开时限、公开主体、公开渠道、公开对象、公开方式和五公开类别都必须填写", it.Code))
		default:
			if t, err := ParseTimeLimit(it.TimeLimit.Text); err != nil || t != it.TimeLimit {
				errs = append(errs, problem(it, "事项 %s 的公开时限“%s”与其规则不符", it.Code, it.TimeLimit.Text))
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// duplicates reports every code given more than once.
func duplicates(items []Item) workflow.ConfigErrors {
	var errs workflow.ConfigErrors
	seen := map[string]Item{}
	for _, it := range items {
		if it.Code == "" {
			continue
		}
		if prev, dup := seen[it.Code]; dup {
			errs = append(errs, problem(it, "编码 %s 重复（另见 %s）", it.Code, place(prev)))
			continue
		}
		seen[it.Code] = it
	}
	return errs
}

func problem(it Item, format string, args ...any) workflow.ConfigError {
	return workflow.ConfigError{File: it.File, Line: it.Line, Message: fmt.Sprintf(format, args...)}
}

func place(it Item) string {
	if it.Line > 0 {
		return fmt.Sprintf("%s:%d", it.File, it.Line)
	}
	return it.File
}

func complete(it Item) bool {
	return it.Area != "" && it.Level1 != "" && it.Level2 != "" && len(it.Content) > 0 && len(it.Basis) > 0 &&
		it.TimeLimit.Kind != "" && it.Subject != "" && len(it.Channels) > 0 &&
		slices.Contains([]string{Everyone, SomeGroups}, it.Audience) && slices.Contains([]string{Proactive, OnRequest}, it.Mode) &&
		slices.Contains(Categories, it.Category)
}
