package web

import (
	"errors"
	"net/http"

	"github.com/citizenhouse/bayt/domain/casefile"
)

// consoleIntakeRoutes registers desk and phone intake (/console/intake):
// an advocate records the case of a resident who came to the Citizen's
// House or called, through the same service as every other report, with
// the channel it came through.
func (s *Server) consoleIntakeRoutes() {
	s.mux.HandleFunc("GET /console/intake", s.staffOnly(advocates, s.intakeForm))
	s.mux.HandleFunc("POST /console/intake", s.staffOnly(advocates, s.submitIntake))
	s.mux.HandleFunc("GET "+intakeDonePath, s.staffOnly(advocates, s.intakeDone))
}

// intakeBody is the intake form: the report form's fields, how the
// resident reached the House and the language they speak.
type intakeBody struct {
	reportBody
	Channels, Languages         []option
	ChannelError, LanguageError string
}

// intakeChannels are what an advocate records: the web and Open311 come
// in by themselves.
var intakeChannels = []casefile.Channel{casefile.ChannelDesk, casefile.ChannelPhone}

func (s *Server) intakeForm(w http.ResponseWriter, r *http.Request, d *pageData, _ staffRequest) {
	s.showIntake(w, r, d, http.StatusOK, reportInput{Key: newFormKey(), Channel: string(casefile.ChannelDesk), Language: d.Lang}, nil)
}

func (s *Server) showIntake(w http.ResponseWriter, r *http.Request, d *pageData, status int, in reportInput, errs map[string]string) {
	d.Title, d.Nav = d.T("console.intake.title"), "intake"
	body := intakeBody{reportBody: s.reportBody(d, "/console/intake", in, errs), ChannelError: errs["channel"], LanguageError: errs["language"]}
	for _, e := range []fieldError{{"channel", d.T("console.intake.channel"), body.ChannelError}, {"language", d.T("console.intake.language"), body.LanguageError}} {
		if e.Message != "" {
			body.Errors = append(body.Errors, e)
		}
	}
	for _, c := range intakeChannels {
		body.Channels = append(body.Channels, option{Value: string(c), Label: d.T("channel." + string(c)), Selected: string(c) == in.Channel})
	}
	for _, l := range s.langs {
		body.Languages = append(body.Languages, option{Value: l.Code, Label: l.Name, Selected: l.Code == in.Language})
	}
	d.Body = body
	s.render(w, r, status, "console-intake", d)
}

// submitIntake files the case and answers 303 to the page that shows its
// tracking token once, for the advocate to hand to the resident; the form
// again, with its errors, when the report is refused.
func (s *Server) submitIntake(w http.ResponseWriter, r *http.Request, d *pageData, sr staffRequest) {
	f := r.PostForm
	in := reportInput{
		Title: f.Get("title"), Description: f.Get("description"), Category: f.Get("category"),
		District: f.Get("district"), Address: f.Get("address"),
		Name: f.Get("name"), Phone: f.Get("phone"), Email: f.Get("email"), Key: f.Get("form_key"),
		Channel: f.Get("channel"), Language: f.Get("language"),
	}
	if !validFormKey(in.Key) {
		in.Key = ""
	}
	channel := casefile.Channel(in.Channel)
	if channel != casefile.ChannelDesk && channel != casefile.ChannelPhone {
		s.showIntake(w, r, d, http.StatusUnprocessableEntity, in, map[string]string{"channel": d.T("err.invalid")})
		return
	}
	src := reportSource{actor: sr.actor, channel: channel, language: in.Language, keyPrefix: "console:intake:"}
	res, err := s.report(r.Context(), r, in, src)
	if err != nil {
		if errs, ok := d.fieldErrors(err); ok {
			if in.Key == "" {
				in.Key = newFormKey()
			}
			s.showIntake(w, r, d, http.StatusUnprocessableEntity, in, errs)
			return
		}
		if errors.Is(err, errPageRateLimited) {
			s.renderError(w, r, d, http.StatusTooManyRequests, "rate")
			return
		}
		s.fail(w, r, d, err)
		return
	}
	if err := setOneShot(w, r, intakeDoneCookie, intakeDonePath, reportDone{ID: res.ID, Token: res.TrackingToken}); err != nil {
		s.fail(w, r, d, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, d.Link(intakeDonePath), http.StatusSeeOther)
}

// The intake's done page, and the one-shot cookie that carries the case
// and its tracking token there.
const (
	intakeDonePath   = "/console/intake/done"
	intakeDoneCookie = "bayt_intake_done"
)

// intakeDone shows the case just filed and its tracking token, once, for
// the advocate to hand to the resident; a reload goes back to the form.
func (s *Server) intakeDone(w http.ResponseWriter, r *http.Request, d *pageData, _ staffRequest) {
	w.Header().Set("Cache-Control", "no-store")
	var done reportDone
	if !takeOneShot(w, r, intakeDoneCookie, intakeDonePath, &done) || !casefile.ValidID(done.ID) {
		http.Redirect(w, r, d.Link("/console/intake"), http.StatusSeeOther)
		return
	}
	d.Title, d.Nav = d.T("console.intake.done"), "intake"
	d.Body = reportedBody{ID: done.ID, Href: d.Link("/console/cases/" + done.ID), Token: done.Token}
	s.render(w, r, http.StatusOK, "console-intake-done", d)
}
