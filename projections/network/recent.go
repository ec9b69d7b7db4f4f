package network

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/citizenhouse/bayt/projections"
	"github.com/jackc/pgx/v5"
)

// RecentFeed returns at most limit public feed items of the campaign
// stream, newest first.
func (p *Postgres) RecentFeed(ctx context.Context, stream string, limit int) ([]FeedItem, error) {
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	rows, err := p.pool.Query(ctx, `SELECT item FROM campaign_feed WHERE stream = $1 ORDER BY position DESC LIMIT $2`, stream, limit)
	if err != nil {
		return nil, fmt.Errorf("read campaign feed: %w", projections.Translate(err))
	}
	var (
		out  []FeedItem
		item []byte
	)
	if _, err := pgx.ForEachRow(rows, []any{&item}, func() error {
		var it FeedItem
		if err := json.Unmarshal(item, &it); err != nil {
			return err
		}
		out = append(out, it)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read campaign feed: %w", projections.Translate(err))
	}
	return out, nil
}

// RecentFeed returns the items Postgres.RecentFeed does.
func (m *Memory) RecentFeed(_ context.Context, stream string, limit int) ([]FeedItem, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []FeedItem
	for i := len(m.feed) - 1; i >= 0 && len(out) < limit; i-- {
		if m.feed[i].Stream == stream {
			out = append(out, m.feed[i])
		}
	}
	return out, nil
}
