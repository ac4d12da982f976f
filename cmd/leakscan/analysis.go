package main

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/leakscan/leakscan/analyze"
	"github.com/leakscan/leakscan/analyze/callgraph"
	"github.com/leakscan/leakscan/analyze/input"
	"github.com/leakscan/leakscan/analyze/series"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// This file is the one path from arguments to an analysed series that
// every command takes: read the arguments (files, directories, stdin),
// load them as one series through the format registry, with a progress
// bar on a terminal, and run the analyses of the analysis registry.

// analysis is one series loaded and analysed: the result, and the series
// its pictures are drawn from.
type analysis struct {
	series *analyze.Series
	opt    analyze.Options
	res    *series.Result
}

// analysisFlags are the flags that shape the analysis of any kind of
// series; each command declares those that apply to it with register.
type analysisFlags struct {
	Sample, By   string
	KeepProfiler bool
	Focus        string
	Ignore       string
	LongWait     int
	// set lists the flags given on the command line, so that a flag that
	// does not apply to the series loaded is refused, not dropped.
	set []string
}

// analysisFlagKinds says which kinds of series each flag applies to.
var analysisFlagKinds = map[string][]analyze.Kind{
	"sample":        {analyze.KindProfile, analyze.KindHeapDump},
	"by":            {analyze.KindProfile},
	"keep-profiler": {analyze.KindProfile},
	"focus":         {analyze.KindProfile, analyze.KindGoroutine, analyze.KindHeapDump},
	"ignore":        {analyze.KindProfile, analyze.KindGoroutine, analyze.KindHeapDump},
	"long-wait":     {analyze.KindGoroutine},
}

// register declares the named analysis flags on a command, each with the
// same help everywhere, and records which were given.
func (f *analysisFlags) register(cmd *cobra.Command, names ...string) {
	fs := cmd.Flags()
	for _, name := range names {
		switch name {
		case "sample":
			fs.StringVar(&f.Sample, name, "", "the values to compare: a profile's sample type (default inuse_space for heap profiles, else the profile's default); objects, shallow or retained for heap dumps")
		case "by":
			fs.StringVar(&f.By, name, "site", "what a row of a profile diff is: site (innermost frame outside the allocator), function, or stack")
			_ = cmd.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(keyModes, cobra.ShellCompDirectiveNoFileComp))
		case "keep-profiler":
			fs.BoolVar(&f.KeepProfiler, name, false, "keep the profiler's own allocations (runtime/pprof …), hidden by default")
		case "focus":
			fs.StringVar(&f.Focus, name, "", "keep only rows with a frame whose function or file matches this regexp (goroutines: or their creator; heap dumps: types whose name matches)")
		case "ignore":
			fs.StringVar(&f.Ignore, name, "", "drop rows with a frame whose function or file matches this regexp (goroutines: or their creator; heap dumps: types whose name matches)")
		case "long-wait":
			fs.IntVar(&f.LongWait, name, 10, "in a single goroutine dump, flag groups blocked this many minutes or more")
		default:
			panic("no analysis flag " + name)
		}
	}
	prev := cmd.PreRunE
	cmd.PreRunE = func(c *cobra.Command, args []string) error {
		c.Flags().Visit(func(fl *pflag.Flag) {
			if _, ok := analysisFlagKinds[fl.Name]; ok {
				f.set = append(f.set, fl.Name)
			}
		})
		if prev != nil {
			return prev(c, args)
		}
		return nil
	}
}

// applies refuses the flags given that do not apply to a series of kind
// k: a flag is never silently dropped.
func (f analysisFlags) applies(k analyze.Kind) error {
	for _, name := range f.set {
		if !slices.Contains(analysisFlagKinds[name], k) {
			return usageError{fmt.Errorf("--%s does not apply to a series of %ss", name, k)}
		}
	}
	return nil
}

// options checks the flags and turns them into the analyses' options.
func (f analysisFlags) options() (analyze.Options, error) {
	o := analyze.Options{Sample: f.Sample, By: series.KeyMode(f.By), KeepProfiler: f.KeepProfiler, LongWait: f.LongWait}
	if f.By == "" {
		o.By = series.BySite
	} else if !oneOf(f.By, keyModes) {
		return o, usageError{fmt.Errorf("--by %q: expected one of site, function, stack", f.By)}
	}
	var err error
	if o.Focus, err = compileFlag("focus", f.Focus); err != nil {
		return o, usageError{err}
	}
	if o.Ignore, err = compileFlag("ignore", f.Ignore); err != nil {
		return o, usageError{err}
	}
	return o, nil
}

// loaded is a series read from the arguments, with the progress bar that
// watched it load (nil off a terminal).
type loaded struct {
	*analyze.Series
	bar *progress
}

// readArgs reads the arguments: files, directories (the files in them that
// leakscan reads, sorted by name) and "-" for stdin. With min, fewer
// inputs are refused before any is read.
func readArgs(s streams, cmd string, args []string, min int) ([]input.Source, error) {
	srcs, err := analyze.ReadSources(args, s.In)
	if err != nil {
		return nil, err
	}
	if len(srcs) < min {
		return nil, usageError{fmt.Errorf("%s needs two or more profiles or dumps, got %d", cmd, len(srcs))}
	}
	return srcs, nil
}

// loadSeries loads the inputs as one series. With kinds, the series must
// be of one of them (the first is expected when the first input is of
// none).
func loadSeries(s streams, srcs []input.Source, kinds ...analyze.Kind) (*loaded, error) {
	srcs, bar := startProgress(s, srcs)
	ser, err := analyze.Load(srcs, kinds...)
	if err != nil {
		bar.end()
		return nil, err
	}
	return &loaded{Series: ser, bar: bar}, nil
}

// analyzeSeries runs the main analysis of a loaded series and, with
// related, the related ones after it. The progress bar ends before it
// returns.
func analyzeSeries(l *loaded, f analysisFlags, related bool) (*analysis, error) {
	defer l.bar.end()
	opt, err := f.options()
	if err != nil {
		return nil, err
	}
	if err := f.applies(l.Kind); err != nil {
		return nil, err
	}
	l.bar.setStage("analysing")
	res, err := l.Analyze(opt, related)
	if err != nil {
		return nil, usageError{err}
	}
	return &analysis{series: l.Series, opt: opt, res: res}, nil
}

// callGraph is the growth call graph of a profile or goroutine series.
func (a *analysis) callGraph() (*callgraph.CallGraph, error) {
	cg, err := a.series.CallGraph(a.opt, callgraph.CallGraphOptions{})
	if err != nil {
		return nil, usageError{err}
	}
	return cg, nil
}

// warn prints warnings to stderr, one line each: the one policy for
// every command whose output does not carry them (a picture, a path, a
// report written to a file or as JSON).
func warn(s streams, warnings []string) {
	for _, w := range warnings {
		fmt.Fprintf(s.ErrOut, "leakscan: warning: %s\n", w)
	}
}

// compileFlag compiles a regexp flag; nil when it is empty.
func compileFlag(name, expr string) (*regexp.Regexp, error) {
	if expr == "" {
		return nil, nil
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", name, err)
	}
	return re, nil
}

func oneOf(s string, set []string) bool { return slices.Contains(set, s) }

// analyzeArgs is what diff, check and report do first: read the
// arguments (at least min inputs), load them as one series, and run its
// main and related analyses.
func analyzeArgs(s streams, cmd string, args []string, min int, f analysisFlags) (*analysis, error) {
	srcs, err := readArgs(s, cmd, args, min)
	if err != nil {
		return nil, err
	}
	l, err := loadSeries(s, srcs)
	if err != nil {
		return nil, err
	}
	return analyzeSeries(l, f, true)
}
