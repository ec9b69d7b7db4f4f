package eventstoretest

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// Main runs the tests of m, closes the binary's shared pool, and then fails
// the binary if any goroutine outlived its tests: a store, runner or hub
// that a test forgot to stop, or that does not stop when told. Call it
// from TestMain; opts ignore goroutines the package knowingly leaves.
func Main(m *testing.M, opts ...goleak.Option) {
	code := m.Run()
	if adminPool != nil {
		adminPool.Close()
	}
	if code == 0 {
		if err := goleak.Find(opts...); err != nil {
			fmt.Fprintf(os.Stderr, "goroutines outlived the tests: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}
