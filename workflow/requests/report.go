package requests

import (
	"time"
)

// ReportFigure is one Table 二 row of the annual report the disclosure office enters: its block
// (e.g. "第二十条第（五）项"), its label and one value per column after 信息内容 (nil = blank).
type ReportFigure struct {
	Item   string
	Label  string
	Values []*float64
}

// ReportInputs is what the disclosure office writes for a year's annual report: the text of
// sections 一, 五 and 六 and the Table 二 figures the system does not count. Once the report is
// marked final (Final), it no longer changes.
type ReportInputs struct {
	Year        int
	Version     int // 0 before anything was saved
	Sections    map[string]string
	Figures     []ReportFigure
	UpdatedAt   time.Time
	UpdatedBy   string
	Final       bool
	FinalizedAt time.Time
	FinalizedBy string
}
