package web

import "strings"

// diffLine is one line of a line diff: kept (" "), removed ("-") or added ("+").
type diffLine struct {
	Op   string
	Text string
	Old  int // line number in the old text, 0 for an added line
	New  int // line number in the new text, 0 for a removed line
}

// maxDiffCells bounds the LCS table (old lines × new lines after the common head and tail).
const maxDiffCells = 4_000_000

// lineDiff compares two texts line by line with a longest-common-subsequence table after trimming
// their common head and tail. When the differing middle is too large for the table it is shown as
// removed and then added, and complete is false.
func lineDiff(oldText, newText string) (lines []diffLine, complete bool) {
	a := splitLines(oldText)
	b := splitLines(newText)
	head := 0
	for head < len(a) && head < len(b) && a[head] == b[head] {
		head++
	}
	tail := 0
	for tail < len(a)-head && tail < len(b)-head && a[len(a)-1-tail] == b[len(b)-1-tail] {
		tail++
	}
	for i := 0; i < head; i++ {
		lines = append(lines, diffLine{Op: " ", Text: a[i], Old: i + 1, New: i + 1})
	}
	ma, mb := a[head:len(a)-tail], b[head:len(b)-tail]
	complete = true
	if len(ma)*len(mb) > maxDiffCells {
		complete = false
		for i, l := range ma {
			lines = append(lines, diffLine{Op: "-", Text: l, Old: head + i + 1})
		}
		for j, l := range mb {
			lines = append(lines, diffLine{Op: "+", Text: l, New: head + j + 1})
		}
	} else {
		lines = append(lines, lcsDiff(ma, mb, head)...)
	}
	for k := 0; k < tail; k++ {
		i, j := len(a)-tail+k, len(b)-tail+k
		lines = append(lines, diffLine{Op: " ", Text: a[i], Old: i + 1, New: j + 1})
	}
	return lines, complete
}

// lcsDiff diffs a against b; offset is the number of lines before them in both texts.
func lcsDiff(a, b []string, offset int) []diffLine {
	n, m := len(a), len(b)
	// t[i][j] is the LCS length of a[i:] and b[j:].
	t := make([][]int32, n+1)
	for i := range t {
		t[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				t[i][j] = t[i+1][j+1] + 1
			} else {
				t[i][j] = max(t[i+1][j], t[i][j+1])
			}
		}
	}
	var out []diffLine
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			out = append(out, diffLine{Op: " ", Text: a[i], Old: offset + i + 1, New: offset + j + 1})
			i++
			j++
		case t[i+1][j] >= t[i][j+1]:
			out = append(out, diffLine{Op: "-", Text: a[i], Old: offset + i + 1})
			i++
		default:
			out = append(out, diffLine{Op: "+", Text: b[j], New: offset + j + 1})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, diffLine{Op: "-", Text: a[i], Old: offset + i + 1})
	}
	for ; j < m; j++ {
		out = append(out, diffLine{Op: "+", Text: b[j], New: offset + j + 1})
	}
	return out
}

// splitLines splits a text into lines; "" has none, and a final newline adds no empty line.
func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
