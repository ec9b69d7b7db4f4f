package campaign_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/directory"
)

const (
	campaignID = "campaign-01JNQ3Z8X4K5M6N7P8Q9R0S1T2"
	leadOrg    = "org-01JNQ40000000000000000000A"
	partnerOrg = "org-01JNQ41111111111111111111B"
	caseID     = "case-01JNQ5AAAAAAAAAAAAAAAAAAAA"
	case2ID    = "case-01JNQ6BBBBBBBBBBBBBBBBBBBB"
	actID      = "act-01JNQ7CCCCCCCCCCCCCCCCCCCC"
	act2ID     = "act-01JNQ8DDDDDDDDDDDDDDDDDDDD"
	comID      = "com-01JNQ9EEEEEEEEEEEEEEEEEEEE"
	com2ID     = "com-01JNQAFFFFFFFFFFFFFFFFFFFF"
)

// t0 is when the campaign in the fixtures is launched.
var t0 = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

func hour(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }

func day(d int) time.Time { return t0.AddDate(0, 0, d) }

// Actors, one per way of being refused or admitted. The fixtures' campaign
// targets roads_works, officer's department.
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

// testDirectory has two departments, so that tests do not depend on the
// default file.
func testDirectory(tb testing.TB) *directory.Directory {
	tb.Helper()
	d, err := directory.Parse(strings.NewReader(`{
	  "departments": [
	    {"code": "roads_works", "name": {"ar": "الطرقات", "fr": "Voirie", "en": "Roads"}},
	    {"code": "public_lighting", "name": {"ar": "الإنارة", "fr": "Éclairage", "en": "Lighting"}}
	  ],
	  "categories": [
	    {"code": "roads", "name": {"ar": "الطرقات", "fr": "Chaussées", "en": "Roads"}, "department": "roads_works", "sla_days": 10, "theme": "community"}
	  ]}`))
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// Fixture events.

func launched() *campaign.CampaignLaunched {
	return &campaign.CampaignLaunched{
		ID: campaignID, Title: "طرقات آمنة لمدارس حي النصر",
		Demand:           "تهيئة الأرصفة وممرات الراجلين أمام المدارس الثلاث قبل العودة المدرسية",
		Theme:            directory.ThemeCommunity,
		TargetDepartment: "roads_works", LeadOrganisation: leadOrg, At: t0,
	}
}
func joined(org string) *campaign.PartnerJoined {
	return &campaign.PartnerJoined{OrganisationID: org, At: hour(1)}
}
func linked(id string) *campaign.CaseLinked { return &campaign.CaseLinked{CaseID: id, At: hour(1)} }
func planned(id string) *campaign.ActivityPlanned {
	return &campaign.ActivityPlanned{
		ActivityID: id, Kind: campaign.ActivityPublicMeeting, Title: "لقاء مفتوح مع الأولياء",
		ScheduledFor: day(7), Place: "دار الشباب حي النصر", At: hour(2),
	}
}
func held(id string, a campaign.Attendance) *campaign.ActivityHeld {
	return &campaign.ActivityHeld{ActivityID: id, Attendance: a, Minutes: "اتفق الحاضرون على عريضة", At: day(7)}
}
func signed(key string) *campaign.PetitionSigned {
	return &campaign.PetitionSigned{SignerSubject: "subj-" + key, SignerKey: key, District: "حي النصر", At: day(8)}
}
func recorded(id string, due time.Time) *campaign.CommitmentRecorded {
	return &campaign.CommitmentRecorded{
		CommitmentID: id, Text: "تهيئة الرصيف أمام المدرسة الابتدائية", DueBy: due,
		RecordedBy: domain.RoleOfficer, At: day(10),
	}
}
func fulfilled(id string) *campaign.CommitmentFulfilled {
	return &campaign.CommitmentFulfilled{CommitmentID: id, Note: "تمت الأشغال", At: day(40)}
}
func broken(id string) *campaign.CommitmentBroken {
	return &campaign.CommitmentBroken{CommitmentID: id, Note: "لم تنطلق الأشغال", At: day(60)}
}
func closed() *campaign.CampaignClosed {
	return &campaign.CampaignClosed{Outcome: campaign.OutcomePartlyWon, Summary: "تحقق نصف المطالب", At: day(90)}
}

// statuses lists every status, and the zero status of a campaign not
// launched yet, in a fixed order.
var statuses = []campaign.Status{"", campaign.StatusActive, campaign.StatusClosed}

// history returns events that bring a new campaign to status s.
func history(s campaign.Status) []domain.Event {
	switch s {
	case "":
		return nil
	case campaign.StatusActive:
		return []domain.Event{launched()}
	case campaign.StatusClosed:
		return []domain.Event{launched(), closed()}
	}
	panic("unknown status " + s)
}

// given folds events into a new campaign.
func given(events ...domain.Event) *campaign.Campaign {
	c := &campaign.Campaign{}
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

// isTransition wants a *domain.TransitionError for command in status: the
// campaign's, or the activity's or commitment's own.
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
	when  func(c *campaign.Campaign) ([]domain.Event, error)
	then  []string // wanted event types; nil for none
	check func(t *testing.T, evs []domain.Event, c *campaign.Campaign)
	err   errCheck
}

// run runs each scenario as a parallel subtest. Check receives the campaign
// with the new events applied. Run also asserts that a command leaves the
// campaign untouched: deciding is not applying.
func run(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			c := given(s.given...)
			before := c.Version
			evs, err := s.when(c)
			if c.Version != before {
				t.Fatalf("command changed the campaign version from %d to %d", before, c.Version)
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
