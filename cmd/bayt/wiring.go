package main

import (
	"context"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/projections"
)

// follower is what both event stores offer to readers of the log.
type follower interface {
	Follow(ctx context.Context, after int64, batch int, fn func(context.Context, []eventstore.Event) error) error
}

// projectionLog adapts an event store to the log projections read: the
// projections package does not import the store.
type projectionLog struct{ store follower }

func (l projectionLog) Follow(ctx context.Context, after int64, batch int, fn func(context.Context, []projections.Event) error) error {
	return l.store.Follow(ctx, after, batch, func(ctx context.Context, events []eventstore.Event) error {
		return fn(ctx, toProjectionEvents(events))
	})
}

func toProjectionEvents(events []eventstore.Event) []projections.Event {
	out := make([]projections.Event, len(events))
	for i, e := range events {
		out[i] = projections.Event{
			ID: e.ID, Position: e.Position, Stream: e.StreamID, Version: e.StreamVersion, Type: e.Type,
			Data: e.Data, Actor: e.Metadata.Actor, RecordedAt: e.RecordedAt,
		}
	}
	return out
}

func caseCodec() eventstore.Codec[casefile.Case] {
	return eventstore.Codec[casefile.Case]{
		New:    func() *casefile.Case { return &casefile.Case{} },
		Apply:  (*casefile.Case).Apply,
		Decode: casefile.Decode,
	}
}

// tokenAuth adapts the token store to the API's Authenticator.
type tokenAuth struct {
	tokens interface {
		Authenticate(ctx context.Context, secret string) (eventstore.Token, error)
	}
}

func (a tokenAuth) Authenticate(ctx context.Context, secret string) (domain.Actor, error) {
	t, err := a.tokens.Authenticate(ctx, secret)
	if err != nil {
		return domain.Actor{}, err
	}
	return t.Actor(), nil
}
