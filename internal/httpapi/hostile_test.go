package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"wugongkai/internal/httpapi"
	"wugongkai/internal/httpkit"
)

// hostile is one hostile request against a public endpoint.
type hostile struct {
	name        string
	method      string
	path        string // with the id filled in
	contentType string
	body        []byte
	chunked     bool // send without Content-Length, so only the body reader can stop it
	wantStatus  int  // 0 = any 4xx
	wantCode    string
	user        string // sent with this user's token ("" = anonymous)
	page        bool   // a page: the answer is a Chinese HTML page, not problem+json
}

// hostileTables are the tables whose rows a hostile request must not change. login_failures is
// not among them: a wrong password is recorded on purpose (throttling).
var hostileTables = []string{"documents", "document_versions", "audit_events", "outbox", "deadlines", "notifications",
	"comments", "sessions", "users", "role_assignments", "orgs", "units", "index_serials", "requests", "request_serials",
	"cases", "report_inputs"}

func (s *stack) rowCounts() map[string]int {
	s.t.Helper()
	out := map[string]int{}
	for _, t := range hostileTables {
		var exists bool
		if err := s.db.QueryRowContext(context.Background(), `SELECT to_regclass($1) IS NOT NULL`, t).Scan(&exists); err != nil {
			s.t.Fatal(err)
		}
		if !exists { // a table of a later migration
			continue
		}
		var n int
		if err := s.db.QueryRowContext(context.Background(), `SELECT count(*) FROM `+t).Scan(&n); err != nil {
			s.t.Fatalf("count %s: %v", t, err)
		}
		out[t] = n
	}
	return out
}

// send sends one hostile request as is.
func (s *stack) sendRaw(h hostile) (int, http.Header, []byte) {
	s.t.Helper()
	var rd io.Reader
	if h.body != nil {
		rd = bytes.NewReader(h.body)
		if h.chunked {
			rd = io.MultiReader(rd) // hides the length: the client sends it chunked
		}
	}
	req, err := http.NewRequest(h.method, s.srv.URL+h.path, rd)
	if err != nil {
		s.t.Fatalf("%s: %v", h.name, err)
	}
	if h.contentType != "" {
		req.Header.Set("Content-Type", h.contentType)
	}
	if h.user != "" {
		req.Header.Set("Authorization", "Bearer "+s.tokens[h.user])
	}
	if h.page {
		req.Header.Set("Accept", "text/html")
	}
	resp, err := client.Do(req)
	if err != nil {
		s.t.Fatalf("%s: %v", h.name, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("%s: read: %v", h.name, err)
	}
	return resp.StatusCode, resp.Header, b
}

// hostileFixture publishes a document and opens a consultation, so that a well-formed request
// to every public endpoint would succeed: whatever a hostile request gets, its hostility caused.
func hostileFixture(t *testing.T, s *stack) (published, consultation int64) {
	t.Helper()
	d := s.create("drafter", map[string]any{"title": "公开的文件", "attribute": "主动公开", "summary": "概述",
		"subject_category": `城乡建设、环境保护\城市规划`})
	d = s.fire("drafter", d, "submit", nil)
	d = s.fire("unithead", d, "approve", nil)
	d = s.fire("leader", d, "sign", nil)
	d = s.fire("officer", d, "publish", nil)
	c := s.create("drafter", map[string]any{"definition": "decision", "title": "征求意见的草案", "attribute": "主动公开",
		"opens_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339), "closes_at": time.Now().Add(40 * 24 * time.Hour).UTC().Format(time.RFC3339)})
	facts, _ := json.Marshal(map[string]string{"opens_at": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)})
	if _, err := s.db.ExecContext(context.Background(), `UPDATE documents SET state = 'consultation_open', facts = facts || $1::jsonb
		WHERE id = $2`, string(facts), c.ID); err != nil {
		t.Fatal(err)
	}
	return d.ID, c.ID
}

// jsonBattery is what every public endpoint that takes a JSON body must refuse, each before
// anything is written.
func jsonBattery(method, path string) []hostile {
	deep := strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000)
	deepArray := `{"text":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`
	big := []byte(`{"text":"` + strings.Repeat("意", 30000) + `"}`) // 90 KB > the 64 KB limit
	h := func(name, ct string, body []byte, status int, code string) hostile {
		return hostile{name: name, method: method, path: path, contentType: ct, body: body, wantStatus: status, wantCode: code}
	}
	cases := []hostile{
		h("oversized body", "application/json", big, http.StatusRequestEntityTooLarge, "too_large"),
		h("invalid UTF-8", "application/json", []byte("{\"text\":\"\xff\xfe\xfd 意见\",\"username\":\"\xc3\x28\"}"), http.StatusBadRequest, "invalid"),
		h("text/plain", "text/plain", []byte(`{"text":"纯文本"}`), http.StatusBadRequest, "invalid"),
		h("form encoded", "application/x-www-form-urlencoded", []byte("text=%E6%84%8F%E8%A7%81"), http.StatusBadRequest, "invalid"),
		h("multipart", "multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nhi\r\n--x--\r\n"), http.StatusBadRequest, "invalid"),
		h("no content type", "", []byte(`{"text":"意见"}`), http.StatusBadRequest, "invalid"),
		h("deeply nested object", "application/json", []byte(deep), http.StatusBadRequest, "invalid"),
		h("deeply nested array", "application/json", []byte(deepArray), http.StatusBadRequest, "invalid"),
		h("empty body", "application/json", []byte(""), http.StatusBadRequest, "invalid"),
		h("JSON null", "application/json", []byte("null"), 0, ""),
		h("top-level array", "application/json", []byte(`[{"text":"意见"}]`), http.StatusBadRequest, "invalid"),
		h("two objects", "application/json", []byte(`{}{"text":"第二个"}`), http.StatusBadRequest, "invalid"),
		h("truncated JSON", "application/json", []byte(`{"text":"没有结束`), http.StatusBadRequest, "invalid"),
		h("unknown field with a script tag", "application/json", []byte(`{"<script>alert(1)</script>":"x"}`), http.StatusBadRequest, "invalid"),
		h("SQL as a field name", "application/json", []byte(`{"text'; DROP TABLE comments; --":"x"}`), http.StatusBadRequest, "invalid"),
		h("wrong type", "application/json", []byte(`{"text":["数组"],"username":{"a":1}}`), http.StatusBadRequest, "invalid"),
		h("number overflow", "application/json", []byte(`{"version":1e400}`), http.StatusBadRequest, "invalid"),
	}
	chunked := h("oversized chunked body", "application/json", big, http.StatusRequestEntityTooLarge, "too_large")
	chunked.chunked = true
	return append(cases, chunked)
}

// idBattery is what every public endpoint with an id in its path must refuse.
func idBattery(method, route string) []hostile {
	var out []hostile
	for _, id := range []string{"-1", "0", "99999999999999999999", "1%20OR%201=1", "1;DROP%20TABLE%20documents", "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
		"0x10", "１２"} {
		out = append(out, hostile{name: "id " + id, method: method, path: strings.Replace(route, ":id", id, 1),
			contentType: "application/json", body: bodyFor(method), wantStatus: http.StatusNotFound, wantCode: "not_found"})
	}
	return out
}

// listBattery is what a public list must refuse in its query.
func listBattery(path string) []hostile {
	var out []hostile
	for _, q := range []string{"page=99999999999999999999", "page=10001", "page=-1", "page=0", "page=1e3", "page_size=1000",
		"page_size=-5", "page=1%3BDROP%20TABLE%20documents", "page=%3Cscript%3E", "validity=%E6%9C%89%E6%95%88'%20OR%20'1'='1",
		"status=open'--", "year=99999", "category=" + strings.Repeat("%E5%9F%8E", 101)} {
		if strings.HasPrefix(q, "validity") && !strings.Contains(path, "documents") ||
			strings.HasPrefix(q, "status") && !strings.Contains(path, "consultations") ||
			(strings.HasPrefix(q, "year") || strings.HasPrefix(q, "category")) && !strings.Contains(path, "documents") {
			continue
		}
		out = append(out, hostile{name: "query " + q, method: http.MethodGet, path: path + "?" + q, wantStatus: http.StatusBadRequest, wantCode: "invalid"})
	}
	return out
}

func bodyFor(method string) []byte {
	if method == http.MethodPost {
		return []byte(`{"text":"一条正常的意见内容"}`)
	}
	return nil
}

// TestHostileRequestsOnPublicEndpoints sends a table of hostile requests to every public endpoint
// (the route table's, so a new public endpoint is covered the day it is added): oversized bodies,
// invalid UTF-8, wrong content types, deep nesting, script tags, SQL fragments, huge page numbers
// and bad ids. Each gets a 4xx problem+json with a code and a Chinese message that does not echo
// markup, and no table changes.
func TestHostileRequestsOnPublicEndpoints(t *testing.T) {
	s := newStack(t)
	published, consultation := hostileFixture(t, s)
	fill := func(route string) string {
		id := published
		if strings.Contains(route, "consultations") {
			id = consultation
		}
		return strings.Replace(route, ":id", strconv.FormatInt(id, 10), 1)
	}
	var cases []hostile
	lists := []string{"/api/v1/public/documents", "/api/v1/public/consultations"}
	for _, r := range s.api.Routes() {
		if r.Permission != httpkit.PermPublic {
			continue
		}
		path := fill(r.Path)
		oversized := hostile{name: "oversized body", method: r.Method, path: path, contentType: "application/json",
			body: bytes.Repeat([]byte("x"), 65<<10+1), wantStatus: http.StatusRequestEntityTooLarge, wantCode: "too_large"}
		cases = append(cases, oversized)
		other := http.MethodPut
		cases = append(cases, hostile{name: "method " + other, method: other, path: path, wantStatus: http.StatusMethodNotAllowed, wantCode: "invalid"})
		if r.Method == http.MethodPost {
			cases = append(cases, jsonBattery(r.Method, path)...)
		}
		if strings.Contains(r.Path, ":id") {
			cases = append(cases, idBattery(r.Method, r.Path)...)
		}
		if r.Method == http.MethodGet && slices.Contains(lists, r.Path) {
			cases = append(cases, listBattery(r.Path)...)
		}
	}
	// Hostile but well-formed credentials: refused as wrong, not as an error of the server.
	for _, u := range []string{`admin' --`, `' OR '1'='1`, `<script>alert(1)</script>`, strings.Repeat("管", 5000)} {
		b, _ := json.Marshal(map[string]string{"username": u, "password": u})
		cases = append(cases, hostile{name: "login as " + u[:min(len(u), 20)], method: http.MethodPost, path: "/api/v1/session",
			contentType: "application/json", body: b})
	}

	// Well-formed JSON whose content is hostile, on the public request form (when this build has it).
	hasRequests := slices.ContainsFunc(s.api.Routes(), func(r httpapi.Route) bool { return r.Path == "/api/v1/public/requests" })
	application := func(field string, v any) []byte {
		a := map[string]any{"applicant_type": "natural", "name": "张三", "id_type": "居民身份证", "id_number": "11010519491231002X",
			"phone": "13800000000", "address": "河南省许昌市某路1号", "description": "请公开城市道路占用挖掘管理的有关文件。",
			"form": "纸质", "delivery": "邮寄"}
		if field != "" {
			a[field] = v
		}
		b, _ := json.Marshal(a)
		return b
	}
	if hasRequests {
		for _, c := range []struct {
			field string
			v     any
		}{
			{"id_number", "1' OR '1'='1"}, {"id_number", "11010519491231002Y"}, {"applicant_type", "<script>alert(1)</script>"},
			{"name", "张三\u0000"}, {"name", "张三\u0007"}, {"contact_person", "李\u202e四"}, {"name", strings.Repeat("名", 1000)}, {"description", ""},
			{"email", "<script>@x"}, {"delivery", "'; DROP TABLE requests; --"}, {"address", ""}, {"channel", "in_person"},
			{"phone", "1; DELETE FROM requests"}, {"form", strings.Repeat("纸", 100)},
		} {
			body := application(c.field, c.v)
			cases = append(cases, hostile{name: "application " + c.field, method: http.MethodPost, path: "/api/v1/public/requests",
				contentType: "application/json", body: body, wantStatus: http.StatusBadRequest, wantCode: "invalid"})
		}
		if st, b := s.do(http.MethodPost, "/api/v1/public/requests", "", application("", nil)); st != http.StatusCreated {
			t.Fatalf("a well-formed request: %d %s", st, b)
		}
	}

	cases = append(cases, edgeTextBattery(t, s)...)

	// A well-formed comment is accepted: the consultation really is open.
	if st, b := s.do(http.MethodPost, fmt.Sprintf("/api/v1/public/consultations/%d/comments", consultation), "",
		map[string]string{"text": "一条正常的意见内容"}); st != http.StatusCreated {
		t.Fatalf("a well-formed comment: %d %s", st, b)
	}
	for _, h := range cases {
		t.Run(h.method+" "+h.path+" "+h.name, func(t *testing.T) {
			before := s.rowCounts()
			status, hdr, body := s.sendRaw(h)
			if status < 400 || status >= 500 {
				t.Fatalf("status %d, want 4xx: %.300s", status, body)
			}
			if h.wantStatus != 0 && status != h.wantStatus {
				t.Errorf("status %d, want %d: %.300s", status, h.wantStatus, body)
			}
			if h.page {
				if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !hasHan(string(body)) {
					t.Errorf("not a Chinese page (%s): %.300s", ct, body)
				}
				if h.wantCode != "" && hdr.Get("X-Error-Code") != h.wantCode {
					t.Errorf("X-Error-Code %q, want %q", hdr.Get("X-Error-Code"), h.wantCode)
				}
				if after := s.rowCounts(); !mapsEqual(before, after) {
					t.Errorf("the database changed: %v → %v", before, after)
				}
				return
			}
			if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
				t.Errorf("content type %q, want application/problem+json", ct)
			}
			var p problem
			if err := json.Unmarshal(body, &p); err != nil || p.Code == "" || !hasHan(p.Detail) {
				t.Errorf("not a problem with a code and a Chinese message: %.300s", body)
			}
			if englishField.MatchString(p.Detail) {
				t.Errorf("message starts with an English name instead of the Chinese label: %q", p.Detail)
			}
			if h.wantCode != "" && p.Code != h.wantCode {
				t.Errorf("code %q, want %q: %.300s", p.Code, h.wantCode, body)
			}
			if bytes.Contains(bytes.ToLower(body), []byte("<script")) {
				t.Errorf("the answer echoes markup: %.300s", body)
			}
			if after := s.rowCounts(); !mapsEqual(before, after) {
				t.Errorf("the database changed: %v → %v", before, after)
			}
		})
	}

	// Well-formed but hostile searches are answered, find nothing they should not, and change nothing.
	before := s.rowCounts()
	for _, q := range []string{"q=%27%3B%20DROP%20TABLE%20documents%3B%20--", "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
		"category=%25", "category=_", "category=%5C"} {
		var out struct {
			Total int `json:"total"`
		}
		status, body := s.do(http.MethodGet, "/api/v1/public/documents?"+q, "", nil)
		if status != http.StatusOK || json.Unmarshal(body, &out) != nil {
			t.Errorf("search %s: %d %s", q, status, body)
			continue
		}
		if out.Total != 0 {
			t.Errorf("search %s matched %d documents: a wildcard or injection got through", q, out.Total)
		}
		if bytes.Contains(body, []byte("<script")) {
			t.Errorf("search %s echoes markup: %s", q, body)
		}
	}
	if after := s.rowCounts(); !mapsEqual(before, after) {
		t.Errorf("a search changed the database: %v → %v", before, after)
	}
}

// edgeTextBattery is text no input may carry (issue 18 item 4): a NUL or invalid UTF-8 in a path,
// query, form or JSON string, on public and staff endpoints and on pages. Each is refused at the
// edge with 400 and the code "invalid", before a handler or the database sees it.
func edgeTextBattery(t *testing.T, s *stack) []hostile {
	t.Helper()
	draft := s.create("drafter", map[string]any{"title": "不公开的草稿", "attribute": "不予公开"})
	bad := func(name, method, path, user, ct, body string) hostile {
		h := hostile{name: name, method: method, path: path, user: user, contentType: ct, wantStatus: http.StatusBadRequest, wantCode: "invalid"}
		if body != "" {
			h.body = []byte(body)
		}
		return h
	}
	page := func(h hostile) hostile { h.page = true; return h }
	submitted := s.fire("drafter", s.create("drafter", map[string]any{"title": "已提交的文件", "attribute": "主动公开"}), "submit", nil)
	many := map[string]string{}
	for i := range 3000 { // as many as fit under the test's 64 KB body limit
		many[fmt.Sprintf("k%d", i)] = "x"
	}
	manyBody, _ := json.Marshal(map[string]any{"version": submitted.Version, "input": many})
	withdraw := fmt.Sprintf("/api/v1/documents/%d/transitions/withdraw", submitted.ID)
	return []hostile{
		// Item 8: inputs the transition does not declare, or too long, never reach the audit log.
		bad("withdraw with 3,000 undeclared inputs", http.MethodPost, withdraw, "drafter", "application/json", string(manyBody)),
		bad("withdraw with an opinion it does not take", http.MethodPost, withdraw, "drafter", "application/json",
			fmt.Sprintf(`{"version":%d,"input":{"opinion":"撤回"}}`, submitted.Version)),
		bad("approve with an opinion over the limit", http.MethodPost, fmt.Sprintf("/api/v1/documents/%d/transitions/approve", submitted.ID),
			"unithead", "application/json", fmt.Sprintf(`{"version":%d,"input":{"opinion":"%s"}}`, submitted.Version, strings.Repeat("意", 2001))),
		// Item 12: bidirectional controls in single-line text.
		bad("title with U+202E", http.MethodPost, "/api/v1/documents", "drafter", "application/json",
			`{"title":"关于\u202egpj.exe的通知","attribute":"主动公开"}`),
		bad("title with U+2066", http.MethodPatch, fmt.Sprintf("/api/v1/documents/%d", draft.ID), "drafter", "application/json",
			fmt.Sprintf(`{"version":%d,"title":"通知\u2066"}`, draft.Version)),
		bad("title with U+200F", http.MethodPost, "/api/v1/documents", "drafter", "application/json",
			`{"title":"通知\u200f","attribute":"主动公开"}`),
		page(bad("portal category NUL", http.MethodGet, "/?category=a%00b", "", "", "")),
		page(bad("portal path invalid UTF-8", http.MethodGet, "/documents/%ff", "", "", "")),
		page(bad("console login form NUL", http.MethodPost, "/console/login", "", "application/x-www-form-urlencoded", "username=a%00b&password=x")),
		page(bad("console login form invalid UTF-8", http.MethodPost, "/console/login", "", "application/x-www-form-urlencoded", "username=%ff&password=x")),
		bad("public list category invalid UTF-8", http.MethodGet, "/api/v1/public/documents?category=%ff", "", "", ""),
		bad("public list category NUL", http.MethodGet, "/api/v1/public/documents?category=a%00b", "", "", ""),
		bad("query name NUL", http.MethodGet, "/api/v1/public/documents?a%00=1", "", "", ""),
		bad("public detail path NUL", http.MethodGet, "/api/v1/public/documents/1%00", "", "", ""),
		bad("login username NUL", http.MethodPost, "/api/v1/session", "", "application/json", `{"username":"a\u0000b","password":"x"}`),
		bad("request status NUL", http.MethodPost, "/api/v1/public/requests/status", "", "application/json", `{"receipt_no":"a\u0000","contact":"13800000000"}`),
		bad("staff list state NUL", http.MethodGet, "/api/v1/documents?state=%00", "officer", "", ""),
		bad("staff list state invalid UTF-8", http.MethodGet, "/api/v1/documents?state=%ff", "officer", "", ""),
		bad("grounds NUL", http.MethodPatch, fmt.Sprintf("/api/v1/documents/%d", draft.ID), "drafter", "application/json",
			fmt.Sprintf(`{"version":%d,"grounds":["a\u0000"]}`, draft.Version)),
		bad("report section NUL", http.MethodPut, "/api/v1/reports/2026/inputs", "officer", "application/json",
			`{"version":0,"sections":{"overview":"概述\u0000"}}`),
		bad("report section name NUL", http.MethodPut, "/api/v1/reports/2026/inputs", "officer", "application/json",
			`{"version":0,"sections":{"a\u0000":"概述"}}`),
		bad("transition input NUL", http.MethodPost, fmt.Sprintf("/api/v1/documents/%d/transitions/submit", draft.ID), "drafter",
			"application/json", fmt.Sprintf(`{"version":%d,"input":{"opinion":"a\u0000"}}`, draft.Version)),
	}
}

// englishField matches a message that begins with a field's identifier ("name含有…") instead of
// its Chinese label.
var englishField = regexp.MustCompile(`^[a-z_]+[^\x00-\x7f]`)

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
