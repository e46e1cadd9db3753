package requests

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"wugongkai/workflow"
)

// Limits of the search of documents available on request.
const (
	maxOnRequestQuery   = 100 // runes of the search text
	maxOnRequestResults = 50
	maxLinkedPerAction  = 20
)

// OnRequestDocument is a signed 依申请公开 document as the request desk sees it: what the officer
// needs to find it and cite it in a reply.
type OnRequestDocument struct {
	ID        int64
	Title     string
	DocNumber string // 发文字号
	Summary   string
	UnitName  string
	SignedOn  workflow.Date
	Reason    string // why it is 依申请公开 rather than 主动公开
	// Set when the document is linked to a request.
	LinkedAt     time.Time
	LinkedByName string
}

// Citation returns how a reply cites the document: 《title》（文号）.
func (d OnRequestDocument) Citation() string {
	if d.DocNumber == "" {
		return "《" + d.Title + "》"
	}
	return "《" + d.Title + "》（" + d.DocNumber + "）"
}

// CitingRequest is a request a document was linked to, as the document's page shows it.
type CitingRequest struct {
	RequestID int64
	ReceiptNo string
	Title     string
	State     string
	Outcome   string // the outcome key once answered
	LinkedAt  time.Time
}

// OnRequestStore is what the use cases of documents available on request need from the database.
// Every method reads and writes only the store's organisation.
type OnRequestStore interface {
	// SearchOnRequest returns the documents in one of states whose title, 文号 or summary
	// contains every word, most recently signed first, at most limit.
	SearchOnRequest(ctx context.Context, states, words []string, limit int) ([]OnRequestDocument, error)
	// LinkDocuments links the documents docs to request id in one transaction with one audit event
	// of the request per new link: it refuses (nothing written) when the request has reached one
	// of ended, or when a document is not in one of states. Links already there are kept.
	LinkDocuments(ctx context.Context, id int64, docs []int64, ended, states []string, actor workflow.Actor, now time.Time) error
	// LinkedDocuments returns the documents linked to request id, in the order they were linked.
	LinkedDocuments(ctx context.Context, id int64) ([]OnRequestDocument, error)
	// CitingRequests returns the requests document doc is linked to, newest link first.
	CitingRequests(ctx context.Context, doc int64) ([]CitingRequest, error)
}

// OnRequest holds the use cases of the request desk over documents available on request: the
// officer finds them, links them to a request and cites them in the reply; a document's page shows
// the requests it answered.
type OnRequest struct {
	Requests *Requests
	Store    OnRequestStore
}

// states are the document states available on request: those the flows tag so (a signed
// 依申请公开 document is provided to whoever requests it).
func (s *OnRequest) states() []string {
	return s.Requests.Engine.Registry().Tagged(workflow.TagOnRequest)
}

// Search finds the organisation's documents available on request whose title, 文号 or summary
// contains every word of text (all of them, newest signed first, when text is empty). Only staff
// who handle requests may search (request:handle).
func (s *OnRequest) Search(ctx context.Context, actor workflow.Actor, text string) ([]OnRequestDocument, error) {
	r := s.Requests
	if err := r.Auth.Authorize(ctx, actor, r.unit(), "request:handle"); err != nil {
		return nil, err
	}
	text = strings.TrimSpace(text)
	if err := workflow.CheckText("q", text, maxOnRequestQuery, false); err != nil {
		return nil, err
	}
	return s.Store.SearchOnRequest(ctx, s.states(), strings.Fields(text), maxOnRequestResults)
}

// Link links documents available on request to request id, so that the reply can cite them; each
// link is recorded in the request's audit chain. It refuses, writing nothing, a request already
// answered or closed (EClosed) and a document that is not available on request or not of this
// organisation (EInvalid).
func (s *OnRequest) Link(ctx context.Context, actor workflow.Actor, id int64, docs []int64) ([]OnRequestDocument, error) {
	r, err := s.Requests.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := s.Requests.Auth.Authorize(ctx, actor, r.Unit, "request:handle"); err != nil {
		return nil, err
	}
	def, err := s.Requests.Engine.Registry().Latest(r.Definition)
	if err != nil {
		return nil, err
	}
	ended := def.Tagged(workflow.TagTerminal) // where a request ends: answered or closed
	if slices.Contains(ended, r.State) {
		return nil, ClosedRequest()
	}
	slices.Sort(docs)
	docs = slices.Compact(docs)
	switch {
	case len(docs) == 0 || docs[0] <= 0:
		return nil, invalid("document_ids", "请选择要关联的依申请公开文件")
	case len(docs) > maxLinkedPerAction:
		return nil, invalid("document_ids", "一次最多关联 %d 份文件", maxLinkedPerAction)
	}
	if err := s.Store.LinkDocuments(ctx, id, docs, ended, s.states(), actor, s.Requests.Now()); err != nil {
		return nil, err
	}
	return s.Store.LinkedDocuments(ctx, id)
}

// NotOnRequest is the refusal of documents that are not available on request in this
// organisation; the stores return it.
func NotOnRequest(ids []int64) error {
	nos := make([]string, len(ids))
	for i, id := range ids {
		nos[i] = strconv.FormatInt(id, 10)
	}
	return &workflow.Error{Code: workflow.EInvalid, Field: "document_ids",
		Message: "编号为 " + strings.Join(nos, "、") + " 的文件不存在或不是已签发的依申请公开文件，不能用于答复",
		Details: map[string]any{"document_ids": ids}}
}

// ClosedRequest is the refusal of a link to a request already answered or closed; the stores
// return it too when the request closed after it was read.
func ClosedRequest() error {
	return &workflow.Error{Code: workflow.EClosed, Message: "申请已办结，不能再关联文件"}
}

// Linked returns the documents linked to request id (permission request:read).
func (s *OnRequest) Linked(ctx context.Context, actor workflow.Actor, id int64) ([]OnRequestDocument, error) {
	if _, err := s.Requests.Get(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.Store.LinkedDocuments(ctx, id)
}

// Citing returns the requests document doc answered, for someone who may read requests (who sees
// only the requests' receipt numbers and titles); anyone else sees none.
func (s *OnRequest) Citing(ctx context.Context, actor workflow.Actor, doc int64) ([]CitingRequest, error) {
	r := s.Requests
	if !r.Auth.Can(actor.Username, r.unit(), "request:read") {
		return nil, nil
	}
	return s.Store.CitingRequests(ctx, doc)
}
