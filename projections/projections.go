package projections

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
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

// NewRunner returns a runner of h over log, keeping its tables in pool.
func NewRunner(pool *pgxpool.Pool, log Log, h Handler, cfg RunnerConfig) *Runner {
	if pool == nil || log == nil || h == nil {
		panic("projections: nil dependency")
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 1000
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Runner{pool: pool, log: log, handler: h, logger: cfg.Logger, batch: cfg.Batch, changed: cfg.ChangedFunc}
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

// HoldLease waits until it holds the lease called name, polling every
// interval, then runs fn with a context that ends when ctx does or when the
// lease's connection stops answering (another node may then take over, so
// the holder must stop at once). It gives the lease up when fn returns.
//
// The lease lives on a connection of its own, outside the pool: a session
// lock held for hours must not take a slot the requests need.
func HoldLease(ctx context.Context, pool *pgxpool.Pool, name string, interval time.Duration, fn func(context.Context) error) error {
	conn, err := acquireLease(ctx, pool, name, interval)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		watchLease(ctx, conn, cancel)
	}()
	defer func() {
		cancel()
		<-watched
		// Closing the connection drops every session lock it holds.
		_ = conn.Close(context.WithoutCancel(ctx))
	}()
	return fn(ctx)
}

func acquireLease(ctx context.Context, pool *pgxpool.Pool, name string, interval time.Duration) (*pgx.Conn, error) {
	var conn *pgx.Conn
	for {
		if conn == nil {
			var err error
			if conn, err = pgx.ConnectConfig(ctx, pool.Config().ConnConfig.Copy()); err != nil {
				return nil, err
			}
		}
		var got bool
		if err := conn.QueryRow(ctx, leaseSQL, name).Scan(&got); err != nil {
			_ = conn.Close(context.WithoutCancel(ctx))
			return nil, err
		}
		if got {
			return conn, nil
		}
		select {
		case <-ctx.Done():
			_ = conn.Close(context.WithoutCancel(ctx))
			return nil, ctx.Err()
		case <-time.After(interval):
		}
	}
}

func watchLease(ctx context.Context, lease *pgx.Conn, cancel context.CancelFunc) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := lease.Ping(ctx); err != nil {
				cancel()
				return
			}
		}
	}
}

func (r *Runner) runWithLease(ctx context.Context) error {
	name := r.handler.Name()
	return HoldLease(ctx, r.pool, "projection "+name, 2*time.Second, func(ctx context.Context) error {
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
		return 0, fmt.Errorf("read checkpoint %s: %w", name, err)
	}
	return pos, nil
}

// ApplyBatch applies events to h and moves its checkpoint in one
// transaction. Events at or below the checkpoint are skipped, so a batch
// delivered twice is applied once. It returns the new checkpoint.
func ApplyBatch(ctx context.Context, pool *pgxpool.Pool, h Handler, events []Event) (int64, error) {
	var pos int64
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO checkpoints (name, position) VALUES ($1, 0) ON CONFLICT DO NOTHING", h.Name()); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT position FROM checkpoints WHERE name = $1 FOR UPDATE", h.Name()).Scan(&pos); err != nil {
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
