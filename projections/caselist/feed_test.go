package caselist_test

import (
	"context"
	"encoding/json"
	"maps"
	"testing"

	"github.com/citizenhouse/bayt/projections/caselist"
	"github.com/citizenhouse/bayt/projections/projectionstest"
)

// TestFeedMovesTheCounts follows the suite's log as an open board does:
// from a board, each feed item moves one case from its previous status to
// its status, and an item that hides a case makes the board read afresh.
// At every item, the counts so followed are the board's.
func TestFeedMovesTheCounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	log := projectionstest.NewLog(t)
	at := func(q int) *caselist.Memory {
		m := caselist.NewMemory(caselist.Config{})
		if q > 0 {
			if err := m.Apply(ctx, log.Events[:q]); err != nil {
				t.Fatal(err)
			}
		}
		return m
	}
	board := func(m *caselist.Memory) map[string]int {
		b, err := m.Board(ctx, log.Now)
		if err != nil {
			t.Fatal(err)
		}
		return b.ByStatus
	}
	var (
		refetched int64 // the position of the last board read afresh
		moved     int
	)
	for q := 1; q <= len(log.Events); q++ {
		m := at(q)
		records, err := m.FeedAfter(ctx, refetched, len(log.Events))
		if err != nil {
			t.Fatal(err)
		}
		if len(records) == 0 || records[len(records)-1].Position != int64(q) {
			continue // no item at q
		}
		counts := board(at(int(refetched)))
		for _, r := range records {
			var it map[string]any
			if err := json.Unmarshal(r.JSON, &it); err != nil {
				t.Fatal(err)
			}
			if it["hidden"] == true {
				refetched = r.Position
				counts = board(at(int(refetched)))
				continue
			}
			prev, ok := it["previous_status"].(string)
			if !ok {
				t.Fatalf("item without previous_status: %s", r.JSON)
			}
			if prev != "" {
				counts[prev]--
				if counts[prev] == 0 {
					delete(counts, prev)
				}
			}
			counts[it["status"].(string)]++
			if prev != it["status"] {
				moved++
			}
		}
		if want := board(m); !maps.Equal(counts, want) {
			t.Fatalf("at %d, counts followed from %d = %v, board = %v", q, refetched, counts, want)
		}
	}
	if refetched == 0 || moved < 10 {
		t.Fatalf("the log hid no case (%d) or moved few (%d): the test proves nothing", refetched, moved)
	}
}
