package workflow

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// DocumentStore is what the document use cases need from the database.
type DocumentStore interface {
	Store
	CreateDocument(ctx context.Context, d Document, actor Actor, now time.Time) (Document, error)
	Document(ctx context.Context, id int64) (Document, error)
	// UpdateDocument saves d's editable fields and facts if the stored version is still
	// prevVersion, with a body version when the text changed and an "edit" audit event.
	UpdateDocument(ctx context.Context, d Document, prevVersion int, actor Actor, now time.Time, changed []string) (Document, error)
	// ApplyPublication applies res (the publish transition) and records pub, assigning the
	// 索引号 from pub.IndexTemplate, in one transaction.
	ApplyPublication(ctx context.Context, prev Instance, res Result, pub Publication) (Instance, error)
	// SetValidity changes a published document's validity (有效/失效/废止) with an audit event.
	SetValidity(ctx context.Context, id int64, prevVersion int, validity string, validUntil time.Time, actor Actor, now time.Time) (Document, error)
	History(ctx context.Context, kind string, id int64) ([]AuditEntry, error)
	Deadlines(ctx context.Context, kind string, id int64) ([]Deadline, error)
	Versions(ctx context.Context, id int64) ([]BodyVersion, error)
	ListDocuments(ctx context.Context, q DocumentQuery) ([]Document, int, error)
	PublicDocuments(ctx context.Context, q PublicQuery) ([]Document, int, error)
	PublicDocument(ctx context.Context, id int64) (Document, error)
}

// Authz is the authorizer with the question "may this user do that in this unit", used to filter
// lists without an error per row.
type Authz interface {
	Authorizer
	Can(user, unit, permission string) bool
}

// BodyVersion is one saved text of a document.
type BodyVersion struct {
	No          int
	Title       string
	Body        string
	Explanation string
	AuthorName  string
	CreatedAt   time.Time
}

// Publication is the catalogue metadata recorded when a document is published (《条例》第十二条
// and the portal's fields).
type Publication struct {
	IndexTemplate   string // e.g. "{org}/{year}-{serial:5}"
	DocNumber       string // 发文字号
	SubjectCategory string // 主题分类
	Summary         string // 内容概述
	Validity        string
	ValidUntil      time.Time // zero = none
	PublishedAt     time.Time
	SearchTerms     []string
}

// DocumentQuery filters the staff document list.
type DocumentQuery struct {
	Units       []string // nil = every unit
	Definitions []string // nil = both
	States      []string // nil = every state
	StatePairs  [][2]string
	CreatedBy   int64
	IDs         []int64 // nil = any document
	Limit       int
	Offset      int
}

// PublicQuery filters the public document list.
type PublicQuery struct {
	Category string // 主题分类 prefix
	Year     int
	Validity string
	Terms    []string // search terms (bigrams) that must all be present
	Phrases  []string // each must appear in the title or body (lowercased)
	Limit    int
	Offset   int
}

// Draft is what a drafter writes: every field optional on update (nil = unchanged).
type Draft struct {
	Definition      string // "document" (公文) or "decision" (重大行政决策草案); create only
	Unit            string // create only
	Title           *string
	Body            *string
	Explanation     *string
	DocKind         *string
	SubjectCategory *string
	DocNumber       *string
	Summary         *string
	// Disclosure.
	Attribute               *string
	Grounds                 *[]string
	GroundsExplanation      *string
	ThirdPartyConsent       *bool
	PublicInterestOverride  *bool
	DisclosureRequiredByLaw *bool
	// Decision drafts.
	OpensAt            *time.Time
	ClosesAt           *time.Time
	ShorteningReason   *string
	ConsultationExempt *bool
	ExemptReason       *string
}

// Limits on drafts.
const (
	MaxTitleRunes = 200
	MaxBodyRunes  = 200000
	MaxShortRunes = 2000
)

// Documents holds the document and decision-draft use cases; the JSON API and the pages both call
// them.
type Documents struct {
	Engine        *Engine
	Store         DocumentStore
	Auth          Authz
	Clock         Clock
	IndexTemplate string
	// Disclosure validates the attribute facts (policy.ValidateDisclosure over the facts); it is
	// used to report problems early. The submit guard enforces the same rule.
	Disclosure func(Facts) error
}

func (s *Documents) now() time.Time {
	if s.Clock == nil {
		return time.Now()
	}
	return s.Clock.Now()
}

// notFound hides whether a document exists from someone who may not see it.
func notFound() error { return &Error{Code: ENotFound, Message: "文件不存在或您无权查看"} }

// Get loads a document the actor may read.
func (s *Documents) Get(ctx context.Context, actor Actor, id int64) (Document, error) {
	d, err := s.Store.Document(ctx, id)
	if err != nil {
		if ErrorCode(err) == ENotFound {
			return Document{}, notFound()
		}
		return Document{}, err
	}
	if !s.Auth.Can(actor.Username, d.Unit, "document:read") {
		return Document{}, notFound()
	}
	return d, nil
}

// Create starts a draft in the actor's unit.
func (s *Documents) Create(ctx context.Context, actor Actor, in Draft) (Document, error) {
	if in.Definition == "" {
		in.Definition = "document"
	}
	def, err := s.Engine.Registry().Latest(in.Definition)
	if err != nil || in.Definition == "request" {
		return Document{}, &Error{Code: EInvalid, Field: "definition", Message: "文件类型只能是 document（公文）或 decision（重大行政决策草案）"}
	}
	if strings.TrimSpace(in.Unit) == "" {
		return Document{}, &Error{Code: EInvalid, Field: "unit", Message: "请填写承办科室"}
	}
	if err := s.Auth.Authorize(ctx, actor, in.Unit, "document:create"); err != nil {
		return Document{}, err
	}
	d := Document{Instance: Instance{Unit: in.Unit, Definition: def.Name, DefinitionVersion: def.Version, State: def.Initial, Facts: Facts{}},
		DocKind: KindOther, CreatedBy: actor.UserID, Validity: ValidityValid}
	if _, err := applyDraft(&d, in); err != nil {
		return Document{}, err
	}
	if strings.TrimSpace(d.Title) == "" {
		return Document{}, &Error{Code: EInvalid, Field: "title", Message: "请填写标题"}
	}
	d.Facts[FactDocKind] = d.DocKind
	// A major decision is published once decided (《重大行政决策程序暂行条例》第三十二条), so a decision
	// draft is 主动公开 unless the drafter tags it otherwise (a matter exempt by law).
	if d.Definition == "decision" && d.Facts["attribute"] == "" {
		d.Facts["attribute"] = AttributeProactive
	}
	return s.Store.CreateDocument(ctx, d, actor, s.now())
}

// Update edits a draft. Only a draft in its initial state may be edited, and only at the version
// the editor saw. Changing the disclosure attribute or grounds withdraws an earlier approval by the
// legal section, so the document goes through legal review again.
func (s *Documents) Update(ctx context.Context, actor Actor, id int64, version int, in Draft) (Document, error) {
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
		return Document{}, &Error{Code: ETransitionNotAllowed,
			Message: fmt.Sprintf("文件当前处于“%s”，只有起草中的文件可以修改；如需修改请先撤回或由审核人退回", def.StateLabel(d.State))}
	}
	if version != 0 && version != d.Version {
		return Document{}, &Error{Code: EConflict, Message: fmt.Sprintf("文件已被他人修改（您看到的是第 %d 版，当前为第 %d 版），请刷新后重试", version, d.Version),
			Details: map[string]any{"your_version": version, "current_version": d.Version}}
	}
	if in.Definition != "" && in.Definition != d.Definition {
		return Document{}, &Error{Code: EInvalid, Field: "definition", Message: "文件类型创建后不能修改"}
	}
	if in.Unit != "" && in.Unit != d.Unit {
		return Document{}, &Error{Code: EInvalid, Field: "unit", Message: "承办科室创建后不能修改"}
	}
	prev := d.Version
	changed, err := applyDraft(&d, in)
	if err != nil {
		return Document{}, err
	}
	if len(changed) == 0 {
		return d, nil
	}
	if strings.TrimSpace(d.Title) == "" {
		return Document{}, &Error{Code: EInvalid, Field: "title", Message: "标题不能为空"}
	}
	for _, c := range changed {
		if strings.HasPrefix(c, "disclosure.") && d.Facts.Bool("legal_approved") {
			delete(d.Facts, "legal_approved")
			break
		}
	}
	return s.Store.UpdateDocument(ctx, d, prev, actor, s.now(), changed)
}

// applyDraft copies the set fields of in onto d and returns the names of the fields that changed.
func applyDraft(d *Document, in Draft) ([]string, error) {
	var changed []string
	text := func(name string, dst *string, src *string, max int, multiline bool) error {
		if src == nil {
			return nil
		}
		v := *src
		if !multiline {
			v = strings.TrimSpace(v)
		}
		if err := checkText(name, v, max, multiline); err != nil {
			return err
		}
		if *dst != v {
			*dst = v
			changed = append(changed, name)
		}
		return nil
	}
	for _, f := range []struct {
		name      string
		dst, src  *string
		max       int
		multiline bool
	}{
		{"title", &d.Title, in.Title, MaxTitleRunes, false},
		{"body", &d.Body, in.Body, MaxBodyRunes, true},
		{"explanation", &d.Explanation, in.Explanation, MaxBodyRunes, true},
		{"subject_category", &d.SubjectCategory, in.SubjectCategory, 100, false},
		{"doc_number", &d.DocNumber, in.DocNumber, 100, false},
		{"summary", &d.Summary, in.Summary, MaxShortRunes, true},
	} {
		if err := text(f.name, f.dst, f.src, f.max, f.multiline); err != nil {
			return nil, err
		}
	}
	if in.DocKind != nil {
		k := strings.TrimSpace(*in.DocKind)
		if k != KindNormative && k != KindOther {
			return nil, &Error{Code: EInvalid, Field: "doc_kind", Message: "文件种类只能是“规范性文件”或“其他公文”"}
		}
		if d.DocKind != k {
			d.DocKind = k
			d.Facts[FactDocKind] = k // the guards route a 规范性文件 through legality review
			changed = append(changed, "doc_kind")
		}
	}
	fact := func(name, value string, group string) {
		old, had := d.Facts[name]
		if value == "" {
			if had {
				delete(d.Facts, name)
				changed = append(changed, group+name)
			}
			return
		}
		if !had || old != value {
			d.Facts[name] = value
			changed = append(changed, group+name)
		}
	}
	boolFact := func(name string, v *bool, group string) {
		if v == nil {
			return
		}
		if *v {
			fact(name, "true", group)
		} else {
			fact(name, "", group)
		}
	}
	if in.Attribute != nil {
		a := strings.TrimSpace(*in.Attribute)
		switch a {
		case "", "主动公开", "依申请公开", "不予公开":
		default:
			return nil, &Error{Code: EInvalid, Field: "attribute", Message: "公开属性只能是“主动公开”“依申请公开”或“不予公开”"}
		}
		fact("attribute", a, "disclosure.")
	}
	if in.Grounds != nil {
		gs := make([]string, 0, len(*in.Grounds))
		for _, g := range *in.Grounds {
			g = strings.TrimSpace(g)
			if g == "" || strings.ContainsAny(g, ", ") || len(g) > 64 {
				return nil, &Error{Code: EInvalid, Field: "grounds", Message: fmt.Sprintf("不予公开依据代码 %q 无效", g)}
			}
			if !slices.Contains(gs, g) {
				gs = append(gs, g)
			}
		}
		fact("grounds", strings.Join(gs, ","), "disclosure.")
	}
	if in.GroundsExplanation != nil {
		v := strings.TrimSpace(*in.GroundsExplanation)
		if err := checkText("grounds_explanation", v, MaxShortRunes, true); err != nil {
			return nil, err
		}
		fact("grounds_explanation", v, "disclosure.")
	}
	boolFact("third_party_consent", in.ThirdPartyConsent, "disclosure.")
	boolFact("public_interest_override", in.PublicInterestOverride, "disclosure.")
	boolFact("disclosure_required_by_law", in.DisclosureRequiredByLaw, "disclosure.")
	if d.Definition == "decision" {
		if in.OpensAt != nil {
			fact("opens_at", formatInstant(*in.OpensAt), "consultation.")
		}
		if in.ClosesAt != nil {
			fact("closes_at", formatInstant(*in.ClosesAt), "consultation.")
		}
		if in.ShorteningReason != nil {
			v := strings.TrimSpace(*in.ShorteningReason)
			if err := checkText("shortening_reason", v, MaxShortRunes, true); err != nil {
				return nil, err
			}
			fact("shortening_reason", v, "consultation.")
		}
		boolFact("consultation_exempt", in.ConsultationExempt, "consultation.")
		if in.ExemptReason != nil {
			v := strings.TrimSpace(*in.ExemptReason)
			if err := checkText("exempt_reason", v, MaxShortRunes, true); err != nil {
				return nil, err
			}
			fact("exempt_reason", v, "consultation.")
		}
	} else if in.OpensAt != nil || in.ClosesAt != nil || in.ShorteningReason != nil || in.ConsultationExempt != nil || in.ExemptReason != nil {
		return nil, &Error{Code: EInvalid, Field: "opens_at", Message: "征求意见期限只适用于重大行政决策草案"}
	}
	return changed, nil
}

func formatInstant(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// checkText refuses text that is too long or carries control characters.
func checkText(field, v string, max int, multiline bool) error {
	if !utf8.ValidString(v) {
		return &Error{Code: EInvalid, Field: field, Message: fieldLabel(field) + "含有无效字符（不是合法的 UTF-8 文本）"}
	}
	if n := utf8.RuneCountInString(v); n > max {
		return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf("%s不能超过 %d 个字（现有 %d 个）", fieldLabel(field), max, n)}
	}
	for _, r := range v {
		if r < 0x20 && !(multiline && (r == '\n' || r == '\r' || r == '\t')) || r == 0x7f {
			return &Error{Code: EInvalid, Field: field, Message: fieldLabel(field) + "含有不可见的控制字符，请删除后重试"}
		}
	}
	return nil
}

var fieldLabels = map[string]string{
	"title": "标题", "body": "正文", "explanation": "起草说明", "subject_category": "主题分类", "doc_number": "发文字号",
	"summary": "内容概述", "grounds_explanation": "不予公开理由说明", "shortening_reason": "缩短征求意见期限的理由",
	"exempt_reason": "不公开征求意见的法定理由", "opinion": "意见",
}

func fieldLabel(f string) string {
	if l, ok := fieldLabels[f]; ok {
		return l
	}
	return f
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
func (s *Documents) Fire(ctx context.Context, actor Actor, id int64, version int, name string, in Input) (Document, error) {
	d, err := s.Get(ctx, actor, id)
	if err != nil {
		return Document{}, err
	}
	if version != 0 && version != d.Version {
		return Document{}, &Error{Code: EConflict, Message: fmt.Sprintf("文件已被他人处理（您看到的是第 %d 版，当前为第 %d 版），请刷新后重试", version, d.Version),
			Details: map[string]any{"your_version": version, "current_version": d.Version}}
	}
	for k, v := range in {
		if err := checkText(k, v, MaxShortRunes*5, true); err != nil {
			return Document{}, err
		}
	}
	perm, err := s.Engine.Permission(d.Instance, name)
	if err != nil {
		return Document{}, err
	}
	if err := s.Auth.Authorize(ctx, actor, d.Unit, perm); err != nil {
		return Document{}, err
	}
	now := s.now()
	res, err := s.Engine.Fire(d.Instance, name, actor, in, now)
	if err != nil {
		return Document{}, err
	}
	var stored Instance
	if name == "publish" {
		pub, err := s.publication(d, in, now)
		if err != nil {
			return Document{}, err
		}
		if stored, err = s.Store.ApplyPublication(ctx, d.Instance, res, pub); err != nil {
			return Document{}, err
		}
		d.PublishedAt, d.DocNumber, d.SubjectCategory, d.Summary, d.Validity = pub.PublishedAt, pub.DocNumber, pub.SubjectCategory, pub.Summary, pub.Validity
	} else if stored, err = s.Store.Apply(ctx, d.Instance, res); err != nil {
		return Document{}, err
	}
	// The document as it now stands, without reading it back (the 索引号 of a publication is read
	// with the document's detail).
	d.Instance = stored
	d.UpdatedAt = now
	return d, nil
}

func (s *Documents) publication(d Document, in Input, now time.Time) (Publication, error) {
	pick := func(key, current string) string {
		if v, ok := in[key]; ok {
			return strings.TrimSpace(v)
		}
		return current
	}
	p := Publication{IndexTemplate: s.IndexTemplate, DocNumber: pick("doc_number", d.DocNumber),
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
		return Publication{}, &Error{Code: EInputMissing, Field: field,
			Message: "发布前请补全公开目录信息：" + strings.Join(problems, "、"), Details: map[string]any{"missing": problems}}
	}
	for _, f := range []struct{ name, v string }{{"doc_number", p.DocNumber}, {"subject_category", p.SubjectCategory}} {
		if err := checkText(f.name, f.v, 100, false); err != nil {
			return Publication{}, err
		}
	}
	if v := strings.TrimSpace(in["valid_until"]); v != "" {
		day, err := ParseDate(v)
		if err != nil {
			return Publication{}, &Error{Code: EInvalid, Field: "valid_until", Message: "有效期请写成 YYYY-MM-DD 格式的日期"}
		}
		if !DateOf(now).Before(day) {
			return Publication{}, &Error{Code: EInvalid, Field: "valid_until", Message: "有效期截止日应晚于今天"}
		}
		p.ValidUntil = day.Start()
	}
	p.SearchTerms = SearchTerms(d.Title + "\n" + d.Body)
	return p, nil
}

// ChangeValidity sets a published document's validity (有效 / 失效 / 废止) and optional end date.
func (s *Documents) ChangeValidity(ctx context.Context, actor Actor, id int64, version int, validity, validUntil string) (Document, error) {
	d, err := s.Get(ctx, actor, id)
	if err != nil {
		return Document{}, err
	}
	if err := s.Auth.Authorize(ctx, actor, d.Unit, "document:publish"); err != nil {
		return Document{}, err
	}
	if d.State != "published" {
		return Document{}, &Error{Code: ETransitionNotAllowed, Message: "只有已公开的文件才有有效性"}
	}
	switch validity {
	case ValidityValid, ValidityExpired, ValidityRepealed:
	default:
		return Document{}, &Error{Code: EInvalid, Field: "validity", Message: "有效性只能是“有效”“失效”或“废止”"}
	}
	var until time.Time
	if v := strings.TrimSpace(validUntil); v != "" {
		day, err := ParseDate(v)
		if err != nil {
			return Document{}, &Error{Code: EInvalid, Field: "valid_until", Message: "有效期请写成 YYYY-MM-DD 格式的日期"}
		}
		until = day.Start()
	}
	if version != 0 && version != d.Version {
		return Document{}, &Error{Code: EConflict, Message: "文件已被他人修改，请刷新后重试"}
	}
	return s.Store.SetValidity(ctx, id, d.Version, validity, until, actor, s.now())
}

// TransitionView is a transition the actor may fire now.
type TransitionView struct {
	Name     string
	Label    string
	Requires []string
}

// Available lists the transitions the actor may fire on d now.
func (s *Documents) Available(actor Actor, d Document) []TransitionView {
	var out []TransitionView
	for _, t := range s.Engine.Available(d.Instance, actor, s.now()) {
		if t.Permission != "" && s.Auth.Can(actor.Username, d.Unit, t.Permission) {
			out = append(out, TransitionView{Name: t.Name, Label: t.Label, Requires: t.Requires})
		}
	}
	return out
}

// Detail is everything the document page shows.
type Detail struct {
	Document    Document
	Definition  *Definition
	Available   []TransitionView
	History     []AuditEntry
	Deadlines   []Deadline
	Disclosure  error // nil when the attribute and grounds are complete
	StateLabel  string
	Transitions map[string]string // transition name → label, for the history
}

// Detail loads a document with its history, deadlines and what the actor may do now.
func (s *Documents) Detail(ctx context.Context, actor Actor, id int64) (Detail, error) {
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
	labels := map[string]string{"create": "创建", "edit": "修改", "validity": "变更有效性"}
	for _, t := range def.Transitions {
		labels[t.Name] = t.Label
	}
	return Detail{Document: d, Definition: def, Available: s.Available(actor, d), History: hist, Deadlines: dls,
		Disclosure: s.DisclosureProblems(d), StateLabel: def.StateLabel(d.State), Transitions: labels}, nil
}

// Versions returns every saved text of a document the actor may read, oldest first.
func (s *Documents) Versions(ctx context.Context, actor Actor, id int64) ([]BodyVersion, error) {
	if _, err := s.Get(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.Store.Versions(ctx, id)
}

// List returns the documents the actor may read, newest first.
func (s *Documents) List(ctx context.Context, staff Staff, q DocumentQuery) ([]Document, int, error) {
	units, all := s.readableUnits(staff, "document:read")
	if !all {
		if len(units) == 0 {
			return nil, 0, nil
		}
		q.Units = units
	}
	return s.Store.ListDocuments(ctx, q)
}

func (s *Documents) readableUnits(staff Staff, perm string) (units []string, all bool) {
	for _, r := range staff.Roles {
		if !s.Auth.Can(staff.Username, r.Unit, perm) {
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
func (s *Documents) Tasks(ctx context.Context, staff Staff) ([]Document, error) {
	var pairs [][2]string
	for _, def := range []string{"document", "decision"} {
		d, err := s.Engine.Registry().Latest(def)
		if err != nil {
			continue
		}
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
	q := DocumentQuery{StatePairs: pairs, Limit: 500}
	if !all {
		if len(units) == 0 {
			return nil, nil
		}
		q.Units = units
	}
	docs, _, err := s.Store.ListDocuments(ctx, q)
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
	return out, nil
}

// Public lists published 主动公开 documents for the portal.
func (s *Documents) Public(ctx context.Context, q PublicQuery, text string) ([]Document, int, error) {
	text = strings.TrimSpace(text)
	if text != "" {
		if err := checkText("q", text, 100, false); err != nil {
			return nil, 0, err
		}
		q.Terms = QueryTerms(text)
		q.Phrases = SearchPhrases(text)
	}
	return s.Store.PublicDocuments(ctx, q)
}

// PublicDocument loads one published 主动公开 document for the portal.
func (s *Documents) PublicDocument(ctx context.Context, id int64) (Document, error) {
	d, err := s.Store.PublicDocument(ctx, id)
	if err != nil && ErrorCode(err) == ENotFound {
		return Document{}, &Error{Code: ENotFound, Message: "文件不存在或尚未公开"}
	}
	return d, err
}
