// Package benchtext is the vocabulary the benchmark's generated documents are written from; the
// bench scenarios and the bulk loader in internal/postgres share it.
package benchtext

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Vocabulary the generated documents are written from: the subjects of a housing and urban-rural
// development bureau.
var (
	Topics = []string{"城市道路占用挖掘", "住房租赁市场", "老旧小区改造", "建筑工地扬尘治理", "物业服务收费", "商品房预售资金监管",
		"城市供水管网", "燃气安全隐患排查", "历史文化街区保护", "建筑市场信用评价", "公共租赁住房分配", "装配式建筑推广",
		"城市排水防涝", "建设工程消防验收", "房屋安全鉴定", "住宅专项维修资金", "园林绿化养护", "市政设施维护"}
	Kinds      = []string{"管理办法", "实施意见", "工作方案", "通知", "实施细则", "指导意见", "若干规定"}
	Categories = []string{`城乡建设、环境保护\城市规划`, `城乡建设、环境保护\房地产`, `城乡建设、环境保护\建筑业`,
		`城乡建设、环境保护\市政公用事业`, `综合政务\政务公开`}
	Sentences = []string{"为进一步规范管理，保障人民群众合法权益，根据有关法律法规，结合本市实际，制定本办法。",
		"各县（市、区）住房城乡建设主管部门负责本行政区域内的监督管理工作。", "建设单位应当在开工前依法办理相关手续，并向社会公示。",
		"违反本办法规定的，由主管部门责令限期改正；逾期不改正的，依法予以处罚。", "本办法自发布之日起施行，有效期五年。",
		"鼓励社会资本参与项目建设和运营，推动形成多元化投入机制。", "建立健全信息公开制度，及时公开办理结果，接受社会监督。",
		"相关部门应当加强协调配合，定期通报工作进展情况。", "对群众反映强烈的问题，应当在规定时限内答复并说明理由。"}
)

// Text returns sentencesN random sentences of the vocabulary, a line break after every third.
func Text(r *rand.Rand, sentencesN int) string {
	var b strings.Builder
	for i := range sentencesN {
		if i > 0 && i%3 == 0 {
			b.WriteString("\n")
		}
		b.WriteString(Sentences[r.IntN(len(Sentences))])
	}
	return b.String()
}

// Title returns the title of the i-th generated document.
func Title(r *rand.Rand, i int) string {
	return fmt.Sprintf("关于%s的%s（第%d号）", Topics[r.IntN(len(Topics))], Kinds[r.IntN(len(Kinds))], i+1)
}
