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

// TestFeedItemsCarryTheCaseNumber: every item of a case not hidden
// carries the number the list gave the case, even the item of the report
// that the number was given with, and the language it was reported in,
// so that an open board's card reads as the server's.
func TestFeedItemsCarryTheCaseNumber(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	log := projectionstest.NewLog(t)
	m := caselist.NewMemory(caselist.Config{})
	// Batches of three: a report's number is given in the batch that
	// folds it, after its feed item is made.
	for i := 0; i < len(log.Events); i += 3 {
		if err := m.Apply(ctx, log.Events[i:min(i+3, len(log.Events))]); err != nil {
			t.Fatal(err)
		}
	}
	records, err := m.FeedAfter(ctx, 0, len(log.Events))
	if err != nil {
		t.Fatal(err)
	}
	var numbered, languages int
	for _, r := range records {
		var it caselist.FeedItem
		if err := json.Unmarshal(r.JSON, &it); err != nil {
			t.Fatal(err)
		}
		if it.Hidden {
			if it.Number != "" || it.Language != "" {
				t.Errorf("the item hiding %s says %q, %q", it.CaseID, it.Number, it.Language)
			}
			continue
		}
		want, err := m.Number(ctx, it.Stream)
		if err != nil {
			t.Fatal(err)
		}
		if it.Number == "" || it.Number != want {
			t.Errorf("%s item of %s has number %q, want %q", it.Event, it.CaseID, it.Number, want)
		}
		numbered++
		if it.Language != "" {
			languages++
		}
	}
	if numbered == 0 || languages == 0 {
		t.Fatalf("%d items numbered, %d with a language: the log proves nothing", numbered, languages)
	}
}
