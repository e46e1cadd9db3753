// Package portal holds the texts the disclosure office keeps for the portal's columns.
package portal

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"wugongkai/workflow"
)

// Keys of the disclosure office's portal texts (国办公开办函〔2019〕61号 first-level columns).
const (
	Guide = "guide" // 政府信息公开指南
	Rules = "rules" // 政府信息公开制度
)

// MaxTextRunes is the longest portal text accepted.
const MaxTextRunes = 20000

// Text is one text the disclosure office keeps for the portal. Version is 0 while the office
// has saved nothing (the portal then shows the default text).
type Text struct {
	Key       string
	Body      string
	Version   int
	UpdatedAt time.Time
	UpdatedBy string
}

// TextTitle returns the Chinese title of a portal text by key, "" for an unknown key.
func TextTitle(key string) string {
	switch key {
	case Guide:
		return "政府信息公开指南"
	case Rules:
		return "政府信息公开制度"
	}
	return ""
}

// CheckText normalises and checks a portal text before it is saved: a known key, valid
// UTF-8 without control characters, not empty, at most MaxTextRunes.
func CheckText(key, body string) (string, error) {
	if TextTitle(key) == "" {
		return "", workflow.Errorf(workflow.ENotFound, "没有这项公开内容")
	}
	body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
	if !utf8.ValidString(body) {
		return "", &workflow.Error{Code: workflow.EInvalid, Field: "body", Message: "内容含有无效字符（不是合法的 UTF-8 文本）"}
	}
	if body == "" {
		return "", &workflow.Error{Code: workflow.EInvalid, Field: "body", Message: "请填写" + TextTitle(key) + "的内容"}
	}
	if n := utf8.RuneCountInString(body); n > MaxTextRunes {
		return "", &workflow.Error{Code: workflow.EInvalid, Field: "body", Message: fmt.Sprintf("内容不能超过 %d 个字（现有 %d 个）", MaxTextRunes, n)}
	}
	for _, r := range body {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return "", &workflow.Error{Code: workflow.EInvalid, Field: "body", Message: "内容含有不可见的控制字符，请删除后重试"}
		}
	}
	return body, nil
}
