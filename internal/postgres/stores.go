package postgres

import (
	"context"
	"sync"

	"wugongkai/workflow"
)

// Stores is every store of one organisation over one pool, one type per domain; each satisfies the
// small interface its consumer declares. Close stops the comment intake.
type Stores struct {
	Instances  *Instances  // workflow.Store: the engine's transitions
	Documents  *Documents  // documents.DocumentStore
	Requests   *Requests   // requests.RequestStore and requests.CaseStore
	Comments   *Comments   // consultations.ConsultationStore
	Accounts   *Accounts   // accounts.AccountStore, users, roles (policy.AssignmentSource)
	Deadlines  *Deadlines  // deadlines and their sweep (internal/tasks)
	Outbox     *Outbox     // the outbox relay (internal/tasks) and the notifications it delivers
	Audit      *Audit      // audit histories and what a user acted on
	ReportData *ReportData // report.Store: the annual report's figures and inputs
	Portal     *Portal     // the portal's texts
	Orgs       *Orgs       // the organisation's code, units and stored definitions
	Desk       *Desk       // desk.Store: the 待办's deadlines and moderation queue
	Catalogue  *Catalogue  // catalogue.Storer: the standard catalogue and its item versions
	Files      *Files      // files.Store: documents' files and their content
	OnRequest  *OnRequest  // requests.OnRequestStore: documents available on request linked to requests
	Calendars  *Calendars  // calendars.Store: the holiday calendars the admin uploaded
	Agencies   *Agencies   // agencies.Store: the platform's agencies, added ones audited here

	org int64
}

// NewStores returns the stores of organisation org (clock nil = the wall clock) and starts the
// comment intake with its default options.
func NewStores(db *DB, org int64, clock workflow.Clock) *Stores {
	b := newBase(db, org, clock)
	return &Stores{
		Instances: &Instances{b}, Documents: &Documents{records{b}}, Requests: &Requests{records{b}},
		Comments: NewComments(db, org, clock, CommentOptions{}), Accounts: &Accounts{b},
		Deadlines: &Deadlines{b}, Outbox: &Outbox{b}, Audit: &Audit{b}, ReportData: &ReportData{b},
		Portal: &Portal{b}, Orgs: &Orgs{b}, Desk: &Desk{b}, Catalogue: &Catalogue{b}, Files: &Files{b}, OnRequest: &OnRequest{b},
		Calendars: &Calendars{b}, Agencies: &Agencies{b},
		org: org,
	}
}

func newBase(db *DB, org int64, clock workflow.Clock) base {
	if clock == nil {
		clock = workflow.SystemClock
	}
	return base{db: db, org: org, clock: clock}
}

// Org returns the organisation the stores serve.
func (s *Stores) Org() int64 { return s.org }

// Close stops the comment intake once every queued comment is written and answered.
func (s *Stores) Close() { s.Comments.Close() }

// OrgStores builds the stores of each organisation on first use and keeps them, for what serves
// every organisation in the database rather than one (the worker: each outbox row, task and due
// deadline with its own organisation's stores, issue 15).
type OrgStores struct {
	db    *DB
	clock workflow.Clock
	mu    sync.Mutex
	byOrg map[int64]*Stores
	built []*Stores
}

// NewOrgStores returns the per-organisation stores over db; known are stores already built (the
// configured organisation's), used as they are and left for their owner to close.
func NewOrgStores(db *DB, clock workflow.Clock, known ...*Stores) *OrgStores {
	o := &OrgStores{db: db, clock: clock, byOrg: map[int64]*Stores{}}
	for _, s := range known {
		o.byOrg[s.org] = s
	}
	return o
}

// For returns the stores of organisation org, building them on first use.
func (o *OrgStores) For(org int64) *Stores {
	o.mu.Lock()
	defer o.mu.Unlock()
	s, ok := o.byOrg[org]
	if !ok {
		s = NewStores(o.db, org, o.clock)
		o.byOrg[org] = s
		o.built = append(o.built, s)
	}
	return s
}

// IDs lists every organisation in the database (OrgIDs).
func (o *OrgStores) IDs(ctx context.Context) ([]int64, error) { return OrgIDs(ctx, o.db) }

// Close closes the stores For built.
func (o *OrgStores) Close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, s := range o.built {
		s.Close()
	}
	o.built = nil
}

// records is a store of workflow subjects that also reads their audit chains and deadlines, which
// the use cases show beside the record.
type records struct{ base }

// History returns a subject's audit chain in order.
func (s *records) History(ctx context.Context, kind string, id int64) ([]workflow.AuditEntry, error) {
	return s.history(ctx, kind, id)
}

// Deadlines lists a subject's deadlines, pending ones first by due time.
func (s *records) Deadlines(ctx context.Context, kind string, id int64) ([]workflow.Deadline, error) {
	return s.deadlines(ctx, kind, id)
}

// Documents keeps documents and decision drafts: their fields, body versions, publication and
// validity, and the lists of the console and the portal.
type Documents struct{ records }

// Apply implements workflow.Store for the document use cases.
func (s *Documents) Apply(ctx context.Context, prev workflow.Instance, res workflow.Result) (workflow.Instance, error) {
	return s.apply(ctx, prev, res)
}

// Requests keeps disclosure requests and the reconsideration and litigation cases.
type Requests struct{ records }

// Accounts keeps staff accounts, their roles, sessions and login throttles.
type Accounts struct{ base }

// Deadlines keeps the deadlines the transitions set, fires the due ones and recounts provisional
// ones when the calendar changes.
type Deadlines struct{ base }

// Outbox keeps the transactional outbox, delivers its notifications and lists a user's inbox.
type Outbox struct{ base }

// Audit reads the audit chains.
type Audit struct{ base }

// ReportData keeps the annual report's inputs and final snapshots and aggregates its figures.
type ReportData struct{ base }

// Portal keeps the disclosure office's texts of the portal.
type Portal struct{ base }

// Orgs keeps the organisation's units and the workflow definitions it has stored.
type Orgs struct{ base }
