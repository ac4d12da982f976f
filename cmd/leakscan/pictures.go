package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/leakscan/leakscan/report/render"
)

// pictureFormat is the format a picture file's name asks for.
func pictureFormat(path string) (string, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".dot", ".gv":
		return "dot", nil
	case ".svg":
		return "svg", nil
	case ".png":
		return "png", nil
	default:
		return "", usageError{fmt.Errorf("%s: expected a file name ending in .dot, .svg or .png", path)}
	}
}

// drawDOT turns DOT into the picture format asked for. Only SVG and PNG
// start the layout engine.
func drawDOT(ctx context.Context, dot []byte, format string) ([]byte, error) {
	var out bytes.Buffer
	var err error
	switch format {
	case "dot":
		return dot, nil
	case "svg":
		err = render.SVG(ctx, dot, &out)
	case "png":
		err = render.PNG(ctx, dot, &out, render.PNGOptions{})
	default:
		err = fmt.Errorf("unknown picture format %q", format)
	}
	if err != nil {
		return nil, outputError{err}
	}
	return out.Bytes(), nil
}

// writePicture draws DOT into the file path (its extension picks the
// format), or writes the DOT to stdout when path is "" or "-".
func writePicture(ctx context.Context, s streams, path string, write func(*bytes.Buffer) error) error {
	var dot bytes.Buffer
	if err := write(&dot); err != nil {
		return outputError{err}
	}
	if path == "" || path == "-" {
		if _, err := s.Out.Write(dot.Bytes()); err != nil {
			return outputError{err}
		}
		return nil
	}
	format, err := pictureFormat(path)
	if err != nil {
		return err
	}
	pic, err := drawDOT(ctx, dot.Bytes(), format)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, pic, 0o644); err != nil {
		return outputError{err}
	}
	return nil
}
