package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
	"github.com/citizenhouse/bayt/projections"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestReadModelsRegistry checks that every entry of the registry can be
// wired both ways: its two implementations answer what the API, the hubs
// and the SLA watch ask, and what it feeds is a live board.
func TestReadModelsRegistry(t *testing.T) {
	t.Parallel()
	reg := readModels(nil)
	if err := reg.Validate(); err != nil {
		t.Fatal(err)
	}
	pool, _ := eventstoretest.Schema(t, nil)
	for _, side := range []struct {
		name string
		pool *pgxpool.Pool
	}{{"Memory", nil}, {"Postgres", pool}} {
		rs, err := newReadSide(reg, side.pool)
		if err != nil {
			t.Fatalf("%s: %v", side.name, err)
		}
		for _, m := range reg {
			impl := rs.models[m.Name]
			if _, ok := impl.(projections.Memory); side.pool == nil && !ok {
				t.Errorf("%s %s: %T is not an in-memory read model", side.name, m.Name, impl)
			}
			if _, ok := impl.(projections.Tabled); side.pool != nil && !ok {
				t.Errorf("%s %s: %T is not a PostgreSQL read model", side.name, m.Name, impl)
			}
		}
	}
	boards := (&program{}).liveBoards()
	for _, m := range reg {
		if _, ok := boards[m.Feeds]; m.Feeds != "" && !ok {
			t.Errorf("%s feeds %q, which is no live board", m.Name, m.Feeds)
		}
	}
	if bad := append(reg, reg[0]).Validate(); bad == nil {
		t.Error("a registry listing a read model twice was accepted")
	}
}

// TestProjectionsCommand rebuilds every read model of the registry and
// reports each one's position, from a demo city's log.
func TestProjectionsCommand(t *testing.T) {
	t.Parallel()
	_, schema := eventstoretest.Schema(t, nil)
	url := eventstoretest.URLFor(t, schema) + smallPool
	keyFile, _ := eventstoretest.MasterKeyFile(t)
	if _, err := run(t, "demo", "load", "-database-url", url, "-master-key-file", keyFile, "--cases", "30"); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "projections", "status", "-database-url", url)
	if err != nil {
		t.Fatal(err)
	}
	head := regexp.MustCompile(`log head: (\d+)`).FindStringSubmatch(out)
	if head == nil || head[1] == "0" {
		t.Fatalf("status before any runner: %q", out)
	}
	for _, name := range readModels(nil).Names() {
		// Nothing has applied the log yet: the whole log is the lag.
		if !regexp.MustCompile(`(?m)^` + name + ` +position 0 +lag ` + head[1] + ` +updated never$`).MatchString(out) {
			t.Errorf("status does not show %s unapplied:\n%s", name, out)
		}
	}

	out, err = run(t, "projections", "rebuild", "-database-url", url)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range readModels(nil).Names() {
		if !strings.Contains(out, "rebuilt "+name+": "+head[1]+" events") {
			t.Errorf("rebuild does not report %s over %s events:\n%s", name, head[1], out)
		}
	}
	out, err = run(t, "projections", "status", "-database-url", url)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range readModels(nil).Names() {
		if !regexp.MustCompile(`(?m)^` + name + ` +position ` + head[1] + ` +lag 0 `).MatchString(out) {
			t.Errorf("status after the rebuild does not show %s caught up:\n%s", name, out)
		}
	}
	if _, err := run(t, "projections", "rebuild", "-database-url", url, "no_such_model"); exitCode(err) != 2 {
		t.Errorf("rebuild of an unknown read model: %v, want a usage error", err)
	}
}
