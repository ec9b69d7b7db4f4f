package eventstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
)

func TestVerify(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	// setup writes 3 streams of 4 events, interleaved: case-0 holds
	// positions 1, 4, 7, 10; case-1 2, 5, 8, 11; case-2 3, 6, 9, 12.
	setup := func(t *testing.T) (*eventstore.Store, func(sql ...string)) {
		t.Helper()
		pool, _ := eventstoretest.Schema(t, nil)
		s := newPostgres(t, pool, eventstore.Config{})
		actx := domain.WithMetadata(ctx, domain.Metadata{Actor: domain.Actor{Role: domain.RoleAdvocate, Name: "Amal"}})
		for v := range 4 {
			for c := range 3 {
				if _, err := s.Append(actx, fmt.Sprintf("case-%d", c), int64(v), eventstoretest.Event("t", v)); err != nil {
					t.Fatal(err)
				}
			}
		}
		tamper := func(sql ...string) {
			t.Helper()
			tx, err := pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx) //nolint:errcheck // after commit
			stmts := append(append([]string{"ALTER TABLE events DISABLE TRIGGER USER"}, sql...), "ALTER TABLE events ENABLE TRIGGER USER")
			for _, q := range stmts {
				if _, err := tx.Exec(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
		}
		return s, tamper
	}

	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		s, _ := setup(t)
		rep, err := s.Verify(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Events != 12 || rep.Streams != 3 || rep.Head != 12 || len(rep.HeadHash) != 32 {
			t.Fatalf("report = %+v", rep)
		}
	})

	t.Run("AppendOnlyTrigger", func(t *testing.T) {
		t.Parallel()
		s, _ := setup(t)
		if _, err := s.Pool().Exec(ctx, "UPDATE events SET payload = '{}' WHERE position = 1"); err == nil {
			t.Fatal("UPDATE on events succeeded")
		}
		if _, err := s.Pool().Exec(ctx, "DELETE FROM events WHERE position = 12"); err == nil {
			t.Fatal("DELETE on events succeeded")
		}
	})

	cases := []struct {
		name     string
		sql      []string
		stream   string
		position int64
	}{
		{"ErrPayloadEdited", []string{`UPDATE events SET payload = '{"n": 9, "text": "بيت المواطن"}' WHERE position = 5`}, "case-1", 5},
		{"ErrMetadataEdited", []string{`UPDATE events SET metadata = jsonb_set(metadata, '{actor,name}', '"Other"') WHERE position = 7`}, "case-0", 7},
		{"ErrTimeEdited", []string{`UPDATE events SET recorded_at = recorded_at + interval '1 second' WHERE position = 3`}, "case-2", 3},
		{"ErrMiddleDeleted", []string{`DELETE FROM events WHERE position = 6`}, "case-2", 6},
		{"ErrNewestOfStreamDeleted", []string{`DELETE FROM events WHERE position = 11`}, "case-1", 11},
		{"ErrNewestOfLogDeleted", []string{`DELETE FROM events WHERE position = 12`}, "case-2", 12},
		{"ErrReordered", []string{`UPDATE events SET position = -position WHERE position IN (4, 5)`, `UPDATE events SET position = CASE position WHEN -4 THEN 5 ELSE 4 END WHERE position IN (-4, -5)`}, "case-1", 4},
		{"ErrPayloadsSwapped", []string{`UPDATE events e SET payload = o.payload FROM events o WHERE (e.position, o.position) IN ((2, 5), (5, 2))`}, "case-1", 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, tamper := setup(t)
			tamper(tc.sql...)
			_, err := s.Verify(ctx)
			var te *eventstore.TamperError
			if !errors.As(err, &te) {
				t.Fatalf("verify after %q: err = %v, want a TamperError", tc.sql, err)
			}
			if te.Stream != tc.stream || te.Position != tc.position {
				t.Fatalf("verify named stream %s at %d (%s), want %s at %d", te.Stream, te.Position, te.Reason, tc.stream, tc.position)
			}
		})
	}

	t.Run("ErrStreamEditedSeenByVerifyStream", func(t *testing.T) {
		t.Parallel()
		s, tamper := setup(t)
		tamper(`UPDATE events SET payload = '{"n": 1}' WHERE position = 8`)
		if err := s.VerifyStream(ctx, "case-1"); !errors.Is(err, eventstore.ErrTampered) {
			t.Fatalf("verify case-1: %v", err)
		}
		if err := s.VerifyStream(ctx, "case-0"); err != nil {
			t.Fatalf("verify untouched case-0: %v", err)
		}
	})
}
