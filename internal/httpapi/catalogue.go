package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"wugongkai/workflow/catalogue"
)

// CatalogueAPI is the public JSON of the standard catalogue (基层政务公开标准目录).
type CatalogueAPI struct {
	Catalogue *catalogue.Catalogue
	// Compliance is the disclosure office's compliance view; nil = its route is not served.
	Compliance *catalogue.Compliance
}

// MountCatalogue registers the catalogue routes on srv (and the compliance view's, when c has it).
func MountCatalogue(srv *Server, a *API, c *CatalogueAPI) {
	if a.srv == nil {
		a.srv = srv
	}
	a.catalogue = c
	a.mount("catalogue")
	if c.Compliance != nil {
		a.mount("compliance")
	}
}

// catalogueItemDTO is one item of the catalogue, every column of the standard catalogue.
type catalogueItemDTO struct {
	Code      string       `json:"code"`
	Version   int          `json:"version"`
	Seq       int          `json:"seq"` // 序号
	Area      string       `json:"area"`
	Level1    string       `json:"level1"`
	Level2    string       `json:"level2"`
	Content   []string     `json:"content"`
	Basis     []string     `json:"basis"`
	TimeLimit timeLimitDTO `json:"time_limit"`
	Subject   string       `json:"subject"`
	Channels  []string     `json:"channels"`
	Audience  string       `json:"audience"`
	Mode      string       `json:"mode"`
	Category  string       `json:"category"`
}

// timeLimitDTO is an item's 公开时限: the printed text and the rule read from it.
type timeLimitDTO struct {
	Text  string `json:"text"`
	Kind  string `json:"kind"` // working, calendar, prompt, standing, annual
	Days  int    `json:"days,omitempty"`
	Month int    `json:"month,omitempty"`
	Day   int    `json:"day,omitempty"`
	Rule  string `json:"rule"`
}

type catalogueGroupDTO struct {
	Level1 string             `json:"level1"`
	Items  []catalogueItemDTO `json:"items"`
}

type catalogueAreaDTO struct {
	Area   string              `json:"area"`
	Groups []catalogueGroupDTO `json:"groups"`
}

// catalogueCategoryDTO lists the codes of one 五公开 category's items (the items are in the tree).
type catalogueCategoryDTO struct {
	Category string   `json:"category"`
	Codes    []string `json:"codes"`
}

type catalogueDTO struct {
	Query      string                 `json:"query,omitempty"`
	Count      int                    `json:"count"`
	Tree       []catalogueAreaDTO     `json:"tree"`
	Categories []catalogueCategoryDTO `json:"categories"`
}

func toCatalogueItemDTO(it catalogue.Item) catalogueItemDTO {
	t := it.TimeLimit
	return catalogueItemDTO{Code: it.Code, Version: it.Version, Seq: it.Seq, Area: it.Area, Level1: it.Level1, Level2: it.Level2,
		Content: it.Content, Basis: it.Basis, TimeLimit: timeLimitDTO{Text: t.Text, Kind: t.Kind, Days: t.Days, Month: t.Month,
			Day: t.Day, Rule: t.Rule()}, Subject: it.Subject, Channels: it.Channels, Audience: it.Audience, Mode: it.Mode,
		Category: it.Category}
}

func toCatalogueDTO(v catalogue.View) catalogueDTO {
	out := catalogueDTO{Query: v.Query, Count: v.Count, Tree: []catalogueAreaDTO{}, Categories: []catalogueCategoryDTO{}}
	for _, a := range v.Tree {
		area := catalogueAreaDTO{Area: a.Name}
		for _, g := range a.Groups {
			group := catalogueGroupDTO{Level1: g.Level1}
			for _, it := range g.Items {
				group.Items = append(group.Items, toCatalogueItemDTO(it))
			}
			area.Groups = append(area.Groups, group)
		}
		out.Tree = append(out.Tree, area)
	}
	for _, c := range v.Categories {
		cat := catalogueCategoryDTO{Category: c.Category, Codes: []string{}}
		for _, it := range c.Items {
			cat.Codes = append(cat.Codes, it.Code)
		}
		out.Categories = append(out.Categories, cat)
	}
	return out
}

func (c *CatalogueAPI) browse(ctx *gin.Context) {
	v, err := c.Catalogue.Browse(ctx, ctx.Query("q"))
	if err != nil {
		ctx.Error(err)
		return
	}
	ctx.JSON(http.StatusOK, toCatalogueDTO(v))
}

// complianceWaitingDTO is a document of an item signed and waiting for publication.
type complianceWaitingDTO struct {
	ID       int64      `json:"id"`
	Title    string     `json:"title"`
	Unit     string     `json:"unit"`
	SignedOn string     `json:"signed_on,omitempty"`
	DueDate  string     `json:"due_date,omitempty"`
	DueAt    *time.Time `json:"due_at,omitempty"`
	Overdue  bool       `json:"overdue"`
}

// complianceRowDTO is one item of the compliance view.
type complianceRowDTO struct {
	Code              string                 `json:"code"`
	Version           int                    `json:"version"`
	Area              string                 `json:"area"`
	Level1            string                 `json:"level1"`
	Level2            string                 `json:"level2"`
	Category          string                 `json:"category"`
	TimeLimit         string                 `json:"time_limit"`
	LastPublished     *time.Time             `json:"last_published,omitempty"`
	PublishedThisYear int                    `json:"published_this_year"`
	Waiting           []complianceWaitingDTO `json:"waiting"`
	Overdue           int                    `json:"overdue"`
}

type complianceDTO struct {
	Year             int                `json:"year"`
	Waiting          int                `json:"waiting"`
	Overdue          int                `json:"overdue"`
	NothingPublished int                `json:"nothing_published"`
	Items            []complianceRowDTO `json:"items"`
}

func toComplianceDTO(v catalogue.ComplianceView) complianceDTO {
	out := complianceDTO{Year: v.Year, Waiting: v.Waiting, Overdue: v.Overdue, NothingPublished: v.NothingPublished, Items: []complianceRowDTO{}}
	for _, r := range v.Rows {
		row := complianceRowDTO{Code: r.Item.Code, Version: r.Item.Version, Area: r.Item.Area, Level1: r.Item.Level1, Level2: r.Item.Level2,
			Category: r.Item.Category, TimeLimit: r.Item.TimeLimit.Text, PublishedThisYear: r.PublishedThisYear,
			Waiting: []complianceWaitingDTO{}, Overdue: r.Overdue()}
		if !r.LastPublished.IsZero() {
			t := r.LastPublished
			row.LastPublished = &t
		}
		for _, w := range r.Waiting {
			dto := complianceWaitingDTO{ID: w.ID, Title: w.Title, Unit: w.Unit, SignedOn: w.SignedOn, DueDate: w.DueDate, Overdue: w.Overdue}
			if !w.DueAt.IsZero() {
				t := w.DueAt
				dto.DueAt = &t
			}
			row.Waiting = append(row.Waiting, dto)
		}
		out.Items = append(out.Items, row)
	}
	return out
}

func (c *CatalogueAPI) compliance(ctx *gin.Context) error {
	v, err := c.Compliance.View(ctx.Request.Context(), staffOf(ctx).Actor())
	return reply(ctx, http.StatusOK, toComplianceDTO(v), err)
}
