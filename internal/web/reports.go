package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"wugongkai/internal/report"
	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

// The annual report pages (政府信息公开工作年度报告): the years with their state; one year's report
// as the office will publish it, with its checks, last year's carry-over and the exports; the form
// for what the disclosure office writes (sections 一, 五 and 六 and the Table 二 figures the system
// does not count); and marking the report final. The figures, the rules on the inputs and the
// checks live in the report store and package report: these handlers parse, call one store method
// and render.

// Limits on the report form, so a forged form cannot make the handler loop; the store checks
// everything else.
const (
	maxFigureRows   = 100
	maxFigureValues = 20
	reportListYears = 10 // how many years back the list looks for reports with data
)

// parseReportYear reads a report year: one the report formats cover, as the JSON API accepts.
func parseReportYear(v string) (int, error) {
	year, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || year < 2019 || year > 2200 {
		return 0, &workflow.Error{Code: workflow.EInvalid, Field: "year", Message: "年度应为 2019 年以后的年份（年度报告格式自 2019 年起适用）"}
	}
	return year, nil
}

// formatLabel names a report format as the national notices do.
func formatLabel(format string) string {
	switch format {
	case report.Format2019:
		return "2019年试行格式（国办公开办函〔2019〕60号）"
	case report.Format2021:
		return "2021年格式（国办公开办函〔2021〕30号）"
	}
	return format
}

// reportText is what the office wrote in a report: sections 一, 五 and 六, by paragraph.
type reportText struct {
	Overview []string
	Problems []string
	Other    []string
}

func textOf(rep *report.Report) reportText {
	return reportText{Overview: paragraphs(rep.Sections[report.SectionOverview]),
		Problems: paragraphs(rep.Sections[report.SectionProblems]), Other: paragraphs(rep.Sections[report.SectionOther])}
}

// tablesHTML renders a report's Tables 二, 三 and 四.
func tablesHTML(rep *report.Report) (template.HTML, error) {
	var buf bytes.Buffer
	err := report.RenderTablesHTML(&buf, rep)
	return template.HTML(buf.String()), err // #nosec G203 -- written by html/template in package report
}

// reportState is where a year's report stands: its version, its last save and whether it is final.
type reportState struct {
	Final       bool
	FinalizedAt time.Time
	FinalizedBy string
	Version     int
	UpdatedAt   time.Time
	UpdatedBy   string
}

func stateOf(in requests.ReportInputs) reportState {
	return reportState{Final: in.Final, FinalizedAt: in.FinalizedAt, FinalizedBy: in.FinalizedBy, Version: in.Version,
		UpdatedAt: in.UpdatedAt, UpdatedBy: in.UpdatedBy}
}

// reportYearRow is one year in the report list.
type reportYearRow struct {
	Year        int
	FormatLabel string
	reportState
	Received   int // 一、本年新收 in the 总计 column
	CarriedOut int // 四、结转下年度继续办理 in the 总计 column
	Failures   int
}

type reportListView struct {
	Rows    []reportYearRow
	CanEdit bool
	Year    string // what was typed in the "open a year" box
	Error   string
}

// reportList lists the current and the previous year and every earlier year (back to 2019, at most
// reportListYears in all) that has data or inputs, each with its state and checks. ?year=N opens
// the report of year N.
func (s *Site) reportList(c *gin.Context) {
	v := reportListView{CanEdit: s.hasAnywhere(*staffOf(c), "report:edit")}
	status := http.StatusOK
	if q, ok := c.GetQuery("year"); ok {
		year, err := parseReportYear(q)
		if err == nil {
			c.Redirect(http.StatusSeeOther, fmt.Sprintf("/console/reports/%d", year))
			return
		}
		v.Year, v.Error, status = q, workflow.ErrorMessage(err), statusFor(err)
	}
	rows, err := s.reportYears(c)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	v.Rows = rows
	s.render(c, status, "console_reports", v)
}

// reportYears loads the years of the list. Each year's check runs against last year's report as
// PreviousReport gives it (AnnualReport of the year before); the reports already loaded for the
// list are reused for that.
func (s *Site) reportYears(c *gin.Context) ([]reportYearRow, error) {
	ctx, actor := c.Request.Context(), staffOf(c).Actor()
	current := workflow.DateOf(s.now()).Year
	if current < 2019 {
		return nil, nil
	}
	floor := max(2019, current-reportListYears+1)
	type loaded struct {
		rep *report.Report
		in  requests.ReportInputs
	}
	all := map[int]loaded{}
	for y := current; y >= floor; y-- {
		rep, in, err := s.Reports.Year(ctx, actor, y)
		if err != nil {
			return nil, err
		}
		all[y] = loaded{rep, in}
	}
	var rows []reportYearRow
	for y := current; y >= floor; y-- {
		l := all[y]
		if y < current-1 && !reportHasData(l.rep, l.in) {
			continue
		}
		prev := (*report.Report)(nil)
		if p, ok := all[y-1]; ok {
			prev = p.rep
		} else {
			var err error
			if prev, err = s.Reports.Previous(ctx, actor, y); err != nil {
				return nil, err
			}
		}
		rows = append(rows, reportYearRow{Year: y, FormatLabel: formatLabel(l.rep.Format), reportState: stateOf(l.in),
			Received:   l.rep.Requests.Row(report.RowReceived)[report.ColTotal],
			CarriedOut: l.rep.Requests.Row(report.RowCarriedOut)[report.ColTotal], Failures: len(report.Check(l.rep, prev))})
	}
	return rows, nil
}

// reportHasData reports whether a year's report has anything in it: saved inputs or a figure
// that is not zero.
func reportHasData(rep *report.Report, in requests.ReportInputs) bool {
	if in.Version > 0 || in.Final {
		return true
	}
	for _, row := range rep.Requests.Rows {
		if row != (report.Counts{}) {
			return true
		}
	}
	rl := rep.ReviewLitigation
	if rl.Reconsideration.Total+rl.LitigationDirect.Total+rl.LitigationAfterReconsideration.Total > 0 {
		return true
	}
	for _, b := range rep.Proactive.Blocks {
		for _, r := range b.Rows {
			for _, v := range r.Values {
				if !v.Blank && v.Value != 0 {
					return true
				}
			}
		}
	}
	return false
}

// carryCell is one column of the carry-over comparison: last year's 四 and this year's 二.
type carryCell struct {
	Column string
	Last   int
	This   int
	Equal  bool
}

type carryOverView struct {
	PrevYear int
	First    bool // no earlier report under the current formats: nothing to compare
	Cells    []carryCell
	Equal    bool
}

type exportLink struct {
	Label string
	Href  string
}

type reportPageView struct {
	Year        int
	Title       string
	FormatLabel string
	reportState
	reportText
	// Tables are Tables 二, 三 and 四 as report.RenderTablesHTML writes them (html/template, so
	// every label and figure is escaped).
	Tables    template.HTML
	Failures  []report.Failure
	CarryOver carryOverView
	Exports   []exportLink
	CanEdit   bool
	Flash     string
	Error     string
}

// loadReportPage assembles the page of the :year report for the signed-in user.
func (s *Site) loadReportPage(c *gin.Context) (reportPageView, error) {
	year, err := parseReportYear(c.Param("year"))
	if err != nil {
		return reportPageView{}, err
	}
	ch, err := s.Reports.Check(c.Request.Context(), staffOf(c).Actor(), year)
	if err != nil {
		return reportPageView{}, err
	}
	rep, in := ch.Report, ch.Inputs
	tables, err := tablesHTML(rep)
	if err != nil {
		return reportPageView{}, err
	}
	v := reportPageView{Year: year, Title: rep.Title(), FormatLabel: formatLabel(rep.Format), reportState: stateOf(in),
		reportText: textOf(rep), Tables: tables,
		Failures: ch.Failures,
		CanEdit:  !in.Final && s.hasAnywhere(*staffOf(c), "report:edit")}
	v.CarryOver = carryOver(rep, ch.Previous)
	for _, e := range []exportLink{{"网页（HTML）", "html"}, {"表格（CSV）", "csv"}, {"Excel（XLSX）", "xlsx"}, {"数据（JSON）", "json"}} {
		v.Exports = append(v.Exports, exportLink{Label: e.Label, Href: fmt.Sprintf("/api/v1/reports/%d/export?format=%s", year, e.Href)})
	}
	return v, nil
}

// carryOver sets this year's 二、上年结转 beside last year's 四、结转下年度继续办理, column by column.
func carryOver(rep, prev *report.Report) carryOverView {
	v := carryOverView{PrevYear: rep.Year - 1, Equal: true}
	if prev == nil {
		v.First = true
		return v
	}
	v.PrevYear = prev.Year
	last, this := prev.Requests.Row(report.RowCarriedOut), rep.Requests.Row(report.RowCarriedIn)
	labels := make([]string, 0, len(last))
	for _, a := range report.ApplicantTypes() {
		labels = append(labels, a.Label)
	}
	labels = append(labels, "总计")
	for i, label := range labels {
		eq := last[i] == this[i]
		v.Equal = v.Equal && eq
		v.Cells = append(v.Cells, carryCell{Column: label, Last: last[i], This: this[i], Equal: eq})
	}
	return v
}

// reportPage is one year's report as it will be published: sections 一 to 六 with Tables 二, 三
// and 四, and for the office its state, checks, last year's carry-over, exports and actions.
func (s *Site) reportPage(c *gin.Context) {
	show(s, c, "console_report", s.loadReportPage, func(v *reportPageView) {
		switch c.Query("done") {
		case "saved":
			v.Flash = fmt.Sprintf("已保存（第 %d 版）。", v.Version)
		case "final":
			v.Flash = "年度报告已定稿。"
		}
	})
}

// finalizeReport marks a year's report final once its checks pass; otherwise the report comes back
// (422) with every failing check.
func (s *Site) finalizeReport(c *gin.Context) {
	year, err := parseReportYear(c.Param("year"))
	if err != nil {
		s.errorPage(c, err)
		return
	}
	var fs []report.Failure
	if c.PostForm("confirm") != "yes" {
		err = &workflow.Error{Code: workflow.EInputMissing, Field: "confirm", Message: "请先勾选“已核对报告内容，确认定稿”"}
	} else {
		_, fs, err = s.Reports.Finalize(c.Request.Context(), staffOf(c).Actor(), year)
	}
	if err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/console/reports/%d?done=final", year))
		return
	}
	if workflow.ErrorCode(err) == workflow.ENotFound {
		s.errorPage(c, err)
		return
	}
	refused(s, c, err, "console_report", s.loadReportPage, func(v *reportPageView) {
		v.Error = workflow.ErrorMessage(err)
		if len(fs) > 0 {
			v.Failures = fs
			v.Error = fmt.Sprintf("未能定稿：%d年度报告有 %d 处勾稽关系不成立，请核对下列问题。", year, len(fs))
		}
	})
}
