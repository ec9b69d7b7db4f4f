package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
)

// TestStartWarnsWhenAutovacuumIsOff checks the start-up warning against
// the test server's real setting, whichever it is.
func TestStartWarnsWhenAutovacuumIsOff(t *testing.T) {
	t.Parallel()
	pool, _ := eventstoretest.Schema(t, &eventstoretest.SchemaOpts{MaxConns: 1})
	ctx := context.Background()
	var setting string
	if err := pool.QueryRow(ctx, "SHOW autovacuum").Scan(&setting); err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	warnWithoutAutovacuum(ctx, pool, slog.New(slog.NewTextHandler(&logged, nil)))
	warned := strings.Contains(logged.String(), "autovacuum off")
	if setting == "off" && !warned {
		t.Errorf("autovacuum is off on the test server and start said nothing: %q", logged.String())
	}
	if setting == "on" && warned {
		t.Errorf("autovacuum is on and start warned anyway: %q", logged.String())
	}
}
