package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"wugongkai/internal/httpkit"
	"wugongkai/workflow"
	"wugongkai/workflow/consultations"
)

// The public consultation pages: the 征求意见 list, each consultation's page with the comment form
// and its receipt, the adoption summary once the decision is published. The staff's comment pages
// are in comments.go.

// consultRow is a consultation in the public list.
type consultRow struct {
	ID           int64
	Title        string
	Unit         string
	Status       string
	StatusLabel  string
	OpensAt      time.Time
	ClosesAt     time.Time
	CommentCount int
	Extended     bool
	Decided      bool
}

func toConsultRow(v consultations.ConsultationView) consultRow {
	return consultRow{ID: v.ID, Title: v.Title, Unit: v.UnitName, Status: v.Status, StatusLabel: consultations.ConsultationStatusLabel(v.Status),
		OpensAt: v.OpensAt, ClosesAt: v.ClosesAt, CommentCount: v.CommentCount, Extended: len(v.Extensions) > 0, Decided: v.State == "published"}
}

type statusTab struct {
	Value, Label, Href string
	Current            bool
}

type consultListView struct {
	Status    string
	Tabs      []statusTab
	Rows      []consultRow
	Total     int
	PageLinks []pageLink
	PrevHref  string
	NextHref  string
}

const consultPageSize = 20

// consultationList is the public 征求意见 list: open, upcoming and closed consultations.
func (s *Site) consultationList(c *gin.Context) {
	status := c.Query("status")
	page, _ := strconv.Atoi(c.DefaultQuery("page", "1"))
	if page < 1 || page > 10000 {
		page = 1
	}
	v := consultListView{Status: status}
	for _, t := range []struct{ value, label string }{{"", "全部"}, {consultations.ConsultationOpen, "正在征求意见"},
		{consultations.ConsultationUpcoming, "即将开始"}, {consultations.ConsultationClosed, "已结束"}} {
		href := "/consultations"
		if t.value != "" {
			href += "?status=" + t.value
		}
		v.Tabs = append(v.Tabs, statusTab{Value: t.value, Label: t.label, Href: href, Current: t.value == status})
	}
	views, total, err := s.Consultations.List(c.Request.Context(), status, consultPageSize, (page-1)*consultPageSize)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	for _, cv := range views {
		v.Rows = append(v.Rows, toConsultRow(cv))
	}
	v.Total = total
	pages := (total + consultPageSize - 1) / consultPageSize
	v.PageLinks, v.PrevHref, v.NextHref = pageLinks(page, pages, func(n int) string {
		q := url.Values{}
		if status != "" {
			q.Set("status", status)
		}
		q.Set("page", strconv.Itoa(n))
		return "/consultations?" + q.Encode()
	})
	s.render(c, http.StatusOK, "portal_consultations", v)
}

// commentForm is what a citizen typed, kept when the form comes back with a message.
type commentForm struct {
	Name    string
	Contact string
	Text    string
}

type consultPageView struct {
	V           consultations.ConsultationView
	StatusLabel string
	Open        bool
	Paragraphs  []string
	Explanation []string
	Summary     []string
	Form        commentForm
	fieldError
	MaxLength    int
	DecisionHref string
}

// consultationView loads the public page of the :id consultation.
func (s *Site) consultationView(c *gin.Context) (consultPageView, error) {
	id, err := pathID(c)
	if err != nil {
		return consultPageView{}, err
	}
	cv, err := s.Consultations.View(c.Request.Context(), id)
	if err != nil {
		return consultPageView{}, err
	}
	v := consultPageView{V: cv, StatusLabel: consultations.ConsultationStatusLabel(cv.Status), Open: cv.Status == consultations.ConsultationOpen,
		Paragraphs: paragraphs(cv.Body), Explanation: paragraphs(cv.Explanation), Summary: paragraphs(cv.AdoptionSummary),
		MaxLength: s.Consultations.MaxLength}
	if v.MaxLength <= 0 {
		v.MaxLength = consultations.DefaultMaxCommentLength
	}
	if cv.State == "published" {
		if _, err := s.Docs.PublicDocument(c.Request.Context(), id); err == nil {
			v.DecisionHref = fmt.Sprintf("/documents/%d", id)
		}
	}
	return v, nil
}

// consultationPage is one consultation: the draft, the period, the comment form while it is open,
// and the adoption summary once the decision is published.
func (s *Site) consultationPage(c *gin.Context) {
	show(s, c, "portal_consultation", s.consultationView, nil)
}

type receiptView struct {
	ID     int64
	Title  string
	No     string
	At     time.Time
	Closes time.Time
}

// postComment takes a citizen's comment and answers with its receipt number once it is stored.
func (s *Site) postComment(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	form := commentForm{Name: c.PostForm("name"), Contact: c.PostForm("contact"), Text: c.PostForm("text")}
	r, err := s.Consultations.Accept(c.Request.Context(), id, consultations.CommentInput{Name: form.Name, Contact: form.Contact, Text: form.Text},
		c.ClientIP())
	if err == nil {
		v, err := s.consultationView(c)
		if err != nil {
			s.errorPage(c, err)
			return
		}
		s.render(c, http.StatusCreated, "portal_receipt", receiptView{ID: id, Title: v.V.Title, No: r.No, At: r.SubmittedAt, Closes: v.V.ClosesAt})
		return
	}
	if workflow.ErrorCode(err) == workflow.ENotFound {
		s.errorPage(c, err)
		return
	}
	httpkit.RetryAfter(c, err)
	refused(s, c, err, "portal_consultation", s.consultationView, func(v *consultPageView) {
		v.Form = form
		v.from(err)
	})
}

// receiptLookupView is the page that looks a comment up by its receipt number.
type receiptLookupView struct {
	No          string
	Error       string
	R           *consultations.ReceiptView
	StatusLabel string
}

// commentReceipt looks a comment up by the receipt number (?no=) its sender kept: when it was
// received, the consultation, and its disposition once the adoption summary is published.
func (s *Site) commentReceipt(c *gin.Context) {
	v := receiptLookupView{No: strings.TrimSpace(c.Query("no"))}
	if v.No == "" {
		s.render(c, http.StatusOK, "portal_comment_receipt", v)
		return
	}
	r, err := s.Consultations.Receipt(c.Request.Context(), v.No, c.ClientIP())
	if err != nil {
		if statusFor(err) >= 500 {
			s.errorPage(c, err)
			return
		}
		v.Error = workflow.ErrorMessage(err)
		if e := workflow.AsError(err); e != nil {
			if ra, ok := e.Details["retry_after_seconds"]; ok {
				c.Header("Retry-After", fmt.Sprint(ra))
			}
		}
		s.render(c, statusFor(err), "portal_comment_receipt", v)
		return
	}
	v.R, v.StatusLabel = &r, consultations.ConsultationStatusLabel(r.Consultation.Status)
	s.render(c, http.StatusOK, "portal_comment_receipt", v)
}

// consultationsFeed is the Atom feed of new consultations.
func (s *Site) consultationsFeed(c *gin.Context) {
	views, _, err := s.Consultations.List(c.Request.Context(), "", feedSize, 0)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	self := s.abs(c, "/feeds/consultations.atom")
	f := atomFeed{Lang: "zh-CN", ID: self, Title: s.OrgName + " 征求意见", Author: atomPerson{Name: s.OrgName},
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: self}, {Rel: "alternate", Type: "text/html", Href: s.abs(c, "/consultations")}}}
	updated := time.Unix(0, 0)
	for _, v := range views {
		at := v.OpensAt
		for _, e := range v.Extensions {
			if e.At.After(at) {
				at = e.At
			}
		}
		if at.After(updated) {
			updated = at
		}
		href := s.abs(c, fmt.Sprintf("/consultations/%d", v.ID))
		f.Entries = append(f.Entries, atomEntry{ID: href, Title: v.Title, Updated: atomTime(at), Published: atomTime(v.OpensAt),
			Links: []atomLink{{Rel: "alternate", Type: "text/html", Href: href}},
			Summary: fmt.Sprintf("%s：征求意见期 %s 至 %s（北京时间）", consultations.ConsultationStatusLabel(v.Status),
				formatDateTime(v.OpensAt), formatDateTime(v.ClosesAt))})
	}
	f.Updated = atomTime(updated)
	s.writeXML(c, "application/atom+xml; charset=utf-8", f)
}
