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

// TestRequestFormAllErrors: the public request form answers an incomplete application with every
// missing or invalid field at once, each message beside its field and listed at the top with a
// link to the field; what was typed is kept and nothing is stored.
func TestRequestFormAllErrors(t *testing.T) {
	s := newStack(t)
	before := s.requestCount()
	form := applicationValues()
	for _, k := range []string{"name", "id_number", "description"} {
		form.Del(k)
	}
	form.Set("email", "not-an-address")
	r := s.anon().postForm("/requests", form)
	if r.status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", r.status)
	}
	mustContain(t, "answer", r.body, "4 处需要补充或更正", `<a href="#name">请填写申请人姓名</a>`,
		`<a href="#id_number">请填写身份证明`, `<a href="#email">电子邮箱格式不正确</a>`, `<a href="#description">请描述所需政府信息`,
		`id="name-error"`, `id="id_number-error"`, `id="email-error"`, `id="description-error"`, `value="13812345678"`)
	if n := strings.Count(r.body, `aria-invalid="true"`); n != 4 {
		t.Errorf("%d fields marked invalid, want 4", n)
	}
	if s.requestCount() != before {
		t.Errorf("a refused application was stored")
	}

	// One problem: the message alone, no list.
	form = applicationValues()
	form.Del("description")
	r = s.anon().postForm("/requests", form)
	mustContain(t, "one problem", r.body, "请描述所需政府信息", `id="description-error"`)
	mustNotContain(t, "one problem", r.body, "处需要补充或更正")
}
