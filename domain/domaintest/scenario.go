package domaintest

import (
	"slices"
	"testing"

	"github.com/citizenhouse/bayt/domain"
)

// Scenario is one given/when/then case against an aggregate whose state is
// a T. Exactly one of Then and ErrFunc is checked: ErrFunc when it is set.
type Scenario[T any] struct {
	Name  string
	Given []domain.Event
	// WhenFunc runs the command under test against the state that Given
	// folds into.
	WhenFunc func(*T) ([]domain.Event, error)
	// Then lists the wanted event types; nil for none.
	Then []string
	// CheckFunc, when set, asserts on the events and on the state with
	// them applied.
	CheckFunc func(t *testing.T, evs []domain.Event, state *T)
	// ErrFunc, when set, wants an error and asserts on it.
	ErrFunc ErrCheck
}

// Aggregate tells Run how to drive an aggregate whose state is a T. Every
// aggregate keeps its version in a plain field, so VersionFunc reads it.
type Aggregate[T any] struct {
	// Name is what failure messages call the aggregate: "case", "campaign".
	Name string
	// ApplyFunc folds one event into the state; it is the aggregate's Apply.
	ApplyFunc func(*T, domain.Event)
	// VersionFunc returns the state's version.
	VersionFunc func(*T) int64
}

// Run runs each scenario as a parallel subtest against a new state folded
// from its Given events. CheckFunc receives the state with the new events
// applied. Run also asserts that a command leaves the state untouched:
// deciding is not applying.
func Run[T any](t *testing.T, agg Aggregate[T], scenarios []Scenario[T]) {
	t.Helper()
	for _, s := range scenarios {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			state := Fold(agg.ApplyFunc, s.Given...)
			before := agg.VersionFunc(state)
			evs, err := s.WhenFunc(state)
			if after := agg.VersionFunc(state); after != before {
				t.Fatalf("command changed the %s version from %d to %d", agg.Name, before, after)
			}
			if s.ErrFunc != nil {
				if err == nil {
					t.Fatalf("events = %v, want an error", Types(evs))
				}
				s.ErrFunc(t, err)
				if evs != nil {
					t.Errorf("events = %v alongside an error", Types(evs))
				}
				return
			}
			if err != nil {
				t.Fatalf("error = %v, want events %v", err, s.Then)
			}
			if got := Types(evs); !slices.Equal(got, s.Then) {
				t.Fatalf("events = %v, want %v", got, s.Then)
			}
			for _, e := range evs {
				agg.ApplyFunc(state, e)
			}
			if s.CheckFunc != nil {
				s.CheckFunc(t, evs, state)
			}
		})
	}
}

// Fold applies events, in order, to a new zero T and returns it.
func Fold[T any](apply func(*T, domain.Event), events ...domain.Event) *T {
	state := new(T)
	for _, e := range events {
		apply(state, e)
	}
	return state
}

// Types returns the wire names of events, in order; nil for none.
func Types(events []domain.Event) []string {
	var ts []string
	for _, e := range events {
		ts = append(ts, e.EventType())
	}
	return ts
}
