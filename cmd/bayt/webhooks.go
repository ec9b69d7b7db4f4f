package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/projections/relay"
	"github.com/citizenhouse/bayt/transport/webhook"
)

// webhookPoisonTopic is where the events go whose delivery to a partner
// failed every retry: apart from the router's own, so that an operator
// tells a partner that is down from a fault of Bayt's.
const webhookPoisonTopic = "bayt_webhooks_poison"

// wireWebhooks adds the webhook deliverer to the router as one more
// consumer of the events, and gives the admin API the hooks.
func (p *program) wireWebhooks(cfg config, router *message.Router, b *bus, hooks webhookStore, cases webhook.Cases, keyedHash func(purpose, text string) string, logger *slog.Logger) error {
	d, err := webhook.New(webhook.Config{
		Store: hooks, Cases: cases, KeyedHashFunc: keyedHash, PublicURL: cfg.PublicURL,
		Logger: logger, DeliveredFunc: cfg.webhookDeliveredFunc, GaveUpFunc: cfg.webhookGaveUpFunc,
	})
	if err != nil {
		return err
	}
	poison, err := middleware.PoisonQueue(b.pub, webhookPoisonTopic)
	if err != nil {
		return err
	}
	h := router.AddConsumerHandler("webhooks", relay.EventsTopic, b.sub, d.Handle)
	// A partner's server is down for minutes: the deliverer retries with
	// a growing wait, then logs the deliveries it gave up on and parks
	// the event in its own poison queue, before the router's retries
	// would see an error.
	h.AddMiddleware(poison, d.GiveUp, middleware.Retry{
		MaxRetries: cfg.WebhookRetries, InitialInterval: cfg.WebhookBackoff, Multiplier: 2,
		MaxInterval: max(time.Minute, cfg.WebhookBackoff), Logger: watermill.NewSlogLogger(logger),
	}.Middleware)
	return nil
}

// webhookStore is the hooks on PostgreSQL as the deliverer and the API
// declare them.
type webhookStore struct{ s *eventstore.Webhooks }

func (w webhookStore) Create(ctx context.Context, h webhook.Hook, key string, requestHash []byte) (webhook.Hook, bool, error) {
	created, first, err := w.s.Create(ctx, eventstore.Webhook(h), key, requestHash)
	return webhook.Hook(created), first, err
}

func (w webhookStore) List(ctx context.Context) ([]webhook.Hook, error) {
	hooks, err := w.s.List(ctx)
	out := make([]webhook.Hook, len(hooks))
	for i, h := range hooks {
		out[i] = webhook.Hook(h)
	}
	return out, err
}

func (w webhookStore) Get(ctx context.Context, id string) (webhook.Hook, error) {
	h, err := w.s.Get(ctx, id)
	return webhook.Hook(h), err
}

func (w webhookStore) Delete(ctx context.Context, id string) error { return w.s.Delete(ctx, id) }

func (w webhookStore) Deliveries(ctx context.Context, id string, limit int) ([]webhook.Delivery, error) {
	ds, err := w.s.Deliveries(ctx, id, limit)
	out := make([]webhook.Delivery, len(ds))
	for i, d := range ds {
		out[i] = webhook.Delivery(d)
	}
	return out, err
}

func (w webhookStore) Deliver(ctx context.Context, hookID, eventID string, position int64, eventType string, body []byte, send webhook.Attempt) (bool, error) {
	return w.s.Deliver(ctx, hookID, eventID, position, eventType, body, eventstore.Attempt(send))
}

func (w webhookStore) GiveUp(ctx context.Context, eventID string) error {
	return w.s.GiveUp(ctx, eventID)
}
