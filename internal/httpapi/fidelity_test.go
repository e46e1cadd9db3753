package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"wugongkai/workflow"
)

// TestShortenedPeriodFloorAndBlocked: a decision draft says what is missing before it can be
// submitted, beside available_transitions; a shortened period has a floor (7 days by default)
// whatever the reason, refused with a Chinese 422; a drafter sees nothing of the steps of other
// roles.
func TestShortenedPeriodFloorAndBlocked(t *testing.T) {
	s := newStack(t)
	opens := time.Now().Add(24 * time.Hour).Truncate(time.Minute)
	var d docView
	s.mustDo(http.MethodPost, "/api/v1/documents", "drafter", map[string]any{"definition": "decision", "title": "缩短期限测试（征求意见稿）",
		"body": "第一条 正文", "attribute": "主动公开", "opens_at": opens, "closes_at": opens.Add(20 * 24 * time.Hour)}, http.StatusCreated, &d)
	if len(d.Available) != 0 || !strings.Contains(d.reason("submit"), "征求意见期少于 30 日且未说明缩短理由") {
		t.Fatalf("a 20-day period without a reason: available %+v, blocked %+v", d.Available, d.Blocked)
	}
	if !strings.Contains(d.reason("submit_exempt"), "未标为依法不予公开") || len(d.Blocked) != 2 {
		t.Fatalf("blocked %+v", d.Blocked)
	}

	// Six minutes with a reason: under the floor.
	s.mustDo(http.MethodPatch, pathf("/api/v1/documents/%d", d.ID), "drafter", map[string]any{"version": d.Version,
		"closes_at": opens.Add(6 * time.Minute), "shortening_reason": "时间紧迫"}, http.StatusOK, &d)
	if r := d.reason("submit"); !strings.Contains(r, "不得少于 7 日") {
		t.Fatalf("a 6-minute period: blocked %+v", d.Blocked)
	}
	p := s.mustFail(http.MethodPost, pathf("/api/v1/documents/%d/transitions/submit", d.ID), "drafter",
		map[string]any{"version": d.Version}, http.StatusUnprocessableEntity, workflow.EGuardFailed)
	if !strings.Contains(p.Detail, "不得少于 7 日") || p.Details["reason"] != "period_below_floor" {
		t.Fatalf("submit under the floor: %+v", p)
	}

	// Seven days with the reason: submitted; the unit head sees the approval, the drafter nothing
	// blocked but the withdrawal available.
	s.mustDo(http.MethodPatch, pathf("/api/v1/documents/%d", d.ID), "drafter", map[string]any{"version": d.Version,
		"closes_at": opens.Add(7 * 24 * time.Hour)}, http.StatusOK, &d)
	if len(d.Available) != 1 || d.Available[0].Name != "submit" {
		t.Fatalf("a 7-day period with a reason: available %+v, blocked %+v", d.Available, d.Blocked)
	}
	s.mustDo(http.MethodPost, pathf("/api/v1/documents/%d/transitions/submit?detail=full", d.ID), "drafter",
		map[string]any{"version": d.Version}, http.StatusOK, &d)
	if d.State != "unit_review" || len(d.Blocked) != 0 {
		t.Fatalf("after submit: %+v", d)
	}
	var head docView
	s.mustDo(http.MethodGet, pathf("/api/v1/documents/%d", d.ID), "unithead", nil, http.StatusOK, &head)
	if len(head.Blocked) != 0 || len(head.Available) != 2 {
		t.Fatalf("unit head: %+v", head)
	}
}

// TestListsAndHistoryLabels: the staff list carries state_label and the body; the unit head's
// approval reads 审核通过 in the API history, the legal section's 审查通过.
func TestListsAndHistoryLabels(t *testing.T) {
	s := newStack(t)
	d := s.create("drafter", map[string]any{"title": "关于列表的请示", "body": "局领导：列表正文。", "attribute": "不予公开",
		"grounds": []string{"art16_process"}, "grounds_explanation": "向局领导报送的请示，属于过程性信息。"})
	d = s.fire("drafter", d, "submit", nil)
	d = s.fire("unithead", d, "approve", nil)
	s.fire("legal", d, "approve", map[string]string{"opinion": "不予公开理由成立"})
	var v docView
	s.mustDo(http.MethodGet, pathf("/api/v1/documents/%d", d.ID), "legal", nil, http.StatusOK, &v)
	var labels []string
	for _, h := range v.History {
		if h.Action == "approve" {
			labels = append(labels, h.Label)
		}
	}
	if strings.Join(labels, ",") != "审核通过,审查通过" {
		t.Fatalf("approval labels %v, want 审核通过 then 审查通过", labels)
	}

	var list struct {
		Items []map[string]any `json:"items"`
	}
	s.mustDo(http.MethodGet, "/api/v1/documents", "drafter", nil, http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0]["state_label"] != "待签发" || list.Items[0]["body"] != "局领导：列表正文。" {
		t.Fatalf("list: %+v", list.Items)
	}
	// The 待办 does not read bodies, and says nothing of one rather than "body":"".
	var tasks struct {
		Items []map[string]any `json:"items"`
	}
	s.mustDo(http.MethodGet, "/api/v1/tasks", "leader", nil, http.StatusOK, &tasks)
	if len(tasks.Items) != 1 || tasks.Items[0]["state_label"] != "待签发" {
		t.Fatalf("tasks: %+v", tasks.Items)
	}
	if b, ok := tasks.Items[0]["body"]; ok {
		t.Fatalf("task item claims body %q", b)
	}
}
