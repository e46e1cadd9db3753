package report

import (
	"time"

	"wugongkai/workflow"
)

// RequestRecord is one disclosure request as Table 三 needs it.
type RequestRecord struct {
	Applicant string        // applicant type code, e.g. ApplicantNatural
	Received  workflow.Date // the day the request counts as received (《条例》第31条)
	Closed    workflow.Date // the day it was answered or closed; the zero Date while it is open
	Outcome   string        // the row key of its outcome once closed, e.g. "三(三)4" (see OutcomeKeys)
}

// CaseRecord is one administrative reconsideration or lawsuit about disclosure work, as Table 四
// needs it.
type CaseRecord struct {
	Kind      string        // CaseReconsideration, CaseLitigationDirect or CaseLitigationAfterReconsideration
	Outcome   string        // OutcomeUpheld, OutcomeCorrected, OutcomeOther or OutcomePending
	Filed     workflow.Date // the day the case was filed (立案 or 起诉)
	Concluded workflow.Date // the day it was concluded; the zero Date while it is pending
}

// dayNumber returns d as a sortable number (YYYYMMDD); the zero Date gives 0.
func dayNumber(d workflow.Date) int { return d.Year*10000 + int(d.Month)*100 + d.Day }

// yearBounds returns the first and last day of year as day numbers.
func yearBounds(year int) (first, last int) {
	return dayNumber(workflow.Date{Year: year, Month: time.January, Day: 1}),
		dayNumber(workflow.Date{Year: year, Month: time.December, Day: 31})
}

// outcomeRow maps an outcome key to a row key of format: the 2021 rows 三(六)1 to 三(六)3 count
// in the single row 三(六) of the 2019 format, and a 2019 三(六) counts in 三(六)3 (其他) of the
// 2021 format. Other keys are returned unchanged.
func outcomeRow(format, outcome string) string {
	switch {
	case format == Format2019 && (outcome == "三(六)1" || outcome == "三(六)2" || outcome == "三(六)3"):
		return "三(六)"
	case format == Format2021 && outcome == "三(六)":
		return "三(六)3"
	}
	return outcome
}

// tally accumulates Table 三 by row index. Rows 一, 二, 三(七) and 四 are the first two and the
// last two rows of every format.
type tally struct {
	keys    []string
	outcome map[string]int // outcome row key → index into rows
	rows    [][numCols]int
}

// The fixed row indexes of a tally; the last two are counted from the end.
const (
	tallyReceived  = 0
	tallyCarriedIn = 1
)

// newTally returns an empty tally for format.
func newTally(format string) *tally {
	keys := RequestRowKeys(format)
	t := &tally{keys: keys, outcome: make(map[string]int, len(keys)), rows: make([][numCols]int, len(keys))}
	for i, k := range OutcomeKeys(format) {
		t.outcome[k] = i + 2
	}
	return t
}

// carriedOut returns the index of row 四.
func (t *tally) carriedOut() int { return len(t.keys) - 1 }

// add adds n requests of applicant to row i. A request of an unknown applicant type is counted in
// the 总计 column only, so that Check reports the row instead of the request vanishing.
func (t *tally) add(i int, applicant string, n int) {
	if c := applicantColumn(applicant); c >= 0 {
		t.rows[i][c] += n
	}
	t.rows[i][ColTotal] += n
}

// addOutcome adds n requests closed with outcome. An outcome that is not a row of the format is
// counted nowhere, so that Check reports the column's balance (一+二 ≠ 三(七)+四).
func (t *tally) addOutcome(format, outcome, applicant string, n int) {
	if i, ok := t.outcome[outcomeRow(format, outcome)]; ok {
		t.add(i, applicant, n)
	}
}

// requests computes 三(七) as the sum of the outcome rows and returns the table.
func (t *tally) requests() Requests {
	q := Requests{Rows: make(map[string]Counts, len(t.keys))}
	if len(t.keys) == 0 {
		return q
	}
	sum := &t.rows[len(t.keys)-2]
	*sum = [numCols]int{}
	for _, i := range t.outcome {
		for c := range numCols {
			sum[c] += t.rows[i][c]
		}
	}
	for i, k := range t.keys {
		q.Rows[k] = Counts(t.rows[i])
	}
	return q
}

// TallyRequests counts Table 三 for the report of year in format from request records. A
// request counts:
//
//   - in 一 (本年新收) if it was received between 1 January and 31 December of year;
//   - in 二 (上年结转) if it was received before 1 January and not closed before 1 January;
//   - in the outcome row named by Outcome if it was closed between 1 January and 31 December; in
//     the 2019 format the 2021 rows 三(六)1 to 三(六)3 count in 三(六), and in the 2021 format a
//     2019 三(六) counts in 三(六)3 (其他);
//   - in 四 (结转下年度) if it was received by 31 December and not closed by 31 December.
//
// 三(七) is the sum of the outcome rows, and the 总计 column of every row is the sum of the six
// applicant columns. Records that break these rules show up in Check rather than being dropped:
// an unknown applicant type counts in 总计 only, and a request closed in the year with an outcome
// that is not a row of the format counts in no outcome row. An unknown format gives empty Rows.
func TallyRequests(format string, year int, recs []RequestRecord) Requests {
	t := newTally(format)
	if len(t.keys) == 0 {
		return t.requests()
	}
	first, last := yearBounds(year)
	iCarriedOut := t.carriedOut()
	for i := range recs {
		r := &recs[i]
		received := dayNumber(r.Received)
		closed := dayNumber(r.Closed)
		open := r.Closed.IsZero()
		if received >= first && received <= last {
			t.add(tallyReceived, r.Applicant, 1)
		}
		if received < first && (open || closed >= first) {
			t.add(tallyCarriedIn, r.Applicant, 1)
		}
		if !open && closed >= first && closed <= last {
			t.addOutcome(format, r.Outcome, r.Applicant, 1)
		}
		if received <= last && (open || closed > last) {
			t.add(iCarriedOut, r.Applicant, 1)
		}
	}
	return t.requests()
}

// ApplicantCounts is one row of the per-applicant counts of RequestCounts.
type ApplicantCounts struct {
	Applicant string // applicant type code
	Received  int    // received in the year (row 一)
	CarriedIn int    // received before 1 January and not closed before it (row 二)
	OpenAtEnd int    // received by 31 December and not closed by it (row 四)
}

// ClosedCount is the number of requests of one applicant type closed in the year with one outcome.
type ClosedCount struct {
	Outcome   string // row key of the outcome, e.g. "三(三)4"
	Applicant string // applicant type code
	Count     int
}

// RequestCounts holds Table 三 in the shape two SQL GROUP BY queries return, for example
// (with $1 = 1 January and $2 = 31 December of the year):
//
//	SELECT applicant,
//	       count(*) FILTER (WHERE received_on BETWEEN $1 AND $2) AS received,
//	       count(*) FILTER (WHERE received_on < $1 AND (closed_on IS NULL OR closed_on >= $1)) AS carried_in,
//	       count(*) FILTER (WHERE received_on <= $2 AND (closed_on IS NULL OR closed_on > $2)) AS open_at_end
//	  FROM requests WHERE org_id = $3 GROUP BY applicant;
//
//	SELECT outcome, applicant, count(*) FROM requests
//	 WHERE org_id = $3 AND closed_on BETWEEN $1 AND $2 GROUP BY outcome, applicant;
//
// Repeated entries for the same applicant or (outcome, applicant) are added up.
type RequestCounts struct {
	Applicants []ApplicantCounts
	Closed     []ClosedCount
}

// RequestsFromCounts builds Table 三 in format from counts, with the same rules as
// TallyRequests for 三(七), the 总计 column, unknown applicant types and outcomes.
func RequestsFromCounts(format string, c RequestCounts) Requests {
	t := newTally(format)
	if len(t.keys) == 0 {
		return t.requests()
	}
	for _, a := range c.Applicants {
		t.add(tallyReceived, a.Applicant, a.Received)
		t.add(tallyCarriedIn, a.Applicant, a.CarriedIn)
		t.add(t.carriedOut(), a.Applicant, a.OpenAtEnd)
	}
	for _, cc := range c.Closed {
		t.addOutcome(format, cc.Outcome, cc.Applicant, cc.Count)
	}
	return t.requests()
}

// TallyCases counts Table 四 for the report of year from case records. A case counts in year if
// it was filed by 31 December and not concluded before 1 January. It counts in the column of its
// outcome if it was concluded by 31 December, and in 尚未审结 otherwise; 总计 counts every case of
// the block. A concluded case whose outcome is not one of the four codes counts in 总计 only, so
// Check reports the block; a case of an unknown kind is ignored.
func TallyCases(year int, recs []CaseRecord) ReviewLitigation {
	var rl ReviewLitigation
	first, last := yearBounds(year)
	for _, r := range recs {
		b := rl.block(r.Kind)
		if b == nil {
			continue
		}
		filed := dayNumber(r.Filed)
		concluded := dayNumber(r.Concluded)
		open := r.Concluded.IsZero()
		if filed > last || (!open && concluded < first) {
			continue
		}
		b.Total++
		if open || concluded > last {
			b.Pending++
			continue
		}
		switch r.Outcome {
		case OutcomeUpheld:
			b.Upheld++
		case OutcomeCorrected:
			b.Corrected++
		case OutcomeOther:
			b.Other++
		case OutcomePending:
			b.Pending++
		}
	}
	return rl
}
