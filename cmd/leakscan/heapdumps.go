package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/leakscan/leakscan/analyze"
	"github.com/leakscan/leakscan/report"
	"github.com/spf13/cobra"
)

// analyzeHeapDumps is `leakscan top` on Python heap dumps.
func analyzeHeapDumps(s streams, srcs []analyze.Source, sample, focus string, opts *seriesOptions) error {
	return reportOnDumps(s, srcs, opts, func(ds *analyze.DumpSeries) (*analyze.Result, error) {
		return dumpAnalysis(ds, sample, focus, false)
	})
}

// topOptions are the flags of `leakscan top`.
type topOptions struct {
	seriesOptions
	Sample, Focus string
}

func newTopCmd(s streams) *cobra.Command {
	opts := &topOptions{}
	cmd := &cobra.Command{
		Use:   "top SNAPSHOT",
		Short: "The most common types of a Python heap dump, with their sizes",
		Long: `List the types of one heap dump (written by leakscan_dump.py) by
instance count, shallow bytes or retained bytes — what freeing every
instance would free, counting an instance dominated by another of its own
type once (the dominator tree of the object graph decides).`,
		Example: `  leakscan top snap-3.pydump.gz
  leakscan top snap-3.pydump.gz --sample retained --top 30`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			srcs, err := analyze.ReadSources(args, s.In, nil)
			if err != nil {
				return err
			}
			return analyzeHeapDumps(s, srcs, opts.Sample, opts.Focus, &opts.seriesOptions)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Sample, "sample", "objects", "rank by objects, shallow or retained")
	f.StringVar(&opts.Focus, "focus", "", "keep only types whose name contains this text")
	opts.flags(cmd, "types")
	return cmd
}

// pathOptions are the flags of `leakscan path`.
type pathOptions struct {
	Type string
	ID   string
}

func newPathCmd(s streams) *cobra.Command {
	opts := &pathOptions{}
	cmd := &cobra.Command{
		Use:   "path SNAPSHOT (--type NAME | --id ID)",
		Short: "Why an object is alive: its chain of references back to a root",
		Long: `Print the shortest chain of references from a root (a module, a
thread's frame, an object held from outside the traced heap) to an object
of a Python heap dump, with each edge's label — the attribute, dict key,
index or frame local — like objgraph's find_backref_chain. With --type,
the path most instances of that type share, and how many share it.`,
		Example: `  leakscan path snap-3.pydump.gz --type aiohttp.client_reqrep.ClientResponse
  leakscan path snap-3.pydump.gz --id 140234567890`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if (opts.Type == "") == (opts.ID == "") {
				return usageError{fmt.Errorf("give one of --type NAME or --id ID")}
			}
			srcs, err := analyze.ReadSources(args, s.In, nil)
			if err != nil {
				return err
			}
			ds, err := analyze.LoadHeapDumps(srcs)
			if err != nil {
				return err
			}
			hd := ds.Dumps[0]
			var rs *analyze.RetainerShape
			if opts.Type != "" {
				rs = analyze.CommonRetainerShape(hd, opts.Type)
				if rs == nil {
					return usageError{fmt.Errorf("no reachable object of type %q in %s", opts.Type, hd.Name)}
				}
			} else {
				id, err := strconv.ParseUint(strings.TrimPrefix(opts.ID, "0x"), baseOf(opts.ID), 64)
				if err != nil {
					return usageError{fmt.Errorf("--id %q: expected a number", opts.ID)}
				}
				if rs, err = analyze.RetainerOf(hd, id); err != nil {
					return usageError{err}
				}
			}
			_, err = fmt.Fprint(s.Out, report.RetainerText(rs))
			return err
		},
	}
	cmd.Flags().StringVar(&opts.Type, "type", "", "the type's name, module.qualname")
	cmd.Flags().StringVar(&opts.ID, "id", "", "the object's id (as id() printed it)")
	return cmd
}

func baseOf(s string) int {
	if strings.HasPrefix(s, "0x") {
		return 16
	}
	return 10
}
