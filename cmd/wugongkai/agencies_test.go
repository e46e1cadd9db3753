package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"wugongkai/internal/httpkit"
)

// platformClient talks to one server as any of its agencies, by the Host header.
type platformClient struct {
	t      *testing.T
	addr   string
	tokens map[string]string // "host user" → session token
}

type answer struct {
	status int
	body   string
	header http.Header
}

// do sends method path to host as user ("" = anonymous) with body (JSON for the API, a form for
// pages, multipart when it is a *multipart.Writer's buffer with its content type).
func (pc *platformClient) do(host, user, method, path string, body any) answer {
	pc.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ct = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case multipartBody:
		rd, ct = bytes.NewReader(b.data), b.contentType
	default:
		j, _ := json.Marshal(b)
		rd, ct = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, "http://"+pc.addr+path, rd)
	if err != nil {
		pc.t.Fatal(err)
	}
	req.Host = host
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if !strings.HasPrefix(path, "/api/") {
		req.Header.Set("Accept", "text/html")
	}
	if user != "" {
		tok := pc.login(host, user)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.AddCookie(&http.Cookie{Name: httpkit.SessionCookie, Value: tok})
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		pc.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, body: string(b), header: resp.Header}
}

// login signs user in on host once and keeps the token.
func (pc *platformClient) login(host, user string) string {
	pc.t.Helper()
	if tok, ok := pc.tokens[host+" "+user]; ok {
		return tok
	}
	a := pc.do(host, "", http.MethodPost, "/api/v1/session", map[string]string{"username": user, "password": DemoPassword})
	if a.status != http.StatusCreated {
		pc.t.Fatalf("login %s on %s: %d %s", user, host, a.status, a.body)
	}
	var s struct{ Token string }
	if err := json.Unmarshal([]byte(a.body), &s); err != nil {
		pc.t.Fatal(err)
	}
	pc.tokens[host+" "+user] = s.Token
	return s.Token
}

// decode reads a JSON answer that must have status want.
func (pc *platformClient) decode(a answer, want int, v any) {
	pc.t.Helper()
	if a.status != want {
		pc.t.Fatalf("status %d, want %d: %.500s", a.status, want, a.body)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(a.body), v); err != nil {
			pc.t.Fatalf("%v: %.300s", err, a.body)
		}
	}
}

type multipartBody struct {
	data        []byte
	contentType string
}

func fileUpload(name, kind string, content []byte) multipartBody {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("kind", kind)
	w, _ := mw.CreateFormFile("file", name)
	_, _ = w.Write(content)
	_ = mw.Close()
	return multipartBody{data: b.Bytes(), contentType: mw.FormDataContentType()}
}

// agencyFixture is what one agency of the test holds: its host, its staff by role and the ids of
// its objects of every kind the routes take.
type agencyFixture struct {
	host  string
	staff []string
	own   []string // titles only this agency's public surfaces may show
	ids   map[string]string
}

// platformEnv starts `run --demo` with generous client limits (the walk repeats public forms)
// and returns the client.
func platformEnv(t *testing.T) (pc *platformClient, env func(string) string, cfgFile string) {
	cfgFile = filepath.Join(t.TempDir(), "wugongkai.yaml")
	if err := os.WriteFile(cfgFile, []byte(`comments: {rate_per_minute: 100000, burst: 100000}
requests: {rate_per_minute: 100000, burst: 100000, lookups_per_minute: 100000, lookup_burst: 100000}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	env, _ = testEnv(t, nil)
	addr, stop := startService(t, env, "--config", cfgFile, "run", "--demo")
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return &platformClient{t: t, addr: addr, tokens: map[string]string{}}, env, cfgFile
}

// fixture gives agency host a document with a file, a comment, a request and a case besides the
// demo's published document and open consultation, and returns their ids.
func (pc *platformClient) fixture(host, drafter, unitHead, officer, unit string, staff, own []string) agencyFixture {
	t := pc.t
	t.Helper()
	f := agencyFixture{host: host, staff: staff, own: own, ids: map[string]string{}}
	var list struct {
		Items []struct {
			ID    int64  `json:"id"`
			Title string `json:"title"`
		} `json:"items"`
	}
	pc.decode(pc.do(host, "", http.MethodGet, "/api/v1/public/documents", nil), http.StatusOK, &list)
	if len(list.Items) == 0 {
		t.Fatalf("%s publishes nothing", host)
	}
	f.ids["doc"] = fmt.Sprint(list.Items[0].ID)
	var cons struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	pc.decode(pc.do(host, "", http.MethodGet, "/api/v1/public/consultations?status=open", nil), http.StatusOK, &cons)
	if len(cons.Items) == 0 {
		// The worker's sweep opens one at opens_at.
		pc.login(host, drafter)
		pc.login(host, unitHead)
		opens := time.Now().Truncate(time.Second).Add(3 * time.Second)
		var d struct {
			ID      int64 `json:"id"`
			Version int   `json:"version"`
		}
		pc.decode(pc.do(host, drafter, http.MethodPost, "/api/v1/documents", map[string]any{"definition": "decision", "unit": unit,
			"title": "征求意见稿" + host, "body": "第一条", "explanation": "起草说明", "attribute": "主动公开",
			"subject_category": "综合政务\\政务公开", "summary": "摘要", "opens_at": opens, "closes_at": opens.Add(31 * 24 * time.Hour)}),
			http.StatusCreated, &d)
		for _, step := range []struct{ who, name string }{{drafter, "submit"}, {unitHead, "approve"}} {
			pc.decode(pc.do(host, step.who, http.MethodPost, fmt.Sprintf("/api/v1/documents/%d/transitions/%s", d.ID, step.name),
				map[string]any{"version": d.Version}), http.StatusOK, &d)
		}
		deadline := time.Now().Add(30 * time.Second)
		for len(cons.Items) == 0 && time.Now().Before(deadline) {
			time.Sleep(200 * time.Millisecond)
			pc.decode(pc.do(host, "", http.MethodGet, "/api/v1/public/consultations?status=open", nil), http.StatusOK, &cons)
		}
		if len(cons.Items) == 0 {
			t.Fatalf("%s: the consultation did not open", host)
		}
	}
	f.ids["consultation"] = fmt.Sprint(cons.Items[0].ID)
	var receipt struct {
		ReceiptNo string `json:"receipt_no"`
		ID        int64  `json:"id"`
	}
	pc.decode(pc.do(host, "", http.MethodPost, "/api/v1/public/consultations/"+f.ids["consultation"]+"/comments",
		map[string]any{"text": "建议明确适用范围。", "contact": "13900000000"}), http.StatusCreated, &receipt)
	f.ids["receipt"] = receipt.ReceiptNo
	var draft struct {
		ID      int64 `json:"id"`
		Version int   `json:"version"`
	}
	pc.decode(pc.do(host, drafter, http.MethodPost, "/api/v1/documents", map[string]any{"definition": "document", "unit": unit,
		"title": "内部草稿" + host, "body": "正文", "attribute": "主动公开"}), http.StatusCreated, &draft)
	f.ids["draft"] = fmt.Sprint(draft.ID)
	var file struct {
		ID int64 `json:"id"`
	}
	pc.decode(pc.do(host, drafter, http.MethodPost, "/api/v1/documents/"+f.ids["draft"]+"/files",
		fileUpload("附件.pdf", "attachment", []byte("%PDF-1.7\n附件内容"))), http.StatusCreated, &file)
	f.ids["file"] = fmt.Sprint(file.ID)
	var req struct {
		ID        int64  `json:"id"`
		ReceiptNo string `json:"receipt_no"`
	}
	pc.decode(pc.do(host, "", http.MethodPost, "/api/v1/public/requests", map[string]any{"applicant_type": "natural", "name": "孙丽",
		"id_type": "居民身份证", "id_number": "11010519491231002X", "phone": "13800000009", "description": "请公开某项目的批复文件",
		"form": "纸质", "delivery": "自行领取"}), http.StatusCreated, &req)
	f.ids["request_receipt"] = req.ReceiptNo
	var reqs struct {
		Items []struct {
			ID        int64  `json:"id"`
			ReceiptNo string `json:"receipt_no"`
		} `json:"items"`
	}
	pc.decode(pc.do(host, officer, http.MethodGet, "/api/v1/requests", nil), http.StatusOK, &reqs)
	for _, r := range reqs.Items {
		if r.ReceiptNo == req.ReceiptNo {
			f.ids["request"] = fmt.Sprint(r.ID)
		}
	}
	var cs struct {
		ID int64 `json:"id"`
	}
	pc.decode(pc.do(host, officer, http.MethodPost, "/api/v1/cases", map[string]any{"kind": "litigation_after_reconsideration",
		"filed_on": "2026-06-01", "case_no": "（2026）豫1002行初1号"}), http.StatusCreated, &cs)
	f.ids["case"] = fmt.Sprint(cs.ID)
	var comments struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	pc.decode(pc.do(host, officer, http.MethodGet, "/api/v1/documents/"+f.ids["consultation"]+"/comments", nil), http.StatusOK, &comments)
	if len(comments.Items) == 0 || f.ids["request"] == "" {
		t.Fatalf("%s fixture incomplete: %v", host, f.ids)
	}
	f.ids["comment"] = fmt.Sprint(comments.Items[0].ID)
	return f
}

// missingIDs are ids no agency has.
var missingIDs = map[string]string{"doc": "987654321", "consultation": "987654322", "draft": "987654323", "file": "987654324",
	"request": "987654325", "case": "987654326", "comment": "987654327"}

// pathWith fills the parameters of a route's path with ids (nil = the route takes none of them).
func pathWith(path string, ids map[string]string) (string, bool) {
	segs := strings.Split(path, "/")
	used := false
	for i, s := range segs {
		if !strings.HasPrefix(s, ":") {
			continue
		}
		switch s {
		case ":id":
			kind := "doc"
			switch {
			case strings.Contains(path, "/requests/"):
				kind = "request"
			case strings.Contains(path, "/cases/"):
				kind = "case"
			case strings.Contains(path, "/consultations/"), strings.Contains(path, "/comments"), strings.Contains(path, "/summary"):
				kind = "consultation"
			case strings.Contains(path, "/files"):
				kind = "draft"
			}
			segs[i] = ids[kind]
			used = true
		case ":fid":
			segs[i], used = ids["file"], true
		case ":cid":
			segs[i], used = ids["comment"], true
		case ":name":
			segs[i] = "submit"
		case ":key":
			segs[i] = "guide"
		case ":year":
			segs[i] = "2026"
		default:
			return "", false
		}
	}
	return strings.Join(segs, "/"), used
}

var requestIDRE = regexp.MustCompile(`"request_id":"[^"]*"`)

// same reports whether two answers are alike once the path each was asked for is put aside.
func same(a, b answer, pathA, pathB string) bool {
	norm := func(s, path string) string {
		s = requestIDRE.ReplaceAllString(s, "")
		for _, p := range []string{path, url.QueryEscape(path), strings.ReplaceAll(url.QueryEscape(path), "%2F", "/")} {
			s = strings.ReplaceAll(s, p, "PATH")
		}
		return s
	}
	return a.status == b.status && norm(a.body, pathA) == norm(b.body, pathB)
}

// TestAgenciesAreSeparated runs a platform of two agencies (the demo's housing bureau on the
// platform's own host and 发改委 on fgw.localhost) and proves that nothing of one reaches the other:
// every route of the route table × every role × both directions answers an id of the other agency
// exactly as an id that does not exist; the public surfaces show only their own agency's rows;
// staff log in only on their own agency's host. A host that is no agency's is a 404 in Chinese;
// the platform-wide endpoints answer on every host.
func TestAgenciesAreSeparated(t *testing.T) {
	pc, _, _ := platformEnv(t)
	const platformHost, fgwHost = "127.0.0.1", "fgw.localhost"
	housing := pc.fixture(platformHost, "drafter", "unithead", "officer", "chengjian",
		[]string{"drafter", "drafter2", "unithead", "unithead2", "legal", "officer", "head", "leader", "admin"},
		[]string{"住房租赁补贴", "老旧小区改造"})
	fgw := pc.fixture(fgwHost, "fgw-drafter", "fgw-unithead", "fgw-officer", "tizhi",
		[]string{"fgw-drafter", "fgw-unithead", "fgw-legal", "fgw-officer", "fgw-leader", "fgw-admin"},
		[]string{"优化营商环境", "社会信用体系建设"})

	// The ids are right: each agency's own staff and public reach its objects on its own host.
	for _, f := range []struct {
		agencyFixture
		drafter, officer string
	}{{housing, "drafter", "officer"}, {fgw, "fgw-drafter", "fgw-officer"}} {
		for _, c := range []struct{ user, path string }{{"", "/documents/" + f.ids["doc"]}, {"", "/consultations/" + f.ids["consultation"]},
			{f.drafter, "/api/v1/documents/" + f.ids["draft"]}, {f.drafter, "/api/v1/documents/" + f.ids["draft"] + "/files/" + f.ids["file"]},
			{f.officer, "/api/v1/requests/" + f.ids["request"]}, {f.officer, "/api/v1/cases/" + f.ids["case"]},
			{f.officer, "/console/documents/" + f.ids["consultation"] + "/comments"}} {
			if got := pc.do(f.host, c.user, http.MethodGet, c.path, nil); got.status != http.StatusOK {
				t.Fatalf("%s on its own host %s as %q: %d %.300s", c.path, f.host, c.user, got.status, got.body)
			}
		}
	}

	t.Run("routes × roles × agencies", func(t *testing.T) {
		walked := 0
		for _, pair := range [][2]agencyFixture{{housing, fgw}, {fgw, housing}} {
			a, b := pair[0], pair[1]
			for _, rt := range append(httpkit.Routes(httpkit.API), httpkit.Routes(httpkit.Page)...) {
				foreign, ok := pathWith(rt.Path, b.ids)
				if !ok {
					continue
				}
				missing, _ := pathWith(rt.Path, missingIDs)
				var body any
				if rt.Method != http.MethodGet {
					body = map[string]any{"version": 1}
					if rt.Adapter == httpkit.Page {
						body = url.Values{"version": {"1"}}
					}
				}
				for _, user := range append([]string{""}, a.staff...) {
					got := pc.do(a.host, user, rt.Method, foreign, body)
					want := pc.do(a.host, user, rt.Method, missing, body)
					walked++
					if !same(got, want, foreign, missing) {
						t.Errorf("%s %s on %s as %q: another agency's id answers %d %.300s\nan id that does not exist answers %d %.300s",
							rt.Method, foreign, a.host, user, got.status, got.body, want.status, want.body)
					}
				}
			}
		}
		if walked < 500 {
			t.Fatalf("walked only %d requests", walked)
		}
	})

	t.Run("public surfaces", func(t *testing.T) {
		surfaces := []string{"/", "/?q=%E9%80%9A%E7%9F%A5", "/api/v1/public/documents", "/api/v1/public/documents?q=%E9%80%9A%E7%9F%A5",
			"/feeds/documents.atom", "/sitemap.xml", "/sitemap", "/consultations", "/api/v1/public/consultations",
			"/feeds/consultations.atom"}
		for _, pair := range [][2]agencyFixture{{housing, fgw}, {fgw, housing}} {
			a, b := pair[0], pair[1]
			for _, p := range surfaces {
				got := pc.do(a.host, "", http.MethodGet, p, nil)
				if got.status != http.StatusOK {
					t.Errorf("%s on %s: %d", p, a.host, got.status)
				}
				for _, title := range b.own {
					if strings.Contains(got.body, title) {
						t.Errorf("%s on %s shows %q of the other agency", p, a.host, title)
					}
				}
			}
			if got := pc.do(a.host, "", http.MethodGet, "/", nil); !strings.Contains(got.body, a.own[0]) {
				t.Errorf("the portal of %s does not show its own %q", a.host, a.own[0])
			}
			// The request lookup: the other agency's receipt with its contact is unknown here.
			foreign := pc.do(a.host, "", http.MethodPost, "/api/v1/public/requests/status",
				map[string]string{"receipt_no": b.ids["request_receipt"], "contact": "13800000009"})
			if foreign.status < 400 && strings.Contains(foreign.body, "某项目的批复文件") {
				t.Errorf("request lookup on %s finds the other agency's request: %s", a.host, foreign.body)
			}
		}
	})

	t.Run("staff log in only on their own agency's host", func(t *testing.T) {
		for _, c := range []struct{ host, user string }{{fgwHost, "officer"}, {platformHost, "fgw-officer"}, {fgwHost, "admin"}} {
			got := pc.do(c.host, "", http.MethodPost, "/api/v1/session", map[string]string{"username": c.user, "password": DemoPassword})
			if got.status != http.StatusUnauthorized {
				t.Errorf("%s logs in on %s: %d %s", c.user, c.host, got.status, got.body)
			}
		}
		// A session of one agency is no session on another's host.
		tok := pc.login(platformHost, "officer")
		req, _ := http.NewRequest(http.MethodGet, "http://"+pc.addr+"/api/v1/me", nil)
		req.Host = fgwHost
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("a housing session on %s: %d", fgwHost, resp.StatusCode)
		}
	})

	t.Run("hosts", func(t *testing.T) {
		for _, host := range []string{"nobody.example", "nobody.example:8080"} {
			got := pc.do(host, "", http.MethodGet, "/", nil)
			if got.status != http.StatusNotFound || !strings.Contains(got.body, "没有这个机构") {
				t.Errorf("unknown host %s: %d %.200s", host, got.status, got.body)
			}
			api := pc.do(host, "", http.MethodGet, "/api/v1/public/documents", nil)
			if api.status != http.StatusNotFound || !strings.Contains(api.body, `"code":"not_found"`) || !strings.Contains(api.body, "没有这个机构") {
				t.Errorf("unknown host %s, API: %d %.200s", host, api.status, api.body)
			}
			if h := pc.do(host, "", http.MethodGet, "/healthz", nil); h.status != http.StatusOK {
				t.Errorf("/healthz on %s: %d", host, h.status)
			}
		}
		// The host's letter case and port do not matter; localhost is the platform's own.
		for _, host := range []string{"FGW.localhost:1234", "fgw.localhost."} {
			if got := pc.do(host, "", http.MethodGet, "/", nil); got.status != http.StatusOK || !strings.Contains(got.body, "许昌市发展和改革委员会") {
				t.Errorf("%s: %d", host, got.status)
			}
		}
		if got := pc.do("localhost", "", http.MethodGet, "/", nil); got.status != http.StatusOK || !strings.Contains(got.body, "许昌市住房和城乡建设局") {
			t.Errorf("localhost: %d", got.status)
		}
	})
}

// TestAddAgency adds agencies on the console page and with `wugongkai agency add`: a duplicate
// code or host and a malformed 统一社会信用代码 are refused in Chinese, only the platform's first
// agency's admins may add one, and a new agency is served on its host at once, with its admin, its
// request unit and the standard catalogue; `user add --agency` gives it staff who log in there only.
func TestAddAgency(t *testing.T) {
	pc, env, cfgFile := platformEnv(t)
	const platformHost = "127.0.0.1"
	form := func(edit func(url.Values)) url.Values {
		v := url.Values{"code": {"11411000MB0000003A"}, "name": {"许昌市教育局"}, "credit_code": {"11411000005794511B"},
			"host": {"jyj.localhost"}, "request_unit": {"bangongshi"}, "request_unit_name": {"办公室"},
			"admin_username": {"jyj-admin"}, "admin_password": {DemoPassword}}
		if edit != nil {
			edit(v)
		}
		return v
	}
	for _, c := range []struct {
		name   string
		edit   func(url.Values)
		status int
		want   string
	}{
		{"duplicate code", func(v url.Values) { v.Set("code", "114110000057945108") }, http.StatusConflict, "机构代码 114110000057945108 已由另一个机构使用"},
		{"duplicate host", func(v url.Values) { v.Set("host", "FGW.localhost") }, http.StatusConflict, "域名 fgw.localhost 已由另一个机构使用"},
		{"duplicate credit code", func(v url.Values) { v.Set("credit_code", "114110000057945108") }, http.StatusConflict, "统一社会信用代码 114110000057945108 已由另一个机构使用"},
		{"malformed credit code", func(v url.Values) { v.Set("credit_code", "11411000005794511C") }, http.StatusBadRequest, "统一社会信用代码的校验位不符"},
		{"short credit code", func(v url.Values) { v.Set("credit_code", "1141100000579451") }, http.StatusBadRequest, "统一社会信用代码应为 18 位"},
	} {
		got := pc.do(platformHost, "admin", http.MethodPost, "/console/agencies", form(c.edit))
		if got.status != c.status || !strings.Contains(got.body, c.want) || !strings.Contains(got.body, `value="许昌市教育局"`) {
			t.Errorf("%s: %d, want %d with %q and the form kept: %.300s", c.name, got.status, c.status, c.want, got.body)
		}
	}
	if got := pc.do("jyj.localhost", "", http.MethodGet, "/", nil); got.status != http.StatusNotFound {
		t.Fatalf("a refused agency is served: %d", got.status)
	}
	// Only the platform's first agency's admins.
	if got := pc.do("fgw.localhost", "fgw-admin", http.MethodGet, "/console/agencies", nil); got.status != http.StatusForbidden ||
		!strings.Contains(got.body, "只有平台机构") {
		t.Errorf("another agency's admin: %d %.300s", got.status, got.body)
	}
	if got := pc.do("fgw.localhost", "fgw-admin", http.MethodPost, "/console/agencies", form(nil)); got.status != http.StatusForbidden {
		t.Errorf("another agency's admin adds: %d", got.status)
	}
	// The holiday calendar is the platform's: another agency's admin manages its staff, not it.
	if got := pc.do("fgw.localhost", "fgw-admin", http.MethodGet, "/api/v1/admin/calendars", nil); got.status != http.StatusForbidden ||
		!strings.Contains(got.body, "节假日安排由平台机构") {
		t.Errorf("another agency's admin and the calendar: %d %.300s", got.status, got.body)
	}
	if got := pc.do(platformHost, "admin", http.MethodGet, "/api/v1/admin/calendars", nil); got.status != http.StatusOK {
		t.Errorf("the platform's admin and the calendar: %d %.300s", got.status, got.body)
	}
	if got := pc.do("fgw.localhost", "fgw-admin", http.MethodGet, "/api/v1/admin/users", nil); got.status != http.StatusOK ||
		strings.Contains(got.body, `"officer"`) || !strings.Contains(got.body, "fgw-officer") {
		t.Errorf("another agency's admin lists its own staff only: %d %.300s", got.status, got.body)
	}
	if got := pc.do(platformHost, "officer", http.MethodGet, "/console/agencies", nil); got.status != http.StatusForbidden {
		t.Errorf("the disclosure officer: %d", got.status)
	}

	got := pc.do(platformHost, "admin", http.MethodPost, "/console/agencies", form(nil))
	if got.status != http.StatusSeeOther || got.header.Get("Location") != "/console/agencies?added=11411000MB0000003A" {
		t.Fatalf("add: %d %s %.300s", got.status, got.header.Get("Location"), got.body)
	}
	list := pc.do(platformHost, "admin", http.MethodGet, got.header.Get("Location"), nil)
	for _, want := range []string{"已添加机构 11411000MB0000003A", "许昌市教育局", "jyj.localhost", "许昌市发展和改革委员会"} {
		if !strings.Contains(list.body, want) {
			t.Errorf("the agencies page lacks %q", want)
		}
	}
	// Served at once: its portal with its name and the standard catalogue, its admin logs in.
	if home := pc.do("jyj.localhost", "", http.MethodGet, "/", nil); home.status != http.StatusOK || !strings.Contains(home.body, "许昌市教育局") {
		t.Fatalf("the new agency's portal: %d %.300s", home.status, home.body)
	}
	var cat struct {
		Count int `json:"count"`
	}
	pc.decode(pc.do("jyj.localhost", "", http.MethodGet, "/api/v1/public/catalogue", nil), http.StatusOK, &cat)
	if cat.Count == 0 {
		t.Error("the new agency has no catalogue")
	}
	pc.login("jyj.localhost", "jyj-admin")
	if a := pc.do(platformHost, "", http.MethodPost, "/api/v1/session", map[string]string{"username": "jyj-admin", "password": DemoPassword}); a.status != http.StatusUnauthorized {
		t.Errorf("the new agency's admin logs in on the platform's host: %d", a.status)
	}

	// The command line: the same refusals, then an agency with staff of its own.
	if out, err := cli(t, env, "", "--config", cfgFile, "agency", "add", "--code", "11411000MB0000004B", "--name", "许昌市民政局",
		"--credit-code", "11411000005794512F", "--host", "mzj.localhost"); err == nil || !strings.Contains(err.Error(), "校验位不符（按前 17 位应为“E”）") {
		t.Errorf("malformed credit code: %v %s", err, out)
	}
	if out, err := cli(t, env, "", "--config", cfgFile, "agency", "add", "--code", "11411000MB0000004B", "--name", "许昌市民政局",
		"--credit-code", "11411000005794512E", "--host", "jyj.localhost"); err == nil || !strings.Contains(err.Error(), "域名 jyj.localhost 已由另一个机构使用") {
		t.Errorf("duplicate host: %v %s", err, out)
	}
	out, err := cli(t, env, "", "--config", cfgFile, "agency", "add", "--code", "11411000MB0000004B", "--name", "许昌市民政局",
		"--credit-code", "11411000005794512E", "--host", "mzj.localhost", "--request-unit", "zonghe", "--request-unit-name", "综合科")
	if err != nil || !strings.Contains(out, "已添加机构 许昌市民政局") {
		t.Fatalf("agency add: %v %s", err, out)
	}
	if out, err := cli(t, env, DemoPassword+"\n", "--config", cfgFile, "user", "add", "--agency", "11411000MB0000004B", "--username", "mzj-officer",
		"--role", "disclosure_officer", "--password-stdin"); err != nil {
		t.Fatalf("user add --agency: %v %s", err, out)
	}
	if out, err := cli(t, env, DemoPassword+"\n", "--config", cfgFile, "user", "add", "--agency", "NOSUCH", "--username", "x",
		"--role", "drafter", "--unit", "zonghe", "--password-stdin"); err == nil || !strings.Contains(err.Error(), "没有机构代码为 NOSUCH 的机构") {
		t.Errorf("user add to no agency: %v %s", err, out)
	}
	// Added on another process: served once the platform re-reads the agencies (at most rescanEvery later).
	deadline := time.Now().Add(5 * time.Second)
	for {
		home := pc.do("mzj.localhost", "", http.MethodGet, "/", nil)
		if home.status == http.StatusOK && strings.Contains(home.body, "许昌市民政局") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the agency added by the command line is not served: %d", home.status)
		}
		time.Sleep(50 * time.Millisecond)
	}
	pc.login("mzj.localhost", "mzj-officer")
	// A role given while the agency is served takes effect at once: the change names the agency,
	// whose enforcer alone reloads (not the once-a-minute backstop).
	if out, err := cli(t, env, DemoPassword+"\n", "--config", cfgFile, "user", "add", "--agency", "11411000MB0000004B", "--username", "mzj-legal",
		"--role", "legal_reviewer", "--password-stdin"); err != nil {
		t.Fatalf("user add --agency: %v %s", err, out)
	}
	pc.login("mzj.localhost", "mzj-legal")
	deadline = time.Now().Add(10 * time.Second)
	for pc.do("mzj.localhost", "mzj-legal", http.MethodGet, "/api/v1/documents", nil).status != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("the new legal reviewer of mzj has no rights 10 s after the role was given")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if a := pc.do("fgw.localhost", "", http.MethodPost, "/api/v1/session", map[string]string{"username": "mzj-officer", "password": DemoPassword}); a.status != http.StatusUnauthorized {
		t.Errorf("mzj-officer logs in on fgw: %d", a.status)
	}
	// Its disclosure requests reach its own desk.
	var receipt struct {
		ReceiptNo string `json:"receipt_no"`
	}
	pc.decode(pc.do("mzj.localhost", "", http.MethodPost, "/api/v1/public/requests", map[string]any{"applicant_type": "natural", "name": "孙丽",
		"id_type": "居民身份证", "id_number": "11010519491231002X", "phone": "13800000009", "description": "请公开低保名单",
		"form": "纸质", "delivery": "自行领取"}), http.StatusCreated, &receipt)
	var reqs struct {
		Items []struct {
			ReceiptNo string `json:"receipt_no"`
		} `json:"items"`
	}
	pc.decode(pc.do("mzj.localhost", "mzj-officer", http.MethodGet, "/api/v1/requests", nil), http.StatusOK, &reqs)
	if len(reqs.Items) != 1 || reqs.Items[0].ReceiptNo != receipt.ReceiptNo {
		t.Errorf("the new agency's requests: %+v", reqs.Items)
	}
	// Every addition is in the platform's audit log, which still verifies.
	if out, err := cli(t, env, "", "--config", cfgFile, "audit", "verify"); err != nil || !strings.HasPrefix(out, "ok:") {
		t.Errorf("audit verify: %v %s", err, out)
	}
}
