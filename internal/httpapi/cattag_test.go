package httpapi_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"wugongkai/configs"
	"wugongkai/workflow"
	"wugongkai/workflow/catalogue"
	"wugongkai/workflow/documents"
)

// kindsCatalogue is a catalogue with an item of each kind of 公开时限.
const kindsCatalogue = `area: 测试领域
items:
  - {code: K-W3, level1: 期限, level2: 三个工作日, content: [内容], basis: [依据], time_limit: 信息形成之日起3个工作日内, subject: 办公室, channels: [政府网站], audience: 全社会, mode: 主动, category: 执行}
  - {code: K-W20, level1: 期限, level2: 二十个工作日, content: [内容], basis: [依据], time_limit: 信息形成或者变更之日起20个工作日内, subject: 办公室, channels: [政府网站], audience: 全社会, mode: 主动, category: 决策}
  - {code: K-D10, level1: 期限, level2: 十日, content: [内容], basis: [依据], time_limit: 财政部门批复后10日内, subject: 办公室, channels: [政府网站], audience: 全社会, mode: 主动, category: 管理}
  - {code: K-RT, level1: 期限, level2: 实时, content: [内容], basis: [依据], time_limit: 实时公开, subject: 办公室, channels: [政府网站], audience: 全社会, mode: 主动, category: 服务}
  - {code: K-YR, level1: 期限, level2: 每年, content: [内容], basis: [依据], time_limit: 每年1月31日前, subject: 办公室, channels: [政府网站], audience: 全社会, mode: 主动, category: 结果}
  - {code: K-LT, level1: 期限, level2: 长期, content: [内容], basis: [依据], time_limit: 长期公开, subject: 办公室, channels: [政府网站], audience: 全社会, mode: 主动, category: 结果}
  - {code: K-REQ, level1: 期限, level2: 依申请, content: [内容], basis: [依据], time_limit: 实时公开, subject: 办公室, channels: [政府网站], audience: 特定群体, mode: 依申请, category: 服务}
`

func mustKindsCatalogue(tb testing.TB) []catalogue.Item {
	tb.Helper()
	items, err := catalogue.ParseFile("kinds.yaml", []byte(kindsCatalogue))
	if err != nil {
		tb.Fatal(err)
	}
	return items
}

// fixedClock is a clock the test moves.
type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }

// TestPublicationDeadlineFromCatalogueItem: a document of each kind of time limit, taken through
// the use cases on PostgreSQL and signed on a day next to the 2026 holidays, is due when its item
// says — N working days, N calendar days run on past a holiday, 实时 the next working day, a
// fixed day each year, 长期 the statutory 20 working days — never later than 20 working days,
// and the deadline's explanation names the item. A document without an item keeps 20 working days.
func TestPublicationDeadlineFromCatalogueItem(t *testing.T) {
	b := bureauOf(t, testUsers)
	ctx := context.Background()
	if _, err := (&catalogue.Catalogue{Store: b.Stores.Catalogue}).Load(ctx, mustKindsCatalogue(t)); err != nil {
		t.Fatal(err)
	}
	clock := &fixedClock{}
	docs := b.Documents(clock)
	drafter, unithead, leader := b.Actor(t, "drafter"), b.Actor(t, "unithead"), b.Actor(t, "leader")
	tests := []struct {
		item, signed, due, says string
	}{
		// 国庆节、中秋节 2026: 1–7 October off, Sat 10 October worked.
		{"K-W3", "2026-09-30", "2026-10-10", "3 个工作日"},
		{"K-RT", "2026-09-30", "2026-10-08", "实时公开"},
		{"K-D10", "2026-09-25", "2026-10-08", "顺延"},
		{"K-W20", "2026-09-18", "2026-10-22", "跳过法定节假日"},
		// 劳动节 2026: 1–5 May off, Sat 9 May worked.
		{"K-RT", "2026-04-30", "2026-05-06", "实时公开"},
		{"K-LT", "2026-04-29", "2026-05-29", "以 20 个工作日为限"},
		// 每年1月31日前: Sat 31 January 2026 runs on to Monday 2 February.
		{"K-YR", "2026-01-20", "2026-02-02", "每年1月31日前"},
		// ... and a day past it is due within the statutory 20 working days, not a year later.
		{"K-YR", "2026-03-02", "2026-03-30", "按上限计算"},
		{"", "2026-09-30", "2026-11-03", "自 2026-09-30 起算（当日不计）20 个工作日"},
	}
	for _, tt := range tests {
		t.Run(tt.item+" signed "+tt.signed, func(t *testing.T) {
			day, _ := workflow.ParseDate(tt.signed)
			clock.t = day.Start().Add(9 * time.Hour)
			code := tt.item
			d, err := docs.Create(ctx, drafter, documents.Draft{Unit: "chengjian", Title: ptr("期限测试 " + tt.item), Attribute: ptr("主动公开"), CatalogueItem: &code})
			if err != nil {
				t.Fatal(err)
			}
			if tt.item != "" && (d.Item.Code != tt.item || d.Item.Version != 1 || d.Facts["attribute"] != "主动公开") {
				t.Fatalf("tagged %+v, attribute %q", d.Item, d.Facts["attribute"])
			}
			for _, step := range []struct {
				who  workflow.Actor
				name string
			}{{drafter, "submit"}, {unithead, "approve"}, {leader, "sign"}} {
				if d, err = docs.Fire(ctx, step.who, d.ID, d.Version, step.name, nil); err != nil {
					t.Fatalf("%s: %v", step.name, err)
				}
			}
			det, err := docs.Detail(ctx, leader, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			var due *workflow.Deadline
			for i, dl := range det.Deadlines {
				if dl.Name == "publication_due" {
					due = &det.Deadlines[i]
				}
			}
			if due == nil || det.Document.Facts["signed_on"] != tt.signed {
				t.Fatalf("signed on %q, deadlines %+v", det.Document.Facts["signed_on"], det.Deadlines)
			}
			if due.DueDate != tt.due || !strings.Contains(due.Explanation, tt.says) {
				t.Errorf("due %s: %s; want %s saying %q", due.DueDate, due.Explanation, tt.due, tt.says)
			}
			if tt.item != "" && !strings.Contains(due.Explanation, "标准目录事项 "+tt.item) {
				t.Errorf("explanation does not name the item: %s", due.Explanation)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestCatalogueTagging: through the API a drafter tags a draft with an item, which the detail
// shows with its proposal; an unknown or a retired item is a 400 with a Chinese message and a
// stable reason, and nothing is written; departing from the proposed attribute needs a reason at
// submission, which the detail then shows; the public JSON names the item and filters by it.
func TestCatalogueTagging(t *testing.T) {
	s := newStack(t)
	type tagged struct {
		ID                int64  `json:"id"`
		Version           int    `json:"version"`
		Attribute         string `json:"attribute"`
		CatalogueItem     string `json:"catalogue_item"`
		ProposedAttribute string `json:"proposed_attribute"`
		DepartureReason   string `json:"departure_reason"`
		Catalogue         *struct {
			Code, Level1, Level2, Category, Mode string
			Version                              int
		} `json:"catalogue"`
	}
	var d tagged
	s.mustDo(http.MethodPost, "/api/v1/documents", "drafter", map[string]any{"title": "保障性住房分配结果", "catalogue_item": "BZ-05"}, http.StatusCreated, &d)
	if d.CatalogueItem != "BZ-05" || d.Catalogue == nil || d.Catalogue.Version != 1 || d.Catalogue.Level1 == "" ||
		d.ProposedAttribute != "主动公开" || d.Attribute != "主动公开" {
		t.Fatalf("tagged draft: %+v %+v", d, d.Catalogue)
	}

	var created docView
	s.mustDo(http.MethodGet, pathf("/api/v1/documents/%d", d.ID), "drafter", nil, http.StatusOK, &created)
	if len(created.History) == 0 || created.History[0].Data["catalogue_item"] != "BZ-05 第1版" {
		t.Errorf("the audit log does not record the item: %+v", created.History)
	}

	var before struct {
		Total int `json:"total"`
	}
	s.mustDo(http.MethodGet, "/api/v1/documents", "drafter", nil, http.StatusOK, &before)
	p := s.mustFail(http.MethodPost, "/api/v1/documents", "drafter", map[string]any{"title": "无此事项", "catalogue_item": "NO-SUCH"}, http.StatusBadRequest, "invalid")
	if p.Field != "catalogue_item" || p.Details["reason"] != "unknown_catalogue_item" || !strings.Contains(p.Detail, "NO-SUCH") {
		t.Errorf("unknown item: %+v", p)
	}
	var after struct {
		Total int `json:"total"`
	}
	s.mustDo(http.MethodGet, "/api/v1/documents", "drafter", nil, http.StatusOK, &after)
	if after.Total != before.Total {
		t.Errorf("a refused draft was written: %d documents, had %d", after.Total, before.Total)
	}

	// Retire TY-05 by loading the catalogue without it.
	items, err := catalogue.LoadDir(configs.Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	var kept []catalogue.Item
	for _, it := range items {
		if it.Code != "TY-05" {
			kept = append(kept, it)
		}
	}
	if res, err := (&catalogue.Catalogue{Store: s.store.Catalogue}).Load(context.Background(), kept); err != nil || len(res.Retired) != 1 {
		t.Fatalf("retire TY-05: %+v %v", res, err)
	}
	p = s.mustFail(http.MethodPatch, pathf("/api/v1/documents/%d", d.ID), "drafter", map[string]any{"version": d.Version, "catalogue_item": "TY-05"}, http.StatusBadRequest, "invalid")
	if p.Details["reason"] != "retired_catalogue_item" || !strings.Contains(p.Detail, "停用") {
		t.Errorf("retired item: %+v", p)
	}
	var same tagged
	s.mustDo(http.MethodGet, pathf("/api/v1/documents/%d", d.ID), "drafter", nil, http.StatusOK, &same)
	if same.Version != d.Version || same.CatalogueItem != "BZ-05" {
		t.Errorf("a refused tagging changed the draft: %+v", same)
	}

	// 依申请公开 against the item's 主动: submitting needs the reason.
	s.mustDo(http.MethodPatch, pathf("/api/v1/documents/%d", d.ID), "drafter", map[string]any{"version": d.Version, "attribute": "依申请公开",
		"grounds_explanation": "分配结果涉及申请人的家庭收入等个人信息，仅向申请人提供。"}, http.StatusOK, &d)
	p = s.mustFail(http.MethodPost, pathf("/api/v1/documents/%d/transitions/submit", d.ID), "drafter", map[string]any{"version": d.Version}, http.StatusUnprocessableEntity, "input_missing")
	if p.Field != "departure_reason" {
		t.Errorf("submit without a reason: %+v", p)
	}
	s.mustDo(http.MethodPost, pathf("/api/v1/documents/%d/transitions/submit", d.ID), "drafter",
		map[string]any{"version": d.Version, "input": map[string]string{"departure_reason": "仅涉及个别申请人"}}, http.StatusOK, &d)
	s.mustDo(http.MethodGet, pathf("/api/v1/documents/%d", d.ID), "unithead", nil, http.StatusOK, &d)
	if d.DepartureReason != "仅涉及个别申请人" || d.ProposedAttribute != "主动公开" {
		t.Errorf("the reviewer's detail: %+v", d)
	}

	// A published tagged document: the public JSON names the item and the filters find it.
	pub := s.create("drafter", map[string]any{"title": "城市道路建设计划", "catalogue_item": "SZ-01"})
	pub = s.fire("drafter", pub, "submit", nil)
	pub = s.fire("unithead", pub, "approve", nil)
	pub = s.fire("leader", pub, "sign", nil)
	s.fire("officer", pub, "publish", map[string]string{"subject_category": "城乡建设、环境保护\\城市建设", "summary": "本年度城市道路建设计划。"})
	type publicList struct {
		Items []struct {
			ID        int64 `json:"id"`
			Catalogue *struct {
				Code     string `json:"code"`
				Category string `json:"category"`
				Mode     string `json:"mode"`
			} `json:"catalogue"`
		} `json:"items"`
		Total int `json:"total"`
	}
	var l publicList
	s.mustDo(http.MethodGet, "/api/v1/public/documents?catalogue=SZ-01", "", nil, http.StatusOK, &l)
	if l.Total != 1 || l.Items[0].ID != pub.ID || l.Items[0].Catalogue == nil || l.Items[0].Catalogue.Code != "SZ-01" || l.Items[0].Catalogue.Mode != "" {
		t.Fatalf("public list by item: %+v", l)
	}
	category := l.Items[0].Catalogue.Category
	s.mustDo(http.MethodGet, "/api/v1/public/documents?catalogue=SZ-02", "", nil, http.StatusOK, &l)
	if l.Total != 0 {
		t.Errorf("another item's list: %+v", l)
	}
	s.mustDo(http.MethodGet, "/api/v1/public/documents?catalogue_category="+url.QueryEscape(category), "", nil, http.StatusOK, &l)
	if l.Total != 1 {
		t.Errorf("list by category %s: %+v", category, l)
	}
	s.mustFail(http.MethodGet, "/api/v1/public/documents?catalogue_category="+url.QueryEscape("其他"), "", nil, http.StatusBadRequest, "invalid")
}

// TestComplianceView: the disclosure office sees, per item, the last publication and what is
// signed and waiting; once a waiting document's deadline has passed it is listed as overdue, and
// an item with nothing published this year is counted. Others are refused.
func TestComplianceView(t *testing.T) {
	s := newStack(t)
	waiting := s.create("drafter", map[string]any{"title": "市政设施养护计划", "catalogue_item": "SZ-02"})
	waiting = s.fire("drafter", waiting, "submit", nil)
	waiting = s.fire("unithead", waiting, "approve", nil)
	waiting = s.fire("leader", waiting, "sign", nil)
	type row struct {
		Code              string     `json:"code"`
		LastPublished     *time.Time `json:"last_published"`
		PublishedThisYear int        `json:"published_this_year"`
		Overdue           int        `json:"overdue"`
		Waiting           []struct {
			ID      int64  `json:"id"`
			DueDate string `json:"due_date"`
			Overdue bool   `json:"overdue"`
		} `json:"waiting"`
	}
	var v struct {
		Waiting          int   `json:"waiting"`
		Overdue          int   `json:"overdue"`
		NothingPublished int   `json:"nothing_published"`
		Items            []row `json:"items"`
	}
	find := func(code string) row {
		for _, r := range v.Items {
			if r.Code == code {
				return r
			}
		}
		t.Fatalf("no row for %s in %+v", code, v.Items)
		return row{}
	}
	s.mustDo(http.MethodGet, "/api/v1/catalogue/compliance", "officer", nil, http.StatusOK, &v)
	if r := find("SZ-02"); len(r.Waiting) != 1 || r.Waiting[0].ID != waiting.ID || r.Waiting[0].DueDate == "" || r.Waiting[0].Overdue || r.Overdue != 0 {
		t.Fatalf("before the deadline: %+v", r)
	}
	if v.NothingPublished != len(v.Items) || v.Waiting != 1 || v.Overdue != 0 {
		t.Errorf("totals: %d waiting, %d overdue, %d of %d items with nothing", v.Waiting, v.Overdue, v.NothingPublished, len(v.Items))
	}
	s.at("2027-06-01")
	s.mustDo(http.MethodGet, "/api/v1/catalogue/compliance", "officer", nil, http.StatusOK, &v)
	if r := find("SZ-02"); r.Overdue != 1 || !r.Waiting[0].Overdue || v.Overdue != 1 {
		t.Fatalf("after the deadline: %+v (overdue total %d)", r, v.Overdue)
	}
	s.mustFail(http.MethodGet, "/api/v1/catalogue/compliance", "drafter", nil, http.StatusForbidden, "forbidden")
}
