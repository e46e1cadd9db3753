package requests

import (
	"reflect"
	"testing"

	"wugongkai/workflow"
)

// TestNormalizeApplicationAllProblems: an application is checked whole, so the applicant sees
// every missing or invalid field at once, one problem per field, in the order of the form; the
// error names the first field and lists all in Details["fields"].
func TestNormalizeApplicationAllProblems(t *testing.T) {
	cases := []struct {
		name string
		in   Application
		want []string
	}{
		{"empty", Application{}, []string{"applicant_type", "name", "id_type", "id_number", "phone", "description"}},
		{"bad formats", Application{ApplicantType: "natural", Name: "张三", IDType: IDResidentCard, IDNumber: "110105194912310021",
			Phone: "abc", Email: "no-at-sign", Description: "某文件", Delivery: "邮寄"},
			[]string{"id_number", "phone", "email", "address"}},
		{"one problem", Application{ApplicantType: "natural", Name: "张三", IDType: IDResidentCard, IDNumber: "11010519491231002X",
			Phone: "13800000000", Description: "x"}, []string{"description"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			err := normalizeApplication(&in)
			ps := workflow.FieldProblems(err)
			var got []string
			for _, p := range ps {
				if p.Message == "" {
					t.Errorf("field %s has no message", p.Field)
				}
				got = append(got, p.Field)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("fields = %v, want %v (err %v)", got, tc.want, err)
			}
			if e := workflow.AsError(err); e.Code != workflow.EInvalid || e.Field != tc.want[0] {
				t.Errorf("error = %#v, want invalid naming %s", e, tc.want[0])
			}
		})
	}
	if ps := workflow.FieldProblems(&workflow.Error{Code: workflow.EInvalid, Field: "x", Message: "m"}); len(ps) != 1 || ps[0] != (workflow.FieldProblem{Field: "x", Message: "m"}) {
		t.Errorf("single field error: %v", ps)
	}
	if ps := workflow.FieldProblems(workflow.Errorf(workflow.EInvalid, "no field")); ps != nil {
		t.Errorf("error without a field: %v", ps)
	}
}
