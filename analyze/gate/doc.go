// Package gate turns an analysed series into a pass or fail for CI: each
// leak suspect of a result (and of its related results) is measured
// against the budget that applies to it, or accepted by a baseline of
// signatures recorded earlier.
//
// # Signatures
//
// A signature names a suspect so that the same leak has the same
// signature in the next run of the same program and after a rebuild.
// It never holds an address, an object id, a goroutine id or a line
// number: addresses and ids change with every run, line numbers with
// every edit above the line. Long runs of digits (five or more) and hex
// numbers in names read from dumps become "#" (Python's thread names
// carry the thread's id). What each kind of row's signature is made of:
//
//	heap profiles, by site      kind, "site", the site's function and the base name of its file
//	                            ("heap site main.newSession (main.go)"); a site row adds up every
//	                            stack through that frame, so no caller is part of it
//	by function                 kind, "function", the function
//	by stack                    kind, "stack", the function of every frame, innermost first
//	goroutine groups            "goroutine", the state class in brackets when the dumps record it,
//	                            the function of every frame innermost first, and the function
//	                            of the go statement that created them
//	heap-dump types             the kind ("python heap"), "type", the type's name, and the shape
//	                            of the retainer path most of its instances share: the root's
//	                            kind and name, then each hop's edge kind, label and type — with
//	                            the labels of indexes and dict keys written "*", a chain's
//	                            repeated links as one hop marked "+", and "…" where a long
//	                            path was cut
//	heap-dump leaks             a heap series with findings (accumulation points) is checked on
//	                            them, one per leak, not on its type rows: the kind, "leak:",
//	                            the holder's type and the label of the last hop to it, the edge
//	                            the growth hangs from, then the holder's path as for types
//	                            ("reference cycles through" the cycle's type for cycle groups)
//	reference cycles            "cycle" and the ring: each type (with a frame's function) and
//	                            the edge to the next, read from the same object every time
//	asyncio work                "task", what it is (pending task, coroutine never awaited,
//	                            timer, exception never retrieved), the state, the coroutine,
//	                            the functions of the await chain, what it waits on, the
//	                            exception's type or the timer's callback
//	resources                   "resource" and what is counted ("socket fds")
//
// A suspect whose signature is in the baseline is accepted; a baseline
// entry is never matched by anything but the exact string.
//
// # Budgets
//
// A suspect's growth is its last value minus its first, in the unit of
// the values compared, and each kind of value has its own budget:
// bytes (a heap profile's *_space, a heap dump's shallow or retained
// bytes) against MaxGrowth; goroutines against MaxGoroutines; objects
// (a heap profile's *_objects, a heap dump's objects) against
// MaxObjects. A suspect over its budget fails the check; so does a
// goroutine group the runtime confirmed leaked, whatever its growth,
// and a suspect that no budget measures (a reference cycle group, an
// asyncio task, an open descriptor, a CPU profile's nanoseconds): there
// is no unit to spend on it, and passing it silently would hide the
// leaks those analyses exist to find. Accept those with a baseline.
package gate
