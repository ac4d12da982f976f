package main

import (
	"fmt"

	"github.com/leakscan/leakscan/analyze"
	"github.com/leakscan/leakscan/report"
	"github.com/spf13/cobra"
)

// seriesOptions are the flags of the commands that take a series of
// Python heap dumps and write one report.
type seriesOptions struct {
	Format, Output string
	Top            int
}

func (o *seriesOptions) flags(cmd *cobra.Command, noun string) {
	f := cmd.Flags()
	f.IntVar(&o.Top, "top", 20, "show this many "+noun+" (0 for all)")
	f.StringVarP(&o.Format, "format", "f", "text", "output format: text, markdown or json")
	f.StringVarP(&o.Output, "output", "o", "", "write the report to this file instead of stdout")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
}

// check checks the flags before any input is read.
func (o *seriesOptions) check() error {
	if o.Top < 0 {
		return usageError{fmt.Errorf("--top %d: expected 0 (all) or more", o.Top)}
	}
	if !oneOf(o.Format, formats) {
		return usageError{fmt.Errorf("--format %q: expected one of text, markdown, json", o.Format)}
	}
	return nil
}

// runDumpAnalysis reads the Python heap dumps named by args, runs one
// analysis and writes its report.
func runDumpAnalysis(s streams, args []string, opts *seriesOptions, analysis func(*analyze.DumpSeries) (*analyze.Result, error)) error {
	srcs, err := analyze.ReadSources(args, s.In, nil)
	if err != nil {
		return err
	}
	return reportOnDumps(s, srcs, opts, analysis)
}

// reportOnDumps loads Python heap dumps, runs one analysis and writes its
// report.
func reportOnDumps(s streams, srcs []analyze.Source, opts *seriesOptions, analysis func(*analyze.DumpSeries) (*analyze.Result, error)) error {
	if err := opts.check(); err != nil {
		return err
	}
	srcs, bar := startProgress(s, srcs)
	defer bar.end()
	ds, err := analyze.LoadHeapDumps(srcs)
	if err != nil {
		return err
	}
	bar.setStage("analysing")
	res, err := analysis(ds)
	if err != nil {
		return err
	}
	bar.end()
	return writeReport(s, opts.Output, opts.Format, res, report.Options{Top: opts.Top})
}

func newCyclesCmd(s streams) *cobra.Command {
	opts := &seriesOptions{}
	cmd := &cobra.Command{
		Use:   "cycles SNAPSHOT...",
		Short: "Objects kept alive only by reference cycles, grouped by ring, with the edge to break",
		Long: `Find, in each Python heap dump, the objects that no root reaches except
through gc.garbage — what only reference cycles keep alive — and group the
cycles by their ring: the types and edge labels around the cycle, the same
whichever object it is read from. For each group: how many cycles, the
bytes they keep alive, their growth across the dumps, and the edge whose
removal frees the ring, with the reason (an exception's traceback held by
an attribute, a bound method stored on its own instance, or a guess).

The cycle collector's state is reported: with it enabled, cycles found in
one dump may be freed at its next run; only those that grow across dumps
leak. Disabled, or with DEBUG_SAVEALL, no cycle is ever freed.`,
		Example: `  leakscan cycles snap-*.pydump.gz
  leakscan cycles snap-5.pydump.gz -f markdown -o cycles.md`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return runDumpAnalysis(s, args, opts, analyze.DiffCycles)
		},
	}
	opts.flags(cmd, "cycle groups")
	return cmd
}

func newTasksCmd(s streams) *cobra.Command {
	opts := &seriesOptions{}
	cmd := &cobra.Command{
		Use:   "tasks SNAPSHOT...",
		Short: "asyncio tasks grouped by await chain, coroutines never awaited, timers, lost exceptions",
		Long: `Group the asyncio work recorded in Python heap dumps: tasks that are not
done, by their await chain (each coroutine the task awaits through, with
file and line) and what the innermost one waits on; coroutines created and
never awaited; timer callbacks scheduled on the loops; tasks that failed
with an exception nobody retrieved. Each group's count goes through the
same series analysis as goroutine groups: growing groups are suspects, and
so is any coroutine never awaited and any exception never retrieved.`,
		Example: `  leakscan tasks snap-*.pydump.gz
  leakscan tasks snap-5.pydump.gz -f json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return runDumpAnalysis(s, args, opts, analyze.DiffTasks)
		},
	}
	opts.flags(cmd, "task groups")
	return cmd
}
