package stats

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/projections"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Postgres is the figures' read model in PostgreSQL tables.
type Postgres struct {
	pool  *pgxpool.Pool
	zone  *time.Location
	cache cache
}

// NewPostgres returns the figures kept in pool's database.
func NewPostgres(pool *pgxpool.Pool, cfg Config) *Postgres {
	if pool == nil {
		panic("stats: nil pool")
	}
	return &Postgres{pool: pool, zone: cfg.zone()}
}

var _ projections.Tabled = (*Postgres)(nil)

// Name returns the projection's name.
func (p *Postgres) Name() string { return Name }

// Tables returns the tables the projection owns, for rebuilds.
func (p *Postgres) Tables() []string {
	return []string{"stats_cases", "stats_category_themes", "stats_campaigns", "stats_commitments", "stats_activities"}
}

// Apply folds a batch: it loads the rows the batch touches once, folds in
// memory and writes each changed row once.
func (p *Postgres) Apply(ctx context.Context, tx pgx.Tx, events []projections.Event) error {
	caseIDs, campIDs := wanted(events)
	rs := newRows()
	if err := load(ctx, tx, rs, caseIDs, campIDs); err != nil {
		return fmt.Errorf("load figures: %w", projections.Translate(err))
	}
	f, err := fold(events, rs, p.zone)
	if err != nil {
		return err
	}
	b := &pgx.Batch{}
	for _, code := range f.themes {
		b.Queue("INSERT INTO stats_category_themes (code, theme) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET theme = excluded.theme",
			code, rs.themes[code])
	}
	for _, id := range f.cases {
		r := rs.cases[id]
		state, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("encode case %s: %w", id, err)
		}
		b.Queue(`INSERT INTO stats_cases (id, district, theme, report_month, counts_as_need, department, forward_month, received, status,
    forwarded_at, acknowledged_at, answered_at, resolved_at, within_sla, due_at, reopened_count, state)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
ON CONFLICT (id) DO UPDATE SET district = excluded.district, theme = excluded.theme, report_month = excluded.report_month,
    counts_as_need = excluded.counts_as_need, department = excluded.department, forward_month = excluded.forward_month,
    received = excluded.received, status = excluded.status, forwarded_at = excluded.forwarded_at,
    acknowledged_at = excluded.acknowledged_at, answered_at = excluded.answered_at, resolved_at = excluded.resolved_at,
    within_sla = excluded.within_sla, due_at = excluded.due_at, reopened_count = excluded.reopened_count, state = excluded.state`,
			id, r.District, r.Theme, r.ReportMonth, r.countsAsNeed(), r.Department, r.ForwardMonth, r.received(), r.Status,
			r.ForwardedAt, r.AcknowledgedAt, r.AnsweredAt, r.ResolvedAt, r.WithinSLA, r.DueAt, r.ReopenedCount, string(state))
	}
	for _, id := range f.campaigns {
		c := rs.campaigns[id]
		b.Queue("INSERT INTO stats_campaigns (id, theme, department) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET theme = excluded.theme, department = excluded.department",
			id, c.Theme, c.Department)
	}
	for _, k := range f.commitments {
		c := rs.commitments[k]
		b.Queue(`INSERT INTO stats_commitments (campaign_id, commitment_id, department, recorded_month, state, settled_month)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (campaign_id, commitment_id) DO UPDATE SET department = excluded.department,
    recorded_month = excluded.recorded_month, state = excluded.state, settled_month = excluded.settled_month`,
			c.CampaignID, c.CommitmentID, c.Department, c.RecordedMonth, c.State, c.SettledMonth)
	}
	for _, k := range f.activities {
		a := rs.activities[k]
		b.Queue(`INSERT INTO stats_activities (campaign_id, activity_id, theme, held_month, women, men, youth, total)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (campaign_id, activity_id) DO UPDATE SET theme = excluded.theme,
    held_month = excluded.held_month, women = excluded.women, men = excluded.men, youth = excluded.youth, total = excluded.total`,
			a.CampaignID, a.ActivityID, a.Theme, a.HeldMonth, a.Women, a.Men, a.Youth, a.Total)
	}
	if b.Len() == 0 {
		return nil
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("write figures: %w", projections.Translate(err))
	}
	return nil
}

// load reads into rs the rows a batch folds onto: its cases, its campaigns
// with their commitments, and every theme edit (a handful of rows).
func load(ctx context.Context, tx pgx.Tx, rs rows, caseIDs, campIDs []string) error {
	var (
		s1, s2, s3 string
		state      []byte
	)
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	q, err := tx.Query(ctx, "SELECT code, theme FROM stats_category_themes")
	if err != nil {
		return err
	}
	if _, err := pgx.ForEachRow(q, []any{&s1, &s2}, func() error { rs.themes[s1] = s2; return nil }); err != nil {
		return err
	}
	if len(caseIDs) > 0 {
		//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
		q, err := tx.Query(ctx, "SELECT id, state FROM stats_cases WHERE id = ANY($1)", caseIDs)
		if err != nil {
			return err
		}
		if _, err := pgx.ForEachRow(q, []any{&s1, &state}, func() error {
			var r CaseRow
			if err := json.Unmarshal(state, &r); err != nil {
				return fmt.Errorf("decode case %s: %w", s1, err)
			}
			rs.cases[s1] = r
			return nil
		}); err != nil {
			return err
		}
	}
	if len(campIDs) == 0 {
		return nil
	}
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	q, err = tx.Query(ctx, "SELECT id, theme, department FROM stats_campaigns WHERE id = ANY($1)", campIDs)
	if err != nil {
		return err
	}
	if _, err := pgx.ForEachRow(q, []any{&s1, &s2, &s3}, func() error {
		rs.campaigns[s1] = CampaignRow{ID: s1, Theme: s2, Department: s3}
		return nil
	}); err != nil {
		return err
	}
	var c CommitmentRow
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	q, err = tx.Query(ctx, `SELECT campaign_id, commitment_id, department, recorded_month, state, settled_month
FROM stats_commitments WHERE campaign_id = ANY($1)`, campIDs)
	if err != nil {
		return err
	}
	_, err = pgx.ForEachRow(q, []any{&c.CampaignID, &c.CommitmentID, &c.Department, &c.RecordedMonth, &c.State, &c.SettledMonth}, func() error {
		rs.commitments[[2]string{c.CampaignID, c.CommitmentID}] = c
		return nil
	})
	return err
}

// Needs returns the needs of f's period, by district, theme and month,
// and their trend against the period before.
func (p *Postgres) Needs(ctx context.Context, f NeedsFilter) (Needs, error) {
	n, err := needsOf(ctx, f, p.needCounts)
	if err != nil {
		return Needs{}, fmt.Errorf("read needs: %w", projections.Translate(err))
	}
	return n, nil
}

func (p *Postgres) needCounts(ctx context.Context, f NeedsFilter) ([]NeedsItem, error) {
	key, err := p.stateOf(ctx)
	if err != nil {
		return nil, err
	}
	items, err := cached(&p.cache, key, func() map[NeedsFilter][]NeedsItem { return p.cache.needs }, f,
		func([]NeedsItem) bool { return true }, func() ([]NeedsItem, error) { return p.countNeeds(ctx, f) })
	return slices.Clone(items), err
}

func (p *Postgres) countNeeds(ctx context.Context, f NeedsFilter) ([]NeedsItem, error) {
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	q, err := p.pool.Query(ctx, `SELECT district, theme, report_month, count(*) FROM stats_cases
WHERE counts_as_need AND report_month BETWEEN $1 AND $2 AND ($3 = '' OR district = $3) AND ($4 = '' OR theme = $4)
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`, f.Period.From, f.Period.To, f.District, f.Theme)
	if err != nil {
		return nil, err
	}
	out := []NeedsItem{}
	var it NeedsItem
	_, err = pgx.ForEachRow(q, []any{&it.District, &it.Theme, &it.Month, &it.Count}, func() error {
		out = append(out, it)
		return nil
	})
	return out, err
}

// responsivenessSQL aggregates the cases received in a period, by
// department and month; $3 is now and $4 the statuses that await a
// department. Hours are counted from the microseconds kept, as Memory
// counts them.
const responsivenessSQL = `
WITH c AS (
    SELECT department, forward_month, forwarded_at, acknowledged_at, answered_at, resolved_at, within_sla, reopened_count,
        status = ANY($4) AS open, status = ANY($4) AND COALESCE(due_at < $3, false) AS overdue
    FROM stats_cases WHERE received AND forward_month BETWEEN $1 AND $2
)
SELECT department, forward_month, count(*),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY (extract(epoch FROM acknowledged_at - forwarded_at) / 3600)::float8) FILTER (WHERE acknowledged_at IS NOT NULL),
    percentile_cont(0.9) WITHIN GROUP (ORDER BY (extract(epoch FROM acknowledged_at - forwarded_at) / 3600)::float8) FILTER (WHERE acknowledged_at IS NOT NULL),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY (extract(epoch FROM answered_at - forwarded_at) / 3600)::float8) FILTER (WHERE answered_at IS NOT NULL),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY (extract(epoch FROM resolved_at - forwarded_at) / 3600)::float8) FILTER (WHERE resolved_at IS NOT NULL),
    percentile_cont(0.9) WITHIN GROUP (ORDER BY (extract(epoch FROM resolved_at - forwarded_at) / 3600)::float8) FILTER (WHERE resolved_at IS NOT NULL),
    count(*) FILTER (WHERE within_sla AND resolved_at IS NOT NULL AND NOT overdue),
    count(*) FILTER (WHERE resolved_at IS NOT NULL OR overdue),
    count(*) FILTER (WHERE resolved_at IS NOT NULL),
    count(*) FILTER (WHERE resolved_at IS NOT NULL AND reopened_count > 0),
    count(*) FILTER (WHERE open),
    count(*) FILTER (WHERE overdue)
FROM c GROUP BY 1, 2 ORDER BY 1, 2`

// awaiting are the statuses in which a department owes a case its
// resolution, as casefile.Status.AwaitsDepartment says.
var awaiting = []string{string(casefile.StatusForwarded), string(casefile.StatusAcknowledged), string(casefile.StatusInProgress)}

// Responsiveness returns each department's figures for each month of per
// it received cases in, as of now, by department then month. An answer
// is kept for the read model's state and the span of now between the due
// dates of open cases on either side of it.
func (p *Postgres) Responsiveness(ctx context.Context, per Period, now time.Time) ([]DepartmentMonth, error) {
	key, err := p.stateOf(ctx)
	if err != nil {
		return nil, fmt.Errorf("read responsiveness: %w", projections.Translate(err))
	}
	e, err := cached(&p.cache, key, func() map[Period]responsivenessEntry { return p.cache.resp }, per,
		func(e responsivenessEntry) bool { return e.span.Holds(now) },
		func() (responsivenessEntry, error) { return p.responsiveness(ctx, per, now) })
	if err != nil {
		return nil, fmt.Errorf("read responsiveness: %w", projections.Translate(err))
	}
	return slices.Clone(e.months), nil
}

func (p *Postgres) responsiveness(ctx context.Context, per Period, now time.Time) (responsivenessEntry, error) {
	e := responsivenessEntry{months: []DepartmentMonth{}}
	err := pgx.BeginTxFunc(ctx, p.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
		q, err := tx.Query(ctx, responsivenessSQL, per.From, per.To, now, awaiting)
		if err != nil {
			return err
		}
		var d DepartmentMonth
		if _, err := pgx.ForEachRow(q, []any{&d.Code, &d.Month, &d.Received, &d.MedianHoursToAcknowledge, &d.P90HoursToAcknowledge,
			&d.MedianHoursToAnswer, &d.MedianHoursToResolve, &d.P90HoursToResolve, &d.WithinSLA, &d.SLACases, &d.Resolved, &d.Reopened,
			&d.Open, &d.Overdue}, func() error {
			d.WithinSLARatio, d.ReopenRate = ratio(d.WithinSLA, d.SLACases), ratio(d.Reopened, d.Resolved)
			e.months = append(e.months, d)
			d = DepartmentMonth{}
			return nil
		}); err != nil {
			return err
		}
		// The due dates on either side of now bound the instants at which
		// the overdue counts are these.
		var before, from *time.Time
		if err := tx.QueryRow(ctx, `SELECT max(due_at) FILTER (WHERE due_at < $3), min(due_at) FILTER (WHERE due_at >= $3)
FROM stats_cases WHERE received AND forward_month BETWEEN $1 AND $2 AND status = ANY($4)`, per.From, per.To, now, awaiting).Scan(&before, &from); err != nil {
			return err
		}
		e.span = projections.SpanBetween(before, from)
		return nil
	})
	return e, err
}

// Campaigns returns the campaigns' figures of per.
func (p *Postgres) Campaigns(ctx context.Context, per Period) (Campaigns, error) {
	key, err := p.stateOf(ctx)
	if err != nil {
		return Campaigns{}, fmt.Errorf("read campaign figures: %w", projections.Translate(err))
	}
	c, err := cached(&p.cache, key, func() map[Period]Campaigns { return p.cache.camps }, per,
		func(Campaigns) bool { return true }, func() (Campaigns, error) { return p.campaigns(ctx, per) })
	if err != nil {
		return Campaigns{}, err
	}
	c.Commitments, c.Attendance = slices.Clone(c.Commitments), slices.Clone(c.Attendance)
	return c, nil
}

func (p *Postgres) campaigns(ctx context.Context, per Period) (Campaigns, error) {
	out := Campaigns{Period: per, Commitments: []CommitmentsMonth{}, Attendance: []AttendanceMonth{}}
	err := pgx.BeginTxFunc(ctx, p.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
		q, err := tx.Query(ctx, `
SELECT department, month, count(*) FILTER (WHERE made), count(*) FILTER (WHERE kept), count(*) FILTER (WHERE broken) FROM (
    SELECT department, recorded_month AS month, true AS made, false AS kept, false AS broken FROM stats_commitments
    UNION ALL
    SELECT department, settled_month, false, state = 'fulfilled', state = 'broken' FROM stats_commitments WHERE state IN ('fulfilled', 'broken')
) k WHERE month BETWEEN $1 AND $2 GROUP BY 1, 2 ORDER BY 1, 2`, per.From, per.To)
		if err != nil {
			return err
		}
		var c CommitmentsMonth
		if _, err := pgx.ForEachRow(q, []any{&c.Department, &c.Month, &c.Made, &c.Kept, &c.Broken}, func() error {
			out.Commitments = append(out.Commitments, c)
			return nil
		}); err != nil {
			return err
		}
		//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
		q, err = tx.Query(ctx, `SELECT theme, held_month, count(*), sum(total), sum(women), sum(men), sum(youth) FROM stats_activities
WHERE held_month BETWEEN $1 AND $2 GROUP BY 1, 2 ORDER BY 1, 2`, per.From, per.To)
		if err != nil {
			return err
		}
		var a AttendanceMonth
		_, err = pgx.ForEachRow(q, []any{&a.Theme, &a.Month, &a.Activities, &a.People, &a.Women, &a.Men, &a.Youth}, func() error {
			a.WomenShare, a.YouthShare = ratio(a.Women, a.People), ratio(a.Youth, a.People)
			out.Attendance = append(out.Attendance, a)
			return nil
		})
		return err
	})
	if err != nil {
		return Campaigns{}, fmt.Errorf("read campaign figures: %w", projections.Translate(err))
	}
	return out, nil
}
