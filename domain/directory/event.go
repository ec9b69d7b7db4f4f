package directory

import (
	"slices"
	"time"

	"github.com/citizenhouse/bayt/domain"
)

// StreamID is the directory's one stream. An empty stream is the default
// directory; each event records an entry as an admin saved it.
const StreamID = "directory-main"

// Wire names of the directory events. They are stored with every event
// and must never change: renaming one orphans history.
const (
	TypeDepartmentSaved = "directory.department_saved"
	TypeCategorySaved   = "directory.category_saved"
	TypeDistrictSaved   = "directory.district_saved"
)

// The events below implement domain.Event on their pointer type only, as
// in the other aggregates. Each holds the whole entry as saved, new or
// changed, so that folding never depends on what a field's absence meant.
// None holds personal data. A department's mailbox is a staff address, kept
// off the public surfaces (Department.Email is never encoded).

// DepartmentSaved records a department, new or changed.
type DepartmentSaved struct {
	Code string `json:"code"`
	Name Names  `json:"name"`
	// Email is the department's shared mailbox; absent from events saved
	// before departments had one.
	Email string    `json:"email,omitempty"`
	At    time.Time `json:"at"`
}

// CategorySaved records a category, new or changed. Cases reported or
// forwarded before it keep what was decided then: their own events hold
// their category and due date.
type CategorySaved struct {
	Code       string    `json:"code"`
	Name       Names     `json:"name"`
	Department string    `json:"department"`
	SLADays    int       `json:"sla_days"`
	Theme      Theme     `json:"theme"`
	At         time.Time `json:"at"`
}

// DistrictSaved records a district, new or changed, with every known
// spelling (the list replaces the earlier one).
type DistrictSaved struct {
	Code      string    `json:"code"`
	Name      Names     `json:"name"`
	Spellings []string  `json:"spellings"`
	At        time.Time `json:"at"`
}

// EventType returns TypeDepartmentSaved.
func (*DepartmentSaved) EventType() string { return TypeDepartmentSaved }

// EventType returns TypeCategorySaved.
func (*CategorySaved) EventType() string { return TypeCategorySaved }

// EventType returns TypeDistrictSaved.
func (*DistrictSaved) EventType() string { return TypeDistrictSaved }

func (e *DepartmentSaved) department() Department {
	return Department{Code: e.Code, Name: e.Name, Email: e.Email}
}

func (e *CategorySaved) category() Category {
	return Category{Code: e.Code, Name: e.Name, Department: e.Department, SLADays: e.SLADays, Theme: e.Theme}
}

func (e *DistrictSaved) district() District {
	return District{Code: e.Code, Name: e.Name, Spellings: slices.Clone(e.Spellings)}
}

// Events returns a new registry from wire name to a constructor of a zero
// event, for adapters that decode stored payloads. It is built on each call
// so that no caller can change what another one sees.
func Events() map[string]func() domain.Event {
	types := []string{TypeDepartmentSaved, TypeCategorySaved, TypeDistrictSaved}
	m := make(map[string]func() domain.Event, len(types))
	for _, t := range types {
		m[t] = func() domain.Event { return newEvent(t) }
	}
	return m
}

// newEvent returns a zero event of type t, or nil for an unknown type.
func newEvent(t string) domain.Event {
	switch t {
	case TypeDepartmentSaved:
		return new(DepartmentSaved)
	case TypeCategorySaved:
		return new(CategorySaved)
	case TypeDistrictSaved:
		return new(DistrictSaved)
	}
	return nil
}

// ErrUnknownEventType is returned by Decode for a wire name this package does
// not define.
var ErrUnknownEventType = domain.ErrUnknownEventType

// Decode returns the event stored as eventType with JSON payload data, as a
// pointer like the events commands return. Unknown fields are ignored so that
// an older binary can still read a newer payload.
func Decode(eventType string, data []byte) (domain.Event, error) {
	return domain.DecodeWith(newEvent, eventType, data)
}

// names are the names surfaces show for the stored event types.
var names = map[string]string{
	TypeDepartmentSaved: "DepartmentSaved",
	TypeCategorySaved:   "CategorySaved",
	TypeDistrictSaved:   "DistrictSaved",
}

// EventName returns the surfaces' name of a stored directory event type,
// and the type itself for anything else.
func EventName(eventType string) string {
	if n, ok := names[eventType]; ok {
		return n
	}
	return eventType
}
