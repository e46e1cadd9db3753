package web

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"wugongkai/workflow/documents"
)

// feedSize is the number of entries in an Atom feed.
const feedSize = 30

// atomFeed is an Atom 1.0 feed (RFC 4287).
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	ID        string     `xml:"id"`
	Title     string     `xml:"title"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published,omitempty"`
	Links     []atomLink `xml:"link"`
	Summary   string     `xml:"summary,omitempty"`
	Category  *atomCat   `xml:"category,omitempty"`
}

// atomCat is an entry's 主题分类: the stored two-level value as the term, and the label people read.
type atomCat struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

// abs returns the absolute address of a path on the portal.
func (s *Site) abs(c *gin.Context, path string) string {
	if s.BaseURL != "" {
		return s.BaseURL + path
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host + path
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// writeXML writes v as an XML document.
func (s *Site) writeXML(c *gin.Context, contentType string, v any) {
	b, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		s.errorPage(c, fmt.Errorf("encode xml: %w", err))
		return
	}
	c.Data(http.StatusOK, contentType, append([]byte(xml.Header), b...))
}

// documentsFeed is the Atom feed of the newest publications; it reads only the public path.
func (s *Site) documentsFeed(c *gin.Context) {
	docs, _, err := s.Docs.Public(c.Request.Context(), documents.PublicQuery{Limit: feedSize}, "")
	if err != nil {
		s.errorPage(c, err)
		return
	}
	f := atomFeed{Lang: "zh-CN", ID: s.abs(c, "/feeds/documents.atom"), Title: s.OrgName + " 政府信息公开",
		Author: atomPerson{Name: s.OrgName},
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: s.abs(c, "/feeds/documents.atom")},
			{Rel: "alternate", Type: "text/html", Href: s.abs(c, "/")}}}
	updated := time.Unix(0, 0)
	for _, d := range docs {
		if d.PublishedAt.After(updated) {
			updated = d.PublishedAt
		}
		e := atomEntry{ID: s.abs(c, fmt.Sprintf("/documents/%d", d.ID)), Title: d.Title, Updated: atomTime(d.UpdatedAt),
			Published: atomTime(d.PublishedAt), Links: []atomLink{{Rel: "alternate", Type: "text/html", Href: s.abs(c, fmt.Sprintf("/documents/%d", d.ID))}},
			Summary: feedSummary(d)}
		if d.UpdatedAt.Before(d.PublishedAt) {
			e.Updated = e.Published
		}
		if d.SubjectCategory != "" {
			e.Category = &atomCat{Term: d.SubjectCategory, Label: categoryLabel(d.SubjectCategory)}
		}
		f.Entries = append(f.Entries, e)
	}
	f.Updated = atomTime(updated)
	s.writeXML(c, "application/atom+xml; charset=utf-8", f)
}

// feedSummary is an entry's summary: 内容概述 with the 索引号 and 发文字号.
func feedSummary(d documents.Document) string {
	out := d.Summary
	meta := "索引号：" + d.IndexNo
	if d.DocNumber != "" {
		meta += "；发文字号：" + d.DocNumber
	}
	if out == "" {
		return meta
	}
	return out + "（" + meta + "）"
}

type sitemapURLSet struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// sitemapMax is the most URLs one sitemap may list (sitemaps.org).
const sitemapMax = 50000

// sitemap lists the portal's pages and every published document, read through the public path.
func (s *Site) sitemap(c *gin.Context) {
	set := sitemapURLSet{URLs: []sitemapURL{{Loc: s.abs(c, "/")}}}
	extra, err := s.extraSitemapPaths(c)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	for _, p := range append(s.columnPaths(), extra...) {
		set.URLs = append(set.URLs, sitemapURL{Loc: s.abs(c, p)})
	}
	const batch = 500
	for offset := 0; offset < sitemapMax; offset += batch {
		docs, total, err := s.Docs.Public(c.Request.Context(), documents.PublicQuery{Limit: batch, Offset: offset}, "")
		if err != nil {
			s.errorPage(c, err)
			return
		}
		for _, d := range docs {
			set.URLs = append(set.URLs, sitemapURL{Loc: s.abs(c, fmt.Sprintf("/documents/%d", d.ID)), LastMod: formatDate(d.UpdatedAt)})
		}
		if len(docs) < batch || offset+batch >= total {
			break
		}
	}
	s.writeXML(c, "application/xml; charset=utf-8", set)
}

// extraSitemapPaths are the consultation pages besides the home page and the documents, read
// through the consultations' public path.
func (s *Site) extraSitemapPaths(c *gin.Context) ([]string, error) {
	if !s.consultationsOn() {
		return nil, nil
	}
	paths := []string{"/consultations"}
	const batch = 100
	for offset := 0; offset < sitemapMax; offset += batch {
		views, total, err := s.Consultations.List(c.Request.Context(), "", batch, offset)
		if err != nil {
			return nil, err
		}
		for _, v := range views {
			paths = append(paths, fmt.Sprintf("/consultations/%d", v.ID))
		}
		if len(views) < batch || offset+batch >= total {
			break
		}
	}
	return paths, nil
}
