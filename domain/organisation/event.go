package organisation

import (
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/directory"
)

// Wire names of the organisation events. They are stored with every event
// and must never change: renaming one orphans history.
const (
	TypeOrganisationRegistered = "organisation.organisation_registered"
	TypeOrganisationUpdated    = "organisation.organisation_updated"
	TypeMemberAdded            = "organisation.member_added"
	TypeMemberRemoved          = "organisation.member_removed"
)

// The events below implement domain.Event on their pointer type only, so a
// value can never be passed where an event is expected: commands return
// pointers, Decode returns pointers, and Apply and projections switch on
// pointer types without a second, value-typed case to forget.
//
// Every event is public: the network is meant to be known. MemberAdded's
// MemberSubject is the exception: Redact clears it.

// OrganisationRegistered records a new organisation of the network.
// DepartmentCode is set only for a municipal department.
type OrganisationRegistered struct {
	ID             string            `json:"id"`
	Name           string            `json:"name"`
	Kind           Kind              `json:"kind"`
	Themes         []directory.Theme `json:"themes,omitempty"`
	DepartmentCode string            `json:"department_code,omitempty"`
	At             time.Time         `json:"at"`
}

// OrganisationUpdated records the organisation's name and themes as they
// are after the update, both of them whatever changed, so that a reader
// never has to tell "unchanged" from "cleared".
type OrganisationUpdated struct {
	Name   string            `json:"name"`
	Themes []directory.Theme `json:"themes"`
	At     time.Time         `json:"at"`
}

// MemberAdded records that a person represents the organisation.
// MemberSubject refers to the person's entry in the personal-data vault,
// never to the person directly, so erasing the person leaves this event
// intact. Redact clears it; omitempty leaves the cleared field out of the
// public JSON, and never drops a stored one, which is never empty.
type MemberAdded struct {
	MemberID      string    `json:"member_id"`
	Role          string    `json:"role,omitempty"`
	MemberSubject string    `json:"member_subject,omitempty"`
	At            time.Time `json:"at"`
}

// MemberRemoved records that a person no longer represents the
// organisation.
type MemberRemoved struct {
	MemberID string    `json:"member_id"`
	At       time.Time `json:"at"`
}

// EventType returns TypeOrganisationRegistered.
func (*OrganisationRegistered) EventType() string { return TypeOrganisationRegistered }

// EventType returns TypeOrganisationUpdated.
func (*OrganisationUpdated) EventType() string { return TypeOrganisationUpdated }

// EventType returns TypeMemberAdded.
func (*MemberAdded) EventType() string { return TypeMemberAdded }

// EventType returns TypeMemberRemoved.
func (*MemberRemoved) EventType() string { return TypeMemberRemoved }

// Events returns a new registry from wire name to a constructor of a zero
// event, for adapters that decode stored payloads. It is built on each call
// so that no caller can change what another one sees.
func Events() map[string]func() domain.Event {
	types := []string{
		TypeOrganisationRegistered,
		TypeOrganisationUpdated,
		TypeMemberAdded,
		TypeMemberRemoved,
	}
	m := make(map[string]func() domain.Event, len(types))
	for _, t := range types {
		m[t] = func() domain.Event { return newEvent(t) }
	}
	return m
}

// newEvent returns a zero event of type t, or nil for an unknown type.
func newEvent(t string) domain.Event {
	switch t {
	case TypeOrganisationRegistered:
		return new(OrganisationRegistered)
	case TypeOrganisationUpdated:
		return new(OrganisationUpdated)
	case TypeMemberAdded:
		return new(MemberAdded)
	case TypeMemberRemoved:
		return new(MemberRemoved)
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

// Redact returns e as the public may see it, and whether the public may see
// it at all. Every surface that shows events to the public (histories,
// pages, the live feed, exports) calls it, and none keeps a list of fields
// of its own.
//
// Every organisation event is public; the copy has every reference to a
// person cleared: a member's vault subject. An event this package does not
// know gives nil and false, so a new event stays private until someone
// decides otherwise. e is never changed.
func Redact(e domain.Event) (domain.Event, bool) {
	switch e := e.(type) {
	case *OrganisationRegistered:
		c := *e
		return &c, true
	case *OrganisationUpdated:
		c := *e
		return &c, true
	case *MemberAdded:
		c := *e
		c.MemberSubject = ""
		return &c, true
	case *MemberRemoved:
		c := *e
		return &c, true
	}
	return nil, false
}
