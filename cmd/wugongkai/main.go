// Command wugongkai is the one binary of the 五公开 document workflow service: the web server and
// the background worker (run, serve, worker), migrations, workflow definitions, the working-day
// calendar, the audit log check, accounts and reports.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "wugongkai:", err)
		os.Exit(1)
	}
}

// globals are the flags every subcommand shares.
type globals struct {
	configPath     string
	configExplicit bool
	demo           bool
	env            func(string) string
	stdin          io.Reader
	stdout         io.Writer
	stderr         io.Writer
	// ready, if set, receives the HTTP address once the server listens (tests use it).
	ready func(addr string)
}

// run builds the command tree and executes it with args. It is what main calls and what the
// end-to-end tests call.
func run(ctx context.Context, args []string, env func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	return runWith(ctx, args, &globals{env: env, stdin: stdin, stdout: stdout, stderr: stderr})
}

func runWith(ctx context.Context, args []string, g *globals) error {
	root := &cobra.Command{
		Use:           "wugongkai",
		Short:         "五公开 document workflow: drafts to public, with statutory deadlines",
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error { // default: run
			return runService(cmd.Context(), g, modeRun)
		},
	}
	root.PersistentPreRun = func(cmd *cobra.Command, args []string) {
		g.configExplicit = cmd.Flags().Changed("config")
	}
	root.PersistentFlags().StringVar(&g.configPath, "config", defaultConfigPath, "configuration file (YAML)")
	root.SetArgs(args)
	root.SetIn(g.stdin)
	root.SetOut(g.stdout)
	root.SetErr(g.stderr)
	root.AddCommand(
		serviceCmd(g, modeRun, "run", "run the web server and the worker in one process (the default)"),
		serviceCmd(g, modeServe, "serve", "run the web server only"),
		serviceCmd(g, modeWorker, "worker", "run the background worker only (queue, outbox relay, deadline sweep)"),
		migrateCmd(g),
		workflowCmd(g),
		calendarCmd(g),
		catalogueCmd(g),
		auditCmd(g),
		userCmd(g),
		agencyCmd(g),
		policyCmd(g),
		demoCmd(g),
		benchCmd(g),
		reportCmd(g),
	)
	return root.ExecuteContext(ctx)
}

// loadConfig loads the configuration: a --config path given on the command line must exist; the
// default path is used only if it does.
func (g *globals) loadConfig() (Config, error) {
	return loadConfig(g.configPath, g.configExplicit, g.env)
}

// opened is the RunE of an admin subcommand that needs something opened first (a pool, a
// migrator): it opens it, runs run on it and closes it.
func opened[T any](open func(cmd *cobra.Command) (T, func(), error), run func(cmd *cobra.Command, t T) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		t, closeFn, err := open(cmd)
		if err != nil {
			return err
		}
		defer closeFn()
		return run(cmd, t)
	}
}
