package workflow

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The states of the request flow (configs/workflows/request.yaml) the use cases need to know.
const (
	RequestReceived           = "received"
	RequestAwaitingSupplement = "awaiting_supplement"
	RequestProcessing         = "processing"
	RequestConsulting         = "consulting"
	RequestAwaitingPayment    = "awaiting_payment"
	RequestExtensionPending   = "extension_pending"
	RequestAnswered           = "answered"
	RequestClosed             = "closed"
)

// RequestClockOf reads the reply clock of a request instance from its facts (received_on,
// supplemented_on, pauses, extension_days) and state (an open consultation or fee notice). It
// reports false for a request whose clock does not run at all: one waiting for a supplement (the
// clock restarts when it arrives) or one that is closed.
func RequestClockOf(inst Instance) (RequestClock, bool) {
	f := inst.Facts
	switch inst.State {
	case RequestAwaitingSupplement, RequestAnswered, RequestClosed:
		return RequestClock{}, false
	}
	rc := RequestClock{}
	rc.Received, _ = ParseDate(f["received_on"])
	if rc.Received.IsZero() {
		return RequestClock{}, false
	}
	rc.Supplemented, _ = ParseDate(f["supplemented_on"])
	rc.Pauses, _ = ParsePauses(f["pauses"])
	switch inst.State {
	case RequestConsulting:
		if from, err := ParseDate(f["consult_started_on"]); err == nil {
			rc.Pauses = append(rc.Pauses, Pause{Kind: f["consult_kind"], From: from})
		}
	case RequestAwaitingPayment:
		if from, err := ParseDate(f["fee_notified_on"]); err == nil {
			rc.Pauses = append(rc.Pauses, Pause{Kind: PauseFee, From: from})
		}
	}
	rc.ExtensionDays, _ = strconv.Atoi(f["extension_days"])
	return rc, true
}

// ApplicantType is one applicant column of Table 三 with its code (the report package's codes).
type ApplicantType struct {
	Code         string
	Label        string
	Organization bool // one of the 法人或其他组织 columns
}

// RequestApplicantTypes returns the applicant types in the column order of Table 三.
func RequestApplicantTypes() []ApplicantType {
	return []ApplicantType{
		{"natural", "自然人", false},
		{"commercial", "商业企业", true},
		{"research", "科研机构", true},
		{"nonprofit", "社会公益组织", true},
		{"legal_service", "法律服务机构", true},
		{"other", "其他", true},
	}
}

func applicantType(code string) (ApplicantType, bool) {
	for _, a := range RequestApplicantTypes() {
		if a.Code == code {
			return a, true
		}
	}
	return ApplicantType{}, false
}

// The identity documents with a checked format.
const (
	IDResidentCard = "居民身份证"
	IDCreditCode   = "统一社会信用代码"
)

// RequestIDTypes returns the identity documents a natural person (organization false) or an
// organisation may give.
func RequestIDTypes(organization bool) []string {
	if organization {
		return []string{IDCreditCode, "其他"}
	}
	return []string{IDResidentCard, "护照", "港澳居民来往内地通行证", "台湾居民来往大陆通行证", "外国人永久居留身份证", "其他"}
}

// RequestForms returns the carriers an applicant may ask the information on (载体形式).
func RequestForms() []string { return []string{"纸质", "电子邮件", "光盘", "磁盘"} }

// RequestDeliveries returns the ways an applicant may receive the information (获取方式).
func RequestDeliveries() []string {
	return []string{"邮寄", "快递", "电子邮件", "传真", "自行领取", "当场阅读、抄录"}
}

// RequestChannel is one way a request reaches the office, with the receipt-date rule of
// 《条例》第31条 that applies to it.
type RequestChannel struct {
	Code      string
	Label     string
	DateLabel string // what the date staff enter means for this channel
	Rule      string
}

// ChannelOnline is the channel of requests filed on the public form.
const ChannelOnline = "online"

// RequestChannels returns the channels. Requests filed on the public form are "online": the
// system confirms receipt to the applicant at once with a receipt number, so the submission day
// is the day both sides confirm and is taken as the receipt date (第31条第三项). Staff register
// the others with the date the rule names.
func RequestChannels() []RequestChannel {
	return []RequestChannel{
		{ChannelOnline, "在线申请", "提交日期", "通过本网站在线提交的，提交成功即向申请人确认并给出受理编号，以双方确认之日即提交之日为收到申请之日（《条例》第三十一条第三项）。"},
		{"in_person", "当面提交", "提交日期", "当面提交的，以提交之日为收到申请之日（《条例》第三十一条第一项）。"},
		{"oral", "口头提出", "提出日期", "书面提出确有困难、口头提出并由工作人员代为填写的，以提出之日为收到申请之日（《条例》第二十九条、第三十一条第一项）。"},
		{"registered_post", "邮寄（需签收）", "签收日期", "以需签收的邮寄方式提交的，以行政机关签收之日为收到申请之日（《条例》第三十一条第二项）。"},
		{"letter", "平常信函", "确认日期", "以平常信函等无需签收的方式邮寄的，应于收到当日与申请人确认，以确认之日为收到申请之日（《条例》第三十一条第二项）。"},
		{"fax", "传真", "确认日期", "通过传真提交的，以双方确认之日为收到申请之日（《条例》第三十一条第三项）。"},
		{"email", "电子邮件", "确认日期", "通过电子邮件等互联网渠道提交的，以双方确认之日为收到申请之日（《条例》第三十一条第三项）。"},
	}
}

// RequestChannelOf returns the channel with code.
func RequestChannelOf(code string) (RequestChannel, bool) {
	for _, c := range RequestChannels() {
		if c.Code == code {
			return c, true
		}
	}
	return RequestChannel{}, false
}

// RequestOutcome is one result a request is closed with: a leaf row of Table 三 of the annual
// report (2021 format), keyed as the report package keys it.
type RequestOutcome struct {
	Key    string // e.g. "三(三)4"
	Label  string // e.g. "保护第三方合法权益"
	Group  string // e.g. "不予公开"; "" for 予以公开 and 部分公开
	System bool   // set only by the system when a deadline lapses, never chosen by staff
}

// The outcomes the system records when a deadline lapses.
const (
	OutcomeNoSupplement = "三(六)1" // no supplement by the given date (《条例》第30条)
	OutcomeNoPayment    = "三(六)2" // the fee was not paid by the given date
)

// RequestOutcomes returns every outcome in table order. 部分公开 (Art. 37 区分处理) counts only as
// 三(二), never also under a withheld ground.
func RequestOutcomes() []RequestOutcome {
	return []RequestOutcome{
		{"三(一)", "予以公开", "", false},
		{"三(二)", "部分公开（区分处理的，只计这一情形，不计其他情形）", "", false},
		{"三(三)1", "属于国家秘密", "不予公开", false},
		{"三(三)2", "其他法律行政法规禁止公开", "不予公开", false},
		{"三(三)3", "危及“三安全一稳定”", "不予公开", false},
		{"三(三)4", "保护第三方合法权益", "不予公开", false},
		{"三(三)5", "属于三类内部事务信息", "不予公开", false},
		{"三(三)6", "属于四类过程性信息", "不予公开", false},
		{"三(三)7", "属于行政执法案卷", "不予公开", false},
		{"三(三)8", "属于行政查询事项", "不予公开", false},
		{"三(四)1", "本机关不掌握相关政府信息", "无法提供", false},
		{"三(四)2", "没有现成信息需要另行制作", "无法提供", false},
		{"三(四)3", "补正后申请内容仍不明确", "无法提供", false},
		{"三(五)1", "信访举报投诉类申请", "不予处理", false},
		{"三(五)2", "重复申请", "不予处理", false},
		{"三(五)3", "要求提供公开出版物", "不予处理", false},
		{"三(五)4", "无正当理由大量反复申请", "不予处理", false},
		{"三(五)5", "要求行政机关确认或重新出具已获取信息", "不予处理", false},
		{OutcomeNoSupplement, "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "其他处理", true},
		{OutcomeNoPayment, "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "其他处理", true},
		{"三(六)3", "其他", "其他处理", false},
	}
}

// RequestOutcomeOf returns the outcome with key.
func RequestOutcomeOf(key string) (RequestOutcome, bool) {
	for _, o := range RequestOutcomes() {
		if o.Key == key {
			return o, true
		}
	}
	return RequestOutcome{}, false
}

// Request is a disclosure request (政府信息公开申请, definition "request") with its workflow
// instance. The applicant's identity and contact are personal information: they are never shown
// publicly and are masked in lists (MaskID, MaskContact).
type Request struct {
	Instance
	ReceiptNo     string
	Title         string // a short title for lists and notifications: the first line of what is asked for
	Channel       string // a RequestChannels code
	ReceivedOn    Date   // the receipt date under 《条例》第31条
	ApplicantType string // a RequestApplicantTypes code
	ApplicantName string // a person's or organisation's name
	ContactPerson string // an organisation's contact person
	IDType        string
	IDNumber      string
	Phone         string
	Email         string
	Address       string
	Description   string // 所需政府信息的名称、文号或者便于查询的其他特征性描述
	Form          string // RequestForms
	Delivery      string // RequestDeliveries
	Note          string // staff's note at registration
	UnitName      string
	CreatedBy     int64 // 0 for a request filed on the public form
	CreatedByName string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	ReplyDue      Date   // the pending reply due date; zero while suspended or closed
	Outcome       string // the outcome key once closed
	ClosedOn      Date
}

// Open reports whether the request still waits for an answer.
func (r Request) Open() bool { return r.State != RequestAnswered && r.State != RequestClosed }

// MaskID masks an identity document number for lists: the first 3 and the last 4 characters stay
// for numbers of 10 or more, only the last 2 for shorter ones.
func MaskID(s string) string {
	r := []rune(s)
	switch {
	case len(r) == 0:
		return ""
	case len(r) >= 10:
		return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
	case len(r) > 2:
		return strings.Repeat("*", len(r)-2) + string(r[len(r)-2:])
	}
	return strings.Repeat("*", len(r))
}

// MaskContact masks a phone number, e-mail address or postal address for lists.
func MaskContact(s string) string {
	if s == "" {
		return ""
	}
	if local, domain, ok := strings.Cut(s, "@"); ok {
		r := []rune(local)
		if len(r) <= 1 {
			return "*@" + domain
		}
		return string(r[:1]) + strings.Repeat("*", len(r)-1) + "@" + domain
	}
	r := []rune(s)
	if len(r) >= 7 && strings.Trim(s, "0123456789+- ") == "" {
		return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
	}
	if len(r) > 6 {
		return string(r[:6]) + "……"
	}
	return strings.Repeat("*", len(r))
}

// Application is a request as the applicant (or the staff member registering it) fills it in.
type Application struct {
	ApplicantType string
	Name          string
	ContactPerson string
	IDType        string
	IDNumber      string
	Phone         string
	Email         string
	Address       string
	Description   string
	Form          string
	Delivery      string
	// Staff registration only.
	Channel     string // a RequestChannels code other than online
	ReceiptDate string // YYYY-MM-DD: the date the channel's rule names; default today for in_person and oral
	Note        string
}

// RequestQuery filters the staff request list.
type RequestQuery struct {
	States    []string // nil = every state
	Open      bool     // only requests still waiting for an answer
	Overdue   Date     // if set, only open requests whose reply was due before this day
	Year      int      // received in this year
	Applicant string   // applicant type code
	Text      string   // part of the receipt number, the applicant's name or the information sought
	Limit     int
	Offset    int
}

// RequestStore is what the request use cases need from the database.
type RequestStore interface {
	// CreateRequest inserts r at version 1 with a new receipt number, its first audit event, the
	// reply deadlines in reply and a notification of the disclosure office, in one transaction.
	CreateRequest(ctx context.Context, r Request, actor Actor, now time.Time, reply []Effect) (Request, error)
	Request(ctx context.Context, id int64) (Request, error)
	ListRequests(ctx context.Context, q RequestQuery) ([]Request, int, error)
	// RequestByReceipt returns the request with receipt number no (ENotFound if none).
	RequestByReceipt(ctx context.Context, no string) (Request, error)
	// ApplyRequest applies res like Store.Apply and, in the same transaction, replaces the
	// request's pending reply deadlines (reply_due and reply_due.remind) with reply.
	ApplyRequest(ctx context.Context, prev Instance, res Result, reply []Effect) (Instance, error)
	// ApplicantMonthCount returns how many requests the applicant of r filed in the calendar
	// month of r's receipt, up to and including r.
	ApplicantMonthCount(ctx context.Context, r Request) (int, error)
	History(ctx context.Context, kind string, id int64) ([]AuditEntry, error)
	Deadlines(ctx context.Context, kind string, id int64) ([]Deadline, error)
}

// Requests holds the disclosure request use cases; the JSON API and the pages both call them.
type Requests struct {
	Engine *Engine
	Store  RequestStore
	Auth   Authz
	Clock  Clock
	// Unit is the unit (casbin domain) that handles requests: the disclosure office. Requests are
	// filed under it; bureau-wide disclosure officers act on them. Empty means DefaultRequestUnit.
	Unit string
	// Limiter limits how often one client may file on the public form; nil = no limit.
	Limiter *ClientLimiter
	// LookupLimiter limits how often one client may look up a request's progress (Status), so
	// that receipt numbers and contacts cannot be guessed; nil = no limit.
	LookupLimiter *ClientLimiter
}

// DefaultRequestUnit is the unit requests are filed under when Requests.Unit is empty.
const DefaultRequestUnit = "bangongshi"

// Now returns the use cases' current time.
func (s *Requests) Now() time.Time {
	if s.Clock == nil {
		return time.Now()
	}
	return s.Clock.Now()
}

func (s *Requests) unit() string {
	if s.Unit == "" {
		return DefaultRequestUnit
	}
	return s.Unit
}

func requestNotFound() error {
	return &Error{Code: ENotFound, Message: "申请不存在或您无权查看"}
}

func invalid(field, format string, args ...any) error {
	return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Limits on applications.
const (
	MaxDescriptionRunes = 5000
	maxApplicantRunes   = 200
)

var (
	idNumberRE = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z()（）-]{2,49}$`)
	emailRE    = regexp.MustCompile(`^[^@\s\p{Cc}]+@[^@\s\p{Cc}]+\.[^@\s\p{Cc}]+$`)
	phoneRE    = regexp.MustCompile(`^[0-9+][0-9 -]{5,24}$`)
)

// residentCardValid checks an 18-character 居民身份证 number with its check character
// (GB 11643-1999).
func residentCardValid(s string) bool {
	if len(s) != 18 {
		return false
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		sum += int(s[i]-'0') * weights[i]
	}
	return strings.ToUpper(s[17:]) == string("10X98765432"[sum%11])
}

// normalizeApplication trims the fields of in and checks them.
func normalizeApplication(in *Application) error {
	for _, f := range []*string{&in.ApplicantType, &in.Name, &in.ContactPerson, &in.IDType, &in.IDNumber, &in.Phone,
		&in.Email, &in.Address, &in.Form, &in.Delivery, &in.Channel, &in.ReceiptDate} {
		*f = strings.TrimSpace(*f)
	}
	in.Description = strings.TrimSpace(in.Description)
	in.Note = strings.TrimSpace(in.Note)
	for _, f := range []struct{ name, v string }{{"applicant_type", in.ApplicantType}, {"name", in.Name},
		{"contact_person", in.ContactPerson}, {"id_type", in.IDType}, {"id_number", in.IDNumber}, {"phone", in.Phone},
		{"email", in.Email}, {"address", in.Address}, {"form", in.Form}, {"delivery", in.Delivery}, {"channel", in.Channel},
		{"receipt_date", in.ReceiptDate}, {"description", in.Description}, {"note", in.Note}} {
		if !utf8.ValidString(f.v) {
			return &Error{Code: EInvalid, Field: f.name, Message: "申请内容含有无效字符（不是合法的 UTF-8 文本），请检查后重新提交"}
		}
	}
	// Every field is checked, so that the applicant sees all that needs correcting at once.
	var p fieldProblems
	at, ok := applicantType(in.ApplicantType)
	if !ok {
		p.add("applicant_type", "请选择申请人类型（自然人，或法人或其他组织中的商业企业、科研机构、社会公益组织、法律服务机构、其他）")
	}
	if in.Name == "" {
		if at.Organization {
			p.add("name", "请填写法人或其他组织的名称")
		} else {
			p.add("name", "请填写申请人姓名")
		}
	}
	for _, f := range []struct{ field, v string }{{"name", in.Name}, {"contact_person", in.ContactPerson}, {"address", in.Address}} {
		p.addErr(checkText(f.field, f.v, maxApplicantRunes, false))
	}
	switch {
	case ok && !slices.Contains(RequestIDTypes(at.Organization), in.IDType):
		p.add("id_type", "证件类型只能是：%s", strings.Join(RequestIDTypes(at.Organization), "、"))
	case !ok && !slices.Contains(RequestIDTypes(false), in.IDType) && !slices.Contains(RequestIDTypes(true), in.IDType):
		p.add("id_type", "请选择证件类型")
	}
	in.IDNumber = strings.ToUpper(in.IDNumber)
	switch {
	case in.IDNumber == "":
		p.add("id_number", "请填写身份证明（证件号码）：《条例》第二十九条要求申请人提供身份证明")
	case !idNumberRE.MatchString(in.IDNumber):
		p.add("id_number", "证件号码格式不正确")
	case in.IDType == IDResidentCard && !residentCardValid(in.IDNumber):
		p.add("id_number", "居民身份证号码不正确，请核对（18 位，最后一位为校验码）")
	case in.IDType == IDCreditCode && len(in.IDNumber) != 18:
		p.add("id_number", "统一社会信用代码应为 18 位")
	}
	if in.Phone == "" && in.Email == "" && in.Address == "" {
		p.add("phone", "请至少填写一种联系方式（电话、电子邮箱或通信地址）")
	}
	if in.Phone != "" && !phoneRE.MatchString(in.Phone) {
		p.add("phone", "联系电话格式不正确")
	}
	if in.Email != "" && (!emailRE.MatchString(in.Email) || len(in.Email) > 200) {
		p.add("email", "电子邮箱格式不正确")
	}
	if utf8.RuneCountInString(in.Description) < 2 {
		p.add("description", "请描述所需政府信息：名称、文号或者便于查询的其他特征性描述（《条例》第二十九条）")
	} else {
		p.addErr(checkText("description", in.Description, MaxDescriptionRunes, true))
	}
	if in.Form == "" {
		in.Form = "纸质"
	}
	if !slices.Contains(RequestForms(), in.Form) {
		p.add("form", "信息的载体形式只能是：%s", strings.Join(RequestForms(), "、"))
	}
	if in.Delivery == "" {
		in.Delivery = "自行领取"
	}
	if !slices.Contains(RequestDeliveries(), in.Delivery) {
		p.add("delivery", "获取信息的方式只能是：%s", strings.Join(RequestDeliveries(), "、"))
	}
	if (in.Delivery == "电子邮件" || in.Form == "电子邮件") && in.Email == "" {
		p.add("email", "选择以电子邮件获取信息的，请填写电子邮箱")
	}
	if (in.Delivery == "邮寄" || in.Delivery == "快递") && in.Address == "" {
		p.add("address", "选择邮寄或快递获取信息的，请填写通信地址")
	}
	p.addErr(checkText("note", in.Note, MaxShortRunes, true))
	return p.err()
}

// fieldProblems collects the problems of a form, at most one per field, in the order found.
type fieldProblems []FieldProblem

// add records field's problem unless the field already has one.
func (p *fieldProblems) add(field, format string, args ...any) {
	for _, x := range *p {
		if x.Field == field {
			return
		}
	}
	*p = append(*p, FieldProblem{Field: field, Message: fmt.Sprintf(format, args...)})
}

// addErr records a check's error (an *Error naming its field); nil is ignored.
func (p *fieldProblems) addErr(err error) {
	if e := AsError(err); e != nil {
		p.add(e.Field, "%s", e.Message)
	}
}

// err returns nil for no problem, else one EInvalid error naming the first field, with every
// problem in Details["fields"] (see FieldProblems).
func (p fieldProblems) err() error {
	if len(p) == 0 {
		return nil
	}
	msgs := make([]string, len(p))
	fields := make([]map[string]string, len(p))
	for i, x := range p {
		msgs[i] = x.Message
		fields[i] = map[string]string{"field": x.Field, "message": x.Message}
	}
	return &Error{Code: EInvalid, Field: p[0].Field, Message: strings.Join(msgs, "；"), Details: map[string]any{"fields": fields}}
}

// requestTitle is the short title of a request: the first line of what it asks for.
func requestTitle(description string) string {
	line, _, _ := strings.Cut(description, "\n")
	r := []rune(strings.TrimSpace(line))
	if len(r) > 40 {
		return string(r[:40]) + "……"
	}
	return string(r)
}

// newRequest builds the request and its first reply deadlines.
func (s *Requests) newRequest(in Application, channel string, received Date, creator int64) (Request, []Effect, error) {
	def, err := s.Engine.Registry().Latest("request")
	if err != nil {
		return Request{}, nil, err
	}
	r := Request{
		Instance: Instance{Unit: s.unit(), Definition: def.Name, DefinitionVersion: def.Version, State: def.Initial,
			Facts: Facts{"received_on": received.String(), "channel": channel}},
		Title: requestTitle(in.Description), Channel: channel, ReceivedOn: received, ApplicantType: in.ApplicantType,
		ApplicantName: in.Name, ContactPerson: in.ContactPerson, IDType: in.IDType, IDNumber: in.IDNumber, Phone: in.Phone,
		Email: in.Email, Address: in.Address, Description: in.Description, Form: in.Form, Delivery: in.Delivery, Note: in.Note,
		CreatedBy: creator,
	}
	reply := s.replyEffects(r.Instance, DateOf(s.Now()))
	if v := replyDueFact(reply); v != "" {
		r.Facts["reply_due"] = v
	}
	return r, reply, nil
}

// PublicApplicant is the actor of a request filed on the public form. The audit log names it
// rather than the applicant, so that no personal information enters the append-only log.
var PublicApplicant = Actor{Username: "public", Name: "申请人（在线申请）"}

// Submit files a request from the public form. Its channel is online and its receipt date the
// day of submission (see RequestChannels). The request is committed before Submit returns, so a
// receipt number shown to the applicant is never lost. client is the sender's address for the
// rate limit: too many well-formed requests from one client are refused with ETooMany (a form sent
// back for a correction does not count, so an applicant fixing typos is not locked out).
func (s *Requests) Submit(ctx context.Context, in Application, client string) (Request, error) {
	in.Channel, in.ReceiptDate, in.Note = "", "", ""
	if err := normalizeApplication(&in); err != nil {
		return Request{}, err
	}
	now := s.Now()
	if err := s.Limiter.Check(client, now); err != nil {
		return Request{}, err
	}
	r, reply, err := s.newRequest(in, ChannelOnline, DateOf(now), 0)
	if err != nil {
		return Request{}, err
	}
	return s.Store.CreateRequest(ctx, r, PublicApplicant, now, reply)
}

// RequestStatus is what the applicant may see of their request's progress on the portal: no
// personal data, no internal notes, not the reply letter (that goes by the delivery chosen).
type RequestStatus struct {
	ReceiptNo  string
	Title      string
	ReceivedOn Date
	State      string // the state's Chinese label
	Stage      string // what is happening now, in a sentence
	ReplyDue   Date   // zero while the clock is stopped or once answered
	Extended   int    // working days the reply period was extended by
	Outcome    string // the outcome's Chinese label once answered or closed
	ClosedOn   Date
}

// Status looks up a request's progress for its applicant by receipt number and one of the contacts
// given on the application (phone number, e-mail address, or the last six characters of the
// identity document). A wrong number and a wrong contact get the same answer, and lookups are rate
// limited per client (LookupLimiter), so neither can be probed.
func (s *Requests) Status(ctx context.Context, receiptNo, contact, client string) (RequestStatus, error) {
	receiptNo = strings.ToUpper(strings.TrimSpace(receiptNo))
	contact = strings.TrimSpace(contact)
	if receiptNo == "" {
		return RequestStatus{}, invalid("receipt_no", "请填写受理编号（如 YSQ-2026-00001）")
	}
	if contact == "" {
		return RequestStatus{}, invalid("contact", "请填写申请时留下的联系电话、电子邮箱或身份证明号码的后六位")
	}
	if !utf8.ValidString(receiptNo) || !utf8.ValidString(contact) || len(receiptNo) > 40 || len(contact) > 200 {
		return RequestStatus{}, invalid("receipt_no", "受理编号或联系方式格式不正确")
	}
	if err := s.LookupLimiter.Check(client, s.Now()); err != nil {
		return RequestStatus{}, err
	}
	notFound := &Error{Code: ENotFound, Message: "没有找到与该受理编号和联系方式相符的申请，请核对后重试（联系方式须与申请时填写的一致）"}
	r, err := s.Store.RequestByReceipt(ctx, receiptNo)
	if err != nil {
		if ErrorCode(err) == ENotFound {
			return RequestStatus{}, notFound
		}
		return RequestStatus{}, err
	}
	if !contactMatches(r, contact) {
		return RequestStatus{}, notFound
	}
	out := RequestStatus{ReceiptNo: r.ReceiptNo, Title: r.Title, ReceivedOn: r.ReceivedOn, State: r.State, ReplyDue: r.ReplyDue,
		ClosedOn: r.ClosedOn}
	if def, err := s.Engine.Definition(r.Instance); err == nil {
		out.State = def.StateLabel(r.State)
	}
	if n, err := strconv.Atoi(r.Facts["extension_days"]); err == nil {
		out.Extended = n
	}
	if o, ok := RequestOutcomeOf(r.Outcome); ok {
		out.Outcome = o.Label
	}
	switch r.State {
	case RequestReceived, RequestProcessing, RequestExtensionPending:
		out.Stage = "正在办理，将在答复期限前答复。"
	case RequestAwaitingSupplement:
		out.Stage = "已向您发出补正通知，请按通知要求补正；收到补正后重新计算答复期限。"
		out.ReplyDue = Date{}
	case RequestConsulting:
		out.Stage = "正在征求第三方或其他机关的意见，所需时间不计入答复期限。"
		out.ReplyDue = Date{}
	case RequestAwaitingPayment:
		out.Stage = "已向您发出收费通知，缴费后继续办理；等待缴费的时间不计入答复期限。"
		out.ReplyDue = Date{}
	case RequestAnswered:
		out.Stage = "已作出答复，答复书按您申请时选择的方式送达。"
		out.ReplyDue = Date{}
	case RequestClosed:
		out.Stage = "已终止办理。"
		out.ReplyDue = Date{}
	}
	return out, nil
}

// contactMatches reports whether contact is one the applicant gave: the phone number (digits
// compared), the e-mail address (case ignored) or the last six characters of the identity document.
func contactMatches(r Request, contact string) bool {
	digits := func(v string) string {
		return strings.Map(func(c rune) rune {
			if c >= '0' && c <= '9' {
				return c
			}
			return -1
		}, v)
	}
	if d := digits(contact); r.Phone != "" && len(d) >= 7 && d == digits(r.Phone) {
		return true
	}
	if r.Email != "" && strings.EqualFold(contact, r.Email) {
		return true
	}
	id := []rune(strings.ToUpper(r.IDNumber))
	return len(id) >= 6 && len([]rune(contact)) == 6 && strings.ToUpper(contact) == string(id[len(id)-6:])
}

// Register records a request that reached the office by letter, visit, fax or e-mail
// (permission request:register). The receipt date follows the channel's rule (《条例》第31条):
// staff enter the day of submission, signing or confirmation; it may not be in the future.
func (s *Requests) Register(ctx context.Context, actor Actor, in Application) (Request, error) {
	if err := s.Auth.Authorize(ctx, actor, s.unit(), "request:register"); err != nil {
		return Request{}, err
	}
	if err := normalizeApplication(&in); err != nil {
		return Request{}, err
	}
	ch, ok := RequestChannelOf(in.Channel)
	if !ok || ch.Code == ChannelOnline {
		var codes []string
		for _, c := range RequestChannels()[1:] {
			codes = append(codes, c.Code+"（"+c.Label+"）")
		}
		return Request{}, invalid("channel", "请选择申请渠道：%s", strings.Join(codes, "、"))
	}
	now := s.Now()
	today := DateOf(now)
	received := today
	if in.ReceiptDate != "" {
		d, err := ParseDate(in.ReceiptDate)
		if err != nil {
			return Request{}, invalid("receipt_date", "%s请写成 YYYY-MM-DD 格式的日期", ch.DateLabel)
		}
		received = d
	} else if ch.Code != "in_person" && ch.Code != "oral" {
		return Request{}, invalid("receipt_date", "请填写%s：%s", ch.DateLabel, ch.Rule)
	}
	if received.After(today) {
		return Request{}, invalid("receipt_date", "%s（%s）不能晚于今天", ch.DateLabel, received)
	}
	if received.Before(today.AddDays(-366)) {
		return Request{}, invalid("receipt_date", "%s（%s）早于一年前，请核对", ch.DateLabel, received)
	}
	r, reply, err := s.newRequest(in, ch.Code, received, actor.UserID)
	if err != nil {
		return Request{}, err
	}
	return s.Store.CreateRequest(ctx, r, actor, now, reply)
}

// Get loads a request the actor may read (permission request:read).
func (s *Requests) Get(ctx context.Context, actor Actor, id int64) (Request, error) {
	r, err := s.Store.Request(ctx, id)
	if err != nil {
		if ErrorCode(err) == ENotFound {
			return Request{}, requestNotFound()
		}
		return Request{}, err
	}
	if !s.Auth.Can(actor.Username, r.Unit, "request:read") {
		return Request{}, requestNotFound()
	}
	return r, nil
}

// List returns the requests the actor may read, newest first (permission request:read).
func (s *Requests) List(ctx context.Context, actor Actor, q RequestQuery) ([]Request, int, error) {
	if err := s.Auth.Authorize(ctx, actor, s.unit(), "request:read"); err != nil {
		return nil, 0, err
	}
	q.Text = strings.TrimSpace(q.Text)
	if err := checkText("q", q.Text, 100, false); err != nil {
		return nil, 0, err
	}
	return s.Store.ListRequests(ctx, q)
}

// replyEffects computes the pending reply deadline of inst and its reminder, or none when the
// clock does not run.
func (s *Requests) replyEffects(inst Instance, today Date) []Effect {
	rc, ok := RequestClockOf(inst)
	if !ok {
		return nil
	}
	cal := s.Engine.Calendar()
	d := cal.ReplyDeadline(rc)
	if d.Suspended {
		return nil
	}
	due := Effect{Kind: EffectDeadline, Name: "reply_due", Action: ActionOverdue, Role: "disclosure_officer"}
	setCount(&due, d.Count)
	due.Explanation = d.Explanation()
	out := []Effect{due}
	if c, ok := cal.Reminder(d, RequestRemindBefore); ok && !c.Due.Before(today) {
		r := Effect{Kind: EffectDeadline, Name: "reply_due.remind", Action: ActionRemind, Role: "disclosure_officer"}
		setCount(&r, c)
		r.Explanation = fmt.Sprintf("提前 %d 个工作日提醒：%s", RequestRemindBefore, d.Explanation())
		out = append(out, r)
	}
	return out
}

func replyDueFact(reply []Effect) string {
	for _, e := range reply {
		if e.Name == "reply_due" {
			return e.DueDate.String()
		}
	}
	return ""
}

// derivedInputs are the inputs the use case computes itself; they are never asked of the user.
var derivedInputs = []string{"supplement_due_at", "pay_due_at"}

// Fire fires the transition called name on request id for actor, if the request is still at
// version (0 = do not check). The use case checks what the statute requires beyond the flow: the
// 补正 notice only within 7 working days of receipt and with a later supplement date; one
// extension of at most 20 working days, asked for before the reply is due; an outcome that is a
// leaf row of Table 三 and not one the system records itself. It then recomputes the reply
// deadline from the new facts (RequestClockOf, Calendar.ReplyDeadline) and stores the transition
// and the replaced deadline in one transaction.
func (s *Requests) Fire(ctx context.Context, actor Actor, id int64, version int, name string, in Input) (Request, error) {
	r, err := s.Get(ctx, actor, id)
	if err != nil {
		return Request{}, err
	}
	if version != 0 && version != r.Version {
		return Request{}, &Error{Code: EConflict, Message: fmt.Sprintf("申请已被他人处理（您看到的是第 %d 版，当前为第 %d 版），请刷新后重试", version, r.Version),
			Details: map[string]any{"your_version": version, "current_version": r.Version}}
	}
	clean := Input{}
	for k, v := range in {
		if slices.Contains(derivedInputs, k) {
			continue
		}
		if err := checkText(k, v, MaxShortRunes*5, true); err != nil {
			return Request{}, err
		}
		clean[k] = strings.TrimSpace(v)
	}
	perm, err := s.Engine.Permission(r.Instance, name)
	if err != nil {
		return Request{}, err
	}
	if err := s.Auth.Authorize(ctx, actor, r.Unit, perm); err != nil {
		return Request{}, err
	}
	if name == "approve_extension" || name == "reject_extension" {
		if err := s.notOwnExtension(ctx, actor, r); err != nil {
			return Request{}, err
		}
	}
	now := s.Now()
	today := DateOf(now)
	if err := s.prepare(r, name, clean, today); err != nil {
		return Request{}, err
	}
	res, err := s.Engine.Fire(r.Instance, name, actor, clean, now)
	if err != nil {
		return Request{}, err
	}
	if err := finishRequest(r.Instance, &res, clean); err != nil {
		return Request{}, err
	}
	reply := s.replyEffects(res.Instance, today)
	if v := replyDueFact(reply); v != "" {
		res.Instance.Facts["reply_due"] = v
	} else {
		delete(res.Instance.Facts, "reply_due")
	}
	if _, err := s.Store.ApplyRequest(ctx, r.Instance, res, reply); err != nil {
		return Request{}, err
	}
	return s.Store.Request(ctx, id)
}

// notOwnExtension refuses a decision on an extension by the person who asked for it: the period is
// extended with the approval of the head of the disclosure office (《条例》第三十三条第二款), not
// by the handler alone, even one who also holds the head's role.
func (s *Requests) notOwnExtension(ctx context.Context, actor Actor, r Request) error {
	history, err := s.Store.History(ctx, "request", r.ID)
	if err != nil {
		return err
	}
	for i := len(history) - 1; i >= 0; i-- {
		if history[i].Action != "request_extension" {
			continue
		}
		if actor.UserID != 0 && history[i].ActorID == actor.UserID {
			return &Error{Code: EForbidden, Message: "延期答复须经政务公开工作机构负责人批准，申请延期的本人不能批准或驳回自己的延期申请"}
		}
		return nil
	}
	return nil
}

// inputDate reads an optional date input (default today) that may lie neither in the future nor
// before notBefore.
func inputDate(in Input, field, label string, today, notBefore Date) error {
	v := in[field]
	if v == "" {
		in[field] = today.String()
		return nil
	}
	d, err := ParseDate(v)
	if err != nil {
		return invalid(field, "%s请写成 YYYY-MM-DD 格式的日期", label)
	}
	if d.After(today) {
		return invalid(field, "%s（%s）不能晚于今天", label, d)
	}
	if !notBefore.IsZero() && d.Before(notBefore) {
		return invalid(field, "%s（%s）不能早于 %s", label, d, notBefore)
	}
	in[field] = d.String()
	return nil
}

// futureDate reads a date input that must lie after today, within 120 days, and returns the
// RFC 3339 instant of the last second of its day: a deadline on it falls due then and is shown on
// that day. A missing input gives "" and is reported by the engine.
func futureDate(in Input, field, label string, today Date) (string, error) {
	v := in[field]
	if v == "" {
		return "", nil
	}
	d, err := ParseDate(v)
	if err != nil {
		return "", invalid(field, "%s请写成 YYYY-MM-DD 格式的日期", label)
	}
	if !d.After(today) {
		return "", invalid(field, "%s（%s）应晚于今天", label, d)
	}
	if d.After(today.AddDays(120)) {
		return "", invalid(field, "%s（%s）过远，请给出合理期限", label, d)
	}
	in[field] = d.String()
	return d.End().Add(-time.Second).UTC().Format(time.RFC3339), nil
}

// currentDue is the reply due date of inst now, or the zero Date when the clock does not run.
func (s *Requests) currentDue(inst Instance) Date {
	rc, ok := RequestClockOf(inst)
	if !ok {
		return Date{}
	}
	return s.Engine.Calendar().ReplyDeadline(rc).Due
}

// SupplementNoticeBy returns the last day the office may ask for a supplement to a request
// received on received (《条例》第30条), with the count behind it.
func (s *Requests) SupplementNoticeBy(received Date) Count {
	return s.Engine.Calendar().AddWorkingDays(received, RequestSupplementNoticeDays)
}

// prepare checks the statutory conditions of a transition and derives its computed inputs.
func (s *Requests) prepare(r Request, name string, in Input, today Date) error {
	f := r.Facts
	switch name {
	case "request_supplement":
		limit := s.SupplementNoticeBy(r.ReceivedOn)
		if today.After(limit.Due) {
			return &Error{Code: EGuardFailed, Message: fmt.Sprintf("补正通知应在收到申请之日起 %d 个工作日内一次性发出（《条例》第三十条）：%s现已逾期，不能再要求补正",
				RequestSupplementNoticeDays, limit.Explanation())}
		}
		at, err := futureDate(in, "supplement_by", "补正期限", today)
		if err != nil {
			return err
		}
		if at != "" {
			in["supplement_due_at"] = at
		}
	case "receive_supplement":
		requested, _ := ParseDate(f["supplement_requested_on"])
		return inputDate(in, "supplemented_on", "收到补正的日期", today, requested)
	case "consult":
		if in["consult_kind"] != PauseThirdParty && in["consult_kind"] != PauseCoMaker {
			return invalid("consult_kind", "征求意见的对象只能是 third_party（第三方，《条例》第三十二条）或 co_maker（共同制作的其他机关，第三十四条）")
		}
	case "consultation_answered":
		started, _ := ParseDate(f["consult_started_on"])
		return inputDate(in, "answered_on", "收到答复的日期", today, started)
	case "notify_fee":
		if v := in["fee_amount"]; v != "" {
			amount, err := strconv.ParseFloat(v, 64)
			if err != nil || amount <= 0 || amount > 1e6 {
				return invalid("fee_amount", "收费金额应为大于 0 的数字（元）")
			}
		}
		at, err := futureDate(in, "pay_by", "缴费期限", today)
		if err != nil {
			return err
		}
		if at != "" {
			in["pay_due_at"] = at
		}
	case "fee_paid":
		notified, _ := ParseDate(f["fee_notified_on"])
		return inputDate(in, "fee_paid_on", "缴费日期", today, notified)
	case "request_extension":
		if f["extension_days"] != "" {
			return &Error{Code: EGuardFailed, Message: fmt.Sprintf("答复期限已延长过 %s 个工作日；《条例》第三十三条只允许延长一次", f["extension_days"])}
		}
		if v := in["extension_days"]; v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > RequestMaxExtensionDays {
				return invalid("extension_days", "延长的天数应为 1 到 %d 之间的整数（工作日）", RequestMaxExtensionDays)
			}
			in["extension_days"] = strconv.Itoa(n)
		}
		if due := s.currentDue(r.Instance); !due.IsZero() && today.After(due) {
			return &Error{Code: EGuardFailed, Message: fmt.Sprintf("答复期限已于 %s 届满，不能再申请延期", due)}
		}
	case "answer":
		key := in["outcome"]
		if key == "" {
			return nil
		}
		o, ok := RequestOutcomeOf(key)
		switch {
		case !ok:
			var keys []string
			for _, o := range RequestOutcomes() {
				if !o.System {
					keys = append(keys, o.Key)
				}
			}
			return invalid("outcome", "办理结果 %q 无效，应为年度报告表三的一个末级项目：%s", key, strings.Join(keys, "、"))
		case o.System:
			return invalid("outcome", "“%s”由系统在补正或缴费期限届满时自动登记，不能手工选择", o.Label)
		case key == "三(四)3" && f["supplemented_on"] == "":
			return invalid("outcome", "“补正后申请内容仍不明确”只适用于申请人已补正的申请")
		}
	}
	return nil
}

// finishRequest keeps the facts the flow cannot express in its set: a finished pause joins the
// pauses, an approved extension takes effect.
func finishRequest(prev Instance, res *Result, in Input) error {
	f := res.Instance.Facts
	pauses, err := ParsePauses(f["pauses"])
	if err != nil {
		return fmt.Errorf("read pauses of request %d: %w", prev.ID, err)
	}
	switch res.Event.Transition {
	case "consultation_answered":
		from, _ := ParseDate(prev.Facts["consult_started_on"])
		to, _ := ParseDate(in["answered_on"])
		pauses = append(pauses, Pause{Kind: prev.Facts["consult_kind"], From: from, To: to})
		f["pauses"] = FormatPauses(pauses)
		delete(f, "consult_started_on")
	case "fee_paid":
		from, _ := ParseDate(prev.Facts["fee_notified_on"])
		to, _ := ParseDate(in["fee_paid_on"])
		pauses = append(pauses, Pause{Kind: PauseFee, From: from, To: to})
		f["pauses"] = FormatPauses(pauses)
		delete(f, "fee_notified_on")
	case "request_extension":
		// Who asked, so that they are not offered the decision (notOwnExtension).
		f["extension_requested_by"] = res.Event.Actor.Username
	case "approve_extension":
		f["extension_days"] = prev.Facts["extension_requested_days"]
		delete(f, "extension_requested_days")
	case "reject_extension":
		delete(f, "extension_requested_days")
	}
	return nil
}

// Available returns the transitions the actor may fire on r now, with the inputs to ask for
// (those the use case derives are left out).
func (s *Requests) Available(actor Actor, r Request) []TransitionView {
	var out []TransitionView
	now := s.Now()
	for _, t := range s.Engine.Available(r.Instance, actor, now) {
		if t.Permission == "" || !s.Auth.Can(actor.Username, r.Unit, t.Permission) {
			continue
		}
		if t.Name == "request_supplement" && DateOf(now).After(s.SupplementNoticeBy(r.ReceivedOn).Due) {
			continue
		}
		if t.Name == "request_extension" && r.Facts["extension_days"] != "" {
			continue
		}
		if (t.Name == "approve_extension" || t.Name == "reject_extension") && r.Facts["extension_requested_by"] != "" &&
			r.Facts["extension_requested_by"] == actor.Username {
			continue
		}
		req := []string{}
		for _, in := range t.Requires {
			if !slices.Contains(derivedInputs, in) {
				req = append(req, in)
			}
		}
		out = append(out, TransitionView{Name: t.Name, Label: t.Label, Requires: req})
	}
	return out
}

// RequestDetail is everything the request page shows.
type RequestDetail struct {
	Request     Request
	Definition  *Definition
	StateLabel  string
	Available   []TransitionView
	History     []AuditEntry
	Deadlines   []Deadline
	Transitions map[string]string // transition name → label, for the history
	// Reply is the reply deadline as it stands, with its explanation; nil when the request is
	// closed or waits for a supplement.
	Reply *ReplyDeadline
	// Overdue reports that the reply was due before today and the request is still open.
	Overdue bool
	// SupplementNoticeBy is the last day a 补正 notice may be sent; the zero Count once it no
	// longer can.
	SupplementNoticeBy Count
	// MonthCount is the number of requests the applicant filed in the month of receipt, up to
	// this one, and FeeHint the fee per request that count allows (FeeFor).
	MonthCount int
	FeeHint    int
	Outcome    RequestOutcome // the outcome once closed
}

// Detail loads a request with its history, deadlines, reply clock and what the actor may do now.
func (s *Requests) Detail(ctx context.Context, actor Actor, id int64) (RequestDetail, error) {
	r, err := s.Get(ctx, actor, id)
	if err != nil {
		return RequestDetail{}, err
	}
	def, err := s.Engine.Definition(r.Instance)
	if err != nil {
		return RequestDetail{}, err
	}
	hist, err := s.Store.History(ctx, "request", id)
	if err != nil {
		return RequestDetail{}, err
	}
	dls, err := s.Store.Deadlines(ctx, "request", id)
	if err != nil {
		return RequestDetail{}, err
	}
	n, err := s.Store.ApplicantMonthCount(ctx, r)
	if err != nil {
		return RequestDetail{}, err
	}
	labels := map[string]string{"create": "登记申请"}
	for _, t := range def.Transitions {
		labels[t.Name] = t.Label
	}
	today := DateOf(s.Now())
	d := RequestDetail{Request: r, Definition: def, StateLabel: def.StateLabel(r.State), Available: s.Available(actor, r),
		History: hist, Deadlines: dls, Transitions: labels, MonthCount: n, FeeHint: FeeFor(n)}
	if rc, ok := RequestClockOf(r.Instance); ok {
		reply := s.Engine.Calendar().ReplyDeadline(rc)
		d.Reply = &reply
		d.Overdue = !reply.Suspended && today.After(reply.Due)
	}
	if r.State == RequestReceived {
		if c := s.SupplementNoticeBy(r.ReceivedOn); !today.After(c.Due) {
			d.SupplementNoticeBy = c
		}
	}
	if r.Outcome != "" {
		d.Outcome, _ = RequestOutcomeOf(r.Outcome)
	}
	return d, nil
}

// The kinds of administrative reconsideration and litigation cases (Table 四), as the report
// package codes them.
const (
	CaseReconsideration                = "reconsideration"                  // 行政复议
	CaseLitigationDirect               = "litigation_direct"                // 行政诉讼：未经复议直接起诉
	CaseLitigationAfterReconsideration = "litigation_after_reconsideration" // 行政诉讼：复议后起诉
)

// The outcomes of a case (Table 四).
const (
	CaseUpheld    = "upheld"    // 结果维持
	CaseCorrected = "corrected" // 结果纠正
	CaseOther     = "other"     // 其他结果
	CasePending   = "pending"   // 尚未审结
)

// CaseKindLabel returns the Chinese name of a case kind, or "" for an unknown one.
func CaseKindLabel(kind string) string {
	switch kind {
	case CaseReconsideration:
		return "行政复议"
	case CaseLitigationDirect:
		return "行政诉讼（未经复议直接起诉）"
	case CaseLitigationAfterReconsideration:
		return "行政诉讼（复议后起诉）"
	}
	return ""
}

// CaseOutcomeLabel returns the Chinese name of a case outcome, or "" for an unknown one.
func CaseOutcomeLabel(outcome string) string {
	switch outcome {
	case CaseUpheld:
		return "结果维持"
	case CaseCorrected:
		return "结果纠正"
	case CaseOther:
		return "其他结果"
	case CasePending:
		return "尚未审结"
	}
	return ""
}

// Case is an administrative reconsideration (行政复议) or lawsuit (行政诉讼) about the bureau's
// disclosure work, as Table 四 of the annual report counts it.
type Case struct {
	ID            int64
	Version       int
	Kind          string // CaseReconsideration, CaseLitigationDirect or CaseLitigationAfterReconsideration
	CaseNo        string // 案号
	Organ         string // the reconsideration organ or the court
	ApplicantName string
	RequestID     int64 // the request the case is about, 0 if none
	FiledOn       Date  // 立案 or 起诉
	ConcludedOn   Date  // zero while pending
	Outcome       string
	Summary       string
	CreatedBy     int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// CaseInput is what staff record about a case; on update every field is replaced.
type CaseInput struct {
	Kind          string
	CaseNo        string
	Organ         string
	ApplicantName string
	RequestID     int64
	FiledOn       string // YYYY-MM-DD
	ConcludedOn   string // YYYY-MM-DD, empty while pending
	Outcome       string // CasePending (the default) while not concluded
	Summary       string
}

// CaseQuery filters the case list.
type CaseQuery struct {
	Year   int // filed by the end of this year and not concluded before it
	Kind   string
	Limit  int
	Offset int
}

// CaseStore is what the case use cases need from the database.
type CaseStore interface {
	CreateCase(ctx context.Context, c Case, actor Actor, now time.Time) (Case, error)
	// UpdateCase saves c if the stored version is still prevVersion, with an audit event.
	UpdateCase(ctx context.Context, c Case, prevVersion int, actor Actor, now time.Time) (Case, error)
	Case(ctx context.Context, id int64) (Case, error)
	ListCases(ctx context.Context, q CaseQuery) ([]Case, int, error)
}

// Cases holds the use cases of reconsideration and litigation records (permission case:record).
type Cases struct {
	Store CaseStore
	Auth  Authz
	Clock Clock
	Unit  string // the unit the permission is checked in; DefaultRequestUnit when empty
}

func (s *Cases) now() time.Time {
	if s.Clock == nil {
		return time.Now()
	}
	return s.Clock.Now()
}

func (s *Cases) unit() string {
	if s.Unit == "" {
		return DefaultRequestUnit
	}
	return s.Unit
}

// caseFrom checks in and returns the case it describes.
func caseFrom(in CaseInput, today Date) (Case, error) {
	c := Case{Kind: strings.TrimSpace(in.Kind), CaseNo: strings.TrimSpace(in.CaseNo), Organ: strings.TrimSpace(in.Organ),
		ApplicantName: strings.TrimSpace(in.ApplicantName), RequestID: in.RequestID, Outcome: strings.TrimSpace(in.Outcome),
		Summary: strings.TrimSpace(in.Summary)}
	if CaseKindLabel(c.Kind) == "" {
		return Case{}, invalid("kind", "案件类型只能是 reconsideration（行政复议）、litigation_direct（未经复议直接起诉）或 litigation_after_reconsideration（复议后起诉）")
	}
	for _, f := range []struct{ field, v string }{{"case_no", c.CaseNo}, {"organ", c.Organ}, {"applicant_name", c.ApplicantName}} {
		if err := checkText(f.field, f.v, maxApplicantRunes, false); err != nil {
			return Case{}, err
		}
	}
	if err := checkText("summary", c.Summary, MaxShortRunes, true); err != nil {
		return Case{}, err
	}
	filed, err := ParseDate(strings.TrimSpace(in.FiledOn))
	if err != nil {
		return Case{}, invalid("filed_on", "请填写立案（起诉）日期，格式 YYYY-MM-DD")
	}
	if filed.After(today) {
		return Case{}, invalid("filed_on", "立案（起诉）日期不能晚于今天")
	}
	c.FiledOn = filed
	if v := strings.TrimSpace(in.ConcludedOn); v != "" {
		if c.ConcludedOn, err = ParseDate(v); err != nil {
			return Case{}, invalid("concluded_on", "审结日期请写成 YYYY-MM-DD 格式的日期")
		}
		if c.ConcludedOn.Before(filed) || c.ConcludedOn.After(today) {
			return Case{}, invalid("concluded_on", "审结日期应在立案日期 %s 与今天之间", filed)
		}
	}
	if c.Outcome == "" {
		c.Outcome = CasePending
	}
	switch {
	case CaseOutcomeLabel(c.Outcome) == "":
		return Case{}, invalid("outcome", "结果只能是 upheld（维持）、corrected（纠正）、other（其他）或 pending（尚未审结）")
	case c.Outcome == CasePending && !c.ConcludedOn.IsZero():
		return Case{}, invalid("outcome", "已填写审结日期的案件，请选择审结结果（维持、纠正或其他）")
	case c.Outcome != CasePending && c.ConcludedOn.IsZero():
		return Case{}, invalid("concluded_on", "已有结果的案件请填写审结日期")
	}
	return c, nil
}

// Record records a new case.
func (s *Cases) Record(ctx context.Context, actor Actor, in CaseInput) (Case, error) {
	if err := s.Auth.Authorize(ctx, actor, s.unit(), "case:record"); err != nil {
		return Case{}, err
	}
	now := s.now()
	c, err := caseFrom(in, DateOf(now))
	if err != nil {
		return Case{}, err
	}
	c.CreatedBy = actor.UserID
	return s.Store.CreateCase(ctx, c, actor, now)
}

// Update replaces a case's record, if it is still at version (0 = do not check).
func (s *Cases) Update(ctx context.Context, actor Actor, id int64, version int, in CaseInput) (Case, error) {
	if err := s.Auth.Authorize(ctx, actor, s.unit(), "case:record"); err != nil {
		return Case{}, err
	}
	old, err := s.Store.Case(ctx, id)
	if err != nil {
		return Case{}, err
	}
	if version == 0 {
		version = old.Version
	}
	now := s.now()
	c, err := caseFrom(in, DateOf(now))
	if err != nil {
		return Case{}, err
	}
	c.ID, c.CreatedBy, c.CreatedAt = id, old.CreatedBy, old.CreatedAt
	return s.Store.UpdateCase(ctx, c, version, actor, now)
}

// Get loads one case.
func (s *Cases) Get(ctx context.Context, actor Actor, id int64) (Case, error) {
	if err := s.Auth.Authorize(ctx, actor, s.unit(), "case:record"); err != nil {
		return Case{}, err
	}
	return s.Store.Case(ctx, id)
}

// List lists cases, newest filed first.
func (s *Cases) List(ctx context.Context, actor Actor, q CaseQuery) ([]Case, int, error) {
	if err := s.Auth.Authorize(ctx, actor, s.unit(), "case:record"); err != nil {
		return nil, 0, err
	}
	return s.Store.ListCases(ctx, q)
}

// ReportFigure is one Table 二 row of the annual report the disclosure office enters: its block
// (e.g. "第二十条第（五）项"), its label and one value per column after 信息内容 (nil = blank).
type ReportFigure struct {
	Item   string
	Label  string
	Values []*float64
}

// ReportInputs is what the disclosure office writes for a year's annual report: the text of
// sections 一, 五 and 六 and the Table 二 figures the system does not count. Once the report is
// marked final (Final), it no longer changes.
type ReportInputs struct {
	Year        int
	Version     int // 0 before anything was saved
	Sections    map[string]string
	Figures     []ReportFigure
	UpdatedAt   time.Time
	UpdatedBy   string
	Final       bool
	FinalizedAt time.Time
	FinalizedBy string
}
