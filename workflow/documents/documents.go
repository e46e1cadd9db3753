// Package documents holds the official documents (公文) and major-decision drafts (重大行政决策草案):
// their types, the store interface the use cases need, and the use cases both the JSON API and
// the pages call (drafting, transitions, publication, validity, task lists, the public list).
package documents

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"wugongkai/workflow"
)

// Documents holds the document and decision-draft use cases; the JSON API and the pages both call
// them.
type Documents struct {
	Engine        *workflow.Engine
	Store         DocumentStore
	Auth          Authz
	Clock         workflow.Clock
	IndexTemplate string
	// Disclosure validates the attribute facts (policy.ValidateDisclosure over the facts); it is
	// used to report problems early. The submit guard enforces the same rule.
	Disclosure func(workflow.Facts) error
	// UnitCodes lists the organisation's unit codes, which a document's co-units must be among
	// (nil = not checked).
	UnitCodes func(context.Context) ([]string, error)
	// Catalogue finds an item of the standard catalogue by its code, at its current version, for
	// tagging a document (ENotFound when there is none; nil = no catalogue: tagging is refused).
	Catalogue func(ctx context.Context, code string) (CatalogueTag, error)
	// InterpretationDays is the interpretation deadline of a 规范性文件 published without its
	// interpretation (政策解读) and without a stated reason, in working days (0 =
	// DefaultInterpretationDays; the flow caps it at 20).
	InterpretationDays int
}

func (s *Documents) now() time.Time {
	if s.Clock == nil {
		return time.Now()
	}
	return s.Clock.Now()
}

// notFound hides whether a document exists from someone who may not see it.
func notFound() error {
	return &workflow.Error{Code: workflow.ENotFound, Message: "文件不存在或您无权查看"}
}

// Get loads a document the actor may read.
func (s *Documents) Get(ctx context.Context, actor workflow.Actor, id int64) (Document, error) {
	d, err := s.Store.Document(ctx, id)
	if err != nil {
		if workflow.ErrorCode(err) == workflow.ENotFound {
			return Document{}, notFound()
		}
		return Document{}, err
	}
	if !s.Auth.Can(actor.Username, d.Unit, "document:read") && !s.coUnitReads(actor, d) {
		return Document{}, notFound()
	}
	return d, nil
}

// Create starts a draft in the actor's unit.
func (s *Documents) Create(ctx context.Context, actor workflow.Actor, in Draft) (Document, error) {
	if in.Definition == "" {
		in.Definition = "document"
	}
	def, err := s.Engine.Registry().Latest(in.Definition)
	if err != nil || in.Definition == "request" {
		return Document{}, &workflow.Error{Code: workflow.EInvalid, Field: "definition", Message: "文件类型只能是 document（公文）或 decision（重大行政决策草案）"}
	}
	if strings.TrimSpace(in.Unit) == "" {
		return Document{}, &workflow.Error{Code: workflow.EInvalid, Field: "unit", Message: "请填写承办科室"}
	}
	if err := s.Auth.Authorize(ctx, actor, in.Unit, "document:create"); err != nil {
		return Document{}, err
	}
	d := Document{Instance: workflow.Instance{Unit: in.Unit, Definition: def.Name, DefinitionVersion: def.Version, State: def.Initial, Facts: workflow.Facts{}},
		DocKind: KindOther, CreatedBy: actor.UserID, Validity: ValidityValid}
	if _, err := applyDraft(&d, in); err != nil {
		return Document{}, err
	}
	if _, err := applyCoUnits(def, &d, in.CoUnits); err != nil {
		return Document{}, err
	}
	if strings.TrimSpace(d.Title) == "" {
		return Document{}, &workflow.Error{Code: workflow.EInvalid, Field: "title", Message: "请填写标题"}
	}
	if _, err := s.applyItem(ctx, &d, in.CatalogueItem); err != nil {
		return Document{}, err
	}
	if err := s.checkCoUnits(ctx, d); err != nil {
		return Document{}, err
	}
	if _, err := s.applyInterprets(ctx, actor, &d, in.Interprets); err != nil {
		return Document{}, err
	}
	if err := s.checkInterpretationKind(ctx, d, false); err != nil {
		return Document{}, err
	}
	d.Facts[workflow.FactDocKind] = d.DocKind
	// A major decision is published once decided (《重大行政决策程序暂行条例》第三十二条), so a decision
	// draft is 主动公开 unless the drafter tags it otherwise (a matter exempt by law).
	if d.Definition == "decision" && d.Facts["attribute"] == "" {
		d.Facts["attribute"] = workflow.AttributeProactive
	}
	return s.Store.CreateDocument(ctx, d, actor, s.now())
}

// Update edits a draft. Only a draft in its initial state may be edited, and only at the version
// the editor saw. Changing the disclosure attribute or grounds withdraws an earlier approval by the
// legal section, so the document goes through legal review again.
func (s *Documents) Update(ctx context.Context, actor workflow.Actor, id int64, version int, in Draft) (Document, error) {
	d, err := s.Get(ctx, actor, id)
	if err != nil {
		return Document{}, err
	}
	if err := s.Auth.Authorize(ctx, actor, d.Unit, "document:edit"); err != nil {
		return Document{}, err
	}
	def, err := s.Engine.Definition(d.Instance)
	if err != nil {
		return Document{}, err
	}
	if d.State != def.Initial {
		return Document{}, &workflow.Error{Code: workflow.ETransitionNotAllowed,
			Message: fmt.Sprintf("文件当前处于“%s”，只有起草中的文件可以修改；如需修改请先撤回或由审核人退回", def.StateLabel(d.State))}
	}
	if version != 0 && version != d.Version {
		return Document{}, &workflow.Error{Code: workflow.EConflict, Message: fmt.Sprintf("文件已被他人修改（您看到的是第 %d 版，当前为第 %d 版），请刷新后重试", version, d.Version),
			Details: map[string]any{"your_version": version, "current_version": d.Version}}
	}
	if in.Definition != "" && in.Definition != d.Definition {
		return Document{}, &workflow.Error{Code: workflow.EInvalid, Field: "definition", Message: "文件类型创建后不能修改"}
	}
	if in.Unit != "" && in.Unit != d.Unit {
		return Document{}, &workflow.Error{Code: workflow.EInvalid, Field: "unit", Message: "承办科室创建后不能修改"}
	}
	prev := d.Version
	changed, err := applyDraft(&d, in)
	if err != nil {
		return Document{}, err
	}
	if co, err := applyCoUnits(def, &d, in.CoUnits); err != nil {
		return Document{}, err
	} else if co {
		changed = append(changed, "countersign."+FactCoUnits)
		if err := s.checkCoUnits(ctx, d); err != nil {
			return Document{}, err
		}
	}
	attribute := d.Facts["attribute"]
	if tagged, err := s.applyItem(ctx, &d, in.CatalogueItem); err != nil {
		return Document{}, err
	} else if tagged {
		changed = append(changed, "catalogue.item")
		if d.Facts["attribute"] != attribute {
			changed = append(changed, "disclosure.attribute")
		}
	}
	if ch, err := s.applyInterprets(ctx, actor, &d, in.Interprets); err != nil {
		return Document{}, err
	} else if ch {
		changed = append(changed, "interprets")
	}
	if len(changed) == 0 {
		return d, nil
	}
	if strings.TrimSpace(d.Title) == "" {
		return Document{}, &workflow.Error{Code: workflow.EInvalid, Field: "title", Message: "标题不能为空"}
	}
	if err := s.checkInterpretationKind(ctx, d, slices.Contains(changed, "doc_kind")); err != nil {
		return Document{}, err
	}
	for _, c := range changed {
		if strings.HasPrefix(c, "disclosure.") && d.Facts.Bool("legal_approved") {
			delete(d.Facts, "legal_approved")
			break
		}
	}
	return s.Store.UpdateDocument(ctx, d, prev, actor, s.now(), changed)
}

// DisclosureProblems returns what is still wrong with a document's disclosure attribute, for the
// editor (nil when it may be submitted).
func (s *Documents) DisclosureProblems(d Document) error {
	if s.Disclosure == nil {
		return nil
	}
	return s.Disclosure(d.Facts)
}

// Fire fires the transition called name on document id for actor, if the document is still at
// version (0 = do not check). The publish transition takes the catalogue metadata as input:
// doc_number, subject_category, summary, valid_until (YYYY-MM-DD).
func (s *Documents) Fire(ctx context.Context, actor workflow.Actor, id int64, version int, name string, in workflow.Input) (Document, error) {
	d, err := s.Get(ctx, actor, id)
	if err != nil {
		return Document{}, err
	}
	if version != 0 && version != d.Version {
		return Document{}, &workflow.Error{Code: workflow.EConflict, Message: fmt.Sprintf("文件已被他人处理（您看到的是第 %d 版，当前为第 %d 版），请刷新后重试", version, d.Version),
			Details: map[string]any{"your_version": version, "current_version": d.Version}}
	}
	for k, v := range in {
		if err := workflow.CheckText(k, v, workflow.MaxShortRunes*5, true); err != nil {
			return Document{}, err
		}
	}
	perm, err := s.Engine.Permission(d.Instance, name, actor)
	if err != nil {
		return Document{}, err
	}
	// A countersign step's approve and return are authorized in the co-unit the actor heads.
	unit := d.Unit
	if acting, cs := s.acting(actor, d); cs != nil && cs.Covers(name) {
		if acting.CoUnit == "" {
			return Document{}, &workflow.Error{Code: workflow.EForbidden, Message: fmt.Sprintf("您不是此件会签科室的负责人，不能办理“%s”", s.label(d, name)),
				Details: map[string]any{"transition": name}}
		}
		actor, unit = acting, acting.CoUnit
	}
	if err := s.Auth.Authorize(ctx, actor, unit, perm); err != nil {
		return Document{}, err
	}
	now := s.now()
	flow := d
	if s.publishes(d, name) {
		def, err := s.Engine.Definition(d.Instance)
		if err != nil {
			return Document{}, err
		}
		if err := s.interpretationFacts(ctx, def, &flow); err != nil {
			return Document{}, err
		}
	}
	res, err := s.Engine.Fire(flow.Instance, name, actor, s.flowInput(d, name, in), now)
	if err != nil {
		return Document{}, err
	}
	var stored workflow.Instance
	if s.public(res.Instance.State) && !s.public(d.State) {
		pub, err := s.publication(d, in, now)
		if err != nil {
			return Document{}, err
		}
		step, err := s.interpretedStep(ctx, d)
		if err != nil {
			return Document{}, err
		}
		if step != nil {
			pub.Then = append(pub.Then, *step)
		}
		if stored, err = s.Store.ApplyPublication(ctx, d.Instance, res, pub); err != nil {
			return Document{}, err
		}
		d.PublishedAt, d.DocNumber, d.SubjectCategory, d.Summary, d.Validity = pub.PublishedAt, pub.DocNumber, pub.SubjectCategory, pub.Summary, pub.Validity
		d.Title, d.DocKind = pub.Title, pub.DocKind
	} else if stored, err = s.Store.Apply(ctx, d.Instance, res); err != nil {
		return Document{}, err
	}
	// The document as it now stands, without reading it back (the 索引号 of a publication is read
	// with the document's detail).
	d.Instance = stored
	d.UpdatedAt = now
	return d, nil
}

// publishes reports whether the transition called name takes d to a state the flows tag public.
func (s *Documents) publishes(d Document, name string) bool {
	def, err := s.Engine.Definition(d.Instance)
	return err == nil && slices.ContainsFunc(def.Candidates(d.State, name), func(t *workflow.Transition) bool { return s.public(t.To) && !s.public(d.State) })
}

// publicationInputs are the catalogue metadata a publication takes; publication checks them.
var publicationInputs = []string{"doc_number", "subject_category", "summary", "valid_until"}

// flowInput is what the engine is given of in: on publication, the catalogue metadata goes to
// the use case alone when the document's flow version does not declare it (documents started on
// document version 1, whose flow predates the engine's check of undeclared inputs).
func (s *Documents) flowInput(d Document, name string, in workflow.Input) workflow.Input {
	def, err := s.Engine.Registry().Get(d.Definition, d.DefinitionVersion)
	if err != nil || !slices.ContainsFunc(def.Candidates(d.State, name), func(t *workflow.Transition) bool { return s.public(t.To) }) {
		return in
	}
	out := in
	for _, k := range publicationInputs {
		if _, ok := in[k]; ok && !def.Declares(k) {
			if len(out) == len(in) {
				out = maps.Clone(in)
			}
			delete(out, k)
		}
	}
	return out
}

// public reports whether state is one the flows tag public: a document in it is on the portal
// (when 主动公开), with a catalogue entry and a validity.
func (s *Documents) public(state string) bool {
	return slices.Contains(s.Engine.Registry().Tagged(workflow.TagPublic), state)
}

// PublicationRequired returns the catalogue metadata a publication of d must carry (publication
// refuses it without them): the subject category and summary, and a 规范性文件's document number.
func PublicationRequired(d Document) []string {
	if d.DocKind == KindNormative {
		return []string{"subject_category", "summary", "doc_number"}
	}
	return []string{"subject_category", "summary"}
}

func (s *Documents) publication(d Document, in workflow.Input, now time.Time) (Publication, error) {
	pick := func(key, current string) string {
		if v, ok := in[key]; ok {
			return strings.TrimSpace(v)
		}
		return current
	}
	p := Publication{IndexTemplate: s.IndexTemplate, Title: publishedTitle(d), DocKind: publishedKind(d), DocNumber: pick("doc_number", d.DocNumber),
		SubjectCategory: pick("subject_category", d.SubjectCategory), Summary: pick("summary", d.Summary),
		Validity: ValidityValid, PublishedAt: now}
	var problems []string
	field := ""
	missing := func(f, label string) {
		if field == "" {
			field = f
		}
		problems = append(problems, label)
	}
	if p.SubjectCategory == "" {
		missing("subject_category", "主题分类")
	}
	if p.Summary == "" {
		missing("summary", "内容概述")
	}
	if d.DocKind == KindNormative && p.DocNumber == "" {
		missing("doc_number", "发文字号（规范性文件必填）")
	}
	if len(problems) > 0 {
		return Publication{}, &workflow.Error{Code: workflow.EInputMissing, Field: field,
			Message: "发布前请补全公开目录信息：" + strings.Join(problems, "、"), Details: map[string]any{"missing": problems}}
	}
	for _, f := range []struct{ name, v string }{{"doc_number", p.DocNumber}, {"subject_category", p.SubjectCategory}} {
		if err := workflow.CheckText(f.name, f.v, 100, false); err != nil {
			return Publication{}, err
		}
	}
	if v := strings.TrimSpace(in["valid_until"]); v != "" {
		day, err := workflow.ParseDate(v)
		if err != nil {
			return Publication{}, &workflow.Error{Code: workflow.EInvalid, Field: "valid_until", Message: "有效期请写成 YYYY-MM-DD 格式的日期"}
		}
		if !workflow.DateOf(now).Before(day) {
			return Publication{}, &workflow.Error{Code: workflow.EInvalid, Field: "valid_until", Message: "有效期截止日应晚于今天"}
		}
		p.ValidUntil = day.Start()
	}
	p.SearchTerms = SearchTerms(p.Title + "\n" + d.Body)
	return p, nil
}

// ChangeValidity sets a published document's validity (有效 / 失效 / 废止) and optional end date.
func (s *Documents) ChangeValidity(ctx context.Context, actor workflow.Actor, id int64, version int, validity, validUntil string) (Document, error) {
	d, err := s.Get(ctx, actor, id)
	if err != nil {
		return Document{}, err
	}
	if err := s.Auth.Authorize(ctx, actor, d.Unit, "document:publish"); err != nil {
		return Document{}, err
	}
	if !s.public(d.State) {
		return Document{}, &workflow.Error{Code: workflow.ETransitionNotAllowed, Message: "只有已公开的文件才有有效性"}
	}
	switch validity {
	case ValidityValid, ValidityExpired, ValidityRepealed:
	default:
		return Document{}, &workflow.Error{Code: workflow.EInvalid, Field: "validity", Message: "有效性只能是“有效”“失效”或“废止”"}
	}
	var until time.Time
	if v := strings.TrimSpace(validUntil); v != "" {
		day, err := workflow.ParseDate(v)
		if err != nil {
			return Document{}, &workflow.Error{Code: workflow.EInvalid, Field: "valid_until", Message: "有效期请写成 YYYY-MM-DD 格式的日期"}
		}
		until = day.Start()
	}
	if version != 0 && version != d.Version {
		return Document{}, &workflow.Error{Code: workflow.EConflict, Message: "文件已被他人修改，请刷新后重试"}
	}
	return s.Store.SetValidity(ctx, id, d.Version, validity, until, actor, s.now())
}

// Available lists the transitions the actor may fire on d now, each with the inputs it asks for.
func (s *Documents) Available(actor workflow.Actor, d Document) []workflow.TransitionView {
	var out []workflow.TransitionView
	acting, cs := s.acting(actor, d)
	for _, t := range s.Engine.Available(d.Instance, acting, s.now()) {
		if s.permitted(actor, acting, cs, d, t) {
			out = append(out, workflow.TransitionView{Name: t.Name, Label: t.Label, Requires: requires(t, d.Facts), Inputs: t.Inputs})
		}
	}
	return out
}

// Blocked lists the transitions the actor's roles could take on d but cannot yet, each with what
// is missing before it (the engine's refusal).
func (s *Documents) Blocked(actor workflow.Actor, d Document) []Blocked {
	var out []Blocked
	acting, cs := s.acting(actor, d)
	for _, b := range s.Engine.Blocked(d.Instance, acting, s.now()) {
		if s.permitted(actor, acting, cs, d, b.Transition) {
			out = append(out, Blocked{Name: b.Transition.Name, Label: b.Transition.Label, Code: b.Reason.Code, Reason: b.Reason.Message})
		}
	}
	return out
}

// permitted reports whether the actor holds the permission of user transition t on d: for the
// transitions of a countersign step in the co-unit the actor acts for (none when it heads no
// pending co-unit), else in the document's unit.
func (s *Documents) permitted(actor, acting workflow.Actor, cs *workflow.Countersign, d Document, t *workflow.Transition) bool {
	unit := d.Unit
	if cs != nil && cs.Covers(t.Name) {
		unit = acting.CoUnit
	}
	return t.Permission != "" && unit != "" && s.Auth.Can(actor.Username, unit, t.Permission)
}

// requires is what t asks of the user on a document with facts f: its required inputs, the
// legality review's opinion on a shortened comment period's reason (guard shortening_reviewed),
// and the reason for departing from the catalogue item's attribute (guard attribute_as_proposed).
func requires(t *workflow.Transition, f workflow.Facts) []string {
	out := t.Requires
	if slices.Contains(t.Guards, "shortening_reviewed") && workflow.ShorteningReviewNeeded(f) {
		out = append(slices.Clip(out), "shortening_opinion")
	}
	if slices.Contains(t.Guards, "attribute_as_proposed") && workflow.DepartureReasonNeeded(f) {
		out = append(slices.Clip(out), workflow.FactDepartureReason)
	}
	return out
}

// ActionLabels name the audit actions outside the flows: changes to a record that no transition
// makes. The history of every page and answer names them so.
var ActionLabels = map[string]string{"create": "创建", "edit": "修改", "validity": "变更有效性", "dispose": "处理公众意见",
	"summary": "上传意见采纳情况说明", "upload": "上传文件", "link_document": "关联依申请公开文件",
	"link_interpretation": "关联政策解读", "unlink_interpretation": "取消关联政策解读"}

// Detail is everything the document page shows.
type Detail struct {
	Document    Document
	Definition  *workflow.Definition
	Available   []workflow.TransitionView
	Blocked     []Blocked // what the actor's roles could do but cannot yet, and why
	History     []workflow.AuditEntry
	Deadlines   []workflow.Deadline
	Disclosure  error // nil when the attribute and grounds are complete
	StateLabel  string
	Transitions map[string]string // transition name → label, for the history
	CoUnits     []CoUnitStatus    // the co-units of a joint document with their countersign
	// Interprets is the 规范性文件 the document interprets (政策解读的文件), when the actor may read it;
	// Interpretations are the document's interpretations the actor may read.
	Interprets      *Document
	Interpretations []Document
}

// Label names a history entry's action, the same in the API and the pages: the label of the
// transition taken (the unit head's approve is 审核通过, the legal section's 审查通过), or the name
// of a change outside the flow (创建, 修改, ...).
func (d Detail) Label(h workflow.AuditEntry) string {
	if l, ok := d.Transitions[h.Action]; ok && !d.Definition.HasTransition(h.Action) {
		return l
	}
	return d.Definition.StepLabel(h.Action, h.FromState, h.ToState)
}

// Detail loads a document with its history, deadlines and what the actor may do now.
func (s *Documents) Detail(ctx context.Context, actor workflow.Actor, id int64) (Detail, error) {
	d, err := s.Get(ctx, actor, id)
	if err != nil {
		return Detail{}, err
	}
	def, err := s.Engine.Definition(d.Instance)
	if err != nil {
		return Detail{}, err
	}
	hist, err := s.Store.History(ctx, "document", id)
	if err != nil {
		return Detail{}, err
	}
	dls, err := s.Store.Deadlines(ctx, "document", id)
	if err != nil {
		return Detail{}, err
	}
	policy, ins, err := s.links(ctx, actor, d)
	if err != nil {
		return Detail{}, err
	}
	labels := maps.Clone(ActionLabels)
	for _, t := range def.Transitions {
		labels[t.Name] = t.Label
	}
	return Detail{Document: d, Definition: def, Available: s.Available(actor, d), Blocked: s.Blocked(actor, d), History: hist, Deadlines: dls,
		Disclosure: s.DisclosureProblems(d), StateLabel: def.StateLabel(d.State), Transitions: labels, CoUnits: CoUnits(d),
		Interprets: policy, Interpretations: ins}, nil
}

// StateLabel names d's state in Chinese (起草中, 科室负责人审核 ...), as its detail does.
func (s *Documents) StateLabel(d Document) string {
	def, err := s.Engine.Definition(d.Instance)
	if err != nil {
		return d.State
	}
	return def.StateLabel(d.State)
}

// Versions returns every saved text of a document the actor may read, oldest first.
func (s *Documents) Versions(ctx context.Context, actor workflow.Actor, id int64) ([]BodyVersion, error) {
	if _, err := s.Get(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.Store.Versions(ctx, id)
}

// List returns the documents the actor may read, newest first.
func (s *Documents) List(ctx context.Context, staff workflow.Staff, q DocumentQuery) ([]Document, int, error) {
	units, all := s.readableUnits(staff, "document:read")
	if !all {
		if len(units) == 0 {
			return nil, 0, nil
		}
		q.Units = units
	}
	return s.Store.ListDocuments(ctx, q)
}

func (s *Documents) readableUnits(staff workflow.Staff, perm string) (units []string, all bool) {
	return UnitsWith(s.Auth, staff, perm)
}

// UnitsWith returns the units in which staff hold permission, or all when they hold it
// bureau-wide.
func UnitsWith(auth interface {
	Can(user, unit, permission string) bool
}, staff workflow.Staff, permission string) (units []string, all bool) {
	for _, r := range staff.Roles {
		if !auth.Can(staff.Username, r.Unit, permission) {
			continue
		}
		if r.Unit == "*" {
			return nil, true
		}
		if !slices.Contains(units, r.Unit) {
			units = append(units, r.Unit)
		}
	}
	return units, false
}

// Tasks lists the documents waiting for the actor: every document in a state from which the
// actor may fire a transition in that document's unit.
func (s *Documents) Tasks(ctx context.Context, staff workflow.Staff) ([]Document, error) {
	s = s.ForOneRequest() // the same few permission questions for every document listed
	var pairs [][2]string
	for _, d := range s.latestFlows() {
		for _, t := range d.Transitions {
			if t.System || t.Permission == "" {
				continue
			}
			if units, all := s.readableUnits(staff, t.Permission); !all && len(units) == 0 {
				continue
			}
			for _, from := range t.From {
				p := [2]string{d.Name, from}
				if !slices.Contains(pairs, p) {
					pairs = append(pairs, p)
				}
			}
		}
	}
	if len(pairs) == 0 {
		return nil, nil
	}
	units, all := s.readableUnits(staff, "document:read")
	q := DocumentQuery{StatePairs: pairs}
	if !all {
		if len(units) == 0 {
			return nil, nil
		}
		q.Units = units
	}
	docs, err := s.allDocuments(ctx, q)
	if err != nil {
		return nil, err
	}
	out := docs[:0]
	for _, d := range docs {
		if len(s.Available(staff.Actor(), d)) > 0 {
			// A drafter waits only on their own drafts.
			if d.State == "drafting" && d.CreatedBy != staff.ID {
				continue
			}
			out = append(out, d)
		}
	}
	joint, err := s.countersignTasks(ctx, staff)
	if err != nil {
		return nil, err
	}
	for _, d := range joint {
		if !slices.ContainsFunc(out, func(o Document) bool { return o.ID == d.ID }) {
			out = append(out, d)
		}
	}
	return out, nil
}

// taskPage is how many documents the 待办 reads per statement (the store's largest page).
const taskPage = 500

// allDocuments lists every document q matches, a page of taskPage at a time: a 待办 that stopped
// at one page would hide the work beyond it.
func (s *Documents) allDocuments(ctx context.Context, q DocumentQuery) ([]Document, error) {
	q.Limit = taskPage
	var out []Document
	for {
		docs, total, err := s.Store.ListDocuments(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, docs...)
		if len(docs) < taskPage || len(out) >= total {
			return out, nil
		}
		q.Offset += len(docs)
	}
}

// Search sets q's search terms and phrases from what a visitor typed (nothing for blank text), or
// refuses text that is too long or not plain text.
func (q *PublicQuery) Search(text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	if err := workflow.CheckText("q", text, 100, false); err != nil {
		return err
	}
	q.Terms = QueryTerms(text)
	q.Phrases = SearchPhrases(text)
	return nil
}

// Public lists published 主动公开 documents for the portal.
func (s *Documents) Public(ctx context.Context, q PublicQuery, text string) ([]Document, int, error) {
	if err := q.Search(text); err != nil {
		return nil, 0, err
	}
	q.States = s.Engine.Registry().Tagged(workflow.TagPublic)
	return s.Store.PublicDocuments(ctx, q)
}

// PublicDocument loads one published 主动公开 document for the portal.
func (s *Documents) PublicDocument(ctx context.Context, id int64) (Document, error) {
	d, err := s.Store.PublicDocument(ctx, id, s.Engine.Registry().Tagged(workflow.TagPublic))
	if err != nil && workflow.ErrorCode(err) == workflow.ENotFound {
		return Document{}, &workflow.Error{Code: workflow.ENotFound, Message: "文件不存在或尚未公开"}
	}
	return d, err
}
