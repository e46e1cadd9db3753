package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"wugongkai/workflow"
	"wugongkai/workflow/documents"
)

// itemChoice is the editor's choice of the catalogue item (标准目录事项): a search box and a select
// of the items in force that match it, grouped by 领域 › 一级事项, and what the chosen item
// proposes. It works without JavaScript: the search button posts the form, which comes back with
// what was typed and the select narrowed to the matches.
type itemChoice struct {
	On       bool // the site has a catalogue
	Query    string
	Groups   []optionGroup
	Count    int // items matching the query
	Proposal *itemProposal
	Error    string // a search that could not be run
}

// itemProposal is what the chosen item proposes: the attribute (公开方式), its 五公开 category,
// the 公开时限 and the channels.
type itemProposal struct {
	Item      documents.CatalogueItem
	Attribute string
	Rule      string // the time limit as a rule (N个工作日, 实时/及时 …)
	Departs   bool   // the form's attribute is not the proposed one
}

// catalogueSearch reports whether the editor's form was posted by its catalogue search button.
func catalogueSearch(c *gin.Context) bool { return c.PostForm("catalogue_search") != "" }

// itemChoiceOf builds the editor's item choice for form f; tagged is the item the document was
// tagged with (shown even when retired since).
func (s *Site) itemChoiceOf(c *gin.Context, f editorForm, tagged documents.CatalogueItem) itemChoice {
	if s.Catalogue == nil {
		return itemChoice{}
	}
	ch := itemChoice{On: true, Query: f.CatalogueQuery}
	view, err := s.Catalogue.Browse(c.Request.Context(), f.CatalogueQuery)
	if err != nil {
		ch.Error = workflow.ErrorMessage(err)
		view, _ = s.Catalogue.Browse(c.Request.Context(), "")
	}
	ch.Count = view.Count
	chosen := strings.TrimSpace(f.CatalogueItem)
	found := false
	for _, a := range view.Tree {
		for _, g := range a.Groups {
			og := optionGroup{Label: a.Name + " › " + g.Level1}
			for _, it := range g.Items {
				og.Options = append(og.Options, option{Value: it.Code, Label: it.Level2 + "（" + it.Code + "）"})
				if it.Code == chosen {
					found = true
					ch.Proposal = proposalOf(documents.CatalogueItem{Code: it.Code, Version: it.Version, Area: it.Area,
						Level1: it.Level1, Level2: it.Level2, Category: it.Category, Mode: it.Mode, TimeLimit: it.TimeLimit.Text,
						Channels: it.Channels}, it.TimeLimit.Rule(), f.Attribute)
				}
			}
			ch.Groups = append(ch.Groups, og)
		}
	}
	if chosen != "" && !found {
		// The chosen item is outside the search, or the document's item was retired since.
		it := tagged
		rule := ""
		if it.Code != chosen {
			if cur, err := s.Catalogue.Item(c.Request.Context(), chosen, 0); err == nil {
				it = documents.CatalogueItem{Code: cur.Code, Version: cur.Version, Area: cur.Area, Level1: cur.Level1,
					Level2: cur.Level2, Category: cur.Category, Mode: cur.Mode, TimeLimit: cur.TimeLimit.Text, Channels: cur.Channels}
				rule = cur.TimeLimit.Rule()
			} else {
				it = documents.CatalogueItem{Code: chosen, Level2: "（目录中没有此事项）"}
			}
		}
		ch.Groups = append([]optionGroup{{Label: "已选事项", Options: []option{{Value: it.Code, Label: it.Level2 + "（" + it.Code + "）"}}}}, ch.Groups...)
		if it.Mode != "" {
			ch.Proposal = proposalOf(it, rule, f.Attribute)
		}
	}
	return ch
}

func proposalOf(it documents.CatalogueItem, rule, attribute string) *itemProposal {
	p := &itemProposal{Item: it, Attribute: it.ProposedAttribute(), Rule: rule}
	p.Departs = attribute != "" && p.Attribute != "" && attribute != p.Attribute
	return p
}

// searchItems answers the editor's catalogue search: the same form, as typed, with the item
// select narrowed to the matches. Nothing is saved.
func (s *Site) searchItems(c *gin.Context, v editorView) {
	v.Items = s.itemChoiceOf(c, v.Form, documents.CatalogueItem{})
	v.Problems = problemsOf(s.checkDisclosure(v.Form.facts()))
	s.render(c, http.StatusOK, "console_editor", v)
}
