package main

import (
	"fmt"

	"github.com/leakscan/leakscan/analyze"
	"github.com/leakscan/leakscan/report"
	"github.com/spf13/cobra"
)

// seriesOptions are the output flags of every command that writes a
// report: its format, its file and how many rows it lists.
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

// runAnalysis reads the heap dumps named by args, runs one analysis of
// the registry on them and writes its report.
func runAnalysis(s streams, args []string, opts *seriesOptions, name string) error {
	if err := opts.check(); err != nil {
		return err
	}
	srcs, err := readArgs(s, name, args, 1)
	if err != nil {
		return err
	}
	l, err := loadSeries(s, srcs, analyze.KindHeapDump)
	if err != nil {
		return err
	}
	defer l.bar.end()
	l.bar.setStage("analysing")
	res, err := l.Run(name, analyze.Options{})
	if err != nil {
		return err
	}
	l.bar.end()
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
			return runAnalysis(s, args, opts, "cycles")
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
			return runAnalysis(s, args, opts, "tasks")
		},
	}
	opts.flags(cmd, "task groups")
	return cmd
}
