package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
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
		body := c.get(page).body
		mustContain(t, "co-unit head", body, append(buttons, `id="countersign"`, "房产科", "法规科", "待会签")...)
		if a, b := countersignDue(body, "房产科"), countersignDue(body, "法规科"); a != "待办" || b != "待办" {
			t.Fatalf("co-unit deadlines on the page: %q %q, want both pending", a, b)
		}
	}
	mustNotContain(t, "drafting unit head", head.get(page).body, buttons...)

	fire(fagui, "approve", url.Values{})
	after := drafter.get(page).body
	mustContain(t, "after one approval", after, "已同意（法规科长）", "待会签", "会签")
	if a, b := countersignDue(after, "房产科"), countersignDue(after, "法规科"); a != "待办" || b != "已取消" {
		t.Fatalf("co-unit deadlines after fagui approved: %q %q, want fangchan's alone pending", a, b)
	}
	mustNotContain(t, "approved co-unit", fagui.get(page).body, "/transitions/approve\"")
	mustContain(t, "pending co-unit", fangchan.get(page).body, buttons...)
	fire(fangchan, "return", url.Values{"opinion": {"请补充我科意见"}})
	if d := mustDoc(t, s, id); d.State != "drafting" {
		t.Fatalf("after the send-back: %s", d.State)
	}
	back := drafter.get(page).body
	if a, b := countersignDue(back, "房产科"), countersignDue(back, "法规科"); a != "已取消" || b != "已取消" {
		t.Fatalf("co-unit deadlines after the send-back: %q %q, want both cancelled", a, b)
	}
}

// countersignDue returns the status the document page shows of the countersign deadline of the
// co-unit called unit, or "" when it shows none.
func countersignDue(body, unit string) string {
	m := regexp.MustCompile(`会签期限（` + unit + `）：[0-9-]+</span> <span class="muted">（([^）]+)）`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestBrowserCountersign walks a joint document in the browser: the drafter ticks two co-units
// in the editor; after the unit head's approval each co-unit head finds it in their 待办, sees
// the countersign panel and the parallel step in the flow diagram, and approves; it reaches
// sign-off only after both.
func TestBrowserCountersign(t *testing.T) {
	s := newStack(t)
	s.addHead("fangchanhead", "房产科长", "fangchan")
	s.addHead("faguihead", "法规科长", "fagui")
	drafter, head := newPerson(t, s, "drafter"), newPerson(t, s, "unithead")
	title := "关于联合开展老旧小区物业整治的通知"

	drafter.login("drafter")
	drafter.press(`//nav//a[text()="起草公文"]`, 200)
	drafter.typeInto("title", title)
	drafter.setValue("body", "各有关单位：\n现就联合开展老旧小区物业整治通知如下。")
	drafter.pick(`input[name="attribute"][value="主动公开"]`)
	drafter.pick(`input[name="co_units"][value="fangchan"]`)
	drafter.pick(`input[name="co_units"][value="fagui"]`)
	drafter.shot("countersign-01-editor")
	drafter.press("#save", 200)
	drafter.see("草稿已创建", "会签", "房产科：待会签", "法规科：待会签")
	drafter.press(`//form[contains(@action,"/transitions/submit")]//button`, 200)
	head.login("unithead")
	head.press(`//table[@id="tasks"]//a[text()="`+title+`"]`, 200)
	head.press(`//form[contains(@action,"/transitions/approve")]//button`, 200)
	head.see("已完成“审核通过”", "当前环节：会签")

	for i, who := range []string{"faguihead", "fangchanhead"} {
		p := newPerson(t, s, who)
		p.login(who)
		p.press(`//table[@id="tasks"]//a[text()="`+title+`"]`, 200)
		p.see("各科室并行", "退回修改")
		if i == 0 {
			p.shot("countersign-02-co-unit")
		}
		p.press(`//form[contains(@action,"/transitions/approve")]//button`, 200)
		p.see("已完成“审核通过”")
	}
	drafter.visit("/console/documents", 200)
	drafter.press(`//a[text()="`+title+`"]`, 200)
	drafter.see("当前环节：待签发", "房产科：已同意（房产科长）", "法规科：已同意（法规科长）")
}
