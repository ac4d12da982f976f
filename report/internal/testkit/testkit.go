// Package testkit holds what the tests of report's packages share: names
// a hostile dump can carry, and golden files. Only tests import it.
package testkit

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Names are names a dump can carry: they try to end a DOT string, use
// Graphviz escapes, close Markdown code spans, tables, HTML blocks and
// Mermaid labels, break lines, and are long or not UTF-8.
var Names = []string{
	`evil"] ; n1 -> n2 [label="x`,
	`back\slash \N \G \l \"`,
	"two\nlines\r\n\tand tab",
	"`code` ``` fence | pipe |",
	"</details><script>alert(1)</script><img src=x onerror=alert(2)>",
	"#quot; #35; &amp; --> ==> |x| [y] {z}",
	"bad utf8 \xff\xfe end",
	strings.Repeat("verylongname.", 30),
	"\uE000private\uE001use",
}

var update = flag.Bool("update", false, "rewrite the golden files")

// Golden compares out with testdata/name of the package under test, or
// rewrites it with -update.
func Golden(t *testing.T, name string, out []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test with -update)", err)
	}
	if !bytes.Equal(out, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", path, out)
	}
}
