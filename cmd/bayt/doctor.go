package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/migrations"
	"github.com/citizenhouse/bayt/projections"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/nats-io/nats.go"
)

// errUnhealthy is what bayt doctor returns when a check failed; it has
// printed which.
var errUnhealthy = errors.New("doctor found a problem")

// doctorLimits are where doctor's judgements turn from ok to a problem.
type doctorLimits struct {
	// maxLag is how many events a read model may be behind the log.
	maxLag int64
	// verifyAge is how old the last audit verification may be.
	verifyAge time.Duration
	// maxSkew is how far this machine's clock may be from PostgreSQL's.
	maxSkew time.Duration
}

// check is one line of doctor's report.
type check struct {
	name, detail string
	// level is ok, warn (worth knowing, not wrong) or fail.
	level string
}

// doctorCommand checks, in one screen, what an operator needs to know
// about a deployment, and exits non-zero when something is wrong.
func doctorCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := configFromEnv()
	fs := newFlagSet("doctor", stderr)
	cfg.databaseFlag(fs)
	limits := doctorLimits{}
	fs.Int64Var(&limits.maxLag, "max-lag", 1000, "events a read model may be behind the log")
	fs.DurationVar(&limits.verifyAge, "verify-age", 7*24*time.Hour, "how old the last bayt audit verify may be")
	fs.DurationVar(&limits.maxSkew, "max-skew", 2*time.Second, "how far this clock may be from PostgreSQL's")
	fs.StringVar(&cfg.MasterKeyFile, "master-key-file", cfg.MasterKeyFile, "the master key file (default $"+masterKeyVar+")")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	checks := diagnose(ctx, cfg, limits, time.Now)
	failed := false
	var out strings.Builder
	for _, c := range checks {
		fmt.Fprintf(&out, "%-5s %-14s %s\n", c.level, c.name, c.detail)
		failed = failed || c.level == "fail"
	}
	if _, err := io.WriteString(stdout, out.String()); err != nil {
		return err
	}
	if failed {
		return errUnhealthy
	}
	return nil
}

// diagnose runs every check in order. A check that needs the database is
// skipped, and said to be, when the database cannot be reached.
func diagnose(ctx context.Context, cfg config, limits doctorLimits, now func() time.Time) []check {
	var checks []check
	add := func(name, level, format string, a ...any) {
		checks = append(checks, check{name: name, level: level, detail: fmt.Sprintf(format, a...)})
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()

	pool, err := reachDatabase(ctx, cfg)
	if err != nil {
		add("database", "fail", "%v", err)
		return checks
	}
	defer pool.Close()
	var version string
	if err := pool.QueryRow(ctx, "SHOW server_version").Scan(&version); err != nil {
		add("database", "fail", "%v", err)
		return checks
	}
	add("database", "ok", "PostgreSQL %s reachable", version)

	db := stdlib.OpenDBFromPool(pool)
	current, latest, err := migrations.Status(ctx, db)
	_ = db.Close()
	switch {
	case err != nil:
		add("migrations", "fail", "%v (run bayt migrate)", err)
		return checks
	case current < latest:
		add("migrations", "fail", "schema at %d, this binary needs %d: run bayt migrate", current, latest)
		return checks
	case current > latest:
		add("migrations", "warn", "schema at %d is newer than this binary's %d: an older binary runs against a newer database", current, latest)
	default:
		add("migrations", "ok", "schema at %d, the newest", current)
	}

	var autovacuum string
	if err := pool.QueryRow(ctx, "SHOW autovacuum").Scan(&autovacuum); err == nil && autovacuum != "on" {
		add("autovacuum", "warn", "off: schedule VACUUM (ANALYZE) daily, or dead read-model rows pile up")
	}

	checkMasterKey(ctx, cfg, pool, add)
	checkBus(cfg, add)

	store := eventstore.New(pool, eventstore.Config{})
	defer store.Close()
	head, hash, err := store.HeadHash(ctx)
	if err != nil {
		add("log", "fail", "%v", err)
		return checks
	}
	if head == 0 {
		add("log", "ok", "empty")
	} else {
		add("log", "ok", "head at position %d, hash %x", head, hash)
	}
	checkReadModels(ctx, cfg, pool, head, limits, add)
	checkVerification(ctx, store, head, limits, now, add)
	checkClock(ctx, pool, limits, now, add)
	return checks
}

// reachDatabase opens a small pool and pings it, within a few seconds.
func reachDatabase(ctx context.Context, cfg config) (*pgxpool.Pool, error) {
	if cfg.DatabaseURL == "" {
		return nil, errors.New("DATABASE_URL is not set")
	}
	pc, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	pc.MaxConns = 2
	if pc.ConnConfig.ConnectTimeout == 0 {
		pc.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("unreachable: %w", err)
	}
	return pool, nil
}

func checkMasterKey(ctx context.Context, cfg config, pool *pgxpool.Pool, add func(name, level, format string, a ...any)) {
	mk, err := configuredMasterKey(cfg)
	if err != nil {
		add("master key", "fail", "%s", strings.TrimPrefix(err.Error(), errUsage.Error()+": "))
		return
	}
	sealed, err := eventstore.NewVault(pool, mk).OpenSample(ctx)
	switch {
	case err != nil:
		add("master key", "fail", "%s (key %s) does not open this database's secrets: %v", cfg.MasterKeyFile, mk.ID(), err)
	case !sealed:
		add("master key", "ok", "key %s readable; nothing sealed yet (no server has started on this database)", mk.ID())
	default:
		add("master key", "ok", "key %s opens this database's secrets", mk.ID())
	}
}

func checkBus(cfg config, add func(name, level, format string, a ...any)) {
	if cfg.Bus != "nats" {
		add("bus", "ok", "%s (one node)", cfg.Bus)
		return
	}
	nc, err := nats.Connect(cfg.NATSURL, nats.Timeout(3*time.Second), nats.Name("bayt doctor"))
	if err != nil {
		add("bus", "fail", "NATS at %s unreachable: %v", cfg.NATSURL, err)
		return
	}
	defer nc.Close()
	js, err := nc.JetStream()
	if err == nil {
		_, err = js.AccountInfo()
	}
	if err != nil {
		add("bus", "fail", "NATS at %s has no JetStream: %v", cfg.NATSURL, err)
		return
	}
	add("bus", "ok", "NATS JetStream at %s", cfg.NATSURL)
}

func checkReadModels(ctx context.Context, cfg config, pool *pgxpool.Pool, head int64, limits doctorLimits, add func(name, level, format string, a ...any)) {
	zone, err := cfg.zone()
	if err != nil {
		add("read models", "fail", "%v", err)
		return
	}
	statuses, err := projections.Statuses(ctx, pool, head)
	if err != nil {
		add("read models", "fail", "%v", err)
		return
	}
	at := make(map[string]projections.Status, len(statuses))
	for _, s := range statuses {
		at[s.Name] = s
	}
	for _, m := range readModels(zone) {
		s, ok := at[m.Name]
		if !ok {
			s = projections.Status{Name: m.Name, Lag: head}
		}
		switch {
		case s.Lag > limits.maxLag:
			add("read model", "fail", "%s is %d events behind the log (position %d of %d): is bayt serve running? bayt projections rebuild %s", m.Name, s.Lag, s.Position, head, m.Name)
		case s.Lag > 0:
			add("read model", "ok", "%s %d events behind the log", m.Name, s.Lag)
		default:
			add("read model", "ok", "%s up to date (position %d)", m.Name, s.Position)
		}
	}
}

func checkVerification(ctx context.Context, store *eventstore.Store, head int64, limits doctorLimits, now func() time.Time, add func(name, level, format string, a ...any)) {
	v, ok, err := store.LastVerification(ctx)
	switch {
	case err != nil:
		add("audit", "fail", "%v", err)
	case !ok && head == 0:
		add("audit", "ok", "nothing to verify yet")
	case !ok:
		add("audit", "warn", "the log was never verified: run bayt audit verify")
	case !v.OK:
		add("audit", "fail", "the last verification, %s, found the log altered: %s", v.At.UTC().Format(time.RFC3339), v.Failure)
	case now().Sub(v.At) > limits.verifyAge:
		add("audit", "warn", "last verified %s (%d events), more than %s ago: run bayt audit verify", v.At.UTC().Format(time.RFC3339), v.Events, limits.verifyAge)
	default:
		add("audit", "ok", "last verified %s: %d events intact up to position %d", v.At.UTC().Format(time.RFC3339), v.Events, v.Head)
	}
}

// checkClock compares this machine's clock with PostgreSQL's. Events are
// stamped by the server's clock and sessions and erasures by the
// database's; the two must agree for due dates and expiries to hold.
func checkClock(ctx context.Context, pool *pgxpool.Pool, limits doctorLimits, now func() time.Time, add func(name, level, format string, a ...any)) {
	before := now()
	var db time.Time
	if err := pool.QueryRow(ctx, "SELECT clock_timestamp()").Scan(&db); err != nil {
		add("clock", "fail", "%v", err)
		return
	}
	after := now()
	local := before.Add(after.Sub(before) / 2)
	skew := local.Sub(db)
	if skew < 0 {
		skew = -skew
	}
	if skew > limits.maxSkew {
		add("clock", "fail", "this machine's clock is %s from PostgreSQL's (at most %s): synchronise both with NTP", skew.Round(time.Millisecond), limits.maxSkew)
		return
	}
	add("clock", "ok", "within %s of PostgreSQL's", skew.Round(time.Millisecond))
}
