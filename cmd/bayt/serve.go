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
	"github.com/citizenhouse/bayt/transport/api"
	"github.com/jackc/pgx/v5/pgxpool"
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
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	return p.run(ctx, ln)
}

// program is a running Bayt: its store, read models, HTTP server and
// background workers, and how to stop them in order.
type program struct {
	cfg     config
	log     *slog.Logger
	pool    *pgxpool.Pool // nil on the in-memory store
	store   interface{ Close() }
	server  *http.Server
	workers []func(context.Context) error
}

func newProgram(ctx context.Context, cfg config, logger *slog.Logger) (*program, error) {
	p := &program{cfg: cfg, log: logger}
	apiCfg := api.Config{
		Logger:           logger,
		Directory:        directory.Default(),
		PublicWriteLimit: cfg.PublicWriteLimit,
	}
	if cfg.DatabaseURL == "" {
		logger.Warn(api.EphemeralWarning)
		store := eventstore.NewMemory(nil)
		list := caselist.NewMemory()
		p.store = store
		apiCfg.Ephemeral = true
		apiCfg.Cases = eventstore.NewRepository(store, caseCodec())
		apiCfg.CaseList = list
		apiCfg.Vault = eventstore.NewMemoryVault()
		apiCfg.Tokens = tokenAuth{eventstore.NewMemoryTokens()}
		apiCfg.Idempotency = store
		p.workers = append(p.workers, func(ctx context.Context) error {
			return projectionLog{store}.Follow(ctx, 0, 1000, list.Apply)
		})
	} else {
		pool, err := openPool(ctx, cfg)
		if err != nil {
			return nil, err
		}
		p.pool = pool
		if _, err := migrate(ctx, pool); err != nil {
			pool.Close()
			return nil, err
		}
		store := eventstore.New(pool, eventstore.Config{Logger: logger})
		list := caselist.NewPostgres(pool)
		p.store = store
		apiCfg.ReadyFunc = pool.Ping
		apiCfg.Cases = eventstore.NewRepository(store, caseCodec())
		apiCfg.CaseList = list
		apiCfg.Vault = eventstore.NewVault(pool)
		apiCfg.Tokens = tokenAuth{eventstore.NewTokens(pool)}
		apiCfg.Idempotency = store
		runner := projections.NewRunner(pool, projectionLog{store}, list, projections.RunnerConfig{Logger: logger})
		p.workers = append(p.workers, runner.Run)
	}
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
	defer stopWorkers()
	var wg sync.WaitGroup
	for _, work := range p.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := work(wctx); err != nil && wctx.Err() == nil {
				p.log.Error("worker stopped", "err", err)
			}
		}()
	}
	defer wg.Wait()
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
	stopWorkers()
	wg.Wait()
	p.log.Info("stopped")
	return nil
}

// close releases what newProgram opened, in reverse order.
func (p *program) close() {
	p.store.Close()
	if p.pool != nil {
		p.pool.Close()
	}
}
