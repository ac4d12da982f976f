package main

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMain builds leakscan-render once for the tests that draw.
func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "leakscan-render")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, rendererName)
	if out, err := exec.Command("go", "build", "-o", bin, "../leakscan-render").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building leakscan-render: %v\n%s", err, out)
		return 1
	}
	os.Setenv("LEAKSCAN_RENDER", bin)
	return m.Run()
}

// TestNoLayoutEngine keeps go-graphviz, whose package start-up compiles
// WebAssembly, out of leakscan itself.
func TestNoLayoutEngine(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "github.com/goccy/go-graphviz") || strings.Contains(string(out), "tetratelabs/wazero") {
		t.Error("leakscan links go-graphviz; drawing belongs in leakscan-render")
	}
}

func TestGraphGolden(t *testing.T) {
	atRoot(t)
	for _, c := range []struct {
		golden string
		args   []string
	}{
		{"graph.request.backrefs.dot", []string{"graph", "testdata/pydump/leaky", "--type", "Request"}},
		{"graph.cycle.traceback.dot", []string{"graph", "testdata/pydump/traceback_cycle", "--cycle", "1"}},
		{"graph.boundmethod.refs.dot", []string{"graph", "testdata/pydump/bound_method/heap-6.pydump.gz", "--type", "Connection", "--refs", "--depth", "2", "--starts", "1"}},
		{"diff.heap.graph.dot", []string{"diff", "--graph", "-", "testdata/heap/leaky"}},
		{"diff.goroutines.graph.dot", append([]string{"goroutines", "--graph", "-"}, goroutineSeries()...)},
	} {
		code, out, errOut := runCLI(t, nil, c.args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errOut)
		}
		if c.args[0] != "graph" {
			// --graph - writes the DOT after the text report.
			i := strings.Index(out, "digraph ")
			if i < 0 {
				t.Fatalf("%v: no DOT in output", c.args)
			}
			out = out[i:]
		}
		golden(t, c.golden, out)
	}
}

func TestGraphPictures(t *testing.T) {
	atRoot(t)
	dir := t.TempDir()
	png1 := filepath.Join(dir, "refs.png")
	svg1 := filepath.Join(dir, "ring.svg")
	if code, _, errOut := runCLI(t, nil, "graph", "testdata/pydump/leaky", "--type", "Request", "-o", png1); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	f, err := os.Open(png1)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 200 || b.Dy() < 200 {
		t.Errorf("PNG is %v", b)
	}
	if code, _, errOut := runCLI(t, nil, "graph", "testdata/pydump/traceback_cycle", "--cycle", "1", "-o", svg1); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	svg, _ := os.ReadFile(svg1)
	if !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("break here: _exception")) {
		t.Errorf("SVG lacks the ring's break edge:\n%.400s", svg)
	}
}

func TestGraphErrors(t *testing.T) {
	atRoot(t)
	for _, c := range []struct {
		args []string
		want string
		code int
	}{
		{[]string{"graph", "testdata/pydump/leaky"}, "give one of --type NAME, --id ID or --cycle N", 2},
		{[]string{"graph", "testdata/pydump/leaky", "--type", "A", "--id", "1"}, "give one of", 2},
		{[]string{"graph", "testdata/pydump/leaky", "--type", "Request", "-o", "x.jpg"}, "expected a file name ending in .dot, .svg or .png", 2},
		{[]string{"graph", "testdata/pydump/leaky", "--type", "NoSuch"}, `no object of type "NoSuch"`, 2},
		{[]string{"graph", "testdata/pydump/leaky", "--cycle", "3"}, "--cycle 3: the dumps hold 0 cycle groups", 2},
		{[]string{"graph", "testdata/pydump/leaky", "--id", "zz"}, `--id "zz": expected a number`, 2},
		{[]string{"graph", "testdata/heap/leaky/heap-1.pb.gz", "--type", "X"}, "heap-1.pb.gz", 2},
		{[]string{"diff", "testdata/pydump/leaky", "--graph", "g.dot"}, "for heap dumps use leakscan graph", 2},
		{[]string{"report", "testdata/heap/leaky"}, "give -o FILE.md", 2},
	} {
		code, _, errOut := runCLI(t, nil, c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errOut, c.code, c.want)
		}
	}
}

// TestRendererMissing: without leakscan-render, DOT still works and SVG
// says what to install.
func TestRendererMissing(t *testing.T) {
	atRoot(t)
	t.Setenv("LEAKSCAN_RENDER", filepath.Join(t.TempDir(), "nothing-here"))
	code, _, errOut := runCLI(t, nil, "graph", "testdata/pydump/leaky", "--type", "Request", "-o", filepath.Join(t.TempDir(), "x.svg"))
	if code != 3 || !strings.Contains(errOut, "drawing SVG and PNG needs leakscan-render") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "go install github.com/leakscan/leakscan/cmd/leakscan-render@latest") {
		t.Errorf("no install hint that works outside a clone: %s", errOut)
	}
	code, out, _ := runCLI(t, nil, "graph", "testdata/pydump/leaky", "--type", "Request")
	if code != 0 || !strings.HasPrefix(out, "digraph ") {
		t.Errorf("DOT to stdout: exit %d", code)
	}
}

// TestReportWithoutRenderer: with only leakscan installed, report writes
// the document anyway (issue 20, item 5: it exited 3 and left a
// half-filled assets folder), with the graphs as DOT files it links, the
// charts drawn, the Mermaid ring inline, and says how to install
// leakscan-render.
func TestReportWithoutRenderer(t *testing.T) {
	atRoot(t)
	t.Setenv("LEAKSCAN_RENDER", filepath.Join(t.TempDir(), "nothing-here"))
	out := filepath.Join(t.TempDir(), "r.md")
	code, _, errOut := runCLI(t, nil, "report", "testdata/pydump/traceback_cycle", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// Two charts (the leak's and its cycle group's) and the ring.
	want := "leakscan: wrote " + out + ", and 2 pictures and 1 DOT graph in " + strings.TrimSuffix(out, ".md") + ".assets\n" +
		"leakscan: leakscan-render not found (next to leakscan, on PATH or as $LEAKSCAN_RENDER): 1 graph written as DOT, not drawn; " +
		"to draw graphs: go install github.com/leakscan/leakscan/cmd/leakscan-render@latest; from a clone: go install ./cmd/...\n"
	if errOut != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", errOut, want)
	}
	doc, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	links := regexp.MustCompile(`\]\((r\.assets/[^)]+\.dot)\)`).FindAllStringSubmatch(text, -1)
	if len(links) != 1 || strings.Count(text, "Not drawn: `leakscan-render` was not installed") != 1 {
		t.Errorf("%d DOT links, want 1:\n%s", len(links), text)
	}
	for _, l := range links {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(out), l[1]))
		if err != nil || !bytes.HasPrefix(b, []byte("digraph ")) {
			t.Errorf("%s: not a DOT graph (%v)", l[1], err)
		}
	}
	if n := len(imageLinkRE.FindAllString(text, -1)); n != 2 {
		t.Errorf("%d images (the growth charts), want 2", n)
	}
	if !strings.Contains(text, "```mermaid\nflowchart LR\n") {
		t.Error("the ring's Mermaid diagram is missing")
	}
}

// TestReportFailsWhole: when a picture cannot be drawn (here a renderer
// that fails), report exits 3 and leaves neither the document nor its
// assets folder behind.
func TestReportFailsWhole(t *testing.T) {
	atRoot(t)
	bad := filepath.Join(t.TempDir(), "leakscan-render")
	if err := os.WriteFile(bad, []byte("#!/bin/sh\necho 'leakscan-render: out of luck' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LEAKSCAN_RENDER", bad)
	dir := t.TempDir()
	code, _, errOut := runCLI(t, nil, "report", "testdata/heap/leaky", "-o", filepath.Join(dir, "r.md"))
	if code != 3 || errOut != "leakscan: drawing png: out of luck\n" {
		t.Errorf("exit %d: %q", code, errOut)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

var imageLinkRE = regexp.MustCompile(`!\[[^\]]*\]\(([^)]+)\)`)

// TestReportBundled runs leakscan report on each bundled series and checks
// the document: verdict first, keywords, each linked image present and a
// PNG, the Mermaid ring for cycles.
func TestReportBundled(t *testing.T) {
	atRoot(t)
	for _, c := range []struct {
		name, input, verdict string
		keywords             []string
		images               int
		mermaid              bool
	}{
		{"heap", "testdata/heap/leaky", "# 3 allocation sites grew steadily", []string{"`main.newSession`", "`main.newMapValue`"}, 4, false},
		{"goroutines", "", "# 5 goroutine groups are leak suspects: 5 grew by +75 goroutines", []string{"`main."}, 4, false},
		// The cycles' leak, told once: its chart, and the ring in the
		// cycles' section with that group's chart.
		// The title is the cycle's verdict, which names the edge to break.
		{"pydump", "testdata/pydump/traceback_cycle", "# 1 reference cycle group grew: +100 cycles over 0.43 s; the top one, ClientResponse → StreamReader → ClientPayloadError → traceback → frame(ClientResponse.read) ↺, keeps 633 KiB alive — break StreamReader.\\_exception.\n", []string{"`traceback_cycle.ClientResponse`", "`ClientResponse.read`"}, 3, true},
		// One leak, told once: its chart and picture, and none per type.
		{"eventloops", "testdata/pydump/event_loops", "# 1 leak: objects pile up in 1 container, +450 objects", []string{"`socket.socket`"}, 5, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "leak report.md")
			inputs := []string{c.input}
			if c.input == "" {
				inputs = goroutineSeries()
			}
			code, _, errOut := runCLI(t, nil, append(append([]string{"report"}, inputs...), "-o", out)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			doc, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			text := string(doc)
			golden(t, "report."+c.name+".md", text)
			if !strings.HasPrefix(text, c.verdict) {
				t.Errorf("first line %q", strings.SplitN(text, "\n", 2)[0])
			}
			kw := regexp.MustCompile("(?m)^Keywords: .*$").FindString(text)
			for _, k := range c.keywords {
				if !strings.Contains(kw, k) {
					t.Errorf("keywords %q lack %s", kw, k)
				}
			}
			links := imageLinkRE.FindAllStringSubmatch(text, -1)
			if len(links) != c.images {
				t.Errorf("%d images, want %d", len(links), c.images)
			}
			for _, l := range links {
				if !strings.HasPrefix(l[1], "leak%20report.assets/") {
					t.Errorf("link %q not into the assets directory", l[1])
				}
				p := filepath.Join(filepath.Dir(out), strings.ReplaceAll(l[1], "%20", " "))
				f, err := os.Open(p)
				if err != nil {
					t.Errorf("linked image: %v", err)
					continue
				}
				if _, err := png.Decode(f); err != nil {
					t.Errorf("%s: %v", p, err)
				}
				f.Close()
			}
			if got := strings.Contains(text, "```mermaid\nflowchart LR\n"); got != c.mermaid {
				t.Errorf("mermaid ring present: %v, want %v", got, c.mermaid)
			}
		})
	}
}

// goroutineSeries is the bundled series of debug=2 goroutine dumps.
func goroutineSeries() []string {
	var series []string
	for i := 1; i <= 6; i++ {
		series = append(series, fmt.Sprintf("testdata/goroutine/leaky/goroutine-%d.debug2.txt", i))
	}
	return series
}
