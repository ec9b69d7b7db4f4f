package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/projections/relay"
	"github.com/citizenhouse/bayt/transport"
	"github.com/citizenhouse/bayt/transport/export"
)

// Headers of a delivery.
const (
	HeaderSignature = "X-Bayt-Signature"
	HeaderEventID   = "X-Bayt-Event-Id"
	HeaderEvent     = "X-Bayt-Event"
	HeaderHook      = "X-Bayt-Hook-Id"
)

// Sign returns the X-Bayt-Signature of body under secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether signature is body's under secret, in constant
// time: what a partner's receiver does.
func Verify(secret string, body []byte, signature string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(signature))
}

// Secret derives hook id's secret from the server's keyed hash: nothing
// is stored that would give it away, and the same master key gives the
// same secret on every node.
func Secret(keyedHash func(purpose, text string) string, id string) string {
	return "whsec_" + keyedHash("webhook-secret", id)
}

// Cases loads a case as its events leave it.
type Cases interface {
	Load(ctx context.Context, id string) (*casefile.Case, int64, error)
}

// Hook is a partner's address that hears of public case events, of one
// district or one category when those are set.
type Hook struct {
	ID          string     `json:"id"`
	URL         string     `json:"url"`
	Description string     `json:"description"`
	District    string     `json:"district"`
	Category    string     `json:"category"`
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	DeletedAt   *time.Time `json:"deleted_at,omitempty"`
}

// Delivery is one event's delivery to one hook, as the log keeps it:
// Status is pending, delivered or failed (given up on).
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

// Attempt is one try at posting body: the receiver's status, or an error
// when none answered.
type Attempt func(ctx context.Context, body []byte) (int, error)

// Store is the hooks and their delivery log. Deliver runs send unless the
// event was delivered to the hook already, records the attempt, and
// returns an error unless the receiver answered 2xx; it reports whether
// this call delivered. GiveUp marks the event's pending deliveries failed.
type Store interface {
	List(ctx context.Context) ([]Hook, error)
	Deliver(ctx context.Context, hookID, eventID string, position int64, eventType string, body []byte, send Attempt) (bool, error)
	GiveUp(ctx context.Context, eventID string) error
}

// Config is what a Deliverer needs.
type Config struct {
	Store Store
	Cases Cases
	// KeyedHashFunc derives each hook's secret (see Secret).
	KeyedHashFunc func(purpose, text string) string
	// PublicURL is where residents reach Bayt, which the body's links name.
	PublicURL string
	// Client posts the deliveries; one with a ten-second timeout that
	// follows no redirect when nil.
	Client *http.Client
	// MaxAge is how old an event may be and still be posted (a day when
	// zero): a relay that republishes history (a restored log) must not
	// replay it to partners.
	MaxAge  time.Duration
	NowFunc func() time.Time
	Logger  *slog.Logger
	// DeliveredFunc, when set, is called after each delivery a partner
	// took, with the hook and the event. Tests wait on it.
	DeliveredFunc func(hookID, eventID string)
	// GaveUpFunc, when set, is called when the retries of an event are
	// spent and it goes to the poison queue.
	GaveUpFunc func(eventID string)
}

// Deliverer posts public case events to the hooks.
type Deliverer struct {
	cfg Config
}

// New returns a Deliverer.
func New(cfg Config) (*Deliverer, error) {
	if cfg.Store == nil || cfg.Cases == nil || cfg.KeyedHashFunc == nil {
		return nil, errors.New("webhook: incomplete configuration")
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{
			Timeout: 10 * time.Second,
			// A redirect is not a delivery: the partner fixes its address.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 24 * time.Hour
	}
	if cfg.NowFunc == nil {
		cfg.NowFunc = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Deliverer{cfg: cfg}, nil
}

// events are the case events partners hear of: the steps of the case's
// life, each public.
var events = map[string]bool{
	casefile.TypeCaseReported: true, casefile.TypeCaseTriaged: true, casefile.TypeCaseRejected: true,
	casefile.TypeCaseMerged: true, casefile.TypeCaseForwarded: true, casefile.TypeCaseAcknowledged: true,
	casefile.TypeCaseAnswered: true, casefile.TypeCaseResolved: true, casefile.TypeResolutionConfirmed: true,
	casefile.TypeCaseReopened: true, casefile.TypeSLABreached: true,
}

// Payload is the body of a delivery.
type Payload struct {
	EventID    string      `json:"event_id"`
	Event      string      `json:"event"`
	Position   int64       `json:"position"`
	RecordedAt time.Time   `json:"recorded_at"`
	Case       PayloadCase `json:"case"`
}

// PayloadCase is the case as the public reads it, after the event.
type PayloadCase struct {
	ID         string     `json:"id"`
	Status     string     `json:"status"`
	Category   string     `json:"category"`
	District   string     `json:"district"`
	Department string     `json:"department"`
	Title      string     `json:"title"`
	DueAt      *time.Time `json:"due_at"`
	Lat        *float64   `json:"lat"`
	Lon        *float64   `json:"lon"`
	URL        string     `json:"url"`
}

// Handle is the watermill handler. An error (the store unreachable, a
// partner that did not take the event) has the message redelivered; a
// partner that took it already is not posted again.
func (d *Deliverer) Handle(msg *message.Message) error {
	var n relay.Notice
	if err := json.Unmarshal(msg.Payload, &n); err != nil {
		d.cfg.Logger.Warn("webhook: undecodable message", "err", err, "message_id", msg.UUID)
		return nil
	}
	return d.handle(msg.Context(), n)
}

func (d *Deliverer) handle(ctx context.Context, n relay.Notice) error {
	if n.EventID == "" || !events[n.Type] {
		return nil
	}
	if !n.RecordedAt.IsZero() && d.cfg.NowFunc().Sub(n.RecordedAt) > d.cfg.MaxAge {
		return nil
	}
	hooks, err := d.cfg.Store.List(ctx)
	if err != nil || len(hooks) == 0 {
		return err
	}
	c, _, err := d.cfg.Cases.Load(ctx, n.Stream)
	if errors.Is(err, domain.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("webhook: load %s: %w", n.Stream, err)
	}
	if c.Hidden() {
		return nil
	}
	body, err := json.Marshal(d.payload(n, c))
	if err != nil {
		return err
	}
	event := transport.EventName(n.Type)
	var errs []error
	for _, h := range hooks {
		// A hook hears of what happened after it was registered: a new
		// partner is not sent the log's history.
		if (!n.RecordedAt.IsZero() && n.RecordedAt.Before(h.CreatedAt)) ||
			(h.District != "" && h.District != c.District) || (h.Category != "" && h.Category != c.Category) {
			continue
		}
		done, err := d.cfg.Store.Deliver(ctx, h.ID, n.EventID, n.Position, event, body, d.post(h, n.EventID, event))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if done && d.cfg.DeliveredFunc != nil {
			d.cfg.DeliveredFunc(h.ID, n.EventID)
		}
	}
	return errors.Join(errs...)
}

func (d *Deliverer) payload(n relay.Notice, c *casefile.Case) Payload {
	p := Payload{EventID: n.EventID, Event: transport.EventName(n.Type), Position: n.Position, RecordedAt: n.RecordedAt.UTC(),
		Case: PayloadCase{ID: c.ID, Status: string(c.Status), Category: c.Category, District: c.District,
			Department: c.Department, Title: c.PublicTitle(), URL: d.cfg.PublicURL + "/cases/" + c.ID}}
	if c.DueAt != nil {
		due := c.DueAt.UTC()
		p.Case.DueAt = &due
	}
	if c.Location != nil {
		lat, lon := export.Round(c.Location.Lat), export.Round(c.Location.Lon)
		p.Case.Lat, p.Case.Lon = &lat, &lon
	}
	return p
}

// post returns the attempt that posts a body to h.
func (d *Deliverer) post(h Hook, eventID, event string) Attempt {
	secret := Secret(d.cfg.KeyedHashFunc, h.ID)
	return func(ctx context.Context, body []byte) (int, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "Bayt-Webhook/1")
		req.Header.Set(HeaderSignature, Sign(secret, body))
		req.Header.Set(HeaderEventID, eventID)
		req.Header.Set(HeaderEvent, event)
		req.Header.Set(HeaderHook, h.ID)
		resp, err := d.cfg.Client.Do(req)
		if err != nil {
			return 0, err
		}
		// What the partner answers is not read: only its status counts.
		_ = resp.Body.Close()
		return resp.StatusCode, nil
	}
}

// GiveUp is the handler middleware between the poison queue and the
// retries: when the retries are spent, the deliveries still pending are
// logged as failed, and the message goes on to the poison queue.
func (d *Deliverer) GiveUp(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		out, err := h(msg)
		if err == nil {
			return out, nil
		}
		var n relay.Notice
		if json.Unmarshal(msg.Payload, &n) == nil && n.EventID != "" {
			if gerr := d.cfg.Store.GiveUp(context.WithoutCancel(msg.Context()), n.EventID); gerr != nil {
				d.cfg.Logger.Warn("webhook: log the failed delivery", "err", gerr, "event_id", n.EventID)
			}
		}
		d.cfg.Logger.Warn("webhook: gave up on an event", "event_id", n.EventID, "position", n.Position, "err", err)
		if d.cfg.GaveUpFunc != nil {
			d.cfg.GaveUpFunc(n.EventID)
		}
		return out, err
	}
}
