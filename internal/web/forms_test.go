package web

import (
	"os"
	"path/filepath"
	"testing"

	"wugongkai/policy"
	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

// TestFormOf builds forms from the shipped definitions: each box is typed, bounded, defaulted and
// explained as the definition says, optional inputs are marked, and a form on an older version of
// a flow is described by the latest one.
func TestFormOf(t *testing.T) {
	reg := mustRegistry(t)
	req, err := reg.Latest("request")
	if err != nil {
		t.Fatal(err)
	}
	today := workflow.Date{Year: 2026, Month: 3, Day: 10}
	spec := formSpec{Def: req, State: "consulting", Facts: workflow.Facts{"consult_started_on": "2026-03-02"}, Today: today, FormID: "f"}
	a := formOf(spec, workflow.TransitionView{Name: "consultation_answered", Label: "录入征求意见结果", Requires: []string{"consult_result"}})
	if len(a.Fields) != 2 {
		t.Fatalf("fields %+v, want consult_result and answered_on", a.Fields)
	}
	result, answered := a.Fields[0], a.Fields[1]
	if result.Kind != "textarea" || !result.Required || result.MaxLength != workflow.DefaultInputMaxRunes || result.ID != "f-consult_result" {
		t.Errorf("consult_result = %+v", result)
	}
	if answered.Kind != "date" || answered.Required || answered.Value != "2026-03-10" || answered.Min != "2026-03-02" ||
		answered.Max != "2026-03-10" || answered.Label != "收到答复的日期" {
		t.Errorf("answered_on = %+v", answered)
	}

	spec.State = "processing"
	ext := formOf(spec, workflow.TransitionView{Name: "request_extension", Requires: []string{"extension_days", "extension_reason"}})
	if days := ext.Fields[0]; days.Kind != "number" || days.Min != "1" || days.Max != "20" || days.Value != "20" || days.Required {
		t.Errorf("extension_days = %+v", days)
	}
	if ext.Style != workflow.StylePlain {
		t.Errorf("request_extension style %q", ext.Style)
	}
	spec.State = "received"
	sup := formOf(spec, workflow.TransitionView{Name: "request_supplement", Requires: []string{"supplement_items", "supplement_by"}})
	if by := sup.Fields[1]; by.Min != "2026-03-11" || by.Max != "2026-07-08" || !by.Required || by.Value != "" {
		t.Errorf("supplement_by = %+v", by)
	}
	spec.Choices = map[string][]optionGroup{"outcome": {{Options: []option{{"三(一)", "予以公开"}}}}}
	ans := formOf(spec, workflow.TransitionView{Name: "answer", Requires: []string{"outcome", "reply_letter"}})
	if o := ans.Fields[0]; o.Kind != "select" || len(o.Groups) != 1 {
		t.Errorf("outcome = %+v", o)
	}
	if l := ans.Fields[1]; l.MaxLength != 10000 || l.Rows != 10 {
		t.Errorf("reply_letter = %+v", l)
	}
	con := formOf(spec, workflow.TransitionView{Name: "consult", Requires: []string{"consult_kind", "consultee"}})
	if k := con.Fields[0]; k.Kind != "select" || len(k.Options) != 2 || k.Options[1].Value != "co_maker" {
		t.Errorf("consult_kind = %+v", k)
	}

	// A document on version 2 of its flow, which has no form metadata: the form is the latest
	// version's.
	data, err := os.ReadFile(filepath.Join("..", "..", "workflow", "testdata", "document.v2.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	old, err := workflow.LoadDefinition("document.v2.yaml", data, workflow.DefaultGuards().With(policy.Guards()).With(requests.Guards()))
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := reg.Latest("document")
	pub := formOf(formSpec{Def: old, Meta: doc, State: "awaiting_publication", Today: today, FormID: "p",
		Values: map[string]string{"summary": "概述"}, Required: []string{"subject_category", "summary"}}, workflow.TransitionView{Name: "publish"})
	if !pub.Publish || len(pub.Fields) != 4 {
		t.Fatalf("publish form %+v", pub)
	}
	want := []struct {
		label    string
		required bool
	}{{"发文字号（可选）", false}, {"主题分类", true}, {"内容概述", true}, {"有效期至（可选）", false}}
	for i, w := range want {
		if f := pub.Fields[i]; f.Label != w.label || f.Required != w.required {
			t.Errorf("publish field %d = %q required %v, want %q %v", i, f.Label, f.Required, w.label, w.required)
		}
	}
	if pub.Fields[2].Value != "概述" || pub.Fields[3].Kind != "date" {
		t.Errorf("publish fields %+v", pub.Fields)
	}
	wd := formOf(formSpec{Def: old, Meta: doc, State: "unit_review", FormID: "w"}, workflow.TransitionView{Name: "withdraw"})
	if wd.Style != workflow.StyleDanger || len(wd.Fields) != 0 {
		t.Errorf("withdraw form %+v", wd)
	}
}
