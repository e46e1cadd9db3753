package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
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
