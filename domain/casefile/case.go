package casefile

import (
	"slices"
	"strings"
	"time"

	"github.com/citizenhouse/bayt/domain"
)

// StreamPrefix starts the stream id of every case: "case-" and a ULID.
const StreamPrefix = "case-"

// ValidID reports whether id is a case stream id: StreamPrefix followed by a
// ULID (26 characters of Crockford's base32, either case).
func ValidID(id string) bool {
	u, ok := strings.CutPrefix(id, StreamPrefix)
	if !ok || len(u) != 26 || u[0] > '7' {
		return false // a ULID's first character is at most 7: 128 bits in 26 digits
	}
	for _, r := range strings.ToUpper(u) {
		if !strings.ContainsRune("0123456789ABCDEFGHJKMNPQRSTVWXYZ", r) {
			return false
		}
	}
	return true
}

// Status is where a case stands in its life; see the package comment for the
// state machine.
type Status string

// Statuses, as in the API.
const (
	StatusReported     Status = "reported"
	StatusTriaged      Status = "triaged"
	StatusForwarded    Status = "forwarded"
	StatusAcknowledged Status = "acknowledged"
	StatusInProgress   Status = "in_progress"
	StatusResolved     Status = "resolved"
	StatusClosed       Status = "closed"
	StatusRejected     Status = "rejected"
	StatusDuplicate    Status = "duplicate"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusReported, StatusTriaged, StatusForwarded, StatusAcknowledged,
		StatusInProgress, StatusResolved, StatusClosed, StatusRejected, StatusDuplicate:
		return true
	}
	return false
}

// AwaitsDepartment reports whether s is one of the statuses in which a
// municipal department owes the case a resolution: the only ones in which
// the SLA clock runs.
func (s Status) AwaitsDepartment() bool {
	return s == StatusForwarded || s == StatusAcknowledged || s == StatusInProgress
}

// Channel is how a report reached the Citizen's House.
type Channel string

// Channels. A report records "" for the web, which every report before
// channels were recorded came through.
const (
	ChannelWeb     Channel = "web"
	ChannelDesk    Channel = "desk"
	ChannelPhone   Channel = "phone"
	ChannelOpen311 Channel = "open311"
)

// Or returns c, or the web for the empty channel.
func (c Channel) Or() Channel {
	if c == "" {
		return ChannelWeb
	}
	return c
}

// Priority is how urgent advocates judge a case.
type Priority string

// Priorities. A case is normal until triaged.
const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool {
	switch p {
	case PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent:
		return true
	}
	return false
}

// Visibility says who may read a comment.
type Visibility string

// Visibilities. Internal comments are for staff only (advocates, officers,
// admins) and never reach public surfaces.
const (
	VisibilityPublic   Visibility = "public"
	VisibilityInternal Visibility = "internal"
)

// Valid reports whether v is a known visibility.
func (v Visibility) Valid() bool { return v == VisibilityPublic || v == VisibilityInternal }

// Location is a WGS 84 point.
type Location struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Case is the state of one case, rebuilt by folding its events with Apply.
// The zero Case is a case not reported yet.
type Case struct {
	ID                string
	Title             string
	Description       string
	Category          string
	District          string
	Location          *Location
	Address           string
	Language          string
	Channel           Channel // how the report came in; "" is the web
	ReporterSubject   string  // personal-data vault reference; empty when anonymous
	TrackingTokenHash []byte
	Status            Status
	Priority          Priority
	Department        string // the department the case was last forwarded to
	DueAt             *time.Time
	SLABreachedFor    *time.Time // the DueAt a breach was recorded for, so it is recorded once
	Supporters        int
	CampaignIDs       []string
	ReopenedCount     int
	CreatedAt         time.Time
	UpdatedAt         time.Time
	Version           int64 // number of events applied: the stream version
	MergedInto        string
	RejectReason      string
	LastPublicNote    string      // latest public text from staff or reporter, for Open311 status_notes
	Moderation        *Moderation // nil until staff first moderate the case
	// Photos are the case's photos in the order they were added, hidden
	// ones included: Public leaves those out.
	Photos []Photo

	// The first time each step of the municipal response happened, for the
	// departments' responsiveness figures. A reopened case keeps them: the
	// first answer is what the resident waited for.
	ForwardedAt       *time.Time
	AcknowledgedAt    *time.Time
	ResolvedAt        *time.Time
	ResolvedWithinSLA bool

	// Number is the case's short public number (see FormatNumber). It
	// counts the reports of the whole log, which one case's events cannot
	// tell: Apply never sets it, and only a case read from the case list
	// has it.
	Number string

	// supporterKeys holds every supporter key recorded. It is unexported
	// so that a state rendered carelessly cannot leak them.
	supporterKeys map[string]struct{}
}

// Moderation is what staff last decided the public sees of a case; see
// CaseModerated. Title and Description of the Case stay the reporter's:
// staff read them, the public reads PublicTitle and PublicDescription.
type Moderation struct {
	Hidden            bool
	PublicTitle       string // replaces the title for the public when not empty
	PublicDescription string // replaces the description for the public when not empty
	Reason            string
	At                time.Time
}

// Photo is one photo of a case. ID names the re-encoded image by its
// content (see ValidPhotoID); the pixels are kept outside the log.
type Photo struct {
	ID            string
	Width, Height int
	// ByReporter says the reporter added it, under the reporter's own
	// limit; otherwise staff did.
	ByReporter bool
	// Hidden says moderation withdrew it from the public.
	Hidden  bool
	AddedAt time.Time
}

// Photo returns the photo id of the case, and false when it has none.
func (c *Case) Photo(id string) (Photo, bool) {
	for _, p := range c.Photos {
		if p.ID == id {
			return p, true
		}
	}
	return Photo{}, false
}

// PhotoPublic reports whether the public may see photo id of c: the case
// is not hidden, and the photo is the case's and not hidden.
func (c *Case) PhotoPublic(id string) bool {
	p, ok := c.Photo(id)
	return ok && !p.Hidden && !c.Hidden()
}

// reporterPhotos counts the photos the reporter added.
func (c *Case) reporterPhotos() int {
	n := 0
	for _, p := range c.Photos {
		if p.ByReporter {
			n++
		}
	}
	return n
}

// Supported reports whether a support with any of keys was recorded. An
// empty key is never supported.
func (c *Case) Supported(keys ...string) bool {
	for _, k := range keys {
		if _, ok := c.supporterKeys[k]; ok && k != "" {
			return true
		}
	}
	return false
}

// SupporterKeyPurpose is the purpose under which supporter keys are hashed.
const SupporterKeyPurpose = "casefile.supporter"

// SupporterKeys are the keys that let a person support a case once: a
// keyed hash (see domain.Ports.KeyedHashFunc) of the case, the client's
// address and the day, and one of the case and the browser's own id. A
// support is a repeat when either was seen on the case, so one address
// counts once a day however many browsers it has, and one browser once
// however many addresses it moves through. The address never enters the
// log, and nobody without the secret can tell from the log whether a given
// address supported a case; keys of different cases are unrelated. An
// empty address or browser gives an empty key.
func SupporterKeys(hash func(purpose, text string) string, caseID, address, browser string, now time.Time) (addressKey, browserKey string) {
	if address != "" {
		addressKey = hash(SupporterKeyPurpose, "address\x00"+caseID+"\x00"+address+"\x00"+now.UTC().Format(time.DateOnly))
	}
	if browser != "" {
		browserKey = hash(SupporterKeyPurpose, "browser\x00"+caseID+"\x00"+browser)
	}
	return addressKey, browserKey
}

// Hidden reports whether moderation hides c from the public.
func (c *Case) Hidden() bool { return c.Moderation != nil && c.Moderation.Hidden }

// PublicTitle returns the title the public reads: moderation's, or the
// reporter's.
func (c *Case) PublicTitle() string {
	if c.Moderation != nil && c.Moderation.PublicTitle != "" {
		return c.Moderation.PublicTitle
	}
	return c.Title
}

// PublicDescription returns the description the public reads.
func (c *Case) PublicDescription() string {
	if c.Moderation != nil && c.Moderation.PublicDescription != "" {
		return c.Moderation.PublicDescription
	}
	return c.Description
}

// Public returns c as the public may read it, and false when moderation
// hides it: the public texts in place of the reporter's, no moderation, no
// reference to the reporter, and only the photos moderation left. The copy
// shares no moderation, reporter reference or photo with c.
func (c *Case) Public() (Case, bool) {
	p := *c
	p.Title, p.Description = c.PublicTitle(), c.PublicDescription()
	p.Moderation, p.ReporterSubject, p.TrackingTokenHash = nil, "", nil
	p.Photos = nil
	for _, ph := range c.Photos {
		if !ph.Hidden {
			p.Photos = append(p.Photos, ph)
		}
	}
	return p, !c.Hidden()
}

// Apply folds e into c. It never validates and never fails: the event is a
// fact already decided. An event of another package counts towards Version
// but changes nothing else.
func (c *Case) Apply(e domain.Event) {
	c.Version++
	switch e := e.(type) {
	case *CaseReported:
		c.ID = e.ID
		c.Title = e.Title
		c.Description = e.Description
		c.Category = e.Category
		c.District = e.District
		c.Location = nil
		if e.Location != nil {
			l := *e.Location
			c.Location = &l
		}
		c.Address = e.Address
		c.Language = e.Language
		c.Channel = e.Channel
		c.ReporterSubject = e.ReporterSubject
		c.TrackingTokenHash = slices.Clone(e.TrackingTokenHash)
		c.Status = StatusReported
		c.Priority = PriorityNormal
		c.CreatedAt = e.At
		c.touch(e.At)
	case *CaseTriaged:
		c.Status = StatusTriaged
		c.Priority = e.Priority
		if e.Category != "" {
			c.Category = e.Category
		}
		c.note(e.Note)
		c.touch(e.At)
	case *CaseRejected:
		c.Status = StatusRejected
		c.RejectReason = e.Reason
		c.note(e.Reason)
		c.touch(e.At)
	case *CaseMerged:
		c.Status = StatusDuplicate
		c.MergedInto = e.Into
		c.touch(e.At)
	case *CaseForwarded:
		c.Status = StatusForwarded
		c.Department = e.Department
		c.DueAt = timePtr(e.DueAt)
		if c.ForwardedAt == nil {
			c.ForwardedAt = timePtr(e.At)
		}
		c.note(e.Note)
		c.touch(e.At)
	case *CaseAcknowledged:
		c.Status = StatusAcknowledged
		if c.AcknowledgedAt == nil {
			c.AcknowledgedAt = timePtr(e.At)
		}
		c.note(e.Note)
		c.touch(e.At)
	case *CaseAnswered:
		c.Status = StatusInProgress
		c.note(e.Response)
		c.touch(e.At)
	case *CaseResolved:
		c.Status = StatusResolved
		if c.ResolvedAt == nil {
			c.ResolvedAt = timePtr(e.At)
			c.ResolvedWithinSLA = c.DueAt != nil && !e.At.After(*c.DueAt)
		}
		c.note(e.Note)
		c.touch(e.At)
	case *ResolutionConfirmed:
		c.Status = StatusClosed
		c.note(e.Note)
		c.touch(e.At)
	case *CaseReopened:
		c.Status = StatusForwarded
		c.DueAt = timePtr(e.DueAt)
		c.ReopenedCount++
		c.note(e.Reason)
		c.touch(e.At)
	case *CommentAdded:
		if e.Visibility == VisibilityPublic {
			c.note(e.Body)
		}
		c.touch(e.At)
	case *CaseSupported:
		c.Supporters++
		for _, k := range [...]string{e.AddressKey, e.BrowserKey} {
			if k != "" {
				if c.supporterKeys == nil {
					c.supporterKeys = make(map[string]struct{})
				}
				c.supporterKeys[k] = struct{}{}
			}
		}
		c.touch(e.At)
	case *CaseLinkedToCampaign:
		if !slices.Contains(c.CampaignIDs, e.CampaignID) {
			c.CampaignIDs = append(c.CampaignIDs, e.CampaignID)
		}
		c.touch(e.At)
	case *CaseUnlinkedFromCampaign:
		c.CampaignIDs = slices.DeleteFunc(c.CampaignIDs, func(id string) bool { return id == e.CampaignID })
		c.touch(e.At)
	case *SLABreached:
		c.SLABreachedFor = timePtr(e.DueAt)
		c.touch(e.At)
	case *CaseModerated:
		c.Moderation = &Moderation{Hidden: e.Hidden, PublicTitle: e.PublicTitle,
			PublicDescription: e.PublicDescription, Reason: e.Reason, At: e.At}
		c.touch(e.At)
	case *PhotoAdded:
		if _, ok := c.Photo(e.PhotoID); !ok {
			c.Photos = append(slices.Clip(c.Photos), Photo{ID: e.PhotoID, Width: e.Width, Height: e.Height, ByReporter: e.ByReporter, AddedAt: e.At})
		}
		c.touch(e.At)
	case *PhotoModerated:
		// A new slice: a state copied before (Public, a caller's copy)
		// must not see the change.
		photos := slices.Clone(c.Photos)
		for i := range photos {
			if photos[i].ID == e.PhotoID {
				photos[i].Hidden = e.Hidden
			}
		}
		c.Photos = photos
		c.touch(e.At)
	}
}

func (c *Case) touch(at time.Time) { c.UpdatedAt = at }

// note keeps the latest non-empty public text; an event without one leaves
// the previous note standing.
func (c *Case) note(s string) {
	if s != "" {
		c.LastPublicNote = s
	}
}

// timePtr returns a pointer to a copy of t, so state never aliases an event.
func timePtr(t time.Time) *time.Time { return &t }

// Overdue reports whether the department c is forwarded to has let its due
// date pass by now.
func (c *Case) Overdue(now time.Time) bool {
	return c.Status.AwaitsDepartment() && c.DueAt != nil && now.After(*c.DueAt)
}
