package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"wugongkai/internal/httpkit"
	"wugongkai/internal/pagecache"
	"wugongkai/policy"
	"wugongkai/workflow"
	"wugongkai/workflow/accounts"
	"wugongkai/workflow/desk"
	"wugongkai/workflow/documents"
)

// API is the JSON API under /api/v1. Handlers parse input, call one use case and render it.
type API struct {
	srv      *Server
	Accounts *accounts.Accounts
	Docs     *documents.Documents
	Desk     *desk.Desk // the 待办 of GET /api/v1/tasks
	Authz    Can
	Inbox    Inbox
	OrgName  string
	// PageCache keeps the public document list and pages; nil = no cache.
	PageCache *pagecache.Cache
	Clock     workflow.Clock // nil = the wall clock

	consultations *ConsultationsAPI // set by MountConsultations
	requests      *RequestsAPI      // set by MountRequests
	catalogue     *CatalogueAPI     // set by MountCatalogue
	files         *FilesAPI         // set by MountFiles
	admin         *AdminAPI         // set by MountAdmin
	city          *CityAPI          // set by MountCity
}

func (a *API) now() time.Time { return httpkit.Now(a.Clock) }

// Inbox lists a user's notifications.
type Inbox interface {
	Notifications(ctx context.Context, user int64, limit int) ([]workflow.Notification, error)
}

// handler is an API handler that returns its error; the error middleware answers it as a problem.
type handler func(c *gin.Context) error

// handle adapts h to gin: its error is recorded with c.Error.
func handle(h handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			c.Error(err)
		}
	}
}

// mount registers the API routes of group from the route table (internal/httpkit/routes.txt) with
// their handlers: staff routes are authenticated first (the use case then checks the permission in
// the object's unit), cached routes go through the page cache.
func (a *API) mount(group string) {
	httpkit.Mount(httpkit.API, []string{group}, a.handlers(), func(r httpkit.Route, h gin.HandlerFunc) {
		hs := []gin.HandlerFunc{h}
		if r.Cached {
			hs = append([]gin.HandlerFunc{a.PageCache.Handler()}, hs...)
		}
		if r.Permission != httpkit.PermPublic {
			hs = append([]gin.HandlerFunc{a.authenticate(r.Permission)}, hs...)
		}
		a.srv.Handle(r.Method, r.Path, r.Permission, hs...)
	})
}

// Mount registers the API's core routes on srv: the session, documents, tasks and public documents.
func Mount(srv *Server, a *API) {
	a.srv = srv
	a.mount("core")
}

// handlers are the API's handlers by the names the route table gives them. Those of the
// consultations and requests are bound when their Mount… registers them.
func (a *API) handlers() map[string]gin.HandlerFunc {
	return map[string]gin.HandlerFunc{
		"core.login":                  handle(a.login),
		"core.logout":                 handle(a.logout),
		"core.me":                     handle(a.me),
		"core.grounds":                handle(a.grounds),
		"core.createDocument":         handle(a.createDocument),
		"core.listDocuments":          handle(a.listDocuments),
		"core.getDocument":            handle(detailOf(a.renderDetail)),
		"core.updateDocument":         handle(a.updateDocument),
		"core.versions":               handle(a.versions),
		"core.fire":                   handle(a.srv.transition(a.fireDocument, a.renderDetail)),
		"core.validity":               handle(a.validity),
		"core.tasks":                  a.tasks,
		"core.notifications":          handle(a.notifications),
		"core.publicDocuments":        handle(a.publicDocuments),
		"core.publicDocument":         handle(a.publicDocument),
		"core.openapi":                handle(a.openapi),
		"consultations.list":          handle(a.consultations.list),
		"consultations.view":          handle(a.consultations.view),
		"consultations.receipt":       handle(a.consultations.receipt),
		"consultations.accept":        handle(a.consultations.accept),
		"consultations.comments":      handle(a.consultations.comments),
		"consultations.publication":   handle(a.consultations.publication),
		"consultations.dispose":       handle(a.consultations.dispose),
		"consultations.moderate":      handle(a.consultations.moderate),
		"consultations.summaryDraft":  handle(a.consultations.summaryDraft),
		"consultations.attachSummary": handle(a.consultations.attachSummary),
		"admin.users":                 handle(a.admin.users),
		"admin.addUser":               handle(a.admin.addUser),
		"admin.user":                  handle(a.admin.user),
		"admin.updateUser":            handle(a.admin.updateUser),
		"admin.resetPassword":         handle(a.admin.resetPassword),
		"admin.endSessions":           handle(a.admin.endSessions),
		"admin.grant":                 handle(a.admin.grant),
		"admin.revoke":                handle(a.admin.revoke),
		"admin.units":                 handle(a.admin.units),
		"admin.addUnit":               handle(a.admin.addUnit),
		"admin.renameUnit":            handle(a.admin.renameUnit),
		"admin.log":                   handle(a.admin.log),
		"admin.calendars":             handle(a.admin.calendars),
		"admin.uploadCalendar":        handle(a.admin.uploadCalendar),
		"admin.verifyAudit":           handle(a.admin.verifyAudit),
		"admin.catalogueItems":        handle(a.admin.catalogueItems),
		"admin.importCatalogue":       handle(a.admin.importCatalogue),
		"admin.editItem":              handle(a.admin.editItem),
		"admin.retireItem":            handle(a.admin.retireItem),
		"onrequest.search":            a.requests.searchOnRequest,
		"onrequest.linked":            a.requests.linkedDocuments,
		"onrequest.link":              a.requests.linkDocuments,
		"onrequest.citing":            a.requests.citingRequests,
		"requests.submit":             handle(a.requests.submit),
		"requests.status":             handle(a.requests.status),
		"requests.options":            handle(a.requests.options),
		"requests.register":           handle(a.requests.register),
		"requests.list":               handle(a.requests.list),
		"requests.detail":             handle(detailOf(a.requests.renderDetail)),
		"requests.fire":               handle(a.srv.transition(a.requests.fireRequest, a.requests.renderDetail)),
		"requests.recordCase":         handle(a.requests.recordCase),
		"requests.listCases":          handle(a.requests.listCases),
		"requests.getCase":            handle(a.requests.getCase),
		"requests.updateCase":         handle(a.requests.updateCase),
		"requests.getReport":          handle(a.requests.getReport),
		"requests.exportReport":       handle(a.requests.exportReport),
		"requests.saveInputs":         handle(a.requests.saveInputs),
		"requests.finalize":           handle(a.requests.finalize),
		"catalogue.browse":            a.catalogue.browse,
		"compliance.view":             handle(a.catalogue.compliance),
		"files.upload":                a.files.upload,
		"files.list":                  a.files.list,
		"files.download":              a.files.download,
		"files.publicList":            a.files.publicList,
		"files.publicDownload":        a.files.publicDownload,
		"city.documents":              handle(a.city.documents),
		"city.consultations":          handle(a.city.consultations),
		"city.agencies":               handle(a.city.agencies),
		"city.compliance":             handle(a.city.compliance),
		"city.report":                 handle(a.city.report),
	}
}

// draftRequest is the JSON of a create or update: every field optional on update.
type draftRequest struct {
	Definition              string     `json:"definition"`
	Unit                    string     `json:"unit"`
	Version                 int        `json:"version"`
	Title                   *string    `json:"title"`
	Body                    *string    `json:"body"`
	Explanation             *string    `json:"explanation"`
	DocKind                 *string    `json:"doc_kind"`
	SubjectCategory         *string    `json:"subject_category"`
	DocNumber               *string    `json:"doc_number"`
	Summary                 *string    `json:"summary"`
	Attribute               *string    `json:"attribute"`
	Grounds                 *[]string  `json:"grounds"`
	GroundsExplanation      *string    `json:"grounds_explanation"`
	CoUnits                 *[]string  `json:"co_units"`
	ThirdPartyConsent       *bool      `json:"third_party_consent"`
	PublicInterestOverride  *bool      `json:"public_interest_override"`
	DisclosureRequiredByLaw *bool      `json:"disclosure_required_by_law"`
	OpensAt                 *time.Time `json:"opens_at"`
	ClosesAt                *time.Time `json:"closes_at"`
	ShorteningReason        *string    `json:"shortening_reason"`
	ConsultationExempt      *bool      `json:"consultation_exempt"`
	ExemptReason            *string    `json:"exempt_reason"`
	CatalogueItem           *string    `json:"catalogue_item"`
	Interprets              *int64     `json:"interprets"`
}

func (r draftRequest) seenVersion() int { return r.Version }

func (r draftRequest) toDraft() documents.Draft {
	return documents.Draft{Definition: r.Definition, Unit: r.Unit, Title: r.Title, Body: r.Body, Explanation: r.Explanation,
		DocKind: r.DocKind, SubjectCategory: r.SubjectCategory, DocNumber: r.DocNumber, Summary: r.Summary,
		Attribute: r.Attribute, Grounds: r.Grounds, GroundsExplanation: r.GroundsExplanation, CoUnits: r.CoUnits,
		ThirdPartyConsent: r.ThirdPartyConsent, PublicInterestOverride: r.PublicInterestOverride,
		DisclosureRequiredByLaw: r.DisclosureRequiredByLaw, OpensAt: r.OpensAt, ClosesAt: r.ClosesAt,
		ShorteningReason: r.ShorteningReason, ConsultationExempt: r.ConsultationExempt, ExemptReason: r.ExemptReason,
		CatalogueItem: r.CatalogueItem, Interprets: r.Interprets}
}

// catalogueRefDTO is the catalogue item a document belongs to, at the version it was tagged with,
// with what it proposes.
type catalogueRefDTO struct {
	Code      string   `json:"code"`
	Version   int      `json:"version"`
	Area      string   `json:"area"`
	Level1    string   `json:"level1"`
	Level2    string   `json:"level2"`
	Category  string   `json:"category"`
	Mode      string   `json:"mode,omitempty"`
	TimeLimit string   `json:"time_limit,omitempty"`
	Channels  []string `json:"channels,omitempty"`
}

// toCatalogueRefDTO is it for staff (full) or the public (where it sits only); nil when the
// document is not tagged.
func toCatalogueRefDTO(it documents.CatalogueItem, full bool) *catalogueRefDTO {
	if !it.Tagged() {
		return nil
	}
	dto := &catalogueRefDTO{Code: it.Code, Version: it.Version, Area: it.Area, Level1: it.Level1, Level2: it.Level2, Category: it.Category}
	if full {
		dto.Mode, dto.TimeLimit, dto.Channels = it.Mode, it.TimeLimit, it.Channels
	}
	return dto
}

// documentDTO is a document as the API shows it to staff.
type documentDTO struct {
	ID                 int64             `json:"id"`
	Definition         string            `json:"definition"`
	Version            int               `json:"version"`
	State              string            `json:"state"`
	StateLabel         string            `json:"state_label,omitempty"`
	Unit               string            `json:"unit"`
	UnitName           string            `json:"unit_name"`
	Title              string            `json:"title"`
	Body               *string           `json:"body,omitempty"` // nil where the body is not read (the 待办)
	Explanation        string            `json:"explanation"`
	DocKind            string            `json:"doc_kind"`
	SubjectCategory    string            `json:"subject_category"`
	DocNumber          string            `json:"doc_number"`
	Summary            string            `json:"summary"`
	Attribute          string            `json:"attribute"`
	Grounds            []string          `json:"grounds"`
	GroundsExplanation string            `json:"grounds_explanation"`
	CoUnits            []coUnitDTO       `json:"co_units"`
	CatalogueItem      string            `json:"catalogue_item"`               // the item's code, "" = not tagged
	Catalogue          *catalogueRefDTO  `json:"catalogue,omitempty"`          // the item at the version tagged
	ProposedAttribute  string            `json:"proposed_attribute,omitempty"` // what the item proposes
	DepartureReason    string            `json:"departure_reason,omitempty"`   // why the attribute departs from it
	LegalApproved      bool              `json:"legal_approved"`
	SignedOn           string            `json:"signed_on,omitempty"`
	Signer             string            `json:"signer,omitempty"`
	Facts              map[string]string `json:"facts"`
	CreatedBy          int64             `json:"created_by"`
	CreatedByName      string            `json:"created_by_name"`
	CreatedAt          time.Time         `json:"created_at"`
	UpdatedAt          time.Time         `json:"updated_at"`
	IndexNo            string            `json:"index_no,omitempty"`
	PublishedAt        *time.Time        `json:"published_at,omitempty"`
	Validity           string            `json:"validity,omitempty"`
	ValidUntil         string            `json:"valid_until,omitempty"`
	// Interprets is the 规范性文件 this document is the interpretation (政策解读) of.
	Interprets           int64  `json:"interprets,omitempty"`
	InterpretationReason string `json:"interpretation_reason,omitempty"` // why it was published without its interpretation
}

func toDocumentDTO(d documents.Document) documentDTO {
	grounds := []string{}
	if g := d.Facts["grounds"]; g != "" {
		grounds = strings.Split(g, ",")
	}
	dto := documentDTO{ID: d.ID, Definition: d.Definition, Version: d.Version, State: d.State, Unit: d.Unit, UnitName: d.UnitName,
		Title: d.Title, Body: &d.Body, Explanation: d.Explanation, DocKind: d.DocKind, SubjectCategory: d.SubjectCategory,
		DocNumber: d.DocNumber, Summary: d.Summary, Attribute: d.Facts["attribute"], Grounds: grounds,
		GroundsExplanation: d.Facts["grounds_explanation"], CoUnits: []coUnitDTO{}, LegalApproved: d.Facts.Bool("legal_approved"),
		SignedOn: d.Facts["signed_on"], Signer: d.Facts["signer"], Facts: d.Facts, CreatedBy: d.CreatedBy,
		CreatedByName: d.CreatedByName, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, IndexNo: d.IndexNo,
		CatalogueItem: d.Item.Code, Catalogue: toCatalogueRefDTO(d.Item, true), ProposedAttribute: d.Facts[workflow.FactProposedAttribute],
		DepartureReason: d.Facts[workflow.FactDepartureReason],
		Interprets:      d.Interprets, InterpretationReason: d.Facts[workflow.InputInterpretationReason]}
	for _, c := range documents.CoUnits(d) {
		dto.CoUnits = append(dto.CoUnits, coUnitDTO{Unit: c.Unit, Approved: c.ApprovedBy != "", ApprovedBy: c.ApprovedBy})
	}
	if !d.PublishedAt.IsZero() {
		t := d.PublishedAt
		dto.PublishedAt = &t
		dto.Validity = d.Validity
	}
	if !d.ValidUntil.IsZero() {
		dto.ValidUntil = workflow.DateOf(d.ValidUntil).String()
	}
	return dto
}

// coUnitDTO is one co-unit of a joint document (会签) and whether its head has approved.
type coUnitDTO struct {
	Unit       string `json:"unit"`
	Approved   bool   `json:"approved"`
	ApprovedBy string `json:"approved_by,omitempty"`
}

type transitionDTO struct {
	Name     string   `json:"name"`
	Label    string   `json:"label"`
	Requires []string `json:"requires"`
}

// blockedDTO is a transition the caller's roles could take but cannot yet, with the Chinese
// reason (what is missing) and the refusal's code.
type blockedDTO struct {
	Name   string `json:"name"`
	Label  string `json:"label"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

type historyDTO struct {
	Seq       int               `json:"seq"`
	Action    string            `json:"action"`
	Label     string            `json:"label"`
	From      string            `json:"from,omitempty"`
	To        string            `json:"to,omitempty"`
	ActorName string            `json:"actor_name"`
	Data      map[string]string `json:"data"`
	At        time.Time         `json:"at"`
	Hash      string            `json:"hash"`
}

type deadlineDTO struct {
	Name        string    `json:"name"`
	DueDate     string    `json:"due_date"`
	DueAt       time.Time `json:"due_at"`
	Provisional bool      `json:"provisional"`
	Action      string    `json:"action"`
	Status      string    `json:"status"`
	Explanation string    `json:"explanation"`
	Overdue     bool      `json:"overdue"`
	Unit        string    `json:"unit,omitempty"` // a co-unit's deadline: the unit whose head is told
}

// toDeadlineDTO converts a deadline as of now.
func toDeadlineDTO(dl workflow.Deadline, now time.Time) deadlineDTO {
	return deadlineDTO{Name: dl.Name, DueDate: dl.DueDate, DueAt: dl.DueAt, Provisional: dl.Provisional, Action: string(dl.Action),
		Status: dl.Status, Explanation: dl.Explanation, Overdue: dl.Status == "pending" && now.After(dl.DueAt), Unit: dl.Unit}
}

// toFlowDTOs converts what a detail says of an object's flow: the transitions the caller may fire,
// the history (labelled by transition) and the deadlines, each never null.
func toFlowDTOs(available []workflow.TransitionView, history []workflow.AuditEntry, labels map[string]string,
	deadlines []workflow.Deadline, now time.Time) ([]transitionDTO, []historyDTO, []deadlineDTO) {
	ts, hs, ds := []transitionDTO{}, []historyDTO{}, []deadlineDTO{}
	for _, t := range available {
		ts = append(ts, transitionDTO{Name: t.Name, Label: t.Label, Requires: append([]string{}, t.Requires...)})
	}
	for _, h := range history {
		hs = append(hs, historyDTO{Seq: h.Seq, Action: h.Action, Label: labels[h.Action], From: h.FromState,
			To: h.ToState, ActorName: h.ActorName, Data: h.Data, At: h.At, Hash: h.Hash})
	}
	for _, dl := range deadlines {
		ds = append(ds, toDeadlineDTO(dl, now))
	}
	return ts, hs, ds
}

type detailDTO struct {
	documentDTO
	Available          []transitionDTO `json:"available_transitions"`
	Blocked            []blockedDTO    `json:"blocked_transitions"`
	History            []historyDTO    `json:"history"`
	Deadlines          []deadlineDTO   `json:"deadlines"`
	DisclosureProblems []string        `json:"disclosure_problems"`
	// InterpretedDocument is the policy this document interprets (when the caller may read it);
	// Interpretations are this document's interpretations.
	InterpretedDocument *linkedDocumentDTO  `json:"interpreted_document,omitempty"`
	Interpretations     []linkedDocumentDTO `json:"interpretations"`
}

// linkedDocumentDTO names a document linked to another (a policy and its interpretations).
type linkedDocumentDTO struct {
	ID          int64      `json:"id"`
	Title       string     `json:"title"`
	State       string     `json:"state,omitempty"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
}

func toLinkedDTO(d documents.Document, withState bool) linkedDocumentDTO {
	out := linkedDocumentDTO{ID: d.ID, Title: d.Title}
	if withState {
		out.State = d.State
	}
	if !d.PublishedAt.IsZero() {
		t := d.PublishedAt
		out.PublishedAt = &t
	}
	return out
}

func toDetailDTO(d documents.Detail, now time.Time) detailDTO {
	out := detailDTO{documentDTO: toDocumentDTO(d.Document), Blocked: []blockedDTO{}, DisclosureProblems: []string{}, Interpretations: []linkedDocumentDTO{}}
	if d.Interprets != nil {
		l := toLinkedDTO(*d.Interprets, true)
		out.InterpretedDocument = &l
	}
	for _, i := range d.Interpretations {
		out.Interpretations = append(out.Interpretations, toLinkedDTO(i, true))
	}
	out.StateLabel = d.StateLabel
	out.Available, out.History, out.Deadlines = toFlowDTOs(d.Available, d.History, d.Transitions, d.Deadlines, now)
	for i, h := range d.History {
		out.History[i].Label = d.Label(h) // the transition taken: 审核通过 at the unit head, 审查通过 at the legal section
	}
	for _, b := range d.Blocked {
		out.Blocked = append(out.Blocked, blockedDTO{Name: b.Name, Label: b.Label, Code: b.Code, Reason: b.Reason})
	}
	if e := workflow.AsError(d.Disclosure); e != nil {
		if ps, ok := e.Details["problems"].([]string); ok {
			out.DisclosureProblems = ps
		} else {
			out.DisclosureProblems = []string{e.Message}
		}
	}
	return out
}

func (a *API) createDocument(c *gin.Context) error {
	var req draftRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	staff := staffOf(c)
	if req.Unit == "" {
		req.Unit = defaultUnit(a.Authz, staff, "document:create")
	}
	d, err := a.Docs.Create(c.Request.Context(), staff.Actor(), req.toDraft())
	if err != nil {
		return err
	}
	return a.renderDetail(c, http.StatusCreated, d.ID)
}

// defaultUnit is the one unit where staff may use permission, if there is exactly one.
func defaultUnit(authz Can, staff workflow.Staff, permission string) string {
	unit := ""
	for _, r := range staff.Roles {
		if r.Unit != "*" && authz.Can(staff.Username, r.Unit, permission) {
			if unit != "" && unit != r.Unit {
				return ""
			}
			unit = r.Unit
		}
	}
	return unit
}

// changed answers the document's detail after a change, or the change's error.
func (a *API) changed(c *gin.Context, id int64, err error) error {
	if err != nil {
		return err
	}
	return a.renderDetail(c, http.StatusOK, id)
}

func (a *API) renderDetail(c *gin.Context, status int, id int64) error {
	det, err := a.Docs.Detail(c.Request.Context(), staffOf(c).Actor(), id)
	return reply(c, status, toDetailDTO(det, a.now()), err)
}

func (a *API) updateDocument(c *gin.Context) error {
	var req draftRequest
	id, err := idAndUpdate(c, &req)
	if err != nil {
		return err
	}
	_, err = a.Docs.Update(c.Request.Context(), staffOf(c).Actor(), id, req.Version, req.toDraft())
	return a.changed(c, id, err)
}

func (a *API) fireDocument(c *gin.Context, id int64, version int, name string, in workflow.Input) (string, any, error) {
	actor := staffOf(c).Actor()
	d, err := a.Docs.Fire(c.Request.Context(), actor, id, version, name, in)
	if err != nil {
		return "", nil, err
	}
	out := firedDTO{ID: d.ID, Definition: d.Definition, State: d.State, StateLabel: a.Docs.StateLabel(d), Version: d.Version}
	out.Available, _, _ = toFlowDTOs(a.Docs.Available(actor, d), nil, nil, nil, a.now())
	return d.Definition, out, nil
}

// firedDTO is the short answer of a transition: where the document now stands and what the caller
// may do next. The full detail answers when asked for (?detail=full).
type firedDTO struct {
	ID         int64           `json:"id"`
	Definition string          `json:"definition"`
	State      string          `json:"state"`
	StateLabel string          `json:"state_label"`
	Version    int             `json:"version"`
	Available  []transitionDTO `json:"available_transitions"`
}

type validityRequest struct {
	Version    int    `json:"version"`
	Validity   string `json:"validity"`
	ValidUntil string `json:"valid_until"`
}

func (a *API) validity(c *gin.Context) error {
	var req validityRequest
	id, err := idAndBody(c, &req)
	if err != nil {
		return err
	}
	_, err = a.Docs.ChangeValidity(c.Request.Context(), staffOf(c).Actor(), id, req.Version, req.Validity, req.ValidUntil)
	return a.changed(c, id, err)
}

func (a *API) versions(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	versions, err := a.Docs.Versions(c.Request.Context(), staffOf(c).Actor(), id)
	if err != nil {
		return err
	}
	type versionDTO struct {
		No          int       `json:"no"`
		Title       string    `json:"title"`
		Body        string    `json:"body"`
		Explanation string    `json:"explanation"`
		AuthorName  string    `json:"author_name"`
		CreatedAt   time.Time `json:"created_at"`
	}
	out := []versionDTO{}
	for _, v := range versions {
		out = append(out, versionDTO{No: v.No, Title: v.Title, Body: v.Body, Explanation: v.Explanation, AuthorName: v.AuthorName, CreatedAt: v.CreatedAt})
	}
	c.JSON(http.StatusOK, gin.H{"versions": out})
	return nil
}

type listDTO struct {
	Items    []documentDTO `json:"items"`
	Total    int           `json:"total"`
	Page     int           `json:"page"`
	PageSize int           `json:"page_size"`
}

func (a *API) listDocuments(c *gin.Context) error {
	page, size, err := paging(c, 10000, 20, 100)
	if err != nil {
		return err
	}
	q := documents.DocumentQuery{Limit: size, Offset: (page - 1) * size, WithBody: true}
	if st := c.Query("state"); st != "" {
		q.States = []string{st}
	}
	if def := c.Query("definition"); def != "" {
		q.Definitions = []string{def}
	}
	docs, total, err := a.Docs.List(c.Request.Context(), staffOf(c), q)
	if err != nil {
		return err
	}
	out := listDTO{Items: []documentDTO{}, Total: total, Page: page, PageSize: size}
	for _, d := range docs {
		dto := toDocumentDTO(d)
		dto.StateLabel = a.Docs.StateLabel(d)
		out.Items = append(out.Items, dto)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// taskDTO is one item of the 待办 (workflow/desk): its kind, what it is, its statutory due date and
// pending deadlines, and what the caller may do. Document and decision items carry the document's
// fields as well.
type taskDTO struct {
	*documentDTO
	Kind            string          `json:"kind"`
	KindLabel       string          `json:"kind_label"`
	ID              int64           `json:"id"`
	Version         int             `json:"version"`
	Title           string          `json:"title"`
	Unit            string          `json:"unit"`
	UnitName        string          `json:"unit_name"`
	State           string          `json:"state"`
	StateLabel      string          `json:"state_label"`
	ReceiptNo       string          `json:"receipt_no,omitempty"`
	DueDate         string          `json:"due_date,omitempty"`
	PendingComments int             `json:"pending_comments,omitempty"`
	Available       []transitionDTO `json:"available_transitions"`
	Deadlines       []deadlineDTO   `json:"deadlines"`
}

func (a *API) tasks(c *gin.Context) {
	items, err := a.Desk.Items(c.Request.Context(), staffOf(c))
	if err != nil {
		c.Error(err)
		return
	}
	now := time.Now()
	out := []taskDTO{}
	for _, it := range items {
		t := taskDTO{Kind: it.Kind, KindLabel: desk.KindLabel(it.Kind), ID: it.ID, Version: it.Version, Title: it.Title, Unit: it.Unit,
			UnitName: it.UnitName, State: it.State, StateLabel: it.StateLabel, ReceiptNo: it.ReceiptNo, DueDate: it.DueDate,
			PendingComments: it.PendingComments, Available: []transitionDTO{}, Deadlines: []deadlineDTO{}}
		if it.Document != nil {
			d := toDocumentDTO(*it.Document)
			d.Body = nil // the 待办 does not read bodies: no "body":"" where a body exists
			t.documentDTO = &d
		}
		for _, av := range it.Actions {
			t.Available = append(t.Available, transitionDTO{Name: av.Name, Label: av.Label, Requires: append([]string{}, av.Requires...)})
		}
		for _, dl := range it.Deadlines {
			t.Deadlines = append(t.Deadlines, toDeadlineDTO(dl, now))
		}
		out = append(out, t)
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

func (a *API) notifications(c *gin.Context) error {
	ns, err := a.Inbox.Notifications(c.Request.Context(), staffOf(c).ID, 100)
	if err != nil {
		return err
	}
	type notificationDTO struct {
		ID          int64     `json:"id"`
		SubjectKind string    `json:"subject_kind"`
		SubjectID   int64     `json:"subject_id"`
		Kind        string    `json:"kind"`
		Message     string    `json:"message"`
		CreatedAt   time.Time `json:"created_at"`
		Read        bool      `json:"read"`
	}
	out := []notificationDTO{}
	for _, n := range ns {
		out = append(out, notificationDTO{ID: n.ID, SubjectKind: n.SubjectKind, SubjectID: n.SubjectID, Kind: n.Kind, Message: n.Message,
			CreatedAt: n.CreatedAt, Read: !n.ReadAt.IsZero()})
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
	return nil
}

func (a *API) grounds(c *gin.Context) error {
	type groundDTO struct {
		Code      string `json:"code"`
		Label     string `json:"label"`
		Article   string `json:"article"`
		Text      string `json:"text"`
		Strength  string `json:"strength"`
		ReportRow string `json:"report_row"`
	}
	out := []groundDTO{}
	for _, g := range policy.Grounds() {
		out = append(out, groundDTO{Code: g.Code, Label: g.Label, Article: g.Article, Text: g.Text, Strength: g.Strength, ReportRow: g.ReportRow})
	}
	c.JSON(http.StatusOK, gin.H{"grounds": out})
	return nil
}
