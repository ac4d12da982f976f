package render

import (
	"fmt"
	"math"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gobolditalic"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/gofont/gomonobolditalic"
	"golang.org/x/image/font/gofont/gomonoitalic"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
)

// Pictures use the Go fonts bundled with golang.org/x/image, so that they
// look the same on every machine: Go Mono for monospaced faces (Courier,
// anything "Mono"), Go (sans) for the rest, each in regular, bold, italic
// and bold italic.

// fontStyle indexes fontFiles: mono<<2 | bold<<1 | italic.
type fontStyle int

const (
	styleItalic fontStyle = 1 << iota
	styleBold
	styleMono
)

var fontFiles = [8][]byte{
	goregular.TTF, goitalic.TTF, gobold.TTF, gobolditalic.TTF,
	gomono.TTF, gomonoitalic.TTF, gomonobold.TTF, gomonobolditalic.TTF,
}

var (
	fontsOnce sync.Once
	fonts     [8]*opentype.Font
	fontsErr  error
)

// parsedFonts parses the bundled fonts once, on first use. The parsed
// fonts are safe for concurrent use; the faces made from them are not.
func parsedFonts() ([8]*opentype.Font, error) {
	fontsOnce.Do(func() {
		for i, ttf := range fontFiles {
			f, err := opentype.Parse(ttf)
			if err != nil {
				fontsErr = fmt.Errorf("parsing bundled font %d: %w", i, err)
				return
			}
			fonts[i] = f
		}
	})
	return fonts, fontsErr
}

// styleOf picks the bundled font for a Graphviz font name and the xdot
// font characteristics (bit 1 bold, bit 2 italic).
func styleOf(face string, fontchar int) fontStyle {
	f := strings.ToLower(face)
	var s fontStyle
	if strings.Contains(f, "mono") || strings.Contains(f, "courier") || strings.Contains(f, "consol") {
		s |= styleMono
	}
	if strings.Contains(f, "bold") || strings.Contains(f, "black") || strings.Contains(f, "heavy") || fontchar&1 != 0 {
		s |= styleBold
	}
	if strings.Contains(f, "italic") || strings.Contains(f, "oblique") || fontchar&2 != 0 {
		s |= styleItalic
	}
	return s
}

// faceKey identifies a face: a style and a size in quarter pixels.
type faceKey struct {
	style fontStyle
	size  int
}

// faceCache makes font faces on demand and keeps them for one drawing.
// Faces are not safe for concurrent use, so each drawing has its own
// cache; the expensive part, parsing the font files, is shared.
type faceCache struct {
	fonts [8]*opentype.Font
	faces map[faceKey]font.Face
}

func newFaceCache() (*faceCache, error) {
	fs, err := parsedFonts()
	if err != nil {
		return nil, err
	}
	return &faceCache{fonts: fs, faces: make(map[faceKey]font.Face)}, nil
}

// face returns the face of the style at size pixels, rounded down to a
// quarter pixel (at least one pixel). It returns nil if the face cannot
// be made.
func (c *faceCache) face(style fontStyle, size float64) font.Face {
	q := max(int(math.Floor(size*4)), 4)
	k := faceKey{style, q}
	if f, ok := c.faces[k]; ok {
		return f
	}
	f, err := opentype.NewFace(c.fonts[style], &opentype.FaceOptions{
		Size:    float64(q) / 4,
		DPI:     72,
		Hinting: font.HintingNone,
	})
	if err != nil {
		f = nil
	}
	c.faces[k] = f
	return f
}

// close releases the faces.
func (c *faceCache) close() {
	for _, f := range c.faces {
		if f != nil {
			f.Close()
		}
	}
}
