package python

import (
	"testing"

	"github.com/leakscan/leakscan/analyze/series"
)

func TestRingGraphTraceback(t *testing.T) {
	ds := loadStory(t, "traceback_cycle")
	res, err := DiffCycles(ds)
	if err != nil {
		t.Fatal(err)
	}
	row := onlySuspect(t, res)
	og, err := RingGraph(row, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(og.Nodes) != len(CycleOf(&row).Ring) || len(og.Edges) != len(og.Nodes) {
		t.Fatalf("%d nodes %d edges for a ring of %d", len(og.Nodes), len(og.Edges), len(CycleOf(&row).Ring))
	}
	breaks := 0
	for _, e := range og.Edges {
		if e.Break {
			breaks++
			if og.Nodes[e.From].Type != CycleOf(&row).Ring[CycleOf(&row).Break.Step].Type || e.Note == "" {
				t.Errorf("break edge %+v", e)
			}
		}
	}
	if breaks != 1 {
		t.Errorf("%d break edges", breaks)
	}
	if _, err := RingGraph(series.Row{Key: "x"}, nil); err == nil {
		t.Error("a row without a cycle drew")
	}
}
