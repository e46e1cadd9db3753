package web

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"wugongkai/workflow"
	"wugongkai/workflow/documents"
)

type deskItem struct {
	Row       docRow
	Doc       documents.Document
	Deadlines []deadlineView
	Publish   *formAction
}

type deskView struct {
	Awaiting  []deskItem
	Published []deskItem
	Flash     string
	Options   []string
}

// publicationDesk is the disclosure office's desk: what must be published and by when, with the
// catalogue metadata form of each, and the validity of what is published.
func (s *Site) publicationDesk(c *gin.Context) {
	st := *staffOf(c)
	ctx := c.Request.Context()
	v := deskView{Options: []string{documents.ValidityValid, documents.ValidityExpired, documents.ValidityRepealed}}
	switch c.Query("done") {
	case "publish":
		v.Flash = "已发布到门户网站。"
	case "validity":
		v.Flash = "有效性已更新。"
	}
	awaiting, _, err := s.Docs.List(ctx, st, documents.DocumentQuery{States: s.Docs.Engine.Registry().Tagged(workflow.TagAwaitingPublication), Limit: 200})
	if err != nil {
		s.errorPage(c, err)
		return
	}
	for _, d := range awaiting {
		it := deskItem{Row: s.toDocRow(c, d), Doc: d, Deadlines: s.pendingDeadlines(c, d.ID)}
		def, err := s.Docs.Engine.Definition(d.Instance)
		if err != nil {
			s.errorPage(c, err)
			return
		}
		for _, t := range s.Docs.Available(st.Actor(), d) {
			if a := s.docForm(def, d, t); a.Publish {
				it.Publish = &a
			}
		}
		v.Awaiting = append(v.Awaiting, it)
	}
	// Soonest due first; those without a deadline last.
	slices.SortStableFunc(v.Awaiting, func(a, b deskItem) int {
		switch {
		case len(a.Deadlines) == 0 && len(b.Deadlines) == 0:
			return 0
		case len(a.Deadlines) == 0:
			return 1
		case len(b.Deadlines) == 0:
			return -1
		}
		return a.Deadlines[0].DueAt.Compare(b.Deadlines[0].DueAt)
	})
	published, _, err := s.Docs.List(ctx, st, documents.DocumentQuery{States: s.Docs.Engine.Registry().Tagged(workflow.TagPublic), Limit: 50})
	if err != nil {
		s.errorPage(c, err)
		return
	}
	for _, d := range published {
		v.Published = append(v.Published, deskItem{Row: s.toDocRow(c, d), Doc: d})
	}
	s.render(c, http.StatusOK, "console_desk", v)
}
