package requests

import (
	"context"
	"strconv"
	"strings"
	"time"

	"wugongkai/workflow"
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
func RequestClockOf(inst workflow.Instance) (RequestClock, bool) {
	f := inst.Facts
	switch inst.State {
	case RequestAwaitingSupplement, RequestAnswered, RequestClosed:
		return RequestClock{}, false
	}
	rc := RequestClock{}
	rc.Received, _ = workflow.ParseDate(f["received_on"])
	if rc.Received.IsZero() {
		return RequestClock{}, false
	}
	rc.Supplemented, _ = workflow.ParseDate(f["supplemented_on"])
	rc.Pauses, _ = ParsePauses(f["pauses"])
	switch inst.State {
	case RequestConsulting:
		if from, err := workflow.ParseDate(f["consult_started_on"]); err == nil {
			rc.Pauses = append(rc.Pauses, Pause{Kind: f["consult_kind"], From: from})
		}
	case RequestAwaitingPayment:
		if from, err := workflow.ParseDate(f["fee_notified_on"]); err == nil {
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
// publicly, and the use cases mask them (Masked) in lists and for anyone who does not handle
// requests.
type Request struct {
	workflow.Instance
	ReceiptNo     string
	Title         string        // a short title for lists and notifications: the first line of what is asked for
	Channel       string        // a RequestChannels code
	ReceivedOn    workflow.Date // the receipt date under 《条例》第31条
	ApplicantType string        // a RequestApplicantTypes code
	ApplicantName string        // a person's or organisation's name
	ContactPerson string        // an organisation's contact person
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
	ReplyDue      workflow.Date // the pending reply due date; zero while suspended or closed
	Outcome       string        // the outcome key once closed
	ClosedOn      workflow.Date
}

// Open reports whether the request still waits for an answer.
func (r Request) Open() bool { return r.State != RequestAnswered && r.State != RequestClosed }

// Masked returns r with the applicant's name (a natural person's: MaskName), identity document
// number and contacts masked.
func (r Request) Masked() Request {
	r.ApplicantName = MaskName(r.ApplicantName, r.ApplicantType)
	r.ContactPerson = MaskName(r.ContactPerson, "natural")
	r.IDNumber = MaskID(r.IDNumber)
	r.Phone, r.Email, r.Address = MaskContact(r.Phone), MaskContact(r.Email), MaskContact(r.Address)
	return r
}

// MaskName masks a natural person's name: the first character stays. The names of organisations
// (applicant types with Organization set) are public and stay whole.
func MaskName(name, typ string) string {
	if a, ok := applicantType(typ); ok && a.Organization {
		return name
	}
	r := []rune(name)
	if len(r) <= 1 {
		return name
	}
	return string(r[:1]) + strings.Repeat("*", len(r)-1)
}

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
	States    []string      // nil = every state
	Open      bool          // only requests still waiting for an answer
	Overdue   workflow.Date // if set, only open requests whose reply was due before this day
	Year      int           // received in this year
	Applicant string        // applicant type code
	Text      string        // part of the receipt number, the applicant's name or the information sought
	Limit     int
	Offset    int
}

// RequestStore is what the request use cases need from the database.
type RequestStore interface {
	// CreateRequest inserts r at version 1 with a new receipt number, its first audit event, the
	// reply deadlines in reply and a notification of the disclosure office, in one transaction.
	CreateRequest(ctx context.Context, r Request, actor workflow.Actor, now time.Time, reply []workflow.Effect) (Request, error)
	Request(ctx context.Context, id int64) (Request, error)
	ListRequests(ctx context.Context, q RequestQuery) ([]Request, int, error)
	// RequestByReceipt returns the request with receipt number no (ENotFound if none).
	RequestByReceipt(ctx context.Context, no string) (Request, error)
	// ApplyRequest applies res like Store.Apply and, in the same transaction, replaces the
	// request's pending reply deadlines (reply_due and reply_due.remind) with reply.
	ApplyRequest(ctx context.Context, prev workflow.Instance, res workflow.Result, reply []workflow.Effect) (workflow.Instance, error)
	// ApplicantMonthCount returns how many requests the applicant of r filed in the calendar
	// month of r's receipt, up to and including r.
	ApplicantMonthCount(ctx context.Context, r Request) (int, error)
	History(ctx context.Context, kind string, id int64) ([]workflow.AuditEntry, error)
	Deadlines(ctx context.Context, kind string, id int64) ([]workflow.Deadline, error)
}
