package v8

import (
	"math"
	"slices"
)

// Allocation traces: a snapshot taken while V8 tracks allocations (Node's
// --track-heap-objects, DevTools' "allocation instrumentation") holds the
// functions seen allocating (trace_function_infos, flat records of
// meta.trace_function_info_fields: function_id, name, script_name,
// script_id, line, column — 1-based, 0 unknown) and the tree of their
// call stacks (trace_tree: records of meta.trace_node_fields — id,
// function_info_index, count, size, children — where children is an array
// of such records). A node's trace_node_id names the tree node whose stack
// allocated it.

// TraceFunction is one function of the allocation traces.
type TraceFunction struct {
	Name, Script string
	ScriptID     int32
	Line, Column int32 // 1-based; 0 unknown
}

// Traces are a snapshot's allocation traces: a tree of call stacks.
type Traces struct {
	Functions []TraceFunction
	// Parent and Function are per tree node: its parent (-1 for the
	// root) and its function (an index into Functions).
	Parent   []int32
	Function []int32
	// Node maps V8's trace node ids to tree nodes.
	Node map[uint32]int32
}

// Stack returns the functions of tree node t's stack, innermost first,
// without the tree's root.
func (tr *Traces) Stack(t int32) []int32 {
	var out []int32
	for ; t >= 0 && tr.Parent[t] >= 0; t = tr.Parent[t] {
		out = append(out, tr.Function[t])
	}
	return out
}

// traceFunctionInfos reads trace_function_infos; its strings are
// resolved in finish.
func (r *reader) traceFunctionInfos() error {
	ff := r.meta.TraceFunctionInfoFields
	nameF, scriptF, idF := slices.Index(ff, "name"), slices.Index(ff, "script_name"), slices.Index(ff, "script_id")
	lineF, colF := slices.Index(ff, "line"), slices.Index(ff, "column")
	if len(ff) == 0 || nameF < 0 {
		return r.skip()
	}
	if err := r.expect('[', "'[' starting \"trace_function_infos\""); err != nil {
		return err
	}
	var rec [5]int64 // name, script, script id, line, column
	fields := [5]int{nameF, scriptF, idF, lineF, colF}
	for i := 0; ; i++ {
		v, at, done, err := r.nextUint(i == 0)
		if err != nil {
			return err
		}
		if done {
			if i%len(ff) != 0 {
				return r.errf(at, "trace_function_infos ends inside a record of %d fields", len(ff))
			}
			return nil
		}
		if v > math.MaxInt32 {
			return r.errf(at, "trace function %d: %d is too large", i/len(ff), v)
		}
		f := i % len(ff)
		switch f {
		case nameF, scriptF:
			if int64(v) > r.maxStr {
				r.maxStr, r.maxStrOff, r.maxWhat = int64(v), at, -1-int(r.nodeCount)-i/len(ff)
			}
		}
		for k, field := range fields {
			if f == field {
				rec[k] = int64(v)
			}
		}
		if f == len(ff)-1 {
			r.traceRecs = append(r.traceRecs, rec)
			rec = [5]int64{}
		}
	}
}

// traceTree reads trace_tree, iteratively: each array holds records
// whose children field is an array of records.
func (r *reader) traceTree() error {
	tf := r.meta.TraceNodeFields
	idF, fnF, chF := slices.Index(tf, "id"), slices.Index(tf, "function_info_index"), slices.Index(tf, "children")
	if idF < 0 || fnF < 0 || chF < 0 || idF > chF || fnF > chF {
		return r.skip()
	}
	if err := r.expect('[', "'[' starting \"trace_tree\""); err != nil {
		return err
	}
	tr := &Traces{Node: map[uint32]int32{}}
	type frame struct {
		parent int32
		i      int
		id, fn uint64
	}
	stack := []frame{{parent: -1}}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		ok, err := r.more(top.i == 0, ']')
		if err != nil {
			return err
		}
		if !ok {
			if top.i%len(tf) != 0 {
				return r.errf(r.pos-1, "trace_tree: an array ends inside a record of %d fields", len(tf))
			}
			stack = stack[:len(stack)-1]
			continue
		}
		f := top.i % len(tf)
		top.i++
		if f == chF {
			if top.id > math.MaxUint32 {
				return r.errf(r.pos, "trace_tree: id %d is too large", top.id)
			}
			t := int32(len(tr.Parent))
			if _, dup := tr.Node[uint32(top.id)]; dup {
				return r.errf(r.pos, "trace_tree: id %d given twice", top.id)
			}
			tr.Node[uint32(top.id)] = t
			tr.Parent = append(tr.Parent, top.parent)
			tr.Function = append(tr.Function, int32(min(top.fn, math.MaxInt32)))
			if len(stack) >= maxDepth {
				return r.errf(r.pos, "trace_tree nested more than %d deep", maxDepth)
			}
			if err := r.expect('[', "'[' starting a trace node's children"); err != nil {
				return err
			}
			stack = append(stack, frame{parent: t})
			continue
		}
		r.ws()
		v, err := r.uint()
		if err != nil {
			return err
		}
		switch f {
		case idF:
			top.id = v
		case fnF:
			top.fn = v
		}
	}
	r.traces = tr
	return nil
}

// finishTraces resolves the functions' strings and checks the tree's
// function indexes; the traces are dropped, with a warning, when they do
// not hold together.
func (r *reader) finishTraces(snap *Snapshot, st *stringTable) {
	tr := r.traces
	if tr == nil || snap.TraceNodeIDs == nil {
		return
	}
	for _, rec := range r.traceRecs {
		tr.Functions = append(tr.Functions, TraceFunction{Name: st.orig(int32(rec[0])), Script: st.orig(int32(rec[1])),
			ScriptID: int32(rec[2]), Line: int32(rec[3]), Column: int32(rec[4])})
	}
	for _, fn := range tr.Function {
		if int(fn) >= len(tr.Functions) {
			snap.Warnings = append(snap.Warnings, "allocation traces left out: trace_tree names a function trace_function_infos does not hold")
			return
		}
	}
	snap.Traces = tr
}
