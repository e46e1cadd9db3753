package web_test

import (
	"fmt"
	"net/http"
	"testing"
)

// TestRequestPageMasking checks the request page shows the applicant as the request use case masks
// them: whole to the officer who handles requests, masked to the head who only reads them.
func TestRequestPageMasking(t *testing.T) {
	s := newStack(t)
	m := reRequestReceipt.FindStringSubmatch(s.anon().postForm("/requests", applicationValues()).body)
	if m == nil {
		t.Fatal("request not filed")
	}
	path := fmt.Sprintf("/console/requests/%d", s.requestByNo(m[1]).ID)
	r := s.login("officer").get(path)
	mustContain(t, "officer's page", r.body, "赵小明", testIDNumber, "13812345678", "zhao@example.com")
	r = s.login("head").get(path)
	if r.status != http.StatusOK {
		t.Fatalf("head's page: status %d", r.status)
	}
	mustContain(t, "head's page", r.body, m[1], "赵**", "138****5678", "z***@example.com")
	mustNotContain(t, "head's page", r.body, "赵小明", testIDNumber, "13812345678", "zhao@example.com")
}
