package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"regexp"

	"github.com/leakscan/leakscan/analyze"
	"github.com/leakscan/leakscan/report"
	"github.com/spf13/cobra"
)

// diffOptions are the flags and arguments of `leakscan diff`.
type diffOptions struct {
	Inputs       []string
	Sample       string
	By           string
	KeepProfiler bool
	Focus        string
	Ignore       string
	Top          int
	Format       string
	Output       string
}

var (
	formats  = []string{"text", "markdown", "json"}
	keyModes = []string{string(analyze.BySite), string(analyze.ByFunction), string(analyze.ByStack)}
)

// newDiffCmd builds the diff command; runF replaces runDiff in tests.
func newDiffCmd(s streams, runF func(context.Context, streams, *diffOptions) error) *cobra.Command {
	opts := &diffOptions{}
	cmd := &cobra.Command{
		Use:   "diff PROFILE PROFILE... | DIR",
		Short: "Show what grows across a series of heap profiles or goroutine dumps",
		Long: `Compare two or more pprof profiles of one kind (heap profiles from
/debug/pprof/heap, gzipped or not; "-" reads one from stdin; a directory
stands for the profile files in it) and classify every allocation site's
series as growing, plateau, sawtooth, shrinking, flat, new or gone.
The growing ones are the leak suspects, ranked by growth and steadiness.

Given goroutine dumps instead (proto or debug=1 goroutine profiles,
debug=2 text, or tracebacks from a panic, SIGQUIT or a test timeout), it
compares goroutine groups the same way: see "leakscan goroutines --help".

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

  # JSON for a CI job
  curl -s localhost:6060/debug/pprof/heap | leakscan diff base.pb.gz - --format json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Inputs = args
			if runF != nil {
				return runF(cmd.Context(), s, opts)
			}
			return runDiff(cmd.Context(), s, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Sample, "sample", "", "sample type to compare (default inuse_space for heap profiles, else the profile's default)")
	f.StringVar(&opts.By, "by", "site", "what a row is: site (innermost frame outside the allocator), function, or stack")
	f.BoolVar(&opts.KeepProfiler, "keep-profiler", false, "keep the profiler's own allocations (runtime/pprof …), hidden by default")
	f.StringVar(&opts.Focus, "focus", "", "keep only samples with a frame whose function or file matches this regexp")
	f.StringVar(&opts.Ignore, "ignore", "", "drop samples with a frame whose function or file matches this regexp")
	f.IntVar(&opts.Top, "top", 20, "show this many rows, suspects first (0 for all)")
	f.StringVarP(&opts.Format, "format", "f", "text", "output format: text, markdown or json")
	f.StringVarP(&opts.Output, "output", "o", "", "write the report to this file instead of stdout")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("by", cobra.FixedCompletions(keyModes, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// runDiff loads the profiles, analyses the series and writes the report.
func runDiff(_ context.Context, s streams, opts *diffOptions) error {
	dopt, err := opts.analyzeOptions()
	if err != nil {
		return usageError{err}
	}
	if !oneOf(opts.Format, formats) {
		return usageError{fmt.Errorf("--format %q: expected one of text, markdown, json", opts.Format)}
	}
	srcs, err := analyze.ReadSources(opts.Inputs, s.In, readable)
	if err != nil {
		return err
	}
	if len(srcs) < 2 {
		return usageError{fmt.Errorf("diff needs two or more profiles or dumps, got %d", len(srcs))}
	}
	kind, first, err := seriesKind(srcs[0])
	if err != nil {
		return err
	}
	srcs[0] = first // read once
	switch kind {
	case "heap dump":
		return analyzeHeapDumps(s, srcs, opts.Sample, opts.Focus, &seriesOptions{Format: opts.Format, Output: opts.Output, Top: opts.Top}, true)
	case "goroutine":
		gopt := goroutineOptions{Focus: opts.Focus, Ignore: opts.Ignore, Top: opts.Top, Format: opts.Format, Output: opts.Output}
		return analyzeGoroutines(s, srcs, &gopt)
	}
	series, err := analyze.LoadProfiles(srcs)
	if err != nil {
		return err
	}
	res, err := analyze.Diff(series, dopt)
	if err != nil {
		return usageError{err}
	}
	return writeReport(s, opts.Output, opts.Format, res, report.Options{Top: opts.Top})
}

func (o *diffOptions) analyzeOptions() (analyze.DiffOptions, error) {
	d := analyze.DiffOptions{Sample: o.Sample, By: analyze.KeyMode(o.By), KeepProfiler: o.KeepProfiler, Noise: analyze.DefaultNoise}
	if !oneOf(o.By, keyModes) {
		return d, fmt.Errorf("--by %q: expected one of site, function, stack", o.By)
	}
	if o.Top < 0 {
		return d, fmt.Errorf("--top %d: expected 0 (all) or more", o.Top)
	}
	var err error
	if o.Focus != "" {
		if d.Focus, err = regexp.Compile(o.Focus); err != nil {
			return d, fmt.Errorf("--focus: %w", err)
		}
	}
	if o.Ignore != "" {
		if d.Ignore, err = regexp.Compile(o.Ignore); err != nil {
			return d, fmt.Errorf("--ignore: %w", err)
		}
	}
	return d, nil
}

// writeReport renders the result in the chosen format to stdout or a file.
// Warnings also go to stderr when the report does not go to the terminal.
func writeReport(s streams, output, format string, res *analyze.Result, ropt report.Options) error {
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
		for _, w := range res.Warnings {
			fmt.Fprintf(s.ErrOut, "leakscan: warning: %s\n", w)
		}
	}
	if output == "" {
		if _, err := s.Out.Write(buf.Bytes()); err != nil {
			return outputError{err}
		}
		return nil
	}
	if err := os.WriteFile(output, buf.Bytes(), 0o644); err != nil {
		return outputError{err}
	}
	return nil
}

// readable is the formats a directory argument takes files of.
func readable(f analyze.Format) bool {
	switch f {
	case analyze.FormatPprof, analyze.FormatGoroutineText, analyze.FormatGoroutineDebug1, analyze.FormatPyDump:
		return true
	}
	return false
}

// seriesKind tells from the first input what a series is of: "profile",
// "goroutine" dumps or Python "heap dump"s.
// It returns the input with its content read, so that it is read once.
func seriesKind(src analyze.Source) (string, analyze.Source, error) {
	data, err := src.Bytes()
	if err != nil {
		return "", src, err
	}
	src = analyze.NewSource(src.Name, data)
	f := analyze.Sniff(data)
	switch {
	case f == analyze.FormatPyDump:
		return "heap dump", src, nil
	case analyze.IsGoroutineInput(f, data):
		return "goroutine", src, nil
	}
	return "profile", src, nil
}

func oneOf(s string, set []string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}
