// Package report renders an analyze.Result as text, Markdown or JSON. It
// formats what the analysis decided and decides nothing itself: every
// number it prints is in the Result, and every writer is deterministic, so
// the same Result gives byte-identical output.
package report
