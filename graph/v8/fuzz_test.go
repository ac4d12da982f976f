package v8

import (
	"strings"
	"testing"
)

// FuzzParse: any input parses to a valid graph or fails with one line of
// *Error; never a panic, a hang, or an allocation the input cannot
// justify (the declared counts are checked against the bytes left).
func FuzzParse(f *testing.F) {
	f.Add([]byte(mini))
	f.Add([]byte(strings.Replace(mini, `"node_count":15`, `"node_count":1500000000`, 1)))
	f.Add([]byte(strings.Replace(mini, `"strings":[`, `"strings":["\ud800\u00e9",`, 1)))
	f.Add([]byte(`{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],` +
		`"node_types":[["synthetic"],"string","number","number","number"],"edge_fields":["type","name_or_index","to_node"],` +
		`"edge_types":[["element"],"string_or_number","node"]},"node_count":2,"edge_count":1},` +
		`"nodes":[0,0,1,0,1,0,1,3,5,0],"edges":[0,7,5],"strings":["","(GC roots)"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		s, err := Parse(data)
		if err != nil {
			if _, ok := err.(*Error); !ok || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %T %q", err, err)
			}
			return
		}
		h := s.Heap
		n := h.NumNodes()
		if len(h.Start) != n+1 || h.Start[0] != 0 || h.Start[n] != int64(h.NumEdges()) {
			t.Fatalf("start %v for %d nodes, %d edges", h.Start, n, h.NumEdges())
		}
		for v := 0; v < n; v++ {
			if h.Start[v] > h.Start[v+1] || h.Values[v] >= int32(len(h.Strings)) || int(h.Types[v]) >= len(h.TypeNames) {
				t.Fatalf("node %d malformed", v)
			}
		}
		for e, to := range h.EdgeTo {
			if to < 0 || int(to) >= n || h.EdgeLabels[e] >= int32(len(h.Strings)) || int(h.EdgeKinds[e]) >= len(h.Kinds) {
				t.Fatalf("edge %d malformed", e)
			}
		}
		for i, r := range h.Roots {
			if r < 0 || int(r) >= n || h.RootLabel[i] >= int32(len(h.Strings)) {
				t.Fatalf("root %d malformed", i)
			}
		}
	})
}
