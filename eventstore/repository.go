package eventstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/citizenhouse/bayt/domain"
)

// Streams is what a Repository needs of a store; Store and Memory both
// provide it, and only they can: the repositories of one store share its
// turns, so that updates of one stream in this process take turns.
type Streams interface {
	Do(ctx context.Context, req Request) (Result, error)
	ReadStream(ctx context.Context, stream string, after int64) ([]Event, error)
	VerifyStream(ctx context.Context, stream string) error
	streamTurns() *turns
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
// after losing a race to another writer. Updates of one stream take turns
// within a process, so only other processes (another node, a command line
// tool) can make one lose, and each loss means one of them landed: a
// stream has at most one contender per process, and losing this many times
// in a row is not something honest load does. The bound stops a loop that
// something else (a stream whose head disagrees with its events) would
// make endless.
const maxRetries = 100

// Load folds stream into a fresh state and returns it with its version. A
// stream without events is domain.ErrNotFound.
func (r *Repository[T]) Load(ctx context.Context, stream string) (*T, int64, error) {
	state, head, err := r.load(ctx, stream, nil)
	return state, head.StreamVersion, err
}

// known is what an update knew of a stream once it landed: its events,
// decoded, and the version and position of the last. The stream's turn
// keeps it for the next update waiting (see turns).
type known[T any] struct {
	events []domain.Event
	head   Event
}

// load is Load that also tells the position of the stream's last event.
// With cache, it starts from what the cache knows and reads only the
// events after it, which are those other processes appended meanwhile;
// the cache is then left knowing the stream as loaded. Folding cached
// events again is safe because Apply copies what it keeps of an event.
func (r *Repository[T]) load(ctx context.Context, stream string, cache *any) (state *T, head Event, err error) {
	if cache != nil {
		defer func() {
			if err != nil {
				*cache = nil
			}
		}()
	}
	k := &known[T]{}
	if cache != nil {
		if c, ok := (*cache).(*known[T]); ok {
			k = c
		}
	}
	events, err := r.store.ReadStream(ctx, stream, k.head.StreamVersion)
	if err != nil {
		return nil, Event{}, err
	}
	for _, e := range events {
		if e.StreamVersion != k.head.StreamVersion+1 {
			return nil, Event{}, fmt.Errorf("read %s: version %d after %d", stream, e.StreamVersion, k.head.StreamVersion)
		}
		ev, err := r.codec.Decode(e.Type, e.Data)
		if err != nil {
			return nil, Event{}, fmt.Errorf("decode %s v%d: %w", stream, e.StreamVersion, err)
		}
		k.events = append(k.events, ev)
		k.head = Event{StreamVersion: e.StreamVersion, Position: e.Position}
	}
	if len(k.events) == 0 {
		return nil, Event{}, domain.NotFound(stream)
	}
	state = r.codec.New()
	for _, ev := range k.events {
		r.codec.Apply(state, ev)
	}
	if cache != nil {
		*cache = k
	}
	return state, k.head, nil
}

// remember adds to cache the events an update appended, as stored, so that
// the next update of the stream need not read them back. On any doubt it
// empties the cache, and the next update reads the whole stream.
func (r *Repository[T]) remember(cache *any, version int64, news []NewEvent, out domain.Outcome) {
	k, ok := (*cache).(*known[T])
	if !ok || out.Replayed != nil || k.head.StreamVersion != version || out.Version != version+int64(len(news)) {
		*cache = nil
		return
	}
	for _, e := range news {
		ev, err := r.codec.Decode(e.Type, e.Data)
		if err != nil {
			*cache = nil
			return
		}
		k.events = append(k.events, ev)
	}
	k.head = Event{StreamVersion: out.Version, Position: out.Position}
}

// Update loads stream, lets decide choose events against its state and
// appends them at the version loaded. decide gets the codec's empty state
// (New) when the stream does not exist and opts.Create is set. Deciding no
// events is a no-op that reports the current version and the position of
// the stream's last event. Updates of one stream in this process take
// turns (see turns), so that concurrent commands that do not depend on the
// version their caller saw all land instead of refusing one another.
// Without If-Match, an append that loses a race to another process is
// decided again on fresh state.
func (r *Repository[T]) Update(ctx context.Context, stream string, opts domain.UpdateOptions,
	decide func(state *T) ([]domain.Event, error)) (domain.Outcome, error) {
	turn, err := r.store.streamTurns().take(ctx, stream)
	if err != nil {
		return domain.Outcome{}, err
	}
	defer turn.release()
	for attempt := 0; ; attempt++ {
		state, head, err := r.load(ctx, stream, turn.cache())
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
		news, err := Encode(events)
		if err != nil {
			return domain.Outcome{}, err
		}
		out, err := r.append(ctx, stream, version, news, opts.Idempotency)
		if err == nil {
			r.remember(turn.cache(), version, news, out)
		}
		var conflict *domain.VersionConflictError
		if errors.As(err, &conflict) && opts.IfMatch == domain.AnyVersion && !opts.Create && attempt < maxRetries {
			continue
		}
		return out, err
	}
}

func (r *Repository[T]) append(ctx context.Context, stream string, version int64, news []NewEvent, idem *domain.Idempotency) (domain.Outcome, error) {
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
	if ra.store.streamTurns() != rb.store.streamTurns() {
		return domain.Outcome{}, errors.New("eventstore: update both over two stores")
	}
	turns, err := ra.store.streamTurns().take(ctx, idA, idB)
	if err != nil {
		return domain.Outcome{}, err
	}
	defer turns.release()
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
