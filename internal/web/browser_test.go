package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"wugongkai/workflow"
	"wugongkai/workflow/documents"
)

// The browser tests drive Debian's Chromium headless through the pages as people would. One
// browser serves the whole package (TestMain); each person gets a browser context of their own, so
// their cookies are their own.

// chromiumPath is Debian's Chromium, which .ci/run installs.
const chromiumPath = "/usr/bin/chromium"

// theBrowser is the package's one browser, started by TestMain.
var theBrowser context.Context

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	path := chromiumPath
	if _, err := os.Stat(path); err != nil {
		p, lerr := exec.LookPath("chromium")
		if lerr != nil {
			fmt.Fprintln(os.Stderr, "internal/web: the browser tests need Debian's chromium (/usr/bin/chromium), which is missing; "+
				"run .ci/run, which installs it (apt-get install chromium)")
			return 1
		}
		path = p
	}
	dir, err := os.MkdirTemp("", "wgk-chromium-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "internal/web: browser profile:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	if err := chromedp.Do(browser); err != nil {
		fmt.Fprintln(os.Stderr, "internal/web: start chromium:", err)
		return 1
	}
	theBrowser = browser
	return m.Run()
}

// person is someone at the browser: a tab in a browser context of their own.
type person struct {
	t    *testing.T
	who  string
	ctx  context.Context
	base string
}

// newPerson opens a fresh browser context (its own cookies) with one tab.
func newPerson(t *testing.T, s *stack, who string) *person {
	t.Helper()
	ctx, cancel := chromedp.NewContext(theBrowser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("%s: open tab: %v", who, err)
	}
	return &person{t: t, who: who, ctx: ctx, base: s.srv.URL}
}

// do runs actions with a time limit.
func (p *person) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.fail(what, err)
	}
}

func (p *person) fail(what string, err error) {
	p.t.Helper()
	body, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	loc, _ := chromedp.Run(p.ctx, chromedp.Location())
	p.t.Fatalf("%s: %s: %v\nat %s:\n%s", p.who, what, err, loc, excerpt(body))
}

// visit opens a path of the site and checks the status.
func (p *person) visit(path string, wantStatus int64) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(p.base+path))
	if err != nil {
		p.fail("open "+path, err)
	}
	if resp.Status != wantStatus {
		p.fail("open "+path, fmt.Errorf("status %d, want %d", resp.Status, wantStatus))
	}
}

// count returns the number of elements matching a CSS selector.
func (p *person) count(css string) int {
	p.t.Helper()
	n, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+strconv.Quote(css)+`).length`))
	if err != nil {
		p.fail("count "+css, err)
	}
	return n
}

// press clicks a button or link that loads a page, waits for it and checks its status.
func (p *person) press(sel string, wantStatus int64) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(sel, chromedp.NodeVisible))
	if err != nil {
		p.fail("press "+sel, err)
	}
	if resp.Status != wantStatus {
		p.fail("press "+sel, fmt.Errorf("status %d, want %d", resp.Status, wantStatus))
	}
}

// typeInto types text into a field as a person would.
func (p *person) typeInto(id, text string) {
	p.t.Helper()
	// Select what is there and type over it, as a person would (chromedp's Clear needs a text
	// node and SetValue cannot set "").
	p.do("type into #"+id, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).select()`, id)),
		chromedp.SendKeys(chromedp.ID(id), text))
}

// setValue sets a field's value at once (long texts, date pickers).
func (p *person) setValue(id, value string) {
	p.t.Helper()
	p.do("set #"+id, chromedp.SetValue(chromedp.ID(id), value))
}

// pick ticks a radio button or checkbox.
func (p *person) pick(css string) {
	p.t.Helper()
	p.do("pick "+css, chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible))
}

// text returns the visible text of the page's body.
func (p *person) text() string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		p.fail("read the page", err)
	}
	return s
}

// value returns the value of a form field.
func (p *person) value(id string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID(id)))
	if err != nil {
		p.fail("read #"+id, err)
	}
	return v
}

// see fails unless the page shows every text.
func (p *person) see(texts ...string) {
	p.t.Helper()
	body := p.text()
	for _, want := range texts {
		if !strings.Contains(body, want) {
			loc, _ := chromedp.Run(p.ctx, chromedp.Location())
			p.t.Fatalf("%s does not see %q at %s:\n%s", p.who, want, loc, excerpt(body))
		}
	}
}

// notSee fails if the page shows any of texts.
func (p *person) notSee(texts ...string) {
	p.t.Helper()
	body := p.text()
	for _, bad := range texts {
		if strings.Contains(body, bad) {
			p.t.Fatalf("%s unexpectedly sees %q:\n%s", p.who, bad, excerpt(body))
		}
	}
}

// login signs in through the login form.
func (p *person) login(username string) {
	p.t.Helper()
	p.visit("/console/login", 200)
	p.typeInto("username", username)
	p.typeInto("password", testPassword)
	p.press("#login-submit", 200)
	p.see("我的待办", "退出登录")
}

// screenshotDir is where the screenshots of the main pages go (ignored by git: /artifacts/).
var screenshotDir = filepath.Join("..", "..", "artifacts", "screenshots")

// shot keeps a full-page screenshot of the current page and checks what every page must: each form
// field has a label, and the page reads at 200% zoom (a 640-pixel-wide viewport) without
// scrolling sideways.
func (p *person) shot(name string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	unlabelled, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(
		'input:not([type=hidden]), select, textarea')).filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
		.map(e => e.name || e.id)`))
	if err != nil {
		p.fail("check labels", err)
	}
	if len(unlabelled) > 0 {
		p.t.Errorf("%s: fields without a label on %s: %v", p.who, name, unlabelled)
	}
	lang, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	if err != nil || lang != "zh-CN" {
		p.t.Errorf("%s: page %s has lang %q", p.who, name, lang)
	}
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		p.t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.fail("screenshot", err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir, name+".png"), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	// 200% zoom: half the CSS width.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(640, 900)); err != nil {
		p.fail("zoom", err)
	}
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if err != nil {
		p.fail("measure", err)
	}
	if wide {
		p.t.Errorf("%s: page %s scrolls sideways at 200%% zoom", p.who, name)
		if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			_ = os.WriteFile(filepath.Join(screenshotDir, name+"-zoom200.png"), png, 0o644)
		}
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		p.fail("unzoom", err)
	}
}

// shotElement keeps a screenshot of one element of the page.
func (p *person) shotElement(name, css string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(css), chromedp.NodeVisible))
	if err != nil {
		p.fail("screenshot "+css, err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir, name+".png"), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// TestBrowserDocumentWalk: a drafter writes and tags two documents; the unit head approves; the
// legal section returns the 不予公开 one with an opinion, the drafter fixes it, the legal section
// approves and the leader signs it (filed, never public); the 主动公开 one is signed and published
// by the disclosure office, and a citizen finds it on the portal by searching.
func TestBrowserDocumentWalk(t *testing.T) {
	s := newStack(t)
	drafter, head, legal, leader, officer, citizen := newPerson(t, s, "drafter"), newPerson(t, s, "unithead"),
		newPerson(t, s, "legal"), newPerson(t, s, "leader"), newPerson(t, s, "officer"), newPerson(t, s, "citizen")

	drafter.visit("/console/login", 200)
	drafter.shot("01-login")
	drafter.login("drafter")

	// The 主动公开 document.
	drafter.press(`//nav//a[text()="起草公文"]`, 200)
	drafter.typeInto("title", "许昌市住房租赁补贴发放管理办法")
	drafter.pick(`input[name="doc_kind"][value="规范性文件"]`)
	drafter.typeInto("subject_category", `城乡建设、环境保护\住房保障`)
	drafter.typeInto("doc_number", "许建〔2026〕12号")
	drafter.setValue("body", "第一条 为规范住房租赁补贴发放工作，保障城镇中低收入住房困难家庭的基本住房需求，制定本办法。\n第二条 本办法适用于本市中心城区住房租赁补贴的申请、审核、发放和监督管理。")
	drafter.pick(`input[name="attribute"][value="主动公开"]`)
	drafter.press("#save", 200)
	drafter.see("草稿已创建", "起草中")
	drafter.press(`//form[contains(@action,"/transitions/submit")]//button`, 200)
	drafter.see("已完成“提交审核”", "科室负责人审核")

	// The 不予公开 document, tagged with its statutory ground.
	drafter.press(`//nav//a[text()="起草公文"]`, 200)
	drafter.typeInto("title", "关于城建重点项目招标情况的请示")
	drafter.setValue("body", "局领导：\n现将城建重点项目招标有关情况请示如下。")
	drafter.pick(`input[name="attribute"][value="不予公开"]`)
	drafter.pick(`input[name="grounds"][value="art16_process"]`)
	drafter.typeInto("grounds_explanation", "请示")
	drafter.shot("02-editor")
	drafter.press("#save", 200)
	drafter.see("尚需补全", "不公开理由说明过短")
	drafter.press("#edit-link", 200)
	drafter.see("公开属性尚不完整", "不公开理由说明过短")
	drafter.typeInto("grounds_explanation", "本件为向局领导报送的请示，属于过程性信息。")
	drafter.press("#save", 200)
	drafter.notSee("尚需补全")
	drafter.press(`//form[contains(@action,"/transitions/submit")]//button`, 200)
	drafter.see("已完成“提交审核”")

	// The unit head approves both from the task list.
	head.login("unithead")
	head.see("许昌市住房租赁补贴发放管理办法", "关于城建重点项目招标情况的请示")
	head.shot("03-tasks")
	for _, title := range []string{"许昌市住房租赁补贴发放管理办法", "关于城建重点项目招标情况的请示"} {
		head.visit("/console", 200)
		head.press(`//table[@id="tasks"]//a[text()="`+title+`"]`, 200)
		head.see("审核通过", "退回修改", "公开属性")
		head.press(`//form[contains(@action,"/transitions/approve")]//button`, 200)
		head.see("已完成“审核通过”")
	}

	// The legal section returns the 不予公开 document with an opinion.
	legal.login("legal")
	legal.press(`//table[@id="tasks"]//a[text()="关于城建重点项目招标情况的请示"]`, 200)
	legal.see("法规科审查", "讨论记录、过程稿、磋商信函、请示报告等过程性信息", "第十六条第二款", "本件为向局领导报送的请示")
	legal.shot("04-legal-review")
	legal.typeInto(legalReturnField(t, legal), "请说明请示中哪些内容属于过程性信息，并补充招标结果公开的安排。")
	legal.press(`//form[contains(@action,"/transitions/return")]//button`, 200)
	legal.see("已完成“退回修改”", "起草中")

	// The drafter sees the opinion, fixes the explanation and resubmits.
	drafter.visit("/console", 200)
	drafter.press(`//table[@id="tasks"]//a[text()="关于城建重点项目招标情况的请示"]`, 200)
	drafter.see("请说明请示中哪些内容属于过程性信息", "陈法规")
	drafter.press("#edit-link", 200)
	drafter.typeInto("grounds_explanation", "本件为向局领导报送的请示，其中招标评审意见属于过程性信息；招标结果另行主动公开。")
	drafter.setValue("body", "局领导：\n现将城建重点项目招标有关情况请示如下。\n招标结果将在评审结束后另行公开。")
	drafter.press("#save", 200)
	drafter.see("版本比较", "招标结果将在评审结束后另行公开。")
	drafter.press(`//form[contains(@action,"/transitions/submit")]//button`, 200)
	head.visit("/console", 200)
	head.press(`//table[@id="tasks"]//a[text()="关于城建重点项目招标情况的请示"]`, 200)
	head.press(`//form[contains(@action,"/transitions/approve")]//button`, 200)
	legal.visit("/console", 200)
	legal.press(`//table[@id="tasks"]//a[text()="关于城建重点项目招标情况的请示"]`, 200)
	legal.see("招标结果另行主动公开", "退回修改")
	legal.typeInto(fieldIn(t, legal, "approve", "opinion"), "不予公开理由成立。")
	legal.press(`//form[contains(@action,"/transitions/approve")]//button`, 200)
	legal.see("已完成“审查通过”", "待签发")
	// The 规范性文件 passes the legality review too, though it is 主动公开.
	legal.visit("/console", 200)
	legal.press(`//table[@id="tasks"]//a[text()="许昌市住房租赁补贴发放管理办法"]`, 200)
	legal.typeInto(fieldIn(t, legal, "approve", "opinion"), "经合法性审核，符合上位法规定。")
	legal.press(`//form[contains(@action,"/transitions/approve")]//button`, 200)
	legal.see("已完成“审查通过”", "待签发")

	// The leader signs both.
	leader.login("leader")
	for _, title := range []string{"关于城建重点项目招标情况的请示", "许昌市住房租赁补贴发放管理办法"} {
		leader.visit("/console", 200)
		leader.press(`//table[@id="tasks"]//a[text()="`+title+`"]`, 200)
		leader.see("意见（可选）")
		leader.typeInto(fieldIn(t, leader, "sign", "opinion"), "同意")
		leader.press(`//form[contains(@action,"/transitions/sign")]//button`, 200)
		leader.see("已完成“签发”")
	}
	leader.see("待公开")
	leader.shot("05-document-history")

	// The disclosure office publishes from its desk.
	officer.login("officer")
	officer.press(`//nav//a[text()="公开发布台"]`, 200)
	officer.see("许昌市住房租赁补贴发放管理办法", "公开期限：")
	officer.notSee("关于城建重点项目招标情况的请示")
	officer.typeInto(fieldIn(t, officer, "publish", "summary"), "规定本市住房租赁补贴的申请、审核、发放和监督管理。")
	officer.shot("06-publication-desk")
	officer.press(`//form[contains(@action,"/transitions/publish")]//button`, 200)
	officer.see("已发布到门户网站", "已公开（最近 50 件）")

	// A citizen finds it on the portal by searching.
	citizen.visit("/", 200)
	citizen.typeInto("head-q", "租赁补贴")
	citizen.press(`//form[@role="search"]//button[text()="搜索"]`, 200)
	citizen.see("共 1 条", "许昌市住房租赁补贴发放管理办法", "许建〔2026〕12号", "有效")
	citizen.notSee("关于城建重点项目招标情况的请示")
	citizen.shot("07-portal-list")
	citizen.press(`//a[text()="许昌市住房租赁补贴发放管理办法"]`, 200)
	citizen.see("索引号", "11411000MB1234567X/", "发文机关", testOrg, "主题分类", "城乡建设、环境保护 › 住房保障", "公开方式", "主动公开",
		"规定本市住房租赁补贴的申请、审核、发放和监督管理。", "第一条 为规范住房租赁补贴发放工作")
	citizen.shot("08-portal-document")
	citizen.typeInto("head-q", "招标")
	citizen.press(`//form[@role="search"]//button[text()="搜索"]`, 200)
	citizen.see("共 0 条")

	// Keyboard: the first Tab reaches the skip link, which leads to the content; the search
	// box and its button follow in order.
	citizen.visit("/", 200)
	focused := func() string {
		t.Helper()
		v, err := chromedp.Run(citizen.ctx, chromedp.Evaluate[string](
			`(document.activeElement.id || document.activeElement.textContent || "").trim()`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	citizen.do("tab", chromedp.KeyEvent(kb.Tab))
	if got := focused(); got != "跳到主要内容" {
		t.Fatalf("first Tab focuses %q, want the skip link", got)
	}
	citizen.do("enter", chromedp.KeyEvent(kb.Enter))
	citizen.do("tab", chromedp.KeyEvent(kb.Tab))
	if got := focused(); got != "首页" {
		t.Fatalf("after the skip link, Tab focuses %q, want the first link of the content", got)
	}
}

// legalReturnField returns the id of the opinion box of the return button.
func legalReturnField(t *testing.T, p *person) string {
	t.Helper()
	return fieldIn(t, p, "return", "opinion")
}

// fieldIn returns the id of input name in the form of transition on the current page.
func fieldIn(t *testing.T, p *person, transition, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	id, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`(document.querySelector('form[action$="/transitions/%s"] [name="%s"]') || {}).id || ""`, transition, name)))
	if err != nil || id == "" {
		p.fail(fmt.Sprintf("find %s in the %s form", name, transition), fmt.Errorf("not found: %v", err))
	}
	return id
}

// TestBrowserDecisionWalk is issue 5's walk: a drafter writes and tags a decision draft with its
// comment period, the unit head approves, the consultation opens, a citizen comments through the
// portal form and gets a receipt, the period closes, the drafter records dispositions and the
// adoption summary, the legal section approves, the leader decides, the disclosure office
// publishes, and the citizen finds the decision and the summary on the portal.
func TestBrowserDecisionWalk(t *testing.T) {
	s := newStack(t)
	drafter, head, legal, leader, officer, citizen := newPerson(t, s, "drafter"), newPerson(t, s, "unithead"),
		newPerson(t, s, "legal"), newPerson(t, s, "leader"), newPerson(t, s, "officer"), newPerson(t, s, "citizen")
	const title = "许昌市生活垃圾分类管理办法（草案）"

	drafter.login("drafter")
	drafter.press(`//nav//a[text()="起草重大行政决策草案"]`, 200)
	drafter.see("公开征求意见", "开始时间", "截止时间")
	drafter.typeInto("title", title)
	drafter.typeInto("subject_category", `城乡建设、环境保护\城市建设`)
	drafter.setValue("body", "第一条 为了推进生活垃圾分类工作，改善人居环境，制定本办法。\n第二条 本办法适用于本市行政区域内生活垃圾的分类投放、收集、运输和处理。")
	drafter.setValue("explanation", "依据《中华人民共和国固体废物污染环境防治法》，结合本市实际起草。")
	drafter.pick(`input[name="attribute"][value="主动公开"]`)
	opens := s.clock.Now().Add(time.Hour).In(workflow.Shanghai)
	drafter.setValue("opens_at", opens.Format("2006-01-02T15:04"))
	drafter.setValue("closes_at", opens.AddDate(0, 0, 30).Format("2006-01-02T15:04"))
	drafter.shot("09-decision-editor")
	drafter.press("#save", 200)
	drafter.see("草稿已创建", "公开征求意见", "不在门户网站公开")
	drafter.press(`//form[contains(@action,"/comments/publication")]//button`, 200)
	drafter.see("经审核后在门户网站公开")
	drafter.press(`//form[contains(@action,"/transitions/submit")]//button`, 200)
	drafter.see("已完成“提交审核”")

	head.login("unithead")
	head.press(`//table[@id="tasks"]//a[text()="`+title+`"]`, 200)
	head.press(`//form[contains(@action,"/transitions/approve")]//button`, 200)
	head.see("待征求意见")

	// The consultation opens by itself at opens_at.
	s.clock.Advance(2 * time.Hour)
	s.sweep()

	// A citizen finds it on the portal and comments.
	citizen.visit("/", 200)
	citizen.see("正在征求意见", title)
	citizen.press(`//section[contains(@class,"open-consultations")]//a[text()="`+title+`"]`, 200)
	citizen.see("正在征求意见", "第一条 为了推进生活垃圾分类工作", "提交意见", "个人信息说明")
	citizen.typeInto("text", "建议在每个小区设置有害垃圾回收点，并公布收运时间。")
	citizen.typeInto("name", "赵市民")
	citizen.typeInto("contact", "13812341234")
	citizen.shot("10-portal-consultation")
	citizen.press("#comment-submit", 201)
	citizen.see("意见已提交", "回执编号", "YJ")
	citizen.shot("11-comment-receipt")
	// The receipt number can be looked up: received, the draft, no disposition before publication.
	citizen.press(`//a[text()="查询"]`, 200)
	citizen.see("按回执编号查询意见", "收到时间", title, "意见采纳情况将随决定一并公布")
	citizen.notSee("赵市民", "13812341234", "有害垃圾回收点")
	citizen.shot("11a-comment-lookup")
	lookup := citizen.value("no")
	// Many others send the same opinion.
	others := s.anon()
	d := findDoc(t, s, title)
	for i := range 6 {
		if r := others.comment(d.ID, "", "", "反对在小区内建设垃圾转运站"+strings.Repeat("！", i%2)); r.status != 201 {
			t.Fatalf("comment %d: %d", i, r.status)
		}
	}

	// The period closes by itself.
	s.clock.Advance(31 * 24 * time.Hour)
	s.sweep()

	// The drafter records the dispositions and the adoption summary.
	drafter.visit("/console", 200)
	drafter.press(`//table[@id="tasks"]//a[text()="`+title+`"]`, 200)
	drafter.see("征求意见结束")
	drafter.press("#comments-link", 200)
	drafter.see("共收到意见 7 条", "相同或相近意见（1 组）", "138****1234", "集中提交提示")
	drafter.pick(`#campaigns input[name="campaign_keys"]`)
	drafter.pick(`input[name="disposition"][value="不采纳"]`)
	drafter.typeInto("reason", "转运站选址已经专题论证，符合环境影响评价要求。")
	drafter.shot("12-staff-comments")
	drafter.press("#dispose-submit", 200)
	drafter.see("已记录处理意见（6 条）")
	drafter.pick(`#comments input[name="comment_ids"]`)
	drafter.pick(`input[name="disposition"][value="采纳"]`)
	drafter.press("#dispose-submit", 200)
	drafter.see("已记录处理意见（1 条）", "未处理 0 条")
	drafter.press(`//a[text()="编辑意见采纳情况说明"]`, 200)
	drafter.see("不采纳 6 条", "上传意见采纳情况说明")
	if text := drafter.value("summary-text"); !strings.Contains(text, "公开征求意见采纳情况的说明") || !strings.Contains(text, "转运站选址已经专题论证") {
		t.Fatalf("generated summary: %s", text)
	}
	drafter.shot("13-adoption-summary")
	drafter.press("#summary-submit", 200)
	drafter.see("意见采纳情况说明已上传", "提交合法性审查")
	drafter.press(`//form[contains(@action,"/transitions/attach_summary")]//button`, 200)
	drafter.see("已完成“提交合法性审查”", "合法性审查")

	// The legal section approves, the leader records the decision.
	legal.login("legal")
	legal.press(`//table[@id="tasks"]//a[text()="`+title+`"]`, 200)
	legal.see("意见采纳情况说明", "转运站选址已经专题论证")
	legal.shot("16-legality-review")
	legal.shotElement("17-workflow-diagram", ".flow svg")
	legal.typeInto(fieldIn(t, legal, "approve", "opinion"), "经审查，草案符合有关法律法规规定。")
	legal.press(`//form[contains(@action,"/transitions/approve")]//button`, 200)
	legal.see("已完成“合法性审查通过”", "待集体讨论决定")

	leader.login("leader")
	leader.press(`//table[@id="tasks"]//a[text()="`+title+`"]`, 200)
	leader.typeInto(fieldIn(t, leader, "decide", "meeting"), "2026年第5次局长办公会议")
	leader.typeInto(fieldIn(t, leader, "decide", "decision_outcome"), "通过")
	leader.press(`//form[contains(@action,"/transitions/decide")]//button`, 200)
	leader.see("已完成“记录集体讨论决定”", "待公布")

	officer.login("officer")
	officer.press(`//nav//a[text()="公开发布台"]`, 200)
	officer.typeInto(fieldIn(t, officer, "publish", "summary"), "规定本市生活垃圾分类投放、收集、运输和处理。")
	officer.press(`//form[contains(@action,"/transitions/publish")]//button`, 200)
	officer.see("已发布到门户网站")

	// The citizen finds the decision and the summary on the portal.
	citizen.visit("/", 200)
	citizen.typeInto("head-q", "垃圾分类")
	citizen.press(`//form[@role="search"]//button[text()="搜索"]`, 200)
	citizen.see("共 1 条", title)
	citizen.press(`//table//a[text()="`+title+`"]`, 200)
	citizen.see("意见采纳情况说明", "转运站选址已经专题论证", "重大行政决策", "主动公开")
	citizen.notSee("13812341234", "赵市民")
	citizen.shot("14-portal-decision")
	citizen.press(`//a[text()="查看本决策草案的征求意见情况"]`, 200)
	citizen.see("征求意见已结束", "意见采纳情况说明", "查看公布的决定全文")
	citizen.visit("/consultations", 200)
	citizen.see(title, "决定已公布")
	citizen.shot("15-consultations")
	// Once the summary is published the receipt says how the comment was handled.
	citizen.visit("/comment-receipts?no="+lookup, 200)
	citizen.see("处理情况", "查看意见采纳情况说明")
	citizen.notSee("意见采纳情况将随决定一并公布", "赵市民", "13812341234")
}

// TestBrowserBlockedReasons: a drafter whose decision draft cannot be submitted sees, where the
// button would be, why: a comment period under 30 days without a reason; once the period is
// valid the button is there.
func TestBrowserBlockedReasons(t *testing.T) {
	s := newStack(t)
	opens := s.clock.Now().Add(time.Hour).Truncate(time.Minute)
	closes := opens.Add(20 * 24 * time.Hour)
	d := s.mustCreate("drafter", documents.Draft{Definition: "decision", Title: str("缩短期限的决策草案"), Body: str("第一条 正文。"),
		Attribute: str("主动公开"), OpensAt: &opens, ClosesAt: &closes})
	drafter := newPerson(t, s, "drafter")
	drafter.login("drafter")
	drafter.visit(fmt.Sprintf("/console/documents/%d", d.ID), 200)
	if drafter.count(`form[action$="/transitions/submit"]`) != 0 || drafter.count("#blocked-submit") != 1 {
		t.Fatalf("a draft that cannot be submitted: submit forms %d, reasons %d", drafter.count(`form[action$="/transitions/submit"]`), drafter.count("#blocked-submit"))
	}
	drafter.see("提交审核（暂不能办理）", "征求意见期少于 30 日且未说明缩短理由")
	drafter.shot("18-blocked-reasons")

	closes = opens.Add(30 * 24 * time.Hour)
	if _, err := s.docs.Update(context.Background(), s.actor("drafter"), d.ID, d.Version, documents.Draft{ClosesAt: &closes}); err != nil {
		t.Fatal(err)
	}
	drafter.visit(fmt.Sprintf("/console/documents/%d", d.ID), 200)
	if drafter.count(`form[action$="/transitions/submit"]`) != 1 || drafter.count("#blocked-submit") != 0 {
		t.Fatal("a valid draft shows no submit button, or still a reason")
	}
}

// findDoc returns the document called title.
func findDoc(t *testing.T, s *stack, title string) documents.Document {
	t.Helper()
	docs, _, err := s.docs.List(context.Background(), workflow.Staff{Username: "drafter",
		Roles: []workflow.RoleAssignment{{Role: "drafter", Unit: "chengjian"}}}, documents.DocumentQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if d.Title == title {
			return d
		}
	}
	t.Fatalf("no document %q", title)
	return documents.Document{}
}
