package workflow

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// The disclosure attributes (公开属性) a drafter sets on a document.
const (
	AttributeProactive = "主动公开"
	AttributeOnRequest = "依申请公开"
	AttributeWithheld  = "不予公开"
)

// MinConsultation is the shortest public comment period on a major decision draft without a
// stated reason: 30 days (《重大行政决策程序暂行条例》第15条).
const MinConsultation = 30 * 24 * time.Hour

// DefaultShortestConsultation is the floor of a shortened comment period when the configuration
// sets none: 7 days. A stated reason may shorten the period below MinConsultation, never below
// the floor.
const DefaultShortestConsultation = 7 * 24 * time.Hour

// GuardContext is what a guard sees: the instance before the transition, the caller's input, the
// actor, the time and the working-day calendar. Probe is true when the engine lists the available
// transitions without any input: guards that check input must then pass.
type GuardContext struct {
	Instance Instance
	Input    Input
	Actor    Actor
	Now      time.Time
	Probe    bool
	Calendar *Calendar // the engine's working-day calendar (nil when it has none)
}

// GuardFunc decides whether a transition may happen: nil lets it pass; otherwise an *Error,
// normally with code EGuardFailed, whose Chinese message tells the user what to do.
type GuardFunc func(GuardContext) error

// GuardSet holds guards by the name definitions use for them.
type GuardSet map[string]GuardFunc

// With returns a new set holding the guards of s and of other; other wins on a shared name.
func (s GuardSet) With(other GuardSet) GuardSet {
	out := make(GuardSet, len(s)+len(other))
	maps.Copy(out, s)
	maps.Copy(out, other)
	return out
}

// Names returns the guard names in s, sorted.
func (s GuardSet) Names() []string {
	names := make([]string, 0, len(s))
	for n := range s {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// DefaultGuards returns the guards of the engine. The policy package adds disclosure_valid (the
// statutory non-disclosure grounds check).
//
//	attribute_set              the disclosure attribute is one of 主动公开, 依申请公开, 不予公开
//	attribute_public           the attribute is 主动公开
//	attribute_not_public       the attribute is 依申请公开 or 不予公开
//	attribute_on_request       the attribute is 依申请公开
//	attribute_withheld         the attribute is 不予公开
//	normative                  the document is a 规范性文件 (fact doc_kind)
//	not_normative              the document is not a 规范性文件
//	legal_approved             the legal section has approved (fact legal_approved)
//	interpreted                an interpretation (政策解读) of the document is published (fact interpreted_on)
//	interpretation_reason_given the input interpretation_reason states why the document is published
//	                           without its interpretation (never in probe mode)
//	consultation_required      the decision is not exempt from public comment
//	consultation_exempt        the decision is exempt (依法不予公开的决策事项)
//	exempt_reason_given        the exemption states its statutory reason (fact exempt_reason)
//	period_valid               opens_at < closes_at, opens_at still ahead, ≥ 30 days unless shortening_reason,
//	                           and never shorter than the floor (PeriodValid)
//	shortening_reviewed        a period with a shortening_reason is approved only with the input
//	                           shortening_opinion (the legal section's review of the reason)
//	period_started             now ≥ opens_at
//	period_closed              now ≥ closes_at
//	extension_valid            input closes_at is a later instant than the fact closes_at and than now
//	summary_attached           the 意见采纳情况说明 is attached (fact summary_attached)
//	period_closed_or_exempt    period_closed, or the exemption was approved by the legal section
//	summary_attached_or_exempt summary_attached, or the exemption was approved by the legal section
//	attribute_as_proposed      the attribute is the one the fact proposed_attribute proposes (the
//	                           catalogue item's), or the input departure_reason says why not
func DefaultGuards() GuardSet {
	return GuardSet{
		"attribute_set":               guardAttributeSet,
		"attribute_public":            guardAttributePublic,
		"attribute_not_public":        guardAttributeNotPublic,
		"attribute_on_request":        guardAttributeOnRequest,
		"attribute_withheld":          guardAttributeWithheld,
		"normative":                   guardNormative,
		"not_normative":               guardNotNormative,
		"legal_approved":              guardLegalApproved,
		"interpreted":                 guardInterpreted,
		"interpretation_reason_given": guardInterpretationReasonGiven,
		"consultation_required":       guardConsultationRequired,
		"consultation_exempt":         guardConsultationExempt,
		"exempt_reason_given":         guardExemptReasonGiven,
		"period_valid":                PeriodValid(DefaultShortestConsultation),
		"shortening_reviewed":         guardShorteningReviewed,
		"period_started":              guardPeriodStarted,
		"period_closed":               guardPeriodClosed,
		"extension_valid":             guardExtensionValid,
		"summary_attached":            guardSummaryAttached,
		"period_closed_or_exempt":     guardPeriodClosedOrExempt,
		"summary_attached_or_exempt":  guardSummaryAttachedOrExempt,
		"attribute_as_proposed":       guardAttributeAsProposed,
	}
}

func refuse(format string, args ...any) error {
	return Errorf(EGuardFailed, format, args...)
}

func guardAttributeSet(g GuardContext) error {
	switch g.Instance.Facts["attribute"] {
	case AttributeProactive, AttributeOnRequest, AttributeWithheld:
		return nil
	}
	return refuse("请先标注公开属性（主动公开、依申请公开或不予公开）")
}

func guardAttributePublic(g GuardContext) error {
	if g.Instance.Facts["attribute"] == AttributeProactive {
		return nil
	}
	return refuse("只有公开属性为“主动公开”的公文才能执行此操作")
}

func guardAttributeNotPublic(g GuardContext) error {
	switch g.Instance.Facts["attribute"] {
	case AttributeOnRequest, AttributeWithheld:
		return nil
	}
	return refuse("只有公开属性为“依申请公开”或“不予公开”的公文才能执行此操作")
}

func guardAttributeOnRequest(g GuardContext) error {
	if g.Instance.Facts["attribute"] == AttributeOnRequest {
		return nil
	}
	return refuse("只有公开属性为“依申请公开”的公文才能执行此操作")
}

func guardAttributeWithheld(g GuardContext) error {
	if g.Instance.Facts["attribute"] == AttributeWithheld {
		return nil
	}
	return refuse("只有公开属性为“不予公开”的公文才能执行此操作")
}

// FactDocKind is the fact that mirrors a document's kind (Document.DocKind) for the guards, and
// KindNormative is its value for a 规范性文件.
const (
	FactDocKind   = "doc_kind"
	KindNormative = "规范性文件"
)

func guardNormative(g GuardContext) error {
	if g.Instance.Facts[FactDocKind] == KindNormative {
		return nil
	}
	return refuse("只有规范性文件才执行此操作")
}

func guardNotNormative(g GuardContext) error {
	if g.Instance.Facts[FactDocKind] != KindNormative {
		return nil
	}
	return refuse("规范性文件须先经法规科合法性审核，不能直接执行此操作")
}

func guardLegalApproved(g GuardContext) error {
	if g.Instance.Facts.Bool("legal_approved") {
		return nil
	}
	return refuse("尚未经法规科审查同意，请先送法规科审查")
}

// The facts and the input of a 规范性文件's interpretation (政策解读): FactInterpretedOn holds the
// day an interpretation of the document was published, FactInterpretationPeriod the period of the
// interpretation deadline (a Period), InputInterpretationReason why the document is published
// without its interpretation.
const (
	FactInterpretedOn         = "interpreted_on"
	FactInterpretationPeriod  = "interpretation_period"
	InputInterpretationReason = "interpretation_reason"
)

func guardInterpreted(g GuardContext) error {
	if strings.TrimSpace(g.Instance.Facts[FactInterpretedOn]) != "" {
		return nil
	}
	return refuse("此规范性文件尚无已公开的政策解读")
}

func guardInterpretationReasonGiven(g GuardContext) error {
	if !g.Probe && strings.TrimSpace(g.Input[InputInterpretationReason]) != "" {
		return nil
	}
	return refuse("请填写未同步发布政策解读的理由")
}

func guardConsultationRequired(g GuardContext) error {
	if !g.Instance.Facts.Bool("consultation_exempt") {
		return nil
	}
	return refuse("该决策事项已标为依法不予公开、免于公开征求意见，请按免于征求意见的程序直接送合法性审查")
}

func guardConsultationExempt(g GuardContext) error {
	if g.Instance.Facts.Bool("consultation_exempt") {
		return nil
	}
	return refuse("该决策事项未标为依法不予公开，须先公开征求意见")
}

func guardExemptReasonGiven(g GuardContext) error {
	if strings.TrimSpace(g.Instance.Facts["exempt_reason"]) != "" {
		return nil
	}
	return refuse("请写明免于公开征求意见的法定理由")
}

// FactTime parses the RFC 3339 instant of fact name.
func FactTime(f Facts, name string) (time.Time, bool) {
	v := strings.TrimSpace(f[name])
	if v == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// ShowTime formats t for a message: minutes in Beijing time.
func ShowTime(t time.Time) string { return t.In(Shanghai).Format("2006-01-02 15:04") }

// PeriodValid returns the period_valid guard with floor as the shortest period a stated reason
// may shorten it to (the configuration's comments.shortest_period_days).
func PeriodValid(floor time.Duration) GuardFunc {
	return func(g GuardContext) error {
		f := g.Instance.Facts
		opens, okOpen := FactTime(f, "opens_at")
		closes, okClose := FactTime(f, "closes_at")
		switch {
		case !okOpen || !okClose:
			return refuse("请先设置征求意见的开始时间和截止时间")
		case !opens.Before(closes):
			return refuse("征求意见的截止时间（%s）须晚于开始时间（%s）", ShowTime(closes), ShowTime(opens))
		case !g.Now.Before(opens):
			return refuse("征求意见的开始时间（%s）已过，请重新设置开始和截止时间", ShowTime(opens))
		case closes.Sub(opens) < MinConsultation && strings.TrimSpace(f["shortening_reason"]) == "":
			return refuse("征求意见期少于 30 日且未说明缩短理由（最早截止时间为 %s）；确需缩短的，请填写缩短理由，理由将随征求意见公布",
				ShowTime(opens.Add(MinConsultation)))
		case closes.Sub(opens) < floor:
			e := Errorf(EGuardFailed, "征求意见期即使缩短也不得少于 %s（最早截止时间为 %s）", showDays(floor), ShowTime(opens.Add(floor)))
			e.Details = map[string]any{"reason": "period_below_floor", "floor_hours": int(floor.Hours())}
			return e
		}
		return nil
	}
}

// showDays writes a duration of whole days as "N 日", and any other as hours.
func showDays(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d 日", int(d/(24*time.Hour)))
	}
	return fmt.Sprintf("%g 小时", d.Hours())
}

func guardShorteningReviewed(g GuardContext) error {
	if g.Probe || !ShorteningReviewNeeded(g.Instance.Facts) || strings.TrimSpace(g.Input["shortening_opinion"]) != "" {
		return nil
	}
	return &Error{Code: EInputMissing, Field: "shortening_opinion",
		Message: "征求意见期经缩短（理由：" + strings.TrimSpace(g.Instance.Facts["shortening_reason"]) + "），请写明对缩短理由的审查意见；理由不成立的，请退回修改"}
}

// ShorteningReviewNeeded reports whether the legality review of a draft with facts f must give
// its opinion on the stated reason for shortening the comment period (guard shortening_reviewed).
func ShorteningReviewNeeded(f Facts) bool { return strings.TrimSpace(f["shortening_reason"]) != "" }

func guardPeriodStarted(g GuardContext) error {
	opens, ok := FactTime(g.Instance.Facts, "opens_at")
	if !ok {
		return refuse("未设置征求意见的开始时间")
	}
	if g.Now.Before(opens) {
		return Errorf(EClosed, "征求意见尚未开始（开始时间 %s）", ShowTime(opens))
	}
	return nil
}

func guardPeriodClosed(g GuardContext) error {
	closes, ok := FactTime(g.Instance.Facts, "closes_at")
	if !ok {
		return refuse("未设置征求意见的截止时间")
	}
	if g.Now.Before(closes) {
		return refuse("征求意见期尚未结束（截止时间 %s）", ShowTime(closes))
	}
	return nil
}

func guardExtensionValid(g GuardContext) error {
	if g.Probe {
		return nil
	}
	v := strings.TrimSpace(g.Input["closes_at"])
	next, err := time.Parse(time.RFC3339, v)
	if err != nil {
		e := Errorf(EInvalid, "新的截止时间格式不正确，请重新选择")
		e.Field = "closes_at"
		return e
	}
	cur, ok := FactTime(g.Instance.Facts, "closes_at")
	if ok && !g.Now.Before(cur) {
		// The period has ended even if the sweep has not closed it yet: extending now would reopen it.
		return refuse("征求意见期已于 %s 截止，不能再延长", ShowTime(cur))
	}
	if ok && !next.After(cur) {
		e := Errorf(EGuardFailed, "延长后的截止时间须晚于原截止时间（%s）", ShowTime(cur))
		e.Field = "closes_at"
		return e
	}
	if !next.After(g.Now) {
		e := Errorf(EGuardFailed, "延长后的截止时间须晚于当前时间")
		e.Field = "closes_at"
		return e
	}
	return nil
}

func guardSummaryAttached(g GuardContext) error {
	if g.Instance.Facts.Bool("summary_attached") {
		return nil
	}
	return refuse("请先上传意见采纳情况说明")
}

// exemptionApproved reports whether the decision is exempt from public comment and the legal
// section approved the exemption.
func exemptionApproved(f Facts) bool {
	return f.Bool("consultation_exempt") && f.Bool("exemption_approved")
}

func guardPeriodClosedOrExempt(g GuardContext) error {
	if exemptionApproved(g.Instance.Facts) {
		return nil
	}
	return guardPeriodClosed(g)
}

func guardSummaryAttachedOrExempt(g GuardContext) error {
	if exemptionApproved(g.Instance.Facts) {
		return nil
	}
	return guardSummaryAttached(g)
}

// The facts of a catalogue item's proposal that the flows read: the attribute it proposes, and
// why the drafter departs from it.
const (
	FactProposedAttribute = "proposed_attribute"
	FactDepartureReason   = "departure_reason"
)

// DepartureReasonNeeded reports whether a document with facts f departs from the attribute its
// catalogue item proposes, so that submitting it needs the input departure_reason (guard
// attribute_as_proposed).
func DepartureReasonNeeded(f Facts) bool {
	p := f[FactProposedAttribute]
	return p != "" && f["attribute"] != "" && f["attribute"] != p
}

func guardAttributeAsProposed(g GuardContext) error {
	f := g.Instance.Facts
	if g.Probe || !DepartureReasonNeeded(f) || strings.TrimSpace(g.Input[FactDepartureReason]) != "" {
		return nil
	}
	return &Error{Code: EInputMissing, Field: FactDepartureReason,
		Message: fmt.Sprintf("标准目录事项建议“%s”，所选公开属性为“%s”，请写明不按目录建议公开方式的理由", f[FactProposedAttribute], f["attribute"])}
}
