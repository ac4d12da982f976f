// Package analyze is the façade over leakscan's analyses: it knows the
// list of input formats (formats.go: name, how to tell it by content, what
// kind of series it makes, which reader reads it) and the list of
// analyses (analyses.go: name, the kind of series it runs on, whether it
// applies, how it runs). Load turns inputs into a Series of one kind;
// Series.Analyze runs the main analysis of its kind and the related ones,
// giving one series.Result that package report renders.
//
// Everything else lives in one package per stage or family, importing
// only downwards:
//
//	analyze/series     the trend engine and the common result model
//	analyze/input      inputs: files, stdin, directories, bounded decompression, errors
//	analyze/stack      interned stacks, frame filters, labels
//	analyze/pprofwire  the pprof protobuf decoder
//	analyze/callgraph  growth call graphs over interned stacks
//	analyze/profile    series of pprof profiles: diff by site, function or stack; churn
//	analyze/goroutine  goroutine dumps in every form: parsers, grouping, series
//	analyze/heap       format-neutral object-graph series, behind a per-runtime hook
//	analyze/python     Python's hook and analyses: cycles, tasks, resources
//	analyze/gate       leakscan check: signatures stable across runs and rebuilds,
//	                   budgets, baselines (beside the façade, over the families' results)
//
// A new object-graph format is a reader under graph/ plus one row in
// formats (and a heap.Runtime for its runtime); a new analysis is one row
// in analyses plus one view in package report. This package imports
// analyze/* and nothing above it; only cmd imports it.
package analyze
