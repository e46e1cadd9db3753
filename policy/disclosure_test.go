package policy_test

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"wugongkai/policy"
	"wugongkai/workflow"
)

// explanation is a valid explanation of non-disclosure grounds (well over ten characters).
const explanation = "本件为拟订过程中的请示报告，属于过程性信息。"

func TestGrounds(t *testing.T) {
	want := []struct{ code, strength, row string }{
		{"art14_state_secret", "must", "1.属于国家秘密"},
		{"art14_law_prohibited", "must", "2.其他法律行政法规禁止公开"},
		{"art14_security_stability", "must", "3.危及“三安全一稳定”"},
		{"art15_third_party", "must", "4.保护第三方合法权益"},
		{"art16_internal_affairs", "may", "5.属于三类内部事务信息"},
		{"art16_process", "may", "6.属于四类过程性信息"},
		{"art16_enforcement_file", "may", "7.属于行政执法案卷"},
	}
	got := policy.Grounds()
	if len(got) != len(want) {
		t.Fatalf("Grounds() has %d grounds, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		t.Run(w.code, func(t *testing.T) {
			if g.Code != w.code || g.Strength != w.strength || g.ReportRow != w.row {
				t.Errorf("ground %d = {%s %s %s}, want {%s %s %s}", i, g.Code, g.Strength, g.ReportRow, w.code, w.strength, w.row)
			}
			if g.Label == "" || g.Text == "" || !strings.HasPrefix(g.Article, "第十") {
				t.Errorf("ground %s lacks label, text or article: %+v", g.Code, g)
			}
			byCode, ok := policy.GroundByCode(w.code)
			if !ok || !reflect.DeepEqual(byCode, g) {
				t.Errorf("GroundByCode(%s) = %+v, %v", w.code, byCode, ok)
			}
		})
	}
	if _, ok := policy.GroundByCode("art17_other"); ok {
		t.Error("GroundByCode(art17_other) found a ground")
	}
}

func TestValidateDisclosure(t *testing.T) {
	tests := []struct {
		name      string
		d         policy.Disclosure
		wantField string
		want      []string // the problems; nil = valid
	}{
		// Rule 1: the attribute.
		{
			name:      "attribute missing",
			d:         policy.Disclosure{},
			wantField: "attribute",
			want:      []string{"未选择公开属性（主动公开、依申请公开或不予公开）"},
		},
		{
			name:      "attribute unknown",
			d:         policy.Disclosure{Attribute: "部分公开"},
			wantField: "attribute",
			want:      []string{"公开属性“部分公开”无效，应为主动公开、依申请公开或不予公开"},
		},
		{
			name:      "attribute unknown and ground unknown: nothing attribute-dependent",
			d:         policy.Disclosure{Attribute: "保密", Grounds: []string{"secret"}},
			wantField: "attribute",
			want: []string{
				"公开属性“保密”无效，应为主动公开、依申请公开或不予公开",
				"不公开理由“secret”不是《政府信息公开条例》第十四条至第十六条规定的情形",
			},
		},
		// Rule 3: 主动公开.
		{name: "proactive", d: policy.Disclosure{Attribute: policy.AttrProactive}},
		{
			name: "proactive ignores explanation and flags",
			d: policy.Disclosure{Attribute: policy.AttrProactive, Explanation: "无", ThirdPartyConsent: true,
				PublicInterestOverride: true, DisclosureRequiredByLaw: true},
		},
		{
			name:      "proactive with a ground",
			d:         policy.Disclosure{Attribute: policy.AttrProactive, Grounds: []string{"art16_process"}, Explanation: explanation},
			wantField: "grounds",
			want:      []string{"主动公开的文件不应选择不公开理由"},
		},
		// Rules 2 and 4: grounds and explanation.
		{
			name: "withheld on a state secret",
			d:    policy.Disclosure{Attribute: policy.AttrWithheld, Grounds: []string{"art14_state_secret"}, Explanation: explanation},
		},
		// Rule 4: 依申请公开 gives a reason why it is not proactive, not a non-disclosure ground.
		{
			name: "on request with a reason",
			d:    policy.Disclosure{Attribute: policy.AttrOnRequest, Explanation: "仅涉及特定企业的资质核查，与公众无直接关系"},
		},
		{
			name:      "on request with a non-disclosure ground",
			d:         policy.Disclosure{Attribute: policy.AttrOnRequest, Grounds: []string{"art16_process"}, Explanation: explanation},
			wantField: "grounds",
			want:      []string{"依申请公开不是不予公开，不应选择《政府信息公开条例》第十四条至第十六条的不予公开理由；含依法不予公开的内容的，公开属性应为不予公开"},
		},
		{
			name:      "on request without a reason",
			d:         policy.Disclosure{Attribute: policy.AttrOnRequest},
			wantField: "explanation",
			want:      []string{"请填写不主动公开的理由（至少10个字）"},
		},
		{
			name:      "on request with a short reason",
			d:         policy.Disclosure{Attribute: policy.AttrOnRequest, Explanation: "特定对象"},
			wantField: "explanation",
			want:      []string{"不主动公开的理由过短（至少10个字，现有4个字）"},
		},
		{
			name: "withheld on several grounds",
			d: policy.Disclosure{Attribute: policy.AttrWithheld, Explanation: explanation,
				Grounds: []string{"art14_law_prohibited", "art14_security_stability", "art15_third_party", "art16_internal_affairs", "art16_enforcement_file"}},
		},
		{
			name:      "withheld with nothing",
			d:         policy.Disclosure{Attribute: policy.AttrWithheld},
			wantField: "grounds",
			want: []string{
				"不予公开的文件须至少选择一项不公开理由（《政府信息公开条例》第十四条至第十六条）",
				"请填写不公开理由说明（至少10个字）",
			},
		},
		{
			name:      "unknown ground",
			d:         policy.Disclosure{Attribute: policy.AttrWithheld, Grounds: []string{"art16_process", "art99_whim"}, Explanation: explanation},
			wantField: "grounds",
			want:      []string{"不公开理由“art99_whim”不是《政府信息公开条例》第十四条至第十六条规定的情形"},
		},
		{
			name:      "duplicate ground",
			d:         policy.Disclosure{Attribute: policy.AttrWithheld, Grounds: []string{"art16_process", "art16_process"}, Explanation: explanation},
			wantField: "grounds",
			want:      []string{"不公开理由“讨论记录、过程稿、磋商信函、请示报告等过程性信息”重复选择"},
		},
		{
			name:      "only unknown grounds",
			d:         policy.Disclosure{Attribute: policy.AttrWithheld, Grounds: []string{"x"}, Explanation: explanation},
			wantField: "grounds",
			want:      []string{"不公开理由“x”不是《政府信息公开条例》第十四条至第十六条规定的情形"},
		},
		{
			name:      "explanation blank",
			d:         policy.Disclosure{Attribute: policy.AttrWithheld, Grounds: []string{"art16_process"}, Explanation: " \n\t "},
			wantField: "explanation",
			want:      []string{"请填写不公开理由说明（至少10个字）"},
		},
		{
			name:      "explanation too short",
			d:         policy.Disclosure{Attribute: policy.AttrWithheld, Grounds: []string{"art16_process"}, Explanation: " 内部讨论稿 "},
			wantField: "explanation",
			want:      []string{"不公开理由说明过短（至少10个字，现有5个字）"},
		},
		{
			name:      "explanation of nine characters",
			d:         policy.Disclosure{Attribute: policy.AttrWithheld, Grounds: []string{"art16_process"}, Explanation: "属于内部讨论的过程"},
			wantField: "explanation",
			want:      []string{"不公开理由说明过短（至少10个字，现有9个字）"},
		},
		{
			name: "explanation of ten characters",
			d:    policy.Disclosure{Attribute: policy.AttrWithheld, Grounds: []string{"art16_process"}, Explanation: "属于内部讨论的过程稿"},
		},
		{
			name:      "on request with a state secret",
			d:         policy.Disclosure{Attribute: policy.AttrOnRequest, Grounds: []string{"art14_state_secret"}, Explanation: explanation},
			wantField: "grounds",
			want:      []string{"依申请公开不是不予公开，不应选择《政府信息公开条例》第十四条至第十六条的不予公开理由；含依法不予公开的内容的，公开属性应为不予公开"},
		},
		// Rule 6: defeated grounds.
		{
			name:      "third party consented",
			d:         policy.Disclosure{Attribute: policy.AttrWithheld, Grounds: []string{"art15_third_party"}, Explanation: explanation, ThirdPartyConsent: true},
			wantField: "grounds",
			want:      []string{"第三方已同意公开，不能以“涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害”（第十五条）为由不公开"},
		},
		{
			name:      "public interest overrides the third party",
			d:         policy.Disclosure{Attribute: policy.AttrWithheld, Grounds: []string{"art15_third_party"}, Explanation: explanation, PublicInterestOverride: true},
			wantField: "grounds",
			want:      []string{"已认定不公开会对公共利益造成重大影响，不能以“涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害”（第十五条）为由不公开"},
		},
		{
			name: "consent and public interest",
			d: policy.Disclosure{Attribute: policy.AttrWithheld, Grounds: []string{"art15_third_party"}, Explanation: explanation,
				ThirdPartyConsent: true, PublicInterestOverride: true},
			wantField: "grounds",
			want: []string{
				"第三方已同意公开，不能以“涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害”（第十五条）为由不公开",
				"已认定不公开会对公共利益造成重大影响，不能以“涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害”（第十五条）为由不公开",
			},
		},
		{
			name:      "consent defeats Art. 15 even beside another ground",
			d:         policy.Disclosure{Attribute: policy.AttrWithheld, Grounds: []string{"art14_state_secret", "art15_third_party"}, Explanation: explanation, ThirdPartyConsent: true},
			wantField: "grounds",
			want:      []string{"第三方已同意公开，不能以“涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害”（第十五条）为由不公开"},
		},
		{
			name: "consent without Art. 15 is irrelevant",
			d:    policy.Disclosure{Attribute: policy.AttrWithheld, Grounds: []string{"art16_process"}, Explanation: explanation, ThirdPartyConsent: true, PublicInterestOverride: true},
		},
		{
			name:      "law requires disclosure of process information",
			d:         policy.Disclosure{Attribute: policy.AttrWithheld, Grounds: []string{"art16_process"}, Explanation: explanation, DisclosureRequiredByLaw: true},
			wantField: "grounds",
			want:      []string{"法律、法规、规章规定应当公开，不能以“讨论记录、过程稿、磋商信函、请示报告等过程性信息”（第十六条第二款）为由不公开"},
		},
		{
			name:      "law requires disclosure of an enforcement file",
			d:         policy.Disclosure{Attribute: policy.AttrWithheld, Grounds: []string{"art16_enforcement_file"}, Explanation: explanation, DisclosureRequiredByLaw: true},
			wantField: "grounds",
			want:      []string{"法律、法规、规章规定应当公开，不能以“行政执法案卷信息”（第十六条第二款）为由不公开"},
		},
		{
			name:      "law requires disclosure of internal affairs",
			d:         policy.Disclosure{Attribute: policy.AttrWithheld, Grounds: []string{"art16_internal_affairs", "art14_state_secret"}, Explanation: explanation, DisclosureRequiredByLaw: true},
			wantField: "grounds",
			want:      []string{"法律、法规、规章规定应当公开，不能以“人事管理、后勤管理、内部工作流程等内部事务信息”（第十六条第一款）为由不公开"},
		},
		{
			name: "law flag does not touch Art. 14 or 15",
			d:    policy.Disclosure{Attribute: policy.AttrWithheld, Grounds: []string{"art14_state_secret", "art15_third_party"}, Explanation: explanation, DisclosureRequiredByLaw: true},
		},
		// Everything at once, in rule order.
		{
			name: "many problems",
			d: policy.Disclosure{Attribute: policy.AttrOnRequest, Grounds: []string{"art14_state_secret", "bogus", "art16_process", "art14_state_secret"},
				Explanation: "机密", DisclosureRequiredByLaw: true},
			wantField: "grounds",
			want: []string{
				"不公开理由“bogus”不是《政府信息公开条例》第十四条至第十六条规定的情形",
				"不公开理由“属于国家秘密”重复选择",
				"依申请公开不是不予公开，不应选择《政府信息公开条例》第十四条至第十六条的不予公开理由；含依法不予公开的内容的，公开属性应为不予公开",
				"不主动公开的理由过短（至少10个字，现有2个字）",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := policy.ValidateDisclosure(tt.d)
			if tt.want == nil {
				if err != nil {
					t.Errorf("ValidateDisclosure = %v, want nil", err)
				}
				return
			}
			werr := workflow.AsError(err)
			if werr == nil || werr.Code != workflow.EInvalid {
				t.Fatalf("ValidateDisclosure = %v, want an invalid *workflow.Error", err)
			}
			got, _ := werr.Details["problems"].([]string)
			if !slices.Equal(got, tt.want) {
				t.Errorf("problems =\n%q\nwant\n%q", got, tt.want)
			}
			if werr.Field != tt.wantField {
				t.Errorf("field = %q, want %q", werr.Field, tt.wantField)
			}
			if want := strings.Join(tt.want, "；") + "。"; werr.Message != want {
				t.Errorf("message = %q, want %q", werr.Message, want)
			}
		})
	}
}

func TestDisclosureFacts(t *testing.T) {
	t.Run("from facts", func(t *testing.T) {
		f := workflow.Facts{
			"attribute":                  " 不予公开 ",
			"grounds":                    " art14_state_secret, ,art16_process,art16_process,",
			"grounds_explanation":        explanation,
			"third_party_consent":        "true",
			"public_interest_override":   "yes",
			"disclosure_required_by_law": "",
			"legal_approved":             "true",
		}
		want := policy.Disclosure{
			Attribute:         policy.AttrWithheld,
			Grounds:           []string{"art14_state_secret", "art16_process", "art16_process"},
			Explanation:       explanation,
			ThirdPartyConsent: true,
		}
		if got := policy.DisclosureFromFacts(f); !reflect.DeepEqual(got, want) {
			t.Errorf("DisclosureFromFacts = %+v, want %+v", got, want)
		}
	})
	t.Run("empty facts", func(t *testing.T) {
		if got := policy.DisclosureFromFacts(nil); !reflect.DeepEqual(got, policy.Disclosure{}) {
			t.Errorf("DisclosureFromFacts(nil) = %+v, want the zero Disclosure", got)
		}
	})
	t.Run("to facts and back", func(t *testing.T) {
		d := policy.Disclosure{
			Attribute:               policy.AttrOnRequest,
			Grounds:                 []string{"art15_third_party", "art16_process"},
			Explanation:             explanation,
			PublicInterestOverride:  true,
			DisclosureRequiredByLaw: false,
		}
		f := d.Facts()
		want := workflow.Facts{
			"attribute":                  "依申请公开",
			"grounds":                    "art15_third_party,art16_process",
			"grounds_explanation":        explanation,
			"third_party_consent":        "false",
			"public_interest_override":   "true",
			"disclosure_required_by_law": "false",
		}
		if !maps.Equal(f, want) {
			t.Errorf("Facts() = %v, want %v", f, want)
		}
		if back := policy.DisclosureFromFacts(f); !reflect.DeepEqual(back, d) {
			t.Errorf("round trip = %+v, want %+v", back, d)
		}
	})
	t.Run("facts replace an earlier tagging", func(t *testing.T) {
		inst := workflow.Facts{"attribute": policy.AttrWithheld, "grounds": "art15_third_party", "third_party_consent": "true"}
		maps.Copy(inst, policy.Disclosure{Attribute: policy.AttrProactive}.Facts())
		if got := policy.DisclosureFromFacts(inst); !reflect.DeepEqual(got, policy.Disclosure{Attribute: policy.AttrProactive}) {
			t.Errorf("after merge = %+v, want a bare 主动公开", got)
		}
	})
}

func TestGuards(t *testing.T) {
	gs := policy.Guards()
	if got := gs.Names(); !slices.Equal(got, []string{"disclosure_valid"}) {
		t.Fatalf("Guards() names = %q, want [disclosure_valid]", got)
	}
	guard := gs["disclosure_valid"]
	tests := []struct {
		name  string
		facts workflow.Facts
		probe bool
		want  string // error code; "" = pass
	}{
		{"proactive passes", workflow.Facts{"attribute": "主动公开"}, false, ""},
		{"grounded withholding passes", workflow.Facts{"attribute": "不予公开", "grounds": "art14_state_secret", "grounds_explanation": explanation}, false, ""},
		{"untagged is refused", workflow.Facts{}, false, workflow.EGuardFailed},
		{"ungrounded withholding is refused", workflow.Facts{"attribute": "不予公开"}, false, workflow.EGuardFailed},
		{"on request with a reason passes", workflow.Facts{"attribute": "依申请公开", "grounds_explanation": "仅涉及特定企业，与公众无直接关系"}, false, ""},
		{"on request without a reason is refused", workflow.Facts{"attribute": "依申请公开"}, false, workflow.EGuardFailed},
		{"probe is refused too: the guard reads facts, not input", workflow.Facts{"attribute": "依申请公开"}, true, workflow.EGuardFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := guard(workflow.GuardContext{Instance: workflow.Instance{Facts: tt.facts}, Probe: tt.probe})
			if got := workflow.ErrorCode(err); got != tt.want {
				t.Fatalf("guard = %v, want code %q", err, tt.want)
			}
			if err == nil {
				return
			}
			werr := workflow.AsError(err)
			verr := workflow.AsError(policy.ValidateDisclosure(policy.DisclosureFromFacts(tt.facts)))
			if werr.Message != verr.Message || werr.Field != verr.Field || !reflect.DeepEqual(werr.Details, verr.Details) {
				t.Errorf("guard refusal %+v does not carry the validation %+v", werr, verr)
			}
		})
	}
}

func FuzzValidateDisclosure(f *testing.F) {
	f.Add("不予公开", "art14_state_secret", explanation, false, false, false)
	f.Add("依申请公开", "art15_third_party,art16_process", "短", true, true, true)
	f.Add("主动公开", "art16_process", "", false, false, false)
	f.Add("", ",,,", "\xff\xfe", false, true, false)
	fields := map[string]bool{"attribute": true, "grounds": true, "explanation": true}
	f.Fuzz(func(t *testing.T, attribute, grounds, expl string, consent, public, law bool) {
		fromFacts := policy.DisclosureFromFacts(workflow.Facts{
			"attribute": attribute, "grounds": grounds, "grounds_explanation": expl,
			"third_party_consent": boolFact(consent), "public_interest_override": boolFact(public),
			"disclosure_required_by_law": boolFact(law),
		})
		raw := policy.Disclosure{Attribute: attribute, Grounds: strings.Split(grounds, ","), Explanation: expl,
			ThirdPartyConsent: consent, PublicInterestOverride: public, DisclosureRequiredByLaw: law}
		for _, d := range []policy.Disclosure{fromFacts, raw} {
			err := policy.ValidateDisclosure(d)
			if err == nil {
				checkAccepted(t, d)
				continue
			}
			werr, ok := err.(*workflow.Error)
			if !ok || werr.Code != workflow.EInvalid {
				t.Fatalf("ValidateDisclosure(%+v) = %#v, want nil or an invalid *workflow.Error", d, err)
			}
			problems, _ := werr.Details["problems"].([]string)
			if len(problems) == 0 || !fields[werr.Field] || werr.Message != strings.Join(problems, "；")+"。" {
				t.Fatalf("ValidateDisclosure(%+v) = %#v: want problems, a known field and a message listing them", d, werr)
			}
		}
	})
}

// checkAccepted fails t unless d, which ValidateDisclosure accepted, really is acceptable.
func checkAccepted(t *testing.T, d policy.Disclosure) {
	t.Helper()
	switch d.Attribute {
	case policy.AttrProactive:
		if len(d.Grounds) > 0 {
			t.Fatalf("accepted 主动公开 with grounds: %+v", d)
		}
		return
	case policy.AttrOnRequest:
		if len(d.Grounds) > 0 || utf8.RuneCountInString(strings.TrimSpace(d.Explanation)) < policy.MinExplanationRunes {
			t.Fatalf("accepted 依申请公开 with grounds or without a reason: %+v", d)
		}
		return
	case policy.AttrWithheld:
	default:
		t.Fatalf("accepted attribute %q", d.Attribute)
	}
	if len(d.Grounds) == 0 || utf8.RuneCountInString(strings.TrimSpace(d.Explanation)) < policy.MinExplanationRunes {
		t.Fatalf("accepted withholding without grounds or explanation: %+v", d)
	}
	for _, c := range d.Grounds {
		if _, ok := policy.GroundByCode(c); !ok {
			t.Fatalf("accepted unknown ground %q", c)
		}
		if c == policy.GroundThirdParty && (d.ThirdPartyConsent || d.PublicInterestOverride) {
			t.Fatalf("accepted a defeated Art. 15 ground: %+v", d)
		}
		if strings.HasPrefix(c, "art16_") && d.DisclosureRequiredByLaw {
			t.Fatalf("accepted a defeated Art. 16 ground: %+v", d)
		}
		if strings.HasPrefix(c, "art14_") && d.Attribute != policy.AttrWithheld {
			t.Fatalf("accepted an Art. 14 ground without 不予公开: %+v", d)
		}
	}
}

func boolFact(b bool) string {
	if b {
		return "true"
	}
	return ""
}
