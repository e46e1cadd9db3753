// Package web serves the server-rendered pages of wugongkai in Chinese: the staff console under
// /console and the public portal under /. Pages are html/template files and a stylesheet embedded
// in the binary; there is no JavaScript framework and no build step. Handlers parse a form or a
// query, call one use case of package workflow and render the result; nothing about a transition
// is decided here.
package web

import (
	"context"
	"embed"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"wugongkai/internal/httpkit"
	"wugongkai/internal/pagecache"
	"wugongkai/internal/report"
	"wugongkai/workflow"
	"wugongkai/workflow/accounts"
	"wugongkai/workflow/agencies"
	"wugongkai/workflow/auditcheck"
	"wugongkai/workflow/calendars"
	"wugongkai/workflow/catalogue"
	"wugongkai/workflow/city"
	"wugongkai/workflow/consultations"
	"wugongkai/workflow/desk"
	"wugongkai/workflow/documents"
	"wugongkai/workflow/files"
	"wugongkai/workflow/portal"
	"wugongkai/workflow/requests"
)

// Router registers a route with the permission it needs; *httpapi.Server satisfies it.
type Router interface {
	Handle(method, path, permission string, handlers ...gin.HandlerFunc)
}

// Authz answers "may user use permission in unit"; *policy.Enforcer satisfies it.
type Authz = httpkit.Can

// Inbox lists a user's notifications, newest first; *postgres.Outbox satisfies it.
type Inbox interface {
	Notifications(ctx context.Context, user int64, limit int) ([]workflow.Notification, error)
}

// Activity lists what a user acted on, newest first; *postgres.Audit satisfies it.
type Activity interface {
	ActedOn(ctx context.Context, user int64, kind string, limit int) ([]workflow.Acted, error)
}

// UnitNames returns the Chinese name of every unit by its code.
type UnitNames func(ctx context.Context) (map[string]string, error)

// Site is the pages' dependencies: the use cases they call and what the header shows.
type Site struct {
	Accounts *accounts.Accounts
	Docs     *documents.Documents
	Desk     *desk.Desk // the 待办 of the console's home
	Authz    Authz
	// Consultations are the public comment use cases; without them the consultation pages are
	// not served.
	Consultations *consultations.Consultations
	// Requests and Cases are the disclosure request (依申请公开) and review/litigation use cases;
	// without Requests the public request form and the request desk are not served.
	Requests *requests.Requests
	Cases    *requests.Cases
	// OnRequest finds documents available on request for the request desk; nil = not offered.
	OnRequest *requests.OnRequest
	// Reports are the annual report use cases; without them the report pages are not served.
	Reports *report.Reports
	// Files are a document's signed original, attachments and 图解; without them no file is
	// listed, uploaded or served. FileTimeout is how long one upload or download may take.
	Files       *files.Files
	FileTimeout time.Duration
	// PageCache keeps the public document pages, the feed and the sitemap; nil = no cache.
	PageCache *pagecache.Cache
	Inbox     Inbox     // optional: without it the console shows no notifications
	Activity  Activity  // optional: without it the console shows no 已办 list
	Units     UnitNames // optional: without it units are shown by their code
	OrgName   string    // the bureau's name, in the header of every page
	// BaseURL is the portal's absolute address without a trailing slash (config
	// http.public_base_url), used in feeds and the sitemap.
	BaseURL string
	// Catalogue is the standard catalogue (基层政务公开标准目录); without it the 标准目录 page is
	// not served.
	Catalogue *catalogue.Catalogue
	// Compliance is the catalogue compliance view of the disclosure office; without it its page
	// is not served.
	Compliance *catalogue.Compliance
	// Texts keeps the office's portal texts (政府信息公开指南, 政府信息公开制度); without it those
	// pages are not served.
	Texts PortalTexts
	// The portal footer's site identifiers (config portal.*), each omitted when empty, and the
	// 我为政府网站找错 address ("" = DefaultErrorReportURL).
	SiteCode       string // 网站标识码
	ICP            string // ICP备案号
	PoliceRecord   string // 公安机关备案号
	ErrorReportURL string
	// Admin, Calendars, Audit and CatalogueAdmin are the admin's use cases (accounts, units and
	// roles; the holiday calendar; the audit verification; the catalogue); without them the admin
	// pages are not served.
	Admin     *accounts.Admin
	Calendars *calendars.Calendars
	Audit     *auditcheck.Audit
	// CatalogueAdmin is the admin's catalogue use cases (import, edit, retire).
	CatalogueAdmin *catalogue.Admin
	// City and CityReports are the city level of a platform of many agencies: the city portal
	// under /city/ and the city office's console pages (/console/city); without both they are not
	// served. CityName is the platform's name in the city pages' header (config portal.city_name).
	City        *city.City
	CityReports *report.CityReports
	CityName    string
	// Agencies are the platform's agencies; without them the 机构管理 page is not served. Its use
	// case refuses every agency's staff but the platform's first agency's admins.
	Agencies *agencies.Agencies
	// SecureCookie marks the session cookie Secure (config session.secure_cookie).
	SecureCookie bool
	Log          *slog.Logger
	Clock        workflow.Clock // nil = the wall clock

	pages *pages
	cop   *http.CrossOriginProtection
}

//go:embed templates/*.html static/*
var assets embed.FS

// Mount registers the console and portal pages on r. It fails only if the embedded templates do not
// parse or BaseURL is not an absolute URL.
func Mount(r Router, s *Site) error {
	if s.Log == nil {
		s.Log = slog.Default()
	}
	s.BaseURL = strings.TrimRight(s.BaseURL, "/")
	p, err := parsePages()
	if err != nil {
		return err
	}
	s.pages = p
	s.cop = http.NewCrossOriginProtection()
	if s.BaseURL != "" {
		u, err := url.Parse(s.BaseURL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return fmt.Errorf("mount pages: public base url %q is not an absolute URL", s.BaseURL)
		}
		if err := s.cop.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
			return fmt.Errorf("mount pages: %w", err)
		}
	}

	groups := []string{"core"}
	for _, g := range []struct {
		name string
		on   bool
	}{{"consultations", s.Consultations != nil}, {"requests", s.Requests != nil}, {"cases", s.Requests != nil && s.Cases != nil},
		{"onrequest", s.Requests != nil && s.OnRequest != nil},
		{"reports", s.Reports != nil}, {"city", s.cityOn()}, {"texts", s.Texts != nil}, {"catalogue", s.Catalogue != nil}, {"compliance", s.Compliance != nil}, {"files", s.Files != nil},
		{"admin", s.Admin != nil && s.Calendars != nil && s.Audit != nil && s.CatalogueAdmin != nil}, {"agencies", s.Agencies != nil}} {
		if g.on {
			groups = append(groups, g.name)
		}
	}
	httpkit.Mount(httpkit.Page, groups, s.handlers(), func(rt httpkit.Route, h gin.HandlerFunc) {
		r.Handle(rt.Method, rt.Path, rt.Permission, append(s.middleware(rt), h)...)
	})
	if s.Files != nil {
		s.streamUploads(r)
	}
	return nil
}

// handlers are the pages' handlers by the names the route table gives them.
func (s *Site) handlers() map[string]gin.HandlerFunc {
	return map[string]gin.HandlerFunc{
		"core.static":                 s.static,
		"core.portalList":             s.portalList,
		"core.portalDocument":         s.portalDocument,
		"core.documentsFeed":          s.documentsFeed,
		"core.sitemap":                s.sitemap,
		"core.sitemapPage":            s.sitemapPage,
		"core.loginPage":              s.loginPage,
		"core.login":                  s.login,
		"core.logout":                 s.logout,
		"core.dashboard":              s.dashboard,
		"core.inbox":                  s.inbox,
		"core.documentList":           s.documentList,
		"core.newDocument":            s.newDocument,
		"core.createDocument":         s.createDocument,
		"core.documentPage":           s.documentPage,
		"core.editDocument":           s.editDocument,
		"core.updateDocument":         s.updateDocument,
		"core.fire":                   s.fire,
		"core.changeValidity":         s.changeValidity,
		"core.publicationDesk":        s.publicationDesk,
		"consultations.list":          s.consultationList,
		"consultations.page":          s.consultationPage,
		"consultations.postComment":   s.postComment,
		"consultations.receipt":       s.commentReceipt,
		"consultations.feed":          s.consultationsFeed,
		"consultations.comments":      s.commentsPage,
		"consultations.dispose":       s.dispose,
		"consultations.moderate":      s.moderate,
		"consultations.publication":   s.commentsPublication,
		"consultations.summary":       s.summaryPage,
		"consultations.attachSummary": s.attachSummary,
		"onrequest.link":              s.linkDocuments,
		"requests.formPage":           s.requestFormPage,
		"requests.submit":             s.submitRequest,
		"requests.statusPage":         s.requestStatusPage,
		"requests.status":             s.requestStatus,
		"requests.list":               s.requestList,
		"requests.registrationPage":   s.registrationPage,
		"requests.register":           s.registerRequest,
		"requests.page":               s.requestPage,
		"requests.fire":               s.fireRequest,
		"cases.list":                  s.caseList,
		"cases.record":                s.recordCase,
		"cases.page":                  s.casePage,
		"cases.update":                s.updateCase,
		"reports.list":                s.reportList,
		"reports.page":                s.reportPage,
		"reports.edit":                s.reportEdit,
		"reports.saveInputs":          s.saveReportInputs,
		"reports.finalize":            s.finalizeReport,
		"reports.publicList":          s.publicReports,
		"reports.publicReport":        s.publicReport,
		"reports.publicXLSX":          s.publicReportXLSX,
		"texts.guide":                 s.portalTextPage(portal.Guide),
		"texts.rules":                 s.portalTextPage(portal.Rules),
		"texts.edit":                  s.editPortalText,
		"texts.save":                  s.savePortalText,
		"catalogue.page":              s.cataloguePage,
		"compliance.page":             s.compliancePage,
		"files.upload":                s.uploadFile,
		"files.staffFile":             s.staffFile,
		"files.publicFile":            s.publicFile,
		"admin.users":                 s.adminUsers,
		"admin.addUser":               s.adminAddUser,
		"admin.user":                  s.adminUser,
		"admin.changeUser":            s.adminChangeUser,
		"admin.units":                 s.adminUnits,
		"admin.saveUnit":              s.adminSaveUnit,
		"admin.calendar":              s.adminCalendar,
		"admin.uploadCalendar":        s.adminUploadCalendar,
		"admin.audit":                 s.adminAudit,
		"admin.catalogue":             s.adminCatalogue,
		"admin.importCatalogue":       s.adminImportCatalogue,
		"admin.item":                  s.adminItem,
		"admin.saveItem":              s.adminSaveItem,
		"city.portal":                 s.cityPortal,
		"city.consultations":          s.cityConsultations,
		"city.agencies":               s.cityAgencies,
		"city.routeRequest":           s.cityRouteRequest,
		"city.compliance":             s.cityCompliance,
		"city.report":                 s.cityReport,
		"agencies.list":               s.agencyList,
		"agencies.add":                s.addAgency,
	}
}

// middleware is what runs before a page's handler: the security headers; for staff pages and
// every form, no shared caching; for forms, the cross-site check; for staff, the session and the
// route's permission; for pages drawn only from public documents, the page cache.
func (s *Site) middleware(rt httpkit.Route) []gin.HandlerFunc {
	hs := []gin.HandlerFunc{s.headers}
	post := rt.Method == http.MethodPost
	if post || rt.Permission != httpkit.PermPublic {
		hs = append(hs, s.noStore)
	}
	if post {
		hs = append(hs, s.crossOrigin)
	}
	if rt.Permission != httpkit.PermPublic {
		hs = append(hs, s.authenticate(rt.Permission))
	}
	if rt.Cached && (s.BaseURL != "" || !namesAddress[rt.Path]) {
		hs = append(hs, s.PageCache.Handler())
	}
	return hs
}

// namesAddress are the pages that name the portal's address: without a configured one they name
// the host the request came to, which need not be the address visitors use, so the page cache
// does not keep them.
var namesAddress = map[string]bool{"/feeds/documents.atom": true, "/sitemap.xml": true}

// consultationsOn reports whether the consultation pages are served.
func (s *Site) consultationsOn() bool { return s.Consultations != nil }

// requestsOn reports whether the request form and desk are served.
func (s *Site) requestsOn() bool { return s.Requests != nil }

func (s *Site) now() time.Time { return httpkit.Now(s.Clock) }

// contentSecurityPolicy allows nothing but this site's own files: no inline script or style, no
// framing, forms only to this site.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// headers sets the security headers of every page.
func (s *Site) headers(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	c.Next()
}

// noStore keeps staff pages and form answers out of shared caches.
func (s *Site) noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// crossOrigin refuses a state-changing request that a browser sent from another site (CSRF), with
// net/http's CrossOriginProtection: Sec-Fetch-Site, else Origin against Host.
func (s *Site) crossOrigin(c *gin.Context) {
	if err := s.cop.Check(c.Request); err != nil {
		s.Log.Info("cross-origin form refused", "path", c.FullPath(), "origin", c.GetHeader("Origin"),
			"sec_fetch_site", c.GetHeader("Sec-Fetch-Site"))
		s.errorPage(c, &workflow.Error{Code: workflow.EForbidden,
			Message: "请求来自其他网站，已被拒绝。请回到本站页面重新提交。"})
		c.Abort()
		return
	}
	c.Next()
}

const ctxStaff = "web.staff"

// authenticate resolves the session cookie. A visitor without a live session gets the login form
// (401); a member of staff without permission anywhere gets 403. The use case then checks the
// permission in the unit of the object at hand.
func (s *Site) authenticate(permission string) gin.HandlerFunc {
	return func(c *gin.Context) {
		token := httpkit.CookieToken(c)
		st, err := httpkit.Authenticate(c.Request.Context(), s.Accounts, s.Authz, token, permission)
		if workflow.ErrorCode(err) == workflow.EUnauthenticated {
			next := ""
			if c.Request.Method == http.MethodGet {
				next = c.Request.URL.RequestURI()
			}
			msg := ""
			if token != "" {
				msg = workflow.ErrorMessage(err)
			}
			s.render(c, http.StatusUnauthorized, "login", loginView{Next: next, Error: msg})
			c.Abort()
			return
		}
		if err != nil {
			s.errorPage(c, err)
			c.Abort()
			return
		}
		httpkit.SetStaff(c, st)
		c.Next()
	}
}

// hasAnywhere reports whether st may use permission in at least one unit they hold a role in.
func (s *Site) hasAnywhere(st workflow.Staff, permission string) bool {
	return httpkit.HasAnywhere(s.Authz, st, permission)
}

// staffOf returns the signed-in member of staff of a console request.
func staffOf(c *gin.Context) *workflow.Staff {
	st, ok := httpkit.StaffOf(c)
	if !ok {
		return nil
	}
	return &st
}

// static serves the embedded stylesheet and script.
func (s *Site) static(c *gin.Context) {
	name := strings.TrimPrefix(c.Param("file"), "/")
	if name == "" || strings.Contains(name, "/") || strings.HasPrefix(name, ".") {
		s.errorPage(c, workflow.Errorf(workflow.ENotFound, "文件不存在"))
		return
	}
	b, err := assets.ReadFile("static/" + name)
	if err != nil {
		s.errorPage(c, workflow.Errorf(workflow.ENotFound, "文件不存在"))
		return
	}
	ct := "application/octet-stream"
	switch {
	case strings.HasSuffix(name, ".css"):
		ct = "text/css; charset=utf-8"
	case strings.HasSuffix(name, ".js"):
		ct = "text/javascript; charset=utf-8"
	case strings.HasSuffix(name, ".svg"):
		ct = "image/svg+xml"
	}
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, ct, b)
}

// statusFor returns the HTTP status of err.
func statusFor(err error) int { return httpkit.StatusOf(err) }

type errorView struct {
	Heading string
	Message string
	Status  int
}

// errorPage renders err as a page: its Chinese message, never a stack trace. Internal errors are
// logged with their cause.
func (s *Site) errorPage(c *gin.Context, err error) {
	status := statusFor(err)
	if status >= 500 {
		s.Log.Error("page failed", "err", err, "path", c.FullPath())
	}
	httpkit.RetryAfter(c, err)
	heading := httpkit.Title(workflow.ErrorCode(err))
	if heading == "" {
		heading = "无法完成请求"
	}
	s.render(c, status, "error", errorView{Heading: heading, Message: workflow.ErrorMessage(err), Status: status})
}
