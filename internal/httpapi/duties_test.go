package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"wugongkai/internal/postgres"
	"wugongkai/internal/testkit"
	"wugongkai/workflow"
	"wugongkai/workflow/accounts"
)

// addUser creates a user holding roles (role@unit pairs), reloads the policy and signs them in.
func (s *stack) addUser(name, display string, roles ...postgres.RoleAssignment) {
	s.t.Helper()
	ctx := context.Background()
	hash, err := accounts.HashPassword(testPassword)
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.store.Accounts.CreateUser(ctx, postgres.User{Username: name, DisplayName: display, PasswordHash: hash}, roles); err != nil {
		s.t.Fatal(err)
	}
	if err := s.enf.Reload(ctx); err != nil {
		s.t.Fatal(err)
	}
	var out struct {
		Token string `json:"token"`
	}
	s.mustDo(http.MethodPost, "/api/v1/session", "", map[string]string{"username": name, "password": testkit.Password}, http.StatusCreated, &out)
	s.tokens[name] = out.Token
}

func (s *stack) get(user string, d docView) docView {
	s.t.Helper()
	var out docView
	s.mustDo(http.MethodGet, pathf("/api/v1/documents/%d", d.ID), user, nil, http.StatusOK, &out)
	return out
}

// TestNormativeDocumentNeedsLegalityReview: a 规范性文件 marked 主动公开 cannot be signed before the
// legal section's legality review, and is published with its approval and opinion on record.
func TestNormativeDocumentNeedsLegalityReview(t *testing.T) {
	s := newStack(t)
	d := s.create("drafter", map[string]any{"title": "关于规范物业服务收费的若干规定", "body": "为规范物业服务收费行为……",
		"doc_kind": "规范性文件", "doc_number": "测建〔2026〕3号", "subject_category": "城乡建设、环境保护\\住房保障", "attribute": "主动公开"})
	d = s.fire("drafter", d, "submit", nil)
	d = s.fire("unithead", d, "approve", nil)
	if d.State != "legal_review" {
		t.Fatalf("a 主动公开 规范性文件 went to %s, want legal_review", d.State)
	}
	if s.get("leader", d).can("sign") {
		t.Error("sign offered before the legality review")
	}
	s.mustFail(http.MethodPost, pathf("/api/v1/documents/%d/transitions/sign", d.ID), "leader",
		map[string]any{"version": d.Version}, http.StatusConflict, workflow.ETransitionNotAllowed)
	// The legality review is recorded with its opinion.
	s.mustFail(http.MethodPost, pathf("/api/v1/documents/%d/transitions/approve", d.ID), "legal",
		map[string]any{"version": d.Version}, http.StatusUnprocessableEntity, workflow.EInputMissing)
	d = s.fire("legal", d, "approve", map[string]string{"opinion": "经合法性审核，符合上位法规定"})
	if d.State != "sign_off" || !d.LegalApproved {
		t.Fatalf("after the legality review: %+v", d)
	}
	d = s.fire("leader", d, "sign", nil)
	d = s.fire("officer", d, "publish", map[string]string{"summary": "物业服务收费规定"})
	if d.State != "published" || !d.LegalApproved {
		t.Fatalf("published without the legal section's approval: %+v", d)
	}
	var opinion bool
	for _, h := range s.get("drafter", d).History {
		if h.Action == "approve" && h.Data["opinion"] == "经合法性审核，符合上位法规定" {
			opinion = true
		}
	}
	if !opinion {
		t.Error("the legality review's opinion is not in the history")
	}
}

// TestNobodyApprovesOrSignsTheirOwnDocument: a user holding drafter, unit_head and leader cannot
// approve or sign a document they submitted: 403 with a Chinese reason, and it is not offered.
func TestNobodyApprovesOrSignsTheirOwnDocument(t *testing.T) {
	s := newStack(t)
	s.addUser("boss", "全科长", postgres.RoleAssignment{Role: "drafter", Unit: "chengjian"},
		postgres.RoleAssignment{Role: "unit_head", Unit: "chengjian"}, postgres.RoleAssignment{Role: "leader", Unit: "*"})
	d := s.create("boss", map[string]any{"title": "关于开展安全检查的通知", "body": "……", "attribute": "主动公开", "subject_category": "综合政务\\政务公开"})
	d = s.fire("boss", d, "submit", nil)
	if v := s.get("boss", d); v.can("approve") || !v.can("withdraw") {
		t.Errorf("available to the submitter in unit review: %+v", v.Available)
	}
	p := s.mustFail(http.MethodPost, pathf("/api/v1/documents/%d/transitions/approve", d.ID), "boss",
		map[string]any{"version": d.Version}, http.StatusForbidden, workflow.EForbidden)
	if !strings.Contains(p.Detail, "职责分离") {
		t.Errorf("refusal does not say why: %s", p.Detail)
	}
	if !s.get("unithead", d).can("approve") {
		t.Error("approve not offered to the other unit head")
	}
	d = s.fire("unithead", d, "approve", nil)
	if v := s.get("boss", d); v.can("sign") || !v.can("return") {
		t.Errorf("available to the submitter at sign-off: %+v", v.Available)
	}
	s.mustFail(http.MethodPost, pathf("/api/v1/documents/%d/transitions/sign", d.ID), "boss",
		map[string]any{"version": d.Version}, http.StatusForbidden, workflow.EForbidden)
	if d = s.fire("leader", d, "sign", nil); d.State != "awaiting_publication" {
		t.Fatalf("another leader could not sign: %s", d.State)
	}
}

// TestOnRequestIsNotWithheld: a 依申请公开 document gives a reason why it is not proactive, not a
// non-disclosure ground, and once signed is available on request, with no yearly re-review.
func TestOnRequestIsNotWithheld(t *testing.T) {
	s := newStack(t)
	d := s.create("drafter", map[string]any{"title": "关于某企业资质核查情况的函", "body": "……", "attribute": "依申请公开",
		"grounds": []string{"art16_process"}, "grounds_explanation": "仅涉及特定企业的资质核查，与公众无直接关系。"})
	p := s.mustFail(http.MethodPost, pathf("/api/v1/documents/%d/transitions/submit", d.ID), "drafter",
		map[string]any{"version": d.Version}, http.StatusUnprocessableEntity, workflow.EGuardFailed)
	if !strings.Contains(p.Detail, "依申请公开不是不予公开") {
		t.Errorf("a ground on 依申请公开: %s", p.Detail)
	}
	s.mustDo(http.MethodPatch, pathf("/api/v1/documents/%d", d.ID), "drafter", map[string]any{"version": d.Version,
		"grounds": []string{}, "grounds_explanation": ""}, http.StatusOK, &d)
	p = s.mustFail(http.MethodPost, pathf("/api/v1/documents/%d/transitions/submit", d.ID), "drafter",
		map[string]any{"version": d.Version}, http.StatusUnprocessableEntity, workflow.EGuardFailed)
	if !strings.Contains(p.Detail, "请填写不主动公开的理由") {
		t.Errorf("依申请公开 without a reason: %s", p.Detail)
	}
	s.mustDo(http.MethodPatch, pathf("/api/v1/documents/%d", d.ID), "drafter", map[string]any{"version": d.Version,
		"grounds_explanation": "仅涉及特定企业的资质核查，与公众无直接关系。"}, http.StatusOK, &d)
	if len(d.DisclosureProblems) != 0 {
		t.Fatalf("a reasoned 依申请公开 still has problems: %v", d.DisclosureProblems)
	}
	d = s.fire("drafter", d, "submit", nil)
	d = s.fire("unithead", d, "approve", nil)
	if d.State != "legal_review" {
		t.Fatalf("依申请公开 went to %s, want legal_review", d.State)
	}
	d = s.fire("legal", d, "approve", map[string]string{"opinion": "不主动公开的理由成立"})
	d = s.fire("leader", d, "sign", nil)
	if d.State != "available_on_request" {
		t.Fatalf("signed 依申请公开 in %s, want available_on_request", d.State)
	}
	for _, dl := range d.Deadlines {
		if dl.Name == "rereview_due" {
			t.Errorf("依申请公开 scheduled a re-review: %+v", dl)
		}
	}
	status, _ := s.do(http.MethodGet, pathf("/api/v1/public/documents/%d", d.ID), "", nil)
	if status != http.StatusNotFound {
		t.Errorf("依申请公开 document on the public API: %d", status)
	}
}
