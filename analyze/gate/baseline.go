package gate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
)

// BaselineSchema and BaselineVersion identify a baseline file. The version
// changes only when a field is removed or changes meaning.
const (
	BaselineSchema  = "leakscan/baseline"
	BaselineVersion = 1
)

// Baseline is the set of suspects accepted: a JSON file written by
// leakscan check --write-baseline and read by --baseline.
type Baseline struct {
	Schema   string  `json:"schema"`
	Version  int     `json:"version"`
	Accepted []Entry `json:"accepted"`
}

// Entry is one accepted suspect.
type Entry struct {
	Signature string `json:"signature"`
}

// Has reports whether the baseline accepts the signature; a nil baseline
// accepts none.
func (b *Baseline) Has(sig string) bool {
	if b == nil {
		return false
	}
	_, ok := slices.BinarySearchFunc(b.Accepted, sig, func(e Entry, s string) int {
		switch {
		case e.Signature < s:
			return -1
		case e.Signature > s:
			return 1
		}
		return 0
	})
	return ok
}

// NewBaseline accepts the signatures of every suspect of a report.
func NewBaseline(rep *Report) *Baseline {
	b := &Baseline{Schema: BaselineSchema, Version: BaselineVersion, Accepted: []Entry{}}
	for _, f := range rep.Findings {
		b.Accepted = append(b.Accepted, Entry{Signature: f.Signature})
	}
	b.normalize()
	return b
}

// normalize sorts the entries and drops repeated ones.
func (b *Baseline) normalize() {
	slices.SortFunc(b.Accepted, func(x, y Entry) int {
		switch {
		case x.Signature < y.Signature:
			return -1
		case x.Signature > y.Signature:
			return 1
		}
		return 0
	})
	b.Accepted = slices.CompactFunc(b.Accepted, func(x, y Entry) bool { return x.Signature == y.Signature })
}

// Write writes the baseline as indented JSON, entries sorted: the same
// suspects give the same bytes.
func (b *Baseline) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(b)
}

// ReadBaseline reads a baseline file; the error says what is wrong with
// it, without the file's name.
func ReadBaseline(data []byte) (*Baseline, error) {
	var b Baseline
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("not a leakscan baseline: %w", err)
	}
	if b.Schema != BaselineSchema {
		return nil, fmt.Errorf("not a leakscan baseline: schema %q, expected %q", b.Schema, BaselineSchema)
	}
	if b.Version < 1 || b.Version > BaselineVersion {
		return nil, fmt.Errorf("baseline version %d: this leakscan reads version %d", b.Version, BaselineVersion)
	}
	for i, e := range b.Accepted {
		if e.Signature == "" {
			return nil, fmt.Errorf("accepted[%d]: no signature", i)
		}
	}
	b.normalize()
	return &b, nil
}
