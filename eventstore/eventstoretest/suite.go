package eventstoretest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/eventstore"
)

// Store is the contract both event stores keep.
type Store interface {
	Append(ctx context.Context, stream string, expected int64, events ...eventstore.NewEvent) (eventstore.Result, error)
	Do(ctx context.Context, req eventstore.Request) (eventstore.Result, error)
	ReadStream(ctx context.Context, stream string, after int64) ([]eventstore.Event, error)
	ReadAll(ctx context.Context, after int64, limit int) ([]eventstore.Event, error)
	Follow(ctx context.Context, after int64, batch int, fn func(context.Context, []eventstore.Event) error) error
	Head(ctx context.Context) (int64, error)
	StreamVersion(ctx context.Context, stream string) (int64, error)
	Idempotent(ctx context.Context, key string, requestHash []byte) (*eventstore.Stored, error)
	VerifyStream(ctx context.Context, stream string) error
}

// Event returns a NewEvent of type typ whose payload is {"n": n}.
func Event(typ string, n int) eventstore.NewEvent {
	return eventstore.NewEvent{Type: typ, Data: json.RawMessage(fmt.Sprintf(`{"n": %d, "text": "بيت المواطن"}`, n))}
}

// Run runs the contract suite against stores made by newStore; each call
// must return an empty store.
func Run(t *testing.T, newStore func(t *testing.T) Store) {
	t.Helper()
	ctx := context.Background()

	t.Run("AppendAndRead", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		actx := domain.WithMetadata(ctx, domain.Metadata{
			Actor:         domain.Actor{ID: "tok-1", Name: "Salma", Role: domain.RoleAdvocate},
			CorrelationID: "corr-1", CausationID: "cause-1", RequestID: "req-1",
		})
		res, err := s.Append(actx, "case-a", eventstore.NoStream, Event("t.one", 1), Event("t.two", 2))
		if err != nil {
			t.Fatal(err)
		}
		if res.Version() != 2 || res.FirstPosition != 1 || res.LastPosition != 2 || len(res.Events) != 2 {
			t.Fatalf("result = %+v", res)
		}
		if _, err := s.Append(ctx, "case-b", eventstore.NoStream, Event("t.one", 3)); err != nil {
			t.Fatal(err)
		}
		res, err = s.Append(ctx, "case-a", 2, Event("t.three", 4))
		if err != nil {
			t.Fatal(err)
		}
		if res.Version() != 3 || res.LastPosition != 4 {
			t.Fatalf("third append = version %d position %d, want 3 and 4", res.Version(), res.LastPosition)
		}
		evs, err := s.ReadStream(ctx, "case-a", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 3 {
			t.Fatalf("stream has %d events, want 3", len(evs))
		}
		first := evs[0]
		if first.Type != "t.one" || first.StreamVersion != 1 || first.Position != 1 || len(first.ID) != 26 {
			t.Fatalf("first event = %+v", first)
		}
		if first.Metadata.Actor.Name != "Salma" || first.Metadata.CorrelationID != "corr-1" || first.Metadata.CausationID != "cause-1" || first.Metadata.RequestID != "req-1" {
			t.Fatalf("metadata = %+v", first.Metadata)
		}
		var payload struct {
			N    int    `json:"n"`
			Text string `json:"text"`
		}
		if err := json.Unmarshal(first.Data, &payload); err != nil || payload.N != 1 || payload.Text != "بيت المواطن" {
			t.Fatalf("payload = %s (%v)", first.Data, err)
		}
		if evs[2].StreamVersion != 3 || evs[2].Position != 4 {
			t.Fatalf("third event at version %d position %d", evs[2].StreamVersion, evs[2].Position)
		}
		tail, err := s.ReadStream(ctx, "case-a", 2)
		if err != nil || len(tail) != 1 || tail[0].Type != "t.three" {
			t.Fatalf("read from version 2 = %v, %v", tail, err)
		}
		all, err := s.ReadAll(ctx, 1, 2)
		if err != nil || len(all) != 2 || all[0].Position != 2 || all[1].Position != 3 {
			t.Fatalf("read all after 1 limit 2 = %v, %v", all, err)
		}
		if head, err := s.Head(ctx); err != nil || head != 4 {
			t.Fatalf("head = %d, %v", head, err)
		}
		if err := s.VerifyStream(ctx, "case-a"); err != nil {
			t.Fatalf("verify stream: %v", err)
		}
		if !first.RecordedAt.Equal(first.RecordedAt.UTC()) || first.RecordedAt.IsZero() {
			t.Fatalf("recorded_at = %v", first.RecordedAt)
		}
	})

	t.Run("ErrVersionConflict", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		if _, err := s.Append(ctx, "case-a", eventstore.NoStream, Event("t", 1), Event("t", 2)); err != nil {
			t.Fatal(err)
		}
		_, err := s.Append(ctx, "case-a", 1, Event("t", 3))
		var vc *domain.VersionConflictError
		if !errors.As(err, &vc) || vc.Actual != 2 || vc.Expected != 1 {
			t.Fatalf("stale append: err = %v, want version conflict at 2", err)
		}
		if v, _ := s.StreamVersion(ctx, "case-a"); v != 2 {
			t.Fatalf("version after refused append = %d, want 2", v)
		}
		if head, _ := s.Head(ctx); head != 2 {
			t.Fatalf("head after refused append = %d, want 2", head)
		}
	})

	t.Run("ErrStreamExists", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		if _, err := s.Append(ctx, "case-a", eventstore.NoStream, Event("t", 1)); err != nil {
			t.Fatal(err)
		}
		_, err := s.Append(ctx, "case-a", eventstore.NoStream, Event("t", 2))
		var vc *domain.VersionConflictError
		if !errors.Is(err, eventstore.ErrStreamExists) || !errors.As(err, &vc) || vc.Actual != 1 {
			t.Fatalf("err = %v, want ErrStreamExists with current version 1", err)
		}
	})

	t.Run("ErrStreamNotFound", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		_, err := s.Append(ctx, "case-missing", eventstore.StreamExists, Event("t", 1))
		if !errors.Is(err, eventstore.ErrStreamNotFound) || !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("err = %v, want ErrStreamNotFound", err)
		}
		if _, err := s.Append(ctx, "case-a", eventstore.NoStream, Event("t", 1)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Append(ctx, "case-a", eventstore.StreamExists, Event("t", 2)); err != nil {
			t.Fatalf("append to existing stream: %v", err)
		}
		if _, err := s.Append(ctx, "case-a", eventstore.Any, Event("t", 3)); err != nil {
			t.Fatalf("append at any version: %v", err)
		}
		if v, _ := s.StreamVersion(ctx, "case-a"); v != 3 {
			t.Fatalf("version = %d, want 3", v)
		}
	})

	t.Run("MultiStreamAtomic", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		if _, err := s.Append(ctx, "case-a", eventstore.NoStream, Event("t", 1)); err != nil {
			t.Fatal(err)
		}
		_, err := s.Do(ctx, eventstore.Request{Appends: []eventstore.StreamAppend{
			{Stream: "campaign-x", Expected: eventstore.NoStream, Events: []eventstore.NewEvent{Event("t", 2)}},
			{Stream: "case-a", Expected: 5, Events: []eventstore.NewEvent{Event("t", 3)}},
		}})
		var vc *domain.VersionConflictError
		if !errors.As(err, &vc) {
			t.Fatalf("err = %v, want version conflict", err)
		}
		if v, _ := s.StreamVersion(ctx, "campaign-x"); v != 0 {
			t.Fatalf("campaign-x written although the request failed: version %d", v)
		}
		res, err := s.Do(ctx, eventstore.Request{Appends: []eventstore.StreamAppend{
			{Stream: "campaign-x", Expected: eventstore.NoStream, Events: []eventstore.NewEvent{Event("t", 2)}},
			{Stream: "case-a", Expected: 1, Events: []eventstore.NewEvent{Event("t", 3)}},
		}})
		if err != nil || len(res.Versions) != 2 || res.Versions[0] != 1 || res.Versions[1] != 2 || res.LastPosition != 3 {
			t.Fatalf("multi-stream append = %+v, %v", res, err)
		}
	})

	t.Run("Idempotency", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		calls := 0
		req := func(hash string) eventstore.Request {
			return eventstore.Request{
				Appends: []eventstore.StreamAppend{{Stream: "case-a", Expected: eventstore.Any, Events: []eventstore.NewEvent{Event("t", 1)}}},
				Idempotency: &eventstore.Idempotency{Key: "key-1", RequestHash: []byte(hash), ResponseFunc: func(r eventstore.Result) (eventstore.Stored, error) {
					calls++
					return eventstore.Stored{Status: 201, Body: fmt.Appendf(nil, `{"position":%d}`, r.LastPosition)}, nil
				}},
			}
		}
		first, err := s.Do(ctx, req("h1"))
		if err != nil || first.Replayed != nil {
			t.Fatalf("first = %+v, %v", first, err)
		}
		again, err := s.Do(ctx, req("h1"))
		if err != nil || again.Replayed == nil || again.Replayed.Status != 201 || string(again.Replayed.Body) != `{"position":1}` {
			t.Fatalf("repeat = %+v, %v", again, err)
		}
		if head, _ := s.Head(ctx); head != 1 {
			t.Fatalf("repeat appended: head = %d", head)
		}
		if _, err := s.Do(ctx, req("h2")); !errors.Is(err, eventstore.ErrIdempotencyMismatch) {
			t.Fatalf("same key, other request: err = %v", err)
		}
		stored, err := s.Idempotent(ctx, "key-1", []byte("h1"))
		if err != nil || stored == nil || stored.Status != 201 {
			t.Fatalf("lookup = %+v, %v", stored, err)
		}
		if stored, err := s.Idempotent(ctx, "key-unknown", nil); err != nil || stored != nil {
			t.Fatalf("unknown key = %+v, %v", stored, err)
		}
		if calls != 1 {
			t.Fatalf("response built %d times, want 1", calls)
		}
	})

	t.Run("ConcurrentSameVersionOneWins", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		if _, err := s.Append(ctx, "case-a", eventstore.NoStream, Event("t", 0)); err != nil {
			t.Fatal(err)
		}
		const writers = 20
		var (
			wg        sync.WaitGroup
			mu        sync.Mutex
			wins      int
			conflicts int
			others    []error
		)
		start := make(chan struct{})
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, err := s.Append(ctx, "case-a", 1, Event("t", i+1))
				var vc *domain.VersionConflictError
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
				case errors.As(err, &vc) && vc.Actual == 2:
					conflicts++
				default:
					others = append(others, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if wins != 1 || conflicts != writers-1 || len(others) > 0 {
			t.Fatalf("wins %d, conflicts %d, other errors %v", wins, conflicts, others)
		}
		if v, _ := s.StreamVersion(ctx, "case-a"); v != 2 {
			t.Fatalf("version = %d, want 2", v)
		}
	})

	t.Run("FollowCatchesUpThenLive", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		for i := range 5 {
			if _, err := s.Append(ctx, fmt.Sprintf("case-%d", i), eventstore.NoStream, Event("t", i)); err != nil {
				t.Fatal(err)
			}
		}
		fctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		var got []int64
		done := make(chan error, 1)
		// caughtUp closes once the follower has delivered the whole log
		// as it stood, so what is appended after can only come live.
		caughtUp := make(chan struct{})
		go func() {
			done <- s.Follow(fctx, 2, 2, func(_ context.Context, evs []eventstore.Event) error {
				for _, e := range evs {
					got = append(got, e.Position)
					if e.Position == 5 {
						close(caughtUp)
					}
				}
				if len(got) == 6 {
					cancel()
				}
				return nil
			})
		}()
		select {
		case <-caughtUp:
		case err := <-done:
			t.Fatalf("follow ended before catching up: %v", err)
		}
		for i := 5; i < 8; i++ {
			if _, err := s.Append(ctx, fmt.Sprintf("case-%d", i), eventstore.NoStream, Event("t", i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		want := []int64{3, 4, 5, 6, 7, 8}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("followed %v, want %v", got, want)
		}
		if fctx.Err() != context.Canceled {
			t.Fatalf("follow ended by %v, want by the test after the live events", fctx.Err())
		}
	})

	t.Run("Upcast", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		// The store under test registers an upcaster for
		// ("test.renamed", 1) that moves "old" to "new"; see UpcastersForSuite.
		_, err := s.Append(ctx, "case-u", eventstore.NoStream, eventstore.NewEvent{Type: "test.renamed", SchemaVersion: 1, Data: json.RawMessage(`{"old":"قديم"}`)})
		if err != nil {
			t.Fatal(err)
		}
		evs, err := s.ReadStream(ctx, "case-u", 0)
		if err != nil || len(evs) != 1 {
			t.Fatalf("read = %v, %v", evs, err)
		}
		if evs[0].SchemaVersion != 2 || string(evs[0].Data) != `{"new":"قديم"}` {
			t.Fatalf("upcast event = v%d %s", evs[0].SchemaVersion, evs[0].Data)
		}
		if err := s.VerifyStream(ctx, "case-u"); err != nil {
			t.Fatalf("upcasting on read broke the stored chain: %v", err)
		}
	})
}

// UpcastersForSuite are the upcasters a store under Run must be built with.
func UpcastersForSuite() eventstore.Upcasters {
	return eventstore.Upcasters{
		{Type: "test.renamed", SchemaVersion: 1}: func(data json.RawMessage) (json.RawMessage, error) {
			var v struct {
				Old string `json:"old"`
			}
			if err := json.Unmarshal(data, &v); err != nil {
				return nil, err
			}
			return json.Marshal(map[string]string{"new": v.Old})
		},
	}
}
