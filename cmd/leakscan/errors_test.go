package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiffErrors(t *testing.T) {
	atRoot(t)
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("just some notes\n"), 0o644)
	empty := filepath.Join(dir, "empty.pb.gz")
	os.WriteFile(empty, nil, 0o644)
	raw, _ := os.ReadFile(leaky[0])
	cut := filepath.Join(dir, "cut.pb.gz")
	os.WriteFile(cut, raw[:len(raw)-40], 0o644)

	pyRaw, _ := os.ReadFile("testdata/pydump/leaky/heap-1.pydump.gz")
	pyPlain := gunzipBytes(t, pyRaw)
	pyCorrupt := filepath.Join(dir, "corrupt.pydump")
	lines := strings.SplitN(string(pyPlain), "\n", 12)
	lines[10] = `{"k":"o","id":12,"t":0,"s":"big"}`
	os.WriteFile(pyCorrupt, []byte(strings.Join(lines, "\n")), 0o644)
	pyNewer := filepath.Join(dir, "newer.pydump")
	os.WriteFile(pyNewer, []byte(strings.Replace(string(pyPlain), `"version":1`, `"version":2`, 1)), 0o644)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"corrupt python dump", []string{"top", pyCorrupt}, pyCorrupt + ": line 11: "},
		{"newer python dump", []string{"top", pyNewer}, pyNewer + ": line 1: "},
		{"path without a choice", []string{"path", "testdata/pydump/leaky/heap-1.pydump.gz"}, "give one of --type NAME or --id ID"},
		{"path of an unknown type", []string{"path", "testdata/pydump/leaky/heap-1.pydump.gz", "--type", "nope.Nope"}, `heap-1.pydump.gz: no object of type "nope.Nope"`},
		{"one profile", []string{"diff", leaky[0]}, "diff needs two or more profiles or dumps, got 1"},
		{"no args", []string{"diff"}, "diff needs two or more profiles or dumps, or a directory of them"},
		{"text file", []string{"diff", leaky[0], text}, text + ": expected a pprof profile (protobuf, gzipped or not), found text"},
		{"empty file", []string{"diff", leaky[0], empty}, empty + ": expected a pprof profile (protobuf, gzipped or not), found empty file"},
		{"truncated gzip", []string{"diff", leaky[0], cut}, cut + ": byte "},
		{"missing", []string{"diff", leaky[0], "nope.pb.gz"}, "nope.pb.gz: cannot read: no such file or directory"},
		{"wrong sample", []string{"diff", leaky[0], leaky[1], "--sample", "bytes"}, `no sample type "bytes" in these profiles; available: alloc_objects, alloc_space, inuse_objects, inuse_space`},
		{"bad format", []string{"diff", leaky[0], leaky[1], "--format", "xml"}, `--format "xml": expected one of text, markdown, json`},
		{"bad by", []string{"diff", leaky[0], leaky[1], "--by", "line"}, `--by "line": expected one of site, function, stack`},
		{"bad regexp", []string{"diff", leaky[0], leaky[1], "--focus", "("}, "--focus: error parsing regexp"},
		{"bad flag", []string{"diff", "--nope"}, "unknown flag: --nope"},
		{"stdin twice", []string{"diff", "-", "-"}, `"-" given more than once`},
		{"goroutines of text", []string{"goroutines", text}, text + ": expected a goroutine dump"},
		{"goroutines of empty", []string{"goroutines", empty}, empty + ": expected a goroutine dump, found an empty file"},
		{"goroutines of a heap profile", []string{"goroutines", leaky[0]}, leaky[0] + ": a heap profile, expected a goroutine profile"},
		{"heap and goroutines mixed", []string{"diff", leaky[0], "testdata/goroutine/leaky/goroutine-1.debug2.txt"}, "goroutine-1.debug2.txt: expected a pprof profile (protobuf, gzipped or not), found goroutine dump"},
		{"goroutines and heap mixed", []string{"diff", "testdata/goroutine/leaky/goroutine-1.debug2.txt", leaky[0]}, leaky[0] + ": a heap profile, expected a goroutine profile"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runCLI(t, nil, c.args...)
			if code != exitInput {
				t.Errorf("exit code %d, want %d", code, exitInput)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			if !strings.Contains(errs, c.want) || strings.Count(errs, "\n") != 1 {
				t.Errorf("stderr %q, want one line containing %q", errs, c.want)
			}
		})
	}
}

func TestDiffStdinDirOutput(t *testing.T) {
	atRoot(t)
	raw, err := os.ReadFile(leaky[5])
	if err != nil {
		t.Fatal(err)
	}
	// stdin as the last snapshot of the series.
	code, out, errs := runCLI(t, raw, append(append([]string{"diff"}, leaky[:5]...), "-")...)
	if code != 0 || !strings.Contains(out, "main.newSession") {
		t.Fatalf("stdin: exit %d, %s", code, errs)
	}
	// A directory stands for its profiles.
	code, dirOut, errs := runCLI(t, nil, "diff", "testdata/heap/leaky")
	if code != 0 {
		t.Fatalf("dir: exit %d, %s", code, errs)
	}
	_, filesOut, _ := runCLI(t, nil, append([]string{"diff"}, leaky...)...)
	if dirOut != filesOut {
		t.Errorf("a directory gives another report than its files")
	}
	// -o writes the file and nothing to stdout.
	path := filepath.Join(t.TempDir(), "r.json")
	code, out, errs = runCLI(t, nil, append(append([]string{"diff"}, leaky...), "-f", "json", "-o", path)...)
	if code != 0 || out != "" {
		t.Fatalf("-o: exit %d, stdout %q, %s", code, out, errs)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema  string
		Version int
		Verdict struct{ Growing int }
		Rows    []struct{ Function, Class string }
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != "leakscan/diff" || doc.Version != 1 || doc.Verdict.Growing < 2 || doc.Rows[0].Class != "growing" {
		t.Errorf("json: %+v", doc)
	}
	// An unwritable -o is exit code 3 (missing folders are made; a
	// file where a folder should be is not).
	blocker := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocker, nil, 0o644)
	code, _, errs = runCLI(t, nil, append(append([]string{"diff"}, leaky...), "-o", filepath.Join(blocker, "dir", "r.txt"))...)
	if code != exitOutput || !strings.Contains(errs, "not a directory") {
		t.Errorf("unwritable -o: exit %d, %s", code, errs)
	}
}

func TestReorderWarning(t *testing.T) {
	atRoot(t)
	code, out, errs := runCLI(t, nil, "diff", leaky[2], leaky[0], leaky[1], "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "warning: ordered by the profiles' own times, not as given: "+leaky[0]+", "+leaky[1]+", "+leaky[2]) {
		t.Errorf("stderr %q lacks the reordering warning", errs)
	}
	if !strings.Contains(out, `"argument": 2`) {
		t.Errorf("json does not record the argument order")
	}
}

func TestHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"diff", "--help"}, {"goroutines", "--help"}, {"dumper", "--help"}, {"version", "--help"}, {"completion", "bash"}} {
		code, out, errs := runCLI(t, nil, args...)
		if code != 0 || out == "" {
			t.Errorf("%v: exit %d, %s", args, code, errs)
		}
		if args[len(args)-1] == "--help" && !strings.Contains(out, "Examples:") {
			t.Errorf("%v: no examples in help", args)
		}
	}
	code, out, _ := runCLI(t, nil, "dumper", "python")
	if code != 0 || !strings.Contains(out, "def dump(") || !strings.Contains(out, "def install_signal_handler(") {
		t.Errorf("dumper python: exit %d, %d bytes", code, len(out))
	}
	if code, _, errs := runCLI(t, nil, "dumper", "ruby"); code != exitInput || !strings.Contains(errs, "expected python") {
		t.Errorf("dumper ruby: exit %d, %s", code, errs)
	}
	code, out, _ = runCLI(t, nil, "version")
	if code != 0 || !strings.HasPrefix(out, "leakscan ") {
		t.Errorf("version: %d %q", code, out)
	}
}

func gunzipBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTruncatedPythonDump: a dump cut short is read with a warning.
func TestTruncatedPythonDump(t *testing.T) {
	atRoot(t)
	raw, _ := os.ReadFile("testdata/pydump/leaky/heap-2.pydump.gz")
	plain := gunzipBytes(t, raw)
	cut := filepath.Join(t.TempDir(), "cut.pydump")
	os.WriteFile(cut, plain[:len(plain)*2/3], 0o644)
	code, out, errs := runCLI(t, nil, "top", cut, "--format", "json")
	if code != 0 || !strings.Contains(errs, "truncated") || !strings.Contains(out, `"warnings"`) {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}
