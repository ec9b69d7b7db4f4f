package projectionstest

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/citizenhouse/bayt/projections"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Query is one question to a read model. Ask returns the answer, which Run
// compares as the JSON it encodes to.
type Query[M any] struct {
	Name string
	Ask  func(ctx context.Context, m M, log *Log) (any, error)
}

// Model is a read model under test. M is what its queries are asked of;
// the PostgreSQL implementation must also be a projections.Handler and the
// in-memory one a projections.Memory.
type Model[M any] struct {
	// Pool returns a pool on a fresh, migrated schema of the test's own.
	Pool     func(t *testing.T) *pgxpool.Pool
	Postgres func(pool *pgxpool.Pool) M
	Memory   func() M
	Queries  []Query[M]
}

// Run feeds the suite's log to both implementations of m, the PostgreSQL
// one in overlapping batches delivered twice and the in-memory one an
// event at a time, then asks every query of both. It fails when an answer
// differs (numbers within a relative 1e-9, the rounding of an hour's
// fraction), and when both are empty: a query the log does not exercise
// proves nothing.
func Run[M any](t *testing.T, m Model[M]) {
	t.Helper()
	ctx := context.Background()
	log := NewLog(t)
	if len(m.Queries) == 0 {
		t.Fatal("no queries to compare")
	}

	pool := m.Pool(t)
	pg := m.Postgres(pool)
	h, ok := any(pg).(projections.Handler)
	if !ok {
		t.Fatalf("the PostgreSQL implementation %T is not a projections.Handler", pg)
	}
	n := len(log.Events)
	for _, part := range [][]projections.Event{log.Events[:n/3], log.Events[n/3-2 : 2*n/3], log.Events[2*n/3:], log.Events} {
		if _, err := projections.ApplyBatch(ctx, pool, h, part); err != nil {
			t.Fatal(err)
		}
	}
	mem := m.Memory()
	a, ok := any(mem).(projections.Memory)
	if !ok {
		t.Fatalf("the in-memory implementation %T is not a projections.Memory", mem)
	}
	for i := range log.Events {
		if err := a.Apply(ctx, log.Events[i:i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Apply(ctx, log.Events); err != nil {
		t.Fatal(err)
	}

	for _, q := range m.Queries {
		t.Run(q.Name, func(t *testing.T) {
			t.Parallel()
			var answers [2]any
			for i, impl := range []M{pg, mem} {
				got, err := q.Ask(ctx, impl, log)
				if err != nil {
					t.Fatalf("%s: %v", []string{"Postgres", "Memory"}[i], err)
				}
				answers[i] = normalise(t, got)
			}
			if empty(answers[0]) && empty(answers[1]) {
				t.Fatalf("both implementations answer nothing: the query proves nothing on this log")
			}
			if path, ok := same(answers[0], answers[1], "answer"); !ok {
				pj, _ := json.MarshalIndent(answers[0], "", " ")
				mj, _ := json.MarshalIndent(answers[1], "", " ")
				t.Errorf("Postgres and Memory disagree at %s\nPostgres:\n%s\nMemory:\n%s", path, pj, mj)
			}
		})
	}
}

// normalise returns v as its JSON decodes into any: what a client of the
// answer could tell apart.
func normalise(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// empty reports whether v holds nothing: null, zero, "", false, or
// containers of nothing but those.
func empty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case bool:
		return !v
	case float64:
		return v == 0
	case string:
		return v == ""
	case []any:
		for _, x := range v {
			if !empty(x) {
				return false
			}
		}
		return true
	case map[string]any:
		for _, x := range v {
			if !empty(x) {
				return false
			}
		}
		return true
	}
	return false
}

// same compares two normalised answers and names the first place they
// differ.
func same(a, b any, path string) (string, bool) {
	switch a := a.(type) {
	case float64:
		b, ok := b.(float64)
		return path, ok && (a == b || math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b)))
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return path, false
		}
		for i := range a {
			if p, ok := same(a[i], b[i], fmt.Sprintf("%s[%d]", path, i)); !ok {
				return p, false
			}
		}
		return "", true
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return path, false
		}
		for k, x := range a {
			if p, ok := same(x, b[k], path+"."+k); !ok {
				return p, false
			}
		}
		return "", true
	default:
		return path, a == b
	}
}

// Pages walks every page of a keyset-paged list: page returns the page
// after cursor ("" for the first) and the cursor of the next one ("" on
// the last). It returns the pages, so that Run compares the cursors too.
func Pages[P any](ctx context.Context, page func(ctx context.Context, cursor string) (P, string, error)) ([]P, error) {
	var (
		out    []P
		cursor string
	)
	for range 1000 {
		p, next, err := page(ctx, cursor)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
		if next == "" {
			return out, nil
		}
		cursor = next
	}
	return nil, fmt.Errorf("more than 1000 pages")
}
