package eventstore_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
)

func TestMailLog(t *testing.T) {
	t.Parallel()
	pool, _ := eventstoretest.Schema(t, nil)
	log := eventstore.NewMailLog(pool)
	ctx := context.Background()

	t.Run("ConcurrentDeliveriesSendOnce", func(t *testing.T) {
		t.Parallel()
		// Twenty deliveries of one event at once, as several nodes and a
		// relay's republishing may make: one sends, the others wait on
		// its claim and find it taken.
		var sends atomic.Int32
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := log.SendOnce(ctx, "ev-1", "reporter", func(context.Context) error { sends.Add(1); return nil }); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if n := sends.Load(); n != 1 {
			t.Fatalf("sent %d times, want once", n)
		}
		// Another recipient of the same event is told separately.
		if sent, err := log.SendOnce(ctx, "ev-1", "department", func(context.Context) error { return nil }); err != nil || !sent {
			t.Fatalf("the department of the same event: sent %v, %v", sent, err)
		}
	})

	t.Run("FailedSendIsTriedAgain", func(t *testing.T) {
		t.Parallel()
		down := errors.New("smtp down")
		if sent, err := log.SendOnce(ctx, "ev-2", "reporter", func(context.Context) error { return down }); !errors.Is(err, down) || sent {
			t.Fatalf("failing send: sent %v, %v", sent, err)
		}
		if sent, err := log.SendOnce(ctx, "ev-2", "reporter", func(context.Context) error { return nil }); err != nil || !sent {
			t.Fatalf("the retry after a failure: sent %v, %v; want it sent", sent, err)
		}
	})

	t.Run("ForgetSent", func(t *testing.T) {
		t.Parallel()
		if _, err := log.SendOnce(ctx, "ev-old", "reporter", func(context.Context) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(ctx, "UPDATE mail_sent SET sent_at = now() - interval '8 days' WHERE event_id = 'ev-old'"); err != nil {
			t.Fatal(err)
		}
		if _, err := log.SendOnce(ctx, "ev-new", "reporter", func(context.Context) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if n, err := log.ForgetSent(ctx, 7*24*time.Hour); err != nil || n != 1 {
			t.Fatalf("ForgetSent = %d, %v; want the old row alone", n, err)
		}
		if sent, err := log.SendOnce(ctx, "ev-new", "reporter", func(context.Context) error { return nil }); err != nil || sent {
			t.Fatalf("the recent row was forgotten: sent %v, %v", sent, err)
		}
	})

	t.Run("OptOut", func(t *testing.T) {
		t.Parallel()
		for range 2 {
			if err := log.OptOut(ctx, "case:case-1"); err != nil {
				t.Fatal(err)
			}
		}
		if out, err := log.OptedOut(ctx, "case:case-1"); err != nil || !out {
			t.Fatalf("opted out: %v, %v", out, err)
		}
		if out, err := log.OptedOut(ctx, "case:case-2"); err != nil || out {
			t.Fatalf("another case opted out: %v, %v", out, err)
		}
	})
}
