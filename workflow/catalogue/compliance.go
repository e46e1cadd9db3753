package catalogue

import (
	"context"
	"time"

	"wugongkai/workflow"
)

// ComplianceUnit is the unit the compliance view's permission is checked in: the catalogue is
// the bureau's, so those who read it (report:read, the disclosure office) hold it bureau-wide.
const ComplianceUnit = "*"

// CompliancePermission is the permission the compliance view needs.
const CompliancePermission = "report:read"

// Waiting is a document of an item signed (or decided) and not yet published, with its
// publication deadline.
type Waiting struct {
	ID       int64
	Title    string
	Unit     string
	SignedOn string    // the 成文日期, YYYY-MM-DD ("" when unknown)
	DueDate  string    // the publication deadline's due date ("" when none)
	DueAt    time.Time // its instant (zero when none)
	Overdue  bool      // the deadline has passed
}

// ComplianceRow is one item of the catalogue in force with what was published under it and what
// waits: the compliance view of the disclosure office.
type ComplianceRow struct {
	Item              Item
	LastPublished     time.Time // zero: nothing published under the item
	PublishedThisYear int       // published in the current year (Asia/Shanghai)
	Waiting           []Waiting // signed and waiting for publication, soonest deadline first
}

// Overdue counts the waiting documents past their deadline.
func (r ComplianceRow) Overdue() int {
	n := 0
	for _, w := range r.Waiting {
		if w.Overdue {
			n++
		}
	}
	return n
}

// ComplianceView is the compliance view: every item in force, the year it speaks of, and totals.
type ComplianceView struct {
	Year             int
	Rows             []ComplianceRow
	Waiting          int // documents signed and waiting, all items
	Overdue          int // of those, past their deadline
	NothingPublished int // items with nothing published this year
}

// ComplianceStorer is what the compliance view needs from a store, within one organisation.
type ComplianceStorer interface {
	// Compliance returns, for every item in force (in catalogue order), the last publication of a
	// document tagged with it (in one of public, the states tagged public, and 主动公开), the
	// number published since yearStart, and the documents in one of waiting (the states tagged
	// awaiting_publication) with their publication deadline; overdue when due before now.
	Compliance(ctx context.Context, public, waiting []string, yearStart, now time.Time) ([]ComplianceRow, error)
}

// Compliance is the catalogue compliance view's use case.
type Compliance struct {
	Store ComplianceStorer
	Flows *workflow.Registry // which states are public and which await publication
	Auth  workflow.Authorizer
	Clock workflow.Clock
}

// View returns the compliance view as of now for actor (permission report:read, bureau-wide).
func (c *Compliance) View(ctx context.Context, actor workflow.Actor) (ComplianceView, error) {
	if err := c.Auth.Authorize(ctx, actor, ComplianceUnit, CompliancePermission); err != nil {
		return ComplianceView{}, err
	}
	clock := c.Clock
	if clock == nil {
		clock = workflow.SystemClock
	}
	now := clock.Now()
	year := now.In(workflow.Shanghai).Year()
	start := time.Date(year, 1, 1, 0, 0, 0, 0, workflow.Shanghai)
	rows, err := c.Store.Compliance(ctx, c.Flows.Tagged(workflow.TagPublic), c.Flows.Tagged(workflow.TagAwaitingPublication), start, now)
	if err != nil {
		return ComplianceView{}, err
	}
	v := ComplianceView{Year: year, Rows: rows}
	for _, r := range rows {
		v.Waiting += len(r.Waiting)
		v.Overdue += r.Overdue()
		if r.PublishedThisYear == 0 {
			v.NothingPublished++
		}
	}
	return v, nil
}
