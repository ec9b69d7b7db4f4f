package casefile

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
	MaxTitle        = 200
	MaxDescription  = 5000
	MaxDistrict     = 100
	MaxAddress      = 300
	MaxNote         = 2000 // notes and reasons
	MaxText         = 5000 // responses, resolution notes and comments
	MaxReference    = 100
	MaxCampaignID   = 100
	MaxSupporterKey = 200
)

// Photo limits. The reporter adds photos while the report is fresh (the
// web form adds them right after reporting): at most MaxReporterPhotos,
// within ReporterPhotoWindow of the report, and not once moderation hid
// the case. Advocates and admins add photos at any time, a photo of the
// repair say, up to MaxPhotos in all, which bounds what a case page and
// every copy of the case carry.
const (
	MaxReporterPhotos   = 3
	ReporterPhotoWindow = time.Hour
	MaxPhotos           = 20
	MaxPhotoSide        = 100_000 // pixels; anything larger was not decoded by Bayt
)

// ValidPhotoID reports whether id names a photo: the lowercase hex SHA-256
// of the re-encoded image, so the same picture is one photo wherever it
// is added.
func ValidPhotoID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for _, r := range id {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	return true
}

// DefaultSLADays is the SLA used when a case's category is no longer in the
// directory: an admin removing a category must not strand its open cases
// with no due date, nor stop a reporter from reopening one.
const DefaultSLADays = 30

// Directory is what the case aggregate needs from the directory of
// categories, departments and districts. *directory.Directory implements
// it. Lookups must be safe for concurrent use and must not fail: a missing
// code is reported by the bool. District finds a district by its code or
// by any of its names and spellings.
type Directory interface {
	Category(code string) (directory.Category, bool)
	Department(code string) (directory.Department, bool)
	District(s string) (directory.District, bool)
}

// Commands. Each carries the acting user and the time of the decision: the
// aggregate never reads the clock. Text fields are trimmed before checking
// and recording.

// Report opens a new case under the stream id ID, which the caller
// generates. Anyone may report.
type Report struct {
	Actor       domain.Actor
	Now         time.Time
	ID          string
	Title       string
	Description string
	Category    string
	District    string
	Location    *Location
	Address     string
	Language    string // "", "ar", "fr" or "en"
	// Channel is how the report reached the Citizen's House; "" is the
	// web. Only advocates and admins record a desk or phone report.
	Channel           Channel
	ReporterSubject   string // vault reference, set by the caller after storing personal data
	TrackingTokenHash []byte
}

// Triage records an advocate's check: a priority and, optionally, a better
// category.
type Triage struct {
	Actor    domain.Actor
	Now      time.Time
	Priority Priority
	Category string // empty keeps the current category
	Note     string
}

// Reject turns down a new case with a public reason.
type Reject struct {
	Actor  domain.Actor
	Now    time.Time
	Reason string
}

// Merge closes a new case as a duplicate of the case stream Into.
type Merge struct {
	Actor domain.Actor
	Now   time.Time
	Into  string
}

// Forward hands a triaged case to a municipal department.
type Forward struct {
	Actor      domain.Actor
	Now        time.Time
	Department string
	Note       string
}

// Acknowledge records that the department took the case in.
type Acknowledge struct {
	Actor     domain.Actor
	Now       time.Time
	Reference string // the department's own file number, if any
	Note      string
}

// Answer records the department's response.
type Answer struct {
	Actor      domain.Actor
	Now        time.Time
	Response   string
	PlannedFor *time.Time
}

// Resolve records that the department considers the case solved.
type Resolve struct {
	Actor domain.Actor
	Now   time.Time
	Note  string
}

// Confirm closes a resolved case.
type Confirm struct {
	Actor domain.Actor
	Now   time.Time
	Note  string
}

// Reopen disputes a resolution and sends the case back to its department.
type Reopen struct {
	Actor  domain.Actor
	Now    time.Time
	Reason string
}

// Comment adds a public or internal comment.
type Comment struct {
	Actor      domain.Actor
	Now        time.Time
	Body       string
	Visibility Visibility
}

// Support adds one "me too". AddressKey and BrowserKey are opaque keyed
// hashes of who supports, computed by the caller (see SupporterKeys), so
// that one person counts once; either may be empty.
type Support struct {
	Actor      domain.Actor
	Now        time.Time
	AddressKey string
	BrowserKey string
}

// LinkCampaign records that a campaign took up the case.
type LinkCampaign struct {
	Actor      domain.Actor
	Now        time.Time
	CampaignID string
}

// UnlinkCampaign undoes LinkCampaign.
type UnlinkCampaign struct {
	Actor      domain.Actor
	Now        time.Time
	CampaignID string
}

// Moderate decides what the public sees of a case. A nil field keeps what
// the last moderation decided; an empty PublicTitle or PublicDescription
// gives the public the reporter's own text again.
type Moderate struct {
	Actor             domain.Actor
	Now               time.Time
	Hidden            *bool
	PublicTitle       *string
	PublicDescription *string
	Reason            string // for staff: why the public must not read what was reported
}

// AddPhoto adds a photo to the case. The caller decoded and re-encoded the
// image (no metadata survives) and names it by its content; the command
// carries only that name and the size, never the pixels.
type AddPhoto struct {
	Actor         domain.Actor
	Now           time.Time
	PhotoID       string
	Width, Height int
}

// ModeratePhoto hides one photo of the case from the public, or shows it
// again. Staff still see a hidden photo.
type ModeratePhoto struct {
	Actor   domain.Actor
	Now     time.Time
	PhotoID string
	Hidden  bool
	Reason  string // for staff: why the public must not see it
}

// RecordSLABreach is sent by Bayt itself, on a timer, for every case that
// may be overdue.
type RecordSLABreach struct {
	Actor domain.Actor
	Now   time.Time
}

// Every command method below decides in the same order and stops at the
// first failure:
//
//  1. role: a *domain.ForbiddenError, checked first so that an actor who may
//     not act learns nothing about the case, not even its status;
//  2. status: a *domain.TransitionError, since no input could make the
//     command valid in this status;
//  3. input: *domain.InvalidError values, every problem at once, joined.
//
// Methods return the events to record without applying them: the caller
// appends them to the stream, then applies them.

// Report opens the case. dir must not be nil.
func (c *Case) Report(dir Directory, cmd Report) ([]domain.Event, error) {
	if err := anyone(cmd.Actor); err != nil {
		return nil, err
	}
	if c.Version != 0 {
		return nil, c.refuse("report")
	}
	var v check
	now := v.Now(cmd.Now)
	e := &CaseReported{
		ID:                cmd.ID,
		Title:             v.Text("title", cmd.Title, 1, MaxTitle),
		Description:       v.Text("description", cmd.Description, 1, MaxDescription),
		Category:          v.Text("category", cmd.Category, 1, 0),
		District:          v.Text("district", cmd.District, 1, MaxDistrict),
		Address:           v.Text("address", cmd.Address, 0, MaxAddress),
		Language:          strings.TrimSpace(cmd.Language),
		Channel:           cmd.Channel,
		ReporterSubject:   strings.TrimSpace(cmd.ReporterSubject),
		TrackingTokenHash: slices.Clone(cmd.TrackingTokenHash),
		At:                now,
	}
	if !ValidID(cmd.ID) {
		v.Add(domain.Invalid("id", "must be "+StreamPrefix+" followed by a ULID"))
	}
	// A district the directory knows, however it was written, is
	// recorded by its code, so that "Bab Swika" and "باب سويقة" count as
	// one district on the board, in the figures and in searches. Any
	// other text is kept as written: a new neighbourhood is still a
	// place, and advocates can tell.
	if dist, ok := dir.District(e.District); ok && e.District != "" {
		e.District = dist.Code
	}
	if e.Category != "" {
		if _, ok := dir.Category(e.Category); !ok {
			v.Add(domain.Invalid("category", "unknown category"))
		}
	}
	if l := cmd.Location; l != nil {
		if !(l.Lat >= -90 && l.Lat <= 90) {
			v.Add(domain.Invalid("location.lat", "must be between -90 and 90"))
		}
		if !(l.Lon >= -180 && l.Lon <= 180) {
			v.Add(domain.Invalid("location.lon", "must be between -180 and 180"))
		}
		e.Location = &Location{Lat: l.Lat, Lon: l.Lon}
	}
	switch e.Language {
	case "", "ar", "fr", "en":
	default:
		v.Add(domain.Invalid("language", "must be ar, fr or en"))
	}
	if e.Channel == ChannelWeb {
		e.Channel = "" // the web is what a report without a channel came through
	}
	switch e.Channel {
	case "", ChannelOpen311:
	case ChannelDesk, ChannelPhone:
		// A desk or phone report is an advocate's word that a resident
		// came or called: the public cannot claim it.
		if !cmd.Actor.Role.Staff() {
			return nil, domain.Forbidden("only advocates and admins record a desk or phone report")
		}
	default:
		v.Add(domain.Invalid("channel", "must be web, desk, phone or open311"))
	}
	return v.Events(e)
}

// Triage records an advocate's check of a reported case. dir must not be nil.
func (c *Case) Triage(dir Directory, cmd Triage) ([]domain.Event, error) {
	if err := staff("triage", cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("triage", StatusReported); err != nil {
		return nil, err
	}
	var v check
	e := &CaseTriaged{
		Priority: cmd.Priority,
		Category: strings.TrimSpace(cmd.Category),
		Note:     v.Text("note", cmd.Note, 0, MaxNote),
		At:       v.Now(cmd.Now),
	}
	if !e.Priority.Valid() {
		v.Add(domain.Invalid("priority", "must be low, normal, high or urgent"))
	}
	if e.Category == c.Category {
		e.Category = "" // only a change of category is recorded
	} else if _, ok := dir.Category(e.Category); e.Category != "" && !ok {
		v.Add(domain.Invalid("category", "unknown category"))
	}
	return v.Events(e)
}

// Reject turns down a reported or triaged case.
func (c *Case) Reject(cmd Reject) ([]domain.Event, error) {
	if err := staff("reject", cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("reject", StatusReported, StatusTriaged); err != nil {
		return nil, err
	}
	var v check
	e := &CaseRejected{
		Reason: v.Text("reason", cmd.Reason, 1, MaxNote),
		At:     v.Now(cmd.Now),
	}
	return v.Events(e)
}

// Merge closes a reported or triaged case as a duplicate of another case.
func (c *Case) Merge(cmd Merge) ([]domain.Event, error) {
	if err := staff("merge", cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("merge", StatusReported, StatusTriaged); err != nil {
		return nil, err
	}
	var v check
	e := &CaseMerged{
		Into: v.Text("into", cmd.Into, 1, 0),
		At:   v.Now(cmd.Now),
	}
	switch {
	case e.Into == "":
	case !ValidID(e.Into):
		v.Add(domain.Invalid("into", "must be a case id"))
	case e.Into == c.ID:
		v.Add(domain.Invalid("into", "a case cannot be merged into itself"))
	}
	return v.Events(e)
}

// Forward hands a triaged case to a department, due within the SLA of the
// case's category. dir must not be nil.
func (c *Case) Forward(dir Directory, cmd Forward) ([]domain.Event, error) {
	if err := staff("forward", cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("forward", StatusTriaged); err != nil {
		return nil, err
	}
	var v check
	now := v.Now(cmd.Now)
	e := &CaseForwarded{
		Department: v.Text("department", cmd.Department, 1, 0),
		DueAt:      c.dueAt(dir, now),
		Note:       v.Text("note", cmd.Note, 0, MaxNote),
		At:         now,
	}
	if _, ok := dir.Department(e.Department); e.Department != "" && !ok {
		v.Add(domain.Invalid("department", "unknown department"))
	}
	return v.Events(e)
}

// Acknowledge records that the department took in a forwarded case.
func (c *Case) Acknowledge(cmd Acknowledge) ([]domain.Event, error) {
	if err := c.officer("acknowledge", cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("acknowledge", StatusForwarded); err != nil {
		return nil, err
	}
	var v check
	e := &CaseAcknowledged{
		Reference: v.Text("reference", cmd.Reference, 0, MaxReference),
		Note:      v.Text("note", cmd.Note, 0, MaxNote),
		At:        v.Now(cmd.Now),
	}
	return v.Events(e)
}

// Answer records the department's response; the case is then in progress.
// A department may answer without acknowledging first, and answer again.
func (c *Case) Answer(cmd Answer) ([]domain.Event, error) {
	if err := c.officer("answer", cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("answer", StatusForwarded, StatusAcknowledged, StatusInProgress); err != nil {
		return nil, err
	}
	var v check
	e := &CaseAnswered{
		Response: v.Text("response", cmd.Response, 1, MaxText),
		At:       v.Now(cmd.Now),
	}
	if p := cmd.PlannedFor; p != nil {
		if p.IsZero() {
			v.Add(domain.Invalid("planned_for", "must be a date"))
		}
		e.PlannedFor = timePtr(v.Time("planned_for", *p, false))
	}
	return v.Events(e)
}

// Resolve records that the department solved the case.
func (c *Case) Resolve(cmd Resolve) ([]domain.Event, error) {
	if err := c.officer("resolve", cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("resolve", StatusForwarded, StatusAcknowledged, StatusInProgress); err != nil {
		return nil, err
	}
	var v check
	e := &CaseResolved{
		Note: v.Text("note", cmd.Note, 1, MaxText),
		At:   v.Now(cmd.Now),
	}
	return v.Events(e)
}

// Confirm closes a resolved case, on the word of the reporter or an advocate.
func (c *Case) Confirm(cmd Confirm) ([]domain.Event, error) {
	if err := reporterOrStaff("confirm", cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("confirm", StatusResolved); err != nil {
		return nil, err
	}
	var v check
	e := &ResolutionConfirmed{
		Note: v.Text("note", cmd.Note, 0, MaxNote),
		At:   v.Now(cmd.Now),
	}
	return v.Events(e)
}

// Reopen disputes a resolution: the case goes back to the same department,
// due within a fresh SLA. dir must not be nil.
func (c *Case) Reopen(dir Directory, cmd Reopen) ([]domain.Event, error) {
	if err := reporterOrStaff("reopen", cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("reopen", StatusResolved); err != nil {
		return nil, err
	}
	var v check
	now := v.Now(cmd.Now)
	e := &CaseReopened{
		Reason: v.Text("reason", cmd.Reason, 1, MaxNote),
		DueAt:  c.dueAt(dir, now),
		At:     now,
	}
	return v.Events(e)
}

// Comment adds a comment in any status. Advocates and admins comment on any
// case; an officer only on a case forwarded to their department.
func (c *Case) Comment(cmd Comment) ([]domain.Event, error) {
	if cmd.Actor.Role != domain.RoleOfficer {
		if err := staff("comment", cmd.Actor); err != nil {
			return nil, err
		}
	} else if err := c.officer("comment", cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("comment", allStatuses()...); err != nil {
		return nil, err
	}
	var v check
	e := &CommentAdded{
		Body:       v.Text("body", cmd.Body, 1, MaxText),
		Visibility: cmd.Visibility,
		At:         v.Now(cmd.Now),
	}
	if !e.Visibility.Valid() {
		v.Add(domain.Invalid("visibility", "must be public or internal"))
	}
	return v.Events(e)
}

// Support adds a "me too" from anyone, while the case is still alive. A
// supporter key already seen adds nothing and is no error: one person
// counts once, and a repeat must look to the caller like a first support,
// or anyone could learn whether an address supported a case.
func (c *Case) Support(cmd Support) ([]domain.Event, error) {
	if err := anyone(cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("support", StatusReported, StatusTriaged, StatusForwarded,
		StatusAcknowledged, StatusInProgress, StatusResolved); err != nil {
		return nil, err
	}
	var v check
	e := &CaseSupported{
		AddressKey: v.Text("address_key", cmd.AddressKey, 0, MaxSupporterKey),
		BrowserKey: v.Text("browser_key", cmd.BrowserKey, 0, MaxSupporterKey),
		At:         v.Now(cmd.Now),
	}
	if err := v.Err(); err == nil && c.Supported(e.AddressKey, e.BrowserKey) {
		return nil, nil
	}
	return v.Events(e)
}

// LinkCampaign links a campaign to any case that was not turned down.
// Linking a campaign already linked records nothing, so a retried request
// is harmless.
func (c *Case) LinkCampaign(cmd LinkCampaign) ([]domain.Event, error) {
	if err := staff("link_campaign", cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("link_campaign", StatusReported, StatusTriaged, StatusForwarded,
		StatusAcknowledged, StatusInProgress, StatusResolved, StatusClosed); err != nil {
		return nil, err
	}
	var v check
	e := &CaseLinkedToCampaign{
		CampaignID: v.Text("campaign_id", cmd.CampaignID, 1, MaxCampaignID),
		At:         v.Now(cmd.Now),
	}
	if v.Err() == nil && slices.Contains(c.CampaignIDs, e.CampaignID) {
		return nil, nil
	}
	return v.Events(e)
}

// UnlinkCampaign removes a linked campaign, in any status.
func (c *Case) UnlinkCampaign(cmd UnlinkCampaign) ([]domain.Event, error) {
	if err := staff("unlink_campaign", cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("unlink_campaign", allStatuses()...); err != nil {
		return nil, err
	}
	var v check
	e := &CaseUnlinkedFromCampaign{
		CampaignID: v.Text("campaign_id", cmd.CampaignID, 1, MaxCampaignID),
		At:         v.Now(cmd.Now),
	}
	if e.CampaignID != "" && !slices.Contains(c.CampaignIDs, e.CampaignID) {
		v.Add(domain.Invalid("campaign_id", "not linked"))
	}
	return v.Events(e)
}

// Moderate hides a case from the public or replaces the texts the public
// reads, in any status: a report may need it at any point of its life. The
// event records the resulting public state. A replacement equal to the
// reporter's own text is recorded as none, so the public state never
// depends on a copy of the original.
func (c *Case) Moderate(cmd Moderate) ([]domain.Event, error) {
	if err := staff("moderate", cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("moderate", allStatuses()...); err != nil {
		return nil, err
	}
	var v check
	e := &CaseModerated{Reason: v.Text("reason", cmd.Reason, 1, MaxNote), At: v.Now(cmd.Now)}
	if m := c.Moderation; m != nil {
		e.Hidden, e.PublicTitle, e.PublicDescription = m.Hidden, m.PublicTitle, m.PublicDescription
	}
	if cmd.Hidden == nil && cmd.PublicTitle == nil && cmd.PublicDescription == nil {
		v.Add(domain.Invalid("hidden", "give hidden, public_title or public_description"))
	}
	if cmd.Hidden != nil {
		e.Hidden = *cmd.Hidden
	}
	if cmd.PublicTitle != nil {
		e.PublicTitle = v.Text("public_title", *cmd.PublicTitle, 0, MaxTitle)
		if e.PublicTitle == c.Title {
			e.PublicTitle = ""
		}
	}
	if cmd.PublicDescription != nil {
		e.PublicDescription = v.Text("public_description", *cmd.PublicDescription, 0, MaxDescription)
		if e.PublicDescription == c.Description {
			e.PublicDescription = ""
		}
	}
	return v.Events(e)
}

// AddPhoto adds a photo in any status: advocates and admins at any time,
// the reporter within ReporterPhotoWindow of the report and not on a case
// moderation hid (both refused as forbidden, like any act outside the
// reporter's rights), at most MaxReporterPhotos of their own. A photo the
// case already has records nothing and is no error, so a retried upload is
// harmless and never counts twice.
func (c *Case) AddPhoto(cmd AddPhoto) ([]domain.Event, error) {
	if err := reporterOrStaff("add_photo", cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("add_photo", allStatuses()...); err != nil {
		return nil, err
	}
	var v check
	now := v.Now(cmd.Now)
	byReporter := cmd.Actor.Role == domain.RoleReporter
	if byReporter {
		if c.Hidden() {
			return nil, domain.Forbidden("the reporter may not add a photo to a case moderation hid")
		}
		if now.Sub(c.CreatedAt) > ReporterPhotoWindow {
			return nil, domain.Forbidden("the reporter may add photos only within an hour of reporting")
		}
	}
	e := &PhotoAdded{PhotoID: strings.TrimSpace(cmd.PhotoID), Width: cmd.Width, Height: cmd.Height, ByReporter: byReporter, At: now}
	if !ValidPhotoID(e.PhotoID) {
		v.Add(domain.Invalid("photo_id", "must be the hex SHA-256 of the image"))
	}
	if e.Width < 1 || e.Height < 1 || e.Width > MaxPhotoSide || e.Height > MaxPhotoSide {
		v.Add(domain.Invalid("photo", fmt.Sprintf("width and height must be 1 to %d pixels", MaxPhotoSide)))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if _, ok := c.Photo(e.PhotoID); ok {
		return nil, nil
	}
	switch {
	case byReporter && c.reporterPhotos() >= MaxReporterPhotos:
		v.Add(domain.Invalid("photo", fmt.Sprintf("the reporter may add at most %d photos", MaxReporterPhotos)))
	case len(c.Photos) >= MaxPhotos:
		v.Add(domain.Invalid("photo", fmt.Sprintf("a case has at most %d photos", MaxPhotos)))
	}
	return v.Events(e)
}

// ModeratePhoto hides a photo of the case from the public or shows it
// again, in any status, as Moderate does for the case's texts.
func (c *Case) ModeratePhoto(cmd ModeratePhoto) ([]domain.Event, error) {
	if err := staff("moderate_photo", cmd.Actor); err != nil {
		return nil, err
	}
	if err := c.require("moderate_photo", allStatuses()...); err != nil {
		return nil, err
	}
	var v check
	e := &PhotoModerated{
		PhotoID: strings.TrimSpace(cmd.PhotoID),
		Hidden:  cmd.Hidden,
		Reason:  v.Text("reason", cmd.Reason, 1, MaxNote),
		At:      v.Now(cmd.Now),
	}
	if _, ok := c.Photo(e.PhotoID); !ok {
		v.Add(domain.Invalid("photo_id", "not a photo of this case"))
	}
	return v.Events(e)
}

// RecordSLABreach records that the case's due date passed while its
// department still owed a resolution. It is idempotent, not a transition:
// when there is nothing to record (no due date, not yet due, already
// recorded for this due date, or the department is done) it returns no
// events and no error, so the system's timer may call it for any case.
func (c *Case) RecordSLABreach(cmd RecordSLABreach) ([]domain.Event, error) {
	if cmd.Actor.Role != domain.RoleSystem {
		return nil, domain.Forbidden("only the system records a missed deadline")
	}
	var v check
	now := v.Now(cmd.Now)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if !c.Overdue(now) || (c.SLABreachedFor != nil && c.SLABreachedFor.Equal(*c.DueAt)) {
		return nil, nil
	}
	return []domain.Event{&SLABreached{DueAt: *c.DueAt, At: now}}, nil
}

// dueAt is now plus the SLA of the case's category, in calendar days.
func (c *Case) dueAt(dir Directory, now time.Time) time.Time {
	days := DefaultSLADays
	if cat, ok := dir.Category(c.Category); ok && cat.SLADays > 0 {
		days = cat.SLADays
	}
	return now.AddDate(0, 0, days)
}

// require refuses cmd unless the case exists and is in one of allowed.
func (c *Case) require(cmd string, allowed ...Status) error {
	if c.Version == 0 || !slices.Contains(allowed, c.Status) {
		return c.refuse(cmd)
	}
	return nil
}

func (c *Case) refuse(cmd string) error {
	return &domain.TransitionError{Command: cmd, Status: string(c.Status)}
}

func allStatuses() []Status {
	return []Status{StatusReported, StatusTriaged, StatusForwarded, StatusAcknowledged,
		StatusInProgress, StatusResolved, StatusClosed, StatusRejected, StatusDuplicate}
}

// anyone admits every known role, including the anonymous public.
func anyone(a domain.Actor) error {
	if !a.Role.Valid() {
		return domain.Forbidden("unknown role")
	}
	return nil
}

// staff admits advocates and admins: the Citizen's House decides what
// happens to a case before and around the municipality.
func staff(cmd string, a domain.Actor) error {
	if !a.Role.Staff() {
		return domain.Forbidden("only advocates and admins may " + cmd)
	}
	return nil
}

// reporterOrStaff admits staff and the reporter, who alone knows whether the
// problem is really solved.
func reporterOrStaff(cmd string, a domain.Actor) error {
	if a.Role != domain.RoleReporter && !a.Role.Staff() {
		return domain.Forbidden("only the reporter, advocates and admins may " + cmd)
	}
	return nil
}

// officer admits only an officer of the department the case is forwarded
// to. Admins are refused too: the municipality's answer must come from the
// municipality. The reason is the same whether the case was forwarded
// elsewhere or not at all, so a refusal reveals nothing.
func (c *Case) officer(cmd string, a domain.Actor) error {
	if a.Role != domain.RoleOfficer || a.Department == "" || a.Department != c.Department {
		return domain.Forbidden("only an officer of the department the case is forwarded to may " + cmd)
	}
	return nil
}

// check collects the input errors of a command; see domain.Check.
type check struct{ domain.Check }
