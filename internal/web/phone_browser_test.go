package web_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

// phoneWidth is the CSS width of a common phone screen.
const phoneWidth = 390

// atPhone opens path at a phone's width and checks that the page does not scroll sideways; it
// returns with the phone viewport still set.
func (p *person) atPhone(path string, name string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(phoneWidth, 844)); err != nil {
		p.fail("phone viewport", err)
	}
	p.visit(path, 200)
	w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		p.fail("measure", err)
	}
	if w > phoneWidth {
		p.t.Errorf("%s: %s is %d px wide at a %d px phone screen", p.who, path, w, phoneWidth)
	}
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(80)); err == nil {
		_ = writeShot(name+"-phone", png)
	}
}

// lines returns the number of lines the text of the element matched by css takes.
func (p *person) lines(css string) int {
	p.t.Helper()
	n, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](fmt.Sprintf(`(() => { const e = document.querySelector(%q);
		if (!e) return -1; const r = document.createRange(); r.selectNodeContents(e);
		return new Set(Array.from(r.getClientRects()).filter(x => x.width > 0).map(x => Math.round(x.top))).size })()`, css)))
	if err != nil {
		p.fail("lines of "+css, err)
	}
	return n
}

// width returns the rendered width of the element matched by css.
func (p *person) width(css string) float64 {
	p.t.Helper()
	w, err := chromedp.Run(p.ctx, chromedp.Evaluate[float64](fmt.Sprintf(`(() => { const e = document.querySelector(%q);
		return e ? e.getBoundingClientRect().width : -1 })()`, css)))
	if err != nil {
		p.fail("width of "+css, err)
	}
	return w
}

// TestBrowserPhone reads the portal and the console at a phone's width (390 px): no page scrolls
// sideways; the document and consultation metadata read as label/value pairs with the 索引号 and
// the dates each on one line; the home list puts the title first at nearly the full width; the
// console's flow diagram scales to the screen. The portal's new columns pass the page checks
// (labels, language, 200% zoom) at desktop width.
func TestBrowserPhone(t *testing.T) {
	s := newStack(t)
	d := s.mustPublished("关于印发测试市2026年住房保障工作要点的通知", "一、总体要求。\n二、主要任务。")
	dec := s.mustDecision("测试市生活垃圾分类管理办法（征求意见稿）", time.Hour, false)
	s.clock.Advance(2 * time.Hour)
	s.sweep()
	year := workflow.DateOf(s.clock.Now()).Year
	if r := s.login("officer").postForm(fmt.Sprintf("/console/reports/%d/final", year-1), url.Values{"confirm": {"yes"}}); r.status != 303 {
		t.Fatalf("finalise last year's report: status %d", r.status)
	}
	req, err := s.reqs.Submit(context.Background(), requests.Application{ApplicantType: "natural", Name: "郑市民",
		IDType: requests.IDResidentCard, IDNumber: testIDNumber, Phone: "13712345678", Address: "测试市解放路8号",
		Description: "2025年城市道路维修计划"}, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}

	citizen := newPerson(t, s, "citizen")
	for _, pg := range []struct{ path, name string }{{"/guide", "41-guide"}, {"/rules", "42-rules"}, {"/reports", "43-reports"},
		{fmt.Sprintf("/reports/%d", year-1), "44-report"}, {"/sitemap", "45-sitemap"}} {
		citizen.visit(pg.path, 200)
		citizen.see("我为政府网站找错", "网站标识码")
		citizen.shot(pg.name)
	}

	citizen.atPhone("/", "46-list")
	if w := citizen.width("table.public-list td.col-title"); w < phoneWidth*0.7 {
		t.Errorf("list title is %.0f px wide on a phone", w)
	}
	if n := citizen.lines("table.public-list td.col-index"); n != 1 {
		t.Errorf("list 索引号 takes %d lines on a phone", n)
	}
	citizen.atPhone(fmt.Sprintf("/documents/%d", d.ID), "47-document")
	for _, css := range []string{"#index-no", "#written-on"} {
		if n := citizen.lines(css); n != 1 {
			t.Errorf("document %s takes %d lines on a phone", css, n)
		}
	}
	citizen.atPhone(fmt.Sprintf("/consultations/%d", dec.ID), "48-consultation")
	if n := citizen.lines("#consult-status"); n != 1 {
		t.Errorf("consultation status takes %d lines on a phone", n)
	}
	for _, path := range []string{"/guide", fmt.Sprintf("/reports/%d", year-1), "/sitemap", "/requests/new"} {
		citizen.atPhone(path, "49"+path)
	}

	officer := newPerson(t, s, "officer")
	officer.login("officer")
	officer.visit("/console/portal-texts/guide", 200)
	officer.shot("50-portal-text")
	officer.atPhone(fmt.Sprintf("/console/documents/%d", d.ID), "51-console-document")
	if w := officer.width(".flow svg"); w <= 0 || w > phoneWidth {
		t.Errorf("flow diagram is %.0f px wide on a phone", w)
	}
	officer.atPhone(fmt.Sprintf("/console/requests/%d", req.ID), "52-console-request")
}

// writeShot keeps a screenshot under screenshotDir.
func writeShot(name string, png []byte) error {
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(screenshotDir, strings.ReplaceAll(name, "/", "-")+".png"), png, 0o644)
}
