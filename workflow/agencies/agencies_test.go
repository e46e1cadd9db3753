package agencies

import (
	"strings"
	"testing"

	"wugongkai/workflow"
)

func TestCheckCreditCode(t *testing.T) {
	for _, tc := range []struct {
		code, want string // want: a fragment of the Chinese message, "" = valid
	}{
		{"91350100M000100Y43", ""},
		{"91350100m000100y43", "第 9 位“m”不是有效字符"},
		{"114110000057945108", ""},
		{"91350100M000100Y44", "校验位不符（按前 17 位应为“3”）"},
		{"91350100M000100Y4", "应为 18 位（现为 17 位）"},
		{"91350100M000100Y433", "应为 18 位（现为 19 位）"},
		{"91350100MO00100Y43", "第 10 位“O”不是有效字符"},
		{"9135010０M000100Y43", "第 8 位“０”不是有效字符"},
		{"", "应为 18 位"},
	} {
		t.Run(tc.code, func(t *testing.T) {
			err := CheckCreditCode(tc.code)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused a valid code: %v", err)
				}
				return
			}
			if workflow.ErrorCode(err) != workflow.EInvalid || !strings.Contains(workflow.ErrorMessage(err), tc.want) {
				t.Fatalf("got %v, want invalid with %q", err, tc.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	ok := NewAgency{Code: "11411000MB0000001", Name: "许昌市发展和改革委员会", CreditCode: "114110000057945108",
		Host: "FGW.localhost:8080", RequestUnit: "bangongshi", RequestUnitName: "办公室", AdminUsername: "Fgw-Admin", AdminPassword: "x"}
	got, err := Check(ok)
	if err != nil {
		t.Fatal(err)
	}
	if got.Host != "fgw.localhost" || got.CreditCode != "114110000057945108" || got.AdminUsername != "fgw-admin" || got.AdminName == "" {
		t.Fatalf("not normalised: %+v", got)
	}
	for _, tc := range []struct {
		field string
		edit  func(*NewAgency)
	}{
		{"code", func(a *NewAgency) { a.Code = "a b" }},
		{"name", func(a *NewAgency) { a.Name = " " }},
		{"credit_code", func(a *NewAgency) { a.CreditCode = "123" }},
		{"host", func(a *NewAgency) { a.Host = "http://fgw.example/x" }},
		{"host", func(a *NewAgency) { a.Host = "10.0.0.1" }},
		{"request_unit", func(a *NewAgency) { a.RequestUnit = "办公室" }},
		{"request_unit_name", func(a *NewAgency) { a.RequestUnitName = "" }},
		{"admin_password", func(a *NewAgency) { a.AdminPassword = "" }},
		{"admin_username", func(a *NewAgency) { a.AdminUsername = "" }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			in := ok
			tc.edit(&in)
			_, err := Check(in)
			var we *workflow.Error
			if !asError(err, &we) || we.Code != workflow.EInvalid || we.Field != tc.field {
				t.Fatalf("got %v, want invalid %s", err, tc.field)
			}
		})
	}
}

func asError(err error, target **workflow.Error) bool {
	e, ok := err.(*workflow.Error)
	*target = e
	return ok
}

func TestHostOnly(t *testing.T) {
	for in, want := range map[string]string{"FGW.localhost:8080": "fgw.localhost", "example.org.": "example.org",
		"[::1]:80": "::1", "127.0.0.1": "127.0.0.1", "": ""} {
		if got := HostOnly(in); got != want {
			t.Errorf("HostOnly(%q) = %q, want %q", in, got, want)
		}
	}
}
