package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"wugongkai/workflow"
	"wugongkai/workflow/catalogue"
)

// catalogueView is the portal's 标准目录 page: the catalogue by tree (领域 → 一级事项) or by 五公开
// category, each item with every column of the standard catalogue.
type catalogueView struct {
	Query      string
	ByCategory bool
	Count      int
	Tree       []catalogue.Area
	Categories []catalogue.CategoryItems
	TreeHref   string
	CatHref    string
	Error      string
}

// catalogueHref is the page's address for a query and a view.
func catalogueHref(q string, byCategory bool) string {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if byCategory {
		v.Set("by", "category")
	}
	if len(v) == 0 {
		return "/catalogue"
	}
	return "/catalogue?" + v.Encode()
}

// cataloguePage is the public page of the standard catalogue.
func (s *Site) cataloguePage(c *gin.Context) {
	q := strings.TrimSpace(c.Query("q"))
	v := catalogueView{Query: q, ByCategory: c.Query("by") == "category",
		TreeHref: catalogueHref(q, false), CatHref: catalogueHref(q, true)}
	cv, err := s.Catalogue.Browse(c.Request.Context(), q)
	if err != nil {
		if statusFor(err) >= 500 {
			s.errorPage(c, err)
			return
		}
		v.Error = workflow.ErrorMessage(err)
		s.render(c, statusFor(err), "portal_catalogue", v)
		return
	}
	v.Count, v.Tree, v.Categories = cv.Count, cv.Tree, cv.Categories
	s.render(c, http.StatusOK, "portal_catalogue", v)
}

// complianceView is the console's catalogue compliance view: per item in force, the last
// publication, what is signed and waiting (overdue first marked), and whether anything was
// published this year.
type complianceView struct {
	catalogue.ComplianceView
}

// compliancePage shows the compliance view to the disclosure office (report:read).
func (s *Site) compliancePage(c *gin.Context) {
	show(s, c, "console_compliance", func(c *gin.Context) (complianceView, error) {
		v, err := s.Compliance.View(c.Request.Context(), staffOf(c).Actor())
		return complianceView{v}, err
	}, nil)
}
