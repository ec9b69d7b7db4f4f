package organisation_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/domain/domaintest"
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
	return domaintest.Fold((*organisation.Organisation).Apply, events...)
}

func then(events ...[]domain.Event) []domain.Event { return slices.Concat(events...) }

// scenario is one given/when/then case against an organisation.
type scenario = domaintest.Scenario[organisation.Organisation]

// run runs each scenario as a parallel subtest against a new organisation; see
// domaintest.Run.
func run(t *testing.T, scenarios []scenario) {
	t.Helper()
	domaintest.Run(t, domaintest.Aggregate[organisation.Organisation]{
		Name:        "organisation",
		ApplyFunc:   (*organisation.Organisation).Apply,
		VersionFunc: func(o *organisation.Organisation) int64 { return o.Version },
	}, scenarios)
}
