package policy

import (
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/casbin/casbin/v2/util"

	"wugongkai/workflow"
)

// RoleLabel returns the Chinese name of role shown to staff (roles.csv), or role itself when it
// is unknown.
func RoleLabel(role string) string { return builtinRoles.Label(role) }

// BureauWide reports whether role is assigned with unit "*" and applies in every unit ("bureau"
// in roles.csv). The other roles are assigned in one unit.
func BureauWide(role string) bool { return builtinRoles.BureauWide(role) }

// permissionLabels names every permission ("object:action") the policy knows in Chinese. It is
// the single list of permissions: AllPermissions, Validate and the forbidden message read it.
var permissionLabels = map[string]string{
	"document:create":           "起草公文",
	"document:read":             "查看公文",
	"document:edit":             "修改公文",
	"document:submit":           "提交公文",
	"document:withdraw":         "撤回公文",
	"document:review_unit":      "科室审核",
	"document:review_legal":     "法规科审查",
	"document:sign":             "签发",
	"document:publish":          "发布",
	"document:rereview":         "复审不公开信息",
	"decision:consult":          "组织公众意见征集",
	"decision:review_legality":  "合法性审查",
	"decision:decide":           "记录集体讨论决定",
	"comment:read":              "查看公众意见",
	"comment:read_contact":      "查看意见人联系方式",
	"comment:moderate":          "管理公众意见",
	"request:register":          "登记政府信息公开申请",
	"request:read":              "查看政府信息公开申请",
	"request:handle":            "办理政府信息公开申请",
	"request:approve_extension": "批准延期答复",
	"case:record":               "登记行政复议和行政诉讼案件",
	"report:read":               "查看年度报告",
	"report:edit":               "编制年度报告",
	"user:manage":               "管理用户和角色",
	"agency:manage":             "管理平台机构",
	"calendar:manage":           "管理工作日历",
	"catalogue:manage":          "管理公开目录",
	"audit:verify":              "核验审计日志",
	"task:list":                 "查看待办事项",
	"city:oversee":              "监督全市各机关政务公开",
	"city:report":               "汇总全市年度报告",
}

// AllPermissions returns every permission the policy knows, sorted.
func AllPermissions() []string {
	ps := make([]string, 0, len(permissionLabels))
	for p := range permissionLabels {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	return ps
}

// PermissionLabel returns the Chinese name of permission p, or p itself when it is unknown.
func PermissionLabel(p string) string {
	if l, ok := permissionLabels[p]; ok {
		return l
	}
	return p
}

// splitPermission splits "object:action" at its first colon.
func splitPermission(p string) (obj, act string, ok bool) {
	return strings.Cut(p, ":")
}

// matchesAny reports whether the grant obj:act (either half may end in "*", as keyMatch in
// model.conf reads it) covers at least one known permission.
func matchesAny(obj, act string) bool {
	for p := range permissionLabels {
		o, a, _ := splitPermission(p)
		if util.KeyMatch(o, obj) && util.KeyMatch(a, act) {
			return true
		}
	}
	return false
}

// grant is one "p, role, object, action" line of a policy file.
type grant struct {
	line           int
	role, obj, act string
}

// parsePolicy reads a policy file into its grants and the problems of its bad lines, each naming
// its line number in Chinese. Blank lines and lines starting with "#" are skipped.
func parsePolicy(policyCSV string, roles RoleSet) ([]grant, []string) {
	var (
		grants   []grant
		problems []string
		seen     = map[[3]string]int{}
	)
	for i, raw := range strings.Split(policyCSV, "\n") {
		n := i + 1
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r := csv.NewReader(strings.NewReader(line))
		r.TrimLeadingSpace = true
		fields, err := r.Read()
		if errors.Is(err, csv.ErrQuote) || errors.Is(err, csv.ErrBareQuote) {
			problems = append(problems, fmt.Sprintf("第%d行：引号使用不当，无法解析", n))
			continue
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("第%d行：无法解析（%v）", n, err))
			continue
		}
		for j := range fields {
			fields[j] = strings.TrimSpace(fields[j])
		}
		switch {
		case fields[0] == "g":
			problems = append(problems, fmt.Sprintf("第%d行：策略文件只能有授权行（p），用户的角色分配在系统中维护", n))
			continue
		case fields[0] != "p":
			problems = append(problems, fmt.Sprintf("第%d行：未知的行类型“%s”，应为 p", n, fields[0]))
			continue
		case len(fields) != 4:
			problems = append(problems, fmt.Sprintf("第%d行：应有4列（p, 角色, 对象, 操作），实有%d列", n, len(fields)))
			continue
		}
		g := grant{line: n, role: fields[1], obj: fields[2], act: fields[3]}
		if g.role == "" || g.obj == "" || g.act == "" {
			problems = append(problems, fmt.Sprintf("第%d行：角色、对象和操作都不能为空", n))
			continue
		}
		bad := false
		if !roles.Has(g.role) {
			problems = append(problems, fmt.Sprintf("第%d行：未知角色“%s”（可用角色：%s）", n, g.role, strings.Join(roles.Names(), "、")))
			bad = true
		}
		if !matchesAny(g.obj, g.act) {
			if strings.Contains(g.obj+g.act, "*") {
				problems = append(problems, fmt.Sprintf("第%d行：通配权限“%s:%s”不匹配任何已知权限", n, g.obj, g.act))
			} else {
				problems = append(problems, fmt.Sprintf("第%d行：未知权限“%s:%s”", n, g.obj, g.act))
			}
			bad = true
		}
		key := [3]string{g.role, g.obj, g.act}
		if first, dup := seen[key]; dup {
			problems = append(problems, fmt.Sprintf("第%d行：与第%d行重复", n, first))
			bad = true
		} else {
			seen[key] = n
		}
		if !bad {
			grants = append(grants, g)
		}
	}
	if len(grants) == 0 && len(problems) == 0 {
		problems = append(problems, "策略文件没有任何授权行")
	}
	return grants, problems
}

// Validate checks a policy file (policy.csv format) for `wugongkai policy validate FILE`: every
// line is a "p, role, object, action" grant of a known role and a known permission (a wildcard
// must match at least one), and no grant appears twice. It returns nil for a good file, and
// otherwise an *workflow.Error with code invalid whose message lists every bad line by number;
// Details["problems"] holds the same list.
func Validate(policyCSV string) error { return validate(policyCSV, builtinRoles) }

func validate(policyCSV string, roles RoleSet) error {
	_, problems := parsePolicy(policyCSV, roles)
	if len(problems) == 0 {
		return nil
	}
	return &workflow.Error{
		Code:    workflow.EInvalid,
		Message: "策略文件有误：" + strings.Join(problems, "；") + "。",
		Details: map[string]any{"problems": problems},
	}
}
