package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"wugongkai/workflow"
	"wugongkai/workflow/documents"
	"wugongkai/workflow/requests"
)

// mustOnRequestDocument creates a 依申请公开 document and takes it through review and sign-off: it
// ends available on request.
func (s *stack) mustOnRequestDocument() documents.Document {
	s.t.Helper()
	d := s.mustCreate("drafter", documents.Draft{Title: str("城市道路挖掘许可台账"), Body: str("台账正文"), Attribute: str("依申请公开"),
		GroundsExplanation: str("仅涉及特定企业的许可事项，与公众无直接关系。"), DocNumber: str("测建〔2026〕7号"), Summary: str("2025年度道路挖掘许可的企业名单")})
	d = s.mustFire(d, [2]string{"drafter", "submit"}, [2]string{"unithead", "approve"}, [2]string{"legal", "approve"},
		[2]string{"leader", "sign"})
	if d.State != "available_on_request" {
		s.t.Fatalf("signed 依申请公开 document is %s", d.State)
	}
	return d
}

// mustRequest files a request on the public form.
func (s *stack) mustRequest() requests.Request {
	s.t.Helper()
	r, err := s.reqs.Submit(context.Background(), requests.Application{ApplicantType: "natural", Name: "郑市民",
		IDType: requests.IDResidentCard, IDNumber: testIDNumber, Phone: "13712345678", Description: "2025年道路挖掘许可的企业名单",
		Form: "纸质", Delivery: "自行领取"}, "198.51.100.7")
	if err != nil {
		s.t.Fatal(err)
	}
	return r
}

// TestLinkRefusals: on the request page, linking a document that is not available on request or
// to an answered request shows the page again with a Chinese message and the error status, and
// writes nothing; someone who does not handle requests is refused and sees no search.
func TestLinkRefusals(t *testing.T) {
	s := newStack(t)
	d, r := s.mustOnRequestDocument(), s.mustRequest()
	draft := s.mustCreate("drafter", documents.Draft{Title: str("道路挖掘修订稿"), Attribute: str("依申请公开")})
	page := "/console/requests/" + strconv.FormatInt(r.ID, 10)
	links := func() int {
		var n int
		if err := s.db.GetContext(context.Background(), &n, `SELECT count(*) FROM request_documents`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	officer, head := s.login("officer"), s.login("head")
	resp := officer.postForm(page+"/documents", url.Values{"document_id": {strconv.FormatInt(draft.ID, 10)}})
	if resp.status != http.StatusBadRequest {
		t.Fatalf("linking a draft: %d", resp.status)
	}
	mustContain(t, "draft refused", resp.body, "不是已签发的依申请公开文件", `id="onrequest-error"`, "郑市民")
	if resp := officer.postForm(page+"/documents", url.Values{"document_id": {"x"}}); resp.status != http.StatusBadRequest {
		t.Errorf("linking %q: %d", "x", resp.status)
	}
	if resp := head.get(page + "?doc_q=挖掘"); resp.status != http.StatusOK {
		t.Fatalf("head reads the request: %d", resp.status)
	} else {
		mustNotContain(t, "head's page", resp.body, `id="doc-q"`, "城市道路挖掘许可台账")
	}
	if links() != 0 {
		t.Fatal("a refused link wrote")
	}

	if _, err := s.reqs.Fire(context.Background(), s.actor("officer"), r.ID, 0, "answer",
		workflow.Input{"outcome": "三(四)1", "reply_letter": "本机关不掌握相关政府信息。"}); err != nil {
		t.Fatal(err)
	}
	resp = officer.postForm(page+"/documents", url.Values{"document_id": {strconv.FormatInt(d.ID, 10)}})
	if resp.status != http.StatusConflict {
		t.Fatalf("linking to an answered request: %d", resp.status)
	}
	mustContain(t, "answered request refused", resp.body, "申请已办结，不能再关联文件")
	if links() != 0 {
		t.Fatal("a link to an answered request wrote")
	}
}
