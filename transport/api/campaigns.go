package api

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/domain/organisation"
	"github.com/citizenhouse/bayt/projections/network"
	"github.com/oklog/ulid/v2"
)

// CampaignRepository loads and changes campaigns.
type CampaignRepository interface {
	Load(ctx context.Context, id string) (*campaign.Campaign, int64, error)
	updater[campaign.Campaign]
	History(ctx context.Context, id string) (domain.History, error)
}

// OrganisationRepository loads and changes organisations.
type OrganisationRepository interface {
	Load(ctx context.Context, id string) (*organisation.Organisation, int64, error)
	updater[organisation.Organisation]
	History(ctx context.Context, id string) (domain.History, error)
}

// CaseLinker changes a campaign and a case in one atomic append, so a link
// is recorded on both sides or on neither.
type CaseLinker interface {
	Link(ctx context.Context, campaignID, caseID string, opts domain.UpdateOptions,
		decide func(*campaign.Campaign, *casefile.Case) ([]domain.Event, []domain.Event, error)) (domain.Outcome, error)
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

func (s *Server) campaignKind() kind[campaign.Campaign] {
	return kind[campaign.Campaign]{repo: s.cfg.Campaigns, validID: campaign.ValidID, apply: (*campaign.Campaign).Apply,
		status: func(c *campaign.Campaign) string { return string(c.Status) }}
}

func (s *Server) organisationKind() kind[organisation.Organisation] {
	return kind[organisation.Organisation]{repo: s.cfg.Organisations, validID: organisation.ValidID, apply: (*organisation.Organisation).Apply,
		status: func(o *organisation.Organisation) string { return "registered" }}
}

func (s *Server) networkRoutes() {
	if s.cfg.Campaigns == nil {
		return
	}
	ck, ok := s.campaignKind(), s.organisationKind()
	s.mux.HandleFunc("POST /api/v1/organisations", s.registerOrganisation)
	s.mux.HandleFunc("GET /api/v1/organisations", s.listOrganisations)
	s.mux.HandleFunc("GET /api/v1/organisations/{id}", s.getOrganisation)
	s.mux.HandleFunc("GET /api/v1/organisations/{id}/history", s.history(organisation.ValidID, s.cfg.Organisations.History, organisationPublic))
	s.mux.HandleFunc("POST /api/v1/organisations/{id}/members", s.addMember)
	s.mux.HandleFunc("DELETE /api/v1/organisations/{id}/members/{member_id}", command(s, ok, func(o *organisation.Organisation, _ struct{}, cx cmdContext) ([]domain.Event, error) {
		return o.RemoveMember(organisation.RemoveMember{Actor: cx.actor, Now: cx.now, MemberID: cx.path("member_id")})
	}))

	s.mux.HandleFunc("POST /api/v1/campaigns", s.launchCampaign)
	s.mux.HandleFunc("GET /api/v1/campaigns", s.listCampaigns)
	s.mux.HandleFunc("GET /api/v1/campaigns/{id}", s.getCampaign)
	s.mux.HandleFunc("GET /api/v1/campaigns/{id}/history", s.history(campaign.ValidID, s.cfg.Campaigns.History, campaignPublic))
	s.mux.HandleFunc("POST /api/v1/campaigns/{id}/cases", s.linkCase(true))
	s.mux.HandleFunc("DELETE /api/v1/campaigns/{id}/cases/{case_id}", s.linkCase(false))
	s.mux.HandleFunc("POST /api/v1/campaigns/{id}/partners", command(s, ck, func(c *campaign.Campaign, b struct {
		OrganisationID string `json:"organisation_id"`
	}, cx cmdContext) ([]domain.Event, error) {
		if err := s.organisationExists(cx.ctx, b.OrganisationID, "organisation_id", cx.actor); err != nil {
			return nil, err
		}
		return c.JoinPartner(campaign.JoinPartner{Actor: cx.actor, Now: cx.now, OrganisationID: b.OrganisationID})
	}))
	s.mux.HandleFunc("POST /api/v1/campaigns/{id}/activities", command(s, ck, func(c *campaign.Campaign, b struct {
		Kind         campaign.ActivityKind `json:"kind"`
		Title        string                `json:"title"`
		ScheduledFor time.Time             `json:"scheduled_for"`
		Place        string                `json:"place"`
	}, cx cmdContext) ([]domain.Event, error) {
		cx.out.ActivityID = campaign.ActivityPrefix + ulid.Make().String()
		return c.PlanActivity(campaign.PlanActivity{Actor: cx.actor, Now: cx.now, ActivityID: cx.out.ActivityID, Kind: b.Kind,
			Title: b.Title, ScheduledFor: b.ScheduledFor, Place: b.Place})
	}))
	s.mux.HandleFunc("POST /api/v1/campaigns/{id}/activities/{activity_id}/held", command(s, ck, func(c *campaign.Campaign, b struct {
		Attendance campaign.Attendance `json:"attendance"`
		Minutes    string              `json:"minutes"`
	}, cx cmdContext) ([]domain.Event, error) {
		cx.out.ActivityID = cx.path("activity_id")
		return c.HoldActivity(campaign.HoldActivity{Actor: cx.actor, Now: cx.now, ActivityID: cx.out.ActivityID, Attendance: b.Attendance, Minutes: b.Minutes})
	}))
	s.mux.HandleFunc("POST /api/v1/campaigns/{id}/signatures", s.signPetition)
	s.mux.HandleFunc("POST /api/v1/campaigns/{id}/commitments", command(s, ck, func(c *campaign.Campaign, b struct {
		Text  string    `json:"text"`
		DueBy time.Time `json:"due_by"`
	}, cx cmdContext) ([]domain.Event, error) {
		cx.out.CommitmentID = campaign.CommitmentPrefix + ulid.Make().String()
		return c.RecordCommitment(campaign.RecordCommitment{Actor: cx.actor, Now: cx.now, CommitmentID: cx.out.CommitmentID, Text: b.Text, DueBy: b.DueBy})
	}))
	type settleBody struct {
		Note string `json:"note"`
	}
	s.mux.HandleFunc("POST /api/v1/campaigns/{id}/commitments/{commitment_id}/fulfilled", command(s, ck, func(c *campaign.Campaign, b settleBody, cx cmdContext) ([]domain.Event, error) {
		cx.out.CommitmentID = cx.path("commitment_id")
		return c.FulfilCommitment(campaign.FulfilCommitment{Actor: cx.actor, Now: cx.now, CommitmentID: cx.out.CommitmentID, Note: b.Note})
	}))
	s.mux.HandleFunc("POST /api/v1/campaigns/{id}/commitments/{commitment_id}/broken", command(s, ck, func(c *campaign.Campaign, b settleBody, cx cmdContext) ([]domain.Event, error) {
		cx.out.CommitmentID = cx.path("commitment_id")
		return c.BreakCommitment(campaign.BreakCommitment{Actor: cx.actor, Now: cx.now, CommitmentID: cx.out.CommitmentID, Note: b.Note})
	}))
	s.mux.HandleFunc("POST /api/v1/campaigns/{id}/updates", command(s, ck, func(c *campaign.Campaign, b struct {
		Body string `json:"body"`
	}, cx cmdContext) ([]domain.Event, error) {
		return c.PublishUpdate(campaign.PublishUpdate{Actor: cx.actor, Now: cx.now, Body: b.Body})
	}))
	s.mux.HandleFunc("POST /api/v1/campaigns/{id}/close", command(s, ck, func(c *campaign.Campaign, b struct {
		Outcome campaign.Outcome `json:"outcome"`
		Summary string           `json:"summary"`
	}, cx cmdContext) ([]domain.Event, error) {
		return c.Close(campaign.Close{Actor: cx.actor, Now: cx.now, Outcome: b.Outcome, Summary: b.Summary})
	}))
}

// organisationExists checks a reference to an organisation, for staff only:
// others learn nothing from the answer but "forbidden" from the domain.
func (s *Server) organisationExists(ctx context.Context, id, field string, actor domain.Actor) error {
	if !actor.Role.Staff() || id == "" || !organisation.ValidID(id) {
		return nil // the domain refuses the actor or the id itself
	}
	if _, _, err := s.cfg.Organisations.Load(ctx, id); errors.Is(err, domain.ErrNotFound) {
		return domain.Invalid(field, "no such organisation")
	} else if err != nil {
		return err
	}
	return nil
}

// create runs a command that opens a new stream, named with prefix and a
// new ULID; it answers 201.
func create[T, B any](s *Server, w http.ResponseWriter, r *http.Request, k kind[T], prefix string,
	decide func(state *T, body B, cx cmdContext) ([]domain.Event, error)) {
	handle(s, w, r, k, prefix+ulid.Make().String(), true, decide)
}

func (s *Server) registerOrganisation(w http.ResponseWriter, r *http.Request) {
	create(s, w, r, s.organisationKind(), organisation.StreamPrefix, func(o *organisation.Organisation, b struct {
		Name           string            `json:"name"`
		Kind           organisation.Kind `json:"kind"`
		Themes         []directory.Theme `json:"themes"`
		DepartmentCode string            `json:"department_code"`
	}, cx cmdContext) ([]domain.Event, error) {
		return o.Register(s.cfg.Directory, organisation.Register{Actor: cx.actor, Now: cx.now, ID: cx.out.ID, Name: b.Name,
			Kind: b.Kind, Themes: b.Themes, DepartmentCode: b.DepartmentCode})
	})
}

func (s *Server) launchCampaign(w http.ResponseWriter, r *http.Request) {
	create(s, w, r, s.campaignKind(), campaign.StreamPrefix, func(c *campaign.Campaign, b struct {
		Title            string          `json:"title"`
		Demand           string          `json:"demand"`
		Theme            directory.Theme `json:"theme"`
		TargetDepartment string          `json:"target_department"`
		LeadOrganisation string          `json:"lead_organisation"`
	}, cx cmdContext) ([]domain.Event, error) {
		if err := s.organisationExists(cx.ctx, b.LeadOrganisation, "lead_organisation", cx.actor); err != nil {
			return nil, err
		}
		return c.Launch(s.cfg.Directory, campaign.Launch{Actor: cx.actor, Now: cx.now, ID: cx.out.ID, Title: b.Title, Demand: b.Demand,
			Theme: b.Theme, TargetDepartment: b.TargetDepartment, LeadOrganisation: b.LeadOrganisation})
	})
}

// addMember keeps the member's contact details in the vault; the event
// carries only the reference.
func (s *Server) addMember(w http.ResponseWriter, r *http.Request) {
	var subject string
	command(s, s.organisationKind(), func(o *organisation.Organisation, b struct {
		Name  string `json:"name"`
		Phone string `json:"phone"`
		Email string `json:"email"`
		Role  string `json:"role"`
	}, cx cmdContext) ([]domain.Event, error) {
		pd := domain.PersonalData{Name: strings.TrimSpace(b.Name), Phone: strings.TrimSpace(b.Phone), Email: strings.TrimSpace(b.Email)}
		if pd.Name == "" {
			return nil, domain.Invalid("name", "required")
		}
		if err := validatePersonalData(pd); err != nil {
			return nil, err
		}
		// Refuse before storing anything when the actor may not add.
		cx.out.MemberID = organisation.MemberPrefix + ulid.Make().String()
		if _, err := o.AddMember(organisation.AddMember{Actor: cx.actor, Now: cx.now, MemberID: cx.out.MemberID, Role: b.Role, MemberSubject: "subj-check"}); err != nil {
			return nil, err
		}
		// Stored once even when the decision is retried after a race.
		if subject == "" {
			var err error
			if subject, err = s.cfg.Vault.Put(cx.ctx, pd); err != nil {
				return nil, err
			}
		}
		return o.AddMember(organisation.AddMember{Actor: cx.actor, Now: cx.now, MemberID: cx.out.MemberID, Role: b.Role, MemberSubject: subject})
	})(w, r)
}

// signPetition records a signature. The signer's name goes to the vault;
// the event keeps a key derived from the campaign and the name, so the same
// person signs once, and only the count is public.
func (s *Server) signPetition(w http.ResponseWriter, r *http.Request) {
	var subject string
	command(s, s.campaignKind(), func(c *campaign.Campaign, b struct {
		Name     string `json:"name"`
		District string `json:"district"`
	}, cx cmdContext) ([]domain.Event, error) {
		name := strings.Join(strings.Fields(b.Name), " ")
		if len([]rune(name)) > 200 {
			return nil, domain.Invalid("name", "at most 200 characters")
		}
		cmd := campaign.SignPetition{Actor: cx.actor, Now: cx.now, District: b.District, SignerKey: campaign.SignerKey(c.ID, name)}
		if _, err := c.SignPetition(cmd); err != nil {
			return nil, err
		}
		if name != "" && subject == "" {
			// Stored once even when the decision is retried after a race.
			var err error
			if subject, err = s.cfg.Vault.Put(cx.ctx, domain.PersonalData{Name: name}); err != nil {
				return nil, err
			}
		}
		cmd.SignerSubject = subject
		return c.SignPetition(cmd)
	})(w, r)
}

// linkCase links (or unlinks) a case and a campaign: both streams record
// it in one append.
func (s *Server) linkCase(link bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r, actor, err := s.withActor(r)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		raw, err := readBody(r)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		var body struct {
			CaseID string `json:"case_id"`
		}
		if err := decodeStrict(raw, &body); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		id, caseID := r.PathValue("id"), body.CaseID
		if !link {
			caseID = r.PathValue("case_id")
		}
		if !campaign.ValidID(id) {
			s.writeProblem(w, r, domain.ErrNotFound)
			return
		}
		if !casefile.ValidID(caseID) {
			s.writeProblem(w, r, domain.Invalid("case_id", "not a case id"))
			return
		}
		opts, ok := s.commandOptions(w, r, actor, raw)
		if !ok {
			return
		}
		now := s.now()
		out := &commandResponse{ID: id}
		if opts.Idempotency != nil {
			opts.Idempotency.ResponseFunc = func(o domain.Outcome) (domain.Response, error) {
				resp := *out
				resp.Version, resp.Position = o.Version, o.Position
				return jsonResponse(http.StatusOK, resp)
			}
		}
		res, err := s.cfg.Linker.Link(r.Context(), id, caseID, opts, func(c *campaign.Campaign, k *casefile.Case) ([]domain.Event, []domain.Event, error) {
			var (
				evC, evK []domain.Event
				err      error
			)
			if link {
				evC, err = c.LinkCase(campaign.LinkCase{Actor: actor, Now: now, CaseID: caseID})
				if err == nil {
					evK, err = k.LinkCampaign(casefile.LinkCampaign{Actor: actor, Now: now, CampaignID: id})
				}
			} else {
				evC, err = c.UnlinkCase(campaign.UnlinkCase{Actor: actor, Now: now, CaseID: caseID})
				if err == nil && slicesContains(k.CampaignIDs, id) {
					evK, err = k.UnlinkCampaign(casefile.UnlinkCampaign{Actor: actor, Now: now, CampaignID: id})
				}
			}
			for _, e := range evC {
				c.Apply(e)
			}
			out.Status = string(c.Status)
			return evC, evK, err
		})
		if errors.Is(err, domain.ErrNotFound) && !strings.Contains(err.Error(), id) {
			err = domain.Invalid("case_id", "no such case")
		}
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		if res.Replayed != nil {
			writeStored(w, *res.Replayed)
			return
		}
		out.Version, out.Position = res.Version, res.Position
		w.Header().Set("ETag", etag(res.Version))
		writeJSON(w, http.StatusOK, out)
	}
}

func slicesContains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// campaignView is a campaign as API.md shows it, with its tracker figures.
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
		Updates: c.Updates, LastUpdate: c.LastUpdate, Outcome: string(c.Outcome), Summary: c.Summary,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Version: c.Version,
		ActivityList: []activityView{}, CommitmentList: []commitmentView{},
	}
	made, fulfilled, broken, overdue := c.CommitmentCounts(now)
	v.Commitments = commitmentCounts{Made: made, Fulfilled: fulfilled, Broken: broken, Overdue: overdue}
	for _, a := range c.Activities {
		av := activityView{ID: a.ID, Kind: string(a.Kind), Title: a.Title, ScheduledFor: a.ScheduledFor, Place: a.Place, Held: a.Held}
		if a.Held {
			att := a.Attendance
			av.Attendance = &att
			v.ActivitiesHeld++
		}
		v.ActivityList = append(v.ActivityList, av)
	}
	sort.Slice(v.ActivityList, func(i, j int) bool { return v.ActivityList[i].ScheduledFor.Before(v.ActivityList[j].ScheduledFor) })
	for _, cm := range c.Commitments {
		v.CommitmentList = append(v.CommitmentList, commitmentView{ID: cm.ID, Text: cm.Text, DueBy: cm.DueBy, State: string(cm.State),
			Overdue: cm.State == campaign.CommitmentStateOpen && now.After(cm.DueBy)})
	}
	sort.Slice(v.CommitmentList, func(i, j int) bool { return v.CommitmentList[i].DueBy.Before(v.CommitmentList[j].DueBy) })
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
