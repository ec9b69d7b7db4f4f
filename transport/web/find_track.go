package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/transport"
)

// /track is where a resident follows their own case with the tracking
// token their report gave them, and confirms or disputes its resolution.
//
// The token is a secret that proves who reported: it never travels in a
// URL. The form posts it (POST /track); the answer keeps it in a cookie
// (trackCookie: HttpOnly, so no script reads it; SameSite=Strict, so no
// other site makes the browser send it; Path=/track, so no other page
// receives it; for half an hour) and answers 303 to GET /track, which
// shows the case. Reloading or going back then re-reads the page instead
// of posting the token again, no address, Location or Referer ever holds
// it, and the pages that show a tracked case carry no token either: the
// confirm and reopen forms send the cookie. Every answer under /track is
// no-store. A wrong token gets the form again with one message, whether
// the token is unknown or not the case's, and every attempt counts against
// the anonymous write limit, shared with the other public forms.

const (
	// trackCookie holds the tracking token between the form and the page.
	trackCookie = "bayt_track"
	// trackCookieAge is how long a browser keeps it: long enough to read
	// the case and answer, short enough not to linger on a shared device.
	trackCookieAge = 30 * 60
	// maxTrackingToken bounds what the token field takes; the tokens
	// Bayt gives are 43 characters.
	maxTrackingToken = 200
)

// trackActions are the forms a tracked case may show, by the last segment
// of the path they post to, and the field each one takes.
var trackActions = map[string]string{"confirm": "note", "reopen": "reason"}

// trackBody is the /track page: the token's form, or the tracked case.
type trackBody struct {
	Form *trackForm
	Case *trackedCase
	// Notice says what the form just sent did; Refusal why it was
	// refused, when its form is not shown any more.
	Notice, Refusal string
	// Verified and Timeline are the tracked case's public timeline.
	Verified bool
	Timeline []timelineItem
}

// NotePrefix names the messages of the timeline section.
func (trackBody) NotePrefix() string { return "case" }

type trackForm struct {
	Action string
	Field  formField
	// Error says the token was not recognised.
	Error string
}

// trackedCase is a resident's own case on /track.
type trackedCase struct {
	caseItem
	PublicHref string // "" when moderation hides the case from the public
	Hidden     bool
	Resolved   bool
	Forms      []trackAction
	Forget     string
	Campaigns  []titledLink
}

// trackAction is the confirm or the reopen form of a resolved case.
type trackAction struct {
	Name, Title, Action, Submit string
	Version                     int64
	Field                       formField
	Refusal                     string
	Errors                      []fieldError
}

// trackRefusal is a refused confirm or reopen, re-shown with its input.
type trackRefusal struct {
	action, value, message string
	errs                   map[string]string
}

// noStore marks an answer under /track as one no cache keeps: it may show
// a resident's own case, or answer the post of their token.
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Add("Vary", "Cookie")
}

// trackPage shows the tracked case of the token in the cookie, or the
// token's form.
func (s *Server) trackPage(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	d := s.data(r, "track")
	token := trackToken(r)
	if token == "" {
		s.showTrackForm(w, r, d, http.StatusOK, "")
		return
	}
	c, version, err := s.trackedCase(r.Context(), token)
	if errors.Is(err, domain.ErrNotFound) {
		// A cookie this server did not set, or a case gone: a guess like
		// any other, counted as one.
		clearTrackCookie(w, r)
		if !s.cfg.WriteLimit.Allow(r, s.now()) {
			s.renderError(w, r, d, http.StatusTooManyRequests, "find_rate")
			return
		}
		s.showTrackForm(w, r, d, http.StatusNotFound, d.T("find.track.unknown"))
		return
	}
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	notice := ""
	if done := r.URL.Query().Get("done"); trackActions[done] != "" {
		notice = d.T("find.track.done." + done)
	}
	s.showTracked(w, r, d, http.StatusOK, c, version, notice, nil)
}

// track takes the token's form: 303 to GET /track with the token in the
// cookie when it is a case's, the form again with a message otherwise.
func (s *Server) track(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	d := s.data(r, "track")
	if !s.publicForm(w, r, d) {
		return
	}
	token := strings.TrimSpace(r.PostForm.Get("tracking_token"))
	if token == "" {
		s.showTrackForm(w, r, d, http.StatusUnprocessableEntity, d.T("err.required"))
		return
	}
	_, _, err := s.trackedCase(r.Context(), token)
	if errors.Is(err, domain.ErrNotFound) {
		s.showTrackForm(w, r, d, http.StatusNotFound, d.T("find.track.unknown"))
		return
	}
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: trackCookie, Value: token, Path: "/track", MaxAge: trackCookieAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: transport.Secure(r),
	})
	http.Redirect(w, r, d.Link("/track"), http.StatusSeeOther)
}

// trackAction runs a form of the tracked case: confirm or reopen it
// through casefile.Service with the token, exactly as the API's confirm
// and reopen with tracking_token do, then 303 back to /track; a refusal
// shows the page again with the reason and changes nothing. forget drops
// the token from the browser.
func (s *Server) trackAction(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	d := s.data(r, "track")
	name := r.PathValue("action")
	if name == "forget" {
		if !s.crossSite.FormAllowed(r) {
			s.renderError(w, r, d, http.StatusForbidden, "forbidden")
			return
		}
		clearTrackCookie(w, r)
		http.Redirect(w, r, d.Link("/track"), http.StatusSeeOther)
		return
	}
	field, ok := trackActions[name]
	if !ok {
		s.renderError(w, r, d, http.StatusNotFound, "not_found")
		return
	}
	if !s.publicForm(w, r, d) {
		return
	}
	token := trackToken(r)
	c, _, err := s.trackedCase(r.Context(), token)
	if errors.Is(err, domain.ErrNotFound) {
		clearTrackCookie(w, r)
		s.showTrackForm(w, r, d, http.StatusUnauthorized, d.T("find.track.again"))
		return
	}
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	// The form carries the version its page showed: a case that changed
	// since (an advocate reopened it, say) is shown again, not overridden.
	version, err := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if err != nil || version < 0 {
		s.renderError(w, r, d, http.StatusBadRequest, "bad")
		return
	}
	value := r.PostForm.Get(field)
	opts := domain.UpdateOptions{IfMatch: version}
	switch name {
	case "confirm":
		_, err = s.cfg.CaseService.Confirm(r.Context(), c.ID, casefile.Confirm{Actor: domain.Anonymous, Note: value}, token, opts)
	case "reopen":
		_, err = s.cfg.CaseService.Reopen(r.Context(), c.ID, casefile.Reopen{Actor: domain.Anonymous, Reason: value}, token, opts)
	}
	if err == nil {
		http.Redirect(w, r, d.Link("/track")+linkSep(d)+url.Values{"done": {name}}.Encode(), http.StatusSeeOther)
		return
	}
	ref := &trackRefusal{action: name, value: value}
	var (
		status int
		tr     *domain.TransitionError
		vc     *domain.VersionConflictError
	)
	switch {
	case errors.As(err, &vc):
		status, ref.message = http.StatusConflict, d.T("find.track.changed")
	case errors.As(err, &tr):
		status, ref.message = http.StatusConflict, d.Tf("find.track.transition", d.statusName(casefile.Status(tr.Status)))
	case errors.Is(err, domain.ErrForbidden):
		status, ref.message = http.StatusForbidden, d.T("find.track.forbidden")
	case domain.KindOf(err) == domain.KindInvalid:
		errs, ok := d.actionFieldErrors(err, []string{field})
		if !ok {
			s.fail(w, r, d, err)
			return
		}
		status, ref.message, ref.errs = http.StatusUnprocessableEntity, d.T("report.errors"), errs
	default:
		s.fail(w, r, d, err)
		return
	}
	// The page shows the case as it is now, with the refused form as sent.
	c, version, err = s.trackedCase(r.Context(), token)
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	s.showTracked(w, r, d, status, c, version, "", ref)
}

// linkSep is what joins a query to d.Link's address.
func linkSep(d *pageData) string {
	if d.query != "" {
		return "&"
	}
	return "?"
}

// trackedCase returns the case reported with token, and an error of kind
// not found when there is none: the case list finds the case, and the case
// itself, as the domain decides, says whether the token is its reporter's.
func (s *Server) trackedCase(ctx context.Context, token string) (*casefile.Case, int64, error) {
	if token == "" || len(token) > maxTrackingToken {
		return nil, 0, domain.ErrNotFound
	}
	id, err := s.cfg.CaseList.Tracked(ctx, token)
	if err != nil {
		return nil, 0, err
	}
	c, version, err := s.cfg.Cases.Load(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	if c.AsReporter(domain.Anonymous, token).Role != domain.RoleReporter {
		return nil, 0, domain.ErrNotFound
	}
	return c, version, nil
}

func trackToken(r *http.Request) string {
	c, err := r.Cookie(trackCookie)
	if err != nil {
		return ""
	}
	return c.Value
}

func clearTrackCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: trackCookie, Value: "", Path: "/track", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: transport.Secure(r)})
}

// showTrackForm shows the token's form, with message when the last token
// was not recognised. The token posted is not shown again.
func (s *Server) showTrackForm(w http.ResponseWriter, r *http.Request, d *pageData, status int, message string) {
	d.Title = d.T("find.track.title")
	f := formField{Name: "tracking_token", ID: "track-token", Label: d.T("find.track.token"), Kind: "text",
		Max: maxTrackingToken, Required: true, Autocomplete: "off", Error: message}
	d.describe(&f, "find.track.token_hint")
	d.Body = trackBody{Form: &trackForm{Action: d.Link("/track"), Field: f, Error: message}}
	s.render(w, r, status, "track", d)
}

// showTracked shows the resident's own case c at version: what the public
// reads of it, and while it is resolved the forms to confirm or reopen it,
// ref's as sent when it was refused.
func (s *Server) showTracked(w http.ResponseWriter, r *http.Request, d *pageData, status int, c *casefile.Case, version int64, notice string, ref *trackRefusal) {
	ctx := r.Context()
	number, err := s.cfg.CaseList.Number(ctx, c.ID)
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	public, visible := c.Public()
	public.Number = number
	tc := &trackedCase{
		caseItem: d.newCaseItem(&public, s.now()), Hidden: !visible,
		Resolved: c.Status == casefile.StatusResolved, Forget: d.Link("/track/forget"),
	}
	body := trackBody{Case: tc, Notice: notice}
	if visible {
		tc.PublicHref = tc.Href
		h, err := s.cfg.Cases.History(ctx, c.ID)
		if err != nil {
			s.fail(w, r, d, err)
			return
		}
		hist, err := casefile.HistoryFor(h, domain.Anonymous)
		if err != nil {
			s.fail(w, r, d, err)
			return
		}
		body.Verified, body.Timeline = hist.Verified, d.timeline(hist.Events)
		titles, err := s.campaignTitles(ctx, d, c.CampaignIDs, body.Timeline)
		if err != nil {
			s.fail(w, r, d, err)
			return
		}
		for _, id := range c.CampaignIDs {
			if t, ok := titles[id]; ok {
				tc.Campaigns = append(tc.Campaigns, t)
			}
		}
	}
	if tc.Resolved {
		for _, name := range []string{"confirm", "reopen"} {
			field := trackActions[name]
			a := trackAction{
				Name: name, Title: d.T("find.track." + name), Submit: d.T("find.track." + name + ".submit"),
				Action: d.Link("/track/" + name), Version: version,
				Field: formField{Name: field, ID: "track-" + field, Label: d.T("find.track." + name + "." + field),
					Kind: "textarea", Max: casefile.MaxNote, Required: name == "reopen"},
			}
			if ref != nil && ref.action == name {
				a.Refusal, a.Field.Value, a.Field.Error = ref.message, ref.value, ref.errs[field]
				if a.Field.Error != "" {
					a.Errors = []fieldError{{Name: field, Label: a.Field.Label, Message: a.Field.Error}}
				}
			}
			d.describe(&a.Field, "find.track."+name+"."+field+"_hint")
			tc.Forms = append(tc.Forms, a)
		}
	}
	if ref != nil && !tc.Resolved {
		// The case left "resolved" meanwhile: the refusal stands alone.
		body.Refusal = ref.message + " " + d.T("find.track.nothing")
	}
	d.Title = d.T("find.track.title")
	d.Body = body
	s.render(w, r, status, "track", d)
}
