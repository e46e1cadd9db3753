package web_test

import (
	"fmt"
	"testing"

	"wugongkai/workflow/documents"
)

// TestBrowserInterpretation: a 规范性文件 and its interpretation (政策解读), once both are published,
// link to each other on the portal in Chromium: a citizen goes from the policy's 政策解读 section
// to the interpretation and back by its 解读的文件 link. Before publication, the office's publish
// form of the policy asks why it has no interpretation; that of the interpretation does not. The
// console shows the link both ways.
func TestBrowserInterpretation(t *testing.T) {
	s := newStack(t)
	policy := s.mustCreate("drafter", documents.Draft{Title: str("住房租赁补贴管理办法"), Body: str("第一条 为规范住房租赁补贴……"),
		DocKind: str(documents.KindNormative), Attribute: str("主动公开"), SubjectCategory: str("城乡建设、环境保护\\住房保障"),
		DocNumber: str("测建规〔2026〕1号")})
	policy = s.mustFire(policy, [2]string{"drafter", "submit"}, [2]string{"unithead", "approve"}, [2]string{"legal", "approve"},
		[2]string{"leader", "sign"})
	in := s.mustCreate("drafter", documents.Draft{Title: str("《住房租赁补贴管理办法》政策解读"), Body: str("一、起草背景……"),
		Attribute: str("主动公开"), SubjectCategory: str("城乡建设、环境保护\\住房保障"), Interprets: &policy.ID})
	in = s.mustFire(in, [2]string{"drafter", "submit"}, [2]string{"unithead", "approve"}, [2]string{"leader", "sign"})

	officer := newPerson(t, s, "officer")
	officer.login("officer")
	officer.visit(fmt.Sprintf("/console/documents/%d", policy.ID), 200)
	officer.see("政策解读", "《住房租赁补贴管理办法》政策解读")
	if n := officer.count(`form[action$="/transitions/publish"] [name="interpretation_reason"]`); n != 1 {
		t.Fatalf("the policy's publish form asks for the reason %d times, want once", n)
	}
	officer.visit(fmt.Sprintf("/console/documents/%d", in.ID), 200)
	officer.see("解读的文件", "住房租赁补贴管理办法")
	if n := officer.count(`form[action$="/transitions/publish"] [name="interpretation_reason"]`); n != 0 {
		t.Fatalf("the interpretation's publish form asks for a reason")
	}

	// Published, the policy without a reason first, then its interpretation.
	s.mustFire(policy, [2]string{"officer", "publish"})
	s.mustFire(in, [2]string{"officer", "publish"})

	citizen := newPerson(t, s, "citizen")
	citizen.visit(fmt.Sprintf("/documents/%d", policy.ID), 200)
	citizen.see("政策解读", "《住房租赁补贴管理办法》政策解读")
	citizen.press("#interpretations a", 200)
	citizen.see("解读的文件", "一、起草背景")
	citizen.shot("30-portal-interpretation")
	citizen.press("#interprets-link", 200)
	citizen.see("第一条 为规范住房租赁补贴", "《住房租赁补贴管理办法》政策解读")
}
