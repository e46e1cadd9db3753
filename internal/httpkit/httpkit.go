// Package httpkit is what the JSON API (internal/httpapi) and the pages (internal/web) share: the
// route table, the staff session cookie, the authentication of a request into a workflow.Staff,
// the Retry-After answer of the per-client limits, the Chinese titles of the error codes and the
// clock. It knows gin, the workflow error type and the policy's labels, and neither adapter.
package httpkit

import (
	"time"

	"wugongkai/workflow"
)

// Route permissions that are not casbin permissions.
const (
	PermPublic        = "public"        // anyone, no login
	PermAuthenticated = "authenticated" // any signed-in member of staff
)

// Can answers "may user use permission in unit"; *policy.Enforcer satisfies it.
type Can interface {
	Can(user, unit, permission string) bool
}

// HasAnywhere reports whether st may use permission in at least one unit they hold a role in.
func HasAnywhere(authz Can, st workflow.Staff, permission string) bool {
	for _, r := range st.Roles {
		if authz.Can(st.Username, r.Unit, permission) {
			return true
		}
	}
	return false
}

// Now is the time by clock, the wall clock when clock is nil: the one clock of both adapters.
func Now(clock workflow.Clock) time.Time {
	if clock == nil {
		return workflow.SystemClock.Now()
	}
	return clock.Now()
}
