package workflow_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"wugongkai/workflow"
)

func mustEngine(tb testing.TB) *workflow.Engine {
	tb.Helper()
	return workflow.NewEngine(mustRegistry(tb), testGuards(), mustCalendar(tb))
}

var (
	drafter = workflow.Actor{UserID: 11, Username: "li", Name: "李起草"}
	leader  = workflow.Actor{UserID: 12, Username: "zhao", Name: "赵局长"}
)

// Fixed facts of the cases below.
func public() workflow.Facts { return workflow.Facts{"attribute": "主动公开"} }
func withheld() workflow.Facts {
	return workflow.Facts{"attribute": "不予公开", "grounds": "art16_process", "grounds_explanation": "过程稿"}
}

// consulted are the facts of a decision draft whose period runs 21 Sep 09:00 – 23 Oct 18:00 2026.
func consulted(extra ...string) workflow.Facts {
	f := workflow.Facts{"opens_at": "2026-09-21T01:00:00Z", "closes_at": "2026-10-23T10:00:00Z"}
	for i := 0; i+1 < len(extra); i += 2 {
		f[extra[i]] = extra[i+1]
	}
	return f
}

func exempt(extra ...string) workflow.Facts {
	f := workflow.Facts{"consultation_exempt": "true", "exempt_reason": "涉及国家秘密，依法不予公开"}
	for i := 0; i+1 < len(extra); i += 2 {
		f[extra[i]] = extra[i+1]
	}
	return f
}

func with(f workflow.Facts, kv ...string) workflow.Facts {
	f = f.Clone()
	for i := 0; i+1 < len(kv); i += 2 {
		f[kv[i]] = kv[i+1]
	}
	return f
}

// friday is Friday 18 September 2026, 10:00 in Shanghai.
var friday = time.Date(2026, 9, 18, 10, 0, 0, 0, workflow.Shanghai)

func notify(def, role string) workflow.Effect {
	return workflow.Effect{Kind: workflow.EffectNotify, Name: def + "." + role, Role: role}
}

func cancel(name string) workflow.Effect {
	return workflow.Effect{Kind: workflow.EffectCancel, Name: name}
}

// due is a deadline effect counted from 2026-09-18 unless from is given.
func due(tb testing.TB, name string, action workflow.DeadlineAction, role, dueDate, unit string, n int, provisional bool) workflow.Effect {
	tb.Helper()
	d := mustDate(tb, dueDate)
	return workflow.Effect{Kind: workflow.EffectDeadline, Name: name, Action: action, Role: role,
		DueAt: d.End().UTC(), DueDate: d, Provisional: provisional,
		CountFrom: mustDate(tb, "2026-09-18"), CountDays: n, CountUnit: unit}
}

func fireAt(tb testing.TB, name, instant, transition string) workflow.Effect {
	tb.Helper()
	at := mustTime(tb, instant)
	return workflow.Effect{Kind: workflow.EffectDeadline, Name: name, Action: workflow.ActionFire, Transition: transition,
		DueAt: at.UTC(), DueDate: workflow.DateOf(at)}
}

// publicationDue are the effects of a 主动公开 document or decision becoming due for publication
// on Friday 18 September 2026: 20 working days → Thu 22 Oct, reminder after 15 → Thu 15 Oct.
func publicationDue(tb testing.TB) []workflow.Effect {
	return []workflow.Effect{
		due(tb, "publication_due", workflow.ActionOverdue, "disclosure_officer", "2026-10-22", "working", 20, false),
		due(tb, "publication_due.remind", workflow.ActionRemind, "disclosure_officer", "2026-10-15", "working", 15, false),
	}
}

// rereviewDue is a year after 18 Sep 2026: Sat 18 Sep 2027 runs on to Mon 20 Sep, provisional.
func rereviewDue(tb testing.TB) workflow.Effect {
	return due(tb, "rereview_due", workflow.ActionRemind, "disclosure_officer", "2027-09-20", "calendar", 365, false)
}

type fireCase struct {
	name       string
	def        string
	state      string
	facts      workflow.Facts
	transition string
	actor      workflow.Actor
	input      workflow.Input
	now        time.Time // zero = friday

	wantCode  string // error code, "" = success
	wantField string
	wantMsg   string // a part of the error message
	wantTo    string
	wantFacts workflow.Facts // the whole facts after the transition
	effects   []workflow.Effect
}

func TestFireDocument(t *testing.T) {
	op := workflow.Input{"opinion": "请补充依据"}
	tests := []fireCase{
		// submit
		{name: "submit a public draft", state: "drafting", facts: with(public(), "legal_approved", "true"), transition: "submit",
			wantTo: "unit_review", wantFacts: public(), effects: []workflow.Effect{notify("document", "unit_head")}},
		{name: "submit without an attribute", state: "drafting", facts: workflow.Facts{}, transition: "submit",
			wantCode: workflow.EGuardFailed, wantMsg: "请先标注公开属性"},
		{name: "submit withheld without grounds", state: "drafting", facts: workflow.Facts{"attribute": "不予公开"}, transition: "submit",
			wantCode: workflow.EInvalid, wantMsg: "法定理由"},
		{name: "submit withheld with grounds", state: "drafting", facts: withheld(), transition: "submit",
			wantTo: "unit_review", wantFacts: withheld(), effects: []workflow.Effect{notify("document", "unit_head")}},
		{name: "submit by the system", state: "drafting", facts: public(), transition: "submit", actor: workflow.SystemActor,
			wantCode: workflow.EForbidden, wantMsg: "须由工作人员操作"},

		// withdraw
		{name: "withdraw from unit review", state: "unit_review", facts: public(), transition: "withdraw",
			wantTo: "drafting", wantFacts: public()},
		{name: "withdraw from sign-off drops the legal approval", state: "sign_off", facts: with(withheld(), "legal_approved", "true"),
			transition: "withdraw", wantTo: "drafting", wantFacts: withheld()},

		// approve
		{name: "unit head approves a public draft", state: "unit_review", facts: public(), transition: "approve",
			wantTo: "sign_off", wantFacts: public(), effects: []workflow.Effect{notify("document", "leader")}},
		{name: "unit head approves a withheld draft", state: "unit_review", facts: withheld(), transition: "approve",
			wantTo: "legal_review", wantFacts: withheld(), effects: []workflow.Effect{notify("document", "legal_reviewer")}},
		{name: "unit head approves an untagged draft", state: "unit_review", facts: workflow.Facts{}, transition: "approve",
			wantCode: workflow.EGuardFailed, wantMsg: "依申请公开"},
		{name: "legal section approves", state: "legal_review", facts: withheld(), transition: "approve",
			wantTo: "sign_off", wantFacts: with(withheld(), "legal_approved", "true"), effects: []workflow.Effect{notify("document", "leader")}},

		// return
		{name: "return without opinion", state: "unit_review", facts: public(), transition: "return",
			input: workflow.Input{"opinion": "  "}, wantCode: workflow.EInputMissing, wantField: "opinion", wantMsg: "请填写意见"},
		{name: "unit head returns", state: "unit_review", facts: public(), transition: "return", input: op,
			wantTo: "drafting", wantFacts: public(), effects: []workflow.Effect{notify("document", "drafter")}},
		{name: "legal section returns", state: "legal_review", facts: withheld(), transition: "return", input: op,
			wantTo: "drafting", wantFacts: withheld(), effects: []workflow.Effect{notify("document", "drafter")}},
		{name: "leader returns, dropping the legal approval", state: "sign_off", facts: with(withheld(), "legal_approved", "true"),
			transition: "return", input: op, actor: leader,
			wantTo: "drafting", wantFacts: withheld(), effects: []workflow.Effect{notify("document", "drafter")}},

		// sign
		{name: "leader signs a public document", state: "sign_off", facts: public(), transition: "sign", actor: leader,
			wantTo: "awaiting_publication", wantFacts: with(public(), "signed_on", "2026-09-18", "signer", "赵局长"),
			effects: append([]workflow.Effect{notify("document", "disclosure_officer")}, publicationDue(t)...)},
		{name: "leader signs a withheld document the legal section approved", state: "sign_off",
			facts: with(withheld(), "legal_approved", "true"), transition: "sign", actor: leader,
			input:  workflow.Input{"opinion": "同意"},
			wantTo: "filed", wantFacts: with(withheld(), "legal_approved", "true", "signed_on", "2026-09-18", "signer", "赵局长"),
			effects: []workflow.Effect{rereviewDue(t)}},
		{name: "a withheld document without legal approval cannot be signed", state: "sign_off", facts: withheld(),
			transition: "sign", actor: leader, wantCode: workflow.EGuardFailed, wantMsg: "尚未经法规科审查同意"},
		{name: "signer falls back to the username", state: "sign_off", facts: public(), transition: "sign",
			actor:  workflow.Actor{UserID: 3, Username: "qian"},
			wantTo: "awaiting_publication", wantFacts: with(public(), "signed_on", "2026-09-18", "signer", "qian"),
			effects: append([]workflow.Effect{notify("document", "disclosure_officer")}, publicationDue(t)...)},
		{name: "signing late in the evening uses the Shanghai date", state: "sign_off", facts: public(), transition: "sign",
			actor: leader, now: time.Date(2026, 9, 17, 16, 30, 0, 0, time.UTC), // 00:30 on the 18th in Shanghai
			wantTo: "awaiting_publication", wantFacts: with(public(), "signed_on", "2026-09-18", "signer", "赵局长"),
			effects: append([]workflow.Effect{notify("document", "disclosure_officer")}, publicationDue(t)...)},

		// publish
		{name: "publish", state: "awaiting_publication", facts: with(public(), "signed_on", "2026-09-01"), transition: "publish",
			// Version 1 declares no catalogue inputs: the documents use case keeps them to itself.
			wantTo: "published", wantFacts: with(public(), "signed_on", "2026-09-01", "published_on", "2026-09-18"),
			effects: []workflow.Effect{cancel("publication_due")}},
		{name: "a document that is not public is never published", state: "awaiting_publication", facts: withheld(),
			transition: "publish", wantCode: workflow.EGuardFailed, wantMsg: "主动公开"},

		// re-review of filed documents
		{name: "rereview keeps it withheld", state: "filed", facts: withheld(), transition: "rereview",
			input:  workflow.Input{"opinion": "情况未变化"},
			wantTo: "filed", wantFacts: with(withheld(), "rereviewed_on", "2026-09-18"),
			effects: []workflow.Effect{cancel("rereview_due"), rereviewDue(t)}},
		{name: "rereview needs an opinion", state: "filed", facts: withheld(), transition: "rereview",
			wantCode: workflow.EInputMissing, wantField: "opinion"},
		{name: "disclose after rereview", state: "filed", facts: with(withheld(), "legal_approved", "true"), transition: "disclose",
			input:  workflow.Input{"opinion": "情况变化，可以公开"},
			wantTo: "awaiting_publication", wantFacts: workflow.Facts{"attribute": "主动公开", "legal_approved": "true", "rereviewed_on": "2026-09-18"},
			effects: append([]workflow.Effect{cancel("rereview_due"), notify("document", "disclosure_officer")}, publicationDue(t)...)},

		// errors that do not depend on the state
		{name: "unknown transition", state: "drafting", facts: public(), transition: "shred",
			wantCode: workflow.EUnknownTransition, wantMsg: "“公文”流程没有“shred”这一操作"},
		{name: "not from this state", state: "published", facts: public(), transition: "sign",
			wantCode: workflow.ETransitionNotAllowed, wantMsg: "当前状态为“已公开”，不能执行“签发”"},
	}
	runFireCases(t, "document", tests)
}

func TestFireDecision(t *testing.T) {
	op := workflow.Input{"opinion": "合法"}
	opensAt, closesAt := "2026-09-21T01:00:00Z", "2026-10-23T10:00:00Z"
	afterClose := time.Date(2026, 10, 26, 9, 0, 0, 0, workflow.Shanghai)
	tests := []fireCase{
		// submit
		{name: "submit with a valid period", state: "drafting", facts: consulted("legal_approved", "true"), transition: "submit",
			wantTo: "unit_review", wantFacts: consulted(), effects: []workflow.Effect{notify("decision", "unit_head")}},
		{name: "submit with a period under 30 days", state: "drafting", facts: consulted("closes_at", "2026-10-20T10:00:00Z"),
			transition: "submit", wantCode: workflow.EGuardFailed, wantMsg: "最早截止时间为 2026-10-21 09:00"},
		{name: "submit a shortened period with its reason", state: "drafting",
			facts: consulted("closes_at", "2026-10-01T10:00:00Z", "shortening_reason", "汛期临近，需尽快实施"), transition: "submit",
			wantTo: "unit_review", wantFacts: consulted("closes_at", "2026-10-01T10:00:00Z", "shortening_reason", "汛期临近，需尽快实施"),
			effects: []workflow.Effect{notify("decision", "unit_head")}},
		{name: "submit a period that already opened", state: "drafting", facts: consulted("opens_at", "2026-09-18T01:00:00Z"),
			transition: "submit", wantCode: workflow.EGuardFailed, wantMsg: "开始时间（2026-09-18 09:00）已过"},
		{name: "submit without a period", state: "drafting", facts: workflow.Facts{}, transition: "submit",
			wantCode: workflow.EGuardFailed, wantMsg: "请先设置征求意见"},
		{name: "submit an exempt matter the normal way", state: "drafting", facts: exempt(), transition: "submit",
			wantCode: workflow.EGuardFailed, wantMsg: "免于征求意见的程序"},
		{name: "submit an exempt matter", state: "drafting", facts: exempt("exemption_approved", "true"), transition: "submit_exempt",
			wantTo: "legality_review", wantFacts: exempt(), effects: []workflow.Effect{notify("decision", "legal_reviewer")}},
		{name: "submit an exempt matter without its reason", state: "drafting", facts: workflow.Facts{"consultation_exempt": "true"},
			transition: "submit_exempt", wantCode: workflow.EGuardFailed, wantMsg: "法定理由"},
		{name: "submit_exempt for a matter that needs comment", state: "drafting", facts: consulted(), transition: "submit_exempt",
			wantCode: workflow.EGuardFailed, wantMsg: "须先公开征求意见"},

		// unit review
		{name: "unit head approves: the consultation is scheduled", state: "unit_review", facts: consulted(), transition: "approve",
			wantTo: "consultation_scheduled", wantFacts: consulted(),
			effects: []workflow.Effect{notify("decision", "drafter"),
				fireAt(t, "consultation_opens", opensAt, "open"), fireAt(t, "consultation_closes", closesAt, "close")}},
		{name: "unit head approves after the opening passed", state: "unit_review", facts: consulted(), transition: "approve",
			now: time.Date(2026, 9, 21, 9, 0, 0, 0, workflow.Shanghai), wantCode: workflow.EGuardFailed, wantMsg: "已过"},
		{name: "unit head returns", state: "unit_review", facts: consulted(), transition: "return", input: op,
			wantTo: "drafting", wantFacts: consulted(), effects: []workflow.Effect{notify("decision", "drafter")}},
		{name: "withdraw from unit review", state: "unit_review", facts: consulted(), transition: "withdraw",
			wantTo: "drafting", wantFacts: consulted()},
		{name: "withdraw a scheduled consultation", state: "consultation_scheduled", facts: consulted(), transition: "withdraw",
			wantTo: "drafting", wantFacts: consulted(), effects: []workflow.Effect{cancel("consultation_opens"), cancel("consultation_closes")}},

		// the timed steps
		{name: "the sweep opens the consultation", state: "consultation_scheduled", facts: consulted(), transition: "open",
			actor: workflow.SystemActor, now: mustTime(t, opensAt),
			wantTo: "consultation_open", wantFacts: consulted(), effects: []workflow.Effect{notify("decision", "drafter")}},
		{name: "a user cannot open it", state: "consultation_scheduled", facts: consulted(), transition: "open",
			wantCode: workflow.EForbidden, wantMsg: "由系统按期限自动执行"},
		{name: "an early sweep does not open it", state: "consultation_scheduled", facts: consulted(), transition: "open",
			actor: workflow.SystemActor, wantCode: workflow.EClosed, wantMsg: "尚未开始"},
		{name: "the sweep closes the consultation", state: "consultation_open", facts: consulted(), transition: "close",
			actor: workflow.SystemActor, now: mustTime(t, closesAt),
			wantTo: "consultation_closed", wantFacts: consulted(), effects: []workflow.Effect{notify("decision", "drafter")}},
		{name: "a stale closing deadline does not close an extended consultation", state: "consultation_open",
			facts: consulted(), transition: "close", actor: workflow.SystemActor, now: mustTime(t, "2026-10-23T09:59:59Z"),
			wantCode: workflow.EGuardFailed, wantMsg: "尚未结束"},

		// extend
		{name: "extend", state: "consultation_open", facts: consulted(), transition: "extend",
			input:  workflow.Input{"reason": "意见较多", "closes_at": "2026-11-06T18:00:00+08:00"},
			wantTo: "consultation_open", wantFacts: consulted("closes_at", "2026-11-06T18:00:00+08:00", "extension_reason", "意见较多"),
			effects: []workflow.Effect{cancel("consultation_closes"), fireAt(t, "consultation_closes", "2026-11-06T10:00:00Z", "close")}},
		{name: "extend to an earlier time", state: "consultation_open", facts: consulted(), transition: "extend",
			input:    workflow.Input{"reason": "意见较多", "closes_at": "2026-10-23T17:00:00+08:00"},
			wantCode: workflow.EGuardFailed, wantField: "closes_at", wantMsg: "须晚于原截止时间（2026-10-23 18:00）"},
		{name: "extend with a malformed time", state: "consultation_open", facts: consulted(), transition: "extend",
			input:    workflow.Input{"reason": "意见较多", "closes_at": "下周五"},
			wantCode: workflow.EInvalid, wantField: "closes_at"},
		{name: "extend without a reason", state: "consultation_open", facts: consulted(), transition: "extend",
			input:    workflow.Input{"closes_at": "2026-11-06T18:00:00+08:00"},
			wantCode: workflow.EInputMissing, wantField: "reason", wantMsg: "请填写延长理由"},

		// after the consultation
		{name: "attach the summary", state: "consultation_closed", facts: consulted("summary_attached", "true", "legal_approved", "true"),
			transition: "attach_summary", now: afterClose,
			wantTo: "legality_review", wantFacts: consulted("summary_attached", "true"),
			effects: []workflow.Effect{notify("decision", "legal_reviewer")}},
		{name: "no summary yet", state: "consultation_closed", facts: consulted(), transition: "attach_summary", now: afterClose,
			wantCode: workflow.EGuardFailed, wantMsg: "意见采纳情况说明"},
		{name: "redraft clears the period", state: "consultation_closed", facts: consulted("summary_attached", "true", "shortening_reason", "x"),
			transition: "redraft", input: workflow.Input{"opinion": "内容大改，重新征求意见"}, now: afterClose,
			wantTo: "drafting", wantFacts: workflow.Facts{"shortening_reason": "x"}},

		// legality review
		{name: "legality review approves a consulted draft", state: "legality_review", facts: consulted("summary_attached", "true"),
			transition: "approve", input: op, now: afterClose,
			wantTo: "deciding", wantFacts: consulted("summary_attached", "true", "legal_approved", "true", "legality_opinion", "合法"),
			effects: []workflow.Effect{notify("decision", "leader")}},
		{name: "legality review needs an opinion", state: "legality_review", facts: consulted("summary_attached", "true"),
			transition: "approve", now: afterClose, wantCode: workflow.EInputMissing, wantField: "opinion"},
		{name: "legality review approves an exemption", state: "legality_review", facts: exempt(),
			transition: "approve", input: op,
			wantTo: "deciding", wantFacts: exempt("legal_approved", "true", "exemption_approved", "true", "legality_opinion", "合法"),
			effects: []workflow.Effect{notify("decision", "leader")}},
		{name: "legality review of a consultation that has not closed", state: "legality_review", facts: consulted("summary_attached", "true"),
			transition: "approve", input: op, wantCode: workflow.EGuardFailed, wantMsg: "尚未结束"},
		{name: "legal section returns a consulted draft to its summary", state: "legality_review",
			facts: consulted("summary_attached", "true"), transition: "return", input: op, now: afterClose,
			wantTo: "consultation_closed", wantFacts: consulted("summary_attached", "true"), effects: []workflow.Effect{notify("decision", "drafter")}},
		{name: "legal section returns an exempt draft", state: "legality_review", facts: exempt(), transition: "return", input: op,
			wantTo: "drafting", wantFacts: exempt(), effects: []workflow.Effect{notify("decision", "drafter")}},
		{name: "withdraw from legality review after consultation", state: "legality_review", facts: consulted("summary_attached", "true"),
			transition: "withdraw", now: afterClose, wantTo: "consultation_closed", wantFacts: consulted("summary_attached", "true")},
		{name: "withdraw an exempt draft from legality review", state: "legality_review", facts: exempt(),
			transition: "withdraw", wantTo: "drafting", wantFacts: exempt()},

		// the decision
		{name: "decide", state: "deciding", facts: consulted("summary_attached", "true", "legal_approved", "true"),
			transition: "decide", actor: leader, input: workflow.Input{"meeting": "2026年第5次局长办公会议", "decision_outcome": "通过"},
			now:    afterClose, // Mon 26 Oct 2026: 20 working days → Mon 23 Nov, the reminder after 15 → Mon 16 Nov
			wantTo: "awaiting_publication",
			wantFacts: consulted("summary_attached", "true", "legal_approved", "true",
				"decided_on", "2026-10-26", "meeting", "2026年第5次局长办公会议", "decision_outcome", "通过"),
			effects: []workflow.Effect{notify("decision", "disclosure_officer"),
				from(due(t, "publication_due", workflow.ActionOverdue, "disclosure_officer", "2026-11-23", "working", 20, false), mustDate(t, "2026-10-26")),
				from(due(t, "publication_due.remind", workflow.ActionRemind, "disclosure_officer", "2026-11-16", "working", 15, false), mustDate(t, "2026-10-26")),
			}},
		{name: "decide an exempt matter", state: "deciding", facts: exempt("legal_approved", "true", "exemption_approved", "true"),
			transition: "decide", actor: leader, input: workflow.Input{"meeting": "局长办公会议", "decision_outcome": "通过"},
			wantTo: "awaiting_publication",
			wantFacts: exempt("legal_approved", "true", "exemption_approved", "true",
				"decided_on", "2026-09-18", "meeting", "局长办公会议", "decision_outcome", "通过"),
			effects: append([]workflow.Effect{notify("decision", "disclosure_officer")}, publicationDue(t)...)},
		{name: "no decision without legality review", state: "deciding", facts: consulted("summary_attached", "true"),
			transition: "decide", actor: leader, input: workflow.Input{"meeting": "会议", "decision_outcome": "通过"}, now: afterClose,
			wantCode: workflow.EGuardFailed, wantMsg: "法规科"},
		{name: "no decision before the period closed", state: "deciding", facts: consulted("summary_attached", "true", "legal_approved", "true"),
			transition: "decide", actor: leader, input: workflow.Input{"meeting": "会议", "decision_outcome": "通过"},
			wantCode: workflow.EGuardFailed, wantMsg: "尚未结束"},
		{name: "no decision without the summary", state: "deciding", facts: consulted("legal_approved", "true"),
			transition: "decide", actor: leader, input: workflow.Input{"meeting": "会议", "decision_outcome": "通过"}, now: afterClose,
			wantCode: workflow.EGuardFailed, wantMsg: "意见采纳情况说明"},
		{name: "an exemption the legal section did not approve does not count", state: "deciding", facts: exempt("legal_approved", "true"),
			transition: "decide", actor: leader, input: workflow.Input{"meeting": "会议", "decision_outcome": "通过"},
			wantCode: workflow.EGuardFailed, wantMsg: "截止时间"},
		{name: "decide needs the meeting", state: "deciding", facts: consulted("summary_attached", "true", "legal_approved", "true"),
			transition: "decide", actor: leader, input: workflow.Input{"decision_outcome": "通过"}, now: afterClose,
			wantCode: workflow.EInputMissing, wantField: "meeting", wantMsg: "请填写会议名称及届次"},
		{name: "the meeting sends it back", state: "deciding", facts: consulted("summary_attached", "true", "legal_approved", "true"),
			transition: "return", actor: leader, input: workflow.Input{"opinion": "修改后再议"}, now: afterClose,
			wantTo: "consultation_closed", wantFacts: consulted("summary_attached", "true"), effects: []workflow.Effect{notify("decision", "drafter")}},
		{name: "the meeting sends an exempt matter back", state: "deciding", facts: exempt("legal_approved", "true", "exemption_approved", "true"),
			transition: "return", actor: leader, input: workflow.Input{"opinion": "修改后再议"},
			wantTo: "drafting", wantFacts: exempt(), effects: []workflow.Effect{notify("decision", "drafter")}},

		// publication
		{name: "publish", state: "awaiting_publication", facts: exempt("decided_on", "2026-09-01", "attribute", "主动公开"), transition: "publish",
			wantTo: "published", wantFacts: exempt("decided_on", "2026-09-01", "attribute", "主动公开", "published_on", "2026-09-18"),
			effects: []workflow.Effect{cancel("publication_due")}},
	}
	runFireCases(t, "decision", tests)
}

// from moves the count start of a deadline effect.
func from(e workflow.Effect, d workflow.Date) workflow.Effect {
	e.CountFrom = d
	return e
}

func runFireCases(t *testing.T, def string, tests []fireCase) {
	t.Helper()
	eng := mustEngine(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inst := workflow.Instance{ID: 9, OrgID: 1, Unit: "chengjian", Definition: def, DefinitionVersion: 1,
				State: tt.state, Version: 4, Facts: tt.facts}
			before := tt.facts.Clone()
			actor, now := tt.actor, tt.now
			if actor == (workflow.Actor{}) {
				actor = drafter
			}
			if now.IsZero() {
				now = friday
			}
			res, err := eng.Fire(inst, tt.transition, actor, tt.input, now)
			if !maps.Equal(inst.Facts, before) {
				t.Errorf("Fire changed the caller's facts: %v, was %v", inst.Facts, before)
			}
			if code := workflow.ErrorCode(err); code != tt.wantCode {
				t.Fatalf("Fire error = %v (code %q), want code %q", err, code, tt.wantCode)
			}
			if err != nil {
				e := workflow.AsError(err)
				if e.Field != tt.wantField || !strings.Contains(e.Message, tt.wantMsg) {
					t.Errorf("error field %q message %q, want field %q message containing %q", e.Field, e.Message, tt.wantField, tt.wantMsg)
				}
				return
			}
			got := res.Instance
			if got.State != tt.wantTo || got.Version != inst.Version || got.ID != inst.ID || got.Unit != inst.Unit {
				t.Errorf("instance = state %q version %d id %d unit %q, want state %q and the rest unchanged", got.State, got.Version, got.ID, got.Unit, tt.wantTo)
			}
			if !maps.Equal(got.Facts, tt.wantFacts) {
				t.Errorf("facts =\n%v\nwant\n%v", got.Facts, tt.wantFacts)
			}
			ev := res.Event
			if ev.Transition != tt.transition || ev.From != tt.state || ev.To != tt.wantTo || ev.Actor != actor || !ev.At.Equal(now) || !maps.Equal(ev.Input, tt.input) {
				t.Errorf("event = %+v", ev)
			}
			if res.Transition == nil || res.Transition.Name != tt.transition || res.Transition.To != tt.wantTo {
				t.Errorf("result transition = %+v", res.Transition)
			}
			checkEffects(t, res.Effects, tt.effects)
		})
	}
}

func checkEffects(tb testing.TB, got, want []workflow.Effect) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("effects = %d %+v\nwant %d %+v", len(got), got, len(want), want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Kind == workflow.EffectDeadline && g.Explanation == "" {
			tb.Errorf("effect %d (%s) has no explanation", i, g.Name)
		}
		g.Explanation = ""
		if !g.DueAt.Equal(w.DueAt) {
			tb.Errorf("effect %d (%s) due at %s, want %s", i, g.Name, g.DueAt, w.DueAt)
		}
		g.DueAt, w.DueAt = time.Time{}, time.Time{}
		if g != w {
			tb.Errorf("effect %d =\n%+v\nwant\n%+v", i, g, w)
		}
	}
}

// TestFireMatrix fires every transition of both definitions from every state: it must be refused
// as not allowed exactly where the flows (configs/workflows) do not have it, and need the permission the
// policy expects where they do.
func TestFireMatrix(t *testing.T) {
	eng := mustEngine(t)
	type allowed map[string]string // state → permission
	flows := map[string]map[string]allowed{
		"document": {
			"submit":      {"drafting": "document:submit"},
			"withdraw":    {"unit_review": "document:withdraw", "legal_review": "document:withdraw", "sign_off": "document:withdraw"},
			"approve":     {"unit_review": "document:review_unit", "legal_review": "document:review_legal"},
			"return":      {"unit_review": "document:review_unit", "legal_review": "document:review_legal", "sign_off": "document:sign"},
			"sign":        {"sign_off": "document:sign"},
			"publish":     {"awaiting_publication": "document:publish"},
			"rereview":    {"filed": "document:rereview"},
			"disclose":    {"filed": "document:rereview"},
			"interpreted": {"awaiting_publication": "", "published": ""},
		},
		"decision": {
			"submit":         {"drafting": "document:submit"},
			"submit_exempt":  {"drafting": "document:submit"},
			"withdraw":       {"unit_review": "document:withdraw", "consultation_scheduled": "document:withdraw", "legality_review": "document:withdraw"},
			"approve":        {"unit_review": "document:review_unit", "legality_review": "decision:review_legality"},
			"return":         {"unit_review": "document:review_unit", "legality_review": "decision:review_legality", "deciding": "decision:decide"},
			"open":           {"consultation_scheduled": ""},
			"extend":         {"consultation_open": "decision:consult"},
			"close":          {"consultation_open": ""},
			"attach_summary": {"consultation_closed": "decision:consult"},
			"redraft":        {"consultation_closed": "document:edit"},
			"decide":         {"deciding": "decision:decide"},
			"publish":        {"awaiting_publication": "document:publish"},
		},
	}
	for defName, transitions := range flows {
		def, err := eng.Registry().Latest(defName)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tr := range def.Transitions {
			if !slices.Contains(names, tr.Name) {
				names = append(names, tr.Name)
			}
		}
		var want []string
		for n := range transitions {
			want = append(want, n)
		}
		slices.Sort(names)
		slices.Sort(want)
		if !slices.Equal(names, want) {
			t.Errorf("%s transitions = %v, want %v", defName, names, want)
		}
		for name, from := range transitions {
			for _, st := range def.States {
				t.Run(defName+"/"+name+"/"+st.Name, func(t *testing.T) {
					// On version 1, or on the latest for a transition version 1 does not have.
					version := 1
					if v1, err := eng.Registry().Get(defName, 1); err != nil || !v1.HasTransition(name) {
						version = def.Version
					}
					inst := workflow.Instance{ID: 1, Unit: "chengjian", Definition: defName, DefinitionVersion: version, State: st.Name, Facts: workflow.Facts{}}
					perm, err := eng.Permission(inst, name, workflow.SystemActor)
					wantPerm, ok := from[st.Name]
					if !ok {
						if workflow.ErrorCode(err) != workflow.ETransitionNotAllowed {
							t.Errorf("Permission = %q, %v; want transition_not_allowed", perm, err)
						}
						_, err := eng.Fire(inst, name, drafter, workflow.Input{"opinion": "x"}, friday)
						if workflow.ErrorCode(err) != workflow.ETransitionNotAllowed {
							t.Errorf("Fire error = %v, want transition_not_allowed", err)
						}
						return
					}
					if err != nil || perm != wantPerm {
						t.Errorf("Permission = %q, %v; want %q", perm, err, wantPerm)
					}
					if wantPerm == "" {
						// A person asking for a system transition is told why, not "需要“”权限".
						_, err := eng.Permission(inst, name, drafter)
						if e := workflow.AsError(err); e == nil || e.Code != workflow.EForbidden || !strings.Contains(e.Message, "系统") {
							t.Errorf("Permission for a person = %v, want forbidden: done by the system", err)
						}
					}
				})
			}
		}
	}
}

func TestAvailable(t *testing.T) {
	eng := mustEngine(t)
	tests := []struct {
		name, def, state string
		facts            workflow.Facts
		now              time.Time
		want             []string
	}{
		{"public draft", "document", "drafting", public(), friday, []string{"submit:unit_review"}},
		{"untagged draft", "document", "drafting", workflow.Facts{}, friday, nil},
		{"unit review of a public draft", "document", "unit_review", public(), friday, []string{"withdraw:drafting", "approve:sign_off", "return:drafting"}},
		{"sign-off of a withheld draft without approval", "document", "sign_off", withheld(), friday, []string{"withdraw:drafting", "return:drafting"}},
		{"sign-off of an approved withheld draft", "document", "sign_off", with(withheld(), "legal_approved", "true"), friday,
			[]string{"withdraw:drafting", "return:drafting", "sign:filed"}},
		{"published", "document", "published", public(), friday, nil},
		{"open consultation: extend, never the system's close", "decision", "consultation_open", consulted(), mustTime(t, "2026-10-24T00:00:00Z"),
			[]string{"extend:consultation_open"}},
		{"scheduled consultation", "decision", "consultation_scheduled", consulted(), friday, []string{"withdraw:drafting"}},
		{"exempt draft", "decision", "drafting", exempt(), friday, []string{"submit_exempt:legality_review"}},
		{"legality review of an exempt draft", "decision", "legality_review", exempt(), friday,
			[]string{"withdraw:drafting", "approve:deciding", "return:drafting"}},
		{"unknown version", "nothing", "drafting", workflow.Facts{}, friday, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inst := workflow.Instance{Definition: tt.def, DefinitionVersion: 1, State: tt.state, Facts: tt.facts}
			var got []string
			for _, tr := range eng.Available(inst, drafter, tt.now) {
				got = append(got, tr.Name+":"+tr.To)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Available = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFireErrors(t *testing.T) {
	eng := mustEngine(t)
	tests := []struct {
		name     string
		inst     workflow.Instance
		wantCode string
	}{
		{"definition version not loaded", workflow.Instance{Definition: "document", DefinitionVersion: 99, State: "drafting"}, workflow.ENotFound},
		{"unknown definition", workflow.Instance{Definition: "memo", DefinitionVersion: 1, State: "drafting"}, workflow.ENotFound},
		{"state unknown to the definition", workflow.Instance{Definition: "document", DefinitionVersion: 1, State: "shredded"}, workflow.ETransitionNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := eng.Fire(tt.inst, "submit", drafter, nil, friday)
			if code := workflow.ErrorCode(err); code != tt.wantCode {
				t.Errorf("Fire error = %v (code %q), want %q", err, code, tt.wantCode)
			}
		})
	}
	t.Run("a guard the engine was not given", func(t *testing.T) {
		eng := workflow.NewEngine(mustRegistry(t), workflow.DefaultGuards(), nil) // no disclosure_valid
		inst := workflow.Instance{Definition: "document", DefinitionVersion: 1, State: "drafting", Facts: public()}
		_, err := eng.Fire(inst, "submit", drafter, nil, friday)
		if code := workflow.ErrorCode(err); code != workflow.EInternal {
			t.Errorf("Fire error = %v (code %q), want internal", err, code)
		}
	})
	t.Run("a deadline at a fact that is not set", func(t *testing.T) {
		reg := workflow.NewRegistry()
		def := mustDefinition(t, "at.yaml", `name: at
version: 1
title: 定时
initial: a
states:
  - {name: a, label: 甲}
  - {name: b, label: 乙, terminal: true}
transitions:
  - name: go
    label: 走
    from: [a]
    to: a
    permission: document:edit
    effects:
      - {deadline: later, at_fact: missing_at, action: fire, transition: tick}
  - {name: tick, label: 到点, from: [a], to: b, system: true}
`)
		if err := reg.Add(def); err != nil {
			t.Fatal(err)
		}
		inst := workflow.Instance{Definition: "at", DefinitionVersion: 1, State: "a", Facts: workflow.Facts{"missing_at": "明天"}}
		_, err := workflow.NewEngine(reg, testGuards(), nil).Fire(inst, "go", drafter, nil, friday)
		if code := workflow.ErrorCode(err); code != workflow.EInvalid {
			t.Errorf("Fire error = %v (code %q), want invalid", err, code)
		}
	})
}

// TestFireIsDeterministic fires the same transition twice and expects the same result.
func TestFireIsDeterministic(t *testing.T) {
	eng := mustEngine(t)
	inst := workflow.Instance{ID: 3, Definition: "document", DefinitionVersion: 1, State: "sign_off", Facts: public()}
	a, errA := eng.Fire(inst, "sign", leader, workflow.Input{"opinion": "同意"}, friday)
	b, errB := eng.Fire(inst, "sign", leader, workflow.Input{"opinion": "同意"}, friday)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if !maps.Equal(a.Instance.Facts, b.Instance.Facts) || !slices.Equal(a.Effects, b.Effects) || a.Event.At != b.Event.At {
		t.Errorf("two fires differ:\n%+v\n%+v", a, b)
	}
}

// TestDecisionNeedsLegalityReview checks invariant 7 and 《决策条例》第25条 on the shipped
// definition: the only way into deciding is the legal section's approval out of legality_review;
// every way into legality_review clears an earlier approval, and so does every way back out of
// deciding; deciding is left towards publication only with the approval, a closed period and the
// summary (or an approved exemption).
func TestDecisionNeedsLegalityReview(t *testing.T) {
	def, err := mustRegistry(t).Latest("decision")
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range def.Transitions {
		switch {
		case tr.To == "deciding":
			if !slices.Equal(tr.From, []string{"legality_review"}) || tr.Permission != "decision:review_legality" || tr.Set["legal_approved"] != "true" {
				t.Errorf("transition %s (line %d) enters deciding from %v with %q", tr.Name, tr.Line, tr.From, tr.Permission)
			}
		case tr.To == "legality_review", slices.Contains(tr.From, "deciding") && tr.To != "awaiting_publication":
			if v, ok := tr.Set["legal_approved"]; !ok || v != "" {
				t.Errorf("transition %s (line %d) to %s keeps an earlier legal approval", tr.Name, tr.Line, tr.To)
			}
		case slices.Contains(tr.From, "deciding"):
			for _, g := range []string{"legal_approved", "period_closed_or_exempt", "summary_attached_or_exempt"} {
				if !slices.Contains(tr.Guards, g) {
					t.Errorf("transition %s (line %d) leaves deciding without guard %s", tr.Name, tr.Line, g)
				}
			}
		}
	}
}

// Inputs end in the append-only audit log, so the engine takes only what the transition declares
// (the flow's inputs, narrowed by the transition's inputs) and only up to max_length
// (issue 18 item 8: 10,000 keys on withdraw were stored).
func TestFireRefusesUndeclaredAndOversizedInputs(t *testing.T) {
	eng := mustEngine(t)
	many := workflow.Input{}
	for i := range 10000 {
		many[fmt.Sprintf("k%d", i)] = "x"
	}
	submitted := workflow.Instance{Definition: "document", DefinitionVersion: 2, State: "unit_review", Facts: public()}
	toPublish := workflow.Instance{Definition: "document", DefinitionVersion: 2, State: "awaiting_publication", Facts: public()}
	officer := workflow.Actor{UserID: 13, Username: "zhou", Name: "周公开"}
	tests := []struct {
		name       string
		inst       workflow.Instance
		transition string
		in         workflow.Input
		wantField  string // "" = accepted
	}{
		{"10,000 undeclared keys on withdraw", submitted, "withdraw", many, "k"},
		{"an undeclared key", submitted, "approve", workflow.Input{"opinion": "同意", "note": "x"}, "note"},
		{"a declared input the transition does not take", submitted, "withdraw", workflow.Input{"opinion": "撤回"}, "opinion"},
		{"an opinion over the default limit", submitted, "approve", workflow.Input{"opinion": strings.Repeat("意", workflow.DefaultInputMaxRunes+1)}, "opinion"},
		{"a doc number over its max_length", toPublish, "publish", workflow.Input{"doc_number": strings.Repeat("号", 101)}, "doc_number"},
		{"an opinion at the limit", submitted, "approve", workflow.Input{"opinion": strings.Repeat("意", workflow.DefaultInputMaxRunes)}, ""},
		{"withdraw without input", submitted, "withdraw", nil, ""},
		{"publish with catalogue metadata", toPublish, "publish", workflow.Input{"doc_number": "测建〔2026〕1号", "summary": "概述"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			actor := drafter
			if tt.transition == "approve" {
				actor = leader
			} else if tt.transition == "publish" {
				actor = officer
			}
			_, err := eng.Fire(tt.inst, tt.transition, actor, tt.in, friday)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Fire: %v, want it accepted", err)
				}
				return
			}
			e := workflow.AsError(err)
			if e == nil || e.Code != workflow.EInvalid || !strings.HasPrefix(e.Field, tt.wantField) {
				t.Fatalf("Fire error = %v, want invalid on field %q", err, tt.wantField)
			}
		})
	}
}

// A decision that is not 主动公开 cannot be published: its publish step has the same attribute
// guard as a document's (issue 18 item 9).
func TestWithheldDecisionCannotBePublished(t *testing.T) {
	eng := mustEngine(t)
	officer := workflow.Actor{UserID: 13, Username: "zhou", Name: "周公开"}
	for _, def := range []string{"document", "decision"} {
		for _, attr := range []string{"不予公开", "依申请公开"} {
			inst := workflow.Instance{Definition: def, DefinitionVersion: 2, State: "awaiting_publication",
				Facts: with(withheld(), "attribute", attr)}
			if _, err := eng.Fire(inst, "publish", officer, nil, friday); workflow.ErrorCode(err) != workflow.EGuardFailed {
				t.Errorf("%s tagged %s: publish = %v, want guard_failed", def, attr, err)
			}
		}
		inst := workflow.Instance{Definition: def, DefinitionVersion: 2, State: "awaiting_publication", Facts: public()}
		if _, err := eng.Fire(inst, "publish", officer, nil, friday); err != nil {
			t.Errorf("%s tagged 主动公开: publish = %v, want it published", def, err)
		}
	}
}
