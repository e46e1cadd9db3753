package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"wugongkai/internal/postgres"
)

func auditCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "check the hash-chained audit log"}
	cmd.AddCommand(&cobra.Command{
		Use:   "verify",
		Short: "walk every audit chain and report the first bad link of each broken one",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			db, err := postgres.Open(cmd.Context(), cfg.Database.URL, 2)
			if err != nil {
				return err
			}
			defer db.Close()
			n, problems, err := postgres.VerifyAudit(cmd.Context(), db)
			if err != nil {
				return err
			}
			for _, p := range problems {
				fmt.Fprintln(g.stdout, "BAD", p.String())
			}
			if len(problems) > 0 {
				return fmt.Errorf("audit log: %d broken chain(s) among %d events", len(problems), n)
			}
			fmt.Fprintf(g.stdout, "ok: 共 %d 个事件，每条哈希链均完整\n", n)
			return nil
		},
	})
	return cmd
}
