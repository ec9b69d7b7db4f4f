package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/projections/caselist"
	"github.com/citizenhouse/bayt/transport/export"
)

// exportCommand writes the open data to a file, as the API's download
// does: the same rows from the same read model, page by page.
func exportCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var format, out *string
	cfg := configFromEnv()
	pool, _, err := databaseCommand(ctx, "export", args, stderr, false, func(fs *flag.FlagSet) {
		format = fs.String("format", "csv", "csv or geojson")
		out = fs.String("out", "", "the file to write; - for standard output")
	})
	if err != nil {
		return err
	}
	defer pool.Close()
	f, err := export.ParseFormat(*format)
	if err != nil {
		return fmt.Errorf("%w: --format: %w", errUsage, err)
	}
	if *out == "" {
		return fmt.Errorf("%w: --out is required", errUsage)
	}
	zone, err := cfg.zone()
	if err != nil {
		return err
	}
	store := eventstore.New(pool, eventstore.Config{})
	dir, err := liveDirectory(ctx, store)
	store.Close()
	if err != nil {
		return err
	}
	list := caselist.NewPostgres(pool, caselist.Config{Zone: zone})
	now := time.Now()
	board, err := list.Board(ctx, now)
	if err != nil {
		return err
	}
	total := 0
	for _, n := range board.ByStatus {
		total += n
	}

	w, commit, err := createOutput(*out, stdout)
	if err != nil {
		return err
	}
	bar := newProgressBar(stderr, "export", "cases")
	written, err := export.Source{Cases: list, Categories: dir}.Export(ctx, f, caselist.Filter{Now: now}, 0, w, nil,
		func(n int) { bar.update(int64(n), int64(max(total, n)), bar.elapsed()) })
	if err == nil {
		// A GeoJSON export leaves the cases without a place out: its
		// bar ends where the export did.
		bar.update(int64(written), int64(written), bar.elapsed())
	}
	bar.done()
	if err := commit(err); err != nil {
		return err
	}
	if *out == "-" {
		return nil
	}
	_, err = fmt.Fprintf(stderr, "exported %d cases to %s in %s\n", written, *out, bar.elapsed().Round(time.Millisecond))
	return err
}

// createOutput opens where an export goes. A file is written beside its
// final name and renamed into place once whole: an export that fails
// leaves no half file, and an older export at that name stays until the
// new one is complete. commit ends the writing, given the export's error.
func createOutput(name string, stdout io.Writer) (io.Writer, func(error) error, error) {
	if name == "-" {
		return stdout, func(err error) error { return err }, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return nil, nil, fmt.Errorf("export: %w", err)
	}
	commit := func(err error) error {
		if err == nil {
			err = tmp.Sync()
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Chmod(tmp.Name(), 0o644)
		}
		if err == nil {
			err = os.Rename(tmp.Name(), name)
		}
		if err != nil {
			_ = os.Remove(tmp.Name())
			return fmt.Errorf("export: %w", err)
		}
		return nil
	}
	return tmp, commit, nil
}
