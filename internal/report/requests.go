package report

import "strings"

// The applicant type codes, in the column order of Table 三.
const (
	ApplicantNatural      = "natural"       // 自然人
	ApplicantCommercial   = "commercial"    // 商业企业
	ApplicantResearch     = "research"      // 科研机构
	ApplicantNonprofit    = "nonprofit"     // 社会公益组织
	ApplicantLegalService = "legal_service" // 法律服务机构
	ApplicantOther        = "other"         // 其他 (法人或其他组织)
)

// The column indexes of Counts: the six applicant types in table order, then the total.
const (
	ColNatural = iota
	ColCommercial
	ColResearch
	ColNonprofit
	ColLegalService
	ColOther
	ColTotal

	numCols // the number of columns of Table 三
)

// ApplicantType is one applicant column of Table 三.
type ApplicantType struct {
	Code  string // e.g. "natural"
	Label string // e.g. "自然人"
}

// ApplicantTypes returns the six applicant types in the column order of Table 三. The last five
// are grouped under 法人或其他组织.
func ApplicantTypes() []ApplicantType {
	return []ApplicantType{
		{ApplicantNatural, "自然人"},
		{ApplicantCommercial, "商业企业"},
		{ApplicantResearch, "科研机构"},
		{ApplicantNonprofit, "社会公益组织"},
		{ApplicantLegalService, "法律服务机构"},
		{ApplicantOther, "其他"},
	}
}

// applicantColumn returns the column index of applicant code, or -1 for an unknown code.
func applicantColumn(code string) int {
	switch code {
	case ApplicantNatural:
		return ColNatural
	case ApplicantCommercial:
		return ColCommercial
	case ApplicantResearch:
		return ColResearch
	case ApplicantNonprofit:
		return ColNonprofit
	case ApplicantLegalService:
		return ColLegalService
	case ApplicantOther:
		return ColOther
	}
	return -1
}

// columnLabel returns the Chinese label of column index c of Table 三.
func columnLabel(c int) string {
	if c == ColTotal {
		return "总计"
	}
	return ApplicantTypes()[c].Label
}

// Counts is one row of Table 三: the six applicant columns (ColNatural … ColOther) and the
// total (ColTotal).
type Counts [ColTotal + 1]int

// sumApplicants returns the sum of the six applicant columns.
func (c Counts) sumApplicants() int {
	s := 0
	for i := range ColTotal {
		s += c[i]
	}
	return s
}

// Requests is Table 三, 收到和处理政府信息公开申请情况. Rows is keyed by the row keys of
// RequestRowKeys for the report's format; a missing row reads as zeros.
type Requests struct {
	Rows map[string]Counts
}

// Row returns the row with key, or zeros when it is missing.
func (q Requests) Row(key string) Counts { return q.Rows[key] }

// RowOther is the single 三(六) 其他处理 row of the 2019 format. Some published reports in the 2021
// format keep it instead of 三(六)1 to 三(六)3; SingleOther tells them apart.
const RowOther = "三(六)"

// SingleOther reports whether q, a Table 三 in format, holds the single 三(六) 其他处理 row of the
// 2019 layout: always in the 2019 format, and in the 2021 format when the row 三(六) is present and
// none of 三(六)1 to 三(六)3 is.
func (q Requests) SingleOther(format string) bool {
	switch format {
	case Format2019:
		return true
	case Format2021:
		if _, ok := q.Rows[RowOther]; !ok {
			return false
		}
		for _, k := range []string{"三(六)1", "三(六)2", "三(六)3"} {
			if _, ok := q.Rows[k]; ok {
				return false
			}
		}
		return true
	}
	return false
}

// RowKeys returns the keys of q's rows in table order: RequestRowKeys(format), except that a
// 2021 table that keeps the single 三(六) row (see SingleOther) has the rows of the 2019 layout.
func (q Requests) RowKeys(format string) []string {
	if format == Format2021 && q.SingleOther(format) {
		return RequestRowKeys(Format2019)
	}
	return RequestRowKeys(format)
}

// OutcomeKeys returns the keys of q's outcome rows in table order, as RowKeys does for all rows.
func (q Requests) OutcomeKeys(format string) []string {
	if format == Format2021 && q.SingleOther(format) {
		return OutcomeKeys(Format2019)
	}
	return OutcomeKeys(format)
}

// The keys of the rows of Table 三 that are not outcomes.
const (
	RowReceived   = "一"    // 本年新收政府信息公开申请数量
	RowCarriedIn  = "二"    // 上年结转政府信息公开申请数量
	RowResultsSum = "三(七)" // 总计 of the year's results
	RowCarriedOut = "四"    // 结转下年度继续办理
)

// RequestRowKeys returns the keys of the data rows of Table 三 in table order for format, or
// nil for an unknown format. The 2019 format has one row 三(六) (其他处理); the 2021 format
// splits it into 三(六)1 to 三(六)3.
func RequestRowKeys(format string) []string {
	if !validFormat(format) {
		return nil
	}
	keys := []string{RowReceived, RowCarriedIn}
	keys = append(keys, OutcomeKeys(format)...)
	return append(keys, RowResultsSum, RowCarriedOut)
}

// OutcomeKeys returns the keys of the leaf rows of 三、本年度办理结果 for format, in table order:
// the outcomes a closed request is counted under. It returns nil for an unknown format.
func OutcomeKeys(format string) []string {
	if !validFormat(format) {
		return nil
	}
	keys := []string{
		"三(一)", "三(二)",
		"三(三)1", "三(三)2", "三(三)3", "三(三)4", "三(三)5", "三(三)6", "三(三)7", "三(三)8",
		"三(四)1", "三(四)2", "三(四)3",
		"三(五)1", "三(五)2", "三(五)3", "三(五)4", "三(五)5",
	}
	if format == Format2019 {
		return append(keys, "三(六)")
	}
	return append(keys, "三(六)1", "三(六)2", "三(六)3")
}

// RequestRowLabel returns the official label of a row of Table 三 without its number, e.g.
// "属于国家秘密" for "三(三)1", or "" for an unknown key. It also knows the group rows that carry
// no figures of their own: "三" (本年度办理结果), "三(三)", "三(四)", "三(五)" and, in the 2021
// format, "三(六)".
func RequestRowLabel(key string) string {
	switch key {
	case "一":
		return "本年新收政府信息公开申请数量"
	case "二":
		return "上年结转政府信息公开申请数量"
	case "三":
		return "本年度办理结果"
	case "三(一)":
		return "予以公开"
	case "三(二)":
		return "部分公开（区分处理的，只计这一情形，不计其他情形）"
	case "三(三)":
		return "不予公开"
	case "三(三)1":
		return "属于国家秘密"
	case "三(三)2":
		return "其他法律行政法规禁止公开"
	case "三(三)3":
		return "危及“三安全一稳定”"
	case "三(三)4":
		return "保护第三方合法权益"
	case "三(三)5":
		return "属于三类内部事务信息"
	case "三(三)6":
		return "属于四类过程性信息"
	case "三(三)7":
		return "属于行政执法案卷"
	case "三(三)8":
		return "属于行政查询事项"
	case "三(四)":
		return "无法提供"
	case "三(四)1":
		return "本机关不掌握相关政府信息"
	case "三(四)2":
		return "没有现成信息需要另行制作"
	case "三(四)3":
		return "补正后申请内容仍不明确"
	case "三(五)":
		return "不予处理"
	case "三(五)1":
		return "信访举报投诉类申请"
	case "三(五)2":
		return "重复申请"
	case "三(五)3":
		return "要求提供公开出版物"
	case "三(五)4":
		return "无正当理由大量反复申请"
	case "三(五)5":
		return "要求行政机关确认或重新出具已获取信息"
	case "三(六)":
		return "其他处理"
	case "三(六)1":
		return "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
	case "三(六)2":
		return "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
	case "三(六)3":
		return "其他"
	case "三(七)":
		return "总计"
	case "四":
		return "结转下年度继续办理"
	}
	return ""
}

// requestRowDisplay returns the label of row key as printed in the table, with its number:
// "一、本年新收…", "（一）予以公开", "1.属于国家秘密".
func requestRowDisplay(key string) string {
	label := RequestRowLabel(key)
	if label == "" {
		return ""
	}
	rest, ok := strings.CutPrefix(key, "三(")
	if !ok {
		return key + "、" + label
	}
	group, leaf, _ := strings.Cut(rest, ")")
	if leaf == "" {
		return "（" + group + "）" + label
	}
	return leaf + "." + label
}

// requestGroup returns the group key of a leaf row key ("三(三)" for "三(三)4"), or "" for a
// row that is not in a numbered group.
func requestGroup(key string) string {
	rest, ok := strings.CutPrefix(key, "三(")
	if !ok {
		return ""
	}
	group, leaf, _ := strings.Cut(rest, ")")
	if leaf == "" {
		return ""
	}
	return "三(" + group + ")"
}

// otherFormat returns the format that is not format.
func otherFormat(format string) string {
	if format == Format2019 {
		return Format2021
	}
	return Format2019
}
