package requests

import (
	"context"
	"strings"
	"time"

	"wugongkai/workflow"
)

// The kinds of administrative reconsideration and litigation cases (Table 四), as the report
// package codes them.
const (
	CaseReconsideration                = "reconsideration"                  // 行政复议
	CaseLitigationDirect               = "litigation_direct"                // 行政诉讼：未经复议直接起诉
	CaseLitigationAfterReconsideration = "litigation_after_reconsideration" // 行政诉讼：复议后起诉
)

// The outcomes of a case (Table 四).
const (
	CaseUpheld    = "upheld"    // 结果维持
	CaseCorrected = "corrected" // 结果纠正
	CaseOther     = "other"     // 其他结果
	CasePending   = "pending"   // 尚未审结
)

// CaseKindLabel returns the Chinese name of a case kind, or "" for an unknown one.
func CaseKindLabel(kind string) string {
	switch kind {
	case CaseReconsideration:
		return "行政复议"
	case CaseLitigationDirect:
		return "行政诉讼（未经复议直接起诉）"
	case CaseLitigationAfterReconsideration:
		return "行政诉讼（复议后起诉）"
	}
	return ""
}

// CaseOutcomeLabel returns the Chinese name of a case outcome, or "" for an unknown one.
func CaseOutcomeLabel(outcome string) string {
	switch outcome {
	case CaseUpheld:
		return "结果维持"
	case CaseCorrected:
		return "结果纠正"
	case CaseOther:
		return "其他结果"
	case CasePending:
		return "尚未审结"
	}
	return ""
}

// Case is an administrative reconsideration (行政复议) or lawsuit (行政诉讼) about the bureau's
// disclosure work, as Table 四 of the annual report counts it.
type Case struct {
	ID            int64
	Version       int
	Kind          string // CaseReconsideration, CaseLitigationDirect or CaseLitigationAfterReconsideration
	CaseNo        string // 案号
	Organ         string // the reconsideration organ or the court
	ApplicantName string
	RequestID     int64         // the request the case is about, 0 if none
	FiledOn       workflow.Date // 立案 or 起诉
	ConcludedOn   workflow.Date // zero while pending
	Outcome       string
	Summary       string
	CreatedBy     int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// CaseInput is what staff record about a case; on update every field is replaced.
type CaseInput struct {
	Kind          string
	CaseNo        string
	Organ         string
	ApplicantName string
	RequestID     int64
	FiledOn       string // YYYY-MM-DD
	ConcludedOn   string // YYYY-MM-DD, empty while pending
	Outcome       string // CasePending (the default) while not concluded
	Summary       string
}

// CaseQuery filters the case list.
type CaseQuery struct {
	Year   int // filed by the end of this year and not concluded before it
	Kind   string
	Limit  int
	Offset int
}

// CaseStore is what the case use cases need from the database.
type CaseStore interface {
	CreateCase(ctx context.Context, c Case, actor workflow.Actor, now time.Time) (Case, error)
	// UpdateCase saves c if the stored version is still prevVersion, with an audit event.
	UpdateCase(ctx context.Context, c Case, prevVersion int, actor workflow.Actor, now time.Time) (Case, error)
	Case(ctx context.Context, id int64) (Case, error)
	ListCases(ctx context.Context, q CaseQuery) ([]Case, int, error)
}

// Cases holds the use cases of reconsideration and litigation records (permission case:record).
type Cases struct {
	Store CaseStore
	Auth  Authz
	Clock workflow.Clock
	Unit  string // the unit the permission is checked in; DefaultRequestUnit when empty
}

func (s *Cases) now() time.Time {
	if s.Clock == nil {
		return time.Now()
	}
	return s.Clock.Now()
}

func (s *Cases) unit() string {
	if s.Unit == "" {
		return DefaultRequestUnit
	}
	return s.Unit
}

// caseFrom checks in and returns the case it describes.
func caseFrom(in CaseInput, today workflow.Date) (Case, error) {
	c := Case{Kind: strings.TrimSpace(in.Kind), CaseNo: strings.TrimSpace(in.CaseNo), Organ: strings.TrimSpace(in.Organ),
		ApplicantName: strings.TrimSpace(in.ApplicantName), RequestID: in.RequestID, Outcome: strings.TrimSpace(in.Outcome),
		Summary: strings.TrimSpace(in.Summary)}
	if CaseKindLabel(c.Kind) == "" {
		return Case{}, invalid("kind", "案件类型只能是 reconsideration（行政复议）、litigation_direct（未经复议直接起诉）或 litigation_after_reconsideration（复议后起诉）")
	}
	for _, f := range []struct{ field, v string }{{"case_no", c.CaseNo}, {"organ", c.Organ}, {"applicant_name", c.ApplicantName}} {
		if err := workflow.CheckText(f.field, f.v, maxApplicantRunes, false); err != nil {
			return Case{}, err
		}
	}
	if err := workflow.CheckText("summary", c.Summary, workflow.MaxShortRunes, true); err != nil {
		return Case{}, err
	}
	filed, err := workflow.ParseDate(strings.TrimSpace(in.FiledOn))
	if err != nil {
		return Case{}, invalid("filed_on", "请填写立案（起诉）日期，格式 YYYY-MM-DD")
	}
	if filed.After(today) {
		return Case{}, invalid("filed_on", "立案（起诉）日期不能晚于今天")
	}
	c.FiledOn = filed
	if v := strings.TrimSpace(in.ConcludedOn); v != "" {
		if c.ConcludedOn, err = workflow.ParseDate(v); err != nil {
			return Case{}, invalid("concluded_on", "审结日期请写成 YYYY-MM-DD 格式的日期")
		}
		if c.ConcludedOn.Before(filed) || c.ConcludedOn.After(today) {
			return Case{}, invalid("concluded_on", "审结日期应在立案日期 %s 与今天之间", filed)
		}
	}
	if c.Outcome == "" {
		c.Outcome = CasePending
	}
	switch {
	case CaseOutcomeLabel(c.Outcome) == "":
		return Case{}, invalid("outcome", "结果只能是 upheld（维持）、corrected（纠正）、other（其他）或 pending（尚未审结）")
	case c.Outcome == CasePending && !c.ConcludedOn.IsZero():
		return Case{}, invalid("outcome", "已填写审结日期的案件，请选择审结结果（维持、纠正或其他）")
	case c.Outcome != CasePending && c.ConcludedOn.IsZero():
		return Case{}, invalid("concluded_on", "已有结果的案件请填写审结日期")
	}
	return c, nil
}

// Record records a new case.
func (s *Cases) Record(ctx context.Context, actor workflow.Actor, in CaseInput) (Case, error) {
	if err := s.Auth.Authorize(ctx, actor, s.unit(), "case:record"); err != nil {
		return Case{}, err
	}
	now := s.now()
	c, err := caseFrom(in, workflow.DateOf(now))
	if err != nil {
		return Case{}, err
	}
	c.CreatedBy = actor.UserID
	return s.Store.CreateCase(ctx, c, actor, now)
}

// Update replaces a case's record, if it is still at version (0 = do not check).
func (s *Cases) Update(ctx context.Context, actor workflow.Actor, id int64, version int, in CaseInput) (Case, error) {
	if err := s.Auth.Authorize(ctx, actor, s.unit(), "case:record"); err != nil {
		return Case{}, err
	}
	old, err := s.Store.Case(ctx, id)
	if err != nil {
		return Case{}, err
	}
	if version == 0 {
		version = old.Version
	}
	now := s.now()
	c, err := caseFrom(in, workflow.DateOf(now))
	if err != nil {
		return Case{}, err
	}
	c.ID, c.CreatedBy, c.CreatedAt = id, old.CreatedBy, old.CreatedAt
	return s.Store.UpdateCase(ctx, c, version, actor, now)
}

// Get loads one case.
func (s *Cases) Get(ctx context.Context, actor workflow.Actor, id int64) (Case, error) {
	if err := s.Auth.Authorize(ctx, actor, s.unit(), "case:record"); err != nil {
		return Case{}, err
	}
	return s.Store.Case(ctx, id)
}

// List lists cases, newest filed first.
func (s *Cases) List(ctx context.Context, actor workflow.Actor, q CaseQuery) ([]Case, int, error) {
	if err := s.Auth.Authorize(ctx, actor, s.unit(), "case:record"); err != nil {
		return nil, 0, err
	}
	return s.Store.ListCases(ctx, q)
}
