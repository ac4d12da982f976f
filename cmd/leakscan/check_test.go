package main

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leakscan/leakscan/analyze"
	"github.com/leakscan/leakscan/graph/fakedump"
)

// withEnv makes check see only the given environment for the test, so
// that a run inside GitHub Actions prints what any other run prints.
func withEnv(t *testing.T, env map[string]string) {
	t.Helper()
	prev := getenv
	getenv = func(k string) string { return env[k] }
	t.Cleanup(func() { getenv = prev })
}

func goroutineDebug2(dir string) []string {
	var out []string
	for i := 1; i <= 6; i++ {
		out = append(out, fmt.Sprintf("testdata/goroutine/%s/goroutine-%d.debug2.txt", dir, i))
	}
	return out
}

// lines returns the lines of out that start with prefix after their
// indentation.
func linesWith(out, prefix string) []string {
	var got []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimLeft(l, " "), prefix) {
			got = append(got, strings.TrimLeft(l, " "))
		}
	}
	return got
}

// TestCheckLeakySeries: the bundled leaky series fail the check (exit 1)
// and the summary names their leaks; nothing goes to stderr.
func TestCheckLeakySeries(t *testing.T) {
	atRoot(t)
	withEnv(t, nil)
	for _, c := range []struct {
		name string
		args []string
		fail []string // the FAIL lines, in order
		last string
	}{
		{"heap", []string{"testdata/heap/leaky"}, []string{
			"FAIL      main.newSession main.go:230: grew by 26.6 MiB, over --max-growth 0 B",
			"FAIL      main.newMapValue main.go:191: grew by 26.1 MiB, over --max-growth 0 B",
			"FAIL      main.leakGlobalMap main.go:181: grew by 1.04 MiB, over --max-growth 0 B",
		}, "check failed: 3 of 3 leak suspects over budget"},
		{"heap 5MiB", []string{"testdata/heap/leaky", "--max-growth", "5MiB"}, []string{
			"FAIL      main.newSession main.go:230: grew by 26.6 MiB, over --max-growth 5.00 MiB",
			"FAIL      main.newMapValue main.go:191: grew by 26.1 MiB, over --max-growth 5.00 MiB",
		}, "check failed: 2 of 3 leak suspects over budget (1 within budget)"},
		{"goroutines +10", append(goroutineDebug2("leaky"), "--max-goroutines", "+10"), []string{
			"FAIL      main.leakBlockedRecv main.go:115 ← go main.spawnBlockedRecv: grew by 15 goroutines, over --max-goroutines 10",
			"FAIL      main.leakTickerLoop main.go:155 ← go main.spawnTickerLoop: grew by 15 goroutines, over --max-goroutines 10",
			"FAIL      main.leakBlockedSend main.go:108 ← go main.spawnBlockedSend: grew by 15 goroutines, over --max-goroutines 10",
			"FAIL      main.leakSelectNoReady main.go:123 ← go main.spawnSelectNoReady: grew by 15 goroutines, over --max-goroutines 10",
			"FAIL      main.leakMutex main.go:145 ← go main.spawnMutex: grew by 15 goroutines, over --max-goroutines 10",
		}, "check failed: 5 of 5 leak suspects over budget"},
		// The runtime confirmed four groups leaked: no budget lets them
		// pass. It misses the ticker loop, which the budget then lets by.
		{"confirmed", []string{"--max-goroutines", "1000", "testdata/goroutine/leakprofile/goroutineleak-1.debug2.txt", "testdata/goroutine/leakprofile/goroutineleak-2.debug2.txt",
			"testdata/goroutine/leakprofile/goroutineleak-3.debug2.txt", "testdata/goroutine/leakprofile/goroutineleak-6.debug2.txt"}, []string{
			"FAIL      main.leakBlockedRecv main.go:115 ← go main.spawnBlockedRecv: grew by 15 goroutines, confirmed leaked by the runtime",
			"FAIL      main.leakBlockedSend main.go:108 ← go main.spawnBlockedSend: grew by 15 goroutines, confirmed leaked by the runtime",
			"FAIL      main.leakSelectNoReady main.go:123 ← go main.spawnSelectNoReady: grew by 15 goroutines, confirmed leaked by the runtime",
			"FAIL      main.leakMutex main.go:145 ← go main.spawnMutex: grew by 15 goroutines, confirmed leaked by the runtime",
		}, "check failed: 4 of 5 leak suspects over budget (1 within budget)"},
		// A heap series with findings is checked on its leaks, one each,
		// not on the types they are made of.
		{"python", []string{"testdata/pydump/leaky", "--max-objects", "+400"}, []string{
			"FAIL      leak: builtins.dict 'REGISTRY' -[key *]->: grew by 500 objects, over --max-objects 400",
			"FAIL      leak: builtins.list 'seen' -[index *]->: grew by 852 objects, over --max-objects 400",
			"FAIL      leak: builtins.list cell_contents -[index *]->: grew by 618 objects, over --max-objects 400",
		}, "check failed: 3 of 4 leak suspects over budget (1 within budget)"},
		{"python default", []string{"testdata/pydump/leaky"}, []string{
			"FAIL      leak: builtins.dict 'REGISTRY' -[key *]->: grew by 500 objects, over --max-objects 0",
			"FAIL      leak: builtins.list 'seen' -[index *]->: grew by 852 objects, over --max-objects 0",
			"FAIL      leak: builtins.list cell_contents -[index *]->: grew by 618 objects, over --max-objects 0",
			"FAIL      leak: _io.TextIOWrapper '__stdout__' -[ref]->: grew by 6 objects, over --max-objects 0",
		}, "check failed: 4 of 4 leak suspects over budget"},
		// A reference cycle group has no budget: it fails however large
		// the budgets.
		{"cycle", []string{"testdata/pydump/bound_method", "--max-objects", "1000000", "--max-growth", "1GiB"}, []string{
			"FAIL      Connection → method(Connection.read) ↺: grew by 125 cycles, no budget measures reference cycles: accept it with --baseline",
		}, "check failed: 1 of 2 leak suspects over budget (1 within budget)"},
	} {
		code, out, errs := runCLI(t, nil, append([]string{"check"}, c.args...)...)
		if code != exitLeak || errs != "" {
			t.Errorf("%s: exit %d, stderr %q", c.name, code, errs)
		}
		if got := linesWith(out, "FAIL "); strings.Join(got, "\n") != strings.Join(c.fail, "\n") {
			t.Errorf("%s: FAIL lines\n%s\nwant\n%s\n--- output\n%s", c.name, strings.Join(got, "\n"), strings.Join(c.fail, "\n"), out)
		}
		if !strings.HasSuffix(out, "\n"+c.last+"\n") {
			t.Errorf("%s: last line is not %q:\n%s", c.name, c.last, out)
		}
	}
}

// TestCheckGolden pins the whole summary of the heap series.
func TestCheckGolden(t *testing.T) {
	atRoot(t)
	withEnv(t, nil)
	_, out, _ := runCLI(t, nil, "check", "testdata/heap/leaky", "--max-growth", "2MiB")
	golden(t, "check.leaky.txt", out)
}

// TestCheckPasses: series with nothing over budget exit 0 — the bundled
// controls (the cache that fills and stops, the sawtooth batch buffer,
// the churn, the constant worker pool), a snapshot against itself, and
// the leaky series under budgets above their growth.
func TestCheckPasses(t *testing.T) {
	atRoot(t)
	withEnv(t, nil)
	for _, c := range []struct {
		name string
		args []string
		last string
	}{
		{"heap controls", []string{"testdata/heap/leaky", "--focus", "newCacheEntry|newBatchPage|newGarbage"}, "check passed: no leak suspects"},
		{"worker pool", append(goroutineDebug2("leaky"), "--focus", "poolWorker"), "check passed: no leak suspects"},
		{"heap twice", []string{"testdata/heap/leaky/heap-6.pb.gz", "testdata/heap/leaky/heap-6.pb.gz"}, "check passed: no leak suspects"},
		{"goroutines twice", []string{"testdata/goroutine/leaky/goroutine-6.debug2.txt", "testdata/goroutine/leaky/goroutine-6.debug2.txt"}, "check passed: no leak suspects"},
		{"python twice", []string{"testdata/pydump/bound_method/heap-6.pydump.gz", "testdata/pydump/bound_method/heap-6.pydump.gz"}, "check passed: no leak suspects"},
		{"heap 30MiB", []string{"testdata/heap/leaky", "--max-growth", "30MiB"}, "check passed: no leak suspect over budget (3 within budget)"},
		{"goroutines +15", append(goroutineDebug2("leaky"), "--max-goroutines", "+15"), "check passed: no leak suspect over budget (5 within budget)"},
		{"python 1000", []string{"testdata/pydump/leaky", "--max-objects", "1000"}, "check passed: no leak suspect over budget (4 within budget)"},
	} {
		code, out, errs := runCLI(t, nil, append([]string{"check"}, c.args...)...)
		if code != exitOK {
			t.Errorf("%s: exit %d, stderr %q\n%s", c.name, code, errs, out)
		}
		if len(linesWith(out, "FAIL ")) != 0 || !strings.HasSuffix(out, "\n"+c.last+"\n") {
			t.Errorf("%s: want last line %q:\n%s", c.name, c.last, out)
		}
	}
}

// TestCheckBaseline: --write-baseline records the suspects and accepts
// them; --baseline then passes the same series, and on another series
// accepts only what matches and names the entries it did not see.
func TestCheckBaseline(t *testing.T) {
	atRoot(t)
	withEnv(t, nil)
	path := filepath.Join(t.TempDir(), "accepted.json")
	code, out, errs := runCLI(t, nil, "check", "testdata/heap/leaky", "--write-baseline", path)
	if code != exitOK || errs != "" || !strings.HasSuffix(out, "\ncheck passed: no leak suspect over budget (3 accepted by the baseline)\n") {
		t.Fatalf("--write-baseline: exit %d, %s\n%s", code, errs, out)
	}
	written, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{
  "schema": "leakscan/baseline",
  "version": 1,
  "accepted": [
    {
      "signature": "heap site main.leakGlobalMap (main.go)"
    },
    {
      "signature": "heap site main.newMapValue (main.go)"
    },
    {
      "signature": "heap site main.newSession (main.go)"
    }
  ]
}
`
	if string(written) != want {
		t.Errorf("baseline:\n%s\nwant\n%s", written, want)
	}
	// The same again gives the same bytes.
	again := filepath.Join(t.TempDir(), "again.json")
	runCLI(t, nil, "check", "testdata/heap/leaky", "--write-baseline", again)
	if b, _ := os.ReadFile(again); string(b) != want {
		t.Errorf("a second --write-baseline differs:\n%s", b)
	}

	code, out, _ = runCLI(t, nil, "check", "testdata/heap/leaky", "--baseline", path)
	if code != exitOK {
		t.Errorf("--baseline: exit %d\n%s", code, out)
	}
	if got := linesWith(out, "accepted "); len(got) != 3 || got[0] != "accepted  main.newSession main.go:230: grew by 26.6 MiB, accepted by the baseline" {
		t.Errorf("accepted lines: %q", got)
	}

	// The first three snapshots only, and a baseline with one entry
	// less and one more: the leak left out fails, the extra entry is
	// named.
	partial := filepath.Join(t.TempDir(), "partial.json")
	if err := os.WriteFile(partial, []byte(`{"schema": "leakscan/baseline", "version": 1, "accepted": [
		{"signature": "heap site main.newSession (main.go)"},
		{"signature": "heap site main.leakGlobalMap (main.go)"},
		{"signature": "heap site main.fixedLongAgo (old.go)"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCLI(t, nil, "check", "testdata/heap/leaky", "--baseline", partial)
	if code != exitLeak {
		t.Errorf("partial baseline: exit %d", code)
	}
	for _, l := range []string{
		"\n  accepted  main.newSession main.go:230: grew by 26.6 MiB, accepted by the baseline\n",
		"\n  FAIL      main.newMapValue main.go:191: grew by 26.1 MiB, over --max-growth 0 B\n            signature: heap site main.newMapValue (main.go)\n",
		"\nbaseline entry no suspect matched (fixed, or the signature changed):\n  heap site main.fixedLongAgo (old.go)\ncheck failed: 1 of 3 leak suspects over budget (2 accepted by the baseline)\n",
	} {
		if !strings.Contains(out, l) {
			t.Errorf("partial baseline: no %q in\n%s", l, out)
		}
	}
}

// TestCheckAnnotations: with GITHUB_ACTIONS=true, one ::error per suspect
// over budget and one ::notice per accepted one, after the summary;
// without it, none.
func TestCheckAnnotations(t *testing.T) {
	atRoot(t)
	base := filepath.Join(t.TempDir(), "base.json")
	if err := os.WriteFile(base, []byte(`{"schema":"leakscan/baseline","version":1,"accepted":[{"signature":"heap site main.newMapValue (main.go)"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	withEnv(t, map[string]string{"GITHUB_ACTIONS": "true"})
	_, out, _ := runCLI(t, nil, "check", "testdata/heap/leaky", "--max-growth", "2MiB", "--baseline", base)
	want := []string{
		"::error title=leakscan check%3A allocation site over budget::main.newSession main.go:230: grew by 26.6 MiB, over --max-growth 2.00 MiB%0Asignature: heap site main.newSession (main.go)",
		"::notice title=leakscan check%3A allocation site accepted by the baseline::main.newMapValue main.go:191: grew by 26.1 MiB, accepted by the baseline%0Asignature: heap site main.newMapValue (main.go)",
	}
	if got := linesWith(out, "::"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("annotations:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	withEnv(t, map[string]string{"GITHUB_ACTIONS": "false", "CI": "true"})
	if _, out, _ := runCLI(t, nil, "check", "testdata/heap/leaky"); strings.Contains(out, "::") {
		t.Errorf("annotations without GITHUB_ACTIONS=true:\n%s", out)
	}
}

// TestCheckJUnit: one testcase per suspect named by its signature, a
// failure for each over budget, skipped for accepted ones; the file
// parses as XML and its counts add up.
func TestCheckJUnit(t *testing.T) {
	atRoot(t)
	withEnv(t, nil)
	dir := t.TempDir()
	base := filepath.Join(dir, "base.json")
	if err := os.WriteFile(base, []byte(`{"schema":"leakscan/baseline","version":1,"accepted":[{"signature":"heap site main.newMapValue (main.go)"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "leaks.xml")
	if code, _, errs := runCLI(t, nil, "check", "testdata/heap/leaky", "--max-growth", "2MiB", "--baseline", base, "--junit", path); code != exitLeak {
		t.Fatalf("exit %d: %s", code, errs)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "check.leaky.junit.xml", string(got))
	var doc junitSuites
	if err := xml.Unmarshal(got, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Tests != 3 || doc.Failures != 1 || doc.Skipped != 1 || len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 3 {
		t.Errorf("counts: %+v", doc)
	}
	if c := doc.Suites[0].Cases[0]; c.Name != "heap site main.newSession (main.go)" || c.Failure == nil || c.Failure.Message != "grew by 26.6 MiB, over --max-growth 2.00 MiB" {
		t.Errorf("first case: %+v", c)
	}

	// No suspect: one passing case, so that the file is not empty.
	if code, _, _ := runCLI(t, nil, "check", "testdata/heap/leaky/heap-6.pb.gz", "testdata/heap/leaky/heap-6.pb.gz", "--junit", path); code != exitOK {
		t.Fatalf("no suspects: exit %d", code)
	}
	got, _ = os.ReadFile(path)
	doc = junitSuites{}
	if err := xml.Unmarshal(got, &doc); err != nil || doc.Tests != 1 || doc.Failures != 0 || doc.Suites[0].Cases[0].Name != "no leak suspects" {
		t.Errorf("no suspects: %v\n%s", err, got)
	}
}

// TestCheckHostileNames: a type named with control characters, a
// right-to-left override, workflow-command syntax, XML's specials and a
// carriage return stays one line in the summary, one annotation, and
// well-formed XML that gives the name back escaped.
func TestCheckHostileNames(t *testing.T) {
	defer analyze.RegisterFormat(fakeRow)()
	withEnv(t, map[string]string{"GITHUB_ACTIONS": "true"})
	const evil = "app.Evil\x1b[31m\u202e::error::%0A,<x>&\"\r"
	dir := t.TempDir()
	var paths []string
	t0 := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	for i := 1; i <= 3; i++ {
		var b strings.Builder
		fmt.Fprintf(&b, "%s\ntime %s\n", fakedump.Magic, t0.Add(time.Duration(i)*time.Minute).Format(time.RFC3339))
		b.WriteString("node 1 builtins.module 100 app\nnode 2 builtins.list 64\nroot 1 module app\nedge 1 2 global REGISTRY\n")
		for s := 0; s < 2*i; s++ {
			fmt.Fprintf(&b, "node %d %s 48\nedge 2 %d index [%d]\n", 1000+s, evil, 1000+s, s)
		}
		p := filepath.Join(dir, fmt.Sprintf("fake-%d.dump", i))
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	junit := filepath.Join(dir, "j.xml")
	code, out, errs := runCLI(t, nil, append([]string{"check", "--junit", junit}, paths...)...)
	if code != exitLeak {
		t.Fatalf("exit %d: %s", code, errs)
	}
	const shown = `app.Evil\x1b[31m\u202e::error::%0A,<x>&"\r`
	wantLines := []string{
		"FAIL      " + shown + ": grew by 4 objects, over --max-objects 0",
		"signature: fake heap type " + shown + " via module app -[global REGISTRY]-> builtins.list -[index *]-> " + shown,
	}
	for _, l := range wantLines {
		if len(linesWith(out, l)) != 1 {
			t.Errorf("no line %q in\n%s", l, out)
		}
	}
	if strings.ContainsAny(out, "\x1b\u202e\r") {
		t.Errorf("raw control characters in the output:\n%q", out)
	}
	ann := linesWith(out, "::error ")
	wantAnn := "::error title=leakscan check%3A type over budget::" + strings.ReplaceAll(shown, "%", "%25") + ": grew by 4 objects, over --max-objects 0%0Asignature: fake heap type " +
		strings.ReplaceAll(shown, "%", "%25") + " via module app -[global REGISTRY]-> builtins.list -[index *]-> " + strings.ReplaceAll(shown, "%", "%25")
	if len(ann) != 1 || ann[0] != wantAnn {
		t.Errorf("annotation:\n%q\nwant\n%q", ann, wantAnn)
	}
	got, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(got, &doc); err != nil {
		t.Fatalf("JUnit XML does not parse: %v\n%s", err, got)
	}
	if c := doc.Suites[0].Cases[0]; !strings.HasPrefix(c.Name, "fake heap type "+shown+" via") || c.Failure == nil {
		t.Errorf("JUnit case: %+v", c)
	}
	if strings.ContainsAny(string(got), "\x1b\u202e\r") {
		t.Errorf("raw control characters in the XML:\n%q", got)
	}
}

// TestCheckUsage: bad flags, too few inputs, an unreadable or foreign
// baseline: exit 2 with one line on stderr and nothing on stdout.
func TestCheckUsage(t *testing.T) {
	atRoot(t)
	withEnv(t, nil)
	dir := t.TempDir()
	foreign := filepath.Join(dir, "diff.json")
	if err := os.WriteFile(foreign, []byte(`{"schema": "leakscan/diff", "version": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"testdata/heap/leaky", "--max-growth", "5XB"}, `leakscan: --max-growth "5XB": expected a size such as 5MiB, 512KB or 10MB`},
		{[]string{"testdata/heap/leaky", "--max-goroutines", "-1"}, `leakscan: --max-goroutines "-1": expected a count such as +10`},
		{[]string{"testdata/heap/leaky", "--max-objects", "1.5"}, `leakscan: --max-objects "1.5": expected a count such as +10`},
		{[]string{"testdata/heap/leaky/heap-1.pb.gz"}, "leakscan: check needs two or more profiles or dumps, got 1"},
		{[]string{"testdata/heap/leaky", "--baseline", filepath.Join(dir, "missing.json")}, "leakscan: --baseline: open " + filepath.Join(dir, "missing.json") + ": no such file or directory"},
		{[]string{"testdata/heap/leaky", "--baseline", foreign}, "leakscan: --baseline " + foreign + `: not a leakscan baseline: schema "leakscan/diff", expected "leakscan/baseline"`},
		{[]string{"testdata/heap/leaky", "--baseline", foreign, "--write-baseline", filepath.Join(dir, "b.json")}, "leakscan: --baseline and --write-baseline: give one (--write-baseline accepts every suspect of this run)"},
		{[]string{"testdata/heap/leaky", "--long-wait", "5"}, "leakscan: --long-wait does not apply to a series of profiles"},
	} {
		code, out, errs := runCLI(t, nil, append([]string{"check"}, c.args...)...)
		if code != exitInput || out != "" || errs != c.want+"\n" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %q", c.args, code, out, errs, c.want)
		}
	}
	code, out, _ := runCLI(t, nil, "check", "--help")
	if code != exitOK || !strings.Contains(out, "Exit codes: 0 no suspect over budget; 1 a suspect over budget; 2 bad\nusage or bad input") {
		t.Errorf("check --help: exit %d, no exit codes:\n%s", code, out)
	}
	if _, out, _ := runCLI(t, nil, "--help"); !strings.Contains(out, "1 leakscan check found a leak suspect over its budget") {
		t.Errorf("leakscan --help does not give exit code 1:\n%s", out)
	}
}

// TestCheckReadmeExample: the example in the README is what check prints.
func TestCheckReadmeExample(t *testing.T) {
	atRoot(t)
	withEnv(t, nil)
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	const cmd = "$ leakscan check testdata/heap/leaky --max-growth 5MiB\n"
	_, block, ok := strings.Cut(string(readme), cmd)
	if !ok {
		t.Fatalf("README.md has no %q", cmd)
	}
	block, _, _ = strings.Cut(block, "```")
	_, out, _ := runCLI(t, nil, "check", "testdata/heap/leaky", "--max-growth", "5MiB")
	if out != block {
		t.Errorf("README.md shows\n%s\ncheck prints\n%s", block, out)
	}
}
