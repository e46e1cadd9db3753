// Package report builds the statutory annual report on government information disclosure
// (政府信息公开工作年度报告, 《条例》第49–50条): its model in the national formats of 2019
// (国办公开办函〔2019〕60号, used for the 2019 and 2020 reports) and 2021 (国办公开办函〔2021〕30号,
// used from 2021 on), the tallies of Table 三 and Table 四 from records or from counts, the
// arithmetic checks, and its JSON, HTML, CSV and XLSX forms. It is pure Go: the caller aggregates
// the figures (for example with SQL) and hands them in.
package report

import (
	"context"
	"fmt"
	"time"

	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

// The two national report formats.
const (
	Format2019 = "2019" // 年度报告格式（试行）, reports for 2019 and 2020
	Format2021 = "2021" // revised 年度报告格式, reports for 2021 onward
)

// The section keys of Report.Sections: the parts of the report that the disclosure office writes
// as text. Sections 二 to 四 are the tables.
const (
	SectionOverview = "一" // 总体情况
	SectionProblems = "五" // 存在的主要问题及改进情况
	SectionOther    = "六" // 其他需要报告的事项
)

// FormatForYear returns the report format that applies to the report for year: "2019" for the
// 2019 and 2020 reports and "2021" from the 2021 report on. Years before 2019 have no format under
// the 2019 《条例》 and give an error.
func FormatForYear(year int) (string, error) {
	switch {
	case year < 2019:
		return "", fmt.Errorf("%d年的年度报告不适用现行年度报告格式（2019年起适用）", year)
	case year <= 2020:
		return Format2019, nil
	default:
		return Format2021, nil
	}
}

// Report is one organisation's annual report for one year.
type Report struct {
	Org    string // the reporting organisation, e.g. "许昌市住房和城乡建设局"
	Year   int    // the statistics year (1 January to 31 December)
	Format string // Format2019 or Format2021; must equal FormatForYear(Year)

	// Sections holds the text the office writes, keyed by SectionOverview, SectionProblems and
	// SectionOther. Paragraphs are separated by newlines.
	Sections map[string]string

	Proactive        Proactive        // Table 二: 主动公开政府信息情况
	Requests         Requests         // Table 三: 收到和处理政府信息公开申请情况
	ReviewLitigation ReviewLitigation // Table 四: 政府信息公开行政复议、行政诉讼情况
}

// New returns an empty report for org and year in the format of that year: Table 二 holds the
// official rows with zero values, Table 三 every row of the format with zeros, Table 四 zeros.
func New(org string, year int) (*Report, error) {
	format, err := FormatForYear(year)
	if err != nil {
		return nil, fmt.Errorf("new report: %w", err)
	}
	p, err := ProactiveTemplate(format)
	if err != nil {
		return nil, fmt.Errorf("new report: %w", err)
	}
	req := Requests{Rows: make(map[string]Counts)}
	for _, k := range RequestRowKeys(format) {
		req.Rows[k] = Counts{}
	}
	return &Report{
		Org:       org,
		Year:      year,
		Format:    format,
		Sections:  map[string]string{},
		Proactive: p,
		Requests:  req,
	}, nil
}

// Title returns the report's title, "<org><year>年政府信息公开工作年度报告".
func (r *Report) Title() string {
	return fmt.Sprintf("%s%d年政府信息公开工作年度报告", r.Org, r.Year)
}

// sectionKeys returns the keys of the text sections in report order.
func sectionKeys() []string { return []string{SectionOverview, SectionProblems, SectionOther} }

// sectionHeading returns the heading of section key ("一" to "六") as printed in the report.
func sectionHeading(key string) string {
	switch key {
	case "一":
		return "一、总体情况"
	case "二":
		return "二、主动公开政府信息情况"
	case "三":
		return "三、收到和处理政府信息公开申请情况"
	case "四":
		return "四、政府信息公开行政复议、行政诉讼情况"
	case "五":
		return "五、存在的主要问题及改进情况"
	case "六":
		return "六、其他需要报告的事项"
	}
	return ""
}

// validFormat reports whether format is one of the two national formats.
func validFormat(format string) bool { return format == Format2019 || format == Format2021 }

// Store is what the annual report use cases (Reports) need: *postgres.ReportData satisfies it. Report
// figures come from SQL aggregation, so assembling a report lives with the store; Reports checks the
// caller's permission, and the pages and routes only parse, call Reports and render.
type Store interface {
	// AnnualReport returns the year's report (its final snapshot, or assembled from the data and
	// the inputs) and the inputs.
	AnnualReport(ctx context.Context, year int, org string) (*Report, requests.ReportInputs, error)
	PreviousReport(ctx context.Context, year int, org string) (*Report, error)
	SaveReportInputs(ctx context.Context, in requests.ReportInputs, prevVersion int, actor workflow.Actor, now time.Time) (requests.ReportInputs, error)
	FinalizeReport(ctx context.Context, year int, org string, actor workflow.Actor, now time.Time) (*Report, []Failure, error)
}
