// Package migrations holds Bayt's schema as ordered SQL files, embedded in
// the binary and applied by goose (bayt migrate). Applied files are never
// edited: a change is a new file.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"

	"github.com/pressly/goose/v3"
)

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS

// Up applies every pending migration to db. Running it again is a no-op.
func Up(ctx context.Context, db *sql.DB) ([]*goose.MigrationResult, error) {
	provider, err := goose.NewProvider(goose.DialectPostgres, db, FS)
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return results, fmt.Errorf("migrate: %w", err)
	}
	return results, nil
}

// Status returns the version the database is at and the newest version
// the binary carries; the database is migrated when they are equal.
func Status(ctx context.Context, db *sql.DB) (current, latest int64, err error) {
	provider, err := goose.NewProvider(goose.DialectPostgres, db, FS)
	if err != nil {
		return 0, 0, fmt.Errorf("load migrations: %w", err)
	}
	for _, s := range provider.ListSources() {
		latest = max(latest, s.Version)
	}
	current, err = provider.GetDBVersion(ctx)
	if err != nil {
		return 0, latest, fmt.Errorf("read the schema's version: %w", err)
	}
	return current, latest, nil
}
