// Package report renders a series.Result as text, Markdown, JSON or the
// Markdown document of `leakscan report`. It formats what the analysis
// decided and decides nothing itself: every number it prints is in the
// Result, and every writer is deterministic, so the same Result gives
// byte-identical output.
//
// The writers are generic; what only one family of analyses says (a
// goroutine group's state, a type's retainer path, a cycle's ring) is
// that family's view (views.go), registered once by key mode. Pictures
// are report/dot's (DOT, Mermaid), report/chart's (growth charts) and
// report/render's (layout and drawing). It imports analyze/series and the
// result types of the analysis families, never the façade and never a
// reader.
package report
