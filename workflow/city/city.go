// Package city holds the city level of a platform that serves many agencies (政务公开集约化平台):
// the use cases of the city-wide portal (every agency's public documents and open consultations,
// and routing a disclosure request to the agency that holds the information) and the city
// disclosure office's oversight of every agency's compliance (overdue publications and replies).
// The city's annual report, which needs the report model, is report.CityReports.
//
// Its store reads across organisations on purpose, and every store method is told which agencies
// it reads: the use cases list the agencies first and pass their ids on.
package city

import (
	"context"
	"fmt"
	"strings"
	"time"

	"wugongkai/workflow"
	"wugongkai/workflow/consultations"
	"wugongkai/workflow/documents"
)

// Unit is the unit the city permissions are checked in: the city office's role is held
// bureau-wide in the platform's organisation.
const Unit = "*"

// Agency is one organisation on the platform (a row of orgs).
type Agency struct {
	ID   int64
	Code string // 组织机构代码 or 统一社会信用代码
	Name string
}

// AgencyConsultation is a public consultation with the agency that runs it.
type AgencyConsultation struct {
	AgencyID int64
	consultations.Consultation
}

// AgencyQuery is what a citizen looking for the agency that holds some information typed: the
// text itself (matched against agency and unit names) and its search terms and phrases (matched
// against the agency's public documents, as the public search does).
type AgencyQuery struct {
	Text    string
	Terms   []string
	Phrases []string
	States  []string // the states the flows tag public; set by the use case
}

// AgencyMatch is an agency as the request routing page shows it: why it matches the query.
type AgencyMatch struct {
	Agency
	NameMatch bool     // the query is part of the agency's name
	Units     []string // its units whose names contain the query
	Documents int      // its public documents the query finds
	// PortalURL and RequestURL are the agency's portal and its request form (set by the use case).
	PortalURL  string
	RequestURL string
}

// Overdue kinds.
const (
	OverduePublication = "publication" // a signed 主动公开 document past its publication deadline (《条例》第26条)
	OverdueReply       = "reply"       // a request past its reply deadline (《条例》第33条)
)

// Overdue is one record past its statutory deadline and still not done.
type Overdue struct {
	AgencyID  int64
	Kind      string // OverduePublication or OverdueReply
	SubjectID int64
	Title     string // a document's title; a request's 受理编号
	UnitName  string // the unit that holds it
	DueAt     time.Time
	DueDate   workflow.Date
}

// CatalogueGap is a catalogue item in force, to be disclosed proactively (公开方式 主动), under which
// an agency published nothing this year.
type CatalogueGap struct {
	AgencyID int64
	Code     string
	Level1   string // 一级事项
	Level2   string // 二级事项
}

// Store is what the city use cases need; *postgres.City satisfies it. Every method but Agencies
// reads the agencies whose ids it is given, and no other.
type Store interface {
	// Agencies lists every agency on the platform by code.
	Agencies(ctx context.Context) ([]Agency, error)
	// PublicDocuments is the public document list (documents.DocumentStore.PublicDocuments, the one
	// public read rule) over the agencies: Instance.OrgID says whose each document is.
	PublicDocuments(ctx context.Context, agencies []int64, q documents.PublicQuery) ([]documents.Document, int, error)
	// PublicConsultations is the public consultation list over the agencies.
	PublicConsultations(ctx context.Context, agencies []int64, q consultations.ConsultationQuery) ([]AgencyConsultation, int, error)
	// FindAgencies tells for each agency how it matches q; an agency that does not match is left out
	// (with no text every agency matches).
	FindAgencies(ctx context.Context, agencies []int64, q AgencyQuery) ([]AgencyMatch, error)
	// Overdue lists the documents in one of awaiting (the states the flows tag awaiting
	// publication) whose latest publication deadline passed before now, and the open requests whose
	// latest reply deadline did, each not cancelled: pending, or alerted by the sweep and still not done.
	Overdue(ctx context.Context, agencies []int64, awaiting []string, now time.Time) ([]Overdue, error)
	// CatalogueGaps lists the agencies' catalogue items in force to be disclosed proactively under
	// which no document published since yearStart (in one of public, 主动公开) is tagged; ok is
	// false when documents carry no catalogue item in this database (nothing is then listed).
	CatalogueGaps(ctx context.Context, agencies []int64, public []string, yearStart time.Time) (gaps []CatalogueGap, ok bool, err error)
}

// City holds the city-level use cases that the JSON API and the pages both call.
type City struct {
	Store  Store
	Engine *workflow.Engine // for the states the flows tag public or awaiting publication
	Auth   workflow.Authorizer
	// AgencyURL returns the address of an agency's portal without a trailing slash ("" = this
	// host); nil = every agency on this host.
	AgencyURL func(code string) string
	// Platform says whether the organisation serving this request is the platform's own, whose
	// accounts hold the city office's role; the city office's use cases refuse anyone elsewhere.
	Platform bool
	Clock    workflow.Clock // nil = the wall clock
}

func (c *City) now() time.Time {
	if c.Clock == nil {
		return time.Now()
	}
	return c.Clock.Now()
}

// PortalURL returns the address of the agency's portal, without a trailing slash.
func (c *City) PortalURL(a Agency) string {
	if c.AgencyURL == nil {
		return ""
	}
	return strings.TrimRight(c.AgencyURL(a.Code), "/")
}

// agencies lists the agencies by id, and their ids.
func (c *City) agencies(ctx context.Context) (map[int64]Agency, []int64, error) {
	as, err := c.Store.Agencies(ctx)
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[int64]Agency, len(as))
	ids := make([]int64, 0, len(as))
	for _, a := range as {
		byID[a.ID] = a
		ids = append(ids, a.ID)
	}
	return byID, ids, nil
}

// Document is a public document on the city portal: the document, its agency and its page on the
// agency's portal.
type Document struct {
	documents.Document
	Agency Agency
	URL    string
}

// Documents lists every agency's published 主动公开 documents (the one public read rule), newest
// first, filtered and searched as the agency portal's list is.
func (c *City) Documents(ctx context.Context, q documents.PublicQuery, text string) ([]Document, int, error) {
	if err := q.Search(text); err != nil {
		return nil, 0, err
	}
	q.States = c.Engine.Registry().Tagged(workflow.TagPublic)
	byID, ids, err := c.agencies(ctx)
	if err != nil {
		return nil, 0, err
	}
	docs, total, err := c.Store.PublicDocuments(ctx, ids, q)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Document, 0, len(docs))
	for _, d := range docs {
		a := byID[d.OrgID]
		out = append(out, Document{Document: d, Agency: a, URL: fmt.Sprintf("%s/documents/%d", c.PortalURL(a), d.ID)})
	}
	return out, total, nil
}

// Consultation is a consultation on the city portal: what the agency's portal lists of it, its
// agency and its page on the agency's portal.
type Consultation struct {
	consultations.ConsultationView
	Agency Agency
	URL    string
}

// Consultations lists every agency's consultations open for comment now, closing soonest first.
func (c *City) Consultations(ctx context.Context, limit, offset int) ([]Consultation, int, error) {
	byID, ids, err := c.agencies(ctx)
	if err != nil {
		return nil, 0, err
	}
	now := c.now()
	cs, total, err := c.Store.PublicConsultations(ctx, ids, consultations.ConsultationQuery{Status: consultations.ConsultationOpen,
		Now: now, States: consultations.PublicConsultationStates(), Limit: limit, Offset: offset})
	if err != nil {
		return nil, 0, err
	}
	out := make([]Consultation, 0, len(cs))
	for _, ac := range cs {
		a := byID[ac.AgencyID]
		out = append(out, Consultation{ConsultationView: consultations.ListView(ac.Consultation, now), Agency: a,
			URL: fmt.Sprintf("%s/consultations/%d", c.PortalURL(a), ac.ID)})
	}
	return out, total, nil
}

// Agencies returns the agencies a disclosure request may go to, for the citizen to pick the one
// that holds the information: with no text every agency by code; with text those whose name or
// units' names contain it or whose public documents it finds, the best match first (name, then
// the most documents).
func (c *City) Agencies(ctx context.Context, text string) ([]AgencyMatch, error) {
	text = strings.TrimSpace(text)
	var q documents.PublicQuery
	if err := q.Search(text); err != nil {
		return nil, err
	}
	byID, ids, err := c.agencies(ctx)
	if err != nil {
		return nil, err
	}
	if len(byID) == 0 {
		return nil, nil
	}
	ms, err := c.Store.FindAgencies(ctx, ids, AgencyQuery{Text: text, Terms: q.Terms, Phrases: q.Phrases,
		States: c.Engine.Registry().Tagged(workflow.TagPublic)})
	if err != nil {
		return nil, err
	}
	for i := range ms {
		ms[i].PortalURL = c.PortalURL(ms[i].Agency)
		ms[i].RequestURL = ms[i].PortalURL + "/requests/new"
	}
	return ms, nil
}

// RequestForm returns the address of the request form of the agency with code, where the citizen
// files a request to it; an unknown code is not found.
func (c *City) RequestForm(ctx context.Context, code string) (string, error) {
	as, err := c.Store.Agencies(ctx)
	if err != nil {
		return "", err
	}
	for _, a := range as {
		if a.Code == code {
			return c.PortalURL(a) + "/requests/new", nil
		}
	}
	return "", &workflow.Error{Code: workflow.ENotFound, Field: "agency", Message: "没有这个机关，请从列表中选择受理申请的机关"}
}

// Compliance is every agency's compliance as the city office sees it at one instant.
type Compliance struct {
	At       time.Time
	Agencies []AgencyCompliance
	// Overdue counts every overdue record of every agency.
	Overdue int
	// Catalogue says whether documents carry their catalogue item, so that the items with nothing
	// published this year could be found.
	Catalogue bool
}

// AgencyCompliance is one agency's overdue records, each list most overdue first.
type AgencyCompliance struct {
	Agency
	PortalURL    string
	Publications []Overdue
	Replies      []Overdue
	// CatalogueGaps are its items with nothing published this year (see Compliance.Catalogue).
	CatalogueGaps []CatalogueGap
}

// Overdue returns the number of the agency's overdue records.
func (a AgencyCompliance) Overdue() int { return len(a.Publications) + len(a.Replies) }

// CheckOffice returns nil if actor may use permission as the city office here: the serving
// organisation is the platform's own and actor holds permission (city:oversee or city:report)
// there.
func CheckOffice(ctx context.Context, auth workflow.Authorizer, platform bool, actor workflow.Actor, permission string) error {
	if err := auth.Authorize(ctx, actor, Unit, permission); err != nil {
		return err
	}
	if !platform {
		return &workflow.Error{Code: workflow.EForbidden, Message: "全市政务公开监督和年度报告汇总只在平台机构的工作台提供"}
	}
	return nil
}

// Compliance returns every agency's documents past their publication deadline and requests past
// their reply deadline, per agency (permission city:oversee, on the platform's organisation).
func (c *City) Compliance(ctx context.Context, actor workflow.Actor) (Compliance, error) {
	if err := CheckOffice(ctx, c.Auth, c.Platform, actor, "city:oversee"); err != nil {
		return Compliance{}, err
	}
	as, err := c.Store.Agencies(ctx)
	if err != nil {
		return Compliance{}, err
	}
	ids := make([]int64, len(as))
	out := Compliance{At: c.now(), Agencies: make([]AgencyCompliance, len(as))}
	pos := make(map[int64]int, len(as))
	for i, a := range as {
		ids[i], pos[a.ID] = a.ID, i
		out.Agencies[i] = AgencyCompliance{Agency: a, PortalURL: c.PortalURL(a)}
	}
	os, err := c.Store.Overdue(ctx, ids, c.Engine.Registry().Tagged(workflow.TagAwaitingPublication), out.At)
	if err != nil {
		return Compliance{}, err
	}
	for _, o := range os {
		i, ok := pos[o.AgencyID]
		if !ok {
			continue
		}
		ac := &out.Agencies[i]
		switch o.Kind {
		case OverduePublication:
			ac.Publications = append(ac.Publications, o)
		case OverdueReply:
			ac.Replies = append(ac.Replies, o)
		}
		out.Overdue++
	}
	year := time.Date(workflow.DateOf(out.At).Year, 1, 1, 0, 0, 0, 0, workflow.Shanghai)
	gaps, ok, err := c.Store.CatalogueGaps(ctx, ids, c.Engine.Registry().Tagged(workflow.TagPublic), year)
	if err != nil {
		return Compliance{}, err
	}
	out.Catalogue = ok
	for _, g := range gaps {
		if i, ok := pos[g.AgencyID]; ok {
			out.Agencies[i].CatalogueGaps = append(out.Agencies[i].CatalogueGaps, g)
		}
	}
	return out, nil
}

// DaysOverdue returns the whole calendar days from o's due date to now's, in Asia/Shanghai.
func (o Overdue) DaysOverdue(now time.Time) int {
	today := workflow.DateOf(now)
	due := time.Date(o.DueDate.Year, o.DueDate.Month, o.DueDate.Day, 0, 0, 0, 0, time.UTC)
	return int(time.Date(today.Year, today.Month, today.Day, 0, 0, 0, 0, time.UTC).Sub(due).Hours() / 24)
}
