package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"
)

// renderTimeout bounds one picture's layout; graphs are trimmed before
// drawing, so this only stops a layout gone wrong.
const renderTimeout = 2 * time.Minute

// rendererName is the program that draws SVG and PNG (cmd/leakscan-render).
const rendererName = "leakscan-render"

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

// rendererPath finds leakscan-render: $LEAKSCAN_RENDER, else next to this
// executable, else on $PATH.
func rendererPath() (string, error) {
	if p := os.Getenv("LEAKSCAN_RENDER"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("drawing SVG and PNG needs %s: $LEAKSCAN_RENDER names %s, which is not there (%s); .dot files need nothing", rendererName, p, installHint())
		}
		return p, nil
	}
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), rendererName)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
	}
	if p, err := exec.LookPath(rendererName); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("drawing SVG and PNG needs %s next to leakscan or on PATH (%s); .dot files need nothing", rendererName, installHint())
}

// modulePath is the module leakscan is built from.
const modulePath = "github.com/leakscan/leakscan"

// installHint says how to install leakscan-render: go install with the
// version of this leakscan when the build knows it (not a local build,
// "(devel)" or "+dirty"), else @latest — without a version, go install of
// a path outside a clone matches no packages.
func installHint() string {
	v := "latest"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Path == modulePath && strings.HasPrefix(bi.Main.Version, "v") && !strings.Contains(bi.Main.Version, "+") {
		v = bi.Main.Version
	}
	return "go install " + modulePath + "/cmd/" + rendererName + "@" + v + "; from a clone: go install ./cmd/..."
}

// drawDOT turns DOT into the picture format asked for. SVG and PNG are
// drawn by leakscan-render in its own process: the layout engine's
// start-up is paid only by the commands that draw, and a layout can be
// stopped.
func drawDOT(ctx context.Context, dot []byte, format string) ([]byte, error) {
	if format == "dot" {
		return dot, nil
	}
	path, err := rendererPath()
	if err != nil {
		return nil, outputError{err}
	}
	ctx, cancel := context.WithTimeout(ctx, renderTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, format)
	var out, errOut bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(dot), &out, &errOut
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errOut.String())
		switch {
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			msg = fmt.Sprintf("laying out the graph took more than %s; draw fewer nodes", renderTimeout)
		case msg == "":
			msg = err.Error()
		}
		return nil, outputError{fmt.Errorf("drawing %s: %s", format, strings.TrimPrefix(msg, rendererName+": "))}
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
	if err := writeOutput(path, pic); err != nil {
		return err
	}
	return nil
}
