package main

import (
	"os"
	"path/filepath"
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
