package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"wugongkai/internal/report"
	"wugongkai/workflow"
	"wugongkai/workflow/city"
)

// CityAPI is the JSON of the city level of a platform of many agencies: the city portal's lists
// (every agency's public documents and open consultations), the agencies a disclosure request may
// go to, and the city office's compliance view and annual report summary.
type CityAPI struct {
	City    *city.City
	Reports *report.CityReports
}

// MountCity registers the city routes on srv.
func MountCity(srv *Server, a *API, c *CityAPI) {
	if a.srv == nil {
		a.srv = srv
	}
	a.city = c
	a.mount("city")
}

// agencyDTO names an agency and its portal.
type agencyDTO struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	PortalURL string `json:"portal_url"`
}

// cityDocumentDTO is a public document on the city portal: what the agency's public API shows in
// its list, its agency and its page on the agency's portal.
type cityDocumentDTO struct {
	publicDocumentDTO
	Agency agencyDTO `json:"agency"`
	URL    string    `json:"url"`
}

func (c *CityAPI) agency(a city.Agency) agencyDTO {
	return agencyDTO{Code: a.Code, Name: a.Name, PortalURL: c.City.PortalURL(a) + "/"}
}

func (c *CityAPI) documents(g *gin.Context) error {
	q, text, page, err := PublicQuery(g)
	if err != nil {
		return err
	}
	docs, total, err := c.City.Documents(g.Request.Context(), q, text)
	if err != nil {
		return err
	}
	return listPage(g, docs, func(d city.Document) cityDocumentDTO {
		return cityDocumentDTO{publicDocumentDTO: toPublicDTO(d.Document, d.Agency.Name, false), Agency: c.agency(d.Agency), URL: d.URL}
	}, total, page, q.Limit)
}

// cityConsultationDTO is an open consultation on the city portal.
type cityConsultationDTO struct {
	consultationItemDTO
	Agency agencyDTO `json:"agency"`
	URL    string    `json:"url"`
}

func (c *CityAPI) consultations(g *gin.Context) error {
	page, err := queryInt(g, "page", 1, 1, 10000)
	if err != nil {
		return err
	}
	size, err := queryInt(g, "page_size", 20, 1, 100)
	if err != nil {
		return err
	}
	cs, total, err := c.City.Consultations(g.Request.Context(), size, (page-1)*size)
	if err != nil {
		return err
	}
	return listPage(g, cs, func(oc city.Consultation) cityConsultationDTO {
		return cityConsultationDTO{consultationItemDTO: toConsultationItem(oc.ConsultationView), Agency: c.agency(oc.Agency), URL: oc.URL}
	}, total, page, size)
}

// agencyMatchDTO is an agency a request may go to, and why it matches the query.
type agencyMatchDTO struct {
	agencyDTO
	NameMatch  bool     `json:"name_match"`
	Units      []string `json:"units"`
	Documents  int      `json:"documents"`
	RequestURL string   `json:"request_url"`
}

func (c *CityAPI) agencies(g *gin.Context) error {
	ms, err := c.City.Agencies(g.Request.Context(), g.Query("q"))
	if err != nil {
		return err
	}
	out := make([]agencyMatchDTO, 0, len(ms))
	for _, m := range ms {
		units := m.Units
		if units == nil {
			units = []string{}
		}
		out = append(out, agencyMatchDTO{agencyDTO: c.agency(m.Agency), NameMatch: m.NameMatch, Units: units, Documents: m.Documents,
			RequestURL: m.RequestURL})
	}
	g.JSON(http.StatusOK, gin.H{"query": strings.TrimSpace(g.Query("q")), "items": out})
	return nil
}

// overdueDTO is one record past its statutory deadline.
type overdueDTO struct {
	Kind        string    `json:"kind"` // publication or reply
	ID          int64     `json:"id"`
	Title       string    `json:"title"` // a document's title; a request's 受理编号
	Unit        string    `json:"unit_name"`
	DueAt       time.Time `json:"due_at"`
	DueDate     string    `json:"due_date"`
	DaysOverdue int       `json:"days_overdue"`
}

type agencyComplianceDTO struct {
	agencyDTO
	Publications  []overdueDTO      `json:"overdue_publications"`
	Replies       []overdueDTO      `json:"overdue_replies"`
	CatalogueGaps []catalogueGapDTO `json:"catalogue_gaps"`
}

// catalogueGapDTO is a catalogue item under which the agency published nothing this year.
type catalogueGapDTO struct {
	Code   string `json:"code"`
	Level1 string `json:"level1"`
	Level2 string `json:"level2"`
}

func (c *CityAPI) compliance(g *gin.Context) error {
	cp, err := c.City.Compliance(g.Request.Context(), staffOf(g).Actor())
	if err != nil {
		return err
	}
	conv := func(os []city.Overdue) []overdueDTO {
		out := make([]overdueDTO, 0, len(os))
		for _, o := range os {
			out = append(out, overdueDTO{Kind: o.Kind, ID: o.SubjectID, Title: o.Title, Unit: o.UnitName, DueAt: o.DueAt,
				DueDate: o.DueDate.String(), DaysOverdue: o.DaysOverdue(cp.At)})
		}
		return out
	}
	out := make([]agencyComplianceDTO, 0, len(cp.Agencies))
	for _, a := range cp.Agencies {
		gaps := make([]catalogueGapDTO, 0, len(a.CatalogueGaps))
		for _, gap := range a.CatalogueGaps {
			gaps = append(gaps, catalogueGapDTO{Code: gap.Code, Level1: gap.Level1, Level2: gap.Level2})
		}
		out = append(out, agencyComplianceDTO{agencyDTO: c.agency(a.Agency), Publications: conv(a.Publications), Replies: conv(a.Replies),
			CatalogueGaps: gaps})
	}
	g.JSON(http.StatusOK, gin.H{"at": cp.At, "overdue": cp.Overdue, "catalogue": cp.Catalogue, "agencies": out})
	return nil
}

// report answers the city's annual report summary of a year: JSON by default, or ?format=html or
// csv as a download.
func (c *CityAPI) report(g *gin.Context) error {
	year, err := reportYear(g)
	if err != nil {
		return err
	}
	format := g.DefaultQuery("format", "json")
	rep, err := c.Reports.Year(g.Request.Context(), staffOf(g).Actor(), year)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	ctype, err := report.RenderCity(&buf, rep, format)
	if errors.Is(err, report.ErrCityFormat) {
		return &workflow.Error{Code: workflow.EInvalid, Field: "format", Message: "导出格式只能是 json、html 或 csv"}
	}
	if err != nil {
		return err
	}
	if format != "json" {
		g.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="city-report-%d.%s"`, year, format))
	}
	g.Data(http.StatusOK, ctype, buf.Bytes())
	return nil
}
