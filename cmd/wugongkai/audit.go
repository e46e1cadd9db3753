package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"wugongkai/internal/postgres"
)

func auditCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "check the hash-chained audit log"}
	open := func(cmd *cobra.Command) (*postgres.DB, func(), error) {
		cfg, err := g.loadConfig()
		if err != nil {
			return nil, nil, err
		}
		// Never generate a key here: a new key would only make every keyed event look forged.
		audit, err := auditOptions(cfg.Audit, false, newLogger(cfg, g))
		if err != nil {
			return nil, nil, err
		}
		db, err := postgres.Open(cmd.Context(), cfg.Database.URL, 2)
		if err != nil {
			return nil, nil, err
		}
		db.SetAudit(audit)
		return db, func() { db.Close() }, nil
	}
	cmd.AddCommand(&cobra.Command{
		Use: "verify",
		Short: "walk every audit chain and each organisation's global sequence, check them against the key " +
			"and the signed checkpoints, and report the first bad link of each",
		Args: cobra.NoArgs,
		RunE: opened(open, func(cmd *cobra.Command, db *postgres.DB) error {
			n, problems, err := postgres.VerifyAudit(cmd.Context(), db)
			if err != nil {
				return err
			}
			for _, p := range problems {
				fmt.Fprintln(g.stdout, "BAD", p.String())
			}
			if len(problems) > 0 {
				return fmt.Errorf("audit log: %d problem(s) among %d events", len(problems), n)
			}
			fmt.Fprintf(g.stdout, "ok: 共 %d 个事件，每条哈希链均完整\n", n)
			return nil
		}),
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "checkpoint",
		Short: "append a signed checkpoint of every organisation's audit log to the checkpoint file (run it from cron)",
		Args:  cobra.NoArgs,
		RunE: opened(open, func(cmd *cobra.Command, db *postgres.DB) error {
			cps, err := postgres.WriteAuditCheckpoints(cmd.Context(), db, time.Now())
			if err != nil {
				return err
			}
			for _, c := range cps {
				fmt.Fprintf(g.stdout, "checkpoint: org %d gseq %d digest %s\n", c.Org, c.GSeq, c.Digest[:16])
			}
			return nil
		}),
	})
	return cmd
}
