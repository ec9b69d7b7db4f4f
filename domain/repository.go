package domain

import (
	"encoding/json"
	"errors"
	"time"
)

// AnyVersion, as UpdateOptions.IfMatch, skips the caller's version check.
const AnyVersion int64 = -1

// UpdateOptions tunes a repository update.
type UpdateOptions struct {
	// IfMatch is the version the caller last read (If-Match), or
	// AnyVersion. A stale IfMatch fails with *VersionConflictError and
	// changes nothing; with AnyVersion a concurrent writer makes the
	// repository decide again on fresh state.
	IfMatch int64
	// Create requires that the stream does not exist yet.
	Create bool
	// Idempotency, when set, makes the update happen at most once per key.
	Idempotency *Idempotency
}

// Response is a remembered answer to an idempotent request.
type Response struct {
	Status int
	Body   []byte
}

// Idempotency makes a request happen at most once per Key. ResponseFunc
// builds the answer to remember from the outcome; it runs inside the
// append, so the answer is kept atomically with the events.
type Idempotency struct {
	Key          string
	RequestHash  []byte
	ResponseFunc func(Outcome) (Response, error)
}

// Outcome is what an update did. Replayed is set, and nothing was
// appended, when the idempotency key had been seen with the same request.
type Outcome struct {
	Stream   string
	Version  int64
	Position int64
	Events   []Recorded
	Replayed *Response
	// Status is the stream's status after the command, Created the id of
	// what the command created inside the stream (an activity, a
	// commitment, a member) and TrackingToken a new report's secret: the
	// application services fill them in.
	Status        string
	Created       string
	TrackingToken string
}

// Recorded is an event as the log holds it, for histories and feeds.
type Recorded struct {
	Position   int64
	Stream     string
	Version    int64
	ID         string
	Type       string
	Data       json.RawMessage
	Metadata   Metadata
	RecordedAt time.Time
	Hash       []byte
	PrevHash   []byte
}

// History is a stream's events with the verdict on its hash chain.
type History struct {
	Stream   string
	Verified bool
	Events   []Recorded
}

// PersonalData is what the vault keeps of a person: it never enters an
// event, a read model or a public surface.
type PersonalData struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// Empty reports whether p holds nothing.
func (p PersonalData) Empty() bool { return p == PersonalData{} }

// ErrErased is returned for a person whose data was erased: the vault
// shredded their key, and nothing can read them any more.
var ErrErased = errors.New("personal data erased")
