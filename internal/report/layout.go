package report

import (
	"fmt"
	"strconv"
)

// balanceNote is the top-left cell of Table 三, verbatim from the national format.
const balanceNote = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

// gridCell is one cell of a table laid out like the official form. Row and Col are 0-based and
// name the top-left corner of a merged cell.
type gridCell struct {
	Row, Col         int
	RowSpan, ColSpan int
	Text             string
	Header           bool    // a heading or row label (th)
	Class            string  // "row" for a row label, "block" for an item row of Table 二, "note" for the 勾稽关系 note
	Number           bool    // a figure; blank when Text is ""
	Value            float64 // the figure, when Number and Text != ""
}

// grid is one table laid out like the official form, shared by the HTML, CSV and XLSX output.
type grid struct {
	Heading    string    // the report section the table belongs to, e.g. "三、收到和处理政府信息公开申请情况"
	Sheet      string    // the XLSX sheet name
	Class      string    // the CSS class of the table
	Label      string    // the table's accessible name (aria-label)
	HeadRows   int       // how many leading rows form the table head
	NumRows    int       // rows of the grid
	NumCols    int       // columns of the grid
	ColWidths  []float64 // XLSX column widths in characters
	Landscape  bool      // print across the page (XLSX)
	Cells      []gridCell
	currentRow int
}

// add appends a cell in the current row.
func (g *grid) add(c gridCell) {
	c.Row = g.currentRow
	if c.RowSpan == 0 {
		c.RowSpan = 1
	}
	if c.ColSpan == 0 {
		c.ColSpan = 1
	}
	g.Cells = append(g.Cells, c)
	if end := c.Row + c.RowSpan; end > g.NumRows {
		g.NumRows = end
	}
}

// next moves to the next row.
func (g *grid) next() {
	g.currentRow++
	if g.currentRow > g.NumRows {
		g.NumRows = g.currentRow
	}
}

// rows returns the cells grouped by the row of their top-left corner, from row from to row to
// (exclusive), for the HTML table.
func (g *grid) rows(from, to int) [][]gridCell {
	out := make([][]gridCell, to-from)
	for _, c := range g.Cells {
		if c.Row >= from && c.Row < to {
			out[c.Row-from] = append(out[c.Row-from], c)
		}
	}
	return out
}

// Head returns the rows of the table head.
func (g *grid) Head() [][]gridCell { return g.rows(0, g.HeadRows) }

// Body returns the rows of the table body.
func (g *grid) Body() [][]gridCell { return g.rows(g.HeadRows, g.NumRows) }

// matrix returns the text of every position of the grid; positions covered by a merged cell
// other than its top-left corner are "".
func (g *grid) matrix() [][]string {
	m := make([][]string, g.NumRows)
	for i := range m {
		m[i] = make([]string, g.NumCols)
	}
	for _, c := range g.Cells {
		m[c.Row][c.Col] = c.Text
	}
	return m
}

// headCell returns a header cell.
func headCell(col int, text string) gridCell { return gridCell{Col: col, Text: text, Header: true} }

// rowLabel returns the label of a body row spanning span columns.
func rowLabel(col int, text string, span int) gridCell {
	return gridCell{Col: col, Text: text, Header: true, Class: "row", ColSpan: span}
}

// countCell returns a figure cell holding a count.
func countCell(col, n int) gridCell {
	return gridCell{Col: col, Text: strconv.Itoa(n), Number: true, Value: float64(n)}
}

// amountCell returns a figure cell of Table 二.
func amountCell(col int, c Cell) gridCell {
	if c.Blank {
		return gridCell{Col: col, Number: true}
	}
	return gridCell{Col: col, Text: strconv.FormatFloat(c.Value, 'f', -1, 64), Number: true, Value: c.Value}
}

// grids lays out the three tables of r.
func grids(r *Report) ([]*grid, error) {
	if !validFormat(r.Format) {
		return nil, fmt.Errorf("lay out report: 未知的年度报告格式“%s”", r.Format)
	}
	return []*grid{proactiveGrid(r.Proactive), requestsGrid(r.Format, r.Requests), casesGrid(r.ReviewLitigation)}, nil
}

// proactiveGrid lays out Table 二 as one table: per block a title row across the table, a row of
// column heads and the data rows. A block with fewer columns than the widest lets its last column
// span the rest.
func proactiveGrid(p Proactive) *grid {
	width := 2
	for _, b := range p.Blocks {
		width = max(width, len(b.Columns))
	}
	g := &grid{
		Heading: sectionHeading("二"), Sheet: "表二 主动公开", Class: "report-table proactive",
		Label: "主动公开政府信息情况", NumCols: width,
		ColWidths: append([]float64{28}, repeat(18, width-1)...),
	}
	for _, b := range p.Blocks {
		g.add(gridCell{Text: b.Item, Header: true, Class: "block", ColSpan: width})
		g.next()
		for i, c := range b.Columns {
			cell := headCell(i, c)
			if i == len(b.Columns)-1 {
				cell.ColSpan = width - i
			}
			g.add(cell)
		}
		g.next()
		for _, row := range b.Rows {
			g.add(rowLabel(0, row.Label, 1))
			for i := 1; i < len(b.Columns); i++ {
				var v Cell
				if i-1 < len(row.Values) {
					v = row.Values[i-1]
				} else {
					v = Cell{Blank: true}
				}
				cell := amountCell(i, v)
				if i == len(b.Columns)-1 {
					cell.ColSpan = width - i
				}
				g.add(cell)
			}
			g.next()
		}
	}
	return g
}

// requestsGrid lays out Table 三 like the national form: three label columns (with the 勾稽关系
// note over them in the head), then 自然人, the five 法人或其他组织 columns and 总计 under 申请人情况.
func requestsGrid(format string, q Requests) *grid {
	g := &grid{
		Heading: sectionHeading("三"), Sheet: "表三 依申请公开", Class: "report-table requests",
		Label: "收到和处理政府信息公开申请情况", HeadRows: 3, NumCols: 3 + numCols,
		ColWidths: append([]float64{8, 14, 44}, repeat(10, numCols)...),
	}
	g.add(gridCell{Text: balanceNote, Header: true, Class: "note", RowSpan: 3, ColSpan: 3})
	g.add(gridCell{Col: 3, Text: "申请人情况", Header: true, ColSpan: numCols})
	g.next()
	g.add(gridCell{Col: 3, Text: columnLabel(ColNatural), Header: true, RowSpan: 2})
	g.add(gridCell{Col: 4, Text: "法人或其他组织", Header: true, ColSpan: 5})
	g.add(gridCell{Col: 3 + ColTotal, Text: columnLabel(ColTotal), Header: true, RowSpan: 2})
	g.next()
	for c := ColCommercial; c <= ColOther; c++ {
		g.add(headCell(3+c, columnLabel(c)))
	}
	g.next()

	keys := q.RowKeys(format)
	resultRows := len(q.OutcomeKeys(format)) + 1 // the outcomes and 三(七)
	groupRows := map[string]int{}
	for _, k := range keys {
		if grp := requestGroup(k); grp != "" {
			groupRows[grp]++
		}
	}
	for _, k := range keys {
		grp := requestGroup(k)
		switch {
		case k == RowReceived || k == RowCarriedIn || k == RowCarriedOut:
			g.add(rowLabel(0, requestRowDisplay(k), 3))
		case grp == "":
			// 三(一), 三(二), 三(七) and, in the 2019 format, 三(六): one label over two columns.
			if k == "三(一)" {
				g.add(gridCell{Text: requestRowDisplay("三"), Header: true, RowSpan: resultRows})
			}
			g.add(rowLabel(1, requestRowDisplay(k), 2))
		default:
			if k == grp+"1" {
				g.add(gridCell{Col: 1, Text: requestRowDisplay(grp), Header: true, RowSpan: groupRows[grp]})
			}
			g.add(rowLabel(2, requestRowDisplay(k), 1))
		}
		row := q.Row(k)
		for c := range numCols {
			g.add(countCell(3+c, row[c]))
		}
		g.next()
	}
	return g
}

// casesGrid lays out Table 四: 行政复议 and 行政诉讼 (未经复议直接起诉, 复议后起诉), five columns each.
func casesGrid(rl ReviewLitigation) *grid {
	g := &grid{
		Heading: sectionHeading("四"), Sheet: "表四 复议诉讼", Class: "report-table cases",
		Label: "政府信息公开行政复议、行政诉讼情况", HeadRows: 3, NumCols: 15,
		ColWidths: repeat(9, 15), Landscape: true,
	}
	heads := caseColumnLabels()
	g.add(gridCell{Text: "行政复议", Header: true, ColSpan: 5})
	g.add(gridCell{Col: 5, Text: "行政诉讼", Header: true, ColSpan: 10})
	g.next()
	for i, h := range heads {
		g.add(gridCell{Col: i, Text: h, Header: true, RowSpan: 2})
	}
	g.add(gridCell{Col: 5, Text: "未经复议直接起诉", Header: true, ColSpan: 5})
	g.add(gridCell{Col: 10, Text: "复议后起诉", Header: true, ColSpan: 5})
	g.next()
	for i := range 10 {
		g.add(headCell(5+i, heads[i%5]))
	}
	g.next()
	for bi, b := range rl.blocks() {
		for i, v := range b.counts.values() {
			g.add(countCell(bi*5+i, v))
		}
	}
	g.next()
	return g
}

// repeat returns n copies of v.
func repeat(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}
