// Package python is Python's part of the heap analyses: the reader
// adapter and hook for dumps written by leakscan_dump.py (graph/pydump),
// and the analyses only Python dumps support — objects kept alive only by
// reference cycles, grouped by ring, with the edge to break; asyncio
// tasks grouped by await chain; file descriptors and event loops. Its
// analyses read the reader's own model (Dump.Native). It imports
// analyze/heap, analyze/input, analyze/series, graph and graph/pydump.
package python
