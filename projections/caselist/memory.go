package caselist

import (
	"cmp"
	"context"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/projections"
)

// Memory is the case list in process memory, for Bayt without a database.
// It keeps the same rows as Postgres and answers every query the same,
// down to the order of ties: it compares times at the microsecond, as
// PostgreSQL keeps them, and text byte by byte, as the "C" collation does.
type Memory struct {
	mu       sync.RWMutex
	rows     map[string]Row
	feed     []FeedItem
	position int64
	boards   boardCache
	zone     *time.Location
	// last is each year's last number given; tokens finds a case by its
	// tracking token's hash (hex).
	last   map[int]int
	tokens map[string]string
}

var _ projections.Memory = (*Memory)(nil)

// NewMemory returns an empty in-memory case list.
func NewMemory(cfg Config) *Memory {
	return &Memory{rows: map[string]Row{}, zone: cfg.zone(), last: map[int]int{}, tokens: map[string]string{}}
}

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
	stored := map[string]Row{}
	for _, id := range caseIDs(events) {
		if r, ok := m.rows[id]; ok {
			stored[id] = r
		}
	}
	f, err := foldRows(events, stored)
	if err != nil {
		return err
	}
	numberRows(f.rows, m.zone, m.last)
	f.numberFeed()
	for i, id := range f.ids {
		m.rows[id] = f.rows[i]
		if f.tokens[i] != nil {
			m.tokens[hex.EncodeToString(f.tokens[i])] = id
		}
	}
	for _, ed := range f.edits {
		m.feed = ed.editAll(m.feed)
	}
	m.feed = append(m.feed, f.feed...)
	m.position = events[len(events)-1].Position
	return nil
}

// Position returns the last position applied.
func (m *Memory) Position() int64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.position
}

// newestFirst orders rows as the SQL's ORDER BY created_at DESC, id DESC.
func newestFirst(a, b *Row) int {
	if c := cmp.Compare(b.CreatedAt.UnixMicro(), a.CreatedAt.UnixMicro()); c != 0 {
		return c
	}
	return strings.Compare(b.ID, a.ID)
}

// dueFirst orders rows as the SQL's ORDER BY due_at NULLS LAST,
// created_at, id.
func dueFirst(a, b *Row) int {
	switch {
	case a.DueAt == nil && b.DueAt == nil:
	case a.DueAt == nil:
		return 1
	case b.DueAt == nil:
		return -1
	default:
		if c := cmp.Compare(a.DueAt.UnixMicro(), b.DueAt.UnixMicro()); c != 0 {
			return c
		}
	}
	return -newestFirst(a, b)
}

// List returns one page of cases matching f, in f's order, as Postgres.List.
func (m *Memory) List(_ context.Context, f Filter) (Page, error) {
	if err := f.normalise(); err != nil {
		return Page{}, err
	}
	cur, err := projections.ParseCursor(f.Cursor)
	if err != nil {
		return Page{}, err
	}
	number := f.searchNumber(m.zone)
	m.mu.RLock()
	var all []Row
	for _, r := range m.rows {
		if matches(&r, f, number, cur) {
			all = append(all, r)
		}
	}
	m.mu.RUnlock()
	var page Page
	if f.Order == OrderDue {
		slices.SortFunc(all, func(a, b Row) int { return dueFirst(&a, &b) })
		page.Items = answerCases(all[:min(len(all), f.Limit)], f)
		return page, nil
	}
	slices.SortFunc(all, func(a, b Row) int { return newestFirst(&a, &b) })
	if len(all) > f.Limit {
		all = all[:f.Limit]
		page.NextCursor = projections.Cursor{CreatedAt: all[f.Limit-1].CreatedAt, ID: all[f.Limit-1].ID}.String()
	}
	page.Items = answerCases(all, f)
	return page, nil
}

func matches(r *Row, f Filter, number string, cur *projections.Cursor) bool {
	switch {
	case r.Hidden && !f.Staff,
		f.Number != "" && r.Number != f.Number,
		f.IDs != nil && !slices.Contains(f.IDs, r.ID),
		f.Status != "" && r.Status != f.Status,
		f.District != "" && r.District != f.District,
		f.Category != "" && r.Category != f.Category,
		f.Department != "" && r.Department != f.Department,
		f.Overdue != nil && r.overdue(f.Now) != *f.Overdue,
		f.Located && r.Location == nil,
		f.Q != "" && !found(r, f) && (number == "" || r.Number != number):
		return false
	}
	return cur.After(r.CreatedAt, r.ID)
}

// found reports whether f's search finds r: in its public texts, or for
// staff in the reporter's own texts that moderation replaced.
func found(r *Row, f Filter) bool {
	if strings.Contains(searchText(r), f.Q) {
		return true
	}
	return f.Staff && r.Moderation != nil && strings.Contains(originalText(r), f.Q)
}

// Number returns the number of case id, as Postgres.Number.
func (m *Memory) Number(_ context.Context, id string) (string, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.rows[id].Number, nil
}

// Tracked returns the id of the case reported with token, as
// Postgres.Tracked.
func (m *Memory) Tracked(_ context.Context, token string) (string, error) {
	if token == "" {
		return "", domain.ErrNotFound
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	id, ok := m.tokens[hex.EncodeToString(casefile.TrackingTokenHash(token))]
	if !ok {
		return "", domain.ErrNotFound
	}
	return id, nil
}
