package documents

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"wugongkai/workflow"
)

// applyDraft copies the set fields of in onto d and returns the names of the fields that changed.
func applyDraft(d *Document, in Draft) ([]string, error) {
	var changed []string
	text := func(name string, dst *string, src *string, max int, multiline bool) error {
		if src == nil {
			return nil
		}
		v := *src
		if !multiline {
			v = strings.TrimSpace(v)
		}
		if err := workflow.CheckText(name, v, max, multiline); err != nil {
			return err
		}
		if *dst != v {
			*dst = v
			changed = append(changed, name)
		}
		return nil
	}
	for _, f := range []struct {
		name      string
		dst, src  *string
		max       int
		multiline bool
	}{
		{"title", &d.Title, in.Title, workflow.MaxTitleRunes, false},
		{"body", &d.Body, in.Body, workflow.MaxBodyRunes, true},
		{"explanation", &d.Explanation, in.Explanation, workflow.MaxBodyRunes, true},
		{"subject_category", &d.SubjectCategory, in.SubjectCategory, 100, false},
		{"doc_number", &d.DocNumber, in.DocNumber, 100, false},
		{"summary", &d.Summary, in.Summary, workflow.MaxShortRunes, true},
	} {
		if err := text(f.name, f.dst, f.src, f.max, f.multiline); err != nil {
			return nil, err
		}
	}
	if in.DocKind != nil {
		k := strings.TrimSpace(*in.DocKind)
		if k != KindNormative && k != KindOther {
			return nil, &workflow.Error{Code: workflow.EInvalid, Field: "doc_kind", Message: "文件种类只能是“规范性文件”或“其他公文”"}
		}
		if d.DocKind != k {
			d.DocKind = k
			d.Facts[workflow.FactDocKind] = k // the guards route a 规范性文件 through legality review
			changed = append(changed, "doc_kind")
		}
	}
	fact := func(name, value string, group string) {
		old, had := d.Facts[name]
		if value == "" {
			if had {
				delete(d.Facts, name)
				changed = append(changed, group+name)
			}
			return
		}
		if !had || old != value {
			d.Facts[name] = value
			changed = append(changed, group+name)
		}
	}
	boolFact := func(name string, v *bool, group string) {
		if v == nil {
			return
		}
		if *v {
			fact(name, "true", group)
		} else {
			fact(name, "", group)
		}
	}
	if in.Attribute != nil {
		a := strings.TrimSpace(*in.Attribute)
		switch a {
		case "", "主动公开", "依申请公开", "不予公开":
		default:
			return nil, &workflow.Error{Code: workflow.EInvalid, Field: "attribute", Message: "公开属性只能是“主动公开”“依申请公开”或“不予公开”"}
		}
		fact("attribute", a, "disclosure.")
	}
	if in.Grounds != nil {
		gs := make([]string, 0, len(*in.Grounds))
		for _, g := range *in.Grounds {
			g = strings.TrimSpace(g)
			if g == "" || strings.ContainsAny(g, ", ") || len(g) > 64 {
				return nil, &workflow.Error{Code: workflow.EInvalid, Field: "grounds", Message: fmt.Sprintf("不予公开依据代码 %q 无效", g)}
			}
			if !slices.Contains(gs, g) {
				gs = append(gs, g)
			}
		}
		fact("grounds", strings.Join(gs, ","), "disclosure.")
	}
	if in.GroundsExplanation != nil {
		v := strings.TrimSpace(*in.GroundsExplanation)
		if err := workflow.CheckText("grounds_explanation", v, workflow.MaxShortRunes, true); err != nil {
			return nil, err
		}
		fact("grounds_explanation", v, "disclosure.")
	}
	boolFact("third_party_consent", in.ThirdPartyConsent, "disclosure.")
	boolFact("public_interest_override", in.PublicInterestOverride, "disclosure.")
	boolFact("disclosure_required_by_law", in.DisclosureRequiredByLaw, "disclosure.")
	if d.Definition == "decision" {
		if in.OpensAt != nil {
			fact("opens_at", formatInstant(*in.OpensAt), "consultation.")
		}
		if in.ClosesAt != nil {
			fact("closes_at", formatInstant(*in.ClosesAt), "consultation.")
		}
		if in.ShorteningReason != nil {
			v := strings.TrimSpace(*in.ShorteningReason)
			if err := workflow.CheckText("shortening_reason", v, workflow.MaxShortRunes, true); err != nil {
				return nil, err
			}
			fact("shortening_reason", v, "consultation.")
		}
		boolFact("consultation_exempt", in.ConsultationExempt, "consultation.")
		if in.ExemptReason != nil {
			v := strings.TrimSpace(*in.ExemptReason)
			if err := workflow.CheckText("exempt_reason", v, workflow.MaxShortRunes, true); err != nil {
				return nil, err
			}
			fact("exempt_reason", v, "consultation.")
		}
	} else if in.OpensAt != nil || in.ClosesAt != nil || in.ShorteningReason != nil || in.ConsultationExempt != nil || in.ExemptReason != nil {
		return nil, &workflow.Error{Code: workflow.EInvalid, Field: "opens_at", Message: "征求意见期限只适用于重大行政决策草案"}
	}
	return changed, nil
}

func formatInstant(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
