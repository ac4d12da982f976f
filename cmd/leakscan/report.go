package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/leakscan/leakscan/report"
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
	if err := fm.make(); err != nil {
		return err
	}
	var doc bytes.Buffer
	if err := report.Document(&doc, a.res, report.Options{Top: opts.Top, Figures: fm.figs}); err != nil {
		return outputError{err}
	}
	if err := writeOutput(opts.Output, doc.Bytes()); err != nil {
		return err
	}
	pictures := fmt.Sprintf("%d pictures", assets.count)
	if assets.count == 1 {
		pictures = "1 picture"
	}
	fmt.Fprintf(s.ErrOut, "leakscan: wrote %s and %s in %s\n", opts.Output, pictures, assets.dir)
	return nil
}

// assetDir is the directory of a report's pictures: FILE.assets next to
// FILE.md.
type assetDir struct {
	dir   string // path on disk
	rel   string // as linked from the report
	count int
	made  bool
}

func newAssetDir(report string) *assetDir {
	base := strings.TrimSuffix(filepath.Base(report), filepath.Ext(report)) + ".assets"
	return &assetDir{dir: filepath.Join(filepath.Dir(report), base), rel: base}
}

// write saves one picture and returns its link relative to the report.
func (d *assetDir) write(name string, data []byte) (string, error) {
	if !d.made {
		if err := os.MkdirAll(d.dir, 0o755); err != nil {
			return "", outputError{err}
		}
		d.made = true
	}
	if err := os.WriteFile(filepath.Join(d.dir, name), data, 0o644); err != nil {
		return "", outputError{err}
	}
	d.count++
	return d.rel + "/" + name, nil
}
