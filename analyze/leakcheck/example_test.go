package leakcheck_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/leakscan/leakscan/analyze/leakcheck"
)

// A handler's test fails when a request leaves memory or goroutines
// behind.
func ExampleGrowth() {
	var t *testing.T // the test's own
	handler := http.NotFoundHandler()
	req := httptest.NewRequest("GET", "/", nil)
	leakcheck.Growth(t, func() { handler.ServeHTTP(httptest.NewRecorder(), req) },
		leakcheck.Iterations(200), leakcheck.Checkpoints(6))
}
