package python

import (
	"fmt"

	"github.com/leakscan/leakscan/analyze/heap"
)

// BreakEdge is the edge of a ring whose removal frees it, and why.
type BreakEdge struct {
	Step    int    `json:"step"`    // the edge out of Ring[Step]
	Pattern string `json:"pattern"` // PatternTraceback, PatternFrameLocal, PatternBoundMethod, or "" for a guess
	Why     string `json:"why"`
	Fix     string `json:"fix"`
	Guess   bool   `json:"guess"`
}

// The cycle patterns recognized by name.
const (
	// PatternTraceback: an ordinary object holds an exception whose
	// traceback holds a frame whose locals lead back to the object.
	PatternTraceback = "exception-traceback"
	// PatternFrameLocal: a frame's local holds the exception whose
	// traceback holds the frame.
	PatternFrameLocal = "exception-in-own-frame"
	// PatternBoundMethod: an instance holds a bound method of itself.
	PatternBoundMethod = "bound-method-on-self"
)

// breakEdge applies the rules, in order: a bound method held by its own
// instance; an exception's traceback reached from an ordinary object or
// from a frame's local; otherwise a guess, the edge out of the ring's most
// ordinary object (the canonical start), the one likely to live longest.
func breakEdge(ring []ringNode) *BreakEdge {
	n := len(ring)
	at := func(i int) *ringNode { return &ring[((i%n)+n)%n] }
	attr := func(r *ringNode) string { return fmt.Sprintf("%s.%s", heap.ShortType(r.Type), r.Label) }

	// an instance → (containers) → method whose __self__ is the instance
	for i := range ring {
		if ring[i].Type != "builtins.method" || ring[i].Kind != "self" {
			continue
		}
		owner := (i + 1) % n
		j := owner
		for (j+1)%n != i && containerTypes[at(j+1).Type] {
			j = (j + 1) % n
		}
		if (j+1)%n != i {
			continue // the method is not reached from its instance through containers only
		}
		o := at(owner)
		method := ring[i].Note
		if method == "" {
			method = "a method"
		}
		name := heap.ShortType(method)
		return &BreakEdge{
			Step:    owner,
			Pattern: PatternBoundMethod,
			Why: fmt.Sprintf("%s holds a bound method of the same instance (%s): instance → %s → method → __self__ → instance; every such instance is a cycle that only the cycle collector frees",
				attr(o), method, o.Label),
			Fix: fmt.Sprintf("define %s on the class (%s = %s in the class body) instead of assigning it per instance, or keep a weakref.WeakMethod", o.Label, o.Label, name),
		}
	}

	// an exception's __traceback__ on the ring
	for i := range ring {
		if ring[i].Kind != "traceback" {
			continue
		}
		frame := ""
		for k := 1; k < n; k++ {
			if s := at(i + k); s.Type == "builtins.frame" {
				frame = s.Note
				break
			}
		}
		j := i - 1
		for k := 0; k < n-1 && containerTypes[at(j).Type]; k++ {
			j--
		}
		holder := at(j)
		exc := heap.ShortType(ring[i].Type)
		switch {
		case holder.Type == "builtins.frame":
			return &BreakEdge{
				Step:    ((j % n) + n) % n,
				Pattern: PatternFrameLocal,
				Why: fmt.Sprintf("the frame of %s keeps its own exception (%s) in local %s, and the exception's __traceback__ holds that frame",
					orUnknown(holder.Note), exc, holder.Label),
				Fix: fmt.Sprintf("delete the local (del %s, or %s = None in a finally block) before the function returns; Python does this for `except … as` names only", holder.Label, holder.Label),
			}
		case holder.rank == rankInstance:
			return &BreakEdge{
				Step:    ((j % n) + n) % n,
				Pattern: PatternTraceback,
				Why: fmt.Sprintf("%s holds an exception (%s) whose __traceback__ keeps the frame of %s alive, and that frame's locals lead back to it",
					attr(holder), exc, orUnknown(frame)),
				Fix: fmt.Sprintf("clear %s (set it to None) once the error is delivered or the connection closes, or store the exception without its traceback (exc.with_traceback(None))", attr(holder)),
			}
		}
	}

	o := &ring[0]
	return &BreakEdge{
		Step:  0,
		Guess: true,
		Why: fmt.Sprintf("a guess: no known pattern; %s is the ring's most ordinary object, likely the longest-lived, and %s is its edge into the ring",
			heap.ShortType(o.Type), edgeName(o)),
		Fix: fmt.Sprintf("clear %s when it is no longer needed, or hold it through a weakref", edgeName(o)),
	}
}

// edgeName is how a report names the edge out of a ring step.
func edgeName(r *ringNode) string {
	if r.Label == "" {
		return fmt.Sprintf("a %s reference of %s", r.Kind, heap.ShortType(r.Type))
	}
	return fmt.Sprintf("%s.%s", heap.ShortType(r.Type), r.Label)
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown function"
	}
	return s
}
