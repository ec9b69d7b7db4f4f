package eventstore

import (
	"encoding/json"
	"fmt"
)

// UpcastKey names the stored shape an upcaster reads.
type UpcastKey struct {
	Type          string
	SchemaVersion int
}

// UpcastFunc upgrades a payload by one schema version.
type UpcastFunc func(data json.RawMessage) (json.RawMessage, error)

// Upcasters upgrade old payloads on read. Each function moves a payload from
// its key's version to the next one; they are chained until none applies,
// so an event stored at version 1 reaches the current version through every
// step in between.
type Upcasters map[UpcastKey]UpcastFunc

// maxUpcastSteps guards against a registry whose steps loop.
const maxUpcastSteps = 100

// apply upgrades e in place.
func (u Upcasters) apply(e *Event) error {
	for step := 0; step < maxUpcastSteps; step++ {
		fn, ok := u[UpcastKey{Type: e.Type, SchemaVersion: e.SchemaVersion}]
		if !ok {
			return nil
		}
		data, err := fn(e.Data)
		if err != nil {
			return fmt.Errorf("upcast %s v%d at position %d: %w", e.Type, e.SchemaVersion, e.Position, err)
		}
		e.Data = data
		e.SchemaVersion++
	}
	return fmt.Errorf("upcast %s: more than %d steps", e.Type, maxUpcastSteps)
}
