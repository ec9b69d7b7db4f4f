package network

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/citizenhouse/bayt/domain/organisation"
	"github.com/citizenhouse/bayt/projections"
)

// Memory is the network read model in process memory, for Bayt without a
// database. It keeps the same rows as Postgres and answers every query the
// same, down to the order of ties: it compares times at the microsecond,
// as PostgreSQL keeps them, and text byte by byte, as the "C" collation
// does.
type Memory struct {
	mu       sync.RWMutex
	rows     rows
	feed     []FeedItem
	position int64
}

var _ projections.Memory = (*Memory)(nil)

// NewMemory returns an empty in-memory read model.
func NewMemory() *Memory { return &Memory{rows: newRows()} }

// Apply folds events; those at or below the position applied are skipped.
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
	campIDs, orgIDs := streamIDs(events)
	stored := newRows()
	for _, id := range campIDs {
		if r, ok := m.rows.campaigns[id]; ok {
			stored.campaigns[id] = r
		}
	}
	for _, id := range orgIDs {
		if r, ok := m.rows.orgs[id]; ok {
			stored.orgs[id] = r
		}
	}
	_, _, touched, _, feed, err := foldRows(events, stored)
	if err != nil {
		return err
	}
	// Rows are replaced whole, never changed in place: a page already
	// handed out shares nothing with what a later Apply writes.
	for id, r := range touched.campaigns {
		m.rows.campaigns[id] = r
	}
	for id, r := range touched.orgs {
		m.rows.orgs[id] = r
	}
	m.feed = append(m.feed, feed...)
	m.position = events[len(events)-1].Position
	return nil
}

// sortedCampaigns returns the campaign rows as the SQL's ORDER BY
// created_at DESC, id DESC. m.mu must be held.
func (m *Memory) sortedCampaigns() []CampaignRow {
	out := make([]CampaignRow, 0, len(m.rows.campaigns))
	for _, r := range m.rows.campaigns {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b CampaignRow) int {
		if c := cmp.Compare(b.CreatedAt.UnixMicro(), a.CreatedAt.UnixMicro()); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out
}

// Campaigns returns one page of campaigns, as Postgres.Campaigns.
func (m *Memory) Campaigns(_ context.Context, f CampaignFilter) (CampaignPage, error) {
	if err := f.normalise(); err != nil {
		return CampaignPage{}, err
	}
	cur, err := projections.ParseCursor(f.Cursor)
	if err != nil {
		return CampaignPage{}, err
	}
	m.mu.RLock()
	all := m.sortedCampaigns()
	m.mu.RUnlock()
	var rows []CampaignRow
	for _, r := range all {
		switch {
		case f.Theme != "" && r.Theme != f.Theme,
			f.Status != "" && r.Status != f.Status,
			f.Organisation != "" && !slices.Contains(r.organisations(), f.Organisation),
			!cur.After(r.CreatedAt, r.ID):
			continue
		}
		rows = append(rows, r)
	}
	var page CampaignPage
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		page.NextCursor = cursorOf(&rows[f.Limit-1])
	}
	page.Items = campaignsOf(rows)
	return page, nil
}

// organisationsLimit bounds the organisation list.
const organisationsLimit = 1000

// Organisations returns the organisations, as Postgres.Organisations.
func (m *Memory) Organisations(_ context.Context, kind string) ([]organisation.Organisation, error) {
	m.mu.RLock()
	var rows []OrganisationRow
	for _, r := range m.rows.orgs {
		if kind == "" || r.Kind == kind {
			rows = append(rows, r)
		}
	}
	m.mu.RUnlock()
	slices.SortFunc(rows, func(a, b OrganisationRow) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	var out []organisation.Organisation
	for i := range rows[:min(len(rows), organisationsLimit)] {
		out = append(out, rows[i].Organisation())
	}
	return out, nil
}

// FeedAfter returns campaign feed items after position after.
func (m *Memory) FeedAfter(_ context.Context, after int64, limit int) ([]projections.FeedRecord, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	i := sort.Search(len(m.feed), func(i int) bool { return m.feed[i].Position > after })
	var out []projections.FeedRecord
	for ; i < len(m.feed) && len(out) < limit; i++ {
		b, err := json.Marshal(m.feed[i])
		if err != nil {
			return nil, err
		}
		out = append(out, projections.FeedRecord{Position: m.feed[i].Position, JSON: b})
	}
	return out, nil
}

// Snapshot returns the campaigns' board.
func (m *Memory) Snapshot(_ context.Context, _ time.Time) (int64, any, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	b := Board{Position: m.position, Campaigns: []BoardCampaign{}, ByStatus: map[string]int{}, ByTheme: map[string]int{}}
	for _, r := range m.sortedCampaigns() {
		addToBoard(&b, &r)
	}
	return b.Position, b, nil
}
