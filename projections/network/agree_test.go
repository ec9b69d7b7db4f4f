package network_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain/organisation"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
	"github.com/citizenhouse/bayt/projections"
	"github.com/citizenhouse/bayt/projections/network"
	"github.com/citizenhouse/bayt/projections/projectionstest"
	"github.com/jackc/pgx/v5/pgxpool"
)

// queries is every query the network read model answers.
type queries interface {
	Campaigns(ctx context.Context, f network.CampaignFilter) (network.CampaignPage, error)
	Organisations(ctx context.Context, kind string) ([]organisation.Organisation, error)
	FeedAfter(ctx context.Context, after int64, limit int) ([]projections.FeedRecord, error)
	Snapshot(ctx context.Context, now time.Time) (int64, any, error)
}

type query = projectionstest.Query[queries]

// TestSuite runs the read model suite: Postgres and Memory answer every
// query alike on the shared log.
func TestSuite(t *testing.T) {
	t.Parallel()
	qs := []query{
		{Name: "Snapshot", Ask: func(ctx context.Context, m queries, log *projectionstest.Log) (any, error) {
			pos, b, err := m.Snapshot(ctx, log.Now)
			return []any{pos, b}, err
		}},
		{Name: "FeedAfter", Ask: func(ctx context.Context, m queries, _ *projectionstest.Log) (any, error) {
			return m.FeedAfter(ctx, 0, 1000)
		}},
		{Name: "FeedAfterMiddle", Ask: func(ctx context.Context, m queries, log *projectionstest.Log) (any, error) {
			return m.FeedAfter(ctx, int64(len(log.Events)*3/4), 2)
		}},
	}
	for _, kind := range []string{"", string(organisation.KindAssociation), string(organisation.KindMunicipalDepartment)} {
		qs = append(qs, query{Name: "Organisations/" + kind, Ask: func(ctx context.Context, m queries, _ *projectionstest.Log) (any, error) {
			return m.Organisations(ctx, kind)
		}})
	}
	for name, filter := range map[string]func(log *projectionstest.Log) network.CampaignFilter{
		"All":    func(*projectionstest.Log) network.CampaignFilter { return network.CampaignFilter{} },
		"Theme":  func(*projectionstest.Log) network.CampaignFilter { return network.CampaignFilter{Theme: "community"} },
		"Status": func(*projectionstest.Log) network.CampaignFilter { return network.CampaignFilter{Status: "closed"} },
		"Lead": func(log *projectionstest.Log) network.CampaignFilter {
			return network.CampaignFilter{Organisation: log.Organisations[0]}
		},
		"Partner": func(log *projectionstest.Log) network.CampaignFilter {
			return network.CampaignFilter{Organisation: log.Organisations[1]}
		},
	} {
		qs = append(qs, query{Name: "Campaigns/" + name, Ask: func(ctx context.Context, m queries, log *projectionstest.Log) (any, error) {
			return m.Campaigns(ctx, filter(log))
		}})
	}
	// Pages of one split the campaigns launched in the same microsecond.
	for _, limit := range []int{1, 2} {
		qs = append(qs, query{Name: fmt.Sprintf("CampaignsPagedBy%d", limit), Ask: func(ctx context.Context, m queries, _ *projectionstest.Log) (any, error) {
			return projectionstest.Pages(ctx, func(ctx context.Context, cursor string) (network.CampaignPage, string, error) {
				p, err := m.Campaigns(ctx, network.CampaignFilter{Limit: limit, Cursor: cursor})
				return p, p.NextCursor, err
			})
		}})
	}
	projectionstest.Run(t, projectionstest.Model[queries]{
		Pool: func(t *testing.T) *pgxpool.Pool {
			pool, _ := eventstoretest.Schema(t, nil)
			return pool
		},
		Postgres: func(pool *pgxpool.Pool) queries { return network.NewPostgres(pool) },
		Memory:   func() queries { return network.NewMemory() },
		Queries:  qs,
	})
}
