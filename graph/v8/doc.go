// Package v8 reads V8 heap snapshots (.heapsnapshot, as written by
// Node's v8.writeHeapSnapshot and --heapsnapshot-signal, and by Chrome
// DevTools) into leakscan's object graph. It imports only graph.
//
// A snapshot is one JSON object:
//
//	{"snapshot": {"meta": {"node_fields": [...], "node_types": [[...], ...],
//	              "edge_fields": [...], "edge_types": [[...], ...], ...},
//	              "node_count": N, "edge_count": M, ...},
//	 "nodes": [flat numbers, node_fields per node],
//	 "edges": [flat numbers, edge_fields per edge, each node's edges in node order],
//	 "trace_function_infos": [...], "trace_tree": [...], "samples": [...],
//	 "locations": [object_index, script_id, line, column, ...],
//	 "strings": ["", "(GC roots)", ...]}
//
// The reader is a hand-written tokenizer over the bytes, never a generic
// JSON tree: it reads meta first and takes every layout from it (fields
// were added over V8 versions: trace_node_id, detachedness), then streams
// the numbers of nodes and edges straight into the graph's slices —
// a few bytes per node and per edge, no Go value per node — and reads the
// strings last. The states, in the order V8 writes them:
//
//	outer object  "snapshot" must come before "nodes", "nodes" before
//	              "edges"; unknown members are skipped (iteratively)
//	snapshot      meta, node_count, edge_count (root_index when given);
//	              the counts are checked against the bytes left before
//	              anything is allocated
//	nodes         numbers in records of len(node_fields); type checked
//	              against node_types, edge counts summed against
//	              edge_count
//	edges         records of len(edge_fields); to_node must be the start
//	              of a node record
//	locations     closures' source positions
//	trace_function_infos, trace_tree
//	              allocation traces, when V8 tracked allocations
//	              (--track-heap-objects): functions, and the tree of
//	              their stacks, read iteratively (see traces.go)
//	strings       the string table; every name index is checked against
//	              its length once it is read
//
// Every error is an *Error with the byte offset and one line saying what
// was expected. Strings must be valid UTF-8; escaped lone surrogates,
// which V8 writes for JavaScript strings that hold them, become U+FFFD.
//
// What the graph holds (see typeName for the type scheme):
//
//   - node ids are V8's snapshot object ids, stable across the snapshots
//     of one process while an object lives;
//   - edge kinds are V8's edge types, with element renamed "index"
//     (labelled "[3]"); hidden edges, and internal edges named by a slot
//     number ("132", from a Map's table or an object's elements), become
//     indexes too, costlier in paths (see below). Weak
//     edges never retain; shortcut edges retain only from the synthetic
//     root, whose shortcut targets (the global objects) are roots here,
//     so shortcut edges are weak too — the rule DevTools' dominator
//     computation follows. Of the two internal edges V8 adds for each
//     WeakMap entry, the one from the table ("weakmap entry") does not
//     retain and the one from the key ("weakmap value") does: an
//     ephemeron's value lives while its key lives. Internal and hidden
//     edges cost more in retainer paths, so paths go through what the
//     program wrote when they can;
//   - roots are the global objects (user roots), each subroot of
//     (GC roots) named as V8 names it ("(Stack roots)", "(Global
//     handles)"), the synthetic root's other children (embedder roots
//     such as "Node / Environment"), then the synthetic nodes;
//   - a closure with a location gets its source position as value
//     ("leak.js:48:20", 1-based line and column, the script's base name);
//   - a node V8 reports detached (detachedness 2) has FlagDetached.
package v8
