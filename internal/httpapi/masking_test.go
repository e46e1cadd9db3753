package httpapi_test

import (
	"net/http"
	"testing"
)

// TestRequestMasking checks the API shows applicants as the request use case masks them: the
// officer's detail whole, the head's detail and everyone's list with the name, identity number and
// phone masked (the list showed the full name).
func TestRequestMasking(t *testing.T) {
	s := newStack(t)
	app := application("natural", 1)
	app["name"] = "赵小明"
	r := s.register("2026-03-02", "in_person", app)
	type applicant struct {
		Name     string `json:"applicant_name"`
		IDNumber string `json:"id_number"`
		Phone    string `json:"phone"`
	}
	whole := applicant{"赵小明", residentID(1), "13800138000"}
	masked := applicant{"赵**", residentID(1)[:3] + "***********" + residentID(1)[14:], "138****8000"}
	for _, c := range []struct {
		user string
		want applicant
	}{{"officer", whole}, {"head", masked}} {
		var got applicant
		s.mustDo(http.MethodGet, pathf("/api/v1/requests/%d", r.ID), c.user, nil, http.StatusOK, &got)
		if got != c.want {
			t.Errorf("%s's detail shows %+v, want %+v", c.user, got, c.want)
		}
		var list struct {
			Items []applicant `json:"items"`
		}
		s.mustDo(http.MethodGet, "/api/v1/requests", c.user, nil, http.StatusOK, &list)
		if len(list.Items) != 1 || list.Items[0] != masked {
			t.Errorf("%s's list shows %+v, want %+v", c.user, list.Items, masked)
		}
	}
}
