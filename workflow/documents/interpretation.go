package documents

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"wugongkai/workflow"
)

// A policy interpretation (政策解读) is a document of its own, drafted and approved through the
// document flow, that names the 规范性文件 it interprets (Document.Interprets). The flow (document
// version 8) reads two facts of the policy that the use cases keep: interpreted_on, the day one
// of its interpretations was published, and interpretation_period, the configured period of the
// interpretation deadline its publication starts when it has neither a published interpretation
// nor a stated reason.

// TransitionInterpreted is the system transition that records on the policy that one of its
// interpretations was published (and ends its interpretation deadline).
const TransitionInterpreted = "interpreted"

// DefaultInterpretationDays is the interpretation deadline, in working days from the policy's
// publication, when Documents.InterpretationDays is 0.
const DefaultInterpretationDays = 3

// interpretsProblem refuses what an interpretation may not point at, with code EInvalid on field
// interprets and a stable details.reason.
func interpretsProblem(reason, format string, args ...any) error {
	return &workflow.Error{Code: workflow.EInvalid, Field: "interprets", Message: fmt.Sprintf(format, args...),
		Details: map[string]any{"reason": reason}}
}

// applyInterprets sets the policy d interprets, if given, and reports whether it changed. The
// policy must be a 规范性文件 of the organisation (its store reads no other organisation's) that
// the actor may read, and not d itself.
func (s *Documents) applyInterprets(ctx context.Context, actor workflow.Actor, d *Document, policy *int64) (bool, error) {
	if policy == nil || *policy == d.Interprets {
		return false, nil
	}
	id := *policy
	switch {
	case id < 0:
		return false, interpretsProblem("interprets_not_found", "所解读的文件编号 %d 无效", id)
	case id == 0:
		d.Interprets = 0
		return true, nil
	case id == d.ID:
		return false, interpretsProblem("interprets_self", "政策解读不能解读其自身，请填写所解读的规范性文件")
	}
	p, err := s.Get(ctx, actor, id)
	if workflow.ErrorCode(err) == workflow.ENotFound {
		return false, interpretsProblem("interprets_not_found", "所解读的文件（编号 %d）不存在或您无权查看", id)
	}
	if err != nil {
		return false, err
	}
	if p.Definition != "document" || p.DocKind != KindNormative {
		return false, interpretsProblem("interprets_not_policy", "“%s”不是规范性文件：政策解读只能解读规范性文件", p.Title)
	}
	if p.Interprets != 0 {
		return false, interpretsProblem("interprets_interpretation", "“%s”本身是政策解读，不能再被解读", p.Title)
	}
	d.Interprets = id
	return true, nil
}

// checkInterpretationKind refuses a document that would be both an interpretation and a
// 规范性文件, and a 规范性文件 with interpretations that would stop being one.
func (s *Documents) checkInterpretationKind(ctx context.Context, d Document, kindChanged bool) error {
	if d.DocKind != KindNormative {
		if kindChanged && d.Definition == "document" {
			ins, err := s.Store.Interpretations(ctx, d.ID)
			if err != nil {
				return err
			}
			if len(ins) > 0 {
				return &workflow.Error{Code: workflow.EInvalid, Field: "doc_kind", Message: fmt.Sprintf("已有 %d 件政策解读解读此文件，不能改为非规范性文件", len(ins)),
					Details: map[string]any{"reason": "policy_has_interpretations"}}
			}
		}
		return nil
	}
	if d.Interprets != 0 {
		return &workflow.Error{Code: workflow.EInvalid, Field: "doc_kind", Message: "政策解读本身不能是规范性文件",
			Details: map[string]any{"reason": "interpretation_normative"}}
	}
	return nil
}

// interpretationFacts sets the facts the publication of a 规范性文件 reads on a flow version that
// knows its interpretation: the period of its interpretation deadline and, when an
// interpretation was published before the policy awaited publication, the day it was.
func (s *Documents) interpretationFacts(ctx context.Context, def *workflow.Definition, d *Document) error {
	if d.DocKind != KindNormative || !def.HasTransition(TransitionInterpreted) {
		return nil
	}
	days := s.InterpretationDays
	if days == 0 {
		days = DefaultInterpretationDays
	}
	d.Facts = d.Facts.Clone()
	d.Facts[workflow.FactInterpretationPeriod] = workflow.Period{Unit: workflow.UnitWorking, Days: days,
		Basis: fmt.Sprintf("规范性文件未同步发布政策解读，政策解读应在 %d 个工作日内发布", days)}.String()
	if d.Facts[workflow.FactInterpretedOn] != "" {
		return nil
	}
	ins, err := s.Store.PublicInterpretations(ctx, d.ID, s.Engine.Registry().Tagged(workflow.TagPublic))
	if err != nil {
		return err
	}
	if len(ins) > 0 {
		d.Facts[workflow.FactInterpretedOn] = workflow.DateOf(ins[0].PublishedAt).String()
	}
	return nil
}

// interpretedStep is the policy's step when its interpretation d is published: the system
// transition interpreted, when the policy's flow has it from the state the policy is in (awaiting
// publication or published); nil otherwise.
func (s *Documents) interpretedStep(ctx context.Context, d Document) (*Step, error) {
	if d.Interprets == 0 {
		return nil, nil
	}
	p, err := s.Store.Document(ctx, d.Interprets)
	if err != nil {
		return nil, err
	}
	def, err := s.Engine.Definition(p.Instance)
	if err != nil || len(def.Candidates(p.State, TransitionInterpreted)) == 0 {
		return nil, err
	}
	res, err := s.Engine.Fire(p.Instance, TransitionInterpreted, workflow.SystemActor,
		workflow.Input{"interpretation": strconv.FormatInt(d.ID, 10)}, s.now())
	if err != nil {
		return nil, err
	}
	return &Step{Prev: p.Instance, Result: res}, nil
}

// links loads, for a document's page, the policy it interprets and its interpretations, those
// the actor may read.
func (s *Documents) links(ctx context.Context, actor workflow.Actor, d Document) (*Document, []Document, error) {
	var policy *Document
	if d.Interprets != 0 {
		p, err := s.Get(ctx, actor, d.Interprets)
		switch {
		case err == nil:
			policy = &p
		case workflow.ErrorCode(err) != workflow.ENotFound:
			return nil, nil, err
		}
	}
	if d.DocKind != KindNormative {
		return policy, nil, nil
	}
	ins, err := s.Store.Interpretations(ctx, d.ID)
	if err != nil {
		return nil, nil, err
	}
	ins = slices.DeleteFunc(ins, func(i Document) bool { return !s.Auth.Can(actor.Username, i.Unit, "document:read") })
	return policy, ins, nil
}

// PublicLinks returns, for the portal, the public policy a public document d interprets (nil if
// none or not public) and d's public interpretations.
func (s *Documents) PublicLinks(ctx context.Context, d Document) (*Document, []Document, error) {
	states := s.Engine.Registry().Tagged(workflow.TagPublic)
	var policy *Document
	if d.Interprets != 0 {
		p, err := s.Store.PublicDocument(ctx, d.Interprets, states)
		switch {
		case err == nil:
			policy = &p
		case workflow.ErrorCode(err) != workflow.ENotFound:
			return nil, nil, err
		}
	}
	if d.DocKind != KindNormative {
		return policy, nil, nil
	}
	ins, err := s.Store.PublicInterpretations(ctx, d.ID, states)
	return policy, ins, err
}
