package organisation_test

import (
	"slices"
	"testing"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/domaintest"
	"github.com/citizenhouse/bayt/domain/organisation"
)

// command describes one command as the API states it: where it is allowed,
// who may run it, and a valid invocation.
type command struct {
	name    string
	allowed []string
	actors  []domain.Actor // everyone admitted; the others are forbidden
	want    string
	extra   []domain.Event // appended to every history
	run     func(o *organisation.Organisation, d organisation.Directory, a domain.Actor) ([]domain.Event, error)
}

func commands() []command {
	staff := []domain.Actor{advocate, admin}
	return []command{{
		name: "register", allowed: []string{""}, actors: staff, want: organisation.TypeOrganisationRegistered,
		run: func(o *organisation.Organisation, d organisation.Directory, a domain.Actor) ([]domain.Event, error) {
			return o.Register(d, organisation.Register{Actor: a, Now: hour(5), ID: orgID, Name: "n", Kind: organisation.KindInstitution})
		},
	}, {
		name: "update", allowed: []string{"registered"}, actors: staff, want: organisation.TypeOrganisationUpdated,
		run: func(o *organisation.Organisation, _ organisation.Directory, a domain.Actor) ([]domain.Event, error) {
			return o.Update(organisation.Update{Actor: a, Now: hour(5), Name: "اسم جديد"})
		},
	}, {
		name: "add_member", allowed: []string{"registered"}, actors: staff, want: organisation.TypeMemberAdded,
		run: func(o *organisation.Organisation, _ organisation.Directory, a domain.Actor) ([]domain.Event, error) {
			return o.AddMember(organisation.AddMember{Actor: a, Now: hour(5), MemberID: member2ID, MemberSubject: "subj-2"})
		},
	}, {
		name: "remove_member", allowed: []string{"registered"}, actors: staff, want: organisation.TypeMemberRemoved,
		extra: []domain.Event{added(memberID, "subj-1")},
		run: func(o *organisation.Organisation, _ organisation.Directory, a domain.Actor) ([]domain.Event, error) {
			return o.RemoveMember(organisation.RemoveMember{Actor: a, Now: hour(5), MemberID: memberID})
		},
	}}
}

// TestTransitions runs every command on an organisation registered or not,
// with an actor who may run it: allowed states yield the command's event,
// the other one is refused with a TransitionError naming the command and
// the state.
func TestTransitions(t *testing.T) {
	t.Parallel()
	dir := testDirectory(t)
	for _, cmd := range commands() {
		for _, state := range states {
			name := cmd.name + "/From_" + state
			if state == "" {
				name = cmd.name + "/FromNew"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				o := given(then(history(state), cmd.extra)...)
				evs, err := cmd.run(o, dir, cmd.actors[0])
				if slices.Contains(cmd.allowed, state) {
					if err != nil || !slices.Equal(domaintest.Types(evs), []string{cmd.want}) {
						t.Fatalf("got %v, %v; want [%s]", domaintest.Types(evs), err, cmd.want)
					}
					return
				}
				domaintest.WantTransition(cmd.name, state)(t, err)
			})
		}
	}
}

// TestRoles runs every command, in a state that allows it, as every kind of
// actor: those not admitted get a ForbiddenError.
func TestRoles(t *testing.T) {
	t.Parallel()
	dir := testDirectory(t)
	actors := map[string]domain.Actor{
		"Public": public, "Reporter": reporter, "Advocate": advocate, "Admin": admin,
		"Officer": officer, "System": system, "UnknownRole": unknownRole,
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
				o := given(then(history(cmd.allowed[0]), cmd.extra)...)
				evs, err := cmd.run(o, dir, actor)
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
// "forbidden" whatever the state and the input, and a missing organisation
// is reported before bad input.
func TestCheckOrder(t *testing.T) {
	t.Parallel()
	dir := testDirectory(t)
	run(t, []scenario{{
		Name: "ForbiddenBeforeTransition",
		WhenFunc: func(o *organisation.Organisation) ([]domain.Event, error) {
			return o.Update(organisation.Update{Actor: public, Now: hour(5), Name: "n"})
		},
		ErrFunc: domaintest.WantForbidden(),
	}, {
		Name:  "ForbiddenBeforeInvalid",
		Given: history("registered"),
		WhenFunc: func(o *organisation.Organisation) ([]domain.Event, error) {
			return o.AddMember(organisation.AddMember{Actor: officer})
		},
		ErrFunc: domaintest.WantForbidden(),
	}, {
		Name: "TransitionBeforeInvalid",
		WhenFunc: func(o *organisation.Organisation) ([]domain.Event, error) {
			return o.RemoveMember(organisation.RemoveMember{Actor: admin})
		},
		ErrFunc: domaintest.WantTransition("remove_member", ""),
	}, {
		Name:  "RegisterTwiceTransitionBeforeInvalid",
		Given: history("registered"),
		WhenFunc: func(o *organisation.Organisation) ([]domain.Event, error) {
			return o.Register(dir, organisation.Register{Actor: advocate})
		},
		ErrFunc: domaintest.WantTransition("register", "registered"),
	}})
}
