package workflow

import (
	"fmt"
	"unicode/utf8"
)

// Limits on free text (drafts, notes, reasons).
const (
	MaxTitleRunes = 200
	MaxBodyRunes  = 200000
	MaxShortRunes = 2000
)

// isBidiControl reports whether r is an invisible bidirectional control (U+200E/F, U+202A–U+202E,
// U+2066–U+2069), which can make a title read differently from what it is.
func isBidiControl(r rune) bool {
	return r == 0x200e || r == 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

// CheckText refuses text that is too long or carries control characters; single-line text also
// refuses bidirectional controls.
func CheckText(field, v string, max int, multiline bool) error {
	if !utf8.ValidString(v) {
		return &Error{Code: EInvalid, Field: field, Message: FieldLabel(field) + "含有无效字符（不是合法的 UTF-8 文本）"}
	}
	if n := utf8.RuneCountInString(v); n > max {
		return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf("%s不能超过 %d 个字（现有 %d 个）", FieldLabel(field), max, n)}
	}
	for _, r := range v {
		if r < 0x20 && !(multiline && (r == '\n' || r == '\r' || r == '\t')) || r == 0x7f {
			return &Error{Code: EInvalid, Field: field, Message: FieldLabel(field) + "含有不可见的控制字符，请删除后重试"}
		}
		if !multiline && isBidiControl(r) {
			return &Error{Code: EInvalid, Field: field, Message: FieldLabel(field) + "含有改变文字方向的不可见字符，请删除后重试",
				Details: map[string]any{"reason": "bidi_control"}}
		}
	}
	return nil
}

var fieldLabels = map[string]string{
	"title": "标题", "body": "正文", "explanation": "起草说明", "subject_category": "主题分类", "doc_number": "发文字号",
	"summary": "内容概述", "grounds_explanation": "不予公开或不主动公开的理由", "shortening_reason": "缩短征求意见期限的理由",
	"exempt_reason": "不公开征求意见的法定理由", "opinion": "意见",
	// Disclosure requests and cases.
	"name": "申请人姓名或名称", "contact_person": "联系人", "address": "通信地址", "description": "所需政府信息的描述",
	"note": "备注", "case_no": "案号", "organ": "复议机关或法院", "applicant_name": "申请人", "q": "检索词",
	"supplement_items": "需要补正的事项", "consultee": "被征求意见的单位或个人", "consult_result": "征求意见结果",
	"extension_reason": "延期理由", "reply_letter": "答复书", "reason": "理由", "meeting": "会议名称及届次",
	"decision_outcome": "决定结果",
}

// FieldLabel returns the Chinese label of an input field, or its name when it has none.
func FieldLabel(f string) string {
	if l, ok := fieldLabels[f]; ok {
		return l
	}
	return f
}
