package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestDiffFlagsBind runs diff through its runF seam: the flags land in
// the options the run function gets, and the analysis options they make
// are the ones every kind of series is analysed with.
func TestDiffFlagsBind(t *testing.T) {
	var got *diffOptions
	cmd := newDiffCmd(streams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}},
		func(_ context.Context, _ streams, o *diffOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"a.pb.gz", "b.pb.gz", "--by", "function", "--sample", "inuse_objects", "--focus", "^main\\.", "--ignore", "vendor/",
		"--keep-profiler", "--long-wait", "3", "--top", "5", "-f", "json", "-o", "out.json", "--graph", "g.svg"})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got == nil || strings.Join(got.Inputs, " ") != "a.pb.gz b.pb.gz" || got.By != "function" || got.Sample != "inuse_objects" ||
		!got.KeepProfiler || got.LongWait != 3 || got.Top != 5 || got.Format != "json" || got.Output != "out.json" || got.Graph != "g.svg" {
		t.Fatalf("options %+v", got)
	}
	if strings.Join(got.set, ",") != "by,focus,ignore,keep-profiler,long-wait,sample" {
		t.Errorf("flags seen as given: %v", got.set)
	}
	opt, err := got.options()
	if err != nil || string(opt.By) != "function" || opt.Focus.String() != "^main\\." || opt.Ignore.String() != "vendor/" || opt.LongWait != 3 {
		t.Errorf("analysis options %+v, %v", opt, err)
	}
}

// TestGoroutinesFlagsBind: goroutines takes the goroutine flags only, and
// the same output flags as diff.
func TestGoroutinesFlagsBind(t *testing.T) {
	var got *goroutineOptions
	s := streams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}
	cmd := newGoroutinesCmd(s, func(_ context.Context, _ streams, o *goroutineOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"g.txt", "--long-wait", "30", "--focus", "worker", "-f", "markdown"})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.LongWait != 30 || got.Focus != "worker" || got.Format != "markdown" || got.Top != 20 {
		t.Fatalf("options %+v", got)
	}
	cmd = newGoroutinesCmd(s, func(context.Context, streams, *goroutineOptions) error { return nil })
	cmd.SetArgs([]string{"g.txt", "--by", "stack"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.ExecuteContext(context.Background()); err == nil || !strings.Contains(err.Error(), "unknown flag: --by") {
		t.Errorf("--by on goroutines: %v", err)
	}
}

// TestFlagsThatDoNotApply: a flag given for a kind of series it does not
// shape is refused with one line, not dropped.
func TestFlagsThatDoNotApply(t *testing.T) {
	atRoot(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"diff", "testdata/goroutine/leaky/goroutine-1.debug2.txt", "testdata/goroutine/leaky/goroutine-2.debug2.txt", "--by", "function"},
			"leakscan: --by does not apply to a series of goroutines\n"},
		{[]string{"diff", "testdata/pydump/leaky", "--keep-profiler"}, "leakscan: --keep-profiler does not apply to a series of heap dumps\n"},
		{append([]string{"diff", "--long-wait", "5"}, leaky[:2]...), "leakscan: --long-wait does not apply to a series of profiles\n"},
	} {
		code, _, errOut := runCLI(t, nil, c.args...)
		if code != 2 || errOut != c.want {
			t.Errorf("%v: exit %d %q, want 2 %q", c.args, code, errOut, c.want)
		}
	}
}

// TestOneDumpCommandsAnswerForTheLast: top, path and graph given a series
// answer for its last dump, and say so; --focus on types is a regexp.
func TestOneDumpCommandsAnswerForTheLast(t *testing.T) {
	atRoot(t)
	code, out, errOut := runCLI(t, nil, "top", "testdata/pydump/leaky", "--focus", `^__main__\.`, "--top", "3")
	if code != 0 || !strings.HasPrefix(out, "1 Python heap dump, objects, by type, focus ^__main__\\.\n") {
		t.Fatalf("top DIR: exit %d %s\n%s", code, errOut, out)
	}
	_, table, _ := strings.Cut(out, "#  COUNT")
	if table, _, _ = strings.Cut(table, "biggest retainers"); !strings.Contains(table, "__main__.Request") || strings.Contains(table, "builtins.") {
		t.Errorf("--focus is not applied as a regexp:\n%s", out)
	}
	code, out, errOut = runCLI(t, nil, "path", "testdata/pydump/leaky", "--type", "__main__.Request")
	if code != 0 || !strings.Contains(out, "(360 of 360 instances share this path)") {
		t.Errorf("path DIR answers for the last dump (360 requests): exit %d %s\n%s", code, errOut, out)
	}
	code, out, _ = runCLI(t, nil, "path", "testdata/pydump/leaky/heap-1.pydump.gz", "--type", "__main__.Request")
	if code != 0 || !strings.Contains(out, "(60 of 60 instances share this path)") {
		t.Errorf("path of the first dump: exit %d\n%s", code, out)
	}
	for _, cmd := range []string{"top", "path", "graph"} {
		_, help, _ := runCLI(t, nil, cmd, "--help")
		if !strings.Contains(strings.Join(strings.Fields(help), " "), "answers for the last one") {
			t.Errorf("%s --help does not say it answers for the last dump", cmd)
		}
	}
}
