// Package auditcheck runs the audit log's verification for the admin's console and the API: the
// same walk as `wugongkai audit verify` (every hash chain with the audit key, the global sequence
// and the signed checkpoints), limited to the caller's organisation.
package auditcheck

import (
	"context"
	"time"

	"wugongkai/workflow"
)

// Problem is the first bad link of one chain, or of the organisation's global sequence (Kind "log").
type Problem struct {
	Kind    string
	Subject int64
	Seq     int
	Reason  string
}

// Result is one verification.
type Result struct {
	Checked  int // events checked
	Problems []Problem
	At       time.Time
}

// OK reports whether the log is whole.
func (r Result) OK() bool { return len(r.Problems) == 0 }

// Verifier walks the audit log; *postgres.Audit satisfies it.
type Verifier interface {
	VerifyOrgAudit(ctx context.Context) (checked int, problems []Problem, err error)
}

// Unit is the unit audit:verify is checked in: the audit log is the bureau's.
const Unit = "*"

// Audit is the verification use case.
type Audit struct {
	Store Verifier
	Auth  workflow.Authorizer
	Clock workflow.Clock
}

// Verify runs the verification (permission audit:verify).
func (a *Audit) Verify(ctx context.Context, actor workflow.Actor) (Result, error) {
	if err := a.Auth.Authorize(ctx, actor, Unit, "audit:verify"); err != nil {
		return Result{}, err
	}
	n, problems, err := a.Store.VerifyOrgAudit(ctx)
	if err != nil {
		return Result{}, err
	}
	clock := a.Clock
	if clock == nil {
		clock = workflow.SystemClock
	}
	return Result{Checked: n, Problems: problems, At: clock.Now()}, nil
}
