package eventstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/citizenhouse/bayt/domain"
)

// Streams is what a Repository needs of a store; Store and Memory both
// provide it.
type Streams interface {
	Do(ctx context.Context, req Request) (Result, error)
	ReadStream(ctx context.Context, stream string, after int64) ([]Event, error)
	VerifyStream(ctx context.Context, stream string) error
}

// Codec tells a Repository how to rebuild an aggregate of type T.
type Codec[T any] struct {
	// New returns the empty state of a stream.
	New func() *T
	// Apply folds one event into state.
	Apply func(*T, domain.Event)
	// Decode turns a stored payload into an event.
	Decode func(eventType string, data []byte) (domain.Event, error)
}

// Repository loads aggregates by folding their streams and appends what
// their commands decide, at the version they were decided on. It is the
// domain's repository port for every aggregate, written once.
type Repository[T any] struct {
	store Streams
	codec Codec[T]
}

// NewRepository returns a repository of T over store.
func NewRepository[T any](store Streams, codec Codec[T]) *Repository[T] {
	if store == nil || codec.New == nil || codec.Apply == nil || codec.Decode == nil {
		panic("eventstore: incomplete repository")
	}
	return &Repository[T]{store: store, codec: codec}
}

// maxRetries bounds how often an update without If-Match decides again
// after losing a race to another writer.
const maxRetries = 5

// Load folds stream into a fresh state and returns it with its version. A
// stream without events is domain.ErrNotFound.
func (r *Repository[T]) Load(ctx context.Context, stream string) (*T, int64, error) {
	state, head, err := r.load(ctx, stream)
	return state, head.StreamVersion, err
}

// load is Load that also tells the position of the stream's last event.
func (r *Repository[T]) load(ctx context.Context, stream string) (*T, Event, error) {
	events, err := r.store.ReadStream(ctx, stream, 0)
	if err != nil {
		return nil, Event{}, err
	}
	if len(events) == 0 {
		return nil, Event{}, domain.NotFound(stream)
	}
	state := r.codec.New()
	for _, e := range events {
		ev, err := r.codec.Decode(e.Type, e.Data)
		if err != nil {
			return nil, Event{}, fmt.Errorf("decode %s v%d: %w", stream, e.StreamVersion, err)
		}
		r.codec.Apply(state, ev)
	}
	last := events[len(events)-1]
	return state, Event{StreamVersion: last.StreamVersion, Position: last.Position}, nil
}

// Update loads stream, lets decide choose events against its state and
// appends them at the version loaded. decide gets the codec's empty state
// (New) when the stream does not exist and opts.Create is set. Deciding no
// events is a no-op that reports the current version and the position of
// the stream's last event. Without If-Match, an
// append that loses a race to another writer is decided again on fresh
// state, a few times at most.
func (r *Repository[T]) Update(ctx context.Context, stream string, opts domain.UpdateOptions,
	decide func(state *T) ([]domain.Event, error)) (domain.Outcome, error) {
	for attempt := 0; ; attempt++ {
		state, head, err := r.load(ctx, stream)
		version := head.StreamVersion
		switch {
		case errors.Is(err, domain.ErrNotFound) && opts.Create:
			state = r.codec.New()
		case err != nil:
			return domain.Outcome{}, err
		case opts.Create:
			return domain.Outcome{}, fmt.Errorf("%w: %w", ErrStreamExists, &domain.VersionConflictError{Stream: stream, Expected: 0, Actual: version})
		}
		if opts.IfMatch != domain.AnyVersion && opts.IfMatch != version {
			return domain.Outcome{}, &domain.VersionConflictError{Stream: stream, Expected: opts.IfMatch, Actual: version}
		}
		events, err := decide(state)
		if err != nil {
			return domain.Outcome{}, err
		}
		if len(events) == 0 {
			return domain.Outcome{Stream: stream, Version: version, Position: head.Position}, nil
		}
		out, err := r.append(ctx, stream, version, events, opts.Idempotency)
		var conflict *domain.VersionConflictError
		if errors.As(err, &conflict) && opts.IfMatch == domain.AnyVersion && !opts.Create && attempt < maxRetries {
			continue
		}
		return out, err
	}
}

func (r *Repository[T]) append(ctx context.Context, stream string, version int64, events []domain.Event, idem *domain.Idempotency) (domain.Outcome, error) {
	news, err := Encode(events)
	if err != nil {
		return domain.Outcome{}, err
	}
	req := Request{Appends: []StreamAppend{{Stream: stream, Expected: version, Events: news}}}
	if idem != nil {
		req.Idempotency = &Idempotency{Key: idem.Key, RequestHash: idem.RequestHash, ResponseFunc: func(res Result) (Stored, error) {
			return idem.ResponseFunc(outcomeOf(stream, res))
		}}
	}
	res, err := r.store.Do(ctx, req)
	if err != nil {
		return domain.Outcome{}, err
	}
	return outcomeOf(stream, res), nil
}

// Encode turns domain events into events to append, under their stable
// wire names and schema versions.
func Encode(events []domain.Event) ([]NewEvent, error) {
	out := make([]NewEvent, len(events))
	for i, e := range events {
		data, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", e.EventType(), err)
		}
		out[i] = NewEvent{Type: e.EventType(), SchemaVersion: domain.SchemaVersionOf(e), Data: data}
	}
	return out, nil
}

func outcomeOf(stream string, res Result) domain.Outcome {
	out := domain.Outcome{Stream: stream, Version: res.Version(), Position: res.LastPosition, Replayed: res.Replayed}
	for _, e := range res.Events {
		out.Events = append(out.Events, e.Recorded())
	}
	return out
}

// Recorded returns e as the domain sees recorded events.
func (e Event) Recorded() domain.Recorded {
	return domain.Recorded{
		Position: e.Position, Stream: e.StreamID, Version: e.StreamVersion, ID: e.ID, Type: e.Type,
		Data: e.Data, Metadata: e.Metadata, RecordedAt: e.RecordedAt, Hash: e.Hash, PrevHash: e.PrevHash,
	}
}

// History returns stream's events and whether its hash chain holds.
func (r *Repository[T]) History(ctx context.Context, stream string) (domain.History, error) {
	events, err := r.store.ReadStream(ctx, stream, 0)
	if err != nil {
		return domain.History{}, err
	}
	if len(events) == 0 {
		return domain.History{}, domain.NotFound(stream)
	}
	h := domain.History{Stream: stream, Verified: true}
	if err := r.store.VerifyStream(ctx, stream); err != nil {
		if !errors.Is(err, ErrTampered) {
			return domain.History{}, err
		}
		h.Verified = false
	}
	for _, e := range events {
		h.Events = append(h.Events, e.Recorded())
	}
	return h, nil
}

// UpdateBoth changes two streams in one atomic append: it loads a stream
// from each repository, lets decide choose events for both against their
// states, and appends both at the versions loaded, or neither. opts apply
// to the first stream, whose outcome is returned. Both repositories must
// share one store. It serves commands that concern two aggregates at once,
// such as linking a case to a campaign, where each records its side.
func UpdateBoth[A, B any](ctx context.Context, ra *Repository[A], idA string, rb *Repository[B], idB string,
	opts domain.UpdateOptions, decide func(a *A, b *B) ([]domain.Event, []domain.Event, error)) (domain.Outcome, error) {
	for attempt := 0; ; attempt++ {
		a, va, err := ra.Load(ctx, idA)
		if err != nil {
			return domain.Outcome{}, err
		}
		b, vb, err := rb.Load(ctx, idB)
		if err != nil {
			return domain.Outcome{}, err
		}
		if opts.IfMatch != domain.AnyVersion && opts.IfMatch != va {
			return domain.Outcome{}, &domain.VersionConflictError{Stream: idA, Expected: opts.IfMatch, Actual: va}
		}
		evA, evB, err := decide(a, b)
		if err != nil {
			return domain.Outcome{}, err
		}
		req := Request{}
		for _, part := range []struct {
			id      string
			version int64
			events  []domain.Event
		}{{idA, va, evA}, {idB, vb, evB}} {
			if len(part.events) == 0 {
				continue
			}
			news, err := Encode(part.events)
			if err != nil {
				return domain.Outcome{}, err
			}
			req.Appends = append(req.Appends, StreamAppend{Stream: part.id, Expected: part.version, Events: news})
		}
		if len(req.Appends) == 0 {
			return domain.Outcome{Stream: idA, Version: va}, nil
		}
		if idem := opts.Idempotency; idem != nil {
			req.Idempotency = &Idempotency{Key: idem.Key, RequestHash: idem.RequestHash, ResponseFunc: func(res Result) (Stored, error) {
				return idem.ResponseFunc(bothOutcome(idA, va, evA, res))
			}}
		}
		res, err := ra.store.Do(ctx, req)
		var conflict *domain.VersionConflictError
		if errors.As(err, &conflict) && opts.IfMatch == domain.AnyVersion && attempt < maxRetries {
			continue
		}
		if err != nil {
			return domain.Outcome{}, err
		}
		return bothOutcome(idA, va, evA, res), nil
	}
}

// bothOutcome is the first stream's outcome of a two-stream append.
func bothOutcome(idA string, va int64, evA []domain.Event, res Result) domain.Outcome {
	out := domain.Outcome{Stream: idA, Version: va, Position: res.LastPosition, Replayed: res.Replayed}
	if len(evA) > 0 && len(res.Versions) > 0 {
		out.Version = res.Versions[0]
	}
	for _, e := range res.Events {
		out.Events = append(out.Events, e.Recorded())
	}
	return out
}
