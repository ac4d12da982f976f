package main

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"github.com/leakscan/leakscan/analyze/gate"
	"github.com/spf13/cobra"
)

// checkOptions are the flags and arguments of `leakscan check`.
type checkOptions struct {
	Inputs []string
	analysisFlags
	MaxGrowth, MaxGoroutines, MaxObjects string
	Baseline, WriteBaseline              string
	JUnit                                string
}

// getenv reads the environment; tests replace it, so that a test run
// inside GitHub Actions sees what any other run sees.
var getenv = os.Getenv

// leakFound is the error of a check that found suspects over budget:
// run exits with exitLeak and prints nothing more, the summary on
// stdout having said it all.
type leakFound struct{ over int }

func (e leakFound) Error() string {
	return fmt.Sprintf("%d leak %s over budget", e.over, plural(e.over, "suspect"))
}

func newCheckCmd(s streams, runF func(context.Context, streams, *checkOptions) error) *cobra.Command {
	opts := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check PROFILE PROFILE... | DIR",
		Short: "Fail a CI job when a leak suspect grows past its budget",
		Long: `Run the analysis of "leakscan diff" (and, for Python heap dumps, its
cycles, tasks and resources) on a series of two or more snapshots, then
gate it: every leak suspect is measured against the budget of its kind
of value, or accepted by a baseline.

Budgets (per suspect; growth is the last value minus the first):
  --max-growth      bytes: heap profiles' *_space, heap dumps' shallow or retained
  --max-goroutines  goroutines in a goroutine group
  --max-objects     objects: heap profiles' *_objects, heap dumps' objects
Each is 0 when not given: any growth of a suspect fails. A goroutine group
the runtime confirmed leaked fails whatever its growth. A suspect that no
budget measures (a reference cycle group, an asyncio task, an open file
descriptor, a CPU profile's time) fails unless the baseline accepts it.
Rows that are not suspects (plateaus, sawtooth, churn) never fail.

Signatures name a suspect the same way across runs and rebuilds, never
with addresses, ids or line numbers:
  heap profiles      kind, site function and file base name: heap site main.newSession (main.go)
  goroutine groups   [state], the functions of the stack innermost first, the creator's function
  heap-dump types    type, then the retainer path's shape: root, each edge's kind
                     and label (indexes and dict keys as *), each hop's type
  cycles, tasks      the ring of types and edges; the await chain's functions
--write-baseline FILE records this run's suspects' signatures (sorted JSON,
schema "leakscan/baseline", version 1) and accepts them; --baseline FILE
accepts the suspects it lists, and names the entries no suspect matched.

Output: a summary on stdout; with GITHUB_ACTIONS=true, an ::error
annotation per suspect over budget (::notice for accepted ones);
--junit FILE writes JUnit XML, one testcase per suspect.

Exit codes: 0 no suspect over budget; 1 a suspect over budget; 2 bad
usage or bad input (one line on stderr); 3 the baseline or JUnit file
could not be written.`,
		Example: `  # fail when any allocation site keeps growing by more than 5 MiB
  leakscan check snaps/heap-*.pb.gz --max-growth 5MiB

  # goroutine groups may grow by 10
  leakscan check g1.txt g2.txt g3.txt --max-goroutines +10

  # accept today's suspects, then gate on new ones only
  leakscan check snaps/ --write-baseline leak-baseline.json
  leakscan check snaps/ --baseline leak-baseline.json --junit leaks.xml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Inputs = args
			if runF != nil {
				return runF(cmd.Context(), s, opts)
			}
			return runCheck(cmd.Context(), s, opts)
		},
	}
	opts.analysisFlags.register(cmd, "sample", "by", "keep-profiler", "focus", "ignore", "long-wait")
	f := cmd.Flags()
	f.StringVar(&opts.MaxGrowth, "max-growth", "0", "growth in bytes a suspect may show: 5MiB, 512KB, 10MB")
	f.StringVar(&opts.MaxGoroutines, "max-goroutines", "0", "goroutines a suspect group may gain: +10")
	f.StringVar(&opts.MaxObjects, "max-objects", "0", "objects a suspect may gain: +1000")
	f.StringVar(&opts.Baseline, "baseline", "", "accept the suspects whose signatures this file lists")
	f.StringVar(&opts.WriteBaseline, "write-baseline", "", "write this run's suspects' signatures to this file, and accept them")
	f.StringVar(&opts.JUnit, "junit", "", "also write the result as JUnit XML to this file")
	return cmd
}

// budgets checks the budget flags.
func (o *checkOptions) budgets() (gate.Budgets, error) {
	var b gate.Budgets
	var err error
	if b.MaxGrowth, err = gate.ParseSize(o.MaxGrowth); err != nil {
		return b, usageError{fmt.Errorf("--max-growth %w", err)}
	}
	if b.MaxGoroutines, err = gate.ParseCount(o.MaxGoroutines); err != nil {
		return b, usageError{fmt.Errorf("--max-goroutines %w", err)}
	}
	if b.MaxObjects, err = gate.ParseCount(o.MaxObjects); err != nil {
		return b, usageError{fmt.Errorf("--max-objects %w", err)}
	}
	return b, nil
}

// check checks the flags and reads the baseline before any input is read.
func (o *checkOptions) check() (gate.Budgets, *gate.Baseline, error) {
	b, err := o.budgets()
	if err != nil {
		return b, nil, err
	}
	if _, err := o.analysisFlags.options(); err != nil {
		return b, nil, err
	}
	if o.Baseline != "" && o.WriteBaseline != "" {
		return b, nil, usageError{fmt.Errorf("--baseline and --write-baseline: give one (--write-baseline accepts every suspect of this run)")}
	}
	if o.Baseline == "" {
		return b, nil, nil
	}
	data, err := os.ReadFile(o.Baseline)
	if err != nil {
		return b, nil, usageError{fmt.Errorf("--baseline: %w", err)}
	}
	base, err := gate.ReadBaseline(data)
	if err != nil {
		return b, nil, usageError{fmt.Errorf("--baseline %s: %w", o.Baseline, err)}
	}
	return b, base, nil
}

// runCheck analyses the series as diff does, gates its suspects and
// writes the summary, the annotations, the JUnit file and the baseline.
func runCheck(_ context.Context, s streams, opts *checkOptions) error {
	budgets, base, err := opts.check()
	if err != nil {
		return err
	}
	a, err := analyzeArgs(s, "check", opts.Inputs, 2, opts.analysisFlags)
	if err != nil {
		return err
	}
	warn(s, a.res.Warnings)
	for _, rel := range a.res.Related {
		warn(s, rel.Warnings)
	}
	if opts.WriteBaseline != "" {
		base = gate.NewBaseline(gate.Check(a.res, budgets, nil))
		var buf bytes.Buffer
		if err := base.Write(&buf); err != nil {
			return outputError{err}
		}
		if err := writeOutput(opts.WriteBaseline, buf.Bytes()); err != nil {
			return err
		}
	}
	rep := gate.Check(a.res, budgets, base)
	var out bytes.Buffer
	writeCheckText(&out, a.res, rep)
	if getenv("GITHUB_ACTIONS") == "true" {
		writeAnnotations(&out, rep)
	}
	if _, err := s.Out.Write(out.Bytes()); err != nil {
		return outputError{err}
	}
	if opts.JUnit != "" {
		var buf bytes.Buffer
		if err := writeJUnit(&buf, a.res, rep); err != nil {
			return outputError{err}
		}
		if err := writeOutput(opts.JUnit, buf.Bytes()); err != nil {
			return err
		}
	}
	if rep.Failed() {
		return leakFound{over: rep.Count(gate.Over)}
	}
	return nil
}
