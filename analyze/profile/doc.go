// Package profile analyses series of pprof profiles of one kind: it loads
// them (reading the next while decoding the current), orders them by their
// own times, warns about mixed binaries, delta profiles and cut stacks,
// and diffs them by allocation site, function or stack, telling churn
// from retention with the cumulative alloc_* values. It imports the
// packages below it in analyze: input, series, stack, pprofwire,
// callgraph.
package profile
