package render

import (
	"context"
	"image"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

var brokenEdge = regexp.MustCompile(`(?m)^  (n\d+) -> (n\d+) \[.*style="(?:dashed|dotted)"`)

// outlineAt tells whether the box's outline shows near (x, y): some pixel
// within 2 px differs clearly from the box's fill, read 5 px inside.
func outlineAt(img image.Image, x, y, inX, inY int) bool {
	fr, fg, fb, _ := img.At(inX, inY).RGBA()
	for dy := -2; dy <= 2; dy++ {
		for dx := -2; dx <= 2; dx++ {
			r, g, b, _ := img.At(x+dx, y+dy).RGBA()
			if absDiff(r, fr)+absDiff(g, fg)+absDiff(b, fb) > 60 {
				return true
			}
		}
	}
	return false
}

func absDiff(a, b uint32) int {
	d := int(a>>8) - int(b>>8)
	if d < 0 {
		return -d
	}
	return d
}

// TestLeakscanPictures draws the DOT leakscan wrote for the bundled
// series (the goldens of cmd/leakscan) and checks the PNG against the
// layout: its size, an outline on every side of every node's box, and ink
// along every edge.
func TestLeakscanPictures(t *testing.T) {
	paths, _ := filepath.Glob("../../cmd/leakscan/testdata/*.dot")
	if len(paths) < 5 {
		t.Fatalf("goldens: %v", paths)
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			dot, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			l, err := Layout(context.Background(), dot, PNGOptions{})
			if err != nil {
				t.Fatal(err)
			}
			img, _ := renderPNG(t, string(dot))
			if got, want := img.Bounds().Size(), (image.Point{l.Width, l.Height}); got != want {
				t.Fatalf("PNG is %v, layout says %v", got, want)
			}
			if len(l.Nodes) == 0 || len(l.Edges) == 0 {
				t.Fatalf("%d nodes, %d edges", len(l.Nodes), len(l.Edges))
			}
			for _, n := range l.Nodes {
				b := n.Box
				// Each side, a quarter of the way along (away from the
				// edges' ends and the centred label), against the fill
				// just inside it.
				qx, qy := b.Min.X+b.Dx()/4, b.Min.Y+b.Dy()/4
				for _, s := range [][4]int{
					{b.Min.X, qy, b.Min.X + 5, qy}, {b.Max.X - 1, qy, b.Max.X - 6, qy},
					{qx, b.Min.Y, qx, b.Min.Y + 5}, {qx, b.Max.Y - 1, qx, b.Max.Y - 6},
				} {
					if !outlineAt(img, s[0], s[1], s[2], s[3]) {
						t.Errorf("node %s %q: no outline near (%d,%d)", n.Name, n.Label, s[0], s[1])
					}
				}
			}
			// A dashed or dotted edge may have a gap at a sample point:
			// look farther along it.
			broken := map[string]bool{}
			for _, m := range brokenEdge.FindAllStringSubmatch(string(dot), -1) {
				broken[m[1]+"->"+m[2]] = true
			}
			for _, e := range l.Edges {
				d := 2
				if broken[e.Tail+"->"+e.Head] {
					d = 6
				}
				for i := 0; e.Spline && i+3 < len(e.Points); i += 3 {
					for _, tt := range []float64{0.25, 0.5, 0.75} {
						q := bezierAt(e.Points[i], e.Points[i+1], e.Points[i+2], e.Points[i+3], tt)
						if !near(img, q.X, q.Y, d, inked) {
							t.Errorf("edge %s->%s: nothing drawn near (%.1f,%.1f)", e.Tail, e.Head, q.X, q.Y)
						}
					}
				}
			}
		})
	}
}
