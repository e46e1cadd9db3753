package httpapi_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"wugongkai/internal/testkit"
	"wugongkai/workflow"
)

// signedOnRequest takes a 依申请公开 document through review and sign-off: it ends available on
// request.
func (s *stack) signedOnRequest(title, no, summary string) docView {
	s.t.Helper()
	d := s.create("drafter", map[string]any{"title": title, "doc_number": no, "summary": summary, "attribute": "依申请公开",
		"grounds_explanation": "仅涉及特定企业的资质核查，与公众无直接关系。"})
	d = s.fire("drafter", d, "submit", nil)
	d = s.fire("unithead", d, "approve", nil)
	d = s.fire("legal", d, "approve", map[string]string{"opinion": "同意"})
	d = s.fire("leader", d, "sign", nil)
	if d.State != "available_on_request" {
		s.t.Fatalf("signed 依申请公开 document is %s", d.State)
	}
	return d
}

type onRequestList struct {
	Items []struct {
		ID       int64  `json:"id"`
		Title    string `json:"title"`
		Unit     string `json:"unit"`
		SignedOn string `json:"signed_on"`
		Reason   string `json:"reason"`
		Citation string `json:"citation"`
		LinkedBy string `json:"linked_by"`
	} `json:"items"`
}

func (l onRequestList) ids() []int64 {
	var out []int64
	for _, d := range l.Items {
		out = append(out, d.ID)
	}
	return out
}

// TestRequestAnsweredWithDocumentAvailableOnRequest: the officer finds a signed 依申请公开
// document by words of its 文号 and summary, links it to a request and answers citing it; the
// document lists the request. Linking a draft, another organisation's document, or to an answered
// request is refused with a Chinese problem and a stable code, and writes nothing; a drafter can
// neither search nor link.
func TestRequestAnsweredWithDocumentAvailableOnRequest(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	permit := s.signedOnRequest("城市道路挖掘许可台账", "许城建〔2026〕7号", "2025年度道路挖掘许可的企业名单")
	draft := s.create("drafter", map[string]any{"title": "城市道路挖掘许可台账（修订稿）", "attribute": "依申请公开",
		"grounds_explanation": "仅涉及特定企业。"})
	foreign := testkit.ForeignDocument(t, s.db, "available_on_request", "城市道路挖掘许可台账")

	var found onRequestList
	s.mustDo(http.MethodGet, "/api/v1/on-request-documents?q=%E6%8C%96%E6%8E%98+7%E5%8F%B7", "officer", nil, http.StatusOK, &found) // 挖掘 7号
	if !slices.Equal(found.ids(), []int64{permit.ID}) || found.Items[0].Unit != "城建科" || found.Items[0].SignedOn == "" ||
		!strings.Contains(found.Items[0].Reason, "资质核查") || found.Items[0].Citation != "《城市道路挖掘许可台账》（许城建〔2026〕7号）" {
		t.Fatalf("search found %+v", found)
	}
	s.mustFail(http.MethodGet, "/api/v1/on-request-documents?q=x", "drafter", nil, http.StatusForbidden, workflow.EForbidden)

	r := s.register("2026-03-03", "in_person", application("natural", 1))
	links := pathf("/api/v1/requests/%d/documents", r.ID)
	rows := func() int {
		var n int
		if err := s.db.GetContext(ctx, &n, `SELECT (SELECT count(*) FROM request_documents) + (SELECT count(*) FROM audit_events)`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := rows()
	for _, c := range []struct {
		name   string
		docs   []int64
		status int
		code   string
	}{
		{"a draft", []int64{permit.ID, draft.ID}, http.StatusBadRequest, workflow.EInvalid},
		{"another organisation's", []int64{foreign.ID}, http.StatusBadRequest, workflow.EInvalid},
		{"none", nil, http.StatusBadRequest, workflow.EInvalid},
	} {
		p := s.mustFail(http.MethodPost, links, "officer", map[string]any{"document_ids": c.docs}, c.status, c.code)
		if !strings.Contains(p.Detail, "文件") {
			t.Errorf("%s: detail %q", c.name, p.Detail)
		}
	}
	s.mustFail(http.MethodPost, links, "drafter", map[string]any{"document_ids": []int64{permit.ID}}, http.StatusForbidden, workflow.EForbidden)
	if rows() != before {
		t.Fatal("a refused link wrote")
	}

	var linked onRequestList
	s.mustDo(http.MethodPost, links, "officer", map[string]any{"document_ids": []int64{permit.ID}}, http.StatusOK, &linked)
	if !slices.Equal(linked.ids(), []int64{permit.ID}) || linked.Items[0].LinkedBy != "周公开" {
		t.Fatalf("linked %+v", linked)
	}
	r = s.request(r.ID)
	r = s.act("2026-03-04", "officer", r, "accept", nil)
	cite := linked.Items[0].Citation
	r = s.act("2026-03-05", "officer", r, "answer", map[string]string{"outcome": "三(一)", "reply_letter": "现将" + cite + "提供给您。"})
	if r.State != "answered" {
		t.Fatalf("answered request is %s", r.State)
	}
	var citing struct {
		Items []struct {
			ID        int64  `json:"id"`
			ReceiptNo string `json:"receipt_no"`
			Outcome   string `json:"outcome"`
		} `json:"items"`
	}
	s.mustDo(http.MethodGet, pathf("/api/v1/documents/%d/requests", permit.ID), "officer", nil, http.StatusOK, &citing)
	if len(citing.Items) != 1 || citing.Items[0].ID != r.ID || citing.Items[0].Outcome != "三(一)" {
		t.Fatalf("document answered %+v", citing)
	}
	var history struct {
		History []struct {
			Action string            `json:"action"`
			Data   map[string]string `json:"data"`
		} `json:"history"`
	}
	s.mustDo(http.MethodGet, pathf("/api/v1/requests/%d", r.ID), "officer", nil, http.StatusOK, &history)
	if !slices.ContainsFunc(history.History, func(h struct {
		Action string            `json:"action"`
		Data   map[string]string `json:"data"`
	}) bool {
		return h.Action == "link_document" && h.Data["document"] == cite
	}) {
		t.Errorf("request history does not record the link: %+v", history.History)
	}

	before = rows()
	s.mustFail(http.MethodPost, links, "officer", map[string]any{"document_ids": []int64{permit.ID}}, http.StatusConflict, workflow.EClosed)
	if rows() != before {
		t.Fatal("a link to an answered request wrote")
	}
}
