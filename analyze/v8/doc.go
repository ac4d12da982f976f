// Package v8 is V8's part of the heap analyses: the reader adapter and
// the runtime hook for V8 heap snapshots (graph/v8), for Node services
// and browser pages alike. The hook tells V8's own objects (hidden
// classes, code, contexts' machinery, the embedder's) from the
// program's, hides the text of strings in pictures, and notes closures
// by function name and source position. A snapshot taken under
// --track-heap-objects gives every object the allocation stack V8
// recorded (functions at the lines they start). It imports analyze/heap,
// analyze/input, analyze/series, graph and graph/v8.
package v8
