// Package leakcheck gates heap and goroutine growth in Go tests, the way
// goleak gates goroutines left behind: Growth runs a function many times,
// takes heap and goroutine profiles of the test process itself at evenly
// spaced checkpoints, puts them through the same series engine as
// `leakscan diff` (analyze.Load, then Series.Analyze), and fails the test
// with a table of the suspects when an allocation site or a goroutine
// group kept growing. A cache that fills and stops, and garbage that is
// allocated and freed (churn), are not suspects, so the test stays quiet.
//
//	func TestHandlerDoesNotLeak(t *testing.T) {
//		req := httptest.NewRequest("GET", "/", nil)
//		leakcheck.Growth(t, func() { handler(httptest.NewRecorder(), req) },
//			leakcheck.Iterations(200), leakcheck.Checkpoints(6))
//	}
//
// It owns the measurement (the profile rate, the collections before each
// profile, goroutines settling) and the failure message. It imports the
// façade analyze, analyze/input and analyze/series, and nothing of report:
// nothing under analyze imports report (the layers test says so), so the
// suspects table is written here, in the few columns a test failure needs.
// Where it could have gone instead, report/leakcheck, report may not import
// the façade; the engine is reached only through the façade, so the table
// is the part that moves.
package leakcheck
