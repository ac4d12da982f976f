// Package dot writes the pictures leakscan draws as Graphviz DOT, and
// rings as Mermaid: growth call graphs in pprof's diff vocabulary,
// objgraph-style object graphs, the rings of reference cycles. Names from
// inputs are untrusted: every string is quoted and escaped for Graphviz's
// double expansion, and cut to fit. It imports the models it draws
// (analyze/callgraph, analyze/heap, analyze/python) and report/units;
// report/render lays the DOT out.
package dot
