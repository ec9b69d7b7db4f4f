package main

import (
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
func (p *program) wireWebhooks(cfg config, router *message.Router, b *bus, hooks *eventstore.Webhooks, cases webhook.Cases, keyedHash func(purpose, text string) string, logger *slog.Logger) error {
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
