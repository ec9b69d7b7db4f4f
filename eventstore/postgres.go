package eventstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// appendLockSQL takes the advisory lock every append transaction holds, on
// every node: it is what makes positions a total order known at commit. It
// is keyed by the schema, whose log it guards.
const appendLockSQL = "SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ' append', 0))"

// Config tunes a Store. The zero value is usable.
type Config struct {
	// MaxBatchEvents bounds the events one group commit writes.
	MaxBatchEvents int
	// Channel is the LISTEN/NOTIFY channel that tells other nodes the log
	// moved. Nodes sharing a database must agree on it.
	Channel string
	// PollInterval bounds how long a follower waits when no notification
	// arrives, in case one was lost.
	PollInterval time.Duration
	// Upcasters upgrade old payloads on read.
	Upcasters Upcasters
	// Logger receives the store's own problems (a lost LISTEN connection).
	Logger *slog.Logger
	// MasterKey seals the answers remembered for idempotency keys, which
	// hold reports' tracking tokens. Without it, an append that carries an
	// idempotency key fails with ErrNoMasterKey.
	MasterKey *MasterKey
	// InTxFunc, when set, runs inside every append transaction after its
	// rows are written and before commit. Tests use it to widen the window
	// in which a reader could otherwise see a later position before an
	// earlier one commits.
	InTxFunc func()
	// CommitErrFunc, when set, gets the error of every append's COMMIT
	// round trip and returns the one the store acts on. Tests use it to
	// lose the connection after a commit succeeded.
	CommitErrFunc func(error) error
	// QueuedFunc, when set, is called each time a request joins the
	// writer's queue. Tests use it to know a request waits behind the
	// batch in flight, so that it will share the next batch.
	QueuedFunc func()
	// BatchFunc, when set, is called after each append transaction with
	// how many requests it held, how long the transaction took and its
	// error (nil once committed). Tests use it to see that requests really
	// were committed together; bayt serve's metrics count batches with it.
	BatchFunc func(requests int, took time.Duration, err error)
	// ListenFunc, when set, is called each time the listener has
	// subscribed with LISTEN. Tests use it to know that a notification sent
	// from then on will reach this store.
	ListenFunc func()
	// CommitTimeout bounds one append transaction, from taking a
	// connection to COMMIT; 10 s when zero. Callers queued behind a batch
	// wait for it whatever their own deadlines (they must learn whether it
	// committed), so a database that stops answering must not hold the
	// writer longer than this.
	CommitTimeout time.Duration
}

func (c *Config) setDefaults() {
	if c.MaxBatchEvents <= 0 {
		c.MaxBatchEvents = 5000
	}
	if c.Channel == "" {
		c.Channel = "bayt_events"
	}
	if c.PollInterval <= 0 {
		c.PollInterval = time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.CommitTimeout <= 0 {
		c.CommitTimeout = 10 * time.Second
	}
}

// Store is the PostgreSQL event store. It is safe for concurrent use; Close
// it to stop its writer and listener.
type Store struct {
	pool   *pgxpool.Pool
	cfg    Config
	queue  chan *pending
	order  turns
	wake   *doorbell
	cancel context.CancelFunc
	wg     sync.WaitGroup

	closeOnce sync.Once
	closed    chan struct{}
	// closing is held to enqueue (read) and to close (write).
	closing sync.RWMutex
}

type pending struct {
	ctx  context.Context
	req  Request
	meta domain.Metadata
	done chan outcome
	// chain holds the requests queued with this one, in order, each
	// assuming the one before it landed (see doChain); after is that one.
	chain []*pending
	after *pending
	// landed says the request was planned without a replay in the
	// transaction being written, or committed so; only the writer
	// touches it.
	landed bool
}

type outcome struct {
	res Result
	err error
}

// New returns a Store on pool, whose schema must be migrated, and starts its
// writer and its listener.
func New(pool *pgxpool.Pool, cfg Config) *Store {
	if pool == nil {
		panic("eventstore: nil pool")
	}
	cfg.setDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Store{
		pool:   pool,
		cfg:    cfg,
		queue:  make(chan *pending, 4096),
		wake:   newDoorbell(),
		cancel: cancel,
		closed: make(chan struct{}),
	}
	s.wg.Add(3)
	notify := make(chan int64, 1)
	go func() { defer s.wg.Done(); s.write(ctx, notify) }()
	go func() { defer s.wg.Done(); s.sendNotifications(ctx, notify) }()
	go func() { defer s.wg.Done(); s.listen(ctx) }()
	return s
}

// Close stops the writer after the batch in flight and fails appends still
// queued with ErrClosed. It does not close the pool.
func (s *Store) Close() {
	s.closeOnce.Do(func() {
		s.closing.Lock()
		close(s.closed)
		s.closing.Unlock()
		s.cancel()
		s.wg.Wait()
		for {
			select {
			case p := <-s.queue:
				for _, q := range append([]*pending{p}, p.chain...) {
					q.done <- outcome{err: ErrClosed}
				}
			default:
				return
			}
		}
	})
}

func (s *Store) streamTurns() *turns { return &s.order }

// Pool returns the pool the store writes through, for projections that
// keep their read models in the same database.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Append appends events to one stream at the expected version. Metadata
// (actor, correlation) comes from ctx.
func (s *Store) Append(ctx context.Context, stream string, expected int64, events ...NewEvent) (Result, error) {
	return s.Do(ctx, Request{Appends: []StreamAppend{{Stream: stream, Expected: expected, Events: events}}})
}

// Do appends req atomically. It returns a *domain.VersionConflictError (with
// the current version) when an expected version does not hold,
// ErrStreamNotFound or ErrStreamExists for the other expectations, and
// Result.Replayed for a repeated idempotency key. Once it returns without
// error the events are committed.
func (s *Store) Do(ctx context.Context, req Request) (Result, error) {
	if err := req.validate(); err != nil {
		return Result{}, err
	}
	if req.Idempotency != nil && s.cfg.MasterKey == nil {
		return Result{}, fmt.Errorf("remember an answer: %w", ErrNoMasterKey)
	}
	p := &pending{ctx: ctx, req: req, meta: domain.MetadataFrom(ctx), done: make(chan outcome, 1)}
	if err := s.enqueue(ctx, p); err != nil {
		return Result{}, err
	}
	// Once queued, wait for the verdict even if ctx ends: the writer may
	// already have committed, and the caller must not believe otherwise.
	o := <-p.done
	return o.res, o.err
}

// doChain appends reqs in order, each with the metadata of its own ctx,
// in one group commit when the writer can: each request's expected
// versions assume that the ones before it landed, so a request whose
// predecessor did not land (refused, replayed, or failed) is refused as
// stale without being tried, even if the stream happens to stand at the
// version it expects. It answers every request.
func (s *Store) doChain(ctxs []context.Context, reqs []Request) []outcome {
	ps := make([]*pending, len(reqs))
	for i, req := range reqs {
		ps[i] = &pending{ctx: ctxs[i], req: req, meta: domain.MetadataFrom(ctxs[i]), done: make(chan outcome, 1)}
		if i > 0 {
			ps[i].after = ps[i-1]
		}
	}
	out := make([]outcome, len(reqs))
	// A request refused before queueing ends the chain: those after it
	// assumed it would land.
	n := len(ps)
	for i, p := range ps {
		err := p.req.validate()
		if err == nil && p.req.Idempotency != nil && s.cfg.MasterKey == nil {
			err = fmt.Errorf("remember an answer: %w", ErrNoMasterKey)
		}
		if err != nil {
			out[i] = outcome{err: err}
			copy(out[i+1:], staleAll(reqs[i+1:]))
			n = i
			break
		}
	}
	if n == 0 {
		return out
	}
	head := ps[0]
	head.chain = ps[1:n]
	if err := s.enqueue(head.ctx, head); err != nil {
		out[0] = outcome{err: err}
		copy(out[1:n], staleAll(reqs[1:n]))
		return out
	}
	for i := range n {
		out[i] = <-ps[i].done
	}
	return out
}

// staleAll refuses reqs whose predecessor was refused.
func staleAll(reqs []Request) []outcome {
	out := make([]outcome, len(reqs))
	for i, req := range reqs {
		out[i] = outcome{err: stale(req)}
	}
	return out
}

// stale is the conflict a request gets when the request it was decided
// after did not land.
func stale(req Request) error {
	a := req.Appends[0]
	return &domain.VersionConflictError{Stream: a.Stream, Expected: a.Expected, Actual: -1}
}

// enqueue queues p (and its chain) for the writer, or refuses it when the
// store is closed or ctx ends first.
func (s *Store) enqueue(ctx context.Context, p *pending) error {
	// The read lock orders enqueueing before Close's drain: a request is
	// either refused or queued where the writer or the drain will answer it.
	s.closing.RLock()
	select {
	case <-s.closed:
		s.closing.RUnlock()
		return ErrClosed
	default:
	}
	select {
	case s.queue <- p:
		s.closing.RUnlock()
		if s.cfg.QueuedFunc != nil {
			s.cfg.QueuedFunc()
		}
		return nil
	case <-ctx.Done():
		s.closing.RUnlock()
		return translate(ctx.Err())
	}
}

// write is the group-commit loop: it takes every request waiting, commits
// them in one transaction, and answers each.
func (s *Store) write(ctx context.Context, notify chan<- int64) {
	for {
		var first *pending
		select {
		case <-ctx.Done():
			return
		case first = <-s.queue:
		}
		batch := append([]*pending{first}, first.chain...)
		n := first.eventCount()
	drain:
		for n < s.cfg.MaxBatchEvents {
			select {
			case p := <-s.queue:
				batch = append(batch, p)
				batch = append(batch, p.chain...)
				n += p.eventCount()
			default:
				break drain
			}
		}
		// A batch once taken is finished even if Close comes meanwhile:
		// its callers must learn whether it committed.
		last := s.commit(context.WithoutCancel(ctx), batch)
		if last > 0 {
			s.wake.ring()
			select {
			case notify <- last:
			default:
				// A notification is already waiting to go; it will say
				// "the log moved", which is all followers need.
			}
		}
	}
}

// eventCount counts the events of p and its chain, which are written
// together.
func (p *pending) eventCount() int {
	n := 0
	for _, q := range append([]*pending{p}, p.chain...) {
		for _, a := range q.req.Appends {
			n += len(a.Events)
		}
	}
	return n
}

// commit writes one batch and answers every request in it. It returns the
// last committed position, or 0 when nothing was written.
func (s *Store) commit(ctx context.Context, batch []*pending) int64 {
	live := batch[:0]
	for _, p := range batch {
		if err := p.ctx.Err(); err != nil {
			// A request whose deadline passed while it waited in the
			// queue was never tried: the database is too slow to answer.
			p.done <- outcome{err: translate(err)}
			continue
		}
		live = append(live, p)
	}
	if len(live) == 0 {
		return 0
	}
	results := make([]outcome, len(live))
	tctx, cancel := context.WithTimeout(ctx, s.cfg.CommitTimeout)
	began := time.Now()
	last, err := s.commitTx(tctx, live, results)
	took := time.Since(began)
	cancel()
	if err != nil {
		// Nothing of the transaction landed: a request chained after one
		// of these must not believe otherwise when tried again alone.
		for _, p := range live {
			p.landed = false
		}
	}
	if s.cfg.BatchFunc != nil {
		s.cfg.BatchFunc(len(live), took, err)
	}
	// A database that does not answer fails every request alike: committing
	// each alone would only make the last caller wait for all the others.
	if err != nil && len(live) > 1 && ctx.Err() == nil && !errors.Is(err, domain.ErrOutcomeUnknown) && !unreachable(err) {
		// One request the database refuses (a value it cannot store) must
		// not fail the others it was batched with: commit each alone.
		for _, p := range live {
			if pos := s.commit(ctx, []*pending{p}); pos > last {
				last = pos
			}
		}
		return last
	}
	if err != nil {
		err = fmt.Errorf("append: %w", translate(err))
		var vc *domain.VersionConflictError
		if len(live) == 1 && errors.As(err, &vc) && vc.Actual < 0 {
			err = s.backstopConflict(ctx, live[0].req, err)
		}
		for _, p := range live {
			p.done <- outcome{err: err}
		}
		return 0
	}
	for i, p := range live {
		p.done <- results[i]
	}
	return last
}

// commitTx runs one append transaction in two round trips: the first
// begins, takes the lock and reads the heads; the second writes and
// commits. Each statement of a pipeline gets its own snapshot, so the heads
// are read after the lock is held. Round trips, not the server's work, are
// what an append costs on a fast disk.
func (s *Store) commitTx(ctx context.Context, live []*pending, results []outcome) (last int64, err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return 0, err
	}
	// A connection left inside a transaction is destroyed by the pool on
	// release, so a failed ROLLBACK cannot leak a half-done append.
	defer conn.Release()
	defer func() {
		if err != nil {
			_, _ = conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	p, err := s.loadHeads(ctx, conn.Conn(), live)
	if err != nil {
		return 0, err
	}
	for i, req := range live {
		if req.after != nil && !req.after.landed {
			results[i] = outcome{err: stale(req.req)}
			continue
		}
		res, err := p.plan(req.req, req.meta)
		results[i] = outcome{res: res, err: err}
		req.landed = err == nil && res.Replayed == nil
	}
	b := &pgx.Batch{}
	queueWrites(b, p, s.cfg.MasterKey)
	if s.cfg.InTxFunc != nil {
		if err := conn.SendBatch(ctx, b).Close(); err != nil {
			return 0, err
		}
		s.cfg.InTxFunc()
		b = &pgx.Batch{}
	}
	b.Queue("COMMIT")
	err = conn.SendBatch(ctx, b).Close()
	if s.cfg.CommitErrFunc != nil {
		err = s.cfg.CommitErrFunc(err)
	}
	if err != nil && len(p.accepted) > 0 && !refusedByServer(err) {
		// The connection failed with COMMIT sent: the batch may be in the
		// log. Answering "failed" for an append that committed would make
		// a caller discard data its events refer to, or retry into a
		// duplicate; look it up instead.
		// Not under ctx: the commit may have failed because ctx ran out,
		// and the look-up must still get its chance.
		committed, lookupErr := s.committed(context.WithoutCancel(ctx), p.accepted[0])
		switch {
		case lookupErr != nil:
			return 0, fmt.Errorf("%w: %w (looking it up: %w)", domain.ErrOutcomeUnknown, err, lookupErr)
		case committed:
			err = nil
		}
	}
	if err != nil {
		return 0, err
	}
	if len(p.accepted) == 0 {
		return 0, nil
	}
	return p.position, nil
}

// backstopConflict names the stream and current version of a request the
// unique (stream, version) backstop refused: a writer that did not take the
// append lock got there first. It reads the heads of req's streams and
// reports the first that moved; err when it cannot tell.
func (s *Store) backstopConflict(ctx context.Context, req Request, err error) error {
	for _, a := range req.Appends {
		var version int64
		if qerr := s.pool.QueryRow(ctx, "SELECT version FROM streams WHERE id = $1", a.Stream).Scan(&version); qerr != nil {
			continue
		}
		if a.Expected >= 0 && version != a.Expected {
			return &domain.VersionConflictError{Stream: a.Stream, Expected: a.Expected, Actual: version}
		}
	}
	return err
}

// refusedByServer reports whether err is PostgreSQL's own answer, which
// means the transaction was rolled back: only then is "not committed"
// certain without looking. A server shutting down is the exception: its
// FATAL may arrive where COMMIT's answer was due, after the commit.
func refusedByServer(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && !unreachable(err)
}

// committed looks up whether the first event of a batch whose commit
// outcome was lost is in the log. It takes the append lock first, so that a
// commit still in flight on the lost connection finishes (or rolls back)
// before the look-up reads.
func (s *Store) committed(ctx context.Context, first Event) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var found bool
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, appendLockSQL); err != nil {
			return err
		}
		return tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM events WHERE position = $1 AND event_id = $2)",
			first.Position, first.ID).Scan(&found)
	})
	return found, err
}

func (s *Store) loadHeads(ctx context.Context, conn *pgx.Conn, batch []*pending) (*planner, error) {
	var streams, keys []string
	for _, b := range batch {
		for _, a := range b.req.Appends {
			streams = append(streams, a.Stream)
		}
		if b.req.Idempotency != nil {
			keys = append(keys, b.req.Idempotency.Key)
		}
	}
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue(appendLockSQL)
	b.Queue("SELECT position, log_hash FROM events ORDER BY position DESC LIMIT 1")
	b.Queue("SELECT id, version, last_hash FROM streams WHERE id = ANY($1)", streams)
	b.Queue("SELECT key, request_hash, status, body, coalesce(master_key_id, '') FROM idempotency_keys WHERE key = ANY($1)", keys)
	br := conn.SendBatch(ctx, b)
	// Frees the connection on an early return, whose own error is the one
	// to report; the last line returns Close's error when all went well.
	defer func() { _ = br.Close() }()
	for range 2 {
		if _, err := br.Exec(); err != nil {
			return nil, err
		}
	}
	var (
		position int64
		chain    []byte
	)
	if err := br.QueryRow().Scan(&position, &chain); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, err
	}
	p := newPlanner(position, chain, time.Now())
	var (
		id string
		h  streamHead
	)
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	if _, err := pgx.ForEachRow(rows, []any{&id, &h.version, &h.hash}, func() error {
		head := h
		p.streams[id] = &head
		return nil
	}); err != nil {
		return nil, err
	}
	var (
		key, keyID string
		rec        keyRecord
	)
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	rows, err = br.Query()
	if err != nil {
		return nil, err
	}
	if _, err := pgx.ForEachRow(rows, []any{&key, &rec.requestHash, &rec.stored.Status, &rec.stored.Body, &keyID}, func() error {
		var err error
		if rec.requestHash, err = s.cfg.MasterKey.openAnswer("request", rec.requestHash, key, keyID); err != nil {
			return err
		}
		if rec.stored.Body, err = s.cfg.MasterKey.openAnswer("body", rec.stored.Body, key, keyID); err != nil {
			return err
		}
		p.keys[key] = rec
		return nil
	}); err != nil {
		return nil, err
	}
	return p, br.Close()
}

// queueWrites queues the statements that write what p accepted. Events go
// in through unnest of one array per column: one statement, one round trip,
// whatever the batch size. Remembered answers are sealed under mk: they
// hold tracking tokens, which must never rest in the database in clear.
func queueWrites(b *pgx.Batch, p *planner, mk *MasterKey) {
	if len(p.accepted) > 0 {
		n := len(p.accepted)
		var (
			positions, versions                = make([]int64, n), make([]int64, n)
			streamIDs, eventIDs, types, roles  = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
			schemas                            = make([]int32, n)
			payloads, metas                    = make([]string, n), make([]string, n)
			actors, correlations, causations   = make([]*string, n), make([]*string, n), make([]*string, n)
			prevs, hashes, logPrevs, logHashes = make([][]byte, n), make([][]byte, n), make([][]byte, n), make([][]byte, n)
		)
		for i := range p.accepted {
			e := &p.accepted[i]
			m := e.Metadata
			positions[i], streamIDs[i], versions[i], eventIDs[i] = e.Position, e.StreamID, e.StreamVersion, e.ID
			types[i], schemas[i], payloads[i], metas[i] = e.Type, int32(e.SchemaVersion), string(e.Data), string(p.metadata[i])
			actors[i], roles[i] = nullable(m.Actor.ID), string(m.Actor.Role)
			correlations[i], causations[i] = nullable(m.CorrelationID), nullable(m.CausationID)
			prevs[i], hashes[i], logPrevs[i], logHashes[i] = e.PrevHash, e.Hash, e.LogPrevHash, e.LogHash
		}
		b.Queue(`
INSERT INTO events (position, stream_id, stream_version, event_id, type, schema_version, payload, metadata,
    actor_id, actor_role, correlation_id, causation_id, recorded_at, prev_hash, hash, log_prev_hash, log_hash)
SELECT position, stream_id, stream_version, event_id, type, schema_version, payload, metadata,
    actor_id, actor_role, correlation_id, causation_id, $17, prev_hash, hash, log_prev_hash, log_hash
FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::int[], $7::jsonb[], $8::jsonb[],
    $9::text[], $10::text[], $11::text[], $12::text[], $13::bytea[], $14::bytea[], $15::bytea[], $16::bytea[])
    AS e(position, stream_id, stream_version, event_id, type, schema_version, payload, metadata,
    actor_id, actor_role, correlation_id, causation_id, prev_hash, hash, log_prev_hash, log_hash)`,
			positions, streamIDs, versions, eventIDs, types, schemas, payloads, metas,
			actors, roles, correlations, causations, prevs, hashes, logPrevs, logHashes, p.now)
		var (
			ids, streamTypes []string
			heads            []int64
			lastHashes       [][]byte
		)
		for id, h := range p.streams {
			if h.version == 0 {
				continue // only looked at, never appended to
			}
			ids = append(ids, id)
			streamTypes = append(streamTypes, StreamType(id))
			heads = append(heads, h.version)
			lastHashes = append(lastHashes, h.hash)
		}
		b.Queue(`
INSERT INTO streams (id, type, version, last_hash, created_at, updated_at)
SELECT id, type, version, last_hash, $5, $5
FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bytea[]) AS s(id, type, version, last_hash)
ON CONFLICT (id) DO UPDATE SET version = excluded.version, last_hash = excluded.last_hash, updated_at = excluded.updated_at
WHERE streams.version < excluded.version`, ids, streamTypes, heads, lastHashes, p.now)
	}
	for key, rec := range p.newKeys {
		b.Queue("INSERT INTO idempotency_keys (key, request_hash, status, body, master_key_id) VALUES ($1, $2, $3, $4, $5)",
			key, mk.sealAnswer("request", rec.requestHash, key), rec.stored.Status, mk.sealAnswer("body", rec.stored.Body, key), mk.ID())
	}
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// translate turns driver errors into the store's own, so no pgx error
// escapes the package as itself: a database that does not answer becomes
// domain.ErrUnavailable (wrapping the cause, for the log), which every
// surface answers with 503 and Retry-After.
func translate(err error) error {
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, domain.ErrUnavailable), errors.Is(err, domain.ErrOutcomeUnknown):
		return err
	case errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "events_stream_id_stream_version_key":
		// Which stream, and its version, the caller's request says: see
		// backstopConflict.
		return &domain.VersionConflictError{Stream: "(concurrent writer)", Expected: -1, Actual: -1}
	case errors.As(err, &pgErr) && (pgErr.Code == "22021" || pgErr.Code == "22P05"):
		// Text the database cannot store (a NUL, say): the caller's input,
		// whichever check above missed it.
		return &domain.InvalidError{Reason: "text the database cannot store"}
	case errors.Is(err, pgx.ErrNoRows):
		return domain.ErrNotFound
	case unreachable(err):
		return fmt.Errorf("%w: %w", domain.ErrUnavailable, err)
	}
	return err
}

// unreachable reports whether err says the database could not be reached
// or the connection was lost, rather than what the database answered: a
// refused or timed-out connect, a pool that found no connection before the
// deadline, a connection closed under a query, or the server shutting down
// or starting up.
func unreachable(err error) bool {
	var (
		pgErr   *pgconn.PgError
		connErr *pgconn.ConnectError
		netErr  net.Error
	)
	switch {
	case errors.As(err, &pgErr):
		// Class 08 is connection exception; 57P01-57P03 are the server
		// shutting down, crashed, or not yet accepting connections; 53300
		// is too many connections.
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" ||
			pgErr.Code == "57P03" || pgErr.Code == "53300"
	case errors.As(err, &connErr), errors.As(err, &netErr):
		return true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, net.ErrClosed), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.EPIPE):
		return true
	}
	// Nothing reached the server (a connection found closed): the same.
	return pgconn.SafeToRetry(err)
}

// Idempotent returns the remembered answer for key, or nil.
func (s *Store) Idempotent(ctx context.Context, key string, requestHash []byte) (*Stored, error) {
	var (
		hash   []byte
		keyID  string
		stored Stored
	)
	err := s.pool.QueryRow(ctx, "SELECT request_hash, status, body, coalesce(master_key_id, '') FROM idempotency_keys WHERE key = $1", key).
		Scan(&hash, &stored.Status, &stored.Body, &keyID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read idempotency key: %w", translate(err))
	}
	if hash, err = s.cfg.MasterKey.openAnswer("request", hash, key, keyID); err != nil {
		return nil, err
	}
	if string(hash) != string(requestHash) {
		return nil, ErrIdempotencyMismatch
	}
	if stored.Body, err = s.cfg.MasterKey.openAnswer("body", stored.Body, key, keyID); err != nil {
		return nil, err
	}
	return &stored, nil
}

// selectEvents reads events for the application. Metadata comes back as
// columns, pulled out of jsonb by the server, because decoding a JSON
// document per row was half the cost of reading the log.
const selectEvents = `SELECT position, stream_id, stream_version, event_id, type, schema_version, payload,
actor_id, actor_role, metadata->'actor'->>'name', metadata->'actor'->>'department',
correlation_id, causation_id, metadata->>'request_id', metadata->>'idempotency_key',
recorded_at, prev_hash, hash FROM events `

// selectRawEvents reads events as stored, for verification.
const selectRawEvents = `SELECT position, stream_id, stream_version, event_id, type, schema_version,
payload, metadata, recorded_at, prev_hash, hash, log_prev_hash, log_hash FROM events `

// ReadStream returns the events of stream with a version above after, in
// order, upcast.
func (s *Store) ReadStream(ctx context.Context, stream string, after int64) ([]Event, error) {
	rows, err := s.pool.Query(ctx, selectEvents+"WHERE stream_id = $1 AND stream_version > $2 ORDER BY stream_version", stream, after)
	if err != nil {
		return nil, fmt.Errorf("read stream %s: %w", stream, translate(err))
	}
	return s.collect(rows)
}

// ReadAll returns at most limit events with a position above after, in
// position order, upcast.
func (s *Store) ReadAll(ctx context.Context, after int64, limit int) ([]Event, error) {
	rows, err := s.pool.Query(ctx, selectEvents+"WHERE position > $1 ORDER BY position LIMIT $2", after, limit)
	if err != nil {
		return nil, fmt.Errorf("read log: %w", translate(err))
	}
	return s.collect(rows)
}

func (s *Store) collect(rows pgx.Rows) ([]Event, error) {
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var (
			e                                                Event
			actorID, name, dept, corr, cause, reqID, idemKey *string
			role                                             string
		)
		if err := rows.Scan(&e.Position, &e.StreamID, &e.StreamVersion, &e.ID, &e.Type, &e.SchemaVersion, &e.Data,
			&actorID, &role, &name, &dept, &corr, &cause, &reqID, &idemKey, &e.RecordedAt, &e.PrevHash, &e.Hash); err != nil {
			return nil, fmt.Errorf("scan event: %w", translate(err))
		}
		e.Metadata = domain.Metadata{
			Actor:          domain.Actor{ID: deref(actorID), Name: deref(name), Role: domain.Role(role), Department: deref(dept)},
			CorrelationID:  deref(corr),
			CausationID:    deref(cause),
			RequestID:      deref(reqID),
			IdempotencyKey: deref(idemKey),
		}
		e.RecordedAt = e.RecordedAt.UTC()
		if err := s.cfg.Upcasters.apply(&e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events: %w", translate(err))
	}
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Head returns the position of the newest event, 0 for an empty log.
func (s *Store) Head(ctx context.Context) (int64, error) {
	var p int64
	err := s.pool.QueryRow(ctx, "SELECT COALESCE(max(position), 0) FROM events").Scan(&p)
	if err != nil {
		return 0, fmt.Errorf("read head: %w", translate(err))
	}
	return p, nil
}

// StreamVersion returns the version of stream, 0 when it does not exist.
func (s *Store) StreamVersion(ctx context.Context, stream string) (int64, error) {
	var v int64
	err := s.pool.QueryRow(ctx, "SELECT version FROM streams WHERE id = $1", stream).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read stream version: %w", translate(err))
	}
	return v, nil
}

// ForgetIdempotency deletes the remembered answers older than age: a key
// protects against a retried request, not forever, and a report's answer
// holds its tracking token. It returns how many it deleted.
func (s *Store) ForgetIdempotency(ctx context.Context, age time.Duration) (int64, error) {
	tag, err := s.pool.Exec(ctx, "DELETE FROM idempotency_keys WHERE created_at < now() - $1::interval", age.String())
	if err != nil {
		return 0, fmt.Errorf("forget idempotency keys: %w", translate(err))
	}
	return tag.RowsAffected(), nil
}
