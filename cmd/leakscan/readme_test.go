package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readmeExample is a README block that shows a command on the bundled
// data and what it prints.
type readmeExample struct {
	args []string
	want []string // lines shown; "…" stands for any lines
}

// readmeExamples finds the README's blocks that start with "$ leakscan"
// on bundled data, and the block that follows "The first command prints:"
// (the main job of the set-up section).
func readmeExamples(t *testing.T) []readmeExample {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []readmeExample
	blocks := strings.Split(string(readme), "```")
	for i := 1; i < len(blocks); i += 2 {
		lines := strings.Split(strings.TrimPrefix(blocks[i], "\n"), "\n")
		if len(lines) > 0 && lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		if strings.HasSuffix(strings.Join(strings.Fields(blocks[i-1]), " "), "The first command prints:") {
			out = append(out, readmeExample{args: []string{"diff", "testdata/heap/leaky"}, want: lines})
			continue
		}
		for len(lines) > 0 && strings.HasPrefix(lines[0], "$ leakscan ") {
			args := strings.Fields(strings.TrimPrefix(lines[0], "$ leakscan "))
			j := 1
			for j < len(lines) && !strings.HasPrefix(lines[j], "$ ") {
				j++
			}
			if len(args) > 1 && strings.HasPrefix(args[1], "testdata/") && j > 1 {
				out = append(out, readmeExample{args: args, want: lines[1:j]})
			}
			lines = lines[j:]
		}
	}
	return out
}

// TestReadmeExamples: every example the README shows on the bundled data
// is what leakscan prints now, line for line ("…" stands for lines left
// out), so the README cannot drift from the program.
func TestReadmeExamples(t *testing.T) {
	atRoot(t)
	examples := readmeExamples(t)
	if len(examples) < 5 {
		t.Fatalf("found %d README examples", len(examples))
	}
	for _, ex := range examples {
		var args []string
		for _, a := range ex.args {
			if m, _ := filepath.Glob(a); strings.ContainsAny(a, "?*") && len(m) > 0 {
				args = append(args, m...) // as the shell expands it
			} else {
				args = append(args, a)
			}
		}
		_, out, _ := runCLI(t, nil, args...)
		got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		k := 0
		free := false
		for _, w := range ex.want {
			if w == "…" {
				free = true
				continue
			}
			for k < len(got) && got[k] != w && free {
				k++
			}
			if k >= len(got) || got[k] != w {
				t.Errorf("leakscan %s: the README shows %q, which the output lacks (at its line %d):\n%s", strings.Join(ex.args, " "), w, k+1, out)
				break
			}
			k++
			free = false
		}
		if !free && k < len(got) && len(ex.want) > 0 && ex.want[len(ex.want)-1] != "…" {
			t.Errorf("leakscan %s: the output goes on past the README's example:\n%s", strings.Join(ex.args, " "), strings.Join(got[k:], "\n"))
		}
	}
}
