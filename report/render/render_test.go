package render

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// smallDOT has boxes with labels, labelled edges, an ellipse, a dashed
// edge, a red filled node and the cycle a -> b -> c -> a.
const smallDOT = `digraph small {
  node [shape=box, fontname="Helvetica"];
  a [label="alpha\nfirst line"];
  b [label="beta"];
  c [label="gamma"];
  e [shape=ellipse, label="ellipse"];
  f [label="filled red", style=filled, fillcolor="#ff0000"];
  a -> b [label="ab"];
  b -> c [label="bc"];
  c -> a [label="ca"];
  a -> e [style=dashed];
  e -> f [label="ef"];
}
`

func renderPNG(t testing.TB, dot string) (image.Image, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := PNG(context.Background(), []byte(dot), &buf, PNGOptions{}); err != nil {
		t.Fatalf("PNG: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("decoding PNG: %v", err)
	}
	return img, buf.Bytes()
}

func renderSVG(t testing.TB, dot string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := SVG(context.Background(), []byte(dot), &buf); err != nil {
		t.Fatalf("SVG: %v", err)
	}
	return buf.Bytes()
}

// inked tells whether the pixel is not background: clearly darker than
// white.
func inked(img image.Image, x, y int) bool {
	r, g, b, _ := img.At(x, y).RGBA()
	return r>>8+g>>8+b>>8 < 3*225
}

// dark tells whether the pixel is close to black (an outline).
func dark(img image.Image, x, y int) bool {
	r, g, b, _ := img.At(x, y).RGBA()
	return r>>8 < 128 && g>>8 < 128 && b>>8 < 128
}

// near tells whether ok holds for a pixel within d pixels of (x, y).
func near(img image.Image, x, y float64, d int, ok func(image.Image, int, int) bool) bool {
	cx, cy := int(x+0.5), int(y+0.5)
	for dy := -d; dy <= d; dy++ {
		for dx := -d; dx <= d; dx++ {
			if (image.Point{cx + dx, cy + dy}).In(img.Bounds()) && ok(img, cx+dx, cy+dy) {
				return true
			}
		}
	}
	return false
}

// bezierAt evaluates the cubic piece p0..p3 at t.
func bezierAt(p0, p1, p2, p3 Point, t float64) Point {
	u := 1 - t
	a, b, c, d := u*u*u, 3*u*u*t, 3*u*t*t, t*t*t
	return Point{a*p0.X + b*p1.X + c*p2.X + d*p3.X, a*p0.Y + b*p1.Y + c*p2.Y + d*p3.Y}
}

func TestPNGMatchesLayout(t *testing.T) {
	l, err := Layout(context.Background(), []byte(smallDOT), PNGOptions{})
	if err != nil {
		t.Fatal(err)
	}
	img, _ := renderPNG(t, smallDOT)
	if got, want := img.Bounds().Size(), (image.Point{l.Width, l.Height}); got != want {
		t.Fatalf("PNG is %v, layout says %v", got, want)
	}
	for _, c := range []image.Point{{0, 0}, {l.Width - 1, 0}, {0, l.Height - 1}, {l.Width - 1, l.Height - 1}} {
		if r, g, b, _ := img.At(c.X, c.Y).RGBA(); r>>8 != 255 || g>>8 != 255 || b>>8 != 255 {
			t.Errorf("corner %v is not white", c)
		}
	}

	var names []string
	for _, n := range l.Nodes {
		names = append(names, n.Name)
		box := n.Box
		if box.Empty() || !box.In(img.Bounds()) {
			t.Errorf("node %s: box %v empty or outside %v", n.Name, box, img.Bounds())
			continue
		}
		// The middle of each side of the bounding box is on the outline,
		// for boxes and ellipses alike.
		mx, my := float64(box.Min.X+box.Max.X)/2, float64(box.Min.Y+box.Max.Y)/2
		sides := map[string][2]float64{
			"left": {float64(box.Min.X), my}, "right": {float64(box.Max.X), my},
			"top": {mx, float64(box.Min.Y)}, "bottom": {mx, float64(box.Max.Y)},
		}
		for side, p := range sides {
			if !near(img, p[0], p[1], 2, dark) {
				t.Errorf("node %s (%v): no outline at the %s side (%.0f,%.0f)", n.Name, box, side, p[0], p[1])
			}
		}
	}
	if want := []string{"a", "b", "c", "e", "f"}; !slices.Equal(names, want) {
		t.Errorf("nodes %v, want %v", names, want)
	}
	if got := l.Nodes[0].Label; got != "alpha\nfirst line" {
		t.Errorf("label of a = %q", got)
	}

	var edges []string
	for _, e := range l.Edges {
		edges = append(edges, e.Tail+"->"+e.Head)
		if !e.Spline || len(e.Points) < 4 || (len(e.Points)-1)%3 != 0 {
			t.Errorf("edge %s->%s: %d points, spline %v", e.Tail, e.Head, len(e.Points), e.Spline)
			continue
		}
		for i := 0; i+3 < len(e.Points); i += 3 {
			for _, tt := range []float64{0.25, 0.5, 0.75} {
				p := bezierAt(e.Points[i], e.Points[i+1], e.Points[i+2], e.Points[i+3], tt)
				if !near(img, p.X, p.Y, 2, inked) {
					t.Errorf("edge %s->%s: nothing drawn near (%.1f,%.1f), piece %d t=%v", e.Tail, e.Head, p.X, p.Y, i/3, tt)
				}
			}
		}
	}
	if want := []string{"a->b", "b->c", "c->a", "a->e", "e->f"}; !slices.Equal(edges, want) {
		t.Errorf("edges %v, want %v", edges, want)
	}
	if got := l.Edges[0].Label; got != "ab" {
		t.Errorf("label of a->b = %q", got)
	}

	// The filled node is red inside, away from its label.
	f := l.Nodes[4].Box
	for _, p := range []image.Point{{f.Min.X + 5, f.Min.Y + 5}, {f.Max.X - 6, f.Max.Y - 6}} {
		r, g, b, _ := img.At(p.X, p.Y).RGBA()
		if r>>8 < 200 || g>>8 > 60 || b>>8 > 60 {
			t.Errorf("filled node at %v is %v, want red", p, img.At(p.X, p.Y))
		}
	}
	// The others are not filled.
	a := l.Nodes[0].Box
	if inked(img, a.Min.X+5, a.Min.Y+5) {
		t.Errorf("node a is filled at %v", image.Pt(a.Min.X+5, a.Min.Y+5))
	}
}

func TestPNGScale(t *testing.T) {
	l1, err := Layout(context.Background(), []byte(smallDOT), PNGOptions{Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	l2, err := Layout(context.Background(), []byte(smallDOT), PNGOptions{Scale: 2})
	if err != nil {
		t.Fatal(err)
	}
	if l1.Scale != 1 || l2.Scale != 2 {
		t.Errorf("scales %v, %v", l1.Scale, l2.Scale)
	}
	if d := l2.Width - 2*l1.Width; d < -2 || d > 2 {
		t.Errorf("width at scale 2 is %d, at scale 1 %d", l2.Width, l1.Width)
	}
}

func TestDeterministic(t *testing.T) {
	_, p1 := renderPNG(t, smallDOT)
	_, p2 := renderPNG(t, smallDOT)
	if !bytes.Equal(p1, p2) {
		t.Error("two PNGs of the same graph differ")
	}
	if s1, s2 := renderSVG(t, smallDOT), renderSVG(t, smallDOT); !bytes.Equal(s1, s2) {
		t.Error("two SVGs of the same graph differ")
	}
}

func TestConcurrent(t *testing.T) {
	_, wantPNG := renderPNG(t, smallDOT)
	wantSVG := renderSVG(t, smallDOT)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 8 {
		wg.Go(func() {
			var p, s bytes.Buffer
			if err := PNG(context.Background(), []byte(smallDOT), &p, PNGOptions{}); err != nil {
				errs <- err
				return
			}
			if err := SVG(context.Background(), []byte(smallDOT), &s); err != nil {
				errs <- err
				return
			}
			if !bytes.Equal(p.Bytes(), wantPNG) || !bytes.Equal(s.Bytes(), wantSVG) {
				errs <- errors.New("a concurrent picture differs")
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// stylesDOT exercises fonts, line styles, gradients, records, clusters,
// arrow shapes and text outside Latin-1.
const stylesDOT = `digraph u {
  bgcolor="lightyellow";
  a [label="ü€中 ☃ é", fontname="Courier"];
  b [label=<<b>bold</b> <i>it</i> <u>under</u>>, color=grey40, style="dotted,setlinewidth(2)"];
  c [shape=doublecircle, style=filled, fillcolor="blue:red"];
  d [shape=record, label="{x|y}|z"];
  g [shape=box, style="rounded,filled", fillcolor="palegreen", fontname="Helvetica-Bold"];
  subgraph cluster_k { label="cluster"; style=dashed; e; }
  a -> b [color="red:blue", dir=both, arrowtail=diamond, label="two\lcolours\l"];
  b -> c [style=invis];
  b -> g [penwidth=3, arrowhead=odot];
  c -> d -> e;
  g -> e [style=dotted];
}`

func TestUnicodeAndStyles(t *testing.T) {
	dot := stylesDOT
	img, _ := renderPNG(t, dot)
	// The background is the graph's, margin included.
	if r, g, b, _ := img.At(0, 0).RGBA(); r>>8 != 0xff || g>>8 != 0xff || b>>8 != 0xe0 {
		t.Errorf("corner is %v, want lightyellow", img.At(0, 0))
	}
}

// TestWritePictures writes the small test graph and the 200-node graph
// as PNG (and SVG) into $LEAKSCAN_RENDER_OUT, for looking at them.
func TestWritePictures(t *testing.T) {
	dir := os.Getenv("LEAKSCAN_RENDER_OUT")
	if dir == "" {
		t.Skip("LEAKSCAN_RENDER_OUT not set")
	}
	for name, dot := range map[string]string{
		"render_small": smallDOT, "render_styles": stylesDOT,
		"render200": string(objectGraphDOT(200, 300)), "render200_filled": string(objectGraph(200, 300, true)),
	} {
		_, p := renderPNG(t, dot)
		if err := os.WriteFile(filepath.Join(dir, name+".png"), p, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".svg"), renderSVG(t, dot), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
