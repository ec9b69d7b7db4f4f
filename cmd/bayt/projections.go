package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
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
	return rebuildAll(ctx, stdout, stderr, pool, store, reg, names)
}

// rebuildAll rebuilds the named read models side by side, each on a
// connection of its own: a rebuild waits on PostgreSQL more than it works,
// so on two cores the three of them take little longer than the case list
// alone. Each holds its connection and borrows another to read the log, so
// the pool bounds how many run at once. One bar shows the whole, in events
// of the log: the models' progress averaged.
func rebuildAll(ctx context.Context, stdout, stderr io.Writer, pool *pgxpool.Pool, store *eventstore.Store,
	reg projections.Registry, names []string) error {
	head, err := store.Head(ctx)
	if err != nil {
		return err
	}
	bar := newProgressBar(stderr, strings.Join(names, "+"), "events")
	var (
		mu      sync.Mutex
		applied = make(map[string]int64, len(names))
		lines   = make(map[string]string, len(names))
		wg      sync.WaitGroup
		errs    = make([]error, len(names))
		slots   = make(chan struct{}, max(1, min(len(names), int(pool.Config().MaxConns)/2)))
	)
	for i, name := range names {
		m, _ := reg.Lookup(name)
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			start := time.Now()
			n, err := projections.Rebuild(ctx, pool, projectionReader{store}, m.Postgres(pool), 5000, func(done, _ int64, _ time.Duration) {
				mu.Lock()
				applied[name] = done
				var all int64
				for _, n := range applied {
					all += n
				}
				mu.Unlock()
				// The bar counts events of the log, as the total line
				// does: the models' progress averaged. Events appended
				// meanwhile are folded too, past the head at the start.
				bar.update(min(all/int64(len(names)), head), head, bar.elapsed())
			})
			if err != nil {
				errs[i] = err
				return
			}
			took := time.Since(start)
			mu.Lock()
			lines[name] = fmt.Sprintf("rebuilt %s: %d events in %s (%.0f events/s), swapped in\n", name, n, took.Round(time.Millisecond), float64(n)/max(took.Seconds(), 1e-9))
			mu.Unlock()
		})
	}
	wg.Wait()
	bar.done()
	var out strings.Builder
	for _, name := range names {
		out.WriteString(lines[name])
	}
	if err := errors.Join(errs...); err != nil {
		_, _ = io.WriteString(stdout, out.String())
		return err
	}
	if len(names) > 1 {
		took := bar.elapsed()
		fmt.Fprintf(&out, "rebuilt %d read models from a log of %d events in %s (%.0f events/s)\n", len(names), head, took.Round(time.Millisecond), float64(head)/max(took.Seconds(), 1e-9))
	}
	_, err = io.WriteString(stdout, out.String())
	return err
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
	// redraw is set when w is a terminal; elsewhere only the last state
	// is written, by done.
	redraw bool
	// the last update
	applied, total int64
	took           time.Duration
}

func newProgressBar(w io.Writer, name, unit string) *progressBar {
	return &progressBar{w: w, name: name, unit: unit, start: time.Now(), redraw: isTerminal(w)}
}

// isTerminal reports whether w is a terminal: redrawing one line with
// carriage returns only makes sense there, and would leave a log file one
// very long line.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *progressBar) update(applied, total int64, elapsed time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.applied, p.total, p.took = applied, total, elapsed
	if !p.redraw || (time.Since(p.last) < 200*time.Millisecond && applied < total) {
		return
	}
	p.last, p.drawn = time.Now(), true
	_, _ = io.WriteString(p.w, "\r"+p.line())
}

// line is the bar at its last update.
func (p *progressBar) line() string {
	rate := float64(p.applied) / max(p.took.Seconds(), 1e-9)
	frac := float64(p.applied) / float64(max(p.total, 1))
	eta := time.Duration(float64(p.total-p.applied)/max(rate, 1)) * time.Second
	const width = 30
	filled := min(int(frac*width), width)
	return fmt.Sprintf("%s [%s%s] %d/%d %3.0f%% %.0f %s/s ETA %s ", p.name,
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), p.applied, p.total, frac*100, rate, p.unit, eta.Round(time.Second))
}

// done ends the bar's line on a terminal; elsewhere it writes the bar's
// last state once, as a line of the log.
func (p *progressBar) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.drawn:
		_, _ = fmt.Fprintln(p.w)
	case !p.redraw && p.total > 0:
		_, _ = fmt.Fprintln(p.w, strings.TrimSpace(p.line()))
	}
}

func (p *progressBar) elapsed() time.Duration { return time.Since(p.start) }
