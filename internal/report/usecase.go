package report

import (
	"context"
	"time"

	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

// Unit is the unit the report permissions are checked in: the annual report is the bureau's, so
// the roles that read (report:read) or compile it (report:edit) hold them bureau-wide.
const Unit = "*"

// Reports holds the annual report use cases that the JSON API and the console both call. Each
// checks the caller's permission before it reads or writes anything.
type Reports struct {
	Store Store
	Auth  workflow.Authorizer
	Org   string         // the reporting organisation's name
	Clock workflow.Clock // nil = the wall clock
}

func (s *Reports) now() time.Time {
	if s.Clock == nil {
		return time.Now()
	}
	return s.Clock.Now()
}

// Year returns the year's report (its final snapshot, or assembled from the data and the inputs)
// and the office's inputs (permission report:read).
func (s *Reports) Year(ctx context.Context, actor workflow.Actor, year int) (*Report, requests.ReportInputs, error) {
	if err := s.Auth.Authorize(ctx, actor, Unit, "report:read"); err != nil {
		return nil, requests.ReportInputs{}, err
	}
	return s.Store.AnnualReport(ctx, year, s.Org)
}

// Previous returns the report of the year before year, which year's checks compare against
// (permission report:read).
func (s *Reports) Previous(ctx context.Context, actor workflow.Actor, year int) (*Report, error) {
	if err := s.Auth.Authorize(ctx, actor, Unit, "report:read"); err != nil {
		return nil, err
	}
	return s.Store.PreviousReport(ctx, year, s.Org)
}

// Checked is a year's report as the console and the API show it: the report, the inputs and the
// failures of its checks against the previous year's report.
type Checked struct {
	Report   *Report
	Inputs   requests.ReportInputs
	Previous *Report
	Failures []Failure
}

// Check loads the year's report with the failures of its checks (permission report:read).
func (s *Reports) Check(ctx context.Context, actor workflow.Actor, year int) (Checked, error) {
	rep, in, err := s.Year(ctx, actor, year)
	if err != nil {
		return Checked{}, err
	}
	prev, err := s.Store.PreviousReport(ctx, year, s.Org)
	if err != nil {
		return Checked{}, err
	}
	return Checked{Report: rep, Inputs: in, Previous: prev, Failures: Check(rep, prev)}, nil
}

// Save stores the office's inputs (the text sections and the Table 二 figures) if the stored
// version is still prevVersion (permission report:edit).
func (s *Reports) Save(ctx context.Context, actor workflow.Actor, in requests.ReportInputs, prevVersion int) (requests.ReportInputs, error) {
	if err := s.Auth.Authorize(ctx, actor, Unit, "report:edit"); err != nil {
		return requests.ReportInputs{}, err
	}
	return s.Store.SaveReportInputs(ctx, in, prevVersion, actor, s.now())
}

// Finalize freezes the year's report if it passes its checks, and returns the failures otherwise
// (permission report:edit).
func (s *Reports) Finalize(ctx context.Context, actor workflow.Actor, year int) (*Report, []Failure, error) {
	if err := s.Auth.Authorize(ctx, actor, Unit, "report:edit"); err != nil {
		return nil, nil, err
	}
	return s.Store.FinalizeReport(ctx, year, s.Org, actor, s.now())
}

// inputsReader is what a report store may offer besides Store: a year's inputs alone, so that the
// public report column learns which years are final without assembling every draft.
type inputsReader interface {
	ReportInputs(ctx context.Context, year int) (requests.ReportInputs, error)
}

// Final reports whether year's report is final and when it was finalized. A final report is
// public (the portal's 年度报告 column): no permission is needed.
func (s *Reports) Final(ctx context.Context, year int) (bool, time.Time, error) {
	if ri, ok := s.Store.(inputsReader); ok {
		in, err := ri.ReportInputs(ctx, year)
		return in.Final, in.FinalizedAt, err
	}
	_, in, err := s.Store.AnnualReport(ctx, year, s.Org)
	return in.Final, in.FinalizedAt, err
}

// Published returns year's final report for the public; a draft or a year without a report is not
// found.
func (s *Reports) Published(ctx context.Context, year int) (*Report, requests.ReportInputs, error) {
	notFound := workflow.Errorf(workflow.ENotFound, "年度报告不存在或尚未发布")
	final, _, err := s.Final(ctx, year)
	if err != nil {
		return nil, requests.ReportInputs{}, err
	}
	if !final {
		return nil, requests.ReportInputs{}, notFound
	}
	rep, in, err := s.Store.AnnualReport(ctx, year, s.Org)
	if err == nil && !in.Final {
		err = notFound
	}
	return rep, in, err
}
