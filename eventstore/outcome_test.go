package eventstore_test

import (
	"context"
	"errors"
	"io"
	"sync/atomic"
	"testing"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
	"github.com/jackc/pgx/v5"
)

// TestLostCommitIsLookedUp loses the connection of an append around its
// COMMIT and checks that the store answers what really happened.
func TestLostCommitIsLookedUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	appendOne := func(t *testing.T, s *eventstore.Store, stream string) (eventstore.Result, error) {
		t.Helper()
		return s.Append(ctx, stream, eventstore.NoStream, eventstoretest.Event("t", 1))
	}
	inLog := func(t *testing.T, s *eventstore.Store, stream string) bool {
		t.Helper()
		events, err := s.ReadStream(ctx, stream, 0)
		if err != nil {
			t.Fatal(err)
		}
		return len(events) == 1
	}

	t.Run("CommittedIsSuccess", func(t *testing.T) {
		t.Parallel()
		pool, _ := eventstoretest.Schema(t, nil)
		var lost atomic.Int32
		s := newPostgres(t, pool, eventstore.Config{CommitErrFunc: func(err error) error {
			if err == nil {
				lost.Add(1)
				return io.ErrUnexpectedEOF
			}
			return err
		}})
		res, err := appendOne(t, s, "case-committed")
		if err != nil {
			t.Fatalf("append whose commit succeeded answered %v", err)
		}
		if lost.Load() == 0 || res.LastPosition != 1 || !inLog(t, s, "case-committed") {
			t.Fatalf("lost %d commits, position %d: the situation did not happen", lost.Load(), res.LastPosition)
		}
	})

	t.Run("NotCommittedIsFailure", func(t *testing.T) {
		t.Parallel()
		pool, _ := eventstoretest.Schema(t, nil)
		var lost atomic.Int32
		// PostgreSQL refuses the write (jsonb cannot hold NUL), so the
		// COMMIT after it commits nothing; the refusal is then made to look
		// like a lost connection, which only a look-up can settle.
		s := newPostgres(t, pool, eventstore.Config{CommitErrFunc: func(err error) error {
			if err != nil {
				lost.Add(1)
				return io.ErrUnexpectedEOF
			}
			return err
		}})
		_, err := s.Append(ctx, "case-refused", eventstore.NoStream,
			eventstore.NewEvent{Type: "t", SchemaVersion: 1, Data: []byte(`{"x":"\u0000"}`)})
		if err == nil || errors.Is(err, domain.ErrOutcomeUnknown) {
			t.Fatalf("append that did not commit answered %v, want a failure", err)
		}
		if lost.Load() == 0 {
			t.Fatal("no commit was lost: the situation did not happen")
		}
		if inLog(t, s, "case-refused") {
			t.Fatal("a refused append is in the log")
		}
	})

	t.Run("UnknownWhenLookupFails", func(t *testing.T) {
		t.Parallel()
		pool, _ := eventstoretest.Schema(t, nil)
		// Another transaction takes the append lock once the commit is
		// done, so the look-up cannot read within its time.
		var holder pgx.Tx
		s := newPostgres(t, pool, eventstore.Config{CommitErrFunc: func(err error) error {
			if err != nil || holder != nil {
				return err
			}
			tx, berr := pool.Begin(ctx)
			if berr != nil {
				t.Error(berr)
				return err
			}
			if _, lerr := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ' append', 0))"); lerr != nil {
				t.Error(lerr)
			}
			holder = tx
			return io.ErrUnexpectedEOF
		}})
		_, err := appendOne(t, s, "case-unknown")
		if holder == nil {
			t.Fatal("the lock was never held")
		}
		if rerr := holder.Rollback(ctx); rerr != nil {
			t.Fatal(rerr)
		}
		if !errors.Is(err, domain.ErrOutcomeUnknown) {
			t.Fatalf("append whose look-up failed answered %v, want outcome unknown", err)
		}
		if !inLog(t, s, "case-unknown") {
			t.Fatal("the append did commit, yet is not in the log")
		}
	})
}
