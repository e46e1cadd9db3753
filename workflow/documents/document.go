package documents

import (
	"strings"
	"time"

	"wugongkai/workflow"
)

// Document is an official document (公文, definition "document") or a major-decision draft
// (重大行政决策草案, definition "decision") with its workflow instance.
type Document struct {
	workflow.Instance
	Title           string
	Body            string
	Explanation     string // 起草说明 / 决策草案说明
	DocKind         string // 规范性文件 | 其他公文
	SubjectCategory string // 主题分类, "一级\二级"
	DocNumber       string // 发文字号
	Summary         string // 内容概述
	UnitName        string
	CreatedBy       int64
	CreatedByName   string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	IndexNo         string    // 索引号, assigned on publication
	PublishedAt     time.Time // zero until published
	Validity        string    // 有效 | 失效 | 废止
	ValidUntil      time.Time // zero = no end; the day after which validity flips to 失效
	// HasFiles is set by the public read of one document: it has files (the signed original,
	// attachments), so its page lists them and, without any, asks nothing more.
	HasFiles bool
	// Item is the item of the standard catalogue the document belongs to, at the version it was
	// tagged with (zero Code: not tagged).
	Item CatalogueItem
	// Interprets is the 规范性文件 this document is the interpretation (政策解读) of; 0 = none.
	Interprets int64
}

// CatalogueItem is an item of the standard catalogue (标准目录) as a document shows it: where it
// sits in the catalogue and what it proposes (公开方式, 五公开 category, 公开时限, channels).
type CatalogueItem struct {
	Code      string
	Version   int
	Area      string // 领域
	Level1    string // 一级事项
	Level2    string // 二级事项
	Category  string // 五公开: 决策, 执行, 管理, 服务 or 结果
	Mode      string // 公开方式: 主动 or 依申请
	TimeLimit string // 公开时限 as printed
	Channels  []string
}

// Tagged reports whether it names an item.
func (it CatalogueItem) Tagged() bool { return it.Code != "" }

// ProposedAttribute is the disclosure attribute the item's 公开方式 proposes: 主动 → 主动公开,
// 依申请 → 依申请公开.
func (it CatalogueItem) ProposedAttribute() string {
	switch it.Mode {
	case "主动":
		return workflow.AttributeProactive
	case "依申请":
		return workflow.AttributeOnRequest
	}
	return ""
}

// CatalogueTag is what tagging a document with an item needs from the catalogue: the item at its
// current version, whether it is retired, and its 公开时限 as the period the publication deadline
// reads (workflow.Period, written as a fact).
type CatalogueTag struct {
	Item    CatalogueItem
	Retired bool
	Period  workflow.Period
}

// The validity values of a published document.
const (
	ValidityValid    = "有效"
	ValidityExpired  = "失效"
	ValidityRepealed = "废止"
)

// The document kinds. A decision draft is drafted as 其他公文 (or 规范性文件) and published as
// KindDecision.
const (
	KindNormative = workflow.KindNormative
	KindOther     = "其他公文"
	KindDecision  = "重大行政决策"
)

// draftMarks are what a decision draft's title carries while it is out for comment and drops
// when the decision is published.
var draftMarks = []string{"（征求意见稿）", "(征求意见稿)"}

// publishedTitle is the title d is published under: a decision without its draft mark.
func publishedTitle(d Document) string {
	if d.Definition != "decision" {
		return d.Title
	}
	t := d.Title
	for _, m := range draftMarks {
		t = strings.ReplaceAll(t, m, "")
	}
	if t = strings.TrimSpace(t); t == "" {
		return d.Title
	}
	return t
}

// publishedKind is the kind d is published as: a decision is a 重大行政决策.
func publishedKind(d Document) string {
	if d.Definition == "decision" {
		return KindDecision
	}
	return d.DocKind
}
