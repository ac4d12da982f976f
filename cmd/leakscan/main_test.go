package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// leaky lists the bundled real heap profiles, relative to the module root.
var leaky = []string{
	"testdata/heap/leaky/heap-1.pb.gz", "testdata/heap/leaky/heap-2.pb.gz", "testdata/heap/leaky/heap-3.pb.gz",
	"testdata/heap/leaky/heap-4.pb.gz", "testdata/heap/leaky/heap-5.pb.gz", "testdata/heap/leaky/heap-6.pb.gz",
}

// atRoot makes the test run in the module root, where the paths of the
// bundled testdata start.
func atRoot(t *testing.T) { t.Chdir("../..") }

// runCLI runs leakscan with the given stdin.
func runCLI(t *testing.T, stdin []byte, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, streams{In: bytes.NewReader(stdin), Out: &out, ErrOut: &errb})
	return code, out.String(), errb.String()
}

// golden compares got with cmd/leakscan/testdata/name, or rewrites it
// with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("cmd/leakscan/testdata", name) // tests chdir to the root
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/leakscan -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test ./cmd/leakscan -update rewrites it):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// TestGoroutineGolden covers the goroutine reports: a series of debug=2
// dumps through diff, a goroutineleak dump through goroutines.
func TestGoroutineGolden(t *testing.T) {
	atRoot(t)
	var series []string
	for i := 1; i <= 6; i++ {
		series = append(series, fmt.Sprintf("testdata/goroutine/leaky/goroutine-%d.debug2.txt", i))
	}
	leak := "testdata/goroutine/leakprofile/goroutineleak-6.debug2.txt"
	for _, c := range []struct {
		golden string
		args   []string
	}{
		{"goroutines.diff.txt", append([]string{"diff"}, series...)},
		{"goroutines.diff.md", append([]string{"diff", "--format", "markdown"}, series...)},
		{"goroutines.diff.json", append([]string{"diff", "--format", "json"}, series...)},
		{"goroutineleak.txt", []string{"goroutines", leak}},
		{"goroutineleak.md", []string{"goroutines", "--format", "markdown", leak}},
		{"pydump.diff.txt", []string{"diff", "testdata/pydump/leaky", "--top", "10"}},
		{"pydump.diff.md", []string{"diff", "testdata/pydump/leaky", "--top", "10", "--format", "markdown"}},
		{"pydump.diff.json", []string{"diff", "testdata/pydump/leaky", "--top", "10", "--format", "json"}},
		{"pydump.top.txt", []string{"top", "testdata/pydump/leaky/heap-6.pydump.gz", "--top", "5"}},
		{"pydump.path.txt", []string{"path", "testdata/pydump/leaky/heap-6.pydump.gz", "--type", "__main__.Request"}},
		{"cycles.traceback.txt", []string{"cycles", "testdata/pydump/traceback_cycle"}},
		{"cycles.boundmethod.md", []string{"cycles", "testdata/pydump/bound_method", "--format", "markdown"}},
		{"cycles.boundmethod.json", []string{"cycles", "testdata/pydump/bound_method", "--format", "json"}},
		{"tasks.txt", []string{"tasks", "testdata/pydump/tasks"}},
		{"tasks.md", []string{"tasks", "testdata/pydump/tasks", "--format", "markdown"}},
		{"eventloops.diff.txt", []string{"diff", "testdata/pydump/event_loops", "--top", "5"}},
		{"eventloops.diff.md", []string{"diff", "testdata/pydump/event_loops", "--top", "5", "--format", "markdown"}},
	} {
		t.Run(c.golden, func(t *testing.T) {
			code, out, errs := runCLI(t, nil, c.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			golden(t, c.golden, out)
		})
	}
}

func TestDiffGolden(t *testing.T) {
	atRoot(t)
	for _, c := range []struct {
		golden string
		args   []string
	}{
		{"leaky.diff.txt", nil},
		{"leaky.diff.md", []string{"--format", "markdown"}},
		{"leaky.diff.json", []string{"--format", "json"}},
		{"leaky.diff_by_function.txt", []string{"--by", "function"}},
		{"leaky.diff_by_stack_top3.txt", []string{"--by", "stack", "--top", "3"}},
		{"leaky.diff_objects.txt", []string{"--sample", "inuse_objects"}},
		{"leaky.diff_first3.txt", nil}, // three snapshots: the caveat
	} {
		t.Run(c.golden, func(t *testing.T) {
			inputs := leaky
			if strings.Contains(c.golden, "first3") {
				inputs = leaky[:3]
			}
			code, out, errs := runCLI(t, nil, append(append([]string{"diff"}, inputs...), c.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			golden(t, c.golden, out)
			// Deterministic: a second run gives the same bytes.
			_, again, _ := runCLI(t, nil, append(append([]string{"diff"}, inputs...), c.args...)...)
			if again != out {
				t.Errorf("two runs differ")
			}
		})
	}
}
