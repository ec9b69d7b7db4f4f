package stats

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/citizenhouse/bayt/projections"
)

// cacheSize bounds the answers kept per state: periods and filters are
// the askers' choice, and a state lasts until the next batch anyway.
const cacheSize = 256

// responsivenessEntry is an answer and the instants its overdue counts
// hold for.
type responsivenessEntry struct {
	months []DepartmentMonth
	span   projections.DueSpan
}

// cache keeps the answers computed at the read model's current state, so
// that the figures page, asked by every visitor, aggregates once per
// state and question rather than once per request. An asker reads the
// state first, so it is never answered from a state older than the one
// committed when it asked; an answer computed meanwhile from a newer state
// is kept under the older key, which only makes it fresher.
type cache struct {
	mu    sync.Mutex
	key   projections.State
	needs map[NeedsFilter][]NeedsItem
	camps map[Period]Campaigns
	resp  map[Period]responsivenessEntry

	// computed counts the aggregations, for tests.
	computed atomic.Int64
}

// at empties the cache when the state moved on from what it holds. c.mu
// must be held.
func (c *cache) at(key projections.State) {
	if c.needs == nil || c.key != key || len(c.needs)+len(c.camps)+len(c.resp) > cacheSize {
		c.key = key
		c.needs, c.camps, c.resp = map[NeedsFilter][]NeedsItem{}, map[Period]Campaigns{}, map[Period]responsivenessEntry{}
	}
}

// cached answers from the cache at key, or computes and keeps the answer.
func cached[K comparable, V any](c *cache, key projections.State, m func() map[K]V, k K, valid func(V) bool,
	compute func() (V, error)) (V, error) {
	c.mu.Lock()
	c.at(key)
	if v, ok := m()[k]; ok && valid(v) {
		c.mu.Unlock()
		return v, nil
	}
	c.mu.Unlock()
	c.computed.Add(1)
	v, err := compute()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	c.at(key)
	m()[k] = v
	c.mu.Unlock()
	return v, nil
}

// stateOf reads the read model's state.
func (p *Postgres) stateOf(ctx context.Context) (projections.State, error) {
	return projections.StateOf(ctx, p.pool, Name)
}
