package web_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserCityPortal: in Chromium, the city portal lists documents of two agencies, a search
// finds one document of each (and nothing that is not public), and a citizen looking for the
// agency that holds some information follows its link to that agency's request form.
func TestBrowserCityPortal(t *testing.T) {
	f := newCityFixture(t)
	citizen := newPerson(t, f.a, "公众")
	citizen.visit("/city/", 200)
	citizen.see("全市政府信息公开", f.aTitle, f.bTitle, "价格监测工作方案", testOrg, f.agencyBName, "测试市重大项目管理办法（草案）")
	citizen.notSee(f.hidden...)
	if n := citizen.count("#city-documents tbody tr"); n != 3 {
		t.Errorf("the list has %d rows, want 3", n)
	}
	citizen.shot("city-portal")

	citizen.typeInto("q", "租赁补贴")
	citizen.press("#city-search", 200)
	citizen.see("共 2 条", f.aTitle, f.bTitle)
	citizen.notSee(append(f.hidden, "价格监测工作方案")...)
	agencies := citizen.text()
	if !strings.Contains(agencies, testOrg) || !strings.Contains(agencies, f.agencyBName) {
		t.Errorf("the search does not show both agencies:\n%s", excerpt(agencies))
	}
	// The title leads to the document on its agency's portal.
	citizen.press(`#city-documents a[href$="/documents/`+itoa(f.bDoc.ID)+`"]`, 200)
	citizen.see(f.bTitle, "重点项目租赁补贴资金下达")

	citizen.visit("/city/requests", 200)
	citizen.typeInto("agency-q", "价格监测")
	citizen.press("#agency-search", 200)
	citizen.see(f.agencyBName, "有 1 件公开信息与“价格监测”相关")
	citizen.press(`a[href="/city/requests/`+f.agencyBCode+`"]`, 200)
	citizen.see("申请")
	if loc := citizen.location(); !strings.HasPrefix(loc, f.b.srv.URL+"/requests/new") {
		t.Errorf("landed on %s, want B's request form", loc)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// location returns the address of the page the person is on.
func (p *person) location() string {
	p.t.Helper()
	loc, err := chromedp.Run(p.ctx, chromedp.Location())
	if err != nil {
		p.fail("read the address", err)
	}
	return loc
}
