package eventstore_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
)

// tally is an aggregate that counts its events and remembers the version
// each was decided on.
type tally struct {
	decidedOn []int64
}

type counted struct {
	On int64 `json:"on"`
}

func (*counted) EventType() string { return "tally.counted" }

var tallyCodec = eventstore.Codec[tally]{
	New:   func() *tally { return &tally{} },
	Apply: func(t *tally, e domain.Event) { t.decidedOn = append(t.decidedOn, e.(*counted).On) },
	Decode: func(_ string, data []byte) (domain.Event, error) {
		var c counted
		err := json.Unmarshal(data, &c)
		return &c, err
	},
}

// count is an update that records the version it was decided on.
func count(t *tally) ([]domain.Event, error) {
	return []domain.Event{&counted{On: int64(len(t.decidedOn))}}, nil
}

// TestConcurrentUpdatesOfOneStreamAllLand updates one stream from many
// goroutines at once, without If-Match: every update must land, each
// decided on the state its predecessor left, none refused as stale.
func TestConcurrentUpdatesOfOneStreamAllLand(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		store func(t *testing.T) eventstore.Streams
	}{
		{"Postgres", func(t *testing.T) eventstore.Streams {
			pool, _ := eventstoretest.Schema(t, nil)
			return newPostgres(t, pool, eventstore.Config{})
		}},
		{"Memory", func(*testing.T) eventstore.Streams { return eventstore.NewMemory(nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			store := tc.store(t)
			repo := eventstore.NewRepository(store, tallyCodec)
			const updates = 60
			stream := "tally-1"
			if _, err := repo.Update(ctx, stream, domain.UpdateOptions{IfMatch: domain.AnyVersion, Create: true}, count); err != nil {
				t.Fatal(err)
			}
			// The first update to take the turn holds it until every
			// other one waits for it: all of them then read the stream
			// at the same version, the race that used to refuse them.
			var (
				once sync.Once
				wg   sync.WaitGroup
				errs = make(chan error, updates)
			)
			for range updates {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := repo.Update(ctx, stream, domain.UpdateOptions{IfMatch: domain.AnyVersion}, func(s *tally) ([]domain.Event, error) {
						once.Do(func() { eventstore.AwaitWaiting(store, stream, updates) })
						return count(s)
					})
					errs <- err
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("an update was refused: %v", err)
				}
			}
			final, version, err := repo.Load(ctx, stream)
			if err != nil {
				t.Fatal(err)
			}
			if version != updates+1 {
				t.Fatalf("version %d, want %d", version, updates+1)
			}
			for i, on := range final.decidedOn {
				if on != int64(i) {
					t.Fatalf("event %d decided on %d events, want %d: an update did not see its predecessor", i, on, i)
				}
			}
			if n := eventstore.Waiting(store, stream); n != 0 {
				t.Fatalf("%d updates still hold the stream's turn", n)
			}
		})
	}
}

// TestTurnSeesOtherWriters appends to a stream behind the repository's
// back, as another node would, while an update holds its turn and another
// waits: the holder decides again on the fresh state, read after what its
// turn's cache knew, and the update waiting next starts from there.
func TestTurnSeesOtherWriters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, _ := eventstoretest.Schema(t, nil)
	store := newPostgres(t, pool, eventstore.Config{})
	repo := eventstore.NewRepository(store, tallyCodec)
	stream := "tally-2"
	if _, err := repo.Update(ctx, stream, domain.UpdateOptions{IfMatch: domain.AnyVersion, Create: true}, count); err != nil {
		t.Fatal(err)
	}
	var (
		decisions int
		wg        sync.WaitGroup
	)
	holding := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, err := repo.Update(ctx, stream, domain.UpdateOptions{IfMatch: domain.AnyVersion}, func(s *tally) ([]domain.Event, error) {
			if decisions++; decisions == 1 {
				close(holding)
				eventstore.AwaitWaiting(store, stream, 2)
				if _, err := store.Append(ctx, stream, int64(len(s.decidedOn)),
					eventstore.NewEvent{Type: "tally.counted", Data: []byte(`{"on": -1}`)}); err != nil {
					return nil, err
				}
			}
			return count(s)
		})
		if err != nil {
			t.Error(err)
		}
	}()
	<-holding
	// The first update holds the turn until this one waits for it.
	second := make(chan error, 1)
	go func() {
		_, err := repo.Update(ctx, stream, domain.UpdateOptions{IfMatch: domain.AnyVersion}, count)
		second <- err
	}()
	wg.Wait()
	if decisions != 2 {
		t.Fatalf("the holder decided %d times; the foreign append should have made it decide once more", decisions)
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	final, version, err := repo.Load(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	want := []int64{0, -1, 2, 3}
	if version != 4 || len(final.decidedOn) != 4 {
		t.Fatalf("version %d, events %v; want %v", version, final.decidedOn, want)
	}
	for i := range want {
		if final.decidedOn[i] != want[i] {
			t.Fatalf("events decided on %v, want %v", final.decidedOn, want)
		}
	}
}
