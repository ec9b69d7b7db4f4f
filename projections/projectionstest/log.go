package projectionstest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/domain/organisation"
	"github.com/citizenhouse/bayt/projections"
	"github.com/oklog/ulid/v2"
)

// Log is the event set the suite feeds to read models, and the ids in it
// for queries to ask about. Every event was decided by a domain command.
type Log struct {
	Events        []projections.Event
	Cases         []string // in report order
	Campaigns     []string // in launch order
	Organisations []string // in registration order
	// Departments are the departments cases were forwarded to.
	Departments []string
	// Now is after every event, when several cases and a commitment are
	// overdue.
	Now time.Time
}

var (
	advocate = domain.Actor{ID: "tok-advocate", Role: domain.RoleAdvocate, Name: "Amal"}
	system   = domain.Actor{Role: domain.RoleSystem}
)

func officer(department string) domain.Actor {
	return domain.Actor{ID: "tok-" + department, Role: domain.RoleOfficer, Name: "Karim", Department: department}
}

// builder records what commands decide as a log.
type builder struct {
	tb    testing.TB
	dir   *directory.Directory
	clock time.Time
	log   Log
	cases map[string]*casefile.Case
	camps map[string]*campaign.Campaign
	orgs  map[string]*organisation.Organisation
}

// tick moves the clock an hour on, and a few hundred nanoseconds more:
// times carry more precision than PostgreSQL keeps, as time.Now does.
func (b *builder) tick() time.Time {
	b.clock = b.clock.Add(time.Hour + 321*time.Nanosecond)
	return b.clock
}

func (b *builder) record(stream string, version int64, e domain.Event, actor domain.Actor, at time.Time) {
	b.tb.Helper()
	data, err := json.Marshal(e)
	if err != nil {
		b.tb.Fatal(err)
	}
	b.log.Events = append(b.log.Events, projections.Event{
		ID: "evt-" + ulid.Make().String(), Position: int64(len(b.log.Events) + 1), Stream: stream, Version: version,
		Type: e.EventType(), Data: data, Actor: actor, RecordedAt: at,
	})
}

// onCase runs a case command at the next tick.
func (b *builder) onCase(id string, actor domain.Actor, decide func(c *casefile.Case, at time.Time) ([]domain.Event, error)) {
	b.caseAt(id, actor, b.tick(), decide)
}

func (b *builder) caseAt(id string, actor domain.Actor, at time.Time, decide func(c *casefile.Case, at time.Time) ([]domain.Event, error)) {
	b.tb.Helper()
	c, ok := b.cases[id]
	if !ok {
		c = &casefile.Case{}
		b.cases[id] = c
	}
	evs, err := decide(c, at)
	if err != nil {
		b.tb.Fatalf("log: case %s: %v", id, err)
	}
	for _, e := range evs {
		c.Apply(e)
		b.record(id, c.Version, e, actor, at)
	}
}

func (b *builder) onCampaign(id string, actor domain.Actor, at time.Time, decide func(c *campaign.Campaign, at time.Time) ([]domain.Event, error)) {
	b.tb.Helper()
	c, ok := b.camps[id]
	if !ok {
		c = &campaign.Campaign{}
		b.camps[id] = c
	}
	evs, err := decide(c, at)
	if err != nil {
		b.tb.Fatalf("log: campaign %s: %v", id, err)
	}
	for _, e := range evs {
		c.Apply(e)
		b.record(id, c.Version, e, actor, at)
	}
}

func (b *builder) onOrganisation(id string, decide func(o *organisation.Organisation, at time.Time) ([]domain.Event, error)) {
	b.tb.Helper()
	o, ok := b.orgs[id]
	if !ok {
		o = &organisation.Organisation{}
		b.orgs[id] = o
	}
	at := b.tick()
	evs, err := decide(o, at)
	if err != nil {
		b.tb.Fatalf("log: organisation %s: %v", id, err)
	}
	for _, e := range evs {
		o.Apply(e)
		b.record(id, o.Version, e, advocate, at)
	}
}

// TrackingToken is the tracking token the log's case id was reported
// with.
func TrackingToken(id string) string { return "token-" + id }

// report reports a case at at.
func (b *builder) report(at time.Time, category, district, title string, loc *casefile.Location) string {
	b.tb.Helper()
	id := casefile.StreamPrefix + ulid.Make().String()
	b.caseAt(id, domain.Anonymous, at, func(c *casefile.Case, at time.Time) ([]domain.Event, error) {
		return c.Report(b.dir, casefile.Report{Actor: domain.Anonymous, Now: at, ID: id, Title: title,
			Description: "Reported by a resident of " + district, Category: category, District: district, Location: loc,
			Language: "ar", ReporterSubject: "vault-" + id, TrackingTokenHash: casefile.TrackingTokenHash(TrackingToken(id))})
	})
	b.log.Cases = append(b.log.Cases, id)
	return id
}

// forward triages a case and forwards it to the department of its
// category.
func (b *builder) forward(id, department string) {
	b.tb.Helper()
	b.onCase(id, advocate, func(c *casefile.Case, at time.Time) ([]domain.Event, error) {
		return c.Triage(b.dir, casefile.Triage{Actor: advocate, Now: at, Priority: casefile.PriorityHigh, Note: "Checked on site"})
	})
	b.onCase(id, advocate, func(c *casefile.Case, at time.Time) ([]domain.Event, error) {
		return c.Forward(b.dir, casefile.Forward{Actor: advocate, Now: at, Department: department})
	})
}

func (b *builder) acknowledge(id, department string) {
	b.tb.Helper()
	b.onCase(id, officer(department), func(c *casefile.Case, at time.Time) ([]domain.Event, error) {
		return c.Acknowledge(casefile.Acknowledge{Actor: officer(department), Now: at, Reference: "R-" + id[len(id)-4:]})
	})
}

func (b *builder) resolve(id, department string, at time.Time) {
	b.tb.Helper()
	b.caseAt(id, officer(department), at, func(c *casefile.Case, at time.Time) ([]domain.Event, error) {
		return c.Resolve(casefile.Resolve{Actor: officer(department), Now: at, Note: "Done"})
	})
}

// launch launches a campaign at at, led by lead.
func (b *builder) launch(at time.Time, title string, theme directory.Theme, department, lead string) string {
	b.tb.Helper()
	id := campaign.StreamPrefix + ulid.Make().String()
	b.onCampaign(id, advocate, at, func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
		return c.Launch(b.dir, campaign.Launch{Actor: advocate, Now: at, ID: id, Title: title, Demand: "Demand: " + title,
			Theme: theme, TargetDepartment: department, LeadOrganisation: lead})
	})
	b.log.Campaigns = append(b.log.Campaigns, id)
	return id
}

// link links a case to a campaign, on both sides, as one request does.
func (b *builder) link(campaignID, caseID string) {
	b.tb.Helper()
	at := b.tick()
	b.onCampaign(campaignID, advocate, at, func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
		return c.LinkCase(campaign.LinkCase{Actor: advocate, Now: at, CaseID: caseID})
	})
	b.caseAt(caseID, advocate, at, func(c *casefile.Case, at time.Time) ([]domain.Event, error) {
		return c.LinkCampaign(casefile.LinkCampaign{Actor: advocate, Now: at, CampaignID: campaignID})
	})
}

func (b *builder) unlink(campaignID, caseID string) {
	b.tb.Helper()
	at := b.tick()
	b.onCampaign(campaignID, advocate, at, func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
		return c.UnlinkCase(campaign.UnlinkCase{Actor: advocate, Now: at, CaseID: caseID})
	})
	b.caseAt(caseID, advocate, at, func(c *casefile.Case, at time.Time) ([]domain.Event, error) {
		return c.UnlinkCampaign(casefile.UnlinkCampaign{Actor: advocate, Now: at, CampaignID: campaignID})
	})
}

func (b *builder) register(name string, kind organisation.Kind, department string, themes ...directory.Theme) string {
	b.tb.Helper()
	id := organisation.StreamPrefix + ulid.Make().String()
	b.onOrganisation(id, func(o *organisation.Organisation, at time.Time) ([]domain.Event, error) {
		return o.Register(b.dir, organisation.Register{Actor: advocate, Now: at, ID: id, Name: name, Kind: kind,
			Themes: themes, DepartmentCode: department})
	})
	b.log.Organisations = append(b.log.Organisations, id)
	return id
}

// NewLog builds the suite's log: a small city whose cases, campaigns and
// organisations go through their lives, with what orders must settle:
// cases reported and campaigns launched in the same microsecond, and an
// organisation named in lower case, which collations sort apart.
func NewLog(tb testing.TB) *Log {
	tb.Helper()
	b := &builder{tb: tb, dir: directory.Default(), clock: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
		cases: map[string]*casefile.Case{}, camps: map[string]*campaign.Campaign{}, orgs: map[string]*organisation.Organisation{}}
	b.log.Departments = []string{"roads_works", "public_lighting", "cleanliness"}

	nour := b.register("Nour", organisation.KindAssociation, "", directory.ThemeSocial, directory.ThemeCommunity)
	amis := b.register("amis du quartier", organisation.KindAssociation, "", directory.ThemePolitical)
	b.register("Direction des travaux", organisation.KindMunicipalDepartment, "roads_works")
	medina := b.register("جمعية المدينة", organisation.KindAssociation, "", directory.ThemeCommunity)
	b.register("Centre d'études", organisation.KindInstitution, "", directory.ThemeLegal)
	b.onOrganisation(nour, func(o *organisation.Organisation, at time.Time) ([]domain.Event, error) {
		return o.Update(organisation.Update{Actor: advocate, Now: at, Name: "Association Nour", Themes: []directory.Theme{directory.ThemeSocial}})
	})
	member := organisation.MemberPrefix + ulid.Make().String()
	b.onOrganisation(nour, func(o *organisation.Organisation, at time.Time) ([]domain.Event, error) {
		return o.AddMember(organisation.AddMember{Actor: advocate, Now: at, MemberID: member, Role: "رئيسة الجمعية", MemberSubject: "vault-member"})
	})
	b.onOrganisation(medina, func(o *organisation.Organisation, at time.Time) ([]domain.Event, error) {
		return o.AddMember(organisation.AddMember{Actor: advocate, Now: at, MemberID: organisation.MemberPrefix + ulid.Make().String(),
			Role: "Trésorier", MemberSubject: "vault-member-2"})
	})

	// Closed: forwarded, acknowledged, answered, resolved in time, confirmed.
	closed := b.report(b.tick(), "roads", "Medina", "حفرة أمام المدرسة", &casefile.Location{Lat: 36.7989, Lon: 10.1658})
	b.forward(closed, "roads_works")
	b.acknowledge(closed, "roads_works")
	b.onCase(closed, officer("roads_works"), func(c *casefile.Case, at time.Time) ([]domain.Event, error) {
		return c.Answer(casefile.Answer{Actor: officer("roads_works"), Now: at, Response: "Works planned"})
	})
	b.resolve(closed, "roads_works", b.tick())
	b.onCase(closed, advocate, func(c *casefile.Case, at time.Time) ([]domain.Event, error) {
		return c.Confirm(casefile.Confirm{Actor: advocate, Now: at, Note: "Checked"})
	})

	// Overdue with its breach on record.
	breached := b.report(b.tick(), "lighting", "Bab Souika", "Lampadaire en panne", nil)
	b.forward(breached, "public_lighting")
	b.acknowledge(breached, "public_lighting")
	b.onCase(breached, system, func(c *casefile.Case, at time.Time) ([]domain.Event, error) {
		return c.RecordSLABreach(casefile.RecordSLABreach{Actor: system, Now: at.Add(8 * 24 * time.Hour)})
	})

	// Overdue, breach not on record yet.
	overdue := b.report(b.tick(), "roads", "Lafayette", "Broken pavement near the market", nil)
	b.forward(overdue, "roads_works")

	// Resolved late, then reopened: overdue again on its new due date.
	reopened := b.report(b.tick(), "waste", "Medina", "Overflowing bins", nil)
	b.forward(reopened, "cleanliness")
	b.acknowledge(reopened, "cleanliness")
	b.resolve(reopened, "cleanliness", b.clock.Add(5*24*time.Hour))
	b.caseAt(reopened, advocate, b.clock.Add(6*24*time.Hour), func(c *casefile.Case, at time.Time) ([]domain.Event, error) {
		return c.Reopen(b.dir, casefile.Reopen{Actor: advocate, Now: at, Reason: "Still overflowing"})
	})
	b.clock = b.clock.Add(6 * 24 * time.Hour)

	rejected := b.report(b.tick(), "water", "Lafayette", "Coupure d'eau", nil)
	b.onCase(rejected, advocate, func(c *casefile.Case, at time.Time) ([]domain.Event, error) {
		return c.Reject(casefile.Reject{Actor: advocate, Now: at, Reason: "Handled by the national utility"})
	})
	duplicate := b.report(b.tick(), "roads", "Medina", "Pothole by the school", nil)
	b.onCase(duplicate, advocate, func(c *casefile.Case, at time.Time) ([]domain.Event, error) {
		return c.Merge(casefile.Merge{Actor: advocate, Now: at, Into: closed})
	})

	// Talked about: comments of both kinds, supporters.
	discussed := b.report(b.tick(), "lighting", "Medina", "Dark street at night", &casefile.Location{Lat: 36.7985, Lon: 10.1712})
	b.onCase(discussed, advocate, func(c *casefile.Case, at time.Time) ([]domain.Event, error) {
		return c.Comment(casefile.Comment{Actor: advocate, Now: at, Body: "We are on it", Visibility: casefile.VisibilityPublic})
	})
	b.onCase(discussed, advocate, func(c *casefile.Case, at time.Time) ([]domain.Event, error) {
		return c.Comment(casefile.Comment{Actor: advocate, Now: at, Body: "secret note", Visibility: casefile.VisibilityInternal})
	})
	for range 2 {
		b.onCase(discussed, domain.Anonymous, func(c *casefile.Case, at time.Time) ([]domain.Event, error) {
			return c.Support(casefile.Support{Actor: domain.Anonymous, Now: at})
		})
	}

	// Moderated: one case's texts replaced for the public, another hidden
	// once forwarded, and supported while hidden.
	graffiti := b.report(b.tick(), "roads", "Medina", "Graffiti naming a neighbour", &casefile.Location{Lat: 36.79912, Lon: 10.17044})
	b.onCase(graffiti, advocate, func(c *casefile.Case, at time.Time) ([]domain.Event, error) {
		title, description := "Graffiti on a wall", "Graffiti on a wall of the Medina"
		return c.Moderate(casefile.Moderate{Actor: advocate, Now: at, PublicTitle: &title, PublicDescription: &description, Reason: "names a person"})
	})
	quarrel := b.report(b.tick(), "roads", "Lafayette", "Quarrel between neighbours", &casefile.Location{Lat: 36.8151, Lon: 10.1802})
	b.forward(quarrel, "roads_works")
	b.onCase(quarrel, advocate, func(c *casefile.Case, at time.Time) ([]domain.Event, error) {
		hide := true
		return c.Moderate(casefile.Moderate{Actor: advocate, Now: at, Hidden: &hide, Reason: "a private dispute"})
	})
	b.onCase(quarrel, domain.Anonymous, func(c *casefile.Case, at time.Time) ([]domain.Event, error) {
		return c.Support(casefile.Support{Actor: domain.Anonymous, Now: at})
	})

	// Two cases reported in the same microsecond: only their ids order
	// them.
	same := b.tick().Truncate(time.Microsecond)
	b.report(same.Add(100*time.Nanosecond), "waste", "Bab Souika", "Sacs abandonnés", nil)
	tied := b.report(same.Add(700*time.Nanosecond), "waste", "Bab Souika", "Bins not collected", nil)
	b.onCase(tied, advocate, func(c *casefile.Case, at time.Time) ([]domain.Event, error) {
		return c.Triage(b.dir, casefile.Triage{Actor: advocate, Now: at, Priority: casefile.PriorityLow, Category: "roads"})
	})

	// Campaigns: two launched in the same microsecond.
	at := b.tick().Truncate(time.Microsecond)
	lights := b.launch(at.Add(200*time.Nanosecond), "Light the Medina streets", directory.ThemeCommunity, "public_lighting", nour)
	roads := b.launch(at.Add(600*time.Nanosecond), "Fix the Lafayette roads", directory.ThemePolitical, "roads_works", amis)
	b.launch(b.tick(), "Clean Bab Souika", directory.ThemeCommunity, "cleanliness", medina)

	b.onCampaign(lights, advocate, b.tick(), func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
		return c.JoinPartner(campaign.JoinPartner{Actor: advocate, Now: at, OrganisationID: amis})
	})
	b.link(lights, discussed)
	b.link(lights, breached)
	b.link(lights, closed)
	b.unlink(lights, breached)
	act := campaign.ActivityPrefix + ulid.Make().String()
	b.onCampaign(lights, advocate, b.tick(), func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
		return c.PlanActivity(campaign.PlanActivity{Actor: advocate, Now: at, ActivityID: act, Kind: campaign.ActivityWorkshop,
			Title: "Mapping workshop", ScheduledFor: at.Add(72 * time.Hour), Place: "Dar Lasram"})
	})
	b.onCampaign(lights, advocate, b.tick(), func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
		return c.HoldActivity(campaign.HoldActivity{Actor: advocate, Now: at, ActivityID: act,
			Attendance: campaign.Attendance{Women: 12, Men: 8, Youth: 9, Total: 25}, Minutes: "Minutes"})
	})
	for n := range 3 {
		b.onCampaign(lights, domain.Anonymous, b.tick(), func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
			return c.SignPetition(campaign.SignPetition{Actor: domain.Anonymous, Now: at, District: "Medina",
				SignerSubject: fmt.Sprintf("vault-signer-%d", n), SignerKey: fmt.Sprintf("signer-key-%d", n)})
		})
	}
	b.onCampaign(lights, advocate, b.tick(), func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
		return c.RecordPaperSignatures(campaign.RecordPaperSignatures{Actor: advocate, Now: at, Count: 40, Note: "Sheets from the souk"})
	})
	kept, open := campaign.CommitmentPrefix+ulid.Make().String(), campaign.CommitmentPrefix+ulid.Make().String()
	for _, k := range []struct {
		id, text string
		due      time.Duration
	}{{kept, "Repair 40 street lamps", 20 * 24 * time.Hour}, {open, "Light the Souk el Attarine", 10 * 24 * time.Hour}} {
		b.onCampaign(lights, officer("public_lighting"), b.tick(), func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
			return c.RecordCommitment(campaign.RecordCommitment{Actor: officer("public_lighting"), Now: at, CommitmentID: k.id, Text: k.text, DueBy: at.Add(k.due)})
		})
	}
	b.onCampaign(lights, officer("public_lighting"), b.tick(), func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
		return c.FulfilCommitment(campaign.FulfilCommitment{Actor: officer("public_lighting"), Now: at, CommitmentID: kept, Note: "Done"})
	})
	b.onCampaign(lights, advocate, b.tick(), func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
		return c.PublishUpdate(campaign.PublishUpdate{Actor: advocate, Now: at, Body: "Half the lamps are back."})
	})

	b.link(roads, overdue)
	b.onCampaign(roads, advocate, b.tick(), func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
		return c.Close(campaign.Close{Actor: advocate, Now: at, Outcome: campaign.OutcomeWon, Summary: "The avenue will be resurfaced."})
	})

	b.log.Now = b.clock.Add(40 * 24 * time.Hour)
	return &b.log
}
