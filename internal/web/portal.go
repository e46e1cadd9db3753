package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"wugongkai/workflow"
	"wugongkai/workflow/catalogue"
	"wugongkai/workflow/consultations"
	"wugongkai/workflow/documents"
)

// portalPageSize is the number of documents per page of the public list.
const portalPageSize = 20

// topCategories are the first-level subject categories (主题分类) of the State Council's
// classification, offered as the category filter of the public list.
var topCategories = []string{
	"综合政务", "国民经济管理、国有资产监管", "财政、金融、审计", "国土资源、能源", "农业、林业、水利", "工业、交通",
	"商贸、海关、旅游", "市场监管、安全生产监管", "城乡建设、环境保护", "科技、教育", "文化、广电、新闻出版", "卫生、体育",
	"人口与计划生育、妇女儿童工作", "劳动、人事、监察", "公安、安全、司法", "民政、扶贫、救灾", "民族、宗教", "对外事务",
	"港澳台侨工作", "国防", "其他",
}

// categoryLabel shows a two-level 主题分类, stored with a backslash between its levels
// ("城乡建设、环境保护\城市建设"), as people read it: "城乡建设、环境保护 › 城市建设".
func categoryLabel(v string) string {
	parts := strings.FieldsFunc(v, func(r rune) bool { return r == '\\' || r == '＼' })
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return strings.Join(slices.DeleteFunc(parts, func(p string) bool { return p == "" }), " › ")
}

// publicFilter is the portal list's query: what the visitor typed, kept in the form.
type publicFilter struct {
	Q            string
	Category     string
	Item         string // the code of a catalogue item (标准目录事项)
	ItemCategory string // the 五公开 category of the catalogue item
	Year         int
	Validity     string
	Page         int
}

// parsePublicFilter reads the list parameters of the portal (the same as the public JSON API).
func parsePublicFilter(c *gin.Context) (publicFilter, error) {
	f := publicFilter{Q: strings.TrimSpace(c.Query("q")), Category: strings.TrimSpace(c.Query("category")),
		Item: strings.TrimSpace(c.Query("catalogue")), ItemCategory: strings.TrimSpace(c.Query("catalogue_category")),
		Validity: c.Query("validity"), Page: 1}
	num := func(name string, min, max int) (int, error) {
		v := strings.TrimSpace(c.Query(name))
		if v == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < min || n > max {
			return 0, &workflow.Error{Code: workflow.EInvalid, Field: name, Message: "查询参数 " + name + " 无效"}
		}
		return n, nil
	}
	var err error
	if f.Page, err = num("page", 1, 10000); err != nil {
		return f, err
	}
	if f.Page == 0 {
		f.Page = 1
	}
	if f.Year, err = num("year", 1990, 2200); err != nil {
		return f, err
	}
	switch f.Validity {
	case "", documents.ValidityValid, documents.ValidityExpired, documents.ValidityRepealed:
	default:
		return f, &workflow.Error{Code: workflow.EInvalid, Field: "validity", Message: "有效性只能是“有效”“失效”或“废止”"}
	}
	if utf8.RuneCountInString(f.Category) > 100 {
		return f, &workflow.Error{Code: workflow.EInvalid, Field: "category", Message: "主题分类过长"}
	}
	if len(f.Item) > 40 {
		return f, &workflow.Error{Code: workflow.EInvalid, Field: "catalogue", Message: "标准目录事项编码过长"}
	}
	if f.ItemCategory != "" && !slices.Contains(catalogue.Categories, f.ItemCategory) {
		return f, &workflow.Error{Code: workflow.EInvalid, Field: "catalogue_category", Message: "五公开类别只能是“决策”“执行”“管理”“服务”或“结果”"}
	}
	return f, nil
}

// query returns the filter as URL parameters for page n of the portal list (the other parameters
// kept).
func (f publicFilter) query(page int) string { return f.queryAt("/", page) }

// queryAt returns the filter as URL parameters for page n of the list at path.
func (f publicFilter) queryAt(path string, page int) string {
	v := url.Values{}
	if f.Q != "" {
		v.Set("q", f.Q)
	}
	if f.Category != "" {
		v.Set("category", f.Category)
	}
	if f.Year != 0 {
		v.Set("year", strconv.Itoa(f.Year))
	}
	if f.Validity != "" {
		v.Set("validity", f.Validity)
	}
	if f.Item != "" {
		v.Set("catalogue", f.Item)
	}
	if f.ItemCategory != "" {
		v.Set("catalogue_category", f.ItemCategory)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// publicRow is one line of the public list.
type publicRow struct {
	ID          int64
	IndexNo     string
	Title       string
	DocNumber   string
	WrittenOn   string
	PublishedOn string
	Validity    string
	Category    string
}

func toPublicRow(d documents.Document) publicRow {
	return publicRow{ID: d.ID, IndexNo: d.IndexNo, Title: d.Title, DocNumber: d.DocNumber, WrittenOn: writtenOn(d),
		PublishedOn: formatDate(d.PublishedAt), Validity: d.Validity, Category: d.SubjectCategory}
}

// writtenOn is the 成文日期: the signing date of a document, the decision date of a decision.
func writtenOn(d documents.Document) string {
	if v := d.Facts["signed_on"]; v != "" {
		return v
	}
	return d.Facts["decided_on"]
}

type pageLink struct {
	N       int
	Href    string
	Current bool
}

type portalListView struct {
	Filter     publicFilter
	Rows       []publicRow
	Total      int
	Pages      int
	PageLinks  []pageLink
	PrevHref   string
	NextHref   string
	Categories []string
	// ItemCategories are the 五公开 categories, offered as a filter.
	ItemCategories []string
	Years          []int
	Validities     []string
	Error          string
	Open           []consultRow // consultations open for comment, beside the list
}

// portalList is the 政府信息公开 list: published 主动公开 documents, filtered, searched and paged.
func (s *Site) portalList(c *gin.Context) {
	v := portalListView{Categories: topCategories, ItemCategories: catalogue.Categories,
		Validities: []string{documents.ValidityValid, documents.ValidityExpired, documents.ValidityRepealed}}
	this := workflow.DateOf(s.now()).Year
	for y := this; y > this-10; y-- {
		v.Years = append(v.Years, y)
	}
	f, err := parsePublicFilter(c)
	v.Filter = f
	if err != nil {
		v.Error = workflow.ErrorMessage(err)
		s.render(c, statusFor(err), "portal_list", v)
		return
	}
	q := documents.PublicQuery{Category: f.Category, Item: f.Item, ItemCategory: f.ItemCategory, Year: f.Year, Validity: f.Validity, Limit: portalPageSize,
		Offset: (f.Page - 1) * portalPageSize}
	docs, total, err := s.Docs.Public(c.Request.Context(), q, f.Q)
	if err != nil {
		if statusFor(err) >= 500 {
			s.errorPage(c, err)
			return
		}
		v.Error = workflow.ErrorMessage(err)
		s.render(c, statusFor(err), "portal_list", v)
		return
	}
	for _, d := range docs {
		v.Rows = append(v.Rows, toPublicRow(d))
	}
	v.Total = total
	v.Pages = (total + portalPageSize - 1) / portalPageSize
	v.PageLinks, v.PrevHref, v.NextHref = pageLinks(f.Page, v.Pages, f.query)
	if s.consultationsOn() {
		open, _, err := s.Consultations.List(c.Request.Context(), consultations.ConsultationOpen, 5, 0)
		if err != nil {
			s.Log.Warn("list open consultations", "err", err)
		}
		for _, cv := range open {
			v.Open = append(v.Open, toConsultRow(cv))
		}
	}
	s.render(c, http.StatusOK, "portal_list", v)
}

// pageLinks returns the numbered links around page (at most 9) and the previous and next links.
func pageLinks(page, pages int, href func(int) string) (links []pageLink, prev, next string) {
	if pages <= 1 {
		return nil, "", ""
	}
	from, to := max(1, page-4), min(pages, page+4)
	for n := from; n <= to; n++ {
		links = append(links, pageLink{N: n, Href: href(n), Current: n == page})
	}
	if page > 1 {
		prev = href(page - 1)
	}
	if page < pages {
		next = href(page + 1)
	}
	return links, prev, next
}

type portalDocView struct {
	Doc        documents.Document
	Publisher  string
	WrittenOn  string
	ValidUntil string
	Kind       string
	Paragraphs []string
	// For a decision: its consultation page and the adoption summary published with it.
	ConsultHref string
	Summary     []string
	// Files are the signed original, attachments and 图解 published with it.
	Files []fileRow
	// Interprets is the public 规范性文件 a 政策解读 interprets; Interpretations are a public
	// 规范性文件's public interpretations.
	Interprets      *documents.Document
	Interpretations []documents.Document
}

// portalDocument is one published document's page with its catalogue metadata table.
func (s *Site) portalDocument(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	d, err := s.Docs.PublicDocument(c.Request.Context(), id)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	v := portalDocView{Doc: d, Publisher: s.OrgName, WrittenOn: writtenOn(d), Paragraphs: paragraphs(d.Body), Kind: d.DocKind}
	if d.Definition == "decision" {
		v.Kind = "重大行政决策"
	}
	if !d.ValidUntil.IsZero() {
		v.ValidUntil = workflow.DateOf(d.ValidUntil).String()
	}
	if d.HasFiles {
		if v.Files, err = s.publicFileRows(c, id); err != nil {
			s.errorPage(c, err)
			return
		}
	}
	if v.Interprets, v.Interpretations, err = s.Docs.PublicLinks(c.Request.Context(), d); err != nil {
		s.errorPage(c, err)
		return
	}
	if d.Definition == "decision" && s.consultationsOn() {
		if cv, err := s.Consultations.View(c.Request.Context(), id); err == nil {
			v.ConsultHref = fmt.Sprintf("/consultations/%d", id)
			v.Summary = paragraphs(cv.AdoptionSummary)
		}
	}
	s.render(c, http.StatusOK, "portal_document", v)
}

// pathID parses the :id path parameter.
func pathID(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, &workflow.Error{Code: workflow.ENotFound, Message: "页面不存在：编号无效"}
	}
	return id, nil
}
