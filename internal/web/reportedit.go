package web

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"wugongkai/internal/report"
	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

// The annual report's edit form: sections 一, 五 and 六 and the Table 二 figures the office enters.

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
	show(s, c, "console_report_edit", func(*gin.Context) (reportEditView, error) {
		year, err := parseReportYear(c.Param("year"))
		if err != nil {
			return reportEditView{}, err
		}
		rep, in, err := s.Reports.Year(c.Request.Context(), staffOf(c).Actor(), year)
		if err != nil {
			return reportEditView{}, err
		}
		if in.Final {
			return reportEditView{}, finalError(year, in)
		}
		v := editView(rep, in.Version, rowsFromReport(rep))
		v.Overview, v.Problems, v.Other = in.Sections[report.SectionOverview], in.Sections[report.SectionProblems], in.Sections[report.SectionOther]
		return v, nil
	}, nil)
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
	refused(s, c, err, "console_report_edit", func(*gin.Context) (reportEditView, error) {
		rep, in, lerr := s.Reports.Year(c.Request.Context(), staffOf(c).Actor(), year)
		if lerr != nil {
			return reportEditView{}, lerr
		}
		if in.Final {
			return reportEditView{}, err // made final meanwhile: the refusal says so
		}
		return editView(rep, version, rows), nil
	}, func(v *reportEditView) {
		v.Overview, v.Problems, v.Other = overview, problems, other
		v.Error, v.Conflict = workflow.ErrorMessage(err), workflow.ErrorCode(err) == workflow.EConflict
		if e := workflow.AsError(err); e != nil {
			v.ErrorField = e.Field
		}
	})
}
