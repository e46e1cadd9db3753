package requests

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"wugongkai/workflow"
)

func invalid(field, format string, args ...any) error {
	return &workflow.Error{Code: workflow.EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
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
			return &workflow.Error{Code: workflow.EInvalid, Field: f.name, Message: "申请内容含有无效字符（不是合法的 UTF-8 文本），请检查后重新提交"}
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
		p.addErr(workflow.CheckText(f.field, f.v, maxApplicantRunes, false))
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
		p.addErr(workflow.CheckText("description", in.Description, MaxDescriptionRunes, true))
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
	p.addErr(workflow.CheckText("note", in.Note, workflow.MaxShortRunes, true))
	return p.err()
}

// fieldProblems collects the problems of a form, at most one per field, in the order found.
type fieldProblems []workflow.FieldProblem

// add records field's problem unless the field already has one.
func (p *fieldProblems) add(field, format string, args ...any) {
	for _, x := range *p {
		if x.Field == field {
			return
		}
	}
	*p = append(*p, workflow.FieldProblem{Field: field, Message: fmt.Sprintf(format, args...)})
}

// addErr records a check's error (an *Error naming its field); nil is ignored.
func (p *fieldProblems) addErr(err error) {
	if e := workflow.AsError(err); e != nil {
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
	return &workflow.Error{Code: workflow.EInvalid, Field: p[0].Field, Message: strings.Join(msgs, "；"), Details: map[string]any{"fields": fields}}
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
