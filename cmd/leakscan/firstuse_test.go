package main

import (
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestFirstUse covers what a new user tripped over (issue 20): each case
// failed before its fix.
func TestFirstUse(t *testing.T) {
	atRoot(t)
	// -o into folders that do not exist yet: made, for every command.
	out := filepath.Join(t.TempDir(), "no", "such", "dir", "r.txt")
	if code, _, errOut := runCLI(t, nil, append([]string{"diff", "-o", out}, leaky...)...); code != 0 {
		t.Errorf("diff -o into a new folder: exit %d %s", code, errOut)
	} else if _, err := os.Stat(out); err != nil {
		t.Error(err)
	}
	// path takes a type's short name, as graph does.
	code, stdout, errOut := runCLI(t, nil, "path", "testdata/pydump/leaky", "--type", "Request")
	if code != 0 || !strings.Contains(stdout, "__main__.Request   (360 of 360 instances share this path)") {
		t.Errorf("path --type Request: exit %d %s\n%s", code, errOut, stdout)
	}
	// diff with nothing to compare says what it needs.
	if code, _, errOut := runCLI(t, nil, "diff"); code != 2 || errOut != "leakscan: diff needs two or more profiles or dumps, or a directory of them\n" {
		t.Errorf("diff with no arguments: exit %d %q", code, errOut)
	}
	// --version, as well as the version command.
	if code, stdout, _ := runCLI(t, nil, "--version"); code != 0 || !strings.HasPrefix(stdout, "leakscan ") || !strings.Contains(stdout, "go1.") {
		t.Errorf("--version: exit %d %q", code, stdout)
	}
	// graph's depth shows its default.
	if _, help, _ := runCLI(t, nil, "graph", "--help"); !strings.Contains(help, "(default 3)") {
		t.Error("graph --help shows no default depth")
	}
	if _, help, _ := runCLI(t, nil, "dumper", "--help"); !strings.Contains(help, "python is the one there is") {
		t.Error("dumper --help does not say python is the argument")
	}
}

// TestMarkdownThroughGFM renders the Markdown goldens with cmark-gfm, the
// renderer GitHub uses: a Python __dunder__ name in bold text stays a
// name (it made "main" bold), and no "more suspects" is singular.
func TestMarkdownThroughGFM(t *testing.T) {
	gfm, err := exec.LookPath("cmark-gfm")
	if err != nil {
		t.Skip("cmark-gfm not installed (apt-get install cmark-gfm); .ci/run installs it")
	}
	md, err := os.ReadFile("testdata/pydump.diff.md")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(gfm, "-e", "table")
	cmd.Stdin = strings.NewReader(string(md))
	html, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	h := string(html)
	if !strings.Contains(h, "<strong>Growing; held by growing __main__.Request.</strong>") {
		t.Errorf("the reasons of a held type do not render as written:\n%s", h[:min(len(h), 3000)])
	}
	if strings.Contains(h, "<strong>main</strong>") || strings.Contains(h, "<em>main</em>") {
		t.Error("a __dunder__ name became emphasis")
	}
}

// TestByStackTitles: diff --by stack on a leak spread over four stacks of
// one site (testdata/heap/stacks) finds the four, and no two rows of the
// table read the same (issue 20, item 2: stacks that differed below the
// third frame, or only in a line, printed identical text).
func TestByStackTitles(t *testing.T) {
	atRoot(t)
	code, out, errOut := runCLI(t, nil, "diff", "testdata/heap/stacks", "--by", "stack", "--top", "0")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden(t, "stacks.diff_by_stack.txt", out)
	if !strings.Contains(out, "\n4 stacks grew steadily: +40.0 KiB") {
		t.Errorf("the four leaking stacks are not found:\n%s", out)
	}
	seen := map[string]bool{}
	rows := 0
	for _, line := range strings.Split(out, "\n") {
		_, title, ok := strings.Cut(line, "  main.") // rows of this program's own stacks
		if !ok || !strings.Contains(line, "█") {
			continue
		}
		rows++
		if seen[title] {
			t.Errorf("two rows read %q", title)
		}
		seen[title] = true
	}
	if rows < 6 {
		t.Errorf("only %d rows of main's stacks:\n%s", rows, out)
	}
}

// TestReportNoPictures: a report without pictures names no assets folder
// and makes none (issue 20, item 8).
func TestReportNoPictures(t *testing.T) {
	atRoot(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "r.md")
	code, _, errOut := runCLI(t, nil, "report", "testdata/heap/leaky", "--pictures", "0", "-o", out)
	if code != 0 || errOut != "leakscan: wrote "+out+" (no pictures)\n" {
		t.Errorf("exit %d: %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "r.assets")); !os.IsNotExist(err) {
		t.Errorf("an assets folder was made: %v", err)
	}
}

// TestHeadingLevels: every Markdown golden starts with its verdict as the
// one H1 (a report) or H2 (diff --format markdown) and never goes more
// than one level deeper at a time (issue 20, item 6: H1 went to H3).
func TestHeadingLevels(t *testing.T) {
	mds, _ := filepath.Glob("testdata/*.md")
	if len(mds) < 8 {
		t.Fatalf("%d Markdown goldens", len(mds))
	}
	for _, p := range mds {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		prev, fence := 0, false
		for i, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "```") {
				fence = !fence
			}
			level := len(line) - len(strings.TrimLeft(line, "#"))
			if fence || level == 0 || !strings.HasPrefix(line[level:], " ") {
				continue
			}
			want1 := 2
			if strings.HasPrefix(filepath.Base(p), "report.") {
				want1 = 1
			}
			switch {
			case prev == 0 && level != want1:
				t.Errorf("%s:%d: first heading is H%d, want H%d", p, i+1, level, want1)
			case prev > 0 && level > prev+1:
				t.Errorf("%s:%d: H%d after H%d", p, i+1, level, prev)
			case prev > 0 && level == want1:
				t.Errorf("%s:%d: a second H%d", p, i+1, level)
			}
			prev = level
		}
	}
}

// TestCallGraphWidth: the growth call graphs of the bundled series stay
// narrow enough to read at GitHub's page width, about 900 pixels (issue
// 20, item 3: 3,000 pixels shrank their labels to a third).
func TestCallGraphWidth(t *testing.T) {
	atRoot(t)
	for name, args := range map[string][]string{
		"heap":       {"diff", "testdata/heap/leaky"},
		"goroutines": append([]string{"diff"}, goroutineSeries()...),
	} {
		out := filepath.Join(t.TempDir(), name+".png")
		if code, _, errOut := runCLI(t, nil, append(args, "--graph", out)...); code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errOut)
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Width > 1000 {
			t.Errorf("%s: the growth call graph is %d pixels wide", name, cfg.Width)
		}
	}
}

// TestFirstUseHelp: diff --help names Python dumps; leakscan-render
// --help is not an error; a build without a version says why (issue 20,
// item 9).
func TestFirstUseHelp(t *testing.T) {
	_, help, _ := runCLI(t, nil, "diff", "--help")
	if !strings.Contains(help, "Given Python heap dumps") || !strings.Contains(help, "DUMP DUMP...") {
		t.Errorf("diff --help does not mention Python dumps:\n%s", help)
	}
	if _, out, _ := runCLI(t, nil, "--version"); strings.Contains(out, "(devel) ") {
		t.Errorf("--version says only (devel): %q", out)
	}
	bin := os.Getenv("LEAKSCAN_RENDER")
	for _, arg := range []string{"--help", "-h"} {
		out, err := exec.Command(bin, arg).CombinedOutput()
		if err != nil || !strings.HasPrefix(string(out), "usage: leakscan-render svg|png") {
			t.Errorf("leakscan-render %s: %v %s", arg, err, out)
		}
	}
}
