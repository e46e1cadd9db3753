package main

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"

	"wugongkai/configs"
	"wugongkai/internal/postgres"
	"wugongkai/internal/report"
	"wugongkai/internal/tasks"
	"wugongkai/migrations"
	"wugongkai/policy"
	"wugongkai/workflow"
	"wugongkai/workflow/accounts"
	"wugongkai/workflow/calendars"
	"wugongkai/workflow/city"
	"wugongkai/workflow/documents"
	"wugongkai/workflow/requests"
)

// app is what every service subcommand needs, wired once.
type app struct {
	cfg      Config
	log      *slog.Logger
	db       *postgres.DB
	stores   *postgres.Stores    // the configured organisation's
	orgs     *postgres.OrgStores // every organisation's, for the worker
	calendar *workflow.Calendar
	engine   *workflow.Engine
	guards   workflow.GuardSet
	reg      *workflow.Registry // every definition version the engine knows

	stopCalendar context.CancelFunc
}

func newLogger(cfg Config, g *globals) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "text" {
		return slog.New(slog.NewTextHandler(g.stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(g.stderr, opts))
}

// openDB creates the database if missing, connects and migrates it, and gives the pool the audit
// key (generated on first use when none is configured).
func openDB(ctx context.Context, cfg Config, log *slog.Logger) (*postgres.DB, error) {
	audit, err := auditOptions(cfg.Audit, true, log)
	if err != nil {
		return nil, err
	}
	created, err := postgres.EnsureDatabase(ctx, cfg.Database.URL)
	if err != nil {
		return nil, fmt.Errorf("ensure database: %w", err)
	}
	if created {
		name, _ := postgres.DatabaseName(cfg.Database.URL)
		log.Info("database created", "database", name)
	}
	db, err := postgres.Open(ctx, cfg.Database.URL, cfg.Database.MaxConns)
	if err != nil {
		return nil, err
	}
	db.SetAudit(audit)
	m, err := postgres.NewMigrator(db, migrations.FS)
	if err != nil {
		db.Close()
		return nil, err
	}
	applied, err := m.Up(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if len(applied) > 0 {
		log.Info("migrations applied", "versions", applied)
	}
	return db, nil
}

// dataFS returns dir as a file system, or the embedded fallback when dir is empty.
func dataFS(dir string, embedded fs.FS) fs.FS {
	if dir == "" {
		return embedded
	}
	return os.DirFS(dir)
}

// loadCalendar reads the holiday calendars.
func loadCalendar(cfg Config) (*workflow.Calendar, error) {
	cal, err := workflow.LoadCalendar(dataFS(cfg.Paths.Holidays, configs.Holidays()))
	if err != nil {
		return nil, fmt.Errorf("load holiday calendars: %w", err)
	}
	return cal, nil
}

// guardSet is every guard the definitions may name: the engine's own, with the configured floor
// of a shortened comment period, the disclosure rules and the request flow's.
func guardSet(c CommentsConfig) workflow.GuardSet {
	return workflow.DefaultGuards().With(workflow.GuardSet{"period_valid": workflow.PeriodValid(c.ShortestPeriod)}).
		With(policy.Guards()).With(requests.Guards())
}

// newApp connects to PostgreSQL, loads the calendar and the definitions (the files plus every older
// version the database has stored), and records the current definitions.
func newApp(ctx context.Context, cfg Config, log *slog.Logger) (*app, error) {
	cal, err := loadCalendar(cfg)
	if err != nil {
		return nil, err
	}
	guards := guardSet(cfg.Comments)
	reg, err := workflow.LoadDefinitions(dataFS(cfg.Paths.Workflows, configs.Workflows()), guards, policy.Roles...)
	if err != nil {
		return nil, fmt.Errorf("load workflow definitions: %w", err)
	}
	db, err := openDB(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	org, err := postgres.EnsureOrg(ctx, db, cfg.Org.Code, cfg.Org.Name)
	if err != nil {
		db.Close()
		return nil, err
	}
	stores := postgres.NewStores(db, org, workflow.SystemClock)
	a := &app{cfg: cfg, log: log, db: db, stores: stores, orgs: postgres.NewOrgStores(db, workflow.SystemClock, stores), calendar: cal,
		engine: workflow.NewEngine(reg, guards, cal), guards: guards, reg: reg}
	// The years the admin uploaded lie on top of the files.
	if err := a.calendars(nil).Reload(ctx); err != nil {
		a.Close()
		return nil, err
	}
	cal = a.engine.Calendar()
	if err := seedCatalogue(ctx, cfg, a.stores.Catalogue, log); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.loadDefinitions(ctx, reg); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.recount(ctx); err != nil {
		a.Close()
		return nil, err
	}
	years := make([]string, 0)
	for _, y := range cal.Years() {
		years = append(years, fmt.Sprint(y))
	}
	log.Info("calendar loaded", "years", strings.Join(years, ","))
	return a, nil
}

// recount recounts every organisation's provisional deadlines on the loaded calendars.
func (a *app) recount(ctx context.Context) error {
	orgs, err := a.orgs.IDs(ctx)
	if err != nil {
		return err
	}
	for _, org := range orgs {
		n, err := a.orgs.For(org).Deadlines.Recount(ctx, a.engine.Calendar())
		if err != nil {
			return err
		}
		if n > 0 {
			a.log.Info("provisional deadlines recounted on the loaded calendars", "org", org, "count", n)
		}
	}
	return nil
}

// workerOrgs resolves every organisation in the database to its stores, for the worker.
func (a *app) workerOrgs() tasks.Orgs {
	return tasks.Orgs{
		IDs:       a.orgs.IDs,
		Outbox:    func(org int64) tasks.Outbox { return a.orgs.For(org).Outbox },
		Deadlines: func(org int64) tasks.Deadlines { return a.orgs.For(org).Deadlines },
	}
}

// expireValidity marks every organisation's documents whose validity ended before today.
func (a *app) expireValidity(ctx context.Context) error {
	orgs, err := a.orgs.IDs(ctx)
	if err != nil {
		return err
	}
	for _, org := range orgs {
		n, err := a.orgs.For(org).Documents.ExpireValidity(ctx, workflow.DateOf(time.Now()))
		if err != nil {
			return err
		}
		if n > 0 {
			a.log.Info("validity expired", "org", org, "documents", n)
		}
	}
	return nil
}

// loadDefinitions records the current definitions and adds every older version the database has
// stored, for any organisation, to reg.
func (a *app) loadDefinitions(ctx context.Context, reg *workflow.Registry) error {
	if err := a.stores.Orgs.SaveDefinitions(ctx, reg.All()); err != nil {
		return err
	}
	// The worker fires every organisation's deadlines: an instance of another organisation may
	// run on a version only that organisation has stored.
	orgs, err := a.orgs.IDs(ctx)
	if err != nil {
		return err
	}
	var stored []postgres.StoredDefinition
	for _, org := range orgs {
		sds, err := a.orgs.For(org).Orgs.StoredDefinitions(ctx)
		if err != nil {
			return err
		}
		stored = append(stored, sds...)
	}
	for _, sd := range stored {
		if _, err := reg.Get(sd.Name, sd.Version); err == nil {
			continue
		}
		def, err := workflow.LoadDefinition(fmt.Sprintf("%s@v%d (stored)", sd.Name, sd.Version), []byte(sd.Source), a.guards, policy.Roles...)
		if err != nil {
			a.log.Warn("stored workflow definition no longer loads", "name", sd.Name, "version", sd.Version, "err", err)
			continue
		}
		if err := reg.Add(def); err != nil {
			return err
		}
	}
	return nil
}

func (a *app) Close() {
	if a.stopCalendar != nil {
		a.stopCalendar()
	}
	a.orgs.Close()
	a.stores.Close()
	a.db.Close()
}

// calendars is the holiday calendar use cases; a.calendar (the files) lies under the uploaded years.
func (a *app) calendars(authz workflow.Authorizer) *calendars.Calendars {
	return &calendars.Calendars{Store: a.stores.Calendars, Auth: authz, Engine: a.engine, Files: a.calendar}
}

// followCalendar reloads the engine's calendar whenever PostgreSQL announces an upload
// (postgres.CalendarChannel, from this node or another), so every node counts on the new year at
// once. A reload once a minute is only a backstop.
func (a *app) followCalendar() {
	ctx, cancel := context.WithCancel(context.Background())
	a.stopCalendar = cancel
	cals := a.calendars(nil)
	changed := make(chan struct{}, 1)
	signal := func() {
		select {
		case changed <- struct{}{}:
		default:
		}
	}
	go func() {
		if err := postgres.Listen(ctx, a.cfg.Database.Listen(), postgres.CalendarChannel, signal, a.log); err != nil {
			a.log.Error("listen for holiday calendar changes", "err", err)
		}
	}()
	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-changed:
			case <-t.C:
			}
			if err := cals.Reload(ctx); err != nil && ctx.Err() == nil {
				a.log.Warn("reload holiday calendars", "err", err)
			}
		}
	}()
}

// adminOf is an agency's admin's account use cases: a role change reloads this node's enforcer of
// the agency at once.
func adminOf(stores *postgres.Stores, e *policy.Enforcer) *accounts.Admin {
	var roles []accounts.Role
	for _, r := range policy.BuiltinRoles() {
		roles = append(roles, accounts.Role{Name: r.Name, Label: r.Label, BureauWide: r.BureauWide})
	}
	return &accounts.Admin{Store: stores.Accounts, Auth: e, Roles: roles, RolesChanged: e.Reload}
}

// accountsOf is the login use case of an agency.
func (a *app) accountsOf(stores *postgres.Stores) *accounts.Accounts {
	return &accounts.Accounts{Store: stores.Accounts, TTL: a.cfg.Session.TTL, MaxLifetime: a.cfg.Session.MaxLifetime, MaxFailures: a.cfg.Session.MaxFailures,
		FailureDelay: a.cfg.Session.FailureDelay, FailureWindow: a.cfg.Session.FailureWindow,
		AddressCeiling: a.cfg.Session.AddressCeiling}
}

// documentsOf is the document use cases of an agency.
func (a *app) documentsOf(stores *postgres.Stores, authz documents.Authz) *documents.Documents {
	return &documents.Documents{Engine: a.engine, Store: stores.Documents, Auth: authz, IndexTemplate: a.cfg.Publish.IndexTemplate,
		InterpretationDays: a.cfg.Publish.InterpretationDays,
		UnitCodes:          stores.Orgs.UnitCodes, Catalogue: stores.Catalogue.DocumentTag, Disclosure: func(f workflow.Facts) error { return policy.ValidateDisclosure(policy.DisclosureFromFacts(f)) }}
}

// unitNamesOf returns the names of an agency's units by their codes, for the pages' header and lists.
func unitNamesOf(stores *postgres.Stores) func(ctx context.Context) (map[string]string, error) {
	return func(ctx context.Context) (map[string]string, error) {
		us, err := stores.Orgs.Units(ctx)
		if err != nil {
			return nil, err
		}
		m := make(map[string]string, len(us))
		for _, u := range us {
			m[u.Code] = u.Name
		}
		return m, nil
	}
}

// city is the city level over every agency on the database: the city portal's and the city
// office's use cases and the city report. platform says whether the organisation serving the
// requests is the platform's own (the configured one), whose accounts may hold the city office's
// role. agencyURL gives an agency's portal address by its code (nil = http.public_base_url for
// every agency).
func (a *app) city(authz workflow.Authorizer, platform bool, agencyURL func(code string) string) (*city.City, *report.CityReports) {
	store := postgres.NewCity(a.db, workflow.SystemClock)
	if agencyURL == nil {
		base := strings.TrimRight(a.cfg.HTTP.PublicBaseURL, "/")
		agencyURL = func(string) string { return base }
	}
	return &city.City{Store: store, Engine: a.engine, Auth: authz, AgencyURL: agencyURL,
			Platform: platform, Clock: workflow.SystemClock},
		&report.CityReports{Store: store, Auth: authz, Name: a.cfg.Portal.CityName, Platform: platform}
}
