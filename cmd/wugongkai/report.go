package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"wugongkai/internal/postgres"
	"wugongkai/internal/report"
)

func reportCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "report", Short: "generate, check and render the annual report (政府信息公开工作年度报告)"}
	check := reportCheckCmd(g)

	var format, out string
	render := &cobra.Command{
		Use:   "render FILE",
		Short: "render a report given as JSON, XLSX or CSV as html, csv, xlsx or json (laid out like the official tables)",
		Long: "Reads the report FILE as JSON, or as the XLSX or CSV that render writes (the tables only: org and year\n" +
			"from the title, no text sections), leniently as `report check` does; label differences are printed to\n" +
			"standard error as warnings, and every error stops it.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rep, err := readReport(g, args[0])
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if _, err := report.Render(&buf, rep, format); err != nil {
				return fmt.Errorf("render as %q: %w", format, err)
			}
			return writeOut(g, out, buf.Bytes())
		},
	}
	render.Flags().StringVar(&format, "format", "html", "html, csv, xlsx or json")
	render.Flags().StringVar(&out, "out", "", "output file (default: standard output)")
	var year int
	var annualFormat, annualOut string
	annual := &cobra.Command{
		Use:   "annual --year YYYY",
		Short: "generate the annual report of a year from the data: Table 二 (一), 三 and 四 counted, the rest as the office entered it",
		Long: "Builds the report of --year in the format of that year (2019 for the 2019 and 2020 reports, 2021 from\n" +
			"2021 on): Table 二 第二十条第（一）项 from the normative documents, Table 三 from the disclosure requests,\n" +
			"Table 四 from the reconsideration and litigation cases, sections 一/五/六 and the other Table 二 rows\n" +
			"from what the disclosure office entered. A report marked final is written as it was finalised. Failed\n" +
			"checks (also against last year's report) are printed to standard error; the report is written anyway.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := report.FormatForYear(year); err != nil {
				return fmt.Errorf("--year: %w", err)
			}
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			db, err := openDB(ctx, cfg, newLogger(cfg, g))
			if err != nil {
				return err
			}
			defer db.Close()
			org, err := postgres.EnsureOrg(ctx, db, cfg.Org.Code, cfg.Org.Name)
			if err != nil {
				return err
			}
			stores := postgres.NewStores(db, org, nil)
			defer stores.Close()
			rep, in, err := stores.ReportData.AnnualReport(ctx, year, cfg.Org.Name)
			if err != nil {
				return err
			}
			prev, err := stores.ReportData.PreviousReport(ctx, year, cfg.Org.Name)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if _, err := report.Render(&buf, rep, annualFormat); err != nil {
				return fmt.Errorf("render as %q: %w", annualFormat, err)
			}
			if !in.Final {
				for _, f := range report.Check(rep, prev) {
					fmt.Fprintln(g.stderr, "warning:", f.Message)
				}
			}
			return writeOut(g, annualOut, buf.Bytes())
		},
	}
	annual.Flags().IntVar(&year, "year", 0, "the report year (statistics from 1 January to 31 December)")
	annual.Flags().StringVar(&annualFormat, "format", "html", "html, csv, xlsx or json")
	annual.Flags().StringVar(&annualOut, "out", "", "output file (default: standard output)")
	_ = annual.MarkFlagRequired("year")
	cmd.AddCommand(annual, reportCityCmd(g), check, render)
	return cmd
}

// reportCityCmd is `report city`: the city's summary of every agency's annual report.
func reportCityCmd(g *globals) *cobra.Command {
	var year int
	var format, out string
	cmd := &cobra.Command{
		Use:   "city --year YYYY",
		Short: "the city's summary of every agency's annual report of a year: each checked, Tables 三 and 四 added up",
		Long: "Builds every agency's report of --year as `report annual` does for one, checks each (also against its\n" +
			"report of the year before) and adds Tables 三 and 四 up across the agencies, cell by cell. Writes the\n" +
			"agencies' check results and the summed tables as html, csv or json; every agency's failed check is also\n" +
			"printed to standard error.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := report.FormatForYear(year); err != nil {
				return fmt.Errorf("--year: %w", err)
			}
			if format != "html" && format != "csv" && format != "json" {
				return fmt.Errorf("--format: %w", report.ErrCityFormat)
			}
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			db, err := openDB(ctx, cfg, newLogger(cfg, g))
			if err != nil {
				return err
			}
			defer db.Close()
			rep, err := report.Compile(ctx, postgres.NewCity(db, nil), cfg.Portal.CityName, year)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if _, err := report.RenderCity(&buf, rep, format); err != nil {
				return err
			}
			for _, a := range rep.Failed() {
				for _, f := range a.Failures {
					fmt.Fprintf(g.stderr, "warning: %s（%s）：%s\n", a.Agency.Name, a.Agency.Code, f.Message)
				}
			}
			return writeOut(g, out, buf.Bytes())
		},
	}
	cmd.Flags().IntVar(&year, "year", 0, "the report year (statistics from 1 January to 31 December)")
	cmd.Flags().StringVar(&format, "format", "html", "html, csv or json")
	cmd.Flags().StringVar(&out, "out", "", "output file (default: standard output)")
	_ = cmd.MarkFlagRequired("year")
	return cmd
}

// writeOut writes b to the file path, or to standard output when path is "" or "-".
func writeOut(g *globals, path string, b []byte) error {
	if path == "" || path == "-" {
		_, err := g.stdout.Write(b)
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// readReport reads the report file path with report.Read, prints its warnings to standard error
// and fails with every error.
func readReport(g *globals, path string) (*report.Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	rep, problems := report.Read(path, data)
	errs := report.Errors(problems)
	for _, p := range problems {
		if p.Warning {
			fmt.Fprintln(g.stderr, path+":", p)
		}
	}
	if len(errs) > 0 || rep == nil {
		lines := make([]string, len(errs))
		for i, p := range errs {
			lines[i] = p.String()
		}
		return nil, fmt.Errorf("%s: 无法读取年度报告：\n%s", path, strings.Join(lines, "\n"))
	}
	return rep, nil
}
