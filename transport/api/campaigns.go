package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/domain/organisation"
	"github.com/citizenhouse/bayt/projections/network"
)

// CampaignReader reads campaigns and their history.
type CampaignReader interface {
	Load(ctx context.Context, id string) (*campaign.Campaign, int64, error)
	History(ctx context.Context, id string) (domain.History, error)
}

// OrganisationReader reads organisations and their history.
type OrganisationReader interface {
	Load(ctx context.Context, id string) (*organisation.Organisation, int64, error)
	History(ctx context.Context, id string) (domain.History, error)
}

// NetworkLister reads the campaign and organisation lists.
type NetworkLister interface {
	Campaigns(ctx context.Context, f network.CampaignFilter) (network.CampaignPage, error)
	Organisations(ctx context.Context, kind string) ([]organisation.Organisation, error)
}

// ResolvedCounter tells how many of some cases are resolved, from the
// case list, so a campaign's figure follows its cases live.
type ResolvedCounter interface {
	CountResolved(ctx context.Context, ids []string) (int, error)
}

func (s *Server) networkRoutes() {
	if s.cfg.Campaigns == nil {
		return
	}
	cs, os := s.cfg.CampaignService, s.cfg.OrganisationService
	s.mux.HandleFunc("POST /api/v1/organisations", creation(s, func(cx cmdContext, b struct {
		Name           string            `json:"name"`
		Kind           organisation.Kind `json:"kind"`
		Themes         []directory.Theme `json:"themes"`
		DepartmentCode string            `json:"department_code"`
	}) (domain.Outcome, error) {
		return os.Register(cx.ctx, organisation.Register{Actor: cx.actor, Name: b.Name, Kind: b.Kind, Themes: b.Themes, DepartmentCode: b.DepartmentCode}, cx.opts)
	}))
	s.mux.HandleFunc("GET /api/v1/organisations", s.listOrganisations)
	s.mux.HandleFunc("GET /api/v1/organisations/{id}", s.getOrganisation)
	s.mux.HandleFunc("GET /api/v1/organisations/{id}/history", s.history(organisation.ValidID, s.cfg.Organisations.History, redacted(organisation.Decode, organisation.Redact)))
	s.mux.HandleFunc("POST /api/v1/organisations/{id}/members", command(s, organisation.ValidID, createsMember, func(cx cmdContext, b struct {
		Name  string `json:"name"`
		Phone string `json:"phone"`
		Email string `json:"email"`
		Role  string `json:"role"`
	}) (domain.Outcome, error) {
		return os.AddMember(cx.ctx, cx.id, organisation.AddMember{Actor: cx.actor, Role: b.Role},
			domain.PersonalData{Name: b.Name, Phone: b.Phone, Email: b.Email}, cx.opts)
	}))
	s.mux.HandleFunc("DELETE /api/v1/organisations/{id}/members/{member_id}", command(s, organisation.ValidID, createsMember, func(cx cmdContext, _ struct{}) (domain.Outcome, error) {
		return os.RemoveMember(cx.ctx, cx.id, organisation.RemoveMember{Actor: cx.actor, MemberID: cx.path("member_id")}, cx.opts)
	}))

	s.mux.HandleFunc("POST /api/v1/campaigns", creation(s, func(cx cmdContext, b struct {
		Title            string          `json:"title"`
		Demand           string          `json:"demand"`
		Theme            directory.Theme `json:"theme"`
		TargetDepartment string          `json:"target_department"`
		LeadOrganisation string          `json:"lead_organisation"`
	}) (domain.Outcome, error) {
		return cs.Launch(cx.ctx, campaign.Launch{Actor: cx.actor, Title: b.Title, Demand: b.Demand, Theme: b.Theme,
			TargetDepartment: b.TargetDepartment, LeadOrganisation: b.LeadOrganisation}, cx.opts)
	}))
	s.mux.HandleFunc("GET /api/v1/campaigns", s.listCampaigns)
	s.mux.HandleFunc("GET /api/v1/campaigns/{id}", s.getCampaign)
	s.mux.HandleFunc("GET /api/v1/campaigns/{id}/history", s.history(campaign.ValidID, s.cfg.Campaigns.History, redacted(campaign.Decode, campaign.Redact)))
	s.mux.HandleFunc("POST /api/v1/campaigns/{id}/cases", command(s, campaign.ValidID, createsNothing, func(cx cmdContext, b struct {
		CaseID string `json:"case_id"`
	}) (domain.Outcome, error) {
		return cs.LinkCase(cx.ctx, cx.id, b.CaseID, cx.actor, true, cx.opts)
	}))
	s.mux.HandleFunc("DELETE /api/v1/campaigns/{id}/cases/{case_id}", command(s, campaign.ValidID, createsNothing, func(cx cmdContext, _ struct{}) (domain.Outcome, error) {
		return cs.LinkCase(cx.ctx, cx.id, cx.path("case_id"), cx.actor, false, cx.opts)
	}))
	s.mux.HandleFunc("POST /api/v1/campaigns/{id}/partners", command(s, campaign.ValidID, createsNothing, func(cx cmdContext, b struct {
		OrganisationID string `json:"organisation_id"`
	}) (domain.Outcome, error) {
		return cs.JoinPartner(cx.ctx, cx.id, campaign.JoinPartner{Actor: cx.actor, OrganisationID: b.OrganisationID}, cx.opts)
	}))
	s.mux.HandleFunc("POST /api/v1/campaigns/{id}/activities", command(s, campaign.ValidID, createsActivity, func(cx cmdContext, b struct {
		Kind         campaign.ActivityKind `json:"kind"`
		Title        string                `json:"title"`
		ScheduledFor time.Time             `json:"scheduled_for"`
		Place        string                `json:"place"`
	}) (domain.Outcome, error) {
		return cs.PlanActivity(cx.ctx, cx.id, campaign.PlanActivity{Actor: cx.actor, Kind: b.Kind, Title: b.Title,
			ScheduledFor: b.ScheduledFor, Place: b.Place}, cx.opts)
	}))
	s.mux.HandleFunc("POST /api/v1/campaigns/{id}/activities/{activity_id}/held", command(s, campaign.ValidID, createsActivity, func(cx cmdContext, b struct {
		Attendance campaign.Attendance `json:"attendance"`
		Minutes    string              `json:"minutes"`
	}) (domain.Outcome, error) {
		return cs.HoldActivity(cx.ctx, cx.id, campaign.HoldActivity{Actor: cx.actor, ActivityID: cx.path("activity_id"),
			Attendance: b.Attendance, Minutes: b.Minutes}, cx.opts)
	}))
	s.mux.HandleFunc("POST /api/v1/campaigns/{id}/signatures", command(s, campaign.ValidID, createsNothing, func(cx cmdContext, b struct {
		Name     string `json:"name"`
		District string `json:"district"`
	}) (domain.Outcome, error) {
		return cs.SignPetition(cx.ctx, cx.id, campaign.SignPetition{Actor: cx.actor, District: b.District}, b.Name, cx.opts)
	}))
	// Signatures gathered on paper come as a count, with no names: the
	// sheets stay with the Citizen's House.
	s.mux.HandleFunc("POST /api/v1/campaigns/{id}/signatures/paper", command(s, campaign.ValidID, createsNothing, func(cx cmdContext, b struct {
		Count int    `json:"count"`
		Note  string `json:"note"`
	}) (domain.Outcome, error) {
		return cs.RecordPaperSignatures(cx.ctx, cx.id, campaign.RecordPaperSignatures{Actor: cx.actor, Count: b.Count, Note: b.Note}, cx.opts)
	}))
	s.mux.HandleFunc("POST /api/v1/campaigns/{id}/commitments", command(s, campaign.ValidID, createsCommitment, func(cx cmdContext, b struct {
		Text  string    `json:"text"`
		DueBy time.Time `json:"due_by"`
	}) (domain.Outcome, error) {
		return cs.RecordCommitment(cx.ctx, cx.id, campaign.RecordCommitment{Actor: cx.actor, Text: b.Text, DueBy: b.DueBy}, cx.opts)
	}))
	type settleBody struct {
		Note string `json:"note"`
	}
	s.mux.HandleFunc("POST /api/v1/campaigns/{id}/commitments/{commitment_id}/fulfilled", command(s, campaign.ValidID, createsCommitment, func(cx cmdContext, b settleBody) (domain.Outcome, error) {
		return cs.FulfilCommitment(cx.ctx, cx.id, campaign.FulfilCommitment{Actor: cx.actor, CommitmentID: cx.path("commitment_id"), Note: b.Note}, cx.opts)
	}))
	s.mux.HandleFunc("POST /api/v1/campaigns/{id}/commitments/{commitment_id}/broken", command(s, campaign.ValidID, createsCommitment, func(cx cmdContext, b settleBody) (domain.Outcome, error) {
		return cs.BreakCommitment(cx.ctx, cx.id, campaign.BreakCommitment{Actor: cx.actor, CommitmentID: cx.path("commitment_id"), Note: b.Note}, cx.opts)
	}))
	s.mux.HandleFunc("POST /api/v1/campaigns/{id}/updates", command(s, campaign.ValidID, createsNothing, func(cx cmdContext, b struct {
		Body string `json:"body"`
	}) (domain.Outcome, error) {
		return cs.PublishUpdate(cx.ctx, cx.id, campaign.PublishUpdate{Actor: cx.actor, Body: b.Body}, cx.opts)
	}))
	s.mux.HandleFunc("POST /api/v1/campaigns/{id}/close", command(s, campaign.ValidID, createsNothing, func(cx cmdContext, b struct {
		Outcome campaign.Outcome `json:"outcome"`
		Summary string           `json:"summary"`
	}) (domain.Outcome, error) {
		return cs.Close(cx.ctx, cx.id, campaign.Close{Actor: cx.actor, Outcome: b.Outcome, Summary: b.Summary}, cx.opts)
	}))
}

// campaignView is a campaign as the API contract shows it, with its tracker figures.
type campaignView struct {
	ID               string              `json:"id"`
	Title            string              `json:"title"`
	Demand           string              `json:"demand"`
	Theme            string              `json:"theme"`
	TargetDepartment string              `json:"target_department"`
	LeadOrganisation string              `json:"lead_organisation"`
	Status           string              `json:"status"`
	Partners         []string            `json:"partners"`
	CaseIDs          []string            `json:"case_ids"`
	CasesTotal       int                 `json:"cases_total"`
	CasesResolved    int                 `json:"cases_resolved"`
	Activities       int                 `json:"activities"`
	ActivitiesHeld   int                 `json:"activities_held"`
	ActivityList     []activityView      `json:"activity_list"`
	Attendance       campaign.Attendance `json:"attendance"`
	Signatures       int                 `json:"signatures"`
	PaperSignatures  int                 `json:"paper_signatures"`
	Commitments      commitmentCounts    `json:"commitments"`
	CommitmentList   []commitmentView    `json:"commitment_list"`
	Updates          int                 `json:"updates"`
	LastUpdate       *time.Time          `json:"last_update"`
	Outcome          string              `json:"outcome,omitempty"`
	Summary          string              `json:"summary,omitempty"`
	CreatedAt        time.Time           `json:"created_at"`
	UpdatedAt        time.Time           `json:"updated_at"`
	Version          int64               `json:"version"`
}

type commitmentCounts struct {
	Made      int `json:"made"`
	Fulfilled int `json:"fulfilled"`
	Broken    int `json:"broken"`
	Overdue   int `json:"overdue"`
}

type activityView struct {
	ID           string               `json:"id"`
	Kind         string               `json:"kind"`
	Title        string               `json:"title"`
	ScheduledFor time.Time            `json:"scheduled_for"`
	Place        string               `json:"place,omitempty"`
	Held         bool                 `json:"held"`
	Attendance   *campaign.Attendance `json:"attendance,omitempty"`
}

type commitmentView struct {
	ID      string    `json:"id"`
	Text    string    `json:"text"`
	DueBy   time.Time `json:"due_by"`
	State   string    `json:"state"`
	Overdue bool      `json:"overdue"`
}

func (s *Server) newCampaignView(ctx context.Context, c *campaign.Campaign, now time.Time) (campaignView, error) {
	v := campaignView{
		ID: c.ID, Title: c.Title, Demand: c.Demand, Theme: string(c.Theme), TargetDepartment: c.TargetDepartment,
		LeadOrganisation: c.LeadOrganisation, Status: string(c.Status), Partners: nonNil(c.Partners), CaseIDs: nonNil(c.CaseIDs),
		CasesTotal: len(c.CaseIDs), Activities: len(c.Activities), Attendance: c.Attendance(), Signatures: c.Signatures,
		PaperSignatures: c.PaperSignatures,
		Updates:         c.Updates, LastUpdate: c.LastUpdate, Outcome: string(c.Outcome), Summary: c.Summary,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Version: c.Version,
		ActivityList: []activityView{}, CommitmentList: []commitmentView{},
	}
	made, fulfilled, broken, overdue := c.CommitmentCounts(now)
	v.Commitments = commitmentCounts{Made: made, Fulfilled: fulfilled, Broken: broken, Overdue: overdue}
	v.ActivitiesHeld = c.ActivitiesHeld()
	for _, a := range c.ActivitiesByDate() {
		av := activityView{ID: a.ID, Kind: string(a.Kind), Title: a.Title, ScheduledFor: a.ScheduledFor, Place: a.Place, Held: a.Held}
		if a.Held {
			av.Attendance = &a.Attendance
		}
		v.ActivityList = append(v.ActivityList, av)
	}
	for _, cm := range c.CommitmentsByDue() {
		v.CommitmentList = append(v.CommitmentList, commitmentView{ID: cm.ID, Text: cm.Text, DueBy: cm.DueBy, State: string(cm.State),
			Overdue: cm.Overdue(now)})
	}
	if len(c.CaseIDs) > 0 {
		n, err := s.cfg.Resolved.CountResolved(ctx, c.CaseIDs)
		if err != nil {
			return v, err
		}
		v.CasesResolved = n
	}
	return v, nil
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func (s *Server) getCampaign(w http.ResponseWriter, r *http.Request) {
	r, _, id, ok := s.streamRead(w, r, campaign.ValidID)
	if !ok {
		return
	}
	c, version, err := s.cfg.Campaigns.Load(r.Context(), id)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	v, err := s.newCampaignView(r.Context(), c, s.now())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(version))
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) listCampaigns(w http.ResponseWriter, r *http.Request) {
	q, limit, ok := s.listQuery(w, r)
	if !ok {
		return
	}
	f := network.CampaignFilter{Theme: q.Get("theme"), Status: q.Get("status"), Organisation: q.Get("organisation"),
		Cursor: q.Get("cursor"), Limit: limit}
	page, err := s.cfg.Network.Campaigns(r.Context(), f)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	now := s.now()
	out := struct {
		Items      []campaignView `json:"items"`
		NextCursor *string        `json:"next_cursor"`
	}{Items: make([]campaignView, 0, len(page.Items))}
	for i := range page.Items {
		v, err := s.newCampaignView(r.Context(), &page.Items[i], now)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		out.Items = append(out.Items, v)
	}
	if page.NextCursor != "" {
		out.NextCursor = &page.NextCursor
	}
	writeJSON(w, http.StatusOK, out)
}

// organisationView is an organisation; members' contact details only for
// staff.
type organisationView struct {
	ID             string       `json:"id"`
	Name           string       `json:"name"`
	Kind           string       `json:"kind"`
	Themes         []string     `json:"themes"`
	DepartmentCode string       `json:"department_code,omitempty"`
	MembersCount   int          `json:"members_count"`
	Members        []memberView `json:"members,omitempty"`
	CreatedAt      time.Time    `json:"created_at"`
	Version        int64        `json:"version"`
}

type memberView struct {
	ID      string               `json:"id"`
	Role    string               `json:"role,omitempty"`
	Contact *domain.PersonalData `json:"contact,omitempty"`
	Erased  bool                 `json:"erased,omitempty"`
}

func (s *Server) newOrganisationView(ctx context.Context, o *organisation.Organisation, viewer domain.Actor) organisationView {
	v := organisationView{ID: o.ID, Name: o.Name, Kind: string(o.Kind), Themes: []string{}, DepartmentCode: o.DepartmentCode,
		MembersCount: len(o.Members), CreatedAt: o.CreatedAt, Version: o.Version}
	for _, t := range o.Themes {
		v.Themes = append(v.Themes, string(t))
	}
	if viewer.Role.Staff() {
		for _, m := range o.Members {
			mv := memberView{ID: m.ID, Role: m.Role}
			if pd, err := s.cfg.Vault.Get(ctx, m.Subject); err == nil {
				mv.Contact = &pd
			} else {
				mv.Erased = errors.Is(err, domain.ErrErased)
			}
			v.Members = append(v.Members, mv)
		}
	}
	return v
}

func (s *Server) getOrganisation(w http.ResponseWriter, r *http.Request) {
	r, actor, id, ok := s.streamRead(w, r, organisation.ValidID)
	if !ok {
		return
	}
	o, version, err := s.cfg.Organisations.Load(r.Context(), id)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(version))
	writeJSON(w, http.StatusOK, s.newOrganisationView(r.Context(), o, actor))
}

func (s *Server) listOrganisations(w http.ResponseWriter, r *http.Request) {
	if _, err := s.actor(r); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	kind := r.URL.Query().Get("kind")
	if kind != "" && !organisation.Kind(kind).Valid() {
		s.writeProblem(w, r, domain.Invalid("kind", "unknown kind"))
		return
	}
	orgs, err := s.cfg.Network.Organisations(r.Context(), kind)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	out := struct {
		Items []organisationView `json:"items"`
	}{Items: make([]organisationView, 0, len(orgs))}
	for i := range orgs {
		// Lists never carry members' contact details.
		out.Items = append(out.Items, s.newOrganisationView(r.Context(), &orgs[i], domain.Anonymous))
	}
	writeJSON(w, http.StatusOK, out)
}
