package eventstore

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/citizenhouse/bayt/domain"
)

// Memory is an event store in process memory with the same contract as
// Store: one total order, expected versions, idempotency keys and hash
// chains. Nothing survives the process.
type Memory struct {
	mu        sync.RWMutex
	log       []Event
	streams   map[string]*streamHead
	index     map[string][]int // stream -> offsets in log
	keys      map[string]keyRecord
	order     turns
	wake      *doorbell
	upcasters Upcasters
	poll      time.Duration
}

// NewMemory returns an empty in-memory store.
func NewMemory(upcasters Upcasters) *Memory {
	return &Memory{
		streams:   map[string]*streamHead{},
		index:     map[string][]int{},
		keys:      map[string]keyRecord{},
		wake:      newDoorbell(),
		upcasters: upcasters,
		poll:      time.Second,
	}
}

func (m *Memory) streamTurns() *turns { return &m.order }

// Append appends events to one stream at the expected version.
func (m *Memory) Append(ctx context.Context, stream string, expected int64, events ...NewEvent) (Result, error) {
	return m.Do(ctx, Request{Appends: []StreamAppend{{Stream: stream, Expected: expected, Events: events}}})
}

// Do appends req atomically, as Store.Do does.
func (m *Memory) Do(ctx context.Context, req Request) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	m.mu.Lock()
	var last Event
	if n := len(m.log); n > 0 {
		last = m.log[n-1]
	}
	p := newPlanner(last.Position, last.LogHash, time.Now())
	p.streams, p.keys = m.streams, m.keys
	res, err := p.plan(req, domain.MetadataFrom(ctx))
	if err == nil {
		for _, e := range p.accepted {
			m.index[e.StreamID] = append(m.index[e.StreamID], len(m.log))
			m.log = append(m.log, e)
		}
	}
	m.mu.Unlock()
	if err == nil && len(p.accepted) > 0 {
		m.wake.ring()
	}
	return res, err
}

// Idempotent returns the remembered answer for key, or nil.
func (m *Memory) Idempotent(_ context.Context, key string, requestHash []byte) (*Stored, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	rec, ok := m.keys[key]
	if !ok {
		return nil, nil
	}
	if string(rec.requestHash) != string(requestHash) {
		return nil, ErrIdempotencyMismatch
	}
	stored := rec.stored
	return &stored, nil
}

// doChain appends reqs one after another, as Store.doChain does: a request
// whose predecessor did not land is refused as stale.
func (m *Memory) doChain(ctxs []context.Context, reqs []Request) []outcome {
	out := make([]outcome, len(reqs))
	landed := true
	for i, req := range reqs {
		if !landed {
			out[i] = outcome{err: stale(req)}
			continue
		}
		res, err := m.Do(ctxs[i], req)
		out[i] = outcome{res: res, err: err}
		landed = err == nil && res.Replayed == nil
	}
	return out
}

// ReadStream returns the events of stream with a version above after.
func (m *Memory) ReadStream(_ context.Context, stream string, after int64) ([]Event, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []Event
	for _, i := range m.index[stream] {
		if m.log[i].StreamVersion > after {
			out = append(out, m.log[i])
		}
	}
	return m.upcast(out)
}

// ReadAll returns at most limit events with a position above after.
func (m *Memory) ReadAll(_ context.Context, after int64, limit int) ([]Event, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	// Positions are dense from 1, so position p sits at offset p-1.
	start := min(max(after, 0), int64(len(m.log)))
	end := min(start+int64(limit), int64(len(m.log)))
	return m.upcast(append([]Event(nil), m.log[start:end]...))
}

func (m *Memory) upcast(events []Event) ([]Event, error) {
	for i := range events {
		// Copy the payload: upcasters may not alias what the log keeps.
		events[i].Data = append(json.RawMessage(nil), events[i].Data...)
		if err := m.upcasters.apply(&events[i]); err != nil {
			return nil, err
		}
	}
	return events, nil
}

// Head returns the position of the newest event.
func (m *Memory) Head(context.Context) (int64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return int64(len(m.log)), nil
}

// StreamVersion returns the version of stream, 0 when it does not exist.
func (m *Memory) StreamVersion(_ context.Context, stream string) (int64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if h, ok := m.streams[stream]; ok {
		return h.version, nil
	}
	return 0, nil
}

// Wait returns a channel closed when the log may have moved.
func (m *Memory) Wait() <-chan struct{} { return m.wake.wait() }

// Follow calls fn with every event after position after, as Store.Follow.
func (m *Memory) Follow(ctx context.Context, after int64, batch int, fn func(context.Context, []Event) error) error {
	return follow(ctx, m, m.poll, after, batch, fn)
}

// Close exists for symmetry with Store.
func (m *Memory) Close() {}
