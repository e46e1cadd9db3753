package requests

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"wugongkai/workflow"
)

// FuzzNormalizeApplication checks the disclosure request form's rules (《条例》第二十九条) on any
// input: never a panic; a refusal is an invalid *Error naming its field with a Chinese message; an
// accepted application names the applicant with a valid identity document and at least one way to
// reach them, describes the information, has a known form and delivery that it can be sent by,
// carries no control characters, and normalising it again changes nothing.
func FuzzNormalizeApplication(f *testing.F) {
	f.Add("natural", "张三", IDResidentCard, "11010519491231002x", "13800000000", "", "河南省许昌市某路1号", "请公开城市道路占用挖掘管理的有关文件。", "纸质", "邮寄")
	f.Add("commercial", "某某建设有限公司", IDCreditCode, "91410100MA12345678", "", "office@example.com", "", "2025年建筑市场信用评价结果", "电子邮件", "电子邮件")
	f.Add("natural", " 李四 ", IDResidentCard, "11010519491231002Y", "1' OR '1'='1", "<script>@x", "", "请\u202e公开", "光盘", "快递")
	f.Add("research", "研究所\x00", "护照", "E12345678", "0371-12345678", "", "", "", "", "")
	f.Add("other", strings.Repeat("名", 201), IDCreditCode, "123", "", "", "地址", "描述\r\n第二行", "磁盘", "当面领取")
	f.Fuzz(func(t *testing.T, applicant, name, idType, idNumber, phone, email, address, description, form, delivery string) {
		in := Application{ApplicantType: applicant, Name: name, IDType: idType, IDNumber: idNumber, Phone: phone, Email: email,
			Address: address, Description: description, Form: form, Delivery: delivery}
		err := normalizeApplication(&in)
		if err != nil {
			e := workflow.AsError(err)
			if e == nil || e.Code != workflow.EInvalid || e.Field == "" || e.Message == "" || !utf8.ValidString(e.Message) {
				t.Fatalf("normalizeApplication = %#v, want an invalid error naming a field", err)
			}
			return
		}
		at, ok := applicantType(in.ApplicantType)
		switch {
		case !ok:
			t.Fatalf("accepted applicant type %q", in.ApplicantType)
		case in.Name == "" || utf8.RuneCountInString(in.Name) > maxApplicantRunes:
			t.Fatalf("accepted name %q", in.Name)
		case !slices.Contains(RequestIDTypes(at.Organization), in.IDType):
			t.Fatalf("accepted identity document %q for %q", in.IDType, in.ApplicantType)
		case in.IDNumber != strings.ToUpper(in.IDNumber) || !idNumberRE.MatchString(in.IDNumber):
			t.Fatalf("accepted identity number %q", in.IDNumber)
		case in.IDType == IDResidentCard && !residentCardValid(in.IDNumber):
			t.Fatalf("accepted resident card number %q with a wrong check digit", in.IDNumber)
		case in.Phone == "" && in.Email == "" && in.Address == "":
			t.Fatal("accepted an application with no way to reach the applicant")
		case utf8.RuneCountInString(in.Description) < 2:
			t.Fatalf("accepted description %q", in.Description)
		case !slices.Contains(RequestForms(), in.Form) || !slices.Contains(RequestDeliveries(), in.Delivery):
			t.Fatalf("accepted form %q, delivery %q", in.Form, in.Delivery)
		case in.Delivery == "电子邮件" && in.Email == "", (in.Delivery == "邮寄" || in.Delivery == "快递") && in.Address == "":
			t.Fatalf("accepted delivery %q without where to deliver", in.Delivery)
		}
		for field, v := range map[string]string{"name": in.Name, "id_number": in.IDNumber, "phone": in.Phone, "email": in.Email,
			"address": in.Address, "description": in.Description} {
			if !utf8.ValidString(v) || v != strings.TrimSpace(v) {
				t.Fatalf("%s not valid UTF-8 or not trimmed: %q", field, v)
			}
			for _, r := range v {
				if (r < 0x20 && !(field == "description" && (r == '\n' || r == '\r' || r == '\t'))) || r == 0x7f {
					t.Fatalf("%s keeps control character %U: %q", field, r, v)
				}
			}
		}
		again := in
		if err := normalizeApplication(&again); err != nil || again != in {
			t.Fatalf("normalising %+v again gave %+v, %v", in, again, err)
		}
	})
}
