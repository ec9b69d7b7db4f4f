package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/domain/organisation"
	"github.com/citizenhouse/bayt/projections/network"
)

var organisationKinds = [...]organisation.Kind{
	organisation.KindAssociation, organisation.KindInstitution, organisation.KindPrivateSector, organisation.KindMunicipalDepartment,
}

// organisationDone are the notices an organisation's page shows after a
// form succeeded.
var organisationDone = [...]string{"register", "member", "remove"}

// consoleOrganisationRoutes registers the register of the network's
// organisations and each one's page with its members, for advocates and
// admins: the people who keep the register, and the only ones who may read
// a member's contact details.
func (s *Server) consoleOrganisationRoutes() {
	s.mux.HandleFunc("GET /console/organisations", s.staffOnly(advocates, s.consoleOrganisations))
	s.mux.HandleFunc("POST /console/organisations", s.staffOnly(advocates, s.registerOrganisation))
	s.mux.HandleFunc("GET /console/organisations/{id}", s.staffOnly(advocates, s.organisationPage))
	svc := s.cfg.OrganisationService
	s.mux.HandleFunc("POST /console/organisations/{id}/members", s.staffOnly(advocates, s.organisationAction("member",
		func(*http.Request) string { return "member" },
		func(r *http.Request, id string, actor domain.Actor, opts domain.UpdateOptions) error {
			f := r.PostForm
			_, err := svc.AddMember(r.Context(), id, organisation.AddMember{Actor: actor, Role: f.Get("role")},
				domain.PersonalData{Name: f.Get("name"), Phone: f.Get("phone"), Email: f.Get("email")}, opts)
			return err
		})))
	s.mux.HandleFunc("POST /console/organisations/{id}/members/{member_id}/remove", s.staffOnly(advocates, s.organisationAction("remove",
		func(r *http.Request) string { return "remove:" + r.PathValue("member_id") },
		func(r *http.Request, id string, actor domain.Actor, opts domain.UpdateOptions) error {
			_, err := svc.RemoveMember(r.Context(), id, organisation.RemoveMember{Actor: actor, MemberID: r.PathValue("member_id")}, opts)
			return err
		})))
}

// organisationAction runs one form of an organisation's page, as
// campaignAction does for a campaign.
func (s *Server) organisationAction(done string, form func(*http.Request) string,
	run func(r *http.Request, id string, actor domain.Actor, opts domain.UpdateOptions) error) staffHandler {
	return func(w http.ResponseWriter, r *http.Request, d *pageData, sr staffRequest) {
		d.Nav = "organisations"
		id := r.PathValue("id")
		if !organisation.ValidID(id) {
			s.renderError(w, r, d, http.StatusNotFound, "not_found")
			return
		}
		opts, ok := formVersion(r.PostForm)
		if !ok {
			s.renderError(w, r, d, http.StatusBadRequest, "bad")
			return
		}
		err := run(r, id, sr.actor, opts)
		if err == nil {
			consoleRedirect(w, r, d, "/console/organisations/"+id, url.Values{"done": {done}})
			return
		}
		ref, status, ok := d.netRefusalOf(err, form(r), "corg", r.PostForm)
		if !ok {
			s.failNetwork(w, r, d, err)
			return
		}
		s.showOrganisation(w, r, d, sr, id, status, ref)
	}
}

// organisationRow is an organisation as the register lists it.
type organisationRow struct {
	ID, Href, Name, Kind string
	Themes               []string
	Members              int
}

type organisationsBody struct {
	Items    []organisationRow
	Register *netForm
	Notice   string
	Refusal  []string
}

func (d *pageData) kindName(k organisation.Kind) string { return d.T("corg.kind." + string(k)) }

func (d *pageData) themeNames(themes []directory.Theme) []string {
	var out []string
	for _, t := range themes {
		out = append(out, d.themeName(string(t)))
	}
	return out
}

// consoleOrganisations lists the network's organisations by name, and the
// form that registers one.
func (s *Server) consoleOrganisations(w http.ResponseWriter, r *http.Request, d *pageData, _ staffRequest) {
	s.showOrganisations(w, r, d, http.StatusOK, nil)
}

func (s *Server) showOrganisations(w http.ResponseWriter, r *http.Request, d *pageData, status int, ref *netRefusal) {
	d.Title, d.Nav = d.T("corg.list.title"), "organisations"
	orgs, err := s.cfg.Network.Organisations(r.Context(), "")
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	body := organisationsBody{Refusal: ref.Summary()}
	for _, o := range orgs {
		body.Items = append(body.Items, organisationRow{
			ID: o.ID, Href: d.Link("/console/organisations/" + o.ID), Name: o.Name, Kind: d.kindName(o.Kind),
			Themes: d.themeNames(o.Themes), Members: len(o.Members),
		})
	}
	f := d.newNetForm("register", "/console/organisations", 0, "corg.register.submit", ref)
	f.Hidden = append(f.Hidden, hiddenField{Name: "form_key", Value: formKeyOf(ref)})
	f.field(ref, "name", "corg.field.name", "text", "", organisation.MaxName, true)
	kinds := []option{{Value: "", Label: d.T("cw.choose")}}
	for _, k := range organisationKinds {
		kinds = append(kinds, option{Value: string(k), Label: d.kindName(k)})
	}
	f.choice(ref, "kind", "corg.field.kind", "", true, kinds)
	themes := checkGroup{Name: "themes", ID: f.ID + "-themes", Legend: d.T("corg.field.themes")}
	var chosen []string
	if f.refused(ref) {
		chosen = ref.Values["themes"]
		if msg := ref.Fields["themes"]; msg != "" {
			themes.Error = msg
			ref.markShown("themes")
		}
	}
	for _, t := range campaignThemes {
		themes.Options = append(themes.Options, option{Value: string(t), Label: d.themeName(string(t)), Selected: slices.Contains(chosen, string(t))})
	}
	f.Checks = append(f.Checks, themes)
	deps := []option{{Value: "", Label: d.T("corg.no_department")}}
	for _, dep := range s.cfg.Directory.Departments() {
		deps = append(deps, option{Value: dep.Code, Label: dep.Name.In(d.Lang)})
	}
	f.choice(ref, "department_code", "corg.field.department_code", "", false, deps)
	body.Register = f.finish(ref)
	d.Body = body
	s.render(w, r, status, "console-organisations", d)
}

// registerOrganisation registers an organisation from the register's
// form: 303 to its page, or the register again with the reasons.
func (s *Server) registerOrganisation(w http.ResponseWriter, r *http.Request, d *pageData, sr staffRequest) {
	f := r.PostForm
	opts, created, err := s.creationOpts(r, "console.organisation_register")
	if err == nil && created == "" {
		var themes []directory.Theme
		for _, t := range f["themes"] {
			themes = append(themes, directory.Theme(t))
		}
		var out domain.Outcome
		out, err = s.cfg.OrganisationService.Register(r.Context(), organisation.Register{
			Actor: sr.actor, Name: f.Get("name"), Kind: organisation.Kind(f.Get("kind")), Themes: themes,
			DepartmentCode: f.Get("department_code"),
		}, opts)
		created, err = createdID(out, err)
	}
	if err == nil {
		consoleRedirect(w, r, d, "/console/organisations/"+created, url.Values{"done": {"register"}})
		return
	}
	ref, status, ok := d.netRefusalOf(err, "register", "corg", f)
	if !ok {
		s.fail(w, r, d, err)
		return
	}
	s.showOrganisations(w, r, d, status, ref)
}

// memberRow is a member with their contact details from the vault.
type memberRow struct {
	ID, Role, Name, Phone, Email string
	Erased                       bool
	Added                        stamp
	Remove                       *netForm
}

// organisationCampaign is a campaign the organisation leads or joined.
type organisationCampaign struct {
	Href, Title, StatusName, Status string
}

type organisationBody struct {
	ID, Name, Kind, Department string
	Themes                     []string
	Created                    stamp
	Members                    []memberRow
	Campaigns                  []organisationCampaign
	AddMember                  *netForm
	Notice                     string
	Refusal                    []string
	Verified                   bool
	Timeline                   []timelineItem
}

// NotePrefix names the messages of the page's timeline section.
func (organisationBody) NotePrefix() string { return "corg" }

// organisationPage shows an organisation: its details, its members with
// their contact details, the campaigns it takes part in, and its verified
// timeline.
func (s *Server) organisationPage(w http.ResponseWriter, r *http.Request, d *pageData, sr staffRequest) {
	id := r.PathValue("id")
	if !organisation.ValidID(id) {
		s.renderError(w, r, d, http.StatusNotFound, "not_found")
		return
	}
	s.showOrganisation(w, r, d, sr, id, http.StatusOK, nil)
}

func (s *Server) showOrganisation(w http.ResponseWriter, r *http.Request, d *pageData, sr staffRequest, id string, status int, ref *netRefusal) {
	d.Nav = "organisations"
	ctx := r.Context()
	o, version, err := s.cfg.Organisations.Load(ctx, id)
	if err == nil && !o.Registered() {
		err = domain.NotFound(id)
	}
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	h, err := s.cfg.Organisations.History(ctx, id)
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	shown, err := h.For(sr.actor, organisation.Decode, organisation.Redact)
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	camps, err := s.cfg.Network.Campaigns(ctx, network.CampaignFilter{Organisation: id, Limit: network.MaxLimit})
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	base := "/console/organisations/" + id
	body := organisationBody{
		ID: o.ID, Name: o.Name, Kind: d.kindName(o.Kind), Themes: d.themeNames(o.Themes), Created: d.stamp(o.CreatedAt),
		Refusal: ref.Summary(), Verified: shown.Verified, Timeline: d.organisationTimeline(shown.Events),
	}
	if o.DepartmentCode != "" {
		body.Department = d.departmentName(o.DepartmentCode)
	}
	if done := r.URL.Query().Get("done"); ref == nil && slices.Contains(organisationDone[:], done) {
		body.Notice = d.T("corg.done." + done)
	}
	for _, m := range o.Members {
		row := memberRow{ID: m.ID, Role: m.Role, Added: d.stamp(m.AddedAt)}
		pd, err := s.cfg.Vault.Get(ctx, m.Subject)
		switch {
		case err == nil:
			row.Name, row.Phone, row.Email = pd.Name, pd.Phone, pd.Email
		case errors.Is(err, domain.ErrErased), errors.Is(err, domain.ErrNotFound):
			row.Erased = true
		default:
			s.fail(w, r, d, err)
			return
		}
		row.Remove = d.newNetForm("remove:"+m.ID, base+"/members/"+m.ID+"/remove", version, "corg.remove.submit", ref).finish(ref)
		body.Members = append(body.Members, row)
	}
	for _, c := range camps.Items {
		body.Campaigns = append(body.Campaigns, organisationCampaign{Href: d.Link("/console/campaigns/" + c.ID), Title: c.Title,
			Status: string(c.Status), StatusName: d.T("campaign.status." + string(c.Status))})
	}
	f := d.newNetForm("member", base+"/members", version, "corg.member.submit", ref)
	f.field(ref, "name", "corg.field.member_name", "text", "", maxName, true)
	f.field(ref, "phone", "corg.field.phone", "tel", "", maxPhone, false)
	f.field(ref, "email", "corg.field.email", "email", "", maxEmail, false)
	f.field(ref, "role", "corg.field.role", "text", "", organisation.MaxRole, false)
	body.AddMember = f.finish(ref)
	d.Title = o.Name
	d.Body = body
	s.render(w, r, status, "console-organisation", d)
}

// organisationEventFields are the public fields of organisation events
// the timeline shows; a member's vault reference is redacted already.
type organisationEventFields struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// organisationTimeline is an organisation's timeline.
func (d *pageData) organisationTimeline(events []domain.Recorded) []timelineItem {
	return d.timelineOf(events, "", "", func(e domain.Recorded, it *timelineItem) {
		var f organisationEventFields
		_ = json.Unmarshal(e.Data, &f) // a field of another shape is simply not shown
		it.Text = firstNonEmpty(f.Name, f.Role)
	})
}
