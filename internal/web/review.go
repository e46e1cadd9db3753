package web

import (
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"wugongkai/policy"
	"wugongkai/workflow"
	"wugongkai/workflow/documents"
	"wugongkai/workflow/files"
	"wugongkai/workflow/requests"
)

// boundAction is an action form bound to one document, for the "action" template.
type boundAction struct {
	DocID   int64
	Version int
	Back    string
	FormID  string
	A       formAction
}

// bindAction binds a to document id at version; back names the page to return to ("desk").
func bindAction(id int64, version int, back string, a formAction) boundAction {
	return boundAction{DocID: id, Version: version, Back: back, FormID: a.FormID, A: a}
}

type historyView struct {
	Name   string // the audit action: a transition name, create, edit or validity
	At     time.Time
	Actor  string
	Action string
	From   string
	To     string
	Data   []factRow
}

type factRow struct {
	Label string
	Value string
}

type groundInfo struct {
	Label   string
	Article string
}

type versionOption struct {
	No    int
	Label string
}

type docPageView struct {
	Doc           documents.Document
	Kind          string
	StateLabel    string
	Unit          string
	Attribute     string
	Grounds       []groundInfo
	GroundsText   string
	Flags         []string
	LegalApproved bool
	Problems      []string
	Deadlines     []deadlineView
	History       []historyView
	Actions       []formAction
	Blocked       []documents.Blocked // what the user could do here but cannot yet, and why
	CanEdit       bool
	Facts         []factRow
	Proposed      string // the attribute the catalogue item proposes
	Departure     string // why the attribute departs from it (given on submitting)
	Paragraphs    []string
	Versions      []versionOption
	DiffFrom      int
	DiffTo        int
	Diff          []diffLine
	DiffNote      string
	SVG           template.HTML
	Flash         string
	Error         string
	Conflict      bool
	Validity      *validityForm
	Published     bool
	PublishedOn   string
	ValidUntil    string
	Consult       *consultationPanel
	Files         *filesPanel
	Answered      []requests.CitingRequest // the requests the document answered (onrequest.go)
	CoUnits       []coUnitRow              // a joint document's co-units (会签) and their approvals
	// Interprets is the 规范性文件 a 政策解读 interprets (解读的文件); Interpretations are a
	// 规范性文件's interpretations (政策解读).
	Interprets      *documents.Document
	Interpretations []documents.Document
}

// coUnitRow is one co-unit of a joint document on its page.
type coUnitRow struct {
	Name       string
	ApprovedBy string // "" while its approval is pending
}

type validityForm struct {
	Version    int
	Validity   string
	ValidUntil string
	Options    []string
	Error      string
}

// documentPage shows a document to staff: its text, attribute and grounds, deadlines, history, the
// diff between versions, the workflow diagram and a button for each transition the user may fire.
func (s *Site) documentPage(c *gin.Context) {
	_, v, ok := pageByID(s, c, s.loadDocPage)
	if !ok {
		return
	}
	switch done := c.Query("done"); done {
	case "created":
		v.Flash = "草稿已创建。"
	case "saved":
		v.Flash = "已保存。"
	case "validity":
		v.Flash = "有效性已更新。"
	case "summary":
		v.Flash = "意见采纳情况说明已上传。"
	case "upload":
		v.Flash = "文件已上传。"
	default:
		v.Flash = doneFlash(v.History, done)
	}
	s.render(c, http.StatusOK, "console_document", v)
}

// loadDocPage builds the document page for the signed-in user.
func (s *Site) loadDocPage(c *gin.Context, id int64) (docPageView, error) {
	st := *staffOf(c)
	det, err := s.Docs.Detail(c.Request.Context(), st.Actor(), id)
	if err != nil {
		return docPageView{}, err
	}
	d := det.Document
	v := docPageView{Doc: d, Kind: kindLabel(d), StateLabel: det.StateLabel, Unit: d.UnitName,
		Attribute: d.Facts["attribute"], GroundsText: d.Facts["grounds_explanation"], LegalApproved: d.Facts.Bool("legal_approved"),
		Problems: problemsOf(det.Disclosure), Paragraphs: paragraphs(d.Body),
		Published: det.Definition.StateHas(d.State, workflow.TagPublic), Interprets: det.Interprets, Interpretations: det.Interpretations}
	if v.Unit == "" {
		v.Unit = unitName(s.unitNames(c), d.Unit)
	}
	for _, cu := range det.CoUnits {
		v.CoUnits = append(v.CoUnits, coUnitRow{Name: unitName(s.unitNames(c), cu.Unit), ApprovedBy: cu.ApprovedBy})
	}
	for _, code := range strings.Split(d.Facts["grounds"], ",") {
		if code = strings.TrimSpace(code); code == "" {
			continue
		}
		g, ok := policy.GroundByCode(code)
		if !ok {
			v.Grounds = append(v.Grounds, groundInfo{Label: code})
			continue
		}
		v.Grounds = append(v.Grounds, groundInfo{Label: g.Label, Article: g.Article})
	}
	if d.Facts.Bool("third_party_consent") {
		v.Flags = append(v.Flags, "第三方已同意公开（第十五条）")
	}
	if d.Facts.Bool("public_interest_override") {
		v.Flags = append(v.Flags, "不公开会对公共利益造成重大影响（第十五条）")
	}
	if d.Facts.Bool("disclosure_required_by_law") {
		v.Flags = append(v.Flags, "法律、法规、规章规定应当公开（第十六条）")
	}
	v.Facts = s.factRows(d)
	v.Proposed, v.Departure = d.Facts[workflow.FactProposedAttribute], d.Facts[workflow.FactDepartureReason]
	for _, dl := range det.Deadlines {
		if strings.HasSuffix(dl.Name, ".remind") {
			continue
		}
		v.Deadlines = append(v.Deadlines, s.toDeadlineView(dl, s.unitNames(c)))
	}
	for i := len(det.History) - 1; i >= 0; i-- {
		h := det.History[i]
		hv := historyView{Name: h.Action, At: h.At, Actor: h.ActorName, Action: det.Label(h)}
		if h.FromState != h.ToState && h.FromState != "" && h.ToState != "" {
			hv.From, hv.To = det.Definition.StateLabel(h.FromState), det.Definition.StateLabel(h.ToState)
		}
		hv.Data = historyData(det.Definition, h.Action, h.Data)
		v.History = append(v.History, hv)
	}
	v.CanEdit = d.State == det.Definition.Initial && s.Authz.Can(st.Username, d.Unit, "document:edit")
	for _, t := range det.Available {
		v.Actions = append(v.Actions, s.docForm(det.Definition, d, t))
	}
	v.Blocked = det.Blocked
	if v.Published && s.Authz.Can(st.Username, d.Unit, "document:publish") {
		v.Validity = &validityForm{Version: d.Version, Validity: d.Validity,
			Options: []string{documents.ValidityValid, documents.ValidityExpired, documents.ValidityRepealed}}
		if !d.ValidUntil.IsZero() {
			v.Validity.ValidUntil = workflow.DateOf(d.ValidUntil).String()
		}
	}
	if !d.PublishedAt.IsZero() {
		v.PublishedOn = formatDate(d.PublishedAt)
	}
	if !d.ValidUntil.IsZero() {
		v.ValidUntil = workflow.DateOf(d.ValidUntil).String()
	}
	v.Consult = s.consultationPanel(c, st, d)
	if v.Files, err = s.filesPanelOf(c, st, d, v.CanEdit); err != nil {
		return docPageView{}, err
	}
	if v.Answered, err = s.citingRequests(c, d.ID); err != nil {
		return docPageView{}, err
	}
	versions, err := s.Docs.Store.Versions(c.Request.Context(), d.ID) // readable: det came from Detail
	if err != nil {
		return docPageView{}, err
	}
	s.versionDiff(c, &v, versions)
	v.SVG = workflowSVG(det.Definition, d.State)
	return v, nil
}

// versionDiff picks the two body versions to compare (?from=&to=, default the last two) and diffs
// them line by line.
func (s *Site) versionDiff(c *gin.Context, v *docPageView, versions []documents.BodyVersion) {
	for _, bv := range versions {
		v.Versions = append(v.Versions, versionOption{No: bv.No,
			Label: fmt.Sprintf("第 %d 版（%s，%s）", bv.No, bv.AuthorName, formatDateTime(bv.CreatedAt))})
	}
	if len(versions) < 2 {
		return
	}
	find := func(no int) (documents.BodyVersion, bool) {
		for _, bv := range versions {
			if bv.No == no {
				return bv, true
			}
		}
		return documents.BodyVersion{}, false
	}
	to, okTo := find(atoi(c.Query("to")))
	if !okTo {
		to = versions[len(versions)-1]
	}
	from, okFrom := find(atoi(c.Query("from")))
	if !okFrom {
		from = versions[len(versions)-2]
		if to.No == from.No {
			from = versions[0]
		}
	}
	v.DiffFrom, v.DiffTo = from.No, to.No
	lines, complete := lineDiff(from.Title+"\n\n"+from.Body, to.Title+"\n\n"+to.Body)
	v.Diff = lines
	if !complete {
		v.DiffNote = "两版差异过大，中间部分按整段删除和新增显示。"
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// docForm builds the form of transition t on document d, with the catalogue metadata it holds.
func (s *Site) docForm(def *workflow.Definition, d documents.Document, t workflow.TransitionView) formAction {
	return formOf(formSpec{Def: def, Meta: latest(s.Docs.Engine.Registry(), def), State: d.State, Facts: d.Facts,
		Today: workflow.DateOf(s.now()), FormID: fmt.Sprintf("act-%d-%s", d.ID, t.Name),
		Values: map[string]string{"closes_at": d.Facts["closes_at"], "doc_number": d.DocNumber, "subject_category": d.SubjectCategory,
			"summary": d.Summary},
		Required: documents.PublicationRequired(d),
		// The reason for departing from the catalogue item's attribute is asked for only when
		// the attribute departs (the use case then requires it).
		Omit: []string{workflow.FactDepartureReason}}, t)
}

// fire fires a transition from its button. On success it goes back to the page it came from; on
// failure the page is shown again with the message beside the button and the typed text kept.
func (s *Site) fire(c *gin.Context) {
	st := *staffOf(c)
	fireForm(s, c, transitionPage[docPageView]{page: "console_document", load: s.loadDocPage,
		actions: func(v *docPageView) []formAction { return v.Actions },
		fire: func(id int64, version int, name string, in workflow.Input) error {
			_, err := s.Docs.Fire(c.Request.Context(), st.Actor(), id, version, name, in)
			return err
		},
		next: func(id int64, name string) string {
			if c.PostForm("back") == "desk" {
				return "/console/publication?done=" + name
			}
			return fmt.Sprintf("/console/documents/%d?done=%s", id, name)
		},
		refused: func(v *docPageView, name, msg string, conflict bool) {
			v.Error, v.Conflict = msg, conflict
			if !conflict && !slices.ContainsFunc(v.Actions, func(a formAction) bool { return a.Name == name }) {
				// Not offered now (taken by someone else meanwhile, say): still name what failed.
				if def, derr := s.Docs.Engine.Definition(v.Doc.Instance); derr == nil && def.HasTransition(name) {
					v.Error = "未能完成“" + def.TransitionLabel(name) + "”：" + msg
				}
			}
		}})
}

// changeValidity sets a published document's validity.
func (s *Site) changeValidity(c *gin.Context) {
	st := *staffOf(c)
	id, err := pathID(c)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	version, _ := strconv.Atoi(c.PostForm("version"))
	validity, until := c.PostForm("validity"), strings.TrimSpace(c.PostForm("valid_until"))
	_, err = s.Docs.ChangeValidity(c.Request.Context(), st.Actor(), id, version, validity, until)
	if err == nil {
		if c.PostForm("back") == "desk" {
			c.Redirect(http.StatusSeeOther, "/console/publication?done=validity")
			return
		}
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/console/documents/%d?done=validity", id))
		return
	}
	s.docPageError(c, id, err, func(v *docPageView) {
		if v.Validity != nil {
			v.Validity.Validity, v.Validity.ValidUntil, v.Validity.Error = validity, until, v.Error
		}
	})
}

// docPageError shows the document page again with err (a refusal) explained above the form, so
// the user sees why and what to do; a server failure gets the error page.
func (s *Site) docPageError(c *gin.Context, id int64, err error, adjust func(*docPageView)) {
	if statusFor(err) >= 500 {
		s.errorPage(c, err)
		return
	}
	v, lerr := s.loadDocPage(c, id)
	if lerr != nil {
		s.errorPage(c, err)
		return
	}
	v.Error = workflow.ErrorMessage(err)
	v.Conflict = workflow.ErrorCode(err) == workflow.EConflict
	if adjust != nil {
		adjust(&v)
	}
	s.render(c, statusFor(err), "console_document", v)
}

// factLabels name the workflow facts shown on the document page.
var factLabels = []struct{ name, label string }{
	{"opens_at", "征求意见开始"},
	{"closes_at", "征求意见截止"},
	{"shortening_reason", "缩短征求意见期限的理由"},
	{"extension_reason", "延长征求意见期的理由"},
	{"consultation_exempt", "依法不公开征求意见"},
	{"exempt_reason", "不公开征求意见的法定理由"},
	{"exemption_approved", "免于征求意见已获法规科同意"},
	{"summary_attached", "意见采纳情况说明已附"},
	{"legality_opinion", "合法性审查意见"},
	{"meeting", "集体讨论会议"},
	{"decided_on", "决定日期"},
	{"decision_outcome", "决定结果"},
	{"signed_on", "签发日期（成文日期）"},
	{"signer", "签发人"},
	{"published_on", "公开日期"},
	{"rereviewed_on", "最近复审日期"},
	{"interpreted_on", "政策解读公开日期"},
	{"interpretation_reason", "未同步发布政策解读的理由"},
}

func (s *Site) factRows(d documents.Document) []factRow {
	var out []factRow
	for _, f := range factLabels {
		v, ok := d.Facts[f.name]
		if !ok || v == "" {
			continue
		}
		switch {
		case v == "true":
			v = "是"
		case f.name == "opens_at" || f.name == "closes_at":
			if t, err := time.Parse(time.RFC3339, v); err == nil {
				v = formatDateTime(t)
			}
		}
		out = append(out, factRow{Label: f.label, Value: v})
	}
	return out
}

// changedLabels name the fields an edit changed.
var changedLabels = map[string]string{
	"title": "标题", "body": "正文", "explanation": "起草说明", "subject_category": "主题分类", "doc_number": "发文字号",
	"summary": "内容概述", "doc_kind": "文件种类", "disclosure.attribute": "公开属性", "disclosure.grounds": "不予公开理由",
	"disclosure.grounds_explanation": "理由说明", "disclosure.third_party_consent": "第三方同意公开",
	"disclosure.public_interest_override": "公共利益", "disclosure.disclosure_required_by_law": "法定应当公开",
	"consultation.opens_at": "征求意见开始时间", "consultation.closes_at": "征求意见截止时间",
	"consultation.shortening_reason": "缩短期限理由", "consultation.consultation_exempt": "免于征求意见",
	"consultation.exempt_reason": "免于征求意见理由", "consultation.comments_public": "是否公开公众意见",
	"countersign.co_units": "会签科室", "catalogue.item": "标准目录事项",
	"interprets": "所解读的文件",
}

// dataLabels name the inputs recorded in the history.
var dataLabels = map[string]string{"title": "标题", "changed": "修改内容", "validity": "有效性", "valid_until": "有效期至",
	"doc_number": "发文字号", "subject_category": "主题分类", "summary": "内容概述", "count": "意见条数", "disposition": "处理结果",
	"characters": "字数", "file_name": "文件名", "file_kind": "类别", "size": "大小", "catalogue_item": "标准目录事项",
	"interprets": "所解读的文件编号", "interpretation_id": "政策解读编号", "interpretation": "政策解读"}

// hiddenData are audit data kept for the record but not shown in the timeline (hashes, ids).
var hiddenData = map[string]bool{"sha256": true, "comment_ids": true, "campaign_keys": true, "file_id": true, "content_type": true}

// historyData lists an audit entry's data in a stable order with Chinese labels.
func historyData(def *workflow.Definition, action string, data map[string]string) []factRow {
	return dataRows(data, hiddenData, func(k, v string) (string, string) {
		label, ok := dataLabels[k]
		switch {
		case action == "dispose" && k == "reason":
			label = "理由"
		case !ok:
			label = def.InputLabel(k)
		}
		switch k {
		case "changed":
			var names []string
			for _, f := range strings.Split(v, ",") {
				if l, ok := changedLabels[f]; ok {
					names = append(names, l)
				} else {
					names = append(names, f)
				}
			}
			v = strings.Join(names, "、")
		case "closes_at":
			if t, err := time.Parse(time.RFC3339, v); err == nil {
				v = formatDateTime(t)
			}
		case "file_kind":
			v = files.KindLabel(v)
		case "size":
			if n, err := strconv.ParseInt(v, 10, 64); err == nil && action == "upload" {
				v = files.FormatSize(n)
			}
		}
		return label, v
	})
}

// dataRows lists the data of an audit entry that are neither empty nor hidden, by key, each as
// show labels and words it.
func dataRows(data map[string]string, hidden map[string]bool, show func(k, v string) (label, value string)) []factRow {
	var out []factRow
	for _, k := range slices.Sorted(maps.Keys(data)) {
		if v := data[k]; strings.TrimSpace(v) != "" && !hidden[k] {
			label, value := show(k, v)
			out = append(out, factRow{Label: label, Value: value})
		}
	}
	return out
}
