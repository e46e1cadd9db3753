package report

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// The rules Check applies; Failure.Rule holds one of them.
const (
	RuleFormat       = "format"        // the format is unknown or does not fit the year
	RuleRows         = "rows"          // Table 三 lacks a row of the format or has a row of another
	RuleBalance      = "balance"       // per column: 一 + 二 = 三(七) + 四 (the 勾稽关系 of the template)
	RuleTotalColumn  = "total_column"  // per row: 总计 = the sum of the six applicant columns
	RuleResultsTotal = "results_total" // per column: 三(七) = the sum of the outcome rows
	RuleCaseTotal    = "case_total"    // per Table 四 block: 总计 = the sum of its four cells
	RuleCarryOver    = "carry_over"    // per column: this year's 二 = last year's 四
)

// Failure is one check that a report does not pass.
type Failure struct {
	Table   string  // "表三" or "表四"; "" for the format
	Cell    string  // where: "自然人" (a column), "一/总计" (a row's cell), "行政复议/总计"
	Rule    string  // one of the Rule constants
	Message string  // Chinese, naming the cell and both sides
	Left    float64 // the value of the cell or left-hand side
	Right   float64 // what the rule expects it to equal
}

// Check returns the failures of r's arithmetic, in a stable order; none means the report is
// consistent. The rules are:
//
//   - RuleFormat: the format is "2019" for the 2019 and 2020 reports and "2021" from 2021 on;
//   - RuleRows: Table 三 has exactly the rows of the format (a 2021 report may keep the single
//     三(六) 其他处理 row of the 2019 layout instead of 三(六)1 to 三(六)3; it then counts as the
//     outcome 其他处理 in 三(七));
//   - RuleTotalColumn: in every row of Table 三, 总计 = the sum of the six applicant columns;
//   - RuleResultsTotal: in every column, 三(七) = the sum of the outcome rows 三(一) to 三(六);
//   - RuleBalance: in every column, 一 + 二 = 三(七) + 四;
//   - RuleCaseTotal: in each block of Table 四, 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结;
//   - RuleCarryOver: if previous (last year's report) is not nil, in every column this year's
//     二 = last year's 四.
func Check(r *Report, previous *Report) []Failure {
	if r == nil {
		return nil
	}
	var fs []Failure
	if !validFormat(r.Format) {
		return append(fs, Failure{Rule: RuleFormat, Left: float64(r.Year),
			Message: fmt.Sprintf("未知的年度报告格式“%s”（应为2019或2021）", r.Format)})
	}
	if want, err := FormatForYear(r.Year); err != nil {
		fs = append(fs, Failure{Rule: RuleFormat, Left: float64(r.Year), Message: err.Error()})
	} else if want != r.Format {
		fs = append(fs, Failure{Rule: RuleFormat, Left: float64(r.Year),
			Message: fmt.Sprintf("%d年度报告应使用%s年格式，实为%s年格式", r.Year, want, r.Format)})
	}
	fs = append(fs, checkRows(r)...)
	fs = append(fs, checkRequests(r)...)
	fs = append(fs, checkCases(r.ReviewLitigation)...)
	if previous != nil {
		fs = append(fs, checkCarryOver(r, previous)...)
	}
	return fs
}

// checkRows reports the rows of Table 三 that are missing or do not belong to the format.
func checkRows(r *Report) []Failure {
	var fs []Failure
	keys := r.Requests.RowKeys(r.Format)
	for _, k := range keys {
		if _, ok := r.Requests.Rows[k]; !ok {
			fs = append(fs, Failure{Table: "表三", Cell: k, Rule: RuleRows,
				Message: fmt.Sprintf("表三 缺少%s行（%s）", k, requestRowDisplay(k))})
		}
	}
	extra := make([]string, 0)
	for k := range r.Requests.Rows {
		if !slices.Contains(keys, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	for _, k := range extra {
		fs = append(fs, Failure{Table: "表三", Cell: k, Rule: RuleRows,
			Message: fmt.Sprintf("表三 的“%s”行不属于%s年格式", k, r.Format)})
	}
	return fs
}

// checkRequests applies the arithmetic rules of Table 三.
func checkRequests(r *Report) []Failure {
	var fs []Failure
	q := r.Requests
	for _, k := range q.RowKeys(r.Format) {
		row := q.Row(k)
		if sum := row.sumApplicants(); row[ColTotal] != sum {
			fs = append(fs, Failure{Table: "表三", Cell: k + "/总计", Rule: RuleTotalColumn,
				Left: float64(row[ColTotal]), Right: float64(sum),
				Message: fmt.Sprintf("表三 %s行：总计列（%d）≠ 六类申请人之和（%s=%d）",
					k, row[ColTotal], joinInts(row[:ColTotal]), sum)})
		}
	}
	outcomes := q.OutcomeKeys(r.Format)
	results, received, carriedIn, carriedOut := q.Row(RowResultsSum), q.Row(RowReceived), q.Row(RowCarriedIn), q.Row(RowCarriedOut)
	for c := range numCols {
		sum := 0
		for _, k := range outcomes {
			sum += q.Row(k)[c]
		}
		if results[c] != sum {
			fs = append(fs, Failure{Table: "表三", Cell: RowResultsSum + "/" + columnLabel(c), Rule: RuleResultsTotal,
				Left: float64(results[c]), Right: float64(sum),
				Message: fmt.Sprintf("表三 %s列：三(七)总计（%d）≠ 各项办理结果之和（%d）", columnLabel(c), results[c], sum)})
		}
	}
	for c := range numCols {
		left := received[c] + carriedIn[c]
		right := results[c] + carriedOut[c]
		if left != right {
			fs = append(fs, Failure{Table: "表三", Cell: columnLabel(c), Rule: RuleBalance,
				Left: float64(left), Right: float64(right),
				Message: fmt.Sprintf("表三 %s列：一+二（%d+%d=%d）≠ 三(七)+四（%d+%d=%d）",
					columnLabel(c), received[c], carriedIn[c], left, results[c], carriedOut[c], right)})
		}
	}
	return fs
}

// checkCases applies the block totals of Table 四.
func checkCases(rl ReviewLitigation) []Failure {
	var fs []Failure
	for _, b := range rl.blocks() {
		c := b.counts
		sum := c.Upheld + c.Corrected + c.Other + c.Pending
		if c.Total != sum {
			fs = append(fs, Failure{Table: "表四", Cell: b.label + "/总计", Rule: RuleCaseTotal,
				Left: float64(c.Total), Right: float64(sum),
				Message: fmt.Sprintf("表四 %s：总计（%d）≠ 结果维持+结果纠正+其他结果+尚未审结（%d+%d+%d+%d=%d）",
					b.label, c.Total, c.Upheld, c.Corrected, c.Other, c.Pending, sum)})
		}
	}
	return fs
}

// checkCarryOver compares this year's 二 with last year's 四, column by column.
func checkCarryOver(r, previous *Report) []Failure {
	if previous.Year != r.Year-1 {
		return []Failure{{Table: "表三", Cell: RowCarriedIn, Rule: RuleCarryOver,
			Left: float64(previous.Year), Right: float64(r.Year - 1),
			Message: fmt.Sprintf("用于核对结转数的上年报告是%d年度的，应为%d年度", previous.Year, r.Year-1)}}
	}
	var fs []Failure
	now, before := r.Requests.Row(RowCarriedIn), previous.Requests.Row(RowCarriedOut)
	for c := range numCols {
		if now[c] != before[c] {
			fs = append(fs, Failure{Table: "表三", Cell: RowCarriedIn + "/" + columnLabel(c), Rule: RuleCarryOver,
				Left: float64(now[c]), Right: float64(before[c]),
				Message: fmt.Sprintf("表三 %s列：二、上年结转（%d）≠ %d年度报告的四、结转下年度继续办理（%d）",
					columnLabel(c), now[c], previous.Year, before[c])})
		}
	}
	return fs
}

// CheckJSON reads a report in the JSON form of WriteJSON and returns Check's failures for it.
// The error is ReadJSON's, for a file that is not a valid report.
func CheckJSON(r io.Reader) ([]Failure, error) {
	rep, err := ReadJSON(r)
	if err != nil {
		return nil, err
	}
	return Check(rep, nil), nil
}

// Examination is what checking one report file finds: the report as far as it could be read,
// the problems of reading it (errors and warnings) and the failures of its checks.
type Examination struct {
	Name     string
	Report   *Report // nil when nothing could be read
	Problems []Problem
	Failures []Failure
}

// Examine reads a report file with Read and checks what it could read with Check (against
// previous, if not nil), so that a person fixing the file sees every reading problem and every
// failed check at once. Failures of RuleRows are left out: Read reports missing and unknown rows.
func Examine(name string, data []byte, previous *Report) Examination {
	e := Examination{Name: name}
	e.Report, e.Problems = Read(name, data)
	if e.Report == nil {
		return e
	}
	for _, f := range Check(e.Report, previous) {
		if f.Rule != RuleRows {
			e.Failures = append(e.Failures, f)
		}
	}
	return e
}

// Errors returns the number of reading errors and failed checks.
func (e Examination) Errors() int { return len(Errors(e.Problems)) + len(e.Failures) }

// Passed reports whether the file was read without error and passes every check.
func (e Examination) Passed() bool { return e.Errors() == 0 }

// joinInts returns the values joined with "+".
func joinInts(vs []int) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, "+")
}
