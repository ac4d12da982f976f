package heap_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/leakscan/leakscan/analyze/heap"
)

// edgeInto finds the drawn edge into node to labelled label.
func edgeInto(og *heap.ObjGraph, to int, label string) (heap.ObjEdge, bool) {
	for _, e := range og.Edges {
		if e.To == to && e.Label == label {
			return e, true
		}
	}
	return heap.ObjEdge{}, false
}

func TestObjectGraphBackrefs(t *testing.T) {
	ds := loadDumps(t, "leaky/*")
	last := ds.Dumps[len(ds.Dumps)-1]
	og, err := heap.ObjectGraph(last, heap.ObjGraphOptions{Type: "Request", Grown: []string{"__main__.Request"}})
	if err != nil {
		t.Fatal(err)
	}
	if og.Title != "3 of 360 __main__.Request" {
		t.Errorf("title %q", og.Title)
	}
	var starts []int
	for i, n := range og.Nodes {
		if n.Start {
			starts = append(starts, i)
			if n.Type != "__main__.Request" || !n.Grew || n.Dist != 0 {
				t.Errorf("start %+v", n)
			}
		}
	}
	if len(starts) != 3 {
		t.Fatalf("%d start objects", len(starts))
	}
	// Each start is in the list Handler.seen: list -[index]-> Request; the
	// list hangs off the handler's dict under 'seen'; the picture reaches
	// the module __main__, a root.
	list := -1
	for _, s := range starts {
		for _, e := range og.Edges {
			if e.To == s && e.Kind == "index" {
				list = e.From
			}
		}
	}
	if list < 0 || og.Nodes[list].Type != "builtins.list" {
		t.Fatalf("no list holds the requests")
	}
	if _, ok := edgeInto(og, list, "'seen'"); !ok {
		t.Errorf("the list is not drawn as Handler.seen")
	}
	// The start's retainer path is drawn whole, beyond the depth: the
	// thread's frame holds the handler in local h, whose class holds seen.
	if got := chainTo(og, starts[0]); got != "local h → class __class__ → attr __dict__ → key 'seen' → index [202]" {
		t.Errorf("retainer chain %q", got)
	}
	if !slices.Contains(og.Notes, "depth 3 reached") {
		t.Errorf("notes %v", og.Notes)
	}
	// The list holds 360 requests: ten are drawn, the rest summed up.
	more := slices.IndexFunc(og.Nodes, func(n heap.ObjNode) bool { return n.More > 0 })
	if more >= 0 {
		t.Errorf("backrefs from a request should not need a more box: %+v", og.Nodes[more])
	}
	// String values are hidden without ShowValues.
	for _, n := range og.Nodes {
		if n.Type == "builtins.str" && n.Value != "" && n.Value != "(value hidden)" {
			t.Errorf("string value shown: %q", n.Value)
		}
	}
}

func TestObjectGraphRefsTooMany(t *testing.T) {
	ds := loadDumps(t, "leaky/*")
	last := ds.Dumps[len(ds.Dumps)-1]
	// Start at the list that holds the requests, found by following the
	// backrefs of one request.
	back, err := heap.ObjectGraph(last, heap.ObjGraphOptions{Type: "__main__.Request", Starts: 1, Depth: 1})
	if err != nil {
		t.Fatal(err)
	}
	var listID uint64
	for _, e := range back.Edges {
		if e.Kind == "index" {
			listID = back.Nodes[e.From].ID
		}
	}
	og, err := heap.ObjectGraph(last, heap.ObjGraphOptions{ID: listID, HasID: true, Refs: true, Depth: 1, TooMany: 5})
	if err != nil {
		t.Fatal(err)
	}
	requests, more := 0, 0
	for _, n := range og.Nodes {
		switch {
		case n.Type == "__main__.Request":
			requests++
		case n.More > 0:
			more = n.More
		}
	}
	if requests != 5 || more != 355 {
		t.Errorf("drew %d requests and a box of %d more, want 5 and 355", requests, more)
	}
	if len(og.Edges) != 6 || !strings.HasPrefix(og.Title, "builtins.list at 0x") {
		t.Errorf("%d edges, title %q", len(og.Edges), og.Title)
	}
}

func TestObjectGraphCaps(t *testing.T) {
	ds := loadDumps(t, "leaky/*")
	last := ds.Dumps[len(ds.Dumps)-1]
	og, err := heap.ObjectGraph(last, heap.ObjGraphOptions{Type: "builtins.dict", Starts: 50, MaxNodes: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(og.Nodes) > 20+len(og.Nodes)/2 || !slices.Contains(og.Notes, "node cap 20 reached") {
		t.Errorf("%d nodes, notes %v", len(og.Nodes), og.Notes)
	}
	for _, e := range og.Edges {
		if e.From < 0 || e.From >= len(og.Nodes) || e.To < 0 || e.To >= len(og.Nodes) {
			t.Fatalf("edge %+v out of range", e)
		}
	}
	if _, err := heap.ObjectGraph(last, heap.ObjGraphOptions{Type: "NoSuchType"}); err == nil {
		t.Error("unknown type accepted")
	}
	if _, err := heap.ObjectGraph(last, heap.ObjGraphOptions{ID: 1, HasID: true}); err == nil {
		t.Error("unknown id accepted")
	}
}

// chainTo follows the drawn edges back from node to a root and spells the
// way down from it.
func chainTo(og *heap.ObjGraph, node int) string {
	var steps []string
	for range len(og.Nodes) {
		if og.Nodes[node].Root != "" {
			break
		}
		i := slices.IndexFunc(og.Edges, func(e heap.ObjEdge) bool { return e.To == node })
		if i < 0 {
			return "no root"
		}
		steps = append([]string{og.Edges[i].Kind + " " + og.Edges[i].Label}, steps...)
		node = og.Edges[i].From
	}
	return strings.Join(steps, " → ")
}

// TestObjectGraphNewSince: with an earlier dump, the start objects are
// instances that were not in it — the growth, not what was there before.
func TestObjectGraphNewSince(t *testing.T) {
	ds := loadDumps(t, "event_loops/*")
	first, last := ds.Dumps[0], ds.Dumps[len(ds.Dumps)-1]
	before := heap.IDsOfType(first, "weakref.ReferenceType")
	og, err := heap.ObjectGraph(last, heap.ObjGraphOptions{Type: "weakref.ReferenceType", Since: first})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(og.Title, ", new since heap-1.pydump.gz") {
		t.Errorf("title %q", og.Title)
	}
	for _, n := range og.Nodes {
		if n.Start && before[n.ID] {
			t.Errorf("start object %#x was already in the first dump", n.ID)
		}
	}
	// The new references belong to the leaked loops, held by ApiClient._loops.
	if !slices.ContainsFunc(og.Edges, func(e heap.ObjEdge) bool { return e.Label == "'_loops'" }) {
		t.Error("the picture does not reach ApiClient._loops")
	}
}
