package network

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/citizenhouse/bayt/domain/organisation"
	"github.com/citizenhouse/bayt/projections"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Postgres is the network read model in PostgreSQL.
type Postgres struct {
	pool *pgxpool.Pool
}

// NewPostgres returns the read model kept in pool's database.
func NewPostgres(pool *pgxpool.Pool) *Postgres {
	if pool == nil {
		panic("network: nil pool")
	}
	return &Postgres{pool: pool}
}

var _ projections.Tabled = (*Postgres)(nil)

// Name returns the projection's name.
func (p *Postgres) Name() string { return Name }

// Tables returns the tables the projection owns, for rebuilds.
func (p *Postgres) Tables() []string {
	return []string{"campaign_list", "organisation_list", "campaign_feed"}
}

// Apply folds a batch: it loads the touched rows once, folds in memory and
// writes each row once.
func (p *Postgres) Apply(ctx context.Context, tx pgx.Tx, events []projections.Event) error {
	campIDs, orgIDs := streamIDs(events)
	if len(campIDs) == 0 && len(orgIDs) == 0 {
		return nil
	}
	stored := newRows()
	if err := loadStates(ctx, tx, "campaign_list", campIDs, func(id string, b []byte) error {
		var r CampaignRow
		err := json.Unmarshal(b, &r)
		stored.campaigns[id] = r
		return err
	}); err != nil {
		return err
	}
	if err := loadStates(ctx, tx, "organisation_list", orgIDs, func(id string, b []byte) error {
		var r OrganisationRow
		err := json.Unmarshal(b, &r)
		stored.orgs[id] = r
		return err
	}); err != nil {
		return err
	}
	camps, orgs, touched, lastOf, feed, err := foldRows(events, stored)
	if err != nil {
		return err
	}
	// Every row in one round trip.
	b := &pgx.Batch{}
	for _, id := range camps {
		r := touched.campaigns[id]
		state, err := json.Marshal(r)
		if err != nil {
			return err
		}
		b.Queue(`INSERT INTO campaign_list (id, theme, status, target_department, organisations, created_at, updated_at, state, position)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (id) DO UPDATE SET theme = excluded.theme, status = excluded.status, target_department = excluded.target_department,
    organisations = excluded.organisations, updated_at = excluded.updated_at, state = excluded.state, position = excluded.position`,
			id, r.Theme, r.Status, r.TargetDepartment, r.organisations(), r.CreatedAt, r.UpdatedAt, string(state), lastOf[id])
	}
	for _, id := range orgs {
		r := touched.orgs[id]
		state, err := json.Marshal(r)
		if err != nil {
			return err
		}
		themes := r.Themes
		if themes == nil {
			themes = []string{}
		}
		b.Queue(`INSERT INTO organisation_list (id, name, kind, themes, created_at, state, position)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, themes = excluded.themes, state = excluded.state, position = excluded.position`,
			id, r.Name, r.Kind, themes, r.CreatedAt, string(state), lastOf[id])
	}
	for _, f := range feed {
		item, err := json.Marshal(f)
		if err != nil {
			return err
		}
		b.Queue("INSERT INTO campaign_feed (position, stream, item) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", f.Position, f.Stream, string(item))
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("write network read model: %w", projections.Translate(err))
	}
	return nil
}

func loadStates(ctx context.Context, tx pgx.Tx, table string, ids []string, fn func(id string, state []byte) error) error {
	if len(ids) == 0 {
		return nil
	}
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	rows, err := tx.Query(ctx, "SELECT id, state FROM "+pgx.Identifier{table}.Sanitize()+" WHERE id = ANY($1)", ids)
	if err != nil {
		return fmt.Errorf("load %s: %w", table, projections.Translate(err))
	}
	var (
		id    string
		state []byte
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &state}, func() error { return fn(id, state) })
	if err != nil {
		return fmt.Errorf("load %s: %w", table, projections.Translate(err))
	}
	return nil
}

// Campaigns returns one page of campaigns matching f, newest first.
func (p *Postgres) Campaigns(ctx context.Context, f CampaignFilter) (CampaignPage, error) {
	if err := f.normalise(); err != nil {
		return CampaignPage{}, err
	}
	cur, err := projections.ParseCursor(f.Cursor)
	if err != nil {
		return CampaignPage{}, err
	}
	var (
		where []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Theme != "" {
		where = append(where, "theme = "+arg(f.Theme))
	}
	if f.Status != "" {
		where = append(where, "status = "+arg(f.Status))
	}
	if f.Organisation != "" {
		where = append(where, "organisations @> ARRAY["+arg(f.Organisation)+"]::text[]")
	}
	rows, err := projections.NewestFirst[CampaignRow](ctx, p.pool, "campaign_list", where, args, cur, f.Limit)
	if err != nil {
		return CampaignPage{}, err
	}
	var page CampaignPage
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		page.NextCursor = cursorOf(&rows[f.Limit-1])
	}
	page.Items = campaignsOf(rows)
	return page, nil
}

// Organisations returns the organisations, of one kind when kind is set,
// by name.
func (p *Postgres) Organisations(ctx context.Context, kind string) ([]organisation.Organisation, error) {
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	rows, err := p.pool.Query(ctx, "SELECT state FROM organisation_list WHERE $1 = '' OR kind = $1 ORDER BY name, id LIMIT $2", kind, organisationsLimit)
	if err != nil {
		return nil, fmt.Errorf("list organisations: %w", projections.Translate(err))
	}
	var (
		out   []organisation.Organisation
		state []byte
	)
	if _, err := pgx.ForEachRow(rows, []any{&state}, func() error {
		var r OrganisationRow
		if err := json.Unmarshal(state, &r); err != nil {
			return err
		}
		out = append(out, r.Organisation())
		return nil
	}); err != nil {
		return nil, fmt.Errorf("list organisations: %w", projections.Translate(err))
	}
	return out, nil
}

// FeedAfter returns campaign feed items after position after, in order.
func (p *Postgres) FeedAfter(ctx context.Context, after int64, limit int) ([]projections.FeedRecord, error) {
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	rows, err := p.pool.Query(ctx, "SELECT position, item FROM campaign_feed WHERE position > $1 ORDER BY position LIMIT $2", after, limit)
	if err != nil {
		return nil, fmt.Errorf("read campaign feed: %w", projections.Translate(err))
	}
	var (
		out []projections.FeedRecord
		r   projections.FeedRecord
	)
	if _, err := pgx.ForEachRow(rows, []any{&r.Position, &r.JSON}, func() error {
		out = append(out, projections.FeedRecord{Position: r.Position, JSON: append([]byte(nil), r.JSON...)})
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read campaign feed: %w", projections.Translate(err))
	}
	return out, nil
}

// Snapshot returns the campaigns' board as of the projection's checkpoint.
func (p *Postgres) Snapshot(ctx context.Context, _ time.Time) (int64, any, error) {
	b := Board{Campaigns: []BoardCampaign{}, ByStatus: map[string]int{}, ByTheme: map[string]int{}}
	err := pgx.BeginTxFunc(ctx, p.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT COALESCE((SELECT position FROM checkpoints WHERE name = $1), 0)", Name).Scan(&b.Position); err != nil {
			return err
		}
		//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
		rows, err := tx.Query(ctx, "SELECT state FROM campaign_list ORDER BY created_at DESC, id DESC")
		if err != nil {
			return err
		}
		var state []byte
		_, err = pgx.ForEachRow(rows, []any{&state}, func() error {
			var r CampaignRow
			if err := json.Unmarshal(state, &r); err != nil {
				return err
			}
			addToBoard(&b, &r)
			return nil
		})
		return err
	})
	if err != nil {
		return 0, nil, fmt.Errorf("read campaigns board: %w", projections.Translate(err))
	}
	return b.Position, b, nil
}

func addToBoard(b *Board, r *CampaignRow) {
	b.ByStatus[r.Status]++
	b.ByTheme[r.Theme]++
	if len(b.Campaigns) < BoardSize {
		b.Campaigns = append(b.Campaigns, BoardCampaign{ID: r.ID, Title: r.Title, Theme: r.Theme, Status: r.Status,
			CasesTotal: len(r.CaseIDs), Signatures: r.Signatures})
	}
}
