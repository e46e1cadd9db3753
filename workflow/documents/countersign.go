package documents

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"wugongkai/workflow"
)

// FactCoUnits is the fact listing a document's co-units (会签科室), unit codes separated by commas:
// the units_fact of the document flow's countersign step.
const FactCoUnits = "co_units"

// CoUnitStatus is where one co-unit stands on a document's countersign.
type CoUnitStatus struct {
	Unit       string
	ApprovedBy string // the approving head's name; "" while pending
}

// CoUnits returns each co-unit of d with its approval, in the order the drafter named them.
func CoUnits(d Document) []CoUnitStatus {
	var out []CoUnitStatus
	for _, u := range workflow.SplitUnits(d.Facts[FactCoUnits]) {
		out = append(out, CoUnitStatus{Unit: u, ApprovedBy: d.Facts[workflow.CountersignFact(u)]})
	}
	return out
}

// applyCoUnits sets the co-units in names on d, if given, and reports whether they changed. Each
// must be a unit code, none the drafting unit, on a flow version with a countersign step.
func applyCoUnits(def *workflow.Definition, d *Document, names *[]string) (bool, error) {
	if names == nil {
		return false, nil
	}
	v, err := coUnitsFact(def, d, *names)
	if err != nil || v == d.Facts[FactCoUnits] {
		return false, err
	}
	if v == "" {
		delete(d.Facts, FactCoUnits)
	} else {
		d.Facts[FactCoUnits] = v
	}
	return true, nil
}

// coUnitsFact checks the co-units a draft names and returns the fact's value.
func coUnitsFact(def *workflow.Definition, d *Document, codes []string) (string, error) {
	var units []string
	for _, u := range codes {
		u = strings.TrimSpace(u)
		switch {
		case u == "":
			continue
		case u == d.Unit:
			return "", &workflow.Error{Code: workflow.EInvalid, Field: "co_units", Message: "会签科室不能是承办科室本身"}
		case strings.ContainsAny(u, ", ") || len(u) > 64:
			return "", &workflow.Error{Code: workflow.EInvalid, Field: "co_units", Message: fmt.Sprintf("会签科室代码 %q 无效", u)}
		}
		if !slices.Contains(units, u) {
			units = append(units, u)
		}
	}
	if len(units) > 0 && !slices.ContainsFunc(def.States, func(s *workflow.State) bool {
		return s.Countersign != nil && s.Countersign.UnitsFact == FactCoUnits
	}) {
		return "", &workflow.Error{Code: workflow.EInvalid, Field: "co_units",
			Message: fmt.Sprintf("此文件所用的“%s”流程（第 %d 版）没有会签步骤，不能指定会签科室", def.Title, def.Version)}
	}
	return strings.Join(units, ","), nil
}

// checkCoUnits refuses co-units that are not units of the organisation.
func (s *Documents) checkCoUnits(ctx context.Context, d Document) error {
	named := workflow.SplitUnits(d.Facts[FactCoUnits])
	if len(named) == 0 || s.UnitCodes == nil {
		return nil
	}
	known, err := s.UnitCodes(ctx)
	if err != nil {
		return err
	}
	for _, u := range named {
		if !slices.Contains(known, u) {
			return &workflow.Error{Code: workflow.EInvalid, Field: "co_units", Message: fmt.Sprintf("会签科室“%s”不存在", u),
				Details: map[string]any{"unit": u}}
		}
	}
	return nil
}

// acting returns actor acting for the co-unit of d's countersign step in which it holds the
// permission of the step's approve (a co-unit still to approve first), so that the engine and
// the authorizer ask about that co-unit; actor unchanged when d is not on a countersign step.
func (s *Documents) acting(actor workflow.Actor, d Document) (workflow.Actor, *workflow.Countersign) {
	cs := s.Engine.Countersign(d.Instance)
	if cs == nil {
		return actor, nil
	}
	perm, err := s.Engine.Permission(d.Instance, cs.Approve, actor)
	if err != nil {
		return actor, cs
	}
	for _, u := range cs.Ordered(d.Facts) {
		if s.Auth.Can(actor.Username, u, perm) {
			actor.CoUnit = u
			break
		}
	}
	return actor, cs
}

// coUnitReads reports whether actor may read d as the reader of one of its co-units, once the
// draft has left the drafting unit.
func (s *Documents) coUnitReads(actor workflow.Actor, d Document) bool {
	def, err := s.Engine.Definition(d.Instance)
	if err != nil || d.State == def.Initial {
		return false
	}
	return slices.ContainsFunc(workflow.SplitUnits(d.Facts[FactCoUnits]), func(u string) bool {
		return s.Auth.Can(actor.Username, u, "document:read")
	})
}

// countersignTasks lists the documents on a countersign step of the latest flows that actor
// heads a pending co-unit of, whatever their unit.
func (s *Documents) countersignTasks(ctx context.Context, staff workflow.Staff) ([]Document, error) {
	var pairs [][2]string
	for _, def := range s.latestFlows() {
		for _, st := range def.States {
			if st.Countersign != nil && st.Countersign.UnitsFact == FactCoUnits {
				pairs = append(pairs, [2]string{def.Name, st.Name})
			}
		}
	}
	if len(pairs) == 0 {
		return nil, nil
	}
	docs, err := s.allDocuments(ctx, DocumentQuery{StatePairs: pairs})
	if err != nil {
		return nil, err
	}
	var out []Document
	for _, d := range docs {
		if a, _ := s.acting(staff.Actor(), d); a.CoUnit != "" && d.Facts[workflow.CountersignFact(a.CoUnit)] == "" {
			out = append(out, d)
		}
	}
	return out, nil
}

// label returns the Chinese label of the transition called name in d's flow.
func (s *Documents) label(d Document, name string) string {
	if def, err := s.Engine.Definition(d.Instance); err == nil {
		return def.TransitionLabel(name)
	}
	return name
}

// latestFlows returns the latest definitions of the document and decision-draft flows.
func (s *Documents) latestFlows() []*workflow.Definition {
	var out []*workflow.Definition
	for _, name := range []string{"document", "decision"} {
		if def, err := s.Engine.Registry().Latest(name); err == nil {
			out = append(out, def)
		}
	}
	return out
}
