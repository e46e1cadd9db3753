package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"

	"wugongkai/workflow"
	"wugongkai/workflow/city"
)

// AgencyYear is one agency's report of a year and the report of the year before (nil for 2019),
// as its organisation's store assembles them.
type AgencyYear struct {
	Agency   city.Agency
	Report   *Report
	Previous *Report
}

// AgencyCheck is one agency's report of the year with the failures of its checks (Check, against
// the year before).
type AgencyCheck struct {
	Agency   city.Agency
	Report   *Report
	Failures []Failure
}

// Passed reports whether the agency's report passes every check.
func (a AgencyCheck) Passed() bool { return len(a.Failures) == 0 }

// CityReport is the city's summary of the agencies' annual reports of one year: every agency's
// report checked, and Tables 三 and 四 of the summary the agencies' tables added up cell by cell.
type CityReport struct {
	// Summary holds the sums in Requests and ReviewLitigation; its Org is the city's name, its
	// sections and Table 二 stay empty.
	Summary  *Report
	Agencies []AgencyCheck
}

// Failed returns the agencies whose report fails a check.
func (c *CityReport) Failed() []AgencyCheck {
	var out []AgencyCheck
	for _, a := range c.Agencies {
		if !a.Passed() {
			out = append(out, a)
		}
	}
	return out
}

// Title returns "<city><year>年政府信息公开工作年度报告汇总".
func (c *CityReport) Title() string { return c.Summary.Title() + "汇总" }

// Summarize checks each agency's report against its year before and adds Tables 三 and 四 up
// across the agencies, cell by cell, into a report of name for year. A row an agency's report
// keeps in the other layout (the single 三(六) 其他处理 of the 2019 format in a 2021 report) is
// added where the summary's format counts that outcome.
func Summarize(name string, year int, agencies []AgencyYear) (*CityReport, error) {
	sum, err := New(name, year)
	if err != nil {
		return nil, fmt.Errorf("summarize reports: %w", err)
	}
	out := &CityReport{Summary: sum}
	for _, ay := range agencies {
		out.Agencies = append(out.Agencies, AgencyCheck{Agency: ay.Agency, Report: ay.Report, Failures: Check(ay.Report, ay.Previous)})
		if ay.Report == nil {
			continue
		}
		for k, row := range ay.Report.Requests.Rows {
			key := outcomeRow(sum.Format, k)
			total := sum.Requests.Rows[key]
			for c := range numCols {
				total[c] += row[c]
			}
			sum.Requests.Rows[key] = total
		}
		rl := ay.Report.ReviewLitigation
		for _, kind := range []string{CaseReconsideration, CaseLitigationDirect, CaseLitigationAfterReconsideration} {
			from, to := rl.block(kind), sum.ReviewLitigation.block(kind)
			to.Upheld += from.Upheld
			to.Corrected += from.Corrected
			to.Other += from.Other
			to.Pending += from.Pending
			to.Total += from.Total
		}
	}
	return out, nil
}

// CityStore is what the city report needs: *postgres.City satisfies it.
type CityStore interface {
	// AgencyReports returns every agency's report of year and of the year before.
	AgencyReports(ctx context.Context, year int) ([]AgencyYear, error)
}

// CityReports is the city report use case that the API and the console both call.
type CityReports struct {
	Store CityStore
	Auth  workflow.Authorizer
	Name  string // the city's name, on the summary's title
	// Platform says whether the serving organisation is the platform's own (see city.City).
	Platform bool
}

// Year returns the city's summary of year (permission city:report, on the platform's organisation).
func (s *CityReports) Year(ctx context.Context, actor workflow.Actor, year int) (*CityReport, error) {
	if err := city.CheckOffice(ctx, s.Auth, s.Platform, actor, "city:report"); err != nil {
		return nil, err
	}
	return Compile(ctx, s.Store, s.Name, year)
}

// Compile reads every agency's report of year from store and summarizes them as name's; a year
// without a report format is refused with EInvalid.
func Compile(ctx context.Context, store CityStore, name string, year int) (*CityReport, error) {
	if _, err := FormatForYear(year); err != nil {
		return nil, &workflow.Error{Code: workflow.EInvalid, Field: "year", Message: err.Error()}
	}
	ays, err := store.AgencyReports(ctx, year)
	if err != nil {
		return nil, err
	}
	return Summarize(name, year, ays)
}

// The JSON form of a city report (RenderCity's json).
type (
	jsonCityReport struct {
		Title            string               `json:"title"`
		Org              string               `json:"org"`
		Year             int                  `json:"year"`
		Format           string               `json:"format"`
		Agencies         []jsonAgencyCheck    `json:"agencies"`
		Requests         jsonRequests         `json:"requests"`
		ReviewLitigation jsonReviewLitigation `json:"review_litigation"`
	}
	jsonAgencyCheck struct {
		Code     string        `json:"code"`
		Name     string        `json:"name"`
		Passed   bool          `json:"passed"`
		Failures []jsonFailure `json:"failures"`
	}
	jsonFailure struct {
		Table   string `json:"table"`
		Cell    string `json:"cell"`
		Rule    string `json:"rule"`
		Message string `json:"message"`
	}
)

// writeCityJSON writes c as indented JSON: the agencies with their failures, then the summed
// Tables 三 and 四 in the form WriteJSON gives them.
func writeCityJSON(w io.Writer, c *CityReport) error {
	j := toJSON(c.Summary)
	out := jsonCityReport{Title: c.Title(), Org: j.Org, Year: j.Year, Format: j.Format, Agencies: []jsonAgencyCheck{}, Requests: j.Requests,
		ReviewLitigation: j.ReviewLitigation}
	for _, a := range c.Agencies {
		ja := jsonAgencyCheck{Code: a.Agency.Code, Name: a.Agency.Name, Passed: a.Passed(), Failures: []jsonFailure{}}
		for _, f := range a.Failures {
			ja.Failures = append(ja.Failures, jsonFailure{Table: f.Table, Cell: f.Cell, Rule: f.Rule, Message: f.Message})
		}
		out.Agencies = append(out.Agencies, ja)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write city report json: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// cityHTML is the data of the city report page.
type cityHTML struct {
	Title    string
	Agencies []AgencyCheck
	Failed   int
	Tables   []*grid
}

// RenderCityTablesHTML writes the summed Tables 三 and 四 of c as HTML fragments, as
// RenderTablesHTML does for one report.
func RenderCityTablesHTML(w io.Writer, c *CityReport) error {
	return execute(w, "tables", cityGrids(c))
}

// cityGrids lays out the summed Tables 三 and 四.
func cityGrids(c *CityReport) []*grid {
	return []*grid{requestsGrid(c.Summary.Format, c.Summary.Requests), casesGrid(c.Summary.ReviewLitigation)}
}

// renderCityCSV writes c as CSV for Excel: the title, the agencies' check results (one line per
// failure, or one line for an agency that passes), then the summed Tables 三 and 四.
func renderCityCSV(w io.Writer, c *CityReport) error {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	_ = cw.Write([]string{c.Title()})
	cw.Flush()
	buf.WriteString("\r\n")
	_ = cw.Write([]string{"各机关年度报告核对情况"})
	_ = cw.Write([]string{"机关", "代码", "核对结果", "表", "位置", "说明"})
	for _, a := range c.Agencies {
		if a.Passed() {
			_ = cw.Write([]string{a.Agency.Name, a.Agency.Code, "通过", "", "", ""})
		}
		for _, f := range a.Failures {
			_ = cw.Write([]string{a.Agency.Name, a.Agency.Code, "未通过", f.Table, f.Cell, f.Message})
		}
	}
	for _, g := range cityGrids(c) {
		cw.Flush()
		buf.WriteString("\r\n")
		_ = cw.Write([]string{g.Heading})
		_ = cw.WriteAll(g.matrix())
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("render city report csv: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// RenderCity writes c in format (html, csv or json) to w and returns the content type of what it
// wrote.
func RenderCity(w io.Writer, c *CityReport, format string) (contentType string, err error) {
	switch format {
	case "html":
		return "text/html; charset=utf-8", execute(w, "city", cityHTML{Title: c.Title(), Agencies: c.Agencies,
			Failed: len(c.Failed()), Tables: cityGrids(c)})
	case "csv":
		return "text/csv; charset=utf-8", renderCityCSV(w, c)
	case "json":
		return "application/json; charset=utf-8", writeCityJSON(w, c)
	}
	return "", ErrCityFormat
}

// ErrCityFormat is returned by RenderCity for a format it does not know.
var ErrCityFormat = fmt.Errorf("city report format must be html, csv or json")
