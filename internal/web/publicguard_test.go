package web_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestPublishedButNotDisclosedNeverShows writes what no flow makes but a bad import or migration
// could: a published row that is not 主动公开. The public query's attribute condition (publicWhere,
// DESIGN.md invariant 5) is the last guard; no public surface may show the row: the portal list,
// search, detail page, Atom feed, sitemap, and the public API's list, search and detail
// (issue 18 item 13). Removing the 主动公开 condition from publicWhere makes this test fail.
func TestPublishedButNotDisclosedNeverShows(t *testing.T) {
	s := newStack(t)
	shown := s.mustPublished("公开的住房保障通知", "正文")
	for _, attr := range []string{"不予公开", "依申请公开", ""} {
		t.Run("attribute "+attr, func(t *testing.T) {
			hidden := s.mustPublished("误导入的住房内部请示"+attr, "内部请示正文")
			// As a bad import would: the row stays published, its attribute is not 主动公开.
			q := `UPDATE documents SET facts = jsonb_set(facts, '{attribute}', to_jsonb($1::text)) WHERE id = $2`
			if attr == "" {
				q = `UPDATE documents SET facts = facts - 'attribute' WHERE id = $2 AND $1::text = ''`
			}
			res, err := s.db.ExecContext(context.Background(), q, attr, hidden.ID)
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				t.Fatalf("updated %d rows", n)
			}
			c := s.anon()
			id := strconv.FormatInt(hidden.ID, 10)
			search := url.QueryEscape("内部请示")
			for _, path := range []string{"/", "/?q=" + search, "/feeds/documents.atom", "/sitemap.xml",
				"/api/v1/public/documents", "/api/v1/public/documents?q=" + search} {
				r := c.get(path)
				if r.status != 200 {
					t.Fatalf("%s: status %d", path, r.status)
				}
				if strings.Contains(r.body, hidden.Title) || strings.Contains(r.body, "/documents/"+id+"<") ||
					strings.Contains(r.body, `"id":`+id+`,`) || strings.Contains(r.body, `/documents/`+id+`"`) {
					t.Errorf("%s shows the document that is not 主动公开: %.400s", path, r.body)
				}
			}
			// The control: the same surfaces do show the published 主动公开 document.
			if r := c.get("/"); !strings.Contains(r.body, shown.Title) {
				t.Errorf("the portal list does not show the 主动公开 document")
			}
			for _, path := range []string{"/documents/" + id, "/api/v1/public/documents/" + id} {
				if r := c.get(path); r.status != 404 || strings.Contains(r.body, hidden.Title) {
					t.Errorf("%s: %d, want 404 without the title: %.300s", path, r.status, r.body)
				}
			}
		})
	}
}
