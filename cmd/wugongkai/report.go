package main

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"wugongkai/internal/report"
)

func reportCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "report", Short: "check and render the annual report (政府信息公开工作年度报告)"}
	var previous string
	check := &cobra.Command{
		Use:   "check FILE.json",
		Short: "check a report given as JSON: every failed equation is printed with its cell and both sides",
		Long: "Checks Table 三 (per column 一+二 = 三(七)+四, the 总计 column is the sum of the six applicant\n" +
			"columns, 三(七) is the sum of the leaf rows) and Table 四 (each 总计 is the sum of its four cells);\n" +
			"with --previous, also that this year's 二 equals last year's 四. Exits non-zero when a check fails.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rep, err := readReport(args[0])
			if err != nil {
				return err
			}
			var prev *report.Report
			if previous != "" {
				if prev, err = readReport(previous); err != nil {
					return err
				}
			}
			failures := report.Check(rep, prev)
			for _, f := range failures {
				fmt.Fprintln(g.stdout, f.Message)
			}
			if len(failures) > 0 {
				return fmt.Errorf("%s: %d check(s) failed", args[0], len(failures))
			}
			fmt.Fprintf(g.stdout, "ok: %s（%d年，%s格式）各项勾稽关系均成立\n", args[0], rep.Year, rep.Format)
			return nil
		},
	}
	check.Flags().StringVar(&previous, "previous", "", "last year's report as JSON, to check the carry-over (结转)")

	var format, out string
	render := &cobra.Command{
		Use:   "render FILE.json",
		Short: "render a report given as JSON as html, csv, xlsx or json (laid out like the official tables)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rep, err := readReport(args[0])
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			switch format {
			case "html":
				err = report.RenderHTML(&buf, rep)
			case "csv":
				err = report.RenderCSV(&buf, rep)
			case "xlsx":
				err = report.RenderXLSX(&buf, rep)
			case "json":
				err = report.WriteJSON(&buf, rep)
			default:
				return fmt.Errorf("--format must be html, csv, xlsx or json, not %q", format)
			}
			if err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err = io.Copy(g.stdout, &buf)
				return err
			}
			return os.WriteFile(out, buf.Bytes(), 0o644)
		},
	}
	render.Flags().StringVar(&format, "format", "html", "html, csv, xlsx or json")
	render.Flags().StringVar(&out, "out", "", "output file (default: standard output)")
	cmd.AddCommand(check, render)
	return cmd
}

func readReport(path string) (*report.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rep, err := report.ReadJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rep, nil
}
