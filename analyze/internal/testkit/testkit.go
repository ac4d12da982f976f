// Package testkit holds helpers shared by the tests of analyze's packages:
// reading fixtures and taking live profiles of the test process. Only
// tests import it.
package testkit

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"testing"

	"github.com/leakscan/leakscan/analyze/input"
)

// Root is the module's root seen from a package two levels down
// (analyze/<pkg>), where go test runs.
const Root = "../.."

// Path joins a path relative to the module root.
func Path(rel ...string) string { return filepath.Join(append([]string{Root}, rel...)...) }

// Gunzip decompresses b or fails the test.
func Gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := out.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// MustRead reads a file or fails the test.
func MustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Sources returns the files matching a glob (relative to the module
// root), sorted, as sources; it fails the test when none match.
func Sources(t testing.TB, glob string) []input.Source {
	t.Helper()
	paths, _ := filepath.Glob(Path(glob))
	if len(paths) == 0 {
		t.Fatalf("no fixtures match %s", glob)
	}
	srcs, err := input.ReadSources(paths, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return srcs
}

// LiveProfile writes a real profile of the test process, decompressed.
func LiveProfile(t testing.TB, name string) []byte {
	t.Helper()
	runtime.GC()
	var buf bytes.Buffer
	if err := pprof.Lookup(name).WriteTo(&buf, 0); err != nil {
		t.Fatal(err)
	}
	return Gunzip(t, buf.Bytes())
}
