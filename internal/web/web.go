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

	"wugongkai/internal/errstatus"
	"wugongkai/internal/pagecache"
	"wugongkai/internal/report"
	"wugongkai/workflow"
	"wugongkai/workflow/accounts"
	"wugongkai/workflow/catalogue"
	"wugongkai/workflow/consultations"
	"wugongkai/workflow/desk"
	"wugongkai/workflow/documents"
	"wugongkai/workflow/requests"
)

// SessionCookie is the name of the staff session cookie. It is the cookie the JSON API also
// accepts (httpapi.SessionCookie), so a signed-in page may call the API.
const SessionCookie = "wgk_session"

// Route permissions that are not casbin permissions; they equal httpapi.PermPublic and
// httpapi.PermAuthenticated.
const (
	PermPublic        = "public"
	PermAuthenticated = "authenticated"
)

// Router registers a route with the permission it needs; *httpapi.Server satisfies it.
type Router interface {
	Handle(method, path, permission string, handlers ...gin.HandlerFunc)
}

// Authz answers "may user use permission in unit"; *policy.Enforcer satisfies it.
type Authz interface {
	Can(user, unit, permission string) bool
}

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
	// Texts keeps the office's portal texts (政府信息公开指南, 政府信息公开制度); without it those
	// pages are not served.
	Texts PortalTexts
	// The portal footer's site identifiers (config portal.*), each omitted when empty, and the
	// 我为政府网站找错 address ("" = DefaultErrorReportURL).
	SiteCode       string // 网站标识码
	ICP            string // ICP备案号
	PoliceRecord   string // 公安机关备案号
	ErrorReportURL string
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

	pub := func(method, path string, h gin.HandlerFunc) {
		if method == http.MethodPost {
			r.Handle(method, path, PermPublic, s.headers, s.noStore, s.crossOrigin, h)
			return
		}
		r.Handle(method, path, PermPublic, s.headers, h)
	}
	staff := func(method, path, perm string, h gin.HandlerFunc) {
		if method == http.MethodPost {
			r.Handle(method, path, perm, s.headers, s.noStore, s.crossOrigin, s.authenticate(perm), h)
			return
		}
		r.Handle(method, path, perm, s.headers, s.noStore, s.authenticate(perm), h)
	}

	pub(http.MethodGet, "/static/*file", s.static)
	// Pages drawn only from public documents are cached until a public document changes.
	cached := func(path string, h gin.HandlerFunc) {
		r.Handle(http.MethodGet, path, PermPublic, s.headers, s.PageCache.Handler(), h)
	}
	cached("/", s.portalList)
	cached("/documents/:id", s.portalDocument)
	cached("/feeds/documents.atom", s.documentsFeed)
	cached("/sitemap.xml", s.sitemap)

	pub(http.MethodGet, "/console/login", s.loginPage)
	pub(http.MethodPost, "/console/login", s.login)
	staff(http.MethodPost, "/console/logout", PermAuthenticated, s.logout)
	staff(http.MethodGet, "/console", "task:list", s.dashboard)
	staff(http.MethodGet, "/console/inbox", PermAuthenticated, s.inbox)
	staff(http.MethodGet, "/console/documents", "document:read", s.documentList)
	staff(http.MethodGet, "/console/documents/new", "document:create", s.newDocument)
	staff(http.MethodPost, "/console/documents", "document:create", s.createDocument)
	staff(http.MethodGet, "/console/documents/:id", "document:read", s.documentPage)
	staff(http.MethodGet, "/console/documents/:id/edit", "document:edit", s.editDocument)
	staff(http.MethodPost, "/console/documents/:id", "document:edit", s.updateDocument)
	staff(http.MethodPost, "/console/documents/:id/transitions/:name", PermAuthenticated, s.fire)
	staff(http.MethodPost, "/console/documents/:id/validity", "document:publish", s.changeValidity)
	staff(http.MethodGet, "/console/publication", "document:publish", s.publicationDesk)
	if s.Consultations != nil {
		s.mountConsultations(pub, staff)
	}
	if s.Requests != nil {
		s.mountRequests(pub, staff)
	}
	if s.Reports != nil {
		s.mountReports(staff)
	}
	s.mountColumns(pub, staff)
	if s.Catalogue != nil {
		pub(http.MethodGet, "/catalogue", s.cataloguePage)
	}
	return nil
}

// consultationsOn reports whether the consultation pages are served.
func (s *Site) consultationsOn() bool { return s.Consultations != nil }

// requestsOn reports whether the request form and desk are served.
func (s *Site) requestsOn() bool { return s.Requests != nil }

func (s *Site) now() time.Time {
	if s.Clock == nil {
		return time.Now()
	}
	return s.Clock.Now()
}

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
		token, _ := c.Cookie(SessionCookie)
		st, err := s.Accounts.Authenticate(c.Request.Context(), token)
		if err != nil {
			if workflow.ErrorCode(err) != workflow.EUnauthenticated {
				s.errorPage(c, err)
				c.Abort()
				return
			}
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
		if permission != PermAuthenticated && !s.hasAnywhere(st, permission) {
			s.errorPage(c, &workflow.Error{Code: workflow.EForbidden, Message: "您没有权限访问此页面（需要“" + permLabel(permission) + "”权限）"})
			c.Abort()
			return
		}
		c.Set(ctxStaff, st)
		c.Next()
	}
}

// hasAnywhere reports whether st may use permission in at least one unit they hold a role in.
func (s *Site) hasAnywhere(st workflow.Staff, permission string) bool {
	for _, r := range st.Roles {
		if s.Authz.Can(st.Username, r.Unit, permission) {
			return true
		}
	}
	return false
}

// staffOf returns the signed-in member of staff of a console request.
func staffOf(c *gin.Context) *workflow.Staff {
	v, ok := c.Get(ctxStaff)
	if !ok {
		return nil
	}
	st, ok := v.(workflow.Staff)
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
func statusFor(err error) int { return errstatus.Of(err) }

// titleOf is the heading of an error page by code.
var titleOf = map[string]string{
	workflow.ENotFound:        "页面不存在",
	workflow.EForbidden:       "没有权限",
	workflow.EUnauthenticated: "请先登录",
	workflow.EConflict:        "操作冲突",
	workflow.ETooMany:         "请求过于频繁",
	workflow.EUnavailable:     "服务暂时不可用",
	workflow.EInternal:        "服务器内部错误",
}

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
	if status == http.StatusTooManyRequests {
		if e := workflow.AsError(err); e != nil {
			if ra, ok := e.Details["retry_after_seconds"]; ok {
				c.Header("Retry-After", fmt.Sprint(ra))
			}
		}
	}
	heading := titleOf[workflow.ErrorCode(err)]
	if heading == "" {
		heading = "无法完成请求"
	}
	s.render(c, status, "error", errorView{Heading: heading, Message: workflow.ErrorMessage(err), Status: status})
}
