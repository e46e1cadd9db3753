// Package desk is a person's 待办: every item they must act on, across the domains — documents and
// decision drafts at a step their roles may act on in their units, disclosure requests waiting for
// them, and the comments of open consultations waiting for moderation — ordered by the statutory
// due date, each with its pending deadlines. The JSON API and the console both call Desk.Items, so
// the two never disagree. Reconsideration and litigation cases are records without a flow: nothing
// in them waits for anyone, so they never appear here.
package desk

import (
	"cmp"
	"context"
	"slices"
	"time"

	"wugongkai/workflow"
	"wugongkai/workflow/documents"
	"wugongkai/workflow/requests"
)

// The kinds of item.
const (
	KindDocument   = "document"   // an official document (公文)
	KindDecision   = "decision"   // a major-decision draft (重大行政决策草案)
	KindRequest    = "request"    // a disclosure request (政府信息公开申请)
	KindModeration = "moderation" // the comments of a consultation waiting for moderation
)

// KindLabel names a kind of item in Chinese.
func KindLabel(kind string) string {
	switch kind {
	case KindDocument:
		return "公文"
	case KindDecision:
		return "重大行政决策草案"
	case KindRequest:
		return "政府信息公开申请"
	case KindModeration:
		return "意见审核"
	}
	return kind
}

// Item is one thing waiting for the person.
type Item struct {
	Kind       string
	ID         int64 // the document's or the request's id (a moderation item: the decision draft's)
	Version    int
	Title      string
	Unit       string
	UnitName   string
	State      string
	StateLabel string
	ReceiptNo  string // a request's 受理编号
	// Due is the statutory deadline the item is ordered by: the soonest pending deadline that is
	// not a reminder. DueDate is its day (YYYY-MM-DD, Asia/Shanghai); both are zero when the item
	// has none.
	Due     time.Time
	DueDate string
	// Deadlines are the item's pending deadlines, reminders included, soonest first.
	Deadlines []workflow.Deadline
	// Actions are the transitions the person may fire on the item now.
	Actions []workflow.TransitionView
	// PendingComments is the number of comments of a moderation item not yet moderated.
	PendingComments int
	// Document is the document or decision draft of those kinds of item.
	Document *documents.Document
}

// Moderation is a consultation whose public comments wait for moderation.
type Moderation struct {
	DocumentID int64
	Version    int
	Unit       string
	UnitName   string
	Title      string
	State      string
	Definition string
	DefVersion int
	Pending    int
}

// Store is what the desk needs from the database.
type Store interface {
	// PendingDeadlines returns the pending deadlines of the subjects of kind with the given ids,
	// by subject id, soonest first.
	PendingDeadlines(ctx context.Context, kind string, ids []int64) (map[int64][]workflow.Deadline, error)
	// ModerationQueue returns the consultations that publish their comments and have comments
	// pending moderation, in the given units (all = every unit).
	ModerationQueue(ctx context.Context, units []string, all bool) ([]Moderation, error)
}

// Authz answers "may user use permission in unit".
type Authz interface {
	Can(user, unit, permission string) bool
}

// Desk holds the 待办 use case.
type Desk struct {
	Docs     *documents.Documents
	Requests *requests.Requests // nil = requests are not handled here
	Store    Store
	Auth     Authz
}

// Items returns everything waiting for staff, soonest statutory due date first and undated items
// last (ties: oldest id first, documents before requests before moderation).
func (d *Desk) Items(ctx context.Context, staff workflow.Staff) ([]Item, error) {
	actor := staff.Actor()
	dd := d.Docs.ForOneRequest()
	docs, err := dd.Tasks(ctx, staff)
	if err != nil {
		return nil, err
	}
	var items []Item
	for i := range docs {
		doc := docs[i]
		kind := KindDocument
		if doc.Definition == KindDecision {
			kind = KindDecision
		}
		items = append(items, Item{Kind: kind, ID: doc.ID, Version: doc.Version, Title: doc.Title, Unit: doc.Unit,
			UnitName: doc.UnitName, State: doc.State, StateLabel: d.stateLabel(doc.Instance),
			Actions: dd.Available(actor, doc), Document: &doc})
	}
	if d.Requests != nil {
		rs, err := d.Requests.Waiting(ctx, actor)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			items = append(items, Item{Kind: KindRequest, ID: r.ID, Version: r.Version, Title: r.Title, Unit: r.Unit,
				UnitName: r.UnitName, State: r.State, StateLabel: d.stateLabel(r.Instance), ReceiptNo: r.ReceiptNo,
				Actions: d.Requests.Available(actor, r)})
		}
	}
	if units, all := documents.UnitsWith(d.Auth, staff, "comment:moderate"); all || len(units) > 0 {
		ms, err := d.Store.ModerationQueue(ctx, units, all)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			inst := workflow.Instance{ID: m.DocumentID, Unit: m.Unit, Definition: m.Definition, DefinitionVersion: m.DefVersion, State: m.State}
			items = append(items, Item{Kind: KindModeration, ID: m.DocumentID, Version: m.Version, Title: m.Title, Unit: m.Unit,
				UnitName: m.UnitName, State: m.State, StateLabel: d.stateLabel(inst), PendingComments: m.Pending})
		}
	}
	if err := d.withDeadlines(ctx, staff, items); err != nil {
		return nil, err
	}
	slices.SortStableFunc(items, func(a, b Item) int {
		switch {
		case a.Due.IsZero() != b.Due.IsZero():
			if a.Due.IsZero() {
				return 1
			}
			return -1
		case !a.Due.Equal(b.Due):
			return a.Due.Compare(b.Due)
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return items, nil
}

// withDeadlines fills the pending deadlines and the due date of every item: two queries, one per
// subject kind. A deadline addressed to another unit (a countersign's co-unit) dates the item only
// for whoever holds its role there.
func (d *Desk) withDeadlines(ctx context.Context, staff workflow.Staff, items []Item) error {
	ids := map[string][]int64{}
	for _, it := range items {
		k := subjectKind(it.Kind)
		if !slices.Contains(ids[k], it.ID) {
			ids[k] = append(ids[k], it.ID)
		}
	}
	for kind, list := range ids {
		dls, err := d.Store.PendingDeadlines(ctx, kind, list)
		if err != nil {
			return err
		}
		for i := range items {
			if subjectKind(items[i].Kind) != kind {
				continue
			}
			items[i].Deadlines = dls[items[i].ID]
			for _, dl := range items[i].Deadlines {
				if dl.Action != workflow.ActionRemind && (dl.Unit == "" || staff.HoldsIn(dl.Role, dl.Unit)) {
					items[i].Due, items[i].DueDate = dl.DueAt, dl.DueDate
					break
				}
			}
		}
	}
	return nil
}

// subjectKind is the deadline subject kind of an item kind.
func subjectKind(kind string) string {
	if kind == KindRequest {
		return "request"
	}
	return "document"
}

func (d *Desk) stateLabel(inst workflow.Instance) string {
	if def, err := d.Docs.Engine.Definition(inst); err == nil {
		return def.StateLabel(inst.State)
	}
	return inst.State
}
