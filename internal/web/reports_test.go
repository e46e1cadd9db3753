package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

// reportResidentID returns a valid 居民身份证 number (with its check character) for serial n.
func reportResidentID(n int) string {
	base := fmt.Sprintf("41100219800101%03d", n%1000)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(base[i]-'0') * w
	}
	return base + string("10X98765432"[sum%11])
}

// reportApplication is a valid request of an applicant type, numbered n, handed in at the office
// today.
func reportApplication(applicant string, n int) requests.Application {
	a := requests.Application{ApplicantType: applicant, Name: fmt.Sprintf("年报测试申请人%d", n), IDType: "居民身份证",
		IDNumber: reportResidentID(n), Phone: "13800138000", Description: fmt.Sprintf("请公开第%d批保障性住房分配名单", n),
		Form: "纸质", Delivery: "自行领取", Channel: "in_person"}
	if applicant != "natural" {
		a.Name, a.IDType, a.IDNumber, a.ContactPerson = fmt.Sprintf("某某有限公司%d", n), "统一社会信用代码", fmt.Sprintf("91411000MA%08d", n), "李四"
	}
	return a
}

// mustRegisterRequest registers a request through the use case and, if outcome is not "",
// answers it today with that outcome.
func (s *stack) mustRegisterRequest(a requests.Application, outcome string) requests.Request {
	s.t.Helper()
	ctx := context.Background()
	r, err := s.reqs.Register(ctx, s.actor("officer"), a)
	if err != nil {
		s.t.Fatalf("register %s: %v", a.Name, err)
	}
	if outcome != "" {
		if r, err = s.reqs.Fire(ctx, s.actor("officer"), r.ID, 0, "answer",
			workflow.Input{"outcome": outcome, "reply_letter": "经审查，现答复如下：……"}); err != nil {
			s.t.Fatalf("answer %s: %v", a.Name, err)
		}
	}
	return r
}

var reReportTD = regexp.MustCompile(`<td[^>]*>([^<]*)</td>`)

// reportTableRow returns the cells of the row labelled label in the report table with class
// class ("proactive", "requests" or "cases") of a page; label "" is the first row with figures.
func reportTableRow(t *testing.T, body, class, label string) []string {
	t.Helper()
	_, rest, ok := strings.Cut(body, `<table class="report-table `+class+`"`)
	if !ok {
		t.Fatalf("no report table %q on the page:\n%s", class, excerpt(body))
	}
	table, _, _ := strings.Cut(rest, "</table>")
	for _, tr := range strings.Split(table, "<tr>")[1:] {
		tr, _, _ = strings.Cut(tr, "</tr>")
		if label != "" && !strings.Contains(tr, ">"+label+"</th>") {
			continue
		}
		var cells []string
		for _, m := range reReportTD.FindAllStringSubmatch(tr, -1) {
			cells = append(cells, m[1])
		}
		if label == "" && len(cells) == 0 {
			continue
		}
		return cells
	}
	t.Fatalf("report table %q has no row %q:\n%s", class, label, table)
	return nil
}

var (
	reFormInput    = regexp.MustCompile(`<input type="(?:hidden|text)" name="([^"]+)" value="([^"]*)"`)
	reFormTextarea = regexp.MustCompile(`<textarea id="[^"]*" name="([^"]+)"[^>]*>([^<]*)</textarea>`)
)

// reportForm reads the fields of the report form on an edit page, as a browser would send them.
func reportForm(t *testing.T, body string) url.Values {
	t.Helper()
	_, form, ok := strings.Cut(body, `id="report-form"`)
	if !ok {
		t.Fatalf("no report form:\n%s", excerpt(body))
	}
	form, _, _ = strings.Cut(form, "</form>")
	v := url.Values{}
	for _, m := range reFormInput.FindAllStringSubmatch(form, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	for _, m := range reFormTextarea.FindAllStringSubmatch(form, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// reportFormRow returns the number of the form row of item whose label is label ("" for the
// empty row of a local addition).
func reportFormRow(t *testing.T, form url.Values, item, label string) int {
	t.Helper()
	for i := 0; ; i++ {
		it, ok := form[fmt.Sprintf("item_%d", i)]
		if !ok {
			break
		}
		if it[0] == item && form.Get(fmt.Sprintf("label_%d", i)) == label {
			return i
		}
	}
	t.Fatalf("the form has no row %q/%q: %v", item, label, form)
	return -1
}

// TestReportPages files and answers requests, then shows the year's report with Table 三 counted
// from them, saves the office's inputs through the form (the text comes back escaped) and refuses
// bad figures and a stale version without saving anything.
func TestReportPages(t *testing.T) {
	s := newStack(t)
	year := workflow.DateOf(s.clock.Now()).Year
	s.mustRegisterRequest(reportApplication("natural", 1), "三(一)")
	s.mustRegisterRequest(reportApplication("natural", 2), "三(一)")
	s.mustRegisterRequest(reportApplication("commercial", 3), "三(五)2")
	s.mustRegisterRequest(reportApplication("legal_service", 4), "") // still open: carried into next year
	today := workflow.DateOf(s.clock.Now()).String()
	for _, k := range []requests.CaseInput{{Kind: "reconsideration", FiledOn: today},
		{Kind: "litigation_direct", FiledOn: today, ConcludedOn: today, Outcome: "upheld"}} {
		if _, err := s.cases.Record(context.Background(), s.actor("officer"), k); err != nil {
			t.Fatal(err)
		}
	}
	officer := s.login("officer")
	page := fmt.Sprintf("/console/reports/%d", year)

	r := officer.get(page)
	if r.status != http.StatusOK {
		t.Fatalf("report page: %d\n%s", r.status, excerpt(r.body))
	}
	mustContain(t, "report page", r.body, fmt.Sprintf("%s%d年政府信息公开工作年度报告", testOrg, year),
		"一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况",
		"五、存在的主要问题及改进情况", "六、其他需要报告的事项", "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
		"勾稽关系检查全部通过", `<strong class="state-badge">草稿</strong>`, "2021年格式",
		fmt.Sprintf(`href="/api/v1/reports/%d/export?format=xlsx"`, year), fmt.Sprintf(`href="/api/v1/reports/%d/export?format=csv"`, year),
		fmt.Sprintf(`href="/api/v1/reports/%d/export?format=html"`, year), fmt.Sprintf(`href="/api/v1/reports/%d/export?format=json"`, year),
		`id="edit-link"`, `id="final-form"`, fmt.Sprintf("%d年度 四、结转下年度继续办理", year-1))
	// Columns: 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计.
	for label, want := range map[string][]string{
		"一、本年新收政府信息公开申请数量": {"2", "1", "0", "0", "1", "0", "4"},
		"二、上年结转政府信息公开申请数量": {"0", "0", "0", "0", "0", "0", "0"},
		"（一）予以公开":          {"2", "0", "0", "0", "0", "0", "2"},
		"2.重复申请":           {"0", "1", "0", "0", "0", "0", "1"},
		"1.信访举报投诉类申请":      {"0", "0", "0", "0", "0", "0", "0"},
		"（七）总计":            {"2", "1", "0", "0", "0", "0", "3"},
		"四、结转下年度继续办理":      {"0", "0", "0", "0", "1", "0", "1"},
	} {
		if got := reportTableRow(t, r.body, "requests", label); !slices.Equal(got, want) {
			t.Errorf("Table 三 row %s = %v, want %v", label, got, want)
		}
	}
	// Table 四: one reconsideration pending, one suit concluded (upheld) this year.
	if got := reportTableRow(t, r.body, "cases", ""); !slices.Equal(got, []string{"0", "0", "0", "1", "1", "1", "0", "0", "0", "1", "0", "0", "0", "0", "0"}) {
		t.Errorf("Table 四 = %v", got)
	}

	// The form: a hidden version, the figures the office enters, the counted block read-only.
	r = officer.get(page + "/edit")
	if r.status != http.StatusOK {
		t.Fatalf("edit page: %d\n%s", r.status, excerpt(r.body))
	}
	mustContain(t, "edit page", r.body, `name="version" value="0"`, `id="counted-block"`, "行政许可", "行政事业性收费", "本年收费金额（单位：万元）")
	form := reportForm(t, r.body)
	for i := 0; form.Has(fmt.Sprintf("item_%d", i)); i++ {
		if form.Get(fmt.Sprintf("item_%d", i)) == "第二十条第（一）项" {
			t.Errorf("the form offers the counted block as input row %d", i)
		}
	}
	licence := reportFormRow(t, form, "第二十条第（五）项", "行政许可")
	local := reportFormRow(t, form, "第二十条第（五）项", "")
	form.Set("overview", "本年度政务公开工作总体情况。\r\n<script>alert(1)</script>")
	form.Set("problems", "存在的问题：公开目录更新不够及时。")
	form.Set(fmt.Sprintf("value_%d_0", licence), "120")
	form.Set(fmt.Sprintf("label_%d", local), "<b>本地统计</b>")
	form.Set(fmt.Sprintf("value_%d_0", local), "３")
	r = officer.postForm(page+"/inputs", form)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != page+"?done=saved" {
		t.Fatalf("save inputs: %d %s\n%s", r.status, r.header.Get("Location"), excerpt(r.body))
	}
	r = officer.get(page + "?done=saved")
	mustContain(t, "saved report", r.body, "已保存（第 1 版）", "<p>本年度政务公开工作总体情况。</p>",
		"&lt;script&gt;alert(1)&lt;/script&gt;", "存在的问题：公开目录更新不够及时。", "&lt;b&gt;本地统计&lt;/b&gt;")
	mustNotContain(t, "saved report", r.body, "<script>alert(1)", "<b>本地统计")
	if got := reportTableRow(t, r.body, "proactive", "行政许可"); !slices.Equal(got, []string{"120"}) {
		t.Errorf("Table 二 行政许可 = %v, want [120]", got)
	}
	if got := reportTableRow(t, r.body, "proactive", "&lt;b&gt;本地统计&lt;/b&gt;"); !slices.Equal(got, []string{"3"}) {
		t.Errorf("Table 二 local row = %v, want [3]", got)
	}

	// The same form again, at version 0: someone else saved in between.
	form.Set("overview", "过期版本上的修改")
	r = officer.postForm(page+"/inputs", form)
	if r.status != http.StatusConflict {
		t.Fatalf("stale version: %d\n%s", r.status, excerpt(r.body))
	}
	mustContain(t, "stale form", r.body, "年度报告已被他人修改（您看到的是第 0 版，当前为第 1 版），请刷新后重试",
		">过期版本上的修改</textarea>", `name="version" value="0"`, "载入最新版本")

	// Bad figures: a negative count and a word; nothing is saved and the form keeps what was typed.
	r = officer.get(page + "/edit")
	mustContain(t, "edit page v1", r.body, `name="version" value="1"`, "&lt;script&gt;alert(1)&lt;/script&gt;</textarea>", `value="&lt;b&gt;本地统计&lt;/b&gt;"`)
	form = reportForm(t, r.body)
	licence = reportFormRow(t, form, "第二十条第（五）项", "行政许可")
	form.Set("overview", "不应保存的文字")
	for _, tc := range []struct{ value, message string }{
		{"-5", "表二 第二十条第（五）项 “行政许可”的“本年处理决定数量”不能为负数或过大"},
		{"十二", "表二 第二十条第（五）项 “行政许可”的“本年处理决定数量”应填写数字（如 12 或 3.5），“十二”不是数字"},
		{"1e3", "“1e3”不是数字"},
	} {
		form.Set(fmt.Sprintf("value_%d_0", licence), tc.value)
		r = officer.postForm(page+"/inputs", form)
		if r.status != http.StatusBadRequest {
			t.Fatalf("figure %q: %d\n%s", tc.value, r.status, excerpt(r.body))
		}
		mustContain(t, "bad figure "+tc.value, r.body, tc.message, `value="`+tc.value+`"`, ">不应保存的文字</textarea>", `name="version" value="1"`)
	}
	// A forged row for the block the system counts.
	forged := url.Values{}
	for k, v := range form {
		forged[k] = v
	}
	forged.Set(fmt.Sprintf("value_%d_0", licence), "7")
	n := 0
	for form.Has(fmt.Sprintf("item_%d", n)) {
		n++
	}
	forged.Set("rows", fmt.Sprint(n+1))
	forged.Set(fmt.Sprintf("item_%d", n), "第二十条第（一）项")
	forged.Set(fmt.Sprintf("label_%d", n), "行政规范性文件")
	for c, v := range []string{"1", "0", "1"} {
		forged.Set(fmt.Sprintf("value_%d_%d", n, c), v)
	}
	r = officer.postForm(page+"/inputs", forged)
	if r.status != http.StatusBadRequest {
		t.Fatalf("counted block: %d\n%s", r.status, excerpt(r.body))
	}
	mustContain(t, "counted block", r.body, "表二 第二十条第（一）项 由系统根据公文数据统计，不能手工填写")
	r = officer.get(page)
	mustContain(t, "report after refusals", r.body, "第 1 版", "&lt;script&gt;alert(1)&lt;/script&gt;")
	mustNotContain(t, "report after refusals", r.body, "不应保存的文字", "第 2 版")
	if got := reportTableRow(t, r.body, "proactive", "行政许可"); !slices.Equal(got, []string{"120"}) {
		t.Errorf("Table 二 行政许可 after refusals = %v, want [120]", got)
	}

	// A second save at the current version; clearing the local row removes it, a blank figure
	// stays blank.
	local = reportFormRow(t, form, "第二十条第（五）项", "<b>本地统计</b>")
	fee := reportFormRow(t, form, "第二十条第（八）项", "行政事业性收费")
	form.Set("overview", "第二次保存的总体情况。")
	form.Set(fmt.Sprintf("value_%d_0", licence), " 8 ")
	form.Set(fmt.Sprintf("label_%d", local), "")
	form.Set(fmt.Sprintf("value_%d_0", local), "")
	form.Set(fmt.Sprintf("value_%d_0", fee), "")
	if r = officer.postForm(page+"/inputs", form); r.status != http.StatusSeeOther {
		t.Fatalf("second save: %d\n%s", r.status, excerpt(r.body))
	}
	r = officer.get(page)
	mustContain(t, "second save", r.body, "第 2 版", "<p>第二次保存的总体情况。</p>")
	mustNotContain(t, "second save", r.body, "本地统计", "alert(1)")
	if got := reportTableRow(t, r.body, "proactive", "行政许可"); !slices.Equal(got, []string{"8"}) {
		t.Errorf("Table 二 行政许可 = %v, want [8]", got)
	}
	if got := reportTableRow(t, r.body, "proactive", "行政事业性收费"); !slices.Equal(got, []string{""}) {
		t.Errorf("Table 二 行政事业性收费 = %v, want blank", got)
	}
}

// TestReportFinalize marks last year's report final (edits refused afterwards), then shows that a
// request registered late for last year breaks this year's carry-over: finalising is refused with
// every failure listed, and the report stays a draft.
func TestReportFinalize(t *testing.T) {
	s := newStack(t)
	year := workflow.DateOf(s.clock.Now()).Year
	last := year - 1
	officer := s.login("officer")
	lastPage, page := fmt.Sprintf("/console/reports/%d", last), fmt.Sprintf("/console/reports/%d", year)

	r := officer.postForm(lastPage+"/final", url.Values{})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("final without confirmation: %d\n%s", r.status, excerpt(r.body))
	}
	mustContain(t, "unconfirmed", r.body, "请先勾选“已核对报告内容，确认定稿”", `id="report-state"><strong class="state-badge">草稿</strong>`)

	r = officer.postForm(lastPage+"/final", url.Values{"confirm": {"yes"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != lastPage+"?done=final" {
		t.Fatalf("final: %d %s\n%s", r.status, r.header.Get("Location"), excerpt(r.body))
	}
	r = officer.get(lastPage + "?done=final")
	mustContain(t, "final report", r.body, "年度报告已定稿。", `<strong class="state-badge">已定稿</strong>（周公开，`, "勾稽关系检查全部通过")
	mustNotContain(t, "final report", r.body, `id="edit-link"`, `id="final-form"`)
	r = officer.get(lastPage + "/edit")
	if r.status != http.StatusConflict {
		t.Fatalf("edit a final report: %d", r.status)
	}
	mustContain(t, "edit final", r.body, fmt.Sprintf("%d年度报告已于", last), "由周公开定稿，不能再修改")
	r = officer.postForm(lastPage+"/inputs", url.Values{"version": {"1"}, "rows": {"0"}, "overview": {"定稿后的修改"}})
	if r.status != http.StatusConflict {
		t.Fatalf("save a final report: %d\n%s", r.status, excerpt(r.body))
	}
	mustContain(t, "save final", r.body, fmt.Sprintf("%d年度报告已定稿，不能再修改", last))
	r = officer.postForm(lastPage+"/final", url.Values{"confirm": {"yes"}})
	if r.status != http.StatusConflict {
		t.Fatalf("final twice: %d", r.status)
	}

	// A letter confirmed on 31 December of last year, registered only now: last year is final, so
	// this year's 二 (1) no longer equals last year's 四 (0).
	late := reportApplication("natural", 9)
	late.Channel, late.ReceiptDate = "letter", fmt.Sprintf("%d-12-31", last)
	s.mustRegisterRequest(late, "")
	r = officer.get(page)
	mustContain(t, "broken carry-over", r.body, `id="check-failures"`, "有不一致的列",
		fmt.Sprintf("表三 自然人列：二、上年结转（1）≠ %d年度报告的四、结转下年度继续办理（0）", last))
	mustNotContain(t, "broken carry-over", r.body, "勾稽关系检查全部通过")
	r = officer.postForm(page+"/final", url.Values{"confirm": {"yes"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("final with failing checks: %d\n%s", r.status, excerpt(r.body))
	}
	mustContain(t, "refused final", r.body, fmt.Sprintf("未能定稿：%d年度报告有 2 处勾稽关系不成立", year),
		fmt.Sprintf("表三 自然人列：二、上年结转（1）≠ %d年度报告的四、结转下年度继续办理（0）", last),
		fmt.Sprintf("表三 总计列：二、上年结转（1）≠ %d年度报告的四、结转下年度继续办理（0）", last),
		`id="report-state"><strong class="state-badge">草稿</strong>`)
	r = officer.get(page)
	mustContain(t, "still a draft", r.body, `id="report-state"><strong class="state-badge">草稿</strong>`, `id="edit-link"`)
	r = officer.get(page + "/edit")
	if r.status != http.StatusOK {
		t.Fatalf("edit after refused final: %d", r.status)
	}
	// Last year's final report did not change.
	r = officer.get(lastPage)
	if got := reportTableRow(t, r.body, "requests", "四、结转下年度继续办理"); !slices.Equal(got, []string{"0", "0", "0", "0", "0", "0", "0"}) {
		t.Errorf("final report changed: 四 = %v", got)
	}
}

// TestReportAccess: the disclosure office views and edits; the leader views only; a drafter has
// no access; an anonymous visitor gets the login form.
func TestReportAccess(t *testing.T) {
	s := newStack(t)
	year := workflow.DateOf(s.clock.Now()).Year
	page := fmt.Sprintf("/console/reports/%d", year)
	leader := s.login("leader")
	r := leader.get(page)
	if r.status != http.StatusOK {
		t.Fatalf("leader view: %d", r.status)
	}
	mustContain(t, "leader view", r.body, "三、收到和处理政府信息公开申请情况", `href="/console/reports"`)
	mustNotContain(t, "leader view", r.body, `id="edit-link"`, `id="final-form"`)
	r = leader.get("/console/reports")
	if r.status != http.StatusOK {
		t.Fatalf("leader list: %d", r.status)
	}
	mustNotContain(t, "leader list", r.body, "/edit\">填写</a>")
	for _, tc := range []struct {
		method, path string
	}{{http.MethodGet, page + "/edit"}, {http.MethodPost, page + "/inputs"}, {http.MethodPost, page + "/final"}} {
		var r response
		if tc.method == http.MethodGet {
			r = leader.get(tc.path)
		} else {
			r = leader.postForm(tc.path, url.Values{"confirm": {"yes"}, "version": {"0"}, "rows": {"0"}})
		}
		if r.status != http.StatusForbidden {
			t.Errorf("leader %s %s: %d, want 403", tc.method, tc.path, r.status)
		}
	}
	drafter := s.login("drafter")
	for _, p := range []string{"/console/reports", page, page + "/edit"} {
		if r := drafter.get(p); r.status != http.StatusForbidden {
			t.Errorf("drafter %s: %d, want 403", p, r.status)
		}
	}
	mustNotContain(t, "drafter nav", drafter.get("/console").body, `href="/console/reports"`)
	for _, p := range []string{"/console/reports", page} {
		r := s.anon().get(p)
		if r.status != http.StatusUnauthorized {
			t.Errorf("anonymous %s: %d, want 401", p, r.status)
		}
		mustContain(t, "anonymous "+p, r.body, `id="login-submit"`, `name="next" value="`+p+`"`)
	}
	r = s.anon().postForm(page+"/final", url.Values{"confirm": {"yes"}})
	if r.status != http.StatusUnauthorized {
		t.Errorf("anonymous final: %d, want 401", r.status)
	}
	if r := s.login("officer").get(page); strings.Contains(r.body, "已定稿") {
		t.Error("a refused final marked the report final")
	}
}

// TestReportYears lists the current and the previous year, opens another year from the box,
// refuses years outside the formats and shows a 2020 report in the 2019 format.
func TestReportYears(t *testing.T) {
	s := newStack(t)
	year := workflow.DateOf(s.clock.Now()).Year
	officer := s.login("officer")
	r := officer.get("/console/reports")
	if r.status != http.StatusOK {
		t.Fatalf("list: %d", r.status)
	}
	mustContain(t, "list", r.body, fmt.Sprintf(`id="year-%d"`, year), fmt.Sprintf(`id="year-%d"`, year-1),
		fmt.Sprintf(`href="/console/reports/%d/edit"`, year), "草稿", "全部通过")
	mustNotContain(t, "list", r.body, fmt.Sprintf(`id="year-%d"`, year-2)) // no data that year

	r = officer.get("/console/reports?year=2020")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/console/reports/2020" {
		t.Fatalf("open 2020: %d %s", r.status, r.header.Get("Location"))
	}
	for _, bad := range []string{"2018", "二〇二〇", "99999"} {
		r = officer.get("/console/reports?year=" + url.QueryEscape(bad))
		if r.status != http.StatusBadRequest {
			t.Errorf("open %s: %d, want 400", bad, r.status)
		}
		mustContain(t, "open "+bad, r.body, "年度应为 2019 年以后的年份", `value="`+bad+`"`)
	}
	for _, p := range []string{"/console/reports/2018", "/console/reports/abc", "/console/reports/2018/edit"} {
		r = officer.get(p)
		if r.status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", p, r.status)
		}
		mustContain(t, p, r.body, "年度应为 2019 年以后的年份")
	}
	if r = officer.postForm("/console/reports/2018/inputs", url.Values{"version": {"0"}, "rows": {"0"}}); r.status != http.StatusBadRequest {
		t.Errorf("save 2018: %d, want 400", r.status)
	}

	r = officer.get("/console/reports/2020")
	if r.status != http.StatusOK {
		t.Fatalf("2020: %d", r.status)
	}
	mustContain(t, "2020 report", r.body, "2019年试行格式", "（六）其他处理", "本年新制作数量", "其他对外管理服务事项", "政府集中采购",
		"2019年度 四、结转下年度继续办理")
	mustNotContain(t, "2020 report", r.body, "逾期不补正")
	r = officer.get("/console/reports/2019")
	mustContain(t, "2019 report", r.body, "2019年度是现行年度报告格式的第一年")

	// A 2020 report with a saved input is listed, as a year with data.
	r = officer.get("/console/reports/2020/edit")
	form := reportForm(t, r.body)
	form.Set("other", "本年度未收取信息处理费。")
	if r = officer.postForm("/console/reports/2020/inputs", form); r.status != http.StatusSeeOther {
		t.Fatalf("save 2020: %d\n%s", r.status, excerpt(r.body))
	}
	if year-2020 < 10 {
		mustContain(t, "list with 2020", officer.get("/console/reports").body, `id="year-2020"`)
	}
}
