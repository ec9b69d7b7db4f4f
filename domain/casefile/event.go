package casefile

import (
	"errors"
	"time"

	"github.com/citizenhouse/bayt/domain"
)

// Wire names of the case events. They are stored with every event and must
// never change: renaming one orphans history.
const (
	TypeCaseReported             = "casefile.case_reported"
	TypeCaseTriaged              = "casefile.case_triaged"
	TypeCaseRejected             = "casefile.case_rejected"
	TypeCaseMerged               = "casefile.case_merged"
	TypeCaseForwarded            = "casefile.case_forwarded"
	TypeCaseAcknowledged         = "casefile.case_acknowledged"
	TypeCaseAnswered             = "casefile.case_answered"
	TypeCaseResolved             = "casefile.case_resolved"
	TypeResolutionConfirmed      = "casefile.resolution_confirmed"
	TypeCaseReopened             = "casefile.case_reopened"
	TypeCommentAdded             = "casefile.comment_added"
	TypeCaseSupported            = "casefile.case_supported"
	TypeCaseLinkedToCampaign     = "casefile.case_linked_to_campaign"
	TypeCaseUnlinkedFromCampaign = "casefile.case_unlinked_from_campaign"
	TypeSLABreached              = "casefile.sla_breached"
	TypeCaseModerated            = "casefile.case_moderated"
	TypePhotoAdded               = "casefile.photo_added"
	TypePhotoModerated           = "casefile.photo_moderated"
)

// The events below implement domain.Event on their pointer type only, so a
// value can never be passed where an event is expected: commands return
// pointers, Decode returns pointers, and Apply and projections switch on
// pointer types without a second, value-typed case to forget.
//
// Every free text in an event except an internal comment and a moderation
// is public: it may appear on the case page and in the live feed. Staff who
// want to write something only staff can read add an internal comment.
// ReporterSubject and TrackingTokenHash, and CaseSupported's supporter
// keys, are the exception: Redact clears them. What the public reads of a moderated case is RedactFor's.

// CaseReported opens a case. ReporterSubject refers to the reporter's entry
// in the personal-data vault, never to the person directly, so erasing the
// person leaves this event intact. TrackingTokenHash lets the reporter prove
// later that the case is theirs.
type CaseReported struct {
	ID                string    `json:"id"`
	Title             string    `json:"title"`
	Description       string    `json:"description"`
	Category          string    `json:"category"`
	District          string    `json:"district"`
	Location          *Location `json:"location,omitempty"`
	Address           string    `json:"address,omitempty"`
	Language          string    `json:"language,omitempty"`
	Channel           Channel   `json:"channel,omitempty"`
	ReporterSubject   string    `json:"reporter_subject,omitempty"`
	TrackingTokenHash []byte    `json:"tracking_token_hash,omitempty"`
	At                time.Time `json:"at"`
}

// CaseTriaged records an advocate's check of a new case. Category is set only
// when the advocate moved the case to another category.
type CaseTriaged struct {
	Priority Priority  `json:"priority"`
	Category string    `json:"category,omitempty"`
	Note     string    `json:"note,omitempty"`
	At       time.Time `json:"at"`
}

// CaseRejected closes a case that the Citizen's House will not take up. The
// reason is public: the reporter and everyone else deserve to know why.
type CaseRejected struct {
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// CaseMerged closes a case as a duplicate of the case stream Into.
type CaseMerged struct {
	Into string    `json:"into"`
	At   time.Time `json:"at"`
}

// CaseForwarded hands a case to a municipal department, which has until DueAt
// (the category's SLA from the moment of forwarding) to resolve it.
type CaseForwarded struct {
	Department string    `json:"department"`
	DueAt      time.Time `json:"due_at"`
	Note       string    `json:"note,omitempty"`
	At         time.Time `json:"at"`
}

// CaseAcknowledged records that the department took the case in, under its
// own Reference if it has one.
type CaseAcknowledged struct {
	Reference string    `json:"reference,omitempty"`
	Note      string    `json:"note,omitempty"`
	At        time.Time `json:"at"`
}

// CaseAnswered records the department's response and, if it gave one, the
// date the work is planned for.
type CaseAnswered struct {
	Response   string     `json:"response"`
	PlannedFor *time.Time `json:"planned_for,omitempty"`
	At         time.Time  `json:"at"`
}

// CaseResolved records that the department considers the case solved. The
// reporter or an advocate then confirms it or reopens it.
type CaseResolved struct {
	Note string    `json:"note"`
	At   time.Time `json:"at"`
}

// ResolutionConfirmed closes a resolved case for good.
type ResolutionConfirmed struct {
	Note string    `json:"note,omitempty"`
	At   time.Time `json:"at"`
}

// CaseReopened sends a disputed resolution back to the same department with a
// new due date.
type CaseReopened struct {
	Reason string    `json:"reason"`
	DueAt  time.Time `json:"due_at"`
	At     time.Time `json:"at"`
}

// CommentAdded records a comment. The author is the actor in the event's
// metadata. Internal comments never reach public surfaces.
type CommentAdded struct {
	Body       string     `json:"body"`
	Visibility Visibility `json:"visibility"`
	At         time.Time  `json:"at"`
}

// CaseSupported records one more resident saying "me too". Supporters are
// not identified: support is a count, not a list of people. AddressKey and
// BrowserKey are opaque keyed hashes (see SupporterKeys) that keep one
// person from counting twice; they are empty in supports recorded before
// supporters were keyed, and Redact clears them.
type CaseSupported struct {
	AddressKey string    `json:"address_key,omitempty"`
	BrowserKey string    `json:"browser_key,omitempty"`
	At         time.Time `json:"at"`
}

// CaseLinkedToCampaign records that an advocacy campaign took up the case.
type CaseLinkedToCampaign struct {
	CampaignID string    `json:"campaign_id"`
	At         time.Time `json:"at"`
}

// CaseUnlinkedFromCampaign undoes CaseLinkedToCampaign.
type CaseUnlinkedFromCampaign struct {
	CampaignID string    `json:"campaign_id"`
	At         time.Time `json:"at"`
}

// SLABreached records, once per due date, that the department let DueAt pass.
// Accountability is itself part of the record.
type SLABreached struct {
	DueAt time.Time `json:"due_at"`
	At    time.Time `json:"at"`
}

// CaseModerated records what the public sees of a case from now on: whether
// it is hidden, and the title and description shown instead of the
// reporter's (empty: the reporter's own). It holds the resulting state, not
// the change, so the latest one alone decides. The staff member who decided
// is the actor in the event's metadata; the whole event, Reason included, is
// for staff only, since it speaks of what the public must not read.
type CaseModerated struct {
	Hidden            bool      `json:"hidden"`
	PublicTitle       string    `json:"public_title,omitempty"`
	PublicDescription string    `json:"public_description,omitempty"`
	Reason            string    `json:"reason"`
	At                time.Time `json:"at"`
}

// PhotoAdded records a photo of the case: the re-encoded image's content
// hash (its pixels are stored outside the log, without any metadata the
// camera wrote) and its size. ByReporter says the reporter added it, which
// counts towards the reporter's limit; the actor in the metadata says as
// much to anyone reading the history.
type PhotoAdded struct {
	PhotoID    string    `json:"photo_id"`
	Width      int       `json:"width"`
	Height     int       `json:"height"`
	ByReporter bool      `json:"by_reporter,omitempty"`
	At         time.Time `json:"at"`
}

// PhotoModerated records whether the public sees one photo of the case
// from now on. Like CaseModerated it holds the resulting state and is for
// staff only, reason included.
type PhotoModerated struct {
	PhotoID string    `json:"photo_id"`
	Hidden  bool      `json:"hidden"`
	Reason  string    `json:"reason"`
	At      time.Time `json:"at"`
}

// EventType returns TypeCaseReported.
func (*CaseReported) EventType() string { return TypeCaseReported }

// EventType returns TypeCaseTriaged.
func (*CaseTriaged) EventType() string { return TypeCaseTriaged }

// EventType returns TypeCaseRejected.
func (*CaseRejected) EventType() string { return TypeCaseRejected }

// EventType returns TypeCaseMerged.
func (*CaseMerged) EventType() string { return TypeCaseMerged }

// EventType returns TypeCaseForwarded.
func (*CaseForwarded) EventType() string { return TypeCaseForwarded }

// EventType returns TypeCaseAcknowledged.
func (*CaseAcknowledged) EventType() string { return TypeCaseAcknowledged }

// EventType returns TypeCaseAnswered.
func (*CaseAnswered) EventType() string { return TypeCaseAnswered }

// EventType returns TypeCaseResolved.
func (*CaseResolved) EventType() string { return TypeCaseResolved }

// EventType returns TypeResolutionConfirmed.
func (*ResolutionConfirmed) EventType() string { return TypeResolutionConfirmed }

// EventType returns TypeCaseReopened.
func (*CaseReopened) EventType() string { return TypeCaseReopened }

// EventType returns TypeCommentAdded.
func (*CommentAdded) EventType() string { return TypeCommentAdded }

// EventType returns TypeCaseSupported.
func (*CaseSupported) EventType() string { return TypeCaseSupported }

// EventType returns TypeCaseLinkedToCampaign.
func (*CaseLinkedToCampaign) EventType() string { return TypeCaseLinkedToCampaign }

// EventType returns TypeCaseUnlinkedFromCampaign.
func (*CaseUnlinkedFromCampaign) EventType() string { return TypeCaseUnlinkedFromCampaign }

// EventType returns TypeSLABreached.
func (*SLABreached) EventType() string { return TypeSLABreached }

// EventType returns TypeCaseModerated.
func (*CaseModerated) EventType() string { return TypeCaseModerated }

// EventType returns TypePhotoAdded.
func (*PhotoAdded) EventType() string { return TypePhotoAdded }

// EventType returns TypePhotoModerated.
func (*PhotoModerated) EventType() string { return TypePhotoModerated }

// Events returns a new registry from wire name to a constructor of a zero
// event, for adapters that decode stored payloads. It is built on each call
// so that no caller can change what another one sees.
func Events() map[string]func() domain.Event {
	types := []string{
		TypeCaseReported,
		TypeCaseTriaged,
		TypeCaseRejected,
		TypeCaseMerged,
		TypeCaseForwarded,
		TypeCaseAcknowledged,
		TypeCaseAnswered,
		TypeCaseResolved,
		TypeResolutionConfirmed,
		TypeCaseReopened,
		TypeCommentAdded,
		TypeCaseSupported,
		TypeCaseLinkedToCampaign,
		TypeCaseUnlinkedFromCampaign,
		TypeSLABreached,
		TypeCaseModerated,
		TypePhotoAdded,
		TypePhotoModerated,
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
	case TypeCaseReported:
		return new(CaseReported)
	case TypeCaseTriaged:
		return new(CaseTriaged)
	case TypeCaseRejected:
		return new(CaseRejected)
	case TypeCaseMerged:
		return new(CaseMerged)
	case TypeCaseForwarded:
		return new(CaseForwarded)
	case TypeCaseAcknowledged:
		return new(CaseAcknowledged)
	case TypeCaseAnswered:
		return new(CaseAnswered)
	case TypeCaseResolved:
		return new(CaseResolved)
	case TypeResolutionConfirmed:
		return new(ResolutionConfirmed)
	case TypeCaseReopened:
		return new(CaseReopened)
	case TypeCommentAdded:
		return new(CommentAdded)
	case TypeCaseSupported:
		return new(CaseSupported)
	case TypeCaseLinkedToCampaign:
		return new(CaseLinkedToCampaign)
	case TypeCaseUnlinkedFromCampaign:
		return new(CaseUnlinkedFromCampaign)
	case TypeSLABreached:
		return new(SLABreached)
	case TypeCaseModerated:
		return new(CaseModerated)
	case TypePhotoAdded:
		return new(PhotoAdded)
	case TypePhotoModerated:
		return new(PhotoModerated)
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
// pages, the board, the live feed, exports) calls it, and none keeps a list
// of fields of its own.
//
// The copy has every reference to a person cleared: the reporter's vault
// subject, and the tracking token's hash, which proves the case is the
// reporter's. Every other field is public by design (see the events). An
// internal comment and a moderation are not public: Redact returns their
// copy with false, for staff surfaces, which show internal events but no
// personal reference either. Redact knows one event, not the case: the
// public reads a case's events through RedactFor, which also honours its
// moderation. An event this package does not know gives nil and false, so a new
// event stays private until someone decides otherwise. e is never changed.
func Redact(e domain.Event) (domain.Event, bool) {
	switch e := e.(type) {
	case *CaseReported:
		c := *e
		// How a resident reached the House is staff's to know: a desk
		// report in a small district points at who came in.
		c.ReporterSubject, c.TrackingTokenHash, c.Channel = "", nil, ""
		return &c, true
	case *CommentAdded:
		c := *e
		return &c, c.Visibility == VisibilityPublic
	case *CaseTriaged:
		c := *e
		return &c, true
	case *CaseRejected:
		c := *e
		return &c, true
	case *CaseMerged:
		c := *e
		return &c, true
	case *CaseForwarded:
		c := *e
		return &c, true
	case *CaseAcknowledged:
		c := *e
		return &c, true
	case *CaseAnswered:
		c := *e
		return &c, true
	case *CaseResolved:
		c := *e
		return &c, true
	case *ResolutionConfirmed:
		c := *e
		return &c, true
	case *CaseReopened:
		c := *e
		return &c, true
	case *CaseSupported:
		c := *e
		c.AddressKey, c.BrowserKey = "", ""
		return &c, true
	case *CaseLinkedToCampaign:
		c := *e
		return &c, true
	case *CaseUnlinkedFromCampaign:
		c := *e
		return &c, true
	case *SLABreached:
		c := *e
		return &c, true
	case *CaseModerated:
		c := *e
		return &c, false
	case *PhotoAdded:
		c := *e
		return &c, true
	case *PhotoModerated:
		c := *e
		return &c, false
	}
	return nil, false
}

// RedactFor returns the redaction of the events of case c for the public:
// Redact, with the report showing the texts moderation put in place of the
// reporter's, no photo moderation hid, and nothing at all of a hidden
// case. c is the case as of the newest event shown, so an earlier event
// never shows what a later moderation withdrew.
func RedactFor(c *Case) domain.RedactFunc {
	return func(e domain.Event) (domain.Event, bool) {
		public, ok := Redact(e)
		switch p := public.(type) {
		case *CaseReported:
			p.Title, p.Description = c.PublicTitle(), c.PublicDescription()
		case *PhotoAdded:
			ok = ok && c.PhotoPublic(p.PhotoID)
		}
		return public, ok && !c.Hidden()
	}
}

// HistoryFor returns the history h of one case as viewer may see it
// (domain.History.For). Staff read it as recorded, less personal
// references. For anyone else it is the case's own public form: folded
// from h itself, so that the texts shown and the events agree, and a
// hidden case's history is not found, as if it did not exist.
func HistoryFor(h domain.History, viewer domain.Actor) (domain.History, error) {
	if viewer.Role.Staff() {
		return h.For(viewer, Decode, Redact)
	}
	var c Case
	for _, e := range h.Events {
		ev, err := Decode(e.Type, e.Data)
		if errors.Is(err, ErrUnknownEventType) {
			continue
		}
		if err != nil {
			return domain.History{}, err
		}
		c.Apply(ev)
	}
	if c.Hidden() {
		return domain.History{}, domain.NotFound(h.Stream)
	}
	return h.For(viewer, Decode, RedactFor(&c))
}
