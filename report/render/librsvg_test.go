package render

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestSVGThroughLibrsvg draws the SVG of every DOT golden of the bundled
// data (growth call graphs, object graphs, rings) with rsvg-convert —
// librsvg, the usual SVG renderer outside browsers, which draws DejaVu
// Sans where the layout measured Helvetica — and checks the pixels: no
// text is cut at the picture's edges (a ring's title was), and no node's
// text runs past its box (issue 20, item 7): strips just outside each box,
// beside its lines of text, stay blank. .ci/run installs librsvg2-bin.
func TestSVGThroughLibrsvg(t *testing.T) {
	rsvg, err := exec.LookPath("rsvg-convert")
	if err != nil {
		t.Skip("rsvg-convert not installed (apt-get install librsvg2-bin); .ci/run installs it")
	}
	var dots []string
	for _, g := range []string{"../dot/testdata/callgraph/*-leaky.default.dot", "../../cmd/leakscan/testdata/*.dot"} {
		m, _ := filepath.Glob(g)
		dots = append(dots, m...)
	}
	if len(dots) < 6 {
		t.Fatalf("found %d DOT goldens", len(dots))
	}
	for _, p := range dots {
		t.Run(filepath.Base(p), func(t *testing.T) {
			dot, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			svg := renderSVG(t, string(dot))
			cmd := exec.Command(rsvg, "-b", "white")
			cmd.Stdin = bytes.NewReader(svg)
			var errb bytes.Buffer
			cmd.Stderr = &errb
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("rsvg-convert: %v %s", err, errb.String())
			}
			img, err := png.Decode(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			checkLibrsvgPixels(t, svg, img)
		})
	}
}

var (
	svgViewBox   = regexp.MustCompile(`viewBox="([-0-9.]+) ([-0-9.]+) ([-0-9.]+) ([-0-9.]+)"`)
	svgTranslate = regexp.MustCompile(`class="graph" transform="scale\(([0-9.]+) [0-9.]+\) rotate\(0\) translate\(([-0-9.]+) ([-0-9.]+)\)"`)
	svgPolygon   = regexp.MustCompile(`<(?:polygon|ellipse)[^>]* points="([^"]+)"`)
	svgText      = regexp.MustCompile(`<text[^>]* y="([-0-9.]+)"[^>]* font-size="([0-9.]+)"`)
)

// checkLibrsvgPixels checks the rendered picture of svg: its first and
// last columns and rows blank, and for each node two strips, 2.5 to 5
// points outside its box (clear of a border 2 points wide) on the left and right, blank on the rows of its
// text.
func checkLibrsvgPixels(t *testing.T, svg []byte, img image.Image) {
	t.Helper()
	vb := svgViewBox.FindSubmatch(svg)
	tr := svgTranslate.FindSubmatch(svg)
	if vb == nil || tr == nil {
		t.Fatal("no viewBox or graph transform in the SVG")
	}
	num := func(b []byte) float64 { v, _ := strconv.ParseFloat(string(b), 64); return v }
	b := img.Bounds()
	sx := float64(b.Dx()) / num(vb[3])
	sy := float64(b.Dy()) / num(vb[4])
	scale, dx, dy := num(tr[1]), num(tr[2]), num(tr[3])
	px := func(x, y float64) (int, int) {
		return int(math.Round((x + dx) * scale * sx)), int(math.Round((y + dy) * scale * sy))
	}
	ink := func(x0, y0, x1, y1 int) int {
		n := 0
		for y := max(y0, b.Min.Y); y <= min(y1, b.Max.Y-1); y++ {
			for x := max(x0, b.Min.X); x <= min(x1, b.Max.X-1); x++ {
				if inked(img, x, y) {
					n++
				}
			}
		}
		return n
	}
	if n := ink(0, 0, 0, b.Max.Y) + ink(b.Max.X-1, 0, b.Max.X-1, b.Max.Y) + ink(0, 0, b.Max.X, 0) + ink(0, b.Max.Y-1, b.Max.X, b.Max.Y-1); n > 0 {
		t.Errorf("%d inked pixels on the picture's edges: something is cut off", n)
	}
	for _, node := range strings.Split(string(svg), `class="node"`)[1:] {
		node, _, _ = strings.Cut(node, "</g>\n</g>")
		minX, maxX := math.Inf(1), math.Inf(-1)
		for _, m := range svgPolygon.FindAllStringSubmatch(node, -1) {
			for _, pt := range strings.Fields(m[1]) {
				x, _, _ := strings.Cut(pt, ",")
				v, _ := strconv.ParseFloat(x, 64)
				minX, maxX = math.Min(minX, v), math.Max(maxX, v)
			}
		}
		if math.IsInf(minX, 0) {
			continue
		}
		for _, m := range svgText.FindAllStringSubmatch(node, -1) {
			y, _ := strconv.ParseFloat(m[1], 64)
			fs, _ := strconv.ParseFloat(m[2], 64)
			lx0, top := px(minX-5, y-0.7*fs)
			lx1, bottom := px(minX-2.5, y)
			rx0, _ := px(maxX+2.5, y)
			rx1, _ := px(maxX+5, y)
			if n := ink(lx0, top, lx1, bottom) + ink(rx0, top, rx1, bottom); n > 0 {
				title, _, _ := strings.Cut(node[strings.Index(node, "<title>")+7:], "<")
				t.Errorf("node %s: text past its box (%d inked pixels beside it)", title, n)
			}
		}
	}
}
