package domain

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the edges: transport maps each kind to one
// HTTP status and one WebSocket close code.
type Kind int

// Error kinds. KindInternal is the zero-risk default for anything unknown.
const (
	KindInternal Kind = iota
	KindInvalid
	KindNotFound
	KindConflict
	KindForbidden
	KindUnauthenticated
	// KindUnavailable is a dependency (the database) that does not answer,
	// or answered too late to tell what happened: the caller may retry.
	KindUnavailable
)

// Sentinel errors shared by every aggregate.
var (
	ErrNotFound        = errors.New("not found")
	ErrForbidden       = errors.New("forbidden")
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrOutcomeUnknown says a write may or may not have been recorded:
	// the connection was lost after the commit was sent, and the store
	// could not look the write up. A retry with the same idempotency key
	// is safe.
	ErrOutcomeUnknown = errors.New("outcome unknown")
	// ErrUnavailable says a dependency does not answer; nothing was done.
	ErrUnavailable = errors.New("unavailable")
)

// NotFoundError names the stream that does not exist, so that a command
// touching two streams can tell which one is missing.
type NotFoundError struct {
	Stream string
}

func (e *NotFoundError) Error() string { return e.Stream + ": not found" }

// Is makes errors.Is(err, ErrNotFound) hold for every *NotFoundError.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// NotFound returns a *NotFoundError for stream.
func NotFound(stream string) error { return &NotFoundError{Stream: stream} }

// InvalidError reports input that breaks a rule; Field names the offending
// field in the wire format (snake_case) so clients can point at it.
type InvalidError struct {
	Field  string
	Reason string
	// Rule says which kind of rule was broken, for surfaces that explain
	// it in the reader's language; Reason is English for programs.
	Rule Rule
	// Limit is the bound a RuleTooLong or RuleTooShort names.
	Limit int
}

// Rule is a kind of input rule.
type Rule int

// Rules. RuleOther is any rule without a kind of its own.
const (
	RuleOther Rule = iota
	RuleRequired
	RuleTooLong
	RuleTooShort
)

func (e *InvalidError) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

// Invalid returns an *InvalidError for field.
func Invalid(field, reason string) error {
	return &InvalidError{Field: field, Reason: reason}
}

// TransitionError reports a command that the aggregate's current status does
// not allow. It is a conflict, not bad input: the same request may be valid
// against another state.
type TransitionError struct {
	Command string
	Status  string
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("%s not allowed in status %s", e.Command, e.Status)
}

// ForbiddenError explains why an actor may not run a command.
type ForbiddenError struct {
	Reason string
}

func (e *ForbiddenError) Error() string { return "forbidden: " + e.Reason }

// Is makes errors.Is(err, ErrForbidden) hold for every *ForbiddenError.
func (e *ForbiddenError) Is(target error) bool { return target == ErrForbidden }

// Forbidden returns a *ForbiddenError with reason.
func Forbidden(reason string) error { return &ForbiddenError{Reason: reason} }

// VersionConflictError reports an optimistic-concurrency failure: the stream
// moved on since the caller read it. Actual is the stream's current version.
type VersionConflictError struct {
	Stream   string
	Expected int64
	Actual   int64
}

func (e *VersionConflictError) Error() string {
	return fmt.Sprintf("version conflict on %s: expected %d, current %d", e.Stream, e.Expected, e.Actual)
}

// KindOf returns the kind of err, looking through wrapping. Unknown errors are
// internal, so a forgotten mapping never leaks detail to a user.
func KindOf(err error) Kind {
	var (
		inv *InvalidError
		tr  *TransitionError
		vc  *VersionConflictError
	)
	switch {
	case err == nil:
		return KindInternal
	case errors.As(err, &inv):
		return KindInvalid
	case errors.As(err, &tr), errors.As(err, &vc):
		return KindConflict
	case errors.Is(err, ErrNotFound):
		return KindNotFound
	case errors.Is(err, ErrForbidden):
		return KindForbidden
	case errors.Is(err, ErrUnauthenticated):
		return KindUnauthenticated
	case errors.Is(err, ErrOutcomeUnknown), errors.Is(err, ErrUnavailable):
		return KindUnavailable
	default:
		return KindInternal
	}
}
