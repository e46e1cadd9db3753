package web_test

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestPortalCategoryLabel: the two-level 主题分类, stored with a backslash, reads
// "城乡建设、环境保护 › 住房保障" on the document page and as the Atom category label; the Atom term
// keeps the stored value.
func TestPortalCategoryLabel(t *testing.T) {
	s := newStack(t)
	d := s.mustPublished("分类显示测试", "正文")
	c := s.anon()
	r := c.get(fmt.Sprintf("/documents/%d", d.ID))
	if r.status != http.StatusOK {
		t.Fatalf("document: status %d", r.status)
	}
	mustContain(t, "document", r.body, "城乡建设、环境保护 › 住房保障")
	mustNotContain(t, "document", r.body, `城乡建设、环境保护\住房保障`)

	r = c.get("/feeds/documents.atom")
	var feed struct {
		Entries []struct {
			Category struct {
				Term  string `xml:"term,attr"`
				Label string `xml:"label,attr"`
			} `xml:"category"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(r.body), &feed); err != nil {
		t.Fatalf("feed is not XML: %v", err)
	}
	if len(feed.Entries) != 1 {
		t.Fatalf("feed has %d entries, want 1", len(feed.Entries))
	}
	got := feed.Entries[0].Category
	if got.Label != "城乡建设、环境保护 › 住房保障" || got.Term != `城乡建设、环境保护\住房保障` {
		t.Errorf("feed category = %+v", got)
	}
	if strings.Contains(r.body, `label="城乡建设、环境保护\`) {
		t.Errorf("feed label keeps the backslash")
	}
}
