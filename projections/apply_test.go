package projections_test

import (
	"context"
	"testing"

	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
	"github.com/citizenhouse/bayt/projections"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// settingsSeen is a handler that records, inside the transaction it is
// given, whether that transaction waits for the WAL flush at commit.
type settingsSeen struct{ syncCommit string }

func (*settingsSeen) Name() string { return "settings_seen" }

func (h *settingsSeen) Apply(ctx context.Context, tx pgx.Tx, _ []projections.Event) error {
	return tx.QueryRow(ctx, "SHOW synchronous_commit").Scan(&h.syncCommit)
}

// TestReadModelCommitsDoNotWaitForTheFlush applies a batch and checks that
// the read model's transaction commits asynchronously, and that the
// setting ends with it: the connection goes back to the pool waiting for
// the flush at commit, as every append needs.
func TestReadModelCommitsDoNotWaitForTheFlush(t *testing.T) {
	shared, _ := eventstoretest.Schema(t, nil)
	ctx := context.Background()
	// One connection, so that the one read after the batch is the one
	// that ran it.
	cfg := shared.Config()
	cfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	h := &settingsSeen{}
	var pos int64
	pos, err = projections.ApplyBatch(ctx, pool, h, []projections.Event{{Position: 1}})
	if err != nil || pos != 1 {
		t.Fatalf("apply: position %d, %v", pos, err)
	}
	if h.syncCommit != "off" {
		t.Fatalf("synchronous_commit in the read model's transaction = %q, want off", h.syncCommit)
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	var after string
	if err := conn.QueryRow(ctx, "SHOW synchronous_commit").Scan(&after); err != nil || after != "on" {
		t.Fatalf("synchronous_commit after the batch = %q, %v; want on", after, err)
	}
}
