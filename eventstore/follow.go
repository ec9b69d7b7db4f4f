package eventstore

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// doorbell wakes every waiter at once: ring closes the current channel and
// puts a fresh one in its place.
type doorbell struct {
	mu sync.Mutex
	ch chan struct{}
}

func newDoorbell() *doorbell { return &doorbell{ch: make(chan struct{})} }

func (d *doorbell) wait() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ch
}

func (d *doorbell) ring() {
	d.mu.Lock()
	close(d.ch)
	d.ch = make(chan struct{})
	d.mu.Unlock()
}

// sendNotifications tells other nodes that the log moved, outside the
// append transaction and coalesced: a burst of commits sends one NOTIFY.
func (s *Store) sendNotifications(ctx context.Context, positions <-chan int64) {
	for {
		select {
		case <-ctx.Done():
			return
		case pos := <-positions:
			if _, err := s.pool.Exec(ctx, "SELECT pg_notify($1, $2)", s.cfg.Channel, strconv.FormatInt(pos, 10)); err != nil && ctx.Err() == nil {
				s.cfg.Logger.Warn("notify followers", "err", err)
			}
		}
	}
}

// listen rings the doorbell when another node's append is announced. A lost
// connection is retried; followers still poll meanwhile.
func (s *Store) listen(ctx context.Context) {
	for ctx.Err() == nil {
		err := s.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		s.cfg.Logger.Warn("listen for appends", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(s.cfg.PollInterval):
		}
	}
}

func (s *Store) listenOnce(ctx context.Context) error {
	// A connection of its own, outside the pool: it waits for hours and
	// must not take a slot the requests need.
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx)) //nolint:errcheck // closing a connection we are discarding
	if _, err := conn.Exec(ctx, "LISTEN "+quoteIdent(s.cfg.Channel)); err != nil {
		return err
	}
	if s.cfg.ListenFunc != nil {
		s.cfg.ListenFunc()
	}
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		s.wake.ring()
	}
}

func quoteIdent(s string) string {
	out := []byte{'"'}
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			out = append(out, '"')
		}
		out = append(out, s[i])
	}
	return string(append(out, '"'))
}

// Wait returns a channel closed when the log may have moved: on this node's
// commits, on a notification from another node, or after the poll interval.
func (s *Store) Wait() <-chan struct{} { return s.wake.wait() }

// Follow calls fn with every event after position after, in position order
// and in batches of at most batch events, first catching up and then
// following new appends as they commit. It returns when ctx ends (nil) or
// when fn or a read fails.
func (s *Store) Follow(ctx context.Context, after int64, batch int, fn func(context.Context, []Event) error) error {
	return follow(ctx, s, s.cfg.PollInterval, after, batch, fn)
}

type logReader interface {
	ReadAll(ctx context.Context, after int64, limit int) ([]Event, error)
	Wait() <-chan struct{}
}

func follow(ctx context.Context, r logReader, poll time.Duration, after int64, batch int, fn func(context.Context, []Event) error) error {
	if batch <= 0 {
		batch = 500
	}
	timer := time.NewTimer(poll)
	defer timer.Stop()
	for {
		// Take the doorbell before reading, so a commit between the read
		// and the wait still wakes us.
		bell := r.Wait()
		events, err := r.ReadAll(ctx, after, batch)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if len(events) > 0 {
			if err := fn(ctx, events); err != nil {
				return err
			}
			after = events[len(events)-1].Position
			if len(events) == batch {
				continue
			}
		}
		timer.Reset(poll)
		select {
		case <-ctx.Done():
			return nil
		case <-bell:
		case <-timer.C:
		}
	}
}
