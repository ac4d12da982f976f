package main

import (
	"bytes"
	"context"
	"fmt"

	"github.com/leakscan/leakscan/analyze"
	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/python"
	"github.com/leakscan/leakscan/report/dot"
	"github.com/spf13/cobra"
)

// graphOptions are the flags of `leakscan graph`.
type graphOptions struct {
	Type, ID        string
	Cycle           int
	Backrefs, Refs  bool
	Depth, MaxNodes int
	TooMany, Starts int
	ShowValues      bool
	Output          string
}

func newGraphCmd(s streams) *cobra.Command {
	opts := &graphOptions{}
	cmd := &cobra.Command{
		Use:   "graph SNAPSHOT... (--type NAME | --id ID | --cycle N) -o FILE.{dot,svg,png}",
		Short: "Draw the objects around a type, an object or a cycle, like objgraph",
		Long: `Draw part of the last heap dump's object graph, as objgraph's
show_backrefs and show_refs do: one box per object with its type and a
short value or its size, each reference labelled with its attribute, key
or index. The start objects are yellow, roots and modules green, other
boxes greyer the farther they are; types that grew across the series are
red. Where an object has more than --too-many neighbours the rest are
summed up in one "N more references" box.

--backrefs (the default) follows references back towards the roots, and
always keeps each start object's shortest retainer path whole, so the
picture explains why it is alive. --refs follows references out of it.
--cycle N draws the ring of the N-th cycle group as ` + "`leakscan cycles`" + ` lists it,
with the edge to break in red.

String values are left out unless --show-values: dumps hold secrets.
The picture's format comes from the file name: .dot, .svg or .png (drawn
without a system Graphviz). Without -o the DOT goes to stdout.

Given several dumps or a directory, graph answers for the last one (a
directory's files are taken sorted by name), as top and path do; the
earlier ones say which types grew and which instances are new.`,
		Example: `  leakscan graph snap-*.pydump.gz --type ClientResponse -o refs.png
  leakscan graph snap-5.pydump.gz --id 0x7f3a2c1e8d40 --refs --depth 2 -o obj.svg
  leakscan graph snap-*.pydump.gz --cycle 1 -o ring.png`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return runGraph(c.Context(), s, args, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Type, "type", "", "start at instances of this type (full or short name)")
	f.StringVar(&opts.ID, "id", "", "start at the object with this id")
	f.IntVar(&opts.Cycle, "cycle", 0, "draw the ring of this cycle group (from 1)")
	f.BoolVar(&opts.Backrefs, "backrefs", false, "follow references back to the roots (the default)")
	f.BoolVar(&opts.Refs, "refs", false, "follow references out of the start objects")
	f.IntVar(&opts.Depth, "depth", 3, "hops from the start objects (objgraph's max_depth; backrefs also keep the whole retainer path)")
	f.IntVar(&opts.MaxNodes, "max-nodes", 100, "draw at most this many objects")
	f.IntVar(&opts.TooMany, "too-many", 10, "draw at most this many neighbours of one object")
	f.IntVar(&opts.Starts, "starts", 3, "with --type, start at this many instances (those retaining most)")
	f.BoolVar(&opts.ShowValues, "show-values", false, "show the text of strings and bytes (dumps hold secrets)")
	f.StringVarP(&opts.Output, "output", "o", "", "write the picture to this file: .dot, .svg or .png")
	return cmd
}

func runGraph(ctx context.Context, s streams, args []string, opts *graphOptions) error {
	starts := 0
	for _, set := range []bool{opts.Type != "", opts.ID != "", opts.Cycle != 0} {
		if set {
			starts++
		}
	}
	if starts != 1 {
		return usageError{fmt.Errorf("give one of --type NAME, --id ID or --cycle N")}
	}
	if opts.Backrefs && opts.Refs {
		return usageError{fmt.Errorf("--backrefs and --refs exclude each other")}
	}
	if opts.Cycle < 0 || opts.MaxNodes < 1 || opts.TooMany < 1 || opts.Depth < 0 || opts.Starts < 1 {
		return usageError{fmt.Errorf("--cycle, --depth, --max-nodes, --too-many and --starts take positive numbers")}
	}
	if opts.Output != "" && opts.Output != "-" {
		if _, err := pictureFormat(opts.Output); err != nil {
			return err // before the long part
		}
	}
	var id uint64
	if opts.ID != "" {
		var err error
		if id, err = parseID(opts.ID); err != nil {
			return err
		}
	}
	srcs, err := readArgs(s, "graph", args, 1)
	if err != nil {
		return err
	}
	l, err := loadSeries(s, srcs, analyze.KindHeapDump)
	if err != nil {
		return err
	}
	defer l.bar.end()
	l.bar.setStage("selecting objects")
	og, err := objectGraphOf(l.Series, opts, id)
	if err != nil {
		return err
	}
	l.bar.end()
	warn(s, l.Warnings())
	return writePicture(ctx, s, opts.Output, func(b *bytes.Buffer) error { return dot.ObjGraphDOT(b, og) })
}

// objectGraphOf selects what `leakscan graph` draws, from the last dump.
func objectGraphOf(ser *analyze.Series, opts *graphOptions, id uint64) (*heap.ObjGraph, error) {
	ds := ser.Dumps
	grown, err := grownTypes(ds)
	if err != nil {
		return nil, err
	}
	if opts.Cycle > 0 {
		cyc, err := ser.Run("cycles", analyze.Options{})
		if err != nil {
			return nil, usageError{fmt.Errorf("--cycle: %w", err)}
		}
		if opts.Cycle > len(cyc.Rows) {
			return nil, usageError{fmt.Errorf("--cycle %d: the dumps hold %d cycle groups", opts.Cycle, len(cyc.Rows))}
		}
		return python.RingGraph(cyc.Rows[opts.Cycle-1], grown)
	}
	o := heap.ObjGraphOptions{Type: opts.Type, Refs: opts.Refs, Depth: opts.Depth, Starts: opts.Starts,
		MaxNodes: opts.MaxNodes, TooMany: opts.TooMany, Grown: grown, ShowValues: opts.ShowValues, Since: earliest(ds)}
	if opts.ID != "" {
		o.ID, o.HasID = id, true
	}
	og, err := heap.ObjectGraph(ds.Dumps[len(ds.Dumps)-1], o)
	if err != nil {
		return nil, usageError{err}
	}
	return og, nil
}

// grownTypes are the types that are suspects across a series of dumps;
// none for one dump.
func grownTypes(ds *heap.DumpSeries) ([]string, error) {
	if len(ds.Dumps) < 2 {
		return nil, nil
	}
	res, err := heap.DiffTypes(ds, heap.TypeOptions{})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range res.Suspects() {
		out = append(out, r.Key)
	}
	return out, nil
}
