package caselist

import (
	"context"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/citizenhouse/bayt/projections"
)

// boardBudget bounds one computation of the board. It runs apart from the
// request that started it, which others wait on and which may go away.
const boardBudget = 15 * time.Second

// boardEntry is a board, the state it was computed at and the instants
// its overdue counts hold for.
type boardEntry struct {
	key   projections.State
	board Board
	span  projections.DueSpan
}

// boardFlight is one computation of the board, which every asker at the
// same key waits for.
type boardFlight struct {
	done  chan struct{}
	entry boardEntry
	err   error
}

// boardCache computes the board once per state of the read model and
// shares it with every asker: the API, the pages and each live snapshot
// ask for the board per request, per viewer and per connection, and each
// computation aggregates the whole case list.
//
// An asker first reads the read model's key (one row), so it is never
// answered a board older than what was committed when it asked; askers at
// a key not computed yet wait for one computation, whose own snapshot is
// at that key or later.
type boardCache struct {
	mu      sync.Mutex
	last    *boardEntry
	flights map[projections.State]*boardFlight

	// computed counts the computations, for tests.
	computed atomic.Int64
	// joinedFunc, when set, is called each time an asker waits on a
	// computation, for tests to know every asker is waiting.
	joinedFunc func()
}

// board returns the board at now: the one already computed at the key
// keyFunc reads, or compute's.
func (c *boardCache) board(ctx context.Context, now time.Time, keyFunc func(context.Context) (projections.State, error),
	compute func(context.Context, time.Time) (boardEntry, error)) (Board, error) {
	key, err := keyFunc(ctx)
	if err != nil {
		return Board{}, err
	}
	c.mu.Lock()
	if e := c.last; e != nil && e.key == key && e.span.Holds(now) {
		c.mu.Unlock()
		return e.board.clone(), nil
	}
	f, ok := c.flights[key]
	if !ok {
		f = &boardFlight{done: make(chan struct{})}
		if c.flights == nil {
			c.flights = map[projections.State]*boardFlight{}
		}
		c.flights[key] = f
		go c.run(context.WithoutCancel(ctx), key, f, now, compute)
	}
	joined := c.joinedFunc
	c.mu.Unlock()
	if joined != nil {
		joined()
	}
	select {
	case <-ctx.Done():
		return Board{}, ctx.Err()
	case <-f.done:
	}
	if f.err != nil {
		return Board{}, f.err
	}
	if !f.entry.span.Holds(now) {
		// A due date fell between this asker's now and the computation's:
		// rare, and only this asker's overdue counts differ.
		e, err := c.compute(ctx, now, compute)
		return e.board, err
	}
	return f.entry.board.clone(), nil
}

// run computes the board of flight f and keeps it as the last one.
func (c *boardCache) run(ctx context.Context, key projections.State, f *boardFlight, now time.Time,
	compute func(context.Context, time.Time) (boardEntry, error)) {
	ctx, cancel := context.WithTimeout(ctx, boardBudget)
	defer cancel()
	f.entry, f.err = c.compute(ctx, now, compute)
	c.mu.Lock()
	delete(c.flights, key)
	if f.err == nil {
		c.last = &f.entry
	}
	c.mu.Unlock()
	close(f.done)
}

func (c *boardCache) compute(ctx context.Context, now time.Time, compute func(context.Context, time.Time) (boardEntry, error)) (boardEntry, error) {
	c.computed.Add(1)
	return compute(ctx, now)
}

// clone returns b sharing nothing an asker could change with the cached
// board.
func (b Board) clone() Board {
	b.ByStatus, b.ByDistrict, b.ByCategory = maps.Clone(b.ByStatus), maps.Clone(b.ByDistrict), maps.Clone(b.ByCategory)
	b.Departments, b.Recent = slices.Clone(b.Departments), slices.Clone(b.Recent)
	return b
}
