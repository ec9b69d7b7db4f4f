package stats

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// stateKey names one state of the read model: its checkpoint's position
// and when the checkpoint was last written (in microseconds), which tells
// a rebuild swapped in at the same position from the rows it replaced.
type stateKey struct {
	position int64
	written  int64
}

const checkpointKey = `SELECT COALESCE(max(position), 0), COALESCE((extract(epoch FROM max(updated_at)) * 1000000)::bigint, 0)
FROM checkpoints WHERE name = $1`

// cacheSize bounds the answers kept per state: periods and filters are
// the askers' choice, and a state lasts until the next batch anyway.
const cacheSize = 256

// responsivenessEntry is an answer and the instants it holds for: its
// overdue counts are those of any now with after < now <= until (in
// microseconds), the due dates of open cases on either side of the now it
// was computed at.
type responsivenessEntry struct {
	months       []DepartmentMonth
	after, until int64
}

func (e responsivenessEntry) holds(now time.Time) bool {
	n := now.UnixMicro()
	return e.after < n && n <= e.until
}

// window returns the bounds of an entry from the due dates closest to now
// on either side, nil when there is none.
func window(before, from *time.Time) (after, until int64) {
	after, until = math.MinInt64, math.MaxInt64
	if before != nil {
		after = before.UnixMicro()
	}
	if from != nil {
		until = from.UnixMicro()
	}
	return after, until
}

// cache keeps the answers computed at the read model's current state, so
// that the figures page, asked by every visitor, aggregates once per
// state and question rather than once per request. An asker reads the
// state first, so it is never answered from a state older than the one
// committed when it asked; an answer computed meanwhile from a newer state
// is kept under the older key, which only makes it fresher.
type cache struct {
	mu    sync.Mutex
	key   stateKey
	needs map[NeedsFilter][]NeedsItem
	camps map[Period]Campaigns
	resp  map[Period]responsivenessEntry

	// computed counts the aggregations, for tests.
	computed atomic.Int64
}

// at empties the cache when the state moved on from what it holds. c.mu
// must be held.
func (c *cache) at(key stateKey) {
	if c.needs == nil || c.key != key || len(c.needs)+len(c.camps)+len(c.resp) > cacheSize {
		c.key = key
		c.needs, c.camps, c.resp = map[NeedsFilter][]NeedsItem{}, map[Period]Campaigns{}, map[Period]responsivenessEntry{}
	}
}

// cached answers from the cache at key, or computes and keeps the answer.
func cached[K comparable, V any](c *cache, key stateKey, m func() map[K]V, k K, valid func(V) bool,
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

// stateOf reads the read model's state key.
func (p *Postgres) stateOf(ctx context.Context) (stateKey, error) {
	var k stateKey
	err := p.pool.QueryRow(ctx, checkpointKey, Name).Scan(&k.position, &k.written)
	return k, err
}
