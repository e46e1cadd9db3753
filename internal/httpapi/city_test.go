package httpapi_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"wugongkai/internal/testkit"
	"wugongkai/workflow"
	"wugongkai/workflow/documents"
)

// mustRawDocument stores a document of bureau b written straight into the table in state with
// attribute (a published one with its publication time and search terms), and returns its id.
func (s *stack) mustRawDocument(b *testkit.Bureau, title, state, attribute string) int64 {
	s.t.Helper()
	ctx := context.Background()
	actor := b.Actor(s.t, "drafter")
	d, err := b.Stores.Documents.CreateDocument(ctx, documents.Document{
		Instance: workflow.Instance{Unit: "chengjian", Definition: "document", DefinitionVersion: 1, State: "drafting",
			Facts: workflow.Facts{"attribute": attribute}},
		Title: title, Body: "正文：" + title, DocKind: documents.KindOther, CreatedBy: actor.UserID}, actor, time.Now())
	if err != nil {
		s.t.Fatal(err)
	}
	const q = `UPDATE documents SET state = $1, published_at = CASE WHEN $1 = 'published' THEN now() END, search_terms = $2
		WHERE org_id = $3 AND id = $4`
	if _, err := s.db.ExecContext(ctx, q, state, pq.Array(documents.SearchTerms(title+" 正文："+title)), b.Stores.Org(), d.ID); err != nil {
		s.t.Fatal(err)
	}
	return d.ID
}

// TestCityAPI: the city JSON lists and searches every agency's public documents and nothing else,
// finds the agency a request goes to, and gives the compliance view and the city report to the
// city office alone, the report's Table 三 the agencies' requests added up.
func TestCityAPI(t *testing.T) {
	s := newStack(t)
	var us []testkit.User
	for _, u := range testUsers {
		us = append(us, testkit.User{Name: u.name, Display: u.display, Role: u.role, Unit: u.unit})
	}
	a := &testkit.Bureau{DB: s.db, Stores: s.store, Enforcer: s.enf}
	b := testkit.NewAgency(t, s.db, "11411000MB7654321Y", "测试市发展和改革委员会", []testkit.Unit{{Code: "chengjian", Name: "投资科"}}, us)
	aDoc := s.mustRawDocument(a, "关于住房租赁补贴发放的通知", "published", "主动公开")
	bDoc := s.mustRawDocument(b, "关于重点项目租赁补贴资金的通知", "published", "主动公开")
	s.mustRawDocument(b, "价格监测工作方案", "published", "主动公开")
	hidden := []string{"租赁补贴草稿", "依申请公开的租赁补贴文件", "待发布的租赁补贴文件"}
	s.mustRawDocument(a, hidden[0], "drafting", "主动公开")
	s.mustRawDocument(b, hidden[1], "published", "依申请公开")
	s.mustRawDocument(b, hidden[2], "awaiting_publication", "主动公开")

	type agency struct {
		Code, Name string
		PortalURL  string `json:"portal_url"`
	}
	var list struct {
		Items []struct {
			ID        int64
			Title     string
			Publisher string
			Agency    agency
			URL       string
		}
		Total int
	}
	s.mustDo(http.MethodGet, "/api/v1/city/documents?q="+url.QueryEscape("租赁补贴"), "", nil, http.StatusOK, &list)
	if list.Total != 2 || len(list.Items) != 2 {
		t.Fatalf("search: %+v", list)
	}
	found := map[string]int64{}
	for _, it := range list.Items {
		found[it.Agency.Code] = it.ID
		if it.Publisher != it.Agency.Name || !strings.HasSuffix(it.URL, "/documents/"+itoa(it.ID)) {
			t.Errorf("item %+v", it)
		}
	}
	if found[testkit.OrgCode] != aDoc || found["11411000MB7654321Y"] != bDoc {
		t.Errorf("search found %v, want %d of A and %d of B", found, aDoc, bDoc)
	}
	status, body := s.do(http.MethodGet, "/api/v1/city/documents?page_size=100", "", nil)
	if status != http.StatusOK || !strings.Contains(string(body), `"total":3`) {
		t.Errorf("list: %d %s", status, body)
	}
	for _, h := range hidden {
		if strings.Contains(string(body), h) {
			t.Errorf("the city list shows %q", h)
		}
	}
	s.mustDo(http.MethodGet, "/api/v1/city/consultations", "", nil, http.StatusOK, nil)

	var agencies struct {
		Query string
		Items []struct {
			agency
			NameMatch  bool `json:"name_match"`
			Documents  int
			RequestURL string `json:"request_url"`
		}
	}
	s.mustDo(http.MethodGet, "/api/v1/city/agencies?q="+url.QueryEscape("价格监测"), "", nil, http.StatusOK, &agencies)
	if len(agencies.Items) != 1 || agencies.Items[0].Code != "11411000MB7654321Y" || agencies.Items[0].Documents != 1 ||
		agencies.Items[0].RequestURL != "/requests/new" {
		t.Errorf("agencies for 价格监测: %+v", agencies)
	}
	s.mustFail(http.MethodGet, "/api/v1/city/agencies?q="+strings.Repeat("长", 101), "", nil, http.StatusBadRequest, "invalid")

	var cp struct {
		Overdue  int
		Agencies []struct {
			agency
			Publications []any `json:"overdue_publications"`
		}
	}
	s.mustDo(http.MethodGet, "/api/v1/city/compliance", "city", nil, http.StatusOK, &cp)
	if len(cp.Agencies) != 2 || cp.Overdue != 0 {
		t.Errorf("compliance: %+v", cp)
	}
	s.mustFail(http.MethodGet, "/api/v1/city/compliance", "officer", nil, http.StatusForbidden, "forbidden")
	s.mustFail(http.MethodGet, "/api/v1/city/reports/2025", "officer", nil, http.StatusForbidden, "forbidden")

	// One request received in 2025 at each agency: the city's 一 counts both.
	for i, org := range []int64{s.store.Org(), b.Stores.Org()} {
		const q = `INSERT INTO requests (org_id, definition, definition_version, unit_code, state, receipt_no, title, channel,
			received_on, applicant_type, applicant_name, id_type, id_number, description, info_form, delivery)
			VALUES ($1, 'request', 1, 'chengjian', 'received', $2, 't', 'online', '2025-03-02', 'natural', '张某', '其他', 'X1', 'd', '纸质', '邮寄')`
		if _, err := s.db.ExecContext(context.Background(), q, org, "YSQ-2025-0000"+itoa(int64(i+1))); err != nil {
			t.Fatal(err)
		}
	}
	var rep struct {
		Title    string
		Agencies []struct {
			Code   string
			Passed bool
		}
		Requests struct {
			Rows []struct {
				Key    string
				Values []int
			}
		}
	}
	s.mustDo(http.MethodGet, "/api/v1/city/reports/2025", "city", nil, http.StatusOK, &rep)
	if rep.Title != "测试市2025年政府信息公开工作年度报告汇总" || len(rep.Agencies) != 2 || !rep.Agencies[0].Passed {
		t.Errorf("city report: %+v", rep)
	}
	if len(rep.Requests.Rows) == 0 || rep.Requests.Rows[0].Key != "一" || rep.Requests.Rows[0].Values[0] != 2 || rep.Requests.Rows[0].Values[6] != 2 {
		t.Errorf("city report 表三 一: %+v", rep.Requests.Rows)
	}
	req, err := http.NewRequest(http.MethodGet, s.srv.URL+"/api/v1/city/reports/2025?format=csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, csv := s.send(req, "city")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(string(csv), "测试市发展和改革委员会") {
		t.Errorf("csv: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s.mustFail(http.MethodGet, "/api/v1/city/reports/2025?format=pdf", "city", nil, http.StatusBadRequest, "invalid")
	s.mustFail(http.MethodGet, "/api/v1/city/reports/2018", "city", nil, http.StatusBadRequest, "invalid")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
