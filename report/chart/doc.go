// Package chart draws growth charts: one line per series of values taken
// from a run of snapshots, as PNG or SVG.
//
// A Chart is data only; PNG and SVG render it with gonum.org/v1/plot and
// the Liberation fonts that library bundles, so nothing is read from the
// system and the same Chart always gives byte-identical output. Series
// marked Suspect are drawn in colour (a colour-blind-friendly palette, one
// marker shape each); the others are thin grey lines for context. The
// legend goes below the plot, with names cleaned of newlines, control
// characters and invalid UTF-8 and cut to a readable length.
//
// Y axes start at 0; their ticks are formatted by the chart's Unit
// ("bytes" in KiB/MiB/GiB, counts with k/M suffixes). The X axis is
// minutes (or hours) since the first snapshot when every snapshot has a
// time, and the snapshot number otherwise.
package chart
