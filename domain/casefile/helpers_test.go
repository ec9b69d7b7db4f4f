package casefile_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/domain/domaintest"
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
// the default file, and one district, Bab Souika.
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
	  ],
	  "districts": [
	    {"code": "bab_souika", "name": {"ar": "باب سويقة", "fr": "Bab Souika", "en": "Bab Souika"}, "spellings": ["Bab Swika"]}
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

// Photo ids: the hex SHA-256 of an image.
var (
	photoID      = strings.Repeat("ab", 32)
	otherPhotoID = strings.Repeat("cd", 32)
)

func photoAdded(id string, byReporter bool) *casefile.PhotoAdded {
	return &casefile.PhotoAdded{PhotoID: id, Width: 1600, Height: 1200, ByReporter: byReporter, At: t0.Add(10 * time.Minute)}
}

func moderated() *casefile.CaseModerated {
	return &casefile.CaseModerated{PublicTitle: "حفرة في الطريق", PublicDescription: "حفرة قرب مدرسة",
		Reason: "يذكر اسم المعلم", At: hour(2)}
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
	return domaintest.Fold((*casefile.Case).Apply, events...)
}

func then(events ...[]domain.Event) []domain.Event { return slices.Concat(events...) }

// scenario is one given/when/then case against a case.
type scenario = domaintest.Scenario[casefile.Case]

// run runs each scenario as a parallel subtest against a new case; see
// domaintest.Run.
func run(t *testing.T, scenarios []scenario) {
	t.Helper()
	domaintest.Run(t, domaintest.Aggregate[casefile.Case]{
		Name:        "case",
		ApplyFunc:   (*casefile.Case).Apply,
		VersionFunc: func(c *casefile.Case) int64 { return c.Version },
	}, scenarios)
}
