package web_test

import (
	"strconv"
	"strings"
	"testing"
)

// TestBrowserAnswerWithDocumentAvailableOnRequest: a signed 依申请公开 document is offered on the
// request desk (issue 13). The officer finds it on the request's page by a word of its title, links
// it, answers 予以公开 with the reply letter the page offers citing it, and the document's page
// shows the request it answered.
func TestBrowserAnswerWithDocumentAvailableOnRequest(t *testing.T) {
	s := newStack(t)
	d, r := s.mustOnRequestDocument(), s.mustRequest()
	officer := newPerson(t, s, "officer")
	officer.login("officer")
	officer.visit("/console/requests/"+strconv.FormatInt(r.ID, 10), 200)
	officer.see("答复所依据的依申请公开文件", "尚未关联文件")
	officer.typeInto("doc-q", "道路挖掘")
	officer.press("#doc-search", 200)
	officer.see("城市道路挖掘许可台账", "测建〔2026〕7号", "城建科", "与公众无直接关系")
	officer.shot("34a-request-on-request-search")
	officer.pick("#doc-pick-" + strconv.FormatInt(d.ID, 10))
	officer.press("#onrequest-link-submit", 200)
	cite := "《城市道路挖掘许可台账》（测建〔2026〕7号）"
	officer.see("已完成“关联依申请公开文件”", cite)
	if got := officer.value("req-act-answer-reply_letter"); !strings.Contains(got, cite) {
		t.Fatalf("reply letter offered %q, want it to cite %s", got, cite)
	}
	officer.setValue("req-act-answer-outcome", "三(一)")
	officer.press("#req-act-answer-submit", 200)
	officer.see("已答复", "予以公开", "随本答复书一并提供", cite)
	officer.notSee("查找已签发的依申请公开文件")
	officer.shot("34b-request-answered-with-document")

	officer.press(`//table[@id="onrequest-linked"]//a`, 200)
	officer.see("据本文件答复的政府信息公开申请", r.ReceiptNo)
}
