package caselist

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/projections"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Postgres is the case list in the case_list table.
type Postgres struct {
	pool   *pgxpool.Pool
	boards boardCache
	zone   *time.Location
}

// NewPostgres returns the case list kept in pool's database.
func NewPostgres(pool *pgxpool.Pool, cfg Config) *Postgres {
	if pool == nil {
		panic("caselist: nil pool")
	}
	return &Postgres{pool: pool, zone: cfg.zone()}
}

var _ projections.Tabled = (*Postgres)(nil)

// Name returns the projection's name.
func (p *Postgres) Name() string { return Name }

// Tables returns the tables the projection owns, for rebuilds.
func (p *Postgres) Tables() []string { return []string{"case_list", "public_feed", "case_numbers"} }

// Apply folds a batch into case_list: it loads the touched rows once,
// folds every event in memory and writes each row once.
func (p *Postgres) Apply(ctx context.Context, tx pgx.Tx, events []projections.Event) error {
	ids := caseIDs(events)
	if len(ids) == 0 {
		return nil
	}
	stored := make(map[string]Row, len(ids))
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	loaded, err := tx.Query(ctx, "SELECT id, state FROM case_list WHERE id = ANY($1)", ids)
	if err != nil {
		return fmt.Errorf("load cases: %w", projections.Translate(err))
	}
	var (
		id    string
		state []byte
	)
	if _, err := pgx.ForEachRow(loaded, []any{&id, &state}, func() error {
		var r Row
		if err := json.Unmarshal(state, &r); err != nil {
			return fmt.Errorf("decode case %s: %w", id, err)
		}
		stored[id] = r
		return nil
	}); err != nil {
		return err
	}
	f, err := foldRows(events, stored)
	if err != nil {
		return err
	}
	if err := p.number(ctx, tx, f.rows); err != nil {
		return err
	}
	f.numberFeed()
	touched, folded, lastOf := f.ids, f.rows, f.last
	if err := editFeed(ctx, tx, f.edits); err != nil {
		return err
	}
	if err := writeFeed(ctx, tx, f.feed); err != nil {
		return err
	}
	// Each row records the position of its own newest event, so the table
	// does not depend on how the log was cut into batches.
	n := len(touched)
	var (
		statuses, districts, categories, departments, priorities, searches = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		dueAts, breached, forwarded, acknowledged, resolved                = make([]*time.Time, n), make([]*time.Time, n), make([]*time.Time, n), make([]*time.Time, n), make([]*time.Time, n)
		withinSLA, hidden                                                  = make([]bool, n), make([]bool, n)
		created, updated                                                   = make([]time.Time, n), make([]time.Time, n)
		positions                                                          = make([]int64, n)
		blobs                                                              = make([]string, n)
		numbers                                                            = make([]string, n)
	)
	for i, id := range touched {
		r := &folded[i]
		statuses[i], districts[i], categories[i], departments[i], priorities[i] = r.Status, r.District, r.Category, r.Department, r.Priority
		searches[i] = searchText(r)
		dueAts[i], breached[i], forwarded[i], acknowledged[i], resolved[i] = r.DueAt, r.SLABreachedFor, r.ForwardedAt, r.AcknowledgedAt, r.ResolvedAt
		withinSLA[i], hidden[i] = r.ResolvedWithinSLA, r.Hidden
		positions[i] = lastOf[id]
		created[i], updated[i] = r.CreatedAt, r.UpdatedAt
		numbers[i] = r.Number
		b, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("encode case %s: %w", id, err)
		}
		blobs[i] = string(b)
	}
	_, err = tx.Exec(ctx, `
INSERT INTO case_list (id, status, district, category, department, priority, due_at, created_at, updated_at, search, state,
    forwarded_at, acknowledged_at, resolved_at, within_sla, position, sla_breached_for, hidden, number, token_hash)
SELECT id, status, district, category, department, priority, due_at, created_at, updated_at, search, state,
    forwarded_at, acknowledged_at, resolved_at, within_sla, position, sla_breached_for, hidden, NULLIF(number, ''), token_hash
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[],
    $9::timestamptz[], $10::text[], $11::json[], $12::timestamptz[], $13::timestamptz[], $14::timestamptz[], $15::bool[], $16::bigint[],
    $17::timestamptz[], $18::bool[], $19::text[], $20::bytea[])
    AS c(id, status, district, category, department, priority, due_at, created_at, updated_at, search, state,
    forwarded_at, acknowledged_at, resolved_at, within_sla, position, sla_breached_for, hidden, number, token_hash)
ON CONFLICT (id) DO UPDATE SET status = excluded.status, district = excluded.district, category = excluded.category,
    department = excluded.department, priority = excluded.priority, due_at = excluded.due_at,
    updated_at = excluded.updated_at, search = excluded.search, state = excluded.state,
    forwarded_at = excluded.forwarded_at, acknowledged_at = excluded.acknowledged_at,
    resolved_at = excluded.resolved_at, within_sla = excluded.within_sla, position = excluded.position,
    sla_breached_for = excluded.sla_breached_for, hidden = excluded.hidden,
    number = COALESCE(excluded.number, case_list.number), token_hash = COALESCE(excluded.token_hash, case_list.token_hash)`,
		touched, statuses, districts, categories, departments, priorities, dueAts, created, updated, searches, blobs,
		forwarded, acknowledged, resolved, withinSLA, positions, breached, hidden, numbers, f.tokens)
	if err != nil {
		return fmt.Errorf("write cases: %w", projections.Translate(err))
	}
	return nil
}

// number gives the rows of the cases reported in the batch their numbers,
// from the counts of case_numbers, and moves those counts on. The runner
// is the only writer of the read model (one lease per projection), so
// reading a count and writing it back in its transaction is enough.
func (p *Postgres) number(ctx context.Context, tx pgx.Tx, rows []Row) error {
	years := unnumberedYears(rows, p.zone)
	if len(years) == 0 {
		return nil
	}
	last := make(map[int]int, len(years))
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	counts, err := tx.Query(ctx, "SELECT year, last FROM case_numbers WHERE year = ANY($1)", years)
	if err != nil {
		return fmt.Errorf("read case numbers: %w", projections.Translate(err))
	}
	var year, n int
	if _, err := pgx.ForEachRow(counts, []any{&year, &n}, func() error {
		last[year] = n
		return nil
	}); err != nil {
		return fmt.Errorf("read case numbers: %w", projections.Translate(err))
	}
	numberRows(rows, p.zone, last)
	lasts := make([]int, len(years))
	for i, y := range years {
		lasts[i] = last[y]
	}
	if _, err := tx.Exec(ctx, `INSERT INTO case_numbers (year, last) SELECT * FROM unnest($1::int[], $2::int[])
ON CONFLICT (year) DO UPDATE SET last = excluded.last`, years, lasts); err != nil {
		return fmt.Errorf("write case numbers: %w", projections.Translate(err))
	}
	return nil
}

// Number returns the public number of case id, or "" when the list does
// not have the case yet (or not at all).
func (p *Postgres) Number(ctx context.Context, id string) (string, error) {
	var n string
	err := p.pool.QueryRow(ctx, "SELECT COALESCE(number, '') FROM case_list WHERE id = $1", id).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read case number: %w", projections.Translate(err))
	}
	return n, nil
}

// Tracked returns the id of the case reported with the tracking token
// token, and an error of kind not found when the list has none: a token
// that is wrong, or a report the list has not caught up with yet. Hidden
// cases are found too: the token is their reporter's. The caller decides
// what the token allows, against the case itself (casefile.Case.AsReporter).
func (p *Postgres) Tracked(ctx context.Context, token string) (string, error) {
	if token == "" {
		return "", domain.ErrNotFound
	}
	var id string
	err := p.pool.QueryRow(ctx, "SELECT id FROM case_list WHERE token_hash = $1", casefile.TrackingTokenHash(token)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", domain.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("find tracked case: %w", projections.Translate(err))
	}
	return id, nil
}

// editFeed applies the moderations' edits to the feed items of earlier
// batches, in order. Moderation is rare: an edit reads its case's items
// and writes back those it changes.
func editFeed(ctx context.Context, tx pgx.Tx, edits []feedEdit) error {
	for _, ed := range edits {
		if ed.Hidden {
			if _, err := tx.Exec(ctx, "DELETE FROM public_feed WHERE stream = $1 AND position < $2", ed.Stream, ed.Before); err != nil {
				return fmt.Errorf("edit public feed: %w", err)
			}
			continue
		}
		//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
		rows, err := tx.Query(ctx, "SELECT item FROM public_feed WHERE stream = $1 AND position < $2", ed.Stream, ed.Before)
		if err != nil {
			return fmt.Errorf("edit public feed: %w", err)
		}
		var (
			item      []byte
			positions []int64
			items     []string
		)
		if _, err := pgx.ForEachRow(rows, []any{&item}, func() error {
			var it FeedItem
			if err := json.Unmarshal(item, &it); err != nil {
				return err
			}
			edited, _ := ed.apply(it)
			if edited == it {
				return nil
			}
			b, err := json.Marshal(edited)
			positions, items = append(positions, it.Position), append(items, string(b))
			return err
		}); err != nil {
			return fmt.Errorf("edit public feed: %w", err)
		}
		if len(positions) == 0 {
			continue
		}
		if _, err := tx.Exec(ctx, `UPDATE public_feed p SET item = e.item
FROM unnest($1::bigint[], $2::json[]) AS e(position, item) WHERE p.position = e.position`, positions, items); err != nil {
			return fmt.Errorf("edit public feed: %w", err)
		}
	}
	return nil
}

func writeFeed(ctx context.Context, tx pgx.Tx, feed []FeedItem) error {
	if len(feed) == 0 {
		return nil
	}
	positions, streams, items := make([]int64, len(feed)), make([]string, len(feed)), make([]string, len(feed))
	for i, f := range feed {
		b, err := json.Marshal(f)
		if err != nil {
			return err
		}
		positions[i], streams[i], items[i] = f.Position, f.Stream, string(b)
	}
	_, err := tx.Exec(ctx, `INSERT INTO public_feed (position, stream, item)
SELECT * FROM unnest($1::bigint[], $2::text[], $3::json[]) ON CONFLICT (position) DO NOTHING`, positions, streams, items)
	if err != nil {
		return fmt.Errorf("write public feed: %w", projections.Translate(err))
	}
	return nil
}

// awaiting lists the statuses in which a case can be overdue.
var awaiting = []string{string(casefile.StatusForwarded), string(casefile.StatusAcknowledged), string(casefile.StatusInProgress)}

// List returns one page of the cases matching f, in f's order: the cases
// the public may see, as the public reads them, or for f.Staff every case
// as staff read it.
func (p *Postgres) List(ctx context.Context, f Filter) (Page, error) {
	if err := f.normalise(); err != nil {
		return Page{}, err
	}
	cur, err := projections.ParseCursor(f.Cursor)
	if err != nil {
		return Page{}, err
	}
	var (
		where []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if !f.Staff {
		where = append(where, "NOT hidden")
	}
	for col, v := range map[string]string{"status": f.Status, "district": f.District, "category": f.Category, "department": f.Department} {
		if v != "" {
			where = append(where, col+" = "+arg(v))
		}
	}
	if f.Overdue != nil {
		cond := "COALESCE(status = ANY(" + arg(awaiting) + ") AND due_at < " + arg(f.Now) + ", false)"
		if !*f.Overdue {
			cond = "NOT " + cond
		}
		where = append(where, cond)
	}
	if f.Number != "" {
		where = append(where, "number = "+arg(f.Number))
	}
	if f.IDs != nil {
		where = append(where, "id = ANY("+arg(f.IDs)+")")
	}
	if f.Located {
		where = append(where, "json_typeof(state->'location') = 'object'")
	}
	if f.Q != "" {
		cond := "search LIKE " + arg("%"+escapeLike(f.Q)+"%")
		if n := f.searchNumber(p.zone); n != "" {
			cond = "(" + cond + " OR number = " + arg(n) + ")"
		}
		if f.Staff {
			ids, err := p.originalsMatching(ctx, f.Q)
			if err != nil {
				return Page{}, err
			}
			if len(ids) > 0 {
				cond = "(" + cond + " OR id = ANY(" + arg(ids) + "))"
			}
		}
		where = append(where, cond)
	}
	if f.Order == OrderDue {
		rows, err := p.dueFirst(ctx, where, args, f.Limit)
		if err != nil {
			return Page{}, err
		}
		return Page{Items: answerCases(rows, f)}, nil
	}
	rows, err := projections.NewestFirst[Row](ctx, p.pool, "case_list", where, args, cur, f.Limit)
	if err != nil {
		return Page{}, err
	}
	page := Page{Items: answerCases(rows, f)}
	if len(page.Items) > f.Limit {
		page.Items = page.Items[:f.Limit]
		page.NextCursor = cursorOf(page.Items[f.Limit-1])
	}
	return page, nil
}

// originalsMatching returns the moderated cases whose reporter's texts
// hold q, which the search column (the public texts) may not. Moderation
// is rare, so they are read and matched here, lower-cased as searchText
// lower-cases: the database's lower() follows its own locale, and the
// answer must not depend on it.
func (p *Postgres) originalsMatching(ctx context.Context, q string) ([]string, error) {
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	rows, err := p.pool.Query(ctx, `SELECT id, COALESCE(state->>'title', ''), COALESCE(state->>'description', '')
FROM case_list WHERE json_typeof(state->'moderation') = 'object'`)
	if err != nil {
		return nil, fmt.Errorf("search moderated cases: %w", projections.Translate(err))
	}
	var (
		ids                    []string
		id, title, description string
	)
	if _, err := pgx.ForEachRow(rows, []any{&id, &title, &description}, func() error {
		if strings.Contains(originalText(&Row{Title: title, Description: description}), q) {
			ids = append(ids, id)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("search moderated cases: %w", projections.Translate(err))
	}
	return ids, nil
}

// dueFirst reads up to limit rows matching where, soonest due first (see
// OrderDue).
func (p *Postgres) dueFirst(ctx context.Context, where []string, args []any, limit int) ([]Row, error) {
	q := "SELECT state FROM case_list"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, limit)
	q += fmt.Sprintf(" ORDER BY due_at NULLS LAST, created_at, id LIMIT $%d", len(args))
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	rows, err := p.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list cases by due date: %w", projections.Translate(err))
	}
	var (
		out   []Row
		state []byte
	)
	if _, err := pgx.ForEachRow(rows, []any{&state}, func() error {
		var r Row
		if err := json.Unmarshal(state, &r); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("list cases by due date: %w", projections.Translate(err))
	}
	return out, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
