package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
)

// TestMain fails the binary when a goroutine outlives the tests: a worker,
// hub or client loop a server's shutdown forgot.
func TestMain(m *testing.M) { eventstoretest.Main(m) }

// run calls bayt as its main would, returning stdout and the error.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := dispatch(context.Background(), args, &stdout, &stderr)
	if stderr.Len() > 0 {
		t.Logf("bayt %s: %s", strings.Join(args, " "), stderr.String())
	}
	return stdout.String(), err
}

func TestMigrateAndAuditVerify(t *testing.T) {
	t.Parallel()
	pool, schema := eventstoretest.Schema(t, &eventstoretest.SchemaOpts{Empty: true})
	url := eventstoretest.URLFor(t, schema)

	out, err := run(t, "migrate", "-database-url", url)
	if err != nil || !strings.Contains(out, "applied 00001_event_store.sql") {
		t.Fatalf("first migrate: %q, %v", out, err)
	}
	out, err = run(t, "migrate", "-database-url", url)
	if err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("second migrate: %q, %v", out, err)
	}

	store := eventstore.New(pool, eventstore.Config{})
	ctx := context.Background()
	for i := range 3 {
		if _, err := store.Append(ctx, "case-a", int64(i), eventstoretest.Event("t", i)); err != nil {
			t.Fatal(err)
		}
	}
	store.Close()
	out, err = run(t, "audit", "verify", "-database-url", url)
	if err != nil || !strings.Contains(out, "ok: 3 events in 1 streams") {
		t.Fatalf("verify clean log: %q, %v", out, err)
	}

	tamper := []string{
		"ALTER TABLE events DISABLE TRIGGER USER",
		`UPDATE events SET payload = '{"n": 7}' WHERE position = 2`,
		"ALTER TABLE events ENABLE TRIGGER USER",
	}
	for _, q := range tamper {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	_, err = run(t, "audit", "verify", "-database-url", url)
	if !errors.Is(err, eventstore.ErrTampered) || exitCode(err) != 3 || !strings.Contains(err.Error(), "stream case-a at position 2") {
		t.Fatalf("verify tampered log: err = %v (exit %d), want stream case-a at position 2, exit 3", err, exitCode(err))
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{}, {"nonsense"}, {"audit"}, {"migrate", "extra"}} {
		if _, err := run(t, args...); exitCode(err) != 2 {
			t.Errorf("bayt %v: err = %v, want a usage error", args, err)
		}
	}
}

// TestHelpRunsNothing asks every command for its help with a database
// address that cannot be reached: the help is printed, bayt exits 0, and
// nothing runs (a command that ran would fail to reach the database).
func TestHelpRunsNothing(t *testing.T) {
	t.Parallel()
	const nowhere = "postgres://nobody@127.0.0.1:1/none?connect_timeout=1"
	for _, args := range [][]string{
		{"serve", "--memory", "-h"},
		{"migrate", "-h"},
		{"demo", "load", "-h"},
		{"audit", "verify", "-h"},
		{"doctor", "-h"},
		{"projections", "rebuild", "-h"},
		{"person", "erase", "-h"},
		{"token", "create", "-h"},
		{"keys", "rotate", "-h"},
	} {
		t.Run(strings.Join(args, "_"), func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			err := dispatch(context.Background(), append(args, "-database-url", nowhere), &stdout, &stderr)
			if exitCode(err) != 0 || !errors.Is(err, errHelped) {
				t.Fatalf("bayt %s: err = %v (exit %d), want the help alone", strings.Join(args, " "), err, exitCode(err))
			}
			if !strings.Contains(stderr.String(), "-database-url") && !strings.Contains(stderr.String(), "Usage") {
				t.Fatalf("bayt %s printed no help: %q", strings.Join(args, " "), stderr.String())
			}
		})
	}
}
