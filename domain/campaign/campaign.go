package campaign

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/directory"
)

// Stream and id prefixes. The caller generates every id: a prefix and a
// ULID.
const (
	StreamPrefix     = "campaign-" // a campaign's stream id
	ActivityPrefix   = "act-"      // an activity of a campaign
	CommitmentPrefix = "com-"      // a commitment recorded in a campaign
)

// ValidID reports whether id is a campaign stream id: StreamPrefix followed
// by a ULID (26 characters of Crockford's base32, either case).
func ValidID(id string) bool { return prefixedULID(StreamPrefix, id) }

// ValidActivityID reports whether id is an activity id: ActivityPrefix
// followed by a ULID.
func ValidActivityID(id string) bool { return prefixedULID(ActivityPrefix, id) }

// ValidCommitmentID reports whether id is a commitment id: CommitmentPrefix
// followed by a ULID.
func ValidCommitmentID(id string) bool { return prefixedULID(CommitmentPrefix, id) }

func prefixedULID(prefix, id string) bool {
	u, ok := strings.CutPrefix(id, prefix)
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

// Status is where a campaign stands; see the package comment.
type Status string

// Statuses, as in the API.
const (
	StatusActive Status = "active"
	StatusClosed Status = "closed"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s == StatusActive || s == StatusClosed }

// Outcome is how a campaign ended.
type Outcome string

// Outcomes, as in the API.
const (
	OutcomeWon       Outcome = "won"
	OutcomePartlyWon Outcome = "partly_won"
	OutcomeLost      Outcome = "lost"
	OutcomeAbandoned Outcome = "abandoned"
)

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool {
	switch o {
	case OutcomeWon, OutcomePartlyWon, OutcomeLost, OutcomeAbandoned:
		return true
	}
	return false
}

// ActivityKind is what sort of activity a campaign holds: the seed's
// seminars and workshops, and the means of advocacy.
type ActivityKind string

// Activity kinds, as in the API.
const (
	ActivitySeminar       ActivityKind = "seminar"
	ActivityWorkshop      ActivityKind = "workshop"
	ActivityPublicMeeting ActivityKind = "public_meeting"
	ActivityHearing       ActivityKind = "hearing"
	ActivityPetition      ActivityKind = "petition"
	ActivityLetter        ActivityKind = "letter"
	ActivityMedia         ActivityKind = "media"
)

// Valid reports whether k is a known activity kind.
func (k ActivityKind) Valid() bool {
	switch k {
	case ActivitySeminar, ActivityWorkshop, ActivityPublicMeeting, ActivityHearing,
		ActivityPetition, ActivityLetter, ActivityMedia:
		return true
	}
	return false
}

// CommitmentState is where a commitment stands.
type CommitmentState string

// Commitment states. A commitment is open until fulfilled or broken, once.
const (
	CommitmentStateOpen      CommitmentState = "open"
	CommitmentStateFulfilled CommitmentState = "fulfilled"
	CommitmentStateBroken    CommitmentState = "broken"
)

// Valid reports whether s is a known commitment state.
func (s CommitmentState) Valid() bool {
	return s == CommitmentStateOpen || s == CommitmentStateFulfilled || s == CommitmentStateBroken
}

// Attendance counts the people at an activity, for the seed's attention to
// women and youth. Youth overlap with women and men: a young woman counts in
// Women and in Youth. Total may exceed Women+Men, for people not counted by
// sex.
type Attendance struct {
	Women int `json:"women"`
	Men   int `json:"men"`
	Youth int `json:"youth"`
	Total int `json:"total"`
}

// add returns a+b.
func (a Attendance) add(b Attendance) Attendance {
	return Attendance{Women: a.Women + b.Women, Men: a.Men + b.Men, Youth: a.Youth + b.Youth, Total: a.Total + b.Total}
}

// Activity is one activity of a campaign.
type Activity struct {
	ID           string
	Kind         ActivityKind
	Title        string
	ScheduledFor time.Time
	Place        string
	Held         bool
	HeldAt       *time.Time
	Attendance   Attendance // set once held
	Minutes      string     // set once held
}

// Commitment is a promise the municipality made in a campaign.
type Commitment struct {
	ID         string
	Text       string
	DueBy      time.Time
	State      CommitmentState
	RecordedBy domain.Role // officer when the municipality recorded it itself
	RecordedAt time.Time
	SettledAt  *time.Time // when it was fulfilled or broken
	Note       string     // the note it was fulfilled or broken with
}

// Campaign is the state of one campaign, rebuilt by folding its events with
// Apply. The zero Campaign is a campaign not launched yet.
type Campaign struct {
	ID               string
	Title            string
	Demand           string
	Theme            directory.Theme
	TargetDepartment string
	LeadOrganisation string
	Status           Status
	Partners         []string // organisation stream ids, the lead first
	CaseIDs          []string // linked case stream ids, in the order linked
	Activities       map[string]*Activity
	Signatures       int // every signature, online and on paper
	PaperSignatures  int // of which gathered on paper
	Commitments      map[string]*Commitment
	Updates          int
	LastUpdate       *time.Time
	Outcome          Outcome
	Summary          string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	ClosedAt         *time.Time
	Version          int64 // number of events applied: the stream version

	// signerKeys holds the key of every signature that had one. It is
	// unexported so that a state rendered carelessly cannot leak them.
	signerKeys map[string]struct{}
}

// Apply folds e into c. It never validates and never fails: the event is a
// fact already decided. An event of another package counts towards Version
// but changes nothing else. Holding an activity or settling a commitment
// the campaign does not know still records what happened.
func (c *Campaign) Apply(e domain.Event) {
	c.Version++
	switch e := e.(type) {
	case *CampaignLaunched:
		c.ID = e.ID
		c.Title = e.Title
		c.Demand = e.Demand
		c.Theme = e.Theme
		c.TargetDepartment = e.TargetDepartment
		c.LeadOrganisation = e.LeadOrganisation
		c.Status = StatusActive
		c.Partners = []string{e.LeadOrganisation}
		c.CreatedAt = e.At
		c.touch(e.At)
	case *PartnerJoined:
		if !slices.Contains(c.Partners, e.OrganisationID) {
			c.Partners = append(c.Partners, e.OrganisationID)
		}
		c.touch(e.At)
	case *PartnerLeft:
		c.Partners = slices.DeleteFunc(c.Partners, func(id string) bool { return id == e.OrganisationID })
		c.touch(e.At)
	case *CaseLinked:
		if !slices.Contains(c.CaseIDs, e.CaseID) {
			c.CaseIDs = append(c.CaseIDs, e.CaseID)
		}
		c.touch(e.At)
	case *CaseUnlinked:
		c.CaseIDs = slices.DeleteFunc(c.CaseIDs, func(id string) bool { return id == e.CaseID })
		c.touch(e.At)
	case *ActivityPlanned:
		if c.Activities == nil {
			c.Activities = make(map[string]*Activity)
		}
		c.Activities[e.ActivityID] = &Activity{
			ID: e.ActivityID, Kind: e.Kind, Title: e.Title, ScheduledFor: e.ScheduledFor, Place: e.Place,
		}
		c.touch(e.At)
	case *ActivityHeld:
		a := c.activity(e.ActivityID)
		a.Held = true
		a.HeldAt = timePtr(e.At)
		a.Attendance = e.Attendance
		a.Minutes = e.Minutes
		c.touch(e.At)
	case *PetitionSigned:
		c.Signatures++
		if e.SignerKey != "" {
			if c.signerKeys == nil {
				c.signerKeys = make(map[string]struct{})
			}
			c.signerKeys[e.SignerKey] = struct{}{}
		}
		c.touch(e.At)
	case *PaperSignaturesRecorded:
		c.Signatures += e.Count
		c.PaperSignatures += e.Count
		c.touch(e.At)
	case *CommitmentRecorded:
		if c.Commitments == nil {
			c.Commitments = make(map[string]*Commitment)
		}
		c.Commitments[e.CommitmentID] = &Commitment{
			ID: e.CommitmentID, Text: e.Text, DueBy: e.DueBy, State: CommitmentStateOpen,
			RecordedBy: e.RecordedBy, RecordedAt: e.At,
		}
		c.touch(e.At)
	case *CommitmentFulfilled:
		c.applySettled(e.CommitmentID, CommitmentStateFulfilled, e.Note, e.At)
	case *CommitmentBroken:
		c.applySettled(e.CommitmentID, CommitmentStateBroken, e.Note, e.At)
	case *UpdatePublished:
		c.Updates++
		c.LastUpdate = timePtr(e.At)
		c.touch(e.At)
	case *CampaignClosed:
		c.Status = StatusClosed
		c.Outcome = e.Outcome
		c.Summary = e.Summary
		c.ClosedAt = timePtr(e.At)
		c.touch(e.At)
	}
}

func (c *Campaign) touch(at time.Time) { c.UpdatedAt = at }

// activity returns the activity with id, made up if unknown so that Apply
// never drops a fact.
func (c *Campaign) activity(id string) *Activity {
	a, ok := c.Activities[id]
	if !ok {
		if c.Activities == nil {
			c.Activities = make(map[string]*Activity)
		}
		a = &Activity{ID: id}
		c.Activities[id] = a
	}
	return a
}

// applySettled marks a commitment fulfilled or broken, made up if unknown
// so that Apply never drops a fact.
func (c *Campaign) applySettled(id string, state CommitmentState, note string, at time.Time) {
	k, ok := c.Commitments[id]
	if !ok {
		if c.Commitments == nil {
			c.Commitments = make(map[string]*Commitment)
		}
		k = &Commitment{ID: id}
		c.Commitments[id] = k
	}
	k.State = state
	k.Note = note
	k.SettledAt = timePtr(at)
	c.touch(at)
}

// timePtr returns a pointer to a copy of t, so state never aliases an event.
func timePtr(t time.Time) *time.Time { return &t }

// Signed reports whether a signature with signerKey was recorded. An empty
// key, the anonymous signature's, is never signed.
func (c *Campaign) Signed(signerKey string) bool {
	_, ok := c.signerKeys[signerKey]
	return ok && signerKey != ""
}

// Attendance returns the attendance summed over every held activity.
func (c *Campaign) Attendance() Attendance {
	var sum Attendance
	for _, a := range c.Activities {
		if a.Held {
			sum = sum.add(a.Attendance)
		}
	}
	return sum
}

// CommitmentCounts returns how many commitments were made in the campaign,
// how many were fulfilled and broken, and how many are overdue: still open
// with their due date passed by now.
func (c *Campaign) CommitmentCounts(now time.Time) (made, fulfilled, broken, overdue int) {
	for _, k := range c.Commitments {
		made++
		switch k.State {
		case CommitmentStateFulfilled:
			fulfilled++
		case CommitmentStateBroken:
			broken++
		case CommitmentStateOpen:
			if k.Overdue(now) {
				overdue++
			}
		}
	}
	return made, fulfilled, broken, overdue
}

// Overdue reports whether k is still open with its due date passed by now.
func (k *Commitment) Overdue(now time.Time) bool {
	return k.State == CommitmentStateOpen && now.After(k.DueBy)
}

// ActivitiesHeld returns how many of the campaign's activities were held.
func (c *Campaign) ActivitiesHeld() int {
	n := 0
	for _, a := range c.Activities {
		if a.Held {
			n++
		}
	}
	return n
}

// ActivitiesByDate returns copies of the campaign's activities in the
// order they are scheduled: the order every surface lists them in.
func (c *Campaign) ActivitiesByDate() []Activity {
	out := make([]Activity, 0, len(c.Activities))
	for _, a := range c.Activities {
		out = append(out, *a)
	}
	slices.SortFunc(out, func(a, b Activity) int {
		return cmp.Or(a.ScheduledFor.Compare(b.ScheduledFor), strings.Compare(a.ID, b.ID))
	})
	return out
}

// CommitmentsByDue returns copies of the campaign's commitments, the
// soonest due first: the order every surface lists them in.
func (c *Campaign) CommitmentsByDue() []Commitment {
	out := make([]Commitment, 0, len(c.Commitments))
	for _, k := range c.Commitments {
		out = append(out, *k)
	}
	slices.SortFunc(out, func(a, b Commitment) int {
		return cmp.Or(a.DueBy.Compare(b.DueBy), strings.Compare(a.ID, b.ID))
	})
	return out
}

// SignerKeyPurpose is the purpose under which signer keys are hashed.
const SignerKeyPurpose = "campaign.signer"

// SignerKey is the key that lets a person sign a campaign's petition once:
// a keyed hash (see domain.Ports.KeyedHashFunc) of the campaign and the
// signer's name (spaces folded, case ignored), so that the same name gives
// the same key and erasure can find the signature again, while nobody
// without the secret can tell from the log whether a given name signed. It
// is never shown.
func SignerKey(hash func(purpose, text string) string, campaignID, name string) string {
	name = foldName(name)
	if name == "" {
		return ""
	}
	return hash(SignerKeyPurpose, campaignID+"\x00"+name)
}

// LegacySignerKey is the key signatures were recorded with before signer
// keys were keyed hashes: a bare sha256 of the campaign and the name,
// which anyone could recompute. It is computed only to recognise those old
// signatures, and never recorded again.
func LegacySignerKey(campaignID, name string) string {
	name = foldName(name)
	if name == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(campaignID + "\x00" + name))
	return hex.EncodeToString(sum[:])
}

func foldName(name string) string {
	return strings.ToLower(strings.Join(strings.Fields(name), " "))
}
