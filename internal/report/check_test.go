package report

import (
	"bytes"
	"slices"
	"testing"
)

// mustReadReport reads testdata/name with ReadJSON.
func mustReadReport(tb testing.TB, name string) *Report {
	tb.Helper()
	rep, err := ReadJSON(bytes.NewReader(mustReadFile(tb, name)))
	if err != nil {
		tb.Fatalf("ReadJSON %s: %v", name, err)
	}
	return rep
}

func TestCheckConsistent(t *testing.T) {
	tests := []struct {
		name     string
		rep      *Report
		previous *Report
	}{
		{"seed 2020", mustSeedReport(t), nil},
		{"seed 2020 from its JSON", mustReadReport(t, "seed2020.json"), nil},
		{"2021 with the single 三(六) row", mustSingleOther2021(t), nil},
		{"hand-made 2021 after the seed", &Report{Org: seedOrg, Year: 2021, Format: Format2021,
			Requests: TallyRequests(Format2021, 2021, nil)}, mustSeedReport(t)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if fs := Check(tt.rep, tt.previous); len(fs) != 0 {
				t.Errorf("Check = %v, want none", fs)
			}
		})
	}
}

// TestCheckBroken checks every failure of testdata/broken.json, a 2021 report with one or two
// deliberate errors per rule, checked against the seed 2020 report as the previous year.
func TestCheckBroken(t *testing.T) {
	want := []Failure{
		{Table: "表三", Cell: "三(一)/总计", Rule: RuleTotalColumn, Left: 10, Right: 11,
			Message: "表三 三(一)行：总计列（10）≠ 六类申请人之和（8+2+0+0+1+0=11）"},
		{Table: "表三", Cell: "三(三)4/总计", Rule: RuleTotalColumn, Left: 2, Right: 1,
			Message: "表三 三(三)4行：总计列（2）≠ 六类申请人之和（1+0+0+0+0+0=1）"},
		{Table: "表三", Cell: "三(七)/科研机构", Rule: RuleResultsTotal, Left: 1, Right: 0,
			Message: "表三 科研机构列：三(七)总计（1）≠ 各项办理结果之和（0）"},
		{Table: "表三", Cell: "三(七)/总计", Rule: RuleResultsTotal, Left: 13, Right: 12,
			Message: "表三 总计列：三(七)总计（13）≠ 各项办理结果之和（12）"},
		{Table: "表三", Cell: "法律服务机构", Rule: RuleBalance, Left: 2, Right: 1,
			Message: "表三 法律服务机构列：一+二（2+0=2）≠ 三(七)+四（1+0=1）"},
		{Table: "表三", Cell: "总计", Rule: RuleBalance, Left: 16, Right: 15,
			Message: "表三 总计列：一+二（15+1=16）≠ 三(七)+四（13+2=15）"},
		{Table: "表四", Cell: "行政复议/总计", Rule: RuleCaseTotal, Left: 2, Right: 1,
			Message: "表四 行政复议：总计（2）≠ 结果维持+结果纠正+其他结果+尚未审结（1+0+0+0=1）"},
		{Table: "表三", Cell: "二/自然人", Rule: RuleCarryOver, Left: 1, Right: 0,
			Message: "表三 自然人列：二、上年结转（1）≠ 2020年度报告的四、结转下年度继续办理（0）"},
		{Table: "表三", Cell: "二/总计", Rule: RuleCarryOver, Left: 1, Right: 0,
			Message: "表三 总计列：二、上年结转（1）≠ 2020年度报告的四、结转下年度继续办理（0）"},
	}
	got := Check(mustReadReport(t, "broken.json"), mustSeedReport(t))
	if len(got) != len(want) {
		t.Errorf("got %d failures, want %d:\n%v", len(got), len(want), got)
	}
	for i := range min(len(got), len(want)) {
		t.Run(want[i].Rule+" "+want[i].Cell, func(t *testing.T) {
			if got[i] != want[i] {
				t.Errorf("got  %+v\nwant %+v", got[i], want[i])
			}
		})
	}

	t.Run("CheckJSON without previous", func(t *testing.T) {
		fs, err := CheckJSON(bytes.NewReader(mustReadFile(t, "broken.json")))
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) != len(want)-2 {
			t.Errorf("got %d failures, want %d (all but carry-over)", len(fs), len(want)-2)
		}
	})
}

func TestCheckStructure(t *testing.T) {
	seed := func() *Report { return mustSeedReport(t) }
	tests := []struct {
		name     string
		edit     func(r *Report) (previous *Report)
		wantRule string
		wantMsg  string
	}{
		{
			name:     "unknown format",
			edit:     func(r *Report) *Report { r.Format = "2020"; return nil },
			wantRule: RuleFormat, wantMsg: "未知的年度报告格式“2020”（应为2019或2021）",
		},
		{
			name:     "format of another year",
			edit:     func(r *Report) *Report { r.Year = 2021; return nil },
			wantRule: RuleFormat, wantMsg: "2021年度报告应使用2021年格式，实为2019年格式",
		},
		{
			name:     "year before the formats",
			edit:     func(r *Report) *Report { r.Year = 2018; return nil },
			wantRule: RuleFormat, wantMsg: "2018年的年度报告不适用现行年度报告格式（2019年起适用）",
		},
		{
			name:     "missing row",
			edit:     func(r *Report) *Report { delete(r.Requests.Rows, "三(五)3"); return nil },
			wantRule: RuleRows, wantMsg: "表三 缺少三(五)3行（3.要求提供公开出版物）",
		},
		{
			name:     "row of the other format",
			edit:     func(r *Report) *Report { r.Requests.Rows["三(六)2"] = Counts{}; return nil },
			wantRule: RuleRows, wantMsg: "表三 的“三(六)2”行不属于2019年格式",
		},
		{
			name: "previous report of the wrong year",
			edit: func(r *Report) *Report {
				p := seed()
				p.Year = 2018
				return p
			},
			wantRule: RuleCarryOver, wantMsg: "用于核对结转数的上年报告是2018年度的，应为2019年度",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := seed()
			previous := tt.edit(r)
			fs := Check(r, previous)
			if len(fs) != 1 {
				t.Fatalf("got %d failures, want 1: %v", len(fs), fs)
			}
			if fs[0].Rule != tt.wantRule || fs[0].Message != tt.wantMsg {
				t.Errorf("got %s %q, want %s %q", fs[0].Rule, fs[0].Message, tt.wantRule, tt.wantMsg)
			}
		})
	}
}

// TestCheckSingleOther: in a 2021 report that keeps the single 三(六) row, that row counts as
// 其他处理 in 三(七), and the report is not missing 三(六)1 to 三(六)3.
func TestCheckSingleOther(t *testing.T) {
	r := mustSingleOther2021(t)
	row := r.Requests.Rows[RowOther]
	row[ColNatural]++
	row[ColTotal]++
	r.Requests.Rows[RowOther] = row
	fs := Check(r, nil)
	var rules []string
	for _, f := range fs {
		rules = append(rules, f.Rule+" "+f.Cell)
	}
	want := []string{RuleResultsTotal + " 三(七)/自然人", RuleResultsTotal + " 三(七)/总计"}
	if !slices.Equal(rules, want) {
		t.Errorf("failures %v, want %v", rules, want)
	}
}

func TestCheckCarryOverAcrossFormats(t *testing.T) {
	// Last year (2020, 2019 format) carried 3 natural-person requests over; this year (2021,
	// 2021 format) received them as 二.
	previous := mustSeedReport(t)
	out := previous.Requests.Rows[RowCarriedOut]
	out[ColNatural], out[ColTotal] = 3, 3
	previous.Requests.Rows[RowCarriedOut] = out
	in := previous.Requests.Rows[RowReceived]
	in[ColNatural], in[ColTotal] = in[ColNatural]+3, in[ColTotal]+3
	previous.Requests.Rows[RowReceived] = in
	if fs := Check(previous, nil); len(fs) != 0 {
		t.Fatalf("previous report inconsistent: %v", fs)
	}
	carried := make([]RequestRecord, 3)
	for i := range carried {
		carried[i] = RequestRecord{Applicant: ApplicantNatural, Received: mustDate(t, "2020-12-20"), Closed: mustDate(t, "2021-01-08"), Outcome: "三(一)"}
	}
	tests := []struct {
		name  string
		recs  []RequestRecord
		fails int
	}{
		{"all three carried", carried, 0},
		{"one lost", carried[:2], 2}, // 自然人 and 总计
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Report{Org: seedOrg, Year: 2021, Format: Format2021, Requests: TallyRequests(Format2021, 2021, tt.recs)}
			fs := Check(r, previous)
			if len(fs) != tt.fails {
				t.Fatalf("got %d failures, want %d: %v", len(fs), tt.fails, fs)
			}
			for _, f := range fs {
				if f.Rule != RuleCarryOver || f.Left != 2 || f.Right != 3 {
					t.Errorf("got %+v, want a carry-over failure 2 ≠ 3", f)
				}
			}
		})
	}
}
