package render

import (
	"image/color"
	"strconv"
	"strings"
)

// Graphviz resolves colour names before writing xdot, so the operations
// normally carry "#rrggbb" or "#rrggbbaa". Names are still accepted, for
// the X11 colours Graphviz pictures commonly use; anything else is black.

var (
	black       = color.NRGBA{0, 0, 0, 0xff}
	white       = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	transparent = color.NRGBA{}
)

// namedColors holds the X11 colours accepted by name (lower case, without
// spaces; grey and gray are both spelt).
var namedColors = map[string]color.NRGBA{
	"black":        black,
	"white":        white,
	"none":         transparent,
	"transparent":  transparent,
	"invis":        transparent,
	"red":          {0xff, 0, 0, 0xff},
	"green":        {0, 0xff, 0, 0xff},
	"blue":         {0, 0, 0xff, 0xff},
	"yellow":       {0xff, 0xff, 0, 0xff},
	"cyan":         {0, 0xff, 0xff, 0xff},
	"magenta":      {0xff, 0, 0xff, 0xff},
	"orange":       {0xff, 0xa5, 0, 0xff},
	"purple":       {0xa0, 0x20, 0xf0, 0xff},
	"brown":        {0xa5, 0x2a, 0x2a, 0xff},
	"pink":         {0xff, 0xc0, 0xcb, 0xff},
	"navy":         {0, 0, 0x80, 0xff},
	"gold":         {0xff, 0xd7, 0, 0xff},
	"salmon":       {0xfa, 0x80, 0x72, 0xff},
	"gray":         {0xc0, 0xc0, 0xc0, 0xff},
	"lightgray":    {0xd3, 0xd3, 0xd3, 0xff},
	"darkgray":     {0xa9, 0xa9, 0xa9, 0xff},
	"dimgray":      {0x69, 0x69, 0x69, 0xff},
	"lightblue":    {0xad, 0xd8, 0xe6, 0xff},
	"lightyellow":  {0xff, 0xff, 0xe0, 0xff},
	"lightpink":    {0xff, 0xb6, 0xc1, 0xff},
	"lightgreen":   {0x90, 0xee, 0x90, 0xff},
	"palegreen":    {0x98, 0xfb, 0x98, 0xff},
	"darkgreen":    {0, 0x64, 0, 0xff},
	"darkred":      {0x8b, 0, 0, 0xff},
	"darkblue":     {0, 0, 0x8b, 0xff},
	"darkorange":   {0xff, 0x8c, 0, 0xff},
	"orangered":    {0xff, 0x45, 0, 0xff},
	"tomato":       {0xff, 0x63, 0x47, 0xff},
	"firebrick":    {0xb2, 0x22, 0x22, 0xff},
	"crimson":      {0xdc, 0x14, 0x3c, 0xff},
	"steelblue":    {0x46, 0x82, 0xb4, 0xff},
	"skyblue":      {0x87, 0xce, 0xeb, 0xff},
	"lightcyan":    {0xe0, 0xff, 0xff, 0xff},
	"khaki":        {0xf0, 0xe6, 0x8c, 0xff},
	"beige":        {0xf5, 0xf5, 0xdc, 0xff},
	"ivory":        {0xff, 0xff, 0xf0, 0xff},
	"lavender":     {0xe6, 0xe6, 0xfa, 0xff},
	"whitesmoke":   {0xf5, 0xf5, 0xf5, 0xff},
	"gainsboro":    {0xdc, 0xdc, 0xdc, 0xff},
	"lightsalmon":  {0xff, 0xa0, 0x7a, 0xff},
	"lightskyblue": {0x87, 0xce, 0xfa, 0xff},
}

// parseColor parses a Graphviz colour: "#rrggbb", "#rrggbbaa", "#rgb", a
// name from namedColors, or grayNN / greyNN (NN percent white). Unknown
// colours are black.
func parseColor(s string) color.NRGBA {
	s = strings.ToLower(strings.TrimSpace(s))
	if strings.HasPrefix(s, "#") {
		if c, ok := parseHex(s[1:]); ok {
			return c
		}
		return black
	}
	s = strings.ReplaceAll(strings.ReplaceAll(s, " ", ""), "grey", "gray")
	if c, ok := namedColors[s]; ok {
		return c
	}
	if rest, ok := strings.CutPrefix(s, "gray"); ok {
		if n, err := strconv.Atoi(rest); err == nil && n >= 0 && n <= 100 {
			v := uint8((n*255 + 50) / 100)
			return color.NRGBA{v, v, v, 0xff}
		}
	}
	return black
}

// parseHex parses rrggbb, rrggbbaa or rgb.
func parseHex(h string) (color.NRGBA, bool) {
	switch len(h) {
	case 3:
		h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
	case 6, 8:
	default:
		return black, false
	}
	v, err := strconv.ParseUint(h, 16, 32)
	if err != nil {
		return black, false
	}
	if len(h) == 6 {
		return color.NRGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff}, true
	}
	return color.NRGBA{uint8(v >> 24), uint8(v >> 16), uint8(v >> 8), uint8(v)}, true
}
