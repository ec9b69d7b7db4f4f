package projections

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Memory is a read model kept in process memory, for Bayt running without
// a database. Apply folds a batch in log order; events at or below the
// position already applied are skipped, and a batch that cannot be applied
// whole changes nothing. It is safe for concurrent use with the model's
// queries.
type Memory interface {
	Apply(ctx context.Context, events []Event) error
}

// ReadModel is one read model as the binary knows it: its name, its two
// implementations and what it feeds.
type ReadModel struct {
	// Name is the projection's name in checkpoints and leases; it is the
	// Postgres implementation's Name.
	Name string
	// Postgres returns the implementation kept in pool's database.
	Postgres func(pool *pgxpool.Pool) Tabled
	// Memory returns an empty implementation kept in process memory.
	Memory func() Memory
	// Feeds names the live board whose hub serves the read model's feed
	// and is woken each time it moves on; empty when it feeds none.
	Feeds string
}

// Registry lists every read model once, in the order they are started,
// rebuilt and reported.
type Registry []ReadModel

// Lookup returns the read model called name.
func (r Registry) Lookup(name string) (ReadModel, bool) {
	for _, m := range r {
		if m.Name == name {
			return m, true
		}
	}
	return ReadModel{}, false
}

// Names returns the read models' names, in order.
func (r Registry) Names() []string {
	out := make([]string, len(r))
	for i, m := range r {
		out[i] = m.Name
	}
	return out
}

// Validate reports a registry that cannot be wired: an entry without a
// name or an implementation, or a name used twice.
func (r Registry) Validate() error {
	seen := map[string]bool{}
	for i, m := range r {
		switch {
		case m.Name == "":
			return fmt.Errorf("read model %d has no name", i)
		case seen[m.Name]:
			return fmt.Errorf("read model %s listed twice", m.Name)
		case m.Postgres == nil || m.Memory == nil:
			return fmt.Errorf("read model %s lacks an implementation", m.Name)
		}
		seen[m.Name] = true
	}
	return nil
}
