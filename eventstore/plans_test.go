package eventstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
	"github.com/jackc/pgx/v5/pgxpool"
)

// growth is how many events (each on a new stream, with its own
// idempotency key) the plan test appends after the statements were first
// prepared on an empty database.
const growth = 50_000

// TestHotStatementsKeepTheirIndexPlans grows the log from empty to 50,000
// events on one long-lived connection, with autovacuum off on the store's
// tables so no statistics ever arrive, then asks that very connection how
// it runs the statements every report and every read executes: each must
// still find its rows through an index. The same run with PostgreSQL's
// default plan cache shows what this guards against: the head look-up
// settles on a generic plan made while the table was empty, a sequential
// scan that grows with every case ever reported.
func TestHotStatementsKeepTheirIndexPlans(t *testing.T) {
	if testing.Short() {
		t.Skip("appends 100,000 events")
	}
	t.Run("the server's settings", func(t *testing.T) {
		conn := grownConnection(t, nil)
		for _, s := range hotStatements(t, conn) {
			if s.generic != 0 {
				t.Errorf("%s ran %d times on a generic plan, made without knowing the table's size", s.name, s.generic)
			}
			if strings.Contains(s.plan, "Seq Scan") {
				t.Errorf("%s scans its table from start to end after %d appends:\n%s", s.name, growth, s.plan)
			}
			if !strings.Contains(s.plan, "Index") {
				t.Errorf("%s uses no index:\n%s", s.name, s.plan)
			}
		}
	})
	t.Run("the default plan cache, for contrast", func(t *testing.T) {
		conn := grownConnection(t, map[string]string{"plan_cache_mode": "auto"})
		heads := findStatement(t, hotStatements(t, conn), "streams WHERE id = ANY")
		if heads.generic == 0 {
			t.Fatalf("the head look-up never ran on a generic plan with plan_cache_mode=auto; the contrast this test draws no longer holds")
		}
		if !strings.Contains(heads.plan, "Seq Scan") {
			t.Fatalf("with plan_cache_mode=auto the head look-up kept an index plan, so the other half of this test proves nothing:\n%s", heads.plan)
		}
		t.Logf("with plan_cache_mode=auto, after %d appends the head look-up runs:\n%s", growth, heads.plan)
	})
}

// grownConnection returns the one connection of a store's pool after the
// store appended growth events through it from an empty schema. settings
// replace the server's session settings when given.
func grownConnection(t *testing.T, settings map[string]string) *pgxpool.Conn {
	t.Helper()
	ctx := context.Background()
	_, schema := eventstoretest.Schema(t, &eventstoretest.SchemaOpts{MaxConns: 1})
	cfg, err := pgxpool.ParseConfig(eventstoretest.URLFor(t, schema))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns, cfg.MinConns = 1, 1
	for k, v := range eventstore.SessionSettings() {
		cfg.ConnConfig.RuntimeParams[k] = v
	}
	for k, v := range settings {
		cfg.ConnConfig.RuntimeParams[k] = v
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	for _, table := range []string{"events", "streams", "idempotency_keys"} {
		if _, err := pool.Exec(ctx, "ALTER TABLE "+table+" SET (autovacuum_enabled = false)"); err != nil {
			t.Fatal(err)
		}
	}
	store := eventstore.New(pool, eventstore.Config{MasterKey: eventstoretest.MasterKey(t)})
	t.Cleanup(store.Close)

	const perRequest = 100
	for r := range growth / perRequest {
		req := eventstore.Request{Idempotency: &eventstore.Idempotency{
			Key:         fmt.Sprintf("report-%d", r),
			RequestHash: []byte{byte(r)},
			ResponseFunc: func(eventstore.Result) (eventstore.Stored, error) {
				return eventstore.Stored{Status: 201, Body: []byte(`{}`)}, nil
			},
		}}
		for i := range perRequest {
			n := r*perRequest + i
			req.Appends = append(req.Appends, eventstore.StreamAppend{
				Stream: fmt.Sprintf("case-%d", n), Expected: eventstore.NoStream,
				Events: []eventstore.NewEvent{eventstoretest.Event("CaseReported", n)},
			})
		}
		if _, err := store.Do(ctx, req); err != nil {
			t.Fatalf("request %d: %v", r, err)
		}
		// The reads a report's answer and the projections make, on the
		// same connection, so they too are prepared while the log is small.
		if _, err := store.ReadStream(ctx, fmt.Sprintf("case-%d", r*perRequest), 0); err != nil {
			t.Fatal(err)
		}
		if _, err := store.ReadAll(ctx, int64(r*perRequest), 10); err != nil {
			t.Fatal(err)
		}
		if _, err := store.StreamVersion(ctx, fmt.Sprintf("case-%d", r*perRequest)); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Release)
	return conn
}

type preparedStatement struct {
	name, sql string
	generic   int64
	plan      string
}

// hotStatements returns the statements prepared on conn that look rows up
// in the store's tables, each with the plan EXPLAIN EXECUTE shows for it:
// the plan that connection would run now.
func hotStatements(t *testing.T, conn *pgxpool.Conn) []preparedStatement {
	t.Helper()
	ctx := context.Background()
	rows, err := conn.Query(ctx, `SELECT name, statement, generic_plans FROM pg_prepared_statements
WHERE statement ~ '(FROM|INTO) (events|streams|idempotency_keys)' AND statement ~ 'WHERE'`)
	if err != nil {
		t.Fatal(err)
	}
	var found []preparedStatement
	for rows.Next() {
		var s preparedStatement
		if err := rows.Scan(&s.name, &s.sql, &s.generic); err != nil {
			t.Fatal(err)
		}
		found = append(found, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var out []preparedStatement
	for _, s := range found {
		args, ok := sampleArguments(s.sql)
		if !ok {
			continue
		}
		var plan []string
		lines, err := conn.Query(ctx, "EXPLAIN EXECUTE "+s.name+"("+args+")")
		if err != nil {
			t.Fatalf("explain %s: %v", s.sql, err)
		}
		for lines.Next() {
			var line string
			if err := lines.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, line)
		}
		if err := lines.Err(); err != nil {
			t.Fatal(err)
		}
		s.plan = strings.Join(plan, "\n")
		s.name = strings.Join(strings.Fields(s.sql), " ")
		out = append(out, s)
	}
	for _, want := range []string{"streams WHERE id = ANY", "idempotency_keys WHERE key = ANY", "WHERE stream_id = $1", "WHERE position > $1", "streams WHERE id = $1"} {
		findStatement(t, out, want)
	}
	return out
}

// sampleArguments gives the arguments of a look-up the store runs, so its
// plan can be shown; ok is false for statements this test does not judge.
func sampleArguments(sql string) (args string, ok bool) {
	switch {
	case strings.Contains(sql, "streams WHERE id = ANY"):
		return "'{case-7,case-49000}'", true
	case strings.Contains(sql, "idempotency_keys WHERE key = ANY"):
		return "'{report-7}'", true
	case strings.Contains(sql, "WHERE stream_id = $1 AND stream_version > $2"):
		return "'case-7', 0", true
	case strings.Contains(sql, "WHERE position > $1 ORDER BY position LIMIT $2"):
		return "49000, 10", true
	case strings.Contains(sql, "streams WHERE id = $1"):
		return "'case-7'", true
	}
	return "", false
}

func findStatement(t *testing.T, statements []preparedStatement, containing string) preparedStatement {
	t.Helper()
	for _, s := range statements {
		if strings.Contains(s.name, containing) {
			return s
		}
	}
	t.Fatalf("no prepared statement containing %q: the store no longer runs it, or runs it unprepared", containing)
	return preparedStatement{}
}
