package httpapi_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"wugongkai/internal/httpapi"
	"wugongkai/internal/postgres"
	"wugongkai/policy"
	"wugongkai/workflow"
	"wugongkai/workflow/accounts"
)

type accountView struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	Disabled bool   `json:"disabled"`
	Sessions int    `json:"sessions"`
	Roles    []struct {
		Role string `json:"role"`
		Unit string `json:"unit"`
	} `json:"roles"`
}

// login signs user in and keeps the token under the user's name.
func (s *stack) login(user, password string) {
	s.t.Helper()
	var out struct {
		Token string `json:"token"`
	}
	s.mustDo(http.MethodPost, "/api/v1/session", "", map[string]string{"username": user, "password": password}, http.StatusCreated, &out)
	s.tokens[user] = out.Token
}

// secondNode serves the same organisation's API from the same database, as another node does:
// its own enforcer and session use case, nothing shared in memory with s.
func (s *stack) secondNode(t *testing.T) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	stores := postgres.NewStores(s.db, s.store.Org(), nil)
	t.Cleanup(stores.Close)
	enf, err := policy.New(ctx, stores.Accounts)
	if err != nil {
		t.Fatal(err)
	}
	api := httpapi.New(httpapi.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	httpapi.Mount(api, &httpapi.API{Accounts: &accounts.Accounts{Store: stores.Accounts, TTL: time.Hour}, Docs: s.bureau.Documents(nil),
		Authz: enf, Inbox: stores.Outbox})
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return srv
}

func statusOn(t *testing.T, srv *httptest.Server, method, path, token string) int {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestAdminAddsUserWhoActsAtOnce: an account the admin adds with a role can sign in and act at
// once; a role granted or revoked counts on the user's next request, with no restart or wait.
func TestAdminAddsUserWhoActsAtOnce(t *testing.T) {
	s := newStack(t)
	var acc accountView
	s.mustDo(http.MethodPost, "/api/v1/admin/users", "admin", map[string]any{"username": "Zhao", "name": "赵新人", "password": testPassword,
		"roles": []map[string]string{{"role": "drafter", "unit": "chengjian"}}}, http.StatusCreated, &acc)
	if acc.Username != "zhao" || len(acc.Roles) != 1 || acc.Roles[0].Unit != "chengjian" {
		t.Fatalf("added %+v", acc)
	}
	s.login("zhao", testPassword)
	doc := s.create("zhao", map[string]any{"title": "新同事的草稿", "attribute": "主动公开"})
	s.fire("zhao", doc, "submit", nil)

	// Not yet 科室负责人 of 城建科: the unit head's list is refused, then allowed once granted.
	s.mustDo(http.MethodPost, pathf("/api/v1/admin/users/%d/roles", acc.ID), "admin", map[string]string{"role": "leader"}, http.StatusOK, &acc)
	if len(acc.Roles) != 2 || acc.Roles[0].Role != "drafter" || acc.Roles[1].Role != "leader" || acc.Roles[1].Unit != "*" {
		t.Fatalf("a bureau-wide role is held in *: %+v", acc.Roles)
	}
	second := s.create("drafter", map[string]any{"title": "签发检查", "attribute": "主动公开"})
	second = s.fire("drafter", second, "submit", nil)
	second = s.fire("unithead", second, "approve", nil)
	s.fire("zhao", second, "sign", nil) // the new leader signs at once

	// Revoked: the next request is refused.
	s.mustDo(http.MethodDelete, pathf("/api/v1/admin/users/%d/roles?role=drafter&unit=chengjian", acc.ID), "admin", nil, http.StatusOK, &acc)
	s.mustFail(http.MethodPost, "/api/v1/documents", "zhao", map[string]any{"title": "不再能起草", "attribute": "主动公开"}, http.StatusForbidden, "forbidden")

	// Every change is in the admin log, with the roles before and after.
	var log struct {
		Events []struct {
			Action    string            `json:"action"`
			ActorName string            `json:"actor_name"`
			Data      map[string]string `json:"data"`
		} `json:"events"`
	}
	s.mustDo(http.MethodGet, "/api/v1/admin/log", "admin", nil, http.StatusOK, &log)
	var actions []string
	for _, e := range log.Events {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, " "); got != "role_revoke role_grant user_add" {
		t.Fatalf("admin log %q", got)
	}
	if e := log.Events[0]; e.ActorName != "管理员" || e.Data["before"] != "drafter@chengjian leader@*" || e.Data["after"] != "leader@*" {
		t.Fatalf("revoke event %+v", e)
	}
}

// TestAdminRefusesBadAccounts: each bad input is a 4xx with a Chinese message, and nothing is
// written; only the admin may manage accounts.
func TestAdminRefusesBadAccounts(t *testing.T) {
	s := newStack(t)
	add := func(username, password, role, unit string) map[string]any {
		return map[string]any{"username": username, "name": "某某", "password": password, "roles": []map[string]string{{"role": role, "unit": unit}}}
	}
	for _, c := range []struct {
		name   string
		body   map[string]any
		status int
		code   string
		field  string
	}{
		{"duplicate user name", add("Drafter", testPassword, "drafter", "chengjian"), http.StatusConflict, "conflict", "username"},
		{"weak password", add("qian", "12345678", "drafter", "chengjian"), http.StatusBadRequest, "invalid", "password"},
		{"common password", add("qian", "password123", "drafter", "chengjian"), http.StatusBadRequest, "invalid", "password"},
		{"unknown unit", add("qian", testPassword, "drafter", "nosuchunit"), http.StatusBadRequest, "invalid", "unit"},
		{"unknown role", add("qian", testPassword, "janitor", "chengjian"), http.StatusBadRequest, "invalid", "role"},
		{"unit role without unit", add("qian", testPassword, "drafter", ""), http.StatusBadRequest, "invalid", "unit"},
		{"bad user name", add("钱 某", testPassword, "drafter", "chengjian"), http.StatusBadRequest, "invalid", "username"},
		{"no role", map[string]any{"username": "qian", "name": "钱", "password": testPassword}, http.StatusBadRequest, "invalid", "role"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := s.mustFail(http.MethodPost, "/api/v1/admin/users", "admin", c.body, c.status, c.code)
			if p.Field != c.field {
				t.Errorf("field %q, want %q: %s", p.Field, c.field, p.Detail)
			}
		})
	}
	var list struct {
		Users []accountView `json:"users"`
	}
	s.mustDo(http.MethodGet, "/api/v1/admin/users", "admin", nil, http.StatusOK, &list)
	if len(list.Users) != len(testUsers) {
		t.Fatalf("%d accounts after refusals, want %d", len(list.Users), len(testUsers))
	}
	var log struct {
		Events []any `json:"events"`
	}
	s.mustDo(http.MethodGet, "/api/v1/admin/log", "admin", nil, http.StatusOK, &log)
	if len(log.Events) != 0 {
		t.Fatalf("refusals were audited: %v", log.Events)
	}
	for _, who := range []string{"drafter", "officer", "leader"} {
		s.mustFail(http.MethodPost, "/api/v1/admin/users", who, add("sun", testPassword, "drafter", "chengjian"), http.StatusForbidden, "forbidden")
		s.mustFail(http.MethodGet, "/api/v1/admin/users", who, nil, http.StatusForbidden, "forbidden")
		s.mustFail(http.MethodGet, "/api/v1/admin/audit", who, nil, http.StatusForbidden, "forbidden")
	}
	// Units: add, rename, a taken code and a bad one.
	s.mustDo(http.MethodPost, "/api/v1/admin/units", "admin", map[string]string{"code": "jianguan", "name": "监管科"}, http.StatusCreated, nil)
	s.mustFail(http.MethodPost, "/api/v1/admin/units", "admin", map[string]string{"code": "jianguan", "name": "又一个"}, http.StatusConflict, "conflict")
	s.mustFail(http.MethodPost, "/api/v1/admin/units", "admin", map[string]string{"code": "监管", "name": "监管科"}, http.StatusBadRequest, "invalid")
	s.mustDo(http.MethodPatch, "/api/v1/admin/units/jianguan", "admin", map[string]string{"name": "质量安全监管科"}, http.StatusOK, nil)
	s.mustFail(http.MethodPatch, "/api/v1/admin/units/nosuch", "admin", map[string]string{"name": "无"}, http.StatusNotFound, "not_found")
	s.mustDo(http.MethodGet, "/api/v1/admin/log", "admin", nil, http.StatusOK, &log)
	if len(log.Events) != 2 {
		t.Fatalf("unit changes audited as %v", log.Events)
	}
}

// TestDisablingEndsSessionsOnEveryNode: a disabled user's open sessions end at once, on this node
// and on another serving the same database; a password reset and "end sessions" end them too.
func TestDisablingEndsSessionsOnEveryNode(t *testing.T) {
	s := newStack(t)
	other := s.secondNode(t)
	drafter := s.bureau.Actor(t, "drafter")
	token := s.tokens["drafter"]
	if st := statusOn(t, other, http.MethodGet, "/api/v1/documents", token); st != http.StatusOK {
		t.Fatalf("the other node answers %d before", st)
	}
	var acc accountView
	s.mustDo(http.MethodPatch, pathf("/api/v1/admin/users/%d", drafter.UserID), "admin", map[string]bool{"disabled": true}, http.StatusOK, &acc)
	if !acc.Disabled || acc.Sessions != 0 {
		t.Fatalf("disabled account %+v", acc)
	}
	if st := statusOn(t, other, http.MethodGet, "/api/v1/documents", token); st != http.StatusUnauthorized {
		t.Fatalf("the other node answers %d after disabling, want 401", st)
	}
	s.mustFail(http.MethodGet, "/api/v1/documents", "drafter", nil, http.StatusUnauthorized, "unauthenticated")
	s.mustFail(http.MethodPost, "/api/v1/session", "", map[string]string{"username": "drafter", "password": testPassword}, http.StatusUnauthorized, "unauthenticated")
	s.mustFail(http.MethodPatch, pathf("/api/v1/admin/users/%d", drafter.UserID), "admin", map[string]bool{"disabled": true}, http.StatusConflict, "conflict")
	admin := s.bureau.Actor(t, "admin")
	s.mustFail(http.MethodPatch, pathf("/api/v1/admin/users/%d", admin.UserID), "admin", map[string]bool{"disabled": true}, http.StatusBadRequest, "invalid")

	s.mustDo(http.MethodPatch, pathf("/api/v1/admin/users/%d", drafter.UserID), "admin", map[string]bool{"disabled": false}, http.StatusOK, &acc)
	s.login("drafter", testPassword)

	// A password reset ends the sessions; the new password signs in.
	s.mustFail(http.MethodPut, pathf("/api/v1/admin/users/%d/password", drafter.UserID), "admin", map[string]string{"password": "aaaaaaaa"}, http.StatusBadRequest, "invalid")
	var ended struct {
		N int `json:"sessions_ended"`
	}
	s.mustDo(http.MethodPut, pathf("/api/v1/admin/users/%d/password", drafter.UserID), "admin", map[string]string{"password": "a new long secret"}, http.StatusOK, &ended)
	if ended.N != 1 {
		t.Fatalf("%d sessions ended by the reset, want 1", ended.N)
	}
	s.mustFail(http.MethodGet, "/api/v1/documents", "drafter", nil, http.StatusUnauthorized, "unauthenticated")
	s.login("drafter", "a new long secret")
	s.mustDo(http.MethodDelete, pathf("/api/v1/admin/users/%d/sessions", drafter.UserID), "admin", nil, http.StatusOK, &ended)
	if ended.N != 1 {
		t.Fatalf("%d sessions ended, want 1", ended.N)
	}
	s.mustFail(http.MethodGet, "/api/v1/documents", "drafter", nil, http.StatusUnauthorized, "unauthenticated")

	var log struct {
		Events []struct {
			Action string            `json:"action"`
			Data   map[string]string `json:"data"`
		} `json:"events"`
	}
	s.mustDo(http.MethodGet, "/api/v1/admin/log", "admin", nil, http.StatusOK, &log)
	var actions []string
	for _, e := range log.Events {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, " "); got != "user_sessions_end user_password user_enable user_disable" {
		t.Fatalf("admin log %q", got)
	}
	if d := log.Events[3].Data; d["before"] != "启用" || d["after"] != "停用" || d["sessions_ended"] != "1" {
		t.Fatalf("disable event %v", d)
	}
	var verified struct {
		OK      bool  `json:"ok"`
		Checked int   `json:"checked"`
		Probs   []any `json:"problems"`
	}
	s.mustDo(http.MethodGet, "/api/v1/admin/audit", "admin", nil, http.StatusOK, &verified)
	if !verified.OK || verified.Checked < 4 {
		t.Fatalf("audit verification %+v", verified)
	}
}

// TestCalendarUpload: a new year is put in force at once and counts deadlines from then on; a
// year in force is replaced only once confirmed, the first answer listing the differences and
// changing nothing; a bad file is refused with file:line messages.
func TestCalendarUpload(t *testing.T) {
	s := newStack(t)
	upload := func(yaml string, confirm bool) map[string]any {
		return map[string]any{"file": "2026.yaml", "yaml": yaml, "confirm": confirm}
	}
	y2026 := `year: 2026
source: 国务院办公厅关于2026年部分节假日安排的通知（更正）
holidays:
  - {name: 元旦, from: 2026-01-01, to: 2026-01-03}
  - {name: 国庆节, from: 2026-10-01, to: 2026-10-08}
workdays:
  - {date: 2026-10-10, name: 国庆节调休上班}
`
	p := s.mustFail(http.MethodPost, "/api/v1/admin/calendars", "admin", upload(y2026, false), http.StatusConflict, "conflict")
	diff, _ := p.Details["differences"].(map[string]any)
	if p.Details["reason"] != "confirm_replace" || diff == nil {
		t.Fatalf("no differences: %+v", p)
	}
	added, _ := diff["holidays_added"].([]any)
	removed, _ := diff["holidays_removed"].([]any)
	if len(added) != 1 || added[0].(map[string]any)["date"] != "2026-10-08" || len(removed) == 0 {
		t.Fatalf("differences %v", diff)
	}
	if day := s.bureau.Engine.Calendar(); func() bool { w, _ := day.IsWorkingDay(mustDate(t, "2026-10-08")); return !w }() {
		t.Fatal("the unconfirmed upload changed the calendar")
	}
	var done struct {
		Replaced  bool `json:"replaced"`
		Recounted int  `json:"deadlines_recounted"`
	}
	s.mustDo(http.MethodPost, "/api/v1/admin/calendars", "admin", upload(y2026, true), http.StatusOK, &done)
	if !done.Replaced {
		t.Fatalf("answer %+v", done)
	}
	if w, _ := s.bureau.Engine.Calendar().IsWorkingDay(mustDate(t, "2026-10-08")); w {
		t.Fatal("2026-10-08 is still a working day after the confirmed upload")
	}
	var years struct {
		Years []struct {
			Year     int  `json:"year"`
			Uploaded bool `json:"uploaded"`
			Holidays []struct {
				Date string `json:"date"`
			} `json:"holidays"`
		} `json:"years"`
	}
	s.mustDo(http.MethodGet, "/api/v1/admin/calendars", "admin", nil, http.StatusOK, &years)
	if len(years.Years) < 2 || years.Years[0].Year != 2026 || !years.Years[0].Uploaded || len(years.Years[0].Holidays) != 11 || years.Years[1].Uploaded {
		t.Fatalf("years in force %+v", years)
	}
	bad := "year: 2027\nsource: x\nholidays:\n  - {name: 春节, from: 2027-02-10, to: 2027-02-01}\n"
	p = s.mustFail(http.MethodPost, "/api/v1/admin/calendars", "admin", map[string]any{"file": "2027.yaml", "yaml": bad}, http.StatusBadRequest, "invalid")
	problems, _ := p.Details["problems"].([]any)
	if len(problems) == 0 || !strings.HasPrefix(problems[0].(string), "2027.yaml:4:") {
		t.Fatalf("problems %v", p.Details)
	}
	s.mustFail(http.MethodPost, "/api/v1/admin/calendars", "officer", upload(y2026, true), http.StatusForbidden, "forbidden")
	var log struct {
		Events []struct {
			Action string            `json:"action"`
			Data   map[string]string `json:"data"`
		} `json:"events"`
	}
	s.mustDo(http.MethodGet, "/api/v1/admin/log", "admin", nil, http.StatusOK, &log)
	if len(log.Events) != 1 || log.Events[0].Action != "calendar_upload" || !strings.Contains(log.Events[0].Data["holidays_added"], "2026-10-08") {
		t.Fatalf("admin log %+v", log.Events)
	}
}

func mustDate(t *testing.T, s string) workflow.Date {
	t.Helper()
	d, err := workflow.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
