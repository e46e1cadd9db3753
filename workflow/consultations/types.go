package consultations

import (
	"context"
	"fmt"
	"slices"
	"time"

	"wugongkai/workflow"
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

// Disposed is what a disposal changed: the comments it disposed, and the document's new version
// (a disposal raises it, so the client's next save must carry it).
type Disposed struct {
	Count   int
	Version int
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
	// CommentByReceipt loads the comment with receipt number no (ENotFound if none).
	CommentByReceipt(ctx context.Context, no string) (Comment, error)
	ListComments(ctx context.Context, q CommentQuery) (CommentPage, error)
	// Moderate sets a comment's moderation status.
	Moderate(ctx context.Context, doc, id int64, status CommentStatus, reason string, actor workflow.Actor, now time.Time) (Comment, error)
	// Dispose records d on the document's comments if the document is still in state, with an
	// audit event, and returns how many comments it changed. Unknown ids or keys fail the whole
	// disposal.
	Dispose(ctx context.Context, doc int64, d Disposal, state string, actor workflow.Actor, now time.Time) (Disposed, error)
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
