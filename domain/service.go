package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Vault keeps personal data outside events, encrypted per person. Put
// stores data and returns the subject reference events may carry. Get
// returns an error wrapping ErrNotFound for an unknown subject and ErrErased
// for an erased one. Discard removes a subject that no event refers to,
// leaving no trace (erasing a person events refer to is an operator's act,
// outside the services). All methods are safe for concurrent use.
type Vault interface {
	Put(ctx context.Context, data PersonalData) (subject string, err error)
	Get(ctx context.Context, subject string) (PersonalData, error)
	Discard(ctx context.Context, subject string) error
}

// Ports are what every application service needs from outside the domain:
// the vault, the clock, new ids and keyed hashes. cmd/bayt fills them once.
type Ports struct {
	Vault Vault
	// KeyedHashFunc returns a keyed hash (an HMAC under a secret kept out
	// of the domain's reach) of text for purpose: the same text and purpose
	// always give the same hash, and nobody without the secret can compute
	// one, so a hash recorded in the log cannot be tested against guesses.
	// Different purposes give unrelated hashes of the same text.
	KeyedHashFunc func(purpose, text string) string
	// NowFunc is the clock the services date their commands by.
	NowFunc func() time.Time
	// NewIDFunc returns a new unique, time-ordered id (a ULID), to which
	// services add a kind prefix such as "case-".
	NewIDFunc func() string
}

// Validate reports a missing port; a service built without one is a
// programmer error.
func (p Ports) Validate() error {
	if p.Vault == nil || p.NowFunc == nil || p.NewIDFunc == nil || p.KeyedHashFunc == nil {
		return errors.New("domain: incomplete ports")
	}
	return nil
}

// Now returns the time in UTC.
func (p Ports) Now() time.Time { return p.NowFunc().UTC() }

// Updater is the part of a repository an application service changes a
// stream through: Update loads the stream, lets decide choose events
// against its state and appends them at the version decided on (see
// UpdateOptions for the concurrency contract).
type Updater[T any] interface {
	Update(ctx context.Context, id string, opts UpdateOptions, decide func(*T) ([]Event, error)) (Outcome, error)
}

// Aggregate tells Run how to fold an event into T and read its status.
type Aggregate[T any] struct {
	Apply  func(*T, Event)
	Status func(*T) string
}

// Run decides one command on stream id through repo. The events decided are
// folded into the state so that the outcome (and the answer remembered for
// an idempotency key) carries the status after the command; created names
// what the command created inside the stream, if anything.
func Run[T any](ctx context.Context, repo Updater[T], agg Aggregate[T], id string, opts UpdateOptions, created string,
	decide func(*T) ([]Event, error)) (Outcome, error) {
	var status string
	opts = Complete(opts, func(o *Outcome) { o.Status, o.Created = status, created })
	out, err := repo.Update(ctx, id, opts, func(state *T) ([]Event, error) {
		events, err := decide(state)
		if err != nil {
			return nil, err
		}
		for _, e := range events {
			agg.Apply(state, e)
		}
		status = agg.Status(state)
		return events, nil
	})
	out.Status, out.Created = status, created
	return out, err
}

// Complete returns opts whose idempotent answer is built from the outcome
// completed by fill, so that an answer remembered inside the append says
// what the service learned while deciding. opts itself is not changed.
func Complete(opts UpdateOptions, fill func(*Outcome)) UpdateOptions {
	if opts.Idempotency == nil || opts.Idempotency.ResponseFunc == nil {
		return opts
	}
	idem := *opts.Idempotency
	respond := idem.ResponseFunc
	idem.ResponseFunc = func(o Outcome) (Response, error) {
		fill(&o)
		return respond(o)
	}
	opts.Idempotency = &idem
	return opts
}

// Forget discards subject, stored in the vault for a command that did not
// record it: nothing refers to the data, and no one could find it to erase
// it. It keeps the data when the command's outcome is unknown (the events
// may have committed and refer to it) and when the outcome replayed an
// earlier answer (whose own subject is another one, already in use).
// It returns the vault's error, for the caller to log.
func Forget(ctx context.Context, vault Vault, subject string, out Outcome, err error) error {
	if subject == "" || errors.Is(err, ErrOutcomeUnknown) || (err == nil && out.Replayed == nil) {
		return nil
	}
	if discardErr := vault.Discard(context.WithoutCancel(ctx), subject); discardErr != nil {
		return fmt.Errorf("discard unused personal data: %w", discardErr)
	}
	return nil
}

// Limits on personal data, in runes for names and bytes for the rest.
const (
	MaxPersonName = 200
	MaxPhone      = 40
	MaxEmail      = 254
)

// Trimmed returns p with surrounding spaces removed from every field.
func (p PersonalData) Trimmed() PersonalData {
	return PersonalData{Name: strings.TrimSpace(p.Name), Phone: strings.TrimSpace(p.Phone), Email: strings.TrimSpace(p.Email)}
}

// Check refuses personal data that breaks the vault's limits, naming each
// field under prefix ("reporter." for a reporter, "" for a member).
func (p PersonalData) Check(prefix string) error {
	var errs []error
	for _, f := range [...]struct{ name, value string }{{"name", p.Name}, {"phone", p.Phone}, {"email", p.Email}} {
		if !utf8.ValidString(f.value) {
			errs = append(errs, Invalid(prefix+f.name, "must be valid UTF-8"))
		}
	}
	if utf8.RuneCountInString(p.Name) > MaxPersonName {
		errs = append(errs, &InvalidError{Field: prefix + "name", Reason: fmt.Sprintf("at most %d characters", MaxPersonName), Rule: RuleTooLong, Limit: MaxPersonName})
	}
	if len(p.Phone) > MaxPhone {
		errs = append(errs, &InvalidError{Field: prefix + "phone", Reason: fmt.Sprintf("at most %d characters", MaxPhone), Rule: RuleTooLong, Limit: MaxPhone})
	}
	if len(p.Email) > MaxEmail || (p.Email != "" && !strings.Contains(p.Email, "@")) {
		errs = append(errs, Invalid(prefix+"email", "not an email address"))
	}
	return errors.Join(errs...)
}
