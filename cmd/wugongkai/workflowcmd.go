package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"wugongkai/configs"
	"wugongkai/policy"
	"wugongkai/workflow"
)

func workflowCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "workflow", Short: "check and draw the workflow definitions"}
	var dir string
	cmd.PersistentFlags().StringVar(&dir, "dir", "", "definitions directory (default: paths.workflows, else the embedded definitions)")
	// load loads the definitions of --dir, else of paths.workflows, else the embedded ones.
	load := func() (*workflow.Registry, error) {
		fsys := dataFS(dir, nil)
		if dir == "" {
			cfg, err := g.loadConfig()
			if err != nil {
				return nil, err
			}
			fsys = dataFS(cfg.Paths.Workflows, configs.Workflows())
		}
		return workflow.LoadDefinitions(fsys, guardSet(CommentsConfig{}), policy.Roles...) // checking and drawing need the guards' names only
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "validate",
		Short: "check every definition; print each error with file, line and explanation",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, err := load()
			if err != nil {
				var derrs workflow.DefinitionErrors
				if errors.As(err, &derrs) {
					for _, e := range derrs {
						fmt.Fprintf(g.stdout, "%s:%d: %s\n", e.File, e.Line, e.Message)
					}
					return fmt.Errorf("%d error(s) in workflow definitions", len(derrs))
				}
				return err
			}
			for _, d := range reg.All() {
				fmt.Fprintf(g.stdout, "ok  %s v%d（%s）：%d 个状态，%d 个流转\n", d.Name, d.Version, d.Title, len(d.States), len(d.Transitions))
			}
			return nil
		},
	})
	var format string
	show := &cobra.Command{
		Use:   "show NAME",
		Short: "print a definition as a Mermaid or Graphviz diagram",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, err := load()
			if err != nil {
				return err
			}
			d, err := reg.Latest(args[0])
			if err != nil {
				return fmt.Errorf("no workflow named %q", args[0])
			}
			switch format {
			case "mermaid":
				fmt.Fprint(g.stdout, d.Mermaid())
			case "dot":
				fmt.Fprint(g.stdout, d.Dot())
			default:
				return fmt.Errorf("--format must be mermaid or dot, not %q", format)
			}
			return nil
		},
	}
	show.Flags().StringVar(&format, "format", "mermaid", "mermaid or dot")
	cmd.AddCommand(show)
	return cmd
}
