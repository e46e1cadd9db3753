package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"wugongkai/internal/postgres"
	"wugongkai/workflow"
)

func pathf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// TestDocumentFlowsEndToEnd drives the three flows over HTTP as five different users: a
// 主动公开 document to publication, a 不予公开 document returned once by the legal section and then
// filed, and a withdrawn one; then the audit chains verify.
func TestDocumentFlowsEndToEnd(t *testing.T) {
	s := newStack(t)

	t.Run("主动公开 to publication", func(t *testing.T) {
		d := s.create("drafter", map[string]any{"title": "关于住房租赁补贴发放的通知", "body": "为做好住房租赁补贴发放工作……",
			"doc_kind": "规范性文件", "subject_category": "城乡建设、环境保护\\住房保障", "attribute": "主动公开"})
		if d.State != "drafting" || !d.can("submit") || len(d.DisclosureProblems) != 0 {
			t.Fatalf("new draft: %+v", d)
		}
		d = s.fire("drafter", d, "submit", nil)
		if d.State != "unit_review" {
			t.Fatalf("after submit: %s", d.State)
		}
		// A 规范性文件 passes the legal section's legality review even when it is 主动公开
		// (document definition version 2).
		d = s.fire("unithead", d, "approve", nil)
		if d.State != "legal_review" {
			t.Fatalf("a 主动公开 规范性文件 goes to legality review; got %s", d.State)
		}
		d = s.fire("legal", d, "approve", map[string]string{"opinion": "经合法性审核，未发现违法内容"})
		if d.State != "sign_off" || !d.LegalApproved {
			t.Fatalf("after legality review: %+v", d)
		}
		d = s.fire("leader", d, "sign", map[string]string{"opinion": "同意印发"})
		if d.State != "awaiting_publication" || d.SignedOn == "" || d.Signer != "张局长" {
			t.Fatalf("after sign: %+v", d)
		}
		// The publication deadline: 20 working days from signing, with a reminder before it.
		var due, remind bool
		for _, dl := range d.Deadlines {
			if dl.Name == "publication_due" && dl.Status == "pending" && dl.Action == "overdue" && strings.Contains(dl.Explanation, "20") {
				due = true
				signed, _ := workflow.ParseDate(d.SignedOn)
				want := mustEngine(t).Calendar().AddWorkingDays(signed, 20).Due.String()
				if dl.DueDate != want {
					t.Errorf("publication due %s, want %s", dl.DueDate, want)
				}
			}
			if dl.Name == "publication_due.remind" && dl.Status == "pending" {
				remind = true
			}
		}
		if !due || !remind {
			t.Fatalf("deadlines after sign: %+v", d.Deadlines)
		}
		// Publishing needs the catalogue metadata: a 规范性文件 needs its 发文字号.
		p := s.mustFail(http.MethodPost, pathf("/api/v1/documents/%d/transitions/publish", d.ID), "officer",
			map[string]any{"version": d.Version, "input": map[string]string{"summary": "住房租赁补贴发放的有关规定"}}, 422, workflow.EInputMissing)
		if !strings.Contains(p.Detail, "发文字号") {
			t.Fatalf("missing doc number not named: %s", p.Detail)
		}
		d = s.fire("officer", d, "publish", map[string]string{"summary": "住房租赁补贴发放的有关规定", "doc_number": "测建〔2026〕3号"})
		if d.State != "published" || !strings.HasPrefix(d.IndexNo, "11411000MB1234567X/") || d.Validity != "有效" {
			t.Fatalf("after publish: %+v", d)
		}
		for _, dl := range d.Deadlines {
			if strings.HasPrefix(dl.Name, "publication_due") && dl.Status == "pending" {
				t.Fatalf("publication deadline still pending after publish: %+v", dl)
			}
		}
		var pub struct {
			Items []struct {
				ID        int64  `json:"id"`
				IndexNo   string `json:"index_no"`
				DocNumber string `json:"doc_number"`
			} `json:"items"`
			Total int `json:"total"`
		}
		s.mustDo(http.MethodGet, "/api/v1/public/documents?q=%E7%A7%9F%E8%B5%81%E8%A1%A5%E8%B4%B4", "", nil, http.StatusOK, &pub) // q=租赁补贴
		if pub.Total != 1 || pub.Items[0].ID != d.ID || pub.Items[0].IndexNo != d.IndexNo || pub.Items[0].DocNumber != "测建〔2026〕3号" {
			t.Fatalf("public search: %+v", pub)
		}
	})

	t.Run("不予公开 returned once by the legal section, then filed", func(t *testing.T) {
		d := s.create("drafter", map[string]any{"title": "关于重点项目招标情况的请示", "body": "局领导：……", "attribute": "不予公开"})
		if len(d.DisclosureProblems) == 0 {
			t.Fatal("a 不予公开 draft without grounds shows no problems")
		}
		// Submitting without grounds is refused, naming what is missing.
		p := s.mustFail(http.MethodPost, pathf("/api/v1/documents/%d/transitions/submit", d.ID), "drafter",
			map[string]any{"version": d.Version}, 422, workflow.EGuardFailed)
		if !strings.Contains(p.Detail, "第十四条") {
			t.Fatalf("missing grounds not named: %s", p.Detail)
		}
		s.mustDo(http.MethodPatch, pathf("/api/v1/documents/%d", d.ID), "drafter", map[string]any{"version": d.Version,
			"grounds": []string{"art16_process"}, "grounds_explanation": "向局领导报送的请示，属于过程性信息。"}, http.StatusOK, &d)
		d = s.fire("drafter", d, "submit", nil)
		d = s.fire("unithead", d, "approve", nil)
		if d.State != "legal_review" {
			t.Fatalf("non-public document must go to legal review, got %s", d.State)
		}
		// The leader cannot sign while it is in legal review, nor can the legal section return it without an opinion.
		s.mustFail(http.MethodPost, pathf("/api/v1/documents/%d/transitions/sign", d.ID), "leader",
			map[string]any{"version": d.Version}, http.StatusConflict, workflow.ETransitionNotAllowed)
		s.mustFail(http.MethodPost, pathf("/api/v1/documents/%d/transitions/return", d.ID), "legal",
			map[string]any{"version": d.Version}, 422, workflow.EInputMissing)
		d = s.fire("legal", d, "return", map[string]string{"opinion": "理由过于简单，请写明属于何种过程性信息。"})
		if d.State != "drafting" || d.LegalApproved {
			t.Fatalf("after return: %+v", d)
		}
		s.mustDo(http.MethodPatch, pathf("/api/v1/documents/%d", d.ID), "drafter", map[string]any{"version": d.Version,
			"grounds_explanation": "本件为向局领导报送的请示报告，属于《条例》第十六条第二款规定的过程性信息，可不予公开。"}, http.StatusOK, &d)
		d = s.fire("drafter", d, "submit", nil)
		d = s.fire("unithead", d, "approve", nil)
		d = s.fire("legal", d, "approve", map[string]string{"opinion": "不予公开理由成立"})
		if d.State != "sign_off" || !d.LegalApproved {
			t.Fatalf("after legal approval: %+v", d)
		}
		d = s.fire("leader", d, "sign", map[string]string{"opinion": "同意"})
		if d.State != "filed" {
			t.Fatalf("a signed 不予公开 document is filed, got %s", d.State)
		}
		var rereview bool
		for _, dl := range d.Deadlines {
			rereview = rereview || (dl.Name == "rereview_due" && dl.Status == "pending")
		}
		if !rereview {
			t.Fatalf("no re-review reminder (条例第18条): %+v", d.Deadlines)
		}
		returned := false
		for _, h := range d.History {
			if h.Action == "return" && h.ActorName == "陈法规" && strings.Contains(h.Data["opinion"], "过程性信息") {
				returned = true
			}
		}
		if !returned {
			t.Fatalf("history lacks the legal section's return with its opinion: %+v", d.History)
		}
		var pub struct{ Total int }
		s.mustDo(http.MethodGet, "/api/v1/public/documents?q=%E6%8B%9B%E6%A0%87", "", nil, http.StatusOK, &pub) // 招标
		if pub.Total != 0 {
			t.Fatal("a filed 不予公开 document reached the public search")
		}
	})

	t.Run("withdrawn", func(t *testing.T) {
		d := s.create("drafter", map[string]any{"title": "关于调整会议安排的通知", "body": "……", "attribute": "主动公开"})
		d = s.fire("drafter", d, "submit", nil)
		d = s.fire("drafter", d, "withdraw", nil)
		if d.State != "drafting" {
			t.Fatalf("after withdraw: %s", d.State)
		}
		// Once withdrawn, the unit head has nothing to act on.
		s.mustFail(http.MethodPost, pathf("/api/v1/documents/%d/transitions/approve", d.ID), "unithead",
			map[string]any{"version": d.Version}, http.StatusConflict, workflow.ETransitionNotAllowed)
	})

	n, problems, err := postgres.VerifyAudit(context.Background(), s.db)
	if err != nil || len(problems) != 0 || n == 0 {
		t.Fatalf("audit verify: %d events, problems %v, err %v", n, problems, err)
	}
}

// TestOtherUnitsDraftsAreInvisible: a drafter of one unit cannot read or act on another unit's
// drafts, and is told "not found", so existence does not leak.
func TestOtherUnitsDraftsAreInvisible(t *testing.T) {
	s := newStack(t)
	d := s.create("drafter", map[string]any{"title": "城建科的草稿", "attribute": "主动公开"})
	s.mustFail(http.MethodGet, pathf("/api/v1/documents/%d", d.ID), "drafter2", nil, http.StatusNotFound, workflow.ENotFound)
	s.mustFail(http.MethodPatch, pathf("/api/v1/documents/%d", d.ID), "drafter2", map[string]any{"version": 1, "title": "x"}, http.StatusNotFound, workflow.ENotFound)
	s.mustFail(http.MethodPost, pathf("/api/v1/documents/%d/transitions/submit", d.ID), "drafter2", map[string]any{}, http.StatusNotFound, workflow.ENotFound)
	var list struct{ Total int }
	s.mustDo(http.MethodGet, "/api/v1/documents", "drafter2", nil, http.StatusOK, &list)
	if list.Total != 0 {
		t.Fatalf("drafter2 lists %d documents of another unit", list.Total)
	}
	// Creating in another unit is forbidden.
	s.mustFail(http.MethodPost, "/api/v1/documents", "drafter2", map[string]any{"title": "x", "unit": "chengjian"}, http.StatusForbidden, workflow.EForbidden)
	// The unit head of chengjian sees it; the legal section (bureau-wide) too.
	s.mustDo(http.MethodGet, pathf("/api/v1/documents/%d", d.ID), "unithead", nil, http.StatusOK, nil)
	s.mustDo(http.MethodGet, pathf("/api/v1/documents/%d", d.ID), "legal", nil, http.StatusOK, nil)
}

// TestConcurrentTransitionsOneWins: many clients fire on one document at once; exactly one
// succeeds and the others get 409 with a clear message.
func TestConcurrentTransitionsOneWins(t *testing.T) {
	s := newStack(t)
	d := s.create("drafter", map[string]any{"title": "并发测试", "attribute": "主动公开"})
	d = s.fire("drafter", d, "submit", nil)
	const n = 30
	var wg sync.WaitGroup
	statuses := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := "approve"
			if i%2 == 1 {
				name = "return"
			}
			statuses[i], _ = s.do(http.MethodPost, pathf("/api/v1/documents/%d/transitions/%s", d.ID, name), "unithead",
				map[string]any{"version": d.Version, "input": map[string]string{"opinion": "并发"}})
		}()
	}
	wg.Wait()
	ok, conflict := 0, 0
	for _, st := range statuses {
		switch st {
		case http.StatusOK:
			ok++
		case http.StatusConflict:
			conflict++
		default:
			t.Errorf("unexpected status %d", st)
		}
	}
	if ok != 1 || conflict != n-1 {
		t.Fatalf("%d succeeded and %d conflicted, want 1 and %d", ok, conflict, n-1)
	}
}

// TestPublicNeverLeaks creates documents in every state and attribute and proves that only the
// published 主动公开 ones reach any public response (invariant 5).
func TestPublicNeverLeaks(t *testing.T) {
	s := newStack(t)
	const marker = "泄露检查"
	type made struct {
		id     int64
		public bool
	}
	var all []made
	newDoc := func(attr string, grounds ...string) docView {
		body := map[string]any{"title": marker + attr, "body": marker + "正文", "attribute": attr, "subject_category": "综合政务\\政务公开"}
		if len(grounds) > 0 {
			body["grounds"] = grounds
			body["grounds_explanation"] = "依法不予公开的理由说明，足够详细。"
		}
		if attr == "依申请公开" {
			body["grounds_explanation"] = "仅涉及特定企业的资质核查，不主动公开。"
		}
		return s.create("drafter", body)
	}
	for _, attr := range []string{"主动公开", "依申请公开", "不予公开"} {
		grounds := []string{}
		if attr == "不予公开" {
			grounds = []string{"art16_process"}
		}
		d := newDoc(attr, grounds...) // drafting
		all = append(all, made{d.ID, false})
		d = newDoc(attr, grounds...)
		d = s.fire("drafter", d, "submit", nil) // unit_review
		all = append(all, made{d.ID, false})
		d = newDoc(attr, grounds...)
		d = s.fire("drafter", d, "submit", nil)
		d = s.fire("unithead", d, "approve", nil) // legal_review or sign_off
		all = append(all, made{d.ID, false})
		d = newDoc(attr, grounds...)
		d = s.fire("drafter", d, "submit", nil)
		d = s.fire("unithead", d, "approve", nil)
		if attr != "主动公开" {
			d = s.fire("legal", d, "approve", map[string]string{"opinion": "同意"})
		}
		d = s.fire("leader", d, "sign", nil) // awaiting_publication or filed
		all = append(all, made{d.ID, false})
		if attr == "主动公开" {
			d = newDoc(attr)
			d = s.fire("drafter", d, "submit", nil)
			d = s.fire("unithead", d, "approve", nil)
			d = s.fire("leader", d, "sign", nil)
			d = s.fire("officer", d, "publish", map[string]string{"summary": "概述"})
			all = append(all, made{d.ID, true})
		}
	}
	// A published document whose facts were tampered to 不予公开 must disappear too: the query checks
	// the attribute, not only the state.
	var wantIDs []int64
	for _, m := range all {
		if m.public {
			wantIDs = append(wantIDs, m.id)
		}
	}
	var list struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
		Total int `json:"total"`
	}
	for _, q := range []string{"", "?q=" + "%E6%B3%84%E9%9C%B2", "?category=%E7%BB%BC%E5%90%88", "?validity=%E6%9C%89%E6%95%88", "?page_size=100"} {
		s.mustDo(http.MethodGet, "/api/v1/public/documents"+q, "", nil, http.StatusOK, &list)
		var got []int64
		for _, it := range list.Items {
			got = append(got, it.ID)
		}
		if !slices.Equal(got, wantIDs) || list.Total != len(wantIDs) {
			t.Fatalf("public list %q = %v (total %d), want %v", q, got, list.Total, wantIDs)
		}
	}
	for _, m := range all {
		status, body := s.do(http.MethodGet, pathf("/api/v1/public/documents/%d", m.id), "", nil)
		if m.public != (status == http.StatusOK) {
			t.Fatalf("public document %d: status %d (public=%v): %s", m.id, status, m.public, body)
		}
		if m.public {
			var raw map[string]any
			_ = json.Unmarshal(body, &raw)
			for _, k := range []string{"facts", "grounds", "created_by", "history"} {
				if _, ok := raw[k]; ok {
					t.Fatalf("public document shows internal field %q", k)
				}
			}
		}
	}
}

// TestLoginAndSessions covers the session endpoints and throttling of guessed passwords.
func TestLoginAndSessions(t *testing.T) {
	s := newStack(t)
	s.mustFail(http.MethodGet, "/api/v1/me", "", nil, http.StatusUnauthorized, workflow.EUnauthenticated)
	var me struct {
		Username string `json:"username"`
		Roles    []struct {
			Role string `json:"role"`
		} `json:"roles"`
	}
	s.mustDo(http.MethodGet, "/api/v1/me", "leader", nil, http.StatusOK, &me)
	if me.Username != "leader" || len(me.Roles) != 1 || me.Roles[0].Role != "leader" {
		t.Fatalf("me = %+v", me)
	}
	s.mustFail(http.MethodPost, "/api/v1/session", "", map[string]string{"username": "leader", "password": "wrong password"}, http.StatusUnauthorized, workflow.EUnauthenticated)
	for range 4 {
		s.do(http.MethodPost, "/api/v1/session", "", map[string]string{"username": "leader", "password": "wrong password"})
	}
	// After five failures even the right password is refused for the window.
	s.mustFail(http.MethodPost, "/api/v1/session", "", map[string]string{"username": "leader", "password": testPassword}, http.StatusTooManyRequests, workflow.ETooMany)
	// Logout ends the session.
	s.mustDo(http.MethodDelete, "/api/v1/session", "admin", nil, http.StatusNoContent, nil)
	s.mustFail(http.MethodGet, "/api/v1/me", "admin", nil, http.StatusUnauthorized, workflow.EUnauthenticated)
}

// TestBadInput: each kind of bad input gets its own 4xx code and a Chinese message, and nothing is
// half-written.
func TestBadInput(t *testing.T) {
	s := newStack(t)
	d := s.create("drafter", map[string]any{"title": "输入检查", "attribute": "主动公开"})
	docPath := pathf("/api/v1/documents/%d", d.ID)
	big := []byte(`{"title":"` + strings.Repeat("长", 70000) + `"}`)
	cases := []struct {
		name, method, path, user string
		body                     any
		status                   int
		code                     string
	}{
		{"unknown field", http.MethodPost, "/api/v1/documents", "drafter", map[string]any{"title": "x", "colour": "red"}, 400, workflow.EInvalid},
		{"wrong type", http.MethodPost, "/api/v1/documents", "drafter", map[string]any{"title": 42}, 400, workflow.EInvalid},
		{"not json", http.MethodPost, "/api/v1/documents", "drafter", []byte("title=x"), 400, workflow.EInvalid},
		{"two objects", http.MethodPost, "/api/v1/documents", "drafter", []byte(`{"title":"a"}{"title":"b"}`), 400, workflow.EInvalid},
		{"deep nesting", http.MethodPost, "/api/v1/documents", "drafter", []byte(strings.Repeat("[", 50) + strings.Repeat("]", 50)), 400, workflow.EInvalid},
		{"invalid utf-8", http.MethodPost, "/api/v1/documents", "drafter", []byte("{\"title\":\"\xff\xfe\"}"), 400, workflow.EInvalid},
		{"control characters", http.MethodPost, "/api/v1/documents", "drafter", map[string]any{"title": "a\u0007b"}, 400, workflow.EInvalid},
		{"empty title", http.MethodPost, "/api/v1/documents", "drafter", map[string]any{"title": "  "}, 400, workflow.EInvalid},
		{"bad attribute", http.MethodPost, "/api/v1/documents", "drafter", map[string]any{"title": "x", "attribute": "公开"}, 400, workflow.EInvalid},
		{"bad definition", http.MethodPost, "/api/v1/documents", "drafter", map[string]any{"title": "x", "definition": "request"}, 400, workflow.EInvalid},
		{"oversized body", http.MethodPost, "/api/v1/documents", "drafter", big, 413, workflow.ETooLarge},
		{"edit without version", http.MethodPatch, docPath, "drafter", map[string]any{"title": "新标题"}, 422, workflow.EInputMissing},
		{"stale version", http.MethodPatch, docPath, "drafter", map[string]any{"version": 99, "title": "新标题"}, 409, workflow.EConflict},
		{"unknown transition", http.MethodPost, docPath + "/transitions/teleport", "drafter", map[string]any{}, 400, workflow.EUnknownTransition},
		{"transition not allowed", http.MethodPost, docPath + "/transitions/publish", "officer", map[string]any{}, 409, workflow.ETransitionNotAllowed},
		{"stale transition", http.MethodPost, docPath + "/transitions/submit", "drafter", map[string]any{"version": 7}, 409, workflow.EConflict},
		{"negative id", http.MethodGet, "/api/v1/documents/-3", "drafter", nil, 404, workflow.ENotFound},
		{"huge page", http.MethodGet, "/api/v1/public/documents?page=99999999", "", nil, 400, workflow.EInvalid},
		{"bad year", http.MethodGet, "/api/v1/public/documents?year=abc", "", nil, 400, workflow.EInvalid},
		{"sql in search", http.MethodGet, "/api/v1/public/documents?q=%27%3B%20DROP%20TABLE%20documents%3B--", "", nil, 200, ""},
		{"unknown route", http.MethodGet, "/api/v1/nothing", "", nil, 404, workflow.ENotFound},
		{"wrong method", http.MethodDelete, "/api/v1/public/documents", "", nil, 405, workflow.EInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.code == "" {
				s.mustDo(c.method, c.path, c.user, c.body, c.status, nil)
				return
			}
			s.mustFail(c.method, c.path, c.user, c.body, c.status, c.code)
		})
	}
	var after docView
	s.mustDo(http.MethodGet, docPath, "drafter", nil, http.StatusOK, &after)
	if after.Version != d.Version || after.State != "drafting" {
		t.Fatalf("bad input changed the document: %+v", after)
	}
	var n int
	if err := s.db.GetContext(context.Background(), &n, `SELECT count(*) FROM documents`); err != nil || n != 1 {
		t.Fatalf("%d documents after bad creates (err %v), want 1", n, err)
	}
}

// TestChangingAttributeAfterApprovalNeedsReviewAgain: editing the attribute or grounds of a
// document the legal section approved withdraws that approval.
func TestChangingAttributeAfterApprovalNeedsReviewAgain(t *testing.T) {
	s := newStack(t)
	d := s.create("drafter", map[string]any{"title": "依申请公开文件", "attribute": "依申请公开",
		"grounds_explanation": "仅涉及特定企业的资质核查，与公众无直接关系。"})
	d = s.fire("drafter", d, "submit", nil)
	d = s.fire("unithead", d, "approve", nil)
	d = s.fire("legal", d, "approve", map[string]string{"opinion": "同意"})
	if !d.LegalApproved || d.State != "sign_off" {
		t.Fatalf("%+v", d)
	}
	d = s.fire("leader", d, "return", map[string]string{"opinion": "请再斟酌公开属性"})
	s.mustDo(http.MethodPatch, pathf("/api/v1/documents/%d", d.ID), "drafter", map[string]any{"version": d.Version, "attribute": "不予公开",
		"grounds": []string{"art15_third_party"}}, http.StatusOK, &d)
	if d.LegalApproved {
		t.Fatal("changing the attribute kept the legal approval")
	}
	d = s.fire("drafter", d, "submit", nil)
	d = s.fire("unithead", d, "approve", nil)
	if d.State != "legal_review" {
		t.Fatalf("changed attribute did not go back to legal review: %s", d.State)
	}
}

// TestTransitionAnswer: a transition answers where the document now stands and what the caller
// may do next, and nothing more; the full detail when the caller asks for it (?detail=full or
// Prefer: return=representation). The short answer's version is the one the next change needs.
func TestTransitionAnswer(t *testing.T) {
	s := newStack(t)
	d := s.create("drafter", map[string]any{"title": "应答测试", "attribute": "主动公开"})
	status, b := s.do(http.MethodPost, pathf("/api/v1/documents/%d/transitions/submit", d.ID), "drafter", map[string]any{"version": d.Version})
	if status != http.StatusOK {
		t.Fatalf("submit: %d %s", status, b)
	}
	var short map[string]any
	if err := json.Unmarshal(b, &short); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"history", "deadlines", "body", "blocked_transitions"} {
		if _, ok := short[k]; ok {
			t.Errorf("the short answer carries %q: %s", k, b)
		}
	}
	if short["state"] != "unit_review" || short["state_label"] == "" || int(short["version"].(float64)) != d.Version+1 {
		t.Fatalf("short answer: %s", b)
	}
	if av, _ := short["available_transitions"].([]any); len(av) != 1 || av[0].(map[string]any)["name"] != "withdraw" {
		t.Fatalf("short answer's available transitions: %s", b)
	}

	// The version of the short answer is the one the next transition takes; the full detail on ask.
	req, err := http.NewRequest(http.MethodPost, s.srv.URL+pathf("/api/v1/documents/%d/transitions/withdraw", d.ID),
		strings.NewReader(fmt.Sprintf(`{"version":%d}`, int(short["version"].(float64)))))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Prefer", "handling=strict, return=representation")
	resp, b := s.send(req, "drafter")
	var full docView
	if err := json.Unmarshal(b, &full); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("withdraw with Prefer: %d %s", resp.StatusCode, b)
	}
	if full.State != "drafting" || len(full.History) != 3 || full.History[2].Action != "withdraw" {
		t.Fatalf("full answer with Prefer: %s", b)
	}
	full = docView{}
	s.mustDo(http.MethodPost, pathf("/api/v1/documents/%d/transitions/submit?detail=full", d.ID), "drafter",
		map[string]any{"version": d.Version + 2}, http.StatusOK, &full)
	if full.State != "unit_review" || len(full.History) != 4 {
		t.Fatalf("full answer with ?detail=full: %+v", full)
	}
	s.mustFail(http.MethodPost, pathf("/api/v1/documents/%d/transitions/withdraw?detail=all", d.ID), "drafter",
		map[string]any{"version": d.Version + 3}, http.StatusBadRequest, workflow.EInvalid)
	n, problems, err := postgres.VerifyAudit(context.Background(), s.db)
	if err != nil || len(problems) != 0 || n == 0 {
		t.Fatalf("audit verify: %d events, problems %v, err %v", n, problems, err)
	}
}
