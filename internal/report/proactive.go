package report

import (
	"fmt"
	"strings"
)

// Proactive is Table 二, 主动公开政府信息情况: one block per item of 《条例》第二十条 that the
// format reports on.
type Proactive struct {
	Blocks []ProactiveBlock
}

// CountedItem is the block of Table 二 the system counts itself from the documents (rules and
// normative documents made, repealed and in force); the office enters the other blocks.
const CountedItem = "第二十条第（一）项"

// ProactiveBlock is one block of Table 二, such as 第二十条第（一）项.
type ProactiveBlock struct {
	Item    string   // "第二十条第（一）项"
	Columns []string // the column heads, starting with "信息内容"
	Rows    []ProactiveRow
}

// ProactiveRow is one row of a block: its label and one Cell per column after "信息内容".
type ProactiveRow struct {
	Label  string
	Values []Cell
}

// Cell is one figure of Table 二. Figures may be decimals (an amount in 万元) and may be left
// blank; a blank cell reads as 0.
type Cell struct {
	Value float64
	Blank bool
}

// Num returns a Cell holding v.
func Num(v float64) Cell { return Cell{Value: v} }

// officialBlock is the fixed part of a block: its item, columns and official row labels.
type officialBlock struct {
	item    string
	columns []string
	rows    []string
}

// officialBlocks returns the blocks of Table 二 for format as the official report format lists them, or nil
// for an unknown format.
func officialBlocks(format string) []officialBlock {
	switch format {
	case Format2019:
		return []officialBlock{
			{"第二十条第（一）项", []string{"信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"}, []string{"规章", "规范性文件"}},
			{"第二十条第（五）项", []string{"信息内容", "上一年项目数量", "本年增/减", "处理决定数量"}, []string{"行政许可", "其他对外管理服务事项"}},
			{"第二十条第（六）项", []string{"信息内容", "上一年项目数量", "本年增/减", "处理决定数量"}, []string{"行政处罚", "行政强制"}},
			{"第二十条第（八）项", []string{"信息内容", "上一年项目数量", "本年增/减"}, []string{"行政事业性收费"}},
			{"第二十条第（九）项", []string{"信息内容", "采购项目数量", "采购总金额"}, []string{"政府集中采购"}},
		}
	case Format2021:
		return []officialBlock{
			{"第二十条第（一）项", []string{"信息内容", "本年制发件数", "本年废止件数", "现行有效件数"}, []string{"规章", "行政规范性文件"}},
			{"第二十条第（五）项", []string{"信息内容", "本年处理决定数量"}, []string{"行政许可"}},
			{"第二十条第（六）项", []string{"信息内容", "本年处理决定数量"}, []string{"行政处罚", "行政强制"}},
			{"第二十条第（八）项", []string{"信息内容", "本年收费金额（单位：万元）"}, []string{"行政事业性收费"}},
		}
	}
	return nil
}

// ProactiveTemplate returns Table 二 for format with the official blocks, columns and rows and
// every value 0.
func ProactiveTemplate(format string) (Proactive, error) {
	blocks := officialBlocks(format)
	if blocks == nil {
		return Proactive{}, fmt.Errorf("proactive template: 未知的年度报告格式“%s”", format)
	}
	p := Proactive{Blocks: make([]ProactiveBlock, len(blocks))}
	for i, ob := range blocks {
		b := ProactiveBlock{Item: ob.item, Columns: append([]string(nil), ob.columns...)}
		for _, label := range ob.rows {
			b.Rows = append(b.Rows, ProactiveRow{Label: label, Values: make([]Cell, len(ob.columns)-1)})
		}
		p.Blocks[i] = b
	}
	return p, nil
}

// Set sets the values of the row label in the block item. A label that the block does not have
// yet is appended as a locally configured row (for example "其他主动公开文件"). It returns an
// error if there is no such block or the number of values does not fit its columns.
func (p *Proactive) Set(item, label string, values ...Cell) error {
	for bi := range p.Blocks {
		b := &p.Blocks[bi]
		if b.Item != item {
			continue
		}
		if len(values) != len(b.Columns)-1 {
			return fmt.Errorf("set proactive row: 表二 %s 每行应有%d个数值，实为%d个", item, len(b.Columns)-1, len(values))
		}
		if strings.TrimSpace(label) == "" {
			return fmt.Errorf("set proactive row: 表二 %s 的行名称不能为空", item)
		}
		for ri := range b.Rows {
			if b.Rows[ri].Label == label {
				b.Rows[ri].Values = append([]Cell(nil), values...)
				return nil
			}
		}
		b.Rows = append(b.Rows, ProactiveRow{Label: label, Values: append([]Cell(nil), values...)})
		return nil
	}
	return fmt.Errorf("set proactive row: 表二没有“%s”这一项", item)
}

// allowsNegative reports whether a Table 二 column may hold a negative figure: only the change
// columns (本年增/减) can.
func allowsNegative(column string) bool { return strings.Contains(column, "增/减") }
