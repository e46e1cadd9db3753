package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
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

// mountReports registers the annual report pages of the console.
func (s *Site) mountReports(staff func(method, path, perm string, h gin.HandlerFunc)) {
	staff(http.MethodGet, "/console/reports", "report:read", s.reportList)
	staff(http.MethodGet, "/console/reports/:year", "report:read", s.reportPage)
	staff(http.MethodGet, "/console/reports/:year/edit", "report:edit", s.reportEdit)
	staff(http.MethodPost, "/console/reports/:year/inputs", "report:edit", s.saveReportInputs)
	staff(http.MethodPost, "/console/reports/:year/final", "report:edit", s.finalizeReport)
}

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

// reportYearRow is one year in the report list.
type reportYearRow struct {
	Year        int
	FormatLabel string
	Final       bool
	FinalizedAt time.Time
	FinalizedBy string
	Version     int
	UpdatedAt   time.Time
	UpdatedBy   string
	Received    int // 一、本年新收 in the 总计 column
	CarriedOut  int // 四、结转下年度继续办理 in the 总计 column
	Failures    int
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
		rows = append(rows, reportYearRow{Year: y, FormatLabel: formatLabel(l.rep.Format), Final: l.in.Final,
			FinalizedAt: l.in.FinalizedAt, FinalizedBy: l.in.FinalizedBy, Version: l.in.Version, UpdatedAt: l.in.UpdatedAt,
			UpdatedBy: l.in.UpdatedBy, Received: l.rep.Requests.Row(report.RowReceived)[report.ColTotal],
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
	Final       bool
	FinalizedAt time.Time
	FinalizedBy string
	Version     int
	UpdatedAt   time.Time
	UpdatedBy   string
	Overview    []string
	Problems    []string
	Other       []string
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

// loadReportPage assembles the page of one year's report for the signed-in user.
func (s *Site) loadReportPage(c *gin.Context, year int) (reportPageView, error) {
	ch, err := s.Reports.Check(c.Request.Context(), staffOf(c).Actor(), year)
	if err != nil {
		return reportPageView{}, err
	}
	rep, in := ch.Report, ch.Inputs
	var buf bytes.Buffer
	if err := report.RenderTablesHTML(&buf, rep); err != nil {
		return reportPageView{}, err
	}
	v := reportPageView{Year: year, Title: rep.Title(), FormatLabel: formatLabel(rep.Format), Final: in.Final,
		FinalizedAt: in.FinalizedAt, FinalizedBy: in.FinalizedBy, Version: in.Version, UpdatedAt: in.UpdatedAt, UpdatedBy: in.UpdatedBy,
		Overview: paragraphs(rep.Sections[report.SectionOverview]), Problems: paragraphs(rep.Sections[report.SectionProblems]),
		Other:    paragraphs(rep.Sections[report.SectionOther]),
		Tables:   template.HTML(buf.String()), // #nosec G203 -- written by html/template in package report
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
	year, err := parseReportYear(c.Param("year"))
	if err != nil {
		s.errorPage(c, err)
		return
	}
	v, err := s.loadReportPage(c, year)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	switch c.Query("done") {
	case "saved":
		v.Flash = fmt.Sprintf("已保存（第 %d 版）。", v.Version)
	case "final":
		v.Flash = "年度报告已定稿。"
	}
	s.render(c, http.StatusOK, "console_report", v)
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
	if statusFor(err) >= 500 || workflow.ErrorCode(err) == workflow.ENotFound {
		s.errorPage(c, err)
		return
	}
	v, lerr := s.loadReportPage(c, year)
	if lerr != nil {
		s.errorPage(c, err)
		return
	}
	v.Error = workflow.ErrorMessage(err)
	if len(fs) > 0 {
		v.Failures = fs
		v.Error = fmt.Sprintf("未能定稿：%d年度报告有 %d 处勾稽关系不成立，请核对下列问题。", year, len(fs))
	}
	s.render(c, statusFor(err), "console_report", v)
}

// figureRowForm is one Table 二 row of the form as typed: the values are kept as text so the form
// comes back exactly as it was sent.
type figureRowForm struct {
	Item   string
	Label  string
	Values []string
	BadCol int // the value that is not a number, or -1
}

type figureCellView struct {
	Name   string
	Value  string
	Column string
	Bad    bool
}

type figureRowView struct {
	Index    int
	Item     string
	Label    string
	Official bool // an official row of the format: its label is fixed
	Cells    []figureCellView
}

type figureBlockView struct {
	Item    string
	Columns []string // the value columns, after 信息内容
	Rows    []figureRowView
}

type countedRowView struct {
	Label  string
	Values []string
}

type countedBlockView struct {
	Item    string
	Columns []string
	Rows    []countedRowView
}

type reportEditView struct {
	Year        int
	Title       string
	FormatLabel string
	Version     int
	Overview    string
	Problems    string
	Other       string
	Counted     *countedBlockView
	Blocks      []figureBlockView
	Rows        int // how many figure rows the form has (the inputs are numbered 0 … Rows-1)
	Error       string
	ErrorField  string
	Conflict    bool
}

// cellText shows a Table 二 figure in the form: blank stays blank.
func cellText(c report.Cell) string {
	if c.Blank {
		return ""
	}
	return strconv.FormatFloat(c.Value, 'f', -1, 64)
}

// editView builds the form of rep with the figure rows rows (the blocks the office fills in) and
// one empty row per block for a locally added row.
func editView(rep *report.Report, version int, rows []figureRowForm) reportEditView {
	v := reportEditView{Year: rep.Year, Title: rep.Title(), FormatLabel: formatLabel(rep.Format), Version: version}
	official := map[string]bool{}
	if tpl, err := report.ProactiveTemplate(rep.Format); err == nil {
		for _, b := range tpl.Blocks {
			for _, r := range b.Rows {
				official[b.Item+"\x00"+r.Label] = true
			}
		}
	}
	idx := 0
	for _, b := range rep.Proactive.Blocks {
		if b.Item == report.CountedItem {
			cb := &countedBlockView{Item: b.Item, Columns: b.Columns[1:]}
			for _, r := range b.Rows {
				cr := countedRowView{Label: r.Label}
				for _, cell := range r.Values {
					cr.Values = append(cr.Values, cellText(cell))
				}
				cb.Rows = append(cb.Rows, cr)
			}
			v.Counted = cb
			continue
		}
		bv := figureBlockView{Item: b.Item, Columns: b.Columns[1:]}
		blockRows := []figureRowForm{}
		for _, r := range rows {
			if r.Item == b.Item {
				blockRows = append(blockRows, r)
			}
		}
		blockRows = append(blockRows, figureRowForm{Item: b.Item, BadCol: -1})
		for _, r := range blockRows {
			rv := figureRowView{Index: idx, Item: r.Item, Label: r.Label, Official: official[r.Item+"\x00"+r.Label]}
			for col, name := range bv.Columns {
				cv := figureCellView{Name: fmt.Sprintf("value_%d_%d", idx, col), Column: name, Bad: r.BadCol == col}
				if col < len(r.Values) {
					cv.Value = r.Values[col]
				}
				rv.Cells = append(rv.Cells, cv)
			}
			bv.Rows = append(bv.Rows, rv)
			idx++
		}
		v.Blocks = append(v.Blocks, bv)
	}
	v.Rows = idx
	return v
}

// rowsFromReport returns the figure rows of rep the office fills in, as the form shows them.
func rowsFromReport(rep *report.Report) []figureRowForm {
	var rows []figureRowForm
	for _, b := range rep.Proactive.Blocks {
		if b.Item == report.CountedItem {
			continue
		}
		for _, r := range b.Rows {
			fr := figureRowForm{Item: b.Item, Label: r.Label, BadCol: -1}
			for _, cell := range r.Values {
				fr.Values = append(fr.Values, cellText(cell))
			}
			rows = append(rows, fr)
		}
	}
	return rows
}

// reportEdit is the form for what the office writes: sections 一, 五 and 六 and the Table 二
// figures the system does not count. A final report can no longer be edited.
func (s *Site) reportEdit(c *gin.Context) {
	year, err := parseReportYear(c.Param("year"))
	if err != nil {
		s.errorPage(c, err)
		return
	}
	rep, in, err := s.Reports.Year(c.Request.Context(), staffOf(c).Actor(), year)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	if in.Final {
		s.errorPage(c, finalError(year, in))
		return
	}
	v := editView(rep, in.Version, rowsFromReport(rep))
	v.Overview, v.Problems, v.Other = in.Sections[report.SectionOverview], in.Sections[report.SectionProblems], in.Sections[report.SectionOther]
	s.render(c, http.StatusOK, "console_report_edit", v)
}

// finalError is the refusal to edit a final report.
func finalError(year int, in requests.ReportInputs) error {
	return &workflow.Error{Code: workflow.EConflict, Message: fmt.Sprintf("%d年度报告已于 %s 由%s定稿，不能再修改",
		year, formatDateTime(in.FinalizedAt), in.FinalizedBy)}
}

// reNumber is a figure as the form accepts it: a plain decimal, optionally signed.
var reNumber = regexp.MustCompile(`^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$`)

// halfWidth turns full-width digits, signs and the full-width point into ASCII, as a Chinese
// input method may type them.
func halfWidth(v string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r == '．' || r == '。':
			return '.'
		case r == '－':
			return '-'
		case r == '＋':
			return '+'
		}
		return r
	}, v)
}

// parseFigures reads the Table 二 rows of the form: item_N, label_N and value_N_C for N below
// rows. A row with neither a label nor a figure (the empty row for a local addition) is left out.
// It returns the rows as typed, the figures for the store and the first value that is not a
// number (columns names the value columns of a block, for the message).
func parseFigures(c *gin.Context, columns map[string][]string) ([]figureRowForm, []requests.ReportFigure, error) {
	n, err := strconv.Atoi(c.PostForm("rows"))
	if err != nil || n < 0 || n > maxFigureRows {
		return nil, nil, &workflow.Error{Code: workflow.EInvalid, Field: "proactive", Message: "表二的表单不完整，请刷新页面后重新填写"}
	}
	var rows []figureRowForm
	var figs []requests.ReportFigure
	var bad error
	for i := range n {
		r := figureRowForm{Item: strings.TrimSpace(c.PostForm(fmt.Sprintf("item_%d", i))),
			Label: strings.TrimSpace(c.PostForm(fmt.Sprintf("label_%d", i))), BadCol: -1}
		blank := true
		for col := range maxFigureValues {
			v, ok := c.GetPostForm(fmt.Sprintf("value_%d_%d", i, col))
			if !ok {
				break
			}
			r.Values = append(r.Values, v)
			if strings.TrimSpace(v) != "" {
				blank = false
			}
		}
		if r.Label == "" && blank {
			continue
		}
		f := requests.ReportFigure{Item: r.Item, Label: r.Label, Values: make([]*float64, len(r.Values))}
		for col, raw := range r.Values {
			v := strings.TrimSpace(halfWidth(raw))
			if v == "" {
				continue
			}
			x, perr := strconv.ParseFloat(v, 64)
			if !reNumber.MatchString(v) || perr != nil {
				if bad == nil {
					r.BadCol = col
					column := fmt.Sprintf("第 %d 列", col+1)
					if cols := columns[r.Item]; col < len(cols) {
						column = cols[col]
					}
					label := r.Label
					if label == "" {
						label = "新增行"
					}
					bad = &workflow.Error{Code: workflow.EInvalid, Field: "proactive",
						Message: fmt.Sprintf("表二 %s “%s”的“%s”应填写数字（如 12 或 3.5），“%s”不是数字", r.Item, label, column, raw)}
				}
				continue
			}
			f.Values[col] = &x
		}
		rows = append(rows, r)
		figs = append(figs, f)
	}
	return rows, figs, bad
}

// saveReportInputs saves the form: 303 to the report, or the form again with the Chinese message
// and everything as typed (a stale version gives 409 and keeps the version the form was loaded at).
func (s *Site) saveReportInputs(c *gin.Context) {
	year, err := parseReportYear(c.Param("year"))
	if err != nil {
		s.errorPage(c, err)
		return
	}
	columns := map[string][]string{}
	if format, ferr := report.FormatForYear(year); ferr == nil {
		if tpl, terr := report.ProactiveTemplate(format); terr == nil {
			for _, b := range tpl.Blocks {
				columns[b.Item] = b.Columns[1:]
			}
		}
	}
	text := func(name string) string {
		return strings.ReplaceAll(c.PostForm(name), "\r\n", "\n")
	}
	overview, problems, other := text("overview"), text("problems"), text("other")
	version, verr := strconv.Atoi(c.PostForm("version"))
	rows, figs, err := parseFigures(c, columns)
	if err == nil && (verr != nil || version < 0) {
		err = &workflow.Error{Code: workflow.EInvalid, Field: "version", Message: "表单缺少版本号，请刷新页面后重试"}
	}
	if err == nil {
		in := requests.ReportInputs{Year: year, Figures: figs, Sections: map[string]string{
			report.SectionOverview: strings.TrimSpace(overview),
			report.SectionProblems: strings.TrimSpace(problems),
			report.SectionOther:    strings.TrimSpace(other)}}
		_, err = s.Reports.Save(c.Request.Context(), staffOf(c).Actor(), in, version)
	}
	if err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/console/reports/%d?done=saved", year))
		return
	}
	if statusFor(err) >= 500 {
		s.errorPage(c, err)
		return
	}
	rep, in, lerr := s.Reports.Year(c.Request.Context(), staffOf(c).Actor(), year)
	if lerr != nil {
		s.errorPage(c, err)
		return
	}
	if in.Final {
		s.errorPage(c, err)
		return
	}
	v := editView(rep, version, rows)
	v.Overview, v.Problems, v.Other = overview, problems, other
	v.Error, v.Conflict = workflow.ErrorMessage(err), workflow.ErrorCode(err) == workflow.EConflict
	if e := workflow.AsError(err); e != nil {
		v.ErrorField = e.Field
	}
	s.render(c, statusFor(err), "console_report_edit", v)
}
