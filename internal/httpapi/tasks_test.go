package httpapi_test

import (
	"net/http"
	"slices"
	"testing"
)

type taskView struct {
	Kind       string `json:"kind"`
	KindLabel  string `json:"kind_label"`
	ID         int64  `json:"id"`
	Title      string `json:"title"`
	StateLabel string `json:"state_label"`
	ReceiptNo  string `json:"receipt_no"`
	DueDate    string `json:"due_date"`
	Available  []struct {
		Name string `json:"name"`
	} `json:"available_transitions"`
	Deadlines []taskDeadline `json:"deadlines"`
}

// taskDeadline is a deadline of a 待办 item as the API answers it.
type taskDeadline struct {
	Name    string `json:"name"`
	DueDate string `json:"due_date"`
	Unit    string `json:"unit"`
}

func (s *stack) tasks(user string) []taskView {
	s.t.Helper()
	var out struct {
		Items []taskView `json:"items"`
	}
	s.mustDo(http.MethodGet, "/api/v1/tasks", user, nil, http.StatusOK, &out)
	return out.Items
}

// TestTasksHoldRequests checks GET /api/v1/tasks answers the 待办 use case: a new request is in the
// officer's with its reply deadline and reminder, and an extension waiting for a decision is in the
// head's (it answered {"items":[]}).
func TestTasksHoldRequests(t *testing.T) {
	s := newStack(t)
	r := s.register("2026-03-02", "in_person", application("natural", 1))
	s.at("2026-03-03")
	officer := s.tasks("officer")
	i := slices.IndexFunc(officer, func(v taskView) bool { return v.Kind == "request" && v.ID == r.ID })
	if i < 0 {
		t.Fatalf("officer's tasks lack request %s: %+v", r.ReceiptNo, officer)
	}
	it := officer[i]
	var names []string
	for _, dl := range it.Deadlines {
		names = append(names, dl.Name)
	}
	if it.KindLabel != "政府信息公开申请" || it.ReceiptNo != r.ReceiptNo || it.StateLabel != "已收到" || it.DueDate != r.ReplyDue ||
		!slices.Equal(names, []string{"reply_due.remind", "reply_due"}) || len(it.Available) == 0 {
		t.Fatalf("officer's request task: %+v", it)
	}
	if head := s.tasks("head"); len(head) != 0 {
		t.Fatalf("head's tasks before any extension: %+v", head)
	}
	r = s.act("2026-03-03", "officer", r, "accept", nil)
	r = s.act("2026-03-03", "officer", r, "request_extension", map[string]string{"extension_days": "10", "extension_reason": "需调取档案"})
	head := s.tasks("head")
	if len(head) != 1 || head[0].ID != r.ID || head[0].StateLabel != "延期待批准" || head[0].DueDate == "" ||
		!slices.ContainsFunc(head[0].Available, func(a struct {
			Name string `json:"name"`
		}) bool {
			return a.Name == "approve_extension"
		}) {
		t.Fatalf("head's tasks: %+v", head)
	}
}
