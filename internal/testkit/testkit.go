// Package testkit builds the test bureau the API, page and fault tests share: a fresh migrated
// database on the real PostgreSQL, the organisation, its units and one user per role, the policy
// enforcer over them, and the engine with the shipped definitions and holiday calendars. It is
// imported by tests only.
package testkit

import (
	"context"
	"testing"
	"time"

	"wugongkai/configs"
	"wugongkai/internal/postgres"
	"wugongkai/internal/postgres/pgtest"
	"wugongkai/policy"
	"wugongkai/workflow"
	"wugongkai/workflow/accounts"
	"wugongkai/workflow/auditcheck"
	"wugongkai/workflow/calendars"
	"wugongkai/workflow/catalogue"
	"wugongkai/workflow/desk"
	"wugongkai/workflow/documents"
	"wugongkai/workflow/files"
	"wugongkai/workflow/requests"
)

// Password is every test user's password.
const Password = "correct horse battery"

// OrgCode is the test organisation's code (it starts every 索引号).
const OrgCode = "11411000MB1234567X"

// IndexTemplate is the 索引号 template the tests publish with.
const IndexTemplate = "{org}/{year}-{serial:5}"

// User is a test account with one role.
type User struct{ Name, Display, Role, Unit string }

// Unit is a test unit.
type Unit struct{ Code, Name string }

// Bureau is a test organisation on its own database.
type Bureau struct {
	DB       *postgres.DB
	Stores   *postgres.Stores
	Enforcer *policy.Enforcer
	Engine   *workflow.Engine
}

// Engine loads the shipped definitions and holiday calendars with every guard; extra replaces
// guards of the same name (as a deployment's configuration does, e.g. the floor of period_valid).
func Engine(tb testing.TB, extra ...workflow.GuardSet) *workflow.Engine {
	tb.Helper()
	cal, err := workflow.LoadCalendar(configs.Holidays())
	if err != nil {
		tb.Fatal(err)
	}
	guards := workflow.DefaultGuards().With(policy.Guards()).With(requests.Guards())
	for _, g := range extra {
		guards = guards.With(g)
	}
	reg, err := workflow.LoadDefinitions(configs.Workflows(), guards, policy.Roles...)
	if err != nil {
		tb.Fatal(err)
	}
	return workflow.NewEngine(reg, guards, cal)
}

// NewBureau creates the organisation, units and users on a fresh database.
func NewBureau(tb testing.TB, orgName string, units []Unit, users []User) *Bureau {
	tb.Helper()
	return NewAgency(tb, pgtest.New(tb), OrgCode, orgName, units, users)
}

// NewAgency creates another organisation (an agency of a platform of many) with its units and
// users on db, as NewBureau does on a fresh database.
func NewAgency(tb testing.TB, db *postgres.DB, code, orgName string, units []Unit, users []User) *Bureau {
	tb.Helper()
	ctx := context.Background()
	org, err := postgres.EnsureOrg(ctx, db, code, orgName)
	if err != nil {
		tb.Fatal(err)
	}
	stores := postgres.NewStores(db, org, nil)
	tb.Cleanup(stores.Close)
	for _, u := range units {
		if err := stores.Orgs.EnsureUnit(ctx, u.Code, u.Name); err != nil {
			tb.Fatal(err)
		}
	}
	hash, err := accounts.HashPassword(Password)
	if err != nil {
		tb.Fatal(err)
	}
	for _, u := range users {
		if _, err := stores.Accounts.CreateUser(ctx, postgres.User{Username: u.Name, DisplayName: u.Display, PasswordHash: hash},
			[]postgres.RoleAssignment{{Role: u.Role, Unit: u.Unit}}); err != nil {
			tb.Fatal(err)
		}
	}
	enf, err := policy.New(ctx, stores.Accounts)
	if err != nil {
		tb.Fatal(err)
	}
	return &Bureau{DB: db, Stores: stores, Enforcer: enf, Engine: Engine(tb)}
}

// Actor returns the workflow actor of the user called username.
func (b *Bureau) Actor(tb testing.TB, username string) workflow.Actor {
	tb.Helper()
	u, err := b.Stores.Accounts.UserByUsername(context.Background(), username)
	if err != nil {
		tb.Fatal(err)
	}
	return workflow.Actor{UserID: u.ID, Username: u.Username, Name: u.DisplayName}
}

// Staff returns the staff member u, who holds u's one role.
func (b *Bureau) Staff(tb testing.TB, u User) workflow.Staff {
	tb.Helper()
	a := b.Actor(tb, u.Name)
	return workflow.Staff{ID: a.UserID, Username: a.Username, Name: a.Name, Roles: []workflow.RoleAssignment{{Role: u.Role, Unit: u.Unit}}}
}

// Documents returns the document use cases over the bureau (clock nil = the wall clock).
func (b *Bureau) Documents(clock workflow.Clock) *documents.Documents {
	return &documents.Documents{Engine: b.Engine, Store: b.Stores.Documents, Auth: b.Enforcer, IndexTemplate: IndexTemplate, Clock: clock,
		UnitCodes: b.Stores.Orgs.UnitCodes, Catalogue: b.Stores.Catalogue.DocumentTag, Disclosure: func(f workflow.Facts) error { return policy.ValidateDisclosure(policy.DisclosureFromFacts(f)) }}
}

// Desk returns the 待办 use case over the bureau, with docs and reqs (nil = no requests).
func (b *Bureau) Desk(docs *documents.Documents, reqs *requests.Requests) *desk.Desk {
	return &desk.Desk{Docs: docs, Requests: reqs, Store: b.Stores.Desk, Auth: b.Enforcer}
}

// Catalogue records the shipped standard catalogue for the bureau and returns its use cases.
func (b *Bureau) Catalogue(tb testing.TB) *catalogue.Catalogue {
	tb.Helper()
	items, err := catalogue.LoadDir(configs.Catalogue())
	if err != nil {
		tb.Fatal(err)
	}
	c := &catalogue.Catalogue{Store: b.Stores.Catalogue}
	if _, err := c.Load(context.Background(), items); err != nil {
		tb.Fatal(err)
	}
	return c
}

// AdminRoles are the roles of policy/roles.csv as the admin assigns them.
func AdminRoles() []accounts.Role {
	var out []accounts.Role
	for _, r := range policy.BuiltinRoles() {
		out = append(out, accounts.Role{Name: r.Name, Label: r.Label, BureauWide: r.BureauWide})
	}
	return out
}

// Admin returns the admin's account use cases over the bureau; a role change reloads the
// bureau's enforcer at once, as the service's does.
func (b *Bureau) Admin() *accounts.Admin {
	return &accounts.Admin{Store: b.Stores.Accounts, Auth: b.Enforcer, Roles: AdminRoles(), RolesChanged: b.Enforcer.Reload}
}

// Calendars returns the holiday calendar use cases over the bureau's engine, whose calendar of
// the shipped files is the one under the uploaded years.
func (b *Bureau) Calendars() *calendars.Calendars {
	return &calendars.Calendars{Store: b.Stores.Calendars, Auth: b.Enforcer, Engine: b.Engine, Files: b.Engine.Calendar()}
}

// CatalogueAdmin returns the admin's catalogue use cases over the bureau.
func (b *Bureau) CatalogueAdmin() *catalogue.Admin {
	return &catalogue.Admin{Store: b.Stores.Catalogue, Auth: b.Enforcer}
}

// Audit returns the audit verification use case over the bureau.
func (b *Bureau) Audit() *auditcheck.Audit {
	return &auditcheck.Audit{Store: b.Stores.Audit, Auth: b.Enforcer}
}

// Compliance returns the catalogue compliance view over the bureau (clock nil = the wall clock).
func (b *Bureau) Compliance(clock workflow.Clock) *catalogue.Compliance {
	return &catalogue.Compliance{Store: b.Stores.Catalogue, Flows: b.Engine.Registry(), Auth: b.Enforcer, Clock: clock}
}

// Files returns the file use cases over the bureau, accepting files of up to maxBytes.
func (b *Bureau) Files(maxBytes int64) *files.Files {
	return &files.Files{Engine: b.Engine, Store: b.Stores.Files, Auth: b.Enforcer, Docs: b.Documents(nil), MaxBytes: maxBytes}
}

// ForeignDocument stores, in a second organisation on db, a document in state with title: what
// no query of the test organisation may reach.
func ForeignDocument(tb testing.TB, db *postgres.DB, state, title string) documents.Document {
	tb.Helper()
	ctx := context.Background()
	org, err := postgres.EnsureOrg(ctx, db, "TESTORG002", "另一机关")
	if err != nil {
		tb.Fatal(err)
	}
	s := postgres.NewStores(db, org, nil)
	if err := s.Orgs.EnsureUnit(ctx, "chengjian", "城建科"); err != nil {
		tb.Fatal(err)
	}
	u, err := s.Accounts.CreateUser(ctx, postgres.User{Username: "drafter", DisplayName: "外机关", PasswordHash: "x"}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	d, err := s.Documents.CreateDocument(ctx, documents.Document{Instance: workflow.Instance{Unit: "chengjian", Definition: "document",
		DefinitionVersion: 1, State: state, Facts: workflow.Facts{"attribute": "依申请公开"}},
		Title: title, DocKind: documents.KindOther, CreatedBy: u.ID}, workflow.Actor{UserID: u.ID, Username: u.Username}, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	return d
}
