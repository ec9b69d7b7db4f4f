package domain

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Event is a fact recorded in a stream. EventType returns the stable wire
// name it is stored under; it is a constant, never derived by reflection, so
// renaming a Go type cannot orphan stored history.
type Event interface {
	EventType() string
}

// Upgradable is implemented by events whose payload changed shape: the
// current schema version is stored with each event so old rows can be
// upcast on read.
type Upgradable interface {
	SchemaVersion() int
}

// SchemaVersionOf returns e's schema version, 1 unless e says otherwise.
func SchemaVersionOf(e Event) int {
	if u, ok := e.(Upgradable); ok {
		return u.SchemaVersion()
	}
	return 1
}

// ErrUnknownEventType is returned when decoding a wire name that no
// aggregate defines.
var ErrUnknownEventType = errors.New("unknown event type")

// DecodeWith decodes the JSON payload data of an event stored as
// eventType into the value newEvent makes for it (a pointer, like the
// events commands return). newEvent returns nil for a name it does not
// know. Unknown fields are ignored so that an older binary can still read a
// newer payload.
func DecodeWith(newEvent func(eventType string) Event, eventType string, data []byte) (Event, error) {
	e := newEvent(eventType)
	if e == nil {
		return nil, fmt.Errorf("decode %q: %w", eventType, ErrUnknownEventType)
	}
	if err := json.Unmarshal(data, e); err != nil {
		return nil, fmt.Errorf("decode %s: %w", eventType, err)
	}
	return e, nil
}
