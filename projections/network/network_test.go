package network_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/domain/organisation"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
	"github.com/citizenhouse/bayt/projections"
	"github.com/citizenhouse/bayt/projections/network"
	"github.com/oklog/ulid/v2"
)

var (
	advocate = domain.Actor{Role: domain.RoleAdvocate, Name: "Amal"}
	lighting = domain.Actor{Role: domain.RoleOfficer, Name: "Karim", Department: "public_lighting"}
	roads    = domain.Actor{Role: domain.RoleOfficer, Name: "Sonia", Department: "roads_works"}
	t0       = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	// now is when the tests read the models: after every event of the
	// scenario, and after the due date of the overdue commitment.
	now = t0.Add(30 * 24 * time.Hour)
)

func newID(prefix string) string { return prefix + ulid.Make().String() }

// scenario records what commands decide as a log of projection events,
// and what the campaigns' feed should show for it.
type scenario struct {
	t      testing.TB
	clock  time.Time
	events []projections.Event
	camps  map[string]*campaign.Campaign
	orgs   map[string]*organisation.Organisation
	feed   []network.FeedItem
}

func newScenario(tb testing.TB) *scenario {
	tb.Helper()
	return &scenario{t: tb, clock: t0, camps: map[string]*campaign.Campaign{}, orgs: map[string]*organisation.Organisation{}}
}

// tick advances the scenario's clock by an hour: every command happens an
// hour after the one before.
func (s *scenario) tick() time.Time {
	s.clock = s.clock.Add(time.Hour)
	return s.clock
}

func (s *scenario) record(stream string, version int64, e domain.Event, at time.Time) int64 {
	s.t.Helper()
	data, err := json.Marshal(e)
	if err != nil {
		s.t.Fatal(err)
	}
	pos := int64(len(s.events) + 1)
	s.events = append(s.events, projections.Event{
		ID: newID("evt-"), Position: pos, Stream: stream, Version: version, Type: e.EventType(), Data: data, Actor: advocate, RecordedAt: at,
	})
	return pos
}

func (s *scenario) campaign(id string, decide func(c *campaign.Campaign, at time.Time) ([]domain.Event, error)) {
	s.t.Helper()
	c, ok := s.camps[id]
	if !ok {
		c = &campaign.Campaign{}
		s.camps[id] = c
	}
	at := s.tick()
	evs, err := decide(c, at)
	if err != nil {
		s.t.Fatalf("%s: %v", id, err)
	}
	for _, e := range evs {
		c.Apply(e)
		pos := s.record(id, c.Version, e, at)
		s.feed = append(s.feed, network.FeedItem{Type: "event", Position: pos, Stream: id, Event: campaign.EventName(e.EventType()),
			CampaignID: c.ID, Status: string(c.Status), Title: c.Title, Theme: string(c.Theme), At: at})
	}
}

func (s *scenario) organisation(id string, decide func(o *organisation.Organisation, at time.Time) ([]domain.Event, error)) {
	s.t.Helper()
	o, ok := s.orgs[id]
	if !ok {
		o = &organisation.Organisation{}
		s.orgs[id] = o
	}
	at := s.tick()
	evs, err := decide(o, at)
	if err != nil {
		s.t.Fatalf("%s: %v", id, err)
	}
	for _, e := range evs {
		o.Apply(e)
		s.record(id, o.Version, e, at)
	}
}

func (s *scenario) register(name string, kind organisation.Kind, department string, themes ...directory.Theme) string {
	s.t.Helper()
	id := newID(organisation.StreamPrefix)
	s.organisation(id, func(o *organisation.Organisation, at time.Time) ([]domain.Event, error) {
		return o.Register(directory.Default(), organisation.Register{Actor: advocate, Now: at, ID: id, Name: name, Kind: kind,
			Themes: themes, DepartmentCode: department})
	})
	return id
}

func (s *scenario) launch(title string, theme directory.Theme, department, lead string) string {
	s.t.Helper()
	id := newID(campaign.StreamPrefix)
	s.campaign(id, func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
		return c.Launch(directory.Default(), campaign.Launch{Actor: advocate, Now: at, ID: id, Title: title,
			Demand: "Demand of " + title, Theme: theme, TargetDepartment: department, LeadOrganisation: lead})
	})
	return id
}

func (s *scenario) join(id, org string) {
	s.t.Helper()
	s.campaign(id, func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
		return c.JoinPartner(campaign.JoinPartner{Actor: advocate, Now: at, OrganisationID: org})
	})
}

func (s *scenario) link(id, caseID string) {
	s.t.Helper()
	s.campaign(id, func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
		return c.LinkCase(campaign.LinkCase{Actor: advocate, Now: at, CaseID: caseID})
	})
}

func (s *scenario) unlink(id, caseID string) {
	s.t.Helper()
	s.campaign(id, func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
		return c.UnlinkCase(campaign.UnlinkCase{Actor: advocate, Now: at, CaseID: caseID})
	})
}

func (s *scenario) plan(id string, kind campaign.ActivityKind, title string) string {
	s.t.Helper()
	act := newID(campaign.ActivityPrefix)
	s.campaign(id, func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
		return c.PlanActivity(campaign.PlanActivity{Actor: advocate, Now: at, ActivityID: act, Kind: kind, Title: title,
			ScheduledFor: at.Add(72 * time.Hour), Place: "Dar Lasram"})
	})
	return act
}

func (s *scenario) hold(id, act string, a campaign.Attendance) {
	s.t.Helper()
	s.campaign(id, func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
		return c.HoldActivity(campaign.HoldActivity{Actor: advocate, Now: at, ActivityID: act, Attendance: a, Minutes: "Minutes"})
	})
}

// sign signs id's petition; n numbers the signer, 0 for an anonymous one
// with neither subject nor key.
func (s *scenario) sign(id string, n int) {
	s.t.Helper()
	cmd := campaign.SignPetition{Actor: domain.Anonymous, District: "Medina"}
	if n > 0 {
		cmd.SignerSubject = fmt.Sprintf("vault-subject-%d", n)
		cmd.SignerKey = fmt.Sprintf("signer-key-%d", n)
	}
	s.campaign(id, func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
		cmd.Now = at
		return c.SignPetition(cmd)
	})
}

// paper records n signatures gathered on paper on id's petition.
func (s *scenario) paper(id string, n int) {
	s.t.Helper()
	s.campaign(id, func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
		return c.RecordPaperSignatures(campaign.RecordPaperSignatures{Actor: advocate, Now: at, Count: n, Note: "Sheets from the souk"})
	})
}

func (s *scenario) commit(id string, by domain.Actor, text string, due time.Time) string {
	s.t.Helper()
	com := newID(campaign.CommitmentPrefix)
	s.campaign(id, func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
		return c.RecordCommitment(campaign.RecordCommitment{Actor: by, Now: at, CommitmentID: com, Text: text, DueBy: due})
	})
	return com
}

// fixture is what network builds: ids in the order they were created.
type fixture struct {
	orgs  []string // Nour (renamed Association Nour), Jeunesse Active, Direction des travaux, Centre d'études, جمعية المدينة
	camps []string // lighting (community), roads (political, closed), tenants (legal), waste (community)
	acts  []string // the activities of camps[0]: seminar (held), workshop (held), media (planned only)
	cases []string
}

// network registers organisations and runs four campaigns through most of
// their life: partners, cases, activities, signatures, commitments, a
// close, and what may follow a close.
func (s *scenario) network() fixture {
	s.t.Helper()
	var f fixture
	f.orgs = []string{
		s.register("Nour", organisation.KindAssociation, "", directory.ThemeSocial, directory.ThemeCommunity),
		s.register("Jeunesse Active", organisation.KindAssociation, "", directory.ThemePolitical),
		s.register("Direction des travaux", organisation.KindMunicipalDepartment, "roads_works"),
		s.register("Centre d'études", organisation.KindInstitution, "", directory.ThemeLegal),
		s.register("جمعية المدينة", organisation.KindAssociation, "", directory.ThemeCommunity),
	}
	s.organisation(f.orgs[0], func(o *organisation.Organisation, at time.Time) ([]domain.Event, error) {
		return o.Update(organisation.Update{Actor: advocate, Now: at, Name: "Association Nour"})
	})
	s.organisation(f.orgs[0], func(o *organisation.Organisation, at time.Time) ([]domain.Event, error) {
		return o.AddMember(organisation.AddMember{Actor: advocate, Now: at, MemberID: newID(organisation.MemberPrefix),
			Role: "رئيسة الجمعية", MemberSubject: "vault-member-1"})
	})
	for range 3 {
		f.cases = append(f.cases, newID("case-"))
	}

	f.camps = []string{
		s.launch("Light the Medina streets", directory.ThemeCommunity, "public_lighting", f.orgs[0]),
		s.launch("Fix the Lafayette roads", directory.ThemePolitical, "roads_works", f.orgs[1]),
		s.launch("Legal aid for tenants", directory.ThemeLegal, "social_affairs", f.orgs[3]),
		s.launch("Clean Bab Souika", directory.ThemeCommunity, "cleanliness", f.orgs[4]),
	}
	lights, roadsC, waste := f.camps[0], f.camps[1], f.camps[3]

	// camps[0]: one partner, two cases of which one unlinked, two
	// activities held and one planned, three signatures online and two
	// batches on paper, four commitments:
	// one fulfilled, one broken, one open and overdue, one open.
	s.join(lights, f.orgs[1])
	s.join(lights, f.orgs[0]) // the lead: records nothing
	s.link(lights, f.cases[0])
	s.link(lights, f.cases[1])
	s.link(lights, f.cases[1]) // already linked: records nothing
	s.unlink(lights, f.cases[0])
	f.acts = []string{
		s.plan(lights, campaign.ActivitySeminar, "Seminar on public lighting"),
		s.plan(lights, campaign.ActivityWorkshop, "Mapping workshop"),
		s.plan(lights, campaign.ActivityMedia, "Radio programme"),
	}
	s.hold(lights, f.acts[0], campaign.Attendance{Women: 12, Men: 8, Youth: 9, Total: 25})
	s.hold(lights, f.acts[1], campaign.Attendance{Women: 5, Men: 5, Youth: 2, Total: 11})
	s.sign(lights, 1)
	s.sign(lights, 0)
	s.sign(lights, 2)
	s.paper(lights, 40)
	s.paper(lights, 7)
	kept := s.commit(lights, lighting, "Repair 40 street lamps", t0.Add(20*24*time.Hour))
	broken := s.commit(lights, advocate, "Publish the lighting budget", t0.Add(60*24*time.Hour))
	s.commit(lights, lighting, "Light the Souk el Attarine", t0.Add(10*24*time.Hour)) // overdue by now
	s.commit(lights, advocate, "Replace every lamp with LEDs", t0.Add(365*24*time.Hour))
	s.campaign(lights, func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
		return c.FulfilCommitment(campaign.FulfilCommitment{Actor: lighting, Now: at, CommitmentID: kept, Note: "Done"})
	})
	s.campaign(lights, func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
		return c.BreakCommitment(campaign.BreakCommitment{Actor: advocate, Now: at, CommitmentID: broken})
	})

	// camps[1]: two partners and one who left, a case, a signature, a
	// commitment and an activity settled after the close, and an update.
	s.join(roadsC, f.orgs[2])
	s.join(roadsC, f.orgs[4])
	s.campaign(roadsC, func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
		return c.LeavePartner(campaign.LeavePartner{Actor: advocate, Now: at, OrganisationID: f.orgs[4]})
	})
	s.link(roadsC, f.cases[2])
	s.sign(roadsC, 3)
	hearing := s.plan(roadsC, campaign.ActivityHearing, "Hearing at the town hall")
	promise := s.commit(roadsC, roads, "Resurface avenue de Paris", t0.Add(90*24*time.Hour))
	s.campaign(roadsC, func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
		return c.Close(campaign.Close{Actor: advocate, Now: at, Outcome: campaign.OutcomeWon, Summary: "The avenue will be resurfaced."})
	})
	s.hold(roadsC, hearing, campaign.Attendance{Women: 3, Men: 4, Youth: 1, Total: 9})
	s.campaign(roadsC, func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
		return c.FulfilCommitment(campaign.FulfilCommitment{Actor: roads, Now: at, CommitmentID: promise})
	})
	s.unlink(roadsC, f.cases[2])
	s.campaign(roadsC, func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
		return c.PublishUpdate(campaign.PublishUpdate{Actor: advocate, Now: at, Body: "Works start on Monday."})
	})

	// camps[3]: the lead of camps[0] joins as a partner.
	s.join(waste, f.orgs[0])
	return f
}

// campaignEvents returns the positions of the campaign events of events.
func campaignEvents(events []projections.Event) []int64 {
	var out []int64
	for _, e := range events {
		if strings.HasPrefix(e.Stream, campaign.StreamPrefix) {
			out = append(out, e.Position)
		}
	}
	return out
}

// model is what both implementations answer.
type model interface {
	Campaigns(ctx context.Context, f network.CampaignFilter) (network.CampaignPage, error)
	Organisations(ctx context.Context, kind string) ([]organisation.Organisation, error)
	FeedAfter(ctx context.Context, after int64, limit int) ([]projections.FeedRecord, error)
	Snapshot(ctx context.Context, now time.Time) (int64, any, error)
}

// testBundle is one implementation under test: the model, a way to feed
// it a batch, and the position it has checkpointed.
type testBundle struct {
	model
	try        func(events []projections.Event) error
	checkpoint func(t *testing.T) int64
}

func (b *testBundle) apply(t *testing.T, events []projections.Event) {
	t.Helper()
	if err := b.try(events); err != nil {
		t.Fatal(err)
	}
}

// implementations sets up each implementation, empty.
var implementations = map[string]func(t *testing.T) *testBundle{
	"Postgres": func(t *testing.T) *testBundle {
		t.Helper()
		ctx := context.Background()
		pool, _ := eventstoretest.Schema(t, nil)
		pg := network.NewPostgres(pool)
		return &testBundle{
			model: pg,
			try: func(events []projections.Event) error {
				_, err := projections.ApplyBatch(ctx, pool, pg, events)
				return err
			},
			checkpoint: func(t *testing.T) int64 {
				t.Helper()
				pos, err := projections.Checkpoint(ctx, pool, network.Name)
				if err != nil {
					t.Fatal(err)
				}
				return pos
			},
		}
	},
	"Memory": func(t *testing.T) *testBundle {
		t.Helper()
		m := network.NewMemory()
		var last int64
		return &testBundle{
			model: m,
			try: func(events []projections.Event) error {
				if err := m.Apply(context.Background(), events); err != nil {
					return err
				}
				if len(events) > 0 {
					last = max(last, events[len(events)-1].Position)
				}
				return nil
			},
			checkpoint: func(*testing.T) int64 { return last },
		}
	},
}

// applyInBatches feeds events in three batches, the second overlapping the
// first, then delivers the whole log again: every event must count once.
func (b *testBundle) applyInBatches(t *testing.T, events []projections.Event) {
	t.Helper()
	n := len(events)
	for _, part := range [][]projections.Event{events[:n/3], events[n/3-2 : 2*n/3], events[2*n/3:], events} {
		b.apply(t, part)
	}
}

func ids(items []campaign.Campaign) []string {
	out := []string{}
	for _, c := range items {
		out = append(out, c.ID)
	}
	return out
}

func TestReadModels(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, setup := range implementations {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newScenario(t)
			f := s.network()
			b := setup(t)
			b.applyInBatches(t, s.events)

			t.Run("Organisations", func(t *testing.T) {
				t.Parallel()
				for _, tc := range []struct {
					kind string
					want []string
				}{
					{"", []string{"Association Nour", "Centre d'études", "Direction des travaux", "Jeunesse Active", "جمعية المدينة"}},
					{"association", []string{"Association Nour", "Jeunesse Active", "جمعية المدينة"}},
					{"municipal_department", []string{"Direction des travaux"}},
					{"institution", []string{"Centre d'études"}},
					{"private_sector", nil},
				} {
					orgs, err := b.Organisations(ctx, tc.kind)
					if err != nil {
						t.Fatal(err)
					}
					var got []string
					for _, o := range orgs {
						got = append(got, o.Name)
						if tc.kind != "" && string(o.Kind) != tc.kind {
							t.Errorf("kind %q: %s is %s", tc.kind, o.Name, o.Kind)
						}
					}
					if !reflect.DeepEqual(got, tc.want) {
						t.Errorf("organisations of kind %q: got %q, want %q", tc.kind, got, tc.want)
					}
				}
				orgs, err := b.Organisations(ctx, "municipal_department")
				if err != nil || len(orgs) != 1 {
					t.Fatalf("municipal departments = %v, %v", orgs, err)
				}
				if o := orgs[0]; o.ID != f.orgs[2] || o.DepartmentCode != "roads_works" || o.Version != 1 || !o.CreatedAt.Equal(t0.Add(3*time.Hour)) {
					t.Errorf("municipal department = %+v", o)
				}
				orgs, err = b.Organisations(ctx, "association")
				if err != nil || len(orgs) != 3 {
					t.Fatalf("associations = %v, %v", orgs, err)
				}
				if o := orgs[0]; o.ID != f.orgs[0] || o.Version != 3 || len(o.Members) != 1 ||
					!slices.Equal(o.Themes, []directory.Theme{directory.ThemeSocial, directory.ThemeCommunity}) {
					t.Errorf("renamed association = %+v", o)
				}
			})

			t.Run("Filters", func(t *testing.T) {
				t.Parallel()
				c := f.camps
				for _, tc := range []struct {
					name string
					f    network.CampaignFilter
					want []string
				}{
					{"All", network.CampaignFilter{}, []string{c[3], c[2], c[1], c[0]}},
					{"ThemeCommunity", network.CampaignFilter{Theme: "community"}, []string{c[3], c[0]}},
					{"ThemePolitical", network.CampaignFilter{Theme: "political"}, []string{c[1]}},
					{"ThemeWithoutCampaigns", network.CampaignFilter{Theme: "economic"}, []string{}},
					{"StatusActive", network.CampaignFilter{Status: "active"}, []string{c[3], c[2], c[0]}},
					{"StatusClosed", network.CampaignFilter{Status: "closed"}, []string{c[1]}},
					{"OrganisationLeadAndPartner", network.CampaignFilter{Organisation: f.orgs[0]}, []string{c[3], c[0]}},
					{"OrganisationPartnerAndLead", network.CampaignFilter{Organisation: f.orgs[1]}, []string{c[1], c[0]}},
					{"OrganisationPartnerOnly", network.CampaignFilter{Organisation: f.orgs[2]}, []string{c[1]}},
					{"OrganisationLeftPartner", network.CampaignFilter{Organisation: f.orgs[4]}, []string{c[3]}},
					{"OrganisationLeadOnly", network.CampaignFilter{Organisation: f.orgs[3]}, []string{c[2]}},
					{"OrganisationUnknown", network.CampaignFilter{Organisation: newID(organisation.StreamPrefix)}, []string{}},
					{"ThemeAndOrganisation", network.CampaignFilter{Theme: "community", Organisation: f.orgs[4]}, []string{c[3]}},
					{"StatusAndOrganisation", network.CampaignFilter{Status: "active", Organisation: f.orgs[1]}, []string{c[0]}},
					{"MaxLimit", network.CampaignFilter{Limit: network.MaxLimit}, []string{c[3], c[2], c[1], c[0]}},
				} {
					p, err := b.Campaigns(ctx, tc.f)
					if err != nil {
						t.Fatalf("%s: %v", tc.name, err)
					}
					if got := ids(p.Items); !reflect.DeepEqual(got, tc.want) || p.NextCursor != "" {
						t.Errorf("%s: got %v (next %q), want %v", tc.name, got, p.NextCursor, tc.want)
					}
				}
			})

			t.Run("Paging", func(t *testing.T) {
				t.Parallel()
				c := f.camps
				for _, tc := range []struct {
					f    network.CampaignFilter
					want []string
				}{
					{network.CampaignFilter{Limit: 1}, []string{c[3], c[2], c[1], c[0]}},
					{network.CampaignFilter{Limit: 3}, []string{c[3], c[2], c[1], c[0]}},
					{network.CampaignFilter{Limit: 4}, []string{c[3], c[2], c[1], c[0]}},
					{network.CampaignFilter{Limit: 1, Organisation: f.orgs[1]}, []string{c[1], c[0]}},
					{network.CampaignFilter{Limit: 2, Status: "active"}, []string{c[3], c[2], c[0]}},
				} {
					var paged []string
					pages := 0
					flt := tc.f
					for {
						p, err := b.Campaigns(ctx, flt)
						if err != nil {
							t.Fatal(err)
						}
						if len(p.Items) > tc.f.Limit {
							t.Errorf("%+v: page of %d items", tc.f, len(p.Items))
						}
						paged = append(paged, ids(p.Items)...)
						if pages++; p.NextCursor == "" || pages > 10 {
							break
						}
						flt.Cursor = p.NextCursor
					}
					if !reflect.DeepEqual(paged, tc.want) {
						t.Errorf("%+v: paged %v, want %v", tc.f, paged, tc.want)
					}
				}
			})

			t.Run("ErrInvalid", func(t *testing.T) {
				t.Parallel()
				enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
				for _, tc := range []struct {
					name string
					f    network.CampaignFilter
				}{
					{"CursorNotBase64", network.CampaignFilter{Cursor: "not a cursor!"}},
					{"CursorGarbage", network.CampaignFilter{Cursor: "not-a-cursor"}},
					{"CursorWithoutSeparator", network.CampaignFilter{Cursor: enc("1772355600000000")}},
					{"CursorNotATime", network.CampaignFilter{Cursor: enc("yesterday|" + f.camps[0])}},
					{"CursorWithoutID", network.CampaignFilter{Cursor: enc("1772355600000000|")}},
					{"LimitAboveMax", network.CampaignFilter{Limit: network.MaxLimit + 1}},
					{"UnknownStatus", network.CampaignFilter{Status: "paused"}},
				} {
					if _, err := b.Campaigns(ctx, tc.f); domain.KindOf(err) != domain.KindInvalid {
						t.Errorf("%s: err = %v, want invalid", tc.name, err)
					}
				}
			})

			t.Run("FoldedState", func(t *testing.T) {
				t.Parallel()
				p, err := b.Campaigns(ctx, network.CampaignFilter{})
				if err != nil {
					t.Fatal(err)
				}
				byID := map[string]campaign.Campaign{}
				for _, c := range p.Items {
					byID[c.ID] = c
				}
				lights := byID[f.camps[0]]
				if lights.Title != "Light the Medina streets" || lights.Status != campaign.StatusActive || lights.TargetDepartment != "public_lighting" ||
					lights.LeadOrganisation != f.orgs[0] || !lights.CreatedAt.Equal(t0.Add(8*time.Hour)) {
					t.Errorf("lighting campaign = %+v", lights)
				}
				if lights.Signatures != 50 || lights.PaperSignatures != 47 {
					t.Errorf("lighting signatures = %d, on paper %d; want 50, 47", lights.Signatures, lights.PaperSignatures)
				}
				if !slices.Equal(lights.CaseIDs, []string{f.cases[1]}) {
					t.Errorf("lighting cases = %v, want %v", lights.CaseIDs, f.cases[1:2])
				}
				if !slices.Equal(lights.Partners, []string{f.orgs[0], f.orgs[1]}) {
					t.Errorf("lighting partners = %v", lights.Partners)
				}
				if got, want := lights.Attendance(), (campaign.Attendance{Women: 17, Men: 13, Youth: 11, Total: 36}); got != want {
					t.Errorf("lighting attendance = %+v, want %+v", got, want)
				}
				if len(lights.Activities) != 3 || lights.Activities[f.acts[2]] == nil || lights.Activities[f.acts[2]].Held {
					t.Errorf("lighting activities = %+v", lights.Activities)
				}
				if made, fulfilled, broken, overdue := lights.CommitmentCounts(now); made != 4 || fulfilled != 1 || broken != 1 || overdue != 1 {
					t.Errorf("lighting commitments = %d made, %d fulfilled, %d broken, %d overdue; want 4, 1, 1, 1", made, fulfilled, broken, overdue)
				}
				if want := s.camps[f.camps[0]].Version; lights.Version != want {
					t.Errorf("lighting version = %d, want %d", lights.Version, want)
				}

				roadsC := byID[f.camps[1]]
				if roadsC.Status != campaign.StatusClosed || roadsC.Outcome != campaign.OutcomeWon || roadsC.ClosedAt == nil ||
					roadsC.Summary != "The avenue will be resurfaced." || roadsC.Updates != 1 {
					t.Errorf("roads campaign = %+v", roadsC)
				}
				if roadsC.Signatures != 1 || len(roadsC.CaseIDs) != 0 || !slices.Equal(roadsC.Partners, []string{f.orgs[1], f.orgs[2]}) {
					t.Errorf("roads signatures %d, cases %v, partners %v", roadsC.Signatures, roadsC.CaseIDs, roadsC.Partners)
				}
				if got, want := roadsC.Attendance(), (campaign.Attendance{Women: 3, Men: 4, Youth: 1, Total: 9}); got != want {
					t.Errorf("roads attendance = %+v, want %+v", got, want)
				}
				if made, fulfilled, broken, overdue := roadsC.CommitmentCounts(now); made != 1 || fulfilled != 1 || broken != 0 || overdue != 0 {
					t.Errorf("roads commitments = %d, %d, %d, %d; want 1, 1, 0, 0", made, fulfilled, broken, overdue)
				}
				if !roadsC.UpdatedAt.Equal(s.camps[f.camps[1]].UpdatedAt) {
					t.Errorf("roads updated at %v, want %v", roadsC.UpdatedAt, s.camps[f.camps[1]].UpdatedAt)
				}

				tenants := byID[f.camps[2]]
				if tenants.Signatures != 0 || len(tenants.CaseIDs) != 0 || tenants.Attendance() != (campaign.Attendance{}) ||
					!slices.Equal(tenants.Partners, []string{f.orgs[3]}) || tenants.Version != 1 {
					t.Errorf("tenants campaign = %+v", tenants)
				}
				if made, _, _, _ := tenants.CommitmentCounts(now); made != 0 {
					t.Errorf("tenants commitments = %d", made)
				}
			})

			t.Run("Feed", func(t *testing.T) {
				t.Parallel()
				feed, err := b.FeedAfter(ctx, 0, 1000)
				if err != nil {
					t.Fatal(err)
				}
				var positions []int64
				for i, r := range feed {
					positions = append(positions, r.Position)
					if i > 0 && r.Position <= feed[i-1].Position {
						t.Errorf("feed positions not increasing: %d after %d", r.Position, feed[i-1].Position)
					}
					for _, secret := range []string{"signer_key", "signer_subject", "signer-key-", "vault-subject-", "vault-member-"} {
						if strings.Contains(string(r.JSON), secret) {
							t.Errorf("feed item %d leaks %q: %s", r.Position, secret, r.JSON)
						}
					}
					var fields map[string]any
					if err := json.Unmarshal(r.JSON, &fields); err != nil {
						t.Fatal(err)
					}
					for k := range fields {
						if !slices.Contains([]string{"type", "position", "stream", "event", "campaign_id", "status", "title", "theme", "at"}, k) {
							t.Errorf("feed item %d has field %q: %s", r.Position, k, r.JSON)
						}
					}
					var it network.FeedItem
					if err := json.Unmarshal(r.JSON, &it); err != nil {
						t.Fatal(err)
					}
					if it.Position != r.Position {
						t.Errorf("feed record at %d holds position %d", r.Position, it.Position)
					}
					if i < len(s.feed) && !reflect.DeepEqual(it, s.feed[i]) {
						t.Errorf("feed item %d:\n got %+v\nwant %+v", i, it, s.feed[i])
					}
				}
				if want := campaignEvents(s.events); !slices.Equal(positions, want) {
					t.Errorf("feed positions %v, want every campaign event %v", positions, want)
				}
				var closedAt int64
				for _, it := range s.feed {
					if it.Event == "CampaignClosed" {
						closedAt = it.Position
					}
				}
				for _, it := range s.feed {
					if it.CampaignID == f.camps[1] && (it.Position >= closedAt) != (it.Status == "closed") {
						t.Errorf("expected feed itself is wrong: %+v", it)
					}
				}

				head, err := b.FeedAfter(ctx, 0, 2)
				if err != nil || len(head) != 2 || head[1].Position != positions[1] {
					t.Errorf("feed limited to 2 = %d items, %v", len(head), err)
				}
				tail, err := b.FeedAfter(ctx, positions[len(positions)-2], 100)
				if err != nil || len(tail) != 1 || tail[0].Position != positions[len(positions)-1] {
					t.Errorf("feed after the second last = %d items, %v", len(tail), err)
				}
				none, err := b.FeedAfter(ctx, int64(len(s.events)), 100)
				if err != nil || len(none) != 0 {
					t.Errorf("feed after the end = %d items, %v", len(none), err)
				}
			})

			t.Run("Snapshot", func(t *testing.T) {
				t.Parallel()
				pos, v, err := b.Snapshot(ctx, now)
				if err != nil {
					t.Fatal(err)
				}
				board, ok := v.(network.Board)
				if !ok {
					t.Fatalf("snapshot is a %T", v)
				}
				want := int64(len(s.events))
				if cp := b.checkpoint(t); pos != want || board.Position != want || cp != want {
					t.Errorf("snapshot at %d (board %d), checkpoint %d; want %d", pos, board.Position, cp, want)
				}
				if want := map[string]int{"active": 3, "closed": 1}; !reflect.DeepEqual(board.ByStatus, want) {
					t.Errorf("by status = %v, want %v", board.ByStatus, want)
				}
				if want := map[string]int{"community": 2, "political": 1, "legal": 1}; !reflect.DeepEqual(board.ByTheme, want) {
					t.Errorf("by theme = %v, want %v", board.ByTheme, want)
				}
				wantBoard := []network.BoardCampaign{
					{ID: f.camps[3], Title: "Clean Bab Souika", Theme: "community", Status: "active"},
					{ID: f.camps[2], Title: "Legal aid for tenants", Theme: "legal", Status: "active"},
					{ID: f.camps[1], Title: "Fix the Lafayette roads", Theme: "political", Status: "closed", Signatures: 1},
					{ID: f.camps[0], Title: "Light the Medina streets", Theme: "community", Status: "active", CasesTotal: 1, Signatures: 50},
				}
				if !reflect.DeepEqual(board.Campaigns, wantBoard) {
					t.Errorf("board campaigns:\n got %+v\nwant %+v", board.Campaigns, wantBoard)
				}
			})
		})
	}
}

// TestImplementationsAgree feeds both implementations the same log and
// checks that every query answers the same.
func TestImplementationsAgree(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newScenario(t)
	f := s.network()
	answers := map[string]string{}
	for _, name := range []string{"Postgres", "Memory"} {
		b := implementations[name](t)
		b.applyInBatches(t, s.events)
		var out []string
		add := func(label string, v any, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s %s: %v", name, label, err)
			}
			j, err := json.MarshalIndent(v, "", " ")
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, label+": "+string(j))
		}
		for _, flt := range []network.CampaignFilter{{}, {Theme: "community"}, {Status: "closed"}, {Organisation: f.orgs[1]}, {Limit: 2}} {
			p, err := b.Campaigns(ctx, flt)
			add(fmt.Sprintf("campaigns %+v", flt), p, err)
		}
		for _, kind := range []string{"", "association"} {
			orgs, err := b.Organisations(ctx, kind)
			add("organisations "+kind, orgs, err)
		}
		feed, err := b.FeedAfter(ctx, 0, 1000)
		var items []network.FeedItem
		for _, r := range feed {
			var it network.FeedItem
			if err := json.Unmarshal(r.JSON, &it); err != nil {
				t.Fatal(err)
			}
			items = append(items, it)
		}
		add("feed", items, err)
		_, board, err := b.Snapshot(ctx, now)
		add("snapshot", board, err)
		answers[name] = strings.Join(out, "\n")
	}
	if answers["Postgres"] != answers["Memory"] {
		t.Errorf("Postgres and Memory disagree:\nPostgres:\n%s\nMemory:\n%s", answers["Postgres"], answers["Memory"])
	}
}

// TestPagesAreSnapshots checks that what a query returned does not change
// when events are applied afterwards: an API handler renders a page while
// the projection goes on applying.
func TestPagesAreSnapshots(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, setup := range implementations {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newScenario(t)
			f := s.network()
			b := setup(t)
			b.apply(t, s.events)
			page, err := b.Campaigns(ctx, network.CampaignFilter{})
			if err != nil {
				t.Fatal(err)
			}
			orgs, err := b.Organisations(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			// Deep copies of what was returned, to compare with afterwards.
			var campsBefore []campaign.Campaign
			var orgsBefore []organisation.Organisation
			for _, v := range []struct{ from, to any }{{page.Items, &campsBefore}, {orgs, &orgsBefore}} {
				j, err := json.Marshal(v.from)
				if err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(j, v.to); err != nil {
					t.Fatal(err)
				}
			}

			n := len(s.events)
			s.hold(f.camps[0], f.acts[2], campaign.Attendance{Women: 1, Men: 1, Total: 2})
			s.campaign(f.camps[0], func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
				return c.LeavePartner(campaign.LeavePartner{Actor: advocate, Now: at, OrganisationID: f.orgs[1]})
			})
			s.organisation(f.orgs[0], func(o *organisation.Organisation, at time.Time) ([]domain.Event, error) {
				return o.RemoveMember(organisation.RemoveMember{Actor: advocate, Now: at, MemberID: o.Members[0].ID})
			})
			b.apply(t, s.events[n:])

			for _, c := range page.Items {
				if a := c.Activities[f.acts[2]]; c.ID == f.camps[0] && (a == nil || a.Held) {
					t.Errorf("activity %s of the campaign already returned became held: %+v", f.acts[2], a)
				}
			}
			var changed []string
			for i := range page.Items {
				changed = append(changed, fieldDiff(t, page.Items[i].Title, campsBefore[i], page.Items[i])...)
			}
			for i := range orgs {
				changed = append(changed, fieldDiff(t, orgs[i].Name, orgsBefore[i], orgs[i])...)
			}
			if len(changed) > 0 {
				t.Errorf("values already returned changed when later events were applied:\n%s", strings.Join(changed, "\n"))
			}
			// The model itself moved on.
			p, err := b.Campaigns(ctx, network.CampaignFilter{Organisation: f.orgs[1]})
			if err != nil || !reflect.DeepEqual(ids(p.Items), []string{f.camps[1]}) {
				t.Errorf("after the partner left: %v, %v", ids(p.Items), err)
			}
		})
	}
}

// fieldDiff lists the top-level fields of two JSON objects that differ.
func fieldDiff(t *testing.T, label string, a, b any) []string {
	t.Helper()
	var fields [2]map[string]json.RawMessage
	for i, v := range []any{a, b} {
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(j, &fields[i]); err != nil {
			t.Fatal(err)
		}
	}
	var out []string
	for k, before := range fields[0] {
		if after := fields[1][k]; string(after) != string(before) {
			out = append(out, fmt.Sprintf("%s.%s: %.300s -> %.300s", label, k, before, after))
		}
	}
	slices.Sort(out)
	return out
}

// TestFailedBatchChangesNothing checks that a batch that cannot be applied
// leaves the read model as it was, as a rolled back transaction does.
func TestFailedBatchChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, setup := range implementations {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newScenario(t)
			org := s.register("Nour", organisation.KindAssociation, "")
			id := s.launch("Light the Medina streets", directory.ThemeCommunity, "public_lighting", org)
			b := setup(t)
			b.apply(t, s.events)
			s.sign(id, 1)
			bad := append(slices.Clone(s.events[len(s.events)-1:]), projections.Event{
				Position: int64(len(s.events) + 1), Stream: id, Version: 3, Type: campaign.TypePetitionSigned,
				Data: json.RawMessage(`{"at": "not a time"}`), RecordedAt: s.clock,
			})
			err := b.try(bad)
			if err == nil {
				t.Fatal("a malformed event was applied")
			}
			p, err := b.Campaigns(ctx, network.CampaignFilter{})
			if err != nil || len(p.Items) != 1 {
				t.Fatalf("campaigns = %v, %v", p.Items, err)
			}
			if got := p.Items[0].Signatures; got != 0 {
				t.Errorf("after a failed batch: %d signatures, want 0", got)
			}
			if pos, _, err := b.Snapshot(ctx, now); err != nil || pos != 2 {
				t.Errorf("after a failed batch: snapshot at %d, %v; want 2", pos, err)
			}
			// The good event, delivered again without the bad one, counts once.
			b.apply(t, bad[:1])
			p, err = b.Campaigns(ctx, network.CampaignFilter{})
			if err != nil || len(p.Items) != 1 || p.Items[0].Signatures != 1 {
				t.Errorf("after the good event again: %d signatures, %v; want 1", p.Items[0].Signatures, err)
			}
		})
	}
}

// TestRebuildMatchesLive processes a log live, rebuilds the projection
// from zero and checks that the tables are identical, and that events
// appended during the rebuild are not lost.
func TestRebuildMatchesLive(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		s := newScenario(t)
		f := s.network()
		for i := range 30 {
			org := s.register(fmt.Sprintf("Association %02d", i), organisation.KindAssociation, "", directory.ThemeSocial)
			id := s.launch(fmt.Sprintf("Campaign %02d", i), directory.ThemeSocial, "social_affairs", org)
			s.join(id, f.orgs[i%len(f.orgs)])
			s.sign(id, 100+i)
			if i%3 == 0 {
				s.link(id, newID("case-"))
			}
			if i%4 == 0 {
				s.campaign(id, func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
					return c.Close(campaign.Close{Actor: advocate, Now: at, Outcome: campaign.OutcomeLost, Summary: "No answer."})
				})
			}
		}
		rebuildMatchesLive(t, s.events)
	})
	// A newer binary may have written an event this one does not know: the
	// projection skips it, and must skip it the same whatever the batches.
	t.Run("UnknownEventType", func(t *testing.T) {
		t.Parallel()
		s := newScenario(t)
		org := s.register("Nour", organisation.KindAssociation, "")
		id := s.launch("Light the Medina streets", directory.ThemeCommunity, "public_lighting", org)
		s.sign(id, 1)
		s.events = append(s.events, projections.Event{Position: int64(len(s.events) + 1), Stream: id, Version: 3,
			Type: "campaign.petition_delivered", Data: json.RawMessage(`{"at":"2026-03-01T14:00:00Z"}`), RecordedAt: s.tick()})
		s.register("Jeunesse Active", organisation.KindAssociation, "")
		s.register("Centre d'études", organisation.KindInstitution, "")
		rebuildMatchesLive(t, s.events)
	})
}

// rebuildMatchesLive applies events live in batches of 3, rebuilds from a
// log that grows while it is read, and compares the tables.
func rebuildMatchesLive(t *testing.T, events []projections.Event) {
	t.Helper()
	ctx := context.Background()
	pool, _ := eventstoretest.Schema(t, nil)
	pg := network.NewPostgres(pool)
	for i := 0; i < len(events); i += 3 {
		if _, err := projections.ApplyBatch(ctx, pool, pg, events[i:min(i+3, len(events))]); err != nil {
			t.Fatal(err)
		}
	}
	dump := func() string {
		t.Helper()
		var out string
		for _, q := range []string{
			"SELECT COALESCE(string_agg(c::text, E'\\n' ORDER BY id), '') FROM campaign_list c",
			"SELECT COALESCE(string_agg(o::text, E'\\n' ORDER BY id), '') FROM organisation_list o",
			"SELECT COALESCE(string_agg(f::text, E'\\n' ORDER BY position), '') FROM campaign_feed f",
			"SELECT COALESCE((SELECT position::text FROM checkpoints WHERE name = 'network'), 'none')",
		} {
			var part string
			if err := pool.QueryRow(ctx, q).Scan(&part); err != nil {
				t.Fatal(err)
			}
			out += part + "\n---\n"
		}
		return out
	}
	before := dump()
	if want := fmt.Sprintf("\n---\n%d\n---\n", len(events)); !strings.HasSuffix(before, want) {
		t.Fatalf("live checkpoint: %q", before[max(0, len(before)-40):])
	}
	// The log grows while the rebuild reads it, as appends go on.
	applied, err := projections.Rebuild(ctx, pool, &growingLog{events: events, visible: min(10, len(events))}, pg, 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	if applied != int64(len(events)) {
		t.Fatalf("rebuild applied %d events, want %d", applied, len(events))
	}
	if after := dump(); after != before {
		live, rebuilt := strings.Split(before, "\n"), strings.Split(after, "\n")
		var lines []string
		for i := range max(len(live), len(rebuilt)) {
			l, r := "", ""
			if i < len(live) {
				l = live[i]
			}
			if i < len(rebuilt) {
				r = rebuilt[i]
			}
			if l != r {
				lines = append(lines, "live:    "+l, "rebuilt: "+r)
			}
		}
		t.Errorf("rebuilt tables differ from live ones:\n%s", strings.Join(lines, "\n"))
	}
	var shadows int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM information_schema.schemata WHERE schema_name LIKE '%rebuild%' AND schema_name LIKE current_schema() || '%'").Scan(&shadows); err != nil || shadows != 0 {
		t.Fatalf("shadow schema left behind: %d, %v", shadows, err)
	}
}

// growingLog serves a log of which three more events become visible at
// every read, as if they were being appended meanwhile.
type growingLog struct {
	events  []projections.Event
	visible int
}

func (l *growingLog) ReadAll(_ context.Context, after int64, limit int) ([]projections.Event, error) {
	l.visible = min(l.visible+3, len(l.events))
	if after >= int64(l.visible) {
		return nil, nil
	}
	return l.events[after:min(after+int64(limit), int64(l.visible))], nil
}

func (l *growingLog) Head(context.Context) (int64, error) { return int64(l.visible), nil }

// BenchmarkRebuild rebuilds the network from a log of about 20,000 events:
// organisations, and campaigns that gather partners, cases, an activity,
// signatures and a commitment before they close.
func BenchmarkRebuild(b *testing.B) {
	ctx := context.Background()
	pool, _ := eventstoretest.Schema(b, nil)
	pg := network.NewPostgres(pool)
	s := newScenario(b)
	var orgs []string
	for i := range 50 {
		orgs = append(orgs, s.register(fmt.Sprintf("Association %02d", i), organisation.KindAssociation, "", directory.ThemeCommunity))
	}
	for i := 0; len(s.events) < 20_000; i++ {
		id := s.launch(fmt.Sprintf("Campaign %d", i), directory.ThemeCommunity, "public_lighting", orgs[i%len(orgs)])
		s.join(id, orgs[(i+1)%len(orgs)])
		s.join(id, orgs[(i+2)%len(orgs)])
		s.link(id, newID("case-"))
		s.link(id, newID("case-"))
		act := s.plan(id, campaign.ActivityPublicMeeting, "Public meeting")
		s.hold(id, act, campaign.Attendance{Women: 10, Men: 10, Youth: 5, Total: 20})
		for n := range 10 {
			s.sign(id, i*10+n+1)
		}
		s.commit(id, lighting, "Repair the lamps", t0.Add(30*24*time.Hour))
		s.campaign(id, func(c *campaign.Campaign, at time.Time) ([]domain.Event, error) {
			return c.Close(campaign.Close{Actor: advocate, Now: at, Outcome: campaign.OutcomePartlyWon, Summary: "Half the lamps."})
		})
	}
	b.ResetTimer()
	for range b.N {
		if _, err := projections.Rebuild(ctx, pool, &growingLog{events: s.events, visible: len(s.events)}, pg, 5000, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(s.events))/b.Elapsed().Seconds(), "events/s")
}
