// Package errstatus maps the stable error codes of package workflow to HTTP statuses, for the JSON
// API (internal/httpapi) and the pages (internal/web) alike.
package errstatus

import (
	"net/http"

	"wugongkai/workflow"
)

var statusOf = map[string]int{
	workflow.EInvalid:              http.StatusBadRequest,
	workflow.EInputMissing:         http.StatusUnprocessableEntity,
	workflow.EGuardFailed:          http.StatusUnprocessableEntity,
	workflow.ENotFound:             http.StatusNotFound,
	workflow.EForbidden:            http.StatusForbidden,
	workflow.EUnauthenticated:      http.StatusUnauthorized,
	workflow.EConflict:             http.StatusConflict,
	workflow.EUnknownTransition:    http.StatusBadRequest,
	workflow.ETransitionNotAllowed: http.StatusConflict,
	workflow.EClosed:               http.StatusConflict,
	workflow.ETooLarge:             http.StatusRequestEntityTooLarge,
	workflow.EHeadersTooLarge:      http.StatusRequestHeaderFieldsTooLarge,
	workflow.ETooMany:              http.StatusTooManyRequests,
	workflow.EUnavailable:          http.StatusServiceUnavailable,
	workflow.EInternal:             http.StatusInternalServerError,
}

// Of returns the HTTP status of err by its code; an error without a known code is a 500.
func Of(err error) int {
	if s, ok := statusOf[workflow.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}
