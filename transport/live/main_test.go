package live_test

import (
	"testing"

	"go.uber.org/goleak"
)

// The hub runs a loop per hub and a reader and a writer per client; each
// must end with the hub or the connection.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
