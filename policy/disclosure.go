package policy

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"wugongkai/workflow"
)

// The disclosure attributes (公开属性) a document is tagged with at drafting.
const (
	AttrProactive = workflow.AttributeProactive // 主动公开
	AttrOnRequest = workflow.AttributeOnRequest // 依申请公开
	AttrWithheld  = workflow.AttributeWithheld  // 不予公开
)

// The strengths of a non-disclosure ground.
const (
	StrengthMust = "must" // the 《条例》 forbids disclosure (不予公开 / 不得公开)
	StrengthMay  = "may"  // the agency may withhold (可以不予公开)
)

// The fact names the disclosure rules read and write (common.md, "Fact names").
const (
	FactAttribute               = "attribute"
	FactGrounds                 = "grounds"
	FactGroundsExplanation      = "grounds_explanation"
	FactThirdPartyConsent       = "third_party_consent"
	FactPublicInterestOverride  = "public_interest_override"
	FactDisclosureRequiredByLaw = "disclosure_required_by_law"
)

// MinExplanationRunes is the shortest explanation of non-disclosure grounds accepted, in
// characters (runes) after trimming spaces. Ten characters is about one short clause, enough to
// say which part of the document the ground covers and why; it only keeps a bare "见上" or an
// empty box out, the legal section judges the substance.
const MinExplanationRunes = 10

// Ground is a statutory ground for not disclosing a document proactively (《政府信息公开条例》第14–16条).
type Ground struct {
	Code      string // stable code stored in the "grounds" fact, e.g. "art15_third_party"
	Label     string // short Chinese name shown beside the checkbox
	Article   string // the article of the 《条例》, e.g. "第十五条"
	Text      string // the legal text, shown beside the checkbox in the editor
	Strength  string // StrengthMust or StrengthMay
	ReportRow string // the annual report's Table 三 row under （三）不予公开
}

// The ground codes (common.md, "Non-disclosure ground codes").
const (
	GroundStateSecret       = "art14_state_secret"
	GroundLawProhibited     = "art14_law_prohibited"
	GroundSecurityStability = "art14_security_stability"
	GroundThirdParty        = "art15_third_party"
	GroundInternalAffairs   = "art16_internal_affairs"
	GroundProcess           = "art16_process"
	GroundEnforcementFile   = "art16_enforcement_file"
)

const (
	art14Text           = "依法确定为国家秘密的政府信息，法律、行政法规禁止公开的政府信息，以及公开后可能危及国家安全、公共安全、经济安全、社会稳定的政府信息，不予公开。"
	art16Paragraph2Text = "行政机关在履行行政管理职能过程中形成的讨论记录、过程稿、磋商信函、请示报告等过程性信息以及行政执法案卷信息，可以不予公开。法律、法规、规章规定上述信息应当公开的，从其规定。"
	attributeChoice     = AttrProactive + "、" + AttrOnRequest + "或" + AttrWithheld
)

// Grounds returns the seven statutory non-disclosure grounds in the order of the 《条例》 and of
// the annual report's rows.
func Grounds() []Ground {
	return []Ground{
		{GroundStateSecret, "属于国家秘密", "第十四条", art14Text, StrengthMust, "1.属于国家秘密"},
		{GroundLawProhibited, "其他法律、行政法规禁止公开", "第十四条", art14Text, StrengthMust, "2.其他法律行政法规禁止公开"},
		{GroundSecurityStability, "危及国家安全、公共安全、经济安全、社会稳定", "第十四条", art14Text, StrengthMust, "3.危及“三安全一稳定”"},
		{GroundThirdParty, "涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害", "第十五条",
			"涉及商业秘密、个人隐私等公开会对第三方合法权益造成损害的政府信息，行政机关不得公开。但是，第三方同意公开或者行政机关认为不公开会对公共利益造成重大影响的，予以公开。",
			StrengthMust, "4.保护第三方合法权益"},
		{GroundInternalAffairs, "人事管理、后勤管理、内部工作流程等内部事务信息", "第十六条第一款",
			"行政机关的内部事务信息，包括人事管理、后勤管理、内部工作流程等方面的信息，可以不予公开。",
			StrengthMay, "5.属于三类内部事务信息"},
		{GroundProcess, "讨论记录、过程稿、磋商信函、请示报告等过程性信息", "第十六条第二款", art16Paragraph2Text, StrengthMay, "6.属于四类过程性信息"},
		{GroundEnforcementFile, "行政执法案卷信息", "第十六条第二款", art16Paragraph2Text, StrengthMay, "7.属于行政执法案卷"},
	}
}

// GroundByCode returns the ground with code.
func GroundByCode(code string) (Ground, bool) {
	for _, g := range Grounds() {
		if g.Code == code {
			return g, true
		}
	}
	return Ground{}, false
}

// Disclosure is a document's disclosure tagging: its attribute; for 不予公开 the statutory grounds
// and their explanation, with the facts that defeat grounds; for 依申请公开 the reason why it is
// not disclosed proactively (in Explanation, the same fact grounds_explanation).
type Disclosure struct {
	Attribute               string
	Grounds                 []string // ground codes, in the order chosen
	Explanation             string   // why it is withheld (不予公开) or not proactive (依申请公开)
	ThirdPartyConsent       bool     // the third party consented to disclosure (《条例》第十五条)
	PublicInterestOverride  bool     // withholding would seriously harm the public interest (第十五条)
	DisclosureRequiredByLaw bool     // a law, regulation or rule requires disclosure (第十六条第二款)
}

// DisclosureFromFacts reads the disclosure tagging from an instance's facts. The comma-separated
// grounds are trimmed and empty entries dropped; duplicates are kept for ValidateDisclosure to
// report.
func DisclosureFromFacts(f workflow.Facts) Disclosure {
	d := Disclosure{
		Attribute:               strings.TrimSpace(f[FactAttribute]),
		Explanation:             f[FactGroundsExplanation],
		ThirdPartyConsent:       f.Bool(FactThirdPartyConsent),
		PublicInterestOverride:  f.Bool(FactPublicInterestOverride),
		DisclosureRequiredByLaw: f.Bool(FactDisclosureRequiredByLaw),
	}
	for _, c := range strings.Split(f[FactGrounds], ",") {
		if c = strings.TrimSpace(c); c != "" {
			d.Grounds = append(d.Grounds, c)
		}
	}
	return d
}

// Facts returns d as facts. It always holds all six disclosure keys and no others, so that
// merging it over an instance's facts replaces an earlier tagging entirely: a false flag is
// "false" and an empty value is "".
func (d Disclosure) Facts() workflow.Facts {
	return workflow.Facts{
		FactAttribute:               d.Attribute,
		FactGrounds:                 strings.Join(d.Grounds, ","),
		FactGroundsExplanation:      d.Explanation,
		FactThirdPartyConsent:       fmt.Sprint(d.ThirdPartyConsent),
		FactPublicInterestOverride:  fmt.Sprint(d.PublicInterestOverride),
		FactDisclosureRequiredByLaw: fmt.Sprint(d.DisclosureRequiredByLaw),
	}
}

// ValidateDisclosure checks a disclosure tagging against the 《政府信息公开条例》. It returns nil
// when the tagging may be routed on, and otherwise an *workflow.Error with code invalid whose
// message names every problem in one sentence, whose Field is the field of the first problem
// ("attribute", "grounds" or "explanation"), and whose Details["problems"] lists the problems.
//
// The rules, in the order the problems are reported:
//
//  1. The attribute is required and is one of 主动公开, 依申请公开, 不予公开: a document with no
//     attribute is not routed (《实施细则》一(一)).
//  2. Every ground is one of the seven codes of Grounds, each chosen once. Art. 13 makes Arts.
//     14–16 a closed list, so a free-form reason cannot stand in for a ground.
//  3. 主动公开 carries no grounds: a ground would state that the document, or part of it, must
//     or may be withheld, and a 主动公开 document must not embed non-public parts (split the
//     document instead).
//  4. 依申请公开 is not 不予公开: the document is provided to whoever asks for it, so it carries
//     none of the non-disclosure grounds of Arts. 14–16 (a document with content that must or may
//     be withheld is tagged 不予公开, or split); it carries instead a free-text reason of at least
//     MinExplanationRunes characters why it is not disclosed proactively (for example, it concerns
//     only the persons it is addressed to).
//  5. 不予公开 carries at least one ground and an explanation of at least MinExplanationRunes
//     characters: withholding needs reasons grounded in law (《实施细则》一(一):
//     grounds plus free-text justification).
//  6. A ground whose own statutory exception applies is no ground, and may not be listed:
//     - Art. 15 with third_party_consent: "第三方同意公开……予以公开";
//     - Art. 15 with public_interest_override: "不公开会对公共利益造成重大影响的，予以公开";
//     - an Art. 16 ground with disclosure_required_by_law: "法律、法规、规章规定上述信息应当公开
//     的，从其规定". The 《条例》 states this exception in Art. 16 ¶2 (process information and
//     enforcement files); the rule applies it to the ¶1 internal-affairs ground as well, because
//     common.md defines the flag as defeating every Art. 16 ground and a discretionary "可以不予
//     公开" cannot be exercised against a legal duty to disclose.
//     The rule is checked whenever the ground is listed, not only when it is the only one: the
//     grounds are the legal basis the legal section approves and a reply or report cites, and a
//     defeated ground in that list misstates it. The drafter removes the ground (or the flag).
//     The flags mean nothing without their ground, and are then not checked.
//
// Rules 3–6 depend on the attribute and are checked only when it is valid; rule 2 always is.
func ValidateDisclosure(d Disclosure) error {
	var v validation

	attrOK := false
	switch d.Attribute {
	case "":
		v.add("attribute", "未选择公开属性（"+attributeChoice+"）")
	case AttrProactive, AttrOnRequest, AttrWithheld:
		attrOK = true
	default:
		v.add("attribute", fmt.Sprintf("公开属性“%s”无效，应为%s", d.Attribute, attributeChoice))
	}

	// Rule 2: known codes, each once.
	var grounds []Ground
	seen := map[string]bool{}
	for _, c := range d.Grounds {
		g, ok := GroundByCode(c)
		switch {
		case !ok:
			v.add("grounds", fmt.Sprintf("不公开理由“%s”不是《政府信息公开条例》第十四条至第十六条规定的情形", c))
		case seen[c]:
			v.add("grounds", fmt.Sprintf("不公开理由“%s”重复选择", g.Label))
		default:
			grounds = append(grounds, g)
		}
		seen[c] = true
	}
	if !attrOK {
		return v.err()
	}

	// Rule 3.
	if d.Attribute == AttrProactive {
		if len(d.Grounds) > 0 {
			v.add("grounds", "主动公开的文件不应选择不公开理由")
		}
		return v.err()
	}

	// Rule 4.
	if d.Attribute == AttrOnRequest {
		if len(d.Grounds) > 0 {
			v.add("grounds", "依申请公开不是不予公开，不应选择《政府信息公开条例》第十四条至第十六条的不予公开理由；含依法不予公开的内容的，公开属性应为不予公开")
		}
		switch n := utf8.RuneCountInString(strings.TrimSpace(d.Explanation)); {
		case n == 0:
			v.add("explanation", fmt.Sprintf("请填写不主动公开的理由（至少%d个字）", MinExplanationRunes))
		case n < MinExplanationRunes:
			v.add("explanation", fmt.Sprintf("不主动公开的理由过短（至少%d个字，现有%d个字）", MinExplanationRunes, n))
		}
		return v.err()
	}

	// Rule 5, grounds half.
	if len(d.Grounds) == 0 {
		v.add("grounds", fmt.Sprintf("%s的文件须至少选择一项不公开理由（《政府信息公开条例》第十四条至第十六条）", d.Attribute))
	}
	for _, g := range grounds {
		// Rule 6.
		if g.Code == GroundThirdParty && d.ThirdPartyConsent {
			v.add("grounds", fmt.Sprintf("第三方已同意公开，不能以“%s”（%s）为由不公开", g.Label, g.Article))
		}
		if g.Code == GroundThirdParty && d.PublicInterestOverride {
			v.add("grounds", fmt.Sprintf("已认定不公开会对公共利益造成重大影响，不能以“%s”（%s）为由不公开", g.Label, g.Article))
		}
		if strings.HasPrefix(g.Code, "art16_") && d.DisclosureRequiredByLaw {
			v.add("grounds", fmt.Sprintf("法律、法规、规章规定应当公开，不能以“%s”（%s）为由不公开", g.Label, g.Article))
		}
	}

	// Rule 5, explanation half.
	switch n := utf8.RuneCountInString(strings.TrimSpace(d.Explanation)); {
	case n == 0:
		v.add("explanation", fmt.Sprintf("请填写不公开理由说明（至少%d个字）", MinExplanationRunes))
	case n < MinExplanationRunes:
		v.add("explanation", fmt.Sprintf("不公开理由说明过短（至少%d个字，现有%d个字）", MinExplanationRunes, n))
	}
	return v.err()
}

// validation collects the problems of one ValidateDisclosure call.
type validation struct {
	field    string // the field of the first problem
	problems []string
}

func (v *validation) add(field, problem string) {
	if len(v.problems) == 0 {
		v.field = field
	}
	v.problems = append(v.problems, problem)
}

func (v *validation) err() error {
	if len(v.problems) == 0 {
		return nil
	}
	return &workflow.Error{
		Code:    workflow.EInvalid,
		Message: strings.Join(v.problems, "；") + "。",
		Field:   v.field,
		Details: map[string]any{"problems": slices.Clone(v.problems)},
	}
}

// Guards returns the workflow guards of the disclosure rules, for a definition to name:
// "disclosure_valid" refuses a transition unless the instance's disclosure tagging passes
// ValidateDisclosure. The refusal is ValidateDisclosure's error with code guard_failed (the
// engine's code for a refused transition); message, field and problems are kept.
func Guards() workflow.GuardSet {
	return workflow.GuardSet{"disclosure_valid": guardDisclosureValid}
}

func guardDisclosureValid(gc workflow.GuardContext) error {
	err := ValidateDisclosure(DisclosureFromFacts(gc.Instance.Facts))
	if err == nil {
		return nil
	}
	refusal := *workflow.AsError(err)
	refusal.Code = workflow.EGuardFailed
	return &refusal
}
