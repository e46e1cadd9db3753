package web_test

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"wugongkai/workflow"
)

// TestPortalCategoryLabel: the two-level 主题分类, stored with a backslash, reads
// "城乡建设、环境保护 › 住房保障" on the document page and as the Atom category label; the Atom term
// keeps the stored value.
func TestPortalCategoryLabel(t *testing.T) {
	s := newStack(t)
	d := s.mustPublished("分类显示测试", "正文")
	c := s.anon()
	r := c.get(fmt.Sprintf("/documents/%d", d.ID))
	if r.status != http.StatusOK {
		t.Fatalf("document: status %d", r.status)
	}
	mustContain(t, "document", r.body, "城乡建设、环境保护 › 住房保障")
	mustNotContain(t, "document", r.body, `城乡建设、环境保护\住房保障`)

	r = c.get("/feeds/documents.atom")
	var feed struct {
		Entries []struct {
			Category struct {
				Term  string `xml:"term,attr"`
				Label string `xml:"label,attr"`
			} `xml:"category"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(r.body), &feed); err != nil {
		t.Fatalf("feed is not XML: %v", err)
	}
	if len(feed.Entries) != 1 {
		t.Fatalf("feed has %d entries, want 1", len(feed.Entries))
	}
	got := feed.Entries[0].Category
	if got.Label != "城乡建设、环境保护 › 住房保障" || got.Term != `城乡建设、环境保护\住房保障` {
		t.Errorf("feed category = %+v", got)
	}
	if strings.Contains(r.body, `label="城乡建设、环境保护\`) {
		t.Errorf("feed label keeps the backslash")
	}
}

// TestRequestFormAllErrors: the public request form answers an incomplete application with every
// missing or invalid field at once, each message beside its field and listed at the top with a
// link to the field; what was typed is kept and nothing is stored.
func TestRequestFormAllErrors(t *testing.T) {
	s := newStack(t)
	before := s.requestCount()
	form := applicationValues()
	for _, k := range []string{"name", "id_number", "description"} {
		form.Del(k)
	}
	form.Set("email", "not-an-address")
	r := s.anon().postForm("/requests", form)
	if r.status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", r.status)
	}
	mustContain(t, "answer", r.body, "4 处需要补充或更正", `<a href="#name">请填写申请人姓名</a>`,
		`<a href="#id_number">请填写身份证明`, `<a href="#email">电子邮箱格式不正确</a>`, `<a href="#description">请描述所需政府信息`,
		`id="name-error"`, `id="id_number-error"`, `id="email-error"`, `id="description-error"`, `value="13812345678"`)
	if n := strings.Count(r.body, `aria-invalid="true"`); n != 4 {
		t.Errorf("%d fields marked invalid, want 4", n)
	}
	if s.requestCount() != before {
		t.Errorf("a refused application was stored")
	}

	// One problem: the message alone, no list.
	form = applicationValues()
	form.Del("description")
	r = s.anon().postForm("/requests", form)
	mustContain(t, "one problem", r.body, "请描述所需政府信息", `id="description-error"`)
	mustNotContain(t, "one problem", r.body, "处需要补充或更正")
}

// TestPortalColumns: the portal's first-level columns (国办公开办函〔2019〕61号): the office's
// 政府信息公开指南 and 政府信息公开制度, kept in the console with an optimistic version by the
// disclosure office only; the 年度报告 column with final reports only (a draft is never shown),
// each with its tables and an XLSX; the human 网站地图; and the footer's identifiers and
// 我为政府网站找错 link on every portal page.
func TestPortalColumns(t *testing.T) {
	s := newStack(t)
	anon := s.anon()
	r := anon.get("/guide")
	if r.status != http.StatusOK {
		t.Fatalf("guide: status %d", r.status)
	}
	mustContain(t, "guide", r.body, "<h1 class=\"doc-title\">政府信息公开指南</h1>", "依申请公开", `href="/guide" aria-current="page"`,
		`href="/rules"`, `href="/reports"`, `href="/sitemap"`, "网站标识码：4110000001", "豫ICP备12345678号",
		`href="https://zfwzzc.www.gov.cn/" id="error-report"`, "我为政府网站找错")
	mustNotContain(t, "guide", r.body, "公网安备")
	mustContain(t, "rules", anon.get("/rules").body, "<h1 class=\"doc-title\">政府信息公开制度</h1>")

	// The office edits the guide; a second edit from the same stale form is refused.
	officer := s.login("officer")
	r = officer.get("/console/portal-texts/guide")
	if r.status != http.StatusOK {
		t.Fatalf("edit page: status %d", r.status)
	}
	mustContain(t, "edit page", r.body, `name="version" value="0"`, `<label for="body">`, "尚未保存")
	guide := "一、受理机构：测试市住房和城乡建设局办公室。\n二、办公时间：工作日上午9:00至12:00。"
	r = officer.postForm("/console/portal-texts/guide", url.Values{"version": {"0"}, "body": {guide}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("save: status %d\n%s", r.status, excerpt(r.body))
	}
	mustContain(t, "saved", officer.get("/console/portal-texts/guide?done=saved").body, "已保存（第 1 版）", `name="version" value="1"`)
	r = officer.postForm("/console/portal-texts/guide", url.Values{"version": {"0"}, "body": {"过时的修改"}})
	if r.status != http.StatusConflict {
		t.Fatalf("stale save: status %d", r.status)
	}
	mustContain(t, "stale save", r.body, "他人已修改", "过时的修改", "最新为第 1 版")
	r = officer.postForm("/console/portal-texts/guide", url.Values{"version": {"1"}, "body": {"  "}})
	if r.status != http.StatusBadRequest {
		t.Fatalf("empty save: status %d", r.status)
	}
	mustContain(t, "empty save", r.body, `id="body-error"`, "请填写政府信息公开指南的内容")
	r = anon.get("/guide")
	mustContain(t, "guide after edit", r.body, "<p>一、受理机构：测试市住房和城乡建设局办公室。</p>", "<p>二、办公时间：工作日上午9:00至12:00。</p>")
	mustNotContain(t, "guide after edit", r.body, "过时的修改")
	if r := s.login("drafter").get("/console/portal-texts/guide"); r.status != http.StatusForbidden {
		t.Errorf("drafter edits the guide: status %d, want 403", r.status)
	}
	if r := anon.postForm("/console/portal-texts/guide", url.Values{"version": {"1"}, "body": {"x"}}); r.status != http.StatusUnauthorized {
		t.Errorf("anonymous save: status %d, want 401", r.status)
	}
	if r := officer.get("/console/portal-texts/other"); r.status != http.StatusNotFound {
		t.Errorf("unknown text: status %d, want 404", r.status)
	}

	// Annual reports: a draft never shows; the final one does, with its tables and the XLSX.
	year := workflow.DateOf(s.clock.Now()).Year
	last := year - 1
	r = anon.get("/reports")
	mustContain(t, "reports before", r.body, "暂无已发布的年度报告")
	for _, y := range []int{last, year} {
		if r := anon.get(fmt.Sprintf("/reports/%d", y)); r.status != http.StatusNotFound {
			t.Errorf("draft report %d: status %d, want 404", y, r.status)
		}
		if r := anon.get(fmt.Sprintf("/reports/%d/xlsx", y)); r.status != http.StatusNotFound {
			t.Errorf("draft report %d xlsx: status %d, want 404", y, r.status)
		}
	}
	if r := officer.postForm(fmt.Sprintf("/console/reports/%d/final", last), url.Values{"confirm": {"yes"}}); r.status != http.StatusSeeOther {
		t.Fatalf("finalise: status %d\n%s", r.status, excerpt(r.body))
	}
	r = anon.get("/reports")
	mustContain(t, "reports", r.body, fmt.Sprintf(`<a href="/reports/%d">%s%d年政府信息公开工作年度报告</a>`, last, testOrg, last),
		fmt.Sprintf(`href="/reports/%d/xlsx"`, last))
	mustNotContain(t, "reports", r.body, fmt.Sprintf(`href="/reports/%d"`, year))
	r = anon.get(fmt.Sprintf("/reports/%d", last))
	if r.status != http.StatusOK {
		t.Fatalf("final report: status %d", r.status)
	}
	mustContain(t, "final report", r.body, "一、总体情况", "收到和处理政府信息公开申请情况", "<table", `id="report-xlsx"`)
	r = anon.get(fmt.Sprintf("/reports/%d/xlsx", last))
	if r.status != http.StatusOK || !strings.HasPrefix(r.body, "PK") || !strings.Contains(r.header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("xlsx: status %d, type %s", r.status, r.header.Get("Content-Type"))
	}
	if r := anon.get(fmt.Sprintf("/reports/%d", year)); r.status != http.StatusNotFound {
		t.Errorf("this year's draft: status %d, want 404", r.status)
	}

	r = anon.get("/sitemap")
	mustContain(t, "sitemap", r.body, "<h1>网站地图</h1>", `<a href="/guide">政府信息公开指南</a>`, `<a href="/rules">政府信息公开制度</a>`,
		`<a href="/reports">政府信息公开工作年度报告</a>`, `<a href="/consultations">征求意见</a>`, `<a href="/requests/new">依申请公开</a>`)
	mustContain(t, "xml sitemap", anon.get("/sitemap.xml").body, s.srv.URL+"/guide<", s.srv.URL+"/reports<")
}

// TestAbsoluteLinks: the Atom feeds and the sitemap link to the configured public base URL, and
// without one to the scheme and host the request came with — never to a fixed address.
func TestAbsoluteLinks(t *testing.T) {
	s := newStack(t)
	d := s.mustPublished("地址测试", "正文")
	page := fmt.Sprintf("/documents/%d", d.ID)
	getAs := func(host, path string) string {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, s.srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		r := s.anon().do(req)
		if r.status != http.StatusOK {
			t.Fatalf("%s via %s: status %d", path, host, r.status)
		}
		return r.body
	}
	for _, host := range []string{"www.example.gov.cn", "gk.example.gov.cn:8443"} {
		for _, path := range []string{"/feeds/documents.atom", "/feeds/consultations.atom", "/sitemap.xml"} {
			body := getAs(host, path)
			mustContain(t, path, body, "http://"+host+"/")
			mustNotContain(t, path, body, s.srv.URL, "127.0.0.1")
		}
		mustContain(t, "feed", getAs(host, "/feeds/documents.atom"), "http://"+host+page)
	}
	s.site.BaseURL = "https://zwgk.example.gov.cn"
	for _, path := range []string{"/feeds/documents.atom", "/feeds/consultations.atom", "/sitemap.xml"} {
		body := getAs("www.example.gov.cn", path)
		mustContain(t, path, body, "https://zwgk.example.gov.cn/")
		mustNotContain(t, path, body, "www.example.gov.cn", "127.0.0.1")
	}
}
