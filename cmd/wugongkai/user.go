package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"wugongkai/internal/postgres"
	"wugongkai/policy"
	"wugongkai/workflow"
	"wugongkai/workflow/accounts"
)

// openStore connects (creating and migrating the database if needed) for an admin command, with
// the stores of the configured organisation (the platform's first agency).
func (g *globals) openStore(ctx context.Context) (*postgres.Stores, func(), error) {
	return g.openAgencyStore(ctx, "")
}

// openAgencyStore is openStore with the stores of the agency with code ("" = the configured
// organisation); an unknown code is refused.
func (g *globals) openAgencyStore(ctx context.Context, code string) (*postgres.Stores, func(), error) {
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	log := newLogger(cfg, g)
	db, err := openDB(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	org, err := postgres.EnsureOrg(ctx, db, cfg.Org.Code, cfg.Org.Name)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	if code != "" && code != cfg.Org.Code {
		ag, err := postgres.AgencyByCode(ctx, db, code)
		if err != nil {
			db.Close()
			if workflow.ErrorCode(err) == workflow.ENotFound {
				return nil, nil, fmt.Errorf("没有机构代码为 %s 的机构（用 wugongkai agency add 添加）", code)
			}
			return nil, nil, err
		}
		org = ag.ID
	}
	stores := postgres.NewStores(db, org, nil)
	return stores, func() { stores.Close(); db.Close() }, nil
}

func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// readPasswordHash reads a password line from r and returns its hash, or why it is refused.
func readPasswordHash(r io.Reader) (string, error) {
	pw, err := readPassword(r)
	if err != nil {
		return "", err
	}
	hash, err := accounts.HashPassword(pw)
	if err != nil {
		return "", errors.New(workflow.ErrorMessage(err))
	}
	return hash, nil
}

// roleAssignments turns --role flags into assignments: bureau-wide roles apply everywhere ("*"),
// unit roles in --unit.
func roleAssignments(username string, roles []string, unit string) ([]postgres.RoleAssignment, error) {
	var out []postgres.RoleAssignment
	for _, r := range roles {
		a := policy.Assignment{User: username, Role: r, Unit: unit}
		if policy.BureauWide(r) {
			a.Unit = "*"
		}
		if err := a.Validate(); err != nil {
			return nil, errors.New(workflow.ErrorMessage(err))
		}
		out = append(out, postgres.RoleAssignment{Role: a.Role, Unit: a.Unit})
	}
	return out, nil
}

func userCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "manage staff accounts"}
	var username, name, unit, unitName, agency string
	var roles []string
	var fromStdin bool
	add := &cobra.Command{
		Use:   "add",
		Short: "add a staff account with one or more roles (password read from stdin)",
		Example: "  echo 'a long password' | wugongkai user add --username wang --name 王某 --unit chengjian --unit-name 城建科 \\\n" +
			"      --role drafter --role unit_head --password-stdin",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !fromStdin {
				return errors.New("请用 --password-stdin 从标准输入提供密码（不要写在命令行上）")
			}
			if username == "" || len(roles) == 0 {
				return errors.New("需要 --username 和至少一个 --role")
			}
			hash, err := readPasswordHash(g.stdin)
			if err != nil {
				return err
			}
			username = accounts.FoldUsername(username)
			ras, err := roleAssignments(username, roles, unit)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			store, closeFn, err := g.openAgencyStore(ctx, agency)
			if err != nil {
				return err
			}
			defer closeFn()
			if unit != "" && unit != "*" {
				// An existing unit is never renamed; an unknown one is created only with an explicit name.
				created, err := store.Orgs.CreateUnitIfMissing(ctx, unit, unitName)
				if err != nil {
					return errors.New(workflow.ErrorMessage(err))
				}
				if created {
					fmt.Fprintf(g.stdout, "已新建科室 %s（%s）\n", unit, unitName)
				}
			}
			if name == "" {
				name = username
			}
			u, err := store.Accounts.CreateUser(ctx, postgres.User{Username: username, DisplayName: name, PasswordHash: hash}, ras)
			if err != nil {
				return errors.New(workflow.ErrorMessage(err))
			}
			labels := make([]string, len(roles))
			for i, r := range roles {
				labels[i] = policy.RoleLabel(r)
			}
			fmt.Fprintf(g.stdout, "已添加用户 %s（编号 %d），角色：%s\n", u.Username, u.ID, strings.Join(labels, "、"))
			return nil
		},
	}
	add.Flags().StringVar(&username, "username", "", "login name (stored in lower case)")
	add.Flags().StringVar(&name, "name", "", "display name (default: the login name)")
	add.Flags().StringVar(&unit, "unit", "", "unit code for the roles assigned in one unit")
	add.Flags().StringVar(&unitName, "unit-name", "", "unit name, required when the unit is new; an existing unit keeps its name")
	add.Flags().StringArrayVar(&roles, "role", nil, "role: "+strings.Join(policy.Roles, ", ")+" (repeatable; policy/roles.csv)")
	add.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from standard input")
	add.Flags().StringVar(&agency, "agency", "", "code of the agency the account belongs to (default: the configured organisation)")

	var pwUser string
	var pwStdin bool
	passwd := &cobra.Command{
		Use:   "passwd",
		Short: "set a user's password (read from stdin); ends their sessions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !pwStdin || pwUser == "" {
				return errors.New("用法：wugongkai user passwd --username 用户名 --password-stdin")
			}
			hash, err := readPasswordHash(g.stdin)
			if err != nil {
				return err
			}
			store, closeFn, err := g.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer closeFn()
			if err := store.Accounts.SetPassword(cmd.Context(), pwUser, hash); err != nil {
				return errors.New(workflow.ErrorMessage(err))
			}
			fmt.Fprintf(g.stdout, "已修改用户 %s 的密码，其登录会话已全部结束\n", accounts.FoldUsername(pwUser))
			return nil
		},
	}
	passwd.Flags().StringVar(&pwUser, "username", "", "login name")
	passwd.Flags().BoolVar(&pwStdin, "password-stdin", false, "read the password from standard input")
	cmd.AddCommand(add, passwd)
	return cmd
}

func policyCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "policy", Short: "check role→permission policy files"}
	cmd.AddCommand(&cobra.Command{
		Use:   "validate FILE",
		Short: "check a casbin policy file against the known roles and permissions",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := readFile(args[0])
			if err != nil {
				return err
			}
			if err := policy.Validate(string(b)); err != nil {
				if e := workflow.AsError(err); e != nil {
					if ps, ok := e.Details["problems"].([]string); ok {
						for _, p := range ps {
							fmt.Fprintln(g.stdout, p)
						}
					} else {
						fmt.Fprintln(g.stdout, e.Message)
					}
				}
				return fmt.Errorf("%s is not a valid policy", args[0])
			}
			fmt.Fprintf(g.stdout, "ok: %s 校验通过\n", args[0])
			return nil
		},
	})
	return cmd
}
