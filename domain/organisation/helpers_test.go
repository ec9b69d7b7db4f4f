package organisation_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/domain/organisation"
)

const (
	orgID     = "org-01JNQ3Z8X4K5M6N7P8Q9R0S1T2"
	otherOrg  = "org-01JNQ40000000000000000000A"
	memberID  = "member-01JNQ5AAAAAAAAAAAAAAAAAAAA"
	member2ID = "member-01JNQ6BBBBBBBBBBBBBBBBBBBB"
)

// t0 is when the organisation in the fixtures is registered.
var t0 = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

func hour(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }

// Actors, one per way of being refused or admitted.
var (
	public       = domain.Anonymous
	reporter     = domain.Actor{Role: domain.RoleReporter}
	advocate     = domain.Actor{ID: "tok-adv", Name: "سلمى", Role: domain.RoleAdvocate}
	admin        = domain.Actor{ID: "tok-adm", Role: domain.RoleAdmin}
	officer      = domain.Actor{ID: "tok-off", Role: domain.RoleOfficer, Department: "social_affairs"}
	system       = domain.System
	unknownRole  = domain.Actor{Role: "mayor"}
	themesSocial = []directory.Theme{directory.ThemeSocial, directory.ThemeLegal}
)

// testDirectory has two departments, so that tests do not depend on the
// default file.
func testDirectory(tb testing.TB) *directory.Directory {
	tb.Helper()
	d, err := directory.Parse(strings.NewReader(`{
	  "departments": [
	    {"code": "social_affairs", "name": {"ar": "الشؤون الاجتماعية", "fr": "Affaires sociales", "en": "Social affairs"}},
	    {"code": "roads_works", "name": {"ar": "الطرقات", "fr": "Voirie", "en": "Roads"}}
	  ],
	  "categories": [
	    {"code": "schools", "name": {"ar": "المدارس", "fr": "Écoles", "en": "Schools"}, "department": "social_affairs", "sla_days": 30, "theme": "social"}
	  ]}`))
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// Fixture events.

func registered() *organisation.OrganisationRegistered {
	return &organisation.OrganisationRegistered{
		ID: orgID, Name: "جمعية نساء حي النصر", Kind: organisation.KindAssociation,
		Themes: []directory.Theme{directory.ThemeSocial, directory.ThemeLegal}, At: t0,
	}
}
func added(id, subject string) *organisation.MemberAdded {
	return &organisation.MemberAdded{MemberID: id, Role: "رئيسة الجمعية", MemberSubject: subject, At: hour(1)}
}
func removed(id string) *organisation.MemberRemoved {
	return &organisation.MemberRemoved{MemberID: id, At: hour(2)}
}

// states lists the organisation's two states: not registered ("") and
// registered.
var states = []string{"", "registered"}

// history returns events that bring a new organisation to state s.
func history(s string) []domain.Event {
	switch s {
	case "":
		return nil
	case "registered":
		return []domain.Event{registered()}
	}
	panic("unknown state " + s)
}

// given folds events into a new organisation.
func given(events ...domain.Event) *organisation.Organisation {
	o := &organisation.Organisation{}
	for _, e := range events {
		o.Apply(e)
	}
	return o
}

func then(events ...[]domain.Event) []domain.Event { return slices.Concat(events...) }

func types(events []domain.Event) []string {
	var ts []string
	for _, e := range events {
		ts = append(ts, e.EventType())
	}
	return ts
}

// errCheck asserts something about a command's error.
type errCheck func(t *testing.T, err error)

// isInvalid wants an *domain.InvalidError on field, possibly joined with
// others.
func isInvalid(field string) errCheck {
	return func(t *testing.T, err error) {
		t.Helper()
		if !hasInvalid(err, field) {
			t.Errorf("error = %v, want an InvalidError on %q", err, field)
		}
		if domain.KindOf(err) != domain.KindInvalid {
			t.Errorf("KindOf(%v) = %v, want KindInvalid", err, domain.KindOf(err))
		}
	}
}

func isForbidden() errCheck {
	return func(t *testing.T, err error) {
		t.Helper()
		var fe *domain.ForbiddenError
		if !errors.As(err, &fe) || !errors.Is(err, domain.ErrForbidden) {
			t.Errorf("error = %v, want a ForbiddenError", err)
		}
	}
}

func isTransition(command, status string) errCheck {
	return func(t *testing.T, err error) {
		t.Helper()
		var te *domain.TransitionError
		if !errors.As(err, &te) {
			t.Errorf("error = %v, want a TransitionError", err)
			return
		}
		if te.Command != command || te.Status != status {
			t.Errorf("TransitionError = %+v, want {%s %s}", *te, command, status)
		}
		if domain.KindOf(err) != domain.KindConflict {
			t.Errorf("KindOf(%v) = %v, want KindConflict", err, domain.KindOf(err))
		}
	}
}

func hasInvalid(err error, field string) bool {
	var inv *domain.InvalidError
	if errors.As(err, &inv) && inv.Field == field {
		return true
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, err := range j.Unwrap() {
			if hasInvalid(err, field) {
				return true
			}
		}
	}
	return false
}

// scenario is one given/when/then case. Exactly one of then and err is
// checked: err when it is set.
type scenario struct {
	name  string
	given []domain.Event
	when  func(o *organisation.Organisation) ([]domain.Event, error)
	then  []string // wanted event types; nil for none
	check func(t *testing.T, evs []domain.Event, o *organisation.Organisation)
	err   errCheck
}

// run runs each scenario as a parallel subtest. Check receives the
// organisation with the new events applied. Run also asserts that a command
// leaves the organisation untouched: deciding is not applying.
func run(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			o := given(s.given...)
			before := o.Version
			evs, err := s.when(o)
			if o.Version != before {
				t.Fatalf("command changed the organisation version from %d to %d", before, o.Version)
			}
			if s.err != nil {
				if err == nil {
					t.Fatalf("events = %v, want an error", types(evs))
				}
				s.err(t, err)
				if evs != nil {
					t.Errorf("events = %v alongside an error", types(evs))
				}
				return
			}
			if err != nil {
				t.Fatalf("error = %v, want events %v", err, s.then)
			}
			if got := types(evs); !slices.Equal(got, s.then) {
				t.Fatalf("events = %v, want %v", got, s.then)
			}
			for _, e := range evs {
				o.Apply(e)
			}
			if s.check != nil {
				s.check(t, evs, o)
			}
		})
	}
}
