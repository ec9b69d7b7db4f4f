package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/citizenhouse/bayt/projections"
	"github.com/citizenhouse/bayt/projections/caselist"
	"github.com/citizenhouse/bayt/projections/network"
	"github.com/citizenhouse/bayt/projections/stats"
	"github.com/citizenhouse/bayt/transport/api"
	"github.com/citizenhouse/bayt/transport/live"
	"github.com/citizenhouse/bayt/transport/web"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Live boards, as the live feed's board parameter names them.
const (
	boardPublic    = "public"
	boardCampaigns = "campaigns"
)

// readModels lists every read model of Bayt, once. A new read model is a
// folder under projections/ and an entry here: bayt serve then runs it,
// in memory or on PostgreSQL, and bayt projections rebuild and status know
// it.
//
// zone is the city's time zone, which the case list numbers cases by and
// the figures count months in.
func readModels(zone *time.Location) projections.Registry {
	cases := caselist.Config{Zone: zone}
	figures := stats.Config{Zone: zone}
	return projections.Registry{
		{
			Name:     caselist.Name,
			Postgres: func(pool *pgxpool.Pool) projections.Tabled { return caselist.NewPostgres(pool, cases) },
			Memory:   func() projections.Memory { return caselist.NewMemory(cases) },
			Feeds:    boardPublic,
		},
		{
			Name:     network.Name,
			Postgres: func(pool *pgxpool.Pool) projections.Tabled { return network.NewPostgres(pool) },
			Memory:   func() projections.Memory { return network.NewMemory() },
			Feeds:    boardCampaigns,
		},
		{
			Name:     stats.Name,
			Postgres: func(pool *pgxpool.Pool) projections.Tabled { return stats.NewPostgres(pool, figures) },
			Memory:   func() projections.Memory { return stats.NewMemory(figures) },
		},
	}
}

// caseQueries is what the API, the pages, the public board's hub and the
// SLA watch read from the case list.
type caseQueries interface {
	api.CaseLister
	web.CaseLister
	api.Boards
	api.ResolvedCounter
	api.CaseFeeds
	live.Feed
	Unbreached(ctx context.Context, now time.Time, limit int) ([]string, error)
}

// networkQueries is what the API and the campaigns' hub read from the
// network read model.
type networkQueries interface {
	api.NetworkLister
	api.CampaignFeeds
	live.Feed
}

// readSide is the read models of one process: each entry of the registry
// built once, all on PostgreSQL or all in memory.
type readSide struct {
	registry projections.Registry
	// models holds each read model's implementation, by name.
	models map[string]any

	cases   caseQueries
	network networkQueries
	figures figureQueries
}

// figureQueries is what the API and the pages read from the figures.
type figureQueries interface {
	api.Figures
	web.Figures
}

// newReadSide builds every read model of reg, kept in pool's database, or
// in process memory when pool is nil.
func newReadSide(reg projections.Registry, pool *pgxpool.Pool) (*readSide, error) {
	if err := reg.Validate(); err != nil {
		return nil, err
	}
	rs := &readSide{registry: reg, models: make(map[string]any, len(reg))}
	for _, m := range reg {
		if pool == nil {
			rs.models[m.Name] = m.Memory()
			continue
		}
		h := m.Postgres(pool)
		if h.Name() != m.Name {
			return nil, fmt.Errorf("read model %s checkpoints as %s", m.Name, h.Name())
		}
		rs.models[m.Name] = h
	}
	var ok bool
	if rs.cases, ok = rs.models[caselist.Name].(caseQueries); !ok {
		return nil, fmt.Errorf("read model %s does not answer the case queries", caselist.Name)
	}
	if rs.network, ok = rs.models[network.Name].(networkQueries); !ok {
		return nil, fmt.Errorf("read model %s does not answer the network queries", network.Name)
	}
	if rs.figures, ok = rs.models[stats.Name].(figureQueries); !ok {
		return nil, fmt.Errorf("read model %s does not answer the figures' queries", stats.Name)
	}
	return rs, nil
}

// follow returns the in-memory worker: it applies the log to every read
// model, in registry order, and wakes the board each one feeds.
func (rs *readSide) follow(log projections.Log, wake func(board string)) func(context.Context) error {
	return func(ctx context.Context) error {
		return log.Follow(ctx, 0, 1000, func(ctx context.Context, events []projections.Event) error {
			var errs []error
			for _, m := range rs.registry {
				errs = append(errs, rs.models[m.Name].(projections.Memory).Apply(ctx, events))
				if m.Feeds != "" {
					wake(m.Feeds)
				}
			}
			return errors.Join(errs...)
		})
	}
}

// runners returns a runner for every read model, each calling changed
// after a committed batch.
func (rs *readSide) runners(pool *pgxpool.Pool, leases *projections.Leases, log projections.Log, logger *slog.Logger,
	changed func(ctx context.Context, m projections.ReadModel, position int64)) []func(context.Context) error {
	var out []func(context.Context) error
	for _, m := range rs.registry {
		r := projections.NewRunner(pool, leases, log, rs.models[m.Name].(projections.Handler), projections.RunnerConfig{
			Logger:      logger,
			ChangedFunc: func(ctx context.Context, position int64) { changed(ctx, m, position) },
		})
		out = append(out, r.Run)
	}
	return out
}

// liveBoards returns the hubs by the name of the board they serve, which
// is what a read model's Feeds names.
func (p *program) liveBoards() live.Boards {
	return live.Boards{boardPublic: p.hub, boardCampaigns: p.campaignHub}
}

// wake tells the hub of board that its read model moved on.
func (p *program) wake(board string) {
	if h := p.liveBoards()[board]; h != nil {
		h.Notify()
	}
}
