package eventstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/citizenhouse/bayt/domain"
)

// Streams is what a Repository needs of a store; Store and Memory both
// provide it, and only they can: the repositories of one store share its
// turns, in which the updates of one stream in this process are decided
// in rounds, and append each round as one chain.
type Streams interface {
	Do(ctx context.Context, req Request) (Result, error)
	ReadStream(ctx context.Context, stream string, after int64) ([]Event, error)
	VerifyStream(ctx context.Context, stream string) error
	streamTurns() *turns
	doChain(ctxs []context.Context, reqs []Request) []outcome
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

// maxRetries bounds how often an update without If-Match is decided again
// after losing a race to another writer. The updates of one stream in a
// process are decided in rounds, one after another (see turns), so only
// other processes (another node, a command line tool) can make one lose,
// and each loss means one of them landed: losing this many times in a row
// is not something honest load does. The bound stops a loop that
// something else (a stream whose head disagrees with its events) would
// make endless.
const maxRetries = 100

// roundReadTimeout bounds a round's read of its stream, done once for
// every update of the round whatever their own deadlines.
const roundReadTimeout = 15 * time.Second

// Load folds stream into a fresh state and returns it with its version. A
// stream without events is domain.ErrNotFound.
func (r *Repository[T]) Load(ctx context.Context, stream string) (*T, int64, error) {
	var cache any
	k, err := r.catchUp(ctx, stream, &cache)
	if err != nil {
		return nil, 0, err
	}
	if len(k.events) == 0 {
		return nil, 0, domain.NotFound(stream)
	}
	return r.fold(k.events), k.head.StreamVersion, nil
}

// known is what a round knew of a stream: its events, decoded, and the
// version and position of the last.
type known[T any] struct {
	events []domain.Event
	head   Event
}

// catchUp returns what cache knows of stream brought up to date. It reads
// only the events after what the cache knows, which are those other
// processes appended meanwhile (all of them when it knows nothing). The
// cache is left empty on error. A stream without events is known empty.
func (r *Repository[T]) catchUp(ctx context.Context, stream string, cache *any) (*known[T], error) {
	k, _ := (*cache).(*known[T])
	if k == nil {
		k = &known[T]{}
	}
	*cache = nil
	events, err := r.store.ReadStream(ctx, stream, k.head.StreamVersion)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		if e.StreamVersion != k.head.StreamVersion+1 {
			return nil, fmt.Errorf("read %s: version %d after %d", stream, e.StreamVersion, k.head.StreamVersion)
		}
		ev, err := r.codec.Decode(e.Type, e.Data)
		if err != nil {
			return nil, fmt.Errorf("decode %s v%d: %w", stream, e.StreamVersion, err)
		}
		k.events = append(k.events, ev)
		k.head = Event{StreamVersion: e.StreamVersion, Position: e.Position}
	}
	*cache = k
	return k, nil
}

// fold returns the state events leave. Folding the same events again for
// each update is safe because Apply copies what it keeps of an event.
func (r *Repository[T]) fold(events []domain.Event) *T {
	state := r.codec.New()
	for _, ev := range events {
		r.codec.Apply(state, ev)
	}
	return state
}

// job is one update of a Repository[T], queued in its stream's turns.
type job[T any] struct {
	opts   domain.UpdateOptions
	decide func(*T) ([]domain.Event, error)
}

// Update loads stream, lets decide choose events against its state and
// appends them at the version loaded. decide gets the codec's empty state
// (New) when the stream does not exist and opts.Create is set. Deciding no
// events is a no-op that reports the current version and the position of
// the stream's last event. The updates of one stream in this process are
// decided in rounds (see turns): each on the state the ones before it
// leave, all appended in one group commit, so that concurrent commands
// that do not depend on the version their caller saw all land instead of
// refusing one another. Without If-Match, an update that loses a race to
// another process is decided again on fresh state.
func (r *Repository[T]) Update(ctx context.Context, stream string, opts domain.UpdateOptions,
	decide func(state *T) ([]domain.Event, error)) (domain.Outcome, error) {
	return r.store.streamTurns().run(ctx, stream, &job[T]{opts: opts, decide: decide}, func(rd *round, tickets []*ticket, cache *any) {
		r.round(rd, stream, tickets, cache)
	})
}

// step is what a round decided for one ticket: an append (req, its index
// in the round's chain) or an answer that holds only if the appends
// before it land.
type step struct {
	tk     *ticket
	req    int // index in the chain, or -1
	out    domain.Outcome
	err    error
	settle bool // the answer stands whatever the chain does
}

// round decides tickets one after another on the state each leaves for
// the next, appends what they decided as one chain, and answers them. An
// update whose answer depended on an append that did not land (the chain
// broke before it) is put back, to be decided again on what did.
func (r *Repository[T]) round(rd *round, stream string, tickets []*ticket, cache *any) {
	var (
		k   *known[T]
		err error
	)
	if *cache == nil && creatingOnly(tickets) {
		// A stream being created is one whose id was just made: it is
		// known empty without reading it, and should it exist after all,
		// the append refuses at version 0 as a read would have.
		k = &known[T]{}
		*cache = k
	} else {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(tickets[0].ctx), roundReadTimeout)
		k, err = r.catchUp(ctx, stream, cache)
		cancel()
	}
	if err != nil {
		for _, tk := range tickets {
			rd.answer(tk, domain.Outcome{}, err)
		}
		return
	}
	events := slices.Clone(k.events)
	version := k.head.StreamVersion
	var (
		steps []step
		ctxs  []context.Context
		reqs  []Request
	)
	for _, tk := range tickets {
		rd.deciding = tk
		j := tk.job.(*job[T])
		predicted := len(reqs) > 0
		if err := tk.ctx.Err(); err != nil {
			rd.answer(tk, domain.Outcome{}, translate(err))
			continue
		}
		if predicted && (j.opts.IfMatch != domain.AnyVersion || j.opts.Create) {
			// Its caller's expectation is checked against what has
			// landed, in the next round.
			rd.retry(tk)
			continue
		}
		st := step{tk: tk, req: -1, out: domain.Outcome{Stream: stream, Version: version}, settle: !predicted}
		var state *T
		switch {
		case len(events) == 0 && j.opts.Create:
			state = r.codec.New()
		case len(events) == 0:
			st.err = domain.NotFound(stream)
		case j.opts.Create:
			st.err = fmt.Errorf("%w: %w", ErrStreamExists, &domain.VersionConflictError{Stream: stream, Expected: 0, Actual: version})
		case j.opts.IfMatch != domain.AnyVersion && j.opts.IfMatch != version:
			st.err = &domain.VersionConflictError{Stream: stream, Expected: j.opts.IfMatch, Actual: version}
		default:
			state = r.fold(events)
		}
		if st.err == nil {
			st.err = r.decideStep(&st, j, state, stream, version, &reqs, &ctxs, &events, &version)
		}
		steps = append(steps, st)
	}
	rd.deciding = nil
	r.finish(rd, stream, steps, ctxs, reqs, k, events, version, cache)
}

// creatingOnly reports whether every update of a round creates its stream.
func creatingOnly(tickets []*ticket) bool {
	for _, tk := range tickets {
		if o := tk.job.(interface{ creates() bool }); !o.creates() {
			return false
		}
	}
	return true
}

func (j *job[T]) creates() bool { return j.opts.Create }

// decideStep runs j's decision on state and, when it chose events, adds
// them to the round's chain at version and to the events the next update
// is decided on.
func (r *Repository[T]) decideStep(st *step, j *job[T], state *T, stream string, at int64,
	reqs *[]Request, ctxs *[]context.Context, events *[]domain.Event, version *int64) error {
	decided, err := j.decide(state)
	if err != nil || len(decided) == 0 {
		return err
	}
	news, err := Encode(decided)
	if err != nil {
		return err
	}
	// What the next update is decided on is what is stored, as a read
	// would give it back.
	stored := make([]domain.Event, len(news))
	for i, e := range news {
		if stored[i], err = r.codec.Decode(e.Type, e.Data); err != nil {
			return fmt.Errorf("decode %s: %w", e.Type, err)
		}
	}
	st.req = len(*reqs)
	*reqs = append(*reqs, r.request(stream, at, news, j.opts.Idempotency))
	*ctxs = append(*ctxs, st.tk.ctx)
	*events = append(*events, stored...)
	*version += int64(len(news))
	return nil
}

// finish appends a round's chain and answers each step: an append by its
// result, a decision without one as it stands if it was made on what had
// landed or everything before it in the chain lands. The others are put
// back, as is an append that lost a race. The cache learns the round's
// events only if all of them landed.
func (r *Repository[T]) finish(rd *round, stream string, steps []step, ctxs []context.Context, reqs []Request,
	k *known[T], events []domain.Event, version int64, cache *any) {
	var results []outcome
	if len(reqs) > 0 {
		results = r.store.doChain(ctxs, reqs)
	}
	landed, position := true, k.head.Position
	for _, st := range steps {
		if st.req < 0 {
			if st.settle || landed {
				st.out.Position = position
				rd.answer(st.tk, st.out, st.err)
			} else {
				rd.retry(st.tk)
			}
			continue
		}
		o := results[st.req]
		opts := st.tk.job.(*job[T]).opts
		var conflict *domain.VersionConflictError
		switch {
		case o.err == nil:
			rd.answer(st.tk, outcomeOf(stream, o.res), nil)
			if o.res.Replayed != nil {
				landed = false
			} else {
				position = o.res.LastPosition
			}
		case errors.As(o.err, &conflict) && opts.IfMatch == domain.AnyVersion && !opts.Create && st.tk.attempts < maxRetries:
			landed = false
			st.tk.attempts++
			rd.retry(st.tk)
		default:
			landed = false
			rd.answer(st.tk, domain.Outcome{}, o.err)
		}
	}
	if !landed {
		*cache = nil
		return
	}
	k.events, k.head = events, Event{StreamVersion: version, Position: position}
}

// request is the append of news to stream at version, remembering the
// answer for idem if set.
func (r *Repository[T]) request(stream string, version int64, news []NewEvent, idem *domain.Idempotency) Request {
	req := Request{Appends: []StreamAppend{{Stream: stream, Expected: version, Events: news}}}
	if idem != nil {
		req.Idempotency = &Idempotency{Key: idem.Key, RequestHash: idem.RequestHash, ResponseFunc: func(res Result) (Stored, error) {
			return idem.ResponseFunc(outcomeOf(stream, res))
		}}
	}
	return req
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
