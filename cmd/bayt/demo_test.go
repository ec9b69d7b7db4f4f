package main

import (
	"context"
	"strings"
	"testing"

	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
)

// smallPool keeps a command's pool small: many tests run at once against
// one PostgreSQL, which accepts 100 connections.
const smallPool = "&pool_max_conns=4"

// TestDemoLoad loads a small demo city through the case service and checks
// that every case was reported and the later steps really happened.
func TestDemoLoad(t *testing.T) {
	t.Parallel()
	pool, schema := eventstoretest.Schema(t, nil)
	keyFile, _ := eventstoretest.MasterKeyFile(t)
	out, err := run(t, "demo", "load", "--cases", "40", "--seed", "7", "-database-url", eventstoretest.URLFor(t, schema)+smallPool, "-master-key-file", keyFile)
	if err != nil {
		t.Fatalf("demo load: %v\n%s", err, out)
	}
	if !strings.Contains(out, "loaded 40 cases") {
		t.Fatalf("demo load said %q", out)
	}
	count := func(eventType string) int {
		t.Helper()
		var n int
		if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM events WHERE type = $1", eventType).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("casefile.case_reported"); n != 40 {
		t.Fatalf("%d cases reported, want 40", n)
	}
	// Most of the demo's residents say where, not all: its maps have pins,
	// its lists cases without one.
	var located int
	if err := pool.QueryRow(context.Background(),
		"SELECT count(*) FROM events WHERE type = 'casefile.case_reported' AND payload ? 'location'").Scan(&located); err != nil {
		t.Fatal(err)
	}
	if located == 0 || located == 40 {
		t.Fatalf("%d of 40 demo cases located, want most but not all", located)
	}
	// Chance takes some cases past triage and some to the end.
	if count("casefile.case_forwarded") == 0 || count("casefile.case_resolved") == 0 {
		t.Fatalf("no case went past triage to resolution: forwarded %d, resolved %d",
			count("casefile.case_forwarded"), count("casefile.case_resolved"))
	}
	out, err = run(t, "audit", "verify", "-database-url", eventstoretest.URLFor(t, schema))
	if err != nil {
		t.Fatalf("verify after demo load: %v\n%s", err, out)
	}
}
