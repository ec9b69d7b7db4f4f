package campaign

import (
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/directory"
)

// Wire names of the campaign events. They are stored with every event and
// must never change: renaming one orphans history.
const (
	TypeCampaignLaunched    = "campaign.campaign_launched"
	TypePartnerJoined       = "campaign.partner_joined"
	TypePartnerLeft         = "campaign.partner_left"
	TypeCaseLinked          = "campaign.case_linked"
	TypeCaseUnlinked        = "campaign.case_unlinked"
	TypeActivityPlanned     = "campaign.activity_planned"
	TypeActivityHeld        = "campaign.activity_held"
	TypePetitionSigned      = "campaign.petition_signed"
	TypeCommitmentRecorded  = "campaign.commitment_recorded"
	TypeCommitmentFulfilled = "campaign.commitment_fulfilled"
	TypeCommitmentBroken    = "campaign.commitment_broken"
	TypeUpdatePublished     = "campaign.update_published"
	TypeCampaignClosed      = "campaign.campaign_closed"
	// TypePaperSignaturesRecorded came after the others: the wire names
	// above are in the order of a campaign's life, this one in the order
	// it was added.
	TypePaperSignaturesRecorded = "campaign.paper_signatures_recorded"
)

// The events below implement domain.Event on their pointer type only, so a
// value can never be passed where an event is expected: commands return
// pointers, Decode returns pointers, and Apply and projections switch on
// pointer types without a second, value-typed case to forget.
//
// Every campaign event is public: advocacy is done in the open. The
// exception is PetitionSigned's SignerSubject and SignerKey, which Redact
// clears. PaperSignaturesRecorded is public whole: it holds a count and a
// note, never a signer.

// CampaignLaunched starts a campaign: its demand to the municipality, the
// seed's theme it falls under, the department it targets and the
// organisation that leads it.
type CampaignLaunched struct {
	ID               string          `json:"id"`
	Title            string          `json:"title"`
	Demand           string          `json:"demand"`
	Theme            directory.Theme `json:"theme"`
	TargetDepartment string          `json:"target_department"`
	LeadOrganisation string          `json:"lead_organisation"`
	At               time.Time       `json:"at"`
}

// PartnerJoined records that an organisation joined the campaign.
type PartnerJoined struct {
	OrganisationID string    `json:"organisation_id"`
	At             time.Time `json:"at"`
}

// PartnerLeft records that an organisation left the campaign.
type PartnerLeft struct {
	OrganisationID string    `json:"organisation_id"`
	At             time.Time `json:"at"`
}

// CaseLinked records that the campaign took up a case. The case's own
// stream records casefile.CaseLinkedToCampaign.
type CaseLinked struct {
	CaseID string    `json:"case_id"`
	At     time.Time `json:"at"`
}

// CaseUnlinked undoes CaseLinked.
type CaseUnlinked struct {
	CaseID string    `json:"case_id"`
	At     time.Time `json:"at"`
}

// ActivityPlanned records an activity the campaign will hold.
type ActivityPlanned struct {
	ActivityID   string       `json:"activity_id"`
	Kind         ActivityKind `json:"kind"`
	Title        string       `json:"title"`
	ScheduledFor time.Time    `json:"scheduled_for"`
	Place        string       `json:"place,omitempty"`
	At           time.Time    `json:"at"`
}

// ActivityHeld records that a planned activity took place, who came, and
// its minutes. Attendance is counted, never listed: no one is named.
type ActivityHeld struct {
	ActivityID string     `json:"activity_id"`
	Attendance Attendance `json:"attendance"`
	Minutes    string     `json:"minutes,omitempty"`
	At         time.Time  `json:"at"`
}

// PetitionSigned records one signature. SignerSubject refers to the
// signer's entry in the personal-data vault (empty when anonymous), never
// to the person directly, so erasing the person leaves this event intact.
// SignerKey is an opaque keyed hash of the signer's identity that keeps one
// signature per person; it is not personal data the vault can erase, so it
// must never leave the staff side: Redact clears both.
type PetitionSigned struct {
	SignerSubject string    `json:"signer_subject,omitempty"`
	SignerKey     string    `json:"signer_key,omitempty"`
	District      string    `json:"district,omitempty"`
	At            time.Time `json:"at"`
}

// PaperSignaturesRecorded records a batch of signatures gathered on paper:
// how many, never who. Count is at least 1.
type PaperSignaturesRecorded struct {
	Count int       `json:"count"`
	Note  string    `json:"note,omitempty"`
	At    time.Time `json:"at"`
}

// CommitmentRecorded records a promise of the municipality, due by DueBy.
// RecordedBy is the role of whoever recorded it: an officer when the
// municipality wrote it down itself.
type CommitmentRecorded struct {
	CommitmentID string      `json:"commitment_id"`
	Text         string      `json:"text"`
	DueBy        time.Time   `json:"due_by"`
	RecordedBy   domain.Role `json:"recorded_by"`
	At           time.Time   `json:"at"`
}

// CommitmentFulfilled records that the municipality kept a commitment.
type CommitmentFulfilled struct {
	CommitmentID string    `json:"commitment_id"`
	Note         string    `json:"note,omitempty"`
	At           time.Time `json:"at"`
}

// CommitmentBroken records that the municipality broke a commitment.
// Accountability is itself part of the record.
type CommitmentBroken struct {
	CommitmentID string    `json:"commitment_id"`
	Note         string    `json:"note,omitempty"`
	At           time.Time `json:"at"`
}

// UpdatePublished records public news of the campaign.
type UpdatePublished struct {
	Body string    `json:"body"`
	At   time.Time `json:"at"`
}

// CampaignClosed ends a campaign with its outcome and a public summary.
type CampaignClosed struct {
	Outcome Outcome   `json:"outcome"`
	Summary string    `json:"summary"`
	At      time.Time `json:"at"`
}

// EventType returns TypeCampaignLaunched.
func (*CampaignLaunched) EventType() string { return TypeCampaignLaunched }

// EventType returns TypePartnerJoined.
func (*PartnerJoined) EventType() string { return TypePartnerJoined }

// EventType returns TypePartnerLeft.
func (*PartnerLeft) EventType() string { return TypePartnerLeft }

// EventType returns TypeCaseLinked.
func (*CaseLinked) EventType() string { return TypeCaseLinked }

// EventType returns TypeCaseUnlinked.
func (*CaseUnlinked) EventType() string { return TypeCaseUnlinked }

// EventType returns TypeActivityPlanned.
func (*ActivityPlanned) EventType() string { return TypeActivityPlanned }

// EventType returns TypeActivityHeld.
func (*ActivityHeld) EventType() string { return TypeActivityHeld }

// EventType returns TypePetitionSigned.
func (*PetitionSigned) EventType() string { return TypePetitionSigned }

// EventType returns TypePaperSignaturesRecorded.
func (*PaperSignaturesRecorded) EventType() string { return TypePaperSignaturesRecorded }

// EventType returns TypeCommitmentRecorded.
func (*CommitmentRecorded) EventType() string { return TypeCommitmentRecorded }

// EventType returns TypeCommitmentFulfilled.
func (*CommitmentFulfilled) EventType() string { return TypeCommitmentFulfilled }

// EventType returns TypeCommitmentBroken.
func (*CommitmentBroken) EventType() string { return TypeCommitmentBroken }

// EventType returns TypeUpdatePublished.
func (*UpdatePublished) EventType() string { return TypeUpdatePublished }

// EventType returns TypeCampaignClosed.
func (*CampaignClosed) EventType() string { return TypeCampaignClosed }

// Events returns a new registry from wire name to a constructor of a zero
// event, for adapters that decode stored payloads. It is built on each call
// so that no caller can change what another one sees.
func Events() map[string]func() domain.Event {
	types := []string{
		TypeCampaignLaunched,
		TypePartnerJoined,
		TypePartnerLeft,
		TypeCaseLinked,
		TypeCaseUnlinked,
		TypeActivityPlanned,
		TypeActivityHeld,
		TypePetitionSigned,
		TypeCommitmentRecorded,
		TypeCommitmentFulfilled,
		TypeCommitmentBroken,
		TypeUpdatePublished,
		TypeCampaignClosed,
		TypePaperSignaturesRecorded,
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
	case TypeCampaignLaunched:
		return new(CampaignLaunched)
	case TypePartnerJoined:
		return new(PartnerJoined)
	case TypePartnerLeft:
		return new(PartnerLeft)
	case TypeCaseLinked:
		return new(CaseLinked)
	case TypeCaseUnlinked:
		return new(CaseUnlinked)
	case TypeActivityPlanned:
		return new(ActivityPlanned)
	case TypeActivityHeld:
		return new(ActivityHeld)
	case TypePetitionSigned:
		return new(PetitionSigned)
	case TypeCommitmentRecorded:
		return new(CommitmentRecorded)
	case TypeCommitmentFulfilled:
		return new(CommitmentFulfilled)
	case TypeCommitmentBroken:
		return new(CommitmentBroken)
	case TypeUpdatePublished:
		return new(UpdatePublished)
	case TypeCampaignClosed:
		return new(CampaignClosed)
	case TypePaperSignaturesRecorded:
		return new(PaperSignaturesRecorded)
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
// Every campaign event is public; the copy has every reference to a person
// cleared: a signer's vault subject and signer key. An event this package
// does not know gives nil and false, so a new event stays private until
// someone decides otherwise. e is never changed.
func Redact(e domain.Event) (domain.Event, bool) {
	switch e := e.(type) {
	case *CampaignLaunched:
		c := *e
		return &c, true
	case *PartnerJoined:
		c := *e
		return &c, true
	case *PartnerLeft:
		c := *e
		return &c, true
	case *CaseLinked:
		c := *e
		return &c, true
	case *CaseUnlinked:
		c := *e
		return &c, true
	case *ActivityPlanned:
		c := *e
		return &c, true
	case *ActivityHeld:
		c := *e
		return &c, true
	case *PetitionSigned:
		c := *e
		c.SignerSubject, c.SignerKey = "", ""
		return &c, true
	case *CommitmentRecorded:
		c := *e
		return &c, true
	case *CommitmentFulfilled:
		c := *e
		return &c, true
	case *CommitmentBroken:
		c := *e
		return &c, true
	case *UpdatePublished:
		c := *e
		return &c, true
	case *CampaignClosed:
		c := *e
		return &c, true
	case *PaperSignaturesRecorded:
		c := *e
		return &c, true
	}
	return nil, false
}
