package web_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserAdminAddsUserWhoActsAtOnce: the admin adds an account in the console and gives it a
// second role; the new user signs in and drafts at once, and has the new role on the next page
// without anyone restarting anything. Then the admin disables the account: the user's open
// session ends at once.
func TestBrowserAdminAddsUserWhoActsAtOnce(t *testing.T) {
	s := newStack(t)
	admin, zhao := newPerson(t, s, "admin"), newPerson(t, s, "zhao")
	admin.login("admin")
	admin.press(`//nav//a[text()="系统管理"]`, 200)
	admin.see("添加账号", "管理日志")
	admin.typeInto("new-username", "zhao")
	admin.typeInto("new-name", "赵新人")
	admin.typeInto("new-password", "12345678")
	admin.setValue("new-role", "drafter")
	admin.setValue("new-unit", "chengjian")
	admin.press("#add-user-submit", 400)
	admin.see("密码不能是连续的数字或字母")
	admin.typeInto("new-password", testPassword)
	admin.setValue("new-role", "drafter")
	admin.setValue("new-unit", "chengjian")
	admin.press("#add-user-submit", 200)
	admin.see("已添加账号 zhao", "赵新人", "起草人（城建科）", "添加账号")
	admin.shot("40a-admin-users")

	zhao.login("zhao")
	zhao.press(`//nav//a[text()="起草公文"]`, 200)
	zhao.typeInto("title", "新同事的第一份草稿")
	zhao.setValue("body", "正文。")
	zhao.pick(`input[name="attribute"][value="主动公开"]`)
	zhao.press("#save", 200)
	zhao.see("草稿已创建", "起草中")
	zhao.notSee("公开发布台")

	admin.press(`//table[@id="accounts"]//a[text()="zhao"]`, 200)
	admin.setValue("grant-role", "disclosure_officer")
	admin.press("#grant-submit", 200)
	admin.see("角色已分配", "政务公开办（全局）")
	admin.shot("40b-admin-user")
	zhao.press(`//nav//a[text()="我的待办"]`, 200)
	zhao.see("公开发布台")

	admin.press("#disable", 200)
	admin.see("账号已停用", "已停用")
	zhao.visit("/console/documents", 401)
	zhao.see("登录已过期")
}

// TestBrowserCalendarUploadAsksBeforeReplacing: an upload for a year in force shows the
// differences and changes nothing; confirmed, the year is replaced and in force.
func TestBrowserCalendarUploadAsksBeforeReplacing(t *testing.T) {
	s := newStack(t)
	file := filepath.Join(t.TempDir(), "2026.yaml")
	src := "year: 2026\nsource: 国务院办公厅通知（更正）\nholidays:\n  - {name: 元旦, from: 2026-01-01, to: 2026-01-03}\n" +
		"  - {name: 国庆节, from: 2026-10-01, to: 2026-10-08}\nworkdays:\n  - {date: 2026-10-10, name: 国庆节调休上班}\n"
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	admin := newPerson(t, s, "admin")
	admin.login("admin")
	admin.visit("/console/admin/calendar", 200)
	admin.see("上传节假日安排", "在用的年份", "配置文件")
	admin.do("choose the file", chromedp.SetUploadFiles(chromedp.ID("calendar-file"), []string{file}))
	admin.press("#upload-submit", 409)
	admin.see("2026 年的节假日安排已在使用：请核对差异", "新增休息日：2026-10-08 国庆节", "不再休息：", "2026-02-15 春节")
	admin.shot("41-admin-calendar-confirm")
	if w, _ := s.engine.Calendar().IsWorkingDay(mustDate(t, "2026-10-08")); !w {
		t.Fatal("the calendar changed before the confirmation")
	}
	admin.press("#confirm-submit", 200)
	admin.see("2026 年的节假日安排已生效", "国务院办公厅通知（更正）")
	if w, _ := s.engine.Calendar().IsWorkingDay(mustDate(t, "2026-10-08")); w {
		t.Fatal("the confirmed upload is not in force")
	}
}
