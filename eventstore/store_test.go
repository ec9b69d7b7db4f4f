package eventstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
	"github.com/jackc/pgx/v5/pgxpool"
)

func newPostgres(t *testing.T, pool *pgxpool.Pool, cfg eventstore.Config) *eventstore.Store {
	t.Helper()
	cfg.Logger = eventstoretest.Logger(t)
	if cfg.Upcasters == nil {
		cfg.Upcasters = eventstoretest.UpcastersForSuite()
	}
	if cfg.MasterKey == nil {
		cfg.MasterKey = eventstoretest.MasterKey(t)
	}
	s := eventstore.New(pool, cfg)
	t.Cleanup(s.Close)
	return s
}

func TestContractPostgres(t *testing.T) {
	t.Parallel()
	eventstoretest.Run(t, func(t *testing.T) eventstoretest.Store {
		pool, _ := eventstoretest.Schema(t, nil)
		return newPostgres(t, pool, eventstore.Config{})
	})
}

func TestContractMemory(t *testing.T) {
	t.Parallel()
	eventstoretest.Run(t, func(t *testing.T) eventstoretest.Store {
		return eventstore.NewMemory(eventstoretest.UpcastersForSuite())
	})
}

// TestLogIsGapFreeUnderConcurrentNodes runs several stores ("nodes") on one
// schema, each sleeping a random while inside its append transactions, while
// a follower on yet another store reads the log. Were positions handed out
// before commit (a sequence) rather than under the append lock, a later
// position would become visible while an earlier one was still sleeping,
// and the follower would skip it for good.
func TestLogIsGapFreeUnderConcurrentNodes(t *testing.T) {
	t.Parallel()
	pool, _ := eventstoretest.Schema(t, &eventstoretest.SchemaOpts{MaxConns: 16})
	ctx := context.Background()
	const nodes, appenders, perAppender = 3, 24, 15
	// contended records that, while one node held the append lock,
	// another node's transaction was queued on it: the situation the test
	// names. Looking once it is seen keeps the transactions short.
	var contended atomic.Bool
	stores := make([]*eventstore.Store, nodes)
	for i := range stores {
		stores[i] = newPostgres(t, pool, eventstore.Config{
			PollInterval: 20 * time.Millisecond,
			InTxFunc: func() {
				if !contended.Load() && appendLockWaiters(t, pool) > 0 {
					contended.Store(true)
				}
				// A deliberate delay, not a wait for a state: it widens the
				// window in which a later position could become visible
				// before an earlier one commits.
				time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
			},
		})
	}
	reader := newPostgres(t, pool, eventstore.Config{PollInterval: 10 * time.Millisecond})

	var (
		mu    sync.Mutex
		acked = map[string]int64{} // event id -> position the append returned
	)
	seen := map[string]int64{}
	var order []int64
	fctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	followed := make(chan error, 1)
	total := appenders * perAppender
	go func() {
		followed <- reader.Follow(fctx, 0, 7, func(_ context.Context, evs []eventstore.Event) error {
			for _, e := range evs {
				if prev, dup := seen[e.ID]; dup {
					return fmt.Errorf("event %s seen twice, at %d and %d", e.ID, prev, e.Position)
				}
				seen[e.ID] = e.Position
				order = append(order, e.Position)
			}
			if len(seen) >= total {
				cancel()
			}
			return nil
		})
	}()

	var wg sync.WaitGroup
	errs := make(chan error, appenders)
	for a := range appenders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := stores[a%nodes]
			stream := fmt.Sprintf("case-%d", a)
			for i := range perAppender {
				res, err := s.Append(ctx, stream, int64(i), eventstoretest.Event("t", i))
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				acked[res.Events[0].ID] = res.LastPosition
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("append: %v", err)
	}
	if err := <-followed; err != nil {
		t.Fatal(err)
	}
	if len(seen) != total || len(acked) != total {
		t.Fatalf("follower saw %d events, appenders were acknowledged %d, want %d", len(seen), len(acked), total)
	}
	for i, p := range order {
		if p != int64(i+1) {
			t.Fatalf("follower's %dth event has position %d: positions must be dense and increasing", i+1, p)
		}
	}
	for id, pos := range acked {
		if seen[id] != pos {
			t.Fatalf("event %s acknowledged at %d, followed at %d", id, pos, seen[id])
		}
	}
	if _, err := reader.Verify(ctx); err != nil {
		t.Fatalf("verify after concurrent appends: %v", err)
	}
	if !contended.Load() {
		t.Fatal("no node ever waited for another's append lock: the nodes did not append concurrently")
	}
}

// appendLockWaiters counts the transactions of pool's schema waiting for
// its append lock. pg_locks shows a bigint advisory key as its high half in
// classid and its low half in objid.
func appendLockWaiters(t *testing.T, pool *pgxpool.Pool) int {
	t.Helper()
	var n int
	err := pool.QueryRow(context.Background(), `
SELECT count(*) FROM pg_locks l, (SELECT hashtextextended(current_schema() || ' append', 0) AS k) key
WHERE l.locktype = 'advisory' AND NOT l.granted AND l.objsubid = 1
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND l.classid = ((key.k >> 32) & 4294967295)::oid AND l.objid = (key.k & 4294967295)::oid`).Scan(&n)
	if err != nil {
		t.Errorf("read lock waiters: %v", err)
	}
	return n
}

// batchRecorder holds the first append transaction open until released
// and records the size and outcome of every batch, so a test can line
// requests up behind it and then see what was committed together.
type batchRecorder struct {
	holding chan struct{} // closed once the first transaction is inside
	release chan struct{}
	queued  chan struct{} // one value per request queued
	hold    sync.Once
	mu      sync.Mutex
	batches []recordedBatch
}

type recordedBatch struct {
	requests int
	failed   bool
}

func newBatchRecorder() *batchRecorder {
	return &batchRecorder{holding: make(chan struct{}), release: make(chan struct{}), queued: make(chan struct{}, 1024)}
}

func (r *batchRecorder) config() eventstore.Config {
	return eventstore.Config{
		InTxFunc:   func() { r.hold.Do(func() { close(r.holding); <-r.release }) },
		QueuedFunc: func() { r.queued <- struct{}{} },
		BatchFunc: func(n int, _ time.Duration, err error) {
			r.mu.Lock()
			r.batches = append(r.batches, recordedBatch{n, err != nil})
			r.mu.Unlock()
		},
	}
}

// waitQueued waits until n requests in all have been queued.
func (r *batchRecorder) waitQueued(t *testing.T, n int) {
	t.Helper()
	for i := range n {
		select {
		case <-r.queued:
		case <-time.After(10 * time.Second):
			t.Fatalf("%d of %d requests queued", i, n)
		}
	}
}

func (r *batchRecorder) recorded() []recordedBatch {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recordedBatch(nil), r.batches...)
}

// TestGroupCommitRefusesOnlyStale lines many appends up behind a held
// transaction so they are committed as one batch: the stale ones are
// refused, the others commit.
func TestGroupCommitRefusesOnlyStale(t *testing.T) {
	t.Parallel()
	pool, _ := eventstoretest.Schema(t, nil)
	rec := newBatchRecorder()
	s := newPostgres(t, pool, rec.config())
	ctx := context.Background()
	results := make([]error, 40)
	first := make(chan struct{})
	go func() {
		defer close(first)
		_, results[0] = s.Append(ctx, "case-own-0", eventstore.NoStream, eventstoretest.Event("t", 0))
	}()
	<-rec.holding
	var wg sync.WaitGroup
	for i := 1; i < len(results); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Even writers create their own stream; odd ones all race for
			// the same stream at version 0, and only one may win.
			stream := fmt.Sprintf("case-own-%d", i)
			if i%2 == 1 {
				stream = "case-shared"
			}
			_, results[i] = s.Append(ctx, stream, eventstore.NoStream, eventstoretest.Event("t", i))
		}()
	}
	rec.waitQueued(t, len(results))
	close(rec.release)
	wg.Wait()
	<-first
	var ok, refused int
	for i, err := range results {
		switch {
		case err == nil:
			ok++
		case i%2 == 1:
			refused++
		default:
			t.Fatalf("writer %d on its own stream refused: %v", i, err)
		}
	}
	if ok != 21 || refused != 19 {
		t.Fatalf("%d committed and %d refused, want 21 and 19", ok, refused)
	}
	if head, _ := s.Head(ctx); head != 21 {
		t.Fatalf("head = %d, want 21", head)
	}
	// The held append alone, then every other one in a single transaction:
	// the race for case-shared was decided inside one batch.
	if got, want := fmt.Sprint(rec.recorded()), fmt.Sprint([]recordedBatch{{1, false}, {39, false}}); got != want {
		t.Fatalf("batches %s, want %s", got, want)
	}
}

// TestRefusedRequestDoesNotFailItsBatch batches a request the database
// refuses (a NUL in JSON, which jsonb cannot store) with valid ones: only
// the refused one fails.
func TestRefusedRequestDoesNotFailItsBatch(t *testing.T) {
	t.Parallel()
	pool, _ := eventstoretest.Schema(t, nil)
	rec := newBatchRecorder()
	s := newPostgres(t, pool, rec.config())
	ctx := context.Background()
	// The first append holds the writer, so the next ones wait and are
	// committed together.
	first := make(chan error, 1)
	go func() {
		_, err := s.Append(ctx, "case-first", eventstore.NoStream, eventstoretest.Event("t", 0))
		first <- err
	}()
	<-rec.holding
	var wg sync.WaitGroup
	errs := make([]error, 5)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ev := eventstoretest.Event("t", i)
			if i == 2 {
				ev.Data = []byte(`{"text": "nul \u0000 here"}`)
			}
			_, errs[i] = s.Append(ctx, fmt.Sprintf("case-%d", i), eventstore.NoStream, ev)
		}()
	}
	rec.waitQueued(t, 1+len(errs))
	close(rec.release)
	wg.Wait()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for i, err := range errs {
		if (i == 2) != (err != nil) {
			t.Fatalf("append %d: err = %v; only append 2 should fail", i, err)
		}
	}
	if head, _ := s.Head(ctx); head != 5 {
		t.Fatalf("head = %d, want 5", head)
	}
	if _, err := s.Verify(ctx); err != nil {
		t.Fatalf("verify: %v", err)
	}
	// The five were tried together and refused as a whole before each was
	// committed alone: the refused one really was batched with the others.
	batches := rec.recorded()
	if len(batches) != 7 || batches[0] != (recordedBatch{1, false}) || batches[1] != (recordedBatch{5, true}) {
		t.Fatalf("batches %v, want the held one, then the five failing together, then each alone", batches)
	}
	var failed int
	for _, b := range batches[2:] {
		if b.requests != 1 {
			t.Fatalf("retried batch of %d requests, want each alone: %v", b.requests, batches)
		}
		if b.failed {
			failed++
		}
	}
	if failed != 1 {
		t.Fatalf("%d requests failed alone, want 1: %v", failed, batches)
	}
}

// TestVerifyWhileAppending verifies the log and a stream while appends go
// on: a consistent snapshot never reports tampering.
func TestVerifyWhileAppending(t *testing.T) {
	t.Parallel()
	pool, _ := eventstoretest.Schema(t, nil)
	s := newPostgres(t, pool, eventstore.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	// committed carries the newest committed position; a stale one may
	// wait in it, so readers skip to the one they need.
	committed := make(chan int64, 1)
	go func() {
		defer close(done)
		for v := int64(0); ctx.Err() == nil; v++ {
			res, err := s.Append(ctx, "case-busy", v, eventstoretest.Event("t", int(v)))
			if err != nil {
				return
			}
			select {
			case committed <- res.LastPosition:
			default:
			}
		}
	}()
	waitPast := func(pos int64) {
		t.Helper()
		for {
			select {
			case p := <-committed:
				if p > pos {
					return
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("no append committed past position %d", pos)
			}
		}
	}
	var last int64
	for range 30 {
		// The appender never pauses; waiting for it to pass the last
		// verified head makes every verification meet a log that moved.
		waitPast(last)
		rep, err := s.Verify(context.Background())
		if err != nil {
			t.Fatalf("verify during appends: %v", err)
		}
		if rep.Head <= last {
			t.Fatalf("verified head %d after %d: the log did not move between verifications", rep.Head, last)
		}
		last = rep.Head
		if err := s.VerifyStream(context.Background(), "case-busy"); err != nil {
			t.Fatalf("verify stream during appends: %v", err)
		}
	}
	cancel()
	<-done
}

func TestForgetIdempotency(t *testing.T) {
	t.Parallel()
	pool, _ := eventstoretest.Schema(t, nil)
	s := newPostgres(t, pool, eventstore.Config{})
	ctx := context.Background()
	for _, key := range []string{"old", "new"} {
		_, err := s.Do(ctx, eventstore.Request{
			Appends: []eventstore.StreamAppend{{Stream: "case-" + key, Expected: eventstore.NoStream, Events: []eventstore.NewEvent{eventstoretest.Event("t", 1)}}},
			Idempotency: &eventstore.Idempotency{Key: key, RequestHash: []byte("h"), ResponseFunc: func(eventstore.Result) (eventstore.Stored, error) {
				return eventstore.Stored{Status: 201, Body: []byte("{}")}, nil
			}},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pool.Exec(ctx, "UPDATE idempotency_keys SET created_at = now() - interval '8 days' WHERE key = 'old'"); err != nil {
		t.Fatal(err)
	}
	n, err := s.ForgetIdempotency(ctx, 7*24*time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("forgot %d keys, %v; want 1", n, err)
	}
	if stored, _ := s.Idempotent(ctx, "old", []byte("h")); stored != nil {
		t.Fatal("the old key is still remembered")
	}
	if stored, _ := s.Idempotent(ctx, "new", []byte("h")); stored == nil {
		t.Fatal("the new key was forgotten")
	}
}

// TestFollowerWokenByOtherNode follows the log on one store while another
// store (another node) appends. The poll is an hour, so only the
// LISTEN/NOTIFY doorbell can wake the follower in time.
func TestFollowerWokenByOtherNode(t *testing.T) {
	t.Parallel()
	pool, _ := eventstoretest.Schema(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	writer := newPostgres(t, pool, eventstore.Config{})
	listening := make(chan struct{})
	var once sync.Once
	reader := newPostgres(t, pool, eventstore.Config{
		PollInterval: time.Hour,
		ListenFunc:   func() { once.Do(func() { close(listening) }) },
	})
	if _, err := writer.Append(ctx, "case-n", eventstore.NoStream, eventstoretest.Event("t", 1)); err != nil {
		t.Fatal(err)
	}
	got := make(chan int64, 10)
	followed := make(chan struct{})
	go func() {
		defer close(followed)
		_ = reader.Follow(ctx, 0, 10, func(_ context.Context, evs []eventstore.Event) error {
			for _, e := range evs {
				got <- e.Position
			}
			return nil
		})
	}()
	defer func() { cancel(); <-followed }()
	// Position 1 comes from the follower's first read; once it has, the
	// follower waits on its doorbell, and only a ring brings it further.
	if pos := <-got; pos != 1 {
		t.Fatalf("followed position %d, want 1", pos)
	}
	select {
	case <-listening:
	case <-time.After(10 * time.Second):
		t.Fatal("the reader never subscribed with LISTEN")
	}
	if _, err := writer.Append(ctx, "case-n", 1, eventstoretest.Event("t", 2)); err != nil {
		t.Fatal(err)
	}
	select {
	case pos := <-got:
		if pos != 2 {
			t.Fatalf("followed position %d, want 2", pos)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the follower was not woken by the other store's append")
	}
}
