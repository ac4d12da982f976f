// Package analyze turns loaded snapshots into a Result: it sniffs and
// reads input files, aggregates samples under keys that survive rebuilds,
// and runs every key's values through one series analysis (Analyze in
// series.go) that measures and classifies growth.
//
// Every kind of series leakscan handles — allocation sites of heap
// profiles today, goroutine groups, asyncio task groups and object types
// later — goes through the same code, so that "growing" means the same
// thing everywhere. The report package renders a Result and decides
// nothing; only the cmd package touches flags, streams and exit codes.
package analyze
