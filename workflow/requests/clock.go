package requests

// The reply clock of a disclosure request (依申请公开), as pure functions over the calendar: the
// statutory periods of 《政府信息公开条例》第30–34条 and how pauses, a supplement and an extension
// move the reply due date. The request workflow that uses it is still to come.

import (
	"fmt"
	"slices"
	"strings"

	"wugongkai/workflow"
)

// The statutory periods of a disclosure request (依申请公开), in working days.
const (
	// RequestReplyDays is the reply period: 20 working days from receipt (《条例》第33条).
	RequestReplyDays = 20
	// RequestMaxExtensionDays is the longest extension, granted once with the disclosure office
	// head's approval and a notice to the applicant (第33条).
	RequestMaxExtensionDays = 20
	// RequestSupplementNoticeDays is how long the office has to ask, once, for a supplement to an
	// unclear request (第30条).
	RequestSupplementNoticeDays = 7
	// RequestConsultationDays is how long a third party (第32条) or a co-making agency (第34条)
	// has to answer a consultation: the longest a consultation keeps the reply clock stopped.
	RequestConsultationDays = 15
	// RequestRemindBefore is how many working days before the reply is due the office is reminded.
	RequestRemindBefore = 5
)

// The pause kinds of the reply clock: time that does not count towards the reply period.
const (
	PauseThirdParty = "third_party" // consulting a third party (《条例》第32条, 第33条第三款)
	PauseCoMaker    = "co_maker"    // consulting a co-making agency (第34条, 第33条第三款)
	PauseFee        = "fee"         // from the fee notice to the payment (信息处理费, see PauseLabel)
)

// PauseLabel returns the Chinese name of a pause kind.
func PauseLabel(kind string) string {
	switch kind {
	case PauseThirdParty:
		return "征求第三方意见"
	case PauseCoMaker:
		return "征求其他机关意见"
	case PauseFee:
		return "等待缴纳信息处理费"
	}
	return kind
}

// Pause is one stretch of time that does not count towards the reply period: a consultation from
// the day the letter was sent to the day the answer arrived, or a fee notice from the day it was
// sent to the day the fee was paid. The day From still counts; the days after it up to and
// including To do not, and the clock resumes the day after To (as it starts the day after
// receipt). To is the zero Date while the pause lasts.
type Pause struct {
	Kind     string
	From, To workflow.Date
}

// RequestClock is what the reply deadline of a request depends on.
type RequestClock struct {
	Received      workflow.Date // the receipt date (《条例》第31条)
	Supplemented  workflow.Date // the day the supplement arrived (第30条): the clock restarts from it; zero if none
	Pauses        []Pause       // consultations and fee notices, in any order
	ExtensionDays int           // the approved extension (第33条), 0 if none
}

// PauseSpan is one pause as the reply deadline counted it.
type PauseSpan struct {
	Pause
	Until  workflow.Date // the last excluded day: To, or for an open consultation the projected end
	Days   int           // working days excluded
	Open   bool          // the pause still lasts; Until and Days are projected
	Capped bool          // a consultation was cut to RequestConsultationDays
	Late   bool          // it began after the reply was already due, so it excluded nothing
}

// ReplyDeadline is a request's reply due date with how it was counted. When Suspended, the
// clock does not run (waiting for a supplement or for a fee) and Due is the zero Date.
type ReplyDeadline struct {
	Start         workflow.Date // the day the count starts from (not counted): receipt or supplement
	Restarted     bool          // Start is the day the supplement arrived
	Pauses        []PauseSpan
	ExtensionDays int
	Total         int            // RequestReplyDays + excluded pause days + ExtensionDays
	Count         workflow.Count // Total working days after Start
	Due           workflow.Date
	Provisional   bool
	Suspended     bool
	SuspendReason string
}

// excludedDays counts the working days after from up to and including to.
func excludedDays(c *workflow.Calendar, from, to workflow.Date) int {
	n := 0
	for d := from.AddDays(1); !d.After(to); d = d.AddDays(1) {
		if w, _ := c.IsWorkingDay(d); w {
			n++
		}
	}
	return n
}

// ReplyDeadlineOf computes the reply due date of a request: RequestReplyDays working days after
// the receipt date, or after the day the supplement arrived (《条例》第30条, 第33条), not
// counting the day itself; plus the working days of each consultation and fee pause (a
// consultation counts at most RequestConsultationDays: the consulted party has that long, 第32条
// and 第34条; an open one is projected to its full length, so the due date shown is the latest
// possible); plus the approved extension. A pause that begins after the reply was already due
// excludes nothing: a stopped clock that has run out does not run again. The result explains
// itself with Text and Explanation.
func ReplyDeadlineOf(c *workflow.Calendar, rc RequestClock) ReplyDeadline {
	out := ReplyDeadline{Start: rc.Received, ExtensionDays: rc.ExtensionDays}
	if !rc.Supplemented.IsZero() && rc.Supplemented.After(rc.Received) {
		out.Start, out.Restarted = rc.Supplemented, true
	}
	pauses := slices.Clone(rc.Pauses)
	slices.SortStableFunc(pauses, func(a, b Pause) int { return a.From.Compare(b.From) })
	total := RequestReplyDays
	for _, p := range pauses {
		span := PauseSpan{Pause: p, Until: p.To, Open: p.To.IsZero()}
		from := p.From
		if from.Before(out.Start) {
			from = out.Start
		}
		consultation := p.Kind == PauseThirdParty || p.Kind == PauseCoMaker
		if consultation {
			limit := c.AddWorkingDays(p.From, RequestConsultationDays).Due
			if span.Open || span.Until.After(limit) {
				span.Capped = !span.Open
				span.Until = limit
			}
		}
		due := c.AddWorkingDays(out.Start, total).Due
		switch {
		case !from.Before(due):
			span.Late = true
		case span.Open && !consultation:
			out.Suspended = true
			out.SuspendReason = PauseLabel(p.Kind)
		default:
			span.Days = excludedDays(c, from, span.Until)
			total += span.Days
		}
		out.Pauses = append(out.Pauses, span)
	}
	total += rc.ExtensionDays
	out.Total = total
	if out.Suspended {
		return out
	}
	out.Count = c.AddWorkingDays(out.Start, total)
	out.Due = out.Count.Due
	out.Provisional = out.Count.Provisional
	return out
}

// ReminderOf returns the count of the reminder sent before days working days before the reply is
// due, and false when the period is too short for one.
func ReminderOf(c *workflow.Calendar, d ReplyDeadline, before int) (workflow.Count, bool) {
	if d.Suspended || before <= 0 || d.Total <= before {
		return workflow.Count{}, false
	}
	return c.AddWorkingDays(d.Start, d.Total-before), true
}

// breakdown returns the steps of the count, one Chinese phrase each.
func (d ReplyDeadline) breakdown() []string {
	var parts []string
	if d.Restarted {
		parts = append(parts, fmt.Sprintf("申请人于 %s 补正，答复期限自补正之日重新起算（当日不计）%d 个工作日", d.Start, RequestReplyDays))
	} else {
		parts = append(parts, fmt.Sprintf("自收到申请之日 %s 起算（当日不计）%d 个工作日", d.Start, RequestReplyDays))
	}
	for _, p := range d.Pauses {
		label := PauseLabel(p.Kind)
		switch {
		case p.Late:
			parts = append(parts, fmt.Sprintf("%s（%s 起）开始时答复期限已届满，不再顺延", label, p.From))
		case p.Open && p.Kind == PauseFee:
			parts = append(parts, fmt.Sprintf("%s：自 %s 发出收费通知起暂停计算，缴费后继续计算", label, p.From))
		case p.Open:
			parts = append(parts, fmt.Sprintf("%s：自 %s 发出起尚未答复，按最长 %d 个工作日（至 %s）预计，不计入期限", label, p.From, RequestConsultationDays, p.Until))
		case p.Capped:
			parts = append(parts, fmt.Sprintf("%s %s 至 %s，按最长 %d 个工作日（至 %s）不计入期限", label, p.From, p.To, RequestConsultationDays, p.Until))
		default:
			parts = append(parts, fmt.Sprintf("%s %s 至 %s，%d 个工作日不计入期限", label, p.From, p.To, p.Days))
		}
	}
	if d.ExtensionDays > 0 {
		parts = append(parts, fmt.Sprintf("经政府信息公开工作机构负责人同意延长 %d 个工作日", d.ExtensionDays))
	}
	return parts
}

// Explanation summarises the count in one Chinese paragraph for staff and notices: the start, each
// pause, the extension, the due date and the official days off and make-up days it met.
func (d ReplyDeadline) Explanation() string {
	var b strings.Builder
	b.WriteString(strings.Join(d.breakdown(), "；"))
	if d.Suspended {
		fmt.Fprintf(&b, "。目前%s，答复期限暂停计算。", d.SuspendReason)
		return b.String()
	}
	fmt.Fprintf(&b, "；合计 %d 个工作日，于 %s 到期", d.Total, d.Due)
	if len(d.Count.Holidays) > 0 {
		fmt.Fprintf(&b, "；跳过法定节假日 %d 天（%s）", len(d.Count.Holidays), workflow.DayRanges(d.Count.Holidays))
	}
	if len(d.Count.MakeUpDays) > 0 {
		dates := make([]string, len(d.Count.MakeUpDays))
		for i, m := range d.Count.MakeUpDays {
			dates[i] = m.Date.String()
		}
		fmt.Fprintf(&b, "；调休上班日 %s 计为工作日", strings.Join(dates, "、"))
	}
	b.WriteString("。")
	if d.Provisional {
		fmt.Fprintf(&b, "其中 %s 年的节假日安排尚未载入，暂按周一至周五计算，载入后重新计算。", workflow.JoinYears(d.Count.MissingYears))
	}
	return b.String()
}

// Text explains the count line by line: first the due date alone (YYYY-MM-DD, or "暂停计算"),
// then each step, then the skipped days off and counted make-up days as Count.Text lists them.
func (d ReplyDeadline) Text() string {
	if d.Suspended {
		return strings.Join(append([]string{"暂停计算"}, d.breakdown()...), "\n")
	}
	lines := []string{d.Due.String()}
	lines = append(lines, d.breakdown()...)
	lines = append(lines, fmt.Sprintf("合计 %d 个工作日", d.Total))
	if ct := strings.Split(d.Count.Text(), "\n"); len(ct) > 2 {
		lines = append(lines, ct[2:]...)
	}
	return strings.Join(lines, "\n")
}

// FormatPauses writes completed pauses as a fact value: "kind:from:to" joined by ";".
func FormatPauses(ps []Pause) string {
	parts := make([]string, 0, len(ps))
	for _, p := range ps {
		parts = append(parts, p.Kind+":"+p.From.String()+":"+p.To.String())
	}
	return strings.Join(parts, ";")
}

// ParsePauses reads a fact value written by FormatPauses.
func ParsePauses(s string) ([]Pause, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []Pause
	for _, part := range strings.Split(s, ";") {
		f := strings.Split(part, ":")
		if len(f) != 3 {
			return nil, fmt.Errorf("parse pause %q: want kind:from:to", part)
		}
		from, err := workflow.ParseDate(f[1])
		if err != nil {
			return nil, fmt.Errorf("parse pause %q: %w", part, err)
		}
		to, err := workflow.ParseDate(f[2])
		if err != nil {
			return nil, fmt.Errorf("parse pause %q: %w", part, err)
		}
		out = append(out, Pause{Kind: f[0], From: from, To: to})
	}
	return out, nil
}

// FeeFor returns the information-processing fee (信息处理费, 按件计收) in yuan for the nth request
// an applicant filed in one calendar month: the first 10 are free, the 11th to 30th cost 100 yuan
// each, and from the 31st each further band of 10 costs 100 yuan more (《政府信息公开信息处理费管
// 理办法》第四条). Whether to charge at all is the office's decision.
func FeeFor(nth int) int {
	switch {
	case nth <= 10:
		return 0
	case nth <= 30:
		return 100
	default:
		return 100 + 100*((nth-31)/10+1)
	}
}
