package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/transport"
	"github.com/citizenhouse/bayt/transport/photo"
)

// reportInput is the report form as posted.
type reportInput struct {
	Title, Description, Category, District, Address string
	Name, Phone, Email                              string
	// Lat and Lon are the point, as typed or set on the map.
	Lat, Lon string
	// Channel and Language are the console intake's: how the resident
	// reached the House and the language they speak.
	Channel, Language string
	// Key is the form's one-time key, made when the form was shown: it
	// turns a reload or a double click into one report, not two.
	Key string
}

// option is one choice of a select.
type option struct {
	Value, Label string
	Selected     bool
}

// formField is one field of the report form.
type formField struct {
	Name, ID, Label, Hint, Kind, Value, Error, Autocomplete string
	DescribedBy                                             string // ids of the hint and the error
	Max                                                     int
	Required                                                bool
	Options                                                 []option
}

// describe gives f the hint of message hintKey, when there is one, and
// points aria-describedby at the hint and the error shown.
func (d *pageData) describe(f *formField, hintKey string) {
	var ids []string
	if h, ok := d.msgs[hintKey]; ok {
		f.Hint = h
		ids = append(ids, f.ID+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, f.ID+"-error")
	}
	f.DescribedBy = strings.Join(ids, " ")
}

// fieldData is a form field with its page, for the "field" template.
type fieldData struct {
	formField
	*pageData
}

// Field gives the "field" template a field and the page's methods.
func (d *pageData) Field(f formField) fieldData { return fieldData{f, d} }

type fieldError struct{ Name, Label, Message string }

type reportBody struct {
	Action   string
	Key      string
	Fields   []formField
	Location []formField // latitude and longitude
	Contact  []formField
	Errors   []fieldError
	// Photos are the form's file fields, when Bayt keeps photos; the form
	// is then posted as multipart.
	Photos []formField
}

// reportForm shows an empty report form.
func (s *Server) reportForm(w http.ResponseWriter, r *http.Request) {
	d := s.data(r, "report")
	s.showForm(w, r, d, http.StatusOK, reportInput{Key: newFormKey()}, nil)
}

func (s *Server) showForm(w http.ResponseWriter, r *http.Request, d *pageData, status int, in reportInput, errs map[string]string) {
	d.Title = d.T("report.title")
	d.Map = d.newMapView("picker", d.T("map.picker_label"))
	body := s.reportBody(d, "/report", in, errs)
	if s.cfg.Photos != nil {
		body.Photos = d.photoFields(errs["photo"])
		if e := errs["photo"]; e != "" {
			body.Errors = append(body.Errors, fieldError{Name: "photo", Label: body.Photos[0].Label, Message: e})
		}
	}
	d.Body = body
	s.render(w, r, status, "report", d)
}

// reportBody is the report form's fields, with in's values and errs next
// to their fields, posting to action.
func (s *Server) reportBody(d *pageData, action string, in reportInput, errs map[string]string) reportBody {
	cats := []option{{Value: "", Label: d.T("field.choose")}}
	for _, c := range s.cfg.Directory.Categories() {
		cats = append(cats, option{Value: c.Code, Label: c.Name.In(d.Lang), Selected: c.Code == in.Category})
	}
	field := func(name, kind, value string, max int, required bool, autocomplete string) formField {
		f := formField{
			Name: name, Label: d.T("field." + name), Kind: kind, Value: value, Max: max,
			Required: required, Autocomplete: autocomplete, Error: errs[name],
		}
		f.ID = "f-" + name
		d.describe(&f, "field."+name+"_hint")
		return f
	}
	body := reportBody{
		Action: d.Link(action),
		Key:    in.Key,
		Fields: []formField{
			field("title", "text", in.Title, casefile.MaxTitle, true, "off"),
			field("description", "textarea", in.Description, casefile.MaxDescription, true, "off"),
			field("category", "select", in.Category, 0, true, "off"),
			field("district", "text", in.District, casefile.MaxDistrict, true, "address-level3"),
			field("address", "text", in.Address, casefile.MaxAddress, false, "street-address"),
		},
		Location: []formField{
			field("lat", "text", in.Lat, maxCoordinate, false, "off"),
			field("lon", "text", in.Lon, maxCoordinate, false, "off"),
		},
		Contact: []formField{
			field("name", "text", in.Name, maxName, false, "name"),
			field("phone", "tel", in.Phone, maxPhone, false, "tel"),
			field("email", "email", in.Email, maxEmail, false, "email"),
		},
	}
	body.Fields[2].Options = cats
	// The directory's districts are a list to pick from, in the page's
	// language; without any, the district is typed.
	if opts := d.districtOptions(in.District); len(opts) > 0 {
		body.Fields[3].Kind = "select"
		body.Fields[3].Options = append([]option{{Value: "", Label: d.T("field.choose")}}, opts...)
	}
	for _, f := range slices.Concat(body.Fields, body.Location, body.Contact) {
		if f.Error != "" {
			body.Errors = append(body.Errors, fieldError{Name: f.Name, Label: f.Label, Message: f.Error})
		}
	}
	return body
}

// The vault's limits.
const (
	maxName  = domain.MaxPersonName
	maxPhone = domain.MaxPhone
	maxEmail = domain.MaxEmail
	// maxCoordinate bounds a typed latitude or longitude: a dozen
	// decimals are already far below a millimetre.
	maxCoordinate = 32
)

type reportedBody struct {
	ID, Href, Token string
	// Photos were added to the case with the report; PhotosFailed were
	// not.
	Photos, PhotosFailed int
}

var errPageRateLimited = errors.New("too many anonymous writes")

// submitReport creates a case from the report form, without JavaScript:
// 303 See Other to the done page, which shows the tracking token once, or
// the form again with its values and the errors next to their fields
// (422).
//
// Cross-site request forgery: what the check prevents is another site
// making visitors' browsers file reports (and spend their address's write
// limit); see transport.CrossSite.FormAllowed.
func (s *Server) submitReport(w http.ResponseWriter, r *http.Request) {
	d := s.data(r, "report")
	if !s.crossSite.FormAllowed(r) {
		s.renderError(w, r, d, http.StatusForbidden, "forbidden")
		return
	}
	var files [][]byte
	if s.cfg.Photos != nil && isMultipart(r) {
		var (
			cancel context.CancelFunc
			ok     bool
		)
		if r, files, cancel, ok = s.readPhotoForm(w, r, d, casefile.MaxReporterPhotos); !ok {
			return
		}
		defer cancel()
	} else {
		r.Body = http.MaxBytesReader(w, r.Body, transport.MaxBody)
		if err := r.ParseForm(); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				s.renderError(w, r, d, http.StatusRequestEntityTooLarge, "bad")
				return
			}
			s.renderError(w, r, d, http.StatusBadRequest, "bad")
			return
		}
	}
	f := r.PostForm
	in := reportInput{
		Title: f.Get("title"), Description: f.Get("description"), Category: f.Get("category"),
		District: f.Get("district"), Address: f.Get("address"),
		Name: f.Get("name"), Phone: f.Get("phone"), Email: f.Get("email"), Key: f.Get("form_key"),
		Lat: f.Get("lat"), Lon: f.Get("lon"),
	}
	if !validFormKey(in.Key) {
		in.Key = "" // a post from elsewhere than the form: no replay protection
	}
	// Photos are checked before the report is filed, so that a wrong file
	// sends the form back with nothing recorded; they are decoded and
	// added only once the case exists.
	for _, f := range files {
		if err := photo.Check(f); err != nil {
			if in.Key == "" {
				in.Key = newFormKey()
			}
			s.showForm(w, r, d, http.StatusUnprocessableEntity, in, map[string]string{"photo": d.T("err.photo")})
			return
		}
	}
	res, err := s.report(r.Context(), r, in, publicReport(d.Lang))
	if err != nil {
		if errors.Is(err, errPageRateLimited) {
			s.renderError(w, r, d, http.StatusTooManyRequests, "rate")
			return
		}
		if errs, ok := d.fieldErrors(err); ok {
			if in.Key == "" {
				in.Key = newFormKey()
			}
			d.explainLocation(errs, in)
			s.showForm(w, r, d, http.StatusUnprocessableEntity, in, errs)
			return
		}
		s.fail(w, r, d, err)
		return
	}
	added, failed := s.reportPhotos(r.Context(), res, files)
	done := reportDone{ID: res.ID, Token: res.TrackingToken, Photos: added, PhotosFailed: failed}
	if err := setOneShot(w, r, reportDoneCookie, reportDonePath, done); err != nil {
		s.fail(w, r, d, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, d.Link(reportDonePath), http.StatusSeeOther)
}

// The report form's done page, and the one-shot cookie that carries the
// report's answer there (see setOneShot).
const (
	reportDonePath   = "/report/done"
	reportDoneCookie = "bayt_report_done"
)

// reportDone is what the done page shows of a report: once.
type reportDone struct {
	ID           string `json:"id"`
	Token        string `json:"token"`
	Photos       int    `json:"photos,omitempty"`
	PhotosFailed int    `json:"photos_failed,omitempty"`
}

// reportedPage shows the answer of the report just filed, with its
// tracking token, and forgets it: a reload or a later visit finds a page
// that says the token was shown once, and where to follow the case.
func (s *Server) reportedPage(w http.ResponseWriter, r *http.Request) {
	d := s.data(r, "report")
	// The page holds the tracking token: no cache may keep it.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Add("Vary", "Cookie")
	var done reportDone
	if !takeOneShot(w, r, reportDoneCookie, reportDonePath, &done) || !casefile.ValidID(done.ID) || done.Token == "" {
		d.Title = d.T("done.gone.title")
		d.Body = errorBody{Message: d.T("done.gone"), Back: d.Link("/track"), BackLabel: d.T("find.done.track_link")}
		s.render(w, r, http.StatusOK, "error", d)
		return
	}
	d.Title = d.T("done.title")
	d.Body = reportedBody{ID: done.ID, Href: d.Link("/cases/" + done.ID), Token: done.Token, Photos: done.Photos, PhotosFailed: done.PhotosFailed}
	s.render(w, r, http.StatusOK, "reported", d)
}

// reportFormPurpose is the purpose under which the report form's content is
// hashed.
const reportFormPurpose = "web.report_form"

// report creates a case from the form as POST /api/v1/cases does: the
// same service, the same command, the same vault entry, the same update.
// The form's key stands in for Idempotency-Key, with the form's content
// folded into the key, so an identical resend replays the first answer
// and a changed one is a new report. The content holds the reporter's
// name and phone, and the key and the request's hash are kept for days:
// both are keyed hashes, which nobody holding the table can test against
// a guess of who reported what.
func (s *Server) report(ctx context.Context, r *http.Request, in reportInput, src reportSource) (reportAnswer, error) {
	opts := domain.UpdateOptions{IfMatch: domain.AnyVersion}
	if in.Key != "" {
		sum := s.cfg.KeyedHashFunc(reportFormPurpose, r.Method+" "+r.URL.Path+"\x00"+r.PostForm.Encode())
		hash := []byte(sum)
		key := src.keyPrefix + in.Key + ":" + sum[:min(32, len(sum))]
		stored, err := s.cfg.Idempotency.Idempotent(ctx, key, hash)
		if err != nil {
			return reportAnswer{}, err
		}
		if stored != nil {
			return storedReport(*stored)
		}
		opts.Idempotency = &domain.Idempotency{Key: key, RequestHash: hash, ResponseFunc: func(o domain.Outcome) (domain.Response, error) {
			b, err := json.Marshal(newReportAnswer(o))
			if err != nil {
				return domain.Response{}, err
			}
			return domain.Response{Status: http.StatusCreated, Body: append(b, '\n')}, nil
		}}
	}
	if src.limited && !s.cfg.WriteLimit.Allow(r, s.now()) {
		return reportAnswer{}, errPageRateLimited
	}
	out, err := s.cfg.CaseService.Report(ctx, casefile.Report{
		Actor: src.actor, Title: in.Title, Description: in.Description, Category: in.Category,
		District: in.District, Address: in.Address, Language: src.language, Channel: src.channel,
		Location: parseLocation(in.Lat, in.Lon),
	}, domain.PersonalData{Name: in.Name, Phone: in.Phone, Email: in.Email}, opts)
	if err != nil {
		return reportAnswer{}, err
	}
	if out.Replayed != nil {
		return storedReport(*out.Replayed)
	}
	return newReportAnswer(out), nil
}

// reportSource is who files a report through a form, and how.
type reportSource struct {
	actor    domain.Actor
	channel  casefile.Channel
	language string // the resident's language
	// keyPrefix keeps each form's remembered answers apart.
	keyPrefix string
	// limited says the anonymous write limit applies.
	limited bool
}

// publicReport is a resident's own report on the web form, in the
// language of the page.
func publicReport(lang string) reportSource {
	return reportSource{actor: domain.Anonymous, language: lang, keyPrefix: "page:report:", limited: true}
}

// reportAnswer is the answer a report form's key remembers. It has the
// shape of the API's answer to a command, so that answers remembered by
// earlier versions, which stored that, still read.
type reportAnswer struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	Version       int64  `json:"version"`
	Position      int64  `json:"position"`
	TrackingToken string `json:"tracking_token,omitempty"`
}

func newReportAnswer(o domain.Outcome) reportAnswer {
	return reportAnswer{ID: o.Stream, Status: o.Status, Version: o.Version, Position: o.Position, TrackingToken: o.TrackingToken}
}

// storedReport reads the remembered answer to an earlier, identical post.
func storedReport(resp domain.Response) (reportAnswer, error) {
	var out reportAnswer
	if err := json.Unmarshal(resp.Body, &out); err != nil || out.ID == "" {
		return out, fmt.Errorf("read remembered report answer: %w", errors.Join(err, errors.New("no case id")))
	}
	return out, nil
}

// formFieldNames maps the wire fields of a report to the form's fields.
var formFieldNames = map[string]string{
	"title": "title", "description": "description", "category": "category", "district": "district",
	"address": "address", "reporter.name": "name", "reporter.phone": "phone", "reporter.email": "email",
	// The console's intake form has these too.
	"language": "language", "channel": "channel",
	"location.lat": "lat", "location.lon": "lon",
}

// inputErrors returns the first input error of each field in err, by
// the field's wire name. It reports false when err holds anything but
// input errors, or one whose field known rejects: that is not for the
// person at the form to correct, and the caller answers it otherwise.
func inputErrors(err error, known func(field string) bool) (map[string]*domain.InvalidError, bool) {
	out := map[string]*domain.InvalidError{}
	ok := true
	var walk func(error)
	walk = func(e error) {
		if j, isJoin := e.(interface{ Unwrap() []error }); isJoin {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		var inv *domain.InvalidError
		if !errors.As(e, &inv) || !known(inv.Field) {
			ok = false
			return
		}
		if _, seen := out[inv.Field]; !seen {
			out[inv.Field] = inv
		}
	}
	walk(err)
	return out, ok && len(out) > 0
}

// fieldErrors translates the input errors in err to messages by form
// field. It reports false when err holds anything else, or an input error
// the form has no field for: that is not the visitor's to correct.
func (d *pageData) fieldErrors(err error) (map[string]string, bool) {
	errs, ok := inputErrors(err, func(field string) bool { _, known := formFieldNames[field]; return known })
	if !ok {
		return nil, false
	}
	out := map[string]string{}
	for field, inv := range errs {
		name := formFieldNames[field]
		switch {
		case inv.Rule == domain.RuleRequired:
			out[name] = d.T("err.required")
		case inv.Rule == domain.RuleTooLong:
			out[name] = d.Tf("err.too_long", inv.Limit)
		case name == "category":
			out[name] = d.T("err.category")
		case name == "email":
			out[name] = d.T("err.email")
		default:
			out[name] = d.T("err.invalid")
		}
	}
	return out, true
}

// newFormKey returns a fresh one-time key for a report form: 128 random
// bits, so no one can guess another visitor's key and read their answer.
func newFormKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func validFormKey(k string) bool {
	b, err := base64.RawURLEncoding.DecodeString(k)
	return err == nil && len(b) == 16
}
