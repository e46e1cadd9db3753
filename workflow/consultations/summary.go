package consultations

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"wugongkai/workflow"
)

// maxSummaryItems bounds how many opinions the generated summary quotes one by one.
const maxSummaryItems = 100

// SummaryDraft generates the 意见采纳情况说明 of doc from the dispositions: the period, the counts
// by disposition, the main opinions (campaigns, largest first) and the other opinions, each with
// its answer. The drafter edits it and attaches it with AttachSummary.
func (s *Consultations) SummaryDraft(ctx context.Context, actor workflow.Actor, doc int64) (SummaryDraft, error) {
	c, err := s.staffConsultation(ctx, actor, doc, "decision:consult", true)
	if err != nil {
		return SummaryDraft{}, err
	}
	if _, ok := workflow.FactTime(c.Facts, "closes_at"); !ok || c.Facts.Bool("consultation_exempt") {
		return SummaryDraft{}, &workflow.Error{Code: workflow.ETransitionNotAllowed, Message: "该草案未公开征求意见，无需意见采纳情况说明"}
	}
	groups, err := s.Store.SummaryGroups(ctx, c.ID)
	if err != nil {
		return SummaryDraft{}, err
	}
	hist, err := s.Store.History(ctx, "document", c.ID)
	if err != nil {
		return SummaryDraft{}, err
	}
	return RenderSummary(c, s.OrgName, ExtensionsOf(hist), groups), nil
}

// RenderSummary writes the 意见采纳情况说明 of consultation c from its comment groups.
func RenderSummary(c Consultation, org string, exts []Extension, groups []CommentGroup) SummaryDraft {
	sd := SummaryDraft{ByDisposition: map[Disposition]int{}}
	for _, g := range groups {
		sd.Total += g.Count
		sd.Hidden += g.Hidden
		if g.Disposition == "" {
			sd.Undisposed += g.Count
		} else {
			sd.ByDisposition[g.Disposition] += g.Count
		}
	}
	if org == "" {
		org = "我单位"
	}
	opens, _ := workflow.FactTime(c.Facts, "opens_at")
	closes, _ := workflow.FactTime(c.Facts, "closes_at")
	var b strings.Builder
	fmt.Fprintf(&b, "关于《%s》公开征求意见采纳情况的说明\n\n", c.Title)
	fmt.Fprintf(&b, "%s于%s至%s在门户网站公开征求《%s》的意见。", org, longTime(opens), longTime(closes), c.Title)
	if r := strings.TrimSpace(c.Facts["shortening_reason"]); r != "" {
		fmt.Fprintf(&b, "%s，征求意见期少于 30 日。", because(r))
	}
	for _, e := range exts {
		fmt.Fprintf(&b, "其间，%s%s，征求意见截止时间延长至%s。", longDate(e.At), because(e.Reason), longTime(e.ClosesAt))
	}
	b.WriteString("\n\n")
	if sd.Total == 0 {
		b.WriteString("征求意见期间未收到意见。\n")
		sd.Text = b.String()
		return sd
	}
	campaigns, inCampaigns := 0, 0
	byKey := map[string]int{}
	for _, g := range groups {
		byKey[g.CampaignKey] += g.Count
	}
	for _, n := range byKey {
		if n >= 2 {
			campaigns++
			inCampaigns += n
		}
	}
	fmt.Fprintf(&b, "征求意见期间共收到意见 %d 条", sd.Total)
	if campaigns > 0 {
		fmt.Fprintf(&b, "，其中内容相同或相近的意见 %d 条，归并为 %d 组", inCampaigns, campaigns)
	}
	if sd.Hidden > 0 {
		fmt.Fprintf(&b, "；其中经审核不予公开的意见 %d 条", sd.Hidden)
	}
	b.WriteString("。经逐条研究，")
	parts := make([]string, 0, 5)
	for _, d := range Dispositions() {
		parts = append(parts, fmt.Sprintf("%s %d 条", d, sd.ByDisposition[d]))
	}
	b.WriteString(strings.Join(parts, "，"))
	if sd.Undisposed > 0 {
		fmt.Fprintf(&b, "，尚未处理 %d 条", sd.Undisposed)
	}
	b.WriteString("。\n")

	var main, others []CommentGroup
	for _, g := range groups {
		if byKey[g.CampaignKey] >= 2 {
			main = append(main, g)
		} else {
			others = append(others, g)
		}
	}
	slices.SortStableFunc(main, func(a, b CommentGroup) int {
		if byKey[a.CampaignKey] != byKey[b.CampaignKey] {
			return byKey[b.CampaignKey] - byKey[a.CampaignKey]
		}
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return a.FirstAt.Compare(b.FirstAt)
	})
	slices.SortStableFunc(others, func(a, b CommentGroup) int { return a.FirstAt.Compare(b.FirstAt) })
	quoted := 0
	section := func(title string, gs []CommentGroup, campaign bool) {
		if len(gs) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s\n", title)
		for i, g := range gs {
			if quoted >= maxSummaryItems {
				rest := 0
				for _, r := range gs[i:] {
					rest += r.Count
				}
				fmt.Fprintf(&b, "另有意见 %d 条，已逐条研究处理，处理情况计入上述统计。\n", rest)
				return
			}
			quoted++
			fmt.Fprintf(&b, "%d. %s", i+1, quote(g.Text))
			if campaign {
				fmt.Fprintf(&b, "（%d 条相同或相近意见）", g.Count)
			}
			b.WriteString("\n处理情况：")
			if g.Disposition == "" {
				b.WriteString("尚未处理。\n")
				continue
			}
			b.WriteString(string(g.Disposition) + "。")
			if r := strings.TrimSpace(g.Reason); r != "" {
				b.WriteString("理由：" + r)
				if !strings.HasSuffix(r, "。") {
					b.WriteString("。")
				}
			}
			b.WriteString("\n")
		}
	}
	section("一、主要意见及采纳情况", main, true)
	title := "二、其他意见及采纳情况"
	if len(main) == 0 {
		title = "一、意见及采纳情况"
	}
	section(title, others, false)
	sd.Text = b.String()
	return sd
}

// quote shortens a comment for the summary: whitespace collapsed, at most 200 characters.
func quote(text string) string {
	if text == "" {
		return "（该意见经审核不予公开，不予引用）"
	}
	t := strings.Join(strings.Fields(text), " ")
	if r := []rune(t); len(r) > 200 {
		t = string(r[:200]) + "……"
	}
	return "“" + t + "”"
}

func longTime(t time.Time) string { return t.In(workflow.Shanghai).Format("2006年1月2日15时04分") }
func longDate(t time.Time) string { return t.In(workflow.Shanghai).Format("2006年1月2日") }

// because writes a reason as a clause starting with 因, without doubling the 因 (or 由于, 鉴于)
// the drafter may have written: "因城市更新…" stays "因城市更新…", "城市更新…" becomes "因城市更新…".
func because(reason string) string {
	r := strings.TrimRight(strings.TrimSpace(reason), "。；;，, ")
	for _, p := range []string{"因", "由于", "鉴于"} {
		if strings.HasPrefix(r, p) {
			return r
		}
	}
	return "因" + r
}
