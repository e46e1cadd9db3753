package consultations

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net/mail"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
	"wugongkai/workflow"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/time/rate"
)

// CommentStatus is where a public comment stands in moderation. Only consultations that publish
// comments moderate them; elsewhere every comment stays pending and is never shown publicly.
type CommentStatus string

// The moderation states of a comment.
const (
	CommentPending   CommentStatus = "pending"   // received, not (yet) shown on the portal
	CommentPublished CommentStatus = "published" // shown on the consultation page
	CommentHidden    CommentStatus = "hidden"    // withheld from the portal, with a reason
)

// Valid reports whether s is one of the moderation states.
func (s CommentStatus) Valid() bool {
	return s == CommentPending || s == CommentPublished || s == CommentHidden
}

// Disposition is how the drafting unit handled a comment (意见处理情况).
type Disposition string

// The dispositions of a comment. Anything but DispositionAdopted needs a reason.
const (
	DispositionAdopted    Disposition = "采纳"
	DispositionPartial    Disposition = "部分采纳"
	DispositionRejected   Disposition = "不采纳"
	DispositionOutOfScope Disposition = "不属于本次征求意见范围"
)

// Dispositions returns every disposition in the order the adoption summary counts them.
func Dispositions() []Disposition {
	return []Disposition{DispositionAdopted, DispositionPartial, DispositionRejected, DispositionOutOfScope}
}

// Valid reports whether d is one of the dispositions.
func (d Disposition) Valid() bool { return slices.Contains(Dispositions(), d) }

// Comment is one comment a member of the public sent on a decision draft.
type Comment struct {
	ID                int64
	DocumentID        int64
	ReceiptNo         string // 意见回执编号, e.g. YJ20261127-000123
	Name              string // optional
	Contact           string // optional phone or e-mail: personal information, never public
	Text              string // stored as typed; escaped wherever it is rendered
	CreatedAt         time.Time
	Status            CommentStatus
	ModerationReason  string
	CampaignKey       string // CampaignKey of Text: identical and near-identical texts share it
	Client            string // the sender's address as seen by the server: input only, never stored
	ClientKey         string // keyed hash of the client's address bucket: groups bursts, hides the address
	Disposition       Disposition
	DispositionReason string
	DisposedAt        time.Time

	// Filled by staff lists.
	CampaignSize int  // comments sharing CampaignKey
	InBurst      bool // sent in a burst from one client or of one campaign
}

// CommentInput is what the public comment form sends.
type CommentInput struct {
	Name    string
	Contact string
	Text    string
}

// Receipt is the answer to an accepted comment; it is given only once the comment is committed.
type Receipt struct {
	No          string
	SubmittedAt time.Time
}

// Consultation is the consultation side of a decision draft, as the consultation use cases load
// it. Body, Explanation, AdoptionSummary and CommentCount are filled only when the text is asked
// for.
type Consultation struct {
	ID                int64
	Unit              string
	UnitName          string
	Definition        string
	DefinitionVersion int
	State             string
	Version           int
	Facts             workflow.Facts
	Title             string
	Body              string
	Explanation       string
	AdoptionSummary   string
	CommentCount      int
	PublishedAt       time.Time
}

// ConsultationQuery filters the public list of consultations.
type ConsultationQuery struct {
	Status string    // ConsultationUpcoming, ConsultationOpen, ConsultationClosed or "" for all
	Now    time.Time // the instant the status is judged at
	States []string  // the workflow states a public consultation can be in (PublicConsultationStates)
	Limit  int
	Offset int
}

// CommentQuery filters the staff list of a consultation's comments.
type CommentQuery struct {
	DocumentID  int64
	Status      CommentStatus // "" = every status
	Campaign    string        // "" = every campaign
	Grouped     bool          // one row per campaign (its first comment), largest campaigns first
	BurstMin    int           // comments within BurstWindow that make a burst
	BurstWindow time.Duration
	Limit       int
	Offset      int
}

// Campaign is a group of identical or near-identical comments.
type Campaign struct {
	Key         string
	Count       int
	Text        string // the first comment's text
	FirstAt     time.Time
	LastAt      time.Time
	Disposition Disposition // the members' disposition when they all share one; "" otherwise
	Reason      string      // the members' disposition reason when they all share one
	Mixed       bool        // the members have different dispositions
	Undisposed  int
}

// Burst kinds.
const (
	BurstClient   = "client"   // many comments from one client
	BurstCampaign = "campaign" // many comments of one campaign
)

// Burst is a client or a campaign that sent at least BurstMin comments within BurstWindow.
type Burst struct {
	Kind    string // BurstClient or BurstCampaign
	Key     string // the client key or the campaign key
	Peak    int    // the most comments within one window
	Count   int    // every comment of the key
	FirstAt time.Time
	LastAt  time.Time
}

// CommentStats counts a consultation's comments.
type CommentStats struct {
	Total         int
	ByStatus      map[CommentStatus]int
	ByDisposition map[Disposition]int // "" counts the comments not yet handled
}

// CommentPage is one page of the staff list with the consultation-wide groupings.
type CommentPage struct {
	Items     []Comment
	Total     int // rows matching the query (campaigns when grouped)
	Campaigns []Campaign
	Bursts    []Burst
	Stats     CommentStats
}

// Disposal is one bulk disposition: the comments named by id and every comment of the named
// campaigns get the same disposition and reason.
type Disposal struct {
	CommentIDs   []int64
	CampaignKeys []string
	Disposition  Disposition
	Reason       string
}

// CommentGroup is the comments of one campaign that share a disposition, for the adoption summary.
type CommentGroup struct {
	CampaignKey string
	Disposition Disposition
	Reason      string
	Count       int
	Hidden      int
	Text        string // the first text that is not hidden; "" when all are hidden
	FirstAt     time.Time
}

// ConsultationStore is what the consultation use cases need from the database.
type ConsultationStore interface {
	// Consultation loads the consultation side of document id; withText adds the draft text, the
	// adoption summary and the comment count.
	Consultation(ctx context.Context, id int64, withText bool) (Consultation, error)
	// PublicConsultations lists the consultations ConsultationPublic admits, filtered by q.
	PublicConsultations(ctx context.Context, q ConsultationQuery) ([]Consultation, int, error)
	// AddComment stores c and returns it with its ID and ReceiptNo once it is committed.
	AddComment(ctx context.Context, c Comment) (Comment, error)
	PublishedComments(ctx context.Context, doc int64, limit int) ([]Comment, error)
	ListComments(ctx context.Context, q CommentQuery) (CommentPage, error)
	// Moderate sets a comment's moderation status.
	Moderate(ctx context.Context, doc, id int64, status CommentStatus, reason string, actor workflow.Actor, now time.Time) (Comment, error)
	// Dispose records d on the document's comments if the document is still in state, with an
	// audit event, and returns how many comments it changed. Unknown ids or keys fail the whole
	// disposal.
	Dispose(ctx context.Context, doc int64, d Disposal, state string, actor workflow.Actor, now time.Time) (int, error)
	SummaryGroups(ctx context.Context, doc int64) ([]CommentGroup, error)
	// AttachSummary saves the adoption summary and sets the fact summary_attached, with an audit
	// event, if the document is still at prevVersion and in state and every comment is handled. It
	// returns the new version.
	AttachSummary(ctx context.Context, doc int64, prevVersion int, state, text string, actor workflow.Actor, now time.Time) (int, error)
	// SetCommentsPublic sets or clears the fact comments_public, with an audit event, if the
	// document is still at prevVersion and in state. It returns the new version.
	SetCommentsPublic(ctx context.Context, doc int64, prevVersion int, state string, on bool, actor workflow.Actor, now time.Time) (int, error)
	History(ctx context.Context, kind string, id int64) ([]workflow.AuditEntry, error)
}

// The public statuses of a consultation, judged by its period against the clock.
const (
	ConsultationUpcoming = "upcoming"
	ConsultationOpen     = "open"
	ConsultationClosed   = "closed"
)

// ConsultationStatusLabel returns the Chinese label of a consultation status.
func ConsultationStatusLabel(status string) string {
	switch status {
	case ConsultationUpcoming:
		return "即将开始"
	case ConsultationOpen:
		return "正在征求意见"
	case ConsultationClosed:
		return "征求意见已结束"
	}
	return status
}

// PublicConsultationStates are the states of a decision draft whose consultation is on the
// portal: scheduled (announced), open, and every state after the period closed.
func PublicConsultationStates() []string {
	return []string{"consultation_scheduled", "consultation_open", "consultation_closed", "legality_review", "deciding",
		"awaiting_publication", "published"}
}

// acceptsComments reports whether a comment may arrive in state; the clock decides within them.
func acceptsComments(state string) bool {
	switch state {
	case "consultation_scheduled", "consultation_open", "consultation_closed":
		return true
	}
	return false
}

// ConsultationPublic reports whether c's consultation may be shown on the portal: a decision draft
// in a public consultation state, with a period, not exempt from public comment, and not tagged
// 依申请公开 or 不予公开. The store's public queries apply the same rule.
func ConsultationPublic(c Consultation) bool {
	if c.Definition != "decision" || !slices.Contains(PublicConsultationStates(), c.State) {
		return false
	}
	if _, ok := workflow.FactTime(c.Facts, "opens_at"); !ok {
		return false
	}
	if _, ok := workflow.FactTime(c.Facts, "closes_at"); !ok {
		return false
	}
	if c.Facts.Bool("consultation_exempt") {
		return false
	}
	a := c.Facts["attribute"]
	return a == "" || a == workflow.AttributeProactive
}

// ConsultationStatus returns the status of a consultation with facts at now: upcoming before
// opens_at, open until closes_at, closed from closes_at on. It decides by the facts, not by
// whether the sweep has fired the open or close transition yet.
func ConsultationStatus(f workflow.Facts, now time.Time) string {
	opens, _ := workflow.FactTime(f, "opens_at")
	closes, ok := workflow.FactTime(f, "closes_at")
	switch {
	case now.Before(opens):
		return ConsultationUpcoming
	case ok && now.Before(closes):
		return ConsultationOpen
	}
	return ConsultationClosed
}

// PeriodOpen returns nil when a comment may be accepted at now, and an *Error with code EClosed
// that states the period in Beijing time otherwise.
func PeriodOpen(f workflow.Facts, now time.Time) error {
	opens, okOpen := workflow.FactTime(f, "opens_at")
	closes, okClose := workflow.FactTime(f, "closes_at")
	if !okOpen || !okClose {
		return &workflow.Error{Code: workflow.EClosed, Message: "该草案未公开征求意见，不受理意见"}
	}
	details := map[string]any{"opens_at": opens.UTC().Format(time.RFC3339), "closes_at": closes.UTC().Format(time.RFC3339)}
	switch {
	case now.Before(opens):
		return &workflow.Error{Code: workflow.EClosed, Details: details,
			Message: fmt.Sprintf("征求意见尚未开始：征求意见期为 %s 至 %s（北京时间），请在此期间提交意见", workflow.ShowTime(opens), workflow.ShowTime(closes))}
	case !now.Before(closes):
		return &workflow.Error{Code: workflow.EClosed, Details: details,
			Message: fmt.Sprintf("征求意见已截止：征求意见期为 %s 至 %s（北京时间），截止后不再受理意见", workflow.ShowTime(opens), workflow.ShowTime(closes))}
	}
	return nil
}

// DefaultMaxCommentLength is the longest comment accepted when no other limit is configured.
const DefaultMaxCommentLength = 5000

// Limits on comments.
const (
	MinCommentRunes    = 5
	MaxCommenterName   = 50
	MaxCommentContact  = 100
	MaxModerationRunes = 500
)

// NormalizeComment checks a comment as the form sent it and returns it trimmed: the text is
// required, MinCommentRunes to maxLength characters; the name at most MaxCommenterName; the
// contact, if given, a phone number or an e-mail address. Invalid UTF-8 and control characters
// are refused. HTML is not special: it is kept as text.
func NormalizeComment(in CommentInput, maxLength int) (CommentInput, error) {
	if maxLength <= 0 {
		maxLength = DefaultMaxCommentLength
	}
	out := CommentInput{
		Name:    strings.TrimSpace(in.Name),
		Contact: strings.TrimSpace(in.Contact),
		Text:    strings.TrimSpace(newlines.Replace(in.Text)),
	}
	for _, f := range []struct {
		field, label, v string
		max             int
		multiline       bool
	}{
		{"name", "姓名", out.Name, MaxCommenterName, false},
		{"contact", "联系方式", out.Contact, MaxCommentContact, false},
		{"text", "意见内容", out.Text, maxLength, true},
	} {
		if err := checkCommentText(f.field, f.label, f.v, f.max, f.multiline); err != nil {
			return CommentInput{}, err
		}
	}
	if out.Text == "" {
		return CommentInput{}, &workflow.Error{Code: workflow.EInvalid, Field: "text", Message: "请填写意见内容"}
	}
	if n := utf8.RuneCountInString(out.Text); n < MinCommentRunes {
		return CommentInput{}, &workflow.Error{Code: workflow.EInvalid, Field: "text", Message: fmt.Sprintf("意见内容至少需要 %d 个字", MinCommentRunes)}
	}
	if out.Contact != "" && !validPhone(out.Contact) && !validEmail(out.Contact) {
		return CommentInput{}, &workflow.Error{Code: workflow.EInvalid, Field: "contact",
			Message: "联系方式请填写手机号码、固定电话或电子邮箱地址（也可以不填）"}
	}
	return out, nil
}

// newlines turns Windows and old Mac line ends into "\n".
var newlines = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// checkCommentText refuses invalid UTF-8, text over max characters, control characters and the
// invisible bidirectional overrides that can disguise text.
func checkCommentText(field, label, v string, max int, multiline bool) error {
	if !utf8.ValidString(v) {
		return &workflow.Error{Code: workflow.EInvalid, Field: field, Message: label + "含有无效字符（不是合法的 UTF-8 文本）"}
	}
	if n := utf8.RuneCountInString(v); n > max {
		return &workflow.Error{Code: workflow.EInvalid, Field: field, Message: fmt.Sprintf("%s不能超过 %d 个字（现有 %d 个）", label, max, n)}
	}
	for _, r := range v {
		if multiline && (r == '\n' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return &workflow.Error{Code: workflow.EInvalid, Field: field, Message: label + "含有不可见的控制字符，请删除后重试"}
		}
	}
	return nil
}

// validPhone accepts a mobile or fixed-line number: 7 to 15 digits, an optional leading +, and
// spaces, hyphens or parentheses between them.
func validPhone(v string) bool {
	digits := 0
	for i, r := range v {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '(' || r == ')':
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 15
}

// validEmail accepts a bare address with a dotted domain.
func validEmail(v string) bool {
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(v, '@')
	domain := v[at+1:]
	return at > 0 && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// maskCommenterContact hides most of a commenter's phone number or e-mail address: 138****1234,
// w***@example.com. (requests.go has MaskContact for applicants' contacts, which also covers
// postal addresses; the two could be one.)
func maskCommenterContact(contact string) string {
	if contact == "" {
		return ""
	}
	if at := strings.LastIndexByte(contact, '@'); at > 0 {
		first, _ := utf8.DecodeRuneInString(contact)
		return string(first) + "***" + contact[at:]
	}
	var digits []byte
	for i := 0; i < len(contact); i++ {
		if c := contact[i]; c >= '0' && c <= '9' {
			digits = append(digits, c)
		}
	}
	if len(digits) < 7 {
		return "****"
	}
	return string(digits[:3]) + "****" + string(digits[len(digits)-4:])
}

// NormalizeForCampaign reduces a text to what makes it the same opinion: compatibility forms
// folded (NFKC: full-width letters and digits become ASCII), lower case, punctuation and symbols
// removed, and whitespace kept only as one space between two Latin words.
func NormalizeForCampaign(text string) string {
	t := strings.ToLower(norm.NFKC.String(text))
	fields := strings.FieldsFunc(t, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsControl(r)
	})
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			last, _ := utf8.DecodeLastRuneInString(fields[i-1])
			first, _ := utf8.DecodeRuneInString(f)
			if latin(last) && latin(first) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(f)
	}
	return b.String()
}

func latin(r rune) bool {
	return (r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r))) || unicode.Is(unicode.Latin, r)
}

// CampaignKey returns the hash that groups identical and near-identical comments (a campaign):
// the first 128 bits of SHA-256 over NormalizeForCampaign(text), in hex.
func CampaignKey(text string) string {
	sum := sha256.Sum256([]byte(NormalizeForCampaign(text)))
	return hex.EncodeToString(sum[:16])
}

// ClientBucket returns the part of a client address that identifies one sender: the address
// itself for IPv4, its /64 network for IPv6 (one subscriber's allocation), and the raw text for
// anything that does not parse.
func ClientBucket(client string) string {
	a, err := netip.ParseAddr(strings.TrimSpace(client))
	if err != nil {
		return client
	}
	a = a.Unmap()
	if a.Is6() {
		p, err := a.Prefix(64)
		if err == nil {
			return p.String()
		}
	}
	return a.String()
}

// ClientLimiter limits how often one client may act: a token bucket per client bucket (see
// ClientBucket) that holds burst tokens and refills at the configured rate. Idle buckets are
// forgotten. It is safe for concurrent use; a nil *ClientLimiter allows everything.
type ClientLimiter struct {
	limit rate.Limit
	burst int

	mu      sync.Mutex
	clients map[string]*rate.Limiter
	swept   time.Time
}

// NewClientLimiter returns a limiter that allows burst actions at once and perMinute a minute
// after that, per client. perMinute ≤ 0 disables it.
func NewClientLimiter(perMinute float64, burst int) *ClientLimiter {
	if burst < 1 {
		burst = 1
	}
	return &ClientLimiter{limit: rate.Limit(perMinute / 60), burst: burst, clients: map[string]*rate.Limiter{}}
}

// Allow takes a token of client's bucket at now. When the bucket is empty it returns false and
// how long until the next token.
func (l *ClientLimiter) Allow(client string, now time.Time) (bool, time.Duration) {
	if l == nil || l.limit <= 0 {
		return true, 0
	}
	key := ClientBucket(client)
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) >= time.Minute {
		for k, lim := range l.clients {
			if lim.TokensAt(now) >= float64(l.burst) { // refilled: the same as a new bucket
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
	lim, ok := l.clients[key]
	if !ok {
		lim = rate.NewLimiter(l.limit, l.burst)
		l.clients[key] = lim
	}
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Minute
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// Check is Allow as an error: nil when client may act now, else ETooMany with the seconds to wait
// in Details["retry_after_seconds"] (the Retry-After header).
func (l *ClientLimiter) Check(client string, now time.Time) error {
	ok, wait := l.Allow(client, now)
	if ok {
		return nil
	}
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return &workflow.Error{Code: workflow.ETooMany, Message: fmt.Sprintf("提交过于频繁，请 %d 秒后再试", secs),
		Details: map[string]any{"retry_after_seconds": secs}}
}

// Clients returns how many client buckets the limiter remembers.
func (l *ClientLimiter) Clients() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}

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
		v := baseView(c, now)
		v.Body, v.Explanation = "", ""
		out = append(out, v)
	}
	return out, total, nil
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
// has closed. Anything but 采纳 needs a reason. It returns how many comments changed.
func (s *Consultations) Dispose(ctx context.Context, actor workflow.Actor, doc int64, d Disposal) (int, error) {
	c, err := s.staffConsultation(ctx, actor, doc, "decision:consult", false)
	if err != nil {
		return 0, err
	}
	if err := s.requireState(c, "consultation_closed", "处理公众意见"); err != nil {
		return 0, err
	}
	if !d.Disposition.Valid() {
		return 0, &workflow.Error{Code: workflow.EInvalid, Field: "disposition", Message: "处理意见只能是“采纳”“部分采纳”“不采纳”或“不属于本次征求意见范围”"}
	}
	d.Reason = strings.TrimSpace(d.Reason)
	if err := checkCommentText("reason", "理由", d.Reason, workflow.MaxShortRunes, true); err != nil {
		return 0, err
	}
	if d.Disposition != DispositionAdopted && d.Reason == "" {
		return 0, &workflow.Error{Code: workflow.EInputMissing, Field: "reason", Message: fmt.Sprintf("处理意见为“%s”的，须说明理由", d.Disposition)}
	}
	ids := make([]int64, 0, len(d.CommentIDs))
	for _, id := range d.CommentIDs {
		if id <= 0 {
			return 0, &workflow.Error{Code: workflow.EInvalid, Field: "comment_ids", Message: fmt.Sprintf("意见编号 %d 无效", id)}
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	keys := make([]string, 0, len(d.CampaignKeys))
	for _, k := range d.CampaignKeys {
		k = strings.TrimSpace(k)
		if len(k) != 32 || strings.Trim(k, "0123456789abcdef") != "" {
			return 0, &workflow.Error{Code: workflow.EInvalid, Field: "campaign_keys", Message: fmt.Sprintf("相同意见组标识 %q 无效", k)}
		}
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	if len(ids) == 0 && len(keys) == 0 {
		return 0, &workflow.Error{Code: workflow.EInputMissing, Field: "comment_ids", Message: "请选择要处理的意见"}
	}
	if len(ids) > 10000 || len(keys) > 1000 {
		return 0, &workflow.Error{Code: workflow.EInvalid, Field: "comment_ids", Message: "一次处理的意见过多，请分批处理"}
	}
	d.CommentIDs, d.CampaignKeys = ids, keys
	return s.Store.Dispose(ctx, c.ID, d, "consultation_closed", actor, s.now())
}

// maxSummaryItems bounds how many opinions the generated summary quotes one by one.
const maxSummaryItems = 100

// SummaryDraft generates the 意见采纳情况说明 of doc from the dispositions: the period, the counts
// by disposition, the main opinions (campaigns, largest first) and the other opinions, each with
// its answer. The drafter edits it and attaches it with AttachSummary.
func (s *Consultations) SummaryDraft(ctx context.Context, actor workflow.Actor, doc int64) (SummaryDraft, error) {
	c, err := s.staffConsultation(ctx, actor, doc, "decision:consult", true)
	if err != nil {
		return SummaryDraft{}, err
	}
	if _, ok := workflow.FactTime(c.Facts, "closes_at"); !ok || c.Facts.Bool("consultation_exempt") {
		return SummaryDraft{}, &workflow.Error{Code: workflow.ETransitionNotAllowed, Message: "该草案未公开征求意见，无需意见采纳情况说明"}
	}
	groups, err := s.Store.SummaryGroups(ctx, c.ID)
	if err != nil {
		return SummaryDraft{}, err
	}
	hist, err := s.Store.History(ctx, "document", c.ID)
	if err != nil {
		return SummaryDraft{}, err
	}
	return RenderSummary(c, s.OrgName, ExtensionsOf(hist), groups), nil
}

// RenderSummary writes the 意见采纳情况说明 of consultation c from its comment groups.
func RenderSummary(c Consultation, org string, exts []Extension, groups []CommentGroup) SummaryDraft {
	sd := SummaryDraft{ByDisposition: map[Disposition]int{}}
	for _, g := range groups {
		sd.Total += g.Count
		sd.Hidden += g.Hidden
		if g.Disposition == "" {
			sd.Undisposed += g.Count
		} else {
			sd.ByDisposition[g.Disposition] += g.Count
		}
	}
	if org == "" {
		org = "我单位"
	}
	opens, _ := workflow.FactTime(c.Facts, "opens_at")
	closes, _ := workflow.FactTime(c.Facts, "closes_at")
	var b strings.Builder
	fmt.Fprintf(&b, "关于《%s》公开征求意见采纳情况的说明\n\n", c.Title)
	fmt.Fprintf(&b, "%s于%s至%s在门户网站公开征求《%s》的意见。", org, longTime(opens), longTime(closes), c.Title)
	if r := strings.TrimSpace(c.Facts["shortening_reason"]); r != "" {
		fmt.Fprintf(&b, "因%s，征求意见期少于 30 日。", strings.TrimRight(r, "。"))
	}
	for _, e := range exts {
		fmt.Fprintf(&b, "其间，%s因%s，征求意见截止时间延长至%s。", longDate(e.At), strings.TrimRight(e.Reason, "。"), longTime(e.ClosesAt))
	}
	b.WriteString("\n\n")
	if sd.Total == 0 {
		b.WriteString("征求意见期间未收到意见。\n")
		sd.Text = b.String()
		return sd
	}
	campaigns, inCampaigns := 0, 0
	byKey := map[string]int{}
	for _, g := range groups {
		byKey[g.CampaignKey] += g.Count
	}
	for _, n := range byKey {
		if n >= 2 {
			campaigns++
			inCampaigns += n
		}
	}
	fmt.Fprintf(&b, "征求意见期间共收到意见 %d 条", sd.Total)
	if campaigns > 0 {
		fmt.Fprintf(&b, "，其中内容相同或相近的意见 %d 条，归并为 %d 组", inCampaigns, campaigns)
	}
	if sd.Hidden > 0 {
		fmt.Fprintf(&b, "；其中经审核不予公开的意见 %d 条", sd.Hidden)
	}
	b.WriteString("。经逐条研究，")
	parts := make([]string, 0, 5)
	for _, d := range Dispositions() {
		parts = append(parts, fmt.Sprintf("%s %d 条", d, sd.ByDisposition[d]))
	}
	b.WriteString(strings.Join(parts, "，"))
	if sd.Undisposed > 0 {
		fmt.Fprintf(&b, "，尚未处理 %d 条", sd.Undisposed)
	}
	b.WriteString("。\n")

	var main, others []CommentGroup
	for _, g := range groups {
		if byKey[g.CampaignKey] >= 2 {
			main = append(main, g)
		} else {
			others = append(others, g)
		}
	}
	slices.SortStableFunc(main, func(a, b CommentGroup) int {
		if byKey[a.CampaignKey] != byKey[b.CampaignKey] {
			return byKey[b.CampaignKey] - byKey[a.CampaignKey]
		}
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return a.FirstAt.Compare(b.FirstAt)
	})
	slices.SortStableFunc(others, func(a, b CommentGroup) int { return a.FirstAt.Compare(b.FirstAt) })
	quoted := 0
	section := func(title string, gs []CommentGroup, campaign bool) {
		if len(gs) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s\n", title)
		for i, g := range gs {
			if quoted >= maxSummaryItems {
				rest := 0
				for _, r := range gs[i:] {
					rest += r.Count
				}
				fmt.Fprintf(&b, "另有意见 %d 条，已逐条研究处理，处理情况计入上述统计。\n", rest)
				return
			}
			quoted++
			fmt.Fprintf(&b, "%d. %s", i+1, quote(g.Text))
			if campaign {
				fmt.Fprintf(&b, "（%d 条相同或相近意见）", g.Count)
			}
			b.WriteString("\n处理情况：")
			if g.Disposition == "" {
				b.WriteString("尚未处理。\n")
				continue
			}
			b.WriteString(string(g.Disposition) + "。")
			if r := strings.TrimSpace(g.Reason); r != "" {
				b.WriteString("理由：" + r)
				if !strings.HasSuffix(r, "。") {
					b.WriteString("。")
				}
			}
			b.WriteString("\n")
		}
	}
	section("一、主要意见及采纳情况", main, true)
	title := "二、其他意见及采纳情况"
	if len(main) == 0 {
		title = "一、意见及采纳情况"
	}
	section(title, others, false)
	sd.Text = b.String()
	return sd
}

// quote shortens a comment for the summary: whitespace collapsed, at most 200 characters.
func quote(text string) string {
	if text == "" {
		return "（该意见经审核不予公开，不予引用）"
	}
	t := strings.Join(strings.Fields(text), " ")
	if r := []rune(t); len(r) > 200 {
		t = string(r[:200]) + "……"
	}
	return "“" + t + "”"
}

func longTime(t time.Time) string { return t.In(workflow.Shanghai).Format("2006年1月2日15时04分") }
func longDate(t time.Time) string { return t.In(workflow.Shanghai).Format("2006年1月2日") }

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
