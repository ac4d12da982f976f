// Package heap holds the object-graph analyses every heap-dump format
// gets: per-type counts, shallow and retained sizes (a class's retained
// size counted once, Eclipse MAT's rule) over a series, growth
// attribution (a type held by another growing type), the retainer path
// most instances share, the biggest retainers, allocation sites, and the
// selection of objects for objgraph-style pictures.
//
// A format's reader hands over a Dump (graph.Heap plus time, pid and
// warnings) with its Runtime: the small hook of what is the runtime's
// own (ranking, keywords), which values are secret (pictures hide them),
// and what note a node gets (a frame's function). Nothing here knows a
// runtime by name. It imports graph, analyze/input and analyze/series.
package heap
