package consultations_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"wugongkai/workflow"
	"wugongkai/workflow/consultations"
)

func TestNormalizeComment(t *testing.T) {
	long := strings.Repeat("意", 31)
	tests := []struct {
		name      string
		in        consultations.CommentInput
		want      consultations.CommentInput
		wantField string
	}{
		{name: "minimal", in: consultations.CommentInput{Text: "  建议延长期限  "}, want: consultations.CommentInput{Text: "建议延长期限"}},
		{name: "all fields", in: consultations.CommentInput{Name: " 张三 ", Contact: " 138-1234-5678 ", Text: "第一行\r\n第二行\t完"},
			want: consultations.CommentInput{Name: "张三", Contact: "138-1234-5678", Text: "第一行\n第二行\t完"}},
		{name: "e-mail contact", in: consultations.CommentInput{Contact: "wang@example.com", Text: "同意该草案内容"},
			want: consultations.CommentInput{Contact: "wang@example.com", Text: "同意该草案内容"}},
		{name: "fixed line", in: consultations.CommentInput{Contact: "(010) 6512 3456", Text: "同意该草案内容"},
			want: consultations.CommentInput{Contact: "(010) 6512 3456", Text: "同意该草案内容"}},
		{name: "html is text", in: consultations.CommentInput{Text: "<script>alert(1)</script>"}, want: consultations.CommentInput{Text: "<script>alert(1)</script>"}},
		{name: "exactly the limit", in: consultations.CommentInput{Text: long[:30*3]}, want: consultations.CommentInput{Text: long[:30*3]}},
		{name: "missing text", in: consultations.CommentInput{Name: "张三", Text: "   "}, wantField: "text"},
		{name: "too short", in: consultations.CommentInput{Text: "同意"}, wantField: "text"},
		{name: "too long", in: consultations.CommentInput{Text: long}, wantField: "text"},
		{name: "control character", in: consultations.CommentInput{Text: "同意\x00该草案"}, wantField: "text"},
		{name: "bidi override", in: consultations.CommentInput{Text: "同意\u202e该草案"}, wantField: "text"},
		{name: "escape", in: consultations.CommentInput{Text: "同意\x1b[31m该草案"}, wantField: "text"},
		{name: "invalid utf-8", in: consultations.CommentInput{Text: "同意\xff该草案"}, wantField: "text"},
		{name: "newline in name", in: consultations.CommentInput{Name: "张\n三", Text: "同意该草案内容"}, wantField: "name"},
		{name: "long name", in: consultations.CommentInput{Name: strings.Repeat("名", 51), Text: "同意该草案内容"}, wantField: "name"},
		{name: "contact neither phone nor e-mail", in: consultations.CommentInput{Contact: "微信 abc", Text: "同意该草案内容"}, wantField: "contact"},
		{name: "short phone", in: consultations.CommentInput{Contact: "12345", Text: "同意该草案内容"}, wantField: "contact"},
		{name: "e-mail without dotted domain", in: consultations.CommentInput{Contact: "a@localhost", Text: "同意该草案内容"}, wantField: "contact"},
		{name: "e-mail with display name", in: consultations.CommentInput{Contact: "Wang <w@example.com>", Text: "同意该草案内容"}, wantField: "contact"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := consultations.NormalizeComment(tt.in, 30)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("NormalizeComment: %v", err)
				}
				if got != tt.want {
					t.Fatalf("got %+v, want %+v", got, tt.want)
				}
				return
			}
			e := workflow.AsError(err)
			if e == nil || e.Code != workflow.EInvalid || e.Field != tt.wantField {
				t.Fatalf("error %v, want %s on field %s", err, workflow.EInvalid, tt.wantField)
			}
			if !strings.ContainsFunc(e.Message, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
				t.Fatalf("message %q is not Chinese", e.Message)
			}
		})
	}
}

func TestCampaignKey(t *testing.T) {
	base := "我反对在小区内建设垃圾转运站，建议另行选址。"
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"identical", base, base, true},
		{"whitespace and punctuation", base, "  我反对在小区内 建设垃圾转运站 建议另行选址!!! ", true},
		{"a dot between digits still separates them", "ＰＭ２.５ must be cut", "pm25 MUST be cut.", false},
		{"full-width and ASCII the same", "ＡＢＣ 同意", "abc同意", true},
		{"latin words keep their space", "no way", "noway", false},
		{"line breaks", "同意\n\n草案", "同意 草案", true},
		{"different opinions", base, "我支持在小区内建设垃圾转运站。", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ka, kb := consultations.CampaignKey(tt.a), consultations.CampaignKey(tt.b)
			if len(ka) != 32 {
				t.Fatalf("key %q is not 32 hex digits", ka)
			}
			if (ka == kb) != tt.same {
				t.Fatalf("CampaignKey(%q)=%s, CampaignKey(%q)=%s: same=%v, want %v (normalised %q / %q)", tt.a, ka, tt.b, kb,
					ka == kb, tt.same, consultations.NormalizeForCampaign(tt.a), consultations.NormalizeForCampaign(tt.b))
			}
		})
	}
}

func TestClientBucket(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.7":                 "203.0.113.7",
		"::ffff:203.0.113.7":          "203.0.113.7",
		"2001:db8:1:2:3:4:5:6":        "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1":        "2001:db8:1:2::/64",
		"not an address":              "not an address",
		" 198.51.100.1 ":              "198.51.100.1",
		"2001:db8:1:3:3:4:5:6":        "2001:db8:1:3::/64",
		"2001:0db8:0001:0002:0:0:0:1": "2001:db8:1:2::/64",
	} {
		if got := consultations.ClientBucket(in); got != want {
			t.Errorf("ClientBucket(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClientLimiter(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, workflow.Shanghai)
	l := consultations.NewClientLimiter(6, 3) // 3 at once, then one every 10 s
	for i := range 3 {
		if ok, _ := l.Allow("203.0.113.7", t0); !ok {
			t.Fatalf("request %d within the burst refused", i+1)
		}
	}
	ok, wait := l.Allow("203.0.113.7", t0)
	if ok || wait != 10*time.Second {
		t.Fatalf("fourth request: ok=%v wait=%v, want refused with 10s", ok, wait)
	}
	// A refusal does not use up a token: 10 s later exactly one more is allowed.
	if ok, _ := l.Allow("203.0.113.7", t0.Add(10*time.Second)); !ok {
		t.Fatal("request after the refill refused")
	}
	if ok, _ := l.Allow("203.0.113.7", t0.Add(10*time.Second)); ok {
		t.Fatal("second request after one refill allowed")
	}
	// Other clients have their own bucket; one IPv6 /64 is one client.
	if ok, _ := l.Allow("198.51.100.1", t0); !ok {
		t.Fatal("another client refused")
	}
	for i := range 3 {
		l.Allow(fmt.Sprintf("2001:db8::%d", i+1), t0)
	}
	if ok, _ := l.Allow("2001:db8::99", t0); ok {
		t.Fatal("a fourth address of the same /64 allowed")
	}
	// Idle clients are forgotten once their bucket is full again.
	if n := l.Clients(); n != 3 {
		t.Fatalf("%d clients remembered, want 3", n)
	}
	l.Allow("192.0.2.1", t0.Add(time.Hour))
	if n := l.Clients(); n != 1 {
		t.Fatalf("%d clients remembered after an idle hour, want 1", n)
	}
	var nilLimiter *consultations.ClientLimiter
	if ok, _ := nilLimiter.Allow("x", t0); !ok {
		t.Fatal("nil limiter refused")
	}
	if ok, _ := consultations.NewClientLimiter(0, 1).Allow("x", t0); !ok {
		t.Fatal("disabled limiter refused")
	}
}

func TestConsultationStatusAndPeriod(t *testing.T) {
	f := workflow.Facts{"opens_at": "2026-12-01T01:00:00Z", "closes_at": "2026-12-31T01:00:00Z"}
	opens, closes := time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 1, 0, 0, 0, time.UTC)
	tests := []struct {
		now    time.Time
		status string
	}{
		{opens.Add(-time.Nanosecond), consultations.ConsultationUpcoming},
		{opens, consultations.ConsultationOpen},
		{closes.Add(-time.Nanosecond), consultations.ConsultationOpen},
		{closes, consultations.ConsultationClosed},
		{closes.Add(time.Second), consultations.ConsultationClosed},
	}
	for _, tt := range tests {
		t.Run(tt.now.Format(time.RFC3339Nano), func(t *testing.T) {
			if got := consultations.ConsultationStatus(f, tt.now); got != tt.status {
				t.Fatalf("status %s, want %s", got, tt.status)
			}
			err := consultations.PeriodOpen(f, tt.now)
			if tt.status == consultations.ConsultationOpen {
				if err != nil {
					t.Fatalf("PeriodOpen: %v", err)
				}
				return
			}
			e := workflow.AsError(err)
			if e == nil || e.Code != workflow.EClosed {
				t.Fatalf("PeriodOpen = %v, want %s", err, workflow.EClosed)
			}
			// Both instants, in Beijing time.
			if !strings.Contains(e.Message, "2026-12-01 09:00") || !strings.Contains(e.Message, "2026-12-31 09:00") {
				t.Fatalf("message %q does not state the period in Beijing time", e.Message)
			}
		})
	}
	if err := consultations.PeriodOpen(workflow.Facts{}, opens); workflow.ErrorCode(err) != workflow.EClosed {
		t.Fatalf("no period: %v", err)
	}
}

func TestConsultationPublic(t *testing.T) {
	period := workflow.Facts{"opens_at": "2026-12-01T01:00:00Z", "closes_at": "2026-12-31T01:00:00Z"}
	with := func(kv ...string) workflow.Facts {
		f := period.Clone()
		for i := 0; i+1 < len(kv); i += 2 {
			f[kv[i]] = kv[i+1]
		}
		return f
	}
	tests := []struct {
		name   string
		c      consultations.Consultation
		public bool
	}{
		{"scheduled", consultations.Consultation{Definition: "decision", State: "consultation_scheduled", Facts: period}, true},
		{"published", consultations.Consultation{Definition: "decision", State: "published", Facts: with("attribute", "主动公开")}, true},
		{"drafting", consultations.Consultation{Definition: "decision", State: "drafting", Facts: period}, false},
		{"unit review", consultations.Consultation{Definition: "decision", State: "unit_review", Facts: period}, false},
		{"a document", consultations.Consultation{Definition: "document", State: "published", Facts: period}, false},
		{"exempt", consultations.Consultation{Definition: "decision", State: "legality_review", Facts: with("consultation_exempt", "true")}, false},
		{"withheld", consultations.Consultation{Definition: "decision", State: "consultation_open", Facts: with("attribute", "不予公开")}, false},
		{"no period", consultations.Consultation{Definition: "decision", State: "legality_review", Facts: workflow.Facts{}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := consultations.ConsultationPublic(tt.c); got != tt.public {
				t.Fatalf("ConsultationPublic = %v, want %v", got, tt.public)
			}
		})
	}
}

// TestExtensionNeverShortens fires the decision flow's extend transition: a later closing time
// with a reason moves closes_at and reschedules the closing deadline; an earlier or equal one, or
// one already past, is refused and closes_at stays.
func TestExtensionNeverShortens(t *testing.T) {
	e := mustEngine(t)
	inst := workflow.Instance{ID: 1, Unit: "chengjian", Definition: "decision", DefinitionVersion: 5, State: "consultation_open",
		Facts: workflow.Facts{"opens_at": "2026-12-01T01:00:00Z", "closes_at": "2026-12-31T01:00:00Z"}}
	now := time.Date(2026, 12, 10, 9, 0, 0, 0, workflow.Shanghai)
	tests := []struct {
		name     string
		closesAt string
		wantCode string
	}{
		{"later", "2027-01-10T01:00:00Z", ""},
		{"same instant in another zone", "2026-12-31T09:00:00+08:00", workflow.EGuardFailed},
		{"earlier", "2026-12-20T01:00:00Z", workflow.EGuardFailed},
		{"in the past", "2026-12-05T01:00:00Z", workflow.EGuardFailed},
		{"not a time", "下个月", workflow.EInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := e.Fire(inst, "extend", drafter, workflow.Input{"reason": "收到较多意见，延长以便充分听取", "closes_at": tt.closesAt}, now)
			if tt.wantCode != "" {
				if workflow.ErrorCode(err) != tt.wantCode {
					t.Fatalf("extend to %s: %v, want %s", tt.closesAt, err, tt.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Instance.Facts["closes_at"] != tt.closesAt || res.Instance.Facts["extension_reason"] == "" {
				t.Fatalf("facts after extend: %v", res.Instance.Facts)
			}
			var rescheduled bool
			for _, ef := range res.Effects {
				if ef.Kind == workflow.EffectDeadline && ef.Name == "consultation_closes" && ef.DueAt.Format(time.RFC3339) == tt.closesAt {
					rescheduled = true
				}
			}
			if !rescheduled {
				t.Fatalf("closing deadline not rescheduled: %+v", res.Effects)
			}
		})
	}
	if _, err := e.Fire(inst, "extend", drafter, workflow.Input{"closes_at": "2027-01-10T01:00:00Z"}, now); workflow.ErrorCode(err) != workflow.EInputMissing {
		t.Fatalf("extend without a reason: %v", err)
	}
}

func TestExtensionsOf(t *testing.T) {
	at := time.Date(2026, 12, 20, 3, 0, 0, 0, time.UTC)
	hist := []workflow.AuditEntry{
		{Action: "open"},
		{Action: "extend", At: at, Data: map[string]string{"reason": "意见较多", "closes_at": "2027-01-10T01:00:00Z"}},
		{Action: "edit", Data: map[string]string{"closes_at": "2020-01-01T00:00:00Z"}},
	}
	got := consultations.ExtensionsOf(hist)
	if len(got) != 1 || got[0].Reason != "意见较多" || !got[0].At.Equal(at) || got[0].ClosesAt.Format(time.RFC3339) != "2027-01-10T01:00:00Z" {
		t.Fatalf("ExtensionsOf = %+v", got)
	}
}

func TestRenderSummary(t *testing.T) {
	c := consultations.Consultation{Title: "垃圾分类管理办法（草案）", Facts: workflow.Facts{"opens_at": "2026-12-01T01:00:00Z",
		"closes_at": "2027-01-10T01:00:00Z", "shortening_reason": "落实上级部署，时间紧迫"}}
	t1 := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	groups := []consultations.CommentGroup{
		{CampaignKey: "k-small", Disposition: consultations.DispositionRejected, Reason: "与上位法不符", Count: 1, Text: "建议取消罚款", FirstAt: t1.Add(time.Hour)},
		{CampaignKey: "k-big", Disposition: consultations.DispositionAdopted, Count: 30, Text: "建议增加<b>分类</b>投放点", FirstAt: t1},
		{CampaignKey: "k-big", Disposition: consultations.DispositionPartial, Reason: "部分点位已有", Count: 2, Hidden: 0, Text: "建议增加分类投放点！", FirstAt: t1.Add(time.Minute)},
		{CampaignKey: "k-hidden", Disposition: consultations.DispositionOutOfScope, Reason: "与本草案无关", Count: 1, Hidden: 1, FirstAt: t1.Add(2 * time.Hour)},
		{CampaignKey: "k-open", Count: 1, Text: "建议明确执法主体", FirstAt: t1.Add(3 * time.Hour)},
	}
	exts := []consultations.Extension{{At: time.Date(2026, 12, 28, 2, 0, 0, 0, time.UTC), ClosesAt: time.Date(2027, 1, 10, 1, 0, 0, 0, time.UTC), Reason: "收到较多意见"}}
	sd := consultations.RenderSummary(c, "测试市住房和城乡建设局", exts, groups)
	if sd.Total != 35 || sd.Undisposed != 1 || sd.Hidden != 1 || sd.ByDisposition[consultations.DispositionAdopted] != 30 ||
		sd.ByDisposition[consultations.DispositionPartial] != 2 || sd.ByDisposition[consultations.DispositionRejected] != 1 {
		t.Fatalf("counts: %+v", sd)
	}
	for _, want := range []string{
		"关于《垃圾分类管理办法（草案）》公开征求意见采纳情况的说明",
		"测试市住房和城乡建设局于2026年12月1日09时00分至2027年1月10日09时00分",
		"因落实上级部署，时间紧迫，征求意见期少于 30 日",
		"其间，2026年12月28日因收到较多意见，征求意见截止时间延长至2027年1月10日09时00分",
		"共收到意见 35 条，其中内容相同或相近的意见 32 条，归并为 1 组",
		"采纳 30 条，部分采纳 2 条，不采纳 1 条，不属于本次征求意见范围 1 条，尚未处理 1 条",
		"一、主要意见及采纳情况\n1. “建议增加<b>分类</b>投放点”（30 条相同或相近意见）\n处理情况：采纳。\n",
		"2. “建议增加分类投放点！”（2 条相同或相近意见）\n处理情况：部分采纳。理由：部分点位已有。",
		"二、其他意见及采纳情况\n1. “建议取消罚款”\n处理情况：不采纳。理由：与上位法不符。",
		"（该意见经审核不予公开，不予引用）",
		"“建议明确执法主体”\n处理情况：尚未处理。",
	} {
		if !strings.Contains(sd.Text, want) {
			t.Errorf("summary lacks %q:\n%s", want, sd.Text)
		}
	}
	if empty := consultations.RenderSummary(c, "", nil, nil); !strings.Contains(empty.Text, "未收到意见") || !strings.Contains(empty.Text, "我单位") {
		t.Errorf("summary of no comments:\n%s", empty.Text)
	}
	// A reason that already starts with 因 (or 由于) is not given a second one.
	c.Facts["shortening_reason"] = "因城市更新项目时间紧迫。"
	exts[0].Reason = "由于收到较多意见"
	sd = consultations.RenderSummary(c, "测试市住房和城乡建设局", exts, groups)
	for _, want := range []string{"。因城市更新项目时间紧迫，征求意见期少于 30 日", "2026年12月28日由于收到较多意见，征求意见截止时间延长至"} {
		if !strings.Contains(sd.Text, want) || strings.Contains(sd.Text, "因因") || strings.Contains(sd.Text, "因由于") {
			t.Errorf("summary lacks %q or doubles 因:\n%s", want, sd.Text)
		}
	}
}

// memConsultations is an in-memory ConsultationStore with the parts Accept uses.
type memConsultations struct {
	consultations.ConsultationStore // nil: the other methods are not used here
	mu                              sync.Mutex
	c                               consultations.Consultation
	loads                           int
	comments                        []consultations.Comment
}

func (m *memConsultations) Consultation(_ context.Context, id int64, _ bool) (consultations.Consultation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.loads++
	if id != m.c.ID {
		return consultations.Consultation{}, workflow.Errorf(workflow.ENotFound, "不存在")
	}
	c := m.c
	c.Facts = m.c.Facts.Clone()
	return c, nil
}

func (m *memConsultations) AddComment(_ context.Context, c consultations.Comment) (consultations.Comment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c.ID = int64(len(m.comments) + 1)
	c.ReceiptNo = fmt.Sprintf("YJ-%d", c.ID)
	m.comments = append(m.comments, c)
	return c, nil
}

// TestAcceptDecidesByTheClock proves that intake follows opens_at and closes_at, not whether the
// sweep has fired open or close yet, and that the refusal states the period.
func TestAcceptDecidesByTheClock(t *testing.T) {
	opens := time.Date(2026, 12, 1, 9, 0, 0, 0, workflow.Shanghai)
	closes := opens.Add(10 * 24 * time.Hour)
	tests := []struct {
		name     string
		state    string
		now      time.Time
		wantCode string
	}{
		{"scheduled, before opening", "consultation_scheduled", opens.Add(-time.Second), workflow.EClosed},
		{"scheduled, opened by the clock before the sweep", "consultation_scheduled", opens, ""},
		{"open", "consultation_open", opens.Add(time.Hour), ""},
		{"open, closed by the clock before the sweep", "consultation_open", closes, workflow.EClosed},
		{"one second after closing", "consultation_open", closes.Add(time.Second), workflow.EClosed},
		{"closed", "consultation_closed", closes.Add(time.Hour), workflow.EClosed},
		{"in legality review", "legality_review", closes.Add(time.Hour), workflow.EClosed},
		{"still a draft", "drafting", opens.Add(time.Hour), workflow.ENotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &memConsultations{c: consultations.Consultation{ID: 7, Definition: "decision", State: tt.state,
				Facts: workflow.Facts{"opens_at": opens.UTC().Format(time.RFC3339), "closes_at": closes.UTC().Format(time.RFC3339)}}}
			s := &consultations.Consultations{Store: store, Clock: workflow.ClockFunc(func() time.Time { return tt.now })}
			r, err := s.Accept(context.Background(), 7, consultations.CommentInput{Text: "建议增加投放点"}, "203.0.113.7")
			if tt.wantCode != "" {
				if workflow.ErrorCode(err) != tt.wantCode {
					t.Fatalf("Accept: %v, want %s", err, tt.wantCode)
				}
				if len(store.comments) != 0 {
					t.Fatal("a refused comment was stored")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.No != "YJ-1" || !r.SubmittedAt.Equal(tt.now) || len(store.comments) != 1 {
				t.Fatalf("receipt %+v, stored %+v", r, store.comments)
			}
			got := store.comments[0]
			if got.Client != "203.0.113.7" || got.CampaignKey != consultations.CampaignKey("建议增加投放点") || got.Status != consultations.CommentPending {
				t.Fatalf("stored comment %+v", got)
			}
		})
	}
}

func TestAcceptRateLimitAndCache(t *testing.T) {
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, workflow.Shanghai)
	store := &memConsultations{c: consultations.Consultation{ID: 7, Definition: "decision", State: "consultation_open",
		Facts: workflow.Facts{"opens_at": "2026-12-01T01:00:00Z", "closes_at": "2026-12-31T01:00:00Z"}}}
	clock := now
	s := &consultations.Consultations{Store: store, Clock: workflow.ClockFunc(func() time.Time { return clock }),
		Limiter: consultations.NewClientLimiter(60, 2), MaxLength: 10}
	ctx := context.Background()
	for i := range 2 {
		if _, err := s.Accept(ctx, 7, consultations.CommentInput{Text: "建议增加投放点"}, "203.0.113.7"); err != nil {
			t.Fatalf("comment %d: %v", i+1, err)
		}
	}
	_, err := s.Accept(ctx, 7, consultations.CommentInput{Text: "建议增加投放点"}, "203.0.113.7")
	e := workflow.AsError(err)
	if e == nil || e.Code != workflow.ETooMany || e.Details["retry_after_seconds"] != 1 {
		t.Fatalf("third comment in a second: %v (%+v)", err, e)
	}
	// The configured maximum length applies.
	if _, err := s.Accept(ctx, 7, consultations.CommentInput{Text: "建议增加投放点建议增加投放点"}, "198.51.100.1"); workflow.ErrorCode(err) != workflow.EInvalid {
		t.Fatalf("comment over MaxLength: %v", err)
	}
	// Within InfoTTL the consultation was loaded once; after it, again.
	if store.loads != 1 {
		t.Fatalf("consultation loaded %d times, want 1", store.loads)
	}
	clock = now.Add(2 * time.Second)
	if _, err := s.Accept(ctx, 7, consultations.CommentInput{Text: "建议增加投放点"}, "198.51.100.1"); err != nil {
		t.Fatal(err)
	}
	if store.loads != 2 {
		t.Fatalf("consultation loaded %d times after the TTL, want 2", store.loads)
	}
	if _, err := s.Accept(ctx, 8, consultations.CommentInput{Text: "建议增加投放点"}, "198.51.100.2"); workflow.ErrorCode(err) != workflow.ENotFound {
		t.Fatalf("unknown consultation: %v", err)
	}
}
