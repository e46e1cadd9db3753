package catalogue

import (
	"strings"
)

// View is the catalogue as the public sees it: the tree (领域 → 一级事项 → 二级事项) and the same
// items by 五公开 category.
type View struct {
	Query      string
	Count      int
	Tree       []Area
	Categories []CategoryItems
}

// Area is one 领域 of the tree.
type Area struct {
	Name   string
	Groups []Group
}

// Group is one 一级事项 with its items (each item is one 二级事项).
type Group struct {
	Level1 string
	Items  []Item
}

// CategoryItems is one 五公开 category with its items; categories without items are kept, so
// the five are always shown.
type CategoryItems struct {
	Category string
	Items    []Item
}

// BuildTree groups items, in their order, by 领域 and 一级事项 (each in the order first seen).
func BuildTree(items []Item) []Area {
	var out []Area
	for _, it := range items {
		ai := indexOf(len(out), func(i int) bool { return out[i].Name == it.Area })
		if ai < 0 {
			out = append(out, Area{Name: it.Area})
			ai = len(out) - 1
		}
		a := &out[ai]
		gi := indexOf(len(a.Groups), func(i int) bool { return a.Groups[i].Level1 == it.Level1 })
		if gi < 0 {
			a.Groups = append(a.Groups, Group{Level1: it.Level1})
			gi = len(a.Groups) - 1
		}
		a.Groups[gi].Items = append(a.Groups[gi].Items, it)
	}
	return out
}

func indexOf(n int, match func(int) bool) int {
	for i := range n {
		if match(i) {
			return i
		}
	}
	return -1
}

// ByCategory lists items under each of the five categories, in catalogue order.
func ByCategory(items []Item) []CategoryItems {
	out := make([]CategoryItems, len(Categories))
	for i, c := range Categories {
		out[i].Category = c
		for _, it := range items {
			if it.Category == c {
				out[i].Items = append(out[i].Items, it)
			}
		}
	}
	return out
}

// Search keeps the items whose code, 领域, 事项, 公开内容, 公开依据, 公开时限, 公开主体 or category
// contains every word of query (case-insensitive); an empty query keeps every item.
func Search(items []Item, query string) []Item {
	words := strings.Fields(strings.ToLower(query))
	if len(words) == 0 {
		return items
	}
	var out []Item
	for _, it := range items {
		text := strings.ToLower(strings.Join([]string{it.Code, it.Area, it.Level1, it.Level2,
			strings.Join(it.Content, " "), strings.Join(it.Basis, " "), it.TimeLimit.Text, it.Subject,
			it.Category, it.Audience, it.Mode}, "\n"))
		all := true
		for _, w := range words {
			if !strings.Contains(text, w) {
				all = false
				break
			}
		}
		if all {
			out = append(out, it)
		}
	}
	return out
}
