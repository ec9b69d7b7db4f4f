package api

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/projections/network"
)

// campaignStatuses are the statuses the campaign list filters by.
var campaignStatuses = [...]campaign.Status{campaign.StatusActive, campaign.StatusClosed}

// campaignRoutes registers the public campaign pages of API.md ("Pages"):
// the list and one campaign's page with its tracker and public timeline.
// Like the campaign API, they exist only when campaigns are stored.
func (p *pages) campaignRoutes() {
	if p.s.cfg.Campaigns == nil || p.s.cfg.Network == nil {
		return
	}
	for _, name := range []string{"campaigns", "campaign"} {
		t, err := template.ParseFS(webFS, "web/templates/layout.html", "web/templates/"+name+".html")
		if err != nil {
			panic(fmt.Sprintf("api: pages: parse %s: %v", name, err))
		}
		p.templates[name] = t
	}
	p.s.mux.HandleFunc("GET /campaigns", p.campaignsPage)
	p.s.mux.HandleFunc("GET /campaigns/{id}", p.campaignPage)
}

// statusLink returns the list filtered by status, carrying the page's
// language when the visitor chose it.
func (d *pageData) statusLink(status string) string {
	path := "/campaigns"
	if status != "" {
		path += "?status=" + status
		if d.query != "" {
			return path + "&lang=" + d.Lang
		}
		return path
	}
	return d.Link(path)
}

func (d *pageData) themeName(theme string) string { return d.T("theme." + theme) }

// campaignItem is a campaign as the list shows it.
type campaignItem struct {
	ID, Href, Title, Theme, Status, StatusName string
	CasesTotal, CasesResolved, Signatures      int
	Commitments                                commitmentCounts
}

func (d *pageData) newCampaignItem(v campaignView) campaignItem {
	return campaignItem{
		ID: v.ID, Href: d.Link("/campaigns/" + v.ID), Title: v.Title, Theme: d.themeName(v.Theme),
		Status: v.Status, StatusName: d.T("campaign.status." + v.Status),
		CasesTotal: v.CasesTotal, CasesResolved: v.CasesResolved, Signatures: v.Signatures, Commitments: v.Commitments,
	}
}

// filterLink is one entry of the list's status filter.
type filterLink struct {
	Name, Href string
	Current    bool
}

type campaignsBody struct {
	Filters []filterLink
	Items   []campaignItem
}

// campaignsPage lists the campaigns, newest first as the network read
// model orders them, optionally by status.
func (p *pages) campaignsPage(w http.ResponseWriter, r *http.Request) {
	d := p.data(r, "campaigns")
	d.Title = d.T("campaigns.title")
	status := r.URL.Query().Get("status")
	known := false
	for _, s := range campaignStatuses {
		known = known || string(s) == status
	}
	if !known {
		status = ""
	}
	list, err := p.s.cfg.Network.Campaigns(r.Context(), network.CampaignFilter{Status: status, Limit: network.MaxLimit})
	if err != nil {
		p.fail(w, r, d, err)
		return
	}
	body := campaignsBody{Filters: []filterLink{{Name: d.T("campaigns.all"), Href: d.statusLink(""), Current: status == ""}}}
	for _, s := range campaignStatuses {
		body.Filters = append(body.Filters, filterLink{Name: d.T("campaign.status." + string(s)), Href: d.statusLink(string(s)), Current: status == string(s)})
	}
	now := p.s.now()
	for i := range list.Items {
		v, err := p.s.newCampaignView(r.Context(), &list.Items[i], now)
		if err != nil {
			p.fail(w, r, d, err)
			return
		}
		body.Items = append(body.Items, d.newCampaignItem(v))
	}
	d.Body = body
	p.render(w, r, http.StatusOK, "campaigns", d)
}

// activityItem is one activity as the campaign page shows it.
type activityItem struct {
	Kind, Title, Place string
	Scheduled          stamp
	Held               bool
	Attendance         *campaign.Attendance
}

// commitmentItem is one commitment as the campaign page shows it.
type commitmentItem struct {
	Text, State, StateName string
	Due                    stamp
	Overdue                bool
}

type campaignBody struct {
	campaignItem
	Demand, Department, Outcome, Summary string
	Activities, ActivitiesHeld           int
	Attendance                           campaign.Attendance
	ActivityList                         []activityItem
	CommitmentList                       []commitmentItem
	Launched                             stamp
	Verified                             bool
	Timeline                             []timelineItem
}

// campaignPage shows a campaign, its tracker and its public timeline, as
// GET /api/v1/campaigns/{id}/history shows it to the anonymous public.
// Signers and members are never named: the view carries only counts.
func (p *pages) campaignPage(w http.ResponseWriter, r *http.Request) {
	d := p.data(r, "campaigns")
	id := r.PathValue("id")
	if !campaign.ValidID(id) {
		p.renderError(w, r, d, http.StatusNotFound, "not_found")
		return
	}
	c, _, err := p.s.cfg.Campaigns.Load(r.Context(), id)
	if err != nil {
		p.fail(w, r, d, err)
		return
	}
	h, err := p.s.cfg.Campaigns.History(r.Context(), id)
	if err != nil {
		p.fail(w, r, d, err)
		return
	}
	hv, err := newHistoryView(h, domain.Anonymous, campaignPublic)
	if err != nil {
		p.fail(w, r, d, err)
		return
	}
	v, err := p.s.newCampaignView(r.Context(), c, p.s.now())
	if err != nil {
		p.fail(w, r, d, err)
		return
	}
	body := campaignBody{
		campaignItem: d.newCampaignItem(v), Demand: v.Demand, Department: d.departmentName(v.TargetDepartment),
		Summary: v.Summary, Activities: v.Activities, ActivitiesHeld: v.ActivitiesHeld, Attendance: v.Attendance,
		Launched: newStamp(v.CreatedAt), Verified: hv.Verified, Timeline: d.campaignTimeline(hv.Events),
	}
	if v.Outcome != "" {
		body.Outcome = d.T("campaign.outcome." + v.Outcome)
	}
	for _, a := range v.ActivityList {
		body.ActivityList = append(body.ActivityList, activityItem{
			Kind: d.T("activity." + a.Kind), Title: a.Title, Place: a.Place, Scheduled: newStamp(a.ScheduledFor),
			Held: a.Held, Attendance: a.Attendance,
		})
	}
	for _, cm := range v.CommitmentList {
		body.CommitmentList = append(body.CommitmentList, commitmentItem{
			Text: cm.Text, State: cm.State, StateName: d.T("commitment." + cm.State), Due: newStamp(cm.DueBy), Overdue: cm.Overdue,
		})
	}
	d.Title = v.Title
	d.Body = body
	p.render(w, r, http.StatusOK, "campaign", d)
}

// campaignEventFields are the public fields of campaign events that the
// timeline shows. Signers' keys and vault references are redacted from the
// history already and have no field here.
type campaignEventFields struct {
	Note    string `json:"note"`
	Body    string `json:"body"`
	Summary string `json:"summary"`
	Minutes string `json:"minutes"`
	Text    string `json:"text"`
	Title   string `json:"title"`
	CaseID  string `json:"case_id"`
	Outcome string `json:"outcome"`
}

// campaignTimeline is a campaign's timeline; signatures collapse.
func (d *pageData) campaignTimeline(events []historyEvent) []timelineItem {
	return d.timelineOf(events, EventName(campaign.TypePetitionSigned), "event.PetitionSignedMany", func(e historyEvent, it *timelineItem) {
		var f campaignEventFields
		_ = json.Unmarshal(e.Data, &f) // a field of another shape is simply not shown
		if e.Type != EventName(campaign.TypeCampaignLaunched) {
			it.Text = firstNonEmpty(f.Note, f.Body, f.Summary, f.Minutes, f.Text, f.Title)
		}
		if f.CaseID != "" {
			it.Details = append(it.Details, detail{Label: d.T("tl.into"), Value: f.CaseID, Href: d.Link("/cases/" + f.CaseID)})
		}
		if f.Outcome != "" {
			it.Details = append(it.Details, detail{Label: d.T("campaign.outcome"), Value: d.T("campaign.outcome." + f.Outcome)})
		}
	})
}
