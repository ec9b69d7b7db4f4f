package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the zone database, for BAYT_TIMEZONE on a server without one

	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/migrations"
	"github.com/citizenhouse/bayt/transport"
	"github.com/citizenhouse/bayt/transport/web"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
)

// config is everything bayt reads from its environment and flags; nothing
// below cmd reads either.
type config struct {
	DatabaseURL   string
	MasterKeyFile string
	Addr          string
	// MetricsAddr is BAYT_METRICS_ADDR, where Prometheus's metrics are
	// served; "" serves none. The public address never serves them.
	MetricsAddr      string
	Bus              string
	NATSURL          string
	PublicWriteLimit int
	// LivePerAddress bounds the live feed connections of one client
	// address; 0 sets no bound.
	LivePerAddress int
	AllowedOrigins string
	// TrustedProxies is BAYT_TRUSTED_PROXIES, comma-separated CIDRs.
	TrustedProxies   string
	ShutdownTimeout  time.Duration
	StatementTimeout time.Duration
	// SessionIdle ends a console session unused for that long
	// (BAYT_SESSION_IDLE, a Go duration such as 8h or 30m).
	SessionIdle time.Duration
	// sessionIdleErr is a BAYT_SESSION_IDLE that is not a duration,
	// told by validate.
	sessionIdleErr error
	// Timezone is the city's time zone (BAYT_TIMEZONE, an IANA name): the
	// year a case's public number counts in is its report's year there.
	Timezone string
	// TileURL is BAYT_TILE_URL, the maps' tile URL template ("" when
	// BAYT_TILE_URL is none: no maps); TileAttribution is
	// BAYT_TILE_ATTRIBUTION, the credit the tiles' licence asks for, in
	// HTML. MapCenter is BAYT_MAP_CENTER, "lat,lon", where a map with
	// nothing to show opens.
	TileURL         string
	TileAttribution string
	MapCenter       string
	// Open311Keys is BAYT_OPEN311_KEYS, comma-separated: the api_key
	// values Open311 clients must post requests with. None lets anyone
	// post, as on the report form.
	Open311Keys []string
	// Memory serves from the in-memory store, which keeps nothing when
	// Bayt stops. Only --memory asks for it: a deployment that forgot
	// DATABASE_URL must not start and lose every report at its restart.
	Memory bool
	// SMTPURL is BAYT_SMTP_URL, the SMTP server mail goes through
	// (smtp://user:password@host:587?from=bayt@example.org); "" sends no
	// mail. PublicURL is BAYT_PUBLIC_URL, where residents reach Bayt: the
	// links in mail lead there.
	SMTPURL   string
	PublicURL string
	// WebhookRetries is BAYT_WEBHOOK_RETRIES, how many times a webhook
	// delivery that failed is tried again before its event goes to the
	// poison queue; WebhookBackoff is BAYT_WEBHOOK_BACKOFF, the wait
	// before the first retry, doubled at each one up to a minute.
	WebhookRetries int
	WebhookBackoff time.Duration
	webhookErr     error
	// webhookDeliveredFunc, when set, is called after each webhook
	// delivery a partner took (see webhook.Config.DeliveredFunc). Tests
	// set it.
	webhookDeliveredFunc func(hookID, eventID string)
	webhookGaveUpFunc    func(eventID string)
	// mailHandledFunc, when set, is called once the mailer is done with
	// an event (see mail.Config.HandledFunc). Tests set it.
	mailHandledFunc func(position int64, sent int)
	// projectedFunc, when set, is called after a read model commits a
	// batch, with the read model's name and the position it now reflects.
	// Tests wait on it for the read models to catch up instead of polling
	// them; it is never read from the environment.
	projectedFunc func(name string, position int64)
	// directoryEvery is how often a node reads the directory's stream
	// for edits made on other nodes (defaultDirectoryEvery when zero);
	// directoryFunc, when set, is called with the directory's version
	// each time a read finds edits. Tests set them; neither is read from
	// the environment.
	directoryEvery time.Duration
	directoryFunc  func(version int64)
}

func configFromEnv() config {
	c := config{
		DatabaseURL:      os.Getenv("DATABASE_URL"),
		MasterKeyFile:    os.Getenv("BAYT_MASTER_KEY_FILE"),
		Addr:             envOr("BAYT_ADDR", "127.0.0.1:8080"),
		MetricsAddr:      os.Getenv("BAYT_METRICS_ADDR"),
		Bus:              envOr("BAYT_BUS", "gochannel"),
		NATSURL:          envOr("NATS_URL", "nats://127.0.0.1:4222"),
		PublicWriteLimit: 30,
		LivePerAddress:   20,
		AllowedOrigins:   os.Getenv("BAYT_ALLOWED_ORIGINS"),
		TrustedProxies:   os.Getenv("BAYT_TRUSTED_PROXIES"),
		ShutdownTimeout:  10 * time.Second,
		StatementTimeout: 30 * time.Second,
		Timezone:         envOr("BAYT_TIMEZONE", defaultTimezone),
	}
	if v, err := strconv.Atoi(os.Getenv("BAYT_PUBLIC_WRITE_LIMIT")); err == nil {
		c.PublicWriteLimit = v
	}
	if v, err := strconv.Atoi(os.Getenv("BAYT_LIVE_PER_ADDRESS")); err == nil {
		c.LivePerAddress = v
	}
	c.TileURL = envOr("BAYT_TILE_URL", defaultTileURL)
	if c.TileURL == "none" {
		c.TileURL = ""
	}
	c.TileAttribution = envOr("BAYT_TILE_ATTRIBUTION", defaultTileAttribution)
	c.MapCenter = os.Getenv("BAYT_MAP_CENTER")
	c.SMTPURL, c.PublicURL = os.Getenv("BAYT_SMTP_URL"), os.Getenv("BAYT_PUBLIC_URL")
	for _, k := range strings.Split(os.Getenv("BAYT_OPEN311_KEYS"), ",") {
		if k = strings.TrimSpace(k); k != "" {
			c.Open311Keys = append(c.Open311Keys, k)
		}
	}
	c.WebhookRetries, c.WebhookBackoff = 8, 2*time.Second
	if v := os.Getenv("BAYT_WEBHOOK_RETRIES"); v != "" {
		if c.WebhookRetries, c.webhookErr = strconv.Atoi(v); c.webhookErr == nil && c.WebhookRetries < 0 {
			c.webhookErr = errors.New("negative")
		}
	}
	if v := os.Getenv("BAYT_WEBHOOK_BACKOFF"); v != "" && c.webhookErr == nil {
		c.WebhookBackoff, c.webhookErr = time.ParseDuration(v)
	}
	c.SessionIdle = 8 * time.Hour
	if v := os.Getenv("BAYT_SESSION_IDLE"); v != "" {
		c.SessionIdle, c.sessionIdleErr = time.ParseDuration(v)
	}
	return c
}

// defaultTimezone is the zone of the city Bayt was first made for.
const defaultTimezone = "Africa/Tunis"

// zone returns the city's time zone. The zone database is embedded in the
// binary (time/tzdata), so a server without one still finds it.
func (c config) zone() (*time.Location, error) {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil || c.Timezone == "" {
		return nil, fmt.Errorf("%w: BAYT_TIMEZONE must name a time zone, such as Africa/Tunis, not %q", errUsage, c.Timezone)
	}
	return loc, nil
}

// OpenStreetMap's standard tiles, and the credit their licence (ODbL)
// asks for. Their usage policy suits a city's site of modest traffic; a
// busier one sets BAYT_TILE_URL to its own tiles or a provider's.
const (
	defaultTileURL         = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
	defaultTileAttribution = `<a href="https://www.openstreetmap.org/copyright">© OpenStreetMap contributors</a>`
)

// mapCenter reads BAYT_MAP_CENTER; nil when it is not set.
func (c config) mapCenter() (*casefile.Location, error) {
	if strings.TrimSpace(c.MapCenter) == "" {
		return nil, nil
	}
	lat, lon, ok := strings.Cut(c.MapCenter, ",")
	la, errLat := strconv.ParseFloat(strings.TrimSpace(lat), 64)
	lo, errLon := strconv.ParseFloat(strings.TrimSpace(lon), 64)
	if !ok || errLat != nil || errLon != nil || !(la >= -90 && la <= 90) || !(lo >= -180 && lo <= 180) {
		return nil, fmt.Errorf("%w: BAYT_MAP_CENTER must be a latitude and a longitude, such as 36.8065,10.1815", errUsage)
	}
	return &casefile.Location{Lat: la, Lon: lo}, nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func (c *config) databaseFlag(fs *flag.FlagSet) {
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "PostgreSQL address (DATABASE_URL)")
}

func (c config) validate() error {
	switch {
	case c.Memory && c.DatabaseURL != "":
		return fmt.Errorf("%w: --memory and DATABASE_URL both given: choose one", errUsage)
	case !c.Memory && c.DatabaseURL == "":
		return fmt.Errorf("%w: DATABASE_URL is not set: bayt serve needs PostgreSQL (DATABASE_URL or -database-url), "+
			"or --memory to serve from memory, keeping nothing when it stops", errUsage)
	}
	if c.Bus != "gochannel" && c.Bus != "nats" {
		return fmt.Errorf("%w: BAYT_BUS must be gochannel or nats, not %q", errUsage, c.Bus)
	}
	if c.PublicWriteLimit < 0 {
		return fmt.Errorf("%w: BAYT_PUBLIC_WRITE_LIMIT must be 0 or more", errUsage)
	}
	if _, err := transport.ParseProxies(c.TrustedProxies); err != nil {
		return fmt.Errorf("%w: BAYT_TRUSTED_PROXIES: %w", errUsage, err)
	}
	for _, k := range c.Open311Keys {
		if !transport.PrintableASCII(k, 200) {
			return fmt.Errorf("%w: BAYT_OPEN311_KEYS: each key is 1 to 200 printable ASCII characters, the keys separated by commas", errUsage)
		}
	}
	if c.LivePerAddress < 0 {
		return fmt.Errorf("%w: BAYT_LIVE_PER_ADDRESS must be 0 or more", errUsage)
	}
	if c.webhookErr != nil || c.WebhookRetries < 0 || c.WebhookBackoff <= 0 {
		return fmt.Errorf("%w: BAYT_WEBHOOK_RETRIES must be 0 or more and BAYT_WEBHOOK_BACKOFF a duration, such as 2s", errUsage)
	}
	if c.sessionIdleErr != nil || c.SessionIdle < time.Minute {
		return fmt.Errorf("%w: BAYT_SESSION_IDLE must be a duration of a minute or more, such as 8h or 30m", errUsage)
	}
	if _, err := c.zone(); err != nil {
		return err
	}
	if c.TileURL != "" {
		if _, err := web.TileSource(c.TileURL); err != nil {
			return fmt.Errorf("%w: BAYT_TILE_URL: %w", errUsage, err)
		}
	}
	if _, err := c.mapCenter(); err != nil {
		return err
	}
	return c.validateMail()
}

// openPool connects with guard rails: a statement or an idle transaction
// can never hold locks for long.
func openPool(ctx context.Context, c config) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(c.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("%w: DATABASE_URL: %w", errUsage, err)
	}
	rp := pc.ConnConfig.RuntimeParams
	if _, ok := rp["statement_timeout"]; !ok {
		rp["statement_timeout"] = strconv.FormatInt(c.StatementTimeout.Milliseconds(), 10)
	}
	if _, ok := rp["idle_in_transaction_session_timeout"]; !ok {
		rp["idle_in_transaction_session_timeout"] = "60000"
	}
	if _, ok := rp["application_name"]; !ok {
		rp["application_name"] = "bayt"
	}
	for k, v := range eventstore.SessionSettings() {
		if _, ok := rp[k]; !ok {
			rp[k] = v
		}
	}
	// Without it a connect to a host that drops packets waits for the
	// kernel's TCP timeout, minutes, holding a request or the writer.
	if pc.ConnConfig.ConnectTimeout == 0 {
		pc.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	// pgxpool's default (the number of CPUs, at least 4) is too few for a
	// server whose requests, projections and writer share the pool.
	if !strings.Contains(c.DatabaseURL, "pool_max_conns") {
		pc.MaxConns = 20
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("reach database: %w", err)
	}
	return pool, nil
}

func migrate(ctx context.Context, pool *pgxpool.Pool) ([]*goose.MigrationResult, error) {
	db := stdlib.OpenDBFromPool(pool)
	// The wrapper keeps no idle connections of its own (the pool does), so
	// closing it has nothing to report.
	defer func() { _ = db.Close() }()
	return migrations.Up(ctx, db)
}

// allowedOrigins splits BAYT_ALLOWED_ORIGINS, a comma-separated list.
func (c config) allowedOrigins() []string {
	var out []string
	for _, o := range strings.Split(c.AllowedOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	return out
}
