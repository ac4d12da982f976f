package main

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLayers enforces the direction of imports: graph ← analyze ← report ←
// cmd. A package may import only the packages of the layers below it.
func TestLayers(t *testing.T) {
	const mod = "github.com/leakscan/leakscan/"
	allowed := map[string][]string{
		"graph":   {},
		"analyze": {"graph"},
		"report":  {"graph", "analyze"},
	}
	for pkg, ok := range allowed {
		files, _ := filepath.Glob(filepath.Join("..", "..", pkg, "*.go"))
		for _, f := range files {
			ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range ast.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				dep, ours := strings.CutPrefix(path, mod)
				if !ours {
					continue
				}
				dep = strings.SplitN(dep, "/", 2)[0]
				legal := false
				for _, a := range ok {
					legal = legal || dep == a
				}
				if !legal {
					t.Errorf("%s imports %s: %s may import only %v", f, path, pkg, ok)
				}
			}
		}
	}
}
