package report

import (
	"testing"

	"wugongkai/workflow/city"
)

// TestSummarizeAddsCellByCell: Tables 三 and 四 of the summary are the agencies' added up cell by
// cell (a 2021 report that keeps the single 三(六) row counts it in 三(六)3), and each agency is
// checked against its own year before.
func TestSummarizeAddsCellByCell(t *testing.T) {
	mk := func(org string, n int) *Report {
		r, err := New(org, 2025)
		if err != nil {
			t.Fatal(err)
		}
		r.Requests.Rows[RowReceived] = Counts{n, 1, 0, 0, 0, 0, n + 1}
		r.Requests.Rows["三(一)"] = Counts{n, 1, 0, 0, 0, 0, n + 1}
		r.Requests.Rows[RowResultsSum] = Counts{n, 1, 0, 0, 0, 0, n + 1}
		r.ReviewLitigation.Reconsideration = CaseCounts{Upheld: n, Pending: 1, Total: n + 1}
		return r
	}
	a, b := mk("甲局", 3), mk("乙委", 5)
	// 乙委 keeps the single 三(六) row of the 2019 layout with one request.
	for _, k := range []string{"三(六)1", "三(六)2", "三(六)3"} {
		delete(b.Requests.Rows, k)
	}
	b.Requests.Rows[RowOther] = Counts{1, 0, 0, 0, 0, 0, 1}
	b.Requests.Rows[RowReceived] = Counts{6, 1, 0, 0, 0, 0, 7}
	b.Requests.Rows[RowResultsSum] = Counts{6, 1, 0, 0, 0, 0, 7}
	prevB, err := New("乙委", 2024)
	if err != nil {
		t.Fatal(err)
	}
	prevB.Requests.Rows[RowCarriedOut] = Counts{2, 0, 0, 0, 0, 0, 2} // 乙委 carried two requests out of 2024 but none in
	got, err := Summarize("测试市", 2025, []AgencyYear{
		{Agency: city.Agency{Code: "A", Name: "甲局"}, Report: a},
		{Agency: city.Agency{Code: "B", Name: "乙委"}, Report: b, Previous: prevB},
	})
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]Counts{
		RowReceived:   {9, 2, 0, 0, 0, 0, 11},
		"三(一)":        {8, 2, 0, 0, 0, 0, 10},
		"三(六)3":       {1, 0, 0, 0, 0, 0, 1},
		RowResultsSum: {9, 2, 0, 0, 0, 0, 11},
		RowCarriedIn:  {},
	} {
		if g := got.Summary.Requests.Row(key); g != want {
			t.Errorf("%s: %v, want %v", key, g, want)
		}
	}
	if _, ok := got.Summary.Requests.Rows[RowOther]; ok {
		t.Error("the 2021 summary has the 2019 row 三(六)")
	}
	if g := got.Summary.ReviewLitigation.Reconsideration; g != (CaseCounts{Upheld: 8, Pending: 2, Total: 10}) {
		t.Errorf("表四 行政复议: %+v", g)
	}
	if f := Check(got.Summary, nil); len(f) != 0 {
		t.Errorf("the summary of consistent reports fails its checks: %+v", f)
	}
	failed := got.Failed()
	if len(failed) != 1 || failed[0].Agency.Code != "B" || failed[0].Failures[0].Rule != RuleCarryOver {
		t.Errorf("failed: %+v", failed)
	}
	if got.Title() != "测试市2025年政府信息公开工作年度报告汇总" {
		t.Errorf("title %q", got.Title())
	}
}
