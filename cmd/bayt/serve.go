package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/projections"
	"github.com/citizenhouse/bayt/projections/caselist"
	"github.com/citizenhouse/bayt/projections/network"
	"github.com/citizenhouse/bayt/projections/relay"
	"github.com/citizenhouse/bayt/transport/api"
	"github.com/citizenhouse/bayt/transport/live"
)

func serveCommand(ctx context.Context, args []string, _, stderr io.Writer) error {
	cfg := configFromEnv()
	fs := newFlagSet("serve", stderr)
	cfg.databaseFlag(fs)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (BAYT_ADDR)")
	fs.StringVar(&cfg.Bus, "bus", cfg.Bus, "message bus: gochannel or nats (BAYT_BUS)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	p, err := newProgram(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer p.close()
	ln, err := new(net.ListenConfig).Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	return p.run(ctx, ln)
}

// program is a running Bayt: its store, read models, HTTP server and
// background workers, and how to stop them in order.
type program struct {
	cfg    config
	log    *slog.Logger
	server *http.Server
	hub    *live.Hub
	// campaignHub serves the live feed's board=campaigns.
	campaignHub *live.Hub
	workers     []func(context.Context) error
	// closers release what newProgram opened; close runs them in reverse.
	closers []func()
}

func newProgram(ctx context.Context, cfg config, logger *slog.Logger) (*program, error) {
	p := &program{cfg: cfg, log: logger}
	apiCfg := api.Config{
		Logger:           logger,
		Directory:        directory.Default(),
		PublicWriteLimit: cfg.PublicWriteLimit,
	}
	var feed live.Feed
	if cfg.DatabaseURL == "" {
		logger.Warn(api.EphemeralWarning)
		store := eventstore.NewMemory(nil)
		list := caselist.NewMemory()
		net := network.NewMemory()
		p.closers = append(p.closers, store.Close)
		apiCfg.Ephemeral = true
		repos := newRepositories(store)
		apiCfg.Cases, apiCfg.Campaigns, apiCfg.Organisations, apiCfg.Linker = repos.cases, repos.campaigns, repos.organisations, repos
		apiCfg.Network, apiCfg.Resolved = net, list
		p.workers = append(p.workers, slaWatch{overdue: list, cases: apiCfg.Cases, every: time.Minute, log: logger}.Run)
		apiCfg.CaseList, apiCfg.Boards, feed = list, list, list
		apiCfg.Vault = eventstore.NewMemoryVault()
		apiCfg.Tokens = tokenAuth{eventstore.NewMemoryTokens()}
		apiCfg.Idempotency = store
		p.hub = live.NewHub(feed, live.Config{AllowedOrigins: cfg.allowedOrigins(), Logger: logger})
		p.campaignHub = live.NewHub(net, live.Config{AllowedOrigins: cfg.allowedOrigins(), Logger: logger})
		p.workers = append(p.workers, func(ctx context.Context) error {
			return projectionLog{store}.Follow(ctx, 0, 1000, func(ctx context.Context, events []projections.Event) error {
				err := errors.Join(list.Apply(ctx, events), net.Apply(ctx, events))
				p.hub.Notify()
				p.campaignHub.Notify()
				return err
			})
		})
	} else {
		pool, err := openPool(ctx, cfg)
		if err != nil {
			return nil, err
		}
		p.closers = append(p.closers, pool.Close)
		if _, err := migrate(ctx, pool); err != nil {
			p.close()
			return nil, err
		}
		b, err := newBus(cfg, logger)
		if err != nil {
			p.close()
			return nil, err
		}
		p.closers = append(p.closers, func() {
			if err := b.Close(); err != nil {
				logger.Warn("close bus", "err", err)
			}
		})
		store := eventstore.New(pool, eventstore.Config{Logger: logger})
		p.closers = append(p.closers, store.Close)
		list := caselist.NewPostgres(pool)
		net := network.NewPostgres(pool)
		apiCfg.ReadyFunc = pool.Ping
		repos := newRepositories(store)
		apiCfg.Cases, apiCfg.Campaigns, apiCfg.Organisations, apiCfg.Linker = repos.cases, repos.campaigns, repos.organisations, repos
		apiCfg.Network, apiCfg.Resolved = net, list
		apiCfg.CaseList, apiCfg.Boards, feed = list, list, list
		apiCfg.Vault = eventstore.NewVault(pool)
		apiCfg.Tokens = tokenAuth{eventstore.NewTokens(pool)}
		apiCfg.Idempotency = store
		p.hub = live.NewHub(feed, live.Config{AllowedOrigins: cfg.allowedOrigins(), Logger: logger})
		p.campaignHub = live.NewHub(net, live.Config{AllowedOrigins: cfg.allowedOrigins(), Logger: logger})
		router, err := newRouter(b, logger, func() { p.hub.Notify(); p.campaignHub.Notify() })
		if err != nil {
			p.close()
			return nil, err
		}
		leases := projections.NewLeases(pool, 2*time.Second)
		p.closers = append(p.closers, leases.Close)
		runner := projections.NewRunner(pool, leases, projectionLog{store}, list, projections.RunnerConfig{
			Logger: logger,
			ChangedFunc: func(ctx context.Context, position int64) {
				p.hub.Notify()
				publishChange(ctx, b, logger, caselist.Name, position)
			},
		})
		netRunner := projections.NewRunner(pool, leases, projectionLog{store}, net, projections.RunnerConfig{
			Logger: logger,
			ChangedFunc: func(ctx context.Context, position int64) {
				p.campaignHub.Notify()
				publishChange(ctx, b, logger, network.Name, position)
			},
		})
		rl := relay.New(pool, leases, projectionLog{store}, b.pub, logger)
		sla := slaWatch{overdue: list, cases: apiCfg.Cases, every: time.Minute, log: logger}
		p.workers = append(p.workers, runner.Run, netRunner.Run, rl.Run, router.Run, sla.Run, forgetIdempotency(store, logger))
	}
	p.workers = append(p.workers, p.hub.Run, p.campaignHub.Run)
	apiCfg.Live = live.Boards{"public": p.hub, "campaigns": p.campaignHub}
	p.server = &http.Server{
		Handler:           api.New(apiCfg),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	return p, nil
}

// run serves on ln and runs the background workers until ctx ends, then
// stops the server gracefully and the workers after it.
func (p *program) run(ctx context.Context, ln net.Listener) error {
	wctx, stopWorkers := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	// Whatever way run returns, the workers are told to stop before it
	// waits for them.
	defer func() {
		stopWorkers()
		wg.Wait()
	}()
	for _, work := range p.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := work(wctx); err != nil && wctx.Err() == nil {
				p.log.Error("worker stopped", "err", err)
			}
		}()
	}
	p.log.Info("serving", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- p.server.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.cfg.ShutdownTimeout)
	defer cancel()
	if err := p.server.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	p.log.Info("stopped")
	return nil
}

// close releases what newProgram opened, in reverse order.
func (p *program) close() {
	for i := len(p.closers) - 1; i >= 0; i-- {
		p.closers[i]()
	}
	p.closers = nil
}
