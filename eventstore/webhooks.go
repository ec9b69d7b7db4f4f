package eventstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/oklog/ulid/v2"

	"github.com/citizenhouse/bayt/domain"
)

// Webhook is a partner's address that hears of public case events, of
// one district or one category when those are set.
type Webhook struct {
	ID          string     `json:"id"`
	URL         string     `json:"url"`
	Description string     `json:"description"`
	District    string     `json:"district"`
	Category    string     `json:"category"`
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	DeletedAt   *time.Time `json:"deleted_at,omitempty"`
}

// Delivery is one event's delivery to one hook, as the log keeps it.
type Delivery struct {
	HookID        string     `json:"hook_id"`
	EventID       string     `json:"event_id"`
	Position      int64      `json:"position"`
	EventType     string     `json:"event"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	LastStatus    *int       `json:"last_status"`
	LastError     string     `json:"last_error"`
	CreatedAt     time.Time  `json:"created_at"`
	LastAttemptAt *time.Time `json:"last_attempt_at"`
	DeliveredAt   *time.Time `json:"delivered_at"`
}

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// Webhooks keeps the hooks and their delivery log on PostgreSQL (tables
// webhooks and webhook_deliveries). It is safe for concurrent use, across
// nodes too.
type Webhooks struct {
	pool *pgxpool.Pool
}

// NewWebhooks returns the hooks on pool, whose schema must be migrated.
func NewWebhooks(pool *pgxpool.Pool) *Webhooks {
	if pool == nil {
		panic("eventstore: nil pool")
	}
	return &Webhooks{pool: pool}
}

const webhookColumns = "id, url, description, district, category, created_by, created_at, deleted_at"

func scanWebhook(row pgx.Row) (Webhook, error) {
	var h Webhook
	err := row.Scan(&h.ID, &h.URL, &h.Description, &h.District, &h.Category, &h.CreatedBy, &h.CreatedAt, &h.DeletedAt)
	return h, err
}

// Create registers h (its ID and times are set here) and returns it. With
// a key, a repeat of the same request (same requestHash) returns the hook
// the first made, and false; the same key with another request is an
// error wrapping domain.ErrInvalid.
func (s *Webhooks) Create(ctx context.Context, h Webhook, key string, requestHash []byte) (Webhook, bool, error) {
	h.ID = "hook-" + ulid.Make().String()
	var k any
	if key != "" {
		k = key
	}
	created, err := scanWebhook(s.pool.QueryRow(ctx, `INSERT INTO webhooks (id, url, description, district, category, created_by, idempotency_key, request_hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING `+webhookColumns,
		h.ID, h.URL, h.Description, h.District, h.Category, h.CreatedBy, k, requestHash))
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" && key != "" {
		var stored []byte
		first, err := scanWebhook(s.pool.QueryRow(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE idempotency_key = $1`, key))
		if err == nil {
			err = s.pool.QueryRow(ctx, `SELECT request_hash FROM webhooks WHERE idempotency_key = $1`, key).Scan(&stored)
		}
		if err != nil {
			return Webhook{}, false, fmt.Errorf("read webhook: %w", err)
		}
		if !bytes.Equal(stored, requestHash) {
			return Webhook{}, false, domain.Invalid("Idempotency-Key", "already used with another request")
		}
		return first, false, nil
	}
	if err != nil {
		return Webhook{}, false, fmt.Errorf("create webhook: %w", err)
	}
	return created, true, nil
}

// List returns the hooks not removed, oldest first.
func (s *Webhooks) List(ctx context.Context) ([]Webhook, error) {
	//nolint:rowserrcheck // pgx.CollectRows checks rows.Err
	rows, err := s.pool.Query(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE deleted_at IS NULL ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	hooks, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Webhook, error) { return scanWebhook(r) })
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return hooks, nil
}

// Get returns hook id, removed or not; domain.ErrNotFound for an unknown one.
func (s *Webhooks) Get(ctx context.Context, id string) (Webhook, error) {
	h, err := scanWebhook(s.pool.QueryRow(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Webhook{}, domain.ErrNotFound
	}
	if err != nil {
		return Webhook{}, fmt.Errorf("read webhook: %w", err)
	}
	return h, nil
}

// Delete removes hook id: it hears nothing more, and its log stays. An
// unknown or already removed hook is domain.ErrNotFound.
func (s *Webhooks) Delete(ctx context.Context, id string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE webhooks SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL`, id)
	if err != nil {
		return fmt.Errorf("remove webhook: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// Deliveries returns at most limit deliveries of hook id, newest event
// first.
func (s *Webhooks) Deliveries(ctx context.Context, id string, limit int) ([]Delivery, error) {
	//nolint:rowserrcheck // pgx.CollectRows checks rows.Err
	rows, err := s.pool.Query(ctx, `SELECT hook_id, event_id, position, event_type, status, attempts, last_status, last_error,
			created_at, last_attempt_at, delivered_at
		FROM webhook_deliveries WHERE hook_id = $1 ORDER BY position DESC LIMIT $2`, id, limit)
	if err != nil {
		return nil, fmt.Errorf("read deliveries: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Delivery, error) {
		var d Delivery
		err := r.Scan(&d.HookID, &d.EventID, &d.Position, &d.EventType, &d.Status, &d.Attempts, &d.LastStatus, &d.LastError,
			&d.CreatedAt, &d.LastAttemptAt, &d.DeliveredAt)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("read deliveries: %w", err)
	}
	return out, nil
}

// Attempt is one try at delivering: Send posts body and returns the
// receiver's status, or an error when none answered.
type Attempt func(ctx context.Context, body []byte) (int, error)

// Deliver delivers an event to hook unless it was delivered already, and
// reports whether this call delivered it. body is recorded with the first
// attempt and every later attempt sends the recorded one. The row is
// locked while send runs, so that two deliveries of the same event (two
// nodes, a redelivery) never post at once: the second waits, then finds
// it delivered. Every attempt is recorded, whatever its outcome; one that
// did not end in a 2xx returns an error, for the bus to try again.
func (s *Webhooks) Deliver(ctx context.Context, hookID, eventID string, position int64, eventType string, body []byte, send Attempt) (bool, error) {
	if _, err := s.pool.Exec(ctx, `INSERT INTO webhook_deliveries (hook_id, event_id, position, event_type, body)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, hookID, eventID, position, eventType, body); err != nil {
		return false, fmt.Errorf("log delivery: %w", err)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("claim delivery: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	var status string
	if err := tx.QueryRow(ctx, `SELECT status, body FROM webhook_deliveries WHERE hook_id = $1 AND event_id = $2 FOR UPDATE`,
		hookID, eventID).Scan(&status, &body); err != nil {
		return false, fmt.Errorf("claim delivery: %w", err)
	}
	if status == DeliveryDelivered {
		return false, nil
	}
	code, sendErr := send(ctx, body)
	ok := sendErr == nil && code >= 200 && code < 300
	var (
		last    *int
		errText string
	)
	if code != 0 {
		last = &code
	}
	switch {
	case sendErr != nil:
		errText = sendErr.Error()
	case !ok:
		errText = fmt.Sprintf("the receiver answered %d %s", code, http.StatusText(code))
	}
	// A delivery that failed for good may still succeed on a later
	// redelivery: the log then says delivered.
	next := status
	if ok {
		next = DeliveryDelivered
	}
	if _, err := tx.Exec(context.WithoutCancel(ctx), `UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = $3, last_error = $4,
			last_attempt_at = now(), status = $5, delivered_at = CASE WHEN $6 THEN now() END
		WHERE hook_id = $1 AND event_id = $2`, hookID, eventID, last, errText, next, ok); err != nil {
		return false, fmt.Errorf("log delivery: %w", err)
	}
	if err := tx.Commit(context.WithoutCancel(ctx)); err != nil {
		return false, fmt.Errorf("log delivery: %w", err)
	}
	if !ok {
		return false, fmt.Errorf("deliver %s to %s: %s", eventID, hookID, errText)
	}
	return true, nil
}

// GiveUp marks every delivery of event eventID still pending as failed:
// the bus stopped retrying it, and it went to the poison queue.
func (s *Webhooks) GiveUp(ctx context.Context, eventID string) error {
	if _, err := s.pool.Exec(ctx, `UPDATE webhook_deliveries SET status = 'failed' WHERE event_id = $1 AND status = 'pending'`, eventID); err != nil {
		return fmt.Errorf("log failed delivery: %w", err)
	}
	return nil
}
