package web

import (
	"fmt"
	"html/template"
	"slices"
	"strings"
	"unicode"

	"wugongkai/workflow"
)

// The workflow diagram is drawn server-side as SVG, one state per row from top to bottom:
// a transition to the next row is a straight arrow in the middle, a transition that skips rows
// runs in a lane on the right, a transition back to an earlier state runs in a lane on the left,
// and a transition that stays in its state is a loop on the right. The current state has a
// thicker border and the word 当前, so it is not told by colour alone. A countersign (会签) step,
// approved by each co-unit in parallel, carries the parallel multi-instance marker (three bars)
// and is described as parallel.

const (
	svgMargin    = 16
	svgLane      = 12 // distance between lanes
	svgSlot      = 15 // distance between attachment points on a box side
	svgRowGap    = 40
	svgMinBoxH   = 46
	svgStateFont = 14
	svgEdgeFont  = 12
	svgParallelH = 64 // a countersign step's box: room for its marker under the label
)

// svgEdge is every transition between one pair of states, drawn as one arrow.
type svgEdge struct {
	from, to string
	label    string
	system   bool
	kind     string // down | skip | up | self
	lane     int
	slot     int // departure slot on the box side
}

// textWidth estimates the width of s in pixels at font size px: wide (CJK) characters take a full
// em, others about 0.6 em.
func textWidth(s string, px int) int {
	w := 0.0
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) || (r >= 0xFF00 && r <= 0xFFEF) || (r >= 0x3000 && r <= 0x303F) {
			w += float64(px)
		} else {
			w += 0.6 * float64(px)
		}
	}
	return int(w + 0.5)
}

// stateOrder ranks the states by the longest path from the initial state over the transitions
// that do not lead back to a state on the current path, and orders them by rank, then by their
// order in the definition.
func stateOrder(def *workflow.Definition) []*workflow.State {
	out := map[string][]string{}
	for _, t := range def.Transitions {
		for _, f := range t.From {
			if !slices.Contains(out[f], t.To) {
				out[f] = append(out[f], t.To)
			}
		}
	}
	// Depth-first search from the initial state marks the edges that go back.
	back := map[[2]string]bool{}
	state := map[string]int{} // 0 new, 1 on the path, 2 done
	var visit func(string)
	visit = func(n string) {
		state[n] = 1
		for _, m := range out[n] {
			switch state[m] {
			case 0:
				visit(m)
			case 1:
				back[[2]string{n, m}] = true
			}
		}
		state[n] = 2
	}
	visit(def.Initial)
	for _, s := range def.States {
		if state[s.Name] == 0 {
			visit(s.Name)
		}
	}
	// Longest path over the forward edges (a DAG), by relaxing until nothing changes.
	rank := map[string]int{}
	for range def.States {
		changed := false
		for f, tos := range out {
			for _, t := range tos {
				if f == t || back[[2]string{f, t}] {
					continue
				}
				if rank[t] < rank[f]+1 {
					rank[t] = rank[f] + 1
					changed = true
				}
			}
		}
		if !changed {
			break
		}
	}
	states := slices.Clone(def.States)
	index := map[string]int{}
	for i, s := range def.States {
		index[s.Name] = i
	}
	slices.SortStableFunc(states, func(a, b *workflow.State) int {
		if a.Name == def.Initial {
			return -1
		}
		if b.Name == def.Initial {
			return 1
		}
		if rank[a.Name] != rank[b.Name] {
			return rank[a.Name] - rank[b.Name]
		}
		return index[a.Name] - index[b.Name]
	})
	return states
}

// svgEdges groups the transitions by (from, to) in definition order, joining their labels.
func svgEdges(def *workflow.Definition, row map[string]int) []*svgEdge {
	var edges []*svgEdge
	byPair := map[[2]string]*svgEdge{}
	for _, t := range def.Transitions {
		for _, f := range t.From {
			key := [2]string{f, t.To}
			e, ok := byPair[key]
			if !ok {
				e = &svgEdge{from: f, to: t.To, system: true}
				byPair[key] = e
				edges = append(edges, e)
			}
			label := t.Label
			if !strings.Contains("／"+e.label+"／", "／"+label+"／") {
				if e.label != "" {
					e.label += "／"
				}
				e.label += label
			}
			e.system = e.system && t.System
		}
	}
	for _, e := range edges {
		if e.system {
			e.label += "（自动）"
		}
		switch d := row[e.to] - row[e.from]; {
		case d == 0:
			e.kind = "self"
		case d == 1:
			e.kind = "down"
		case d > 1:
			e.kind = "skip"
		default:
			e.kind = "up"
		}
	}
	return edges
}

// assignLanes gives the edges of one side their lanes: shorter spans nearer the boxes.
func assignLanes(edges []*svgEdge, row map[string]int) int {
	span := func(e *svgEdge) int {
		d := row[e.to] - row[e.from]
		if d < 0 {
			d = -d
		}
		return d
	}
	sorted := slices.Clone(edges)
	slices.SortStableFunc(sorted, func(a, b *svgEdge) int { return span(a) - span(b) })
	for i, e := range sorted {
		e.lane = i
	}
	return len(sorted)
}

type svgBox struct {
	x, y, w, h                  int
	arrivalsLeft, arrivalsRight bool
	departLeft, departRight     int
}

func (b svgBox) cx() int { return b.x + b.w/2 }

// leftSlotY is the y of departure slot k on the left side (arrivals, if any, come first).
func (b svgBox) leftSlotY(k int) int {
	first := b.y + 14
	if b.arrivalsLeft {
		first += svgSlot
	}
	return first + k*svgSlot
}

func (b svgBox) rightSlotY(k int) int {
	first := b.y + 14
	if b.arrivalsRight {
		first += svgSlot
	}
	return first + k*svgSlot
}

func (b svgBox) arrivalY() int { return b.y + 14 }

// workflowSVG draws def with current highlighted.
func workflowSVG(def *workflow.Definition, current string) template.HTML {
	states := stateOrder(def)
	row := map[string]int{}
	for i, s := range states {
		row[s.Name] = i
	}
	edges := svgEdges(def, row)
	var left, right []*svgEdge
	for _, e := range edges {
		switch e.kind {
		case "up":
			left = append(left, e)
		case "skip":
			right = append(right, e)
		}
	}
	nLeft, nRight := assignLanes(left, row), assignLanes(right, row)

	boxes := map[string]*svgBox{}
	boxW := 150
	for _, s := range states {
		boxW = max(boxW, textWidth(s.Label, svgStateFont)+40)
		boxes[s.Name] = &svgBox{}
	}
	for _, e := range edges {
		switch e.kind {
		case "up":
			e.slot = boxes[e.from].departLeft
			boxes[e.from].departLeft++
			boxes[e.to].arrivalsLeft = true
		case "skip", "self":
			e.slot = boxes[e.from].departRight
			boxes[e.from].departRight++
			if e.kind == "skip" {
				boxes[e.to].arrivalsRight = true
			}
		}
	}
	leftLabelW, rightLabelW, downLabelW := 0, 0, 0
	for _, e := range edges {
		w := textWidth(e.label, svgEdgeFont)
		switch e.kind {
		case "up":
			leftLabelW = max(leftLabelW, w+14)
		case "skip":
			rightLabelW = max(rightLabelW, w+14)
		case "self":
			rightLabelW = max(rightLabelW, w+44)
		case "down":
			downLabelW = max(downLabelW, w)
		}
	}
	boxX := svgMargin + nLeft*svgLane + leftLabelW
	if nLeft > 0 {
		boxX += 6
	}
	y := svgMargin + 28 // room for the start marker
	for _, s := range states {
		b := boxes[s.Name]
		slotsL, slotsR := b.departLeft, b.departRight
		if b.arrivalsLeft {
			slotsL++
		}
		if b.arrivalsRight {
			slotsR++
		}
		h := max(svgMinBoxH, max(slotsL, slotsR)*svgSlot+16)
		if s.Countersign != nil {
			h = max(h, svgParallelH)
		}
		*b = svgBox{x: boxX, y: y, w: boxW, h: h, arrivalsLeft: b.arrivalsLeft, arrivalsRight: b.arrivalsRight,
			departLeft: b.departLeft, departRight: b.departRight}
		y += h + svgRowGap
	}
	height := y - svgRowGap + svgMargin
	rightEdge := boxX + boxW + rightLabelW
	laneBase := rightEdge + 6
	width := max(laneBase+nRight*svgLane+svgMargin, boxX+boxW/2+10+downLabelW+svgMargin)

	var b strings.Builder
	esc := template.HTMLEscapeString
	curLabel := def.StateLabel(current)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="workflow" role="img" aria-labelledby="wf-title wf-desc" viewBox="0 0 %d %d" width="%d" height="%d" font-family="sans-serif">`,
		width, height, width, height)
	fmt.Fprintf(&b, `<title id="wf-title">%s流程图</title>`, esc(def.Title))
	var desc strings.Builder
	fmt.Fprintf(&desc, "当前状态：%s。", curLabel)
	for _, e := range edges {
		fmt.Fprintf(&desc, "%s → %s：%s。", def.StateLabel(e.from), def.StateLabel(e.to), e.label)
	}
	for _, s := range states {
		if s.Countersign != nil {
			fmt.Fprintf(&desc, "“%s”为并行步骤：各会签科室负责人分别审核，次序不限，全部同意后继续，任一退回即退回。", s.Label)
		}
	}
	fmt.Fprintf(&b, `<desc id="wf-desc">%s</desc>`, esc(desc.String()))
	b.WriteString(`<defs><marker id="wf-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#44546a"/></marker></defs>`)

	label := func(x, y int, anchor, text string) {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="%d" text-anchor="%s" fill="#1d2733" stroke="#ffffff" stroke-width="4" paint-order="stroke">%s</text>`,
			x, y, svgEdgeFont, anchor, esc(text))
	}
	line := func(d string, system bool) {
		dash := ""
		if system {
			dash = ` stroke-dasharray="5 4"`
		}
		fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="#44546a" stroke-width="1.5"%s marker-end="url(#wf-arrow)"/>`, d, dash)
	}

	// Start marker.
	init := boxes[def.Initial]
	fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="6" fill="#44546a"/>`, init.cx(), init.y-24)
	line(fmt.Sprintf("M%d,%d V%d", init.cx(), init.y-18, init.y-1), false)

	// Edges first, so the boxes cover their ends.
	for _, e := range edges {
		f, t := boxes[e.from], boxes[e.to]
		switch e.kind {
		case "down":
			line(fmt.Sprintf("M%d,%d V%d", f.cx(), f.y+f.h, t.y-1), e.system)
			label(f.cx()+8, f.y+f.h+svgRowGap/2+4, "start", e.label)
		case "skip":
			x := laneBase + e.lane*svgLane
			y0, y1 := f.rightSlotY(e.slot), t.arrivalY()
			line(fmt.Sprintf("M%d,%d H%d V%d H%d", f.x+f.w, y0, x, y1, t.x+t.w+1), e.system)
			label(f.x+f.w+6, y0+13, "start", e.label)
		case "up":
			x := boxX - 6 - leftLabelW - (e.lane+1)*svgLane + svgLane/2
			y0, y1 := f.leftSlotY(e.slot), t.arrivalY()
			line(fmt.Sprintf("M%d,%d H%d V%d H%d", f.x, y0, x, y1, t.x-1), e.system)
			label(f.x-6, y0+13, "end", e.label)
		case "self":
			y0 := f.rightSlotY(e.slot)
			x0 := f.x + f.w
			line(fmt.Sprintf("M%d,%d C%d,%d %d,%d %d,%d", x0, y0-5, x0+30, y0-16, x0+30, y0+10, x0+1, y0+5), e.system)
			label(x0+34, y0+4, "start", e.label)
		}
	}
	for _, s := range states {
		bx := boxes[s.Name]
		cur := s.Name == current
		fill, stroke, sw := "#f4f7fb", "#5b6b82", "1.5"
		if cur {
			fill, stroke, sw = "#fff6e5", "#9a3412", "4"
		}
		cls := "wf-state"
		if cur {
			cls += " wf-current"
		}
		fmt.Fprintf(&b, `<g class="%s" data-state="%s">`, cls, esc(s.Name))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" rx="6" fill="%s" stroke="%s" stroke-width="%s"/>`,
			bx.x, bx.y, bx.w, bx.h, fill, stroke, sw)
		if s.Terminal {
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" rx="4" fill="none" stroke="%s" stroke-width="1"/>`,
				bx.x+4, bx.y+4, bx.w-8, bx.h-8, stroke)
		}
		mid := bx.y + bx.h/2
		if s.Countersign != nil {
			mid -= 8 // the marker goes under the label
			b.WriteString(`<g class="wf-parallel" stroke="#44546a" stroke-width="2">`)
			for _, dx := range []int{-6, 0, 6} {
				fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d"/>`, bx.cx()+dx, bx.y+bx.h-17, bx.cx()+dx, bx.y+bx.h-6)
			}
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" fill="#44546a" stroke="none">各科室并行</text></g>`, bx.cx()+14, bx.y+bx.h-7)
		}
		if cur {
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="%d" font-weight="bold" text-anchor="middle" fill="#1d2733">%s</text>`,
				bx.cx(), mid-2, svgStateFont, esc(s.Label))
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" font-weight="bold" text-anchor="middle" fill="#9a3412">▶ 当前</text>`,
				bx.cx(), mid+14)
		} else {
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="%d" text-anchor="middle" fill="#1d2733">%s</text>`,
				bx.cx(), mid+5, svgStateFont, esc(s.Label))
		}
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every text in it is escaped above
}
