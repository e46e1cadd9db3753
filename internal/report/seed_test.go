package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// seedOrg is the bureau whose 2020 report the tests reproduce.
const seedOrg = "许昌市住房和城乡建设局"

// mustSeedReport returns the bureau's 2020 report (2019 format) rebuilt from records: 26 requests
// received in 2020 (18 from natural persons, 5 from companies, 3 from legal service bodies), all
// answered in 2020 with 予以公开, none carried over. Table 四 is left at zero because the source
// row is mangled.
func mustSeedReport(tb testing.TB) *Report {
	tb.Helper()
	rep, err := New(seedOrg, 2020)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	rep.Sections[SectionOverview] = "一是加大主动公开力度。2020年在门户网站公开各类信息502条。\n二是将“五公开”要求落实到公文办理和会议办理程序。"
	rep.Sections[SectionProblems] = "一是信息公开意识不够强；二是在公开的时效、更新频率等方面还需进一步改进；三是政务信息公开渠道、途径、方式和范围还需进一步拓宽。"
	rep.Sections[SectionOther] = "无"
	for _, s := range []struct {
		item, label string
		values      []float64
	}{
		{"第二十条第（一）项", "规章", []float64{0, 0, 0}},
		{"第二十条第（一）项", "规范性文件", []float64{16, 16, 52}},
		{"第二十条第（五）项", "行政许可", []float64{8, 0, 394}},
		{"第二十条第（五）项", "其他对外管理服务事项", []float64{30, 3, 306}},
		{"第二十条第（六）项", "行政处罚", []float64{0, 0, 0}},
		{"第二十条第（六）项", "行政强制", []float64{0, 0, 0}},
		{"第二十条第（八）项", "行政事业性收费", []float64{0, 0}},
		{"第二十条第（九）项", "政府集中采购", []float64{1, 31.2}},
	} {
		cells := make([]Cell, len(s.values))
		for i, v := range s.values {
			cells[i] = Num(v)
		}
		if err := rep.Proactive.Set(s.item, s.label, cells...); err != nil {
			tb.Fatalf("Set: %v", err)
		}
	}
	var recs []RequestRecord
	for _, g := range []struct {
		applicant string
		n         int
	}{{ApplicantNatural, 18}, {ApplicantCommercial, 5}, {ApplicantLegalService, 3}} {
		for i := range g.n {
			recs = append(recs, RequestRecord{
				Applicant: g.applicant,
				Received:  mustDate(tb, "2020-0"+strconv.Itoa(1+i%9)+"-10"),
				Closed:    mustDate(tb, "2020-0"+strconv.Itoa(1+i%9)+"-28"),
				Outcome:   "三(一)",
			})
		}
	}
	rep.Requests = TallyRequests(rep.Format, rep.Year, recs)
	return rep
}

// mustReadFile reads a file of testdata.
func mustReadFile(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatalf("read %s: %v", name, err)
	}
	return b
}

// checkGolden compares got with testdata/name, rewriting it under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("write %s: %v", path, err)
		}
	}
	want := mustReadFile(t, name)
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update to accept):\n%s", name, firstDiff(string(got), string(want)))
	}
}

// firstDiff returns the first differing line of got and want.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + gl + "\nwant: " + wl
		}
	}
	return ""
}

// seedTable3 returns the label text and the figures of Table 三 in the seed report, in reading
// order, from the rows after the column heads.
func seedTable3(tb testing.TB) (note string, labels string, figures []int) {
	tb.Helper()
	lines := strings.Split(string(mustReadFile(tb, "seed2020_table3.txt")), "\n")
	body := false
	for _, line := range lines {
		fields := strings.Split(line, "\t")
		if strings.HasPrefix(fields[0], "(本列数据") {
			note = fields[0]
			continue
		}
		if strings.HasPrefix(line, "一、本年新收") {
			body = true
		}
		if !body {
			continue
		}
		for _, f := range fields {
			f = strings.TrimSpace(f)
			if n, err := strconv.Atoi(f); err == nil {
				figures = append(figures, n)
			} else {
				labels += f
			}
		}
	}
	return note, labels, figures
}

// normalize folds the punctuation and spacing differences between the seed's text extraction
// and the official labels: full-width brackets and commas become half-width, spaces go.
func normalize(s string) string {
	return strings.NewReplacer("（", "(", "）", ")", "，", ",", "：", ":", " ", "", "\u3000", "").Replace(s)
}

func TestSeedTable3Labels(t *testing.T) {
	note, seedLabels, _ := seedTable3(t)
	if normalize(note) != normalize(balanceNote) {
		t.Errorf("note:\n got %s\nseed %s", balanceNote, note)
	}
	g := requestsGrid(Format2019, mustSeedReport(t).Requests)
	var ours string
	for _, c := range g.Cells {
		if c.Row >= g.HeadRows && c.Header {
			ours += c.Text
		}
	}
	if normalize(ours) != normalize(seedLabels) {
		t.Errorf("row labels differ from the seed:\n got %s\nseed %s", normalize(ours), normalize(seedLabels))
	}
}

func TestSeedTable3Figures(t *testing.T) {
	_, _, seedFigures := seedTable3(t)
	g := requestsGrid(Format2019, mustSeedReport(t).Requests)
	var ours []int
	for _, c := range g.Cells {
		if c.Number {
			ours = append(ours, int(c.Value))
		}
	}
	if len(ours) != 23*7 {
		t.Fatalf("got %d figures, want %d", len(ours), 23*7)
	}
	if len(seedFigures) != len(ours) {
		t.Fatalf("seed has %d figures, ours %d", len(seedFigures), len(ours))
	}
	for i := range ours {
		if ours[i] != seedFigures[i] {
			t.Errorf("figure %d (row %s, %s): got %d, seed %d", i, RequestRowKeys(Format2019)[i/7], columnLabel(i%7), ours[i], seedFigures[i])
		}
	}
}

func TestSeedGolden(t *testing.T) {
	rep := mustSeedReport(t)
	if fs := Check(rep, nil); len(fs) != 0 {
		t.Fatalf("Check of the seed report: %v", fs)
	}
	tests := []struct {
		name   string
		render func(*bytes.Buffer, *Report) error
	}{
		{"seed2020.html", func(b *bytes.Buffer, r *Report) error { return RenderHTML(b, r) }},
		{"seed2020.csv", func(b *bytes.Buffer, r *Report) error { return RenderCSV(b, r) }},
		{"seed2020.json", func(b *bytes.Buffer, r *Report) error { return WriteJSON(b, r) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tt.render(&buf, rep); err != nil {
				t.Fatalf("render: %v", err)
			}
			checkGolden(t, tt.name, buf.Bytes())
		})
	}
}
