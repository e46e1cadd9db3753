package report

import (
	"fmt"
	"io"
	"math"

	"github.com/xuri/excelize/v2"
)

// xlsxStyles holds the style ids of one workbook.
type xlsxStyles struct {
	head, label, block, note, number int
}

// newXLSXStyles registers the cell styles: every cell has thin black borders and wraps its text.
func newXLSXStyles(f *excelize.File) (xlsxStyles, error) {
	borders := []excelize.Border{
		{Type: "left", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1},
		{Type: "right", Color: "000000", Style: 1},
		{Type: "bottom", Color: "000000", Style: 1},
	}
	font := &excelize.Font{Family: "宋体", Size: 10}
	bold := &excelize.Font{Family: "宋体", Size: 10, Bold: true}
	center := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	left := &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}
	var s xlsxStyles
	for _, st := range []struct {
		id    *int
		style *excelize.Style
	}{
		{&s.head, &excelize.Style{Border: borders, Font: font, Alignment: center}},
		{&s.label, &excelize.Style{Border: borders, Font: font, Alignment: left}},
		{&s.block, &excelize.Style{Border: borders, Font: bold, Alignment: left}},
		{&s.note, &excelize.Style{Border: borders, Font: font, Alignment: left}},
		{&s.number, &excelize.Style{Border: borders, Font: font, Alignment: center}},
	} {
		id, err := f.NewStyle(st.style)
		if err != nil {
			return s, fmt.Errorf("new xlsx style: %w", err)
		}
		*st.id = id
	}
	return s, nil
}

// cellStyle returns the style id for c.
func (s xlsxStyles) cellStyle(c gridCell) int {
	switch {
	case !c.Header:
		return s.number
	case c.Class == "row":
		return s.label
	case c.Class == "block":
		return s.block
	case c.Class == "note":
		return s.note
	}
	return s.head
}

// RenderXLSX writes Tables 二, 三 and 四 of r as an Excel workbook, one sheet per table ("表二
// 主动公开", "表三 依申请公开", "表四 复议诉讼"), laid out like the national format: merged
// header and label cells, the 勾稽关系 note in the merged top-left cell of Table 三, borders, wrapped
// text, column widths, figures as numbers (blank cells of Table 二 stay empty) and A4 page setup.
// The workbook's title property is the report's title.
func RenderXLSX(w io.Writer, r *Report) error {
	gs, err := grids(r)
	if err != nil {
		return fmt.Errorf("render report xlsx: %w", err)
	}
	f := excelize.NewFile()
	defer f.Close()
	styles, err := newXLSXStyles(f)
	if err != nil {
		return fmt.Errorf("render report xlsx: %w", err)
	}
	for i, g := range gs {
		if i == 0 {
			err = f.SetSheetName("Sheet1", g.Sheet)
		} else {
			_, err = f.NewSheet(g.Sheet)
		}
		if err != nil {
			return fmt.Errorf("render report xlsx: %w", err)
		}
		if err := writeSheet(f, g, styles); err != nil {
			return fmt.Errorf("render report xlsx: sheet %s: %w", g.Sheet, err)
		}
	}
	f.SetActiveSheet(0)
	if err := f.SetDocProps(&excelize.DocProperties{Title: r.Title(), Creator: "wugongkai", Language: "zh-CN"}); err != nil {
		return fmt.Errorf("render report xlsx: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("render report xlsx: %w", err)
	}
	return nil
}

// writeSheet writes grid g to its sheet.
func writeSheet(f *excelize.File, g *grid, s xlsxStyles) error {
	sheet := g.Sheet
	for i, width := range g.ColWidths {
		col, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return err
		}
		if err := f.SetColWidth(sheet, col, col, width); err != nil {
			return err
		}
	}
	heights := make([]float64, g.NumRows)
	for _, c := range g.Cells {
		tl, err := excelize.CoordinatesToCellName(c.Col+1, c.Row+1)
		if err != nil {
			return err
		}
		br, err := excelize.CoordinatesToCellName(c.Col+c.ColSpan, c.Row+c.RowSpan)
		if err != nil {
			return err
		}
		switch {
		case c.Number && c.Text == "":
			// A blank figure stays empty.
		case c.Number && c.Value == math.Trunc(c.Value) && math.Abs(c.Value) < 1e15:
			err = f.SetCellInt(sheet, tl, int64(c.Value))
		case c.Number:
			err = f.SetCellFloat(sheet, tl, c.Value, -1, 64)
		default:
			err = f.SetCellStr(sheet, tl, c.Text)
		}
		if err != nil {
			return err
		}
		if tl != br {
			if err := f.MergeCell(sheet, tl, br); err != nil {
				return err
			}
		}
		if err := f.SetCellStyle(sheet, tl, br, s.cellStyle(c)); err != nil {
			return err
		}
		if c.RowSpan == 1 {
			heights[c.Row] = max(heights[c.Row], textHeight(c.Text, spanWidth(g, c)))
		}
	}
	for row, h := range heights {
		if h > 0 {
			if err := f.SetRowHeight(sheet, row+1, h); err != nil {
				return err
			}
		}
	}
	size, orientation := 9, "portrait" // 9 is A4 in excelize's paper size table
	if g.Landscape {
		orientation = "landscape"
	}
	fitWidth, fitHeight, fit := 1, 0, true
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &size, Orientation: &orientation, FitToWidth: &fitWidth, FitToHeight: &fitHeight}); err != nil {
		return err
	}
	return f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit})
}

// spanWidth returns the width in characters of the columns c spans.
func spanWidth(g *grid, c gridCell) float64 {
	w := 0.0
	for i := c.Col; i < c.Col+c.ColSpan && i < len(g.ColWidths); i++ {
		w += g.ColWidths[i]
	}
	return w
}

// textHeight estimates the row height in points that text needs in a cell width characters wide,
// counting a CJK character as two: Excel does not grow rows for wrapped text on its own.
func textHeight(text string, width float64) float64 {
	units := 0.0
	for _, r := range text {
		if r < 0x80 {
			units++
		} else {
			units += 2
		}
	}
	lines := math.Max(1, math.Ceil(units/math.Max(1, width-1)))
	return 15 * lines
}
