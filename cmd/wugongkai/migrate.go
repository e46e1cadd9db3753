package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"wugongkai/internal/postgres"
	"wugongkai/migrations"
)

func migrateCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "migrate", Short: "apply, roll back or list database migrations"}
	open := func(cmd *cobra.Command) (*postgres.Migrator, func(), error) {
		cfg, err := g.loadConfig()
		if err != nil {
			return nil, nil, err
		}
		if _, err := postgres.EnsureDatabase(cmd.Context(), cfg.Database.URL); err != nil {
			return nil, nil, err
		}
		db, err := postgres.Open(cmd.Context(), cfg.Database.URL, 2)
		if err != nil {
			return nil, nil, err
		}
		m, err := postgres.NewMigrator(db, migrations.FS)
		if err != nil {
			db.Close()
			return nil, nil, err
		}
		return m, func() { db.Close() }, nil
	}
	cmd.AddCommand(&cobra.Command{
		Use: "up", Short: "apply every pending migration", Args: cobra.NoArgs,
		RunE: opened(open, func(cmd *cobra.Command, m *postgres.Migrator) error {
			vs, err := m.Up(cmd.Context())
			if err != nil {
				return err
			}
			if len(vs) == 0 {
				fmt.Fprintln(g.stdout, "数据库已是最新版本")
			}
			for _, v := range vs {
				fmt.Fprintf(g.stdout, "已执行迁移 %06d\n", v)
			}
			return nil
		}),
	}, &cobra.Command{
		Use: "down", Short: "roll back the newest migration", Args: cobra.NoArgs,
		RunE: opened(open, func(cmd *cobra.Command, m *postgres.Migrator) error {
			v, err := m.Down(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "已回滚迁移 %06d\n", v)
			return nil
		}),
	}, &cobra.Command{
		Use: "status", Short: "list migrations and whether each is applied", Args: cobra.NoArgs,
		RunE: opened(open, func(cmd *cobra.Command, m *postgres.Migrator) error {
			st, err := m.Status(cmd.Context())
			if err != nil {
				return err
			}
			for _, s := range st {
				if s.Applied {
					fmt.Fprintf(g.stdout, "%06d  已执行  %s\n", s.Version, s.AppliedAt.Format("2006-01-02 15:04:05"))
				} else {
					fmt.Fprintf(g.stdout, "%06d  未执行\n", s.Version)
				}
			}
			return nil
		}),
	})
	return cmd
}
