package web

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"wugongkai/configs"
	"wugongkai/policy"
	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

func mustRegistry(tb testing.TB) *workflow.Registry {
	tb.Helper()
	guards := workflow.DefaultGuards().With(policy.Guards()).With(requests.Guards())
	reg, err := workflow.LoadDefinitions(configs.Workflows(), guards)
	if err != nil {
		tb.Fatal(err)
	}
	return reg
}

var (
	reRect  = regexp.MustCompile(`<g class="wf-state[^"]*" data-state="([a-z_]+)"><rect x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)"`)
	reView  = regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`)
	reArrow = regexp.MustCompile(`<path d="[^"]*"[^>]*marker-end="url\(#wf-arrow\)"/>`)
)

// TestWorkflowSVG draws both flows with each state current: every state is one box inside the
// picture, no two boxes overlap, every pair of states joined by a transition has one arrow, and
// only the current state has the thick border and the word 当前.
func TestWorkflowSVG(t *testing.T) {
	reg := mustRegistry(t)
	for _, name := range []string{"document", "decision"} {
		def, err := reg.Latest(name)
		if err != nil {
			t.Fatal(err)
		}
		pairs := map[[2]string]bool{}
		for _, tr := range def.Transitions {
			for _, f := range tr.From {
				pairs[[2]string{f, tr.To}] = true
			}
		}
		for _, cur := range def.States {
			t.Run(name+"/"+cur.Name, func(t *testing.T) {
				svg := string(workflowSVG(def, cur.Name))
				vb := reView.FindStringSubmatch(svg)
				if vb == nil {
					t.Fatal("no viewBox")
				}
				w, _ := strconv.Atoi(vb[1])
				h, _ := strconv.Atoi(vb[2])
				type box struct{ x, y, w, h int }
				boxes := map[string]box{}
				for _, m := range reRect.FindAllStringSubmatch(svg, -1) {
					var b box
					b.x, _ = strconv.Atoi(m[2])
					b.y, _ = strconv.Atoi(m[3])
					b.w, _ = strconv.Atoi(m[4])
					b.h, _ = strconv.Atoi(m[5])
					if _, dup := boxes[m[1]]; dup {
						t.Errorf("state %s drawn twice", m[1])
					}
					boxes[m[1]] = b
					if b.x < 0 || b.y < 0 || b.x+b.w > w || b.y+b.h > h {
						t.Errorf("state %s box %+v outside the %dx%d picture", m[1], b, w, h)
					}
				}
				if len(boxes) != len(def.States) {
					t.Fatalf("%d boxes for %d states", len(boxes), len(def.States))
				}
				for a, ba := range boxes {
					for b, bb := range boxes {
						if a < b && ba.x < bb.x+bb.w && bb.x < ba.x+ba.w && ba.y < bb.y+bb.h && bb.y < ba.y+ba.h {
							t.Errorf("boxes of %s and %s overlap", a, b)
						}
					}
				}
				if got, want := len(reArrow.FindAllString(svg, -1)), len(pairs)+1; got != want {
					t.Errorf("%d arrows, want %d (one per pair of states and the start)", got, want)
				}
				if n := strings.Count(svg, "wf-current"); n != 1 {
					t.Errorf("%d current states", n)
				}
				if !regexp.MustCompile(`class="wf-state wf-current" data-state="` + cur.Name + `"><rect [^>]*stroke-width="4"`).MatchString(svg) {
					t.Errorf("current state %s has no thick border", cur.Name)
				}
				if n := strings.Count(svg, "当前</text>"); n != 1 {
					t.Errorf("the word 当前 appears %d times", n)
				}
				if !strings.Contains(svg, "当前状态："+cur.Label) {
					t.Errorf("description does not name the current state")
				}
			})
		}
	}
}

// TestWorkflowSVGParallelStep: the document flow's countersign step is drawn as a parallel step
// (the marker inside its box, below its label) and described as one.
func TestWorkflowSVGParallelStep(t *testing.T) {
	def, err := mustRegistry(t).Latest("document")
	if err != nil {
		t.Fatal(err)
	}
	for _, cur := range []string{"countersign", "drafting"} {
		svg := string(workflowSVG(def, cur))
		m := regexp.MustCompile(`data-state="countersign"><rect [^>]*/><g class="wf-parallel"[^>]*>(?:<line x1="\d+" y1="(\d+)"[^>]*/>){3}<text [^>]*>各科室并行</text></g><text x="\d+" y="(\d+)"`).FindStringSubmatch(svg)
		if m == nil {
			t.Fatalf("current %s: the countersign box has no parallel marker", cur)
		}
		if marker, text := atoi(m[1]), atoi(m[2]); marker <= text {
			t.Errorf("current %s: the marker (y %d) is not below the label (y %d)", cur, marker, text)
		}
		if strings.Count(svg, `class="wf-parallel"`) != 1 {
			t.Errorf("current %s: a state other than the countersign is drawn parallel", cur)
		}
		if !strings.Contains(svg, "“会签”为并行步骤") {
			t.Errorf("current %s: the description does not call the countersign parallel", cur)
		}
	}
}

// TestWorkflowSVGEscapes shows labels as text.
func TestWorkflowSVGEscapes(t *testing.T) {
	def := &workflow.Definition{Name: "x", Title: `<b>流程</b>`, Initial: "a",
		States:      []*workflow.State{{Name: "a", Label: `<script>alert(1)</script>`}, {Name: "b", Label: "乙&丙", Terminal: true}},
		Transitions: []*workflow.Transition{{Name: "go", Label: `"引号"<i>`, From: []string{"a"}, To: "b"}}}
	svg := string(workflowSVG(def, "b"))
	for _, bad := range []string{"<script>", "<b>", "<i>", "乙&丙"} {
		if strings.Contains(svg, bad) {
			t.Errorf("unescaped %q in %s", bad, svg)
		}
	}
	for _, want := range []string{"&lt;script&gt;", "乙&amp;丙", "&lt;b&gt;流程"} {
		if !strings.Contains(svg, want) {
			t.Errorf("missing %q", want)
		}
	}
}

// TestLineDiff checks that the diff of two texts gives back both texts and marks the changes.
func TestLineDiff(t *testing.T) {
	many := func(prefix string, n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "%s%d\n", prefix, i)
		}
		return b.String()
	}
	for _, tc := range []struct {
		name         string
		old, new     string
		ops          string // the ops in order, when short enough to spell out
		wantComplete bool
	}{
		{"same", "一\n二\n", "一\n二", "  ", true},
		{"added at the end", "一\n二", "一\n二\n三", "  +", true},
		{"removed in the middle", "一\n二\n三", "一\n三", " - ", true},
		{"changed line", "一\n二\n三", "一\n贰\n三", " -+ ", true},
		{"from nothing", "", "一\n二", "++", true},
		{"to nothing", "一", "", "-", true},
		{"moved", "甲\n乙\n丙", "乙\n丙\n甲", "-  +", true},
		{"too large for the table", many("旧", 2100), many("新", 2100), "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines, complete := lineDiff(tc.old, tc.new)
			if complete != tc.wantComplete {
				t.Errorf("complete = %v", complete)
			}
			var ops strings.Builder
			var oldLines, newLines []string
			for _, l := range lines {
				ops.WriteString(l.Op)
				if l.Op != "+" {
					oldLines = append(oldLines, l.Text)
					if l.Old != len(oldLines) {
						t.Errorf("old line number %d, want %d", l.Old, len(oldLines))
					}
				}
				if l.Op != "-" {
					newLines = append(newLines, l.Text)
					if l.New != len(newLines) {
						t.Errorf("new line number %d, want %d", l.New, len(newLines))
					}
				}
			}
			if tc.ops != "" && ops.String() != tc.ops {
				t.Errorf("ops %q, want %q", ops.String(), tc.ops)
			}
			if got, want := strings.Join(oldLines, "\n"), strings.Join(splitLines(tc.old), "\n"); got != want {
				t.Errorf("old text not kept:\n%s\nwant\n%s", got, want)
			}
			if got, want := strings.Join(newLines, "\n"), strings.Join(splitLines(tc.new), "\n"); got != want {
				t.Errorf("new text not kept")
			}
		})
	}
}

// TestSafeNext keeps the login redirect on the console.
func TestSafeNext(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "/console"},
		{"/console", "/console"},
		{"/console/documents/3?done=x", "/console/documents/3?done=x"},
		{"//evil.example/console", "/console"},
		{"https://evil.example/console", "/console"},
		{"/console\\evil", "/console"},
		{"/console\r\nSet-Cookie: x", "/console"},
		{"/", "/console"},
		{"/consoleevil", "/consoleevil"},
	} {
		if got := safeNext(tc.in); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestGroundGroups puts every statutory ground in the checklist once, beside its article's text,
// with the Art. 15 and Art. 16 boxes where they belong.
func TestGroundGroups(t *testing.T) {
	groups := groundGroups([]string{policy.GroundProcess})
	seen := map[string]bool{}
	art15, law := 0, 0
	for _, g := range groups {
		if g.Text == "" || g.Article == "" {
			t.Errorf("group without its legal text: %+v", g)
		}
		for _, gv := range g.Grounds {
			if seen[gv.Code] {
				t.Errorf("ground %s listed twice", gv.Code)
			}
			seen[gv.Code] = true
			if gv.Checked != (gv.Code == policy.GroundProcess) {
				t.Errorf("ground %s checked = %v", gv.Code, gv.Checked)
			}
		}
		if g.Art15 {
			art15++
			if g.Article != "第十五条" {
				t.Errorf("consent boxes beside %s", g.Article)
			}
		}
		if g.LawRequired {
			law++
			if !strings.HasPrefix(g.Article, "第十六条") {
				t.Errorf("law-requires box beside %s", g.Article)
			}
		}
	}
	if len(seen) != len(policy.Grounds()) || art15 != 1 || law != 1 {
		t.Fatalf("grounds %d, art15 groups %d, law boxes %d", len(seen), art15, law)
	}
}
