package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// startBrowser starts Debian's Chromium headless (the one browser of this package) and returns a
// function that opens a tab in a browser context of its own (its own cookies).
func startBrowser(t *testing.T) func() context.Context {
	t.Helper()
	path := "/usr/bin/chromium"
	if _, err := os.Stat(path); err != nil {
		if path, err = exec.LookPath("chromium"); err != nil {
			t.Fatal("the browser test needs Debian's chromium (apt-get install chromium; .ci/run installs it)")
		}
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("lang", "zh-CN"),
		// Chromium resolves *.localhost to this machine by itself; the rule keeps it so anywhere.
		chromedp.Flag("host-resolver-rules", "MAP *.localhost 127.0.0.1"))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return func() context.Context {
		ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		if err := chromedp.Do(ctx); err != nil {
			t.Fatalf("open tab: %v", err)
		}
		return ctx
	}
}

// TestAgenciesInTheBrowser: two agencies of one platform on two hosts, in Chromium: each portal
// shows only its own documents and consultations under its own name; staff of one agency cannot
// log in on the other's host, and log in on their own.
func TestAgenciesInTheBrowser(t *testing.T) {
	pc, _, _ := platformEnv(t)
	_, port, _ := net.SplitHostPort(pc.addr)
	tab := startBrowser(t)
	housing, fgw := "http://127.0.0.1:"+port, "http://fgw.localhost:"+port
	text := func(ctx context.Context) string {
		body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		if err != nil {
			t.Fatal(err)
		}
		return body
	}
	open := func(ctx context.Context, url string, want int64) string {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		resp, err := chromedp.Run(c, chromedp.NavigateResponse(url))
		if err != nil || resp.Status != want {
			t.Fatalf("open %s: %v (status %v, want %d)", url, err, resp, want)
		}
		return text(ctx)
	}
	login := func(ctx context.Context, base, user string, want int64) string {
		t.Helper()
		open(ctx, base+"/console/login", 200)
		c, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(c, chromedp.SendKeys(chromedp.ID("username"), user), chromedp.SendKeys(chromedp.ID("password"), DemoPassword)); err != nil {
			t.Fatal(err)
		}
		resp, err := chromedp.RunResponse(c, chromedp.Click("#login-submit", chromedp.NodeVisible))
		if err != nil || resp.Status != want {
			t.Fatalf("log in as %s on %s: %v (status %v, want %d):\n%s", user, base, err, resp, want, text(ctx))
		}
		return text(ctx)
	}
	for _, c := range []struct {
		base, name    string
		own, notOwn   []string
		consultations string
	}{
		{housing, "许昌市住房和城乡建设局", []string{"许昌市住房租赁补贴发放管理办法", "老旧小区改造"}, []string{"优化营商环境", "发展和改革委员会"}, ""},
		{fgw, "许昌市发展和改革委员会", []string{"关于做好2026年优化营商环境重点工作的通知"}, []string{"住房租赁补贴", "老旧小区改造", "住房和城乡建设局"},
			"许昌市社会信用体系建设管理办法"},
	} {
		visitor := tab()
		body := open(visitor, c.base+"/", 200)
		for _, want := range append([]string{c.name}, c.own...) {
			if !strings.Contains(body, want) {
				t.Errorf("the portal at %s does not show %q:\n%.600s", c.base, want, body)
			}
		}
		body += open(visitor, c.base+"/consultations", 200) + open(visitor, c.base+"/sitemap", 200)
		if c.consultations != "" && !strings.Contains(body, c.consultations) {
			t.Errorf("%s does not list its consultation %q", c.base, c.consultations)
		}
		for _, not := range c.notOwn {
			if strings.Contains(body, not) {
				t.Errorf("the portal at %s shows %q of the other agency", c.base, not)
			}
		}
	}
	// Staff of one agency cannot log in on the other's host; on their own they can.
	officer := tab()
	if body := login(officer, fgw, "officer", 401); !strings.Contains(body, "用户名或密码") {
		t.Errorf("the housing officer on fgw's host:\n%.400s", body)
	}
	if body := login(officer, housing, "officer", 200); !strings.Contains(body, "我的待办") || !strings.Contains(body, "许昌市住房和城乡建设局") {
		t.Errorf("the housing officer at home:\n%.400s", body)
	}
	// Their session is the housing bureau's only: fgw's console asks them to log in.
	if body := open(officer, fgw+"/console", 401); !strings.Contains(body, "登录") {
		t.Errorf("fgw's console with a housing session:\n%.400s", body)
	}
	fgwOfficer := tab()
	if body := login(fgwOfficer, fgw, "fgw-officer", 200); !strings.Contains(body, "我的待办") || !strings.Contains(body, "许昌市发展和改革委员会") {
		t.Errorf("the fgw officer at home:\n%.400s", body)
	}
	if body := login(fgwOfficer, housing, "fgw-officer", 401); !strings.Contains(body, "用户名或密码") {
		t.Errorf("the fgw officer on the housing bureau's host:\n%.400s", body)
	}
}
