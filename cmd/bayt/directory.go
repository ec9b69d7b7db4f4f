package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/citizenhouse/bayt/domain/directory"
)

// defaultDirectoryEvery bounds how long an admin's edit of the directory
// takes to reach the other nodes.
const defaultDirectoryEvery = 2 * time.Second

// directoryWatch brings a node's directory up to date with edits made on
// other nodes. It reads the stream's new events on a short period rather
// than waiting on the read models' progress: the runners hold leases, so
// one node may run none of them and hear of the log only through the bus,
// whose messages name read models, not streams. A read that finds nothing
// new is one indexed query returning no rows; the node's own edits do not
// wait for it (the directory service hands them to the Live at once).
type directoryWatch struct {
	live  *directory.Live
	every time.Duration
	log   *slog.Logger
	// changedFunc, when set, is called with the directory's version after
	// a read that found edits.
	changedFunc func(version int64)
}

func (w directoryWatch) Run(ctx context.Context) error {
	every := w.every
	if every <= 0 {
		every = defaultDirectoryEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		changed, err := w.live.Refresh(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			w.log.Warn("read directory edits", "err", err)
		case changed:
			w.log.Info("directory updated from the log", "version", w.live.Version())
			if w.changedFunc != nil {
				w.changedFunc(w.live.Version())
			}
		}
	}
}
