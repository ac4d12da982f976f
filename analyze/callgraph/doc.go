// Package callgraph builds growth call graphs: functions as nodes and
// calls (and `go` statements) as edges, each with its value per snapshot,
// trimmed to what is worth drawing as pprof trims its graphs (node count,
// node and edge fractions). Callers hand it the distinct stacks of their
// series as Units; profile and goroutine each build theirs with the
// filters of their own analysis. Drawing is package report/dot's. It
// imports analyze/series and analyze/stack.
package callgraph
