// Package pprofwire decodes pprof profiles (profile.proto) straight from
// the wire: a first pass over the tables (strings, functions, locations,
// mappings), a second over the samples, which are interned into a
// stack.Table and summed per stack without an allocation per sample. Scan
// recognises a Profile message without decoding it. Unknown fields are
// skipped; malformed ones are errors naming the byte. It is checked
// against github.com/google/pprof/profile in its tests. It imports
// analyze/input, analyze/series and analyze/stack.
package pprofwire
