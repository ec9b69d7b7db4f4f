package domaintest_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/domaintest"
)

func TestHasInvalid(t *testing.T) {
	t.Parallel()
	title, body := domain.Invalid("title", "required"), domain.Invalid("body", "too long")
	for _, tt := range []struct {
		name string
		err  error
		want bool
	}{
		{"OK", title, true},
		{"OKWrapped", fmt.Errorf("report: %w", title), true},
		{"OKJoinedSecond", errors.Join(body, title), true},
		{"OKJoinedDeep", errors.Join(body, errors.Join(errors.New("x"), title)), true},
		{"OtherField", body, false},
		{"NotInvalid", domain.Forbidden("no"), false},
		{"Nil", nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := domaintest.HasInvalid(tt.err, "title"); got != tt.want {
				t.Errorf("HasInvalid(%v, title) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

type counted struct{ name string }

func (e counted) EventType() string { return e.name }

func TestFold(t *testing.T) {
	t.Parallel()
	evs := []domain.Event{counted{"a"}, counted{"b"}}
	got := domaintest.Fold(func(s *[]string, e domain.Event) { *s = append(*s, e.EventType()) }, evs...)
	if want := domaintest.Types(evs); !slices.Equal(*got, want) || !slices.Equal(want, []string{"a", "b"}) {
		t.Errorf("Fold = %v, Types = %v, want [a b] from both", *got, want)
	}
	if ts := domaintest.Types(nil); ts != nil {
		t.Errorf("Types(nil) = %#v, want nil", ts)
	}
}
