package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"wugongkai/configs"
	"wugongkai/internal/postgres"
	"wugongkai/workflow"
	"wugongkai/workflow/catalogue"
)

func catalogueCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "catalogue", Short: "check and load the standard catalogue (基层政务公开标准目录)"}
	// read reads and checks DIR when given, else paths.catalogue, else the embedded catalogue.
	read := func(args []string) ([]catalogue.Item, error) {
		if len(args) == 1 {
			return readCatalogue(g, dataFS(args[0], nil))
		}
		cfg, err := g.loadConfig()
		if err != nil {
			return nil, err
		}
		return readCatalogue(g, catalogueFS(cfg))
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "validate [DIR]",
		Short: "check the catalogue files; print each error with file and line",
		Long: "Reads every *.yaml file of DIR (default: paths.catalogue, else the embedded catalogue) and\n" +
			"checks every item; prints each problem as file:line: message and exits non-zero when any.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			items, err := read(args)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "ok  %d 个事项，%d 个领域\n", len(items), len(catalogue.BuildTree(items)))
			return nil
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "load [DIR]",
		Short: "record the catalogue in the database (changed items get a new version, dropped ones are retired)",
		Long: "Checks the catalogue files as validate does, then records them in one transaction: a new item\n" +
			"gets version 1, a changed item its next version (documents keep the version they were tagged\n" +
			"with), an item no longer in the files is retired and stays readable. Nothing is written when\n" +
			"any file has a problem.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			items, err := read(args)
			if err != nil {
				return err
			}
			store, closeDB, err := g.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer closeDB()
			c := &catalogue.Catalogue{Store: store.Catalogue}
			res, err := c.Load(cmd.Context(), items)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "新增 %d，新版本 %d，停用 %d，恢复 %d，未变 %d\n",
				len(res.Added), len(res.Changed), len(res.Retired), len(res.Restored), res.Unchanged)
			for _, l := range []struct {
				what  string
				codes []string
			}{{"新增", res.Added}, {"新版本", res.Changed}, {"停用", res.Retired}, {"恢复", res.Restored}} {
				if len(l.codes) > 0 {
					fmt.Fprintf(g.stdout, "%s：%s\n", l.what, strings.Join(l.codes, " "))
				}
			}
			return nil
		},
	})
	return cmd
}

// catalogueFS returns the configured catalogue directory, else the embedded catalogue.
func catalogueFS(cfg Config) fs.FS { return dataFS(cfg.Paths.Catalogue, configs.Catalogue()) }

// readCatalogue reads and checks the catalogue files, printing each problem as file:line: message.
func readCatalogue(g *globals, fsys fs.FS) ([]catalogue.Item, error) {
	items, err := catalogue.LoadDir(fsys)
	var errs workflow.ConfigErrors
	if errors.As(err, &errs) {
		for _, e := range errs {
			fmt.Fprintln(g.stdout, e.Error())
		}
		return nil, fmt.Errorf("%d error(s) in the catalogue", len(errs))
	}
	return items, err
}

// seedCatalogue records the catalogue files when the organisation has no catalogue yet, so a new
// installation's portal shows the standard catalogue at once. Later changes are loaded with
// `wugongkai catalogue load`.
func seedCatalogue(ctx context.Context, cfg Config, s *postgres.Catalogue, log *slog.Logger) error {
	items, err := catalogue.LoadDir(catalogueFS(cfg))
	if err != nil {
		return fmt.Errorf("load catalogue: %w", err)
	}
	if have, err := s.CatalogueItems(ctx); err != nil || len(have) > 0 {
		return err
	}
	res, err := (&catalogue.Catalogue{Store: s}).Load(ctx, items)
	if err != nil {
		return err
	}
	log.Info("standard catalogue loaded", "items", len(res.Added))
	return nil
}
