package organisation

import (
	"slices"
	"strings"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/directory"
)

// StreamPrefix starts the stream id of every organisation: "org-" and a
// ULID.
const StreamPrefix = "org-"

// MemberPrefix starts every member id: "member-" and a ULID chosen by the
// caller.
const MemberPrefix = "member-"

// ValidID reports whether id is an organisation stream id: StreamPrefix
// followed by a ULID (26 characters of Crockford's base32, either case).
func ValidID(id string) bool {
	u, ok := strings.CutPrefix(id, StreamPrefix)
	return ok && validULID(u)
}

// ValidMemberID reports whether id is a member id: MemberPrefix followed by
// a ULID.
func ValidMemberID(id string) bool {
	u, ok := strings.CutPrefix(id, MemberPrefix)
	return ok && validULID(u)
}

// validULID reports whether u is a ULID in Crockford's base32.
func validULID(u string) bool {
	if len(u) != 26 || u[0] > '7' {
		return false // a ULID's first character is at most 7: 128 bits in 26 digits
	}
	for _, r := range strings.ToUpper(u) {
		if !strings.ContainsRune("0123456789ABCDEFGHJKMNPQRSTVWXYZ", r) {
			return false
		}
	}
	return true
}

// Kind is what sort of body an organisation is.
type Kind string

// Kinds, as in the API.
const (
	KindAssociation         Kind = "association"
	KindInstitution         Kind = "institution"
	KindPrivateSector       Kind = "private_sector"
	KindMunicipalDepartment Kind = "municipal_department"
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	switch k {
	case KindAssociation, KindInstitution, KindPrivateSector, KindMunicipalDepartment:
		return true
	}
	return false
}

// Member is a person who represents an organisation. Subject refers to the
// person's entry in the personal-data vault, never to the person directly.
type Member struct {
	ID      string
	Role    string
	Subject string
	AddedAt time.Time
}

// Organisation is the state of one organisation, rebuilt by folding its
// events with Apply. The zero Organisation is one not registered yet.
type Organisation struct {
	ID             string
	Name           string
	Kind           Kind
	Themes         []directory.Theme // the seed's axes it works on, in the order given; nil when none
	DepartmentCode string            // the directory's department, for a municipal department
	Members        []Member          // in the order they were added
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int64 // number of events applied: the stream version

	registered bool
}

// Apply folds e into o. It never validates and never fails: the event is a
// fact already decided. An event of another package counts towards Version
// but changes nothing else.
func (o *Organisation) Apply(e domain.Event) {
	o.Version++
	switch e := e.(type) {
	case *OrganisationRegistered:
		o.ID = e.ID
		o.Name = e.Name
		o.Kind = e.Kind
		o.Themes = cloneThemes(e.Themes)
		o.DepartmentCode = e.DepartmentCode
		o.CreatedAt = e.At
		o.registered = true
		o.touch(e.At)
	case *OrganisationUpdated:
		o.Name = e.Name
		o.Themes = cloneThemes(e.Themes)
		o.touch(e.At)
	case *MemberAdded:
		m := Member{ID: e.MemberID, Role: e.Role, Subject: e.MemberSubject, AddedAt: e.At}
		if i := o.member(e.MemberID); i >= 0 {
			o.Members[i] = m
		} else {
			o.Members = append(o.Members, m)
		}
		o.touch(e.At)
	case *MemberRemoved:
		o.Members = slices.DeleteFunc(o.Members, func(m Member) bool { return m.ID == e.MemberID })
		o.touch(e.At)
	}
}

func (o *Organisation) touch(at time.Time) { o.UpdatedAt = at }

// Registered reports whether the organisation was registered: whether
// OrganisationRegistered was applied.
func (o *Organisation) Registered() bool { return o.registered }

// Member returns the member with id.
func (o *Organisation) Member(id string) (Member, bool) {
	if i := o.member(id); i >= 0 {
		return o.Members[i], true
	}
	return Member{}, false
}

// member returns the index of the member with id, or -1.
func (o *Organisation) member(id string) int {
	return slices.IndexFunc(o.Members, func(m Member) bool { return m.ID == id })
}

// cloneThemes copies themes so that state never aliases an event, keeping
// nil for none.
func cloneThemes(themes []directory.Theme) []directory.Theme {
	if len(themes) == 0 {
		return nil
	}
	return slices.Clone(themes)
}
