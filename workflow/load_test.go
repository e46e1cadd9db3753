package workflow_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"wugongkai/configs"
	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

// testRoles are the roles of policy/roles.csv, which definitions may name.
var testRoles = []string{"drafter", "unit_head", "legal_reviewer", "disclosure_officer", "disclosure_head", "leader", "admin"}

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// testGuards are the default guards plus a stand-in for policy's disclosure_valid: a 不予公开
// document needs grounds and an explanation, a 依申请公开 one a reason.
func testGuards() workflow.GuardSet {
	return workflow.DefaultGuards().With(requests.Guards()).With(workflow.GuardSet{
		"disclosure_valid": func(g workflow.GuardContext) error {
			f := g.Instance.Facts
			switch {
			case f["attribute"] == workflow.AttributeOnRequest && f["grounds_explanation"] == "":
				return workflow.Errorf(workflow.EInvalid, "依申请公开须说明不主动公开的理由")
			case f["attribute"] == workflow.AttributeWithheld && (f["grounds"] == "" || f["grounds_explanation"] == ""):
				return workflow.Errorf(workflow.EInvalid, "不予公开须说明法定理由")
			}
			return nil
		},
	})
}

// mustShipped loads the shipped definitions.
func mustShipped(tb testing.TB) *workflow.Registry {
	tb.Helper()
	reg, err := workflow.LoadDefinitions(configs.Workflows(), testGuards(), testRoles...)
	if err != nil {
		tb.Fatalf("LoadDefinitions: %v", err)
	}
	return reg
}

// oldVersions are earlier shipped definitions, as the store keeps them for the instances started
// on them: the tests written for them keep running on them.
var oldVersions = []string{"decision.v1.yaml", "decision.v2.yaml", "decision.v3.yaml", "decision.v4.yaml", "document.v1.yaml", "document.v2.yaml", "document.v3.yaml", "document.v4.yaml", "document.v5.yaml", "document.v6.yaml", "document.v7.yaml"}

// mustRegistry loads the shipped definitions and the older versions under testdata.
func mustRegistry(tb testing.TB) *workflow.Registry {
	tb.Helper()
	reg := mustShipped(tb)
	for _, name := range oldVersions {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			tb.Fatal(err)
		}
		def, err := workflow.LoadDefinition(name, data, testGuards())
		if err != nil {
			tb.Fatalf("load %s: %v", name, err)
		}
		if err := reg.Add(def); err != nil {
			tb.Fatal(err)
		}
	}
	return reg
}

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(tb testing.TB, name, got string) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if got != string(want) {
		tb.Errorf("%s differs (run with -update after checking):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestShippedDefinitions(t *testing.T) {
	reg := mustShipped(t)
	var names []string
	for _, d := range reg.All() {
		names = append(names, d.Name)
	}
	if !slices.Equal(names, []string{"decision", "document", "request"}) {
		t.Fatalf("definitions = %v, want [decision document request]", names)
	}
	initial := map[string]string{"decision": "drafting", "document": "drafting", "request": "received"}
	version := map[string]int{"decision": 5, "document": 8, "request": 4}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			def, err := reg.Latest(name)
			if err != nil {
				t.Fatal(err)
			}
			if def.Version != version[name] || def.Initial != initial[name] || def.File != name+".yaml" || len(def.Source) == 0 {
				t.Errorf("%s: version %d initial %q file %q", name, def.Version, def.Initial, def.File)
			}
			golden(t, name+".mmd", def.Mermaid())
			golden(t, name+".dot", def.Dot())
		})
	}
}

func TestBadDefinitions(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.bad.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/*.bad.yaml: %v", err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			def, err := workflow.LoadDefinition(name, data, testGuards(), testRoles...)
			if err == nil {
				t.Fatalf("LoadDefinition loaded %s", def.Name)
			}
			var des workflow.DefinitionErrors
			if !errors.As(err, &des) {
				t.Fatalf("error %T, want DefinitionErrors", err)
			}
			for _, de := range des {
				if de.File != name || de.Line == 0 && name != "missing_fields.bad.yaml" {
					t.Errorf("error without file or line: %+v", de)
				}
			}
			golden(t, strings.TrimSuffix(name, ".yaml")+".err", err.Error()+"\n")
		})
	}
}

// minimal is a small valid definition for the tests of single rules.
const minimal = `name: mini
version: 1
title: 小流程
initial: drafting
inputs:
  - {name: opinion, label: 意见}
states:
  - {name: drafting, label: 起草中}
  - {name: review, label: 审核}
  - {name: done, label: 完成, terminal: true}
transitions:
  - {name: submit, label: 提交, from: [drafting], to: review, permission: document:submit}
  - {name: approve, label: 通过, from: [review], to: done, permission: document:review_unit, guards: [attribute_public]}
  - {name: approve, label: 转审, from: [review], to: review, permission: document:review_unit, guards: [attribute_not_public]}
  - {name: return, label: 退回, from: [review], to: drafting, permission: document:review_unit, requires: [opinion]}
`

func mustDefinition(tb testing.TB, file, src string) *workflow.Definition {
	tb.Helper()
	def, err := workflow.LoadDefinition(file, []byte(src), testGuards())
	if err != nil {
		tb.Fatalf("LoadDefinition %s: %v", file, err)
	}
	return def
}

func TestDefinitionLookups(t *testing.T) {
	def := mustDefinition(t, "mini.yaml", minimal)
	names := func(ts []*workflow.Transition) []string {
		var out []string
		for _, t := range ts {
			out = append(out, t.Name+"→"+t.To)
		}
		return out
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"candidates", names(def.Candidates("review", "approve")), []string{"approve→done", "approve→review"}},
		{"no candidates", names(def.Candidates("drafting", "approve")), []string(nil)},
		{"from review", names(def.TransitionsFrom("review")), []string{"approve→done", "approve→review", "return→drafting"}},
		{"has", def.HasTransition("return"), true},
		{"has not", def.HasTransition("publish"), false},
		{"state", def.State("done").Label, "完成"},
		{"no state", def.State("nowhere") == nil, true},
		{"state label", def.StateLabel("review"), "审核"},
		{"input label", def.InputLabel("opinion"), "意见"},
		{"transition label", def.TransitionLabel("approve"), "通过"},
		{"line", def.Candidates("review", "return")[0].Line, 15},
		{"requires", def.Candidates("review", "return")[0].Requires, []string{"opinion"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !equalAny(tt.got, tt.want) {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func equalAny(a, b any) bool {
	as, aok := a.([]string)
	bs, bok := b.([]string)
	if aok && bok {
		return slices.Equal(as, bs)
	}
	return a == b
}

func TestRegistry(t *testing.T) {
	v1 := mustDefinition(t, "mini.yaml", minimal)
	v2 := mustDefinition(t, "mini2.yaml", strings.Replace(minimal, "version: 1", "version: 2", 1))
	changed := mustDefinition(t, "mini-edit.yaml", strings.Replace(minimal, "title: 小流程", "title: 改过", 1))
	reg := workflow.NewRegistry()
	for _, d := range []*workflow.Definition{v2, v1, v1} {
		if err := reg.Add(d); err != nil {
			t.Fatalf("Add %s v%d: %v", d.Name, d.Version, err)
		}
	}
	tests := []struct {
		name     string
		err      error
		wantCode string
	}{
		{"same version, other source", reg.Add(changed), workflow.EConflict},
		{"get v1", func() error { _, err := reg.Get("mini", 1); return err }(), ""},
		{"get v3", func() error { _, err := reg.Get("mini", 3); return err }(), workflow.ENotFound},
		{"latest of nothing", func() error { _, err := reg.Latest("nothing"); return err }(), workflow.ENotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := workflow.ErrorCode(tt.err); got != tt.wantCode {
				t.Errorf("error %v (code %q), want code %q", tt.err, got, tt.wantCode)
			}
		})
	}
	if got, _ := reg.Get("mini", 1); got.Title != "小流程" {
		t.Errorf("Get v1 title = %q: the conflicting Add replaced it", got.Title)
	}
	if got, _ := reg.Latest("mini"); got != v2 {
		t.Errorf("Latest = v%d, want v2", got.Version)
	}
	if all := reg.All(); len(all) != 2 || all[0] != v1 || all[1] != v2 {
		t.Errorf("All() = %v, want [v1 v2]", all)
	}
}

func TestLoadDefinitionsAcrossFiles(t *testing.T) {
	_, err := workflow.LoadDefinitions(fstest.MapFS{
		"a.yaml":     {Data: []byte(minimal)},
		"b.yaml":     {Data: []byte(strings.Replace(minimal, "title: 小流程", "title: 改过", 1))},
		"c.yaml":     {Data: []byte("name: c\n")},
		"readme.txt": {Data: []byte("ignored")},
	}, testGuards())
	want := "b.yaml: 流程定义 mini 第 1 版已存在且内容不同（a.yaml 与 b.yaml）：修改流程须提高 version\n" +
		"c.yaml:1: 缺少 version（版本号）\n" +
		"c.yaml:1: 缺少 title（流程的中文名称）\n" +
		"c.yaml:1: 缺少 initial（初始状态）\n" +
		"c.yaml:1: 缺少 states（状态列表）"
	if err == nil || err.Error() != want {
		t.Errorf("error =\n%v\nwant\n%s", err, want)
	}
}

// TestFormMetadata reads the form metadata and the state tags of the shipped definitions: what
// the pages render and what code and queries test instead of state names.
func TestFormMetadata(t *testing.T) {
	reg := mustShipped(t)
	req, err := reg.Latest("request")
	if err != nil {
		t.Fatal(err)
	}
	days := req.Input("extension_days")
	if days == nil || days.Kind != workflow.InputNumber || days.Min != "1" || days.Max != "20" || days.Default != "20" || days.Help == "" {
		t.Errorf("extension_days = %+v", days)
	}
	kind := req.Input("consult_kind")
	if kind == nil || kind.Kind != workflow.InputChoice || len(kind.Choices) != 2 || kind.Choices[0].Value != "third_party" {
		t.Errorf("consult_kind = %+v", kind)
	}
	if in := req.Input("opinion"); in.Kind != workflow.InputTextarea || in.Limit() != workflow.DefaultInputMaxRunes {
		t.Errorf("opinion = %+v, want a textarea of the default limit", in)
	}
	answered := req.Candidates("consulting", "consultation_answered")[0]
	var names []string
	for _, in := range req.FormInputs(answered) {
		names = append(names, in.Name)
	}
	if !slices.Equal(names, []string{"consult_result", "answered_on"}) {
		t.Errorf("form of consultation_answered asks for %v", names)
	}
	if got := req.Tagged(workflow.TagTerminal); !slices.Equal(got, []string{"answered", "closed"}) {
		t.Errorf("request terminal states %v", got)
	}
	for _, name := range []string{"document", "decision"} {
		def, err := reg.Latest(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := def.Tagged(workflow.TagPublic); !slices.Equal(got, []string{"published"}) {
			t.Errorf("%s public states %v", name, got)
		}
		if got := def.Tagged(workflow.TagAwaitingPublication); !slices.Equal(got, []string{"awaiting_publication"}) {
			t.Errorf("%s states awaiting publication %v", name, got)
		}
		if !def.StateHas("published", workflow.TagTerminal) || def.StateHas("drafting", workflow.TagPublic) {
			t.Errorf("%s: published not terminal or drafting public", name)
		}
		if st := def.Candidates("unit_review", "withdraw")[0].Style; st != workflow.StyleDanger {
			t.Errorf("%s withdraw style %q", name, st)
		}
	}
	for v, want := range map[string]int{"today": 0, "today+120": 120, "today-3": -3} {
		if n, ok := workflow.TodayOffset(v); !ok || n != want {
			t.Errorf("TodayOffset(%q) = %d, %v", v, n, ok)
		}
	}
	for _, v := range []string{"tomorrow", "today+", "today3", "today+x"} {
		if _, ok := workflow.TodayOffset(v); ok {
			t.Errorf("TodayOffset(%q) accepted", v)
		}
	}
}

// TestRegistryTagged: the tagged states of every flow, from its latest version, once each.
func TestRegistryTagged(t *testing.T) {
	reg := mustRegistry(t) // with older versions, which carry no tags
	if got := reg.Tagged(workflow.TagPublic); !slices.Equal(got, []string{"published"}) {
		t.Errorf("public states %v", got)
	}
	if got := reg.Tagged(workflow.TagTerminal); !slices.Equal(got, []string{"answered", "closed", "published"}) {
		t.Errorf("terminal states %v", got)
	}
	if got := reg.Tagged("no_such_tag"); got != nil {
		t.Errorf("untagged: %v", got)
	}
}
