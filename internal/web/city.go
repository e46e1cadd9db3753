package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"wugongkai/internal/report"
	"wugongkai/workflow"
	"wugongkai/workflow/city"
	"wugongkai/workflow/documents"
)

// The city level of a platform of many agencies (政务公开集约化平台): the city portal under /city/
// (every agency's public documents and open consultations, each linking to the agency's own
// portal, and the page where a citizen picks the agency a disclosure request goes to) and the city
// disclosure office's console pages (every agency's overdue records; the city's annual report).
// The use cases are city.City and report.CityReports; these handlers parse, call one and render.

// cityOn reports whether the city pages are served.
func (s *Site) cityOn() bool { return s.City != nil && s.CityReports != nil }

// cityDocRow is one line of the city portal's list: the agency portal's line and the agency.
type cityDocRow struct {
	publicRow
	Agency string
	URL    string
}

// cityConsultRow is an open consultation on the city portal.
type cityConsultRow struct {
	consultRow
	Agency string
	URL    string
}

type cityPortalView struct {
	Filter     publicFilter
	Rows       []cityDocRow
	Total      int
	PageLinks  []pageLink
	PrevHref   string
	NextHref   string
	Categories []string
	Years      []int
	Validities []string
	Error      string
	Open       []cityConsultRow
}

// cityPortal is the city portal's home: every agency's published 主动公开 documents, filtered,
// searched and paged like an agency portal's list, and the consultations open now.
func (s *Site) cityPortal(c *gin.Context) {
	v := cityPortalView{Categories: topCategories,
		Validities: []string{documents.ValidityValid, documents.ValidityExpired, documents.ValidityRepealed}}
	this := workflow.DateOf(s.now()).Year
	for y := this; y > this-10; y-- {
		v.Years = append(v.Years, y)
	}
	f, err := parsePublicFilter(c)
	v.Filter = f
	if err != nil {
		v.Error = workflow.ErrorMessage(err)
		s.render(c, statusFor(err), "city_portal", v)
		return
	}
	q := documents.PublicQuery{Category: f.Category, Year: f.Year, Validity: f.Validity, Limit: portalPageSize,
		Offset: (f.Page - 1) * portalPageSize}
	docs, total, err := s.City.Documents(c.Request.Context(), q, f.Q)
	if err != nil {
		if statusFor(err) >= 500 {
			s.errorPage(c, err)
			return
		}
		v.Error = workflow.ErrorMessage(err)
		s.render(c, statusFor(err), "city_portal", v)
		return
	}
	for _, d := range docs {
		v.Rows = append(v.Rows, cityDocRow{publicRow: toPublicRow(d.Document), Agency: d.Agency.Name, URL: d.URL})
	}
	v.Total = total
	pages := (total + portalPageSize - 1) / portalPageSize
	v.PageLinks, v.PrevHref, v.NextHref = pageLinks(f.Page, pages, func(n int) string { return f.queryAt("/city/", n) })
	open, _, err := s.City.Consultations(c.Request.Context(), 5, 0)
	if err != nil {
		s.Log.Warn("list open consultations of the city", "err", err)
	}
	for _, oc := range open {
		v.Open = append(v.Open, toCityConsultRow(oc))
	}
	s.render(c, http.StatusOK, "city_portal", v)
}

func toCityConsultRow(c city.Consultation) cityConsultRow {
	return cityConsultRow{consultRow: toConsultRow(c.ConsultationView), Agency: c.Agency.Name, URL: c.URL}
}

type cityConsultationsView struct {
	Rows      []cityConsultRow
	Total     int
	PageLinks []pageLink
	PrevHref  string
	NextHref  string
}

// cityConsultations lists every agency's consultations open for comment, closing soonest first.
func (s *Site) cityConsultations(c *gin.Context) {
	page, err := pageParam(c)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	cs, total, err := s.City.Consultations(c.Request.Context(), portalPageSize, (page-1)*portalPageSize)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	v := cityConsultationsView{Total: total}
	for _, oc := range cs {
		v.Rows = append(v.Rows, toCityConsultRow(oc))
	}
	v.PageLinks, v.PrevHref, v.NextHref = pageLinks(page, (total+portalPageSize-1)/portalPageSize, func(n int) string {
		if n == 1 {
			return "/city/consultations"
		}
		return fmt.Sprintf("/city/consultations?page=%d", n)
	})
	s.render(c, http.StatusOK, "city_consultations", v)
}

// pageParam reads the page number of a list (1 when absent).
func pageParam(c *gin.Context) (int, error) {
	f, err := parsePublicFilter(c)
	return f.Page, err
}

type cityAgenciesView struct {
	Q        string
	Agencies []city.AgencyMatch
	Error    string
}

// cityAgencies is where a citizen picks the agency that holds the information they want: every
// agency, or those whose name, units or public documents match what they typed, each with the
// link to its request form.
func (s *Site) cityAgencies(c *gin.Context) {
	v := cityAgenciesView{Q: strings.TrimSpace(c.Query("q"))}
	ms, err := s.City.Agencies(c.Request.Context(), v.Q)
	if err != nil {
		if statusFor(err) >= 500 {
			s.errorPage(c, err)
			return
		}
		v.Error = workflow.ErrorMessage(err)
		s.render(c, statusFor(err), "city_agencies", v)
		return
	}
	v.Agencies = ms
	s.render(c, http.StatusOK, "city_agencies", v)
}

// cityRouteRequest sends the citizen to the request form of the agency they picked.
func (s *Site) cityRouteRequest(c *gin.Context) {
	to, err := s.City.RequestForm(c.Request.Context(), c.Param("code"))
	if err != nil {
		s.errorPage(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, to)
}

type cityComplianceView struct {
	city.Compliance
	Years []int
}

// cityCompliance shows the city office every agency's documents past their publication deadline
// and requests past their reply deadline.
func (s *Site) cityCompliance(c *gin.Context) {
	cp, err := s.City.Compliance(c.Request.Context(), staffOf(c).Actor())
	if err != nil {
		s.errorPage(c, err)
		return
	}
	v := cityComplianceView{Compliance: cp}
	for y := workflow.DateOf(s.now()).Year; y >= max(2019, workflow.DateOf(s.now()).Year-4); y-- {
		v.Years = append(v.Years, y)
	}
	s.render(c, http.StatusOK, "console_city", v)
}

type cityReportView struct {
	Report *report.CityReport
	Year   int
	Tables template.HTML
}

// cityReport shows the city's annual report of a year: every agency's checks and the summed
// Tables 三 and 四; ?format=html, csv or json downloads it.
func (s *Site) cityReport(c *gin.Context) {
	year, err := parseReportYear(c.Param("year"))
	if err != nil {
		s.errorPage(c, err)
		return
	}
	rep, err := s.CityReports.Year(c.Request.Context(), staffOf(c).Actor(), year)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	if format := c.Query("format"); format != "" {
		var buf bytes.Buffer
		ct, err := report.RenderCity(&buf, rep, format)
		if err != nil {
			s.errorPage(c, &workflow.Error{Code: workflow.EInvalid, Field: "format", Message: "导出格式只能是 html、csv 或 json"})
			return
		}
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="city-report-%d.%s"`, year, format))
		c.Data(http.StatusOK, ct, buf.Bytes())
		return
	}
	var buf bytes.Buffer
	if err := report.RenderCityTablesHTML(&buf, rep); err != nil {
		s.errorPage(c, err)
		return
	}
	s.render(c, http.StatusOK, "console_city_report", cityReportView{Report: rep, Year: year,
		Tables: template.HTML(buf.String())}) // #nosec G203 -- written by html/template in package report
}

// cityNav is the city portal's navigation entry of path.
func cityNav(path string) string {
	switch {
	case strings.HasPrefix(path, "/city/consultations"):
		return "consultations"
	case strings.HasPrefix(path, "/city/requests"):
		return "requests"
	}
	return "documents"
}

// daysOverdue is the template function that counts an overdue record's days late at now.
func daysOverdue(o city.Overdue, now time.Time) int { return o.DaysOverdue(now) }
