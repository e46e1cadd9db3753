package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"wugongkai/workflow"
)

// TestBrowserAnnualReportAndGuide: in Chromium, last year's annual report is not on the portal
// while it is a draft (the 年度报告 column says there is none, its page answers 404) and is once the
// office has finalised it, with its tables as HTML and a link to the XLSX that serves the
// spreadsheet. The 政府信息公开指南 the office saves in the console is what the portal's guide shows.
func TestBrowserAnnualReportAndGuide(t *testing.T) {
	s := newStack(t)
	last := workflow.DateOf(s.clock.Now()).Year - 1
	citizen := newPerson(t, s, "citizen")
	citizen.visit("/reports", 200)
	citizen.see("暂无已发布的年度报告")
	citizen.visit(fmt.Sprintf("/reports/%d", last), 404)

	if r := s.login("officer").postForm(fmt.Sprintf("/console/reports/%d/final", last), url.Values{"confirm": {"yes"}}); r.status != 303 {
		t.Fatalf("finalise last year's report: status %d", r.status)
	}
	citizen.visit("/reports", 200)
	citizen.press(fmt.Sprintf(`a[href="/reports/%d"]`, last), 200)
	citizen.see(fmt.Sprintf("%d年政府信息公开工作年度报告", last), "一、总体情况", "收到和处理政府信息公开申请情况", "下载本报告表格（XLSX）")
	if n := citizen.count("#report-tables table"); n < 3 {
		t.Fatalf("the report shows %d tables, want those of parts 二 to 四", n)
	}
	href := citizen.attr("#report-xlsx", "href")
	r := s.anon().get(strings.TrimPrefix(href, s.srv.URL))
	if r.status != 200 || !strings.HasPrefix(r.body, "PK") || !strings.Contains(r.header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("the XLSX link %s: status %d, type %s", href, r.status, r.header.Get("Content-Type"))
	}

	officer := newPerson(t, s, "officer")
	officer.login("officer")
	officer.visit("/console/portal-texts/guide", 200)
	officer.setValue("body", "一、政府信息公开工作机构\n办公地址：测试市人民路1号\n办公时间：工作日上午9:00—12:00")
	officer.press("#text-submit", 200)
	officer.see("已保存")
	citizen.visit("/guide", 200)
	citizen.see("办公地址：测试市人民路1号", "办公时间：工作日上午9:00—12:00")
}
