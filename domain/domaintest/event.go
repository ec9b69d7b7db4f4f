package domaintest

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/citizenhouse/bayt/domain"
)

// DecodeFunc decodes an event's JSON payload stored under its wire name; it
// is an aggregate's Decode.
type DecodeFunc func(eventType string, data []byte) (domain.Event, error)

// RoundTrip asserts that every sample survives json.Marshal and decode
// unchanged, and that registry (an aggregate's Events()) holds exactly the
// samples' types, want of them, each made as a pointer of its own type. The
// samples must hold one event of every type, so that adding an event without
// a sample fails here.
func RoundTrip(tb testing.TB, samples []domain.Event, decode DecodeFunc, registry map[string]func() domain.Event, want int) {
	tb.Helper()
	seen := map[string]bool{}
	for _, e := range samples {
		seen[e.EventType()] = true
		data, err := json.Marshal(e)
		if err != nil {
			tb.Fatal(err)
		}
		got, err := decode(e.EventType(), data)
		if err != nil {
			tb.Fatalf("Decode(%s): %v", e.EventType(), err)
		}
		if !reflect.DeepEqual(got, e) {
			tb.Errorf("Decode(%s) = %+v, want %+v", e.EventType(), got, e)
		}
		if _, ok := registry[e.EventType()]; !ok {
			tb.Errorf("%s missing from Events()", e.EventType())
		}
	}
	for name, newEvent := range registry {
		if !seen[name] {
			tb.Errorf("no sample for %s", name)
		}
		if e := newEvent(); e.EventType() != name || reflect.ValueOf(e).Kind() != reflect.Pointer {
			tb.Errorf("Events()[%q]() = %T, want a pointer of that type", name, e)
		}
	}
	if len(registry) != want {
		tb.Errorf("Events() has %d types, want %d", len(registry), want)
	}
}

// Redecode returns events after each has gone through json.Marshal and
// decode, as a store would hand them back.
func Redecode(tb testing.TB, events []domain.Event, decode DecodeFunc) []domain.Event {
	tb.Helper()
	out := make([]domain.Event, 0, len(events))
	for _, e := range events {
		data, err := json.Marshal(e)
		if err != nil {
			tb.Fatal(err)
		}
		d, err := decode(e.EventType(), data)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}
