package report

import (
	"encoding/json"
	"io"
	"time"

	"github.com/leakscan/leakscan/analyze/goroutine"
	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/python"
	"github.com/leakscan/leakscan/analyze/series"
)

// SchemaVersion is the version of the JSON document written by JSON. It
// changes only when a field is removed or changes meaning; fields may be
// added within a version. The schema is documented in README.md.
const SchemaVersion = 1

// jsonDoc is the JSON document of a series diff.
type jsonDoc struct {
	Schema        string              `json:"schema"`
	Version       int                 `json:"version"`
	Kind          string              `json:"kind"`
	SampleType    series.ValueType    `json:"sample_type"`
	By            series.KeyMode      `json:"by"`
	RateUnit      string              `json:"rate_unit"`
	Span          float64             `json:"span_seconds"`
	Verdict       jsonVerdict         `json:"verdict"`
	Inputs        []jsonInput         `json:"inputs"`
	Total         jsonTrend           `json:"total"`
	RowsTotal     int                 `json:"rows_total"`
	Rows          []jsonRow           `json:"rows"`
	Churn         []jsonChurn         `json:"churn"`
	BigRetainers  []heap.BigRetainer  `json:"biggest_retainers,omitempty"`
	Findings      []jsonFinding       `json:"findings,omitempty"`
	Accumulations []heap.Accumulation `json:"accumulation_points,omitempty"`
	Hidden        []float64           `json:"hidden_profiler,omitempty"`
	Focus         string              `json:"focus,omitempty"`
	Ignore        string              `json:"ignore,omitempty"`
	Warnings      []string            `json:"warnings"`
	Collector     *python.Collector   `json:"collector,omitempty"`
	Related       []*jsonDoc          `json:"related,omitempty"`
}

// jsonGo is what a goroutine group adds to a row.
type jsonGo struct {
	State     string                 `json:"state"`
	States    []goroutine.StateCount `json:"states"`
	WaitMin   *int                   `json:"wait_min_minutes"`
	WaitMax   *int                   `json:"wait_max_minutes"`
	Creator   *series.Frame          `json:"creator"`
	IDs       []int64                `json:"ids"`
	Parents   []int64                `json:"parent_ids"`
	Labels    []string               `json:"labels"`
	Leaked    int                    `json:"leaked"`
	Confirmed bool                   `json:"confirmed_leaked"`
	Locked    int                    `json:"locked_to_thread"`
	Elided    bool                   `json:"elided"`
}

func goJSON(g *goroutine.Info) *jsonGo {
	if g == nil {
		return nil
	}
	j := &jsonGo{State: g.State, States: nonNil(g.States), Creator: g.Creator, IDs: nonNil(g.IDs), Parents: nonNil(g.Parents),
		Labels: nonNil(g.Labels), Leaked: g.Leaked, Confirmed: g.Confirmed, Locked: g.Locked, Elided: g.Elided}
	if g.MaxWait >= 0 {
		lo, hi := max(g.MinWait, 0), g.MaxWait
		j.WaitMin, j.WaitMax = &lo, &hi
	}
	return j
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// jsonFinding is one leak of a heap series: its accumulation point and
// what accumulates there.
type jsonFinding struct {
	Holder    jsonHolder        `json:"holder"`
	Holders   int               `json:"holders"`
	Edge      heap.PathStep     `json:"edge"`
	New       int               `json:"new"`
	NewBytes  int64             `json:"new_bytes"`
	Heads     []heap.TypeCount  `json:"heads"`
	Types     []heap.TypeSeries `json:"types"`
	Counts    []float64         `json:"counts"`
	Retained  []float64         `json:"retained"`
	Class     series.Class      `json:"class"`
	Slope     float64           `json:"slope"`
	Tau       float64           `json:"tau"`
	AllocSite *heap.AllocSite   `json:"alloc_site,omitempty"`
	Samples   []uint64          `json:"samples"`
	HolderIDs []uint64          `json:"holder_ids"`
	Cycle     bool              `json:"cycle,omitempty"`
	Echoes    []heap.Echo       `json:"echoes,omitempty"`
}

type jsonHolder struct {
	Type  string              `json:"type"`
	Value string              `json:"value,omitempty"`
	Path  *heap.RetainerShape `json:"path"`
}

func findingJSON(f heap.Finding) jsonFinding {
	return jsonFinding{Holder: jsonHolder{Type: f.Type, Value: f.Value, Path: f.Holder}, Holders: f.Holders, Edge: f.Edge,
		New: f.New, NewBytes: f.NewBytes, Heads: nonNil(f.Heads), Types: nonNil(f.Types), Counts: f.Count.Values, Retained: f.Retained,
		Class: f.Count.Class, Slope: f.Count.Slope, Tau: f.Count.Tau, AllocSite: f.Alloc, Samples: nonNil(f.Samples), HolderIDs: nonNil(f.HolderIDs), Cycle: f.Cycle, Echoes: f.Echoes}
}

type jsonChurn struct {
	Key       string  `json:"key"`
	Allocated float64 `json:"allocated"`
	MaxInUse  float64 `json:"max_in_use"`
}

type jsonVerdict struct {
	Text      string  `json:"text"`
	Suspects  int     `json:"suspects"`
	Confirmed int     `json:"confirmed_leaked"`
	Growing   int     `json:"growing"`
	Growth    float64 `json:"growth"`
	Snapshots int     `json:"snapshots"`
}

type jsonInput struct {
	Name        string             `json:"name"`
	Argument    int                `json:"argument"`
	Time        *time.Time         `json:"time"`
	Duration    float64            `json:"duration_seconds,omitempty"`
	SampleTypes []series.ValueType `json:"sample_types"`
	Binary      string             `json:"binary,omitempty"`
	Format      string             `json:"format"`
}

type jsonTrend struct {
	Class    series.Class `json:"class"`
	Values   []float64    `json:"values"`
	First    float64      `json:"first"`
	Last     float64      `json:"last"`
	Delta    float64      `json:"delta"`
	DeltaPct *float64     `json:"delta_pct"`
	Slope    float64      `json:"slope"`
	Up       int          `json:"up_steps"`
	Down     int          `json:"down_steps"`
	Tau      float64      `json:"tau"`
	PValue   *float64     `json:"p_value"`
	Noise    float64      `json:"noise"`
	Score    float64      `json:"score"`
}

type jsonRow struct {
	Key string `json:"key"`
	jsonTrend
	Function string               `json:"function"`
	File     string               `json:"file,omitempty"`
	Line     int64                `json:"line,omitempty"`
	Stacks   int                  `json:"stacks"`
	Alloc    float64              `json:"allocated,omitempty"`
	Churn    bool                 `json:"churn,omitempty"`
	Suspect  bool                 `json:"suspect"`
	Reasons  []string             `json:"reasons,omitempty"`
	Go       *jsonGo              `json:"goroutines,omitempty"`
	Retainer *heap.RetainerShape  `json:"retainer,omitempty"`
	HeldBy   string               `json:"held_by,omitempty"`
	AllocAt  *heap.AllocSite      `json:"alloc_site,omitempty"`
	Sizes    *heap.TypeStats      `json:"sizes,omitempty"`
	Cycle    *python.CycleInfo    `json:"cycle,omitempty"`
	Task     *python.TaskInfo     `json:"task,omitempty"`
	Resource *python.ResourceInfo `json:"resource,omitempty"`
	Stack    []series.Frame       `json:"stack"`
}

func trendJSON(t series.Trend) jsonTrend {
	j := jsonTrend{Class: t.Class, Values: t.Values, First: t.First, Last: t.Last, Delta: t.Delta,
		Slope: t.Slope, Up: t.Up, Down: t.Down, Tau: t.Tau, Noise: t.Noise, Score: t.Score}
	if t.HasPct {
		p := t.DeltaPct
		j.DeltaPct = &p
	}
	if t.HasP {
		p := t.PValue
		j.PValue = &p
	}
	return j
}

// JSON writes the result as an indented JSON document (schema "leakscan/diff").
func JSON(w io.Writer, res *series.Result, opt Options) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(jsonOf(res, opt))
}

// jsonOf builds the document of a result and, nested, of its related
// results.
func jsonOf(res *series.Result, opt Options) *jsonDoc {
	doc := &jsonDoc{
		Schema: "leakscan/diff", Version: SchemaVersion,
		Kind: string(res.Kind), SampleType: res.SampleType, By: res.By, RateUnit: "snapshot",
		Span:      res.Span.Seconds(),
		Verdict:   jsonVerdict{Text: VerdictLine(res), Suspects: res.Verdict.Suspects, Confirmed: res.Verdict.Confirmed, Growing: res.Verdict.Growing, Growth: res.Verdict.Growth, Snapshots: res.Verdict.Snaps},
		Total:     trendJSON(res.Total),
		RowsTotal: len(res.Rows),
		Rows:      []jsonRow{},
		Hidden:    res.Hidden,
		Focus:     res.Focus,
		Ignore:    res.Ignore,
		Warnings:  append([]string{}, res.Warnings...),
	}
	v := viewOf(res)
	v.jsonDoc(doc, res)
	if res.PerHour {
		doc.RateUnit = "hour"
	}
	for _, in := range res.Inputs {
		ji := jsonInput{Name: in.Name, Argument: in.Arg, Duration: in.Duration.Seconds(), SampleTypes: nonNil(in.SampleTypes), Binary: in.Binary, Format: in.Format}
		if !in.Time.IsZero() {
			t := in.Time
			ji.Time = &t
		}
		doc.Inputs = append(doc.Inputs, ji)
	}
	for _, r := range shown(res, opt) {
		j := jsonRow{Key: r.Key, jsonTrend: trendJSON(r.Trend),
			Function: r.Frame.Func, File: r.Frame.File, Line: r.Frame.Line, Stacks: r.Stacks, Stack: r.Stack,
			Alloc: r.Allocated, Churn: r.Churn, Suspect: r.Suspect, Reasons: r.Reasons}
		v.jsonRow(&j, r)
		doc.Rows = append(doc.Rows, j)
	}
	doc.Churn = []jsonChurn{}
	for _, r := range firstN(res.Churn, maxChurn) {
		doc.Churn = append(doc.Churn, jsonChurn{Key: r.Key, Allocated: r.Allocated, MaxInUse: r.Max})
	}
	for _, rel := range res.Related {
		doc.Related = append(doc.Related, jsonOf(rel, opt))
	}
	return doc
}
