package stats_test

import (
	"context"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
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
