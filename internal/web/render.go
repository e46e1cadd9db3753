package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"wugongkai/policy"
	"wugongkai/workflow"
	"wugongkai/workflow/agencies"
	"wugongkai/workflow/catalogue"
)

// pages holds one parsed template set per page: the layouts and partials plus the page's own file.
type pages struct {
	byName map[string]*template.Template
}

// parsePages parses every templates/*.html file that is not a layout (layout_*.html) or a partial
// (part_*.html) as a page named after its file.
func parsePages() (*pages, error) {
	base := template.New("").Funcs(funcs())
	shared, err := fs.Glob(assets, "templates/layout_*.html")
	if err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	parts, err := fs.Glob(assets, "templates/part_*.html")
	if err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	if base, err = base.ParseFS(assets, append(shared, parts...)...); err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	files, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
		if strings.HasPrefix(name, "layout_") || strings.HasPrefix(name, "part_") {
			continue
		}
		t, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		if t, err = t.ParseFS(assets, f); err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// view is what every page template receives: the frame (bureau, signed-in user, navigation)
// and the page's own data in Page.
type view struct {
	Org     string
	Staff   *staffView
	Console bool
	Nav     string
	Feeds   []feedLink
	Page    any
	// Consultations is set when the consultation pages are mounted.
	Consultations bool
	// Requests is set when the public request form and the request desk are mounted.
	Requests bool
	// Texts and Reports are set when the office's texts and the annual reports are served, and
	// Catalogue when the standard catalogue is.
	Texts     bool
	Reports   bool
	Catalogue bool
	Footer    footerView
}

type feedLink struct {
	Title string
	Href  string
}

type staffView struct {
	Name     string
	Username string
	Roles    []roleView
	Units    []string // names of the units the user holds a unit-scoped role in
	CanRead  bool     // document:read somewhere
	CanDraft bool     // document:create somewhere
	CanDesk  bool     // document:publish somewhere
	// CanRequests is request:read somewhere (and the request desk is served); CanReport is
	// report:read somewhere (and the report pages are served); CanCity is city:oversee (and the
	// city pages are served).
	CanRequests bool
	CanReport   bool
	// CanAdmin is user:manage somewhere (and the admin pages are served).
	CanCity     bool
	CanAdmin    bool
	CanAgencies bool // agency:manage in the platform's first agency
	// CanCompliance is report:read somewhere and the catalogue compliance view is served.
	CanCompliance bool
}

type roleView struct {
	Label string
	Unit  string // Chinese unit name, or 全局
}

// render writes the page called name with data, choosing the console frame for console pages
// (and for errors on console paths) and the portal frame otherwise.
func (s *Site) render(c *gin.Context, status int, name string, data any) {
	t, ok := s.pages.byName[name]
	if !ok {
		s.Log.Error("no such page template", "page", name)
		c.String(http.StatusInternalServerError, "服务器内部错误")
		return
	}
	v := view{Org: s.OrgName, Page: data, Consultations: s.consultationsOn(), Requests: s.requestsOn(),
		Texts: s.Texts != nil, Reports: s.Reports != nil, Catalogue: s.Catalogue != nil, Footer: s.footer()}
	v.Console = strings.HasPrefix(c.Request.URL.Path, "/console")
	if st := staffOf(c); st != nil {
		v.Staff = s.staffView(c, *st)
	}
	if v.Console {
		v.Nav = consoleNav(c.Request.URL.Path)
		if v.Nav == "new" && c.Query("definition") == "decision" {
			v.Nav = "new-decision"
		}
	} else {
		v.Nav = portalNav(c.Request.URL.Path)
		v.Feeds = s.feedLinks()
	}
	layout := "portal"
	switch {
	case v.Console:
		layout = "console"
	case strings.HasPrefix(c.Request.URL.Path, "/city/") && s.cityOn():
		// The city portal: the platform's name and the city's own navigation.
		layout, v.Org, v.Nav, v.Feeds = "city", s.CityName, cityNav(c.Request.URL.Path), nil
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, layout, v); err != nil {
		s.Log.Error("render page", "page", name, "err", err)
		c.String(http.StatusInternalServerError, "服务器内部错误，请稍后重试。")
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

func consoleNav(path string) string {
	switch {
	case path == "/console":
		return "tasks"
	case strings.HasPrefix(path, "/console/inbox"):
		return "inbox"
	case strings.HasPrefix(path, "/console/publication"), strings.HasPrefix(path, "/console/portal-texts"):
		return "desk"
	case strings.HasPrefix(path, "/console/requests"), strings.HasPrefix(path, "/console/cases"):
		return "requests"
	case strings.HasPrefix(path, "/console/reports"):
		return "reports"
	case strings.HasPrefix(path, "/console/admin"):
		return "admin"
	case strings.HasPrefix(path, "/console/city"):
		return "city"
	case strings.HasPrefix(path, "/console/catalogue"):
		return "compliance"
	case strings.HasPrefix(path, "/console/agencies"):
		return "agencies"
	case path == "/console/documents/new":
		return "new"
	case strings.HasPrefix(path, "/console/documents"):
		return "documents"
	}
	return ""
}

func portalNav(path string) string {
	switch {
	case path == "/" || strings.HasPrefix(path, "/documents"):
		return "documents"
	case strings.HasPrefix(path, "/consultations"):
		return "consultations"
	case strings.HasPrefix(path, "/requests"):
		return "requests"
	case path == "/guide":
		return "guide"
	case path == "/rules":
		return "rules"
	case strings.HasPrefix(path, "/reports"):
		return "reports"
	case path == "/sitemap":
		return "sitemap"
	case path == "/catalogue":
		return "catalogue"
	}
	return ""
}

func (s *Site) feedLinks() []feedLink {
	links := []feedLink{{Title: s.OrgName + "政府信息公开", Href: "/feeds/documents.atom"}}
	if s.consultationsOn() {
		links = append(links, feedLink{Title: s.OrgName + "征求意见", Href: "/feeds/consultations.atom"})
	}
	return links
}

// staffView is the header's picture of the signed-in user: name, roles in Chinese and units.
func (s *Site) staffView(c *gin.Context, st workflow.Staff) *staffView {
	names := s.unitNames(c)
	v := &staffView{Name: st.Name, Username: st.Username,
		CanRead: s.hasAnywhere(st, "document:read"), CanDraft: s.hasAnywhere(st, "document:create"),
		CanDesk:     s.hasAnywhere(st, "document:publish"),
		CanRequests: s.Requests != nil && s.hasAnywhere(st, "request:read"),
		CanReport:   s.Reports != nil && s.hasAnywhere(st, "report:read"),
		CanAdmin:    s.Admin != nil && s.hasAnywhere(st, "user:manage"),
		CanCity:     s.cityOn() && s.hasAnywhere(st, "city:oversee"),
		CanAgencies: s.Agencies != nil && s.Agencies.Platform && s.hasAnywhere(st, agencies.PermManage)}
	v.CanCompliance = s.Compliance != nil && s.hasAnywhere(st, catalogue.CompliancePermission)
	if v.Name == "" {
		v.Name = st.Username
	}
	for _, r := range st.Roles {
		unit := "全局"
		if r.Unit != "*" {
			unit = unitName(names, r.Unit)
			if !contains(v.Units, unit) {
				v.Units = append(v.Units, unit)
			}
		}
		v.Roles = append(v.Roles, roleView{Label: policy.RoleLabel(r.Role), Unit: unit})
	}
	return v
}

// unitNames returns the unit names once per request.
func (s *Site) unitNames(c *gin.Context) map[string]string {
	const key = "web.units"
	if v, ok := c.Get(key); ok {
		m, _ := v.(map[string]string)
		return m
	}
	var m map[string]string
	if s.Units != nil {
		var err error
		if m, err = s.Units(c.Request.Context()); err != nil {
			s.Log.Warn("list units", "err", err)
		}
	}
	c.Set(key, m)
	return m
}

func unitName(names map[string]string, code string) string {
	if n, ok := names[code]; ok && n != "" {
		return n
	}
	return code
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func permLabel(p string) string { return policy.PermissionLabel(p) }

// funcs are the template functions.
func funcs() template.FuncMap {
	return template.FuncMap{
		"date":        formatDate,
		"datetime":    formatDateTime,
		"daysOverdue": daysOverdue,
		"cnDate":      cnDate,
		"paras":       paragraphs,
		"add":         func(a, b int) int { return a + b },
		"sub":         func(a, b int) int { return a - b },
		"join":        strings.Join,
		"contains":    contains,
		"bind":        bindAction,
		"category":    categoryLabel,
	}
}

// formatDate shows an instant as its day in Asia/Shanghai.
func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(workflow.Shanghai).Format("2006-01-02")
}

// formatDateTime shows an instant to the minute in Asia/Shanghai.
func formatDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(workflow.Shanghai).Format("2006-01-02 15:04")
}

// cnDate writes a YYYY-MM-DD day or an instant as 2026年11月26日.
func cnDate(v any) string {
	var d workflow.Date
	switch x := v.(type) {
	case time.Time:
		if x.IsZero() {
			return ""
		}
		d = workflow.DateOf(x)
	case string:
		p, err := workflow.ParseDate(x)
		if err != nil {
			return x
		}
		d = p
	default:
		return ""
	}
	return fmt.Sprintf("%d年%02d月%02d日", d.Year, int(d.Month), d.Day)
}

// paragraphs splits a text into its non-empty lines, each shown as a paragraph.
func paragraphs(text string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}
