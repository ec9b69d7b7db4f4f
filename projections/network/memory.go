package network

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/organisation"
	"github.com/citizenhouse/bayt/projections"
)

// Memory is the network read model in process memory, for Bayt without a
// database.
type Memory struct {
	mu       sync.RWMutex
	st       states
	feed     []FeedItem
	position int64
}

// NewMemory returns an empty in-memory read model.
func NewMemory() *Memory {
	return &Memory{st: states{campaigns: map[string]*campaign.Campaign{}, orgs: map[string]*organisation.Organisation{}}}
}

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
	_, _, _, feed, err := fold(events, m.st)
	if err != nil {
		return err
	}
	m.feed = append(m.feed, feed...)
	m.position = events[len(events)-1].Position
	return nil
}

func (m *Memory) sortedCampaigns() ([]campaign.Campaign, error) {
	out := make([]campaign.Campaign, 0, len(m.st.campaigns))
	for _, c := range m.st.campaigns {
		cc, err := clone(c)
		if err != nil {
			return nil, err
		}
		out = append(out, cc)
	}
	slices.SortFunc(out, func(a, b campaign.Campaign) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out, nil
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
	all, err := m.sortedCampaigns()
	m.mu.RUnlock()
	if err != nil {
		return CampaignPage{}, err
	}
	var page CampaignPage
	for _, c := range all {
		switch {
		case f.Theme != "" && string(c.Theme) != f.Theme,
			f.Status != "" && string(c.Status) != f.Status,
			f.Organisation != "" && !slices.Contains(organisationsOf(&c), f.Organisation),
			!cur.After(c.CreatedAt, c.ID):
			continue
		}
		page.Items = append(page.Items, c)
	}
	if len(page.Items) > f.Limit {
		page.Items = page.Items[:f.Limit]
		page.NextCursor = cursorOf(page.Items[f.Limit-1])
	}
	return page, nil
}

// Organisations returns the organisations, as Postgres.Organisations.
func (m *Memory) Organisations(_ context.Context, kind string) ([]organisation.Organisation, error) {
	m.mu.RLock()
	var out []organisation.Organisation
	for _, o := range m.st.orgs {
		if kind == "" || string(o.Kind) == kind {
			oc, err := clone(o)
			if err != nil {
				m.mu.RUnlock()
				return nil, err
			}
			out = append(out, oc)
		}
	}
	m.mu.RUnlock()
	slices.SortFunc(out, func(a, b organisation.Organisation) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
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
	all, err := m.sortedCampaigns()
	if err != nil {
		return 0, nil, err
	}
	for _, c := range all {
		addToBoard(&b, &c)
	}
	return b.Position, b, nil
}

// clone deep-copies a state through its JSON, the form the Postgres model
// keeps it in, so that a page handed out shares nothing with the state a
// later Apply changes.
func clone[T any](v *T) (T, error) {
	var out T
	b, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	return out, err
}
