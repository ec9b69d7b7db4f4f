package caselist

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/projections"
)

// Memory is the case list in process memory, for Bayt without a database.
type Memory struct {
	mu       sync.RWMutex
	cases    map[string]*casefile.Case
	feed     []FeedItem
	position int64
}

// NewMemory returns an empty in-memory case list.
func NewMemory() *Memory { return &Memory{cases: map[string]*casefile.Case{}} }

// Apply folds events into the list; events at or below the position
// already applied are skipped.
func (m *Memory) Apply(_ context.Context, events []projections.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for len(events) > 0 && events[0].Position <= m.position {
		events = events[1:]
	}
	if len(events) == 0 {
		return nil
	}
	if err := check(events); err != nil {
		return err
	}
	_, _, feed, err := fold(events, m.cases)
	if err != nil {
		return err
	}
	m.feed = append(m.feed, feed...)
	m.position = events[len(events)-1].Position
	return nil
}

// Position returns the last position applied.
func (m *Memory) Position() int64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.position
}

// List returns one page of cases matching f, newest first, as Postgres.List.
func (m *Memory) List(_ context.Context, f Filter) (Page, error) {
	if err := f.normalise(); err != nil {
		return Page{}, err
	}
	cur, err := projections.ParseCursor(f.Cursor)
	if err != nil {
		return Page{}, err
	}
	m.mu.RLock()
	var all []casefile.Case
	for _, c := range m.cases {
		if matches(c, f, cur) {
			all = append(all, snapshot(c))
		}
	}
	m.mu.RUnlock()
	slices.SortFunc(all, func(a, b casefile.Case) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	var page Page
	if len(all) > f.Limit {
		all = all[:f.Limit]
		page.NextCursor = cursorOf(all[f.Limit-1])
	}
	page.Items = all
	return page, nil
}

func matches(c *casefile.Case, f Filter, cur *projections.Cursor) bool {
	switch {
	case f.Status != "" && string(c.Status) != f.Status,
		f.District != "" && c.District != f.District,
		f.Category != "" && c.Category != f.Category,
		f.Department != "" && c.Department != f.Department,
		f.Overdue != nil && c.Overdue(f.Now) != *f.Overdue,
		f.Q != "" && !strings.Contains(searchText(c), f.Q):
		return false
	}
	return cur.After(c.CreatedAt, c.ID)
}
