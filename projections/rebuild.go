package projections

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Reader reads the log in pages, for rebuilds.
type Reader interface {
	ReadAll(ctx context.Context, after int64, limit int) ([]Event, error)
	Head(ctx context.Context) (int64, error)
}

// Tabled is a handler that names the tables it owns, so a rebuild knows
// what to build in the shadow and swap in.
type Tabled interface {
	Handler
	Tables() []string
}

// Progress reports a rebuild's advance: events applied of the total known.
type Progress func(applied, total int64, elapsed time.Duration)

// Rebuild builds h's tables from the first event in a shadow schema while
// the live runner goes on, then swaps the result in in one transaction:
// readers see the old model until the commit and the new one after it,
// never a half-built one. The swap holds the projection's checkpoint row,
// which the live runner takes for every batch, so the runner waits and then
// resumes from the rebuilt position.
//
// The shadow tables are written unlogged and with their primary keys
// only; once built, they are logged and indexed in bulk, and the swap
// drops the live tables and moves the shadow ones into their place. Copying
// the rows into the live tables instead, index by index and row by row,
// took more than half of a rebuild.
func Rebuild(ctx context.Context, pool *pgxpool.Pool, log Reader, h Tabled, batch int, progress Progress) (int64, error) {
	if batch <= 0 {
		batch = 2000
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	var live string
	if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&live); err != nil {
		return 0, err
	}
	shadow := live + "_rebuild_" + h.Name()
	liveID, shadowID := pgx.Identifier{live}.Sanitize(), pgx.Identifier{shadow}.Sanitize()
	setup := []string{"DROP SCHEMA IF EXISTS " + shadowID + " CASCADE", "CREATE SCHEMA " + shadowID}
	for _, t := range h.Tables() {
		tid := pgx.Identifier{t}.Sanitize()
		// Unlogged: the shadow is scratch until it is complete, and is
		// written to the WAL once then, as a whole.
		setup = append(setup, "CREATE UNLOGGED TABLE "+shadowID+"."+tid+" (LIKE "+liveID+"."+tid+" INCLUDING ALL)")
	}
	// Only the primary keys, which the folds look rows up by and upsert
	// on: every other index (a trigram index above all) would be kept up
	// to date row by row through the whole build, for nobody. They are
	// built once the rows are all there.
	setup = append(setup, `DO $$DECLARE i record; BEGIN
FOR i IN SELECT n.nspname, c.relname FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = `+quoteLiteral(shadow)+` AND NOT x.indisprimary LOOP
  EXECUTE format('DROP INDEX %I.%I', i.nspname, i.relname);
END LOOP; END$$`)
	// Unqualified names in the handler now resolve to the shadow tables.
	// A crash mid-rebuild loses nothing anyone relies on, so the build
	// need not wait for each batch to reach the disk.
	setup = append(setup, "SET search_path TO "+shadowID+", "+liveID, "SET synchronous_commit TO off")
	for _, q := range setup {
		if _, err := conn.Exec(ctx, q); err != nil {
			return 0, fmt.Errorf("prepare rebuild of %s: %w", h.Name(), err)
		}
	}
	defer func() {
		cctx := context.WithoutCancel(ctx)
		_, _ = conn.Exec(cctx, "DROP SCHEMA IF EXISTS "+shadowID+" CASCADE")
		_, _ = conn.Exec(cctx, "SET search_path TO "+liveID)
		_, _ = conn.Exec(cctx, "RESET synchronous_commit")
	}()
	start := time.Now()
	total, err := log.Head(ctx)
	if err != nil {
		return 0, err
	}
	var pos, applied int64
	apply := func(tx pgx.Tx, events []Event) error {
		if err := h.Apply(ctx, tx, events); err != nil {
			return err
		}
		pos = events[len(events)-1].Position
		applied += int64(len(events))
		return nil
	}
	catchUp := func(tx pgx.Tx) error {
		for {
			events, err := log.ReadAll(ctx, pos, batch)
			if err != nil || len(events) == 0 {
				return err
			}
			if err := apply(tx, events); err != nil {
				return err
			}
			if progress != nil {
				progress(applied, max(total, pos), time.Since(start))
			}
		}
	}
	// Build up to the head as it was at the start, one transaction a batch.
	for pos < total {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			events, err := log.ReadAll(ctx, pos, batch)
			if err != nil || len(events) == 0 {
				return err
			}
			if err := apply(tx, events); err != nil {
				return err
			}
			if progress != nil {
				progress(applied, total, time.Since(start))
			}
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("rebuild %s at %d: %w", h.Name(), pos, err)
		}
	}
	if err := complete(ctx, conn, live, shadow, h.Tables()); err != nil {
		return 0, fmt.Errorf("index rebuilt %s: %w", h.Name(), err)
	}
	// Swap: hold the live checkpoint, catch up with whatever committed
	// meanwhile, put the shadow tables in place of the live ones, move
	// the checkpoint. A reader that holds one of the tables and waits
	// for another can deadlock with the swap; PostgreSQL then cancels
	// one of the two, and when it is the swap, it runs again.
	for attempt := 1; ; attempt++ {
		builtPos, builtApplied := pos, applied
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			// The catch-up may be long: no statement limit applies.
			if _, err := tx.Exec(ctx, "SET LOCAL statement_timeout = 0"); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "INSERT INTO "+liveID+".checkpoints (name, position) VALUES ($1, 0) ON CONFLICT DO NOTHING", h.Name()); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "SELECT position FROM "+liveID+".checkpoints WHERE name = $1 FOR UPDATE", h.Name()); err != nil {
				return err
			}
			if err := catchUp(tx); err != nil {
				return err
			}
			for _, t := range h.Tables() {
				tid := pgx.Identifier{t}.Sanitize()
				if _, err := tx.Exec(ctx, "DROP TABLE "+liveID+"."+tid); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, "ALTER TABLE "+shadowID+"."+tid+" SET SCHEMA "+liveID); err != nil {
					return err
				}
			}
			_, err := tx.Exec(ctx, "UPDATE "+liveID+".checkpoints SET position = $2, updated_at = now() WHERE name = $1", h.Name(), pos)
			return err
		})
		var pgErr *pgconn.PgError
		if err == nil || attempt == 3 || !errors.As(err, &pgErr) || pgErr.Code != "40P01" {
			break
		}
		// The rolled-back catch-up is applied again.
		pos, applied = builtPos, builtApplied
	}
	if err != nil {
		return 0, fmt.Errorf("swap in rebuilt %s: %w", h.Name(), err)
	}
	return applied, nil
}

// complete makes the shadow tables what the live ones are: logged (each
// written to the WAL once, whole), with every index the live table has,
// built in one pass over the rows, the same privileges, and fresh
// statistics, so the planner knows the new tables from their first query.
func complete(ctx context.Context, conn *pgxpool.Conn, live, shadow string, tables []string) error {
	for _, t := range tables {
		shadowTable := pgx.Identifier{shadow, t}.Sanitize()
		if _, err := conn.Exec(ctx, "ALTER TABLE "+shadowTable+" SET LOGGED"); err != nil {
			return err
		}
		// pg_get_indexdef names the live table as format('%I.%I') does;
		// the definition is replayed on the shadow table under the same
		// index name, which the index keeps when its table moves.
		rows, err := conn.Query(ctx, `SELECT pg_get_indexdef(x.indexrelid), format('%I.%I', n.nspname, t.relname)
FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = $1 AND t.relname = $2 AND NOT x.indisprimary ORDER BY x.indexrelid`, live, t)
		if err != nil {
			return err
		}
		type index struct{ Def, Table string }
		indexes, err := pgx.CollectRows(rows, pgx.RowToStructByPos[index])
		if err != nil {
			return err
		}
		for _, ix := range indexes {
			on := " ON " + ix.Table + " USING "
			if !strings.Contains(ix.Def, on) {
				return fmt.Errorf("index definition %q does not name %s", ix.Def, ix.Table)
			}
			if _, err := conn.Exec(ctx, strings.Replace(ix.Def, on, " ON "+shadowTable+" USING ", 1)); err != nil {
				return err
			}
		}
		// Privileges an operator granted on the live table (a read-only
		// role for a dashboard) go with its rows.
		var grants []string
		rows, err = conn.Query(ctx, `SELECT format('GRANT %s ON %s TO %s', a.privilege_type, $2::text,
    CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END)
FROM pg_class c CROSS JOIN aclexplode(c.relacl) a WHERE c.oid = to_regclass($1) AND a.grantee <> c.relowner`,
			pgx.Identifier{live, t}.Sanitize(), shadowTable)
		if err == nil {
			grants, err = pgx.CollectRows(rows, pgx.RowTo[string])
		}
		if err != nil {
			return err
		}
		for _, g := range grants {
			if _, err := conn.Exec(ctx, g); err != nil {
				return err
			}
		}
		if _, err := conn.Exec(ctx, "ANALYZE "+shadowTable); err != nil {
			return err
		}
	}
	return nil
}

// Status is a projection's (or the relay's) progress through the log.
type Status struct {
	Name      string
	Position  int64
	Lag       int64
	UpdatedAt time.Time
}

// Statuses returns every checkpoint with its lag behind head.
func Statuses(ctx context.Context, pool *pgxpool.Pool, head int64) ([]Status, error) {
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	rows, err := pool.Query(ctx, "SELECT name, position, updated_at FROM checkpoints ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	var (
		out []Status
		s   Status
	)
	if _, err := pgx.ForEachRow(rows, []any{&s.Name, &s.Position, &s.UpdatedAt}, func() error {
		s.Lag = max(head-s.Position, 0)
		out = append(out, s)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	return out, nil
}

// quoteLiteral quotes s as an SQL string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
