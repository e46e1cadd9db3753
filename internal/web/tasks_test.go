package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"wugongkai/workflow"
)

// TestDashboardHoldsRequests checks the console's 我的待办 shows what the 待办 use case answers: a
// request filed on the portal is in the officer's with its reply deadline and reminder, an extension
// waiting for a decision in the head's, each linking to the request's page.
func TestDashboardHoldsRequests(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	if r := s.anon().postForm("/requests", applicationValues()); r.status != http.StatusOK {
		t.Fatalf("submit: status %d: %s", r.status, excerpt(r.body))
	}
	m := reRequestReceipt.FindStringSubmatch(s.anon().postForm("/requests", with(applicationValues(), "description", "请公开2025年城市道路维修计划")).body)
	if m == nil {
		t.Fatal("second request not filed")
	}
	req := s.requestByNo(m[1])
	officer := s.login("officer")
	r := officer.get("/console")
	mustContain(t, "officer's 待办", r.body, m[1], "请公开2025年城市道路维修计划", "政府信息公开申请", "已收到",
		fmt.Sprintf(`href="/console/requests/%d"`, req.ID), "答复期限（提醒）：", "答复期限：", "确认申请内容明确")
	mustNotContain(t, "officer's 待办", r.body, "赵小明", "目前没有等待您办理的事项")

	head := s.login("head")
	mustContain(t, "head's 待办", head.get("/console").body, "目前没有等待您办理的事项")
	got, err := s.reqs.Fire(ctx, s.actor("officer"), req.ID, req.Version, "accept", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err = s.reqs.Fire(ctx, s.actor("officer"), got.ID, got.Version, "request_extension",
		workflow.Input{"extension_days": "10", "extension_reason": "需调取档案"}); err != nil {
		t.Fatal(err)
	}
	r = head.get("/console")
	mustContain(t, "head's 待办", r.body, m[1], "延期待批准", fmt.Sprintf(`href="/console/requests/%d"`, req.ID), "答复期限：")
	mustNotContain(t, "head's 待办", r.body, "目前没有等待您办理的事项")
}
