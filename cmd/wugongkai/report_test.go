package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"wugongkai/internal/postgres"
)

// TestReportAnnual: `report annual` builds a year's report from the database in the format of the
// year, writes it as JSON that `report check` passes, and refuses a year without a format.
func TestReportAnnual(t *testing.T) {
	env, _ := testEnv(t, nil)
	dir := t.TempDir()
	for year, format := range map[string]string{"2020": `"format": "2019"`, "2025": `"format": "2021"`} {
		out := filepath.Join(dir, year+".json")
		if _, err := cli(t, env, "", "report", "annual", "--year", year, "--format", "json", "--out", out); err != nil {
			t.Fatalf("report annual %s: %v", year, err)
		}
		b, err := os.ReadFile(out)
		if err != nil || !strings.Contains(string(b), format) || !strings.Contains(string(b), `"year": `+year) {
			t.Fatalf("report %s: %v\n%.300s", year, err, b)
		}
		if got, err := cli(t, env, "", "report", "check", out); err != nil || !strings.HasPrefix(got, "ok:") {
			t.Fatalf("report check %s: %v\n%s", year, err, got)
		}
	}
	html, err := cli(t, env, "", "report", "annual", "--year", "2025")
	if err != nil || !strings.Contains(html, "2025年政府信息公开工作年度报告") || !strings.Contains(html, "结转下年度继续办理") {
		t.Fatalf("html: %v\n%.300s", err, html)
	}
	for _, args := range [][]string{{"--year", "2018"}, {"--year", "2025", "--format", "pdf"}, {}} {
		if _, err := cli(t, env, "", append([]string{"report", "annual"}, args...)...); err == nil {
			t.Errorf("report annual %v succeeded", args)
		}
	}
}

// TestReportCheckAndRenderFiles: `report render` writes XLSX and CSV that `report render` and
// `report check` read back; `report check DIR` checks every report and prints a summary table,
// failing when one fails; a 2021 report with the single 三(六) row and printed labels passes.
func TestReportCheckAndRenderFiles(t *testing.T) {
	env := func(string) string { return "" }
	testdata := filepath.Join("..", "..", "internal", "report", "testdata")
	dir := t.TempDir()
	seed := filepath.Join(testdata, "seed2020.json")
	for _, format := range []string{"xlsx", "csv"} {
		out := filepath.Join(dir, "seed."+format)
		if _, err := cli(t, env, "", "report", "render", seed, "--format", format, "--out", out); err != nil {
			t.Fatalf("render %s: %v", format, err)
		}
		back, err := cli(t, env, "", "report", "render", out, "--format", "json")
		if err != nil {
			t.Fatalf("render %s as json: %v", format, err)
		}
		if !strings.Contains(back, `"org": "许昌市住房和城乡建设局"`) || !strings.Contains(back, `{"key": "三(一)", "label": "予以公开", "values": [18, 5, 0, 0, 3, 0, 26]}`) {
			t.Errorf("%s read back as:\n%.600s", format, back)
		}
	}
	got, err := cli(t, env, "", "report", "check", filepath.Join(testdata, "printed2021.json"))
	if err != nil || !strings.Contains(got, "ok: ") || !strings.Contains(got, "（2022年，2021（三(六)单行）格式）") || !strings.Contains(got, "警告：表三 三(四)1行") {
		t.Errorf("check printed2021.json: %v\n%s", err, got)
	}
	for _, name := range []string{"printed2021.json", "broken.json"} {
		b, err := os.ReadFile(filepath.Join(testdata, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err = cli(t, env, "", "report", "check", dir)
	if err == nil || !strings.Contains(err.Error(), "4 份报告中有 1 份未通过核对") {
		t.Errorf("check DIR: err %v", err)
	}
	lines := strings.Split(strings.TrimSpace(got), "\n")
	summary := lines[len(lines)-5:]
	want := [][]string{
		{"文件", "机关", "年度", "格式", "通过", "失败"},
		{filepath.Join(dir, "broken.json"), "测试局", "2021", "2021", "否", "7"},
		{filepath.Join(dir, "printed2021.json"), "—", "2022", "2021（三(六)单行）", "是", "0"},
		{filepath.Join(dir, "seed.csv"), "许昌市住房和城乡建设局", "2020", "2019", "是", "0"},
		{filepath.Join(dir, "seed.xlsx"), "许昌市住房和城乡建设局", "2020", "2019", "是", "0"},
	}
	for i, w := range want {
		if f := strings.Fields(summary[i]); !slices.Equal(f, w) {
			t.Errorf("summary line %d: %q, want %v", i, summary[i], w)
		}
	}
	if !strings.Contains(got, filepath.Join(dir, "broken.json")+": 表三 三(一)行：总计列（10）≠ 六类申请人之和") {
		t.Errorf("check DIR does not show broken.json's failures:\n%s", got)
	}
	if _, err := cli(t, env, "", "report", "check", dir, "--previous", seed); err == nil {
		t.Error("--previous with several reports succeeded")
	}
}

// TestReportCity: `report city` checks every agency's report of the year and adds Tables 三 and 四
// up across the agencies, as html, csv or json; a year without a format or an unknown format is
// refused.
func TestReportCity(t *testing.T) {
	env, dsn := testEnv(t, map[string]string{"WUGONGKAI_CITY_NAME": "测试市"})
	if _, err := cli(t, env, "", "migrate", "up"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := postgres.Open(ctx, dsn, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i, org := range [][2]string{{"11411000MB1234567X", "测试市住房和城乡建设局"}, {"11411000MB7654321Y", "测试市发展和改革委员会"}} {
		id, err := postgres.EnsureOrg(ctx, db, org[0], org[1])
		if err != nil {
			t.Fatal(err)
		}
		stores := postgres.NewStores(db, id, nil)
		err = stores.Orgs.EnsureUnit(ctx, "bangongshi", "办公室")
		stores.Close()
		if err != nil {
			t.Fatal(err)
		}
		const q = `INSERT INTO requests (org_id, definition, definition_version, unit_code, state, receipt_no, title, channel,
			received_on, applicant_type, applicant_name, id_type, id_number, description, info_form, delivery)
			VALUES ($1, 'request', 1, 'bangongshi', 'received', $2, 't', 'online', '2025-03-02', 'commercial', '某公司', '其他', 'X1', 'd', '纸质', '邮寄')`
		if _, err := db.ExecContext(ctx, q, id, fmt.Sprintf("YSQ-2025-%05d", i+1)); err != nil {
			t.Fatal(err)
		}
	}
	out, err := cli(t, env, "", "report", "city", "--year", "2025", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"title": "测试市2025年政府信息公开工作年度报告汇总"`, `"name": "测试市发展和改革委员会"`,
		`"name": "测试市住房和城乡建设局"`, `"passed": true`} {
		if !strings.Contains(out, want) {
			t.Errorf("json lacks %s:\n%.800s", want, out)
		}
	}
	var rep struct {
		Requests struct {
			Rows []struct {
				Key    string
				Values []int
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Requests.Rows[0].Key != "一" ||
		!slices.Equal(rep.Requests.Rows[0].Values, []int{0, 2, 0, 0, 0, 0, 2}) {
		t.Errorf("表三 一: %+v, %v", rep.Requests.Rows[:1], err)
	}
	for _, format := range []string{"html", "csv"} {
		if out, err := cli(t, env, "", "report", "city", "--year", "2025", "--format", format); err != nil || !strings.Contains(out, "测试市发展和改革委员会") {
			t.Errorf("%s: %v\n%.300s", format, err, out)
		}
	}
	for _, args := range [][]string{{"--year", "2018"}, {"--year", "2025", "--format", "xlsx"}, {}} {
		if _, err := cli(t, env, "", append([]string{"report", "city"}, args...)...); err == nil {
			t.Errorf("report city %v succeeded", args)
		}
	}
}
