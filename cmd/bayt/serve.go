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

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/projections"
	"github.com/citizenhouse/bayt/projections/relay"
	"github.com/citizenhouse/bayt/transport"
	"github.com/citizenhouse/bayt/transport/api"
	"github.com/citizenhouse/bayt/transport/live"
	"github.com/citizenhouse/bayt/transport/mail"
	"github.com/citizenhouse/bayt/transport/photo"
	"github.com/citizenhouse/bayt/transport/web"
	"github.com/citizenhouse/bayt/transport/webhook"
	"github.com/jackc/pgx/v5/pgxpool"
)

func serveCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := configFromEnv()
	fs := newFlagSet("serve", stderr)
	cfg.databaseFlag(fs)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (BAYT_ADDR)")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", cfg.MetricsAddr, "address serving /metrics to Prometheus; none when empty (BAYT_METRICS_ADDR)")
	fs.StringVar(&cfg.Bus, "bus", cfg.Bus, "message bus: gochannel or nats (BAYT_BUS)")
	fs.BoolVar(&cfg.Memory, "memory", false, "serve from memory without DATABASE_URL: nothing is kept when Bayt stops")
	cfg.masterKeyFlag(fs)
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
	if cfg.MetricsAddr != "" {
		if _, err := p.listenMetrics(ctx, cfg.MetricsAddr); err != nil {
			return err
		}
	}
	ln, err := new(net.ListenConfig).Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if err := p.firstAdmin(ctx, stdout, ln.Addr().String()); err != nil {
		_ = ln.Close()
		return err
	}
	return p.run(ctx, ln)
}

// firstAdmin gives a new deployment its way in: on a store where no token
// was ever issued it issues an admin token and prints, once, where to sign
// in and the token. Nothing else ever shows that secret again.
func (p *program) firstAdmin(ctx context.Context, out io.Writer, addr string) error {
	secret, tok, created, err := p.tokens.CreateFirstAdmin(ctx)
	if err != nil || !created {
		return err
	}
	p.log.Info("issued the first admin token", "token_id", tok.ID)
	_, err = fmt.Fprintf(out, "\nNo staff token existed, so Bayt issued one admin token. It is shown this once;\n"+
		"keep it somewhere safe (revoke it in the console once you have made your own).\n\n"+
		"  Sign in:  http://%s/console\n  Token:    %s\n\n", addr, secret)
	return err
}

// program is a running Bayt: its store, read models, HTTP server and
// background workers, and how to stop them in order.
type program struct {
	cfg    config
	log    *slog.Logger
	server *http.Server
	// api is the JSON API server; tests hold its routes to the OpenAPI
	// document.
	api *api.Server
	// metrics counts what an operator watches; listenMetrics serves them.
	metrics *metrics
	hub     *live.Hub
	// campaignHub serves the live feed's board=campaigns.
	campaignHub *live.Hub
	workers     []func(context.Context) error
	// pool is the database pool, nil on the in-memory store; tests read
	// its statistics.
	pool *pgxpool.Pool
	// keyedHash is the services' keyed hash, which the pages use too.
	keyedHash func(purpose, text string) string
	// cases is the case list, which the pages read more of than the API.
	cases caseQueries
	// directory edits the directory, and directoryHistory reads its
	// stream, for the console.
	directory        *directory.Service
	directoryHistory web.DirectoryHistory
	// liveDirectory is the directory in force, which Open311 reads its
	// services and districts from.
	liveDirectory *directory.Live
	// tokens are the staff's tokens and console sessions.
	tokens interface {
		tokenStore
		CreateFirstAdmin(ctx context.Context) (string, eventstore.Token, bool, error)
	}
	// photos keeps the photos' files, for the API and the pages.
	photos web.PhotoStore
	// mailer tells people by mail, nil without BAYT_SMTP_URL; unsubscribe
	// serves its links, nil on the in-memory store.
	mailer      *mail.Mailer
	unsubscribe http.Handler
	// bus is the message bus, nil on the in-memory store; tests read its
	// poison queues.
	bus *bus
	// closers release what newProgram opened; close runs them in reverse.
	closers []func()
}

func newProgram(ctx context.Context, cfg config, logger *slog.Logger) (*program, error) {
	proxies, err := transport.ParseProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("%w: BAYT_TRUSTED_PROXIES: %w", errUsage, err)
	}
	zone, err := cfg.zone()
	if err != nil {
		return nil, err
	}
	center, err := cfg.mapCenter()
	if err != nil {
		return nil, err
	}
	p := &program{cfg: cfg, log: logger, metrics: newMetrics()}
	apiCfg := api.Config{
		Logger:     logger,
		WriteLimit: transport.NewLimiter(cfg.PublicWriteLimit),
		// Two decodings at once: each may hold a few hundred megabytes.
		PhotoProcessor: photo.New(2),
	}
	var feed live.Feed
	// One cap for both boards: the bound is on an address's connections.
	liveCap := live.NewCap(cfg.LivePerAddress)
	if cfg.Memory {
		logger.Warn(transport.EphemeralWarning)
		if cfg.SMTPURL != "" {
			logger.Warn("mail needs PostgreSQL: BAYT_SMTP_URL is ignored with --memory")
		}
		store := eventstore.NewMemory(nil)
		p.closers = append(p.closers, store.Close)
		rs, err := newReadSide(readModels(zone), nil)
		if err != nil {
			p.close()
			return nil, err
		}
		list, net := rs.cases, rs.network
		apiCfg.Ephemeral = true
		vault := countingVault{eventstore.NewMemoryVault(), p.metrics.vaultOperations}
		// One process holds the whole store: the directory service's
		// own edits are all there is to follow.
		dir, err := liveDirectory(ctx, store)
		if err != nil {
			p.close()
			return nil, err
		}
		svc := p.wireServices(&apiCfg, newRepositories(store), dir, vault, eventstore.NewHasher().Sum)
		apiCfg.Network, apiCfg.Resolved = net, list
		apiCfg.CaseFeeds, apiCfg.CampaignFeeds = list, net
		apiCfg.Figures, apiCfg.Zone = rs.figures, zone
		p.workers = append(p.workers, slaWatch{overdue: list, cases: svc.cases, every: time.Minute, log: logger, breachedFunc: p.metrics.slaBreaches.Inc}.Run)
		apiCfg.CaseList, apiCfg.Boards, feed = list, list, list
		p.cases = list
		tokens := eventstore.NewMemoryTokens()
		apiCfg.Tokens, p.tokens = tokenAuth{tokens}, tokens
		apiCfg.Idempotency = store
		p.photos = eventstore.NewMemoryPhotos()
		p.hub = live.NewHub(feed, live.Config{AllowedOrigins: cfg.allowedOrigins(), Cap: liveCap, Logger: logger})
		p.campaignHub = live.NewHub(net, live.Config{AllowedOrigins: cfg.allowedOrigins(), Cap: liveCap, Logger: logger})
		p.workers = append(p.workers, rs.follow(projectionLog{store}, p.wake))
	} else {
		mk, err := configuredMasterKey(cfg)
		if err != nil {
			return nil, err
		}
		pool, err := openPool(ctx, cfg)
		if err != nil {
			return nil, err
		}
		p.pool = pool
		p.closers = append(p.closers, pool.Close)
		if _, err := migrate(ctx, pool); err != nil {
			p.close()
			return nil, err
		}
		warnWithoutAutovacuum(ctx, pool, logger)
		sealed, keyedHash, err := openKeys(ctx, pool, mk)
		if err != nil {
			p.close()
			return nil, err
		}
		if sealed.Keys+sealed.Answers > 0 {
			logger.Info("sealed keys stored in clear", "keys", sealed.Keys, "answers", sealed.Answers, "master_key", mk.ID())
		}
		b, err := newBus(cfg, logger)
		if err != nil {
			p.close()
			return nil, err
		}
		p.bus = b
		p.closers = append(p.closers, func() {
			if err := b.Close(); err != nil {
				logger.Warn("close bus", "err", err)
			}
		})
		store := eventstore.New(pool, eventstore.Config{Logger: logger, MasterKey: mk, BatchFunc: p.metrics.observeBatch})
		p.metrics.watchDatabase(pool)
		p.closers = append(p.closers, store.Close)
		rs, err := newReadSide(readModels(zone), pool)
		if err != nil {
			p.close()
			return nil, err
		}
		list, net := rs.cases, rs.network
		apiCfg.ReadyFunc = pool.Ping
		dir, err := liveDirectory(ctx, store)
		if err != nil {
			p.close()
			return nil, err
		}
		vault := countingVault{eventstore.NewVault(pool, mk), p.metrics.vaultOperations}
		svc := p.wireServices(&apiCfg, newRepositories(store), dir, vault, keyedHash)
		p.workers = append(p.workers, directoryWatch{live: dir, every: cfg.directoryEvery, log: logger, changedFunc: cfg.directoryFunc}.Run)
		apiCfg.Network, apiCfg.Resolved = net, list
		apiCfg.CaseFeeds, apiCfg.CampaignFeeds = list, net
		apiCfg.Figures, apiCfg.Zone = rs.figures, zone
		apiCfg.CaseList, apiCfg.Boards, feed = list, list, list
		p.cases = list
		tokens := eventstore.NewTokens(pool)
		apiCfg.Tokens, p.tokens = tokenAuth{tokens}, tokens
		apiCfg.Idempotency = store
		p.photos = eventstore.NewPhotos(pool)
		p.hub = live.NewHub(feed, live.Config{AllowedOrigins: cfg.allowedOrigins(), Cap: liveCap, Logger: logger})
		p.campaignHub = live.NewHub(net, live.Config{AllowedOrigins: cfg.allowedOrigins(), Cap: liveCap, Logger: logger})
		router, err := newRouter(b, logger, func() { p.hub.Notify(); p.campaignHub.Notify() })
		if err != nil {
			p.close()
			return nil, err
		}
		if err := p.wireMail(cfg, router, b, mailDeps{pool: pool, cases: newRepositories(store).cases, vault: vault, directory: dir, keyedHash: keyedHash}, logger); err != nil {
			p.close()
			return nil, err
		}
		hooks := webhookStore{eventstore.NewWebhooks(pool)}
		apiCfg.Webhooks = hooks
		apiCfg.WebhookSecret = func(id string) string { return webhook.Secret(keyedHash, id) }
		if err := p.wireWebhooks(cfg, router, b, hooks, newRepositories(store).cases, keyedHash, logger); err != nil {
			p.close()
			return nil, err
		}
		leases := projections.NewLeases(pool, 2*time.Second)
		p.closers = append(p.closers, leases.Close)
		p.workers = append(p.workers, rs.runners(pool, leases, projectionLog{store}, logger, func(ctx context.Context, m projections.ReadModel, position int64) {
			p.wake(m.Feeds)
			publishChange(ctx, b, logger, m.Name, position)
			if cfg.projectedFunc != nil {
				cfg.projectedFunc(m.Name, position)
			}
		})...)
		rl := relay.New(pool, leases, projectionLog{store}, b.pub, logger)
		sla := slaWatch{overdue: list, cases: svc.cases, every: time.Minute, log: logger, breachedFunc: p.metrics.slaBreaches.Inc}
		p.workers = append(p.workers, rl.Run, router.Run, sla.Run, forgetIdempotency(store, logger))
	}
	p.workers = append(p.workers, p.hub.Run, p.campaignHub.Run)
	p.metrics.watchHubs(map[string]*live.Hub{"public": p.hub, "campaigns": p.campaignHub})
	apiCfg.Live = live.Boards{"public": p.hub, "campaigns": p.campaignHub}
	apiCfg.Photos = p.photos
	apiCfg.PublicURL = cfg.PublicURL
	// No WriteTimeout on the server: it would cut every live feed
	// connection at the same age. The middleware bounds the writing of
	// every other response instead.
	edge := transport.MiddlewareConfig{TrustedProxies: proxies, WriteTimeout: 60 * time.Second, ObserveFunc: p.metrics.observeRequest}
	p.api = api.New(apiCfg)
	p.server = &http.Server{
		Handler: newHandler(p.api, apiCfg, pageDeps{keyedHash: p.keyedHash, staff: staffDoor{p.tokens}, cases: p.cases,
			directory: p.directory, directoryHistory: p.directoryHistory, sessionIdle: cfg.SessionIdle, location: zone, photos: p.photos,
			tileURL: cfg.TileURL, tileAttribution: cfg.TileAttribution, mapCenter: center, unsubscribe: p.unsubscribe},
			open311Deps{directory: p.liveDirectory, keys: cfg.Open311Keys}, edge),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	return p, nil
}

// wireServices gives the API the repositories to read from and the
// services to change state through, over one store and one vault, all
// looking the directory up in dir.
func (p *program) wireServices(cfg *api.Config, repos repositories, dir *directory.Live, vault domain.Vault, keyedHash func(purpose, text string) string) services {
	svc := newServices(repos, dir, newPorts(vault, keyedHash))
	cfg.Directory, p.liveDirectory = dir, dir
	p.keyedHash, p.directory, p.directoryHistory = keyedHash, svc.directory, repos.directory
	cfg.Cases, cfg.Campaigns, cfg.Organisations = repos.cases, repos.campaigns, repos.organisations
	cfg.CaseService, cfg.CampaignService, cfg.OrganisationService = svc.cases, svc.campaigns, svc.organisations
	cfg.Vault = vault
	return svc
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

// listenMetrics listens on addr and has run serve the metrics there until
// it stops. It returns the address listened on (addr may ask for any
// port).
func (p *program) listenMetrics(ctx context.Context, addr string) (net.Addr, error) {
	ln, err := new(net.ListenConfig).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for metrics: %w", err)
	}
	srv := &http.Server{Handler: p.metrics.handler(), ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 2 * time.Minute, // room for a 60 s CPU profile
		ErrorLog: slog.NewLogLogger(p.log.Handler(), slog.LevelWarn)}
	p.workers = append(p.workers, func(ctx context.Context) error {
		errc := make(chan error, 1)
		go func() { errc <- srv.Serve(ln) }()
		select {
		case err := <-errc:
			return fmt.Errorf("serve metrics: %w", err)
		case <-ctx.Done():
		}
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			return fmt.Errorf("shut down metrics: %w", err)
		}
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve metrics: %w", err)
		}
		return nil
	})
	p.log.Info("serving metrics", "addr", ln.Addr().String())
	return ln.Addr(), nil
}

// close releases what newProgram opened, in reverse order.
func (p *program) close() {
	for i := len(p.closers) - 1; i >= 0; i-- {
		p.closers[i]()
	}
	p.closers = nil
}

// warnWithoutAutovacuum says at start when the server runs with autovacuum
// off. Bayt's statements keep their index plans without statistics (custom
// plans, see eventstore.SessionSettings), but nothing then removes the dead
// rows the read models leave at every update, so tables and indexes grow
// until someone runs VACUUM.
func warnWithoutAutovacuum(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) {
	var setting string
	if err := pool.QueryRow(ctx, "SHOW autovacuum").Scan(&setting); err != nil || setting == "on" {
		return
	}
	logger.Warn("PostgreSQL runs with autovacuum off: read-model tables keep their dead rows until VACUUM runs; schedule VACUUM (ANALYZE) daily or turn autovacuum on")
}
