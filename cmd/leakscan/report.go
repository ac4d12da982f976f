package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/leakscan/leakscan/report"
	"github.com/leakscan/leakscan/report/units"
	"github.com/spf13/cobra"
)

// reportOptions are the flags of `leakscan report`.
type reportOptions struct {
	analysisFlags
	Output     string
	Top        int
	Pictures   int
	ShowValues bool
}

func newReportCmd(s streams) *cobra.Command {
	opts := &reportOptions{}
	cmd := &cobra.Command{
		Use:   "report INPUT... -o FILE.md",
		Short: "Write a Markdown bug report with its pictures: verdict, suspects, charts, graphs",
		Long: `Analyse a series of heap profiles, goroutine dumps or Python heap dumps as
diff does and write a Markdown document to attach to a bug report or a
post-mortem: the verdict on the first line, a line of keywords to search
issue trackers with, the suspects with sparklines, and for each of the top
suspects its stack or retainer path, a growth chart, and the picture that
explains it — the growth call graph (red grows, green shrinks) for
profiles and goroutines, the references that keep a Python type alive,
the ring of a reference cycle (also as an inline Mermaid diagram, which
GitHub and GitLab draw). Then the inputs with their times, and warnings.

The pictures go to FILE.assets/ next to FILE.md, linked relatively, so the
two can be attached or committed together. String values from dumps are
left out of pictures unless --show-values: dumps hold secrets.`,
		Example: `  leakscan report snap-*.pydump.gz -o leak-report.md
  leakscan report heap-*.pb.gz -o heap-report.md --pictures 5
  leakscan report goroutines/ -o goroutines.md`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return runReport(c.Context(), s, args, opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Output, "output", "o", "", "the Markdown file to write; pictures go to its .assets directory")
	f.IntVar(&opts.Top, "top", 20, "list this many rows per table (0 for all)")
	f.IntVar(&opts.Pictures, "pictures", 3, "draw pictures for this many top suspects of each analysis")
	f.BoolVar(&opts.ShowValues, "show-values", false, "show the text of strings and bytes in pictures (dumps hold secrets)")
	opts.analysisFlags.register(cmd, "sample", "by", "keep-profiler", "focus", "ignore", "long-wait")
	return cmd
}

func runReport(ctx context.Context, s streams, args []string, opts *reportOptions) error {
	if opts.Output == "" || opts.Output == "-" {
		return usageError{fmt.Errorf("give -o FILE.md: the report's pictures are written next to it")}
	}
	if opts.Top < 0 || opts.Pictures < 0 {
		return usageError{fmt.Errorf("--top and --pictures take 0 or more")}
	}
	if _, err := opts.analysisFlags.options(); err != nil {
		return err
	}
	a, err := analyzeArgs(s, "report", args, 1, opts.analysisFlags)
	if err != nil {
		return err
	}
	warn(s, a.res.Warnings)
	assets := newAssetDir(opts.Output)
	fm := &figureMaker{ctx: ctx, a: a, opts: opts, assets: assets, figs: map[string][]report.Figure{}}
	if _, err := rendererPath(); err != nil {
		fm.dotOnly = true // write the graphs as DOT: the report, not a failure
	}
	if err := fm.make(); err != nil {
		return err
	}
	var doc bytes.Buffer
	if err := report.Document(&doc, a.res, report.Options{Top: opts.Top, Figures: fm.figs}); err != nil {
		return outputError{err}
	}
	// Everything is made before anything is written: a failure leaves no
	// half-filled assets folder and no report linking pictures it lacks.
	if err := assets.flush(); err != nil {
		return err
	}
	if err := writeOutput(opts.Output, doc.Bytes()); err != nil {
		assets.remove()
		return err
	}
	fmt.Fprintf(s.ErrOut, "leakscan: wrote %s\n", reportSummary(opts.Output, assets, fm.dots))
	if fm.dots > 0 {
		fmt.Fprintf(s.ErrOut, "leakscan: %s not found (next to leakscan, on PATH or as $LEAKSCAN_RENDER): %s as DOT, not drawn; to draw graphs: %s\n",
			rendererName, units.Count(fm.dots, "graph")+" written", installHint())
	}
	return nil
}

// reportSummary says what a report run wrote: the document, and the
// pictures and DOT files in its assets folder when there are any.
func reportSummary(doc string, assets *assetDir, dots int) string {
	if len(assets.files) == 0 {
		return doc + " (no pictures)"
	}
	var parts []string
	if n := len(assets.files) - dots; n > 0 {
		parts = append(parts, units.Count(n, "picture"))
	}
	if dots > 0 {
		parts = append(parts, units.Count(dots, "DOT graph"))
	}
	return fmt.Sprintf("%s, and %s in %s", doc, strings.Join(parts, " and "), assets.dir)
}

// assetDir is the directory of a report's pictures: FILE.assets next to
// FILE.md. Pictures are kept in memory until flush writes them all.
type assetDir struct {
	dir     string // path on disk
	rel     string // as linked from the report
	files   []asset
	made    bool     // flush created dir
	written []string // paths flush wrote
}

// asset is one file of a report's assets.
type asset struct {
	name string
	data []byte
}

func newAssetDir(report string) *assetDir {
	base := strings.TrimSuffix(filepath.Base(report), filepath.Ext(report)) + ".assets"
	return &assetDir{dir: filepath.Join(filepath.Dir(report), base), rel: base}
}

// write keeps one picture for flush and returns its link relative to the
// report.
func (d *assetDir) write(name string, data []byte) (string, error) {
	d.files = append(d.files, asset{name, data})
	return d.rel + "/" + name, nil
}

// flush writes the pictures into the directory, creating it when there
// is something to write; on a failure it removes what it wrote.
func (d *assetDir) flush() error {
	if len(d.files) == 0 {
		return nil
	}
	if _, err := os.Stat(d.dir); os.IsNotExist(err) {
		if err := os.MkdirAll(d.dir, 0o755); err != nil {
			return outputError{err}
		}
		d.made = true
	}
	for _, f := range d.files {
		p := filepath.Join(d.dir, f.name)
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			d.remove()
			return outputError{err}
		}
		d.written = append(d.written, p)
	}
	return nil
}

// remove deletes what flush wrote, and the directory when flush made it.
func (d *assetDir) remove() {
	for _, p := range d.written {
		os.Remove(p)
	}
	if d.made {
		os.Remove(d.dir)
	}
}
