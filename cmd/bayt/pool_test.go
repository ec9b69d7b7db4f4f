package main

import (
	"context"
	"testing"

	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
)

// TestPoolSessionSettings checks that every connection Bayt opens runs
// with the store's session settings (custom plans: see
// eventstore.SessionSettings), and that a URL that sets one itself wins.
func TestPoolSessionSettings(t *testing.T) {
	t.Parallel()
	_, schema := eventstoretest.Schema(t, nil)
	show := func(t *testing.T, url, name string) string {
		t.Helper()
		cfg := configFromEnv()
		cfg.DatabaseURL = url
		pool, err := openPool(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Close()
		var v string
		if err := pool.QueryRow(context.Background(), "SELECT current_setting($1)", name).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	for name, want := range eventstore.SessionSettings() {
		if got := show(t, eventstoretest.URLFor(t, schema)+smallPool, name); got != want {
			t.Errorf("%s = %q on Bayt's connections, want %q", name, got, want)
		}
	}
	if got := show(t, eventstoretest.URLFor(t, schema)+smallPool+"&plan_cache_mode=auto", "plan_cache_mode"); got != "auto" {
		t.Errorf("plan_cache_mode = %q with the URL saying auto", got)
	}
}
