package httpapi

import (
	_ "embed"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"wugongkai/workflow"
	"wugongkai/workflow/catalogue"
	"wugongkai/workflow/documents"
)

// publicDocumentDTO is what the public sees of a published 主动公开 document: the catalogue fields
// (《条例》第十二条 and the portal's columns) and the text. Nothing internal (facts, grounds, drafter,
// history) is in it.
type publicDocumentDTO struct {
	ID              int64     `json:"id"`
	IndexNo         string    `json:"index_no"`
	Title           string    `json:"title"`
	DocNumber       string    `json:"doc_number"`
	SubjectCategory string    `json:"subject_category"`
	Publisher       string    `json:"publisher"`
	WrittenOn       string    `json:"written_on"` // 成文日期
	PublishedAt     time.Time `json:"published_at"`
	Validity        string    `json:"validity"`
	ValidUntil      string    `json:"valid_until,omitempty"`
	DisclosureMode  string    `json:"disclosure_mode"` // 公开方式
	DocKind         string    `json:"doc_kind"`
	Summary         string    `json:"summary"`
	Body            string    `json:"body,omitempty"`
	// Catalogue is the item of the standard catalogue the document falls under (none: not tagged).
	Catalogue *catalogueRefDTO `json:"catalogue,omitempty"`
	// Interprets is the public policy a 政策解读 interprets; Interpretations are a public policy's
	// public interpretations (both on the single document only).
	Interprets      *linkedDocumentDTO  `json:"interprets,omitempty"`
	Interpretations []linkedDocumentDTO `json:"interpretations,omitempty"`
}

func toPublicDTO(d documents.Document, org string, withBody bool) publicDocumentDTO {
	dto := publicDocumentDTO{ID: d.ID, IndexNo: d.IndexNo, Title: d.Title, DocNumber: d.DocNumber, SubjectCategory: d.SubjectCategory,
		Publisher: org, WrittenOn: d.Facts["signed_on"], PublishedAt: d.PublishedAt, Validity: d.Validity,
		DisclosureMode: "主动公开", DocKind: d.DocKind, Summary: d.Summary, Catalogue: toCatalogueRefDTO(d.Item, false)}
	if dto.WrittenOn == "" {
		dto.WrittenOn = d.Facts["decided_on"]
	}
	if !d.ValidUntil.IsZero() {
		dto.ValidUntil = workflow.DateOf(d.ValidUntil).String()
	}
	if withBody {
		dto.Body = d.Body
	}
	return dto
}

// PublicQuery parses the portal's list parameters (shared by the API and the pages).
func PublicQuery(c *gin.Context) (documents.PublicQuery, string, int, error) {
	page, err := queryInt(c, "page", 1, 1, 10000)
	if err != nil {
		return documents.PublicQuery{}, "", 0, err
	}
	size, err := queryInt(c, "page_size", 20, 1, 100)
	if err != nil {
		return documents.PublicQuery{}, "", 0, err
	}
	year, err := queryInt(c, "year", 0, 1990, 2200)
	if err != nil {
		return documents.PublicQuery{}, "", 0, err
	}
	q := documents.PublicQuery{Category: c.Query("category"), Year: year, Limit: size, Offset: (page - 1) * size}
	switch v := c.Query("validity"); v {
	case "", documents.ValidityValid, documents.ValidityExpired, documents.ValidityRepealed:
		q.Validity = v
	default:
		return documents.PublicQuery{}, "", 0, &workflow.Error{Code: workflow.EInvalid, Field: "validity", Message: "有效性只能是“有效”“失效”或“废止”"}
	}
	if len([]rune(q.Category)) > 100 {
		return documents.PublicQuery{}, "", 0, &workflow.Error{Code: workflow.EInvalid, Field: "category", Message: "主题分类过长"}
	}
	if q.Item = strings.TrimSpace(c.Query("catalogue")); len(q.Item) > 40 {
		return documents.PublicQuery{}, "", 0, &workflow.Error{Code: workflow.EInvalid, Field: "catalogue", Message: "标准目录事项编码过长"}
	}
	if q.ItemCategory = strings.TrimSpace(c.Query("catalogue_category")); q.ItemCategory != "" && !slices.Contains(catalogue.Categories, q.ItemCategory) {
		return documents.PublicQuery{}, "", 0, &workflow.Error{Code: workflow.EInvalid, Field: "catalogue_category",
			Message: "五公开类别只能是“决策”“执行”“管理”“服务”或“结果”"}
	}
	return q, c.Query("q"), page, nil
}

func (a *API) publicDocuments(c *gin.Context) error {
	q, text, page, err := PublicQuery(c)
	if err != nil {
		return err
	}
	docs, total, err := a.Docs.Public(c.Request.Context(), q, text)
	if err != nil {
		return err
	}
	return listPage(c, docs, func(d documents.Document) publicDocumentDTO { return toPublicDTO(d, a.OrgName, false) }, total, page, q.Limit)
}

func (a *API) publicDocument(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	d, err := a.Docs.PublicDocument(c.Request.Context(), id)
	if err != nil {
		return err
	}
	policy, ins, err := a.Docs.PublicLinks(c.Request.Context(), d)
	if err != nil {
		return err
	}
	dto := toPublicDTO(d, a.OrgName, true)
	if policy != nil {
		l := toLinkedDTO(*policy, false)
		dto.Interprets = &l
	}
	for _, i := range ins {
		dto.Interpretations = append(dto.Interpretations, toLinkedDTO(i, false))
	}
	return reply(c, http.StatusOK, dto, nil)
}

//go:embed openapi.json
var openapiJSON []byte

func (a *API) openapi(c *gin.Context) error {
	c.Data(http.StatusOK, "application/json; charset=utf-8", openapiJSON)
	return nil
}
