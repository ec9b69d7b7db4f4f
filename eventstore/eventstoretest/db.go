// Package eventstoretest holds what tests of Bayt share for the event
// store: PostgreSQL helpers that give each test a fresh schema, and Run, the
// contract suite every implementation of the store must pass. It is
// imported only by _test.go files.
package eventstoretest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/migrations"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

// DefaultURL is used when TEST_DATABASE_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/bayt_test"

// URL returns the test database's address.
func URL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

var (
	adminOnce sync.Once
	adminPool *pgxpool.Pool
	adminErr  error
)

// Pool returns the test binary's shared pool on the test database, for
// creating and dropping schemas. Tests must not write through it.
func Pool(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	adminOnce.Do(func() {
		cfg, err := pgxpool.ParseConfig(URL())
		if err != nil {
			adminErr = err
			return
		}
		cfg.MaxConns = 4
		adminPool, adminErr = pgxpool.NewWithConfig(context.Background(), cfg)
		if adminErr == nil {
			adminErr = adminPool.Ping(context.Background())
		}
	})
	if adminErr != nil {
		tb.Fatalf("test database %s unreachable (set TEST_DATABASE_URL, or run make test): %v", URL(), adminErr)
	}
	return adminPool
}

// SchemaOpts tunes Schema.
type SchemaOpts struct {
	// MaxConns bounds the schema's pool; 4 when zero, as many tests run
	// at once against one server with max_connections 100.
	MaxConns int32
	// Empty leaves the schema unmigrated, for tests of migration itself.
	Empty bool
}

// URLFor returns the test database's address with search_path set to
// schema, for programs under test that connect by themselves.
func URLFor(tb testing.TB, schema string) string {
	tb.Helper()
	u, err := url.Parse(URL())
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Schema creates a fresh schema, migrates it, and returns a pool whose
// search_path is that schema alone, so tests run in parallel against one
// PostgreSQL without seeing each other. Both are dropped in Cleanup.
func Schema(tb testing.TB, opts *SchemaOpts) (*pgxpool.Pool, string) {
	tb.Helper()
	admin := Pool(tb)
	ctx := context.Background()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	schema := "test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	cfg, err := pgxpool.ParseConfig(URL())
	if err != nil {
		tb.Fatal(err)
	}
	// Only this schema, never public: a test that forgot to migrate must
	// fail, not quietly use another test's tables.
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	// The settings the application runs with, so tests plan as it does.
	for k, v := range eventstore.SessionSettings() {
		cfg.ConnConfig.RuntimeParams[k] = v
	}
	cfg.MaxConns = 4
	if opts != nil && opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		tb.Fatalf("open schema pool: %v", err)
	}
	tb.Cleanup(func() {
		pool.Close()
		if _, err := admin.Exec(context.WithoutCancel(ctx), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	if opts != nil && opts.Empty {
		return pool, schema
	}
	db := stdlib.OpenDBFromPool(pool)
	// The wrapper keeps no idle connections of its own (the pool does), so
	// closing it has nothing to report.
	defer func() { _ = db.Close() }()
	if _, err := migrations.Up(ctx, db); err != nil {
		tb.Fatalf("migrate %s: %v", schema, err)
	}
	return pool, schema
}

// Logger returns a logger that writes to tb.Log.
func Logger(tb testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{tb}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ tb testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.tb.Helper()
	w.tb.Log(string(p))
	return len(p), nil
}

// MasterKey returns a fresh master key of the test's own, as every store
// and vault under test needs one and no test may share another's.
func MasterKey(tb testing.TB) *eventstore.MasterKey {
	tb.Helper()
	mk, _ := eventstore.NewMasterKey()
	return mk
}

// MasterKeyFile writes a fresh master key to a file of the test's own
// (mode 0600, removed in Cleanup) and returns its path and the key, for
// programs under test that read BAYT_MASTER_KEY_FILE.
func MasterKeyFile(tb testing.TB) (string, *eventstore.MasterKey) {
	tb.Helper()
	mk, text := eventstore.NewMasterKey()
	path := filepath.Join(tb.TempDir(), "master.key")
	if err := os.WriteFile(path, text, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path, mk
}
