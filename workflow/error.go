package workflow

import (
	"errors"
	"fmt"
)

// Error codes. They are stable: clients and tests match on them, and the HTTP layer maps each to
// one status.
const (
	EInvalid              = "invalid"                // bad input (400/422)
	EInputMissing         = "input_missing"          // a transition needs an input that was not given
	ENotFound             = "not_found"              // no such object, or not visible to the caller
	EForbidden            = "forbidden"              // the caller lacks the permission
	EUnauthenticated      = "unauthenticated"        // no or expired session
	EConflict             = "conflict"               // stale version: someone else acted first
	EUnknownTransition    = "unknown_transition"     // the definition has no transition of that name
	ETransitionNotAllowed = "transition_not_allowed" // the transition does not start from the current state
	EGuardFailed          = "guard_failed"           // a guard refused the transition
	EClosed               = "closed"                 // a consultation or period is not open
	ETooLarge             = "too_large"              // request body over the limit
	EHeadersTooLarge      = "headers_too_large"      // request header fields over the limit
	ETooMany              = "too_many_requests"      // rate limited
	EUnavailable          = "unavailable"            // PostgreSQL or Redis is down
	EInternal             = "internal"               // a bug: logged, never shown in detail
)

// Error is the one error type of the service. Message is Chinese and safe to show to the user;
// Err is the underlying cause, logged but never shown.
type Error struct {
	Code    string
	Message string
	Field   string         // the input field at fault, if any
	Details map[string]any // extra machine-readable context (for example the missing grounds)
	Err     error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with code and a formatted Chinese message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal for any other
// non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-facing message of err; internal errors get a generic message.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != EInternal {
		return e.Message
	}
	return "服务器内部错误，请稍后重试；如仍出现请联系系统管理员。"
}

// AsError returns the first *Error in err's chain, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// FieldProblem is one input field's problem, among several a form check found at once.
type FieldProblem struct {
	Field   string
	Message string
}

// FieldProblems returns every field problem of err: those listed in Details["fields"] (a list of
// {"field", "message"} maps, as the JSON API shows them), else the one field err names; nil when
// err names no field.
func FieldProblems(err error) []FieldProblem {
	e := AsError(err)
	if e == nil {
		return nil
	}
	if fs, ok := e.Details["fields"].([]map[string]string); ok && len(fs) > 0 {
		out := make([]FieldProblem, 0, len(fs))
		for _, f := range fs {
			out = append(out, FieldProblem{Field: f["field"], Message: f["message"]})
		}
		return out
	}
	if e.Field == "" {
		return nil
	}
	return []FieldProblem{{Field: e.Field, Message: e.Message}}
}
