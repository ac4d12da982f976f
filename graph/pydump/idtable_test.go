package pydump

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// fibonacci is the multiplier of the id table's first hash, which took
// the top bits of id × fibonacci as the slot, with no seed.
const fibonacci = 0x9E3779B97F4A7C15

// inverse is the multiplicative inverse of an odd x modulo 2^64
// (Newton's iteration: each step doubles the number of correct bits).
func inverse(x uint64) uint64 {
	y := x // correct to 3 bits for odd x
	for range 5 {
		y *= 2 - x*y
	}
	return y
}

// collidingIDs returns n distinct ids that the unseeded hash put in one
// slot of any table of up to 2^40 slots: j × fibonacci⁻¹ for j = 1…n,
// whose products with fibonacci are j, all with zero top bits.
func collidingIDs(n int) []uint64 {
	inv := inverse(fibonacci)
	ids := make([]uint64, n)
	for j := range ids {
		ids[j] = uint64(j+1) * inv
	}
	return ids
}

// sequentialIDs returns n ids 16 bytes apart, as CPython's addresses.
func sequentialIDs(n int) []uint64 {
	ids := make([]uint64, n)
	for j := range ids {
		ids[j] = 0x7f0000000000 + 16*uint64(j)
	}
	return ids
}

// idDump is a dump of one object per id, each with an edge to the next
// (the last to the first) and a module root at the first.
func idDump(ids []uint64) []byte {
	var b strings.Builder
	b.WriteString(header(1) + `{"k":"t","i":0,"n":"builtins.list"}` + "\n")
	for i, id := range ids {
		next := ids[(i+1)%len(ids)]
		fmt.Fprintf(&b, `{"k":"o","id":%d,"t":0,"s":56,"f":4,"e":[[%d,"index","[0]"]]}`+"\n", id, next)
	}
	fmt.Fprintf(&b, `{"k":"r","id":%d,"kind":"module","label":"m"}`+"\n", ids[0])
	fmt.Fprintf(&b, `{"k":"end","objects":%d,"edges":%d,"seconds":0}`+"\n", len(ids), len(ids))
	return []byte(b.String())
}

// BenchmarkParseIDs reads dumps of 200,000 objects whose ids are
// sequential addresses or chosen to collide in the id table's hash.
func BenchmarkParseIDs(b *testing.B) {
	const n = 200_000
	for _, c := range []struct {
		name string
		ids  []uint64
	}{{"sequential", sequentialIDs(n)}, {"colliding", collidingIDs(n)}} {
		data := idDump(c.ids)
		b.Run(c.name+"-"+strconv.Itoa(n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Parse(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// meanDisplacement is the mean distance, in slots, from each key's home
// slot to where it is stored: the extra probes a lookup of it makes.
func (t *idTable) meanDisplacement() float64 {
	mask := len(t.slots) - 1
	total := 0
	for i, s := range t.slots {
		if s.val != 0 {
			total += (i - t.slot(s.key)) & mask
		}
	}
	return float64(total) / float64(t.n)
}

// TestIDTableCollidingIDs: ids chosen to share one slot under the
// table's first, unseeded hash spread like any others, and every id is
// found with its value. With the unseeded hash the mean displacement was
// n/2 (10,000 here); linear probing at a load of at most 3/4 with a good
// hash gives about 1.5, and 4 is far above what chance produces.
func TestIDTableCollidingIDs(t *testing.T) {
	const n = 20_000
	ids := collidingIDs(n)
	for _, id := range ids[:100] {
		if (id*fibonacci)>>(64-40) != 0 {
			t.Fatalf("id %#x does not collide under the unseeded hash", id)
		}
	}
	for _, c := range []struct {
		name string
		ids  []uint64
		hint int
	}{{"colliding", ids, n}, {"colliding, grown", ids, 16}, {"sequential", sequentialIDs(n), n}} {
		var tab idTable
		tab.init(c.hint)
		for i, id := range c.ids {
			if _, dup := tab.put(id, int32(i)); dup {
				t.Fatalf("%s: id %#x reported twice", c.name, id)
			}
		}
		for i, id := range c.ids {
			if v, ok := tab.get(id); !ok || v != int32(i) {
				t.Fatalf("%s: get(%#x) = %d, %v; want %d", c.name, id, v, ok, i)
			}
		}
		if _, ok := tab.get(0); ok { // in neither list
			t.Errorf("%s: found id 0, never added", c.name)
		}
		if d := tab.meanDisplacement(); d > 4 {
			t.Errorf("%s: mean displacement %.1f slots, want at most 4", c.name, d)
		}
	}
}

// TestParseCollidingIDs: a dump whose ids all collide under the unseeded
// hash reads correctly: every edge reaches the next object, the root the
// first. (BenchmarkParseIDs times it.)
func TestParseCollidingIDs(t *testing.T) {
	const n = 20_000
	ids := collidingIDs(n)
	d, err := Parse(idDump(ids))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Warnings) > 0 {
		t.Fatalf("warnings %q", d.Warnings)
	}
	h := d.Heap
	checkHeap(t, h)
	if h.NumNodes() != n || h.NumEdges() != n || len(h.Roots) != 1 || h.Roots[0] != 0 {
		t.Fatalf("%d nodes, %d edges, roots %v", h.NumNodes(), h.NumEdges(), h.Roots)
	}
	for i := range int32(n) {
		lo, hi := h.Edge(i)
		if hi != lo+1 || h.EdgeTo[lo] != (i+1)%n || h.IDs[i] != ids[i] {
			t.Fatalf("node %d (id %#x): edges %d..%d to %d", i, h.IDs[i], lo, hi, h.EdgeTo[lo])
		}
	}
}
