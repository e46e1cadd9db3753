// Package consultations holds the public comment period of decision drafts (征求意见): comment
// types and normalisation, campaign grouping, the per-client limiter, the store interface the use
// cases need, the use cases (intake, moderation, dispositions) and the adoption summary text.
package consultations

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"wugongkai/workflow"
)

// Extension is one extension of a comment period, as the portal shows it.
type Extension struct {
	At       time.Time // when it was decided
	ClosesAt time.Time // the new closing instant
	Reason   string
}

// PublicComment is a published comment as the portal shows it: the text and the day it came, no
// name and no contact.
type PublicComment struct {
	Text        string
	SubmittedAt time.Time
}

// ConsultationView is what the portal shows of one consultation. Nothing about the commenters and
// nothing internal (facts, drafters, history other than extensions) is in it.
type ConsultationView struct {
	ID                int64
	Title             string
	UnitName          string
	Status            string
	State             string
	Body              string // the draft (决策草案); empty while upcoming
	Explanation       string // its explanation (起草说明); empty while upcoming
	OpensAt           time.Time
	ClosesAt          time.Time
	ShorteningReason  string // why the period is shorter than 30 days (《决策条例》第15条)
	Extensions        []Extension
	CommentCount      int
	CommentsPublic    bool
	PublishedComments []PublicComment
	AdoptionSummary   string // the 意见采纳情况说明, once the decision is published
	DecidedOn         string
	PublishedAt       time.Time
}

// SummaryDraft is the generated 意见采纳情况说明 and the counts behind it.
type SummaryDraft struct {
	Text          string
	Total         int
	ByDisposition map[Disposition]int
	Undisposed    int
	Hidden        int
}

// Authz is the authorizer with the question "may this user do that in this unit", used to filter
// lists without an error per row.
type Authz interface {
	workflow.Authorizer
	Can(user, unit, permission string) bool
}

func notFound() error {
	return &workflow.Error{Code: workflow.ENotFound, Message: "文件不存在或您无权查看"}
}

// Consultations holds the public comment use cases on decision drafts: the public list and page,
// comment intake, the staff list with campaigns and bursts, moderation, dispositions, the
// adoption summary. The JSON API and the pages both call them.
type Consultations struct {
	Store   ConsultationStore
	Auth    Authz
	Engine  *workflow.Engine // for state labels in messages; may be nil
	Clock   workflow.Clock
	OrgName string // the organisation named in the adoption summary

	MaxLength   int            // longest comment in characters; 0 = DefaultMaxCommentLength
	Limiter     *ClientLimiter // per-client rate limit of comment intake; nil = none
	Lookups     *ClientLimiter // per-client rate limit of receipt lookups; nil = none
	BurstMin    int            // comments within BurstWindow from one client or campaign that make a burst; 0 = 10
	BurstWindow time.Duration  // 0 = one minute
	InfoTTL     time.Duration  // how long intake trusts a loaded consultation; 0 = one second

	mu    sync.Mutex
	cache map[int64]cachedConsultation
}

type cachedConsultation struct {
	c   Consultation
	err error
	at  time.Time
}

func (s *Consultations) now() time.Time {
	if s.Clock == nil {
		return time.Now()
	}
	return s.Clock.Now()
}

func (s *Consultations) maxLength() int {
	if s.MaxLength <= 0 {
		return DefaultMaxCommentLength
	}
	return s.MaxLength
}

func consultationNotFound() error {
	return &workflow.Error{Code: workflow.ENotFound, Message: "该征求意见不存在或尚未公布"}
}

// intakeConsultation loads the consultation of doc for comment intake, trusting a copy loaded
// within InfoTTL. A stale copy can only be more restrictive: a period is never shortened, so a
// cached closes_at is never later than the stored one.
func (s *Consultations) intakeConsultation(ctx context.Context, doc int64, now time.Time) (Consultation, error) {
	ttl := s.InfoTTL
	if ttl <= 0 {
		ttl = time.Second
	}
	s.mu.Lock()
	e, ok := s.cache[doc]
	s.mu.Unlock()
	if ok && now.Sub(e.at) < ttl && now.Sub(e.at) >= 0 {
		return e.c, e.err
	}
	c, err := s.Store.Consultation(ctx, doc, false)
	switch {
	case err != nil && workflow.ErrorCode(err) != workflow.ENotFound:
		return Consultation{}, err // not cached: the database may be back soon
	case err != nil || !ConsultationPublic(c):
		c, err = Consultation{}, consultationNotFound()
	}
	s.mu.Lock()
	if s.cache == nil || len(s.cache) > 10000 {
		s.cache = map[int64]cachedConsultation{}
	}
	s.cache[doc] = cachedConsultation{c: c, err: err, at: now}
	s.mu.Unlock()
	return c, err
}

// Accept takes a comment from the public on the consultation of document doc, sent from client.
// The period decides, by the facts opens_at and closes_at against the clock: before opens_at or
// from closes_at on the comment is refused with EClosed. The receipt is returned only once the
// comment is committed (invariant 9). Too many comments from one client are refused with ETooMany
// and the seconds to wait in Details["retry_after_seconds"].
func (s *Consultations) Accept(ctx context.Context, doc int64, in CommentInput, client string) (Receipt, error) {
	now := s.now()
	if err := s.Limiter.Check(client, now); err != nil {
		return Receipt{}, err
	}
	in, err := NormalizeComment(in, s.maxLength())
	if err != nil {
		return Receipt{}, err
	}
	c, err := s.intakeConsultation(ctx, doc, now)
	if err != nil {
		return Receipt{}, err
	}
	if err := PeriodOpen(c.Facts, now); err != nil {
		return Receipt{}, err
	}
	if !acceptsComments(c.State) {
		return Receipt{}, &workflow.Error{Code: workflow.EClosed, Message: "征求意见已结束，不再受理意见"}
	}
	stored, err := s.Store.AddComment(ctx, Comment{DocumentID: doc, Name: in.Name, Contact: in.Contact, Text: in.Text,
		CreatedAt: now, Status: CommentPending, CampaignKey: CampaignKey(in.Text), Client: client})
	if err != nil {
		return Receipt{}, fmt.Errorf("accept comment: %w", err)
	}
	return Receipt{No: stored.ReceiptNo, SubmittedAt: stored.CreatedAt}, nil
}

// List returns the public consultations with status ("" = all), newest first within each status.
func (s *Consultations) List(ctx context.Context, status string, limit, offset int) ([]ConsultationView, int, error) {
	switch status {
	case "", ConsultationUpcoming, ConsultationOpen, ConsultationClosed:
	default:
		return nil, 0, &workflow.Error{Code: workflow.EInvalid, Field: "status", Message: "status 只能是 open（正在征求意见）、upcoming（即将开始）或 closed（已结束）"}
	}
	now := s.now()
	cs, total, err := s.Store.PublicConsultations(ctx, ConsultationQuery{Status: status, Now: now, States: PublicConsultationStates(),
		Limit: limit, Offset: offset})
	if err != nil {
		return nil, 0, err
	}
	out := make([]ConsultationView, 0, len(cs))
	for _, c := range cs {
		out = append(out, ListView(c, now))
	}
	return out, total, nil
}

// ListView is what a list of consultations shows of c at now: the page's view without the draft
// and its explanation.
func ListView(c Consultation, now time.Time) ConsultationView {
	v := baseView(c, now)
	v.Body, v.Explanation = "", ""
	return v
}

func baseView(c Consultation, now time.Time) ConsultationView {
	opens, _ := workflow.FactTime(c.Facts, "opens_at")
	closes, _ := workflow.FactTime(c.Facts, "closes_at")
	v := ConsultationView{ID: c.ID, Title: c.Title, UnitName: c.UnitName, Status: ConsultationStatus(c.Facts, now), State: c.State,
		Body: c.Body, Explanation: c.Explanation, OpensAt: opens, ClosesAt: closes, ShorteningReason: c.Facts["shortening_reason"],
		CommentCount: c.CommentCount, CommentsPublic: c.Facts.Bool("comments_public")}
	if v.Status == ConsultationUpcoming {
		v.Body, v.Explanation = "", ""
	}
	if c.State == "published" {
		v.DecidedOn = c.Facts["decided_on"]
		v.PublishedAt = c.PublishedAt
		if c.Facts.Bool("summary_attached") {
			v.AdoptionSummary = c.AdoptionSummary
		}
	}
	return v
}

// View returns the public page of one consultation: the draft and its explanation (once open),
// the period with its shortening reason and extensions, the comment count, the published comments
// of a consultation that publishes them and, once the decision is published, the adoption summary.
func (s *Consultations) View(ctx context.Context, doc int64) (ConsultationView, error) {
	c, err := s.Store.Consultation(ctx, doc, true)
	if err != nil {
		if workflow.ErrorCode(err) == workflow.ENotFound {
			return ConsultationView{}, consultationNotFound()
		}
		return ConsultationView{}, err
	}
	if !ConsultationPublic(c) {
		return ConsultationView{}, consultationNotFound()
	}
	v := baseView(c, s.now())
	hist, err := s.Store.History(ctx, "document", doc)
	if err != nil {
		return ConsultationView{}, err
	}
	v.Extensions = ExtensionsOf(hist)
	if v.CommentsPublic {
		cs, err := s.Store.PublishedComments(ctx, doc, 200)
		if err != nil {
			return ConsultationView{}, err
		}
		for _, cm := range cs {
			v.PublishedComments = append(v.PublishedComments, PublicComment{Text: cm.Text, SubmittedAt: cm.CreatedAt})
		}
	}
	return v, nil
}

// ExtensionsOf returns the extensions of a comment period recorded in an audit history.
func ExtensionsOf(hist []workflow.AuditEntry) []Extension {
	var out []Extension
	for _, e := range hist {
		if e.Action != "extend" {
			continue
		}
		t, _ := time.Parse(time.RFC3339, strings.TrimSpace(e.Data["closes_at"]))
		out = append(out, Extension{At: e.At, ClosesAt: t, Reason: e.Data["reason"]})
	}
	return out
}

// staffConsultation loads a decision draft for a staff use case and checks permission in its
// unit. Without document:read there the draft does not exist for the actor.
func (s *Consultations) staffConsultation(ctx context.Context, actor workflow.Actor, doc int64, permission string, withText bool) (Consultation, error) {
	c, err := s.Store.Consultation(ctx, doc, withText)
	if err != nil {
		if workflow.ErrorCode(err) == workflow.ENotFound {
			return Consultation{}, notFound()
		}
		return Consultation{}, err
	}
	if c.Definition != "decision" || !s.Auth.Can(actor.Username, c.Unit, "document:read") {
		return Consultation{}, notFound()
	}
	if err := s.Auth.Authorize(ctx, actor, c.Unit, permission); err != nil {
		return Consultation{}, err
	}
	return c, nil
}

func (s *Consultations) stateLabel(c Consultation) string {
	if s.Engine != nil {
		if def, err := s.Engine.Definition(workflow.Instance{Definition: c.Definition, DefinitionVersion: c.DefinitionVersion}); err == nil {
			return def.StateLabel(c.State)
		}
	}
	return c.State
}

func (s *Consultations) requireState(c Consultation, state, what string) error {
	if c.State == state {
		return nil
	}
	want := state
	if s.Engine != nil {
		if def, err := s.Engine.Definition(workflow.Instance{Definition: c.Definition, DefinitionVersion: c.DefinitionVersion}); err == nil {
			want = def.StateLabel(state)
		}
	}
	return &workflow.Error{Code: workflow.ETransitionNotAllowed, Message: fmt.Sprintf("草案当前处于“%s”，只有在“%s”时才能%s", s.stateLabel(c), want, what),
		Details: map[string]any{"state": c.State}}
}

// Comments returns one page of the staff list of doc's comments with the campaigns, the bursts and
// the counts. Contact details are masked unless the actor holds comment:read_contact in the
// draft's unit; the second result says whether they are shown.
func (s *Consultations) Comments(ctx context.Context, actor workflow.Actor, doc int64, q CommentQuery) (CommentPage, bool, error) {
	c, err := s.staffConsultation(ctx, actor, doc, "comment:read", false)
	if err != nil {
		return CommentPage{}, false, err
	}
	if q.Status != "" && !q.Status.Valid() {
		return CommentPage{}, false, &workflow.Error{Code: workflow.EInvalid, Field: "status", Message: "status 只能是 pending、published 或 hidden"}
	}
	q.DocumentID = c.ID
	if q.BurstMin <= 0 {
		q.BurstMin = s.BurstMin
		if q.BurstMin <= 0 {
			q.BurstMin = 10
		}
	}
	if q.BurstWindow <= 0 {
		q.BurstWindow = s.BurstWindow
		if q.BurstWindow <= 0 {
			q.BurstWindow = time.Minute
		}
	}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 50
	}
	page, err := s.Store.ListComments(ctx, q)
	if err != nil {
		return CommentPage{}, false, err
	}
	showContact := s.Auth.Can(actor.Username, c.Unit, "comment:read_contact")
	if !showContact {
		for i := range page.Items {
			page.Items[i].Contact = maskCommenterContact(page.Items[i].Contact)
		}
	}
	return page, showContact, nil
}

// Moderate publishes, hides (with a reason) or puts back a comment of a consultation that
// publishes comments. The comment is returned with its contact masked unless the actor holds
// comment:read_contact in the draft's unit.
func (s *Consultations) Moderate(ctx context.Context, actor workflow.Actor, doc, id int64, status CommentStatus, reason string) (Comment, error) {
	c, err := s.staffConsultation(ctx, actor, doc, "comment:moderate", false)
	if err != nil {
		return Comment{}, err
	}
	if !c.Facts.Bool("comments_public") {
		return Comment{}, &workflow.Error{Code: workflow.ETransitionNotAllowed, Message: "本次征求意见不公开意见内容，无需审核"}
	}
	if !status.Valid() {
		return Comment{}, &workflow.Error{Code: workflow.EInvalid, Field: "status", Message: "审核结果只能是 published（公开）、hidden（不予公开）或 pending（待审核）"}
	}
	reason = strings.TrimSpace(reason)
	if err := checkCommentText("reason", "不予公开的理由", reason, MaxModerationRunes, true); err != nil {
		return Comment{}, err
	}
	if status == CommentHidden && reason == "" {
		return Comment{}, &workflow.Error{Code: workflow.EInputMissing, Field: "reason", Message: "请写明不予公开该意见的理由"}
	}
	if status != CommentHidden {
		reason = ""
	}
	cm, err := s.Store.Moderate(ctx, c.ID, id, status, reason, actor, s.now())
	if err != nil {
		if workflow.ErrorCode(err) == workflow.ENotFound {
			return Comment{}, &workflow.Error{Code: workflow.ENotFound, Message: "该意见不存在"}
		}
		return Comment{}, err
	}
	if !s.Auth.Can(actor.Username, c.Unit, "comment:read_contact") {
		cm.Contact = maskCommenterContact(cm.Contact)
	}
	return cm, nil
}

// Dispose records a disposition on comments of doc, by id and by campaign, once the consultation
// has closed. Anything but 采纳 needs a reason. It returns how many comments changed and the
// document's new version (a disposal raises it).
func (s *Consultations) Dispose(ctx context.Context, actor workflow.Actor, doc int64, d Disposal) (Disposed, error) {
	c, err := s.staffConsultation(ctx, actor, doc, "decision:consult", false)
	if err != nil {
		return Disposed{}, err
	}
	if err := s.requireState(c, "consultation_closed", "处理公众意见"); err != nil {
		return Disposed{}, err
	}
	if !d.Disposition.Valid() {
		return Disposed{}, &workflow.Error{Code: workflow.EInvalid, Field: "disposition", Message: "处理意见只能是“采纳”“部分采纳”“不采纳”或“不属于本次征求意见范围”"}
	}
	d.Reason = strings.TrimSpace(d.Reason)
	if err := checkCommentText("reason", "理由", d.Reason, workflow.MaxShortRunes, true); err != nil {
		return Disposed{}, err
	}
	if d.Disposition != DispositionAdopted && d.Reason == "" {
		return Disposed{}, &workflow.Error{Code: workflow.EInputMissing, Field: "reason", Message: fmt.Sprintf("处理意见为“%s”的，须说明理由", d.Disposition)}
	}
	ids := make([]int64, 0, len(d.CommentIDs))
	for _, id := range d.CommentIDs {
		if id <= 0 {
			return Disposed{}, &workflow.Error{Code: workflow.EInvalid, Field: "comment_ids", Message: fmt.Sprintf("意见编号 %d 无效", id)}
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	keys := make([]string, 0, len(d.CampaignKeys))
	for _, k := range d.CampaignKeys {
		k = strings.TrimSpace(k)
		if len(k) != 32 || strings.Trim(k, "0123456789abcdef") != "" {
			return Disposed{}, &workflow.Error{Code: workflow.EInvalid, Field: "campaign_keys", Message: fmt.Sprintf("相同意见组标识 %q 无效", k)}
		}
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	if len(ids) == 0 && len(keys) == 0 {
		return Disposed{}, &workflow.Error{Code: workflow.EInputMissing, Field: "comment_ids", Message: "请选择要处理的意见"}
	}
	if len(ids) > 10000 || len(keys) > 1000 {
		return Disposed{}, &workflow.Error{Code: workflow.EInvalid, Field: "comment_ids", Message: "一次处理的意见过多，请分批处理"}
	}
	d.CommentIDs, d.CampaignKeys = ids, keys
	return s.Store.Dispose(ctx, c.ID, d, "consultation_closed", actor, s.now())
}

// AttachSummary saves the drafter's 意见采纳情况说明 on doc (at version; 0 = do not check) and sets
// the fact summary_attached, in one transaction with an audit event. Every comment must have a
// disposition. The transition attach_summary then sends the draft to the legality review. It
// returns the document's new version.
func (s *Consultations) AttachSummary(ctx context.Context, actor workflow.Actor, doc int64, version int, text string) (int, error) {
	c, err := s.staffConsultation(ctx, actor, doc, "decision:consult", false)
	if err != nil {
		return 0, err
	}
	if err := s.requireState(c, "consultation_closed", "上传意见采纳情况说明"); err != nil {
		return 0, err
	}
	if version != 0 && version != c.Version {
		return 0, &workflow.Error{Code: workflow.EConflict, Message: fmt.Sprintf("草案已被他人处理（您看到的是第 %d 版，当前为第 %d 版），请刷新后重试", version, c.Version),
			Details: map[string]any{"your_version": version, "current_version": c.Version}}
	}
	text = strings.TrimSpace(newlines.Replace(text))
	if text == "" {
		return 0, &workflow.Error{Code: workflow.EInputMissing, Field: "text", Message: "请填写意见采纳情况说明"}
	}
	if err := checkCommentText("text", "意见采纳情况说明", text, workflow.MaxBodyRunes, true); err != nil {
		return 0, err
	}
	return s.Store.AttachSummary(ctx, c.ID, c.Version, "consultation_closed", text, actor, s.now())
}

// SetCommentsPublic decides, while the draft is being written, whether its consultation publishes
// the comments it receives (after moderation). It returns the document's new version.
func (s *Consultations) SetCommentsPublic(ctx context.Context, actor workflow.Actor, doc int64, version int, on bool) (int, error) {
	c, err := s.staffConsultation(ctx, actor, doc, "document:edit", false)
	if err != nil {
		return 0, err
	}
	if err := s.requireState(c, "drafting", "设置是否公开公众意见"); err != nil {
		return 0, err
	}
	if version != 0 && version != c.Version {
		return 0, &workflow.Error{Code: workflow.EConflict, Message: fmt.Sprintf("草案已被他人修改（您看到的是第 %d 版，当前为第 %d 版），请刷新后重试", version, c.Version),
			Details: map[string]any{"your_version": version, "current_version": c.Version}}
	}
	if c.Facts.Bool("comments_public") == on {
		return c.Version, nil
	}
	return s.Store.SetCommentsPublic(ctx, c.ID, c.Version, "drafting", on, actor, s.now())
}

// ReceiptView is what a receipt number tells a citizen about the comment it was given for: when it
// was received, the consultation, and, once the decision and its adoption summary are published,
// how the comment was handled. Nothing else of the comment or its author.
type ReceiptView struct {
	No                string
	ReceivedAt        time.Time
	Consultation      ConsultationView // ID, Title, UnitName, Status, period; no text
	Disposition       Disposition      // "" until the adoption summary is published
	DispositionReason string
	SummaryPublished  bool
}

// receiptPattern is the form of a receipt number (ReceiptNo in internal/postgres): YJ, a day, an id.
var receiptPattern = regexp.MustCompile(`^YJ[0-9]{8}-[0-9]{6,18}$`)

// Receipt looks a comment up by its receipt number (意见回执编号) for the citizen who kept it, sent
// from client. Receipt numbers follow each other, so lookups are limited per client (ETooMany),
// and an unknown number and one of a consultation no longer public get the same ENotFound.
func (s *Consultations) Receipt(ctx context.Context, no, client string) (ReceiptView, error) {
	no = strings.ToUpper(strings.TrimSpace(no))
	if !receiptPattern.MatchString(no) {
		return ReceiptView{}, &workflow.Error{Code: workflow.EInvalid, Field: "receipt_no",
			Message: "请输入提交意见时得到的回执编号，如 YJ20261127-000123"}
	}
	if err := s.Lookups.Check(client, s.now()); err != nil {
		return ReceiptView{}, err
	}
	unknown := &workflow.Error{Code: workflow.ENotFound, Field: "receipt_no", Message: "未找到回执编号为 " + no + " 的意见，请核对编号"}
	cm, err := s.Store.CommentByReceipt(ctx, no)
	if err != nil {
		if workflow.ErrorCode(err) == workflow.ENotFound {
			return ReceiptView{}, unknown
		}
		return ReceiptView{}, err
	}
	c, err := s.Store.Consultation(ctx, cm.DocumentID, false)
	if err != nil {
		if workflow.ErrorCode(err) == workflow.ENotFound {
			return ReceiptView{}, unknown
		}
		return ReceiptView{}, err
	}
	if !ConsultationPublic(c) {
		return ReceiptView{}, unknown
	}
	v := baseView(c, s.now())
	v.Body, v.Explanation, v.AdoptionSummary = "", "", ""
	out := ReceiptView{No: cm.ReceiptNo, ReceivedAt: cm.CreatedAt, Consultation: v}
	if c.State == "published" && c.Facts.Bool("summary_attached") {
		out.SummaryPublished = true
		out.Disposition, out.DispositionReason = cm.Disposition, cm.DispositionReason
	}
	return out, nil
}
