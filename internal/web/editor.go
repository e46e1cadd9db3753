package web

import (
	"fmt"
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
)

// editorForm is what the drafter typed, kept when the page comes back with a message.
type editorForm struct {
	Title                   string
	Body                    string
	Explanation             string
	DocKind                 string
	SubjectCategory         string
	DocNumber               string
	Summary                 string
	Attribute               string
	Grounds                 []string
	GroundsExplanation      string
	ThirdPartyConsent       bool
	PublicInterestOverride  bool
	DisclosureRequiredByLaw bool
	OpensAt                 string // datetime-local, Asia/Shanghai
	ClosesAt                string
	ShorteningReason        string
	ConsultationExempt      bool
	ExemptReason            string
	CoUnits                 []string // unit codes of the co-units (会签科室)
	CatalogueItem           string   // the code of the catalogue item (标准目录事项), "" = none
	CatalogueSent           bool     // the form had the item select (a site without a catalogue has none)
	CatalogueQuery          string   // what was typed in the item search
	Interprets              string   // the number of the 规范性文件 a 政策解读 interprets; "" = none
}

// datetimeLocal is the value format of <input type="datetime-local">.
const datetimeLocal = "2006-01-02T15:04"

func localInput(rfc3339 string) string {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		return ""
	}
	return t.In(workflow.Shanghai).Format(datetimeLocal)
}

// parseLocal reads a datetime-local value as an instant in Asia/Shanghai.
func parseLocal(field, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{datetimeLocal, "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, v, workflow.Shanghai); err == nil {
			return t, nil
		}
	}
	return time.Time{}, &workflow.Error{Code: workflow.EInvalid, Field: field, Message: fieldTitle(field) + "请填写为“年-月-日 时:分”格式的时间"}
}

func fieldTitle(field string) string {
	switch field {
	case "opens_at":
		return "征求意见开始时间"
	case "closes_at":
		return "征求意见截止时间"
	case "valid_until":
		return "有效期"
	}
	return field
}

func formFromDocument(d documents.Document) editorForm {
	f := editorForm{Title: d.Title, Body: d.Body, Explanation: d.Explanation, DocKind: d.DocKind, SubjectCategory: d.SubjectCategory,
		DocNumber: d.DocNumber, Summary: d.Summary, Attribute: d.Facts["attribute"], GroundsExplanation: d.Facts["grounds_explanation"],
		ThirdPartyConsent: d.Facts.Bool("third_party_consent"), PublicInterestOverride: d.Facts.Bool("public_interest_override"),
		DisclosureRequiredByLaw: d.Facts.Bool("disclosure_required_by_law"), OpensAt: localInput(d.Facts["opens_at"]),
		ClosesAt: localInput(d.Facts["closes_at"]), ShorteningReason: d.Facts["shortening_reason"],
		ConsultationExempt: d.Facts.Bool("consultation_exempt"), ExemptReason: d.Facts["exempt_reason"],
		CoUnits: workflow.SplitUnits(d.Facts[documents.FactCoUnits]), CatalogueItem: d.Item.Code}
	if d.Interprets != 0 {
		f.Interprets = strconv.FormatInt(d.Interprets, 10)
	}
	for _, g := range strings.Split(d.Facts["grounds"], ",") {
		if g = strings.TrimSpace(g); g != "" {
			f.Grounds = append(f.Grounds, g)
		}
	}
	return f
}

func formFromRequest(c *gin.Context) editorForm {
	on := func(name string) bool { return c.PostForm(name) == "true" }
	sent := func(name string) bool { _, ok := c.GetPostForm(name); return ok }
	return editorForm{Title: c.PostForm("title"), Body: c.PostForm("body"), Explanation: c.PostForm("explanation"),
		DocKind: c.PostForm("doc_kind"), SubjectCategory: c.PostForm("subject_category"), DocNumber: c.PostForm("doc_number"),
		Summary: c.PostForm("summary"), Attribute: c.PostForm("attribute"), Grounds: c.PostFormArray("grounds"),
		GroundsExplanation: c.PostForm("grounds_explanation"), ThirdPartyConsent: on("third_party_consent"),
		PublicInterestOverride: on("public_interest_override"), DisclosureRequiredByLaw: on("disclosure_required_by_law"),
		OpensAt: c.PostForm("opens_at"), ClosesAt: c.PostForm("closes_at"), ShorteningReason: c.PostForm("shortening_reason"),
		ConsultationExempt: on("consultation_exempt"), ExemptReason: c.PostForm("exempt_reason"), CoUnits: c.PostFormArray("co_units"),
		CatalogueItem: c.PostForm("catalogue_item"), CatalogueSent: sent("catalogue_item"), CatalogueQuery: strings.TrimSpace(c.PostForm("catalogue_q")),
		Interprets: c.PostForm("interprets")}
}

// draft turns the form into the use case's Draft: every field set, so the saved draft is exactly
// what the form shows. Consultation fields are sent only for a decision draft.
func (f editorForm) draft(definition string) (documents.Draft, error) {
	str := func(v string) *string { return &v }
	flag := func(v bool) *bool { return &v }
	grounds := append([]string{}, f.Grounds...)
	d := documents.Draft{Title: str(f.Title), Body: str(f.Body), Explanation: str(f.Explanation), SubjectCategory: str(f.SubjectCategory),
		DocNumber: str(f.DocNumber), Summary: str(f.Summary), Attribute: str(f.Attribute), Grounds: &grounds,
		GroundsExplanation: str(f.GroundsExplanation), ThirdPartyConsent: flag(f.ThirdPartyConsent),
		PublicInterestOverride: flag(f.PublicInterestOverride), DisclosureRequiredByLaw: flag(f.DisclosureRequiredByLaw)}
	if f.DocKind != "" {
		d.DocKind = str(f.DocKind)
	}
	if f.CatalogueSent {
		d.CatalogueItem = str(f.CatalogueItem)
	}
	if definition == "document" {
		co := append([]string{}, f.CoUnits...)
		d.CoUnits = &co
		var policy int64
		if v := strings.TrimSpace(f.Interprets); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return d, &workflow.Error{Code: workflow.EInvalid, Field: "interprets", Message: "请填写所解读的规范性文件的编号（数字）",
					Details: map[string]any{"reason": "interprets_not_found"}}
			}
			policy = n
		}
		d.Interprets = &policy
	}
	if definition == "decision" {
		opens, err := parseLocal("opens_at", f.OpensAt)
		if err != nil {
			return d, err
		}
		closes, err := parseLocal("closes_at", f.ClosesAt)
		if err != nil {
			return d, err
		}
		d.OpensAt, d.ClosesAt = &opens, &closes
		d.ShorteningReason, d.ExemptReason = str(f.ShorteningReason), str(f.ExemptReason)
		d.ConsultationExempt = flag(f.ConsultationExempt)
	}
	return d, nil
}

// facts is the disclosure tagging of the form, for the inline problems of an unsaved form.
func (f editorForm) facts() workflow.Facts {
	fs := workflow.Facts{"attribute": strings.TrimSpace(f.Attribute), "grounds": strings.Join(f.Grounds, ","),
		"grounds_explanation": f.GroundsExplanation}
	for name, on := range map[string]bool{"third_party_consent": f.ThirdPartyConsent, "public_interest_override": f.PublicInterestOverride,
		"disclosure_required_by_law": f.DisclosureRequiredByLaw} {
		if on {
			fs[name] = "true"
		}
	}
	return fs
}

// groundGroup is one article of the 《条例》 in the editor's checklist: its grounds, its legal text
// beside them, and the facts that defeat them.
type groundGroup struct {
	Article     string
	Text        string
	Strength    string
	Grounds     []groundView
	Art15       bool // show the third-party consent and public-interest boxes
	LawRequired bool // show the "law requires disclosure" box (after the last Art. 16 group)
}

type groundView struct {
	Code    string
	Label   string
	Checked bool
}

// groundGroups groups policy.Grounds by article, in the order of the 《条例》.
func groundGroups(checked []string) []groundGroup {
	var out []groundGroup
	for _, g := range policy.Grounds() {
		if len(out) == 0 || out[len(out)-1].Article != g.Article {
			strength := "可以不予公开"
			if g.Strength == policy.StrengthMust {
				strength = "应当不予公开"
			}
			out = append(out, groundGroup{Article: g.Article, Text: g.Text, Strength: strength, Art15: g.Code == policy.GroundThirdParty})
		}
		last := &out[len(out)-1]
		last.Grounds = append(last.Grounds, groundView{Code: g.Code, Label: g.Label, Checked: contains(checked, g.Code)})
	}
	for i := len(out) - 1; i >= 0; i-- {
		if strings.HasPrefix(out[i].Article, "第十六条") {
			out[i].LawRequired = true
			break
		}
	}
	return out
}

type unitOption struct {
	Code, Name string
}

type editorView struct {
	New        bool
	ID         int64
	Version    int
	Definition string
	KindLabel  string
	Units      []unitOption
	Unit       string
	Form       editorForm
	Groups     []groundGroup
	Problems   []string
	fieldError
	Attributes   []string
	DocKinds     []string
	Categories   []string
	MinExplained int
	CoUnits      []coUnitChoice // a document's possible co-units (会签科室)
	Items        itemChoice     // the catalogue item (标准目录事项) and what it proposes
}

// coUnitChoice is a unit the drafter may name as a co-unit.
type coUnitChoice struct {
	Code, Name string
	Checked    bool
}

// categorySuggestions are the subject categories offered while typing (the bureau's usual ones).
var categorySuggestions = []string{
	"城乡建设、环境保护\\住房保障", "城乡建设、环境保护\\城市建设", "城乡建设、环境保护\\房地产", "城乡建设、环境保护\\建筑业",
	"城乡建设、环境保护\\城市规划", "城乡建设、环境保护\\节能与资源综合利用", "综合政务\\政务公开", "综合政务\\应急管理",
	"市场监管、安全生产监管\\安全生产监管", "其他\\其他",
}

func (s *Site) newEditorView(c *gin.Context, definition string, f editorForm) editorView {
	v := editorView{Definition: definition, KindLabel: "公文", Form: f, Groups: groundGroups(f.Grounds),
		Attributes: []string{policy.AttrProactive, policy.AttrOnRequest, policy.AttrWithheld},
		DocKinds:   []string{documents.KindOther, documents.KindNormative}, Categories: categorySuggestions,
		MinExplained: policy.MinExplanationRunes}
	if definition == "decision" {
		v.KindLabel = "重大行政决策草案"
	} else {
		names := s.unitNames(c)
		codes := slices.Sorted(maps.Keys(names))
		for _, code := range codes {
			v.CoUnits = append(v.CoUnits, coUnitChoice{Code: code, Name: unitName(names, code), Checked: slices.Contains(f.CoUnits, code)})
		}
	}
	return v
}

// checkDisclosure validates an unsaved form's disclosure tagging with the use case's rule.
func (s *Site) checkDisclosure(f workflow.Facts) error {
	if s.Docs.Disclosure == nil {
		return nil
	}
	return s.Docs.Disclosure(f)
}

// problemsOf lists the problems of a disclosure error, one per line.
func problemsOf(err error) []string {
	e := workflow.AsError(err)
	if e == nil {
		return nil
	}
	if ps, ok := e.Details["problems"].([]string); ok && len(ps) > 0 {
		return ps
	}
	return []string{e.Message}
}

// createUnits are the units where st may start a draft.
func (s *Site) createUnits(c *gin.Context, st workflow.Staff) []unitOption {
	names := s.unitNames(c)
	var out []unitOption
	for _, r := range st.Roles {
		if r.Unit == "*" || !s.Authz.Can(st.Username, r.Unit, "document:create") {
			continue
		}
		dup := false
		for _, u := range out {
			dup = dup || u.Code == r.Unit
		}
		if !dup {
			out = append(out, unitOption{Code: r.Unit, Name: unitName(names, r.Unit)})
		}
	}
	return out
}

// newDocument shows an empty editor for a document (公文) or, with ?definition=decision, a decision
// draft.
func (s *Site) newDocument(c *gin.Context) {
	def := c.DefaultQuery("definition", "document")
	if def != "document" && def != "decision" {
		s.errorPage(c, &workflow.Error{Code: workflow.EInvalid, Message: "文件类型只能是公文或重大行政决策草案"})
		return
	}
	v := s.newEditorView(c, def, editorForm{DocKind: documents.KindOther})
	v.Items = s.itemChoiceOf(c, v.Form, documents.CatalogueItem{})
	v.New = true
	v.Units = s.createUnits(c, *staffOf(c))
	if len(v.Units) > 0 {
		v.Unit = v.Units[0].Code
	}
	s.render(c, http.StatusOK, "console_editor", v)
}

// createDocument saves a new draft and opens its page.
func (s *Site) createDocument(c *gin.Context) {
	st := *staffOf(c)
	def := c.PostForm("definition")
	f := formFromRequest(c)
	v := s.newEditorView(c, def, f)
	v.New = true
	v.Units = s.createUnits(c, st)
	v.Unit = c.PostForm("unit")
	if v.Unit == "" && len(v.Units) == 1 {
		v.Unit = v.Units[0].Code
	}
	fail := func(err error) {
		again(s, c, err, "console_editor", v, func(v *editorView) {
			v.from(err)
			v.Problems = problemsOf(s.checkDisclosure(f.facts()))
			v.Items = s.itemChoiceOf(c, f, documents.CatalogueItem{})
		})
	}
	if def != "document" && def != "decision" {
		fail(&workflow.Error{Code: workflow.EInvalid, Field: "definition", Message: "文件类型只能是公文或重大行政决策草案"})
		return
	}
	if catalogueSearch(c) {
		s.searchItems(c, v)
		return
	}
	draft, err := f.draft(def)
	if err != nil {
		fail(err)
		return
	}
	draft.Definition, draft.Unit = def, v.Unit
	d, err := s.Docs.Create(c.Request.Context(), st.Actor(), draft)
	if err != nil {
		fail(err)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/console/documents/%d?done=created", d.ID))
}

// notEditable is the message for a draft that has left drafting.
func notEditable(def *workflow.Definition, state string) error {
	return &workflow.Error{Code: workflow.ETransitionNotAllowed,
		Message: fmt.Sprintf("文件当前处于“%s”，只有起草中的文件可以修改；如需修改请先撤回或由审核人退回", def.StateLabel(state))}
}

// editDocument shows the editor for a draft, with what its disclosure tagging still lacks.
func (s *Site) editDocument(c *gin.Context) {
	show(s, c, "console_editor", func(c *gin.Context) (editorView, error) {
		st, d, def, err := s.staffDocument(c)
		if err != nil {
			return editorView{}, err
		}
		if d.State != def.Initial {
			return editorView{}, notEditable(def, d.State)
		}
		if !s.Authz.Can(st.Username, d.Unit, "document:edit") {
			return editorView{}, &workflow.Error{Code: workflow.EForbidden, Message: "您没有权限修改此文件"}
		}
		v := s.newEditorView(c, d.Definition, formFromDocument(d))
		v.ID, v.Version, v.Unit = d.ID, d.Version, d.Unit
		v.Problems = problemsOf(s.Docs.DisclosureProblems(d))
		v.Items = s.itemChoiceOf(c, v.Form, d.Item)
		return v, nil
	}, nil)
}

// updateDocument saves the editor's form at the version the drafter saw.
func (s *Site) updateDocument(c *gin.Context) {
	st, d, err := s.staffDoc(c)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	id := d.ID
	f := formFromRequest(c)
	version, _ := strconv.Atoi(c.PostForm("version"))
	v := s.newEditorView(c, d.Definition, f)
	v.ID, v.Version, v.Unit = d.ID, version, d.Unit
	fail := func(err error) {
		again(s, c, err, "console_editor", v, func(v *editorView) {
			v.from(err)
			v.Problems = problemsOf(s.checkDisclosure(f.facts()))
			v.Items = s.itemChoiceOf(c, f, d.Item)
		})
	}
	if catalogueSearch(c) {
		s.searchItems(c, v)
		return
	}
	if version <= 0 {
		fail(&workflow.Error{Code: workflow.EInputMissing, Field: "version", Message: "表单缺少版本号，请刷新页面后重新填写"})
		return
	}
	draft, err := f.draft(d.Definition)
	if err != nil {
		fail(err)
		return
	}
	if _, err := s.Docs.Update(c.Request.Context(), st.Actor(), id, version, draft); err != nil {
		fail(err)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/console/documents/%d?done=saved", id))
}
