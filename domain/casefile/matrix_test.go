package casefile_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/domaintest"
)

const campaignID = "campaign-01JNQ5AAAAAAAAAAAAAAAAAAAA"

// later is past the fixtures' due date (ten days after forwarding).
var later = hour(2).AddDate(0, 0, 20)

// command describes one command as the API states it: where it is allowed,
// who may run it, and a valid invocation.
type command struct {
	name    string
	allowed []casefile.Status
	actors  []domain.Actor // everyone admitted; the others are forbidden
	want    string
	// officer marks commands only the officer of the case's department may
	// run: before a case is forwarded no one may, so they are forbidden
	// rather than refused by status.
	officer bool
	// quiet marks RecordSLABreach, which records nothing instead of refusing.
	quiet bool
	extra []domain.Event // appended to every history
	run   func(c *casefile.Case, d casefile.Directory, a domain.Actor) ([]domain.Event, error)
}

func commands() []command {
	everyone := []domain.Actor{public, reporter, advocate, admin, officer, otherOfficer, deptlessOfficer, system}
	staff := []domain.Actor{advocate, admin}
	active := []casefile.Status{casefile.StatusForwarded, casefile.StatusAcknowledged, casefile.StatusInProgress}
	all := statuses[1:]
	return []command{{
		name: "report", allowed: []casefile.Status{""}, actors: everyone, want: casefile.TypeCaseReported,
		run: func(c *casefile.Case, d casefile.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.Report(d, casefile.Report{Actor: a, Now: later, ID: caseID, Title: "t", Description: "d", Category: "roads", District: "x"})
		},
	}, {
		name: "triage", allowed: []casefile.Status{casefile.StatusReported}, actors: staff, want: casefile.TypeCaseTriaged,
		run: func(c *casefile.Case, d casefile.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.Triage(d, casefile.Triage{Actor: a, Now: later, Priority: casefile.PriorityLow})
		},
	}, {
		name: "reject", allowed: []casefile.Status{casefile.StatusReported, casefile.StatusTriaged}, actors: staff, want: casefile.TypeCaseRejected,
		run: func(c *casefile.Case, _ casefile.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.Reject(casefile.Reject{Actor: a, Now: later, Reason: "r"})
		},
	}, {
		name: "merge", allowed: []casefile.Status{casefile.StatusReported, casefile.StatusTriaged}, actors: staff, want: casefile.TypeCaseMerged,
		run: func(c *casefile.Case, _ casefile.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.Merge(casefile.Merge{Actor: a, Now: later, Into: otherID})
		},
	}, {
		name: "forward", allowed: []casefile.Status{casefile.StatusTriaged}, actors: staff, want: casefile.TypeCaseForwarded,
		run: func(c *casefile.Case, d casefile.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.Forward(d, casefile.Forward{Actor: a, Now: later, Department: "roads_works"})
		},
	}, {
		name: "acknowledge", allowed: active[:1], actors: []domain.Actor{officer}, officer: true, want: casefile.TypeCaseAcknowledged,
		run: func(c *casefile.Case, _ casefile.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.Acknowledge(casefile.Acknowledge{Actor: a, Now: later})
		},
	}, {
		name: "answer", allowed: active, actors: []domain.Actor{officer}, officer: true, want: casefile.TypeCaseAnswered,
		run: func(c *casefile.Case, _ casefile.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.Answer(casefile.Answer{Actor: a, Now: later, Response: "r"})
		},
	}, {
		name: "resolve", allowed: active, actors: []domain.Actor{officer}, officer: true, want: casefile.TypeCaseResolved,
		run: func(c *casefile.Case, _ casefile.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.Resolve(casefile.Resolve{Actor: a, Now: later, Note: "n"})
		},
	}, {
		name: "confirm", allowed: []casefile.Status{casefile.StatusResolved}, actors: []domain.Actor{reporter, advocate, admin}, want: casefile.TypeResolutionConfirmed,
		run: func(c *casefile.Case, _ casefile.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.Confirm(casefile.Confirm{Actor: a, Now: later})
		},
	}, {
		name: "reopen", allowed: []casefile.Status{casefile.StatusResolved}, actors: []domain.Actor{reporter, advocate, admin}, want: casefile.TypeCaseReopened,
		run: func(c *casefile.Case, d casefile.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.Reopen(d, casefile.Reopen{Actor: a, Now: later, Reason: "still broken"})
		},
	}, {
		name: "comment", allowed: all, actors: []domain.Actor{advocate, admin, officer}, want: casefile.TypeCommentAdded,
		run: func(c *casefile.Case, _ casefile.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.Comment(casefile.Comment{Actor: a, Now: later, Body: "b", Visibility: casefile.VisibilityPublic})
		},
	}, {
		name: "support", actors: everyone, want: casefile.TypeCaseSupported,
		allowed: []casefile.Status{casefile.StatusReported, casefile.StatusTriaged, casefile.StatusForwarded,
			casefile.StatusAcknowledged, casefile.StatusInProgress, casefile.StatusResolved},
		run: func(c *casefile.Case, _ casefile.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.Support(casefile.Support{Actor: a, Now: later})
		},
	}, {
		name: "link_campaign", actors: staff, want: casefile.TypeCaseLinkedToCampaign,
		allowed: []casefile.Status{casefile.StatusReported, casefile.StatusTriaged, casefile.StatusForwarded,
			casefile.StatusAcknowledged, casefile.StatusInProgress, casefile.StatusResolved, casefile.StatusClosed},
		run: func(c *casefile.Case, _ casefile.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.LinkCampaign(casefile.LinkCampaign{Actor: a, Now: later, CampaignID: campaignID})
		},
	}, {
		name: "unlink_campaign", allowed: all, actors: staff, want: casefile.TypeCaseUnlinkedFromCampaign,
		extra: []domain.Event{linked(campaignID)},
		run: func(c *casefile.Case, _ casefile.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.UnlinkCampaign(casefile.UnlinkCampaign{Actor: a, Now: later, CampaignID: campaignID})
		},
	}, {
		name: "moderate", allowed: all, actors: staff, want: casefile.TypeCaseModerated,
		run: func(c *casefile.Case, _ casefile.Directory, a domain.Actor) ([]domain.Event, error) {
			hide := true
			return c.Moderate(casefile.Moderate{Actor: a, Now: later, Hidden: &hide, Reason: "r"})
		},
	}, {
		// The reporter's hour runs from the report at t0.
		name: "add_photo", allowed: all, actors: []domain.Actor{reporter, advocate, admin}, want: casefile.TypePhotoAdded,
		run: func(c *casefile.Case, _ casefile.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.AddPhoto(casefile.AddPhoto{Actor: a, Now: t0.Add(30 * time.Minute), PhotoID: otherPhotoID, Width: 1600, Height: 1200})
		},
	}, {
		name: "moderate_photo", allowed: all, actors: staff, want: casefile.TypePhotoModerated,
		extra: []domain.Event{photoAdded(photoID, true)},
		run: func(c *casefile.Case, _ casefile.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.ModeratePhoto(casefile.ModeratePhoto{Actor: a, Now: later, PhotoID: photoID, Hidden: true, Reason: "r"})
		},
	}, {
		name: "record_sla_breach", allowed: active, actors: []domain.Actor{system}, quiet: true, want: casefile.TypeSLABreached,
		run: func(c *casefile.Case, _ casefile.Directory, a domain.Actor) ([]domain.Event, error) {
			return c.RecordSLABreach(casefile.RecordSLABreach{Actor: a, Now: later})
		},
	}}
}

// notForwarded are the statuses in which a case has no department yet.
var notForwarded = []casefile.Status{"", casefile.StatusReported, casefile.StatusTriaged, casefile.StatusRejected, casefile.StatusDuplicate}

// TestTransitions runs every command from every status, with an actor who
// may run it: allowed statuses yield the command's event, every other one is
// refused with a TransitionError naming the command and the status.
func TestTransitions(t *testing.T) {
	t.Parallel()
	dir := testDirectory(t)
	for _, cmd := range commands() {
		for _, status := range statuses {
			name := fmt.Sprintf("%s/From_%s", cmd.name, status)
			if status == "" {
				name = cmd.name + "/FromNew"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				c := given(then(history(status), cmd.extra)...)
				evs, err := cmd.run(c, dir, cmd.actors[0])
				switch {
				case slices.Contains(cmd.allowed, status):
					if err != nil || !slices.Equal(domaintest.Types(evs), []string{cmd.want}) {
						t.Fatalf("got %v, %v; want [%s]", domaintest.Types(evs), err, cmd.want)
					}
				case cmd.quiet:
					if err != nil || evs != nil {
						t.Fatalf("got %v, %v; want nothing recorded and no error", domaintest.Types(evs), err)
					}
				case cmd.officer && slices.Contains(notForwarded, status):
					domaintest.WantForbidden()(t, err)
				default:
					domaintest.WantTransition(cmd.name, status)(t, err)
				}
			})
		}
	}
}

// TestRoles runs every command, in a status that allows it, as every kind of
// actor: those not admitted get a ForbiddenError. The status is one with a
// department when the command allows one, so that the officer of the case's
// department may be admitted.
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
				status := cmd.allowed[0]
				if i := slices.IndexFunc(cmd.allowed, func(s casefile.Status) bool { return !slices.Contains(notForwarded, s) }); i >= 0 {
					status = cmd.allowed[i]
				}
				c := given(then(history(status), cmd.extra)...)
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
// "forbidden" whatever the status and the input, and a bad status is
// reported before bad input.
func TestCheckOrder(t *testing.T) {
	t.Parallel()
	dir := testDirectory(t)
	run(t, []scenario{{
		Name:  "ForbiddenBeforeTransition",
		Given: history(casefile.StatusClosed),
		WhenFunc: func(c *casefile.Case) ([]domain.Event, error) {
			return c.Triage(dir, casefile.Triage{Actor: public, Now: later, Priority: casefile.PriorityHigh})
		},
		ErrFunc: domaintest.WantForbidden(),
	}, {
		Name:  "ForbiddenBeforeInvalid",
		Given: history(casefile.StatusReported),
		WhenFunc: func(c *casefile.Case) ([]domain.Event, error) {
			return c.Reject(casefile.Reject{Actor: public})
		},
		ErrFunc: domaintest.WantForbidden(),
	}, {
		Name:  "OfficerOfOtherDepartmentForbiddenBeforeTransition",
		Given: history(casefile.StatusClosed),
		WhenFunc: func(c *casefile.Case) ([]domain.Event, error) {
			return c.Resolve(casefile.Resolve{Actor: otherOfficer, Now: later, Note: "n"})
		},
		ErrFunc: domaintest.WantForbidden(),
	}, {
		Name:  "TransitionBeforeInvalid",
		Given: history(casefile.StatusClosed),
		WhenFunc: func(c *casefile.Case) ([]domain.Event, error) {
			return c.Resolve(casefile.Resolve{Actor: officer})
		},
		ErrFunc: domaintest.WantTransition("resolve", casefile.StatusClosed),
	}, {
		Name:  "ReportTwiceTransitionBeforeInvalid",
		Given: history(casefile.StatusReported),
		WhenFunc: func(c *casefile.Case) ([]domain.Event, error) {
			return c.Report(dir, casefile.Report{Actor: public})
		},
		ErrFunc: domaintest.WantTransition("report", casefile.StatusReported),
	}, {
		Name:  "ForbiddenSLABreachEvenWhenNothingToRecord",
		Given: history(casefile.StatusClosed),
		WhenFunc: func(c *casefile.Case) ([]domain.Event, error) {
			return c.RecordSLABreach(casefile.RecordSLABreach{Actor: admin, Now: later})
		},
		ErrFunc: domaintest.WantForbidden(),
	}})
}
