package graph

import (
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
