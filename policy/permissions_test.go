package policy_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"wugongkai/policy"
	"wugongkai/workflow"
)

func mustReadFile(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestValidateBuiltinPolicy(t *testing.T) {
	if err := policy.Validate(mustReadFile(t, "policy.csv")); err != nil {
		t.Errorf("Validate(policy.csv) = %v, want nil", err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		csv  string
		want []string // the problems; nil = valid
	}{
		{
			name: "good lines, comments, blank lines and wildcards",
			csv:  "# header\n\np, drafter, document, create\r\np,admin,user,manage\n  p, disclosure_officer, request, *\np, leader, doc*, sign\n",
		},
		{
			name: "unknown role",
			csv:  "p, drafter, document, create\np, auditor, audit, verify\n",
			want: []string{"第2行：未知角色“auditor”（可用角色：drafter、unit_head、legal_reviewer、disclosure_officer、disclosure_head、leader、admin、city_office）"},
		},
		{
			name: "unknown permission",
			csv:  "# c\np, admin, document, shred\n",
			want: []string{"第2行：未知权限“document:shred”"},
		},
		{
			name: "wildcard matching nothing",
			csv:  "p, admin, letter, *\n",
			want: []string{"第1行：通配权限“letter:*”不匹配任何已知权限"},
		},
		{
			name: "too few columns",
			csv:  "p, admin, user\n",
			want: []string{"第1行：应有4列（p, 角色, 对象, 操作），实有3列"},
		},
		{
			name: "too many columns",
			csv:  "p, admin, user, manage, allow\n",
			want: []string{"第1行：应有4列（p, 角色, 对象, 操作），实有5列"},
		},
		{
			name: "empty column",
			csv:  "p, admin, , manage\n",
			want: []string{"第1行：角色、对象和操作都不能为空"},
		},
		{
			name: "assignment line",
			csv:  "p, admin, user, manage\ng, wang, admin, *\n",
			want: []string{"第2行：策略文件只能有授权行（p），用户的角色分配在系统中维护"},
		},
		{
			name: "unknown line type",
			csv:  "x, admin, user, manage\n",
			want: []string{"第1行：未知的行类型“x”，应为 p"},
		},
		{
			name: "unclosed quote",
			csv:  "p, admin, \"user, manage\n",
			want: []string{"第1行：引号使用不当，无法解析"},
		},
		{
			name: "bare quote",
			csv:  "p, admin, us\"er, manage\n",
			want: []string{"第1行：引号使用不当，无法解析"},
		},
		{
			name: "quoted fields are fine",
			csv:  "p, \"admin\", user, \"manage\"\n",
		},
		{
			name: "duplicate",
			csv:  "p, admin, user, manage\n\np,admin,user,manage\n",
			want: []string{"第3行：与第1行重复"},
		},
		{
			name: "no grants",
			csv:  "# only a comment\n",
			want: []string{"策略文件没有任何授权行"},
		},
		{
			name: "several bad lines are all reported",
			csv:  "p, root, document, sign\np, admin, user, manage\np, leader, document, burn\n",
			want: []string{
				"第1行：未知角色“root”（可用角色：drafter、unit_head、legal_reviewer、disclosure_officer、disclosure_head、leader、admin、city_office）",
				"第3行：未知权限“document:burn”",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := policy.Validate(tt.csv)
			if tt.want == nil {
				if err != nil {
					t.Errorf("Validate = %v, want nil", err)
				}
				return
			}
			werr := workflow.AsError(err)
			if werr == nil || werr.Code != workflow.EInvalid {
				t.Fatalf("Validate = %v, want an invalid *workflow.Error", err)
			}
			got, _ := werr.Details["problems"].([]string)
			if !slices.Equal(got, tt.want) {
				t.Errorf("problems =\n%q\nwant\n%q", got, tt.want)
			}
			if want := "策略文件有误：" + strings.Join(tt.want, "；") + "。"; werr.Message != want {
				t.Errorf("message = %q, want %q", werr.Message, want)
			}
		})
	}
}
