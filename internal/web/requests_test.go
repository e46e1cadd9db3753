package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

// residentID completes 17 digits with the check character of GB 11643-1999.
func residentID(first17 string) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(first17[i]-'0') * w
	}
	return first17 + string("10X98765432"[sum%11])
}

var testIDNumber = residentID("11010519800101123")

// applicationValues is a complete application on the public form by a natural person.
func applicationValues() url.Values {
	return url.Values{
		"applicant_type": {"natural"},
		"name":           {"赵小明"},
		"id_type":        {requests.IDResidentCard},
		"id_number":      {testIDNumber},
		"phone":          {"13812345678"},
		"email":          {"zhao@example.com"},
		"address":        {"测试市人民路1号"},
		"description":    {"2025年度老旧小区改造项目资金使用情况\n包括项目名称、资金来源和使用金额"},
		"form":           {"电子邮件"},
		"delivery":       {"电子邮件"},
	}
}

// with returns a copy of v with the given pairs set ("" clears a field).
func with(v url.Values, pairs ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string{}, vs...)
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		out.Set(pairs[i], pairs[i+1])
	}
	return out
}

// requestCount returns how many requests there are.
func (s *stack) requestCount() int {
	s.t.Helper()
	_, n, err := s.reqs.List(context.Background(), s.actor("officer"), requests.RequestQuery{Limit: 1})
	if err != nil {
		s.t.Fatal(err)
	}
	return n
}

// requestByNo reads the request with a receipt number as stored (unmasked).
func (s *stack) requestByNo(no string) requests.Request {
	s.t.Helper()
	r, err := s.store.Requests.RequestByReceipt(context.Background(), no)
	if err != nil {
		s.t.Fatalf("request %s: %v", no, err)
	}
	return r
}

var (
	reRequestReceipt = regexp.MustCompile(`id="receipt-no">(YSQ-[0-9]+-[0-9]+)<`)
	reRequestVersion = regexp.MustCompile(`name="version" value="([0-9]+)"`)
)

func requestVersion(tb testing.TB, body string) string {
	tb.Helper()
	m := reRequestVersion.FindStringSubmatch(body)
	if m == nil {
		tb.Fatalf("no version in the page:\n%s", excerpt(body))
	}
	return m[1]
}

// TestRequestPublicForm files a request on the portal form: the receipt with its number and due
// date in the answer and nowhere else, the request on the desk with the name masked, refusals with
// the message beside the field and the input kept, nothing stored for a refused form, escaping,
// and a cross-site post refused.
func TestRequestPublicForm(t *testing.T) {
	s := newStack(t)
	citizen := s.anon()
	today := workflow.DateOf(s.clock.Now())

	r := citizen.get("/requests/new")
	if r.status != http.StatusOK {
		t.Fatalf("form: status %d", r.status)
	}
	mustContain(t, "form choices", r.body, `name="form" value="光盘"`, `name="delivery" value="当场阅读、抄录"`, `autocomplete="name"`)
	if strings.Count(r.body, "<fieldset") != strings.Count(r.body, "</fieldset>") {
		t.Fatalf("form: unbalanced fieldsets")
	}
	mustContain(t, "form", r.body, "政府信息公开申请表", `<label for="applicant_type">申请人类型 <span class="req">（必填）</span>`,
		`<label for="name">姓名或名称 <span class="req">（必填）</span>`, `<label for="id_number">证件号码`, `<label for="phone">联系电话`,
		`<label for="email">电子邮箱`, `<label for="address">通信地址`, `<label for="contact_person">联系人`, `<label for="description">`,
		`name="form" value="纸质"`, `name="delivery" value="邮寄"`, `<optgroup label="法人或其他组织">`, ">商业企业<", ">科研机构<",
		">社会公益组织<", ">法律服务机构<", `maxlength="200"`, `maxlength="5000"`, "20 个工作日", "不在网站公开", `action="/requests"`,
		`aria-current="page">依申请公开`)

	before := s.requestCount()
	r = citizen.postForm("/requests", applicationValues())
	if r.status != http.StatusOK {
		t.Fatalf("submit: status %d: %s", r.status, excerpt(r.body))
	}
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("receipt Cache-Control %q, want no-store", got)
	}
	m := reRequestReceipt.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no receipt number in the answer:\n%s", excerpt(r.body))
	}
	no := m[1]
	due := s.engine.Calendar().AddWorkingDays(today, requests.RequestReplyDays).Due
	mustContain(t, "receipt", r.body, "受理编号", "收到日期", `id="received-on">`+today.String(), "预计答复期限",
		`id="reply-due">`+due.String(), "接下来", "补正")
	mustNotContain(t, "receipt", r.body, testIDNumber, "13812345678", "zhao@example.com", "赵小明")
	if n := s.requestCount(); n != before+1 {
		t.Fatalf("requests %d after filing, want %d", n, before+1)
	}
	req := s.requestByNo(no)
	if req.ReplyDue != due || req.ReceivedOn != today || req.Channel != requests.ChannelOnline || req.ApplicantName != "赵小明" {
		t.Fatalf("stored request: %+v", req)
	}
	// The receipt is not a page anyone can open by its number.
	if r := citizen.get("/requests/receipt/" + no); r.status != http.StatusNotFound {
		t.Errorf("receipt by number: status %d, want 404", r.status)
	}

	// The desk lists it, with the name masked and no identity or contact.
	officer := s.login("officer")
	r = officer.get("/console/requests")
	mustContain(t, "desk", r.body, no, "2025年度老旧小区改造项目资金使用情况", "自然人", "赵**", today.String(), due.String(), "已收到",
		`href="/console/requests/new"`, "登记申请", `href="/console/cases"`)
	mustNotContain(t, "desk", r.body, "赵小明", testIDNumber, "13812345678")
	r = officer.get(fmt.Sprintf("/console/requests/%d", req.ID))
	mustContain(t, "detail", r.body, "赵小明", testIDNumber, "13812345678", "zhao@example.com", "在线申请", "在线提交申请", due.String())

	// Refusals: 4xx, the Chinese message beside the field, what was typed kept, nothing stored.
	for _, tc := range []struct {
		name   string
		form   url.Values
		field  string
		want   string
		kept   []string
		status int
	}{
		{"no name", with(applicationValues(), "name", ""), "name", "请填写申请人姓名", []string{"2025年度老旧小区改造项目资金使用情况", "zhao@example.com"}, http.StatusBadRequest},
		{"bad e-mail", with(applicationValues(), "email", "zhao-at-example"), "email", "电子邮箱格式不正确", []string{`value="zhao-at-example"`, `value="赵小明"`}, http.StatusBadRequest},
		{"invalid ID number", with(applicationValues(), "id_number", "110105198001011230"), "id_number", "居民身份证号码不正确",
			[]string{`value="110105198001011230"`}, http.StatusBadRequest},
		{"no contact", with(applicationValues(), "phone", "", "email", "", "address", "", "form", "纸质", "delivery", "自行领取"), "phone",
			"请至少填写一种联系方式", []string{`value="赵小明"`}, http.StatusBadRequest},
		{"script in the description", with(applicationValues(), "name", "", "description", `<script>alert("x")</script>请公开某某文件`), "name",
			"请填写申请人姓名", []string{`&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;请公开某某文件`}, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := s.requestCount()
			r := citizen.postForm("/requests", tc.form)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, excerpt(r.body))
			}
			mustContain(t, tc.name, r.body, append([]string{tc.want, `role="alert"`, `id="` + tc.field + `-error">` + tc.want}, tc.kept...)...)
			mustContain(t, tc.name, r.body, `aria-invalid="true"`)
			mustNotContain(t, tc.name, r.body, "<script>alert", `id="receipt-no"`)
			if n := s.requestCount(); n != before {
				t.Fatalf("a refused form stored a request: %d → %d", before, n)
			}
		})
	}

	// Markup in an accepted request is shown as text to staff.
	r = citizen.postForm("/requests", with(applicationValues(), "description", `<script>alert("x")</script>请公开某某文件`))
	m = reRequestReceipt.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil {
		t.Fatalf("submit with markup: status %d: %s", r.status, excerpt(r.body))
	}
	r = officer.get(fmt.Sprintf("/console/requests/%d", s.requestByNo(m[1]).ID))
	mustContain(t, "escaped detail", r.body, `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;请公开某某文件`)
	mustNotContain(t, "escaped detail", r.body, "<script>alert")

	// A form posted from another site is refused and stores nothing.
	before = s.requestCount()
	r = citizen.postForm("/requests", applicationValues(), "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	if r.status != http.StatusForbidden {
		t.Fatalf("cross-site submit: status %d, want 403", r.status)
	}
	mustContain(t, "cross-site", r.body, "请求来自其他网站，已被拒绝")
	if n := s.requestCount(); n != before {
		t.Fatalf("a cross-site post stored a request")
	}
}

// TestRequestRateLimit: one client filing too often gets 429 with Retry-After and the form back
// with what was typed, and nothing is stored.
func TestRequestRateLimit(t *testing.T) {
	s := newStack(t)
	s.clock.Freeze() // the bucket refills by the test clock: under load the burst would take longer than a refill
	c := s.anon()
	// A form sent back for correction does not count: an applicant fixing typos is never locked out.
	for i := range 30 {
		if r := c.postForm("/requests", url.Values{"description": {fmt.Sprintf("第 %d 次提交的申请内容", i)}}); r.status != http.StatusBadRequest {
			t.Fatalf("incomplete post %d: status %d, want 400", i, r.status)
		}
	}
	// Well-formed requests do: the burst of 20 is filed, the next one is refused.
	for i := range 20 {
		if r := c.postForm("/requests", applicationValues()); r.status != http.StatusOK {
			t.Fatalf("request %d of the burst: status %d", i, r.status)
		}
	}
	before := s.requestCount()
	r := c.postForm("/requests", applicationValues())
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("request after the burst: status %d, want 429", r.status)
	}
	ra, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || ra < 1 {
		t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
	}
	mustContain(t, "limited", r.body, "提交过于频繁", `value="赵小明"`, "2025年度老旧小区改造项目资金使用情况")
	if n := s.requestCount(); n != before {
		t.Fatalf("a limited post stored a request")
	}
}

// TestRequestDesk registers a request received by letter with its receipt date and walks it
// through the forms: a 补正 notice, the supplement, a refused and a proper extension, its
// approval, a stale form, a missing outcome, and the answer with its outcome.
func TestRequestDesk(t *testing.T) {
	s := newStack(t)
	officer := s.login("officer")
	today := workflow.DateOf(s.clock.Now())
	received := today.AddDays(-1)

	r := officer.get("/console/requests/new")
	if r.status != http.StatusOK {
		t.Fatalf("registration form: status %d", r.status)
	}
	mustContain(t, "registration form", r.body, `<label for="channel">申请渠道`, `value="letter"`, `value="registered_post"`, "平常信函",
		"签收日期", "以行政机关签收之日为收到申请之日", `<label for="receipt_date">`, `type="date"`, `max="`+today.String()+`"`,
		`<label for="name">姓名或名称`, `<label for="description">`, `name="form" value="光盘"`, `name="delivery" value="邮寄"`,
		`<label for="note">登记备注`)
	// Staff type someone else's details: the browser must not offer their own.
	mustNotContain(t, "registration form", r.body, `autocomplete="name"`, `autocomplete="tel"`)
	mustNotContain(t, "registration form", r.body, `value="online"`)

	letter := with(applicationValues(), "channel", "letter", "receipt_date", "", "applicant_type", "legal_service",
		"name", "某某律师事务所", "contact_person", "钱律师", "id_type", requests.IDCreditCode, "id_number", "91110000MA01ABCD2X",
		"description", "关于某路段拆迁补偿标准的文件", "form", "纸质", "delivery", "邮寄", "note", "信封邮戳 "+received.String())

	// A letter needs the day of confirmation.
	before := s.requestCount()
	r = officer.postForm("/console/requests", letter)
	if r.status != http.StatusBadRequest {
		t.Fatalf("letter without date: status %d: %s", r.status, excerpt(r.body))
	}
	mustContain(t, "letter without date", r.body, "请填写确认日期", `id="receipt_date-error"`, `value="某某律师事务所"`, "关于某路段拆迁补偿标准的文件",
		`<option value="letter" selected>`)
	r = officer.postForm("/console/requests", with(letter, "receipt_date", today.AddDays(3).String()))
	if r.status != http.StatusBadRequest {
		t.Fatalf("future date: status %d", r.status)
	}
	mustContain(t, "future date", r.body, "不能晚于今天")
	if n := s.requestCount(); n != before {
		t.Fatalf("refused registrations stored a request")
	}

	r = officer.postForm("/console/requests", with(letter, "receipt_date", received.String()))
	if r.status != http.StatusSeeOther {
		t.Fatalf("register: status %d: %s", r.status, excerpt(r.body))
	}
	page := strings.SplitN(r.header.Get("Location"), "?", 2)[0]
	if !strings.HasPrefix(page, "/console/requests/") {
		t.Fatalf("register: Location %q", r.header.Get("Location"))
	}
	due := s.engine.Calendar().AddWorkingDays(received, requests.RequestReplyDays).Due
	r = officer.get(r.header.Get("Location"))
	mustContain(t, "registered", r.body, "申请已登记，受理编号 YSQ-", "平常信函", "确认之日为收到申请之日", received.String(), "91110000MA01ABCD2X",
		"法人或其他组织（法律服务机构）", "钱律师", "信封邮戳", "周公开", `id="reply-due">`+due.String(), "自收到申请之日 "+received.String()+" 起算",
		"计算方法", "应最迟于", `id="req-act-accept"`, `id="req-act-request_supplement"`, `id="req-act-consult"`, `id="req-act-answer"`,
		`<label for="req-act-request_supplement-supplement_items">需要补正的事项`, `id="req-act-request_supplement-supplement_by" name="supplement_by" type="date"`,
		`<optgroup label="（三）不予公开">`, `<option value="三(三)4">4. 保护第三方合法权益</option>`, `<option value="三(二)">`,
		`<label for="req-act-answer-reply_letter">答复书`)
	mustNotContain(t, "registered", r.body, `value="三(六)1"`, `value="三(六)2"`)

	fireAs := func(who *client, name string, form url.Values) response {
		t.Helper()
		cur := who.get(page)
		form.Set("version", requestVersion(t, cur.body))
		return who.postForm(page+"/transitions/"+name, form)
	}
	fire := func(name string, form url.Values) response { t.Helper(); return fireAs(officer, name, form) }
	mustFireAs := func(who *client, name string, form url.Values) string {
		t.Helper()
		r := fireAs(who, name, form)
		if r.status != http.StatusSeeOther {
			t.Fatalf("%s: status %d: %s", name, r.status, excerpt(r.body))
		}
		return who.get(r.header.Get("Location")).body
	}
	mustFire := func(name string, form url.Values) string { t.Helper(); return mustFireAs(officer, name, form) }

	// 补正: the items and a date; the clock stops.
	supplementBy := today.AddDays(10).String()
	body := mustFire("request_supplement", url.Values{"supplement_items": {"请写明文件的发文机关和大致时间"}, "supplement_by": {supplementBy}})
	mustContain(t, "after supplement notice", body, "已完成“发出补正通知”", "待申请人补正", "暂停", "请写明文件的发文机关和大致时间",
		supplementBy, "补正期限", `id="req-act-receive_supplement"`)
	mustNotContain(t, "after supplement notice", body, `id="reply-due"`)

	// A stale form is refused with a way to refresh.
	r = officer.postForm(page+"/transitions/receive_supplement", url.Values{"version": {"1"}, "supplemented_on": {today.String()}})
	if r.status != http.StatusConflict {
		t.Fatalf("stale form: status %d: %s", r.status, excerpt(r.body))
	}
	mustContain(t, "stale form", r.body, "申请已被他人处理", "刷新页面")

	body = mustFire("receive_supplement", url.Values{"supplemented_on": {today.String()}})
	due = s.engine.Calendar().AddWorkingDays(today, requests.RequestReplyDays).Due
	mustContain(t, "after supplement", body, "办理中", "已完成“收到补正材料”", `id="reply-due">`+due.String(), "答复期限自补正之日重新起算",
		`id="req-act-request_extension"`, `id="req-act-notify_fee"`)

	// An extension beyond 20 working days is refused beside its box, the input kept.
	r = fire("request_extension", url.Values{"extension_days": {"25"}, "extension_reason": {"涉及档案较多，需要调阅"}})
	if r.status != http.StatusBadRequest {
		t.Fatalf("long extension: status %d: %s", r.status, excerpt(r.body))
	}
	mustContain(t, "long extension", r.body, "未能完成“申请延期答复”", "延长的天数应为 1 到 20 之间的整数", `value="25"`, "涉及档案较多，需要调阅", `aria-invalid="true"`)

	// The officer asks; only the head of the disclosure office may decide (《条例》第33条).
	body = mustFire("request_extension", url.Values{"extension_days": {"15"}, "extension_reason": {"涉及档案较多，需要调阅"}})
	mustContain(t, "extension asked", body, "延期待批准")
	mustNotContain(t, "extension asked", body, `id="req-act-approve_extension"`, `id="req-act-reject_extension"`)
	head := s.login("head")
	forged := url.Values{"version": {requestVersion(t, head.get(page).body)}}
	if r := officer.postForm(page+"/transitions/approve_extension", forged); r.status != http.StatusForbidden {
		t.Fatalf("officer approving the extension: status %d", r.status)
	}
	mustContain(t, "extension for the head", head.get(page).body, `id="req-act-approve_extension"`, `id="req-act-reject_extension"`)
	body = mustFireAs(head, "approve_extension", url.Values{})
	due = s.engine.Calendar().AddWorkingDays(today, requests.RequestReplyDays+15).Due
	mustContain(t, "extension approved", body, "已完成“同意延期（告知申请人）”", "已延长（工作日）", `id="reply-due">`+due.String(), "共 35 个工作日")
	mustNotContain(t, "extension approved", body, `id="req-act-request_extension"`)

	// The answer needs exactly one outcome; the letter typed is kept.
	r = fire("answer", url.Values{"reply_letter": {"经检索，现将可公开部分提供如下。"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("answer without outcome: status %d: %s", r.status, excerpt(r.body))
	}
	mustContain(t, "answer without outcome", r.body, "请填写办理结果", "经检索，现将可公开部分提供如下。")
	body = mustFire("answer", url.Values{"outcome": {"三(二)"}, "reply_letter": {"经检索，现将可公开部分提供如下。\n涉及个人隐私的部分不予公开。"}})
	mustContain(t, "answered", body, "已答复", "已完成“答复”", `id="request-outcome">部分公开`, "涉及个人隐私的部分不予公开。",
		"申请已办结，不再计算答复期限", "当前无需您办理")

	// The desk: the outcome shown once closed; open-only and overdue filters leave it out.
	r = officer.get("/console/requests?state=answered")
	mustContain(t, "answered list", r.body, "关于某路段拆迁补偿标准的文件", "部分公开", "已办结", "法人或其他组织（法律服务机构）", "某某律师事务所")
	r = officer.get("/console/requests?open=true")
	mustNotContain(t, "open list", r.body, "关于某路段拆迁补偿标准的文件")
	mustContain(t, "open list", r.body, `name="open" value="true" checked`)
	r = officer.get(fmt.Sprintf("/console/requests?year=%d&applicant_type=legal_service&q=%s", received.Year, url.QueryEscape("拆迁")))
	mustContain(t, "filtered list", r.body, "关于某路段拆迁补偿标准的文件")
	r = officer.get("/console/requests?applicant_type=natural")
	mustNotContain(t, "other applicant type", r.body, "关于某路段拆迁补偿标准的文件")
	if r := officer.get("/console/requests?state=nonsense"); r.status != http.StatusBadRequest {
		t.Errorf("unknown state: status %d, want 400", r.status)
	}
}

// TestRequestOverdueMark: an open request past its reply date is marked 逾期 in words on the desk
// and on its page, and the overdue filter finds it.
func TestRequestOverdueMark(t *testing.T) {
	s := newStack(t)
	in := requests.Application{ApplicantType: "natural", Name: "孙某", IDType: requests.IDResidentCard, IDNumber: testIDNumber,
		Phone: "13800000000", Description: "某项目的环评批复"}
	req, err := s.reqs.Submit(context.Background(), in, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	officer := s.login("officer")
	r := officer.get("/console/requests?overdue=true")
	mustNotContain(t, "not yet overdue", r.body, req.ReceiptNo)
	s.clock.Advance(60 * 24 * time.Hour)
	r = officer.get("/console/requests?overdue=true")
	mustContain(t, "overdue list", r.body, req.ReceiptNo, `<strong class="tag tag-overdue">逾期</strong>`, "孙*")
	r = officer.get(fmt.Sprintf("/console/requests/%d", req.ID))
	mustContain(t, "overdue page", r.body, `<span class="deadline overdue" id="reply-due">`, "逾期")
	// Past the 7 working days, no 补正 notice is offered any more.
	mustNotContain(t, "overdue page", r.body, `id="req-act-request_supplement"`)
}

// TestRequestDeskPaging pages the desk, keeping the filter in the page links.
func TestRequestDeskPaging(t *testing.T) {
	s := newStack(t)
	for i := range 32 {
		in := requests.Application{ApplicantType: "natural", Name: "冯某", IDType: "护照", IDNumber: "E1234567" + strconv.Itoa(i%10),
			Phone: "13800000000", Description: fmt.Sprintf("分页测试申请第%02d件", i)}
		if _, err := s.reqs.Submit(context.Background(), in, fmt.Sprintf("198.51.100.%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	officer := s.login("officer")
	r := officer.get("/console/requests?open=true")
	mustContain(t, "page 1", r.body, `id="request-total">32<`, "分页测试申请第31件", `href="/console/requests?open=true&amp;page=2"`, `rel="next"`)
	mustNotContain(t, "page 1", r.body, "分页测试申请第00件")
	r = officer.get("/console/requests?open=true&page=2")
	mustContain(t, "page 2", r.body, "分页测试申请第00件", "分页测试申请第01件", `rel="prev"`)
	mustNotContain(t, "page 2", r.body, "分页测试申请第31件")
	if r := officer.get("/console/requests?page=0"); r.status != http.StatusBadRequest {
		t.Errorf("page 0: status %d, want 400", r.status)
	}
}

// TestRequestPagesDenied: the console request and case pages are for those with the
// permissions: anonymous visitors get the login form, others 403.
func TestRequestPagesDenied(t *testing.T) {
	s := newStack(t)
	req, err := s.reqs.Submit(context.Background(), requests.Application{ApplicantType: "natural", Name: "周某", IDType: "护照",
		IDNumber: "E12345678", Email: "zhou@example.com", Description: "某文件"}, "192.0.2.2")
	if err != nil {
		t.Fatal(err)
	}
	detail := fmt.Sprintf("/console/requests/%d", req.ID)
	anon, drafter, leader := s.anon(), s.login("drafter"), s.login("leader")
	for _, path := range []string{"/console/requests", "/console/requests/new", detail, "/console/cases"} {
		r := anon.get(path)
		if r.status != http.StatusUnauthorized {
			t.Errorf("anonymous %s: status %d, want 401", path, r.status)
		}
		mustContain(t, "anonymous "+path, r.body, `<label for="username">用户名</label>`)
		mustNotContain(t, "anonymous "+path, r.body, "周某", "zhou@example.com")
		for who, c := range map[string]*client{"drafter": drafter, "leader": leader} {
			r := c.get(path)
			if r.status != http.StatusForbidden {
				t.Errorf("%s %s: status %d, want 403", who, path, r.status)
			}
			mustNotContain(t, who+" "+path, r.body, "周某", "zhou@example.com")
		}
	}
	before := s.requestCount()
	r := drafter.postForm("/console/requests", with(applicationValues(), "channel", "in_person"))
	if r.status != http.StatusForbidden {
		t.Errorf("drafter registers: status %d, want 403", r.status)
	}
	r = drafter.postForm(detail+"/transitions/answer", url.Values{"version": {"1"}, "outcome": {"三(一)"}, "reply_letter": {"答复"}})
	if r.status != http.StatusForbidden {
		t.Errorf("drafter answers: status %d, want 403", r.status)
	}
	if n := s.requestCount(); n != before {
		t.Fatalf("a refused registration stored a request")
	}
	if got, _ := s.reqs.Get(context.Background(), s.actor("officer"), req.ID); got.State != requests.RequestReceived {
		t.Fatalf("a refused answer changed the request: %s", got.State)
	}
	// The nav shows the desk to the officer only.
	mustNotContain(t, "drafter nav", drafter.get("/console").body, `href="/console/requests"`)
	mustContain(t, "officer nav", s.login("officer").get("/console").body, `href="/console/requests"`)
}

// TestCasePages records a reconsideration case about a request, refuses bad input with the form
// kept, updates it when concluded, and refuses a stale update.
func TestCasePages(t *testing.T) {
	s := newStack(t)
	req, err := s.reqs.Submit(context.Background(), requests.Application{ApplicantType: "natural", Name: "吴某", IDType: requests.IDResidentCard,
		IDNumber: testIDNumber, Phone: "13900000000", Description: "某批复文件"}, "192.0.2.3")
	if err != nil {
		t.Fatal(err)
	}
	officer := s.login("officer")
	today := workflow.DateOf(s.clock.Now())
	filed := today.AddDays(-30).String()

	r := officer.get(fmt.Sprintf("/console/requests/%d", req.ID))
	mustContain(t, "request page", r.body, fmt.Sprintf(`href="/console/cases?request_id=%d"`, req.ID))
	r = officer.get(fmt.Sprintf("/console/cases?request_id=%d", req.ID))
	if r.status != http.StatusOK {
		t.Fatalf("cases: status %d", r.status)
	}
	mustContain(t, "case form", r.body, "没有案件", `<label for="kind">案件类型`, `value="reconsideration"`, "行政诉讼（复议后起诉）",
		`<label for="filed_on">`, `id="case-request-no">`+req.ReceiptNo, fmt.Sprintf(`name="request_id" type="text" inputmode="numeric" maxlength="20" value="%d"`, req.ID),
		`<option value="pending" selected>尚未审结</option>`, `id="applicant_name" name="applicant_name" type="text" maxlength="200" value="吴某"`)

	form := url.Values{"kind": {"reconsideration"}, "case_no": {"测复〔2026〕8号"}, "organ": {"测试市人民政府"}, "applicant_name": {"吴某"},
		"request_id": {strconv.FormatInt(req.ID, 10)}, "filed_on": {filed}, "outcome": {"pending"}, "summary": {"申请人不服答复"}}
	for _, tc := range []struct {
		name, field, want string
		form              url.Values
	}{
		{"no kind", "kind", "案件类型只能是", with(form, "kind", "")},
		{"no filing date", "filed_on", "请填写立案（起诉）日期", with(form, "filed_on", "")},
		{"outcome without conclusion", "concluded_on", "已有结果的案件请填写审结日期", with(form, "outcome", "upheld")},
		{"bad request number", "request_id", "关联申请的系统编号应为正整数", with(form, "request_id", "YSQ-1")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := officer.postForm("/console/cases", tc.form)
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", r.status, excerpt(r.body))
			}
			mustContain(t, tc.name, r.body, `id="`+tc.field+`-error">`+tc.want, "测复〔2026〕8号", "申请人不服答复")
		})
	}
	if _, n, err := s.cases.List(context.Background(), s.actor("officer"), requests.CaseQuery{}); err != nil || n != 0 {
		t.Fatalf("refused forms stored cases: %d, %v", n, err)
	}

	r = officer.postForm("/console/cases", form)
	if r.status != http.StatusSeeOther {
		t.Fatalf("record: status %d: %s", r.status, excerpt(r.body))
	}
	page := strings.SplitN(r.header.Get("Location"), "?", 2)[0]
	r = officer.get(r.header.Get("Location"))
	mustContain(t, "recorded", r.body, "案件已登记", "行政复议", "测复〔2026〕8号", `id="case-outcome">尚未审结`, "测试市人民政府",
		`id="case-request-link">`+req.ReceiptNo)
	version := requestVersion(t, r.body)
	r = officer.get("/console/cases")
	mustContain(t, "case list", r.body, "测复〔2026〕8号", "尚未审结", filed)

	// Concluded: corrected.
	upd := with(form, "outcome", "corrected", "concluded_on", today.String(), "version", version)
	r = officer.postForm(page, upd)
	if r.status != http.StatusSeeOther {
		t.Fatalf("update: status %d: %s", r.status, excerpt(r.body))
	}
	r = officer.get(r.header.Get("Location"))
	mustContain(t, "updated", r.body, "已保存", `id="case-outcome">结果纠正`, "审结日期 "+today.String())
	k, err := s.cases.Get(context.Background(), s.actor("officer"), mustID(t, page))
	if err != nil || k.Outcome != requests.CaseCorrected || k.ConcludedOn != today {
		t.Fatalf("stored case: %+v, %v", k, err)
	}

	// The same form again is stale.
	r = officer.postForm(page, with(upd, "outcome", "upheld"))
	if r.status != http.StatusConflict {
		t.Fatalf("stale update: status %d: %s", r.status, excerpt(r.body))
	}
	mustContain(t, "stale update", r.body, "案件已被他人修改", "刷新页面")
	// A refused update keeps the form.
	r = officer.postForm(page, with(form, "outcome", "other", "version", requestVersion(t, officer.get(page).body)))
	if r.status != http.StatusBadRequest {
		t.Fatalf("update without conclusion date: status %d", r.status)
	}
	mustContain(t, "refused update", r.body, "已有结果的案件请填写审结日期", `<option value="other" selected>`)
	if k2, _ := s.cases.Get(context.Background(), s.actor("officer"), k.ID); k2.Outcome != requests.CaseCorrected {
		t.Fatalf("a refused update changed the case: %s", k2.Outcome)
	}
	if r := officer.get("/console/cases?kind=nonsense"); r.status != http.StatusBadRequest {
		t.Errorf("unknown kind: status %d, want 400", r.status)
	}
}

func mustID(t *testing.T, path string) int64 {
	t.Helper()
	i := strings.LastIndex(path, "/")
	id, err := strconv.ParseInt(path[i+1:], 10, 64)
	if err != nil {
		t.Fatalf("no id in %q", path)
	}
	return id
}

// TestRequestStatusPage: the applicant follows their request from the receipt with the receipt
// number and a contact; a wrong contact is told nothing, and the page shows nothing personal.
func TestRequestStatusPage(t *testing.T) {
	s := newStack(t)
	c := s.anon()
	r := c.postForm("/requests", applicationValues())
	m := reRequestReceipt.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil {
		t.Fatalf("file: %d", r.status)
	}
	no := m[1]
	mustContain(t, "receipt", r.body, `href="/requests/status?no=`+no+`"`)
	form := c.get("/requests/status?no=" + no)
	mustContain(t, "lookup form", form.body, `value="`+no+`"`, `<label for="contact">`, `action="/requests/status"`)

	wrong := c.postForm("/requests/status", url.Values{"receipt_no": {no}, "contact": {"13900000000"}})
	if wrong.status != http.StatusNotFound {
		t.Fatalf("wrong contact: status %d", wrong.status)
	}
	mustContain(t, "wrong contact", wrong.body, "没有找到与该受理编号和联系方式相符的申请", `value="13900000000"`)
	mustNotContain(t, "wrong contact", wrong.body, `id="status-state"`)

	due := s.engine.Calendar().AddWorkingDays(workflow.DateOf(s.clock.Now()), requests.RequestReplyDays).Due
	ok := c.postForm("/requests/status", url.Values{"receipt_no": {no}, "contact": {"zhao@example.com"}})
	if ok.status != http.StatusOK {
		t.Fatalf("lookup: status %d: %s", ok.status, excerpt(ok.body))
	}
	mustContain(t, "status", ok.body, `id="status-no">`+no, `<strong>已收到</strong>`, "正在办理", `id="status-due">`+due.String(),
		"2025年度老旧小区改造项目资金使用情况")
	mustNotContain(t, "status", ok.body, "赵小明", "13812345678", testIDNumber, "人民路")
	if cc := ok.header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("status page Cache-Control %q, want no-store", cc)
	}
	if r := c.postForm("/requests/status", url.Values{"receipt_no": {no}, "contact": {"zhao@example.com"}},
		"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"); r.status != http.StatusForbidden {
		t.Fatalf("cross-site lookup: status %d", r.status)
	}

	// During 补正 the page says what to supply and by when.
	req, err := s.store.Requests.RequestByReceipt(context.Background(), no)
	if err != nil {
		t.Fatal(err)
	}
	by := workflow.DateOf(s.clock.Now()).AddDays(10)
	if _, err := s.reqs.Fire(context.Background(), s.actor("officer"), req.ID, req.Version, "request_supplement",
		workflow.Input{"supplement_items": "请写明所需文件的发文机关和大致时间", "supplement_by": by.String()}); err != nil {
		t.Fatal(err)
	}
	ok = c.postForm("/requests/status", url.Values{"receipt_no": {no}, "contact": {"zhao@example.com"}})
	mustContain(t, "status during 补正", ok.body, "请于 "+by.String()+" 前补正", `id="status-supplement-items">请写明所需文件的发文机关和大致时间`,
		`id="status-supplement-by"><strong>`+by.String())
	mustNotContain(t, "status during 补正", ok.body, `id="status-due"`)
}
