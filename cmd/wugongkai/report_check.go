package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"wugongkai/internal/report"
)

// reportExtensions are the files `report check DIR` checks.
var reportExtensions = []string{".json", ".xlsx", ".csv"}

func reportCheckCmd(g *globals) *cobra.Command {
	var previous string
	check := &cobra.Command{
		Use:   "check FILE|DIR...",
		Short: "check reports given as JSON, XLSX or CSV: every reading problem and failed equation, each with its cell",
		Long: "Reads each report (JSON, or the XLSX or CSV that `report render` writes; a directory stands for its\n" +
			".json, .xlsx and .csv files) leniently: rows by key or position, printed labels with their numbering,\n" +
			"a 2021 report with the single 三(六) row of the 2019 layout; a label that differs from the official one\n" +
			"is a warning. Then checks Table 三 (per column 一+二 = 三(七)+四, the 总计 column is the sum of the six\n" +
			"applicant columns, 三(七) is the sum of the outcome rows) and Table 四 (each 总计 is the sum of its four\n" +
			"cells); with --previous (one report only), also that this year's 二 equals last year's 四. Prints every\n" +
			"problem of every file, then for several files a summary table. Exits non-zero when any file fails.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			files, err := reportFiles(args)
			if err != nil {
				return err
			}
			var prev *report.Report
			if previous != "" {
				if len(files) != 1 {
					return errors.New("--previous 只能与一份报告一起使用")
				}
				if prev, err = readReport(g, previous); err != nil {
					return err
				}
			}
			var exams []report.Examination
			for _, path := range files {
				data, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				e := report.Examine(path, data, prev)
				exams = append(exams, e)
				printExamination(g.stdout, e, len(files) > 1)
			}
			failed := 0
			for _, e := range exams {
				if !e.Passed() {
					failed++
				}
			}
			if len(files) > 1 {
				fmt.Fprintln(g.stdout)
				printSummary(g.stdout, exams)
			}
			switch {
			case failed > 0 && len(files) == 1:
				return fmt.Errorf("%s：%d 项有误或未通过核对", files[0], exams[0].Errors())
			case failed > 0:
				return fmt.Errorf("%d 份报告中有 %d 份未通过核对", len(files), failed)
			}
			return nil
		},
	}
	check.Flags().StringVar(&previous, "previous", "", "last year's report (JSON, XLSX or CSV), to check the carry-over (结转)")
	return check
}

// reportFiles expands the arguments of `report check`: a directory stands for its report files
// in name order.
func reportFiles(args []string) ([]string, error) {
	var files []string
	for _, arg := range args {
		info, err := os.Stat(arg)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, arg)
			continue
		}
		entries, err := os.ReadDir(arg)
		if err != nil {
			return nil, err
		}
		n := len(files)
		for _, e := range entries {
			if !e.IsDir() && slices.Contains(reportExtensions, strings.ToLower(filepath.Ext(e.Name()))) {
				files = append(files, filepath.Join(arg, e.Name()))
			}
		}
		if len(files) == n {
			return nil, fmt.Errorf("%s: 目录中没有年度报告文件（%s）", arg, strings.Join(reportExtensions, "、"))
		}
	}
	return files, nil
}

// printExamination prints the problems and failures of one file, then "ok: …" if it passes.
// With several files each line starts with the file's name.
func printExamination(w io.Writer, e report.Examination, named bool) {
	prefix := ""
	if named {
		prefix = e.Name + ": "
	}
	for _, p := range e.Problems {
		fmt.Fprintln(w, prefix+p.String())
	}
	for _, f := range e.Failures {
		fmt.Fprintln(w, prefix+f.Message)
	}
	if e.Passed() {
		fmt.Fprintf(w, "ok: %s（%d年，%s格式）各项勾稽关系均成立\n", e.Name, e.Report.Year, reportFormat(e.Report))
	}
}

// reportFormat returns the format of r for people: "2021", or "2021（三(六)单行）" for a 2021 report
// that keeps the single 三(六) row.
func reportFormat(r *report.Report) string {
	if r.Format == report.Format2021 && r.Requests.SingleOther(r.Format) {
		return r.Format + "（三(六)单行）"
	}
	return r.Format
}

// printSummary prints one line per file: 文件, 机关, 年度, 格式, 通过 (是/否) and 失败 (the number of
// reading errors and failed checks), the columns aligned for CJK text.
func printSummary(w io.Writer, exams []report.Examination) {
	rows := [][]string{{"文件", "机关", "年度", "格式", "通过", "失败"}}
	for _, e := range exams {
		org, year, format := "—", "—", "—"
		if r := e.Report; r != nil {
			if r.Org != "" {
				org = r.Org
			}
			if r.Year != 0 {
				year = strconv.Itoa(r.Year)
			}
			if r.Format != "" {
				format = reportFormat(r)
			}
		}
		passed := "是"
		if !e.Passed() {
			passed = "否"
		}
		rows = append(rows, []string{e.Name, org, year, format, passed, strconv.Itoa(e.Errors())})
	}
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	for _, row := range rows {
		var b strings.Builder
		for i, c := range row {
			b.WriteString(c)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(c)+2))
			}
		}
		fmt.Fprintln(w, b.String())
	}
}

// displayWidth returns the columns s takes in a terminal: two for a wide (CJK) character.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r >= 0x1100 && r <= 0x115F, r >= 0x2E80 && r <= 0xA4CF, r >= 0xAC00 && r <= 0xD7A3,
			r >= 0xF900 && r <= 0xFAFF, r >= 0xFE30 && r <= 0xFE4F, r >= 0xFF00 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFE6:
			n += 2
		default:
			n++
		}
	}
	return n
}
