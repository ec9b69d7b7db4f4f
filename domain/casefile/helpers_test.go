package casefile_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
)

const (
	caseID  = "case-01JNQ3Z8X4K5M6N7P8Q9R0S1T2"
	otherID = "case-01JNQ40000000000000000000A"
)

// t0 is when the case in the fixtures is reported.
var t0 = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

func hour(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }

// Actors, one per way of being refused or admitted.
var (
	public          = domain.Anonymous
	reporter        = domain.Actor{Role: domain.RoleReporter}
	advocate        = domain.Actor{ID: "tok-adv", Name: "سلمى", Role: domain.RoleAdvocate}
	admin           = domain.Actor{ID: "tok-adm", Role: domain.RoleAdmin}
	officer         = domain.Actor{ID: "tok-off", Role: domain.RoleOfficer, Department: "roads_works"}
	otherOfficer    = domain.Actor{ID: "tok-off2", Role: domain.RoleOfficer, Department: "public_lighting"}
	deptlessOfficer = domain.Actor{ID: "tok-off3", Role: domain.RoleOfficer}
	system          = domain.System
	unknownRole     = domain.Actor{Role: "mayor"}
)

// testDirectory has roads (10 days, roads_works) and lighting (3 days,
// public_lighting), so that SLA arithmetic in the tests does not depend on
// the default file.
func testDirectory(tb testing.TB) *directory.Directory {
	tb.Helper()
	d, err := directory.Parse(strings.NewReader(`{
	  "departments": [
	    {"code": "roads_works", "name": {"ar": "الطرقات", "fr": "Voirie", "en": "Roads"}},
	    {"code": "public_lighting", "name": {"ar": "الإنارة", "fr": "Éclairage", "en": "Lighting"}}
	  ],
	  "categories": [
	    {"code": "roads", "name": {"ar": "الطرقات", "fr": "Chaussées", "en": "Roads"}, "department": "roads_works", "sla_days": 10, "theme": "community"},
	    {"code": "lighting", "name": {"ar": "الإنارة", "fr": "Éclairage", "en": "Lighting"}, "department": "public_lighting", "sla_days": 3, "theme": "community"}
	  ]}`))
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// Fixture events, in the order a case lives them.

func reported() *casefile.CaseReported {
	return &casefile.CaseReported{
		ID: caseID, Title: "حفرة كبيرة في الطريق", Description: "حفرة أمام المدرسة الابتدائية منذ شهر",
		Category: "roads", District: "حي النصر", Language: "ar",
		ReporterSubject: "subj-1", TrackingTokenHash: []byte{1, 2, 3}, At: t0,
	}
}
func triaged() *casefile.CaseTriaged {
	return &casefile.CaseTriaged{Priority: casefile.PriorityHigh, At: hour(1)}
}
func forwarded() *casefile.CaseForwarded {
	return &casefile.CaseForwarded{Department: "roads_works", DueAt: hour(2).AddDate(0, 0, 10), At: hour(2)}
}
func acknowledged() *casefile.CaseAcknowledged {
	return &casefile.CaseAcknowledged{Reference: "VR-2025-114", At: hour(3)}
}
func answered() *casefile.CaseAnswered {
	return &casefile.CaseAnswered{Response: "ستتم الأشغال الأسبوع القادم", At: hour(4)}
}
func resolved() *casefile.CaseResolved {
	return &casefile.CaseResolved{Note: "تم ردم الحفرة", At: hour(5)}
}
func confirmed() *casefile.ResolutionConfirmed { return &casefile.ResolutionConfirmed{At: hour(6)} }
func rejected() *casefile.CaseRejected {
	return &casefile.CaseRejected{Reason: "خارج اختصاص البلدية", At: hour(1)}
}
func merged() *casefile.CaseMerged { return &casefile.CaseMerged{Into: otherID, At: hour(1)} }
func linked(id string) *casefile.CaseLinkedToCampaign {
	return &casefile.CaseLinkedToCampaign{CampaignID: id, At: hour(1)}
}

// statuses lists every status, and the zero status of a case not reported
// yet, in a fixed order.
var statuses = []casefile.Status{
	"", casefile.StatusReported, casefile.StatusTriaged, casefile.StatusForwarded,
	casefile.StatusAcknowledged, casefile.StatusInProgress, casefile.StatusResolved,
	casefile.StatusClosed, casefile.StatusRejected, casefile.StatusDuplicate,
}

// history returns events that bring a new case to status s.
func history(s casefile.Status) []domain.Event {
	line := []domain.Event{reported(), triaged(), forwarded(), acknowledged(), answered(), resolved(), confirmed()}
	switch s {
	case "":
		return nil
	case casefile.StatusReported:
		return line[:1]
	case casefile.StatusTriaged:
		return line[:2]
	case casefile.StatusForwarded:
		return line[:3]
	case casefile.StatusAcknowledged:
		return line[:4]
	case casefile.StatusInProgress:
		return line[:5]
	case casefile.StatusResolved:
		return line[:6]
	case casefile.StatusClosed:
		return line[:7]
	case casefile.StatusRejected:
		return []domain.Event{reported(), rejected()}
	case casefile.StatusDuplicate:
		return []domain.Event{reported(), merged()}
	}
	panic("unknown status " + s)
}

// given folds events into a new case.
func given(events ...domain.Event) *casefile.Case {
	c := &casefile.Case{}
	for _, e := range events {
		c.Apply(e)
	}
	return c
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

func isTransition(command string, status casefile.Status) errCheck {
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
	when  func(c *casefile.Case) ([]domain.Event, error)
	then  []string // wanted event types; nil for none
	check func(t *testing.T, evs []domain.Event, c *casefile.Case)
	err   errCheck
}

// run runs each scenario as a parallel subtest. Check receives the case with
// the new events applied. Run also asserts that a command leaves the case
// untouched: deciding is not applying.
func run(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			c := given(s.given...)
			before := c.Version
			evs, err := s.when(c)
			if c.Version != before {
				t.Fatalf("command changed the case version from %d to %d", before, c.Version)
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
				c.Apply(e)
			}
			if s.check != nil {
				s.check(t, evs, c)
			}
		})
	}
}
