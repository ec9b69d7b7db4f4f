package eventstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
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

// keyed is an event of a tally that may carry a key, which a keyed update
// records once, the key of the event it was decided after, and text,
// which the database may refuse.
type keyed struct {
	On    int64  `json:"on"`
	Key   string `json:"key,omitempty"`
	After string `json:"after,omitempty"`
	Text  string `json:"text,omitempty"`
}

func (*keyed) EventType() string { return "tally.keyed" }

type keyedTally struct {
	decidedOn   []int64
	after, keys []string
	seen        map[string]int
}

var keyedCodec = eventstore.Codec[keyedTally]{
	New: func() *keyedTally { return &keyedTally{seen: map[string]int{}} },
	Apply: func(t *keyedTally, e domain.Event) {
		k := e.(*keyed)
		t.decidedOn, t.after, t.keys = append(t.decidedOn, k.On), append(t.after, k.After), append(t.keys, k.Key)
		if k.Key != "" {
			t.seen[k.Key]++
		}
	},
	Decode: func(_ string, data []byte) (domain.Event, error) {
		var k keyed
		err := json.Unmarshal(data, &k)
		return &k, err
	},
}

// addKey is an update recording key once, after the state it was decided
// on.
func addKey(key, text string) func(*keyedTally) ([]domain.Event, error) {
	return func(s *keyedTally) ([]domain.Event, error) {
		if key != "" && s.seen[key] > 0 {
			return nil, nil
		}
		return []domain.Event{&keyed{On: int64(len(s.keys)), Key: key, After: s.keys[len(s.keys)-1], Text: text}}, nil
	}
}

// queueInOneRound runs a first update that decides alone in its round
// until every one of decides is queued behind it, in order, so that they
// are decided in one round, and returns their errors once all are
// answered.
func queueInOneRound(t *testing.T, store eventstore.Streams, repo *eventstore.Repository[keyedTally], stream string,
	decides ...func(*keyedTally) ([]domain.Event, error)) []error {
	t.Helper()
	ctx := context.Background()
	errs := make([]error, len(decides))
	var wg sync.WaitGroup
	deciding, release := make(chan struct{}), make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		var once sync.Once
		_, err := repo.Update(ctx, stream, domain.UpdateOptions{IfMatch: domain.AnyVersion}, func(s *keyedTally) ([]domain.Event, error) {
			once.Do(func() { close(deciding) })
			<-release
			return addKey("lead", "")(s)
		})
		if err != nil {
			t.Error(err)
		}
	}()
	<-deciding
	for i, decide := range decides {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = repo.Update(ctx, stream, domain.UpdateOptions{IfMatch: domain.AnyVersion}, decide)
		}()
		eventstore.AwaitWaiting(store, stream, i+2)
	}
	close(release)
	wg.Wait()
	return errs
}

// newKeyedTally makes a keyed tally stream with one event.
func newKeyedTally(t *testing.T) (*eventstore.Store, *eventstore.Repository[keyedTally], string) {
	t.Helper()
	pool, _ := eventstoretest.Schema(t, nil)
	store := newPostgres(t, pool, eventstore.Config{})
	repo := eventstore.NewRepository(store, keyedCodec)
	const stream = "tally-k"
	if _, err := repo.Update(context.Background(), stream, domain.UpdateOptions{IfMatch: domain.AnyVersion, Create: true},
		func(*keyedTally) ([]domain.Event, error) { return []domain.Event{&keyed{}}, nil }); err != nil {
		t.Fatal(err)
	}
	return store, repo, stream
}

// loadLanded loads the tally and fails unless every event was decided on
// the events before it in the log, those another writer appended (On -1)
// included.
func loadLanded(t *testing.T, repo *eventstore.Repository[keyedTally], stream string) *keyedTally {
	t.Helper()
	final, _, err := repo.Load(context.Background(), stream)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(final.keys); i++ {
		if final.decidedOn[i] >= 0 && (final.decidedOn[i] != int64(i) || final.after[i] != final.keys[i-1]) {
			t.Fatalf("event %d (%q) was decided on %d events, after %q, but follows %q: decided on a state that did not land",
				i, final.keys[i], final.decidedOn[i], final.after[i], final.keys[i-1])
		}
	}
	return final
}

// TestRoundWhoseChainBreaks decides updates of one stream in one round
// where one of them is refused by the database: the updates after it in
// the chain were decided on a state that never landed, so they are
// decided again, and a repeat that recorded nothing because the refused
// update would have recorded its key records it after all.
func TestRoundWhoseChainBreaks(t *testing.T) {
	t.Parallel()
	store, repo, stream := newKeyedTally(t)
	names := []string{"Before", "Refused", "RepeatOfRefused", "After", "RepeatOfBefore"}
	errs := queueInOneRound(t, store, repo, stream,
		addKey("a", ""), addKey("x", "NUL \u0000 here"), addKey("x", ""), addKey("b", ""), addKey("a", ""))
	for i, name := range names {
		if refused := errs[i] != nil; refused != (name == "Refused") {
			t.Fatalf("%s: %v", name, errs[i])
		}
	}
	final := loadLanded(t, repo, stream)
	if len(final.keys) != 5 || final.seen["a"] != 1 || final.seen["b"] != 1 || final.seen["x"] != 1 || final.seen["lead"] != 1 {
		t.Fatalf("events %q; want 5, each key once", final.keys)
	}
}

// TestChainRefusesWhatFollowsAFailure lets another writer append one event
// while a round decides: the round's first append is then stale, and the
// second expects exactly the version the stream stands at, but was
// decided after the first, which did not land. It must be decided again,
// not appended after the other writer's event.
func TestChainRefusesWhatFollowsAFailure(t *testing.T) {
	t.Parallel()
	store, repo, stream := newKeyedTally(t)
	var once sync.Once
	foreign := func(s *keyedTally) ([]domain.Event, error) {
		var err error
		once.Do(func() {
			_, err = store.Append(context.Background(), stream, int64(len(s.keys))-1,
				eventstore.NewEvent{Type: "tally.keyed", Data: []byte(`{"on": -1, "key": "foreign"}`)})
		})
		if err != nil {
			return nil, err
		}
		return addKey("second", "")(s)
	}
	errs := queueInOneRound(t, store, repo, stream, addKey("first", ""), foreign)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
	}
	final := loadLanded(t, repo, stream)
	if want := []string{"", "lead", "foreign", "first", "second"}; !slices.Equal(final.keys, want) {
		t.Fatalf("events %q, want %q", final.keys, want)
	}
}

// TestPanickingUpdateFailsAlone decides, in one round, an update that
// panics between two that do not: it fails with the panic, the others
// land, and the stream takes updates after it.
func TestPanickingUpdateFailsAlone(t *testing.T) {
	t.Parallel()
	store, repo, stream := newKeyedTally(t)
	errs := queueInOneRound(t, store, repo, stream,
		addKey("a", ""), func(*keyedTally) ([]domain.Event, error) { panic("a bug") }, addKey("b", ""))
	if errs[0] != nil || errs[2] != nil || errs[1] == nil || !strings.Contains(errs[1].Error(), "a bug") {
		t.Fatalf("errors %v; want only the panicking update's, naming the panic", errs)
	}
	if _, err := repo.Update(context.Background(), stream, domain.UpdateOptions{IfMatch: domain.AnyVersion}, addKey("c", "")); err != nil {
		t.Fatal(err)
	}
	final := loadLanded(t, repo, stream)
	if want := []string{"", "lead", "a", "b", "c"}; !slices.Equal(final.keys, want) {
		t.Fatalf("events %q, want %q", final.keys, want)
	}
}

// TestCreatingAnExistingStreamIsRefused creates a stream that exists, as a
// repository that has never read it would: a create is decided without
// reading the stream, so the store's own check at version 0 must refuse
// it, and the stream keeps only its first event.
func TestCreatingAnExistingStreamIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, _ := eventstoretest.Schema(t, nil)
	store := newPostgres(t, pool, eventstore.Config{})
	const stream = "tally-exists"
	if _, err := eventstore.NewRepository(store, tallyCodec).Update(ctx, stream, domain.UpdateOptions{IfMatch: domain.AnyVersion, Create: true}, count); err != nil {
		t.Fatal(err)
	}
	// A second repository shares the store but not the first one's
	// knowledge of the stream.
	fresh := eventstore.NewRepository(store, tallyCodec)
	_, err := fresh.Update(ctx, stream, domain.UpdateOptions{IfMatch: domain.AnyVersion, Create: true}, count)
	var conflict *domain.VersionConflictError
	if !errors.Is(err, eventstore.ErrStreamExists) || !errors.As(err, &conflict) || conflict.Actual != 1 {
		t.Fatalf("second create: %v, want ErrStreamExists at version 1", err)
	}
	if _, version, err := fresh.Load(ctx, stream); err != nil || version != 1 {
		t.Fatalf("after the refused create: version %d, %v; want 1", version, err)
	}
}
