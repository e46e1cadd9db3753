package web_test

import (
	"regexp"
	"strconv"
	"testing"

	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

var reReceiptNo = regexp.MustCompile(`YSQ-[0-9]+-[0-9]+`)

// TestBrowserRequestWalk: a citizen files the public request form in the browser, first without
// an identity number (the form comes back with the message and what was typed), then properly,
// and keeps the receipt; the disclosure office finds the request on its desk, accepts it and
// answers it with an outcome, and records a reconsideration case about it.
func TestBrowserRequestWalk(t *testing.T) {
	s := newStack(t)
	citizen, officer := newPerson(t, s, "citizen"), newPerson(t, s, "officer")

	citizen.visit("/", 200)
	citizen.press(`//nav//a[text()="依申请公开"]`, 200)
	citizen.see("政府信息公开申请表", "20 个工作日", "不在网站公开")
	citizen.shot("31-request-form")
	// An empty form is answered with every missing field at once, each beside its field.
	citizen.press("#request-submit", 400)
	citizen.see("申请未能提交", "处需要补充或更正", "请选择申请人类型", "请填写申请人姓名", "请填写身份证明",
		"请至少填写一种联系方式", "请描述所需政府信息")
	if n := citizen.count(`[aria-invalid="true"]`); n < 5 {
		t.Errorf("%d fields marked invalid, want every missing one", n)
	}
	citizen.shot("31a-request-form-errors")
	citizen.setValue("applicant_type", "natural")
	citizen.typeInto("name", "郑市民")
	citizen.setValue("id_type", requests.IDResidentCard)
	citizen.typeInto("phone", "13712345678")
	citizen.typeInto("address", "测试市解放路8号")
	citizen.setValue("description", "2025年城市道路维修计划\n包括路段名称和计划工期")
	citizen.pick(`input[name="form"][value="纸质"]`)
	citizen.pick(`input[name="delivery"][value="邮寄"]`)
	citizen.press("#request-submit", 400)
	citizen.see("申请未能提交", "请填写身份证明")
	if got := citizen.value("name"); got != "郑市民" {
		t.Fatalf("name after refusal: %q", got)
	}
	if got := citizen.value("description"); got != "2025年城市道路维修计划\n包括路段名称和计划工期" {
		t.Fatalf("description after refusal: %q", got)
	}
	citizen.typeInto("id_number", testIDNumber)
	citizen.press("#request-submit", 200)
	citizen.see("政府信息公开申请已提交", "受理编号", "预计答复期限", "接下来")
	citizen.shot("32-request-receipt")
	no := citizen.text()
	m := reReceiptNo.FindStringSubmatch(no)
	if m == nil {
		t.Fatalf("no receipt number on the page:\n%s", excerpt(no))
	}
	no = m[0]

	officer.login("officer")
	officer.press(`//nav//a[text()="依申请公开"]`, 200)
	officer.see(no, "2025年城市道路维修计划", "郑**")
	officer.notSee("郑市民", testIDNumber)
	officer.shot("33-request-desk")
	officer.press(`//a[text()="`+no+`"]`, 200)
	officer.see("郑市民", testIDNumber, "答复期限", "计算方法")
	officer.shot("34-request-page")
	officer.press("#req-act-accept-submit", 200)
	officer.see("已完成“确认申请内容明确”", "办理中")
	officer.setValue("req-act-answer-outcome", "三(一)")
	officer.setValue("req-act-answer-reply_letter", "经审查，您申请的信息属于可以公开的政府信息，现予提供。")
	officer.press("#req-act-answer-submit", 200)
	officer.see("已答复", "予以公开", "现予提供")

	officer.press("#case-link", 200)
	officer.see("登记案件", no)
	officer.setValue("kind", requests.CaseReconsideration)
	officer.typeInto("organ", "测试市人民政府")
	officer.setValue("filed_on", workflow.DateOf(s.clock.Now()).String())
	officer.shot("35-cases")
	officer.press("#case-submit", 200)
	officer.see("案件已登记", "尚未审结", no)
	officer.shot("36-case")

	officer.press(`//nav//a[text()="依申请公开"]`, 200)
	officer.press("#register-link", 200)
	officer.see("登记政府信息公开申请", "签收日期")
	officer.shot("37-request-register")

	// The citizen follows the answered request from the receipt number and their phone number.
	citizen.visit("/requests/status?no="+no, 200)
	citizen.typeInto("contact", "13712345678")
	citizen.press(`//button[text()="查询"]`, 200)
	citizen.see(no, "已答复", "予以公开", "答复书按您申请时选择的方式送达")
	citizen.notSee("郑市民", testIDNumber, "现予提供")
	citizen.shot("38-request-status")

	// The year's report counts the answered request in Table 三.
	year := workflow.DateOf(s.clock.Now()).Year
	officer.press(`//nav//a[text()="年度报告"]`, 200)
	officer.press(`//a[@href="/console/reports/`+strconv.Itoa(year)+`"]`, 200)
	officer.see("政府信息公开工作年度报告", "收到和处理政府信息公开申请情况", "予以公开")
	officer.shot("39-annual-report")
}
