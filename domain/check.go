package domain

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Check collects the input errors of a command, so that a client hears
// about every bad field at once. Aggregates embed it in a type of their
// own to add checks of their own.
type Check struct{ errs []error }

// Add records err.
func (v *Check) Add(err error) { v.errs = append(v.errs, err) }

// Err returns the errors recorded, joined, or nil.
func (v *Check) Err() error { return errors.Join(v.errs...) }

// Events returns e, or the input errors recorded.
func (v *Check) Events(e Event) ([]Event, error) {
	if err := v.Err(); err != nil {
		return nil, err
	}
	return []Event{e}, nil
}

// Text trims s and checks that it is valid UTF-8 of least..most runes (most
// 0: no limit beyond the caller's), an Arabic letter counting as one. It
// returns the trimmed text.
func (v *Check) Text(field, s string, least, most int) string {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	switch {
	case !utf8.ValidString(s):
		v.Add(Invalid(field, "must be valid UTF-8"))
	case strings.ContainsFunc(s, isControl):
		v.Add(Invalid(field, "must not contain control characters"))
	case n < least && n == 0:
		v.Add(&InvalidError{Field: field, Reason: "required", Rule: RuleRequired})
	case n < least:
		v.Add(&InvalidError{Field: field, Reason: fmt.Sprintf("must be at least %d characters", least), Rule: RuleTooShort, Limit: least})
	case most > 0 && n > most:
		v.Add(&InvalidError{Field: field, Reason: fmt.Sprintf("must be at most %d characters", most), Rule: RuleTooLong, Limit: most})
	}
	return s
}

// Now checks the command's time and returns it in UTC, so that recorded
// times read the same whatever the caller's zone. A zero time is a caller
// bug; recording it would date the event to year one.
func (v *Check) Now(t time.Time) time.Time {
	if t.IsZero() {
		v.Add(Invalid("now", "required"))
	}
	return t.UTC()
}

// isControl reports the control characters no text may hold: NUL, which
// PostgreSQL cannot store in text or jsonb, and the rest of C0 and C1 but
// tab and line breaks.
func isControl(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || (r >= 0x7f && r < 0xa0)
}

// Time checks a date the caller gave (required when required is set) and
// returns it in UTC. Years outside 1..9999 are refused: they cannot be
// written as RFC 3339, so they could never be recorded.
func (v *Check) Time(field string, t time.Time, required bool) time.Time {
	t = t.UTC()
	switch {
	case t.IsZero() && required:
		v.Add(Invalid(field, "required"))
	case t.IsZero():
	case t.Year() < 1 || t.Year() > 9999:
		v.Add(Invalid(field, "must be a date between the years 1 and 9999"))
	}
	return t
}
