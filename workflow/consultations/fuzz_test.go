package consultations_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"wugongkai/workflow"
	"wugongkai/workflow/consultations"
)

// FuzzNormalizeComment checks the comment form's rules on any input: never a panic; a refusal is
// an invalid *workflow.Error naming its field with a Chinese message; an accepted comment is
// trimmed, valid UTF-8 within its lengths, free of control characters other than line breaks and
// tabs, and normalising it again changes nothing.
func FuzzNormalizeComment(f *testing.F) {
	f.Add("张三", "13800000000", "建议延长公示期限，并公开办理结果。", 0)
	f.Add("", "zhang@example.com", "  同意\r\n第二段\r第三段  ", 5000)
	f.Add("<script>alert(1)</script>", "' OR 1=1 --", "<b>加粗</b>意见内容", 20)
	f.Add("名字\x00", "0371-12345678", "意见\u202e反转\u202c内容", 100)
	f.Add(strings.Repeat("长", 60), "not a contact", "\xff\xfe无效", -1)
	f.Add("", "", "短", 10)
	fields := map[string]bool{"name": true, "contact": true, "text": true}
	f.Fuzz(func(t *testing.T, name, contact, text string, maxLength int) {
		in := consultations.CommentInput{Name: name, Contact: contact, Text: text}
		out, err := consultations.NormalizeComment(in, maxLength)
		if err != nil {
			e := workflow.AsError(err)
			if e == nil || e.Code != workflow.EInvalid || !fields[e.Field] || !utf8.ValidString(e.Message) || e.Message == "" {
				t.Fatalf("NormalizeComment(%q) = %#v, want an invalid error naming name, contact or text", in, err)
			}
			return
		}
		limit := maxLength
		if limit <= 0 {
			limit = consultations.DefaultMaxCommentLength
		}
		n := utf8.RuneCountInString(out.Text)
		if n < consultations.MinCommentRunes || n > limit {
			t.Fatalf("accepted a text of %d characters (limits %d–%d): %q", n, consultations.MinCommentRunes, limit, out.Text)
		}
		if utf8.RuneCountInString(out.Name) > consultations.MaxCommenterName || utf8.RuneCountInString(out.Contact) > consultations.MaxCommentContact {
			t.Fatalf("accepted an overlong name or contact: %q", out)
		}
		for field, v := range map[string]string{"name": out.Name, "contact": out.Contact, "text": out.Text} {
			if !utf8.ValidString(v) || v != strings.TrimSpace(v) {
				t.Fatalf("%s not valid UTF-8 or not trimmed: %q", field, v)
			}
			for _, r := range v {
				if (r < 0x20 && !(field == "text" && (r == '\n' || r == '\t'))) || r == 0x7f || r == '\r' {
					t.Fatalf("%s keeps control character %U: %q", field, r, v)
				}
			}
		}
		again, err := consultations.NormalizeComment(out, maxLength)
		if err != nil || again != out {
			t.Fatalf("normalising %q again gave %q, %v", out, again, err)
		}
	})
}
