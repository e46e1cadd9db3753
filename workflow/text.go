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

// CheckText refuses text that is too long or carries control characters.
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
	}
	return nil
}

var fieldLabels = map[string]string{
	"title": "标题", "body": "正文", "explanation": "起草说明", "subject_category": "主题分类", "doc_number": "发文字号",
	"summary": "内容概述", "grounds_explanation": "不予公开理由说明", "shortening_reason": "缩短征求意见期限的理由",
	"exempt_reason": "不公开征求意见的法定理由", "opinion": "意见",
}

func FieldLabel(f string) string {
	if l, ok := fieldLabels[f]; ok {
		return l
	}
	return f
}
