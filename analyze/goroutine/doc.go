// Package goroutine reads goroutine dumps in every form Go writes them —
// proto goroutine and goroutineleak profiles, their debug=1 text, debug=2
// text and the tracebacks of panics, SIGQUIT and test timeouts, also
// inside logs — groups goroutines by a key that survives across dumps
// (normalized stack, state class, creator), and runs each group's count
// through the series engine. The traceback parser is a state machine
// described in gotext.go. It imports input, series, stack, pprofwire and
// callgraph.
package goroutine
