package dot

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/leakscan/leakscan/analyze"
	"github.com/leakscan/leakscan/analyze/callgraph"
	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/report/internal/testkit"
)

// hostileFunc is a function name from a crafted profile: a quote, a
// Graphviz escape, a newline, an HTML end tag, invalid UTF-8, and length.
var hostileFunc = "evil.\"quoted\"\\N\nnext</script>\xff" + strings.Repeat("x", 200)

// handmade is a small growth graph with every kind of node and edge.
func handmade() *callgraph.CallGraph {
	mib := func(vs ...float64) []float64 {
		for i := range vs {
			vs[i] *= 1 << 20
		}
		return vs
	}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return &callgraph.CallGraph{
		Unit: "bytes", SampleType: "inuse_space",
		Times: []time.Time{t0, t0.Add(time.Minute), t0.Add(2 * time.Minute)},
		Nodes: []callgraph.CGNode{
			{Func: "main.main", File: "/src/main.go", Flat: mib(0, 0, 0), Cum: mib(8, 12, 20), Class: series.Growing},
			{Func: "github.com/acme/shop/cart.(*Cart).Add", File: "/src/cart/cart.go", Flat: mib(1, 5, 11), Cum: mib(1, 5, 11), Class: series.Growing},
			{Func: "github.com/acme/shop/cache.newEntry[go.shape.*github.com/acme/shop/item.Item]", File: "/src/cache/cache.go",
				Flat: mib(0, 1, 4), Cum: mib(0, 1, 4), New: true, Class: series.Growing},
			{Func: hostileFunc, File: "/tmp/a\"b\\c.go", Flat: mib(0, 1, 2), Cum: mib(0, 1, 2), New: true, Class: series.New},
			{Func: "main.oldWorker", File: "/src/main.go", Flat: mib(2, 1, 0), Cum: mib(2, 1, 0), Gone: true, Class: series.Gone},
			{Func: "bytes.(*Buffer).grow", File: "/go/src/bytes/buffer.go", Flat: mib(5, 5, 3), Cum: mib(5, 5, 3), Class: series.Shrinking},
		},
		Edges: []callgraph.CGEdge{
			{From: 0, To: 1, Values: mib(1, 5, 11)},
			{From: 0, To: 2, Values: mib(0, 1, 4), Residual: true},
			{From: 0, To: 4, Values: mib(2, 1, 0), Spawn: true},
			{From: 0, To: 5, Values: mib(5, 5, 3)},
			{From: 1, To: 3, Values: mib(0, 1, 2)},
		},
		Total:        mib(8, 12, 20),
		DroppedNodes: 3, DroppedEdges: 1,
	}
}

func callGraphDOT(t *testing.T, cg *callgraph.CallGraph, opt CallGraphDOTOptions) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := CallGraphDOT(&b, cg, opt); err != nil {
		t.Fatal(err)
	}
	checkDOTSyntax(t, b.String())
	return b.Bytes()
}

// checkDOTSyntax checks, line by line, that every string closes on its
// line and every line is a whole statement: "digraph … {", "}" or one
// ending with ";".
func checkDOTSyntax(t *testing.T, dot string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(dot, "\n"), "\n")
	for i, l := range lines {
		in, outside := false, strings.Builder{}
		for j := 0; j < len(l); j++ {
			switch c := l[j]; {
			case in && c == '\\':
				j++
			case c == '"':
				in = !in
			case !in:
				outside.WriteByte(c)
			}
		}
		rest := strings.TrimSpace(outside.String())
		switch {
		case in:
			t.Errorf("line %d: unterminated string: %q", i+1, l)
		case i == 0 && rest == "digraph  {", i == len(lines)-1 && rest == "}":
		case strings.HasSuffix(rest, ";") && strings.Count(rest, ";") == 1 && !strings.ContainsAny(rest, "{}"):
		default:
			t.Errorf("line %d is not one statement: %q", i+1, l)
		}
	}
}

func TestCallGraphDOTHandmade(t *testing.T) {
	out := callGraphDOT(t, handmade(), CallGraphDOTOptions{Title: "before.pb.gz → after.pb.gz"})
	testkit.Golden(t, "callgraph/handmade.default.dot", out)
	s := string(out)
	for _, want := range []string{`label="NEW\nevil.\"quoted\"\\N\\nnext</script…xxx`, `peripheries="2"`, `style="filled,dashed"`,
		`style="dotted"`, `label=" go −2.00 MiB"`, `"NEW\ncache.newEntry[go.shape.*github.com/acme/shop/item.Item]`,
		`"cart.(*Cart).Add\nflat +10.0 MiB\ncum 1.00 MiB → 5.00 MiB → 11.0 MiB\n(+10.0 MiB)"`,
		`"before.pb.gz → after.pb.gz\ninuse_space · 3 snapshots over 2.00 min · total 8.00 MiB → 20.0 MiB (+12.0 MiB)\n6 of 9 functions shown, 1 small call hidden\n`} {
		if !strings.Contains(s, want) {
			t.Errorf("DOT lacks %s", want)
		}
	}
	for _, bad := range []string{"\xff", "evil.\"", "\\N\n"} {
		if strings.Contains(s, bad) {
			t.Errorf("DOT contains %q", bad)
		}
	}
	if m := regexp.MustCompile(`color="[^#]`).FindString(s); m != "" {
		t.Errorf("a colour by name: %s", m)
	}
}

// TestCallGraphDOTColors: growth is red, shrinkage green, no change grey;
// a larger change is deeper; fonts grow with the flat change.
func TestCallGraphDOTColors(t *testing.T) {
	fill, line, _ := cgColors(0, 10)
	if fill != "#f2f2f2" || line != "#a6a6a6" {
		t.Errorf("no change: %s %s", fill, line)
	}
	if _, line, _ := cgColors(10, 10); line != "#b81212" {
		t.Errorf("largest growth: %s", line)
	}
	if _, line, _ := cgColors(-10, 10); line != "#1e802a" {
		t.Errorf("largest shrinkage: %s", line)
	}
	small, _, _ := cgColors(1, 10)
	big, _, _ := cgColors(5, 10)
	if !(small[3:] > big[3:]) { // redder fills have less green and blue
		t.Errorf("fills %s (small) and %s (big) not deeper with the change", small, big)
	}
	if cgFontSize(0, 10) != 12 || cgFontSize(-10, 10) != 20 || cgFontSize(3, 0) != 12 {
		t.Error("font sizes")
	}
	if got := cgShortFunc("github.com/a/b.(*T).M"); got != "b.(*T).M" {
		t.Errorf("short name %q", got)
	}
	if got := cgSeriesLines("cum ", []float64{1, 2, 3, 4, 5}, "count"); len(got) != 1 || got[0] != "cum 1 → … → 5 (+4)" {
		t.Errorf("series %q", got)
	}
}

func loadFixtures(t *testing.T, glob string) *analyze.Series {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join("..", "..", "testdata", glob))
	if len(paths) == 0 {
		t.Fatalf("no fixtures %s", glob)
	}
	srcs, err := analyze.ReadSources(paths, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := analyze.Load(srcs)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCallGraphDOTLeakyHeap draws the bundled heap series end to end.
func TestCallGraphDOTLeakyHeap(t *testing.T) {
	ps := loadFixtures(t, "heap/leaky/heap-*.pb.gz")
	cg, err := ps.CallGraph(analyze.Options{}, callgraph.CallGraphOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := callGraphDOT(t, cg, CallGraphDOTOptions{})
	testkit.Golden(t, "callgraph/heap-leaky.default.dot", out)
	s := string(out)
	if !strings.Contains(s, `"main.leakSliceHolder\ncum 5.51 MiB → … → 32.1 MiB\n(+26.6 MiB)"`) {
		t.Errorf("no series on main.leakSliceHolder")
	}
	// Only the leaks' paths are red (issue 20, item 3: the cache that
	// fills and the sawtooth buffer were as red as the leaks); the others
	// are grey and say why; the picture says what red means.
	node := regexp.MustCompile(`(?m)^  n\d+ \[label="([^"\\]*(?:\\.[^"\\]*)*)".*fillcolor="(#[0-9a-f]{6})"`)
	red := map[string]bool{}
	for _, m := range node.FindAllStringSubmatch(s, -1) {
		name, _, _ := strings.Cut(m[1], `\n`)
		red[name] = m[2] != "#f2f2f2"
	}
	for fn, want := range map[string]bool{"main.newSession": true, "main.leakSliceHolder": true, "main.newMapValue": true,
		"main.leakGlobalMap": true, "main.newCacheEntry": false, "main.(*lruCache).get": false, "main.fillBoundedCache": false,
		"main.newBatchPage": false, "main.batchBuffer": false, "runtime.malg": false} {
		if got, ok := red[fn]; !ok || got != want {
			t.Errorf("%s: coloured %v (drawn: %v), want %v", fn, got, ok, want)
		}
	}
	for _, want := range []string{`main.newCacheEntry\nplateau: filled, then stopped`, `main.newBatchPage\nsawtooth: rises and falls back`,
		`red: the 4 functions that grew steadily, on the leak suspects' paths`, `packmode="array_tu2"`} {
		if !strings.Contains(s, want) {
			t.Errorf("DOT lacks %s", want)
		}
	}
}

// TestCallGraphDOTLeakyGoroutines draws the bundled goroutine series.
func TestCallGraphDOTLeakyGoroutines(t *testing.T) {
	gs := loadFixtures(t, "goroutine/leaky/goroutine-*.debug2.txt")
	cg, err := gs.CallGraph(analyze.Options{}, callgraph.CallGraphOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := callGraphDOT(t, cg, CallGraphDOTOptions{})
	testkit.Golden(t, "callgraph/goroutine-leaky.default.dot", out)
	if !strings.Contains(string(out), `label=" go +15"`) {
		t.Errorf("no spawn edge label")
	}
}
