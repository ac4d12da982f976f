package render

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"testing"
)

// samePixels tells whether the decoded PNG shows exactly img (alpha aside:
// img is opaque).
func samePixels(t *testing.T, img *image.RGBA, data []byte) {
	t.Helper()
	got, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decoding: %v", err)
	}
	if got.Bounds() != img.Bounds() {
		t.Fatalf("bounds %v, want %v", got.Bounds(), img.Bounds())
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			want := img.RGBAAt(x, y)
			want.A = 0xff
			if c := color.RGBAModel.Convert(got.At(x, y)).(color.RGBA); c != want {
				t.Fatalf("pixel (%d,%d) is %v, want %v", x, y, c, want)
			}
		}
	}
}

func TestWriteTrueColor(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, size := range []image.Point{{1, 1}, {3, 200}, {257, 131}, {640, 700}} {
		img := image.NewRGBA(image.Rectangle{Max: size})
		for i := range img.Pix {
			img.Pix[i] = uint8(rng.IntN(256))
			if i%4 == 3 {
				img.Pix[i] = 0xff
			}
		}
		var buf bytes.Buffer
		if err := writeTrueColor(&buf, img); err != nil {
			t.Fatal(err)
		}
		samePixels(t, img, buf.Bytes())
	}
}

func TestEncodePaths(t *testing.T) {
	for name, dot := range map[string]string{
		"palette":    "digraph { a -> b -> c; a -> c [style=dashed] }",
		"true color": smallDOT, // red fill and black text: too many colours
	} {
		t.Run(name, func(t *testing.T) {
			l, err := Layout(context.Background(), []byte(dot), PNGOptions{})
			if err != nil {
				t.Fatal(err)
			}
			img := l.draw()
			if p := palettize(img); (p != nil) != (name == "palette") {
				t.Errorf("palettized: %v", p != nil)
			}
			var buf bytes.Buffer
			if err := encodePNG(&buf, img); err != nil {
				t.Fatal(err)
			}
			samePixels(t, img, buf.Bytes())
		})
	}
}
