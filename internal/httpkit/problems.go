package httpkit

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"wugongkai/internal/errstatus"
	"wugongkai/workflow"
)

// titles is the short Chinese title of each error code: a problem's title, an error page's heading.
var titles = map[string]string{
	workflow.EInvalid:              "请求内容有误",
	workflow.EInputMissing:         "缺少必填内容",
	workflow.EGuardFailed:          "当前条件不允许此操作",
	workflow.ENotFound:             "未找到",
	workflow.EForbidden:            "没有权限",
	workflow.EUnauthenticated:      "请先登录",
	workflow.EConflict:             "操作冲突",
	workflow.EUnknownTransition:    "未知的操作",
	workflow.ETransitionNotAllowed: "当前状态不允许此操作",
	workflow.EClosed:               "不在受理期内",
	workflow.ETooLarge:             "内容过大",
	workflow.ETooMany:              "请求过于频繁",
	workflow.EUnavailable:          "服务暂时不可用",
	workflow.EInternal:             "服务器内部错误",
	workflow.EHeadersTooLarge:      "请求头过大",
}

// Title returns the Chinese title of an error code, "" for a code without one.
func Title(code string) string { return titles[code] }

// StatusOf returns the HTTP status of an error.
func StatusOf(err error) int { return errstatus.Of(err) }

// RetryAfter sets the Retry-After header of an answer to err when a per-client limit refused the
// request (429 with details.retry_after_seconds), so the client knows when to come back.
func RetryAfter(c *gin.Context, err error) {
	if StatusOf(err) != http.StatusTooManyRequests {
		return
	}
	if e := workflow.AsError(err); e != nil {
		if ra, ok := e.Details["retry_after_seconds"]; ok {
			c.Header("Retry-After", fmt.Sprint(ra))
		}
	}
}
