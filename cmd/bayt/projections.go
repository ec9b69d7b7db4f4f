package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/projections"
	"github.com/jackc/pgx/v5/pgxpool"
)

// projectionReader adapts the event store for rebuilds.
type projectionReader struct{ store *eventstore.Store }

func (r projectionReader) ReadAll(ctx context.Context, after int64, limit int) ([]projections.Event, error) {
	events, err := r.store.ReadAll(ctx, after, limit)
	return toProjectionEvents(events), err
}

func (r projectionReader) Head(ctx context.Context) (int64, error) { return r.store.Head(ctx) }

func projectionsCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "rebuild" && args[0] != "status") {
		_, _ = fmt.Fprintln(stderr, "usage: bayt projections rebuild [NAME] | bayt projections status")
		return errUsage
	}
	// The zone numbers cases: a rebuild must number them as bayt serve does.
	zone, err := configFromEnv().zone()
	if err != nil {
		return err
	}
	pool, names, err := databaseCommand(ctx, "projections "+args[0], args[1:], stderr, true, nil)
	if err != nil {
		return err
	}
	defer pool.Close()
	store := eventstore.New(pool, eventstore.Config{})
	defer store.Close()
	reg := readModels(zone)
	if args[0] == "status" {
		return projectionsStatus(ctx, stdout, pool, store, reg)
	}
	if len(names) == 0 {
		names = reg.Names()
	}
	for _, name := range names {
		if _, ok := reg.Lookup(name); !ok {
			return fmt.Errorf("%w: unknown projection %q (known: %s)", errUsage, name, strings.Join(reg.Names(), ", "))
		}
	}
	for _, name := range names {
		m, _ := reg.Lookup(name)
		bar := newProgressBar(stderr, name, "events")
		n, err := projections.Rebuild(ctx, pool, projectionReader{store}, m.Postgres(pool), 5000, bar.update)
		bar.done()
		if err != nil {
			return err
		}
		took := bar.elapsed()
		if _, err := fmt.Fprintf(stdout, "rebuilt %s: %d events in %s (%.0f events/s), swapped in\n", name, n, took.Round(time.Millisecond), float64(n)/max(took.Seconds(), 1e-9)); err != nil {
			return err
		}
	}
	return nil
}

// projectionsStatus prints every read model of reg with its position and
// lag, a read model that has applied nothing yet included, then the other
// checkpoints (the relay's).
func projectionsStatus(ctx context.Context, stdout io.Writer, pool *pgxpool.Pool, store *eventstore.Store, reg projections.Registry) error {
	head, err := store.Head(ctx)
	if err != nil {
		return err
	}
	st, err := projections.Statuses(ctx, pool, head)
	if err != nil {
		return err
	}
	byName := make(map[string]projections.Status, len(st))
	for _, s := range st {
		byName[s.Name] = s
	}
	var out strings.Builder
	fmt.Fprintf(&out, "log head: %d\n", head)
	for _, m := range reg {
		s, ok := byName[m.Name]
		delete(byName, m.Name)
		updated := "never"
		if ok {
			updated = s.UpdatedAt.UTC().Format(time.RFC3339)
		} else {
			s = projections.Status{Name: m.Name, Lag: head}
		}
		fmt.Fprintf(&out, "%-12s position %-10d lag %-8d updated %s\n", s.Name, s.Position, s.Lag, updated)
	}
	for _, s := range st {
		if _, ok := byName[s.Name]; ok {
			fmt.Fprintf(&out, "%-12s position %-10d lag %-8d updated %s\n", s.Name, s.Position, s.Lag, s.UpdatedAt.UTC().Format(time.RFC3339))
		}
	}
	_, err = io.WriteString(stdout, out.String())
	return err
}

// progressBar draws one line, redrawn at most every 200 ms. It is safe for
// concurrent use: demo load's workers all report to one bar.
type progressBar struct {
	mu    sync.Mutex
	w     io.Writer
	name  string
	unit  string
	start time.Time
	last  time.Time
	drawn bool
}

func newProgressBar(w io.Writer, name, unit string) *progressBar {
	return &progressBar{w: w, name: name, unit: unit, start: time.Now()}
}

func (p *progressBar) update(applied, total int64, elapsed time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 200*time.Millisecond && applied < total {
		return
	}
	p.last, p.drawn = time.Now(), true
	rate := float64(applied) / max(elapsed.Seconds(), 1e-9)
	frac := float64(applied) / float64(max(total, 1))
	eta := time.Duration(float64(total-applied)/max(rate, 1)) * time.Second
	const width = 30
	filled := min(int(frac*width), width)
	_, _ = fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d %3.0f%% %.0f %s/s ETA %s ", p.name,
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), applied, total, frac*100, rate, p.unit, eta.Round(time.Second))
}

func (p *progressBar) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		_, _ = fmt.Fprintln(p.w)
	}
}

func (p *progressBar) elapsed() time.Duration { return time.Since(p.start) }
