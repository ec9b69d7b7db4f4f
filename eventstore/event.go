package eventstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/citizenhouse/bayt/domain"
)

// Expected versions with a meaning beyond "the stream is at version N".
const (
	// Any appends whatever the stream's version.
	Any int64 = -1
	// NoStream requires that the stream does not exist yet.
	NoStream int64 = 0
	// StreamExists requires that the stream exists, at any version.
	StreamExists int64 = -2
)

var (
	// ErrStreamExists is returned (wrapping a *domain.VersionConflictError)
	// when NoStream was expected but the stream exists.
	ErrStreamExists = errors.New("stream already exists")
	// ErrStreamNotFound is returned when a stream had to exist but does not.
	ErrStreamNotFound = fmt.Errorf("stream %w", domain.ErrNotFound)
	// ErrIdempotencyMismatch is returned when an idempotency key is reused
	// with another request.
	ErrIdempotencyMismatch = domain.Invalid("idempotency_key", "already used with another request")
	// ErrClosed is returned by appends after Close.
	ErrClosed = errors.New("event store closed")
)

// NewEvent is an event to append. ID is a ULID; it is generated when empty.
type NewEvent struct {
	ID            string
	Type          string
	SchemaVersion int
	Data          json.RawMessage
}

// Event is a recorded event as read back from the log.
type Event struct {
	Position      int64
	StreamID      string
	StreamVersion int64
	ID            string
	Type          string
	SchemaVersion int
	Data          json.RawMessage
	Metadata      domain.Metadata
	RecordedAt    time.Time
	PrevHash      []byte
	Hash          []byte
	LogPrevHash   []byte
	LogHash       []byte
}

// StreamAppend is one stream's part of a Request.
type StreamAppend struct {
	Stream   string
	Expected int64
	Events   []NewEvent
}

// Stored is the remembered answer to an idempotent request.
type Stored = domain.Response

// Idempotency makes a Request happen at most once per Key. Response builds
// the answer to remember from the append's result; it runs inside the
// append, so the answer is kept atomically with the events.
type Idempotency struct {
	Key          string
	RequestHash  []byte
	ResponseFunc func(Result) (Stored, error)
}

// Request appends to one or more streams atomically: every stream's
// expected version must hold or nothing is appended.
type Request struct {
	Appends     []StreamAppend
	Idempotency *Idempotency
}

// Result is what an append did. Replayed is set, and nothing was appended,
// when the request's idempotency key had been seen with the same request.
type Result struct {
	// Versions holds each stream's version after the append, in the order
	// of Request.Appends.
	Versions      []int64
	FirstPosition int64
	LastPosition  int64
	Events        []Event
	Replayed      *Stored
}

// Version is the version of the request's first stream after the append.
func (r Result) Version() int64 {
	if len(r.Versions) == 0 {
		return 0
	}
	return r.Versions[0]
}

// StreamType is the kind of a stream, the part of its id before the first
// dash: "case" for "case-01J…".
func StreamType(stream string) string {
	if i := strings.IndexByte(stream, '-'); i > 0 {
		return stream[:i]
	}
	return stream
}

func (r Request) validate() error {
	if len(r.Appends) == 0 {
		return errors.New("append: no streams")
	}
	seen := make(map[string]bool, len(r.Appends))
	for _, a := range r.Appends {
		if a.Stream == "" {
			return errors.New("append: empty stream id")
		}
		if seen[a.Stream] {
			return fmt.Errorf("append: stream %s twice in one request", a.Stream)
		}
		seen[a.Stream] = true
		if len(a.Events) == 0 {
			return fmt.Errorf("append to %s: no events", a.Stream)
		}
		if a.Expected < StreamExists {
			return fmt.Errorf("append to %s: invalid expected version %d", a.Stream, a.Expected)
		}
		for _, e := range a.Events {
			if e.Type == "" {
				return fmt.Errorf("append to %s: event without type", a.Stream)
			}
			if !json.Valid(e.Data) {
				return fmt.Errorf("append to %s: %s: payload is not JSON", a.Stream, e.Type)
			}
		}
	}
	if r.Idempotency != nil && (r.Idempotency.Key == "" || r.Idempotency.ResponseFunc == nil) {
		return errors.New("append: idempotency without key or response")
	}
	return nil
}

// checkExpected decides whether an append at expected may go on a stream
// now at current (0: absent).
func checkExpected(stream string, expected, current int64) error {
	switch {
	case expected == Any:
		return nil
	case expected == StreamExists:
		if current == 0 {
			return fmt.Errorf("%w: %s", ErrStreamNotFound, stream)
		}
		return nil
	case expected == NoStream:
		if current != 0 {
			return fmt.Errorf("%w: %w", ErrStreamExists, &domain.VersionConflictError{Stream: stream, Expected: expected, Actual: current})
		}
		return nil
	case expected != current:
		return &domain.VersionConflictError{Stream: stream, Expected: expected, Actual: current}
	}
	return nil
}
