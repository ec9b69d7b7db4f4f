package domaintest

import (
	"errors"
	"testing"

	"github.com/citizenhouse/bayt/domain"
)

// ErrCheck asserts something about a command's error.
type ErrCheck func(t *testing.T, err error)

// WantInvalid wants a *domain.InvalidError on field, possibly joined with
// others, and an error of kind KindInvalid.
func WantInvalid(field string) ErrCheck {
	return func(t *testing.T, err error) {
		t.Helper()
		if !HasInvalid(err, field) {
			t.Errorf("error = %v, want an InvalidError on %q", err, field)
		}
		if domain.KindOf(err) != domain.KindInvalid {
			t.Errorf("KindOf(%v) = %v, want KindInvalid", err, domain.KindOf(err))
		}
	}
}

// WantForbidden wants a *domain.ForbiddenError that is also
// domain.ErrForbidden.
func WantForbidden() ErrCheck {
	return func(t *testing.T, err error) {
		t.Helper()
		var fe *domain.ForbiddenError
		if !errors.As(err, &fe) || !errors.Is(err, domain.ErrForbidden) {
			t.Errorf("error = %v, want a ForbiddenError", err)
		}
	}
}

// WantTransition wants a *domain.TransitionError for command in status, of
// kind KindConflict. Status is any string type, so that each aggregate can
// pass its own status type or the status of one of its parts (an
// activity's, a commitment's).
func WantTransition[S ~string](command string, status S) ErrCheck {
	return func(t *testing.T, err error) {
		t.Helper()
		var te *domain.TransitionError
		if !errors.As(err, &te) {
			t.Errorf("error = %v, want a TransitionError", err)
			return
		}
		if te.Command != command || te.Status != string(status) {
			t.Errorf("TransitionError = %+v, want {%s %s}", *te, command, status)
		}
		if domain.KindOf(err) != domain.KindConflict {
			t.Errorf("KindOf(%v) = %v, want KindConflict", err, domain.KindOf(err))
		}
	}
}

// HasInvalid reports whether err is a *domain.InvalidError on field, or
// joins one (errors.Join, at any depth). errors.As alone is not enough: it
// stops at the first InvalidError, which may name another field.
func HasInvalid(err error, field string) bool {
	var inv *domain.InvalidError
	if errors.As(err, &inv) && inv.Field == field {
		return true
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, err := range j.Unwrap() {
			if HasInvalid(err, field) {
				return true
			}
		}
	}
	return false
}
