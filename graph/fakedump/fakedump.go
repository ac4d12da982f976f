// Package fakedump reads a tiny text format of object graphs that exists
// only to show, in tests, what a new heap-dump format costs: this reader
// plus one row of analyze's format registry give every object-graph
// analysis, command and picture leakscan has. It imports only graph, as
// every reader under graph/ does.
//
// The format, one record per line, fields separated by single spaces:
//
//	fakedump 1
//	time 2026-01-02T03:04:05Z
//	node ID TYPE SIZE [VALUE]
//	edge FROM-ID TO-ID KIND [LABEL]
//	root ID KIND [LABEL]
//
// Ids are decimal; edges and roots may name nodes defined later. Blank
// lines and lines starting with # are skipped.
package fakedump

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/leakscan/leakscan/graph"
)

// Magic starts every fake dump.
const Magic = "fakedump 1"

// Dump is a fake dump: its graph and its time.
type Dump struct {
	Heap *graph.Heap
	Time time.Time
}

// Error is a line of a fake dump and what was wrong with it.
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// Parse reads a fake dump.
func Parse(data []byte) (*Dump, error) {
	b := graph.NewBuilder()
	d := &Dump{}
	index := map[uint64]int32{}
	type ref struct {
		line        int
		from, to    uint64
		kind, label string
		root        bool
	}
	var refs []ref
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if line == 1 {
			if text != Magic {
				return nil, &Error{1, fmt.Sprintf("expected %q", Magic)}
			}
			continue
		}
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Split(text, " ")
		bad := func(want string) error { return &Error{line, "expected " + want} }
		switch f[0] {
		case "time":
			if len(f) != 2 {
				return nil, bad("time RFC3339")
			}
			t, err := time.Parse(time.RFC3339Nano, f[1])
			if err != nil {
				return nil, bad("time RFC3339")
			}
			d.Time = t
		case "node":
			if len(f) < 4 || len(f) > 5 {
				return nil, bad("node ID TYPE SIZE [VALUE]")
			}
			id, err1 := strconv.ParseUint(f[1], 10, 64)
			size, err2 := strconv.ParseInt(f[3], 10, 64)
			if err1 != nil || err2 != nil || size < 0 {
				return nil, bad("node ID TYPE SIZE [VALUE] with a decimal id and size")
			}
			if _, dup := index[id]; dup {
				return nil, &Error{line, fmt.Sprintf("node %d defined twice", id)}
			}
			value := ""
			if len(f) == 5 {
				value = f[4]
			}
			index[id] = b.AddNode(id, f[2], size, value, 0)
		case "edge", "root":
			n := 4
			if f[0] == "root" {
				n = 3
			}
			if len(f) < n || len(f) > n+1 {
				return nil, bad(map[string]string{"edge": "edge FROM TO KIND [LABEL]", "root": "root ID KIND [LABEL]"}[f[0]])
			}
			r := ref{line: line, root: f[0] == "root"}
			var err error
			if r.from, err = strconv.ParseUint(f[1], 10, 64); err != nil {
				return nil, bad("a decimal id")
			}
			if r.root {
				r.kind = f[2]
				if len(f) == 4 {
					r.label = f[3]
				}
			} else {
				if r.to, err = strconv.ParseUint(f[2], 10, 64); err != nil {
					return nil, bad("a decimal id")
				}
				r.kind = f[3]
				if len(f) == 5 {
					r.label = f[4]
				}
			}
			refs = append(refs, r)
		default:
			return nil, &Error{line, "expected a time, node, edge or root record"}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &Error{line + 1, err.Error()}
	}
	if line == 0 {
		return nil, &Error{1, fmt.Sprintf("expected %q", Magic)}
	}
	for _, r := range refs {
		from, ok := index[r.from]
		if !ok {
			return nil, &Error{r.line, fmt.Sprintf("no node %d", r.from)}
		}
		if r.root {
			b.AddRoot(from, r.kind, r.label)
			continue
		}
		to, ok := index[r.to]
		if !ok {
			return nil, &Error{r.line, fmt.Sprintf("no node %d", r.to)}
		}
		b.AddEdge(from, to, r.kind, r.label)
	}
	h, err := b.Build()
	if err != nil {
		return nil, &Error{line, err.Error()}
	}
	d.Heap = h
	return d, nil
}
