package organisation

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/directory"
)

// Limits on free text, in runes (an Arabic letter counts as one).
const (
	MaxName    = 200
	MaxRole    = 100
	MaxSubject = 100 // personal-data vault references
)

// Directory is what the organisation aggregate needs from the directory:
// the departments a municipal department's organisation stands for.
// *directory.Directory implements it. Lookups must be safe for concurrent
// use and must not fail: a missing code is reported by the bool.
type Directory interface {
	Department(code string) (directory.Department, bool)
}

// Commands. Each carries the acting user and the time of the decision: the
// aggregate never reads the clock. Text fields are trimmed before checking
// and recording.

// Register records a new organisation under the stream id ID, which the
// caller generates.
type Register struct {
	Actor          domain.Actor
	Now            time.Time
	ID             string
	Name           string
	Kind           Kind
	Themes         []directory.Theme // optional; duplicates are dropped
	DepartmentCode string            // optional, and only for a municipal department
}

// Update renames an organisation or changes its themes. An empty Name keeps
// the current name; nil Themes keep the current themes, while an empty,
// non-nil slice clears them.
type Update struct {
	Actor  domain.Actor
	Now    time.Time
	Name   string
	Themes []directory.Theme
}

// AddMember adds a person to an organisation under the member id MemberID,
// which the caller generates. MemberSubject is the person's vault
// reference, set by the caller after storing their personal data: a name
// never reaches this command.
type AddMember struct {
	Actor         domain.Actor
	Now           time.Time
	MemberID      string
	Role          string // optional, such as "president" or "رئيسة الجمعية"
	MemberSubject string
}

// RemoveMember removes a member.
type RemoveMember struct {
	Actor    domain.Actor
	Now      time.Time
	MemberID string
}

// Every command method below decides in the same order and stops at the
// first failure:
//
//  1. role: a *domain.ForbiddenError, checked first so that an actor who may
//     not act learns nothing about the organisation;
//  2. existence: a *domain.TransitionError, since no input could make the
//     command valid;
//  3. input: *domain.InvalidError values, every problem at once, joined.
//
// Methods return the events to record without applying them: the caller
// appends them to the stream, then applies them.

// Register records the organisation. dir must not be nil.
func (o *Organisation) Register(dir Directory, cmd Register) ([]domain.Event, error) {
	if err := staff("register", cmd.Actor); err != nil {
		return nil, err
	}
	if o.Version != 0 {
		return nil, o.refuse("register")
	}
	var v check
	e := &OrganisationRegistered{
		ID:             cmd.ID,
		Name:           v.Text("name", cmd.Name, 1, MaxName),
		Kind:           cmd.Kind,
		Themes:         v.themes(cmd.Themes),
		DepartmentCode: strings.TrimSpace(cmd.DepartmentCode),
		At:             v.Now(cmd.Now),
	}
	if !ValidID(cmd.ID) {
		v.Add(domain.Invalid("id", "must be "+StreamPrefix+" followed by a ULID"))
	}
	if !e.Kind.Valid() {
		v.Add(domain.Invalid("kind", "must be association, institution, private_sector or municipal_department"))
	}
	switch {
	case e.DepartmentCode == "":
	case e.Kind != KindMunicipalDepartment:
		v.Add(domain.Invalid("department_code", "only a municipal department has one"))
	default:
		if _, ok := dir.Department(e.DepartmentCode); !ok {
			v.Add(domain.Invalid("department_code", "unknown department"))
		}
	}
	return v.Events(e)
}

// Update records a new name or new themes. An update that changes nothing
// records nothing, so a retried request is harmless.
func (o *Organisation) Update(cmd Update) ([]domain.Event, error) {
	if err := staff("update", cmd.Actor); err != nil {
		return nil, err
	}
	if err := o.require("update"); err != nil {
		return nil, err
	}
	var v check
	e := &OrganisationUpdated{Name: o.Name, Themes: cloneThemes(o.Themes), At: v.Now(cmd.Now)}
	if cmd.Name != "" {
		e.Name = v.Text("name", cmd.Name, 1, MaxName)
	}
	if cmd.Themes != nil {
		e.Themes = v.themes(cmd.Themes)
	}
	if v.Err() == nil && e.Name == o.Name && slices.Equal(e.Themes, o.Themes) {
		return nil, nil
	}
	return v.Events(e)
}

// AddMember adds a member. A member id already used, or a subject already a
// member, is refused: one person is one member of an organisation.
func (o *Organisation) AddMember(cmd AddMember) ([]domain.Event, error) {
	if err := staff("add_member", cmd.Actor); err != nil {
		return nil, err
	}
	if err := o.require("add_member"); err != nil {
		return nil, err
	}
	var v check
	e := &MemberAdded{
		MemberID:      v.Text("member_id", cmd.MemberID, 1, 0),
		Role:          v.Text("role", cmd.Role, 0, MaxRole),
		MemberSubject: v.Text("member_subject", cmd.MemberSubject, 1, MaxSubject),
		At:            v.Now(cmd.Now),
	}
	switch {
	case e.MemberID == "":
	case !ValidMemberID(e.MemberID):
		v.Add(domain.Invalid("member_id", "must be "+MemberPrefix+" followed by a ULID"))
	case o.member(e.MemberID) >= 0:
		v.Add(domain.Invalid("member_id", "already used"))
	}
	if e.MemberSubject != "" && slices.ContainsFunc(o.Members, func(m Member) bool { return m.Subject == e.MemberSubject }) {
		v.Add(domain.Invalid("member_subject", "already a member"))
	}
	return v.Events(e)
}

// RemoveMember removes a member.
func (o *Organisation) RemoveMember(cmd RemoveMember) ([]domain.Event, error) {
	if err := staff("remove_member", cmd.Actor); err != nil {
		return nil, err
	}
	if err := o.require("remove_member"); err != nil {
		return nil, err
	}
	var v check
	e := &MemberRemoved{
		MemberID: v.Text("member_id", cmd.MemberID, 1, 0),
		At:       v.Now(cmd.Now),
	}
	if e.MemberID != "" && o.member(e.MemberID) < 0 {
		v.Add(domain.Invalid("member_id", "not a member"))
	}
	return v.Events(e)
}

// statusRegistered is the status a *domain.TransitionError reports for an
// organisation that exists; one that does not reports "".
const statusRegistered = "registered"

// require refuses cmd unless the organisation is registered.
func (o *Organisation) require(cmd string) error {
	if !o.registered {
		return o.refuse(cmd)
	}
	return nil
}

func (o *Organisation) refuse(cmd string) error {
	status := ""
	if o.registered {
		status = statusRegistered
	}
	return &domain.TransitionError{Command: cmd, Status: status}
}

// staff admits advocates and admins, who keep the register of the network.
func staff(cmd string, a domain.Actor) error {
	if !a.Role.Staff() {
		return domain.Forbidden("only advocates and admins may " + cmd)
	}
	return nil
}

// check collects the input errors of a command; see domain.Check.
type check struct{ domain.Check }

// themes checks every theme and returns them without duplicates, in the
// order given, or nil for none. Fields point at the offending element, as
// in "themes[1]".
func (v *check) themes(in []directory.Theme) []directory.Theme {
	var out []directory.Theme
	for i, t := range in {
		if !t.Valid() {
			v.Add(domain.Invalid(fmt.Sprintf("themes[%d]", i), "must be community, political, legal, economic or social"))
			continue
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}
