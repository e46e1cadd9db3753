package main

import (
	"context"

	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"wugongkai/internal/httpapi"
	"wugongkai/internal/httpkit"
	"wugongkai/internal/pagecache"
	"wugongkai/internal/postgres"
	"wugongkai/internal/report"
	"wugongkai/internal/tasks"
	"wugongkai/internal/web"
	"wugongkai/policy"
	"wugongkai/workflow"
	"wugongkai/workflow/agencies"
	"wugongkai/workflow/auditcheck"
	"wugongkai/workflow/catalogue"
	"wugongkai/workflow/consultations"
	"wugongkai/workflow/desk"
	"wugongkai/workflow/files"
	"wugongkai/workflow/requests"
)

// platform serves every agency of the deployment on one listener: the first agency (the
// configured organisation) is built at start, every other one on its first request, and kept.
// An agency added while running is served at once. One LISTEN connection reloads the role
// assignments of the agency a change names.
type platform struct {
	a     *app
	log   *slog.Logger
	reg   *prometheus.Registry
	redis *tasks.Redis
	pages *pagecache.Cache
	first *site
	// own are the platform's own host names (of http.public_base_url, localhost, 127.0.0.1,
	// ::1): a host registered to no agency is served by the first agency when it is one of them.
	own map[string]bool

	ctx    context.Context // the sites' reload loops run until it ends
	cancel context.CancelFunc

	index atomic.Pointer[agencyIndex] // the agencies' hosts, read on every request
	sites sync.Map                    // agency id → *site, once built

	mu       sync.Mutex
	building map[int64]chan struct{} // agencies being built, closed when done
	scanMu   sync.Mutex              // one re-read of the agencies at a time
}

// agencyIndex is the agencies' hosts as last read; it is replaced, never changed.
type agencyIndex struct {
	hosts    map[string]agencies.Agency // the agencies with a host, by host
	count    int                        // how many agencies there are
	loadedAt time.Time
}

// site is one agency's handler with what it was built from.
type site struct {
	agency   agencies.Agency
	stores   *postgres.Stores
	enforcer *policy.Enforcer
	handler  http.Handler
	changed  chan struct{} // a role change of the agency: reload its assignments
}

// rescanEvery bounds how often a host registered to no known agency makes the platform re-read the
// agencies (an agency added by `wugongkai agency add` on another node is found this way).
const rescanEvery = 200 * time.Millisecond

func newPlatform(ctx context.Context, a *app, reg *prometheus.Registry, redis *tasks.Redis, pages *pagecache.Cache) (*platform, error) {
	pctx, cancel := context.WithCancel(context.Background())
	p := &platform{a: a, log: a.log, reg: reg, redis: redis, pages: pages, ctx: pctx, cancel: cancel,
		building: map[int64]chan struct{}{},
		own:      map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true}}
	if u, err := url.Parse(a.cfg.HTTP.PublicBaseURL); err == nil && u.Host != "" {
		p.own[agencies.HostOnly(u.Host)] = true
	}
	if err := p.rescan(ctx); err != nil {
		cancel()
		return nil, err
	}
	first, err := postgres.AgencyByCode(ctx, a.db, a.cfg.Org.Code)
	if err != nil {
		cancel()
		return nil, err
	}
	if p.first, err = p.build(ctx, first, a.stores); err != nil {
		cancel()
		return nil, err
	}
	p.sites.Store(first.ID, p.first)
	go p.watchRoles()
	return p, nil
}

// Close stops the reload loops. The agencies' stores are the app's (app.orgs, shared with the
// worker: one comment intake per agency and process), closed with it.
func (p *platform) Close() {
	p.cancel()
}

// Handler is the platform's outer handler.
func (p *platform) Handler() *httpkit.Dispatcher {
	return &httpkit.Dispatcher{Resolve: p.resolve, Platform: p.first.handler, City: p.first.handler, Log: p.log}
}

// agencyURL is the portal address of the agency with code (http.public_base_url when it has no
// host of its own or is not known yet), without a trailing slash.
func (p *platform) agencyURL(code string) string {
	if idx := p.index.Load(); idx != nil {
		for _, ag := range idx.hosts {
			if ag.Code == code {
				return strings.TrimRight(p.baseURL(ag), "/")
			}
		}
	}
	return strings.TrimRight(p.a.cfg.HTTP.PublicBaseURL, "/")
}

// rescan re-reads the agencies' hosts.
func (p *platform) rescan(ctx context.Context) error {
	all, err := postgres.ListAgencies(ctx, p.a.db)
	if err != nil {
		return err
	}
	hosts := map[string]agencies.Agency{}
	for _, ag := range all {
		if ag.Host != "" {
			hosts[ag.Host] = ag
		}
	}
	p.index.Store(&agencyIndex{hosts: hosts, count: len(all), loadedAt: time.Now()})
	return nil
}

// Forget makes the next request of an unknown host re-read the agencies (an agency was added on
// this node).
func (p *platform) Forget() {
	ix := *p.index.Load()
	ix.loadedAt = time.Time{}
	p.index.Store(&ix)
}

// resolve returns the handler of the agency serving host: the agency registered to it, else the
// first agency when the platform has only one or host is the platform's own.
func (p *platform) resolve(r *http.Request, host string) (http.Handler, error) {
	ag, ok, err := p.lookup(r.Context(), host)
	if err != nil {
		return nil, err
	}
	if !ok {
		if p.index.Load().count <= 1 || p.own[host] {
			return p.first.handler, nil
		}
		return nil, httpkit.ErrNoAgency
	}
	s, err := p.site(r.Context(), ag)
	if err != nil {
		return nil, err
	}
	return s.handler, nil
}

// lookup finds the agency registered to host, re-reading the agencies when host is unknown and
// the last reading is older than rescanEvery.
func (p *platform) lookup(ctx context.Context, host string) (agencies.Agency, bool, error) {
	ix := p.index.Load()
	if ag, ok := ix.hosts[host]; ok || p.own[host] || time.Since(ix.loadedAt) <= rescanEvery {
		return ag, ok, nil
	}
	p.scanMu.Lock()
	defer p.scanMu.Unlock()
	if ix := p.index.Load(); time.Since(ix.loadedAt) > rescanEvery { // not re-read while waiting
		if err := p.rescan(ctx); err != nil {
			return agencies.Agency{}, false, err
		}
	}
	ag, ok := p.index.Load().hosts[host]
	return ag, ok, nil
}

// site returns the built site of ag, building it on first use (one build at a time per agency).
func (p *platform) site(ctx context.Context, ag agencies.Agency) (*site, error) {
	if s, ok := p.sites.Load(ag.ID); ok {
		return s.(*site), nil
	}
	for {
		p.mu.Lock()
		if s, ok := p.sites.Load(ag.ID); ok {
			p.mu.Unlock()
			return s.(*site), nil
		}
		wait, busy := p.building[ag.ID]
		if !busy {
			done := make(chan struct{})
			p.building[ag.ID] = done
			p.mu.Unlock()
			s, err := p.build(ctx, ag, p.a.orgs.For(ag.ID))
			p.mu.Lock()
			delete(p.building, ag.ID)
			if err == nil {
				p.sites.Store(ag.ID, s)
			}
			p.mu.Unlock()
			close(done)
			if err != nil {
				return nil, err
			}
			p.log.Info("agency served", "agency", ag.Code, "host", ag.Host)
			return s, nil
		}
		p.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// watchRoles keeps one LISTEN connection for the role changes of every agency and passes each
// to the agency it names ("" = every agency).
func (p *platform) watchRoles() {
	signal := func(s *site) {
		select {
		case s.changed <- struct{}{}:
		default: // a reload is already due; it will read this change too
		}
	}
	err := postgres.ListenPayloads(p.ctx, p.a.cfg.Database.Listen(), postgres.RolesChannel, func(payload string) {
		if payload == "" {
			p.sites.Range(func(_, s any) bool { signal(s.(*site)); return true })
			return
		}
		if id, err := strconv.ParseInt(payload, 10, 64); err == nil {
			if s, ok := p.sites.Load(id); ok {
				signal(s.(*site))
			}
		}
	}, p.log)
	if err != nil {
		p.log.Error("listen for role changes", "err", err)
	}
}

// reloadRoles reloads s's assignments on each change it is told of, and once a minute as a
// backstop, until the platform closes. Rows the enforcer rejects are logged; their users hold
// no role.
func (p *platform) reloadRoles(s *site) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-p.ctx.Done():
			return
		case <-s.changed:
		case <-t.C:
		}
		if err := s.enforcer.Reload(p.ctx); err != nil {
			if p.ctx.Err() == nil {
				p.log.Warn("reload role assignments", "agency", s.agency.Code, "err", err)
			}
			continue
		}
		p.logRejected(s)
	}
}

// logRejected warns about every assignment row the enforcer rejected.
func (p *platform) logRejected(s *site) {
	for _, r := range s.enforcer.Rejected() {
		p.log.Warn("role assignment rejected: its user holds no role", "agency", s.agency.Code, "user", r.User, "role", r.Role,
			"unit", r.Unit, "err", r.Err)
	}
}

// baseURL is the portal address of ag: http.public_base_url for the first agency, the same
// scheme and port on the agency's own host for the others ("" = the host a request came to).
func (p *platform) baseURL(ag agencies.Agency) string {
	base := p.a.cfg.HTTP.PublicBaseURL
	if p.first == nil || ag.ID == p.first.agency.ID || base == "" {
		return base
	}
	u, err := url.Parse(base)
	if err != nil || ag.Host == "" {
		return ""
	}
	host := ag.Host
	if port := u.Port(); port != "" {
		host += ":" + port
	}
	return u.Scheme + "://" + host
}

// build wires the handler of ag over its stores: today's single-agency wiring, bound to the agency.
func (p *platform) build(ctx context.Context, ag agencies.Agency, stores *postgres.Stores) (*site, error) {
	a, cfg, log := p.a, p.a.cfg, p.log
	first := p.first == nil
	if !first {
		// A new agency has the definitions' sources stored and the standard catalogue, as the
		// first agency has from its first start.
		if err := stores.Orgs.SaveDefinitions(ctx, a.reg.All()); err != nil {
			return nil, err
		}
		if err := seedCatalogue(ctx, cfg, stores.Catalogue, log.With("agency", ag.Code)); err != nil {
			return nil, err
		}
	}
	enforcer, err := policy.New(ctx, stores.Accounts)
	if err != nil {
		return nil, fmt.Errorf("load policy of %s: %w", ag.Code, err)
	}
	s := &site{agency: ag, stores: stores, enforcer: enforcer, changed: make(chan struct{}, 1)}
	p.logRejected(s)
	go p.reloadRoles(s)

	orgName := ag.Name
	requestUnit := ag.RequestUnit
	if first {
		orgName = cfg.Org.Name
	}
	if requestUnit == "" {
		requestUnit = cfg.Requests.Unit
	}
	api := httpapi.New(httpapi.Options{
		MaxBodyBytes: cfg.HTTP.MaxBodyBytes,
		Registry:     p.reg,
		Log:          log,
		Ready: map[string]httpapi.Pinger{
			"postgres": httpapi.PingFunc(a.db.PingContext),
			"redis":    httpapi.PingFunc(p.redis.Ping),
		},
	})
	if err := api.Engine.SetTrustedProxies(cfg.HTTP.TrustedProxies); err != nil {
		return nil, fmt.Errorf("http.trusted_proxies: %w", err)
	}
	handlers := &httpapi.API{Accounts: a.accountsOf(stores), Docs: a.documentsOf(stores, enforcer), Authz: enforcer, Inbox: stores.Outbox,
		OrgName: orgName, PageCache: p.pages}
	httpapi.Mount(api, handlers)
	consults := &consultations.Consultations{Store: stores.Comments, Auth: enforcer, Engine: a.engine, Clock: workflow.SystemClock,
		OrgName: orgName, MaxLength: cfg.Comments.MaxLength,
		Limiter: consultations.NewClientLimiter(cfg.Comments.RatePerMinute, cfg.Comments.Burst),
		Lookups: consultations.NewClientLimiter(cfg.Requests.LookupsPerMinute, cfg.Requests.LookupBurst)}
	httpapi.MountConsultations(api, handlers, &httpapi.ConsultationsAPI{Consultations: consults})
	reqs := &requests.Requests{Engine: a.engine, Store: stores.Requests, Auth: enforcer, Clock: workflow.SystemClock,
		Unit: requestUnit, Limiter: consultations.NewClientLimiter(cfg.Requests.RatePerMinute, cfg.Requests.Burst),
		LookupLimiter: consultations.NewClientLimiter(cfg.Requests.LookupsPerMinute, cfg.Requests.LookupBurst)}
	cases := &requests.Cases{Store: stores.Requests, Auth: enforcer, Clock: workflow.SystemClock, Unit: requestUnit}
	handlers.Desk = &desk.Desk{Docs: handlers.Docs, Requests: reqs, Store: stores.Desk, Auth: enforcer}
	reports := &report.Reports{Store: stores.ReportData, Auth: enforcer, Org: orgName, Clock: workflow.SystemClock}
	onRequest := &requests.OnRequest{Requests: reqs, Store: stores.OnRequest}
	httpapi.MountRequests(api, handlers, &httpapi.RequestsAPI{Requests: reqs, Cases: cases, Reports: reports, OnRequest: onRequest})
	standards := &catalogue.Catalogue{Store: stores.Catalogue}
	compliance := &catalogue.Compliance{Store: stores.Catalogue, Flows: a.engine.Registry(), Auth: enforcer, Clock: workflow.SystemClock}
	httpapi.MountCatalogue(api, handlers, &httpapi.CatalogueAPI{Catalogue: standards, Compliance: compliance})
	docFiles := &files.Files{Engine: a.engine, Store: stores.Files, Auth: enforcer, Docs: handlers.Docs,
		MaxBytes: cfg.Files.MaxBytes, Types: cfg.Files.Types}
	httpapi.MountFiles(api, handlers, &httpapi.FilesAPI{Files: docFiles, Timeout: cfg.Files.TransferTimeout})
	// The holiday calendar is the platform's: the first agency's admins upload it, every agency counts on it.
	cals := a.calendars(enforcer)
	if !first {
		cals = a.calendars(platformOnly{Authorizer: enforcer, permission: "calendar:manage"})
	}
	adminAPI := &httpapi.AdminAPI{Admin: adminOf(stores, enforcer), Calendars: cals,
		Audit:     &auditcheck.Audit{Store: stores.Audit, Auth: enforcer},
		Catalogue: &catalogue.Admin{Store: stores.Catalogue, Auth: enforcer}}
	httpapi.MountAdmin(api, handlers, adminAPI)
	citySite := &web.Site{}
	if first {
		// The city level is the platform's: its portal (/city/ on every host, see Handler) and
		// the city office's pages are served by the first agency's handler only.
		cityLevel, cityReports := a.city(enforcer, true, p.agencyURL)
		httpapi.MountCity(api, handlers, &httpapi.CityAPI{City: cityLevel, Reports: cityReports})
		citySite = &web.Site{City: cityLevel, CityReports: cityReports, CityName: cfg.Portal.CityName}
	}
	agencyAdmin := &agencies.Agencies{Store: stores.Agencies, Auth: enforcer, Platform: first, Clock: workflow.SystemClock,
		Added: func(ctx context.Context, added agencies.Agency) error {
			p.Forget()
			return nil
		}}
	if err := web.Mount(api, &web.Site{City: citySite.City, CityReports: citySite.CityReports, CityName: citySite.CityName, Admin: adminAPI.Admin, Calendars: adminAPI.Calendars, Audit: adminAPI.Audit,
		CatalogueAdmin: adminAPI.Catalogue, Accounts: handlers.Accounts, Docs: handlers.Docs, Desk: handlers.Desk, Consultations: consults, Catalogue: standards, Compliance: compliance,
		Files: docFiles, FileTimeout: cfg.Files.TransferTimeout,
		Requests: reqs, OnRequest: onRequest, Cases: cases, Reports: reports, Texts: stores.Portal, PageCache: p.pages,
		SiteCode: cfg.Portal.SiteCode, ICP: cfg.Portal.ICP, PoliceRecord: cfg.Portal.PoliceRecord, ErrorReportURL: cfg.Portal.ErrorReportURL, Activity: stores.Audit,
		Authz: enforcer, Inbox: stores.Outbox, Units: unitNamesOf(stores), OrgName: orgName, BaseURL: p.baseURL(ag),
		Agencies: agencyAdmin, SecureCookie: cfg.Session.SecureCookie, Log: log}); err != nil {
		return nil, err
	}
	s.handler = api
	return s, nil
}

// platformOnly refuses one permission in every agency but the first, whatever the agency's roles
// say: what it guards is the platform's (the holiday calendar).
type platformOnly struct {
	workflow.Authorizer
	permission string
}

// Authorize implements workflow.Authorizer.
func (p platformOnly) Authorize(ctx context.Context, actor workflow.Actor, unit, permission string) error {
	if permission == p.permission && !actor.System {
		return &workflow.Error{Code: workflow.EForbidden, Message: "节假日安排由平台机构（第一个机构）的系统管理员维护",
			Details: map[string]any{"permission": permission}}
	}
	return p.Authorizer.Authorize(ctx, actor, unit, permission)
}
