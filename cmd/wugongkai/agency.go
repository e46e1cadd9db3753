package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"wugongkai/workflow"
	"wugongkai/workflow/agencies"
)

// agencyCmd adds agencies to the platform: the command line of the 机构管理 console page.
func agencyCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "agency", Short: "manage the agencies of the platform (one deployment, many agencies)"}
	var in agencies.NewAgency
	var fromStdin bool
	add := &cobra.Command{
		Use:   "add",
		Short: "add an agency with the unit that handles its requests and, optionally, its admin (password from stdin)",
		Example: "  echo 'a long password' | wugongkai agency add --code 114110000057945108 --name 许昌市发展和改革委员会 \\\n" +
			"      --credit-code 114110000057945108 --host fgw.xuchang.gov.cn --request-unit bangongshi \\\n" +
			"      --admin-username fgw-admin --password-stdin",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if in.AdminUsername != "" {
				if !fromStdin {
					return errors.New("请用 --password-stdin 从标准输入提供管理员密码（不要写在命令行上）")
				}
				pw, err := readPassword(g.stdin)
				if err != nil {
					return err
				}
				in.AdminPassword = pw
			}
			ctx := cmd.Context()
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			store, closeFn, err := g.openStore(ctx)
			if err != nil {
				return err
			}
			defer closeFn()
			ag, err := agencies.Add(ctx, store.Agencies, workflow.Actor{System: true, Name: "命令行"}, in, time.Now(), nil)
			if err != nil {
				return errors.New(workflow.ErrorMessage(err))
			}
			// The catalogue is seeded here as on the first agency's first start (and again, if this
			// fails, when the agency is first served).
			agStore, closeAg, err := g.openAgencyStore(ctx, ag.Code)
			if err != nil {
				return err
			}
			defer closeAg()
			if err := seedCatalogue(ctx, cfg, agStore.Catalogue, newLogger(cfg, g)); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "已添加机构 %s（%s），依申请公开由 %s 办理\n", ag.Name, ag.Code, ag.RequestUnit)
			if ag.Host != "" {
				fmt.Fprintf(g.stdout, "门户网站：http://%s/\n", ag.Host)
			}
			if in.AdminUsername != "" {
				fmt.Fprintf(g.stdout, "系统管理员：%s\n", in.AdminUsername)
			}
			return nil
		},
	}
	f := add.Flags()
	f.StringVar(&in.Code, "code", "", "organisation code (组织机构代码); starts every 索引号 of the agency")
	f.StringVar(&in.Name, "name", "", "the agency's full name")
	f.StringVar(&in.CreditCode, "credit-code", "", "统一社会信用代码 (18 characters, GB 32100-2015 check digit)")
	f.StringVar(&in.Host, "host", "", "host name of the agency's portal (unique; optional)")
	f.StringVar(&in.RequestUnit, "request-unit", "bangongshi", "code of the unit that handles the agency's disclosure requests")
	f.StringVar(&in.RequestUnitName, "request-unit-name", "办公室", "name of that unit")
	f.StringVar(&in.AdminUsername, "admin-username", "", "login name of the agency's first admin (optional)")
	f.StringVar(&in.AdminName, "admin-name", "", "display name of the admin (default: the agency's name + 系统管理员)")
	f.BoolVar(&fromStdin, "password-stdin", false, "read the admin's password from standard input")
	cmd.AddCommand(add)
	return cmd
}
