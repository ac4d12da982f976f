package main

import (
	"context"

	"github.com/leakscan/leakscan/analyze"
	"github.com/leakscan/leakscan/report"
	"github.com/spf13/cobra"
)

// goroutineOptions are the flags and arguments of `leakscan goroutines`:
// those of diff, fewer of them registered.
type goroutineOptions = diffOptions

func newGoroutinesCmd(s streams, runF func(context.Context, streams, *goroutineOptions) error) *cobra.Command {
	opts := &goroutineOptions{}
	cmd := &cobra.Command{
		Use:   "goroutines DUMP... | DIR",
		Short: "Group and rank the goroutines of one dump, or of a series",
		Long: `Read goroutine dumps in any format — proto goroutine or goroutineleak
profiles, their debug=1 text, debug=2 text, and tracebacks printed on a
panic, SIGQUIT or a "go test -timeout", also inside logs — and group the
goroutines by where they wait (their stack without the runtime's frames),
their state and the function that created them.

One dump: the groups ranked by size, with the groups the runtime's
goroutineleak profile marked shown as confirmed leaked, and groups blocked
on a channel, select, lock or I/O for --long-wait minutes or more flagged.
Several dumps: each group's count as a series; the growing groups and the
confirmed ones are the suspects. A constant group (a worker pool) is never
a suspect, however large.`,
		Example: `  # one dump from /debug/pprof/goroutine?debug=2
  leakscan goroutines dump.txt

  # the goroutines of a test that timed out
  go test ./... -timeout 60s 2>&1 | leakscan goroutines -

  # which groups grow across three profiles, as Markdown
  leakscan goroutines g1.pb.gz g2.pb.gz g3.pb.gz --format markdown -o goroutines.md`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Inputs = args
			if runF != nil {
				return runF(cmd.Context(), s, opts)
			}
			return runGoroutines(cmd.Context(), s, opts)
		},
	}
	opts.analysisFlags.register(cmd, "focus", "ignore", "long-wait")
	opts.seriesOptions.flags(cmd, "groups, suspects first")
	cmd.Flags().StringVar(&opts.Graph, "graph", "", "also draw the growth call graph into this file: .dot, .svg or .png")
	return cmd
}

func runGoroutines(ctx context.Context, s streams, opts *goroutineOptions) error {
	if err := opts.check(); err != nil {
		return err
	}
	srcs, err := readArgs(s, "goroutines", opts.Inputs, 1)
	if err != nil {
		return err
	}
	l, err := loadSeries(s, srcs, analyze.KindGoroutine)
	if err != nil {
		return err
	}
	a, err := analyzeSeries(l, opts.analysisFlags, false)
	if err != nil {
		return err
	}
	if err := writeReport(s, opts.Output, opts.Format, a.res, report.Options{Top: opts.Top}); err != nil {
		return err
	}
	if opts.Graph == "" {
		return nil
	}
	return writeCallGraph(ctx, s, a, opts.Graph)
}
