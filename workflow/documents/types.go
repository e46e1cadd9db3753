package documents

import (
	"context"
	"time"

	"wugongkai/workflow"
)

// DocumentStore is what the document use cases need from the database.
type DocumentStore interface {
	workflow.Store
	CreateDocument(ctx context.Context, d Document, actor workflow.Actor, now time.Time) (Document, error)
	Document(ctx context.Context, id int64) (Document, error)
	// UpdateDocument saves d's editable fields and facts if the stored version is still
	// prevVersion, with a body version when the text changed and an "edit" audit event.
	UpdateDocument(ctx context.Context, d Document, prevVersion int, actor workflow.Actor, now time.Time, changed []string) (Document, error)
	// ApplyPublication applies res (the publish transition) and records pub, assigning the
	// 索引号 from pub.IndexTemplate, in one transaction.
	ApplyPublication(ctx context.Context, prev workflow.Instance, res workflow.Result, pub Publication) (workflow.Instance, error)
	// SetValidity changes a published document's validity (有效/失效/废止) with an audit event.
	SetValidity(ctx context.Context, id int64, prevVersion int, validity string, validUntil time.Time, actor workflow.Actor, now time.Time) (Document, error)
	History(ctx context.Context, kind string, id int64) ([]workflow.AuditEntry, error)
	Deadlines(ctx context.Context, kind string, id int64) ([]workflow.Deadline, error)
	Versions(ctx context.Context, id int64) ([]BodyVersion, error)
	ListDocuments(ctx context.Context, q DocumentQuery) ([]Document, int, error)
	PublicDocuments(ctx context.Context, q PublicQuery) ([]Document, int, error)
	// PublicDocument reads document id if it is 主动公开 and in one of states (those the flows tag
	// public).
	PublicDocument(ctx context.Context, id int64, states []string) (Document, error)
	// Interpretations lists the documents that interpret document id (Document.Interprets), in
	// any state, oldest first, without body.
	Interpretations(ctx context.Context, id int64) ([]Document, error)
	// PublicInterpretations lists the public documents (as PublicDocument) that interpret
	// document id, in the order they were published.
	PublicInterpretations(ctx context.Context, id int64, states []string) ([]Document, error)
}

// Step is a transition of another record that a change brings about, applied in the change's
// transaction: the interpreted policy's when its interpretation is published.
type Step struct {
	Prev   workflow.Instance
	Result workflow.Result
}

// Authz is the authorizer with the question "may this user do that in this unit", used to filter
// lists without an error per row.
type Authz interface {
	workflow.Authorizer
	Can(user, unit, permission string) bool
}

// BodyVersion is one saved text of a document.
type BodyVersion struct {
	No          int
	Title       string
	Body        string
	Explanation string
	AuthorName  string
	CreatedAt   time.Time
}

// Blocked is a transition the caller's roles could take but cannot yet: Reason (Chinese) says
// what is missing, Code is the refusal's error code.
type Blocked struct {
	Name, Label  string
	Code, Reason string
}

// Publication is the catalogue metadata recorded when a document is published (《条例》第十二条
// and the portal's fields).
type Publication struct {
	IndexTemplate   string // e.g. "{org}/{year}-{serial:5}"
	Title           string // the published title (a decision's without "（征求意见稿）"); "" keeps the title
	DocKind         string // the published kind (a decision's is 重大行政决策); "" keeps the kind
	DocNumber       string // 发文字号
	SubjectCategory string // 主题分类
	Summary         string // 内容概述
	Validity        string
	ValidUntil      time.Time // zero = none
	PublishedAt     time.Time
	SearchTerms     []string
	// Then are the steps of other records the publication brings about, applied in its
	// transaction.
	Then []Step
}

// DocumentQuery filters the staff document list.
type DocumentQuery struct {
	Units       []string // nil = every unit
	Definitions []string // nil = both
	States      []string // nil = every state
	StatePairs  [][2]string
	CreatedBy   int64
	IDs         []int64 // nil = any document
	WithBody    bool    // load body and explanation too (lists leave them out unless asked)
	Limit       int
	Offset      int
}

// PublicQuery filters the public document list.
type PublicQuery struct {
	Category     string // 主题分类 prefix
	Item         string // the code of the catalogue item the documents belong to
	ItemCategory string // the 五公开 category of their catalogue item
	Year         int
	Validity     string
	Terms        []string // search terms (bigrams) that must all be present
	Phrases      []string // each must appear in the title or body (lowercased)
	States       []string // the states the flows tag public; set by the use case
	Limit        int
	Offset       int
}

// Draft is what a drafter writes: every field optional on update (nil = unchanged).
type Draft struct {
	Definition      string // "document" (公文) or "decision" (重大行政决策草案); create only
	Unit            string // create only
	Title           *string
	Body            *string
	Explanation     *string
	DocKind         *string
	SubjectCategory *string
	DocNumber       *string
	Summary         *string
	// Disclosure.
	Attribute               *string
	Grounds                 *[]string
	GroundsExplanation      *string
	ThirdPartyConsent       *bool
	PublicInterestOverride  *bool
	DisclosureRequiredByLaw *bool
	// CoUnits are the units whose heads countersign (会签) the document: nil = unchanged, empty
	// = none.
	CoUnits *[]string
	// CatalogueItem is the code of the catalogue item the document belongs to: nil = unchanged,
	// "" = none.
	CatalogueItem *string
	// Interprets is the 规范性文件 the document is the interpretation (政策解读) of: nil =
	// unchanged, 0 = none.
	Interprets *int64
	// Decision drafts.
	OpensAt            *time.Time
	ClosesAt           *time.Time
	ShorteningReason   *string
	ConsultationExempt *bool
	ExemptReason       *string
}

// memoAuthz answers each (user, unit, permission) question once: the 待办 asks the same few
// questions of every document it lists, and each answer costs a policy evaluation. It lives for
// one request, so a changed role is seen by the next one.
type memoAuthz struct {
	Authz
	seen map[[3]string]bool
}

func (m *memoAuthz) Can(user, unit, permission string) bool {
	k := [3]string{user, unit, permission}
	if v, ok := m.seen[k]; ok {
		return v
	}
	v := m.Authz.Can(user, unit, permission)
	m.seen[k] = v
	return v
}

// ForOneRequest returns a copy of s that asks the authorizer each permission question once, for a
// use case that weighs many documents for one person in one request (the 待办). It is not safe
// for concurrent use; do not keep it beyond the request.
func (s *Documents) ForOneRequest() *Documents {
	c := *s
	if _, ok := s.Auth.(*memoAuthz); !ok && s.Auth != nil {
		c.Auth = &memoAuthz{Authz: s.Auth, seen: map[[3]string]bool{}}
	}
	return &c
}
