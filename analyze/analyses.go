package analyze

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/leakscan/leakscan/analyze/callgraph"
	"github.com/leakscan/leakscan/analyze/goroutine"
	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/input"
	"github.com/leakscan/leakscan/analyze/profile"
	"github.com/leakscan/leakscan/analyze/python"
	"github.com/leakscan/leakscan/analyze/series"
)

// Series is a series of inputs of one kind, loaded: exactly one of
// Profiles, Goroutines and Dumps is set, as Kind says.
type Series struct {
	Kind       Kind
	Profiles   *profile.ProfileSeries
	Goroutines *goroutine.GoroutineSeries
	Dumps      *heap.DumpSeries
}

// Load reads a series: the first input's format decides its kind, and
// every input must be of a format that kind reads (one line naming the
// file and what it is otherwise). The format is told from each input's
// first bytes, before the rest is read (input.Gate); what breaks later
// is the reader's to say, with its position. With kinds, the series must be of one
// of them: when the first input is of none, the first kind is expected
// of every input.
func Load(srcs []input.Source, kinds ...Kind) (*Series, error) {
	if len(srcs) == 0 {
		return nil, fmt.Errorf("no inputs")
	}
	data, err := srcs[0].WithGate(gate(srcs[0].Name, only(kinds))).Bytes()
	if err != nil {
		return nil, err
	}
	kind, _ := kindOf(data)
	switch {
	case len(kinds) > 0 && !slices.Contains(kinds, kind):
		kind = kinds[0]
	case kind == "":
		kind = KindProfile // the error then says what a profile would be
	}
	srcs = append([]input.Source(nil), srcs...)
	srcs[0] = input.NewSource(srcs[0].Name, data) // read once
	for i := range srcs {
		srcs[i] = srcs[i].WithGate(gate(srcs[i].Name, kind))
	}
	s := &Series{Kind: kind}
	switch kind {
	case KindGoroutine:
		s.Goroutines, err = goroutine.LoadGoroutines(srcs)
	case KindHeapDump:
		s.Dumps, err = heap.LoadHeapDumps(srcs, readDump)
	default:
		s.Profiles, err = profile.LoadProfiles(srcs)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// only is the kind a command insists on, "" for any.
func only(kinds []Kind) Kind {
	if len(kinds) == 1 {
		return kinds[0]
	}
	return ""
}

// readDump reads an object-graph dump with the reader of its format's row.
func readDump(name string, data []byte) (*heap.Dump, error) {
	row := lookup(data, true)
	if row == nil || row.Read == nil {
		return nil, wrongFormat(name, data, KindHeapDump, row)
	}
	return row.Read(name, data)
}

// Warnings are the series' own warnings, from loading.
func (s *Series) Warnings() []string {
	switch {
	case s.Profiles != nil:
		return s.Profiles.Warnings
	case s.Goroutines != nil:
		return s.Goroutines.Warnings
	case s.Dumps != nil:
		return s.Dumps.Warnings
	}
	return nil
}

// Options shape every analysis; each takes what applies to it.
type Options struct {
	// Sample names the values compared: a profile's sample type
	// ("inuse_space"), or objects, shallow or retained for heap dumps.
	Sample string
	// By says what a row of a profile diff is: site, function or stack.
	By           series.KeyMode
	KeepProfiler bool           // keep the profiler's own samples
	Focus        *regexp.Regexp // keep only rows with a frame (or type) matching
	Ignore       *regexp.Regexp // drop rows with a frame (or type) matching
	// LongWait is the wait in minutes from which a blocked goroutine
	// group of a single dump is a suspect.
	LongWait int
}

// Analysis is one row of the analysis registry: a value that turns a
// loaded series into a result.
type Analysis struct {
	Name string // "sites", "goroutines", "types", "cycles" …
	Kind Kind   // the kind of series it runs on
	// Applies, when set, says whether it runs on a given series of its
	// kind (the Python analyses need Python dumps).
	Applies func(*Series) bool
	// Related analyses run after the main one of their kind in diff and
	// report, and their results follow it.
	Related bool
	Run     func(*Series, Options) (*series.Result, error)
}

// analyses is the registry: every analysis, the main one of each kind
// first. It is the one place that knows them all.
var analyses = []Analysis{
	{Name: "sites", Kind: KindProfile, Run: func(s *Series, o Options) (*series.Result, error) {
		return profile.Diff(s.Profiles, profileOptions(o))
	}},
	{Name: "goroutines", Kind: KindGoroutine, Run: func(s *Series, o Options) (*series.Result, error) {
		return goroutine.DiffGoroutines(s.Goroutines, goroutineOptions(o))
	}},
	{Name: "types", Kind: KindHeapDump, Run: func(s *Series, o Options) (*series.Result, error) {
		return heap.DiffTypes(s.Dumps, heap.TypeOptions{Sample: o.Sample, Focus: o.Focus, Ignore: o.Ignore})
	}},
	{Name: "cycles", Kind: KindHeapDump, Applies: isPython, Related: true, Run: onDumps(python.DiffCycles)},
	{Name: "tasks", Kind: KindHeapDump, Applies: isPython, Related: true, Run: onDumps(python.DiffTasks)},
	{Name: "resources", Kind: KindHeapDump, Applies: isPython, Related: true, Run: onDumps(python.DiffResources)},
}

func isPython(s *Series) bool { return s.Dumps != nil && python.Is(s.Dumps) }

func onDumps(f func(*heap.DumpSeries) (*series.Result, error)) func(*Series, Options) (*series.Result, error) {
	return func(s *Series, _ Options) (*series.Result, error) { return f(s.Dumps) }
}

func profileOptions(o Options) profile.DiffOptions {
	return profile.DiffOptions{Sample: o.Sample, By: o.By, KeepProfiler: o.KeepProfiler, Focus: o.Focus, Ignore: o.Ignore, Noise: series.DefaultNoise}
}

func goroutineOptions(o Options) goroutine.GoOptions {
	return goroutine.GoOptions{Focus: o.Focus, Ignore: o.Ignore, LongWait: o.LongWait}
}

func (a *Analysis) applies(s *Series) bool {
	return a.Kind == s.Kind && (a.Applies == nil || a.Applies(s))
}

// OptionError is an error in the options given to an analysis (a sample
// type the inputs do not have): the user's to fix, not the input's.
type OptionError struct{ Err error }

func (e *OptionError) Error() string { return e.Err.Error() }
func (e *OptionError) Unwrap() error { return e.Err }

// Analyze runs the main analysis of the series' kind and, with related,
// the related ones after it, whose results go into the main result's
// Related.
func (s *Series) Analyze(opt Options, related bool) (*series.Result, error) {
	var res *series.Result
	for i := range analyses {
		a := &analyses[i]
		if !a.applies(s) || a.Related && (!related || res == nil) {
			continue
		}
		r, err := a.Run(s, opt)
		if err != nil {
			if res == nil {
				return nil, &OptionError{err}
			}
			return nil, err
		}
		if res == nil {
			res = r
		} else {
			res.Related = append(res.Related, r)
		}
	}
	if res == nil {
		return nil, fmt.Errorf("no analysis reads a series of %s", s.Kind)
	}
	return res, nil
}

// Run runs one analysis by name ("cycles", "tasks" …) on the series.
func (s *Series) Run(name string, opt Options) (*series.Result, error) {
	for i := range analyses {
		if a := &analyses[i]; a.Name == name {
			if !a.applies(s) {
				return nil, &OptionError{fmt.Errorf("%s: needs %s inputs of a runtime it knows, got a series of %s", name, a.Kind, s.Kind)}
			}
			return a.Run(s, opt)
		}
	}
	return nil, fmt.Errorf("no analysis named %q", name)
}

// CallGraph builds the growth call graph of a profile or goroutine
// series, keeping the samples its main analysis keeps.
func (s *Series) CallGraph(opt Options, cg callgraph.CallGraphOptions) (*callgraph.CallGraph, error) {
	switch s.Kind {
	case KindProfile:
		return profile.CallGraph(s.Profiles, profileOptions(opt), cg)
	case KindGoroutine:
		return goroutine.CallGraph(s.Goroutines, goroutineOptions(opt), cg)
	}
	return nil, &OptionError{fmt.Errorf("call graphs are drawn for heap profiles and goroutine dumps; for heap dumps use leakscan graph")}
}
