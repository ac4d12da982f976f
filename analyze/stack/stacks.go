package stack

import (
	"unsafe"

	"slices"
	"strings"

	"github.com/leakscan/leakscan/analyze/series"
)

// Table interns frames and stacks across all snapshots of a series, so
// that a stack id means the same call stack in every snapshot. Stacks are
// kept flat: stack i is frames data[off[i]:off[i+1]], innermost first.
type Table struct {
	frames   []series.Frame
	frameIDs map[series.Frame]int32
	data     []int32
	off      []int32
	hashes   []uint64 // per stack
	slots    []int32  // open-addressing hash table: stack id + 1, or 0
}

// NewTable returns an empty table.
func NewTable() *Table {
	return &Table{frameIDs: map[series.Frame]int32{}, off: []int32{0}, slots: make([]int32, 1024)}
}

// Reserve makes room for the stacks of the first profile of a series: n
// stacks of frames frame ids in all; later profiles mostly repeat them.
func (t *Table) Reserve(n, frames int) {
	if len(t.hashes) > 0 {
		return
	}
	t.data = slices.Grow(t.data, frames)
	t.off = slices.Grow(t.off, n)
	t.hashes = slices.Grow(t.hashes, n)
	size := len(t.slots)
	for 2*n > size {
		size *= 2
	}
	if size > len(t.slots) {
		t.rehash(size)
	}
}

// rehash moves the hash table to size slots (a power of two).
func (t *Table) rehash(size int) {
	t.slots = make([]int32, size)
	mask := uint64(size - 1)
	for id, h := range t.hashes {
		i := h & mask
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = int32(id + 1)
	}
}

// Frame interns a frame.
func (t *Table) Frame(f series.Frame) int32 {
	if id, ok := t.frameIDs[f]; ok {
		return id
	}
	id := int32(len(t.frames))
	t.frames = append(t.frames, f)
	t.frameIDs[f] = id
	return id
}

// FrameView interns a frame whose strings may be views of a buffer that
// will be reused: they are copied only when the frame is new.
func (t *Table) FrameView(f series.Frame) int32 {
	if id, ok := t.frameIDs[f]; ok {
		return id
	}
	return t.Frame(series.Frame{Func: strings.Clone(f.Func), File: strings.Clone(f.File), Line: f.Line})
}

// Stack interns a stack of frame ids, innermost first. Stacks live in an
// open-addressing hash table with linear probing, kept at most half full;
// the full hash is compared before the frames.
func (t *Table) Stack(ids []int32) int32 {
	h := uint64(len(ids)) * 0x9e3779b97f4a7c15
	for _, id := range ids {
		h = (h ^ uint64(uint32(id))) * 0x100000001b3
		h ^= h >> 29
	}
	mask := uint64(len(t.slots) - 1)
	i := h & mask
	for {
		s := t.slots[i]
		if s == 0 {
			break
		}
		if id := s - 1; t.hashes[id] == h && slices.Equal(t.FrameIDs(id), ids) {
			return id
		}
		i = (i + 1) & mask
	}
	id := int32(len(t.hashes))
	t.data = append(t.data, ids...)
	t.off = append(t.off, int32(len(t.data)))
	t.hashes = append(t.hashes, h)
	t.slots[i] = id + 1
	if 2*len(t.hashes) > len(t.slots) {
		t.rehash(2 * len(t.slots))
	}
	return id
}

// FrameIDs returns the frame ids of a stack, innermost first; the slice
// is the table's own.
func (t *Table) FrameIDs(stack int32) []int32 {
	return t.data[t.off[stack]:t.off[stack+1]]
}

// NumStacks is the number of distinct stacks.
func (t *Table) NumStacks() int { return len(t.off) - 1 }

// StackFrames returns the frames of a stack, innermost first.
func (t *Table) StackFrames(stack int32) []series.Frame {
	ids := t.FrameIDs(stack)
	out := make([]series.Frame, len(ids))
	for i, id := range ids {
		out[i] = t.frames[id]
	}
	return out
}

// FrameAt returns the frame with id i.
func (t *Table) FrameAt(i int32) series.Frame { return t.frames[i] }

// NumFrames is the number of distinct frames.
func (t *Table) NumFrames() int { return len(t.frames) }

// BytesString views b as a string without copying; b must not change
// while the string is in use.
func BytesString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
