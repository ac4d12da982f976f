package graph

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestBuilderTooManyKinds: data with more edge kinds or root kinds than a
// Heap can hold makes Build fail with an error naming the first kind
// that did not fit; the builder never panics, and kinds within the limit
// build.
func TestBuilderTooManyKinds(t *testing.T) {
	for _, c := range []struct {
		name string
		add  func(b *Builder, i int)
		want string
	}{
		{"edges", func(b *Builder, i int) { b.AddEdge(0, 1, "k"+strconv.Itoa(i), "") },
			`graph: edge kind "k256": more than 256 edge kinds`},
		{"set", func(b *Builder, i int) { b.SetKind(EdgeKind{Name: "k" + strconv.Itoa(i), Cost: 2}) },
			`graph: edge kind "k256": more than 256 edge kinds`},
		{"roots", func(b *Builder, i int) { b.AddRoot(0, "r"+strconv.Itoa(i), "") },
			`graph: root kind "r256": more than 256 root kinds`},
	} {
		for _, n := range []int{MaxKinds, MaxKinds + 1, 1000} {
			b := NewBuilder()
			b.AddNode(1, "T", 1, "", 0)
			b.AddNode(2, "T", 1, "", 0)
			for i := range n {
				c.add(b, i)
			}
			h, err := b.Build()
			if n <= MaxKinds {
				if err != nil || b.Err() != nil {
					t.Errorf("%s, %d kinds: %v", c.name, n, err)
				}
				continue
			}
			if err == nil || h != nil || err.Error() != c.want || b.Err() != err {
				t.Errorf("%s, %d kinds: %v, %v; want error %q", c.name, n, h, err, c.want)
			}
		}
	}
	// the kinds that fitted keep their settings
	b := NewBuilder()
	b.AddNode(1, "T", 1, "", 0)
	for i := range MaxKinds {
		b.SetKind(EdgeKind{Name: "k" + strconv.Itoa(i), Cost: i + 1})
	}
	b.SetKind(EdgeKind{Name: "extra", Weak: true})
	if !strings.Contains(b.Err().Error(), `"extra"`) || b.h.Kinds[0] != (EdgeKind{Name: "k0", Cost: 1}) {
		t.Errorf("err %v, kind 0 %+v", b.Err(), b.h.Kinds[0])
	}
}

// TestBuilderGrow: Grow is a hint only — a builder grown for fewer or
// more nodes and edges than it gets builds the same heap as one not grown.
func TestBuilderGrow(t *testing.T) {
	build := func(nodes, edges int) *Heap {
		b := NewBuilder()
		b.Grow(nodes, edges)
		for i := range 10 {
			b.AddNode(uint64(100+i), "T", int64(i), "", 0)
		}
		for i := range 9 {
			b.AddEdge(int32(i+1), int32(i), "ref", "x")
		}
		b.AddRoot(9, "module", "m")
		h, err := b.Build()
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	want := build(0, 0)
	for _, g := range [][2]int{{3, 2}, {1000, 1000}, {-1, -5}} {
		h := build(g[0], g[1])
		if !slices.Equal(h.IDs, want.IDs) || !slices.Equal(h.EdgeTo, want.EdgeTo) || !slices.Equal(h.Start, want.Start) || !slices.Equal(h.Roots, want.Roots) {
			t.Errorf("Grow(%d, %d) changed the heap", g[0], g[1])
		}
	}
}
