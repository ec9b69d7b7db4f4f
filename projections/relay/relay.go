// Package relay publishes the event log to the message bus. The events
// table is the outbox: the relay tails it in position order from its
// checkpoint and publishes one message per event, so nothing is published
// that did not commit and nothing committed goes unpublished (it may be
// published twice after a crash: consumers are idempotent on the event id
// and position). One relay is active per cluster, under an advisory-lock
// lease; another node takes over when its holder dies.
//
// Messages carry no payload beyond the event's identity and type: the bus
// is a doorbell and a fan-out, never the source of truth, and never a place
// personal data could leak to.
package relay

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/citizenhouse/bayt/projections"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Topics of the bus.
const (
	// EventsTopic carries every event of the log.
	EventsTopic = "bayt_events"
	// ChangesTopic carries "read model changed at position N" notices.
	ChangesTopic = "bayt_changes"
)

// leaseName is the relay's lease and checkpoint name.
const leaseName = "relay"

// Notice is the body of every message on the bus.
type Notice struct {
	Position int64  `json:"position"`
	Stream   string `json:"stream,omitempty"`
	Type     string `json:"type,omitempty"`
	EventID  string `json:"event_id,omitempty"`
	// RecordedAt is when the event was recorded, for consumers that act
	// on recent events only (mail is news, not history).
	RecordedAt time.Time `json:"recorded_at,omitzero"`
	// Source names the read model, for change notices.
	Source string `json:"source,omitempty"`
}

// NewMessage returns the bus message of n. Its UUID is derived from the
// position and kind, so a republished event carries the same id.
func NewMessage(n Notice) (*message.Message, error) {
	b, err := json.Marshal(n)
	if err != nil {
		return nil, err
	}
	id := n.EventID
	if id == "" {
		id = n.Source + "-" + strconv.FormatInt(n.Position, 10)
	}
	msg := message.NewMessage(id, b)
	msg.Metadata.Set("position", strconv.FormatInt(n.Position, 10))
	return msg, nil
}

// Relay publishes the log to the bus.
type Relay struct {
	pool   *pgxpool.Pool
	leases *projections.Leases
	log    projections.Log
	pub    message.Publisher
	logger *slog.Logger
}

// New returns a relay of log to pub; its checkpoint lives in pool, its
// lease in leases.
func New(pool *pgxpool.Pool, leases *projections.Leases, log projections.Log, pub message.Publisher, logger *slog.Logger) *Relay {
	if pool == nil || leases == nil || log == nil || pub == nil {
		panic("relay: nil dependency")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Relay{pool: pool, leases: leases, log: log, pub: pub, logger: logger}
}

// Run publishes until ctx ends, taking over the lease whenever it is free.
func (r *Relay) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		err := r.runWithLease(ctx)
		if ctx.Err() != nil {
			return nil
		}
		r.logger.Warn("relay stopped; retrying", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	return nil
}

func (r *Relay) runWithLease(ctx context.Context) error {
	return r.leases.Hold(ctx, leaseName, func(ctx context.Context) error {
		r.logger.Info("relay lease taken")
		from, err := projections.Checkpoint(ctx, r.pool, leaseName)
		if err != nil {
			return err
		}
		return r.log.Follow(ctx, from, 500, r.publish)
	})
}

func (r *Relay) publish(ctx context.Context, events []projections.Event) error {
	msgs := make([]*message.Message, 0, len(events))
	for _, e := range events {
		m, err := NewMessage(Notice{Position: e.Position, Stream: e.Stream, Type: e.Type, EventID: e.ID, RecordedAt: e.RecordedAt})
		if err != nil {
			return err
		}
		msgs = append(msgs, m)
	}
	if err := r.pub.Publish(EventsTopic, msgs...); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	_, err := r.pool.Exec(ctx, `INSERT INTO checkpoints (name, position) VALUES ($1, $2)
ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = now()`, leaseName, events[len(events)-1].Position)
	return err
}

// NewLogger adapts a slog logger for watermill.
func NewLogger(l *slog.Logger) watermill.LoggerAdapter { return watermill.NewSlogLogger(l) }
