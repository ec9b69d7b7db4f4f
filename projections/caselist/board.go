package caselist

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/projections"
	"github.com/jackc/pgx/v5"
)

// Board is the public status board: what the city sees at a glance, as of
// Position in the log.
type Board struct {
	Position    int64               `json:"position"`
	ByStatus    map[string]int      `json:"by_status"`
	ByDistrict  map[string]int      `json:"by_district"`
	ByCategory  map[string]int      `json:"by_category"`
	Departments []DepartmentFigures `json:"departments"`
	Recent      []FeedItem          `json:"recent"`
}

// DepartmentFigures is how a department answers the cases sent to it.
// Figures without data (no case acknowledged yet) are nil. WithinSLARatio
// is as casefile.JudgedBySLA defines it: an open case past its due date is a
// breach, not a case left out.
type DepartmentFigures struct {
	Code                     string   `json:"code"`
	Open                     int      `json:"open"`
	Overdue                  int      `json:"overdue"`
	MedianHoursToAcknowledge *float64 `json:"median_hours_to_acknowledge"`
	MedianHoursToResolve     *float64 `json:"median_hours_to_resolve"`
	WithinSLARatio           *float64 `json:"within_sla_ratio"`
}

// RecentItems is how many feed items a board carries.
const RecentItems = 20

func newBoard() Board {
	return Board{ByStatus: map[string]int{}, ByDistrict: map[string]int{}, ByCategory: map[string]int{}, Departments: []DepartmentFigures{}, Recent: []FeedItem{}}
}

// Board returns the board as of the projection's checkpoint, read in one
// snapshot so that the counts and the position agree. Hidden cases count
// nowhere. It is computed once per checkpoint (and per span of now between
// two due dates) and shared by every caller; what it returns is the
// caller's own.
func (p *Postgres) Board(ctx context.Context, now time.Time) (Board, error) {
	b, err := p.boards.board(ctx, now, p.boardKey, p.computeBoard)
	if err != nil {
		return Board{}, fmt.Errorf("read board: %w", projections.Translate(err))
	}
	return b, nil
}

// boardKey reads the checkpoint: one row, where the board is a scan of
// every case.
func (p *Postgres) boardKey(ctx context.Context) (projections.State, error) {
	return projections.StateOf(ctx, p.pool, Name)
}

func (p *Postgres) computeBoard(ctx context.Context, now time.Time) (boardEntry, error) {
	e := boardEntry{board: newBoard()}
	b := &e.board
	var dueBefore, dueFrom *time.Time
	err := pgx.BeginTxFunc(ctx, p.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		if e.key, err = projections.StateOf(ctx, tx, Name); err != nil {
			return err
		}
		b.Position = e.key.Position
		for col, m := range map[string]map[string]int{"status": b.ByStatus, "district": b.ByDistrict, "category": b.ByCategory} {
			//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
			rows, err := tx.Query(ctx, "SELECT "+col+", count(*) FROM case_list WHERE NOT hidden GROUP BY 1")
			if err != nil {
				return err
			}
			var (
				k string
				n int
			)
			if _, err := pgx.ForEachRow(rows, []any{&k, &n}, func() error { m[k] = n; return nil }); err != nil {
				return err
			}
		}
		// The due dates on either side of now bound the instants at which
		// the overdue counts are these.
		//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
		rows, err := tx.Query(ctx, `
SELECT department,
    count(*) FILTER (WHERE status = ANY($1)),
    count(*) FILTER (WHERE status = ANY($1) AND due_at < $2),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM acknowledged_at - forwarded_at) / 3600)
        FILTER (WHERE acknowledged_at IS NOT NULL),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - forwarded_at) / 3600)
        FILTER (WHERE resolved_at IS NOT NULL),
    avg(CASE WHEN within_sla AND NOT (status = ANY($1) AND due_at < $2) THEN 1.0 ELSE 0.0 END)
        FILTER (WHERE resolved_at IS NOT NULL OR (status = ANY($1) AND due_at < $2)),
    max(due_at) FILTER (WHERE status = ANY($1) AND due_at < $2),
    min(due_at) FILTER (WHERE status = ANY($1) AND due_at >= $2)
FROM case_list WHERE department <> '' AND NOT hidden GROUP BY department ORDER BY department`, awaiting, now)
		if err != nil {
			return err
		}
		var (
			d           DepartmentFigures
			before, frm *time.Time
		)
		if _, err := pgx.ForEachRow(rows, []any{&d.Code, &d.Open, &d.Overdue, &d.MedianHoursToAcknowledge, &d.MedianHoursToResolve, &d.WithinSLARatio, &before, &frm}, func() error {
			b.Departments = append(b.Departments, d)
			dueBefore, dueFrom = later(dueBefore, before), earlier(dueFrom, frm)
			d, before, frm = DepartmentFigures{}, nil, nil
			return nil
		}); err != nil {
			return err
		}
		//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
		// The item that hides a case tells open boards to drop it; a board
		// read afresh has nothing of the case to drop.
		rows, err = tx.Query(ctx, "SELECT item FROM public_feed WHERE item->>'hidden' IS NULL ORDER BY position DESC LIMIT $1", RecentItems)
		if err != nil {
			return err
		}
		var item []byte
		_, err = pgx.ForEachRow(rows, []any{&item}, func() error {
			var f FeedItem
			if err := json.Unmarshal(item, &f); err != nil {
				return err
			}
			b.Recent = append(b.Recent, f)
			return nil
		})
		return err
	})
	if err != nil {
		return boardEntry{}, err
	}
	e.span = projections.SpanBetween(dueBefore, dueFrom)
	return e, nil
}

// later returns the later of a and b, either of which may be nil.
func later(a, b *time.Time) *time.Time {
	if a == nil || (b != nil && b.After(*a)) {
		return b
	}
	return a
}

// earlier returns the earlier of a and b, either of which may be nil.
func earlier(a, b *time.Time) *time.Time {
	if a == nil || (b != nil && b.Before(*a)) {
		return b
	}
	return a
}

// FeedAfter returns at most limit public feed items after position after,
// in order, as the JSON the live feed sends.
func (p *Postgres) FeedAfter(ctx context.Context, after int64, limit int) ([]FeedRecord, error) {
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	rows, err := p.pool.Query(ctx, "SELECT position, item FROM public_feed WHERE position > $1 ORDER BY position LIMIT $2", after, limit)
	if err != nil {
		return nil, fmt.Errorf("read feed: %w", projections.Translate(err))
	}
	var (
		out []FeedRecord
		r   FeedRecord
	)
	if _, err := pgx.ForEachRow(rows, []any{&r.Position, &r.JSON}, func() error {
		out = append(out, FeedRecord{Position: r.Position, JSON: append([]byte(nil), r.JSON...)})
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read feed: %w", projections.Translate(err))
	}
	return out, nil
}

// FeedRecord is one feed item, already encoded.
type FeedRecord = projections.FeedRecord

// Snapshot returns the board as the live feed's first message.
func (p *Postgres) Snapshot(ctx context.Context, now time.Time) (int64, any, error) {
	b, err := p.Board(ctx, now)
	return b.Position, b, err
}

// inboxLimit bounds an inbox.
const inboxLimit = 1000

// Inbox returns the cases a department has to answer, the most urgent due
// date first.
func (p *Postgres) Inbox(ctx context.Context, department string) ([]casefile.Case, error) {
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	rows, err := p.pool.Query(ctx, `SELECT state FROM case_list WHERE department = $1 AND status = ANY($2)
ORDER BY due_at NULLS LAST, created_at, id LIMIT $3`, department, awaiting, inboxLimit)
	if err != nil {
		return nil, fmt.Errorf("read inbox: %w", projections.Translate(err))
	}
	var (
		out   []casefile.Case
		state []byte
	)
	if _, err := pgx.ForEachRow(rows, []any{&state}, func() error {
		var r Row
		if err := json.Unmarshal(state, &r); err != nil {
			return err
		}
		out = append(out, r.Case())
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read inbox: %w", projections.Translate(err))
	}
	return out, nil
}

// Board returns the board, as Postgres.Board.
func (m *Memory) Board(ctx context.Context, now time.Time) (Board, error) {
	return m.boards.board(ctx, now, m.boardKey, m.computeBoard)
}

func (m *Memory) boardKey(context.Context) (projections.State, error) {
	return projections.State{Position: m.Position()}, nil
}

func (m *Memory) computeBoard(_ context.Context, now time.Time) (boardEntry, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	e := boardEntry{key: projections.State{Position: m.position}, board: newBoard()}
	b := &e.board
	b.Position = m.position
	type acc struct {
		fig             DepartmentFigures
		ack, res        []float64
		within, decided int
	}
	var dueBefore, dueFrom *time.Time
	depts := map[string]*acc{}
	for _, r := range m.rows {
		if r.Hidden {
			continue
		}
		b.ByStatus[r.Status]++
		b.ByDistrict[r.District]++
		b.ByCategory[r.Category]++
		if r.Department == "" {
			continue
		}
		a, ok := depts[r.Department]
		if !ok {
			a = &acc{fig: DepartmentFigures{Code: r.Department}}
			depts[r.Department] = a
		}
		if r.awaitsDepartment() {
			a.fig.Open++
		}
		switch {
		case r.overdue(now):
			a.fig.Overdue++
			dueBefore = later(dueBefore, r.DueAt)
		case r.awaitsDepartment() && r.DueAt != nil:
			dueFrom = earlier(dueFrom, r.DueAt)
		}
		if r.ForwardedAt != nil && r.AcknowledgedAt != nil {
			a.ack = append(a.ack, hoursBetween(*r.ForwardedAt, *r.AcknowledgedAt))
		}
		// As the SQL, which counts a resolution even without a forward.
		if r.ResolvedAt != nil && r.ForwardedAt != nil {
			a.res = append(a.res, hoursBetween(*r.ForwardedAt, *r.ResolvedAt))
		}
		if judged, within := casefile.JudgedBySLA(r.ResolvedAt != nil, r.ResolvedWithinSLA, r.overdue(now)); judged {
			a.decided++
			if within {
				a.within++
			}
		}
	}
	for _, a := range depts {
		a.fig.MedianHoursToAcknowledge, a.fig.MedianHoursToResolve = median(a.ack), median(a.res)
		if a.decided > 0 {
			r := float64(a.within) / float64(a.decided)
			a.fig.WithinSLARatio = &r
		}
		b.Departments = append(b.Departments, a.fig)
	}
	slices.SortFunc(b.Departments, func(a, b DepartmentFigures) int { return strings.Compare(a.Code, b.Code) })
	for i := len(m.feed) - 1; i >= 0 && len(b.Recent) < RecentItems; i-- {
		if !m.feed[i].Hidden {
			b.Recent = append(b.Recent, m.feed[i])
		}
	}
	e.span = projections.SpanBetween(dueBefore, dueFrom)
	return e, nil
}

// Snapshot returns the board as the live feed's first message.
func (m *Memory) Snapshot(ctx context.Context, now time.Time) (int64, any, error) {
	b, err := m.Board(ctx, now)
	return b.Position, b, err
}

// hoursBetween is the time from a to b in hours, from the microseconds
// PostgreSQL keeps.
func hoursBetween(a, b time.Time) float64 {
	return float64(b.UnixMicro()-a.UnixMicro()) / float64(time.Hour/time.Microsecond)
}

// median is the middle value, interpolated as percentile_cont(0.5) does
// (lo + (hi-lo)*0.5), so that both implementations round alike.
func median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		lo, hi := s[len(s)/2-1], s[len(s)/2]
		m = lo + (hi-lo)*0.5
	}
	return &m
}

// FeedAfter returns feed items after position after, as Postgres.FeedAfter.
func (m *Memory) FeedAfter(_ context.Context, after int64, limit int) ([]FeedRecord, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	i := sort.Search(len(m.feed), func(i int) bool { return m.feed[i].Position > after })
	var out []FeedRecord
	for ; i < len(m.feed) && len(out) < limit; i++ {
		b, err := json.Marshal(m.feed[i])
		if err != nil {
			return nil, err
		}
		out = append(out, FeedRecord{Position: m.feed[i].Position, JSON: b})
	}
	return out, nil
}

// Inbox returns a department's open cases, as Postgres.Inbox.
func (m *Memory) Inbox(_ context.Context, department string) ([]casefile.Case, error) {
	m.mu.RLock()
	var rows []Row
	for _, r := range m.rows {
		if r.Department == department && r.awaitsDepartment() {
			rows = append(rows, r)
		}
	}
	m.mu.RUnlock()
	slices.SortFunc(rows, func(a, b Row) int { return dueFirst(&a, &b) })
	return cases(rows[:min(len(rows), inboxLimit)]), nil
}

// Unbreached returns cases past their due date whose breach is not on
// record yet, so the system can record it, the longest overdue first.
func (p *Postgres) Unbreached(ctx context.Context, now time.Time, limit int) ([]string, error) {
	rows, err := p.pool.Query(ctx, `SELECT id FROM case_list WHERE status = ANY($1) AND due_at < $2
AND sla_breached_for IS DISTINCT FROM due_at ORDER BY due_at, id LIMIT $3`, awaiting, now, limit)
	if err != nil {
		return nil, fmt.Errorf("read overdue cases: %w", projections.Translate(err))
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("read overdue cases: %w", projections.Translate(err))
	}
	return ids, nil
}

// Unbreached returns overdue cases without a recorded breach, as
// Postgres.Unbreached.
func (m *Memory) Unbreached(_ context.Context, now time.Time, limit int) ([]string, error) {
	m.mu.RLock()
	var rows []Row
	for _, r := range m.rows {
		if r.unbreached(now) {
			rows = append(rows, r)
		}
	}
	m.mu.RUnlock()
	slices.SortFunc(rows, func(a, b Row) int {
		if c := cmp.Compare(a.DueAt.UnixMicro(), b.DueAt.UnixMicro()); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	var ids []string
	for _, r := range rows[:min(len(rows), max(limit, 0))] {
		ids = append(ids, r.ID)
	}
	return ids, nil
}

// CountResolved returns how many of the cases ids are resolved or closed.
func (p *Postgres) CountResolved(ctx context.Context, ids []string) (int, error) {
	var n int
	err := p.pool.QueryRow(ctx, "SELECT count(*) FROM case_list WHERE id = ANY($1) AND status IN ('resolved', 'closed')", ids).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count resolved cases: %w", projections.Translate(err))
	}
	return n, nil
}

// CountResolved returns how many of the cases ids are resolved or closed.
func (m *Memory) CountResolved(_ context.Context, ids []string) (int, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	n := 0
	// As the SQL's id = ANY($1): each stored case once, however often
	// ids names it.
	seen := map[string]bool{}
	for _, id := range ids {
		if r, ok := m.rows[id]; ok && !seen[id] && (r.Status == string(casefile.StatusResolved) || r.Status == string(casefile.StatusClosed)) {
			seen[id] = true
			n++
		}
	}
	return n, nil
}
