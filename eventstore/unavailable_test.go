package eventstore_test

import (
	"context"
	"errors"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// closedAddress returns a local address nothing listens on: a connection
// to it is refused at once.
func closedAddress(t *testing.T) string {
	t.Helper()
	ln, err := new(net.ListenConfig).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// TestUnreachableDatabaseIsUnavailable checks that every path of the store
// answers domain.ErrUnavailable, not an internal error, when the database
// cannot be reached, and that a batch of appends fails together instead of
// being retried one by one.
func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, "postgres://postgres@"+closedAddress(t)+"/bayt?connect_timeout=5")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu       sync.Mutex
		batched  int
		gate     = make(chan struct{})
		released bool
	)
	store := eventstore.New(pool, eventstore.Config{
		// The first request holds the writer until the others are queued,
		// so that they share a batch.
		QueuedFunc: func() {
			mu.Lock()
			defer mu.Unlock()
			if !released {
				released = true
				<-gate
			}
		},
		BatchFunc: func(requests int, _ time.Duration, _ error) {
			mu.Lock()
			defer mu.Unlock()
			batched += requests
		},
	})
	t.Cleanup(func() { store.Close(); pool.Close() })

	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, domain.ErrUnavailable) || domain.KindOf(err) != domain.KindUnavailable {
			t.Errorf("%s: err = %v, want domain.ErrUnavailable", what, err)
		}
	}
	const n = 8
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, err := store.Append(ctx, "case-"+string(rune('a'+i)), 0, eventstoretest.Event("t", i))
			errs <- err
		})
	}
	close(gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		check("append", err)
	}
	mu.Lock()
	if batched != n {
		t.Errorf("the writer tried %d requests for %d appends: a failed batch was retried request by request", batched, n)
	}
	mu.Unlock()

	_, err = store.ReadStream(ctx, "case-a", 0)
	check("read stream", err)
	_, err = store.ReadAll(ctx, 0, 10)
	check("read log", err)
	_, err = store.Head(ctx)
	check("head", err)
	_, err = store.StreamVersion(ctx, "case-a")
	check("stream version", err)
	_, err = store.Idempotent(ctx, "k", []byte("h"))
	check("idempotency key", err)
	check("verify stream", store.VerifyStream(ctx, "case-a"))
}

// TestLostConnectionIsUnavailable ends the server side of a connection
// while a read waits on it, as a restarting server does, and checks that
// the read answers domain.ErrUnavailable and the next one succeeds on a new
// connection. The read waits behind a lock another transaction holds, so
// the connection is lost mid-query whatever the machine's speed (an idle
// connection's loss may be noticed by the pool before use, and retried).
func TestLostConnectionIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, schema := eventstoretest.Schema(t, nil)
	cfg, err := pgxpool.ParseConfig(eventstoretest.URLFor(t, schema))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "lost-" + schema
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	store := eventstore.New(pool, eventstore.Config{})
	t.Cleanup(func() { store.Close(); pool.Close() })
	if _, err := store.Append(ctx, "case-a", 0, eventstoretest.Event("t", 1)); err != nil {
		t.Fatal(err)
	}
	admin := eventstoretest.Pool(t)
	lock, err := admin.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = lock.Rollback(ctx) }()
	if _, err := lock.Exec(ctx, "LOCK TABLE "+schema+".events IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	read := make(chan error, 1)
	go func() {
		_, err := store.ReadStream(ctx, "case-a", 0)
		read <- err
	}()
	// The read's backend, once it waits on the lock.
	var pid uint32
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := admin.QueryRow(ctx, `SELECT pid FROM pg_stat_activity
WHERE application_name = $1 AND wait_event_type = 'Lock'`, "lost-"+schema).Scan(&pid)
		if err == nil {
			break
		}
		if !errors.Is(err, pgx.ErrNoRows) || time.Now().After(deadline) {
			t.Fatalf("find the waiting read: %v", err)
		}
		runtime.Gosched()
	}
	var ended bool
	if err := admin.QueryRow(ctx, "SELECT pg_terminate_backend($1, 5000)", pid).Scan(&ended); err != nil || !ended {
		t.Fatalf("terminate backend %d: %v, %v", pid, ended, err)
	}
	if err := <-read; !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("read on a lost connection: err = %v, want domain.ErrUnavailable", err)
	}
	if err := lock.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if events, err := store.ReadStream(ctx, "case-a", 0); err != nil || len(events) != 1 {
		t.Fatalf("read after the loss: %d events, %v; want the pool to reconnect", len(events), err)
	}
}
