// Package pydump reads dumps written by leakscan_dump.py, the standard-library
// Python heap dumper that ships with leakscan (see DumperSource).
//
// The dump format ("leakscan-pydump", version 1: gzip-compressed or plain
// JSON lines with a header, type, object, root, fd and task records and an
// "end" trailer) is described in FORMAT.md in this directory. The reader
// itself will come later; for now the package only embeds the dumper.
package pydump
