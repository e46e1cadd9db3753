package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"wugongkai/workflow"
)

// fuzzBodyLimit is the body limit of the fuzzed requests, small so the fuzzer reaches it.
const fuzzBodyLimit = 4096

// FuzzDecodeJSON feeds any body and content type to the decoder every JSON handler uses, into the
// request types of the public endpoints (a comment, a login, a disclosure request) and of the staff
// ones (a draft, a transition): it never panics, it accepts only one valid UTF-8 JSON object of a JSON content type
// within the limit, and it refuses everything else with invalid or too_large and a Chinese message.
func FuzzDecodeJSON(f *testing.F) {
	gin.SetMode(gin.ReleaseMode)
	seeds := []struct {
		ct   string
		body string
	}{
		{"application/json", `{"name":"张三","contact":"13800000000","text":"建议延长公示期限。"}`},
		{"application/json; charset=utf-8", `{"username":"drafter","password":"x"}`},
		{"application/problem+json", `{"title":"标题","grounds":["art14_state_secret"],"opens_at":"2026-12-01T09:00:00+08:00"}`},
		{"application/json", `{"version":3,"input":{"opinion":"同意"}}`},
		{"application/json", `{"applicant_type":"natural","name":"张三","id_type":"居民身份证","id_number":"11010519491231002X","description":"请公开"}`},
		{"application/json", `{"text":"<script>alert(1)</script>","name":"' OR 1=1 --"}`},
		{"text/plain", `{"text":"纯文本"}`},
		{"application/json", "{\"text\":\"\xff\"}"},
		{"application/json", `[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]`},
		{"application/json", `{"text":"a"}{"text":"b"}`},
		{"application/json", `{"version":1e400}`},
		{"application/json", `null`},
		{"", ``},
	}
	for _, s := range seeds {
		for target := range uint8(5) {
			f.Add(target, s.ct, []byte(s.body))
		}
	}
	f.Fuzz(func(t *testing.T, target uint8, contentType string, body []byte) {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		c.Request.Header.Set("Content-Type", contentType)
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, fuzzBodyLimit)
		var dst any
		switch target % 5 {
		case 0:
			dst = &commentRequest{}
		case 1:
			dst = &loginRequest{}
		case 2:
			dst = &draftRequest{}
		case 3:
			dst = &applicationRequest{}
		default:
			dst = &fireRequest{}
		}
		err := decodeJSON(c, dst)
		if err == nil {
			if len(body) > fuzzBodyLimit || !utf8.Valid(body) || !json.Valid(bytes.TrimSpace(body)) {
				t.Fatalf("accepted %q (%d bytes) as %q", body, len(body), contentType)
			}
			if _, err := json.Marshal(dst); err != nil {
				t.Fatalf("decoded value does not encode: %v", err)
			}
			return
		}
		e := workflow.AsError(err)
		if e == nil || (e.Code != workflow.EInvalid && e.Code != workflow.ETooLarge) {
			t.Fatalf("decode %q: %#v, want an invalid or too_large *workflow.Error", body, err)
		}
		if e.Code == workflow.ETooLarge && len(body) <= fuzzBodyLimit {
			t.Fatalf("%d bytes refused as too large", len(body))
		}
		han := false
		for _, r := range e.Message {
			han = han || (r >= 0x4e00 && r <= 0x9fff)
		}
		if !han || !utf8.ValidString(e.Message) {
			t.Fatalf("message without Chinese or not UTF-8: %q", e.Message)
		}
	})
}

// TestDecodeRefusesTrailingContent: a body is one JSON value and nothing after it but white space.
// json.Decoder.More cannot see a stray "}" or "]" (the fuzzer found "{}}" accepted).
func TestDecodeRefusesTrailingContent(t *testing.T) {
	for body, ok := range map[string]bool{
		`{"text":"意见"}`:          true,
		"{\"text\":\"意见\"} \n\t": true,
		`{"text":"意见"}}`:         false,
		`{"text":"意见"}]`:         false,
		`{"text":"意见"} {}`:       false,
		`{"text":"意见"} x`:        false,
	} {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		c.Request.Header.Set("Content-Type", "application/json")
		err := decodeJSON(c, &commentRequest{})
		if ok && err != nil {
			t.Errorf("%q refused: %v", body, err)
		}
		if !ok && (err == nil || workflow.ErrorCode(err) != workflow.EInvalid || !strings.Contains(workflow.ErrorMessage(err), "只能包含一个 JSON")) {
			t.Errorf("%q: err = %v, want invalid with the Chinese message", body, err)
		}
	}
}
