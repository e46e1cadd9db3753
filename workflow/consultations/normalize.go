package consultations

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"wugongkai/workflow"
)

// DefaultMaxCommentLength is the longest comment accepted when no other limit is configured.
const DefaultMaxCommentLength = 5000

// Limits on comments.
const (
	MinCommentRunes    = 5
	MaxCommenterName   = 50
	MaxCommentContact  = 100
	MaxModerationRunes = 500
)

// NormalizeComment checks a comment as the form sent it and returns it trimmed: the text is
// required, MinCommentRunes to maxLength characters; the name at most MaxCommenterName; the
// contact, if given, a phone number or an e-mail address. Invalid UTF-8 and control characters
// are refused. HTML is not special: it is kept as text.
func NormalizeComment(in CommentInput, maxLength int) (CommentInput, error) {
	if maxLength <= 0 {
		maxLength = DefaultMaxCommentLength
	}
	out := CommentInput{
		Name:    strings.TrimSpace(in.Name),
		Contact: strings.TrimSpace(in.Contact),
		Text:    strings.TrimSpace(newlines.Replace(in.Text)),
	}
	for _, f := range []struct {
		field, label, v string
		max             int
		multiline       bool
	}{
		{"name", "姓名", out.Name, MaxCommenterName, false},
		{"contact", "联系方式", out.Contact, MaxCommentContact, false},
		{"text", "意见内容", out.Text, maxLength, true},
	} {
		if err := checkCommentText(f.field, f.label, f.v, f.max, f.multiline); err != nil {
			return CommentInput{}, err
		}
	}
	if out.Text == "" {
		return CommentInput{}, &workflow.Error{Code: workflow.EInvalid, Field: "text", Message: "请填写意见内容"}
	}
	if n := utf8.RuneCountInString(out.Text); n < MinCommentRunes {
		return CommentInput{}, &workflow.Error{Code: workflow.EInvalid, Field: "text", Message: fmt.Sprintf("意见内容至少需要 %d 个字", MinCommentRunes)}
	}
	if out.Contact != "" && !validPhone(out.Contact) && !validEmail(out.Contact) {
		return CommentInput{}, &workflow.Error{Code: workflow.EInvalid, Field: "contact",
			Message: "联系方式请填写手机号码、固定电话或电子邮箱地址（也可以不填）"}
	}
	return out, nil
}

// newlines turns Windows and old Mac line ends into "\n".
var newlines = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// checkCommentText refuses invalid UTF-8, text over max characters, control characters and the
// invisible bidirectional overrides that can disguise text.
func checkCommentText(field, label, v string, max int, multiline bool) error {
	if !utf8.ValidString(v) {
		return &workflow.Error{Code: workflow.EInvalid, Field: field, Message: label + "含有无效字符（不是合法的 UTF-8 文本）"}
	}
	if n := utf8.RuneCountInString(v); n > max {
		return &workflow.Error{Code: workflow.EInvalid, Field: field, Message: fmt.Sprintf("%s不能超过 %d 个字（现有 %d 个）", label, max, n)}
	}
	for _, r := range v {
		if multiline && (r == '\n' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return &workflow.Error{Code: workflow.EInvalid, Field: field, Message: label + "含有不可见的控制字符，请删除后重试"}
		}
	}
	return nil
}

// validPhone accepts a mobile or fixed-line number: 7 to 15 digits, an optional leading +, and
// spaces, hyphens or parentheses between them.
func validPhone(v string) bool {
	digits := 0
	for i, r := range v {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '(' || r == ')':
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 15
}

// validEmail accepts a bare address with a dotted domain.
func validEmail(v string) bool {
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(v, '@')
	domain := v[at+1:]
	return at > 0 && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// maskCommenterContact hides most of a commenter's phone number or e-mail address: 138****1234,
// w***@example.com. (requests.go has MaskContact for applicants' contacts, which also covers
// postal addresses; the two could be one.)
func maskCommenterContact(contact string) string {
	if contact == "" {
		return ""
	}
	if at := strings.LastIndexByte(contact, '@'); at > 0 {
		first, _ := utf8.DecodeRuneInString(contact)
		return string(first) + "***" + contact[at:]
	}
	var digits []byte
	for i := 0; i < len(contact); i++ {
		if c := contact[i]; c >= '0' && c <= '9' {
			digits = append(digits, c)
		}
	}
	if len(digits) < 7 {
		return "****"
	}
	return string(digits[:3]) + "****" + string(digits[len(digits)-4:])
}

// NormalizeForCampaign reduces a text to what makes it the same opinion: compatibility forms
// folded (NFKC: full-width letters and digits become ASCII), lower case, punctuation and symbols
// removed, and whitespace kept only as one space between two Latin words.
func NormalizeForCampaign(text string) string {
	t := strings.ToLower(norm.NFKC.String(text))
	fields := strings.FieldsFunc(t, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsControl(r)
	})
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			last, _ := utf8.DecodeLastRuneInString(fields[i-1])
			first, _ := utf8.DecodeRuneInString(f)
			if latin(last) && latin(first) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(f)
	}
	return b.String()
}

func latin(r rune) bool {
	return (r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r))) || unicode.Is(unicode.Latin, r)
}

// CampaignKey returns the hash that groups identical and near-identical comments (a campaign):
// the first 128 bits of SHA-256 over NormalizeForCampaign(text), in hex.
func CampaignKey(text string) string {
	sum := sha256.Sum256([]byte(NormalizeForCampaign(text)))
	return hex.EncodeToString(sum[:16])
}
