package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"wugongkai/internal/errstatus"
	"wugongkai/workflow"
)

// titleOf is the short Chinese title of each code.
var titleOf = map[string]string{
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
}

// StatusOf returns the HTTP status of an error.
func StatusOf(err error) int { return errstatus.Of(err) }

// Problem is an RFC 9457 problem detail with the service's stable code.
type Problem struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail"`
	Code      string         `json:"code"`
	Field     string         `json:"field,omitempty"`
	Details   map[string]any `json:"details,omitempty"`
	RequestID string         `json:"request_id,omitempty"`
}

// ProblemOf builds the problem document of err; internal detail never leaves the server.
func ProblemOf(err error, requestID string) Problem {
	code := workflow.ErrorCode(err)
	p := Problem{Type: "/problems/" + code, Title: titleOf[code], Status: StatusOf(err), Detail: workflow.ErrorMessage(err),
		Code: code, RequestID: requestID}
	if e := workflow.AsError(err); e != nil && code != workflow.EInternal {
		p.Field, p.Details = e.Field, e.Details
	}
	return p
}

// WriteProblem writes err as application/problem+json and logs server-side failures.
func WriteProblem(c *gin.Context, log *slog.Logger, err error) {
	p := ProblemOf(err, c.GetString(ctxRequestID))
	if p.Status >= 500 {
		log.Error("request failed", "err", err, "code", p.Code, "path", c.FullPath(), "request_id", p.RequestID)
	}
	if p.Status == http.StatusTooManyRequests {
		var e *workflow.Error
		if errors.As(err, &e) {
			if ra, ok := e.Details["retry_after_seconds"]; ok {
				c.Header("Retry-After", toString(ra))
			}
		}
	}
	c.Header("Content-Type", "application/problem+json; charset=utf-8")
	c.AbortWithStatusJSON(p.Status, p)
}

// errorMiddleware turns the first error a handler recorded with c.Error into a problem response.
func errorMiddleware(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		if len(c.Errors) == 0 || c.Writer.Written() {
			return
		}
		WriteProblem(c, log, c.Errors[0].Err)
	}
}
