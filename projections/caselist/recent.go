package caselist

import (
	"context"
	"fmt"

	"github.com/citizenhouse/bayt/projections"
	"github.com/jackc/pgx/v5"
)

// FeedFilter selects public feed items: those of one case stream, one
// district, one category; an empty field selects every one.
type FeedFilter struct {
	Stream   string
	District string
	Category string
}

func (f FeedFilter) match(it FeedItem) bool {
	return !it.Hidden && (f.Stream == "" || it.Stream == f.Stream) &&
		(f.District == "" || it.District == f.District) && (f.Category == "" || it.Category == f.Category)
}

// RecentFeed returns at most limit public feed items f selects, newest
// first. The moderation item that hid a case is never among them: it is
// how a board drops a card, not news.
func (p *Postgres) RecentFeed(ctx context.Context, f FeedFilter, limit int) ([]FeedItem, error) {
	//nolint:rowserrcheck // pgx.CollectRows checks rows.Err
	rows, err := p.pool.Query(ctx, `SELECT item FROM public_feed
		WHERE ($1 = '' OR stream = $1) AND ($2 = '' OR item->>'district' = $2) AND ($3 = '' OR item->>'category' = $3)
		  AND NOT COALESCE((item->>'hidden')::boolean, false)
		ORDER BY position DESC LIMIT $4`, f.Stream, f.District, f.Category, limit)
	if err != nil {
		return nil, fmt.Errorf("read feed: %w", projections.Translate(err))
	}
	// pgx decodes each jsonb item into a FeedItem as encoding/json does.
	out, err := pgx.CollectRows(rows, pgx.RowTo[FeedItem])
	if err != nil {
		return nil, fmt.Errorf("read feed: %w", projections.Translate(err))
	}
	return out, nil
}

// RecentFeed returns the items Postgres.RecentFeed does.
func (m *Memory) RecentFeed(_ context.Context, f FeedFilter, limit int) ([]FeedItem, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []FeedItem
	for i := len(m.feed) - 1; i >= 0 && len(out) < limit; i-- {
		if f.match(m.feed[i]) {
			out = append(out, m.feed[i])
		}
	}
	return out, nil
}
