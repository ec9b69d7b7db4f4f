package campaign_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/domain/domaintest"
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
func paper(n int) *campaign.PaperSignaturesRecorded {
	return &campaign.PaperSignaturesRecorded{Count: n, Note: "أوراق جُمعت في سوق الحي", At: day(9)}
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
	return domaintest.Fold((*campaign.Campaign).Apply, events...)
}

func then(events ...[]domain.Event) []domain.Event { return slices.Concat(events...) }

// scenario is one given/when/then case against a campaign.
type scenario = domaintest.Scenario[campaign.Campaign]

// run runs each scenario as a parallel subtest against a new campaign; see
// domaintest.Run.
func run(t *testing.T, scenarios []scenario) {
	t.Helper()
	domaintest.Run(t, domaintest.Aggregate[campaign.Campaign]{
		Name:        "campaign",
		ApplyFunc:   (*campaign.Campaign).Apply,
		VersionFunc: func(c *campaign.Campaign) int64 { return c.Version },
	}, scenarios)
}
