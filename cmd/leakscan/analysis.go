package main

import (
	"fmt"
	"regexp"

	"github.com/leakscan/leakscan/analyze"
)

// analysis is one series loaded and analysed, with what its pictures
// need besides the result: the series it came from.
type analysis struct {
	kind string // "profile", "goroutine" or "heap dump"
	res  *analyze.Result

	profiles *analyze.ProfileSeries
	dopt     analyze.DiffOptions
	gors     *analyze.GoroutineSeries
	gopt     analyze.GoOptions
	dumps    *analyze.DumpSeries
}

// analysisFlags are the flags shared by diff and report that shape the
// analysis of any kind of series.
type analysisFlags struct {
	Sample, By   string
	KeepProfiler bool
	Focus        string
	Ignore       string
	LongWait     int
}

// analyzeSeries loads a series of any kind and runs the analysis diff
// runs on it; related adds, for heap dumps, cycles, tasks and resources.
// The progress bar, if any, ends before it returns.
func analyzeSeries(s streams, srcs []analyze.Source, f analysisFlags, related bool) (*analysis, error) {
	srcs, bar := startProgress(s, srcs)
	defer bar.end()
	kind, first, err := seriesKind(srcs[0])
	if err != nil {
		return nil, err
	}
	srcs[0] = first // read once
	a := &analysis{kind: kind}
	switch kind {
	case "heap dump":
		if a.dumps, err = analyze.LoadHeapDumps(srcs); err != nil {
			return nil, err
		}
		bar.setStage("analysing")
		a.res, err = dumpAnalysis(a.dumps, f.Sample, f.Focus, related)
		return a, err
	case "goroutine":
		if a.gopt, err = f.goOptions(); err != nil {
			return nil, usageError{err}
		}
		if a.gors, err = analyze.LoadGoroutines(srcs); err != nil {
			return nil, err
		}
		bar.setStage("analysing")
		if a.res, err = analyze.DiffGoroutines(a.gors, a.gopt); err != nil {
			return nil, usageError{err}
		}
		return a, nil
	}
	if a.dopt, err = f.diffOptions(); err != nil {
		return nil, usageError{err}
	}
	if a.profiles, err = analyze.LoadProfiles(srcs); err != nil {
		return nil, err
	}
	bar.setStage("analysing")
	if a.res, err = analyze.Diff(a.profiles, a.dopt); err != nil {
		return nil, usageError{err}
	}
	return a, nil
}

// dumpAnalysis is diff and top on Python heap dumps: each type's series,
// with the retainer path of the growing ones; with related, the reference
// cycles, asyncio tasks and resources after it.
func dumpAnalysis(ds *analyze.DumpSeries, sample, focus string, related bool) (*analyze.Result, error) {
	res, err := analyze.DiffTypes(ds, analyze.TypeOptions{Sample: sample, Focus: focus})
	if err != nil {
		return nil, usageError{err}
	}
	if related {
		for _, f := range []func(*analyze.DumpSeries) (*analyze.Result, error){analyze.DiffCycles, analyze.DiffTasks, analyze.DiffResources} {
			rel, err := f(ds)
			if err != nil {
				return nil, err
			}
			res.Related = append(res.Related, rel)
		}
	}
	return res, nil
}

// callGraph is the growth call graph of a profile or goroutine series.
func (a *analysis) callGraph() (*analyze.CallGraph, error) {
	switch a.kind {
	case "profile":
		return analyze.ProfileCallGraph(a.profiles, a.dopt, analyze.CallGraphOptions{})
	case "goroutine":
		return analyze.GoroutineCallGraph(a.gors, a.gopt, analyze.CallGraphOptions{})
	}
	return nil, usageError{fmt.Errorf("call graphs are drawn for heap profiles and goroutine dumps; for Python heap dumps use leakscan graph")}
}

func (f analysisFlags) diffOptions() (analyze.DiffOptions, error) {
	d := analyze.DiffOptions{Sample: f.Sample, By: analyze.KeyMode(f.By), KeepProfiler: f.KeepProfiler, Noise: analyze.DefaultNoise}
	if f.By == "" {
		d.By = analyze.BySite
	} else if !oneOf(f.By, keyModes) {
		return d, fmt.Errorf("--by %q: expected one of site, function, stack", f.By)
	}
	var err error
	if d.Focus, err = compileFlag("focus", f.Focus); err != nil {
		return d, err
	}
	d.Ignore, err = compileFlag("ignore", f.Ignore)
	return d, err
}

func (f analysisFlags) goOptions() (analyze.GoOptions, error) {
	g := analyze.GoOptions{LongWait: f.LongWait}
	var err error
	if g.Focus, err = compileFlag("focus", f.Focus); err != nil {
		return g, err
	}
	g.Ignore, err = compileFlag("ignore", f.Ignore)
	return g, err
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
