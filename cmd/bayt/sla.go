package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/citizenhouse/bayt/domain"
)

// slaWatch records SLABreached on every case whose due date passed without
// a resolution: accountability is part of the record, not only a figure on
// a board. Recording is idempotent (the case records one breach per due
// date), so two nodes running it at once do no harm beyond wasted work.
type slaWatch struct {
	overdue interface {
		Unbreached(ctx context.Context, now time.Time, limit int) ([]string, error)
	}
	cases interface {
		RecordSLABreach(ctx context.Context, id string, opts domain.UpdateOptions) (domain.Outcome, error)
	}
	every time.Duration
	log   *slog.Logger
	// nowFunc is the clock that finds overdue cases; time.Now when nil.
	// The breach itself is dated by the case service's clock.
	nowFunc func() time.Time
	// breachedFunc, when set, is called for each breach recorded (not
	// for one another node recorded first): the metrics count them.
	breachedFunc func()
}

func (w slaWatch) Run(ctx context.Context) error {
	t := time.NewTicker(w.every)
	defer t.Stop()
	for {
		w.sweep(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (w slaWatch) sweep(ctx context.Context) {
	now := time.Now().UTC()
	if w.nowFunc != nil {
		now = w.nowFunc().UTC()
	}
	ids, err := w.overdue.Unbreached(ctx, now, 500)
	if err != nil {
		if ctx.Err() == nil {
			w.log.Warn("find overdue cases", "err", err)
		}
		return
	}
	sctx := domain.WithMetadata(ctx, domain.Metadata{Actor: domain.System})
	for _, id := range ids {
		out, err := w.cases.RecordSLABreach(sctx, id, domain.UpdateOptions{IfMatch: domain.AnyVersion})
		if err != nil {
			if ctx.Err() == nil {
				w.log.Warn("record SLA breach", "case", id, "err", err)
			}
			continue
		}
		if len(out.Events) > 0 && w.breachedFunc != nil {
			w.breachedFunc()
		}
	}
}

// idempotencyRetention is how long an Idempotency-Key protects a request.
const idempotencyRetention = 7 * 24 * time.Hour

// forgetIdempotency deletes old idempotency answers every hour.
func forgetIdempotency(store interface {
	ForgetIdempotency(ctx context.Context, age time.Duration) (int64, error)
}, log *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			if _, err := store.ForgetIdempotency(ctx, idempotencyRetention); err != nil && ctx.Err() == nil {
				log.Warn("forget idempotency keys", "err", err)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
	}
}
