package httpapi_test

import (
	"net/http"
	"slices"
	"testing"

	"wugongkai/internal/postgres"
	"wugongkai/workflow"
)

// TestJointDocumentAPI: a draft names its co-units (会签); the API refuses the drafting unit and
// an unknown unit in Chinese, shows each co-unit's status, lets each co-unit's head approve (the
// drafting unit's head may not) and moves the document on only when both have.
func TestJointDocumentAPI(t *testing.T) {
	s := newStack(t)
	s.addUser("fangchanhead", "房产科长", postgres.RoleAssignment{Role: "unit_head", Unit: "fangchan"})
	s.addUser("faguihead", "法规科长", postgres.RoleAssignment{Role: "unit_head", Unit: "fagui"})
	body := func(co ...string) map[string]any {
		return map[string]any{"title": "关于联合开展物业整治的通知", "body": "正文", "attribute": "主动公开", "co_units": co}
	}
	for _, bad := range [][]string{{"chengjian"}, {"fagui", "nosuch"}} {
		p := s.mustFail(http.MethodPost, "/api/v1/documents", "drafter", body(bad...), http.StatusBadRequest, workflow.EInvalid)
		if !hasHan(p.Detail) {
			t.Fatalf("co-units %v refused without a Chinese reason: %+v", bad, p)
		}
	}
	d := s.create("drafter", body("fangchan", "fagui"))
	d = s.fire("drafter", d, "submit", nil)
	d = s.fire("unithead", d, "approve", nil)
	type coUnit struct {
		Unit       string `json:"unit"`
		Approved   bool   `json:"approved"`
		ApprovedBy string `json:"approved_by"`
	}
	status := func(user string) []coUnit {
		var out struct {
			State   string   `json:"state"`
			CoUnits []coUnit `json:"co_units"`
		}
		s.mustDo(http.MethodGet, pathf("/api/v1/documents/%d", d.ID), user, nil, http.StatusOK, &out)
		if out.State != "countersign" && out.State != "sign_off" {
			t.Fatalf("state %s", out.State)
		}
		return out.CoUnits
	}
	if got := status("faguihead"); !slices.Equal(got, []coUnit{{Unit: "fangchan"}, {Unit: "fagui"}}) {
		t.Fatalf("co-units before the countersign: %+v", got)
	}
	// Each co-unit head's 待办 holds the document, due on its unit's countersign deadline.
	for _, head := range [][2]string{{"fangchanhead", "fangchan"}, {"faguihead", "fagui"}} {
		tasks := s.tasks(head[0])
		i := slices.IndexFunc(tasks, func(v taskView) bool { return v.ID == d.ID })
		if i < 0 {
			t.Fatalf("%s's tasks lack the document: %+v", head[0], tasks)
		}
		j := slices.IndexFunc(tasks[i].Deadlines, func(dl taskDeadline) bool { return dl.Name == "countersign_due."+head[1] && dl.Unit == head[1] })
		if j < 0 || tasks[i].DueDate == "" || tasks[i].DueDate != tasks[i].Deadlines[j].DueDate {
			t.Fatalf("%s's task: %+v, want it due on the unit's countersign deadline", head[0], tasks[i])
		}
	}
	s.mustFail(http.MethodPost, pathf("/api/v1/documents/%d/transitions/approve", d.ID), "unithead",
		map[string]any{"version": d.Version}, http.StatusForbidden, workflow.EForbidden)
	d = s.fire("faguihead", s.get("faguihead", d), "approve", nil)
	if d.State != "countersign" || s.get("faguihead", d).can("approve") || !s.get("fangchanhead", d).can("approve") {
		t.Fatalf("after one approval: %s", d.State)
	}
	if got := status("drafter"); !slices.Equal(got, []coUnit{{Unit: "fangchan"}, {Unit: "fagui", Approved: true, ApprovedBy: "法规科长"}}) {
		t.Fatalf("co-units after one approval: %+v", got)
	}
	if d = s.fire("fangchanhead", d, "approve", nil); d.State != "sign_off" {
		t.Fatalf("after both approvals: %s, want sign_off", d.State)
	}
}
