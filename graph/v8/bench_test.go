package v8

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"testing"

	"github.com/leakscan/leakscan/graph"
)

var (
	synthOut   = flag.String("synth-out", "", "TestWriteSynthetic writes a generated snapshot to this file")
	synthNodes = flag.Int("synth-nodes", 3_000_000, "nodes of the generated snapshot")
	synthEdges = flag.Int("synth-edges", 20_000_000, "edges of the generated snapshot")
)

// writeSynthetic writes a snapshot in Node 20's layout with the given
// numbers of nodes (at least 4) and edges (at least nodes): the synthetic
// root, (GC roots), (Global handles), then objects of 40 types in a tree
// of fan-out 8 from the first object (property edges "child"), and the
// other edges from each object to pseudo-random others, one in eight
// weak, with 50 property names. Deterministic.
func writeSynthetic(w io.Writer, nodes, edges int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	const types, names = 40, 50
	// strings: 0 "", 1 (GC roots), 2 (Global handles), 3 child,
	// 4…4+types Type%d, then prop%d.
	typeStr := func(i int) int { return 4 + i%types }
	propStr := func(i int) int { return 4 + types + i%names }
	tree := nodes - 4 // tree edges among the objects
	extra := edges - 3 - tree
	if extra < 0 {
		return fmt.Errorf("%d edges is fewer than %d nodes need", edges, nodes)
	}
	objects := nodes - 3
	// edge count of object o: its tree children and its share of extra.
	children := func(o int) (lo, hi int) { // object indexes
		lo, hi = 8*o+1, 8*o+9
		return min(lo, objects), min(hi, objects)
	}
	share := func(o int) int { return extra/objects + btoi(o < extra%objects) }
	fmt.Fprintf(bw, `{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],`+
		`"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],`+
		`"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],`+
		`"location_fields":["object_index","script_id","line","column"]},"node_count":%d,"edge_count":%d,"trace_function_count":0},`+"\n"+`"nodes":[`, nodes, edges)
	var b []byte
	num := func(v int, sep bool) {
		if sep {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(v), 10)
	}
	flush := func() {
		bw.Write(b)
		b = b[:0]
	}
	for v := 0; v < nodes; v++ {
		typ, name, size, ecount := 3, 0, 0, 0
		switch v {
		case 0:
			typ, ecount = 9, 1
		case 1:
			typ, name, ecount = 9, 1, 1
		case 2:
			typ, name, ecount = 9, 2, 1
		default:
			o := v - 3
			lo, hi := children(o)
			name, size, ecount = typeStr(o*7), 16+8*(o%11), hi-lo+share(o)
		}
		if v > 0 {
			b = append(b, ",\n"...)
		}
		num(typ, false)
		num(name, true)
		num(2*v+1, true)
		num(size, true)
		num(ecount, true)
		num(0, true)
		num(0, true)
		if len(b) > 1<<16 {
			flush()
		}
	}
	b = append(b, "],\n\"edges\":["...)
	first := true
	edge := func(t, name, to int) {
		if !first {
			b = append(b, ",\n"...)
		}
		first = false
		num(t, false)
		num(name, true)
		num(to*7, true)
	}
	edge(1, 0, 1)
	edge(1, 0, 2)
	edge(1, 0, 3)
	x := uint64(88172645463325252)
	for o := 0; o < objects; o++ {
		lo, hi := children(o)
		for c := lo; c < hi; c++ {
			edge(2, 3, c+3)
		}
		for k := share(o); k > 0; k-- {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			t := 2
			if x%8 == 0 {
				t = 6
			}
			edge(t, propStr(int(x>>8)), 3+int(x>>20)%objects)
		}
		if len(b) > 1<<16 {
			flush()
		}
	}
	b = append(b, "],\n\"trace_function_infos\":[],\"trace_tree\":[],\"samples\":[],\"locations\":[],\n\"strings\":[\"\",\"(GC roots)\",\"(Global handles)\",\"child\""...)
	for i := 0; i < types; i++ {
		b = append(b, fmt.Sprintf(",\"Type%d\"", i)...)
	}
	for i := 0; i < names; i++ {
		b = append(b, fmt.Sprintf(",\"prop%d\"", i)...)
	}
	b = append(b, "]}\n"...)
	flush()
	return bw.Flush()
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestWriteSynthetic writes a generated snapshot for the benchmarks of
// BENCHMARKS.md when -synth-out is given:
//
//	go test ./graph/v8 -run TestWriteSynthetic -synth-out /tmp/3m.heapsnapshot -synth-nodes 3000000 -synth-edges 20000000
func TestWriteSynthetic(t *testing.T) {
	if *synthOut == "" {
		t.Skip("no -synth-out")
	}
	f, err := os.Create(*synthOut)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeSynthetic(f, *synthNodes, *synthEdges); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestSynthetic: the generator writes what the reader reads back, all of
// it reachable.
func TestSynthetic(t *testing.T) {
	var buf bytes.Buffer
	if err := writeSynthetic(&buf, 1000, 7000); err != nil {
		t.Fatal(err)
	}
	s, err := Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	h := s.Heap
	if h.NumNodes() != 1000 || h.NumEdges() != 7000 {
		t.Fatalf("%d nodes, %d edges", h.NumNodes(), h.NumEdges())
	}
	for v, ok := range graph.Reachable(h) {
		if !ok {
			t.Fatalf("node %d unreachable", v)
		}
	}
}

// BenchmarkParse reads a generated snapshot of 200k nodes and 1.4M edges
// (about 16 MB).
func BenchmarkParse(b *testing.B) {
	var buf bytes.Buffer
	if err := writeSynthetic(&buf, 200_000, 1_400_000); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseReal reads the first bundled Node snapshot (43k nodes).
func BenchmarkParseReal(b *testing.B) {
	data := readFixture(b, "../../testdata/v8/leaky/snap-1.heapsnapshot.gz")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}
