package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"wugongkai/internal/postgres"
	"wugongkai/internal/testkit"
	"wugongkai/workflow/accounts"
)

// addHead creates the head of unit and reloads the policy.
func (s *stack) addHead(name, display, unit string) {
	s.t.Helper()
	ctx := context.Background()
	hash, err := accounts.HashPassword(testkit.Password)
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.store.Accounts.CreateUser(ctx, postgres.User{Username: name, DisplayName: display, PasswordHash: hash},
		[]postgres.RoleAssignment{{Role: "unit_head", Unit: unit}}); err != nil {
		s.t.Fatal(err)
	}
	if err := s.enf.Reload(ctx); err != nil {
		s.t.Fatal(err)
	}
}

// TestCountersignPages: the drafter names co-units in the editor (not the drafting unit); the
// document page shows each co-unit's countersign and gives the approve and return buttons to the
// co-unit heads still to approve, not to the drafting unit's head.
func TestCountersignPages(t *testing.T) {
	s := newStack(t)
	s.addHead("fangchanhead", "房产科长", "fangchan")
	s.addHead("faguihead", "法规科长", "fagui")
	drafter, head, fangchan, fagui := s.login("drafter"), s.login("unithead"), s.login("fangchanhead"), s.login("faguihead")

	mustContain(t, "editor", drafter.get("/console/documents/new").body, "会签科室", `name="co_units" value="fangchan"`)
	form := url.Values{"definition": {"document"}, "unit": {"chengjian"}, "title": {"关于联合开展物业整治的通知"}, "body": {"正文"},
		"attribute": {"主动公开"}, "doc_kind": {"其他公文"}, "co_units": {"fangchan", "chengjian"}}
	r := drafter.postForm("/console/documents", form)
	if r.status != http.StatusBadRequest {
		t.Fatalf("the drafting unit as a co-unit: status %d", r.status)
	}
	mustContain(t, "drafting unit refused", r.body, "会签科室不能是承办科室本身", `name="co_units" value="fangchan" checked`)
	form["co_units"] = []string{"fangchan", "fagui"}
	r = drafter.postForm("/console/documents", form)
	m := reDocID.FindStringSubmatch(r.header.Get("Location"))
	if r.status != http.StatusSeeOther || m == nil {
		t.Fatalf("create: status %d: %s", r.status, excerpt(r.body))
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	page := "/console/documents/" + m[1]
	fire := func(c *client, name string, form url.Values) {
		t.Helper()
		form.Set("version", mustVersion(t, c.get(page).body))
		if r := c.postForm(page+"/transitions/"+name, form); r.status != http.StatusSeeOther {
			t.Fatalf("%s: %d: %s", name, r.status, excerpt(r.body))
		}
	}
	fire(drafter, "submit", url.Values{})
	fire(head, "approve", url.Values{})
	buttons := []string{"/transitions/approve\"", "/transitions/return\""}
	for _, c := range []*client{fangchan, fagui} {
		mustContain(t, "co-unit head", c.get(page).body, append(buttons, `id="countersign"`, "房产科", "法规科", "待会签")...)
	}
	mustNotContain(t, "drafting unit head", head.get(page).body, buttons...)

	fire(fagui, "approve", url.Values{})
	mustContain(t, "after one approval", drafter.get(page).body, "已同意（法规科长）", "待会签", "会签")
	mustNotContain(t, "approved co-unit", fagui.get(page).body, "/transitions/approve\"")
	mustContain(t, "pending co-unit", fangchan.get(page).body, buttons...)
	fire(fangchan, "return", url.Values{"opinion": {"请补充我科意见"}})
	if d := mustDoc(t, s, id); d.State != "drafting" {
		t.Fatalf("after the send-back: %s", d.State)
	}
}
