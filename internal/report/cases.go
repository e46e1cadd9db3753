package report

// The case kinds of Table 四.
const (
	CaseReconsideration                = "reconsideration"                  // 行政复议
	CaseLitigationDirect               = "litigation_direct"                // 行政诉讼 未经复议直接起诉
	CaseLitigationAfterReconsideration = "litigation_after_reconsideration" // 行政诉讼 复议后起诉
)

// The case outcome codes of Table 四.
const (
	OutcomeUpheld    = "upheld"    // 结果维持
	OutcomeCorrected = "corrected" // 结果纠正
	OutcomeOther     = "other"     // 其他结果
	OutcomePending   = "pending"   // 尚未审结
)

// CaseCounts is one block of Table 四: the four outcome columns and their total.
type CaseCounts struct {
	Upheld    int // 结果维持
	Corrected int // 结果纠正
	Other     int // 其他结果
	Pending   int // 尚未审结
	Total     int // 总计
}

// values returns the five cells in column order.
func (c CaseCounts) values() [5]int {
	return [5]int{c.Upheld, c.Corrected, c.Other, c.Pending, c.Total}
}

// caseColumnLabels returns the five column heads of a Table 四 block in order.
func caseColumnLabels() [5]string {
	return [5]string{"结果维持", "结果纠正", "其他结果", "尚未审结", "总计"}
}

// ReviewLitigation is Table 四, 政府信息公开行政复议、行政诉讼情况.
type ReviewLitigation struct {
	Reconsideration                CaseCounts // 行政复议
	LitigationDirect               CaseCounts // 行政诉讼：未经复议直接起诉
	LitigationAfterReconsideration CaseCounts // 行政诉讼：复议后起诉
}

// caseBlock is one block of Table 四 with its label, for checks and rendering.
type caseBlock struct {
	label  string // "行政复议", "未经复议直接起诉", "复议后起诉"
	counts CaseCounts
}

// blocks returns the three blocks in table order.
func (rl ReviewLitigation) blocks() [3]caseBlock {
	return [3]caseBlock{
		{"行政复议", rl.Reconsideration},
		{"未经复议直接起诉", rl.LitigationDirect},
		{"复议后起诉", rl.LitigationAfterReconsideration},
	}
}

// block returns the block of case kind, or nil for an unknown kind.
func (rl *ReviewLitigation) block(kind string) *CaseCounts {
	switch kind {
	case CaseReconsideration:
		return &rl.Reconsideration
	case CaseLitigationDirect:
		return &rl.LitigationDirect
	case CaseLitigationAfterReconsideration:
		return &rl.LitigationAfterReconsideration
	}
	return nil
}
