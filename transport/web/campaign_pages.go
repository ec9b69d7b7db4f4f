package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/projections/network"
)

// campaignStatuses are the statuses the campaign list filters by.
var campaignStatuses = [...]campaign.Status{campaign.StatusActive, campaign.StatusClosed}

// campaignRoutes registers the public campaign pages ("Pages" in the API contract):
// the list and one campaign's page with its tracker and public timeline.
// Like the campaign API, they exist only when campaigns are stored.
func (s *Server) campaignRoutes() {
	if s.cfg.Campaigns == nil || s.cfg.Network == nil {
		return
	}
	s.mux.HandleFunc("GET /campaigns", s.campaignsPage)
	s.mux.HandleFunc("GET /campaigns/{id}", s.campaignPage)
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

// commitmentCounts are a campaign's commitments by fate.
type commitmentCounts struct {
	Made, Fulfilled, Broken, Overdue int
}

// newCampaignItem reads the tracker's figures off c; how many of its cases
// are resolved comes from the case list, so it follows the cases live.
func (s *Server) newCampaignItem(ctx context.Context, d *pageData, c *campaign.Campaign, now time.Time) (campaignItem, error) {
	it := campaignItem{
		ID: c.ID, Href: d.Link("/campaigns/" + c.ID), Title: c.Title, Theme: d.themeName(string(c.Theme)),
		Status: string(c.Status), StatusName: d.T("campaign.status." + string(c.Status)),
		CasesTotal: len(c.CaseIDs), Signatures: c.Signatures,
	}
	k := &it.Commitments
	k.Made, k.Fulfilled, k.Broken, k.Overdue = c.CommitmentCounts(now)
	if len(c.CaseIDs) > 0 {
		n, err := s.cfg.Resolved.CountResolved(ctx, c.CaseIDs)
		if err != nil {
			return it, err
		}
		it.CasesResolved = n
	}
	return it, nil
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
func (s *Server) campaignsPage(w http.ResponseWriter, r *http.Request) {
	d := s.data(r, "campaigns")
	d.Title = d.T("campaigns.title")
	status := r.URL.Query().Get("status")
	known := false
	for _, s := range campaignStatuses {
		known = known || string(s) == status
	}
	if !known {
		status = ""
	}
	list, err := s.cfg.Network.Campaigns(r.Context(), network.CampaignFilter{Status: status, Limit: network.MaxLimit})
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	body := campaignsBody{Filters: []filterLink{{Name: d.T("campaigns.all"), Href: d.statusLink(""), Current: status == ""}}}
	for _, s := range campaignStatuses {
		body.Filters = append(body.Filters, filterLink{Name: d.T("campaign.status." + string(s)), Href: d.statusLink(string(s)), Current: status == string(s)})
	}
	now := s.now()
	for i := range list.Items {
		it, err := s.newCampaignItem(r.Context(), d, &list.Items[i], now)
		if err != nil {
			s.fail(w, r, d, err)
			return
		}
		body.Items = append(body.Items, it)
	}
	d.Body = body
	s.render(w, r, http.StatusOK, "campaigns", d)
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
	Find                                 campaignFind
}

// NotePrefix names the messages of the campaign page's timeline section.
func (campaignBody) NotePrefix() string { return "campaign" }

// campaignPage shows a campaign, its tracker and its public timeline, as
// GET /api/v1/campaigns/{id}/history shows it to the anonymous public.
// Signers and members are never named: the view carries only counts.
func (s *Server) campaignPage(w http.ResponseWriter, r *http.Request) {
	d := s.data(r, "campaigns")
	id := r.PathValue("id")
	if !campaign.ValidID(id) {
		s.renderError(w, r, d, http.StatusNotFound, "not_found")
		return
	}
	s.showCampaign(w, r, d, http.StatusOK, id, petitionInput{}, nil, "")
}

// showCampaign renders the page of campaign id with status, and the
// petition's form as posted (in, its errors errs and refusal) when it was
// refused.
func (s *Server) showCampaign(w http.ResponseWriter, r *http.Request, d *pageData, status int, id string, in petitionInput, errs map[string]string, refusal string) {
	c, _, err := s.cfg.Campaigns.Load(r.Context(), id)
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	h, err := s.cfg.Campaigns.History(r.Context(), id)
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	public, err := h.For(domain.Anonymous, campaign.Decode, campaign.Redact)
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	now := s.now()
	item, err := s.newCampaignItem(r.Context(), d, c, now)
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	body := campaignBody{
		campaignItem: item, Demand: c.Demand, Department: d.departmentName(c.TargetDepartment),
		Summary: c.Summary, Activities: len(c.Activities), ActivitiesHeld: c.ActivitiesHeld(), Attendance: c.Attendance(),
		Launched: d.stamp(c.CreatedAt), Verified: public.Verified, Timeline: d.campaignTimeline(public.Events),
	}
	if c.Outcome != "" {
		body.Outcome = d.T("campaign.outcome." + string(c.Outcome))
	}
	for _, a := range c.ActivitiesByDate() {
		it := activityItem{Kind: d.T("activity." + string(a.Kind)), Title: a.Title, Place: a.Place, Scheduled: d.stamp(a.ScheduledFor), Held: a.Held}
		if a.Held {
			it.Attendance = &a.Attendance
		}
		body.ActivityList = append(body.ActivityList, it)
	}
	for _, k := range c.CommitmentsByDue() {
		body.CommitmentList = append(body.CommitmentList, commitmentItem{
			Text: k.Text, State: string(k.State), StateName: d.T("commitment." + string(k.State)), Due: d.stamp(k.DueBy), Overdue: k.Overdue(now),
		})
	}
	if body.Find, err = s.campaignFind(r.Context(), d, c, body.Timeline, d.campaignNotice(r), in, errs, refusal); err != nil {
		s.fail(w, r, d, err)
		return
	}
	d.Title = c.Title
	d.setPreview(r, c.Title, c.Demand)
	d.Feeds = []feedLink{{Title: c.Title, URL: "/feeds/campaigns/" + url.PathEscape(c.ID) + ".atom"}}
	d.Body = body
	s.render(w, r, status, "campaign", d)
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
	Count   int    `json:"count"`
}

// campaignTimeline is a campaign's timeline; signatures collapse.
func (d *pageData) campaignTimeline(events []domain.Recorded) []timelineItem {
	return d.timelineOf(events, campaign.TypePetitionSigned, "event.PetitionSignedMany", func(e domain.Recorded, it *timelineItem) {
		var f campaignEventFields
		_ = json.Unmarshal(e.Data, &f) // a field of another shape is simply not shown
		if e.Type != campaign.TypeCampaignLaunched {
			it.Text = firstNonEmpty(f.Note, f.Body, f.Summary, f.Minutes, f.Text, f.Title)
		}
		if f.CaseID != "" {
			it.Details = append(it.Details, detail{Label: d.T("tl.into"), Value: f.CaseID, Href: d.Link("/cases/" + f.CaseID)})
		}
		if f.Outcome != "" {
			it.Details = append(it.Details, detail{Label: d.T("campaign.outcome"), Value: d.T("campaign.outcome." + f.Outcome)})
		}
		if e.Type == campaign.TypePaperSignaturesRecorded {
			it.Label = d.Tf("event.PaperSignaturesRecordedCount", f.Count)
		}
	})
}
