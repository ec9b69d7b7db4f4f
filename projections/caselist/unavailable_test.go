package caselist_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/projections/caselist"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestUnreachableDatabaseIsUnavailable checks that the read model's
// queries answer domain.ErrUnavailable, which surfaces turn into 503, when
// the database refuses connections.
func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ln, err := new(net.ListenConfig).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, "postgres://postgres@"+addr+"/bayt?connect_timeout=5")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	p := caselist.NewPostgres(pool, caselist.Config{})
	now := time.Now()
	_, err = p.List(ctx, caselist.Filter{Now: now})
	check(t, "list", err)
	_, err = p.Board(ctx, now)
	check(t, "board", err)
	_, err = p.FeedAfter(ctx, 0, 10)
	check(t, "feed", err)
	_, err = p.Inbox(ctx, "roads_works")
	check(t, "inbox", err)
	_, err = p.CountResolved(ctx, []string{"case-x"})
	check(t, "count resolved", err)
}

func check(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("%s: err = %v, want domain.ErrUnavailable", what, err)
	}
}
