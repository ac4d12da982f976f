package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/leakscan/leakscan/analyze"
	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/report"
	"github.com/spf13/cobra"
)

// topOptions are the flags of `leakscan top`.
type topOptions struct {
	seriesOptions
	Sample, Focus, Ignore string
}

func newTopCmd(s streams) *cobra.Command {
	opts := &topOptions{}
	cmd := &cobra.Command{
		Use:   "top SNAPSHOT... | DIR",
		Short: "The most common types of a heap dump, with their sizes",
		Long: `List the types of one heap dump by instance count, shallow bytes or
retained bytes — what freeing every instance would free, counting an
instance dominated by another of its own type once (the dominator tree of
the object graph decides). Given several dumps or a directory, top answers
for the last one (a directory's files are taken sorted by name), as path
and graph do; diff compares them all.`,
		Example: `  leakscan top snap-3.pydump.gz
  leakscan top snap-3.pydump.gz --sample retained --top 30
  leakscan top snaps/ --focus '^myapp\.'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if err := opts.check(); err != nil {
				return err
			}
			srcs, err := readArgs(s, "top", args, 1)
			if err != nil {
				return err
			}
			l, err := loadSeries(s, srcs[len(srcs)-1:], analyze.KindHeapDump)
			if err != nil {
				return err
			}
			a, err := analyzeSeries(l, analysisFlags{Sample: opts.Sample, Focus: opts.Focus, Ignore: opts.Ignore}, false)
			if err != nil {
				return err
			}
			return writeReport(s, opts.Output, opts.Format, a.res, report.Options{Top: opts.Top})
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Sample, "sample", "objects", "rank by objects, shallow or retained")
	f.StringVar(&opts.Focus, "focus", "", "keep only types whose name matches this regexp")
	f.StringVar(&opts.Ignore, "ignore", "", "drop types whose name matches this regexp")
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
		Use:   "path SNAPSHOT... | DIR (--type NAME | --id ID)",
		Short: "Why an object is alive: its chain of references back to a root",
		Long: `Print the shortest chain of references from a root (a module, a
thread's frame, an object held from outside the traced heap) to an object
of a heap dump, with each edge's label — the attribute, dict key, index or
frame local — like objgraph's find_backref_chain. With --type, the path
most instances of that type share, and how many share it. Given several
dumps or a directory, path answers for the last one (a directory's files
are taken sorted by name), as top and graph do.`,
		Example: `  leakscan path snap-3.pydump.gz --type aiohttp.client_reqrep.ClientResponse
  leakscan path snap-3.pydump.gz --id 140234567890`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if (opts.Type == "") == (opts.ID == "") {
				return usageError{fmt.Errorf("give one of --type NAME or --id ID")}
			}
			var id uint64
			if opts.ID != "" {
				var err error
				if id, err = parseID(opts.ID); err != nil {
					return err
				}
			}
			srcs, err := readArgs(s, "path", args, 1)
			if err != nil {
				return err
			}
			l, err := loadSeries(s, srcs[len(srcs)-1:], analyze.KindHeapDump)
			if err != nil {
				return err
			}
			l.bar.end()
			warn(s, l.Warnings())
			hd := l.Dumps.Dumps[0]
			var rs *heap.RetainerShape
			if opts.Type != "" {
				typ, err := heap.ResolveType(hd.Dump.Heap, opts.Type)
				if err != nil {
					return usageError{fmt.Errorf("%s: %w", hd.Name, err)}
				}
				rs = heap.CommonRetainerShape(hd, typ)
				if rs == nil {
					return usageError{fmt.Errorf("no reachable object of type %q in %s", typ, hd.Name)}
				}
			} else if rs, err = heap.RetainerOf(hd, id); err != nil {
				return usageError{err}
			}
			_, err = fmt.Fprint(s.Out, report.RetainerText(rs))
			return err
		},
	}
	cmd.Flags().StringVar(&opts.Type, "type", "", "the type: its full name (module.qualname), or its short name when only one type has it")
	cmd.Flags().StringVar(&opts.ID, "id", "", "the object's id (as the dump records it: decimal, or hex with 0x)")
	return cmd
}

// parseID reads an object id, decimal or hex with 0x.
func parseID(s string) (uint64, error) {
	base := 10
	if strings.HasPrefix(s, "0x") {
		base = 16
	}
	id, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), base, 64)
	if err != nil {
		return 0, usageError{fmt.Errorf("--id %q: expected a number", s)}
	}
	return id, nil
}
