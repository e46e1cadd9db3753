package workflow

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ConfigError is one problem found in a configuration file (a workflow definition or a holiday
// calendar), with the file and the line it is on. Message is Chinese: the operator who edits the
// file reads it.
type ConfigError struct {
	File    string
	Line    int // 0 when the problem is not tied to one line
	Message string
}

// Error returns "file:line: message".
func (e ConfigError) Error() string {
	switch {
	case e.File == "":
		return e.Message
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message)
	default:
		return e.File + ": " + e.Message
	}
}

// ConfigErrors are all the problems found in one or more configuration files. Loading collects
// every problem rather than stopping at the first.
type ConfigErrors []ConfigError

// Error returns one "file:line: message" line per problem.
func (es ConfigErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// DefinitionError is a problem in a workflow definition file.
type DefinitionError = ConfigError

// DefinitionErrors are the problems found in workflow definition files.
type DefinitionErrors = ConfigErrors

// collector gathers the problems of one file while it is decoded and validated.
type collector struct {
	file  string
	roles []string // the roles a definition may name; empty = any identifier
	errs  ConfigErrors
}

func (c *collector) add(line int, format string, args ...any) {
	c.errs = append(c.errs, ConfigError{File: c.file, Line: line, Message: fmt.Sprintf(format, args...)})
}

// err returns the collected problems sorted by line, or nil.
func (c *collector) err() error {
	if len(c.errs) == 0 {
		return nil
	}
	slices.SortStableFunc(c.errs, func(a, b ConfigError) int { return cmp.Compare(a.Line, b.Line) })
	return c.errs
}

// parseYAML decodes data into its root node. It reports a syntax error or an empty file.
func (c *collector) parseYAML(data []byte) *yaml.Node {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		c.add(yamlErrorLine(err.Error()), "YAML 格式错误：%s", strings.TrimPrefix(err.Error(), "yaml: "))
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		c.add(0, "文件为空")
		return nil
	}
	return resolve(doc.Content[0])
}

// yamlErrorLine finds the line number in a yaml.v3 error message ("yaml: line 3: ..."), or 0.
func yamlErrorLine(msg string) int {
	_, rest, ok := strings.Cut(msg, "line ")
	if !ok {
		return 0
	}
	end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if end < 0 {
		end = len(rest)
	}
	n, _ := strconv.Atoi(rest[:end])
	return n
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// fields are the values of a mapping by key, with the line of each key.
type fields struct {
	line   int
	values map[string]*yaml.Node
	lines  map[string]int
}

func (f fields) has(key string) bool { return f.values[key] != nil }

// lineOf returns the line of key, or of the mapping when key is absent.
func (f fields) lineOf(key string) int {
	if l, ok := f.lines[key]; ok {
		return l
	}
	return f.line
}

// mapping reads n as a mapping whose keys must be among known. It reports a node of another kind,
// unknown keys and keys given twice.
func (c *collector) mapping(n *yaml.Node, what string, known ...string) (fields, bool) {
	n = resolve(n)
	f := fields{line: n.Line, values: map[string]*yaml.Node{}, lines: map[string]int{}}
	if n.Kind != yaml.MappingNode {
		c.add(n.Line, "%s应为键值映射（mapping）", what)
		return f, false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			c.add(k.Line, "%s的键应为字符串", what)
			continue
		}
		if !slices.Contains(known, k.Value) {
			c.add(k.Line, "%s中有未知的键 %q（可用的键：%s）", what, k.Value, strings.Join(known, ", "))
			continue
		}
		if _, dup := f.values[k.Value]; dup {
			c.add(k.Line, "%s中的键 %q 重复", what, k.Value)
			continue
		}
		f.values[k.Value] = resolve(v)
		f.lines[k.Value] = k.Line
	}
	return f, true
}

// str reads the scalar under key; absent or null gives "".
func (c *collector) str(f fields, key, what string) string {
	n := f.values[key]
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		c.add(n.Line, "%s的 %s 应为单个值", what, key)
		return ""
	}
	return strings.TrimSpace(n.Value)
}

// integer reads the integer under key; ok is false when it is absent or not an integer (which
// is reported).
func (c *collector) integer(f fields, key, what string) (v int, ok bool) {
	n := f.values[key]
	if n == nil {
		return 0, false
	}
	v, err := strconv.Atoi(n.Value)
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil {
		c.add(n.Line, "%s的 %s 应为整数", what, key)
		return 0, false
	}
	return v, true
}

// boolean reads the boolean under key; absent gives false.
func (c *collector) boolean(f fields, key, what string) bool {
	n := f.values[key]
	if n == nil {
		return false
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		c.add(n.Line, "%s的 %s 应为 true 或 false", what, key)
		return false
	}
	return n.Value == "true"
}

// list reads the sequence under key; absent gives nil.
func (c *collector) list(f fields, key, what string) []*yaml.Node {
	n := f.values[key]
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		c.add(n.Line, "%s的 %s 应为列表", what, key)
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, e := range n.Content {
		out[i] = resolve(e)
	}
	return out
}

// strList reads a sequence of scalars under key.
func (c *collector) strList(f fields, key, what string) []string {
	var out []string
	for _, n := range c.list(f, key, what) {
		if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
			c.add(n.Line, "%s的 %s 的每一项应为单个值", what, key)
			continue
		}
		out = append(out, strings.TrimSpace(n.Value))
	}
	return out
}

// date reads the YYYY-MM-DD day under key.
func (c *collector) date(f fields, key, what string) Date {
	if n := f.values[key]; n != nil && n.Kind != yaml.ScalarNode {
		c.add(n.Line, "%s的 %s 应为日期（YYYY-MM-DD）", what, key)
		return Date{}
	}
	s := c.str(f, key, what)
	if s == "" {
		c.add(f.lineOf(key), "%s缺少 %s", what, key)
		return Date{}
	}
	d, err := ParseDate(s)
	if err != nil {
		c.add(f.lineOf(key), "%s的 %s %q 不是有效日期（应为 YYYY-MM-DD）", what, key, s)
		return Date{}
	}
	return d
}
