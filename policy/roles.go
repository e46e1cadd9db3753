package policy

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"

	"wugongkai/workflow"
)

//go:embed roles.csv
var builtinRolesCSV string

// Role is one line of roles.csv: a role, its Chinese label and whether it is assigned
// bureau-wide.
type Role struct {
	Name       string
	Label      string
	BureauWide bool
}

// RoleSet is the roles of one roles file, in file order.
type RoleSet []Role

// builtinRoles is the embedded roles.csv, parsed once.
var builtinRoles = mustParseRoles(builtinRolesCSV)

// Roles lists every role of the embedded roles.csv, in file order. Treat it as read-only.
var Roles = builtinRoles.Names()

func mustParseRoles(s string) RoleSet {
	rs, err := ParseRoles(s)
	if err != nil {
		panic(fmt.Sprintf("embedded roles.csv: %v", err))
	}
	return rs
}

// ParseRoles reads a roles file (roles.csv format). Blank lines and lines starting with "#" are
// skipped. A bad file gives an *workflow.Error with code invalid naming every bad line.
func ParseRoles(rolesCSV string) (RoleSet, error) {
	var (
		rs       RoleSet
		problems []string
	)
	for i, raw := range strings.Split(rolesCSV, "\n") {
		n := i + 1
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r := csv.NewReader(strings.NewReader(line))
		r.TrimLeadingSpace = true
		fields, err := r.Read()
		if err != nil || len(fields) != 3 {
			problems = append(problems, fmt.Sprintf("第%d行：应有3列（角色, 名称, 范围）", n))
			continue
		}
		for j := range fields {
			fields[j] = strings.TrimSpace(fields[j])
		}
		role := Role{Name: fields[0], Label: fields[1]}
		switch fields[2] {
		case "unit":
		case "bureau":
			role.BureauWide = true
		default:
			problems = append(problems, fmt.Sprintf("第%d行：范围“%s”应为 unit 或 bureau", n, fields[2]))
			continue
		}
		switch {
		case !isRoleName(role.Name):
			problems = append(problems, fmt.Sprintf("第%d行：角色名“%s”应由小写字母、数字和下划线组成", n, role.Name))
		case role.Label == "":
			problems = append(problems, fmt.Sprintf("第%d行：角色“%s”缺少中文名称", n, role.Name))
		case rs.Has(role.Name):
			problems = append(problems, fmt.Sprintf("第%d行：角色“%s”重复", n, role.Name))
		default:
			rs = append(rs, role)
		}
	}
	if len(rs) == 0 && len(problems) == 0 {
		problems = append(problems, "角色文件没有任何角色")
	}
	if len(problems) > 0 {
		return nil, &workflow.Error{Code: workflow.EInvalid, Message: "角色文件有误：" + strings.Join(problems, "；") + "。",
			Details: map[string]any{"problems": problems}}
	}
	return rs, nil
}

func isRoleName(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

// Names returns the role names in file order.
func (rs RoleSet) Names() []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Name
	}
	return out
}

// Has reports whether rs holds role.
func (rs RoleSet) Has(role string) bool {
	return slices.ContainsFunc(rs, func(r Role) bool { return r.Name == role })
}

func (rs RoleSet) find(role string) (Role, bool) {
	i := slices.IndexFunc(rs, func(r Role) bool { return r.Name == role })
	if i < 0 {
		return Role{}, false
	}
	return rs[i], true
}

// Label returns the Chinese name of role, or role itself when it is unknown.
func (rs RoleSet) Label(role string) string {
	if r, ok := rs.find(role); ok {
		return r.Label
	}
	return role
}

// BureauWide reports whether role is assigned with unit "*" and applies in every unit.
func (rs RoleSet) BureauWide(role string) bool {
	r, ok := rs.find(role)
	return ok && r.BureauWide
}

// Validate checks that a names a user, a role of rs and a unit that fits the role: "*" for a
// bureau-wide role, one unit code for the others. It returns an *workflow.Error with code invalid.
func (rs RoleSet) Validate(a Assignment) error {
	switch {
	case strings.TrimSpace(a.User) == "":
		return &workflow.Error{Code: workflow.EInvalid, Field: "user", Message: "角色分配缺少用户名。"}
	case !rs.Has(a.Role):
		return &workflow.Error{Code: workflow.EInvalid, Field: "role",
			Message: fmt.Sprintf("未知角色“%s”（可用角色：%s）。", a.Role, strings.Join(rs.Names(), "、"))}
	case strings.TrimSpace(a.Unit) == "":
		return &workflow.Error{Code: workflow.EInvalid, Field: "unit", Message: "角色分配缺少科室。"}
	case rs.BureauWide(a.Role) && a.Unit != "*":
		return &workflow.Error{Code: workflow.EInvalid, Field: "unit",
			Message: fmt.Sprintf("“%s”是全局角色，应分配在全局（*），不能分配在科室“%s”。", rs.Label(a.Role), a.Unit)}
	case !rs.BureauWide(a.Role) && a.Unit == "*":
		return &workflow.Error{Code: workflow.EInvalid, Field: "unit",
			Message: fmt.Sprintf("“%s”只能分配在一个科室，不能分配在全局（*）。", rs.Label(a.Role))}
	}
	return nil
}

// BuiltinRoles returns the roles of the embedded roles.csv.
func BuiltinRoles() RoleSet { return slices.Clone(builtinRoles) }

// BuiltinRolesCSV returns the embedded roles.csv.
func BuiltinRolesCSV() string { return builtinRolesCSV }

// BuiltinPolicyCSV returns the embedded policy.csv.
func BuiltinPolicyCSV() string { return builtinPolicy }
