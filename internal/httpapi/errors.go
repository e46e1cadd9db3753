package httpapi

import (
	"log/slog"

	"github.com/gin-gonic/gin"

	"wugongkai/internal/httpkit"
	"wugongkai/workflow"
)

// StatusOf returns the HTTP status of an error.
func StatusOf(err error) int { return httpkit.StatusOf(err) }

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
	p := Problem{Type: "/problems/" + code, Title: httpkit.Title(code), Status: StatusOf(err), Detail: workflow.ErrorMessage(err),
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
	httpkit.RetryAfter(c, err)
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
