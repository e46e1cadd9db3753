package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

// The page of one request: what the applicant gave, the reply deadline and how it was computed,
// the history, and a form per transition the user may take now.

// outcomeGroups are the blocks of Table 三 by the group names of workflow.RequestOutcomes.
var outcomeGroups = map[string]string{"不予公开": "（三）", "无法提供": "（四）", "不予处理": "（五）", "其他处理": "（六）"}

// outcomeTitle names an outcome as Table 三 does: its block, and its row within the block.
func outcomeTitle(o requests.RequestOutcome) string {
	if o.Group == "" {
		return o.Label
	}
	return o.Group + "：" + o.Label
}

// outcomeOptions are the outcomes staff may choose, grouped as the blocks of Table 三; the ones
// the system records when a deadline lapses are not offered.
func outcomeOptions() []optionGroup {
	var out []optionGroup
	for _, o := range requests.RequestOutcomes() {
		if o.System {
			continue
		}
		label := o.Label
		group := ""
		if o.Group != "" {
			group = outcomeGroups[o.Group] + o.Group
			if _, row, ok := strings.Cut(o.Key, ")"); ok && row != "" {
				label = row + ". " + o.Label
			}
		} else if _, block, ok := strings.Cut(o.Key, "("); ok {
			label = "（" + strings.TrimSuffix(block, ")") + "）" + o.Label
		}
		if len(out) == 0 || out[len(out)-1].Label != group || group == "" {
			out = append(out, optionGroup{Label: group})
		}
		out[len(out)-1].Options = append(out[len(out)-1].Options, option{Value: o.Key, Label: label})
	}
	return out
}

// requestForm builds the form of transition t on r; monthCount and feeHint are the applicant's
// requests that month and the fee per request it allows, which the fee box explains.
func (s *Site) requestForm(def *workflow.Definition, r requests.Request, t workflow.TransitionView, monthCount, feeHint int) formAction {
	fee := fmt.Sprintf("该申请人当月第 %d 件申请；按件计收的，每月 10 件以内不收费（《政府信息公开信息处理费管理办法》）。", monthCount)
	if feeHint != 0 {
		fee = fmt.Sprintf("该申请人当月第 %d 件申请；按件计收的标准为每件 %d 元（《政府信息公开信息处理费管理办法》）。", monthCount, feeHint)
	}
	return formOf(formSpec{Def: def, Meta: latest(s.Requests.Engine.Registry(), def), State: r.State, Facts: r.Facts,
		Today: workflow.DateOf(s.now()), FormID: "req-act-" + t.Name, Help: map[string]string{"fee_amount": fee},
		Choices: map[string][]optionGroup{"outcome": outcomeOptions()}}, t)
}

// replyView is the reply deadline as the request page shows it.
type replyView struct {
	Due           string
	Total         int
	Suspended     bool
	SuspendReason string
	Provisional   bool
	Explanation   string
	Overdue       bool
}

type requestPageView struct {
	R                  requests.Request
	StateLabel         string
	ApplicantType      string
	ChannelLabel       string
	ChannelRule        string
	ReceivedLabel      string
	Description        []string
	Reply              *replyView
	SupplementNoticeBy string
	MonthCount         int
	FeeHint            int
	Outcome            string
	ReplyLetter        []string
	Facts              []factRow
	History            []historyView
	Deadlines          []deadlineView
	Actions            []formAction
	Flash              string
	Error              string
	Conflict           bool
	CanCase            bool
	OnRequest          *onRequestView // documents available on request (onrequest.go)
}

// requestFactLabels name the facts of a request shown under 办理情况, in the order of the flow.
var requestFactLabels = []struct{ name, label string }{
	{"accepted_on", "确认申请内容明确"},
	{"supplement_requested_on", "补正通知发出日期"},
	{"supplement_items", "需要补正的事项"},
	{"supplement_by", "补正期限"},
	{"supplemented_on", "收到补正的日期"},
	{"consult_kind", "征求意见对象"},
	{"consultee", "被征求意见的单位或个人"},
	{"consult_started_on", "征求意见发出日期"},
	{"consult_result", "征求意见结果"},
	{"pauses", "不计入答复期限的时段"},
	{"fee_amount", "收费金额（元）"},
	{"fee_notified_on", "收费通知发出日期"},
	{"pay_by", "缴费期限"},
	{"fee_paid_on", "缴费日期"},
	{"extension_requested_on", "申请延期日期"},
	{"extension_requested_days", "申请延长（工作日）"},
	{"extension_reason", "延期理由"},
	{"extension_days", "已延长（工作日）"},
	{"extension_approved_on", "延期批准日期"},
	{"extension_approved_by", "延期批准人"},
	{"closed_on", "办结日期"},
	{"answered_by", "答复人"},
}

// requestFactValue shows a fact in words.
func requestFactValue(name, v string) string {
	switch name {
	case "consult_kind":
		return requests.PauseLabel(v)
	case "pauses":
		ps, err := requests.ParsePauses(v)
		if err != nil {
			return v
		}
		parts := make([]string, 0, len(ps))
		for _, p := range ps {
			parts = append(parts, fmt.Sprintf("%s %s 至 %s", requests.PauseLabel(p.Kind), p.From, p.To))
		}
		return strings.Join(parts, "；")
	case "outcome":
		if o, ok := requests.RequestOutcomeOf(v); ok {
			return outcomeTitle(o)
		}
	case "channel":
		if ch, ok := requests.RequestChannelOf(v); ok {
			return ch.Label
		}
	}
	return v
}

// requestDeadlineLabels name the deadlines of a request.
var requestDeadlineLabels = map[string]string{
	"reply_due":        "答复期限",
	"supplement_due":   "补正期限",
	"consultation_due": "征求意见答复期限",
	"payment_due":      "缴费期限",
}

// requestDataLabels name the audit data of a request that are not inputs of its flow.
var requestDataLabels = map[string]string{"receipt_no": "受理编号", "channel": "申请渠道", "received_on": "收到申请日期",
	"answered_on": "收到答复的日期", "document": "关联文件", "document_id": "文件编号"}

// hiddenRequestData are inputs the use case derives from others; the history shows the others.
var hiddenRequestData = map[string]bool{"supplement_due_at": true, "pay_due_at": true}

// requestHistoryData lists an audit entry's data with Chinese labels, the outcome and the
// consulted party in words.
func requestHistoryData(def *workflow.Definition, data map[string]string) []factRow {
	return dataRows(data, hiddenRequestData, func(k, v string) (string, string) {
		label, ok := requestDataLabels[k]
		if !ok {
			label = def.InputLabel(k)
		}
		return label, requestFactValue(k, v)
	})
}

// loadRequestPage builds the page of request id for the signed-in user.
func (s *Site) loadRequestPage(c *gin.Context, id int64) (requestPageView, error) {
	st := *staffOf(c)
	d, err := s.Requests.Detail(c.Request.Context(), st.Actor(), id)
	if err != nil {
		return requestPageView{}, err
	}
	r := d.Request
	v := requestPageView{R: r, StateLabel: d.StateLabel, ApplicantType: applicantTypeLabel(r.ApplicantType),
		Description: paragraphs(r.Description), MonthCount: d.MonthCount, FeeHint: d.FeeHint, ReplyLetter: paragraphs(r.Facts["reply_letter"]),
		CanCase: s.Cases != nil && s.Authz.Can(st.Username, r.Unit, "case:record")}
	v.ChannelLabel, v.ReceivedLabel = r.Channel, "收到申请日期"
	if ch, ok := requests.RequestChannelOf(r.Channel); ok {
		v.ChannelLabel, v.ChannelRule = ch.Label, ch.Rule
	}
	if d.Outcome.Key != "" {
		v.Outcome = outcomeTitle(d.Outcome)
	}
	if d.Reply != nil {
		v.Reply = &replyView{Due: d.Reply.Due.String(), Total: d.Reply.Total, Suspended: d.Reply.Suspended,
			SuspendReason: d.Reply.SuspendReason, Provisional: d.Reply.Provisional, Explanation: d.Reply.Explanation(), Overdue: d.Overdue}
	}
	if !d.SupplementNoticeBy.Due.IsZero() {
		v.SupplementNoticeBy = d.SupplementNoticeBy.Due.String()
	}
	for _, f := range requestFactLabels {
		if val := r.Facts[f.name]; val != "" {
			v.Facts = append(v.Facts, factRow{Label: f.label, Value: requestFactValue(f.name, val)})
		}
	}
	for _, dl := range d.Deadlines {
		if strings.HasSuffix(dl.Name, ".remind") {
			continue
		}
		dv := s.toDeadlineView(dl, nil)
		if l, ok := requestDeadlineLabels[dl.Name]; ok {
			dv.Label = l
		}
		v.Deadlines = append(v.Deadlines, dv)
	}
	for i := len(d.History) - 1; i >= 0; i-- {
		h := d.History[i]
		hv := historyView{Name: h.Action, At: h.At, Actor: h.ActorName, Action: d.Transitions[h.Action]}
		if hv.Action == "" {
			hv.Action = auditLabel(d.Definition, h)
		}
		if h.Action == "create" && r.CreatedBy == 0 {
			hv.Action = "在线提交申请"
		}
		if h.FromState != h.ToState && h.FromState != "" && h.ToState != "" {
			hv.From, hv.To = d.Definition.StateLabel(h.FromState), d.Definition.StateLabel(h.ToState)
		}
		hv.Data = requestHistoryData(d.Definition, h.Data)
		v.History = append(v.History, hv)
	}
	for _, t := range d.Available {
		v.Actions = append(v.Actions, s.requestForm(d.Definition, r, t, d.MonthCount, d.FeeHint))
	}
	return v, s.onRequestSection(c, &v)
}

// requestPage shows one request to staff: everything the applicant gave, the reply deadline and
// how it was computed, the history and deadlines, and a form per transition the user may take.
func (s *Site) requestPage(c *gin.Context) {
	_, v, ok := pageByID(s, c, s.loadRequestPage)
	if !ok {
		return
	}
	if done := c.Query("done"); done == "registered" {
		v.Flash = "申请已登记，受理编号 " + v.R.ReceiptNo + "。"
	} else {
		v.Flash = doneFlash(v.History, done)
	}
	s.render(c, http.StatusOK, "console_request", v)
}

// fireRequest takes a transition from its form. On success it goes back to the request; a refusal
// shows the page again with the message beside the form and what was typed kept.
func (s *Site) fireRequest(c *gin.Context) {
	st := *staffOf(c)
	fireForm(s, c, transitionPage[requestPageView]{page: "console_request", load: s.loadRequestPage,
		actions: func(v *requestPageView) []formAction { return v.Actions },
		fire: func(id int64, version int, name string, in workflow.Input) error {
			if version <= 0 {
				return &workflow.Error{Code: workflow.EInputMissing, Message: "表单缺少版本号，请刷新页面后重试"}
			}
			_, err := s.Requests.Fire(c.Request.Context(), st.Actor(), id, version, name, in)
			return err
		},
		next: func(id int64, name string) string {
			return fmt.Sprintf("/console/requests/%d?done=%s", id, url.QueryEscape(name))
		},
		refused: func(v *requestPageView, _, msg string, conflict bool) { v.Error, v.Conflict = msg, conflict }})
}
