package python

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/series"
)

// RingGraph draws a group of reference cycles (a row of DiffCycles) as its
// ring: one box per object on the ring, each edge labelled, the edge to
// break marked.
func RingGraph(r series.Row, grown []string) (*heap.ObjGraph, error) {
	c := CycleOf(&r)
	if c == nil || len(c.Ring) == 0 {
		return nil, fmt.Errorf("row %q is not a reference cycle", r.Key)
	}
	og := &heap.ObjGraph{Ring: true, Title: fmt.Sprintf("%s cycles of %d objects", countText(lastOf(r.Values)), c.Members)}
	for i, s := range c.Ring {
		og.Nodes = append(og.Nodes, heap.ObjNode{Type: s.Type, Value: s.Note, Grew: slices.Contains(grown, s.Type), Start: i == 0})
		e := heap.ObjEdge{From: i, To: (i + 1) % len(c.Ring), Kind: s.Kind, Label: s.Label}
		if c.Break != nil && c.Break.Step == i {
			e.Break, e.Note = true, c.Break.Fix
		}
		og.Edges = append(og.Edges, e)
	}
	return og, nil
}

// countText formats a count without a fraction.
func countText(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) }
