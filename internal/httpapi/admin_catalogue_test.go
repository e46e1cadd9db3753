package httpapi_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"wugongkai/workflow/catalogue"
)

// importFiles posts catalogue files (name → content) to the import route as user.
func (s *stack) importFiles(user string, files map[string][]byte) (int, []byte) {
	s.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for name, data := range files {
		w, err := mw.CreateFormFile("file", name)
		if err != nil {
			s.t.Fatal(err)
		}
		w.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/api/v1/admin/catalogue", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, b := s.send(req, user)
	return resp.StatusCode, b
}

// catalogueXLSX is a spreadsheet of the given rows under the catalogue's column names.
func catalogueXLSX(t *testing.T, rows ...[]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i, r := range append([][]string{catalogue.XLSXColumns}, rows...) {
		cells := make([]any, len(r))
		for j, v := range r {
			cells[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const newItemYAML = `area: 通用事项
items:
  - code: TY-99
    level1: 机构信息
    level2: 领导信息
    content: [领导姓名, 职务, 分工]
    basis: [《中华人民共和国政府信息公开条例》第二十条]
    time_limit: 信息形成或者变更之日起20个工作日内
    subject: 本机关办公室
    channels: [政府网站]
    audience: 全社会
    mode: 主动
    category: 管理
`

// TestAdminCatalogue: the admin imports items from YAML and XLSX (checked whole, file:line
// messages, nothing written on any problem), edits an item into a new version and retires one,
// which leaves the public catalogue but stays readable; each change is audited; only the admin may.
func TestAdminCatalogue(t *testing.T) {
	s := newStack(t)
	var res struct {
		Added, Changed, Retired []string
		Unchanged               int
	}
	// A bad YAML file and a good one: refused whole, with file:line.
	bad := strings.Replace(newItemYAML, "category: 管理", "category: 宣传", 1)
	bad = strings.Replace(bad, "TY-99", "TY-98", 1)
	status, body := s.importFiles("admin", map[string][]byte{"good.yaml": []byte(newItemYAML), "bad.yaml": []byte(bad)})
	if status != http.StatusBadRequest || !strings.Contains(string(body), "bad.yaml:13: 事项 TY-98 的五公开类别“宣传”不是 决策、执行、管理、服务、结果 之一") {
		t.Fatalf("bad import: %d %s", status, body)
	}
	var items struct {
		Items []struct {
			Code    string `json:"code"`
			Version int    `json:"version"`
		} `json:"items"`
	}
	s.mustDo(http.MethodGet, "/api/v1/admin/catalogue", "admin", nil, http.StatusOK, &items)
	before := len(items.Items)
	for _, it := range items.Items {
		if it.Code == "TY-99" {
			t.Fatal("a refused import wrote an item")
		}
	}

	status, body = s.importFiles("admin", map[string][]byte{"good.yaml": []byte(newItemYAML)})
	if status != http.StatusOK {
		t.Fatalf("import: %d %s", status, body)
	}
	// XLSX: one item, one row; a bad row names its row.
	row := []string{"TY-97", "通用事项", "机构信息", "联系方式", "办公电话\n办公地址", "《中华人民共和国政府信息公开条例》", "3个工作日内", "本机关办公室", "政府网站；公开查阅点", "全社会", "主动", "管理"}
	badRow := append([]string(nil), row...)
	badRow[0], badRow[6] = "TY-96", "尽快"
	status, body = s.importFiles("admin", map[string][]byte{"目录.xlsx": catalogueXLSX(t, row, badRow)})
	if status != http.StatusBadRequest || !strings.Contains(string(body), "目录.xlsx:3: 事项 TY-96") {
		t.Fatalf("bad xlsx: %d %s", status, body)
	}
	status, body = s.importFiles("admin", map[string][]byte{"目录.xlsx": catalogueXLSX(t, row)})
	if status != http.StatusOK || !strings.Contains(string(body), `"added":["TY-97"]`) {
		t.Fatalf("xlsx import: %d %s", status, body)
	}
	s.mustDo(http.MethodGet, "/api/v1/admin/catalogue", "admin", nil, http.StatusOK, &items)
	if len(items.Items) != before+2 {
		t.Fatalf("%d items after importing two, want %d", len(items.Items), before+2)
	}

	// Edit: a new version; a bad time limit is refused.
	form := map[string]any{"area": "通用事项", "level1": "机构信息", "level2": "领导信息", "content": []string{"领导姓名", "职务", "分工", "照片"},
		"basis": []string{"《中华人民共和国政府信息公开条例》第二十条"}, "time_limit": "信息形成或者变更之日起20个工作日内", "subject": "本机关办公室",
		"channels": []string{"政府网站"}, "audience": "全社会", "mode": "主动", "category": "管理"}
	var edited struct {
		Version int      `json:"version"`
		Content []string `json:"content"`
	}
	s.mustDo(http.MethodPut, "/api/v1/admin/catalogue/items/TY-99", "admin", form, http.StatusOK, &edited)
	if edited.Version != 2 || len(edited.Content) != 4 {
		t.Fatalf("edited %+v", edited)
	}
	form["time_limit"] = "尽快"
	s.mustFail(http.MethodPut, "/api/v1/admin/catalogue/items/TY-99", "admin", form, http.StatusBadRequest, "invalid")
	s.mustFail(http.MethodPut, "/api/v1/admin/catalogue/items/NOPE", "admin", form, http.StatusNotFound, "not_found")

	// Retire: out of the public catalogue, still readable at every version.
	s.mustDo(http.MethodDelete, "/api/v1/admin/catalogue/items/TY-99", "admin", nil, http.StatusOK, &res)
	if strings.Join(res.Retired, " ") != "TY-99" {
		t.Fatalf("retired %+v", res)
	}
	s.mustFail(http.MethodDelete, "/api/v1/admin/catalogue/items/TY-99", "admin", nil, http.StatusConflict, "conflict")
	_, pub := s.do(http.MethodGet, "/api/v1/public/catalogue", "", nil)
	if strings.Contains(string(pub), "TY-99") || !strings.Contains(string(pub), "TY-97") {
		t.Fatal("the public catalogue still lists the retired item, or not the imported one")
	}
	for _, v := range []int{1, 2} {
		if it, err := s.bureau.CatalogueAdmin().Store.CatalogueItem(t.Context(), "TY-99", v); err != nil || !it.Retired() || it.Version != v {
			t.Fatalf("retired item version %d: %+v %v", v, it, err)
		}
	}

	for _, who := range []string{"drafter", "officer"} {
		s.mustFail(http.MethodDelete, "/api/v1/admin/catalogue/items/TY-97", who, nil, http.StatusForbidden, "forbidden")
		if status, _ := s.importFiles(who, map[string][]byte{"good.yaml": []byte(newItemYAML)}); status != http.StatusForbidden {
			t.Fatalf("%s imported: %d", who, status)
		}
	}
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
	if got := strings.Join(actions, " "); got != "catalogue_retire catalogue_edit catalogue_import catalogue_import" {
		t.Fatalf("admin log %q", got)
	}
	if d := log.Events[1].Data; d["changed"] != "TY-99" || d["version_before"] != "1" || d["version_after"] != "2" {
		t.Fatalf("edit event %v", d)
	}
}
