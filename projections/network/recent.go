package network

import (
	"context"
	"fmt"

	"github.com/citizenhouse/bayt/projections"
	"github.com/jackc/pgx/v5"
)

// RecentFeed returns at most limit public feed items of the campaign
// stream, newest first.
func (p *Postgres) RecentFeed(ctx context.Context, stream string, limit int) ([]FeedItem, error) {
	//nolint:rowserrcheck // pgx.CollectRows checks rows.Err
	rows, err := p.pool.Query(ctx, `SELECT item FROM campaign_feed WHERE stream = $1 ORDER BY position DESC LIMIT $2`, stream, limit)
	if err != nil {
		return nil, fmt.Errorf("read campaign feed: %w", projections.Translate(err))
	}
	// pgx decodes each jsonb item into a FeedItem as encoding/json does.
	out, err := pgx.CollectRows(rows, pgx.RowTo[FeedItem])
	if err != nil {
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
