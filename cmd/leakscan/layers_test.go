package main

import (
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// layers lists, for every package of the module, the packages of the
// module it may import (paths relative to the module). Data flows one
// way: inputs → readers → models → analyses → one result → views → cmd:
//
//	graph ← graph/<format> readers
//	analyze/series ← stack ← input, pprofwire ← callgraph ← profile, goroutine
//	graph, series, input ← analyze/heap ← analyze/<runtime>
//	the families' result types ← analyze/gate (signatures, budgets, baselines)
//	analyze/* ← analyze (the façade: the format and analysis registries)
//	analyze ← analyze/leakcheck (the test helper: above the façade, not under it)
//	series and the families' result types ← report ← cmd
//
// A package missing from the table fails the test: a new package says
// where it stands.
var layers = map[string][]string{
	"graph":          {},
	"graph/pydump":   {"graph"},
	"graph/fakedump": {"graph"},
	"graph/v8":       {"graph"},

	"analyze/series":           {},
	"analyze/input":            {},
	"analyze/stack":            {"analyze/series"},
	"analyze/pprofwire":        {"analyze/input", "analyze/series", "analyze/stack"},
	"analyze/callgraph":        {"analyze/series", "analyze/stack"},
	"analyze/profile":          {"analyze/callgraph", "analyze/input", "analyze/pprofwire", "analyze/series", "analyze/stack"},
	"analyze/goroutine":        {"analyze/callgraph", "analyze/input", "analyze/pprofwire", "analyze/series", "analyze/stack"},
	"analyze/heap":             {"analyze/input", "analyze/series", "graph"},
	"analyze/python":           {"analyze/heap", "analyze/input", "analyze/series", "graph", "graph/pydump"},
	"analyze/v8":               {"analyze/heap", "analyze/input", "analyze/series", "graph", "graph/v8"},
	"analyze/gate":             {"analyze/goroutine", "analyze/heap", "analyze/python", "analyze/series"},
	"analyze/internal/testkit": {"analyze/input"},
	"analyze": {"analyze/callgraph", "analyze/goroutine", "analyze/heap", "analyze/input", "analyze/pprofwire",
		"analyze/profile", "analyze/python", "analyze/series", "analyze/v8"},
	// Above the façade: a user of the analyses, like cmd, that lives
	// under analyze/ because the top-level layout is fixed.
	"analyze/leakcheck": {"analyze", "analyze/input", "analyze/series"},

	"report/units":            {},
	"report/dot":              {"analyze/callgraph", "analyze/heap", "analyze/python", "analyze/series", "report/units"},
	"report":                  {"analyze/callgraph", "analyze/goroutine", "analyze/heap", "analyze/python", "analyze/series", "report/dot", "report/units"},
	"report/chart":            {},
	"report/render":           {},
	"report/internal/testkit": {},

	"cmd/leakscan": {"analyze", "analyze/callgraph", "analyze/gate", "analyze/heap", "analyze/input", "analyze/python", "analyze/series",
		"graph/pydump", "report", "report/chart", "report/dot", "report/units"},
	"cmd/leakscan-render": {"report/render"},
}

// aboveFacade are the packages under analyze/ that use the façade
// rather than serve it: they may import it, and it may not import them.
var aboveFacade = []string{"analyze/leakcheck"}

// testLayers are what tests may import besides their package's own
// layer: fixtures through the façade, shared test helpers, the test-only
// format.
var testLayers = []string{"analyze", "report", "analyze/internal/testkit", "analyze/input", "analyze/python", "analyze/series",
	"analyze/stack", "analyze/heap", "analyze/pprofwire", "analyze/callgraph", "graph", "graph/pydump", "graph/fakedump",
	"report/dot", "report/internal/testkit", "report/units"}

type listedPackage struct {
	ImportPath, Dir                    string
	Imports, TestImports, XTestImports []string
	GoFiles, TestGoFiles, XTestGoFiles []string
}

// TestLayers checks every package of the module against the table above,
// with go list: the packages it imports, and those its tests import.
func TestLayers(t *testing.T) {
	const mod = "github.com/leakscan/leakscan/"
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := map[string]bool{}
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(p.ImportPath, mod)
		if strings.HasPrefix(name, "testdata/") {
			continue // generators, built on their own
		}
		seen[name] = true
		allowed, ok := layers[name]
		if !ok {
			t.Errorf("package %s is not in the layers table: say what it may import", name)
			continue
		}
		check := func(imports []string, extra []string, what string) {
			for _, imp := range imports {
				dep, ours := strings.CutPrefix(imp, mod)
				if !ours || dep == name || slices.Contains(allowed, dep) || slices.Contains(extra, dep) {
					continue
				}
				t.Errorf("%s%s imports %s: it may import only %v", name, what, dep, allowed)
			}
		}
		check(p.Imports, nil, "")
		check(append(p.TestImports, p.XTestImports...), testLayers, " (tests)")
	}
	for name := range layers {
		if !seen[name] {
			t.Errorf("the layers table names %s, which go list does not list: a renamed package?", name)
		}
	}
}

// TestLayerRules checks the rules the table must keep, so that a change
// to the table itself cannot break them quietly.
func TestLayerRules(t *testing.T) {
	for name, deps := range layers {
		for _, dep := range deps {
			switch {
			case strings.HasPrefix(name, "graph") && !strings.HasPrefix(dep, "graph"):
				t.Errorf("%s: the graph packages import nothing of ours outside graph (%s)", name, dep)
			case strings.HasPrefix(name, "graph/") && dep != "graph":
				t.Errorf("%s: a reader imports only graph (%s)", name, dep)
			case strings.HasPrefix(name, "analyze") && strings.HasPrefix(dep, "report"):
				t.Errorf("%s: nothing under analyze imports report (%s)", name, dep)
			case strings.HasPrefix(name, "report") && (dep == "analyze" || strings.HasPrefix(dep, "graph")):
				t.Errorf("%s: report renders results; it imports neither the façade nor a reader (%s)", name, dep)
			case strings.HasPrefix(name, "analyze/") && dep == "analyze" && !slices.Contains(aboveFacade, name):
				t.Errorf("%s: the façade sits above its packages (%s)", name, dep)
			case slices.Contains(aboveFacade, dep) && !strings.HasPrefix(name, "cmd/"):
				t.Errorf("%s: %s sits above the façade; only the commands may import it", name, dep)
			}
		}
	}
}
