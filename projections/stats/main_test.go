package stats_test

import (
	"testing"

	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
)

// TestMain fails the binary when a goroutine outlives the tests, such as a
// pool a test left open.
func TestMain(m *testing.M) { eventstoretest.Main(m) }
