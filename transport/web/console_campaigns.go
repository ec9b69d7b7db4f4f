package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/domain/organisation"
	"github.com/citizenhouse/bayt/projections/caselist"
	"github.com/citizenhouse/bayt/projections/network"
)

// Form fields of the campaign workbench are named as in the JSON bodies of
// the API contract. The attendance of an activity held, a nested object
// there ({"attendance": {"women", "men", "youth", "total"}}), is flattened
// with a dot: attendance.women, attendance.men, attendance.youth and
// attendance.total, the very names the domain reports its errors under.

// campaignThemes are the seed's axes, in the order the forms offer them.
var campaignThemes = [...]directory.Theme{
	directory.ThemeCommunity, directory.ThemePolitical, directory.ThemeLegal, directory.ThemeEconomic, directory.ThemeSocial,
}

var activityKinds = [...]campaign.ActivityKind{
	campaign.ActivitySeminar, campaign.ActivityWorkshop, campaign.ActivityPublicMeeting, campaign.ActivityHearing,
	campaign.ActivityPetition, campaign.ActivityLetter, campaign.ActivityMedia,
}

var campaignOutcomes = [...]campaign.Outcome{
	campaign.OutcomeWon, campaign.OutcomePartlyWon, campaign.OutcomeLost, campaign.OutcomeAbandoned,
}

// campaignDone are the notices the workbench shows after a form succeeded
// (?done=…); anything else shows none.
var campaignDone = [...]string{
	"launch", "link", "unlink", "partner", "plan", "held", "paper", "commit", "fulfilled", "broken", "update", "close",
}

// caseSearchLimit bounds the cases a search on the workbench offers.
const caseSearchLimit = 20

// consoleCampaignRoutes registers the campaign workbench (/console/campaigns) and organisations (/console/organisations).
// Both are for advocates and admins, whom the campaign and organisation
// domains admit to every command; an officer's own say in a campaign (its
// commitments) goes through the API.
func (s *Server) consoleCampaignRoutes() {
	if s.cfg.Campaigns == nil || s.cfg.Network == nil {
		return
	}
	s.mux.HandleFunc("GET /console/campaigns", s.staffOnly(advocates, s.consoleCampaigns))
	s.mux.HandleFunc("POST /console/campaigns", s.staffOnly(advocates, s.launchCampaign))
	s.mux.HandleFunc("GET /console/campaigns/{id}", s.staffOnly(advocates, s.campaignWorkbench))
	cs := s.cfg.CampaignService
	fixed := func(key string) func(*http.Request) string { return func(*http.Request) string { return key } }
	per := func(prefix, param string) func(*http.Request) string {
		return func(r *http.Request) string { return prefix + ":" + r.PathValue(param) }
	}
	act := func(path, done string, form func(*http.Request) string, run func(cx campaignCmd) error) {
		s.mux.HandleFunc("POST /console/campaigns/{id}/"+path, s.staffOnly(advocates, s.campaignAction(done, form, run)))
	}
	act("cases", "link", fixed("link"), func(cx campaignCmd) error {
		_, err := cs.LinkCase(cx.ctx, cx.id, strings.TrimSpace(cx.form.Get("case_id")), cx.actor, true, cx.opts)
		return err
	})
	act("cases/{case_id}/unlink", "unlink", per("unlink", "case_id"), func(cx campaignCmd) error {
		_, err := cs.LinkCase(cx.ctx, cx.id, cx.r.PathValue("case_id"), cx.actor, false, cx.opts)
		return err
	})
	act("partners", "partner", fixed("partner"), func(cx campaignCmd) error {
		_, err := cs.JoinPartner(cx.ctx, cx.id, campaign.JoinPartner{Actor: cx.actor, OrganisationID: cx.form.Get("organisation_id")}, cx.opts)
		return err
	})
	act("activities", "plan", fixed("plan"), func(cx campaignCmd) error {
		fr := formReader{form: cx.form}
		at := fr.Time("scheduled_for", false)
		if err := fr.Err(); err != nil {
			return err
		}
		_, err := cs.PlanActivity(cx.ctx, cx.id, campaign.PlanActivity{Actor: cx.actor, Kind: campaign.ActivityKind(cx.form.Get("kind")),
			Title: cx.form.Get("title"), ScheduledFor: at, Place: cx.form.Get("place")}, cx.opts)
		return err
	})
	act("activities/{activity_id}/held", "held", per("held", "activity_id"), func(cx campaignCmd) error {
		fr := formReader{form: cx.form}
		a := campaign.Attendance{
			Women: fr.Int("attendance.women"), Men: fr.Int("attendance.men"),
			Youth: fr.Int("attendance.youth"), Total: fr.Int("attendance.total"),
		}
		if err := fr.Err(); err != nil {
			return err
		}
		_, err := cs.HoldActivity(cx.ctx, cx.id, campaign.HoldActivity{Actor: cx.actor, ActivityID: cx.r.PathValue("activity_id"),
			Attendance: a, Minutes: cx.form.Get("minutes")}, cx.opts)
		return err
	})
	act("signatures/paper", "paper", fixed("paper"), func(cx campaignCmd) error {
		fr := formReader{form: cx.form}
		n := fr.Int("count")
		if err := fr.Err(); err != nil {
			return err
		}
		_, err := cs.RecordPaperSignatures(cx.ctx, cx.id, campaign.RecordPaperSignatures{Actor: cx.actor, Count: n, Note: cx.form.Get("note")}, cx.opts)
		return err
	})
	act("commitments", "commit", fixed("commit"), func(cx campaignCmd) error {
		fr := formReader{form: cx.form}
		due := fr.Time("due_by", true)
		if err := fr.Err(); err != nil {
			return err
		}
		_, err := cs.RecordCommitment(cx.ctx, cx.id, campaign.RecordCommitment{Actor: cx.actor, Text: cx.form.Get("text"), DueBy: due}, cx.opts)
		return err
	})
	act("commitments/{commitment_id}/fulfilled", "fulfilled", per("settle", "commitment_id"), func(cx campaignCmd) error {
		_, err := cs.FulfilCommitment(cx.ctx, cx.id, campaign.FulfilCommitment{Actor: cx.actor,
			CommitmentID: cx.r.PathValue("commitment_id"), Note: cx.form.Get("note")}, cx.opts)
		return err
	})
	act("commitments/{commitment_id}/broken", "broken", per("settle", "commitment_id"), func(cx campaignCmd) error {
		_, err := cs.BreakCommitment(cx.ctx, cx.id, campaign.BreakCommitment{Actor: cx.actor,
			CommitmentID: cx.r.PathValue("commitment_id"), Note: cx.form.Get("note")}, cx.opts)
		return err
	})
	act("updates", "update", fixed("update"), func(cx campaignCmd) error {
		_, err := cs.PublishUpdate(cx.ctx, cx.id, campaign.PublishUpdate{Actor: cx.actor, Body: cx.form.Get("body")}, cx.opts)
		return err
	})
	act("close", "close", fixed("close"), func(cx campaignCmd) error {
		_, err := cs.Close(cx.ctx, cx.id, campaign.Close{Actor: cx.actor, Outcome: campaign.Outcome(cx.form.Get("outcome")),
			Summary: cx.form.Get("summary")}, cx.opts)
		return err
	})
	s.consoleOrganisationRoutes()
}

// campaignCmd is one posted workbench form, for the command it runs.
type campaignCmd struct {
	ctx   context.Context
	r     *http.Request
	id    string
	actor domain.Actor
	opts  domain.UpdateOptions
	form  url.Values
}

// campaignAction runs one workbench form: 303 back to the workbench with
// a notice when the campaign service accepted it; otherwise the workbench
// again, the reason next to the form named by form, and nothing changed.
func (s *Server) campaignAction(done string, form func(*http.Request) string, run func(cx campaignCmd) error) staffHandler {
	return func(w http.ResponseWriter, r *http.Request, d *pageData, sr staffRequest) {
		d.Nav = "campaigns"
		id := r.PathValue("id")
		if !campaign.ValidID(id) {
			s.renderError(w, r, d, http.StatusNotFound, "not_found")
			return
		}
		opts, ok := formVersion(r.PostForm)
		if !ok {
			s.renderError(w, r, d, http.StatusBadRequest, "bad")
			return
		}
		err := run(campaignCmd{ctx: r.Context(), r: r, id: id, actor: sr.actor, opts: opts, form: r.PostForm})
		if err == nil {
			consoleRedirect(w, r, d, "/console/campaigns/"+id, url.Values{"done": {done}})
			return
		}
		ref, status, ok := d.netRefusalOf(err, form(r), "cw", r.PostForm)
		if !ok {
			s.failNetwork(w, r, d, err)
			return
		}
		s.showCampaignWorkbench(w, r, d, sr, id, status, ref)
	}
}

// failNetwork answers an error that is no refusal: a command on a stream
// that does not exist (refused by its status, "") is not found.
func (s *Server) failNetwork(w http.ResponseWriter, r *http.Request, d *pageData, err error) {
	var tr *domain.TransitionError
	if errors.As(err, &tr) && tr.Status == "" {
		s.renderError(w, r, d, http.StatusNotFound, "not_found")
		return
	}
	s.fail(w, r, d, err)
}

// consoleCampaignRow is a campaign as the console lists it.
type consoleCampaignRow struct {
	campaignItem
	PublicHref string
}

type consoleCampaignsBody struct {
	Items  []consoleCampaignRow
	Launch *netForm
	// NoOrganisations says that no campaign can be launched yet: every
	// campaign is led by an organisation of the network.
	NoOrganisations bool
	Notice          string
	Refusal         []string
}

// consoleCampaigns lists every campaign, newest first, with its figures,
// and the form that launches one.
func (s *Server) consoleCampaigns(w http.ResponseWriter, r *http.Request, d *pageData, sr staffRequest) {
	s.showConsoleCampaigns(w, r, d, sr, http.StatusOK, nil)
}

func (s *Server) showConsoleCampaigns(w http.ResponseWriter, r *http.Request, d *pageData, _ staffRequest, status int, ref *netRefusal) {
	d.Title, d.Nav = d.T("cw.list.title"), "campaigns"
	ctx := r.Context()
	list, err := s.cfg.Network.Campaigns(ctx, network.CampaignFilter{Limit: network.MaxLimit})
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	orgs, err := s.cfg.Network.Organisations(ctx, "")
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	var body consoleCampaignsBody
	now := s.now()
	for i := range list.Items {
		it, err := s.newCampaignItem(ctx, d, &list.Items[i], now)
		if err != nil {
			s.fail(w, r, d, err)
			return
		}
		row := consoleCampaignRow{campaignItem: it, PublicHref: it.Href}
		row.Href = d.Link("/console/campaigns/" + it.ID)
		body.Items = append(body.Items, row)
	}
	body.NoOrganisations = len(orgs) == 0
	body.Launch = d.launchForm(s.cfg.Directory, orgs, ref)
	body.Refusal = ref.Summary()
	d.Body = body
	s.render(w, r, status, "console-campaigns", d)
}

func (d *pageData) launchForm(dir Directory, orgs []organisation.Organisation, ref *netRefusal) *netForm {
	f := d.newNetForm("launch", "/console/campaigns", 0, "cw.launch.submit", ref)
	f.Hidden = append(f.Hidden, hiddenField{Name: "form_key", Value: formKeyOf(ref)})
	f.field(ref, "title", "cw.field.title", "text", "", campaign.MaxTitle, true)
	f.field(ref, "demand", "cw.field.demand", "textarea", "", campaign.MaxDemand, true)
	f.choice(ref, "theme", "cw.field.theme", "", true, d.themeOptions())
	deps := []option{{Value: "", Label: d.T("cw.choose")}}
	for _, dep := range dir.Departments() {
		deps = append(deps, option{Value: dep.Code, Label: dep.Name.In(d.Lang)})
	}
	f.choice(ref, "target_department", "cw.field.target_department", "", true, deps)
	f.choice(ref, "lead_organisation", "cw.field.lead_organisation", "", true, d.organisationOptions(orgs, nil))
	return f.finish(ref)
}

// formKeyOf keeps the one-time key of a creation form shown again after a
// refusal, or makes the first one.
func formKeyOf(ref *netRefusal) string {
	if ref != nil {
		if k := ref.Values.Get("form_key"); validFormKey(k) {
			return k
		}
	}
	return newFormKey()
}

func (d *pageData) themeOptions() []option {
	out := []option{{Value: "", Label: d.T("cw.choose")}}
	for _, t := range campaignThemes {
		out = append(out, option{Value: string(t), Label: d.themeName(string(t))})
	}
	return out
}

// organisationOptions offers the organisations, by name, but those in
// leave out.
func (d *pageData) organisationOptions(orgs []organisation.Organisation, leave []string) []option {
	out := []option{{Value: "", Label: d.T("cw.choose")}}
	for _, o := range orgs {
		if !slices.Contains(leave, o.ID) {
			out = append(out, option{Value: o.ID, Label: o.Name})
		}
	}
	return out
}

// launchCampaign launches a campaign from the list's form: 303 to its
// workbench, or the list again with the reasons (nothing launched).
func (s *Server) launchCampaign(w http.ResponseWriter, r *http.Request, d *pageData, sr staffRequest) {
	f := r.PostForm
	opts, replayed, err := s.creationOpts(r, "console.campaign_launch")
	if err == nil && replayed == "" {
		var out domain.Outcome
		out, err = s.cfg.CampaignService.Launch(r.Context(), campaign.Launch{
			Actor: sr.actor, Title: f.Get("title"), Demand: f.Get("demand"), Theme: directory.Theme(f.Get("theme")),
			TargetDepartment: f.Get("target_department"), LeadOrganisation: f.Get("lead_organisation"),
		}, opts)
		replayed, err = createdID(out, err)
	}
	if err == nil {
		consoleRedirect(w, r, d, "/console/campaigns/"+replayed, url.Values{"done": {"launch"}})
		return
	}
	ref, status, ok := d.netRefusalOf(err, "launch", "cw", f)
	if !ok {
		s.fail(w, r, d, err)
		return
	}
	s.showConsoleCampaigns(w, r, d, sr, status, ref)
}

// creationAnswer is what a creation form's one-time key remembers.
type creationAnswer struct {
	ID string `json:"id"`
}

// creationOpts makes a creation form (launch a campaign, register an
// organisation) take effect once: a double click or a reload of the
// answer creates one campaign, not two. Like the report form, the form's
// one-time key with a keyed hash of its content stands in for
// Idempotency-Key, so a repeat gives back the first one's id (replayed)
// and a changed form creates anew.
func (s *Server) creationOpts(r *http.Request, purpose string) (opts domain.UpdateOptions, replayed string, err error) {
	opts = domain.UpdateOptions{IfMatch: domain.AnyVersion}
	formKey := r.PostForm.Get("form_key")
	if !validFormKey(formKey) {
		return opts, "", nil
	}
	sum := s.cfg.KeyedHashFunc(purpose, r.URL.Path+"\x00"+r.PostForm.Encode())
	key := "page:" + purpose + ":" + formKey + ":" + sum[:min(32, len(sum))]
	stored, err := s.cfg.Idempotency.Idempotent(r.Context(), key, []byte(sum))
	if err != nil {
		return opts, "", err
	}
	if stored != nil {
		id, err := createdID(domain.Outcome{Replayed: stored}, nil)
		return opts, id, err
	}
	opts.Idempotency = &domain.Idempotency{Key: key, RequestHash: []byte(sum), ResponseFunc: func(o domain.Outcome) (domain.Response, error) {
		b, err := json.Marshal(creationAnswer{ID: o.Stream})
		if err != nil {
			return domain.Response{}, err
		}
		return domain.Response{Status: http.StatusCreated, Body: b}, nil
	}}
	return opts, "", nil
}

// createdID is the id a creation made, or made the first time.
func createdID(out domain.Outcome, err error) (string, error) {
	if err != nil {
		return "", err
	}
	if out.Replayed == nil {
		return out.Stream, nil
	}
	var a creationAnswer
	if err := json.Unmarshal(out.Replayed.Body, &a); err != nil || a.ID == "" {
		return "", fmt.Errorf("read remembered creation: %w", errors.Join(err, errors.New("no id")))
	}
	return a.ID, nil
}

// workbenchCase is a case linked to the campaign, or found by a search.
type workbenchCase struct {
	ID, Title, Href, Status, StatusName string
	Linked                              bool
	Form                                *netForm // unlink, or link
}

type workbenchActivity struct {
	ID, Kind, Title, Place, Minutes string
	Scheduled                       stamp
	Held                            bool
	Attendance                      *campaign.Attendance
	HeldForm                        *netForm
}

type workbenchCommitment struct {
	ID, Text, State, StateName, Note string
	Due                              stamp
	Overdue                          bool
	Settle                           *netForm
}

type campaignWorkbenchBody struct {
	campaignItem
	PublicHref                   string
	Version                      int64
	Demand, Department, Lead     string
	Outcome, Summary             string
	Partners                     []string
	Active                       bool
	Launched                     stamp
	Activities, ActivitiesHeld   int
	Attendance                   campaign.Attendance
	PaperSignatures              int
	Notice                       string
	Refusal                      []string
	Cases                        []workbenchCase
	CaseQuery                    string
	CaseSearched                 bool
	CaseResults                  []workbenchCase
	LinkMessages                 []string
	ActivityList                 []workbenchActivity
	CommitmentList               []workbenchCommitment
	Partner, Plan, Paper, Commit *netForm
	Update, Close                *netForm
	Verified                     bool
	Timeline                     []timelineItem
	SearchAction, SearchLang     string
}

// NotePrefix names the messages of the workbench's timeline section.
func (campaignWorkbenchBody) NotePrefix() string { return "campaign" }

// campaignWorkbench is the campaign's workbench: its figures, its cases,
// activities and commitments, a form for each thing staff record, and its
// verified timeline.
func (s *Server) campaignWorkbench(w http.ResponseWriter, r *http.Request, d *pageData, sr staffRequest) {
	id := r.PathValue("id")
	if !campaign.ValidID(id) {
		s.renderError(w, r, d, http.StatusNotFound, "not_found")
		return
	}
	s.showCampaignWorkbench(w, r, d, sr, id, http.StatusOK, nil)
}

// showCampaignWorkbench renders the workbench as the campaign stands now;
// ref, when set, is the form just refused, shown with its reasons and
// what was posted, under status.
func (s *Server) showCampaignWorkbench(w http.ResponseWriter, r *http.Request, d *pageData, sr staffRequest, id string, status int, ref *netRefusal) {
	d.Nav = "campaigns"
	ctx := r.Context()
	c, version, err := s.cfg.Campaigns.Load(ctx, id)
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	h, err := s.cfg.Campaigns.History(ctx, id)
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	shown, err := h.For(sr.actor, campaign.Decode, campaign.Redact)
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	orgs, err := s.cfg.Network.Organisations(ctx, "")
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	now := s.now()
	item, err := s.newCampaignItem(ctx, d, c, now)
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	base := "/console/campaigns/" + id
	body := campaignWorkbenchBody{
		campaignItem: item, PublicHref: item.Href, Version: version, Demand: c.Demand,
		Department: d.departmentName(c.TargetDepartment), Summary: c.Summary, Active: c.Status == campaign.StatusActive,
		Launched: d.stamp(c.CreatedAt), Activities: len(c.Activities), ActivitiesHeld: c.ActivitiesHeld(),
		Attendance: c.Attendance(), PaperSignatures: c.PaperSignatures, Refusal: ref.Summary(),
		Verified: shown.Verified, Timeline: d.campaignTimeline(shown.Events),
		SearchAction: base,
	}
	if d.query != "" {
		body.SearchLang = d.Lang // a GET form drops its action's query: the language goes as a field
	}
	body.Href = d.Link(base)
	if c.Outcome != "" {
		body.Outcome = d.T("campaign.outcome." + string(c.Outcome))
	}
	if done := r.URL.Query().Get("done"); ref == nil && slices.Contains(campaignDone[:], done) {
		body.Notice = d.T("cw.done." + done)
	}
	names := map[string]string{}
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	orgName := func(orgID string) (string, error) {
		if n, ok := names[orgID]; ok {
			return n, nil
		}
		// Registered a moment ago: the list has not caught up yet.
		o, _, err := s.cfg.Organisations.Load(ctx, orgID)
		if errors.Is(err, domain.ErrNotFound) {
			return orgID, nil
		}
		if err != nil {
			return "", err
		}
		return o.Name, nil
	}
	if body.Lead, err = orgName(c.LeadOrganisation); err != nil {
		s.fail(w, r, d, err)
		return
	}
	for _, p := range c.Partners {
		n, err := orgName(p)
		if err != nil {
			s.fail(w, r, d, err)
			return
		}
		body.Partners = append(body.Partners, n)
	}

	if err := s.workbenchCases(ctx, d, c, version, ref, &body); err != nil {
		s.fail(w, r, d, err)
		return
	}
	query := strings.TrimSpace(r.URL.Query().Get("case_q"))
	if ref != nil && ref.Form == "link" {
		query = strings.TrimSpace(ref.Values.Get("case_q"))
		body.LinkMessages = ref.Summary()
	}
	if err := s.searchCases(ctx, d, c, version, query, &body); err != nil {
		s.fail(w, r, d, err)
		return
	}

	refused := func(key string) bool { return ref != nil && ref.Form == key }
	// No form when every organisation is a partner already.
	if others := d.organisationOptions(orgs, c.Partners); (body.Active && len(others) > 1) || refused("partner") {
		f := d.newNetForm("partner", base+"/partners", version, "cw.partner.submit", ref)
		f.choice(ref, "organisation_id", "cw.field.organisation_id", "", true, others)
		body.Partner = f.finish(ref)
	}
	for _, a := range c.ActivitiesByDate() {
		it := workbenchActivity{ID: a.ID, Kind: d.T("activity." + string(a.Kind)), Title: a.Title, Place: a.Place,
			Minutes: a.Minutes, Scheduled: d.stamp(a.ScheduledFor), Held: a.Held}
		if a.Held {
			it.Attendance = &a.Attendance
		} else {
			f := d.newNetForm("held:"+a.ID, base+"/activities/"+a.ID+"/held", version, "cw.held.submit", ref)
			for _, n := range [...]string{"women", "men", "youth", "total"} {
				f.field(ref, "attendance."+n, "cw.field.attendance."+n, "number", "0", 7, true)
			}
			f.field(ref, "minutes", "cw.field.minutes", "textarea", "", campaign.MaxMinutes, false)
			it.HeldForm = f.finish(ref)
		}
		body.ActivityList = append(body.ActivityList, it)
	}
	if body.Active || refused("plan") {
		f := d.newNetForm("plan", base+"/activities", version, "cw.plan.submit", ref)
		kinds := []option{{Value: "", Label: d.T("cw.choose")}}
		for _, k := range activityKinds {
			kinds = append(kinds, option{Value: string(k), Label: d.T("activity." + string(k))})
		}
		f.choice(ref, "kind", "cw.field.kind", "", true, kinds)
		f.field(ref, "title", "cw.field.activity_title", "text", "", campaign.MaxTitle, true)
		f.field(ref, "scheduled_for", "cw.field.scheduled_for", "datetime-local", "", 25, true)
		f.field(ref, "place", "cw.field.place", "text", "", campaign.MaxPlace, false)
		body.Plan = f.finish(ref)
	}
	if body.Active || refused("paper") {
		f := d.newNetForm("paper", base+"/signatures/paper", version, "cw.paper.submit", ref)
		f.field(ref, "count", "cw.field.count", "number", "", 6, true)
		f.field(ref, "note", "cw.field.paper_note", "text", "", campaign.MaxNote, false)
		body.Paper = f.finish(ref)
	}
	for _, k := range c.CommitmentsByDue() {
		it := workbenchCommitment{ID: k.ID, Text: k.Text, State: string(k.State), StateName: d.T("cw.commitment." + string(k.State)),
			Note: k.Note, Due: d.stamp(k.DueBy), Overdue: k.Overdue(now)}
		if k.State == campaign.CommitmentStateOpen {
			path := base + "/commitments/" + k.ID
			f := d.newNetForm("settle:"+k.ID, path+"/fulfilled", version, "cw.settle.fulfilled", ref)
			f.Others = []formButton{{Action: d.Link(path + "/broken"), Label: d.T("cw.settle.broken")}}
			f.field(ref, "note", "cw.field.settle_note", "text", "", campaign.MaxNote, false)
			it.Settle = f.finish(ref)
		}
		body.CommitmentList = append(body.CommitmentList, it)
	}
	if body.Active || refused("commit") {
		f := d.newNetForm("commit", base+"/commitments", version, "cw.commit.submit", ref)
		f.field(ref, "text", "cw.field.commitment_text", "textarea", "", campaign.MaxCommitment, true)
		f.field(ref, "due_by", "cw.field.due_by", "date", "", 10, true)
		body.Commit = f.finish(ref)
	}
	{
		f := d.newNetForm("update", base+"/updates", version, "cw.update.submit", ref)
		f.field(ref, "body", "cw.field.update_body", "textarea", "", campaign.MaxBody, true)
		body.Update = f.finish(ref)
	}
	if body.Active || refused("close") {
		f := d.newNetForm("close", base+"/close", version, "cw.close.submit", ref)
		outcomes := []option{{Value: "", Label: d.T("cw.choose")}}
		for _, o := range campaignOutcomes {
			outcomes = append(outcomes, option{Value: string(o), Label: d.T("campaign.outcome." + string(o))})
		}
		f.choice(ref, "outcome", "cw.field.outcome", "", true, outcomes)
		f.field(ref, "summary", "cw.field.summary", "textarea", "", campaign.MaxSummary, true)
		body.Close = f.finish(ref)
	}
	d.Title = c.Title
	d.Body = body
	s.render(w, r, status, "console-campaign", d)
}

// workbenchCases lists the campaign's cases by title, each with its unlink
// form.
func (s *Server) workbenchCases(ctx context.Context, d *pageData, c *campaign.Campaign, version int64, ref *netRefusal, body *campaignWorkbenchBody) error {
	for _, caseID := range c.CaseIDs {
		it := workbenchCase{ID: caseID, Title: caseID, Href: d.Link("/console/cases/" + caseID), Linked: true}
		k, _, err := s.cfg.Cases.Load(ctx, caseID)
		switch {
		case err == nil:
			it.Title, it.Status, it.StatusName = k.Title, string(k.Status), d.statusName(k.Status)
		case !errors.Is(err, domain.ErrNotFound):
			return err
		}
		f := d.newNetForm("unlink:"+caseID, "/console/campaigns/"+c.ID+"/cases/"+caseID+"/unlink", version, "cw.unlink.submit", ref)
		it.Form = f.finish(ref)
		body.Cases = append(body.Cases, it)
	}
	return nil
}

// searchCases offers the cases whose title or description match query,
// each with a form that links it; those linked already say so instead.
func (s *Server) searchCases(ctx context.Context, d *pageData, c *campaign.Campaign, version int64, query string, body *campaignWorkbenchBody) error {
	body.CaseQuery = query
	if query == "" {
		return nil
	}
	body.CaseSearched = true
	page, err := s.cfg.CaseList.List(ctx, caselist.Filter{Q: query, Limit: caseSearchLimit, Now: s.now()})
	if err != nil {
		return err
	}
	for _, k := range page.Items {
		it := workbenchCase{ID: k.ID, Title: k.Title, Href: d.Link("/console/cases/" + k.ID), Status: string(k.Status),
			StatusName: d.statusName(k.Status), Linked: slices.Contains(c.CaseIDs, k.ID)}
		if !it.Linked && c.Status == campaign.StatusActive {
			f := d.newNetForm("link", "/console/campaigns/"+c.ID+"/cases", version, "cw.link.submit", nil)
			f.ID += "-" + domID(k.ID)
			f.Hidden = []hiddenField{{Name: "case_id", Value: k.ID}, {Name: "case_q", Value: query}}
			it.Form = f
		}
		body.CaseResults = append(body.CaseResults, it)
	}
	return nil
}
