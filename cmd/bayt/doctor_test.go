package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
)

// TestDoctor checks a healthy deployment, then breaks one thing at a time
// and expects doctor to name it, fail when it is wrong and only warn
// when it is worth knowing.
func TestDoctor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, schema := eventstoretest.Schema(t, nil)
	keyFile, mk := eventstoretest.MasterKeyFile(t)
	if _, _, err := openKeys(ctx, pool, mk); err != nil {
		t.Fatal(err)
	}
	store := eventstore.New(pool, eventstore.Config{})
	t.Cleanup(store.Close)
	for i := range 3 {
		if _, err := store.Append(ctx, "note-a", int64(i), eventstoretest.Event("Noted", i)); err != nil {
			t.Fatal(err)
		}
	}
	url := eventstoretest.URLFor(t, schema)
	if _, err := run(t, "projections", "rebuild", "-database-url", url); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "audit", "verify", "-database-url", url); err != nil {
		t.Fatal(err)
	}

	healthy := configFromEnv()
	healthy.DatabaseURL, healthy.MasterKeyFile, healthy.Bus = url, keyFile, "gochannel"
	limits := doctorLimits{maxLag: 1000, verifyAge: time.Hour, maxSkew: 2 * time.Second}
	doctor := func(cfg config, limits doctorLimits, now func() time.Time) map[string]check {
		t.Helper()
		byName := map[string]check{}
		for _, c := range diagnose(ctx, cfg, limits, now) {
			if prev, ok := byName[c.name]; ok && prev.level != "ok" {
				continue // keep the worst of a repeated name (read model)
			}
			byName[c.name] = c
		}
		return byName
	}
	expect := func(t *testing.T, got map[string]check, name, level, detail string) {
		t.Helper()
		c, ok := got[name]
		if !ok {
			t.Fatalf("no %s check in %v", name, got)
		}
		if c.level != level || !strings.Contains(c.detail, detail) {
			t.Fatalf("%s: %s %q, want %s with %q", name, c.level, c.detail, level, detail)
		}
	}

	t.Run("healthy", func(t *testing.T) {
		got := doctor(healthy, limits, time.Now)
		for _, c := range got {
			if c.level == "fail" {
				t.Errorf("healthy deployment: %s fails: %s", c.name, c.detail)
			}
		}
		expect(t, got, "database", "ok", "reachable")
		expect(t, got, "migrations", "ok", "the newest")
		expect(t, got, "master key", "ok", "opens this database's secrets")
		expect(t, got, "log", "ok", "head at position 3")
		expect(t, got, "read model", "ok", "up to date (position 3)")
		expect(t, got, "audit", "ok", "3 events intact")
		expect(t, got, "clock", "ok", "within")
		var stdout strings.Builder
		if err := doctorCommand(ctx, []string{"-database-url", url, "-master-key-file", keyFile}, &stdout, &stdout); err != nil {
			t.Fatalf("bayt doctor on a healthy deployment: %v\n%s", err, stdout.String())
		}
	})
	t.Run("database unreachable", func(t *testing.T) {
		cfg := healthy
		cfg.DatabaseURL = "postgres://nobody@127.0.0.1:1/none?connect_timeout=1"
		expect(t, doctor(cfg, limits, time.Now), "database", "fail", "unreachable")
		var stdout strings.Builder
		if err := doctorCommand(ctx, []string{"-database-url", cfg.DatabaseURL}, &stdout, &stdout); !errors.Is(err, errUnhealthy) || exitCode(err) == 0 {
			t.Fatalf("bayt doctor without a database: err = %v (exit %d), want a non-zero exit", err, exitCode(err))
		}
	})
	t.Run("not migrated", func(t *testing.T) {
		_, empty := eventstoretest.Schema(t, &eventstoretest.SchemaOpts{Empty: true})
		cfg := healthy
		cfg.DatabaseURL = eventstoretest.URLFor(t, empty)
		expect(t, doctor(cfg, limits, time.Now), "migrations", "fail", "bayt migrate")
	})
	t.Run("another master key", func(t *testing.T) {
		other, _ := eventstoretest.MasterKeyFile(t)
		cfg := healthy
		cfg.MasterKeyFile = other
		expect(t, doctor(cfg, limits, time.Now), "master key", "fail", "does not open")
		cfg.MasterKeyFile = ""
		expect(t, doctor(cfg, limits, time.Now), "master key", "fail", "BAYT_MASTER_KEY_FILE is not set")
	})
	t.Run("NATS unreachable", func(t *testing.T) {
		cfg := healthy
		cfg.Bus, cfg.NATSURL = "nats", "nats://127.0.0.1:1"
		expect(t, doctor(cfg, limits, time.Now), "bus", "fail", "unreachable")
	})
	t.Run("clock skew", func(t *testing.T) {
		ahead := func() time.Time { return time.Now().Add(time.Minute) }
		expect(t, doctor(healthy, limits, ahead), "clock", "fail", "from PostgreSQL's")
	})
	t.Run("verification too old", func(t *testing.T) {
		later := func() time.Time { return time.Now().Add(2 * time.Hour) }
		got := doctor(healthy, doctorLimits{maxLag: 1000, verifyAge: time.Hour, maxSkew: 3 * time.Hour}, later)
		expect(t, got, "audit", "warn", "more than 1h0m0s ago")
	})
	t.Run("read model behind", func(t *testing.T) {
		for i := 3; i < 8; i++ {
			if _, err := store.Append(ctx, "note-a", int64(i), eventstoretest.Event("Noted", i)); err != nil {
				t.Fatal(err)
			}
		}
		strict := limits
		strict.maxLag = 2
		expect(t, doctor(healthy, strict, time.Now), "read model", "fail", "5 events behind")
		expect(t, doctor(healthy, limits, time.Now), "read model", "ok", "5 events behind")
	})
	t.Run("log altered", func(t *testing.T) {
		for _, q := range []string{
			"ALTER TABLE events DISABLE TRIGGER USER",
			`UPDATE events SET payload = '{"n": 7}' WHERE position = 2`,
			"ALTER TABLE events ENABLE TRIGGER USER",
		} {
			if _, err := pool.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := run(t, "audit", "verify", "-database-url", url); !errors.Is(err, eventstore.ErrTampered) {
			t.Fatalf("verify of an altered log: %v", err)
		}
		expect(t, doctor(healthy, limits, time.Now), "audit", "fail", "found the log altered")
	})
}
