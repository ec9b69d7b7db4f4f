package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/projections/caselist"
)

func TestSLABreachRecordedOnce(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	id := ts.report(nil)["id"].(string)
	path := "/api/v1/cases/" + id
	ts.must(http.StatusOK, "POST", path+"/triage", "advocate", map[string]any{"priority": "normal"})
	ts.must(http.StatusOK, "POST", path+"/forward", "advocate", map[string]any{"department": "roads_works"})
	ts.expectRead("the list to see the forwarded case", func() bool {
		return strings.Contains(string(ts.do("GET", "/api/v1/cases?status=forwarded", "", nil).body), id)
	})

	store := eventstore.New(ts.pool, eventstore.Config{})
	defer store.Close()
	later := time.Now().Add(31 * 24 * time.Hour) // past the roads SLA of 30 days
	w := slaWatchAt(ts, store, later)

	breaches := func() int {
		var h struct {
			Events []struct {
				Type  string `json:"type"`
				Actor struct {
					Role string `json:"role"`
				} `json:"actor"`
			} `json:"events"`
		}
		if err := json.Unmarshal(ts.do("GET", path+"/history", "", nil).body, &h); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range h.Events {
			if e.Type == "SLABreached" {
				if e.Actor.Role != "system" {
					t.Fatalf("breach recorded by %q, want the system", e.Actor.Role)
				}
				n++
			}
		}
		return n
	}
	w.sweep(context.Background())
	if n := breaches(); n != 1 {
		t.Fatalf("%d breaches after the first sweep, want 1", n)
	}
	ts.expectRead("the list to see the breach", func() bool {
		ids, err := caselist.NewPostgres(ts.pool, caselist.Config{}).Unbreached(context.Background(), later, 10)
		return err == nil && len(ids) == 0
	})
	w.sweep(context.Background())
	if n := breaches(); n != 1 {
		t.Fatalf("%d breaches after the second sweep, want still 1", n)
	}
	if c := ts.must(http.StatusOK, "GET", path, "", nil); c["status"] != "forwarded" {
		t.Fatalf("a breach changed the status: %v", c["status"])
	}
}

// slaWatchAt is an SLA watcher whose clock, and its case service's, reads
// at.
func slaWatchAt(ts *testServer, store *eventstore.Store, at time.Time) slaWatch {
	ports := newPorts(eventstore.NewVault(ts.pool, ts.mk), eventstore.NewHasher().Sum)
	ports.NowFunc = func() time.Time { return at }
	cases := casefile.NewService(eventstore.NewRepository(store, caseCodec()), directory.Default(), ports)
	return slaWatch{overdue: caselist.NewPostgres(ts.pool, caselist.Config{}), cases: cases, every: time.Hour, log: discardLogger(), nowFunc: ports.NowFunc}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
