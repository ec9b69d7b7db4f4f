package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wmnats "github.com/ThreeDotsLabs/watermill-nats/v2/pkg/nats"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/citizenhouse/bayt/projections/relay"
	"github.com/nats-io/nats.go"
)

// bus is the message bus: GoChannel on one node, NATS JetStream across
// several. It carries doorbells (positions), never data.
type bus struct {
	pub    message.Publisher
	sub    message.Subscriber
	closes []func() error
}

func (b *bus) Close() error {
	var errs []error
	for _, c := range b.closes {
		errs = append(errs, c())
	}
	return errors.Join(errs...)
}

func newBus(cfg config, logger *slog.Logger) (*bus, error) {
	wl := watermill.NewSlogLogger(logger)
	switch cfg.Bus {
	case "gochannel":
		gc := gochannel.NewGoChannel(gochannel.Config{OutputChannelBuffer: 1024}, wl)
		return &bus{pub: gc, sub: gc, closes: []func() error{gc.Close}}, nil
	case "nats":
		return newNATSBus(cfg.NATSURL, wl)
	default:
		return nil, fmt.Errorf("%w: unknown bus %q", errUsage, cfg.Bus)
	}
}

// natsRetention bounds what JetStream keeps of the doorbells: nobody
// replays them, the event store is the history.
const natsRetention = 10 * time.Minute

func newNATSBus(url string, wl watermill.LoggerAdapter) (*bus, error) {
	opts := []nats.Option{nats.Name("bayt"), nats.Timeout(5 * time.Second), nats.ReconnectWait(time.Second), nats.MaxReconnects(-1)}
	if err := ensureStreams(url, opts, relay.EventsTopic, relay.ChangesTopic); err != nil {
		return nil, err
	}
	js := wmnats.JetStreamConfig{
		// Every node needs every doorbell from now on: an ephemeral consumer
		// per node, no queue group, delivery of new messages only.
		SubscribeOptions: []nats.SubOpt{nats.DeliverNew(), nats.AckExplicit()},
	}
	pub, err := wmnats.NewPublisher(wmnats.PublisherConfig{
		URL: url, NatsOptions: opts, Marshaler: &wmnats.NATSMarshaler{}, JetStream: js,
	}, wl)
	if err != nil {
		return nil, fmt.Errorf("connect to NATS at %s: %w", url, err)
	}
	sub, err := wmnats.NewSubscriber(wmnats.SubscriberConfig{
		URL: url, NatsOptions: opts, Unmarshaler: &wmnats.NATSMarshaler{}, JetStream: js,
		CloseTimeout: 5 * time.Second, AckWaitTimeout: 30 * time.Second, SubscribeTimeout: 10 * time.Second,
	}, wl)
	if err != nil {
		_ = pub.Close()
		return nil, fmt.Errorf("connect to NATS at %s: %w", url, err)
	}
	return &bus{pub: pub, sub: sub, closes: []func() error{sub.Close, pub.Close}}, nil
}

// ensureStreams creates the JetStream streams with bounded retention
// (watermill's auto-provisioning would keep every message forever).
func ensureStreams(url string, opts []nats.Option, topics ...string) error {
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return fmt.Errorf("connect to NATS at %s: %w", url, err)
	}
	defer nc.Close()
	js, err := nc.JetStream()
	if err != nil {
		return fmt.Errorf("JetStream: %w", err)
	}
	for _, t := range topics {
		sc := &nats.StreamConfig{Name: t, Subjects: []string{t}, MaxAge: natsRetention, Storage: nats.MemoryStorage}
		if _, err := js.StreamInfo(t); errors.Is(err, nats.ErrStreamNotFound) {
			if _, err := js.AddStream(sc); err != nil && !errors.Is(err, nats.ErrStreamNameAlreadyInUse) {
				return fmt.Errorf("create stream %s: %w", t, err)
			}
		} else if err != nil {
			return fmt.Errorf("stream %s: %w", t, err)
		}
	}
	return nil
}

// newRouter returns a watermill router whose handlers ring notify for
// every doorbell on the bus, with Retry and PoisonQueue middleware.
func newRouter(b *bus, logger *slog.Logger, notify func()) (*message.Router, error) {
	wl := watermill.NewSlogLogger(logger)
	r, err := message.NewRouter(message.RouterConfig{CloseTimeout: 5 * time.Second}, wl)
	if err != nil {
		return nil, err
	}
	poison, err := middleware.PoisonQueue(b.pub, "bayt_poison")
	if err != nil {
		return nil, err
	}
	r.AddMiddleware(middleware.Recoverer, poison, middleware.Retry{MaxRetries: 3, InitialInterval: 100 * time.Millisecond, Logger: wl}.Middleware)
	for _, topic := range []string{relay.EventsTopic, relay.ChangesTopic} {
		r.AddConsumerHandler("live-"+topic, topic, b.sub, func(*message.Message) error {
			notify()
			return nil
		})
	}
	return r, nil
}

// publishChange tells every node that the read model reached position.
func publishChange(ctx context.Context, b *bus, logger *slog.Logger, source string, position int64) {
	msg, err := relay.NewMessage(relay.Notice{Position: position, Source: source})
	if err == nil {
		msg.SetContext(ctx)
		err = b.pub.Publish(relay.ChangesTopic, msg)
	}
	if err != nil {
		logger.Warn("publish change notice", "err", err, "position", position)
	}
}
