package report

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"wugongkai/workflow"
)

// mustDate parses a YYYY-MM-DD day; "" gives the zero Date.
func mustDate(tb testing.TB, s string) workflow.Date {
	tb.Helper()
	if s == "" {
		return workflow.Date{}
	}
	d, err := workflow.ParseDate(s)
	if err != nil {
		tb.Fatalf("parse date: %v", err)
	}
	return d
}

// handMadeYear returns the requests of a made-up 2021: one request for every outcome row of the
// 2021 format (received and closed in 2021, applicant types in turn), and requests around the
// year's edges.
func handMadeYear(tb testing.TB) []RequestRecord {
	tb.Helper()
	types := ApplicantTypes()
	var recs []RequestRecord
	for i, key := range OutcomeKeys(Format2021) {
		recs = append(recs, RequestRecord{
			Applicant: types[i%6].Code,
			Received:  mustDate(tb, "2021-03-01"),
			Closed:    mustDate(tb, "2021-04-01"),
			Outcome:   key,
		})
	}
	edges := []struct{ applicant, received, closed, outcome string }{
		{ApplicantNatural, "2020-12-20", "2021-01-10", "三(一)"},       // carried in, closed in the year
		{ApplicantCommercial, "2020-11-01", "2020-12-15", "三(一)"},    // closed last year: not counted
		{ApplicantCommercial, "2021-12-25", "", ""},                  // received, still open: carried out
		{ApplicantResearch, "2020-12-30", "", ""},                    // carried in and out
		{ApplicantLegalService, "2021-06-01", "2022-01-05", "三(三)4"}, // closed next year: carried out
		{ApplicantNonprofit, "2021-03-01", "2021-03-25", "三(六)1"},    // closed for want of 补正
		{ApplicantOther, "2021-12-31", "2021-12-31", "三(四)3"},        // 补正后仍不明确, on the last day
		{ApplicantNatural, "2020-12-31", "2021-01-01", "三(五)2"},      // carried in, closed on 1 January
		{ApplicantNatural, "2020-12-31", "2020-12-31", "三(一)"},       // closed on 31 December last year
		{ApplicantNatural, "2022-01-01", "", ""},                     // received next year: not counted
	}
	for _, e := range edges {
		recs = append(recs, RequestRecord{
			Applicant: e.applicant,
			Received:  mustDate(tb, e.received),
			Closed:    mustDate(tb, e.closed),
			Outcome:   e.outcome,
		})
	}
	return recs
}

// handMadeWant2021 is Table 三 of handMadeYear in the 2021 format, counted by hand. Rows not
// listed are zero. Columns: 自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计.
func handMadeWant2021() map[string]Counts {
	return map[string]Counts{
		"一":     {4, 5, 4, 4, 4, 4, 25},
		"二":     {2, 0, 1, 0, 0, 0, 3},
		"三(一)":  {2, 0, 0, 0, 0, 0, 2},
		"三(二)":  {0, 1, 0, 0, 0, 0, 1},
		"三(三)1": {0, 0, 1, 0, 0, 0, 1},
		"三(三)2": {0, 0, 0, 1, 0, 0, 1},
		"三(三)3": {0, 0, 0, 0, 1, 0, 1},
		"三(三)4": {0, 0, 0, 0, 0, 1, 1},
		"三(三)5": {1, 0, 0, 0, 0, 0, 1},
		"三(三)6": {0, 1, 0, 0, 0, 0, 1},
		"三(三)7": {0, 0, 1, 0, 0, 0, 1},
		"三(三)8": {0, 0, 0, 1, 0, 0, 1},
		"三(四)1": {0, 0, 0, 0, 1, 0, 1},
		"三(四)2": {0, 0, 0, 0, 0, 1, 1},
		"三(四)3": {1, 0, 0, 0, 0, 1, 2},
		"三(五)1": {0, 1, 0, 0, 0, 0, 1},
		"三(五)2": {1, 0, 1, 0, 0, 0, 2},
		"三(五)3": {0, 0, 0, 1, 0, 0, 1},
		"三(五)4": {0, 0, 0, 0, 1, 0, 1},
		"三(五)5": {0, 0, 0, 0, 0, 1, 1},
		"三(六)1": {1, 0, 0, 1, 0, 0, 2},
		"三(六)2": {0, 1, 0, 0, 0, 0, 1},
		"三(六)3": {0, 0, 1, 0, 0, 0, 1},
		"三(七)":  {6, 4, 4, 4, 3, 4, 25},
		"四":     {0, 1, 1, 0, 1, 0, 3},
	}
}

// handMadeWant2019 is the same year in the 2019 format: 三(六)1 to 三(六)3 fold into 三(六).
func handMadeWant2019() map[string]Counts {
	want := handMadeWant2021()
	delete(want, "三(六)1")
	delete(want, "三(六)2")
	delete(want, "三(六)3")
	want["三(六)"] = Counts{1, 1, 1, 1, 0, 0, 4}
	return want
}

// compareRequests compares every row of format in got with want (missing rows of want are zero).
func compareRequests(t *testing.T, format string, got Requests, want map[string]Counts) {
	t.Helper()
	if len(got.Rows) != len(RequestRowKeys(format)) {
		t.Errorf("got %d rows, want %d", len(got.Rows), len(RequestRowKeys(format)))
	}
	for _, k := range RequestRowKeys(format) {
		t.Run(k, func(t *testing.T) {
			g, ok := got.Rows[k]
			if !ok {
				t.Fatalf("row %s missing", k)
			}
			for c := range numCols {
				if g[c] != want[k][c] {
					t.Errorf("%s: got %d, want %d", columnLabel(c), g[c], want[k][c])
				}
			}
		})
	}
}

func TestTallyRequests(t *testing.T) {
	tests := []struct {
		format string
		want   map[string]Counts
	}{
		{Format2021, handMadeWant2021()},
		{Format2019, handMadeWant2019()},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			got := TallyRequests(tt.format, 2021, handMadeYear(t))
			compareRequests(t, tt.format, got, tt.want)
			rep := &Report{Org: "测试局", Year: 2021, Format: tt.format, Requests: got}
			if tt.format == Format2019 {
				rep.Year = 2020 // the 2019 format belongs to the 2019 and 2020 reports
			}
			if fs := Check(rep, nil); len(fs) != 0 {
				t.Errorf("Check of the tally: %v", fs)
			}
		})
	}
}

func TestTallyRequestsSurfacesBadRecords(t *testing.T) {
	tests := []struct {
		name     string
		rec      RequestRecord
		wantRule string
		wantCell string
	}{
		{
			name:     "unknown applicant counts in 总计 only",
			rec:      RequestRecord{Applicant: "company", Received: mustDate(t, "2021-05-01")},
			wantRule: RuleTotalColumn, wantCell: "一/总计",
		},
		{
			name:     "unknown outcome counts in no outcome row",
			rec:      RequestRecord{Applicant: ApplicantNatural, Received: mustDate(t, "2021-05-01"), Closed: mustDate(t, "2021-05-10"), Outcome: "三(三)9"},
			wantRule: RuleBalance, wantCell: "自然人",
		},
		{
			name:     "missing outcome counts in no outcome row",
			rec:      RequestRecord{Applicant: ApplicantOther, Received: mustDate(t, "2021-05-01"), Closed: mustDate(t, "2021-05-10")},
			wantRule: RuleBalance, wantCell: "其他",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := &Report{Org: "测试局", Year: 2021, Format: Format2021,
				Requests: TallyRequests(Format2021, 2021, []RequestRecord{tt.rec})}
			found := false
			for _, f := range Check(rep, nil) {
				if f.Rule == tt.wantRule && f.Cell == tt.wantCell {
					found = true
				}
			}
			if !found {
				t.Errorf("Check did not report %s at %s: %v", tt.wantRule, tt.wantCell, Check(rep, nil))
			}
		})
	}
}

func TestTallyRequestsUnknownFormat(t *testing.T) {
	got := TallyRequests("2018", 2018, handMadeYear(t))
	if len(got.Rows) != 0 {
		t.Errorf("got %d rows for an unknown format, want 0", len(got.Rows))
	}
}

func TestRequestsFromCounts(t *testing.T) {
	// The counts two GROUP BY queries would return for handMadeYear, split over repeated
	// entries to check that they add up.
	counts := RequestCounts{
		Applicants: []ApplicantCounts{
			{Applicant: ApplicantNatural, Received: 4, CarriedIn: 2},
			{Applicant: ApplicantCommercial, Received: 5, OpenAtEnd: 1},
			{Applicant: ApplicantResearch, Received: 3, CarriedIn: 1, OpenAtEnd: 1},
			{Applicant: ApplicantResearch, Received: 1},
			{Applicant: ApplicantNonprofit, Received: 4},
			{Applicant: ApplicantLegalService, Received: 4, OpenAtEnd: 1},
			{Applicant: ApplicantOther, Received: 4},
		},
	}
	for key, row := range handMadeWant2021() {
		if !slices.Contains(OutcomeKeys(Format2021), key) {
			continue
		}
		for c := range ColTotal {
			if row[c] > 0 {
				counts.Closed = append(counts.Closed, ClosedCount{Outcome: key, Applicant: ApplicantTypes()[c].Code, Count: row[c]})
			}
		}
	}
	for _, format := range []string{Format2021, Format2019} {
		t.Run(format, func(t *testing.T) {
			want := handMadeWant2021()
			if format == Format2019 {
				want = handMadeWant2019()
			}
			compareRequests(t, format, RequestsFromCounts(format, counts), want)
		})
	}
}

func TestTallyCases(t *testing.T) {
	recs := []struct{ kind, outcome, filed, concluded string }{
		{CaseReconsideration, OutcomeUpheld, "2021-03-01", "2021-05-01"},                   // 维持
		{CaseReconsideration, OutcomeCorrected, "2020-10-01", "2021-02-01"},                // from last year, 纠正
		{CaseReconsideration, OutcomeUpheld, "2020-05-01", "2020-08-01"},                   // concluded last year
		{CaseReconsideration, OutcomePending, "2021-11-01", ""},                            // pending
		{CaseReconsideration, OutcomeOther, "2021-12-01", "2022-01-10"},                    // concluded next year: pending
		{CaseLitigationDirect, OutcomePending, "2019-06-01", ""},                           // still pending
		{CaseLitigationDirect, OutcomeOther, "2021-01-01", "2021-12-31"},                   // 其他, on the last day
		{CaseLitigationAfterReconsideration, OutcomeUpheld, "2022-01-02", ""},              // filed next year
		{CaseLitigationAfterReconsideration, OutcomeCorrected, "2021-04-01", "2021-09-01"}, // 纠正
		{CaseLitigationAfterReconsideration, OutcomeUpheld, "2020-11-01", "2021-01-01"},    // concluded on 1 January: 维持
		{CaseLitigationAfterReconsideration, OutcomeUpheld, "2020-11-01", "2020-12-31"},    // concluded on 31 December last year
		{"appeal", OutcomeUpheld, "2021-04-01", "2021-09-01"},                              // unknown kind: ignored
	}
	var in []CaseRecord
	for _, r := range recs {
		in = append(in, CaseRecord{Kind: r.kind, Outcome: r.outcome, Filed: mustDate(t, r.filed), Concluded: mustDate(t, r.concluded)})
	}
	got := TallyCases(2021, in)
	want := ReviewLitigation{
		Reconsideration:                CaseCounts{Upheld: 1, Corrected: 1, Other: 0, Pending: 2, Total: 4},
		LitigationDirect:               CaseCounts{Upheld: 0, Corrected: 0, Other: 1, Pending: 1, Total: 2},
		LitigationAfterReconsideration: CaseCounts{Upheld: 1, Corrected: 1, Other: 0, Pending: 0, Total: 2},
	}
	for i, b := range got.blocks() {
		t.Run(b.label, func(t *testing.T) {
			if b.counts != want.blocks()[i].counts {
				t.Errorf("got %+v, want %+v", b.counts, want.blocks()[i].counts)
			}
		})
	}

	t.Run("concluded without outcome", func(t *testing.T) {
		rl := TallyCases(2021, []CaseRecord{{Kind: CaseReconsideration, Filed: mustDate(t, "2021-01-05"), Concluded: mustDate(t, "2021-02-05")}})
		rep := &Report{Org: "测试局", Year: 2021, Format: Format2021, Requests: TallyRequests(Format2021, 2021, nil), ReviewLitigation: rl}
		fs := Check(rep, nil)
		if len(fs) != 1 || fs[0].Rule != RuleCaseTotal || fs[0].Cell != "行政复议/总计" {
			t.Errorf("Check = %v, want one %s failure at 行政复议/总计", fs, RuleCaseTotal)
		}
	})
}

func BenchmarkTallyRequests(b *testing.B) {
	const n = 100_000
	rng := rand.New(rand.NewPCG(1, 2))
	types := ApplicantTypes()
	outcomes := OutcomeKeys(Format2021)
	start := time.Date(2020, time.January, 1, 0, 0, 0, 0, time.UTC)
	recs := make([]RequestRecord, n)
	for i := range recs {
		received := start.AddDate(0, 0, rng.IntN(730))
		r := RequestRecord{Applicant: types[rng.IntN(len(types))].Code, Received: workflow.DateOf(received)}
		if rng.IntN(10) > 0 {
			closed := received.AddDate(0, 0, rng.IntN(40))
			r.Closed = workflow.DateOf(closed)
			r.Outcome = outcomes[rng.IntN(len(outcomes))]
		}
		recs[i] = r
	}
	b.ReportAllocs()
	for b.Loop() {
		TallyRequests(Format2021, 2021, recs)
	}
}
