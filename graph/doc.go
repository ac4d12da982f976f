// Package graph is leakscan's object-graph model and its algorithms.
//
// A Heap is an immutable, index-based graph of objects: nodes are indexes
// into parallel slices (type, self size, external id, short value, flags),
// edges are stored once in compressed sparse row form (CSR: the edges of
// node i are EdgeTo[Start[i]:Start[i+1]]), each with a kind and a label,
// and an explicit root set says what keeps the graph alive. Strings are
// interned. There are no per-node structs, pointers or maps, so tens of
// millions of nodes fit: the layout follows golang.org/x/debug's gocore
// and the Go compiler's dominator code.
//
// The model is meant for every heap-dump format leakscan reads: Python
// dumps (graph/pydump), V8 heap snapshots (weak edges, ids stable across
// snapshots) and Java HPROF (field names, addresses as ids). An edge kind
// can be weak; weak edges never retain, in every algorithm here.
//
// The algorithms are all iterative — explicit stacks, no recursion — so a
// chain of millions of nodes cannot overflow the goroutine stack:
//
//   - Reachable: which nodes the roots reach through strong edges.
//   - Dominators: the immediate dominator of every reachable node, by the
//     semi-NCA algorithm (Georgiadis, "Linear-Time Algorithms for
//     Dominators and Related Problems", PhD thesis, Princeton 2005; the
//     semidominators of Lengauer and Tarjan, "A Fast Algorithm for Finding
//     Dominators in a Flowgraph", TOPLAS 1979, with the nearest-common-
//     ancestor step replacing their second pass), from a virtual root that
//     points to every root.
//   - RetainedSizes: each node's size plus the sizes of the nodes it
//     dominates.
//   - SCCs: strongly connected components, by Tarjan's algorithm ("Depth-
//     First Search and Linear Graph Algorithms", SIAM J. Comput. 1972).
//   - ShortestRetainers: for every node, the cheapest path from a root,
//     where some edges cost more (a path through gc.garbage or a module's
//     dict is taken only when no other exists), by Dial's bucket-queue
//     variant of Dijkstra's algorithm.
package graph
