package campaign_test

import (
	"slices"
	"testing"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/domain/domaintest"
)

// later is when the matrix runs its commands: after every fixture.
var later = day(100)

// command describes one command as the API states it: where it is allowed,
// who may run it, and a valid invocation.
type command struct {
	name    string
	allowed []campaign.Status
	actors  []domain.Actor // everyone admitted; the others are forbidden
	want    string
	// officer marks commands that an officer of the target department may
	// run: before the launch there is no target department, so the officer
	// is forbidden rather than refused by status.
	officer bool
	extra   []domain.Event // appended to every history
	run     func(c *campaign.Campaign, d campaign.Directory, a domain.Actor) ([]domain.Event, error)
}

func commands() []command {
	everyone := []domain.Actor{public, reporter, advocate, admin, officer, otherOfficer, deptlessOfficer, system}
	staff := []domain.Actor{advocate, admin}
	municipal := []domain.Actor{advocate, admin, officer}
	active := []campaign.Status{campaign.StatusActive}
	both := []campaign.Status{campaign.StatusActive, campaign.StatusClosed}
	return []command{{
		name: "launch", allowed: []campaign.Status{""}, actors: staff, want: campaign.TypeCampaignLaunched,
		run: func(c *campaign.Campaign, d campaign.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.Launch(d, campaign.Launch{
				Actor: a, Now: later, ID: campaignID, Title: "t", Demand: "d",
				Theme: directory.ThemeSocial, TargetDepartment: "roads_works", LeadOrganisation: leadOrg,
			})
		},
	}, {
		name: "join_partner", allowed: active, actors: staff, want: campaign.TypePartnerJoined,
		run: func(c *campaign.Campaign, _ campaign.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.JoinPartner(campaign.JoinPartner{Actor: a, Now: later, OrganisationID: partnerOrg})
		},
	}, {
		name: "leave_partner", allowed: active, actors: staff, want: campaign.TypePartnerLeft,
		extra: []domain.Event{joined(partnerOrg)},
		run: func(c *campaign.Campaign, _ campaign.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.LeavePartner(campaign.LeavePartner{Actor: a, Now: later, OrganisationID: partnerOrg})
		},
	}, {
		name: "link_case", allowed: active, actors: staff, want: campaign.TypeCaseLinked,
		run: func(c *campaign.Campaign, _ campaign.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.LinkCase(campaign.LinkCase{Actor: a, Now: later, CaseID: caseID})
		},
	}, {
		name: "unlink_case", allowed: both, actors: staff, want: campaign.TypeCaseUnlinked,
		extra: []domain.Event{linked(caseID)},
		run: func(c *campaign.Campaign, _ campaign.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.UnlinkCase(campaign.UnlinkCase{Actor: a, Now: later, CaseID: caseID})
		},
	}, {
		name: "plan_activity", allowed: active, actors: staff, want: campaign.TypeActivityPlanned,
		run: func(c *campaign.Campaign, _ campaign.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.PlanActivity(campaign.PlanActivity{
				Actor: a, Now: later, ActivityID: actID, Kind: campaign.ActivityWorkshop, Title: "t", ScheduledFor: day(120),
			})
		},
	}, {
		name: "hold_activity", allowed: both, actors: staff, want: campaign.TypeActivityHeld,
		extra: []domain.Event{planned(actID)},
		run: func(c *campaign.Campaign, _ campaign.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.HoldActivity(campaign.HoldActivity{Actor: a, Now: later, ActivityID: actID, Attendance: campaign.Attendance{Total: 1}})
		},
	}, {
		name: "sign_petition", allowed: active, actors: everyone, want: campaign.TypePetitionSigned,
		run: func(c *campaign.Campaign, _ campaign.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.SignPetition(campaign.SignPetition{Actor: a, Now: later, SignerKey: "k"})
		},
	}, {
		name: "record_paper_signatures", allowed: active, actors: staff, want: campaign.TypePaperSignaturesRecorded,
		run: func(c *campaign.Campaign, _ campaign.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.RecordPaperSignatures(campaign.RecordPaperSignatures{Actor: a, Now: later, Count: 40})
		},
	}, {
		name: "record_commitment", officer: true, allowed: active, actors: municipal, want: campaign.TypeCommitmentRecorded,
		run: func(c *campaign.Campaign, _ campaign.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.RecordCommitment(campaign.RecordCommitment{Actor: a, Now: later, CommitmentID: comID, Text: "t", DueBy: day(200)})
		},
	}, {
		name: "fulfil_commitment", officer: true, allowed: both, actors: municipal, want: campaign.TypeCommitmentFulfilled,
		extra: []domain.Event{recorded(comID, day(60))},
		run: func(c *campaign.Campaign, _ campaign.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.FulfilCommitment(campaign.FulfilCommitment{Actor: a, Now: later, CommitmentID: comID})
		},
	}, {
		name: "break_commitment", officer: true, allowed: both, actors: municipal, want: campaign.TypeCommitmentBroken,
		extra: []domain.Event{recorded(comID, day(60))},
		run: func(c *campaign.Campaign, _ campaign.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.BreakCommitment(campaign.BreakCommitment{Actor: a, Now: later, CommitmentID: comID})
		},
	}, {
		name: "publish_update", allowed: both, actors: staff, want: campaign.TypeUpdatePublished,
		run: func(c *campaign.Campaign, _ campaign.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.PublishUpdate(campaign.PublishUpdate{Actor: a, Now: later, Body: "b"})
		},
	}, {
		name: "close", allowed: active, actors: staff, want: campaign.TypeCampaignClosed,
		run: func(c *campaign.Campaign, _ campaign.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.Close(campaign.Close{Actor: a, Now: later, Outcome: campaign.OutcomeWon, Summary: "s"})
		},
	}}
}

// TestTransitions runs every command from every status, with every actor
// who may run it: allowed statuses
// yield the command's event, every other one is refused with a
// TransitionError naming the command and the status. Before the launch a
// campaign has no target department, so its officer is forbidden, not
// refused by status.
func TestTransitions(t *testing.T) {
	t.Parallel()
	dir := testDirectory(t)
	for _, cmd := range commands() {
		for _, status := range statuses {
			for _, actor := range cmd.actors {
				who := string(actor.Role)
				if actor.Department != "" {
					who += "_of_" + actor.Department
				}
				name := cmd.name + "/From_" + string(status) + "/" + who
				if status == "" {
					name = cmd.name + "/FromNew/" + who
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					c := given(then(history(status), cmd.extra)...)
					evs, err := cmd.run(c, dir, actor)
					switch {
					case slices.Contains(cmd.allowed, status):
						if err != nil || !slices.Equal(domaintest.Types(evs), []string{cmd.want}) {
							t.Fatalf("got %v, %v; want [%s]", domaintest.Types(evs), err, cmd.want)
						}
					case status == "" && cmd.officer && actor.Role == domain.RoleOfficer:
						domaintest.WantForbidden()(t, err)
					default:
						domaintest.WantTransition(cmd.name, string(status))(t, err)
					}
				})
			}
		}
	}
}

// TestRoles runs every command, in a status that allows it, as every kind
// of actor: those not admitted get a ForbiddenError.
func TestRoles(t *testing.T) {
	t.Parallel()
	dir := testDirectory(t)
	actors := map[string]domain.Actor{
		"Public": public, "Reporter": reporter, "Advocate": advocate, "Admin": admin,
		"Officer": officer, "OfficerOfOtherDepartment": otherOfficer,
		"OfficerWithoutDepartment": deptlessOfficer, "System": system, "UnknownRole": unknownRole,
	}
	for _, cmd := range commands() {
		for name, actor := range actors {
			admitted := slices.Contains(cmd.actors, actor)
			outcome := "Forbidden"
			if admitted {
				outcome = "OK"
			}
			t.Run(cmd.name+"/"+name+outcome, func(t *testing.T) {
				t.Parallel()
				c := given(then(history(cmd.allowed[0]), cmd.extra)...)
				evs, err := cmd.run(c, dir, actor)
				if !admitted {
					domaintest.WantForbidden()(t, err)
					return
				}
				if err != nil || !slices.Equal(domaintest.Types(evs), []string{cmd.want}) {
					t.Fatalf("got %v, %v; want [%s]", domaintest.Types(evs), err, cmd.want)
				}
			})
		}
	}
}

// TestCheckOrder pins the order of checks: a forbidden actor hears
// "forbidden" whatever the status and the input, a bad status is reported
// before bad input, and an activity's or commitment's own state before
// bad input too.
func TestCheckOrder(t *testing.T) {
	t.Parallel()
	dir := testDirectory(t)
	run(t, []scenario{{
		Name:  "ForbiddenBeforeTransition",
		Given: history(campaign.StatusClosed),
		WhenFunc: func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.LinkCase(campaign.LinkCase{Actor: public, Now: later, CaseID: caseID})
		},
		ErrFunc: domaintest.WantForbidden(),
	}, {
		Name:  "ForbiddenBeforeInvalid",
		Given: history(campaign.StatusActive),
		WhenFunc: func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.Close(campaign.Close{Actor: reporter})
		},
		ErrFunc: domaintest.WantForbidden(),
	}, {
		Name:  "OfficerOfOtherDepartmentForbiddenBeforeTransition",
		Given: then(history(campaign.StatusClosed), []domain.Event{recorded(comID, day(60)), fulfilled(comID)}),
		WhenFunc: func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.BreakCommitment(campaign.BreakCommitment{Actor: otherOfficer, Now: later, CommitmentID: comID})
		},
		ErrFunc: domaintest.WantForbidden(),
	}, {
		Name: "OfficerForbiddenBeforeLaunch",
		WhenFunc: func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.RecordCommitment(campaign.RecordCommitment{Actor: officer, Now: later, CommitmentID: comID, Text: "t", DueBy: later})
		},
		ErrFunc: domaintest.WantForbidden(),
	}, {
		Name:  "TransitionBeforeInvalid",
		Given: history(campaign.StatusClosed),
		WhenFunc: func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.SignPetition(campaign.SignPetition{Actor: public, District: ar(campaign.MaxDistrict + 1)})
		},
		ErrFunc: domaintest.WantTransition("sign_petition", "closed"),
	}, {
		Name:  "LaunchTwiceTransitionBeforeInvalid",
		Given: history(campaign.StatusActive),
		WhenFunc: func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.Launch(dir, campaign.Launch{Actor: advocate})
		},
		ErrFunc: domaintest.WantTransition("launch", "active"),
	}, {
		Name:  "HeldBeforeInvalid",
		Given: then(history(campaign.StatusActive), []domain.Event{planned(actID), held(actID, campaign.Attendance{})}),
		WhenFunc: func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.HoldActivity(campaign.HoldActivity{Actor: advocate, ActivityID: actID, Attendance: campaign.Attendance{Women: -1}})
		},
		ErrFunc: domaintest.WantTransition("hold_activity", "held"),
	}, {
		Name:  "SettledBeforeInvalid",
		Given: then(history(campaign.StatusActive), []domain.Event{recorded(comID, day(60)), broken(comID)}),
		WhenFunc: func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.FulfilCommitment(campaign.FulfilCommitment{Actor: officer, CommitmentID: comID, Note: ar(campaign.MaxNote + 1)})
		},
		ErrFunc: domaintest.WantTransition("fulfil_commitment", "broken"),
	}})
}
