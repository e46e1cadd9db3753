package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"wugongkai/workflow"
	"wugongkai/workflow/documents"
)

// TestCataloguePage: the portal's 标准目录 shows the catalogue by tree and by 五公开 category with
// every column of each item, narrows it by a search, answers an overlong search with a 400 in
// Chinese, and is linked from the navigation and both sitemaps.
func TestCataloguePage(t *testing.T) {
	s := newStack(t)
	c := s.anon()
	r := c.get("/catalogue")
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	mustContain(t, "tree", r.body, `lang="zh-CN"`, "基层政务公开标准目录", `<a href="/catalogue" aria-current="page">标准目录</a>`,
		`<h2 id="area-0">通用事项</h2>`, "<h3>机构信息</h3>", `id="item-TY-01"`, "机构信息 › 机构职能",
		"公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "公开对象", "公开方式", "五公开类别",
		"信息形成或者变更之日起20个工作日内", "（20个工作日）", "国有土地上房屋征收与补偿", "保障性住房", "农村危房改造", "市政服务",
		`id="by-tree" href="/catalogue" aria-current="page"`, `<label for="catalogue-q">`)
	if strings.Count(r.body, `class="panel catalogue-item"`) < 20 {
		t.Fatalf("tree shows %d items", strings.Count(r.body, `class="panel catalogue-item"`))
	}

	r = c.get("/catalogue?by=category")
	mustContain(t, "categories", r.body, `id="by-category" href="/catalogue?by=category" aria-current="page"`,
		`<h2 id="category-h-决策">决策公开`, `<h2 id="category-h-结果">结果公开`, `name="by" value="category"`)
	if i, j := strings.Index(r.body, `id="category-结果"`), strings.Index(r.body, `id="item-TY-07"`); i < 0 || j < i {
		t.Errorf("the annual report item is not under 结果公开")
	}

	r = c.get("/catalogue?q=" + url.QueryEscape("征收决定"))
	mustContain(t, "search", r.body, "共 <strong>1</strong> 个事项", `id="item-ZS-05"`, "作出房屋征收决定后及时公告",
		`href="/catalogue?by=category&amp;q=`)
	if strings.Count(r.body, `class="panel catalogue-item"`) != 1 {
		t.Fatalf("search shows %d items", strings.Count(r.body, `class="panel catalogue-item"`))
	}
	r = c.get("/catalogue?q=" + url.QueryEscape("没有这样的事项"))
	mustContain(t, "search for nothing", r.body, "没有符合条件的事项")

	r = c.get("/catalogue?q=" + url.QueryEscape(strings.Repeat("字", 101)))
	if r.status != http.StatusBadRequest {
		t.Fatalf("overlong search: status %d", r.status)
	}
	mustContain(t, "overlong search", r.body, `role="alert">检索词不能超过 100 个字`)

	mustContain(t, "sitemap", c.get("/sitemap").body, `<a href="/catalogue">标准目录</a>`)
	mustContain(t, "sitemap.xml", c.get("/sitemap.xml").body, "/catalogue</loc>")
}

// TestBrowserCatalogue: a citizen browses the 标准目录 in Chromium from the navigation, by tree and
// by category, searches it, and reads it at a phone's width; every page passes the page checks.
func TestBrowserCatalogue(t *testing.T) {
	s := newStack(t)
	citizen := newPerson(t, s, "citizen")
	citizen.visit("/", 200)
	citizen.press(`.site-nav a[href="/catalogue"]`, 200)
	citizen.see("基层政务公开标准目录", "国有土地上房屋征收与补偿", "机构信息 › 机构职能", "公开渠道和载体")
	citizen.shot("60-catalogue")
	citizen.press("#by-category", 200)
	citizen.see("决策公开", "执行公开", "管理公开", "服务公开", "结果公开")
	citizen.shot("61-catalogue-category")
	citizen.typeInto("catalogue-q", "征收决定")
	citizen.press("#catalogue-search", 200)
	citizen.see("共 1 个事项", "房屋征收决定", "作出房屋征收决定后及时公告")
	if n := citizen.count(".catalogue-item"); n != 1 {
		t.Fatalf("search shows %d items", n)
	}
	if n := citizen.count(`#by-category[aria-current="page"]`); n != 1 {
		t.Fatalf("the search left the category view")
	}
	citizen.atPhone("/catalogue", "62-catalogue")
	citizen.atPhone("/catalogue?by=category", "63-catalogue-category")
}

// TestBrowserCatalogueTagging: in Chromium a drafter searches the catalogue in the editor, picks an
// item, sees its proposal and saves; the document page names the item. Once the document is
// published, a citizen finds it from the 标准目录's item and from its 五公开 category, and its
// public page shows the item it falls under. The disclosure office's compliance view lists it.
func TestBrowserCatalogueTagging(t *testing.T) {
	s := newStack(t)
	drafter := newPerson(t, s, "drafter")
	drafter.login("drafter")
	drafter.visit("/console/documents/new", 200)
	drafter.typeInto("title", "2026年租赁补贴发放对象名单")
	drafter.typeInto("catalogue_q", "租赁补贴")
	drafter.press("#catalogue-search", 200)
	if v := drafter.value("title"); v != "2026年租赁补贴发放对象名单" {
		t.Fatalf("the search lost the title: %q", v)
	}
	if n := drafter.count("#catalogue_item option"); n != 2 { // none + 租赁补贴发放
		t.Fatalf("the search left %d choices", n)
	}
	drafter.setValue("catalogue_item", "BZ-05")
	drafter.pick(`input[name="attribute"][value="主动公开"]`)
	drafter.press("#catalogue-search", 200) // shows the proposal of the chosen item
	drafter.see("目录建议", "配给管理 › 租赁补贴发放", "结果公开", "信息形成或者变更之日起20个工作日内")
	drafter.shot("64-editor-catalogue")
	drafter.press("#save", 200)
	drafter.see("标准目录事项：配给管理 › 租赁补贴发放")

	var id int64
	docs, _, err := s.docs.List(context.Background(), workflow.Staff{Username: "drafter", Roles: []workflow.RoleAssignment{{Role: "drafter", Unit: "chengjian"}}}, documents.DocumentQuery{})
	if err != nil || len(docs) == 0 {
		t.Fatalf("list: %v", err)
	}
	id = docs[0].ID
	d := s.mustFire(docs[0], [2]string{"drafter", "submit"}, [2]string{"unithead", "approve"}, [2]string{"leader", "sign"})
	if _, err := s.docs.Fire(context.Background(), s.actor("officer"), d.ID, 0, "publish",
		workflow.Input{"subject_category": "城乡建设、环境保护\\住房保障", "summary": "租赁补贴发放对象名单。"}); err != nil {
		t.Fatal(err)
	}

	citizen := newPerson(t, s, "citizen")
	citizen.visit("/catalogue", 200)
	citizen.press("#item-docs-BZ-05", 200)
	citizen.see("标准目录事项：BZ-05", "共 1 条", "2026年租赁补贴发放对象名单")
	citizen.press(fmt.Sprintf(`a[href="/documents/%d"]`, id), 200)
	citizen.see("目录事项", "配给管理 › 租赁补贴发放", "编码 BZ-05", "结果公开")
	citizen.shot("65-document-item")
	citizen.visit("/catalogue?by=category", 200)
	citizen.press("#category-docs-结果", 200)
	citizen.see("共 1 条", "2026年租赁补贴发放对象名单")
	citizen.visit("/?catalogue_category="+url.QueryEscape("决策"), 200)
	citizen.see("共 0 条")

	officer := newPerson(t, s, "officer")
	officer.login("officer")
	officer.press(`a[href="/console/catalogue/compliance"]`, 200)
	officer.see("标准目录公开情况", "租赁补贴发放", "从未公开")
	if n := officer.count("#item-BZ-05 .nothing-this-year"); n != 0 {
		t.Errorf("BZ-05 is counted as having nothing published this year")
	}
	officer.shot("66-compliance")
}

// TestDepartureReasonOnThePages: a draft tagged with an item that proposes 主动公开 but tagged
// 依申请公开 asks on its submit form for the reason (and a draft as proposed does not); submitting
// without it is refused in Chinese; the unit head's page shows the reason given.
func TestDepartureReasonOnThePages(t *testing.T) {
	s := newStack(t)
	d := s.mustCreate("drafter", documents.Draft{Title: str("租赁补贴发放对象名单"), CatalogueItem: str("BZ-05"), Attribute: str("依申请公开"),
		GroundsExplanation: str("名单含申请家庭的收入等个人信息，仅向申请人提供。")})
	as := s.mustCreate("drafter", documents.Draft{Title: str("租赁补贴发放标准"), CatalogueItem: str("BZ-05")})
	drafter := s.login("drafter")
	page := fmt.Sprintf("/console/documents/%d", d.ID)
	r := drafter.get(page)
	mustContain(t, "draft page", r.body, "标准目录事项：<strong>配给管理 › 租赁补贴发放</strong>", `name="departure_reason"`)
	if r := drafter.get(fmt.Sprintf("/console/documents/%d", as.ID)); strings.Contains(r.body, `name="departure_reason"`) {
		t.Errorf("a draft as proposed is asked for a departure reason")
	}
	r = drafter.postForm(page+"/transitions/submit", url.Values{"version": {fmt.Sprint(d.Version)}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("submit without a reason: %d", r.status)
	}
	mustContain(t, "refusal", r.body, "不按目录建议公开方式的理由")
	r = drafter.postForm(page+"/transitions/submit", url.Values{"version": {fmt.Sprint(d.Version)}, "departure_reason": {"仅涉及个别申请家庭"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("submit with a reason: %d %s", r.status, r.body)
	}
	r = s.login("unithead").get(page)
	mustContain(t, "reviewer's page", r.body, `id="departure-reason"`, "公开属性与目录建议（主动公开）不同", "仅涉及个别申请家庭")
}
