// Package series is the engine every analysis shares and the result they
// all give. Analyze turns one key's values over a series of snapshots
// into a Trend — deltas, the Theil–Sen slope (Theil 1950, Sen 1968),
// Kendall's τ-b and the Mann–Kendall p-value (Mann 1945, Kendall 1975) —
// and a Class (growing, new, gone, flat, plateau, shrinking, sawtooth),
// so that "growing" means the same for allocation sites, goroutine
// groups, object types, cycle groups and task groups.
//
// Result and Row are the common model: each analysis adds what only it
// knows as a Detail value of a type of its own package, and the report
// renders it through that family's view. table.go holds the tail every
// analysis shares (order, verdict, totals). It imports nothing of ours.
package series
