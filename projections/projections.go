package projections

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Event is one event of the log, as projections see it.
type Event struct {
	ID         string
	Position   int64
	Stream     string
	Version    int64
	Type       string
	Data       json.RawMessage
	Actor      domain.Actor
	RecordedAt time.Time
}

// FeedRecord is one item of a live feed read model, already encoded as
// the JSON the feed sends.
type FeedRecord struct {
	Position int64
	JSON     []byte
}

// Log is the event log a projection follows. Follow calls fn with every
// event after position after, in order, in batches of at most batch, and
// keeps following until ctx ends or fn fails.
type Log interface {
	Follow(ctx context.Context, after int64, batch int, fn func(context.Context, []Event) error) error
}

// Handler is one read model. Apply folds events into its tables inside tx;
// it must be deterministic, because a rebuild replays the same events.
type Handler interface {
	Name() string
	Apply(ctx context.Context, tx pgx.Tx, events []Event) error
}

// Runner keeps one handler's read model up to date.
type Runner struct {
	pool    *pgxpool.Pool
	leases  *Leases
	log     Log
	handler Handler
	logger  *slog.Logger
	batch   int
	changed func(ctx context.Context, position int64)
}

// RunnerConfig tunes a Runner.
type RunnerConfig struct {
	// Batch bounds the events applied per transaction; 1000 when zero.
	Batch int
	// ChangedFunc, when set, is called after each committed batch with
	// the position the read model now reflects.
	ChangedFunc func(ctx context.Context, position int64)
	Logger      *slog.Logger
}

// NewRunner returns a runner of h over log, keeping its tables in pool and
// its lease in leases.
func NewRunner(pool *pgxpool.Pool, leases *Leases, log Log, h Handler, cfg RunnerConfig) *Runner {
	if pool == nil || leases == nil || log == nil || h == nil {
		panic("projections: nil dependency")
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 1000
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Runner{pool: pool, leases: leases, log: log, handler: h, logger: cfg.Logger, batch: cfg.Batch, changed: cfg.ChangedFunc}
}

// Run applies the log to the read model until ctx ends. It first waits for
// the projection's lease, so that on several nodes one runner works at a
// time; it returns nil when ctx ends.
func (r *Runner) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		err := r.runWithLease(ctx)
		if ctx.Err() != nil {
			return nil
		}
		r.logger.Warn("projection stopped; retrying", "projection", r.handler.Name(), "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	return nil
}

// leaseSQL takes a named lease: a session advisory lock keyed by the name
// and the schema, so deployments sharing a database (and tests, a schema
// each) never contend for each other's leases.
const leaseSQL = "SELECT pg_try_advisory_lock(hashtextextended(current_schema() || ' lease ' || $1, 0))"

const unleaseSQL = "SELECT pg_advisory_unlock(hashtextextended(current_schema() || ' lease ' || $1, 0))"

// Leases holds a process's named leases (one per projection runner, one
// for the relay) on a single connection of its own, outside the pool: a
// session lock held for hours must not take a slot the requests need, and
// one connection serves every lease. When that connection dies every lease
// is lost at once, and every holder is told to stop.
type Leases struct {
	pool     *pgxpool.Pool
	interval time.Duration

	mu   sync.Mutex
	conn *pgx.Conn
	lost chan struct{} // closed when conn dies
}

// NewLeases returns the leases of a process, whose connection settings
// come from pool. A standby tries to take a lease every interval.
func NewLeases(pool *pgxpool.Pool, interval time.Duration) *Leases {
	if pool == nil {
		panic("projections: nil pool")
	}
	return &Leases{pool: pool, interval: interval}
}

// Hold waits until it holds the lease called name, then runs fn with a
// context that ends when ctx does or when the lease is lost (another node
// may then take over, so the holder must stop at once). It gives the lease
// up when fn returns.
func (l *Leases) Hold(ctx context.Context, name string, fn func(context.Context) error) error {
	lost, err := l.acquire(ctx, name)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-lost:
			cancel()
		case <-ctx.Done():
		}
	}()
	defer l.release(name, lost)
	return fn(ctx)
}

func (l *Leases) acquire(ctx context.Context, name string) (<-chan struct{}, error) {
	for {
		got, lost, err := l.try(ctx, name)
		if err != nil || got {
			return lost, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(l.interval):
		}
	}
}

// try takes the lease if it is free, connecting first when needed.
func (l *Leases) try(ctx context.Context, name string) (bool, <-chan struct{}, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == nil {
		conn, err := pgx.ConnectConfig(ctx, l.pool.Config().ConnConfig.Copy())
		if err != nil {
			return false, nil, err
		}
		l.conn, l.lost = conn, make(chan struct{})
		go l.watch(conn, l.lost)
	}
	var got bool
	if err := l.conn.QueryRow(ctx, leaseSQL, name).Scan(&got); err != nil {
		l.dropLocked()
		return false, nil, err
	}
	return got, l.lost, nil
}

func (l *Leases) release(name string, lost <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-lost:
		return // the connection is gone, and the lock with it
	default:
	}
	if _, err := l.conn.Exec(context.Background(), unleaseSQL, name); err != nil {
		l.dropLocked()
	}
}

// dropLocked closes the connection, which drops every lock it holds, and
// tells every holder. l.mu must be held.
func (l *Leases) dropLocked() {
	if l.conn == nil {
		return
	}
	_ = l.conn.Close(context.Background())
	close(l.lost)
	l.conn, l.lost = nil, nil
}

// watch pings the lease connection every second; when it stops answering,
// the leases are lost.
func (l *Leases) watch(conn *pgx.Conn, lost chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-lost:
			return
		case <-t.C:
		}
		l.mu.Lock()
		if l.conn != conn {
			l.mu.Unlock()
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := conn.Ping(ctx)
		cancel()
		if err != nil {
			l.dropLocked()
		}
		l.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// Close gives every lease up.
func (l *Leases) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dropLocked()
}

func (r *Runner) runWithLease(ctx context.Context) error {
	name := r.handler.Name()
	return r.leases.Hold(ctx, "projection "+name, func(ctx context.Context) error {
		from, err := Checkpoint(ctx, r.pool, name)
		if err != nil {
			return err
		}
		return r.log.Follow(ctx, from, r.batch, func(ctx context.Context, events []Event) error {
			pos, err := ApplyBatch(ctx, r.pool, r.handler, events)
			if err != nil {
				return err
			}
			if r.changed != nil && pos > 0 {
				r.changed(ctx, pos)
			}
			return nil
		})
	})
}

// Checkpoint returns the position the named projection has applied.
func Checkpoint(ctx context.Context, pool *pgxpool.Pool, name string) (int64, error) {
	var pos int64
	err := pool.QueryRow(ctx, "SELECT position FROM checkpoints WHERE name = $1", name).Scan(&pos)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read checkpoint %s: %w", name, Translate(err))
	}
	return pos, nil
}

// ApplyBatch applies events to h and moves its checkpoint in one
// transaction. Events at or below the checkpoint are skipped, so a batch
// delivered twice is applied once. It returns the new checkpoint.
func ApplyBatch(ctx context.Context, pool *pgxpool.Pool, h Handler, events []Event) (int64, error) {
	var pos int64
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// A read model is the log folded, and its checkpoint rides in the
		// same transaction: a crash can lose only the last batches of both
		// together, which the runner applies again from the log. So the
		// commit need not wait for the WAL to reach the disk; the events'
		// own commits still do.
		b := &pgx.Batch{}
		b.Queue("SET LOCAL synchronous_commit TO off")
		b.Queue("INSERT INTO checkpoints (name, position) VALUES ($1, 0) ON CONFLICT DO NOTHING", h.Name())
		b.Queue("SELECT position FROM checkpoints WHERE name = $1 FOR UPDATE", h.Name()).QueryRow(func(row pgx.Row) error {
			return row.Scan(&pos)
		})
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		fresh := events
		for len(fresh) > 0 && fresh[0].Position <= pos {
			fresh = fresh[1:]
		}
		if len(fresh) == 0 {
			return nil
		}
		if err := h.Apply(ctx, tx, fresh); err != nil {
			return err
		}
		pos = fresh[len(fresh)-1].Position
		_, err := tx.Exec(ctx, "UPDATE checkpoints SET position = $2, updated_at = now() WHERE name = $1", h.Name(), pos)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("apply %s: %w", h.Name(), err)
	}
	return pos, nil
}
