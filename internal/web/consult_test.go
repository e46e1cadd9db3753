package web_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"wugongkai/workflow/documents"
)

// mustDecision creates a 主动公开 decision draft whose consultation opens after opensIn and lasts 30
// days, optionally publishing its comments, and has the unit head approve it.
func (s *stack) mustDecision(title string, opensIn time.Duration, commentsPublic bool) documents.Document {
	s.t.Helper()
	opens := s.clock.Now().Add(opensIn).Truncate(time.Minute)
	closes := opens.Add(30 * 24 * time.Hour)
	d := s.mustCreate("drafter", documents.Draft{Definition: "decision", Title: str(title),
		Body:        str("第一条 为了推进生活垃圾分类工作，制定本办法。\n第二条 本办法适用于本市行政区域。"),
		Explanation: str("起草说明：依据《固体废物污染环境防治法》起草。"), Attribute: str("主动公开"),
		SubjectCategory: str("城乡建设、环境保护\\城市建设"), OpensAt: &opens, ClosesAt: &closes})
	if commentsPublic {
		if _, err := s.cons.SetCommentsPublic(context.Background(), s.actor("drafter"), d.ID, d.Version, true); err != nil {
			s.t.Fatal(err)
		}
	}
	return s.mustFire(d, [2]string{"drafter", "submit"}, [2]string{"unithead", "approve"})
}

var reReceipt = regexp.MustCompile(`id="receipt-no">(YJ[0-9-]+)<`)

// comment posts the public comment form and returns the answer.
func (c *client) comment(id int64, name, contact, text string) response {
	c.s.t.Helper()
	return c.postForm(fmt.Sprintf("/consultations/%d/comments", id), url.Values{"name": {name}, "contact": {contact}, "text": {text}})
}

// TestConsultationPages walks a consultation through its pages: announced, open with the comment
// form and receipts, refusals with reasons, campaigns and bursts in the staff list, contact
// details masked, moderation, closing, dispositions in bulk, the adoption summary, and the
// decision published with it.
func TestConsultationPages(t *testing.T) {
	s := newStack(t)
	d := s.mustDecision("测试市生活垃圾分类管理办法（草案）", time.Hour, true)
	citizen := s.anon()
	page := fmt.Sprintf("/consultations/%d", d.ID)

	// Announced, not open: listed as upcoming, no form, comments refused with the period.
	r := citizen.get("/consultations?status=upcoming")
	mustContain(t, "upcoming list", r.body, "测试市生活垃圾分类管理办法（草案）", "即将开始", "征求意见期（北京时间）")
	r = citizen.get(page)
	mustContain(t, "upcoming page", r.body, "征求意见尚未开始")
	mustNotContain(t, "upcoming page", r.body, `id="comment-form"`, "第一条")
	r = citizen.comment(d.ID, "", "", "提前提交的意见内容")
	if r.status != http.StatusConflict {
		t.Fatalf("early comment: %d", r.status)
	}
	mustContain(t, "early comment", r.body, "征求意见尚未开始", "（北京时间）")

	// The sweep opens it at opens_at.
	s.clock.Advance(2 * time.Hour)
	s.sweep()
	if got := mustDoc(t, s, d.ID).State; got != "consultation_open" {
		t.Fatalf("after opening: %s", got)
	}
	r = citizen.get("/")
	mustContain(t, "portal home", r.body, "正在征求意见", page, `href="/feeds/consultations.atom"`)
	r = citizen.get(page)
	mustContain(t, "open page", r.body, "正在征求意见", "第一条 为了推进生活垃圾分类工作", "起草说明", `<label for="text">意见内容`,
		`<label for="name">姓名（可不填）`, `<label for="contact">`, "个人信息说明", "不在网站公开")

	// A comment with name, contact and markup: a receipt once stored.
	r = citizen.comment(d.ID, "赵市民", "13812341234", `<script>alert(1)</script>建议明确执法主体和处罚标准`)
	if r.status != http.StatusCreated {
		t.Fatalf("comment: %d: %s", r.status, excerpt(r.body))
	}
	m := reReceipt.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no receipt number: %s", excerpt(r.body))
	}
	mustContain(t, "receipt", r.body, "意见已提交", "回执编号", "请记下回执编号")
	receipt := "/comment-receipts?no=" + m[1]
	mustContain(t, "receipt", r.body, `href="`+receipt+`"`)
	// The receipt number can be looked up: received, the draft, no disposition before publication,
	// nothing of the comment or its author.
	lookup := func(want ...string) {
		t.Helper()
		r := citizen.get(receipt)
		if r.status != http.StatusOK {
			t.Fatalf("receipt lookup: %d: %s", r.status, excerpt(r.body))
		}
		mustContain(t, "receipt lookup", r.body, append(want, m[1], "收到时间", page)...)
		mustNotContain(t, "receipt lookup", r.body, "赵市民", "13812341234", "建议明确执法主体")
	}
	lookup("意见采纳情况将随决定一并公布")
	if r := citizen.get("/comment-receipts?no=YJ20000101-999999"); r.status != http.StatusNotFound {
		t.Fatalf("unknown receipt: %d", r.status)
	} else {
		mustContain(t, "unknown receipt", r.body, "未找到回执编号为 YJ20000101-999999 的意见", `role="alert"`)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("receipt is cacheable")
	}

	// Refusals keep what was typed and say why.
	for _, tc := range []struct {
		name, contact, text, want string
		status                    int
	}{
		{"", "", "短", "意见内容至少需要 5 个字", http.StatusBadRequest},
		{"", "not a contact", "联系方式写错了的意见", "联系方式请填写手机号码", http.StatusBadRequest},
		{"", "", strings.Repeat("长", 501), "不能超过 500 个字", http.StatusBadRequest},
	} {
		r := citizen.comment(d.ID, tc.name, tc.contact, tc.text)
		if r.status != tc.status {
			t.Errorf("%s: status %d, want %d", tc.want, r.status, tc.status)
		}
		mustContain(t, tc.want, r.body, tc.want, `role="alert"`, tc.contact)
	}

	// A campaign: the same opinion, punctuated differently, many times at once (a burst).
	for i := range 7 {
		text := "反对在小区内建设垃圾转运站" + strings.Repeat("！", i%3)
		if r := citizen.comment(d.ID, "", "", text); r.status != http.StatusCreated {
			t.Fatalf("campaign comment %d: %d: %s", i, r.status, excerpt(r.body))
		}
	}
	if r := citizen.comment(d.ID, "钱女士", "resident@example.com", "建议在每个小区设置有害垃圾回收点"); r.status != http.StatusCreated {
		t.Fatalf("comment: %d", r.status)
	}

	// Staff list: campaigns, bursts, contacts masked for the drafter and shown to the office.
	drafter, officer := s.login("drafter"), s.login("officer")
	comments := fmt.Sprintf("/console/documents/%d/comments", d.ID)
	r = drafter.get(comments)
	mustContain(t, "staff comments", r.body, `id="comment-total">9<`, "相同或相近意见（1 组）", "<strong>7</strong> 条", "集中提交提示",
		"同一来源集中提交", "相同内容集中提交", "138****1234", "r***@example.com", "&lt;script&gt;alert(1)&lt;/script&gt;", "赵市民",
		"征求意见结束后方可处理意见")
	mustNotContain(t, "staff comments", r.body, "13812341234", "resident@example.com", "<script>alert(1)", `id="dispose-form"`)
	r = officer.get(comments)
	mustContain(t, "officer comments", r.body, "13812341234", "resident@example.com", "/moderation")
	r = drafter.get(comments + "?grouped=false")
	if n := strings.Count(r.body, "反对在小区内建设垃圾转运站"); n < 7 {
		t.Errorf("ungrouped list shows the campaign %d times, want every comment", n)
	}

	// Moderation: the office publishes one comment and hides another with a reason.
	ids := regexp.MustCompile(`/comments/(\d+)/moderation`).FindAllStringSubmatch(officer.get(comments+"?grouped=false").body, -1)
	if len(ids) < 2 {
		t.Fatalf("no moderation forms")
	}
	moderation := func(id, status, reason string) response {
		return officer.postForm(fmt.Sprintf("%s/%s/moderation", comments, id), url.Values{"status": {status}, "reason": {reason}})
	}
	if r := moderation(ids[0][1], "hidden", ""); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("hide without reason: %d", r.status)
	} else {
		mustContain(t, "hide without reason", r.body, "请写明不予公开该意见的理由")
	}
	if r := moderation(ids[0][1], "hidden", "含有不当内容"); r.status != http.StatusSeeOther {
		t.Fatalf("hide: %d: %s", r.status, excerpt(r.body))
	}
	if r := moderation(ids[len(ids)-1][1], "published", ""); r.status != http.StatusSeeOther {
		t.Fatalf("publish: %d", r.status)
	}
	r = citizen.get(page)
	mustContain(t, "public comments", r.body, "公开的意见", "建议在每个小区设置有害垃圾回收点")
	mustNotContain(t, "public comments", r.body, "钱女士", "resident@example.com", "赵市民", "13812341234")

	// No disposition before the period closes.
	if r := drafter.postForm(comments+"/dispositions", url.Values{"disposition": {"采纳"}, "comment_ids": {ids[0][1]}}); r.status != http.StatusConflict {
		t.Fatalf("dispose while open: %d", r.status)
	} else {
		mustContain(t, "dispose while open", r.body, "才能处理公众意见")
	}

	// The sweep closes it; a late comment is refused with the period.
	s.clock.Advance(31 * 24 * time.Hour)
	s.sweep()
	if got := mustDoc(t, s, d.ID).State; got != "consultation_closed" {
		t.Fatalf("after closing: %s", got)
	}
	r = citizen.comment(d.ID, "", "", "截止之后提交的意见")
	if r.status != http.StatusConflict {
		t.Fatalf("late comment: %d", r.status)
	}
	mustContain(t, "late comment", r.body, "征求意见已截止")
	mustNotContain(t, "closed page", citizen.get(page).body, `id="comment-form"`)

	// Dispositions in bulk: the campaign is not adopted (a reason is required), the rest adopted.
	r = drafter.get(comments)
	mustContain(t, "closed staff list", r.body, `id="dispose-form"`, `name="campaign_keys"`, "记录处理结果")
	key := regexp.MustCompile(`name="campaign_keys" value="([0-9a-f]{32})"`).FindStringSubmatch(r.body)[1]
	r = drafter.postForm(comments+"/dispositions", url.Values{"disposition": {"不采纳"}, "campaign_keys": {key}, "reason": {""}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("not adopted without reason: %d", r.status)
	}
	mustContain(t, "not adopted without reason", r.body, "须说明理由", `value="不采纳" checked`)
	r = drafter.postForm(comments+"/dispositions", url.Values{"disposition": {"不采纳"}, "campaign_keys": {key},
		"reason": {"转运站选址已经专题论证，符合环境影响评价要求"}})
	if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "n=7") {
		t.Fatalf("dispose campaign: %d %s: %s", r.status, r.header.Get("Location"), excerpt(r.body))
	}
	// The rest, ticked one by one on the grouped list (where the campaign is one row of its own).
	r = drafter.get(comments)
	form := url.Values{"disposition": {"采纳"}}
	for _, m := range regexp.MustCompile(`name="comment_ids" value="(\d+)"`).FindAllStringSubmatch(r.body, -1) {
		form.Add("comment_ids", m[1])
	}
	if r := drafter.postForm(comments+"/dispositions", form); r.status != http.StatusSeeOther {
		t.Fatalf("dispose the rest: %d: %s", r.status, excerpt(r.body))
	}
	r = drafter.get(comments)
	mustContain(t, "after dispositions", r.body, "采纳 2 条", "不采纳 7 条", "未处理 0 条", "转运站选址已经专题论证")

	// The adoption summary: generated, edited, attached.
	summary := fmt.Sprintf("/console/documents/%d/summary", d.ID)
	r = drafter.get(summary)
	mustContain(t, "summary page", r.body, "关于《测试市生活垃圾分类管理办法（草案）》公开征求意见采纳情况的说明", "共收到意见 9 条",
		"转运站选址已经专题论证", "上传意见采纳情况说明")
	text := regexp.MustCompile(`(?s)<textarea id="summary-text" name="text" rows="22">(.*?)</textarea>`).FindStringSubmatch(r.body)[1]
	text = strings.ReplaceAll(htmlUnescape(text), "经逐条研究", "经起草单位逐条研究")
	if r := drafter.postForm(summary, url.Values{"version": {"1"}, "text": {text}}); r.status != http.StatusConflict {
		t.Fatalf("stale summary: %d", r.status)
	} else {
		mustContain(t, "stale summary", r.body, "请刷新后重试", "经起草单位逐条研究")
	}
	v := mustDoc(t, s, d.ID).Version
	if r := drafter.postForm(summary, url.Values{"version": {fmt.Sprint(v)}, "text": {text}}); r.status != http.StatusSeeOther {
		t.Fatalf("attach summary: %d: %s", r.status, excerpt(r.body))
	}
	docPage := fmt.Sprintf("/console/documents/%d", d.ID)
	r = drafter.get(docPage + "?done=summary")
	mustContain(t, "after summary", r.body, "意见采纳情况说明已上传", "经起草单位逐条研究", "/transitions/attach_summary", "提交合法性审查")

	// Legality review, the collective decision with its meeting, publication.
	submit := func(c *client, name string, form url.Values) {
		t.Helper()
		form.Set("version", fmt.Sprint(mustDoc(t, s, d.ID).Version))
		if r := c.postForm(docPage+"/transitions/"+name, form); r.status != http.StatusSeeOther {
			t.Fatalf("%s: %d: %s", name, r.status, excerpt(r.body))
		}
	}
	submit(drafter, "attach_summary", url.Values{})
	legal := s.login("legal")
	r = legal.get(docPage)
	mustContain(t, "legality review", r.body, "合法性审查", "经起草单位逐条研究", "合法性审查通过", "意见")
	submit(legal, "approve", url.Values{"opinion": {"经审查，草案符合法律法规规定"}})
	leader := s.login("leader")
	r = leader.get(docPage)
	mustContain(t, "deciding", r.body, "会议名称及届次", "决定结果", "记录集体讨论决定")
	submit(leader, "decide", url.Values{"meeting": {"2026年第5次局长办公会议"}, "decision_outcome": {"通过"}})
	submit(officer, "publish", url.Values{"summary": {"生活垃圾分类管理的规定"}, "subject_category": {"城乡建设、环境保护\\城市建设"}})

	r = citizen.get(page)
	mustContain(t, "published consultation", r.body, "意见采纳情况说明", "经起草单位逐条研究", "查看公布的决定全文")
	lookup("处理情况", "<strong>采纳</strong>", "查看意见采纳情况说明")
	r = citizen.get(fmt.Sprintf("/documents/%d", d.ID))
	mustContain(t, "published decision", r.body, "测试市生活垃圾分类管理办法（草案）", "意见采纳情况说明", "经起草单位逐条研究", "重大行政决策")
	mustNotContain(t, "published decision", r.body, "13812341234", "赵市民")

	// The consultations feed and the sitemap.
	r = citizen.get("/feeds/consultations.atom")
	var feed struct {
		Entries []struct {
			Title string `xml:"title"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(r.body), &feed); err != nil || len(feed.Entries) != 1 || feed.Entries[0].Title != "测试市生活垃圾分类管理办法（草案）" {
		t.Fatalf("consultations feed (%v): %s", err, r.body)
	}
	mustContain(t, "sitemap", citizen.get("/sitemap.xml").body, s.srv.URL+page+"<")
}

// TestConsultationVisibility: a draft that is exempt from public comment or not yet approved never
// shows on the public consultation pages.
func TestConsultationVisibility(t *testing.T) {
	s := newStack(t)
	opens := s.clock.Now().Add(time.Hour)
	closes := opens.Add(31 * 24 * time.Hour)
	drafting := s.mustCreate("drafter", documents.Draft{Definition: "decision", Title: str("仍在起草的决策草案"), Body: str("草稿"),
		OpensAt: &opens, ClosesAt: &closes})
	exempt := s.mustCreate("drafter", documents.Draft{Definition: "decision", Title: str("依法不公开征求意见的决策"), Body: str("草稿"),
		ConsultationExempt: boolPtr(true), ExemptReason: str("涉及国家秘密，依法不予公开")})
	s.mustFire(exempt, [2]string{"drafter", "submit_exempt"})
	c := s.anon()
	for _, path := range []string{"/consultations", "/feeds/consultations.atom", "/sitemap.xml", "/"} {
		mustNotContain(t, path, c.get(path).body, "仍在起草的决策草案", "依法不公开征求意见的决策")
	}
	for _, id := range []int64{drafting.ID, exempt.ID} {
		if r := c.get(fmt.Sprintf("/consultations/%d", id)); r.status != http.StatusNotFound {
			t.Errorf("consultation %d: %d, want 404", id, r.status)
		}
		if r := c.comment(id, "", "", "给不存在的征求意见提意见"); r.status != http.StatusNotFound {
			t.Errorf("comment on %d: %d, want 404", id, r.status)
		}
	}
}

// TestCommentRateLimit answers too many comments from one client with 429 and Retry-After.
func TestCommentRateLimit(t *testing.T) {
	s := newStack(t)
	d := s.mustDecision("限流测试草案", time.Hour, false)
	s.clock.Advance(2 * time.Hour)
	s.sweep()
	c := s.anon()
	var last response
	for i := range 45 {
		last = c.comment(d.ID, "", "", fmt.Sprintf("第%02d条测试意见内容", i))
		if last.status == http.StatusTooManyRequests {
			break
		}
	}
	if last.status != http.StatusTooManyRequests || last.header.Get("Retry-After") == "" {
		t.Fatalf("status %d, Retry-After %q", last.status, last.header.Get("Retry-After"))
	}
	mustContain(t, "rate limited", last.body, "提交过于频繁", `role="alert"`)
}

func boolPtr(v bool) *bool { return &v }

// htmlUnescape undoes html/template's escaping of a textarea's text.
func htmlUnescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&quot;", `"`, "&amp;", "&").Replace(s)
}
