package web_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"wugongkai/workflow"
	"wugongkai/workflow/documents"
)

// TestAdminPagesRefuseBadInput: the admin's forms answer bad input with the page again, its
// Chinese message and nothing written; only the admin reaches them.
func TestAdminPagesRefuseBadInput(t *testing.T) {
	s := newStack(t)
	admin := s.login("admin")
	add := func(username, password, role, unit string) response {
		return admin.postForm("/console/admin/users", url.Values{"username": {username}, "name": {"赵某"}, "password": {password},
			"role": {role}, "unit": {unit}})
	}
	for _, c := range []struct {
		name, username, password, role, unit string
		status                               int
		want                                 string
	}{
		{"weak password", "zhao", "12345678", "drafter", "chengjian", http.StatusBadRequest, "密码不能是连续的数字或字母"},
		{"duplicate", "drafter", testPassword, "drafter", "chengjian", http.StatusConflict, "用户名“drafter”已被使用"},
		{"unknown unit", "zhao", testPassword, "drafter", "nosuch", http.StatusBadRequest, "科室“nosuch”不存在"},
		{"unknown role", "zhao", testPassword, "janitor", "chengjian", http.StatusBadRequest, "没有角色“janitor”"},
	} {
		r := add(c.username, c.password, c.role, c.unit)
		if r.status != c.status || !strings.Contains(r.body, c.want) {
			t.Errorf("%s: %d, want %d with %q", c.name, r.status, c.status, c.want)
		}
	}
	page := admin.get("/console/admin/users")
	mustContain(t, "users page", page.body, "暂无管理操作")
	if strings.Contains(page.body, "赵某") {
		t.Fatal("a refused account was added")
	}
	for _, who := range []string{"drafter", "officer"} {
		c := s.login(who)
		for _, p := range []string{"/console/admin/users", "/console/admin/units", "/console/admin/calendar", "/console/admin/audit"} {
			if r := c.get(p); r.status != http.StatusForbidden {
				t.Errorf("%s %s: %d, want 403", who, p, r.status)
			}
		}
		if strings.Contains(c.get("/console").body, "系统管理") {
			t.Errorf("%s sees the admin link", who)
		}
	}

	// Units.
	if r := admin.postForm("/console/admin/units", url.Values{"action": {"add"}, "code": {"chengjian"}, "name": {"重复"}}); r.status != http.StatusConflict {
		t.Fatalf("duplicate unit: %d", r.status)
	}
	if r := admin.postForm("/console/admin/units", url.Values{"action": {"rename"}, "code": {"fangchan"}, "name": {"房地产市场科"}}); r.status != http.StatusSeeOther {
		t.Fatalf("rename: %d %s", r.status, r.body)
	}
	mustContain(t, "units page", admin.get("/console/admin/units?done=rename").body, "科室已改名", "房地产市场科")

	// A year in force: the differences, a confirmation form, nothing changed.
	y2026 := "year: 2026\nsource: 更正通知\nholidays:\n  - {name: 国庆节, from: 2026-10-01, to: 2026-10-08}\nworkdays: []\n"
	r := admin.postForm("/console/admin/calendar", url.Values{"file_name": {"2026.yaml"}, "source": {y2026}})
	if r.status != http.StatusConflict {
		t.Fatalf("unconfirmed upload: %d", r.status)
	}
	mustContain(t, "calendar confirmation", r.body, "2026 年的节假日安排已在使用", "新增休息日", "2026-10-08 国庆节",
		"不再休息", "2026-01-01 元旦", "确认替换并重算待办期限")
	if w, _ := s.engine.Calendar().IsWorkingDay(mustDate(t, "2026-10-08")); !w {
		t.Fatal("the unconfirmed upload changed the calendar")
	}
	r = admin.postForm("/console/admin/calendar", url.Values{"file_name": {"2027.yaml"}, "source": {"year: 2027\nsource: x\nholidays:\n  - {name: 春节, from: 2027-02-10, to: 2027-02-01}\n"}})
	if r.status != http.StatusBadRequest {
		t.Fatalf("bad calendar: %d", r.status)
	}
	mustContain(t, "bad calendar", r.body, "2027.yaml:4: 节假日「春节」的结束日期 2027-02-01 早于开始日期 2027-02-10")
	r = admin.postForm("/console/admin/calendar", url.Values{"file_name": {"2026.yaml"}, "source": {y2026}, "confirm": {"1"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("confirmed upload: %d %s", r.status, r.body)
	}
	mustContain(t, "after upload", admin.get(r.header.Get("Location")).body, "2026 年的节假日安排已生效", "更正通知")
	if w, _ := s.engine.Calendar().IsWorkingDay(mustDate(t, "2026-10-08")); w {
		t.Fatal("the confirmed upload did not change the calendar")
	}

	// The admin log names every change; the audit verification passes.
	mustContain(t, "admin log", admin.get("/console/admin/users").body, "科室改名", "before=房产科", "after=房地产市场科", "上传节假日安排")
	mustContain(t, "audit page", admin.get("/console/admin/audit?run=1").body, "校验通过")
}

func mustDate(t *testing.T, s string) workflow.Date {
	t.Helper()
	d, err := workflow.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestAdminCataloguePages: an import with a bad file shows each problem as file:line and changes
// nothing; the item page saves a new version and retires the item, which the public catalogue
// no longer lists.
func TestAdminCataloguePages(t *testing.T) {
	s := newStack(t)
	admin := s.login("admin")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	w, _ := mw.CreateFormFile("file", "extra.yaml")
	w.Write([]byte("area: 通用事项\nitems:\n  - code: TY-01\n    level1: 机构信息\n"))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/console/admin/catalogue", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", s.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	r := admin.do(req)
	if r.status != http.StatusBadRequest {
		t.Fatalf("bad import: %d", r.status)
	}
	mustContain(t, "bad import", r.body, "未能导入", "extra.yaml:3: 事项 TY-01 缺少 level2（二级事项）", "编码、领域、一级事项")

	page := admin.get("/console/admin/catalogue/TY-01")
	mustContain(t, "item page", page.body, "第 1 版", "保存新版本", "停用事项", "机构职能")
	form := url.Values{"action": {"edit"}, "area": {"通用事项"}, "level1": {"机构信息"}, "level2": {"机构职能"},
		"content": {"机构名称\r\n主要职能"}, "basis": {"《中华人民共和国政府信息公开条例》第二十条"}, "time_limit": {"信息形成或者变更之日起20个工作日内"},
		"subject": {"本机关办公室"}, "channels": {"政府网站"}, "audience": {"全社会"}, "mode": {"主动"}, "category": {"宣传"}}
	if r := admin.postForm("/console/admin/catalogue/TY-01", form); r.status != http.StatusBadRequest || !strings.Contains(r.body, "五公开类别“宣传”") {
		t.Fatalf("bad edit: %d", r.status)
	}
	form.Set("category", "管理")
	r = admin.postForm("/console/admin/catalogue/TY-01", form)
	if r.status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", r.status, r.body)
	}
	mustContain(t, "after edit", admin.get(r.header.Get("Location")).body, "已保存：新版本 TY-01", "第 2 版")
	r = admin.postForm("/console/admin/catalogue/TY-01", url.Values{"action": {"retire"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("retire: %d %s", r.status, r.body)
	}
	mustContain(t, "after retire", admin.get(r.header.Get("Location")).body, "已保存：停用 TY-01", "停用（已使用它的文件照常显示）")
	if strings.Contains(s.anon().get("/catalogue").body, "TY-01") {
		t.Fatal("the portal still lists the retired item")
	}
	mustContain(t, "admin log", admin.get("/console/admin/users").body, "停用目录事项", "修改目录事项", "version_after=2")
}

// TestCalendarUploadRecountsDeadlines: a publication deadline counted provisionally into a year
// with no calendar is recounted when the admin uploads that year; the page says how many.
func TestCalendarUploadRecountsDeadlines(t *testing.T) {
	s := newStack(t)
	years := s.engine.Calendar().Years()
	last := years[len(years)-1]
	if d := time.Date(last, 12, 15, 10, 0, 0, 0, workflow.Shanghai).Sub(s.clock.Now()); d > 0 {
		s.clock.Advance(d)
	}
	d := s.mustCreate("drafter", documents.Draft{Title: str("跨年的公开期限"), Body: str("正文"), Attribute: str("主动公开")})
	s.mustFire(d, [2]string{"drafter", "submit"}, [2]string{"unithead", "approve"}, [2]string{"leader", "sign"})
	officer := s.login("officer")
	mustContain(t, "before", officer.get(fmt.Sprintf("/console/documents/%d", d.ID)).body, "暂定")

	admin := s.login("admin")
	next := fmt.Sprintf("year: %d\nsource: 国务院办公厅关于%d年部分节假日安排的通知\nholidays:\n  - {name: 元旦, from: %d-01-01, to: %d-01-03}\nworkdays: []\n",
		last+1, last+1, last+1, last+1)
	r := admin.postForm("/console/admin/calendar", url.Values{"file_name": {fmt.Sprintf("%d.yaml", last+1)}, "source": {next}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	page := admin.get(r.header.Get("Location")).body
	mustContain(t, "after upload", page, fmt.Sprintf("%d 年的节假日安排已生效", last+1))
	if strings.Contains(page, "已重算 0 个") || !strings.Contains(page, "个待办期限") {
		t.Fatalf("no deadline recounted: %s", page)
	}
	mustNotContain(t, "after", officer.get(fmt.Sprintf("/console/documents/%d", d.ID)).body, "暂定")
}
