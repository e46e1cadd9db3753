package web_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"wugongkai/internal/httpkit"
	"wugongkai/workflow"
	"wugongkai/workflow/documents"
)

// TestPortal checks the public pages: the list with its columns, filters, search and paging, a
// document's metadata table, the feed and the sitemap, and that nothing unpublished shows.
func TestPortal(t *testing.T) {
	s := newStack(t)
	pub := s.mustPublished("关于住房租赁补贴发放的通知", "为做好住房租赁补贴发放工作，现通知如下。\n一、补贴对象。")
	other := s.mustPublished("城镇老旧小区改造实施方案", "老旧小区改造的范围和标准。")
	draft := s.mustCreate("drafter", documents.Draft{Title: str("尚未公开的住房草稿"), Body: str("住房租赁补贴草稿"), Attribute: str("主动公开")})
	withheld := s.mustCreate("drafter", documents.Draft{Title: str("不予公开的住房请示"), Body: str("住房租赁补贴请示"),
		Attribute: str("不予公开"), Grounds: &[]string{"art16_process"}, GroundsExplanation: str("本件为内部请示，属于过程性信息。")})
	withheld = s.mustFire(withheld, [2]string{"drafter", "submit"}, [2]string{"unithead", "approve"}, [2]string{"legal", "approve"},
		[2]string{"leader", "sign"})
	if withheld.State != "filed" {
		t.Fatalf("withheld document in %s", withheld.State)
	}
	secret := []string{draft.Title, withheld.Title}
	c := s.anon()

	t.Run("list", func(t *testing.T) {
		r := c.get("/")
		if r.status != http.StatusOK {
			t.Fatalf("status %d", r.status)
		}
		mustContain(t, "list", r.body, `lang="zh-CN"`, testOrg, "索引号", "发文字号", "成文日期", "发布日期", "有效性",
			pub.Title, other.Title, "测建〔2026〕1号", "11411000MB1234567X/", `href="/documents/`+strconv.FormatInt(pub.ID, 10)+`"`,
			`<link rel="alternate" type="application/atom+xml"`, `href="/feeds/documents.atom"`, `<label for="q">`)
		mustNotContain(t, "list", r.body, secret...)
	})
	t.Run("search", func(t *testing.T) {
		r := c.get("/?q=" + url.QueryEscape("租赁补贴"))
		mustContain(t, "search", r.body, pub.Title, "共 <strong>1</strong> 条")
		mustNotContain(t, "search", r.body, other.Title)
		mustNotContain(t, "search", r.body, secret...)
	})
	t.Run("filters", func(t *testing.T) {
		year := workflow.DateOf(pub.PublishedAt).Year
		for _, tc := range []struct {
			query     string
			want, not []string
		}{
			{"validity=" + url.QueryEscape("有效"), []string{pub.Title, other.Title}, nil},
			{"validity=" + url.QueryEscape("废止"), nil, []string{pub.Title, other.Title}},
			{"category=" + url.QueryEscape("城乡建设、环境保护"), []string{pub.Title}, nil},
			{"category=" + url.QueryEscape("综合政务"), nil, []string{pub.Title}},
			{fmt.Sprintf("year=%d", year), []string{pub.Title}, nil},
			{fmt.Sprintf("year=%d", year-1), nil, []string{pub.Title}},
		} {
			t.Run(tc.query, func(t *testing.T) {
				r := c.get("/?" + tc.query)
				if r.status != http.StatusOK {
					t.Fatalf("status %d", r.status)
				}
				mustContain(t, tc.query, r.body, tc.want...)
				mustNotContain(t, tc.query, r.body, tc.not...)
			})
		}
	})
	t.Run("bad parameters", func(t *testing.T) {
		for _, q := range []string{"year=12", "validity=x", "page=0"} {
			r := c.get("/?" + q)
			if r.status != http.StatusBadRequest {
				t.Errorf("%s: status %d, want 400", q, r.status)
			}
			mustContain(t, q, r.body, `role="alert"`)
		}
	})
	t.Run("document", func(t *testing.T) {
		r := c.get(fmt.Sprintf("/documents/%d", pub.ID))
		if r.status != http.StatusOK {
			t.Fatalf("status %d", r.status)
		}
		mustContain(t, "document", r.body, "索引号", "主题分类", "发文机关", "成文日期", "发文字号", "发布日期", "有效性", "公开方式",
			"城乡建设、环境保护 › 住房保障", testOrg, "主动公开", "一、补贴对象。")
	})
	t.Run("unpublished documents are not found", func(t *testing.T) {
		for _, id := range []int64{draft.ID, withheld.ID, 999999} {
			r := c.get(fmt.Sprintf("/documents/%d", id))
			if r.status != http.StatusNotFound {
				t.Errorf("document %d: status %d, want 404", id, r.status)
			}
			mustContain(t, "not found", r.body, "文件不存在或尚未公开")
			mustNotContain(t, "not found", r.body, secret...)
		}
	})
	t.Run("feed", func(t *testing.T) {
		r := c.get("/feeds/documents.atom")
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/atom+xml") {
			t.Fatalf("status %d, type %s", r.status, r.header.Get("Content-Type"))
		}
		var feed struct {
			Title   string `xml:"title"`
			Entries []struct {
				Title string `xml:"title"`
				Link  struct {
					Href string `xml:"href,attr"`
				} `xml:"link"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal([]byte(r.body), &feed); err != nil {
			t.Fatalf("feed is not XML: %v", err)
		}
		if len(feed.Entries) != 2 {
			t.Fatalf("feed has %d entries, want 2: %s", len(feed.Entries), r.body)
		}
		mustContain(t, "feed", r.body, pub.Title, fmt.Sprintf("%s/documents/%d", s.srv.URL, pub.ID))
		mustNotContain(t, "feed", r.body, secret...)
	})
	t.Run("sitemap", func(t *testing.T) {
		r := c.get("/sitemap.xml")
		var set struct {
			URLs []struct {
				Loc string `xml:"loc"`
			} `xml:"url"`
		}
		if err := xml.Unmarshal([]byte(r.body), &set); err != nil {
			t.Fatalf("sitemap is not XML: %v", err)
		}
		if len(set.URLs) != 9 {
			t.Errorf("sitemap has %d URLs, want 9 (home, the columns 网站地图/标准目录/指南/制度/年度报告, consultations and two documents)", len(set.URLs))
		}
		mustContain(t, "sitemap", r.body, fmt.Sprintf("%s/documents/%d", s.srv.URL, other.ID))
		mustNotContain(t, "sitemap", r.body, fmt.Sprintf("/documents/%d<", draft.ID), fmt.Sprintf("/documents/%d<", withheld.ID))
	})
	t.Run("paging", func(t *testing.T) {
		for i := range 21 {
			s.mustPublished(fmt.Sprintf("分页测试文件第%02d号", i), "分页")
		}
		r := c.get("/?q=" + url.QueryEscape("分页测试"))
		mustContain(t, "page 1", r.body, "共 <strong>21</strong> 条", `aria-current="page">第 1 页`, "下一页")
		r = c.get("/?page=2&q=" + url.QueryEscape("分页测试"))
		mustContain(t, "page 2", r.body, `aria-current="page">第 2 页`, "上一页")
		if n := strings.Count(r.body, "分页测试文件第"); n != 1 {
			t.Errorf("page 2 lists %d documents, want 1", n)
		}
	})
}

// TestEscaping publishes a title and body with markup and checks that every page shows it as
// text.
func TestEscaping(t *testing.T) {
	s := newStack(t)
	const evil = `<script>alert("x")</script>`
	d := s.mustPublished("通知"+evil, "正文"+evil)
	staff := s.login("drafter")
	for _, tc := range []struct {
		name string
		c    *client
		path string
	}{
		{"portal list", s.anon(), "/"},
		{"portal document", s.anon(), fmt.Sprintf("/documents/%d", d.ID)},
		{"search", s.anon(), "/?q=" + url.QueryEscape(evil)},
		{"console document", staff, fmt.Sprintf("/console/documents/%d", d.ID)},
		{"console list", staff, "/console/documents"},
		{"dashboard", staff, "/console"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.c.get(tc.path)
			if r.status != http.StatusOK {
				t.Fatalf("status %d", r.status)
			}
			if strings.Contains(r.body, evil) {
				t.Fatalf("raw markup in the page")
			}
			mustContain(t, tc.name, r.body, "&lt;script&gt;")
		})
	}
	r := s.anon().get("/feeds/documents.atom")
	if strings.Contains(r.body, evil) || !strings.Contains(r.body, "&lt;script&gt;") {
		t.Errorf("feed does not escape the title: %s", excerpt(r.body))
	}
}

// TestSecurityHeaders checks the headers of public and staff pages and the session cookie.
func TestSecurityHeaders(t *testing.T) {
	s := newStack(t)
	d := s.mustPublished("安全头测试", "正文")
	staff := s.login("officer")
	for _, tc := range []struct {
		name string
		c    *client
		path string
	}{
		{"portal", s.anon(), "/"},
		{"portal document", s.anon(), fmt.Sprintf("/documents/%d", d.ID)},
		{"not found", s.anon(), "/documents/99999"},
		{"login", s.anon(), "/console/login"},
		{"console unauthenticated", s.anon(), "/console"},
		{"console", staff, "/console"},
		{"desk", staff, "/console/publication"},
		{"stylesheet", s.anon(), "/static/site.css"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.c.get(tc.path)
			csp := r.header.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "form-action 'self'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") {
				t.Errorf("CSP allows inline code: %s", csp)
			}
			for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"} {
				if got := r.header.Get(h); got != want {
					t.Errorf("%s = %q, want %q", h, got, want)
				}
			}
			if strings.Contains(r.body, "<script>") || strings.Contains(r.body, " style=") || strings.Contains(r.body, " onclick=") {
				t.Errorf("page has inline script or style, which the CSP forbids")
			}
		})
	}
	t.Run("session cookie", func(t *testing.T) {
		r := s.anon().postForm("/console/login", url.Values{"username": {"officer"}, "password": {testPassword}})
		ck := r.header.Get("Set-Cookie")
		for _, want := range []string{httpkit.SessionCookie + "=", "HttpOnly", "SameSite=Lax", "Path=/"} {
			if !strings.Contains(ck, want) {
				t.Errorf("Set-Cookie %q lacks %q", ck, want)
			}
		}
		if strings.Contains(ck, "Secure") {
			t.Errorf("cookie is Secure although not configured: %s", ck)
		}
		if r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("login answer is cacheable")
		}
	})
}

// TestCrossOriginForms refuses form posts a browser sent from another site.
func TestCrossOriginForms(t *testing.T) {
	s := newStack(t)
	drafter := s.login("drafter")
	before, _, err := s.docs.List(context.Background(), workflow.Staff{Username: "drafter",
		Roles: []workflow.RoleAssignment{{Role: "drafter", Unit: "chengjian"}}}, documents.DocumentQuery{})
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"definition": {"document"}, "unit": {"chengjian"}, "title": {"跨站伪造的草稿"}}
	for _, tc := range []struct {
		name   string
		c      *client
		path   string
		form   url.Values
		header []string
	}{
		{"create from another site (Sec-Fetch-Site)", drafter, "/console/documents", form, []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}},
		{"create from another origin (Origin only)", drafter, "/console/documents", form, []string{"Sec-Fetch-Site", "", "Origin", "https://evil.example"}},
		{"login from another site", s.anon(), "/console/login", url.Values{"username": {"drafter"}, "password": {testPassword}},
			[]string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}},
		{"logout from another site", drafter, "/console/logout", url.Values{}, []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.c.postForm(tc.path, tc.form, tc.header...)
			if r.status != http.StatusForbidden {
				t.Fatalf("status %d, want 403", r.status)
			}
			mustContain(t, tc.name, r.body, "请求来自其他网站，已被拒绝")
			if ck := r.header.Get("Set-Cookie"); ck != "" {
				t.Errorf("refused request set a cookie: %s", ck)
			}
		})
	}
	after, _, err := s.docs.List(context.Background(), workflow.Staff{Username: "drafter",
		Roles: []workflow.RoleAssignment{{Role: "drafter", Unit: "chengjian"}}}, documents.DocumentQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Fatalf("a refused cross-site post created a document")
	}
	// The drafter is still signed in: the refused logout did nothing.
	if r := drafter.get("/console"); r.status != http.StatusOK {
		t.Fatalf("after refused logout: status %d", r.status)
	}
	// The same post from the site itself is accepted.
	if r := drafter.postForm("/console/documents", form); r.status != http.StatusSeeOther {
		t.Fatalf("same-site create: status %d: %s", r.status, excerpt(r.body))
	}
}

// TestLogin covers the login form, the redirect after it, and logout.
func TestLogin(t *testing.T) {
	s := newStack(t)
	t.Run("anonymous console gets the login form", func(t *testing.T) {
		r := s.anon().get("/console/documents?state=drafting")
		if r.status != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", r.status)
		}
		mustContain(t, "login form", r.body, `<label for="username">用户名</label>`, `<label for="password">密码</label>`,
			`name="next" value="/console/documents?state=drafting"`)
	})
	t.Run("wrong password", func(t *testing.T) {
		r := s.anon().postForm("/console/login", url.Values{"username": {"drafter"}, "password": {"wrong password"}})
		if r.status != http.StatusUnauthorized {
			t.Fatalf("status %d", r.status)
		}
		mustContain(t, "wrong password", r.body, "用户名或密码错误", `value="drafter"`)
		mustNotContain(t, "wrong password", r.body, "wrong password")
	})
	for _, tc := range []struct{ next, want string }{
		{"", "/console"},
		{"/console/documents?state=drafting", "/console/documents?state=drafting"},
		{"//evil.example/console", "/console"},
		{"https://evil.example/console", "/console"},
		{"/console\\@evil.example", "/console"},
		{"/api/v1/me", "/console"},
	} {
		t.Run("next "+tc.next, func(t *testing.T) {
			r := s.anon().postForm("/console/login", url.Values{"username": {"drafter"}, "password": {testPassword}, "next": {tc.next}})
			if r.status != http.StatusSeeOther || r.header.Get("Location") != tc.want {
				t.Fatalf("status %d, location %q, want 303 %q", r.status, r.header.Get("Location"), tc.want)
			}
		})
	}
	t.Run("header shows user, unit and roles; logout ends the session", func(t *testing.T) {
		c := s.login("unithead")
		r := c.get("/console")
		mustContain(t, "header", r.body, "李科长", "城建科", "科室负责人")
		r = c.postForm("/console/logout", url.Values{})
		if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Set-Cookie"), "Max-Age=0") {
			t.Fatalf("logout: %d %v", r.status, r.header)
		}
		if r := c.get("/console"); r.status != http.StatusUnauthorized {
			t.Fatalf("after logout: status %d", r.status)
		}
	})
}

var (
	reVersion = regexp.MustCompile(`name="version" value="(\d+)"`)
	reDocID   = regexp.MustCompile(`/console/documents/(\d+)\?done=`)
)

// TestDocumentPages walks a 不予公开 document through the editor and the review pages with forms:
// inline messages for what is missing, buttons only for the transitions the user may fire, a
// return with an opinion, stale-version conflicts, the history and the diff.
func TestDocumentPages(t *testing.T) {
	s := newStack(t)
	drafter, head, legal, leader := s.login("drafter"), s.login("unithead"), s.login("legal"), s.login("leader")

	r := drafter.get("/console/documents/new")
	mustContain(t, "editor", r.body, `<label for="title">标题`, "第十五条", "第三方同意公开或者行政机关认为不公开会对公共利益造成重大影响的",
		"第三方已同意公开", "法律、法规、规章规定上述信息应当公开", `name="grounds" value="art16_process"`, "内部事务信息")

	// A missing title: the form comes back with the message and what was typed.
	r = drafter.postForm("/console/documents", url.Values{"definition": {"document"}, "title": {"  "}, "body": {"保留的正文"}, "attribute": {"不予公开"}})
	if r.status != http.StatusBadRequest {
		t.Fatalf("empty title: status %d", r.status)
	}
	mustContain(t, "empty title", r.body, "请填写标题", "保留的正文", `aria-invalid="true"`, `value="不予公开" checked`,
		"不予公开的文件须至少选择一项不公开理由")

	// Saved without grounds: the page names what is missing, and submit is refused with it.
	r = drafter.postForm("/console/documents", url.Values{"definition": {"document"}, "title": {"关于招标情况的请示"},
		"body": {"第一行\n第二行"}, "attribute": {"不予公开"}, "doc_kind": {"其他公文"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create: status %d: %s", r.status, excerpt(r.body))
	}
	m := reDocID.FindStringSubmatch(r.header.Get("Location"))
	if m == nil {
		t.Fatalf("create redirected to %q", r.header.Get("Location"))
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	page := fmt.Sprintf("/console/documents/%d", id)
	r = drafter.get(page + "?done=created")
	mustContain(t, "new draft", r.body, "草稿已创建", "尚需补全", "不予公开的文件须至少选择一项不公开理由", "请填写不公开理由说明",
		`id="edit-link"`, "流程图", "当前")
	// Submit is not offered while the tagging is incomplete, and refused if posted anyway.
	mustNotContain(t, "new draft", r.body, "/transitions/submit\"")
	r = drafter.postForm(page+"/transitions/submit", url.Values{"version": {strconv.Itoa(mustDoc(t, s, id).Version)}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("submit without grounds: status %d", r.status)
	}
	mustContain(t, "submit refused", r.body, "未能完成“提交审核”", "不予公开的文件须至少选择一项不公开理由")

	// The editor keeps the grounds and shows them checked.
	r = drafter.get(page + "/edit")
	version := mustVersion(t, r.body)
	r = drafter.postForm(page, url.Values{"version": {version}, "title": {"关于招标情况的请示"}, "body": {"第一行\n第二行（已改）\n第三行"},
		"attribute": {"不予公开"}, "doc_kind": {"其他公文"}, "grounds": {"art16_process"},
		"grounds_explanation": {"本件为向局领导报送的请示，属于过程性信息。"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("update: status %d: %s", r.status, excerpt(r.body))
	}
	r = drafter.get(page + "/edit")
	mustContain(t, "edit", r.body, `name="grounds" value="art16_process" checked`)
	mustNotContain(t, "edit", r.body, "尚需补全", "公开属性尚不完整")

	// A stale editor form is refused with a clear message, keeping what was typed.
	r = drafter.postForm(page, url.Values{"version": {version}, "title": {"过期表单的标题"}, "attribute": {"不予公开"}})
	if r.status != http.StatusConflict {
		t.Fatalf("stale update: status %d", r.status)
	}
	mustContain(t, "stale update", r.body, "文件已被他人修改", "过期表单的标题")

	fire := func(c *client, name string, form url.Values) response {
		t.Helper()
		r := c.get(page)
		form.Set("version", mustVersion(t, r.body))
		return c.postForm(page+"/transitions/"+name, form)
	}
	if r := fire(drafter, "submit", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("submit: %d: %s", r.status, excerpt(r.body))
	}

	// Buttons only for what each user may do now.
	for _, tc := range []struct {
		name      string
		c         *client
		want, not []string
	}{
		{"drafter", drafter, []string{"/transitions/withdraw\""}, []string{"/transitions/approve\"", "/transitions/return\"", "edit-link"}},
		{"unit head", head, []string{"/transitions/approve\"", "/transitions/return\"", "意见"}, []string{"/transitions/withdraw\"", "/transitions/submit\""}},
		{"legal", legal, []string{"当前环节无需您办理"}, []string{"/transitions/"}},
	} {
		t.Run("buttons "+tc.name, func(t *testing.T) {
			r := tc.c.get(page)
			mustContain(t, tc.name, r.body, tc.want...)
			mustNotContain(t, tc.name, r.body, tc.not...)
		})
	}
	// The unit head's page has the document, attribute, grounds, history and the diff.
	r = head.get(page)
	mustContain(t, "review page", r.body, "不予公开", "讨论记录、过程稿、磋商信函、请示报告等过程性信息", "第十六条第二款",
		"本件为向局领导报送的请示", "办理记录", "提交审核", "王起草", "版本比较", "第二行（已改）", "第三行", "＋", "－")

	if r := fire(head, "approve", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("approve: %d: %s", r.status, excerpt(r.body))
	}
	// Returning needs an opinion.
	r = fire(legal, "return", url.Values{"opinion": {""}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("return without opinion: status %d", r.status)
	}
	mustContain(t, "return without opinion", r.body, "意见", `role="alert"`)
	// A stale button: someone acted first; the message says so and the opinion is kept.
	r = legal.postForm(page+"/transitions/return", url.Values{"version": {"1"}, "opinion": {"理由说明不充分，请补充"}})
	if r.status != http.StatusConflict {
		t.Fatalf("stale return: status %d", r.status)
	}
	mustContain(t, "stale return", r.body, "文件已被他人处理", "刷新页面", "理由说明不充分，请补充")
	r = fire(legal, "return", url.Values{"opinion": {"理由说明不充分，请补充"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("return: %d: %s", r.status, excerpt(r.body))
	}
	r = drafter.get(r.header.Get("Location"))
	mustContain(t, "returned", r.body, "已完成“退回修改”", "理由说明不充分，请补充", "陈法规", "起草中")

	// Fixed, approved, signed: filed, never public.
	s.mustFire(mustDoc(t, s, id), [2]string{"drafter", "submit"}, [2]string{"unithead", "approve"}, [2]string{"legal", "approve"})
	r = leader.get(page)
	mustContain(t, "sign page", r.body, "意见（可选）", "法规科审查：<strong>已同意</strong>")
	if r := fire(leader, "sign", url.Values{"opinion": {"同意"}}); r.status != http.StatusSeeOther {
		t.Fatalf("sign: %d", r.status)
	}
	if d := mustDoc(t, s, id); d.State != "filed" {
		t.Fatalf("state %s, want filed", d.State)
	}
	if r := s.anon().get(fmt.Sprintf("/documents/%d", id)); r.status != http.StatusNotFound {
		t.Fatalf("filed document on the portal: %d", r.status)
	}

	// 已办 lists what each user handled.
	r = legal.get("/console")
	mustContain(t, "legal dashboard", r.body, "已办事项", "关于招标情况的请示", "审查通过")
	if r := s.login("drafter2").get("/console"); strings.Contains(r.body, "关于招标情况的请示") {
		t.Fatal("another unit's drafter sees the document among their 已办")
	}

	// Another unit's drafter cannot see the document.
	if r := s.login("drafter2").get(page); r.status != http.StatusNotFound {
		t.Fatalf("other unit: status %d, want 404", r.status)
	}
}

// mustVersion returns the version a page's first form carries.
func mustVersion(tb testing.TB, body string) string {
	tb.Helper()
	m := reVersion.FindStringSubmatch(body)
	if m == nil {
		tb.Fatalf("no version field in the page:\n%s", excerpt(body))
	}
	return m[1]
}

func mustDoc(t *testing.T, s *stack, id int64) documents.Document {
	t.Helper()
	d, err := s.store.Documents.Document(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDashboardAndDesk checks 待办 with deadlines, the notifications, and the publication desk:
// publishing with the metadata form and changing validity.
func TestDashboardAndDesk(t *testing.T) {
	s := newStack(t)
	d := s.mustCreate("drafter", documents.Draft{Title: str("物业服务收费管理实施细则"), Body: str("第一条"), Attribute: str("主动公开"),
		DocKind: str(documents.KindNormative)})
	d = s.mustFire(d, [2]string{"drafter", "submit"})
	s.processOutbox()
	head := s.login("unithead")
	r := head.get("/console")
	mustContain(t, "unit head tasks", r.body, "待办事项", "物业服务收费管理实施细则", "科室负责人审核", "审核通过、退回修改", "提交审核")

	// A 规范性文件 passes the legal section's legality review before it is signed.
	d = s.mustFire(d, [2]string{"unithead", "approve"}, [2]string{"legal", "approve"}, [2]string{"leader", "sign"})
	officer := s.login("officer")
	r = officer.get("/console")
	mustContain(t, "officer tasks", r.body, "物业服务收费管理实施细则", "公开期限：", "发布公开")
	r = officer.get("/console/publication")
	mustContain(t, "desk", r.body, "待公开", "物业服务收费管理实施细则", "公开期限：", `<label for="act-`, "发文字号", "内容概述", "有效期至（可选）")
	formID := fmt.Sprintf("act-%d-publish", d.ID)
	mustContain(t, "desk form", r.body, `id="`+formID+`"`, `name="back" value="desk"`)

	// Publishing a 规范性文件 without its 发文字号 is refused with the missing fields named.
	publish := url.Values{"version": {strconv.Itoa(d.Version)}, "back": {"desk"}, "doc_number": {""},
		"subject_category": {"城乡建设、环境保护\\房地产"}, "summary": {"规范物业服务收费行为"}, "valid_until": {""}}
	r = officer.postForm(fmt.Sprintf("/console/documents/%d/transitions/publish", d.ID), publish)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("publish without number: %d", r.status)
	}
	mustContain(t, "publish refused", r.body, "发文字号（规范性文件必填）", "规范物业服务收费行为")
	publish.Set("doc_number", "测建〔2026〕9号")
	publish.Set("valid_until", "2031-12-31")
	r = officer.postForm(fmt.Sprintf("/console/documents/%d/transitions/publish", d.ID), publish)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/console/publication?done=publish" {
		t.Fatalf("publish: %d %s: %s", r.status, r.header.Get("Location"), excerpt(r.body))
	}
	r = officer.get("/console/publication?done=publish")
	mustContain(t, "desk after publish", r.body, "已发布到门户网站", "已公开", "物业服务收费管理实施细则", "2031-12-31")
	r = s.anon().get(fmt.Sprintf("/documents/%d", d.ID))
	mustContain(t, "published page", r.body, "测建〔2026〕9号", "城乡建设、环境保护 › 房地产", "规范物业服务收费行为", "2031年12月31日")

	// Validity change from the desk.
	d = mustDoc(t, s, d.ID)
	r = officer.postForm(fmt.Sprintf("/console/documents/%d/validity", d.ID), url.Values{"version": {strconv.Itoa(d.Version)},
		"validity": {"废止"}, "back": {"desk"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("validity: %d: %s", r.status, excerpt(r.body))
	}
	r = s.anon().get("/?validity=" + url.QueryEscape("废止"))
	mustContain(t, "repealed", r.body, "物业服务收费管理实施细则")
	// A stale validity form.
	r = officer.postForm(fmt.Sprintf("/console/documents/%d/validity", d.ID), url.Values{"version": {strconv.Itoa(d.Version)}, "validity": {"有效"}})
	if r.status != http.StatusConflict {
		t.Fatalf("stale validity: %d", r.status)
	}
	mustContain(t, "stale validity", r.body, "文件已被他人修改")

	// The drafter was told; the inbox lists it with a link.
	s.processOutbox()
	r = s.login("drafter").get("/console/inbox")
	mustContain(t, "inbox", r.body, "物业服务收费管理实施细则", fmt.Sprintf(`href="/console/documents/%d"`, d.ID))
}

// TestRoutesDenyByDefault walks every page route of the route table as every user and anonymously:
// a route that needs a permission refuses anyone the policy does not grant it to (401 anonymous,
// 403 signed in). The site mounts exactly the table's page routes.
func TestRoutesDenyByDefault(t *testing.T) {
	s := newStack(t)
	d := s.mustPublished("路由检查", "正文")
	clients := map[string]*client{"": s.anon()}
	for _, u := range testUsers {
		clients[u.name] = s.login(u.name)
	}
	param := regexp.MustCompile(`:[a-z]+|\*[a-z]+`)
	routes := httpkit.Routes(httpkit.Page)
	registered := map[string]string{}
	for _, rt := range s.api.Routes() {
		if !strings.HasPrefix(rt.Path, "/api/") && rt.Path != "/healthz" && rt.Path != "/readyz" && rt.Path != "/metrics" {
			registered[rt.Method+" "+rt.Path] = rt.Permission
		}
	}
	for _, rt := range routes {
		if perm, ok := registered[rt.Method+" "+rt.Path]; !ok || perm != rt.Permission {
			t.Errorf("table route %s %s (%s) is mounted with %q", rt.Method, rt.Path, rt.Permission, perm)
		}
	}
	if len(registered) != len(routes) {
		t.Errorf("the site has %d page routes, the table %d", len(registered), len(routes))
	}
	// Log out last, so the walk keeps its sessions.
	slices.SortStableFunc(routes, func(a, b httpkit.Route) int {
		isLogout := func(r httpkit.Route) bool { return r.Path == "/console/logout" }
		switch {
		case isLogout(a) && !isLogout(b):
			return 1
		case !isLogout(a) && isLogout(b):
			return -1
		}
		return 0
	})
	n := 0
	for _, rt := range routes {
		n++
		path := param.ReplaceAllStringFunc(rt.Path, func(p string) string {
			switch p {
			case ":id":
				return strconv.FormatInt(d.ID, 10)
			case ":name":
				return "publish"
			case "*file":
				return "/site.css"
			}
			return "1"
		})
		for who, c := range clients {
			var r response
			if rt.Method == http.MethodGet {
				r = c.get(path)
			} else {
				r = c.postForm(path, url.Values{})
			}
			switch {
			case rt.Permission == httpkit.PermPublic:
				if r.status == http.StatusUnauthorized || r.status == http.StatusForbidden {
					t.Errorf("%s %s is public but %q got %d", rt.Method, path, who, r.status)
				}
			case who == "":
				if r.status != http.StatusUnauthorized {
					t.Errorf("%s %s (%s): anonymous got %d, want 401", rt.Method, path, rt.Permission, r.status)
				}
			case rt.Permission == httpkit.PermAuthenticated:
				if r.status == http.StatusUnauthorized {
					t.Errorf("%s %s: %q got 401", rt.Method, path, who)
				}
			default:
				granted := false
				for _, u := range testUsers {
					if u.name == who && s.enf.Can(u.name, u.unit, rt.Permission) {
						granted = true
					}
				}
				if !granted && r.status != http.StatusForbidden {
					t.Errorf("%s %s (%s): %q got %d, want 403", rt.Method, path, rt.Permission, who, r.status)
				}
				if granted && (r.status == http.StatusUnauthorized || r.status == http.StatusForbidden) {
					t.Errorf("%s %s (%s): %q is granted but got %d", rt.Method, path, rt.Permission, who, r.status)
				}
			}
		}
	}
	if n < 15 {
		t.Fatalf("only %d page routes registered", n)
	}
}

// TestStatic serves the stylesheet and script and nothing else.
func TestStatic(t *testing.T) {
	s := newStack(t)
	c := s.anon()
	for _, tc := range []struct {
		path, wantType string
		status         int
	}{
		{"/static/site.css", "text/css; charset=utf-8", http.StatusOK},
		{"/static/site.js", "text/javascript; charset=utf-8", http.StatusOK},
		{"/static/missing.css", "", http.StatusNotFound},
		{"/static/.hidden", "", http.StatusNotFound},
	} {
		t.Run(tc.path, func(t *testing.T) {
			r := c.get(tc.path)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d", r.status, tc.status)
			}
			if tc.wantType != "" && r.header.Get("Content-Type") != tc.wantType {
				t.Fatalf("type %q", r.header.Get("Content-Type"))
			}
		})
	}
}

// TestDeadlineMarks: a publication deadline that reaches into a year with no official calendar is
// marked 暂定, and one that has passed is marked 逾期 in words, not only in red.
func TestDeadlineMarks(t *testing.T) {
	s := newStack(t)
	years := s.engine.Calendar().Years()
	last := years[len(years)-1]
	// Sign in mid-December of the last year with a calendar: 20 working days end next year.
	if d := time.Date(last, 12, 15, 10, 0, 0, 0, workflow.Shanghai).Sub(s.clock.Now()); d > 0 {
		s.clock.Advance(d)
	}
	d := s.mustCreate("drafter", documents.Draft{Title: str("跨年的公开期限"), Body: str("正文"), Attribute: str("主动公开")})
	s.mustFire(d, [2]string{"drafter", "submit"}, [2]string{"unithead", "approve"}, [2]string{"leader", "sign"})
	officer := s.login("officer")
	r := officer.get("/console")
	mustContain(t, "provisional", r.body, "跨年的公开期限", "公开期限：", `tag-provisional`, "暂定")
	mustNotContain(t, "provisional", r.body, "逾期")
	r = officer.get("/console/publication")
	mustContain(t, "desk provisional", r.body, "暂定")

	s.clock.Advance(90 * 24 * time.Hour)
	r = officer.get("/console")
	mustContain(t, "overdue", r.body, `<span class="deadline overdue">`, `<strong class="tag tag-overdue">逾期</strong>`)
	r = officer.get(fmt.Sprintf("/console/documents/%d", d.ID))
	mustContain(t, "overdue document", r.body, "逾期", "计算方法")
}
