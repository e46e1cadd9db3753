package workflow_test

import (
	"slices"
	"testing"
	"unicode"

	"wugongkai/workflow"
)

// doc2 is a document on definition version 2 in state with facts.
func doc2(state string, f workflow.Facts) workflow.Instance {
	return workflow.Instance{ID: 7, Unit: "chengjian", Definition: "document", DefinitionVersion: 2, State: state, Facts: f}
}

// mustFire fires name and fails the test on an error.
func mustFire(tb testing.TB, e *workflow.Engine, inst workflow.Instance, name string, actor workflow.Actor, in workflow.Input) workflow.Instance {
	tb.Helper()
	res, err := e.Fire(inst, name, actor, in, friday)
	if err != nil {
		tb.Fatalf("%s by %s in %s: %v", name, actor.Username, inst.State, err)
	}
	return res.Instance
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

func availableNames(e *workflow.Engine, inst workflow.Instance, actor workflow.Actor) []string {
	var out []string
	for _, t := range e.Available(inst, actor, friday) {
		out = append(out, t.Name)
	}
	return out
}

// TestNormativeDocumentsPassLegalityReview: in version 2 a 规范性文件 goes to the legal section
// whatever its attribute, and cannot be signed without its approval; another 主动公开 document
// goes straight to sign-off.
func TestNormativeDocumentsPassLegalityReview(t *testing.T) {
	e := mustEngine(t)
	head := workflow.Actor{UserID: 13, Username: "wang", Name: "王科长"}
	legal := workflow.Actor{UserID: 14, Username: "chen", Name: "陈法规"}
	normative := with(public(), "doc_kind", workflow.KindNormative)

	inst := mustFire(t, e, doc2("drafting", normative), "submit", drafter, nil)
	inst = mustFire(t, e, inst, "approve", head, nil)
	if inst.State != "legal_review" {
		t.Fatalf("a 主动公开 规范性文件 went to %s, want legal_review", inst.State)
	}
	if _, err := e.Fire(inst, "approve", legal, nil, friday); workflow.ErrorCode(err) != workflow.EInputMissing {
		t.Errorf("legal approval without an opinion: %v, want input_missing", err)
	}
	inst = mustFire(t, e, inst, "approve", legal, workflow.Input{"opinion": "经审核，符合法律法规规定"})
	if inst.State != "sign_off" || !inst.Facts.Bool("legal_approved") || inst.Facts["legal_opinion"] != "经审核，符合法律法规规定" {
		t.Fatalf("after legality review: %s %v", inst.State, inst.Facts)
	}
	inst = mustFire(t, e, inst, "sign", leader, nil)
	if inst.State != "awaiting_publication" {
		t.Errorf("signed 规范性文件 in %s", inst.State)
	}

	// A 规范性文件 at sign-off without the legal section's approval (as an older path could leave
	// it) is not signed.
	_, err := e.Fire(doc2("sign_off", normative), "sign", leader, nil, friday)
	if workflow.ErrorCode(err) != workflow.EGuardFailed {
		t.Errorf("signing an unreviewed 规范性文件: %v, want guard_failed", err)
	}
	if slices.Contains(availableNames(e, doc2("sign_off", normative), leader), "sign") {
		t.Error("sign offered on an unreviewed 规范性文件")
	}

	other := mustFire(t, e, doc2("drafting", with(public(), "doc_kind", "其他公文")), "submit", drafter, nil)
	if other = mustFire(t, e, other, "approve", head, nil); other.State != "sign_off" {
		t.Errorf("a 主动公开 其他公文 went to %s, want sign_off", other.State)
	}
}

// TestSeparationOfDuties: whoever submitted a document may not approve or sign it, even holding
// every role; the transitions are not offered to them, and others may act.
func TestSeparationOfDuties(t *testing.T) {
	e := mustEngine(t)
	allRoles := workflow.Actor{UserID: 21, Username: "boss", Name: "全能"}
	head := workflow.Actor{UserID: 13, Username: "wang", Name: "王科长"}

	inst := mustFire(t, e, doc2("drafting", public()), "submit", allRoles, nil)
	if got := inst.Facts[workflow.ActorFact("submit")]; got != "21" {
		t.Fatalf("submitter fact = %q, want 21", got)
	}
	_, err := e.Fire(inst, "approve", allRoles, nil, friday)
	if workflow.ErrorCode(err) != workflow.EForbidden || !hasHan(workflow.ErrorMessage(err)) {
		t.Fatalf("self-approval: %v, want forbidden with a Chinese reason", err)
	}
	if got := availableNames(e, inst, allRoles); slices.Contains(got, "approve") {
		t.Errorf("approve offered to the submitter: %v", got)
	}
	if got := availableNames(e, inst, head); !slices.Contains(got, "approve") {
		t.Errorf("approve not offered to another unit head: %v", got)
	}
	inst = mustFire(t, e, inst, "approve", head, nil)
	if _, err := e.Fire(inst, "sign", allRoles, nil, friday); workflow.ErrorCode(err) != workflow.EForbidden {
		t.Fatalf("self-signing: %v, want forbidden", err)
	}
	if got := availableNames(e, inst, allRoles); slices.Contains(got, "sign") || !slices.Contains(got, "return") {
		t.Errorf("available to the submitter at sign-off = %v, want return without sign", got)
	}

	// Returned and resubmitted by a colleague, the first submitter still may not approve it.
	inst = mustFire(t, e, inst, "return", leader, workflow.Input{"opinion": "请修改"})
	inst = mustFire(t, e, inst, "submit", drafter, nil)
	if got := inst.Facts[workflow.ActorFact("submit")]; got != "21,11" {
		t.Errorf("submitters = %q, want 21,11", got)
	}
	if _, err := e.Fire(inst, "approve", allRoles, nil, friday); workflow.ErrorCode(err) != workflow.EForbidden {
		t.Errorf("approval by an earlier submitter: %v, want forbidden", err)
	}

	// Version 1 instances keep their path: no separation of duties was declared there.
	v1 := workflow.Instance{Definition: "document", DefinitionVersion: 1, State: "drafting", Facts: public()}
	v1 = mustFire(t, e, v1, "submit", allRoles, nil)
	if _, ok := v1.Facts[workflow.ActorFact("submit")]; ok {
		t.Error("version 1 records actors it never checks")
	}
	mustFire(t, e, v1, "approve", allRoles, nil)
}

// TestOnRequestIsNotWithheld: a signed 依申请公开 document is available on request, with no
// re-review deadline; a 不予公开 one is filed with its yearly re-review.
func TestOnRequestIsNotWithheld(t *testing.T) {
	e := mustEngine(t)
	onRequest := workflow.Facts{"attribute": "依申请公开", "grounds_explanation": "仅涉及特定企业，与公众无关", "legal_approved": "true"}
	res, err := e.Fire(doc2("sign_off", onRequest), "sign", leader, nil, friday)
	if err != nil {
		t.Fatal(err)
	}
	if res.Instance.State != "available_on_request" || len(res.Effects) != 0 {
		t.Errorf("依申请公开 signed into %s with %v", res.Instance.State, res.Effects)
	}
	if _, err := e.Fire(doc2("sign_off", with(onRequest, "legal_approved", "")), "sign", leader, nil, friday); workflow.ErrorCode(err) != workflow.EGuardFailed {
		t.Errorf("依申请公开 without the legal section's approval: %v", err)
	}
	res, err = e.Fire(doc2("sign_off", with(withheld(), "legal_approved", "true")), "sign", leader, nil, friday)
	if err != nil {
		t.Fatal(err)
	}
	if res.Instance.State != "filed" || len(res.Effects) != 1 || res.Effects[0].Name != "rereview_due" {
		t.Errorf("不予公开 signed into %s with %v", res.Instance.State, res.Effects)
	}
	inst := mustFire(t, e, doc2("available_on_request", onRequest), "disclose", drafter, workflow.Input{"opinion": "申请较多，转为主动公开"})
	if inst.State != "awaiting_publication" || inst.Facts["attribute"] != "主动公开" {
		t.Errorf("disclosed: %s %v", inst.State, inst.Facts)
	}
}

// TestDecisionSeparationOfDuties: in decision version 2 whoever submitted a draft may not approve
// it as unit head.
func TestDecisionSeparationOfDuties(t *testing.T) {
	e := mustEngine(t)
	allRoles := workflow.Actor{UserID: 21, Username: "boss", Name: "全能"}
	inst := workflow.Instance{ID: 8, Unit: "chengjian", Definition: "decision", DefinitionVersion: 2, State: "drafting", Facts: consulted()}
	inst = mustFire(t, e, inst, "submit", allRoles, nil)
	if _, err := e.Fire(inst, "approve", allRoles, nil, friday); workflow.ErrorCode(err) != workflow.EForbidden {
		t.Fatalf("self-approval of a decision draft: %v, want forbidden", err)
	}
	if inst = mustFire(t, e, inst, "approve", leader, nil); inst.State != "consultation_scheduled" {
		t.Errorf("approved by another into %s", inst.State)
	}
}
