package eventstore_test

import (
	"testing"

	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
)

func TestMain(m *testing.M) { eventstoretest.Main(m) }
