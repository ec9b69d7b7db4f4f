package transport_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/transport"
)

func TestHTTPStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"Invalid", domain.Invalid("title", "required"), http.StatusUnprocessableEntity},
		{"NotFoundNamesStream", fmt.Errorf("load: %w", domain.NotFound("case-x")), http.StatusNotFound},
		{"Transition", &domain.TransitionError{Command: "resolve", Status: "reported"}, http.StatusConflict},
		{"VersionConflict", &domain.VersionConflictError{Stream: "case-x", Expected: 1, Actual: 2}, http.StatusConflict},
		{"Forbidden", domain.Forbidden("officers only"), http.StatusForbidden},
		{"Unauthenticated", domain.ErrUnauthenticated, http.StatusUnauthorized},
		{"OutcomeUnknown", fmt.Errorf("append: %w", domain.ErrOutcomeUnknown), http.StatusServiceUnavailable},
		{"Unavailable", domain.ErrUnavailable, http.StatusServiceUnavailable},
		{"Unknown", errors.New("disk on fire"), http.StatusInternalServerError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := transport.HTTPStatus(tc.err); got != tc.want {
				t.Fatalf("HTTPStatus(%v) = %d, want %d", tc.err, got, tc.want)
			}
		})
	}
}
