package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/leakscan/leakscan/analyze"
	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/python"
	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/report"
	"github.com/leakscan/leakscan/report/chart"
	"github.com/leakscan/leakscan/report/dot"
)

// Sizes of a report's charts, in pixels.
const (
	chartWidth, chartHeight = 720, 300
)

// figureMaker draws the pictures of a report and records where they go.
type figureMaker struct {
	ctx    context.Context
	a      *analysis
	opts   *reportOptions
	assets *assetDir
	figs   map[string][]report.Figure
	grown  []string // Python types that grew, coloured in object graphs
	// dotOnly: leakscan-render is not installed; graphs are written as
	// DOT files, linked from the report, and counted in dots.
	dotOnly bool
	dots    int
}

// make draws every picture: the growth call graph of a profile or
// goroutine series, then for the top suspects of each analysis their
// growth chart and what explains them.
func (fm *figureMaker) make() error {
	res := fm.a.res
	if fm.a.series.Kind == analyze.KindHeapDump {
		for _, r := range res.Suspects() {
			fm.grown = append(fm.grown, r.Key)
		}
	} else if len(res.Inputs) >= 2 && fm.opts.Pictures > 0 {
		if err := fm.callGraph(); err != nil {
			return err
		}
	}
	for _, r := range append([]*series.Result{res}, res.Related...) {
		if err := fm.suspects(r); err != nil {
			return err
		}
	}
	return nil
}

func (fm *figureMaker) add(key string, f report.Figure) { fm.figs[key] = append(fm.figs[key], f) }

func (fm *figureMaker) callGraph() error {
	cg, err := fm.a.callGraph()
	if err != nil {
		return err
	}
	f, err := fm.graph("growth-graph", "Growth call graph: red marks the functions that grew steadily (the leaks' paths), grey the others, with their class; font size and edge width by change", func(b *bytes.Buffer) error {
		return dot.CallGraphDOT(b, cg, dot.CallGraphDOTOptions{})
	})
	if err != nil {
		return err
	}
	fm.add(report.FigureKey(fm.a.res, ""), f)
	return nil
}

// suspects draws the pictures of a result's top suspects.
func (fm *figureMaker) suspects(res *series.Result) error {
	slug := strings.ReplaceAll(string(res.Kind), " ", "-")
	if d := heap.DetailOf(res); d != nil && len(d.Findings) > 0 {
		return fm.findings(res, d.Findings, slug) // each leak told once, not once per type
	}
	for i, r := range res.Suspects() {
		if i == fm.opts.Pictures {
			break
		}
		key := report.FigureKey(res, r.Key)
		name := fmt.Sprintf("%s-%d", slug, i+1)
		if len(r.Values) >= 2 {
			link, err := fm.chart(res, r, name+"-growth.png")
			if err != nil {
				return err
			}
			fm.add(key, report.Figure{Caption: "Growth across the snapshots", Image: link})
		}
		var og *heap.ObjGraph
		caption := ""
		ci := python.CycleOf(&r)
		switch {
		case ci != nil:
			og, _ = python.RingGraph(r, fm.grown)
			caption = "The ring of one cycle; the edge to break in red"
		case res.By == series.ByType && fm.a.series.Dumps != nil:
			ds := fm.a.series.Dumps
			og, _ = heap.ObjectGraph(ds.Dumps[len(ds.Dumps)-1], heap.ObjGraphOptions{
				Type: r.Key, Grown: fm.grown, ShowValues: fm.opts.ShowValues, Since: earliest(ds)})
			caption = "What keeps the largest instances alive (start objects yellow, roots green, grown types red)"
		}
		if og == nil {
			continue
		}
		f, err := fm.graph(name+"-graph", caption, func(b *bytes.Buffer) error { return dot.ObjGraphDOT(b, og) })
		if err != nil {
			return err
		}
		if ci != nil {
			var m strings.Builder
			if err := dot.RingMermaid(&m, ci); err != nil {
				return outputError{err}
			}
			f.Mermaid = m.String()
		}
		fm.add(key, f)
	}
	return nil
}

// chart draws one suspect's series.
func (fm *figureMaker) chart(res *series.Result, r series.Row, name string) (string, error) {
	c := &chart.Chart{
		Title:  fmt.Sprintf("%s per snapshot", res.SampleType.Type),
		Unit:   res.SampleType.Unit,
		Series: []chart.Series{{Name: report.RowTitle(res, r), Values: r.Values, Suspect: true}},
	}
	for _, in := range res.Inputs {
		c.Times = append(c.Times, in.Time)
	}
	var b bytes.Buffer
	if err := c.PNG(&b, chartWidth, chartHeight); err != nil {
		return "", outputError{err}
	}
	return fm.assets.write(name, b.Bytes())
}

// graph draws DOT as a PNG into the assets (name.png) and returns its
// figure; without leakscan-render, it keeps the DOT (name.dot) and the
// figure links it instead.
func (fm *figureMaker) graph(name, caption string, write func(*bytes.Buffer) error) (report.Figure, error) {
	var dot bytes.Buffer
	if err := write(&dot); err != nil {
		return report.Figure{}, outputError{err}
	}
	if fm.dotOnly {
		link, err := fm.assets.write(name+".dot", dot.Bytes())
		fm.dots++
		return report.Figure{Caption: caption, DOT: link}, err
	}
	png, err := drawDOT(fm.ctx, dot.Bytes(), "png")
	if err != nil {
		return report.Figure{}, err
	}
	link, err := fm.assets.write(name+".png", png)
	return report.Figure{Caption: caption, Image: link}, err
}

// earliest is the first dump of a series of several, to tell the growth
// from the instances that were already there; nil for one dump.
func earliest(ds *heap.DumpSeries) *heap.HeapDump {
	if len(ds.Dumps) < 2 {
		return nil
	}
	return ds.Dumps[0]
}

// findings draws, for each of the top leaks of a heap series, the objects
// it holds per snapshot and the references from a root to one of its new
// objects through the container (for a group of reference cycles, only
// the chart: the cycles' section draws the ring).
func (fm *figureMaker) findings(res *series.Result, fs []heap.Finding, slug string) error {
	ds := fm.a.series.Dumps
	for i, f := range fs {
		if i == fm.opts.Pictures {
			break
		}
		key := report.FindingKey(res, i)
		name := fmt.Sprintf("%s-leak-%d", slug, i+1)
		row := series.Row{Key: f.Type, Frame: series.Frame{Func: f.Type}, Trend: f.Count}
		link, err := fm.chart(&series.Result{Kind: res.Kind, By: res.By, SampleType: series.ValueType{Type: "objects held", Unit: "count"}, Inputs: res.Inputs}, row, name+"-growth.png")
		if err != nil {
			return err
		}
		if f.Cycle {
			// The cycles' own section draws one of them as a ring.
			fm.add(key, report.Figure{Caption: "Objects the reference cycles keep, per snapshot", Image: link})
			continue
		}
		fm.add(key, report.Figure{Caption: "Objects the container holds, per snapshot", Image: link})
		if len(f.Samples) == 0 {
			continue
		}
		og, err := heap.ObjectGraph(ds.Dumps[len(ds.Dumps)-1], heap.ObjGraphOptions{ID: f.Samples[0], HasID: true, Grown: fm.grown, ShowValues: fm.opts.ShowValues})
		if err != nil {
			continue
		}
		g, err := fm.graph(name+"-graph", "One new object and what keeps it alive, through the container (start yellow, roots green, grown types red)", func(b *bytes.Buffer) error { return dot.ObjGraphDOT(b, og) })
		if err != nil {
			return err
		}
		fm.add(key, g)
	}
	return nil
}
