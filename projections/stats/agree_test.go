package stats_test

import (
	"context"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
	"github.com/citizenhouse/bayt/projections"
	"github.com/citizenhouse/bayt/projections/caselist"
	"github.com/citizenhouse/bayt/projections/projectionstest"
	"github.com/citizenhouse/bayt/projections/stats"
	"github.com/jackc/pgx/v5/pgxpool"
)

// queries is every query the figures answer.
type queries interface {
	Needs(ctx context.Context, f stats.NeedsFilter) (stats.Needs, error)
	Responsiveness(ctx context.Context, p stats.Period, now time.Time) ([]stats.DepartmentMonth, error)
	Campaigns(ctx context.Context, p stats.Period) (stats.Campaigns, error)
}

type query = projectionstest.Query[queries]

// tunis is the zone the suite counts months in: an hour ahead of UTC, so
// that a report late on a month's last day falls in the next month.
var tunis = time.FixedZone("Tunis", 3600)

// TestSuite runs the read model suite: Postgres and Memory answer every
// query alike on the shared log.
func TestSuite(t *testing.T) {
	t.Parallel()
	year := stats.Period{From: "2026-01", To: "2026-12"}
	qs := []query{
		{Name: "Needs", Ask: func(ctx context.Context, m queries, _ *projectionstest.Log) (any, error) {
			return m.Needs(ctx, stats.NeedsFilter{Period: year})
		}},
		{Name: "NeedsOfADistrict", Ask: func(ctx context.Context, m queries, _ *projectionstest.Log) (any, error) {
			return m.Needs(ctx, stats.NeedsFilter{Period: year, District: "Medina"})
		}},
		{Name: "NeedsOfATheme", Ask: func(ctx context.Context, m queries, _ *projectionstest.Log) (any, error) {
			return m.Needs(ctx, stats.NeedsFilter{Period: year, Theme: "community"})
		}},
		{Name: "NeedsTrend", Ask: func(ctx context.Context, m queries, _ *projectionstest.Log) (any, error) {
			return m.Needs(ctx, stats.NeedsFilter{Period: stats.Period{From: "2026-04", To: "2026-06"}})
		}},
		{Name: "ResponsivenessNow", Ask: func(ctx context.Context, m queries, log *projectionstest.Log) (any, error) {
			return m.Responsiveness(ctx, year, log.Now)
		}},
		{Name: "ResponsivenessEarly", Ask: func(ctx context.Context, m queries, log *projectionstest.Log) (any, error) {
			return m.Responsiveness(ctx, year, log.Events[len(log.Events)/2].RecordedAt)
		}},
		{Name: "Campaigns", Ask: func(ctx context.Context, m queries, _ *projectionstest.Log) (any, error) {
			return m.Campaigns(ctx, year)
		}},
	}
	cfg := stats.Config{Zone: tunis}
	projectionstest.Run(t, projectionstest.Model[queries]{
		Pool: func(t *testing.T) *pgxpool.Pool {
			pool, _ := eventstoretest.Schema(t, nil)
			return pool
		},
		Postgres: func(pool *pgxpool.Pool) queries { return stats.NewPostgres(pool, cfg) },
		Memory:   func() queries { return stats.NewMemory(cfg) },
		Queries:  qs,
	})
}

// TestBoardAgrees checks that the public board's department figures are
// the responsiveness figures summed over every month, on the suite's log
// and at two moments: one case overdue or several.
func TestBoardAgrees(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	log := projectionstest.NewLog(t)
	figures := stats.NewMemory(stats.Config{Zone: tunis})
	board := caselist.NewMemory(caselist.Config{})
	for _, m := range []projections.Memory{figures, board} {
		if err := m.Apply(ctx, log.Events); err != nil {
			t.Fatal(err)
		}
	}
	// 120 months around the log, which runs in March and April 2026.
	all := stats.Period{From: "2025-06", To: "2035-05"}
	for _, now := range []time.Time{log.Events[len(log.Events)/2].RecordedAt, log.Now} {
		months, err := figures.Responsiveness(ctx, all, now)
		if err != nil {
			t.Fatal(err)
		}
		type sums struct{ within, judged, open, overdue int }
		want := map[string]*sums{}
		for _, m := range months {
			s, ok := want[m.Code]
			if !ok {
				s = &sums{}
				want[m.Code] = s
			}
			s.within, s.judged, s.open, s.overdue = s.within+m.WithinSLA, s.judged+m.SLACases, s.open+m.Open, s.overdue+m.Overdue
		}
		b, err := board.Board(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Departments) != len(want) || len(want) == 0 {
			t.Fatalf("board departments %+v, responsiveness %+v", b.Departments, months)
		}
		breaches := 0
		for _, d := range b.Departments {
			s := want[d.Code]
			if s == nil {
				t.Fatalf("%s is on the board, not in the responsiveness", d.Code)
			}
			breaches += s.overdue
			var ratio *float64
			if s.judged > 0 {
				v := float64(s.within) / float64(s.judged)
				ratio = &v
			}
			if d.Open != s.open || d.Overdue != s.overdue || (ratio == nil) != (d.WithinSLARatio == nil) ||
				(ratio != nil && *ratio != *d.WithinSLARatio) {
				t.Errorf("at %s, %s: board %+v, months sum to %+v", now, d.Code, d, *s)
			}
		}
		if now.Equal(log.Now) && breaches == 0 {
			t.Error("nothing overdue at the end of the log: the comparison proves nothing about breaches")
		}
	}
}
