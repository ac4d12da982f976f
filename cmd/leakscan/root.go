package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// Exit codes.
const (
	exitOK     = 0 // success
	exitLeak   = 1 // leakscan check found a suspect over budget
	exitInput  = 2 // bad usage or bad input
	exitOutput = 3 // the output could not be written
)

// streams are the only way commands reach the outside, so tests can run
// them without a binary.
type streams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

func defaultStreams() streams { return streams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr} }

// usageError marks an error as the user's: bad flags or arguments.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// outputError marks a failure to write the report.
type outputError struct{ err error }

func (e outputError) Error() string { return e.err.Error() }
func (e outputError) Unwrap() error { return e.err }

// run executes the command line and returns the exit code.
func run(args []string, s streams) int {
	root := newRootCmd(s)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	if err == nil {
		return exitOK
	}
	var lf leakFound
	if errors.As(err, &lf) {
		return exitLeak // the summary on stdout says which
	}
	fmt.Fprintf(s.ErrOut, "leakscan: %s\n", err)
	var oe outputError
	if errors.As(err, &oe) {
		return exitOutput
	}
	return exitInput
}

func newRootCmd(s streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "leakscan",
		Short: "Find what leaks in saved profiles, dumps and heap snapshots",
		Long: `leakscan analyses snapshots saved from a running service — pprof heap
profiles, goroutine dumps, Python heap dumps, V8 heap snapshots — offline,
and says what grows across the series, told apart from churn, caches that
fill up and stop, and sawtooth buffers; why it stays alive (retainer paths,
reference cycles); and writes it up as a Markdown report with pictures
(leakscan report).

Exit codes: 0 ok; 1 leakscan check found a leak suspect over its budget;
2 bad usage or bad input; 3 the report could not be written.`,
		Example: `  leakscan diff heap-1.pb.gz heap-2.pb.gz heap-3.pb.gz heap-4.pb.gz
  leakscan diff snapshots/ --format markdown -o leak.md
  leakscan report snap-*.pydump.gz -o leak-report.md
  leakscan check snapshots/ --max-growth 5MiB --baseline leak-baseline.json
  leakscan completion bash > /etc/bash_completion.d/leakscan`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(),
	}
	root.SetVersionTemplate("leakscan {{.Version}}\n")
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.ErrOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newDiffCmd(s, nil), newCheckCmd(s, nil), newGoroutinesCmd(s, nil), newTopCmd(s), newPathCmd(s), newCyclesCmd(s), newTasksCmd(s), newGraphCmd(s), newReportCmd(s), newRecordCmd(s, nil), newDumperCmd(s), newVersionCmd(s))
	return root
}

// writeOutput writes a file a command was asked for with -o (a report,
// a picture, a baseline): the one rule of every command is that missing
// parent folders are made, as for the report's assets.
func writeOutput(path string, data []byte) error {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return outputError{err}
		}
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return outputError{err}
	}
	return nil
}
