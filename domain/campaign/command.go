package campaign

import (
	"fmt"
	"slices"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/domain/organisation"
)

// Limits on free text, in runes (an Arabic letter counts as one), and on
// attendance figures.
const (
	MaxTitle      = 200 // campaigns and activities
	MaxDemand     = 5000
	MaxPlace      = 300
	MaxMinutes    = 20000
	MaxDistrict   = 100
	MaxCommitment = 2000 // a commitment's text
	MaxNote       = 2000 // notes on fulfilled and broken commitments
	MaxBody       = 5000 // published updates
	MaxSummary    = 5000
	MaxSubject    = 100 // personal-data vault references
	MaxSignerKey  = 200
	// MaxPaperSignatures bounds one batch of paper signatures: a stack
	// counted at the desk, not a figure typed with a slip of the finger.
	MaxPaperSignatures = 100_000
	// MaxAttendance bounds each attendance figure: far above any hall, and
	// low enough that sums never overflow.
	MaxAttendance = 1_000_000
)

// Directory is what the campaign aggregate needs from the directory: the
// departments a campaign may target. *directory.Directory implements it.
// Lookups must be safe for concurrent use and must not fail: a missing code
// is reported by the bool.
type Directory interface {
	Department(code string) (directory.Department, bool)
}

// Commands. Each carries the acting user and the time of the decision: the
// aggregate never reads the clock. Text fields are trimmed before checking
// and recording.

// Launch starts a campaign under the stream id ID, which the caller
// generates. The caller checks that LeadOrganisation exists; the aggregate
// checks only its shape.
type Launch struct {
	Actor            domain.Actor
	Now              time.Time
	ID               string
	Title            string
	Demand           string
	Theme            directory.Theme
	TargetDepartment string
	LeadOrganisation string // an organisation stream id, "org-…"
}

// JoinPartner adds an organisation to the campaign. The caller checks that
// it exists.
type JoinPartner struct {
	Actor          domain.Actor
	Now            time.Time
	OrganisationID string
}

// LeavePartner removes an organisation other than the lead.
type LeavePartner struct {
	Actor          domain.Actor
	Now            time.Time
	OrganisationID string
}

// LinkCase records that the campaign took up a case. The case stream
// records its side with casefile.LinkCampaign.
type LinkCase struct {
	Actor  domain.Actor
	Now    time.Time
	CaseID string
}

// UnlinkCase undoes LinkCase.
type UnlinkCase struct {
	Actor  domain.Actor
	Now    time.Time
	CaseID string
}

// PlanActivity plans an activity under the id ActivityID, which the caller
// generates.
type PlanActivity struct {
	Actor        domain.Actor
	Now          time.Time
	ActivityID   string
	Kind         ActivityKind
	Title        string
	ScheduledFor time.Time
	Place        string // optional
}

// HoldActivity records that a planned activity took place, with who came
// and, optionally, its minutes.
type HoldActivity struct {
	Actor      domain.Actor
	Now        time.Time
	ActivityID string
	Attendance Attendance
	Minutes    string
}

// SignPetition adds one signature. SignerSubject is the signer's vault
// reference, set by the caller after storing their personal data, or empty
// for an anonymous signature. SignerKey is an opaque keyed hash of the
// signer's identity, computed by the caller (see SignerKey), so that one
// person signs once; empty, the signature is not deduplicated.
type SignPetition struct {
	Actor         domain.Actor
	Now           time.Time
	SignerSubject string
	SignerKey     string
	District      string // optional
}

// RecordPaperSignatures adds a batch of signatures gathered on paper, as
// a count: the sheets stay with the Citizen's House and no signer's name
// is recorded, so the batch holds no personal data.
type RecordPaperSignatures struct {
	Actor domain.Actor
	Now   time.Time
	Count int
	Note  string // optional, such as where and when the sheets were gathered
}

// RecordCommitment records a promise of the municipality under the id
// CommitmentID, which the caller generates.
type RecordCommitment struct {
	Actor        domain.Actor
	Now          time.Time
	CommitmentID string
	Text         string
	DueBy        time.Time // required; it may already be past, for a promise recorded late
}

// FulfilCommitment records that the municipality kept an open commitment.
type FulfilCommitment struct {
	Actor        domain.Actor
	Now          time.Time
	CommitmentID string
	Note         string // optional
}

// BreakCommitment records that the municipality broke an open commitment.
type BreakCommitment struct {
	Actor        domain.Actor
	Now          time.Time
	CommitmentID string
	Note         string // optional
}

// PublishUpdate publishes news of the campaign.
type PublishUpdate struct {
	Actor domain.Actor
	Now   time.Time
	Body  string
}

// Close ends the campaign with its outcome.
type Close struct {
	Actor   domain.Actor
	Now     time.Time
	Outcome Outcome
	Summary string
}

// Every command method below decides in the same order and stops at the
// first failure:
//
//  1. role: a *domain.ForbiddenError, checked first so that an actor who may
//     not act learns nothing about the campaign, not even its status;
//  2. status: a *domain.TransitionError, since no input could make the
//     command valid in this status; then, for activities and commitments,
//     their own state;
//  3. input: *domain.InvalidError values, every problem at once, joined.
//
// Methods return the events to record without applying them: the caller
// appends them to the stream, then applies them.

// Launch starts the campaign. dir must not be nil.
func (c *Campaign) Launch(dir Directory, cmd Launch) ([]domain.Event, error) {
	if err := staff("launch", cmd.Actor); err != nil {
		return nil, err
	}
	if c.Version != 0 {
		return nil, c.refuse("launch")
	}
	var v check
	e := &CampaignLaunched{
		ID:               cmd.ID,
		Title:            v.Text("title", cmd.Title, 1, MaxTitle),
		Demand:           v.Text("demand", cmd.Demand, 1, MaxDemand),
		Theme:            cmd.Theme,
		TargetDepartment: v.Text("target_department", cmd.TargetDepartment, 1, 0),
		LeadOrganisation: v.Text("lead_organisation", cmd.LeadOrganisation, 1, 0),
		At:               v.Now(cmd.Now),
	}
	if !ValidID(cmd.ID) {
		v.Add(domain.Invalid("id", "must be "+StreamPrefix+" followed by a ULID"))
	}
	if !e.Theme.Valid() {
		v.Add(domain.Invalid("theme", "must be community, political, legal, economic or social"))
	}
	if _, ok := dir.Department(e.TargetDepartment); e.TargetDepartment != "" && !ok {
		v.Add(domain.Invalid("target_department", "unknown department"))
	}
	if e.LeadOrganisation != "" && !organisation.ValidID(e.LeadOrganisation) {
		v.Add(domain.Invalid("lead_organisation", "must be an organisation id"))
	}
	return v.Events(e)
}

// JoinPartner adds a partner organisation while the campaign is active.
// Joining a partner already in, the lead included, records nothing.
func (c *Campaign) JoinPartner(cmd JoinPartner) ([]domain.Event, error) {
	if err := staff("join_partner", cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("join_partner", StatusActive); err != nil {
		return nil, err
	}
	var v check
	e := &PartnerJoined{
		OrganisationID: v.orgID(cmd.OrganisationID),
		At:             v.Now(cmd.Now),
	}
	if v.Err() == nil && slices.Contains(c.Partners, e.OrganisationID) {
		return nil, nil
	}
	return v.Events(e)
}

// LeavePartner removes a partner organisation while the campaign is
// active. The lead organisation cannot leave: it is the campaign.
func (c *Campaign) LeavePartner(cmd LeavePartner) ([]domain.Event, error) {
	if err := staff("leave_partner", cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("leave_partner", StatusActive); err != nil {
		return nil, err
	}
	var v check
	e := &PartnerLeft{
		OrganisationID: v.orgID(cmd.OrganisationID),
		At:             v.Now(cmd.Now),
	}
	switch {
	case e.OrganisationID == "":
	case e.OrganisationID == c.LeadOrganisation:
		v.Add(domain.Invalid("organisation_id", "the lead organisation cannot leave"))
	case !slices.Contains(c.Partners, e.OrganisationID):
		v.Add(domain.Invalid("organisation_id", "not a partner"))
	}
	return v.Events(e)
}

// LinkCase links a case while the campaign is active. Linking a case
// already linked records nothing.
func (c *Campaign) LinkCase(cmd LinkCase) ([]domain.Event, error) {
	if err := staff("link_case", cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("link_case", StatusActive); err != nil {
		return nil, err
	}
	var v check
	e := &CaseLinked{
		CaseID: v.caseID(cmd.CaseID),
		At:     v.Now(cmd.Now),
	}
	if v.Err() == nil && slices.Contains(c.CaseIDs, e.CaseID) {
		return nil, nil
	}
	return v.Events(e)
}

// UnlinkCase removes a linked case, active or closed: a case linked by
// mistake may be unlinked after the close.
func (c *Campaign) UnlinkCase(cmd UnlinkCase) ([]domain.Event, error) {
	if err := staff("unlink_case", cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("unlink_case", StatusActive, StatusClosed); err != nil {
		return nil, err
	}
	var v check
	e := &CaseUnlinked{
		CaseID: v.Text("case_id", cmd.CaseID, 1, 0),
		At:     v.Now(cmd.Now),
	}
	if e.CaseID != "" && !slices.Contains(c.CaseIDs, e.CaseID) {
		v.Add(domain.Invalid("case_id", "not linked"))
	}
	return v.Events(e)
}

// PlanActivity plans an activity while the campaign is active. An activity
// id already used is refused.
func (c *Campaign) PlanActivity(cmd PlanActivity) ([]domain.Event, error) {
	if err := staff("plan_activity", cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("plan_activity", StatusActive); err != nil {
		return nil, err
	}
	var v check
	e := &ActivityPlanned{
		ActivityID:   v.Text("activity_id", cmd.ActivityID, 1, 0),
		Kind:         cmd.Kind,
		Title:        v.Text("title", cmd.Title, 1, MaxTitle),
		ScheduledFor: v.date("scheduled_for", cmd.ScheduledFor),
		Place:        v.Text("place", cmd.Place, 0, MaxPlace),
		At:           v.Now(cmd.Now),
	}
	switch _, used := c.Activities[e.ActivityID]; {
	case e.ActivityID == "":
	case !ValidActivityID(e.ActivityID):
		v.Add(domain.Invalid("activity_id", "must be "+ActivityPrefix+" followed by a ULID"))
	case used:
		v.Add(domain.Invalid("activity_id", "already used"))
	}
	if !e.Kind.Valid() {
		v.Add(domain.Invalid("kind", "must be seminar, workshop, public_meeting, hearing, petition, letter or media"))
	}
	return v.Events(e)
}

// HoldActivity records that a planned activity took place, once, while the
// campaign is active or closed: minutes are often typed after the last
// meeting. Holding an activity already held is a *domain.TransitionError
// with Status "held"; an unknown activity is invalid input.
func (c *Campaign) HoldActivity(cmd HoldActivity) ([]domain.Event, error) {
	if err := staff("hold_activity", cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("hold_activity", StatusActive, StatusClosed); err != nil {
		return nil, err
	}
	var v check
	id := v.Text("activity_id", cmd.ActivityID, 1, 0)
	a, ok := c.Activities[id]
	if ok && a.Held {
		return nil, &domain.TransitionError{Command: "hold_activity", Status: "held"}
	}
	if id != "" && !ok {
		v.Add(domain.Invalid("activity_id", "unknown activity"))
	}
	e := &ActivityHeld{
		ActivityID: id,
		Attendance: v.attendance(cmd.Attendance),
		Minutes:    v.Text("minutes", cmd.Minutes, 0, MaxMinutes),
		At:         v.Now(cmd.Now),
	}
	return v.Events(e)
}

// SignPetition adds a signature from anyone while the campaign is active.
// A signer key already seen adds nothing and is no error: one person signs
// once, and a repeat must look to the caller like a first signature, or
// anyone could learn who signed a petition by signing in their name.
func (c *Campaign) SignPetition(cmd SignPetition) ([]domain.Event, error) {
	if err := anyone(cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("sign_petition", StatusActive); err != nil {
		return nil, err
	}
	var v check
	e := &PetitionSigned{
		SignerSubject: v.Text("signer_subject", cmd.SignerSubject, 0, MaxSubject),
		SignerKey:     v.Text("signer_key", cmd.SignerKey, 0, MaxSignerKey),
		District:      v.Text("district", cmd.District, 0, MaxDistrict),
		At:            v.Now(cmd.Now),
	}
	if err := v.Err(); err == nil && c.Signed(e.SignerKey) {
		return nil, nil
	}
	return v.Events(e)
}

// RecordPaperSignatures adds signatures gathered on paper while the
// campaign is active, as the petition signed online is: a closed petition
// takes no more. Only staff count the sheets.
func (c *Campaign) RecordPaperSignatures(cmd RecordPaperSignatures) ([]domain.Event, error) {
	if err := staff("record_paper_signatures", cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("record_paper_signatures", StatusActive); err != nil {
		return nil, err
	}
	var v check
	e := &PaperSignaturesRecorded{
		Count: cmd.Count,
		Note:  v.Text("note", cmd.Note, 0, MaxNote),
		At:    v.Now(cmd.Now),
	}
	if e.Count < 1 || e.Count > MaxPaperSignatures {
		v.Add(domain.Invalid("count", fmt.Sprintf("must be between 1 and %d", MaxPaperSignatures)))
	}
	return v.Events(e)
}

// RecordCommitment records a promise of the municipality while the
// campaign is active. A commitment id already used is refused.
func (c *Campaign) RecordCommitment(cmd RecordCommitment) ([]domain.Event, error) {
	if err := c.staffOrOfficer("record_commitment", cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("record_commitment", StatusActive); err != nil {
		return nil, err
	}
	var v check
	e := &CommitmentRecorded{
		CommitmentID: v.Text("commitment_id", cmd.CommitmentID, 1, 0),
		Text:         v.Text("text", cmd.Text, 1, MaxCommitment),
		DueBy:        v.date("due_by", cmd.DueBy),
		RecordedBy:   cmd.Actor.Role,
		At:           v.Now(cmd.Now),
	}
	switch _, used := c.Commitments[e.CommitmentID]; {
	case e.CommitmentID == "":
	case !ValidCommitmentID(e.CommitmentID):
		v.Add(domain.Invalid("commitment_id", "must be "+CommitmentPrefix+" followed by a ULID"))
	case used:
		v.Add(domain.Invalid("commitment_id", "already used"))
	}
	return v.Events(e)
}

// FulfilCommitment records that an open commitment was kept, while the
// campaign is active or closed: a promise may be kept after the close.
func (c *Campaign) FulfilCommitment(cmd FulfilCommitment) ([]domain.Event, error) {
	id, note, at, err := c.settle("fulfil_commitment", cmd.Actor, cmd.Now, cmd.CommitmentID, cmd.Note)
	if err != nil {
		return nil, err
	}
	return []domain.Event{&CommitmentFulfilled{CommitmentID: id, Note: note, At: at}}, nil
}

// BreakCommitment records that an open commitment was broken, while the
// campaign is active or closed.
func (c *Campaign) BreakCommitment(cmd BreakCommitment) ([]domain.Event, error) {
	id, note, at, err := c.settle("break_commitment", cmd.Actor, cmd.Now, cmd.CommitmentID, cmd.Note)
	if err != nil {
		return nil, err
	}
	return []domain.Event{&CommitmentBroken{CommitmentID: id, Note: note, At: at}}, nil
}

// settle decides FulfilCommitment and BreakCommitment, which differ only in
// the event they record. Settling a commitment already fulfilled or broken
// is a *domain.TransitionError whose Status is its state; an unknown
// commitment is invalid input. It returns the trimmed id and note and the
// time of the decision in UTC.
func (c *Campaign) settle(cmd string, a domain.Actor, now time.Time, commitmentID, note string) (id, trimmed string, at time.Time, err error) {
	if err := c.staffOrOfficer(cmd, a); err != nil {
		return "", "", time.Time{}, err
	}
	if err := c.require(cmd, StatusActive, StatusClosed); err != nil {
		return "", "", time.Time{}, err
	}
	var v check
	id = v.Text("commitment_id", commitmentID, 1, 0)
	k, ok := c.Commitments[id]
	if ok && k.State != CommitmentStateOpen {
		return "", "", time.Time{}, &domain.TransitionError{Command: cmd, Status: string(k.State)}
	}
	if id != "" && !ok {
		v.Add(domain.Invalid("commitment_id", "unknown commitment"))
	}
	trimmed = v.Text("note", note, 0, MaxNote)
	at = v.Now(now)
	if err := v.Err(); err != nil {
		return "", "", time.Time{}, err
	}
	return id, trimmed, at, nil
}

// PublishUpdate publishes news, while the campaign is active or closed:
// what a campaign won is often known after it ends.
func (c *Campaign) PublishUpdate(cmd PublishUpdate) ([]domain.Event, error) {
	if err := staff("publish_update", cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("publish_update", StatusActive, StatusClosed); err != nil {
		return nil, err
	}
	var v check
	e := &UpdatePublished{
		Body: v.Text("body", cmd.Body, 1, MaxBody),
		At:   v.Now(cmd.Now),
	}
	return v.Events(e)
}

// Close ends an active campaign with its outcome and a public summary.
func (c *Campaign) Close(cmd Close) ([]domain.Event, error) {
	if err := staff("close", cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("close", StatusActive); err != nil {
		return nil, err
	}
	var v check
	e := &CampaignClosed{
		Outcome: cmd.Outcome,
		Summary: v.Text("summary", cmd.Summary, 1, MaxSummary),
		At:      v.Now(cmd.Now),
	}
	if !e.Outcome.Valid() {
		v.Add(domain.Invalid("outcome", "must be won, partly_won, lost or abandoned"))
	}
	return v.Events(e)
}

// require refuses cmd unless the campaign exists and is in one of allowed.
func (c *Campaign) require(cmd string, allowed ...Status) error {
	if c.Version == 0 || !slices.Contains(allowed, c.Status) {
		return c.refuse(cmd)
	}
	return nil
}

func (c *Campaign) refuse(cmd string) error {
	return &domain.TransitionError{Command: cmd, Status: string(c.Status)}
}

// anyone admits every known role, including the anonymous public.
func anyone(a domain.Actor) error {
	if !a.Role.Valid() {
		return domain.Forbidden("unknown role")
	}
	return nil
}

// staff admits advocates and admins: the Citizen's House runs campaigns.
func staff(cmd string, a domain.Actor) error {
	if !a.Role.Staff() {
		return domain.Forbidden("only advocates and admins may " + cmd)
	}
	return nil
}

// staffOrOfficer admits staff and an officer of the department the
// campaign targets, who may record the municipality's own promises. The
// reason is the same whether the campaign targets another department or
// was not launched, so a refusal reveals nothing.
func (c *Campaign) staffOrOfficer(cmd string, a domain.Actor) error {
	if a.Role.Staff() {
		return nil
	}
	if a.Role != domain.RoleOfficer || a.Department == "" || a.Department != c.TargetDepartment {
		return domain.Forbidden("only advocates, admins and officers of the department the campaign targets may " + cmd)
	}
	return nil
}

// check collects the input errors of a command; see domain.Check.
type check struct{ domain.Check }

// orgID checks an organisation stream id in the field organisation_id and
// returns it trimmed.
func (v *check) orgID(id string) string {
	id = v.Text("organisation_id", id, 1, 0)
	if id != "" && !organisation.ValidID(id) {
		v.Add(domain.Invalid("organisation_id", "must be an organisation id"))
	}
	return id
}

// caseID checks a case stream id in the field case_id and returns it
// trimmed.
func (v *check) caseID(id string) string {
	id = v.Text("case_id", id, 1, 0)
	if id != "" && !casefile.ValidID(id) {
		v.Add(domain.Invalid("case_id", "must be a case id"))
	}
	return id
}

// attendance checks that every figure is within 0..MaxAttendance, that
// Total counts at least the women and the men, and that the youth are
// among the total.
func (v *check) attendance(a Attendance) Attendance {
	ok := true
	for _, f := range []struct {
		field string
		n     int
	}{{"attendance.women", a.Women}, {"attendance.men", a.Men}, {"attendance.youth", a.Youth}, {"attendance.total", a.Total}} {
		if f.n < 0 || f.n > MaxAttendance {
			v.Add(domain.Invalid(f.field, fmt.Sprintf("must be between 0 and %d", MaxAttendance)))
			ok = false
		}
	}
	if !ok {
		return a
	}
	if a.Total < a.Women+a.Men {
		v.Add(domain.Invalid("attendance.total", "must be at least women + men"))
	}
	if a.Youth > a.Total {
		v.Add(domain.Invalid("attendance.youth", "must be at most total"))
	}
	return a
}

// date checks that a required date is set and returns it in UTC.
func (v *check) date(field string, t time.Time) time.Time {
	return v.Time(field, t, true)
}
