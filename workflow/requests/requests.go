// Package requests holds disclosure requests (政府信息公开申请) and the reconsideration and
// litigation cases about them: their types, intake and normalisation, the use cases, the reply
// clock (working days, pauses, extension) and the store interfaces the use cases need.
package requests

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"wugongkai/workflow"
)

// Authz is the authorizer with the question "may this user do that in this unit", used to filter
// lists without an error per row.
type Authz interface {
	workflow.Authorizer
	Can(user, unit, permission string) bool
}

// Limiter limits how often one client may act; consultations.ClientLimiter is one.
type Limiter interface {
	Check(client string, now time.Time) error
}

// limit checks l, which may be nil (no limit).
func limit(l Limiter, client string, now time.Time) error {
	if l == nil {
		return nil
	}
	return l.Check(client, now)
}

// Requests holds the disclosure request use cases; the JSON API and the pages both call them.
type Requests struct {
	Engine *workflow.Engine
	Store  RequestStore
	Auth   Authz
	Clock  workflow.Clock
	// Unit is the unit (casbin domain) that handles requests: the disclosure office. Requests are
	// filed under it; bureau-wide disclosure officers act on them. Empty means DefaultRequestUnit.
	Unit string
	// Limiter limits how often one client may file on the public form; nil = no limit.
	Limiter Limiter
	// LookupLimiter limits how often one client may look up a request's progress (Status), so
	// that receipt numbers and contacts cannot be guessed; nil = no limit.
	LookupLimiter Limiter
}

// DefaultRequestUnit is the unit requests are filed under when Requests.Unit is empty.
const DefaultRequestUnit = "bangongshi"

// Now returns the use cases' current time.
func (s *Requests) Now() time.Time {
	if s.Clock == nil {
		return time.Now()
	}
	return s.Clock.Now()
}

func (s *Requests) unit() string {
	if s.Unit == "" {
		return DefaultRequestUnit
	}
	return s.Unit
}

func requestNotFound() error {
	return &workflow.Error{Code: workflow.ENotFound, Message: "申请不存在或您无权查看"}
}

func (s *Requests) newRequest(in Application, channel string, received workflow.Date, creator int64) (Request, []workflow.Effect, error) {
	def, err := s.Engine.Registry().Latest("request")
	if err != nil {
		return Request{}, nil, err
	}
	r := Request{
		Instance: workflow.Instance{Unit: s.unit(), Definition: def.Name, DefinitionVersion: def.Version, State: def.Initial,
			Facts: workflow.Facts{"received_on": received.String(), "channel": channel}},
		Title: requestTitle(in.Description), Channel: channel, ReceivedOn: received, ApplicantType: in.ApplicantType,
		ApplicantName: in.Name, ContactPerson: in.ContactPerson, IDType: in.IDType, IDNumber: in.IDNumber, Phone: in.Phone,
		Email: in.Email, Address: in.Address, Description: in.Description, Form: in.Form, Delivery: in.Delivery, Note: in.Note,
		CreatedBy: creator,
	}
	reply := s.replyEffects(r.Instance, workflow.DateOf(s.Now()))
	if v := replyDueFact(reply); v != "" {
		r.Facts["reply_due"] = v
	}
	return r, reply, nil
}

// PublicApplicant is the actor of a request filed on the public form. The audit log names it
// rather than the applicant, so that no personal information enters the append-only log.
var PublicApplicant = workflow.Actor{Username: "public", Name: "申请人（在线申请）"}

// Submit files a request from the public form. Its channel is online and its receipt date the
// day of submission (see RequestChannels). The request is committed before Submit returns, so a
// receipt number shown to the applicant is never lost. client is the sender's address for the
// rate limit: too many well-formed requests from one client are refused with ETooMany (a form sent
// back for a correction does not count, so an applicant fixing typos is not locked out).
func (s *Requests) Submit(ctx context.Context, in Application, client string) (Request, error) {
	in.Channel, in.ReceiptDate, in.Note = "", "", ""
	if err := normalizeApplication(&in); err != nil {
		return Request{}, err
	}
	now := s.Now()
	if err := limit(s.Limiter, client, now); err != nil {
		return Request{}, err
	}
	r, reply, err := s.newRequest(in, ChannelOnline, workflow.DateOf(now), 0)
	if err != nil {
		return Request{}, err
	}
	return s.Store.CreateRequest(ctx, r, PublicApplicant, now, reply)
}

// RequestStatus is what the applicant may see of their request's progress on the portal: no
// personal data, no internal notes, not the reply letter (that goes by the delivery chosen).
type RequestStatus struct {
	ReceiptNo  string
	Title      string
	ReceivedOn workflow.Date
	State      string        // the state's Chinese label
	Stage      string        // what is happening now, in a sentence
	ReplyDue   workflow.Date // zero while the clock is stopped or once answered
	Extended   int           // working days the reply period was extended by
	Outcome    string        // the outcome's Chinese label once answered or closed
	ClosedOn   workflow.Date
	// While a 补正 is awaited: what to supply, as the notice asked for it, and the last day.
	SupplementItems string
	SupplementBy    workflow.Date
}

// Status looks up a request's progress for its applicant by receipt number and one of the contacts
// given on the application (phone number, e-mail address, or the last six characters of the
// identity document). A wrong number and a wrong contact get the same answer, and lookups are rate
// limited per client (LookupLimiter), so neither can be probed.
func (s *Requests) Status(ctx context.Context, receiptNo, contact, client string) (RequestStatus, error) {
	receiptNo = strings.ToUpper(strings.TrimSpace(receiptNo))
	contact = strings.TrimSpace(contact)
	if receiptNo == "" {
		return RequestStatus{}, invalid("receipt_no", "请填写受理编号（如 YSQ-2026-00001）")
	}
	if contact == "" {
		return RequestStatus{}, invalid("contact", "请填写申请时留下的联系电话、电子邮箱或身份证明号码的后六位")
	}
	if !utf8.ValidString(receiptNo) || !utf8.ValidString(contact) || len(receiptNo) > 40 || len(contact) > 200 {
		return RequestStatus{}, invalid("receipt_no", "受理编号或联系方式格式不正确")
	}
	if err := limit(s.LookupLimiter, client, s.Now()); err != nil {
		return RequestStatus{}, err
	}
	notFound := &workflow.Error{Code: workflow.ENotFound, Message: "没有找到与该受理编号和联系方式相符的申请，请核对后重试（联系方式须与申请时填写的一致）"}
	r, err := s.Store.RequestByReceipt(ctx, receiptNo)
	if err != nil {
		if workflow.ErrorCode(err) == workflow.ENotFound {
			return RequestStatus{}, notFound
		}
		return RequestStatus{}, err
	}
	if !contactMatches(r, contact) {
		return RequestStatus{}, notFound
	}
	out := RequestStatus{ReceiptNo: r.ReceiptNo, Title: r.Title, ReceivedOn: r.ReceivedOn, State: r.State, ReplyDue: r.ReplyDue,
		ClosedOn: r.ClosedOn}
	if def, err := s.Engine.Definition(r.Instance); err == nil {
		out.State = def.StateLabel(r.State)
	}
	if n, err := strconv.Atoi(r.Facts["extension_days"]); err == nil {
		out.Extended = n
	}
	if o, ok := RequestOutcomeOf(r.Outcome); ok {
		out.Outcome = o.Label
	}
	switch r.State {
	case RequestReceived, RequestProcessing, RequestExtensionPending:
		out.Stage = "正在办理，将在答复期限前答复。"
	case RequestAwaitingSupplement:
		out.SupplementItems = strings.TrimSpace(r.Facts["supplement_items"])
		out.SupplementBy, _ = workflow.ParseDate(r.Facts["supplement_by"])
		out.Stage = "已向您发出补正通知，请按通知要求补正；收到补正后重新计算答复期限。"
		if !out.SupplementBy.IsZero() {
			out.Stage = fmt.Sprintf("已向您发出补正通知，请于 %s 前补正；逾期不补正的，视为放弃申请（《条例》第三十条）。收到补正后重新计算答复期限。", out.SupplementBy)
		}
		out.ReplyDue = workflow.Date{}
	case RequestConsulting:
		out.Stage = "正在征求第三方或其他机关的意见，所需时间不计入答复期限。"
		out.ReplyDue = workflow.Date{}
	case RequestAwaitingPayment:
		out.Stage = "已向您发出收费通知，缴费后继续办理；等待缴费的时间不计入答复期限。"
		out.ReplyDue = workflow.Date{}
	case RequestAnswered:
		out.Stage = "已作出答复，答复书按您申请时选择的方式送达。"
		out.ReplyDue = workflow.Date{}
	case RequestClosed:
		out.Stage = "已终止办理。"
		out.ReplyDue = workflow.Date{}
	}
	return out, nil
}

// contactMatches reports whether contact is one the applicant gave: the phone number (digits
// compared), the e-mail address (case ignored) or the last six characters of the identity document.
func contactMatches(r Request, contact string) bool {
	digits := func(v string) string {
		return strings.Map(func(c rune) rune {
			if c >= '0' && c <= '9' {
				return c
			}
			return -1
		}, v)
	}
	if d := digits(contact); r.Phone != "" && len(d) >= 7 && d == digits(r.Phone) {
		return true
	}
	if r.Email != "" && strings.EqualFold(contact, r.Email) {
		return true
	}
	id := []rune(strings.ToUpper(r.IDNumber))
	return len(id) >= 6 && len([]rune(contact)) == 6 && strings.ToUpper(contact) == string(id[len(id)-6:])
}

// Register records a request that reached the office by letter, visit, fax or e-mail
// (permission request:register). The receipt date follows the channel's rule (《条例》第31条):
// staff enter the day of submission, signing or confirmation; it may not be in the future.
func (s *Requests) Register(ctx context.Context, actor workflow.Actor, in Application) (Request, error) {
	if err := s.Auth.Authorize(ctx, actor, s.unit(), "request:register"); err != nil {
		return Request{}, err
	}
	if err := normalizeApplication(&in); err != nil {
		return Request{}, err
	}
	ch, ok := RequestChannelOf(in.Channel)
	if !ok || ch.Code == ChannelOnline {
		var codes []string
		for _, c := range RequestChannels()[1:] {
			codes = append(codes, c.Code+"（"+c.Label+"）")
		}
		return Request{}, invalid("channel", "请选择申请渠道：%s", strings.Join(codes, "、"))
	}
	now := s.Now()
	today := workflow.DateOf(now)
	received := today
	if in.ReceiptDate != "" {
		d, err := workflow.ParseDate(in.ReceiptDate)
		if err != nil {
			return Request{}, invalid("receipt_date", "%s请写成 YYYY-MM-DD 格式的日期", ch.DateLabel)
		}
		received = d
	} else if ch.Code != "in_person" && ch.Code != "oral" {
		return Request{}, invalid("receipt_date", "请填写%s：%s", ch.DateLabel, ch.Rule)
	}
	if received.After(today) {
		return Request{}, invalid("receipt_date", "%s（%s）不能晚于今天", ch.DateLabel, received)
	}
	if received.Before(today.AddDays(-366)) {
		return Request{}, invalid("receipt_date", "%s（%s）早于一年前，请核对", ch.DateLabel, received)
	}
	r, reply, err := s.newRequest(in, ch.Code, received, actor.UserID)
	if err != nil {
		return Request{}, err
	}
	return s.Store.CreateRequest(ctx, r, actor, now, reply)
}

// Get loads a request the actor may read (permission request:read).
func (s *Requests) Get(ctx context.Context, actor workflow.Actor, id int64) (Request, error) {
	r, err := s.Store.Request(ctx, id)
	if err != nil {
		if workflow.ErrorCode(err) == workflow.ENotFound {
			return Request{}, requestNotFound()
		}
		return Request{}, err
	}
	if !s.Auth.Can(actor.Username, r.Unit, "request:read") {
		return Request{}, requestNotFound()
	}
	return r, nil
}

// List returns the requests the actor may read, newest first (permission request:read). A list
// shows no one the applicants' personal data: every row is masked (Request.Masked).
func (s *Requests) List(ctx context.Context, actor workflow.Actor, q RequestQuery) ([]Request, int, error) {
	if err := s.Auth.Authorize(ctx, actor, s.unit(), "request:read"); err != nil {
		return nil, 0, err
	}
	q.Text = strings.TrimSpace(q.Text)
	if err := workflow.CheckText("q", q.Text, 100, false); err != nil {
		return nil, 0, err
	}
	rs, total, err := s.Store.ListRequests(ctx, q)
	for i := range rs {
		rs[i] = rs[i].Masked()
	}
	return rs, total, err
}

// Waiting returns the open requests on which the actor may fire a transition now, masked as in
// List, oldest first: the requests in the actor's 待办. Someone who may not read requests waits on
// none.
func (s *Requests) Waiting(ctx context.Context, actor workflow.Actor) ([]Request, error) {
	if !s.Auth.Can(actor.Username, s.unit(), "request:read") {
		return nil, nil
	}
	rs, _, err := s.Store.ListRequests(ctx, RequestQuery{Open: true, Limit: 500})
	if err != nil {
		return nil, err
	}
	var out []Request
	for i := len(rs) - 1; i >= 0; i-- {
		if len(s.Available(actor, rs[i])) > 0 {
			out = append(out, rs[i].Masked())
		}
	}
	return out, nil
}

// Handles reports whether the actor handles requests (request:handle in the requests' unit), and
// so sees a request's record whole.
func (s *Requests) Handles(actor workflow.Actor) bool {
	return s.Auth.Can(actor.Username, s.unit(), "request:handle")
}

// replyEffects computes the pending reply deadline of inst and its reminder, or none when the
// clock does not run.
func (s *Requests) replyEffects(inst workflow.Instance, today workflow.Date) []workflow.Effect {
	rc, ok := RequestClockOf(inst)
	if !ok {
		return nil
	}
	cal := s.Engine.Calendar()
	d := ReplyDeadlineOf(cal, rc)
	if d.Suspended {
		return nil
	}
	due := workflow.Effect{Kind: workflow.EffectDeadline, Name: "reply_due", Action: workflow.ActionOverdue, Role: "disclosure_officer"}
	workflow.SetCount(&due, d.Count)
	due.Explanation = d.Explanation()
	out := []workflow.Effect{due}
	if c, ok := ReminderOf(cal, d, RequestRemindBefore); ok && !c.Due.Before(today) {
		r := workflow.Effect{Kind: workflow.EffectDeadline, Name: "reply_due.remind", Action: workflow.ActionRemind, Role: "disclosure_officer"}
		workflow.SetCount(&r, c)
		r.Explanation = fmt.Sprintf("提前 %d 个工作日提醒：%s", RequestRemindBefore, d.Explanation())
		out = append(out, r)
	}
	return out
}

func replyDueFact(reply []workflow.Effect) string {
	for _, e := range reply {
		if e.Name == "reply_due" {
			return e.DueDate.String()
		}
	}
	return ""
}

// derivedInputs are the inputs the use case computes itself; they are never asked of the user.
var derivedInputs = []string{"supplement_due_at", "pay_due_at"}

// Fire fires the transition called name on request id for actor, if the request is still at
// version (0 = do not check). The use case checks what the statute requires beyond the flow: the
// 补正 notice only within 7 working days of receipt and with a later supplement date; one
// extension of at most 20 working days, asked for before the reply is due; an outcome that is a
// leaf row of Table 三 and not one the system records itself. It then recomputes the reply
// deadline from the new facts (RequestClockOf, ReplyDeadlineOf) and stores the transition
// and the replaced deadline in one transaction.
func (s *Requests) Fire(ctx context.Context, actor workflow.Actor, id int64, version int, name string, in workflow.Input) (Request, error) {
	r, err := s.Get(ctx, actor, id)
	if err != nil {
		return Request{}, err
	}
	if version != 0 && version != r.Version {
		return Request{}, &workflow.Error{Code: workflow.EConflict, Message: fmt.Sprintf("申请已被他人处理（您看到的是第 %d 版，当前为第 %d 版），请刷新后重试", version, r.Version),
			Details: map[string]any{"your_version": version, "current_version": r.Version}}
	}
	clean := workflow.Input{}
	for k, v := range in {
		if slices.Contains(derivedInputs, k) {
			continue
		}
		if err := workflow.CheckText(k, v, workflow.MaxShortRunes*5, true); err != nil {
			return Request{}, err
		}
		clean[k] = strings.TrimSpace(v)
	}
	perm, err := s.Engine.Permission(r.Instance, name, actor)
	if err != nil {
		return Request{}, err
	}
	if err := s.Auth.Authorize(ctx, actor, r.Unit, perm); err != nil {
		return Request{}, err
	}
	if name == "approve_extension" || name == "reject_extension" {
		if err := s.notOwnExtension(ctx, actor, r); err != nil {
			return Request{}, err
		}
	}
	now := s.Now()
	today := workflow.DateOf(now)
	if err := s.prepare(r, name, clean, today); err != nil {
		return Request{}, err
	}
	if err := s.laterGuards(r.Instance, name, s.guardContext(r, actor, clean, now)); err != nil {
		return Request{}, err
	}
	res, err := s.Engine.Fire(r.Instance, name, actor, clean, now)
	if err != nil {
		return Request{}, err
	}
	if err := finishRequest(r.Instance, &res, clean); err != nil {
		return Request{}, err
	}
	reply := s.replyEffects(res.Instance, today)
	if v := replyDueFact(reply); v != "" {
		res.Instance.Facts["reply_due"] = v
	} else {
		delete(res.Instance.Facts, "reply_due")
	}
	if _, err := s.Store.ApplyRequest(ctx, r.Instance, res, reply); err != nil {
		return Request{}, err
	}
	return s.Store.Request(ctx, id)
}

// notOwnExtension refuses a decision on an extension by the person who asked for it: the period is
// extended with the approval of the head of the disclosure office (《条例》第三十三条第二款), not
// by the handler alone, even one who also holds the head's role.
func (s *Requests) notOwnExtension(ctx context.Context, actor workflow.Actor, r Request) error {
	history, err := s.Store.History(ctx, "request", r.ID)
	if err != nil {
		return err
	}
	for i := len(history) - 1; i >= 0; i-- {
		if history[i].Action != "request_extension" {
			continue
		}
		if actor.UserID != 0 && history[i].ActorID == actor.UserID {
			return &workflow.Error{Code: workflow.EForbidden, Message: notOwnExtensionMessage}
		}
		return nil
	}
	return nil
}

// Available returns the transitions the actor may fire on r now, with the inputs to ask for
// (those the use case derives are left out).
func (s *Requests) Available(actor workflow.Actor, r Request) []workflow.TransitionView {
	var out []workflow.TransitionView
	now := s.Now()
	for _, t := range s.Engine.Available(r.Instance, actor, now) {
		if t.Permission == "" || !s.Auth.Can(actor.Username, r.Unit, t.Permission) {
			continue
		}
		if s.laterGuards(r.Instance, t.Name, s.guardContext(r, actor, nil, now)) != nil {
			continue
		}
		req := []string{}
		for _, in := range t.Requires {
			if !slices.Contains(derivedInputs, in) {
				req = append(req, in)
			}
		}
		out = append(out, workflow.TransitionView{Name: t.Name, Label: t.Label, Requires: req})
	}
	return out
}

// RequestDetail is everything the request page shows.
type RequestDetail struct {
	Request     Request
	Definition  *workflow.Definition
	StateLabel  string
	Available   []workflow.TransitionView
	History     []workflow.AuditEntry
	Deadlines   []workflow.Deadline
	Transitions map[string]string // transition name → label, for the history
	// Reply is the reply deadline as it stands, with its explanation; nil when the request is
	// closed or waits for a supplement.
	Reply *ReplyDeadline
	// Overdue reports that the reply was due before today and the request is still open.
	Overdue bool
	// SupplementNoticeBy is the last day a 补正 notice may be sent; the zero Count once it no
	// longer can.
	SupplementNoticeBy workflow.Count
	// MonthCount is the number of requests the applicant filed in the month of receipt, up to
	// this one, and FeeHint the fee per request that count allows (FeeFor).
	MonthCount int
	FeeHint    int
	Outcome    RequestOutcome // the outcome once closed
}

// Detail loads a request with its history, deadlines, reply clock and what the actor may do now.
// Whoever handles requests (Handles) sees the record whole; anyone else who may read it sees the
// applicant's name, identity number and contacts masked (Request.Masked).
func (s *Requests) Detail(ctx context.Context, actor workflow.Actor, id int64) (RequestDetail, error) {
	r, err := s.Get(ctx, actor, id)
	if err != nil {
		return RequestDetail{}, err
	}
	n, err := s.Store.ApplicantMonthCount(ctx, r)
	if err != nil {
		return RequestDetail{}, err
	}
	if !s.Handles(actor) {
		r = r.Masked()
	}
	def, err := s.Engine.Definition(r.Instance)
	if err != nil {
		return RequestDetail{}, err
	}
	hist, err := s.Store.History(ctx, "request", id)
	if err != nil {
		return RequestDetail{}, err
	}
	dls, err := s.Store.Deadlines(ctx, "request", id)
	if err != nil {
		return RequestDetail{}, err
	}
	labels := map[string]string{"create": "登记申请"}
	for _, t := range def.Transitions {
		labels[t.Name] = t.Label
	}
	today := workflow.DateOf(s.Now())
	d := RequestDetail{Request: r, Definition: def, StateLabel: def.StateLabel(r.State), Available: s.Available(actor, r),
		History: hist, Deadlines: dls, Transitions: labels, MonthCount: n, FeeHint: FeeFor(n)}
	if rc, ok := RequestClockOf(r.Instance); ok {
		reply := ReplyDeadlineOf(s.Engine.Calendar(), rc)
		d.Reply = &reply
		d.Overdue = !reply.Suspended && today.After(reply.Due)
	}
	if r.State == RequestReceived {
		if c := s.SupplementNoticeBy(r.ReceivedOn); !today.After(c.Due) {
			d.SupplementNoticeBy = c
		}
	}
	if r.Outcome != "" {
		d.Outcome, _ = RequestOutcomeOf(r.Outcome)
	}
	return d, nil
}
