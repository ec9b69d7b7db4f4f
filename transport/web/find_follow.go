package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/projections/caselist"
	"github.com/citizenhouse/bayt/transport"
)

// titledLink is a case or a campaign another page links to, by its title.
type titledLink struct {
	Title, Href string
}

// caseFind is what a case page shows to find and follow it: "me too", the
// campaigns that took it up, and the notice of a form just sent.
type caseFind struct {
	// SupportAction is where "me too" posts; "" when the case no longer
	// takes supports.
	SupportAction string
	// Notice thanks for a support; Refusal says why one was refused.
	Notice, Refusal string
	Campaigns       []titledLink
}

// supportable are the statuses in which a case takes supports.
var supportable = []casefile.Status{
	casefile.StatusReported, casefile.StatusTriaged, casefile.StatusForwarded,
	casefile.StatusAcknowledged, casefile.StatusInProgress, casefile.StatusResolved,
}

// caseFind gathers what the case page of c shows to find and follow it,
// and names the campaigns of its timeline by their titles.
func (s *Server) caseFind(ctx context.Context, d *pageData, c *casefile.Case, timeline []timelineItem, notice, refusal string) (caseFind, error) {
	f := caseFind{Notice: notice, Refusal: refusal}
	if slices.Contains(supportable, c.Status) {
		f.SupportAction = d.Link("/cases/" + c.ID + "/support")
	}
	titles, err := s.campaignTitles(ctx, d, c.CampaignIDs, timeline)
	if err != nil {
		return f, err
	}
	for _, id := range c.CampaignIDs {
		if t, ok := titles[id]; ok {
			f.Campaigns = append(f.Campaigns, t)
		}
	}
	return f, nil
}

// campaignTitles reads the titles of the campaigns linked to a case now
// (ids) and once (named in timeline), and writes them into the timeline in
// place of their ids.
func (s *Server) campaignTitles(ctx context.Context, d *pageData, ids []string, timeline []timelineItem) (map[string]titledLink, error) {
	if s.cfg.Campaigns == nil {
		return nil, nil
	}
	titles := map[string]titledLink{}
	title := func(id string) (titledLink, bool, error) {
		if t, ok := titles[id]; ok {
			return t, true, nil
		}
		c, _, err := s.cfg.Campaigns.Load(ctx, id)
		if errors.Is(err, domain.ErrNotFound) {
			return titledLink{}, false, nil
		}
		if err != nil {
			return titledLink{}, false, err
		}
		t := titledLink{Title: c.Title, Href: d.Link("/campaigns/" + id)}
		titles[id] = t
		return t, true, nil
	}
	for _, id := range ids {
		if _, _, err := title(id); err != nil {
			return nil, err
		}
	}
	for i := range timeline {
		for j := range timeline[i].Details {
			dt := &timeline[i].Details[j]
			if dt.Href != "" || !campaign.ValidID(dt.Value) {
				continue
			}
			t, ok, err := title(dt.Value)
			if err != nil {
				return nil, err
			}
			if ok {
				dt.Value, dt.Href = t.Title, t.Href
			}
		}
	}
	return titles, nil
}

// caseNotice is the notice of the form that sent the visitor back to a
// case page.
func (d *pageData) caseNotice(r *http.Request) string {
	if r.URL.Query().Get("supported") != "" {
		return d.T("find.support.done")
	}
	return ""
}

// supportCase is "me too" from the case page: a plain form, counted once
// per person through casefile.Service.Support exactly as POST
// /api/v1/cases/{id}/support counts it (the client's address and the
// browser's supporter cookie), then 303 back to the case page. A repeat
// is answered as a first support. Like the report form, it is refused
// from another site, and counts against the anonymous write limit.
func (s *Server) supportCase(w http.ResponseWriter, r *http.Request) {
	d := s.data(r, "")
	id := r.PathValue("id")
	if !s.publicForm(w, r, d) {
		return
	}
	if !casefile.ValidID(id) {
		s.renderError(w, r, d, http.StatusNotFound, "not_found")
		return
	}
	_, err := s.cfg.CaseService.Support(r.Context(), id, casefile.Support{Actor: domain.Anonymous},
		transport.ClientAddress(r), transport.SupporterID(w, r), domain.UpdateOptions{IfMatch: domain.AnyVersion})
	var tr *domain.TransitionError
	switch {
	case err == nil:
		consoleRedirect(w, r, d, "/cases/"+id, url.Values{"supported": {"1"}})
	case errors.As(err, &tr):
		s.showCase(w, r, d, http.StatusConflict, id, "", d.Tf("find.support.refused", d.statusName(casefile.Status(tr.Status))))
	default:
		s.fail(w, r, d, err)
	}
}

// publicForm checks an anonymous form post as the report form does: from
// this site, readable, within the anonymous write limit. It answers and
// returns false otherwise.
func (s *Server) publicForm(w http.ResponseWriter, r *http.Request, d *pageData) bool {
	if !s.crossSite.FormAllowed(r) {
		s.renderError(w, r, d, http.StatusForbidden, "forbidden")
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, transport.MaxBody)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.renderError(w, r, d, http.StatusRequestEntityTooLarge, "bad")
			return false
		}
		s.renderError(w, r, d, http.StatusBadRequest, "bad")
		return false
	}
	if !s.cfg.WriteLimit.Allow(r, s.now()) {
		s.renderError(w, r, d, http.StatusTooManyRequests, "find_rate")
		return false
	}
	return true
}

// campaignFind is what a campaign page shows to follow and support it:
// its cases by title, and the petition's form.
type campaignFind struct {
	Cases []caseItem
	// Petition is nil when the campaign no longer takes signatures.
	Petition *petitionForm
	Notice   string
}

// petitionForm is the form that signs a campaign's petition.
type petitionForm struct {
	Action, Key string
	Fields      []formField
	Errors      []fieldError
	// Refusal says why the form just sent was refused.
	Refusal string
}

// petitionInput is the petition's form as posted.
type petitionInput struct {
	Name, District, Key string
}

// campaignFind gathers what the page of c shows to follow and support it,
// and names the cases of its timeline by their titles. in and errs are
// the petition's form as posted and its errors, when it was refused.
func (s *Server) campaignFind(ctx context.Context, d *pageData, c *campaign.Campaign, timeline []timelineItem, notice string, in petitionInput, errs map[string]string, refusal string) (campaignFind, error) {
	f := campaignFind{Notice: notice}
	if len(c.CaseIDs) > 0 {
		// The cases the public may read, newest first; a hidden one is
		// left out, and keeps its bare id in the timeline.
		page, err := s.cfg.CaseList.List(ctx, caselist.Filter{IDs: c.CaseIDs, Limit: caselist.MaxLimit, Now: s.now()})
		if err != nil {
			return f, err
		}
		now := s.now()
		titles := map[string]string{}
		for i := range page.Items {
			f.Cases = append(f.Cases, d.newCaseItem(&page.Items[i], now))
			titles[page.Items[i].ID] = page.Items[i].Title
		}
		for i := range timeline {
			for j := range timeline[i].Details {
				if t, ok := titles[timeline[i].Details[j].Value]; ok {
					timeline[i].Details[j].Value = t
				}
			}
		}
	}
	if c.Status == campaign.StatusActive && s.cfg.CampaignService != nil {
		if in.Key == "" {
			in.Key = newFormKey()
		}
		p := &petitionForm{Action: d.Link("/campaigns/" + c.ID + "/signatures"), Key: in.Key, Refusal: refusal}
		for _, spec := range []struct {
			name, value, autocomplete string
			max                       int
		}{{"name", in.Name, "name", maxName}, {"district", in.District, "address-level3", campaign.MaxDistrict}} {
			fld := formField{Name: spec.name, ID: "petition-" + spec.name, Label: d.T("find.petition." + spec.name), Kind: "text",
				Value: spec.value, Max: spec.max, Autocomplete: spec.autocomplete, Error: errs[spec.name]}
			d.describe(&fld, "find.petition."+spec.name+"_hint")
			p.Fields = append(p.Fields, fld)
			if fld.Error != "" {
				p.Errors = append(p.Errors, fieldError{Name: fld.Name, Label: fld.Label, Message: fld.Error})
			}
		}
		f.Petition = p
	}
	return f, nil
}

// petitionPurpose is the purpose under which the petition form's content
// is hashed for its remembered answer.
const petitionPurpose = "web.petition_form"

// signPetition signs a campaign's petition from its page, through
// campaign.Service.SignPetition as POST /api/v1/campaigns/{id}/signatures
// does: the name, when given, goes to the vault, and a repeat signature
// records nothing. Every signature, first or repeat, answers 303 back to
// the campaign with the same thanks, so the page never confirms who signed.
// The form's one-time key turns a double click into one signature.
func (s *Server) signPetition(w http.ResponseWriter, r *http.Request) {
	d := s.data(r, "campaigns")
	id := r.PathValue("id")
	if !s.publicForm(w, r, d) {
		return
	}
	if !campaign.ValidID(id) {
		s.renderError(w, r, d, http.StatusNotFound, "not_found")
		return
	}
	in := petitionInput{Name: r.PostForm.Get("name"), District: strings.TrimSpace(r.PostForm.Get("district")), Key: r.PostForm.Get("form_key")}
	if !validFormKey(in.Key) {
		in.Key = ""
	}
	opts := domain.UpdateOptions{IfMatch: domain.AnyVersion}
	if in.Key != "" {
		// As the report form's: a keyed hash of the form, which holds the
		// signer's name, so that nobody holding the table can test a guess.
		sum := s.cfg.KeyedHashFunc(petitionPurpose, r.Method+" "+r.URL.Path+"\x00"+r.PostForm.Encode())
		key := "page:sign:" + in.Key + ":" + sum[:min(32, len(sum))]
		stored, err := s.cfg.Idempotency.Idempotent(r.Context(), key, []byte(sum))
		if err != nil && domain.KindOf(err) != domain.KindInvalid {
			s.fail(w, r, d, err)
			return
		}
		if stored != nil {
			consoleRedirect(w, r, d, "/campaigns/"+id, url.Values{"signed": {"1"}})
			return
		}
		if err == nil {
			opts.Idempotency = &domain.Idempotency{Key: key, RequestHash: []byte(sum), ResponseFunc: func(o domain.Outcome) (domain.Response, error) {
				b, err := json.Marshal(struct {
					ID      string `json:"id"`
					Version int64  `json:"version"`
				}{o.Stream, o.Version})
				return domain.Response{Status: http.StatusSeeOther, Body: b}, err
			}}
		}
	}
	_, err := s.cfg.CampaignService.SignPetition(r.Context(), id, campaign.SignPetition{Actor: domain.Anonymous, District: in.District}, in.Name, opts)
	if err == nil {
		consoleRedirect(w, r, d, "/campaigns/"+id, url.Values{"signed": {"1"}})
		return
	}
	var tr *domain.TransitionError
	switch {
	case errors.As(err, &tr):
		s.showCampaign(w, r, d, http.StatusConflict, id, in, nil, d.T("find.petition.closed"))
	case domain.KindOf(err) == domain.KindInvalid:
		errs, ok := d.petitionErrors(err)
		if !ok {
			s.fail(w, r, d, err)
			return
		}
		s.showCampaign(w, r, d, http.StatusUnprocessableEntity, id, in, errs, d.T("report.errors"))
	default:
		s.fail(w, r, d, err)
	}
}

// petitionErrors translates the input errors of a signature to messages
// by form field; false when err holds anything the signer cannot correct.
func (d *pageData) petitionErrors(err error) (map[string]string, bool) {
	fields := map[string]string{"name": "name", "reporter.name": "name", "district": "district"}
	errs, ok := inputErrors(err, func(field string) bool { _, known := fields[field]; return known })
	if !ok {
		return nil, false
	}
	out := map[string]string{}
	for field, inv := range errs {
		if inv.Rule == domain.RuleTooLong {
			out[fields[field]] = d.Tf("err.too_long", inv.Limit)
			continue
		}
		out[fields[field]] = d.T("err.invalid")
	}
	return out, true
}

// campaignNotice is the notice of the form that sent the visitor back to
// a campaign page.
func (d *pageData) campaignNotice(r *http.Request) string {
	if r.URL.Query().Get("signed") != "" {
		return d.T("find.petition.done")
	}
	return ""
}
