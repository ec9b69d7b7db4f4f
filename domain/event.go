package domain

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
