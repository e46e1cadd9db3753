package documents

import (
	"slices"
	"strings"
	"unicode"
)

// SearchTerms returns the index terms of a text for full-text search that works for Chinese:
// stock PostgreSQL has no Chinese word parser, so text is indexed by its overlapping character
// bigrams (住房租赁补贴 → 住房, 房租, 租赁, 赁补, 补贴) plus single characters, which lets a query of
// any length be matched by containment. Latin letters are lowercased; spaces and punctuation break
// runs, so no term spans them.
func SearchTerms(text string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, run := range runs(text) {
		for i := range run {
			add(string(run[i]))
			if i+1 < len(run) {
				add(string(run[i : i+2]))
			}
		}
	}
	slices.Sort(out)
	return out
}

// QueryTerms returns the terms a query needs: its bigrams, or its single character when a run is
// one character long.
func QueryTerms(q string) []string {
	seen := map[string]bool{}
	var out []string
	for _, run := range runs(q) {
		if len(run) == 1 {
			if !seen[string(run)] {
				seen[string(run)] = true
				out = append(out, string(run))
			}
			continue
		}
		for i := 0; i+1 < len(run); i++ {
			t := string(run[i : i+2])
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	slices.Sort(out)
	return out
}

// runs splits text into runs of letters and digits, lowercased.
func runs(text string) [][]rune {
	var out [][]rune
	var cur []rune
	for _, r := range strings.ToLower(text) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			cur = append(cur, r)
			continue
		}
		if len(cur) > 0 {
			out = append(out, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// SearchPhrases returns the runs of a query (lowercased), each of which a match must contain.
func SearchPhrases(q string) []string {
	var out []string
	for _, r := range runs(q) {
		out = append(out, string(r))
	}
	return out
}
