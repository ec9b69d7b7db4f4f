package caselist_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
	"github.com/citizenhouse/bayt/projections/caselist"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// queryRecorder keeps the last statement that searched the case list.
type queryRecorder struct {
	mu   sync.Mutex
	sql  string
	args []any
}

func (r *queryRecorder) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if strings.Contains(data.SQL, "search LIKE") {
		r.mu.Lock()
		r.sql, r.args = data.SQL, data.Args
		r.mu.Unlock()
	}
	return ctx
}

func (r *queryRecorder) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TestSearchUsesTheTrigramIndex fills the case list as a city's few years
// would (30,000 cases, their public texts in Arabic, French and English),
// as this deployment runs it: no ANALYZE, autovacuum off. The planner
// chooses the trigram index on its own for the very statement a search
// runs, and the index narrows it, whatever the script searched.
func TestSearchUsesTheTrigramIndex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const cases = 30000
	admin, schema := eventstoretest.Schema(t, nil)
	if _, err := admin.Exec(ctx, "ALTER TABLE case_list SET (autovacuum_enabled = false)"); err != nil {
		t.Fatal(err)
	}
	// A row as the read model writes it: the state is the whole case as
	// JSON, its public texts lower-cased in search.
	if _, err := admin.Exec(ctx, `
WITH c AS (
    SELECT i,
        (ARRAY['حفرة عميقة أمام المدرسة رقم ', 'Lampadaire en panne rue ', 'Broken pavement near the market, stall ',
            'تسرب مياه في الشارع الرئيسي ', 'Dépôt d''ordures sauvage près du souk ', 'Bus stop shelter damaged, line '])[1 + i % 6] || i AS title,
        (ARRAY['Medina', 'Lafayette', 'Bab Souika', 'El Menzah', 'La Marsa'])[1 + i % 5] AS district
    FROM generate_series(1, $1::int) i)
INSERT INTO case_list (id, status, district, category, department, priority, created_at, updated_at, search, state, position)
SELECT 'case-' || lpad(i::text, 26, '0'), 'reported', district, 'roads', '', 'normal',
    timestamptz '2024-01-01' + i * interval '30 minutes', timestamptz '2024-01-01' + i * interval '30 minutes',
    lower(title || E'\n' || 'Signalé par un habitant du quartier ' || district || ', ' || repeat('détails ', 20)),
    json_build_object('id', 'case-' || i, 'title', title, 'description', 'Signalé par un habitant du quartier ' || district,
        'category', 'roads', 'district', district, 'status', 'reported', 'priority', 'normal', 'address', repeat('x', 200),
        'created_at', now(), 'updated_at', now(), 'version', 1),
    i
FROM c`, cases); err != nil {
		t.Fatal(err)
	}
	var analysed *time.Time
	if err := admin.QueryRow(ctx, `SELECT COALESCE(last_analyze, last_autoanalyze) FROM pg_stat_user_tables
WHERE schemaname = $1 AND relname = 'case_list'`, schema).Scan(&analysed); err != nil {
		t.Fatal(err)
	}
	if analysed != nil {
		t.Fatalf("case_list was analysed at %s: the test is of a table never analysed", analysed)
	}

	rec := &queryRecorder{}
	cfg, err := pgxpool.ParseConfig(eventstoretest.URLFor(t, schema))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 2
	cfg.ConnConfig.Tracer = rec
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	list := caselist.NewPostgres(pool, caselist.Config{})
	for _, q := range []string{"حفرة", "Lampadaire", "pavement near", "ordures sauvage", "rue 4321"} {
		page, err := list.List(ctx, caselist.Filter{Q: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) == 0 {
			t.Fatalf("%q: no case found", q)
		}
		for _, c := range page.Items {
			if !strings.Contains(strings.ToLower(c.Title), strings.ToLower(q)) {
				t.Fatalf("%q: found %q", q, c.Title)
			}
		}
		rec.mu.Lock()
		sql, args := rec.sql, rec.args
		rec.mu.Unlock()
		if sql == "" {
			t.Fatalf("%q: no search statement seen", q)
		}
		var plan []byte
		if err := pool.QueryRow(ctx, "EXPLAIN (ANALYZE, FORMAT JSON) "+sql, args...).Scan(&plan); err != nil {
			t.Fatal(err)
		}
		scan := planScan(t, plan, "case_list_search_trgm")
		switch {
		case scan == nil:
			t.Errorf("%q: the search does not use the trigram index:\n%s", q, plan)
		case scan.ActualRows >= cases/2:
			// A database whose LC_CTYPE is C sees no letters outside
			// ASCII, extracts no trigram from Arabic, and reads the
			// whole index.
			t.Errorf("%q: the index found %d of %d cases: it did not narrow the search", q, scan.ActualRows, cases)
		}
	}
}

// planScan returns the node of the JSON plan that scans index, nil when
// none does.
func planScan(t *testing.T, plan []byte, index string) *node {
	t.Helper()
	var doc []struct{ Plan node }
	if err := json.Unmarshal(plan, &doc); err != nil || len(doc) == 0 {
		t.Fatalf("plan %s: %v", plan, err)
	}
	var walk func(n *node) *node
	walk = func(n *node) *node {
		if n.IndexName == index {
			return n
		}
		for i := range n.Plans {
			if found := walk(&n.Plans[i]); found != nil {
				return found
			}
		}
		return nil
	}
	return walk(&doc[0].Plan)
}

type node struct {
	IndexName  string `json:"Index Name"`
	ActualRows int    `json:"Actual Rows"`
	Plans      []node `json:"Plans"`
}
