package fakedump

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	d, err := Parse([]byte(Magic + "\ntime 2026-12-03T10:00:00Z\nnode 1 mod 10 app\nnode 2 T 5\nroot 1 module app\nedge 1 2 attr x\n"))
	if err != nil {
		t.Fatal(err)
	}
	h := d.Heap
	if h.NumNodes() != 2 || h.NumEdges() != 1 || h.TypeName(1) != "T" || h.Label(0) != "x" || h.Value(0) != "app" || d.Time.Hour() != 10 {
		t.Errorf("parsed %+v", h)
	}
	for in, want := range map[string]string{
		"":                                   `line 1: expected "fakedump 1"`,
		Magic + "\nnode 1 T x\n":             "line 2: expected node ID TYPE SIZE [VALUE] with a decimal id and size",
		Magic + "\nedge 1 2 attr\n":          "line 2: no node 1",
		Magic + "\nnode 1 T 1\nnode 1 T 1\n": "line 3: node 1 defined twice",
		Magic + "\nwhat\n":                   "line 2: expected a time, node, edge or root record",
	} {
		if _, err := Parse([]byte(in)); err == nil || err.Error() != want {
			t.Errorf("%q: %v, want %s", in, err, want)
		}
	}
}

// FuzzParse: any input parses to a valid heap or fails with an Error.
func FuzzParse(f *testing.F) {
	f.Add([]byte(Magic + "\nnode 1 mod 10 app\nnode 2 T 5\nroot 1 module app\nedge 1 2 attr x\nedge 2 1 ref\n"))
	f.Add([]byte(Magic + "\ntime x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		d, err := Parse(data)
		if err != nil {
			if _, ok := err.(*Error); !ok || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %T %q", err, err)
			}
			return
		}
		h := d.Heap
		for _, to := range h.EdgeTo {
			if to < 0 || int(to) >= h.NumNodes() {
				t.Fatalf("edge to %d of %d nodes", to, h.NumNodes())
			}
		}
	})
}
