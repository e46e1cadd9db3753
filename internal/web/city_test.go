package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"wugongkai/workflow"
	"wugongkai/workflow/documents"
)

// cityFixture is a platform of two agencies on one database: the test bureau (the platform's own
// organisation) and a development and reform commission, each on its own server, each with
// published 主动公开 documents and with documents that must never reach a public surface.
type cityFixture struct {
	a, b        *stack
	aDoc, bDoc  documents.Document
	hidden      []string // titles no public page may show
	aTitle      string
	bTitle      string
	decisionOfB documents.Document
	overdueOfB  documents.Document
	agencyBCode string
	agencyBName string
}

func newCityFixture(t *testing.T) *cityFixture {
	t.Helper()
	f := &cityFixture{agencyBCode: "11411000MB7654321Y", agencyBName: "测试市发展和改革委员会"}
	f.a = newStack(t)
	f.b = f.a.newAgency(f.agencyBCode, f.agencyBName)
	f.aTitle, f.bTitle = "关于住房租赁补贴发放的通知", "关于重点项目租赁补贴资金的通知"
	f.aDoc = f.a.mustPublished(f.aTitle, "住房租赁补贴按季度发放。")
	f.bDoc = f.b.mustPublished(f.bTitle, "重点项目租赁补贴资金下达。")
	f.b.mustPublished("价格监测工作方案", "做好重要民生商品价格监测。")
	// What must not leak: drafts of both agencies, a signed document awaiting publication, a
	// 依申请公开 document and one written straight into the table as published but not 主动公开.
	f.a.mustCreate("drafter", documents.Draft{Title: str("租赁补贴草稿（未公开）"), Body: str("租赁补贴"), Attribute: str("主动公开")})
	d := f.b.mustCreate("drafter", documents.Draft{Title: str("租赁补贴待发布文件"), Body: str("租赁补贴"), Attribute: str("主动公开"),
		SubjectCategory: str("综合政务\\其他"), DocNumber: str("测发改〔2026〕2号")})
	f.overdueOfB = f.b.mustFire(d, [2]string{"drafter", "submit"}, [2]string{"unithead", "approve"}, [2]string{"leader", "sign"})
	f.b.mustCreate("drafter", documents.Draft{Title: str("依申请公开的租赁补贴文件"), Body: str("租赁补贴"), Attribute: str("依申请公开"),
		Grounds: &[]string{"art16_process"}, GroundsExplanation: str("过程性信息")})
	leak := f.b.mustCreate("drafter", documents.Draft{Title: str("直接写成已发布的租赁补贴内部文件"), Body: str("租赁补贴"), Attribute: str("主动公开")})
	if _, err := f.b.db.ExecContext(context.Background(), `UPDATE documents SET state = 'published', published_at = now(),
		facts = facts || '{"attribute": "不予公开"}', search_terms = $1 WHERE id = $2`,
		"{"+strings.Join(documents.SearchTerms("直接写成已发布的租赁补贴内部文件 租赁补贴"), ",")+"}", leak.ID); err != nil {
		t.Fatal(err)
	}
	f.hidden = []string{"租赁补贴草稿（未公开）", "租赁补贴待发布文件", "依申请公开的租赁补贴文件", "直接写成已发布的租赁补贴内部文件"}
	f.decisionOfB = f.b.mustDecision("测试市重大项目管理办法（草案）", time.Minute, false)
	f.a.clock.Advance(2 * time.Minute)
	f.b.clock.Advance(2 * time.Minute)
	return f
}

// TestCityPortal: the city portal lists and searches every agency's public documents (and only
// those: nothing unpublished, nothing not 主动公开), each linking to its agency's own portal, shows
// the agencies' open consultations, and the JSON says the same.
func TestCityPortal(t *testing.T) {
	f := newCityFixture(t)
	citizen := f.a.anon()
	r := citizen.get("/city/")
	if r.status != http.StatusOK {
		t.Fatalf("/city/: %d", r.status)
	}
	mustContain(t, "city portal", r.body, "全市政府信息公开", "测试市", f.aTitle, f.bTitle, "价格监测工作方案",
		testOrg, f.agencyBName, fmt.Sprintf(`href="%s/documents/%d"`, f.a.srv.URL, f.aDoc.ID),
		fmt.Sprintf(`href="%s/documents/%d"`, f.b.srv.URL, f.bDoc.ID), "正在征求意见", "测试市重大项目管理办法（草案）",
		fmt.Sprintf(`href="%s/consultations/%d"`, f.b.srv.URL, f.decisionOfB.ID), `id="city-count">共 <strong>3</strong> 条`)
	mustNotContain(t, "city portal", r.body, f.hidden...)

	r = citizen.get("/city/?q=" + "租赁补贴")
	mustContain(t, "city search", r.body, f.aTitle, f.bTitle, `共 <strong>2</strong> 条`)
	mustNotContain(t, "city search", r.body, append(f.hidden, "价格监测工作方案")...)

	// The document behind the link is on its agency's portal, and only there.
	if r := citizen.get(fmt.Sprintf("/documents/%d", f.bDoc.ID)); r.status != http.StatusNotFound {
		t.Errorf("B's document on A's portal: %d", r.status)
	}
	if r := f.b.anon().get(fmt.Sprintf("/documents/%d", f.bDoc.ID)); r.status != http.StatusOK || !strings.Contains(r.body, f.bTitle) {
		t.Errorf("B's document on B's portal: %d", r.status)
	}

	r = citizen.get("/city/consultations")
	mustContain(t, "city consultations", r.body, "测试市重大项目管理办法（草案）", f.agencyBName, `共 <strong>1</strong> 项`)

	r = citizen.get("/city/?q=" + strings.Repeat("长", 101))
	if r.status != http.StatusBadRequest {
		t.Errorf("overlong query: %d", r.status)
	}
}

// TestCityRoutesARequest: the citizen finds the agency that holds the information by its name,
// a unit's name or words of its public documents, lands on that agency's request form, and the
// request filed there is that agency's and no other's.
func TestCityRoutesARequest(t *testing.T) {
	f := newCityFixture(t)
	citizen := f.a.anon()
	r := citizen.get("/city/requests")
	mustContain(t, "every agency", r.body, testOrg, f.agencyBName, `href="/city/requests/`+f.agencyBCode+`"`)
	r = citizen.get("/city/requests?q=" + "价格监测")
	mustContain(t, "by documents", r.body, f.agencyBName, "有 1 件公开信息与“价格监测”相关")
	mustNotContain(t, "by documents", r.body, `id="agency-`+"11411000MB1234567X"+`"`)
	r = citizen.get("/city/requests?q=" + "发展和改革")
	mustContain(t, "by name", r.body, f.agencyBName, "机关名称相符")
	r = citizen.get("/city/requests?q=" + "不存在的事项名称")
	mustContain(t, "nothing", r.body, `id="no-agency"`)

	r = citizen.get("/city/requests/" + f.agencyBCode)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != f.b.srv.URL+"/requests/new" {
		t.Fatalf("route to B: %d %q", r.status, r.header.Get("Location"))
	}
	if r := citizen.get("/city/requests/NOSUCHAGENCY"); r.status != http.StatusNotFound || !strings.Contains(r.body, "没有这个机关") {
		t.Errorf("unknown agency: %d", r.status)
	}
	// The citizen files the request on B's form (B's server).
	atB := f.b.anon()
	if r := atB.get("/requests/new"); r.status != http.StatusOK {
		t.Fatalf("B's form: %d", r.status)
	}
	beforeA, beforeB := f.a.requestCount(), f.b.requestCount()
	if r := atB.postForm("/requests", applicationValues()); r.status != http.StatusOK {
		t.Fatalf("submit at B: %d\n%s", r.status, excerpt(r.body))
	}
	if f.b.requestCount() != beforeB+1 || f.a.requestCount() != beforeA {
		t.Errorf("requests: A %d→%d, B %d→%d; want the request at B only", beforeA, f.a.requestCount(), beforeB, f.b.requestCount())
	}
}

// TestCityConsole: only the city office of the platform's organisation reaches the city pages of
// the console; it sees every agency's overdue publications and the city report with every
// agency's checks and the summed tables.
func TestCityConsole(t *testing.T) {
	f := newCityFixture(t)
	// B's signed document is past its publication deadline.
	if _, err := f.b.db.ExecContext(context.Background(), `UPDATE deadlines SET due_at = now() - interval '3 days',
		due_date = (now() - interval '3 days')::date WHERE org_id = $1 AND subject_id = $2 AND name = 'publication_due'`,
		f.b.store.Org(), f.overdueOfB.ID); err != nil {
		t.Fatal(err)
	}
	office := f.a.login("city")
	r := office.get("/console/city")
	if r.status != http.StatusOK {
		t.Fatalf("city office: %d\n%s", r.status, excerpt(r.body))
	}
	mustContain(t, "compliance", r.body, `id="city-overdue">全市共 <strong>1</strong> 项逾期`, f.agencyBName, "租赁补贴待发布文件",
		"逾期未发布", `id="nav-city"`, fmt.Sprintf(`href="/console/city/reports/%d"`, workflow.DateOf(time.Now()).Year))
	for _, who := range []string{"officer", "admin", "leader"} {
		if r := f.a.login(who).get("/console/city"); r.status != http.StatusForbidden {
			t.Errorf("%s: %d", who, r.status)
		}
	}
	// B's own city office account is not the platform's: refused with the reason.
	if r := f.b.login("city").get("/console/city"); r.status != http.StatusForbidden || !strings.Contains(r.body, "只在平台机构的工作台提供") {
		t.Errorf("B's city office: %d", r.status)
	}
	year := workflow.DateOf(time.Now()).Year
	r = office.get(fmt.Sprintf("/console/city/reports/%d", year))
	mustContain(t, "city report", r.body, fmt.Sprintf("测试市%d年政府信息公开工作年度报告汇总", year), testOrg, f.agencyBName,
		"各机关年度报告核对", "收到和处理政府信息公开申请情况", "政府信息公开行政复议、行政诉讼情况")
	r = office.get(fmt.Sprintf("/console/city/reports/%d?format=csv", year))
	if r.status != http.StatusOK || !strings.Contains(r.body, f.agencyBName) || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Errorf("csv: %d %q", r.status, r.header.Get("Content-Type"))
	}
	if r := office.get(fmt.Sprintf("/console/city/reports/%d?format=pdf", year)); r.status != http.StatusBadRequest {
		t.Errorf("pdf: %d", r.status)
	}
}
