package httpapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestPublicCatalogue: anyone reads the catalogue as a tree (领域 → 一级事项 → items with every
// column and the time-limit rule) and by the five categories; a search narrows both; an overlong
// search is a 400 in Chinese.
func TestPublicCatalogue(t *testing.T) {
	s := newStack(t)
	// encoding/json matches the lower-case keys to these names.
	type item struct {
		Code, Level2, Mode, Audience, Category string
		Version                                int
		Basis, Channels                        []string
		TimeLimit                              struct {
			Text, Kind, Rule string
			Days             int
		} `json:"time_limit"`
	}
	var out struct {
		Count int `json:"count"`
		Tree  []struct {
			Area   string `json:"area"`
			Groups []struct {
				Level1 string `json:"level1"`
				Items  []item `json:"items"`
			} `json:"groups"`
		} `json:"tree"`
		Categories []struct {
			Category string   `json:"category"`
			Codes    []string `json:"codes"`
		} `json:"categories"`
	}
	s.mustDo(http.MethodGet, "/api/v1/public/catalogue", "", nil, http.StatusOK, &out)
	if out.Count < 20 || len(out.Tree) != 5 || out.Tree[1].Area != "国有土地上房屋征收与补偿" || len(out.Categories) != 5 {
		t.Fatalf("catalogue = %+v", out)
	}
	first := out.Tree[0].Groups[0].Items[0]
	if first.Code != "TY-01" || first.Version != 1 || first.Level2 != "机构职能" || first.Mode != "主动" || first.Audience != "全社会" ||
		first.TimeLimit.Kind != "working" || first.TimeLimit.Days != 20 || first.TimeLimit.Rule != "20个工作日" || len(first.Basis) == 0 || len(first.Channels) == 0 {
		t.Fatalf("first item = %+v", first)
	}
	n := 0
	for _, c := range out.Categories {
		n += len(c.Codes)
	}
	if n != out.Count {
		t.Fatalf("categories hold %d items of %d", n, out.Count)
	}

	s.mustDo(http.MethodGet, "/api/v1/public/catalogue?q="+url.QueryEscape("征收决定"), "", nil, http.StatusOK, &out)
	if out.Count != 1 || out.Tree[0].Groups[0].Items[0].Code != "ZS-05" || out.Tree[0].Groups[0].Items[0].TimeLimit.Kind != "prompt" ||
		len(out.Categories) != 5 || len(out.Categories[1].Codes) != 1 {
		t.Fatalf("search = %+v", out)
	}
	status, body := s.do(http.MethodGet, "/api/v1/public/catalogue?q="+url.QueryEscape(strings.Repeat("字", 101)), "", nil)
	if status != http.StatusBadRequest || !strings.Contains(string(body), "检索词不能超过 100 个字") {
		t.Fatalf("overlong search: %d %s", status, body)
	}
}
