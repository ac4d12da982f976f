// Package pydump reads dumps written by leakscan_dump.py, the standard-library
// Python heap dumper that ships with leakscan (see DumperSource).
//
// The dump format ("leakscan-pydump", version 1: gzip-compressed or plain
// JSON lines with a header, type, object, root, fd and task records and an
// "end" trailer) is described in FORMAT.md in this directory. Parse reads
// a (decompressed) dump into a graph.Heap plus the dump's header, file
// descriptors and asyncio tasks; see Dump for how kinds and costs are set.
package pydump
