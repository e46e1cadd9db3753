// Package catalogue is the 基层政务公开标准目录: the items a bureau publishes, each with its 公开内容,
// 公开依据, 公开时限 (text and rule), 公开主体, 公开渠道和载体, 公开对象, 公开方式 and 五公开 category.
// The default catalogue is configs/catalogue/*.yaml; once loaded it lives in the database, where an
// item changed in YAML gets a new version and an item dropped from YAML is retired, never deleted.
package catalogue

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"wugongkai/workflow"
)

// The 五公开 categories, in their customary order.
const (
	Decision   = "决策"
	Execution  = "执行"
	Management = "管理"
	Service    = "服务"
	Result     = "结果"
)

// Categories lists the 五公开 categories in their customary order.
var Categories = []string{Decision, Execution, Management, Service, Result}

// The 公开对象 of an item.
const (
	Everyone   = "全社会"
	SomeGroups = "特定群体"
)

// The 公开方式 of an item.
const (
	Proactive = "主动"
	OnRequest = "依申请"
)

// Channels lists the 公开渠道和载体 of the national standard catalogues; an item may also name
// "其他：…".
var Channels = []string{"政府网站", "政府公报", "两微一端", "发布会/听证会", "广播电视", "纸质媒体", "公开查阅点",
	"政务服务中心", "便民服务站", "入户/现场", "社区/企事业单位/村公示栏（电子屏）", "精准推送", "12345政务服务热线"}

// Item is one item of the catalogue at one version.
type Item struct {
	Code      string
	Seq       int    // position in the catalogue (序号), from the file order and the order in the file
	Area      string // 领域: 通用事项, 国有土地上房屋征收与补偿, 保障性住房, ...
	Level1    string // 一级事项
	Level2    string // 二级事项
	Content   []string
	Basis     []string
	TimeLimit TimeLimit
	Subject   string   // 公开主体
	Channels  []string // 公开渠道和载体
	Audience  string   // 全社会 or 特定群体
	Mode      string   // 主动 or 依申请
	Category  string   // 五公开 category
	File      string   // the file the item was read from
	Line      int      // its line there

	// Set by the store.
	Version   int
	LoadedAt  time.Time
	RetiredAt time.Time // zero while the item is in force
}

// Retired reports whether the item has been dropped from the catalogue.
func (it Item) Retired() bool { return !it.RetiredAt.IsZero() }

// Same reports whether a and b say the same thing: every column shown to the public, not where
// they were read from, their position or their version.
func Same(a, b Item) bool {
	return a.Code == b.Code && a.Area == b.Area && a.Level1 == b.Level1 && a.Level2 == b.Level2 &&
		equal(a.Content, b.Content) && equal(a.Basis, b.Basis) && a.TimeLimit == b.TimeLimit &&
		a.Subject == b.Subject && equal(a.Channels, b.Channels) && a.Audience == b.Audience &&
		a.Mode == b.Mode && a.Category == b.Category
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// LoadResult says what loading a catalogue changed.
type LoadResult struct {
	Added     []string // codes of new items
	Changed   []string // codes of items given a new version
	Retired   []string // codes no longer in the catalogue
	Restored  []string // retired codes back in force unchanged
	Unchanged int
}

// Storer is what the catalogue needs from a store. Every method works within one organisation.
type Storer interface {
	// SaveCatalogue records items as the organisation's catalogue in one transaction: a new code
	// gets version 1, a changed item its next version, an item missing from items is retired
	// (an item coming back is in force again, at a new version if changed).
	SaveCatalogue(ctx context.Context, items []Item, at time.Time) (LoadResult, error)
	// CatalogueItems returns the items in force, at their latest version, in catalogue order.
	CatalogueItems(ctx context.Context) ([]Item, error)
	// CatalogueItem returns the item code at version (0: its latest version), retired or not;
	// ENotFound when there is none.
	CatalogueItem(ctx context.Context, code string, version int) (Item, error)
}

// Catalogue is the catalogue's use cases.
type Catalogue struct {
	Store Storer
	Clock workflow.Clock
}

// Load checks items and records them as the catalogue (see Storer.SaveCatalogue).
func (c *Catalogue) Load(ctx context.Context, items []Item) (LoadResult, error) {
	if err := Validate(items); err != nil {
		return LoadResult{}, err
	}
	clock := c.Clock
	if clock == nil {
		clock = workflow.SystemClock
	}
	return c.Store.SaveCatalogue(ctx, items, clock.Now())
}

// Item returns one item at a version (0: the latest), retired or not.
func (c *Catalogue) Item(ctx context.Context, code string, version int) (Item, error) {
	return c.Store.CatalogueItem(ctx, code, version)
}

// MaxQuery is the longest search text Browse accepts, in characters.
const MaxQuery = 100

// Browse returns the catalogue in force as a tree and by 五公开 category; a non-empty query
// keeps only the items whose text contains every word of it (see Search). A query longer than
// MaxQuery is EInvalid.
func (c *Catalogue) Browse(ctx context.Context, query string) (View, error) {
	query = strings.TrimSpace(query)
	if utf8.RuneCountInString(query) > MaxQuery {
		return View{}, &workflow.Error{Code: workflow.EInvalid, Field: "q", Message: fmt.Sprintf("检索词不能超过 %d 个字", MaxQuery)}
	}
	items, err := c.Store.CatalogueItems(ctx)
	if err != nil {
		return View{}, err
	}
	items = Search(items, query)
	return View{Query: query, Count: len(items), Tree: BuildTree(items), Categories: ByCategory(items)}, nil
}
