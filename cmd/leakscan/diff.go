package main

import (
	"bytes"
	"context"
	"fmt"

	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/report"
	"github.com/leakscan/leakscan/report/dot"
	"github.com/spf13/cobra"
)

// diffOptions are the flags and arguments of `leakscan diff`.
type diffOptions struct {
	Inputs []string
	analysisFlags
	seriesOptions
	Graph string
}

var (
	formats  = []string{"text", "markdown", "json"}
	keyModes = []string{string(series.BySite), string(series.ByFunction), string(series.ByStack)}
)

// newDiffCmd builds the diff command; runF replaces runDiff in tests.
func newDiffCmd(s streams, runF func(context.Context, streams, *diffOptions) error) *cobra.Command {
	opts := &diffOptions{}
	cmd := &cobra.Command{
		Use:   "diff PROFILE PROFILE... | DUMP DUMP... | DIR",
		Short: "Show what grows across a series of heap profiles or goroutine dumps",
		Long: `Compare two or more pprof profiles of one kind (heap profiles from
/debug/pprof/heap, gzipped or not; "-" reads one from stdin; a directory
stands for the profile files in it) and classify every allocation site's
series as growing, plateau, sawtooth, shrinking, flat, new or gone.
The growing ones are the leak suspects, ranked by growth and steadiness.

Given goroutine dumps instead (proto or debug=1 goroutine profiles,
debug=2 text, or tracebacks from a panic, SIGQUIT or a test timeout), it
compares goroutine groups the same way: see "leakscan goroutines --help".

Given Python heap dumps (written by the dumper "leakscan dumper python"
prints), it compares the objects of each type, names the containers the
new objects pile up in and the retainer path that keeps each growing type
alive, and adds the reference cycles, asyncio tasks, file descriptors and
event loops that grew. --by applies to profiles only.

Profiles are put in the order of their own timestamps when all have one.
Samples are keyed by function, file and line, so profiles of rebuilt
binaries still line up.`,
		Example: `  # which allocation sites keep growing across four heap profiles
  leakscan diff heap-1.pb.gz heap-2.pb.gz heap-3.pb.gz heap-4.pb.gz

  # every profile in a directory, as a Markdown report for a bug
  leakscan diff profiles/ --format markdown -o leak-report.md

  # object counts instead of bytes, per function, only our packages
  leakscan diff --sample inuse_objects --by function --focus 'example.com/svc' a.pb.gz b.pb.gz c.pb.gz

  # which goroutine groups grow, where they block, who created them
  leakscan diff g1.txt g2.txt g3.txt

  # which Python types grow, what holds them, which cycles to break
  leakscan diff snap-1.pydump.gz snap-2.pydump.gz snap-3.pydump.gz

  # the growth call graph: red marks the functions that grew steadily
  leakscan diff heap-*.pb.gz --graph growth.svg

  # JSON for a CI job
  curl -s localhost:6060/debug/pprof/heap | leakscan diff base.pb.gz - --format json`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{fmt.Errorf("diff needs two or more profiles or dumps, or a directory of them")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Inputs = args
			if runF != nil {
				return runF(cmd.Context(), s, opts)
			}
			return runDiff(cmd.Context(), s, opts)
		},
	}
	opts.analysisFlags.register(cmd, "sample", "by", "keep-profiler", "focus", "ignore", "long-wait")
	opts.seriesOptions.flags(cmd, "rows, suspects first")
	cmd.Flags().StringVar(&opts.Graph, "graph", "", "also draw the growth call graph into this file: .dot, .svg or .png")
	return cmd
}

// runDiff loads the series, analyses it and writes the report, and the
// growth call graph with --graph.
func runDiff(ctx context.Context, s streams, opts *diffOptions) error {
	if err := opts.check(); err != nil {
		return err
	}
	a, err := analyzeArgs(s, "diff", opts.Inputs, 2, opts.analysisFlags)
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

// check checks the flags diff and goroutines share before any input is
// read.
func (o *diffOptions) check() error {
	if err := o.seriesOptions.check(); err != nil {
		return err
	}
	if _, err := o.analysisFlags.options(); err != nil {
		return err
	}
	if o.Graph != "" && o.Graph != "-" {
		if _, err := pictureFormat(o.Graph); err != nil {
			return err
		}
	}
	return nil
}

// writeCallGraph draws the growth call graph of a series into path.
func writeCallGraph(ctx context.Context, s streams, a *analysis, path string) error {
	cg, err := a.callGraph()
	if err != nil {
		return err
	}
	return writePicture(ctx, s, path, func(b *bytes.Buffer) error {
		return dot.CallGraphDOT(b, cg, dot.CallGraphDOTOptions{})
	})
}

// writeReport renders the result in the chosen format to stdout or a file.
// Warnings also go to stderr when the report does not go to the terminal.
func writeReport(s streams, output, format string, res *series.Result, ropt report.Options) error {
	var buf bytes.Buffer
	var err error
	switch format {
	case "markdown":
		err = report.Markdown(&buf, res, ropt)
	case "json":
		err = report.JSON(&buf, res, ropt)
	default:
		err = report.Text(&buf, res, ropt)
	}
	if err != nil {
		return outputError{err}
	}
	if output != "" || format == "json" {
		warn(s, res.Warnings)
	}
	if output == "" {
		if _, err := s.Out.Write(buf.Bytes()); err != nil {
			return outputError{err}
		}
		return nil
	}
	if err := writeOutput(output, buf.Bytes()); err != nil {
		return err
	}
	return nil
}
