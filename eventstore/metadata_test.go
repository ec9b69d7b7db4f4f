package eventstore_test

import (
	"context"
	"testing"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
)

// TestIdempotencyKeyInMetadata checks which keys the log keeps: a key
// sent with a credential names that credential and is kept in the events'
// metadata; a key sent without one is scoped to the caller's address and
// stays in the idempotency table alone.
func TestIdempotencyKeyInMetadata(t *testing.T) {
	t.Parallel()
	stores := map[string]func(t *testing.T) eventstoretest.Store{
		"Postgres": func(t *testing.T) eventstoretest.Store {
			pool, _ := eventstoretest.Schema(t, nil)
			return newPostgres(t, pool, eventstore.Config{})
		},
		"Memory": func(*testing.T) eventstoretest.Store { return eventstore.NewMemory(nil) },
	}
	for name, newStore := range stores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			for _, tc := range []struct {
				stream, key string
				actor       domain.Actor
				kept        bool
			}{
				{"case-staff", "tok_1/k", domain.Actor{ID: "tok_1", Role: domain.RoleAdvocate}, true},
				{"case-anonymous", "anonymous:5f2c", domain.Anonymous, false},
			} {
				ctx := domain.WithMetadata(context.Background(), domain.Metadata{Actor: tc.actor, RequestID: "r"})
				_, err := s.Do(ctx, eventstore.Request{
					Appends: []eventstore.StreamAppend{{Stream: tc.stream, Expected: eventstore.NoStream, Events: []eventstore.NewEvent{eventstoretest.Event("t", 1)}}},
					Idempotency: &eventstore.Idempotency{Key: tc.key, RequestHash: []byte("h"), ResponseFunc: func(eventstore.Result) (eventstore.Stored, error) {
						return eventstore.Stored{Status: 201, Body: []byte("{}")}, nil
					}},
				})
				if err != nil {
					t.Fatal(err)
				}
				evs, err := s.ReadStream(ctx, tc.stream, 0)
				if err != nil || len(evs) != 1 {
					t.Fatalf("read %s: %d events, %v", tc.stream, len(evs), err)
				}
				want := map[bool]string{true: tc.key}[tc.kept]
				if got := evs[0].Metadata.IdempotencyKey; got != want {
					t.Errorf("%s: metadata key %q, want %q", tc.stream, got, want)
				}
				if stored, err := s.Idempotent(ctx, tc.key, []byte("h")); err != nil || stored == nil {
					t.Errorf("%s: the key is not remembered: %v", tc.stream, err)
				}
			}
		})
	}
}
