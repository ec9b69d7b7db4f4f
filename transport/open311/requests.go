package open311

import (
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/projections/caselist"
	"github.com/citizenhouse/bayt/transport"
)

// The specification's bounds on GET requests: the default window, the
// longest range a query may span, and the most requests one answer holds.
const (
	window      = 90 * 24 * time.Hour
	maxRequests = 1000
	// With ?extensions=true, a page holds 100 requests unless page_size
	// says otherwise, and 200 at most.
	defaultTimelines = 100
	maxTimelines     = 200
	maxIDs           = 100
	titleRunes       = 80
	maxMediaURL      = 2000
	listBatch        = caselist.MaxLimit
	maxNameRunes     = 100
	formFieldLimit   = 100
)

// created is the answer to POST requests.
type created struct {
	XMLName       xml.Name `json:"-" xml:"request"`
	ID            string   `json:"service_request_id" xml:"service_request_id"`
	Token         string   `json:"token" xml:"token"`
	ServiceNotice string   `json:"service_notice" xml:"service_notice"`
	// Bayt keeps no accounts for reporters: account_id is null in JSON
	// and empty in XML, where a nil pointer would drop the element.
	AccountID    *string `json:"account_id" xml:"-"`
	AccountIDXML string  `json:"-" xml:"account_id"`
}

// tokenAnswer is the answer to GET tokens/{token}.
type tokenAnswer struct {
	XMLName xml.Name `json:"-" xml:"request"`
	ID      string   `json:"service_request_id" xml:"service_request_id"`
	Token   string   `json:"token" xml:"token"`
}

// postRequest records a service request as a case. The form's fields are
// the specification's; the reporter's email, names and phone go to the
// vault with the case service, and media_url is kept as a link in the
// description: the server never fetches what a client points it at.
func (s *Server) postRequest(w http.ResponseWriter, r *http.Request) {
	name, f, ok := s.resource(w, r)
	if !ok {
		return
	}
	if name != "requests" {
		w.Header().Set("Allow", "GET, HEAD")
		s.writeErrors(w, r, f, apiError{Code: http.StatusMethodNotAllowed, Description: "method not allowed; use GET, HEAD"})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, transport.MaxBody)
	if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.writeErrors(w, r, f, apiError{Code: http.StatusRequestEntityTooLarge, Description: "the request is over " + strconv.Itoa(transport.MaxBody) + " bytes"})
			return
		}
		s.writeErrors(w, r, f, badRequest("the body must be form-encoded (application/x-www-form-urlencoded)"))
		return
	}
	if errs := checkForm(r.PostForm); len(errs) > 0 {
		s.writeErrors(w, r, f, errs...)
		return
	}
	if !s.validKey(r.PostForm.Get("api_key")) {
		s.writeErrors(w, r, f, apiError{Code: http.StatusForbidden, Description: "invalid api_key received: posting requests needs a key the Citizen's House gave"})
		return
	}
	report, reporter, errs := s.newReport(r.PostForm, language(r))
	if len(errs) > 0 {
		s.writeErrors(w, r, f, errs...)
		return
	}
	if !s.cfg.WriteLimit.Allow(r, s.now()) {
		s.writeErrors(w, r, f, apiError{Code: http.StatusTooManyRequests, Description: "too many anonymous writes from your address; try again in a minute"})
		return
	}
	meta := domain.MetadataFrom(r.Context())
	meta.Actor = domain.Anonymous
	ctx := domain.WithMetadata(r.Context(), meta)
	out, err := s.cfg.CaseService.Report(ctx, report, reporter, domain.UpdateOptions{IfMatch: domain.AnyVersion})
	if err != nil {
		s.writeError(w, r, f, err)
		return
	}
	w.Header().Set("Location", baseURL(r)+"/open311/v2/requests/"+out.Stream+"."+extension(f))
	write(w, f, http.StatusCreated, "service_requests", []created{{
		ID: out.Stream, Token: out.Stream, ServiceNotice: texts(language(r)).notice,
	}})
}

func extension(f format) string {
	if f == formatJSON {
		return "json"
	}
	return "xml"
}

// checkForm refuses a form that is not text, or repeats a field. Fields
// Bayt does not use (jurisdiction_id, device_id, account_id, attributes
// of other servers) are accepted and ignored, as clients send them.
func checkForm(form url.Values) []apiError {
	var errs []apiError
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) > formFieldLimit {
		return []apiError{badRequest("too many fields")}
	}
	for _, k := range keys {
		vs := form[k]
		// A multivaluelist attribute repeats its field, as in the
		// specification's example; nothing else may.
		if len(vs) > 1 && !strings.HasPrefix(k, "attribute[") {
			errs = append(errs, badRequest(k+": given more than once"))
			continue
		}
		for _, v := range vs {
			if !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\r' && r != '\t' }) {
				errs = append(errs, badRequest(k+": must be text"))
				break
			}
		}
	}
	return errs
}

// newReport reads the posted form into the case service's report. Bayt
// needs what Open311 does not ask: a title, made of the description's
// first words, and a district, the district attribute of every service.
func (s *Server) newReport(form url.Values, lang string) (casefile.Report, domain.PersonalData, []apiError) {
	var errs []apiError
	code := strings.TrimSpace(form.Get("service_code"))
	description := strings.TrimSpace(form.Get("description"))
	rep := casefile.Report{
		Actor: domain.Anonymous, Category: code, Description: description, Title: titleOf(description),
		Address: strings.TrimSpace(form.Get("address_string")), Language: lang, Channel: casefile.ChannelOpen311,
	}
	if code == "" {
		errs = append(errs, badRequest("service_code: required"))
	} else if _, ok := s.cfg.Directory.Category(code); !ok {
		errs = append(errs, badRequest("service_code: no such service; see services.json"))
	}
	if rep.Address == "" {
		rep.Address = strings.TrimSpace(form.Get("address_id"))
	}
	lat, long := strings.TrimSpace(form.Get("lat")), strings.TrimSpace(form.Get("long"))
	switch {
	case lat != "" || long != "":
		la, err1 := strconv.ParseFloat(lat, 64)
		lo, err2 := strconv.ParseFloat(long, 64)
		if err1 != nil || err2 != nil {
			errs = append(errs, badRequest("lat, long: both must be decimal degrees (WGS84)"))
		} else {
			rep.Location = &casefile.Location{Lat: la, Lon: lo}
		}
	case rep.Address == "":
		errs = append(errs, badRequest("lat and long, address_string or address_id: one is required"))
	}
	district, given := s.district(form, rep.Address)
	switch {
	case district != "":
		rep.District = district
	case given:
		errs = append(errs, badRequest("attribute["+districtAttribute+"]: no such district; its values are in the service definition"))
	default:
		// A client that knows no attributes still reports: advocates
		// read where it is from the place and the description.
		rep.District = texts(lang).noDistrict
	}
	if media := strings.TrimSpace(form.Get("media_url")); media != "" {
		u, err := url.Parse(media)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(media) > maxMediaURL {
			errs = append(errs, badRequest("media_url: must be an http or https address"))
		} else {
			rep.Description = strings.TrimSpace(rep.Description + "\n\n" + media)
		}
	}
	names := strings.TrimSpace(strings.TrimSpace(form.Get("first_name")) + " " + strings.TrimSpace(form.Get("last_name")))
	if utf8.RuneCountInString(names) > maxNameRunes {
		errs = append(errs, badRequest("first_name, last_name: at most "+strconv.Itoa(maxNameRunes)+" characters together"))
	}
	reporter := domain.PersonalData{Name: names, Email: form.Get("email"), Phone: form.Get("phone")}
	return rep, reporter, errs
}

// district returns the code of the district a request is in, from its
// district attribute or else a part of its address that names one, and
// whether the attribute was given.
func (s *Server) district(form url.Values, address string) (code string, given bool) {
	if v := strings.TrimSpace(form.Get("attribute[" + districtAttribute + "]")); v != "" {
		d, ok := s.cfg.Directory.District(v)
		if !ok {
			return "", true
		}
		return d.Code, true
	}
	for _, part := range strings.Split(address, ",") {
		if d, ok := s.cfg.Directory.District(strings.TrimSpace(part)); ok && strings.TrimSpace(part) != "" {
			return d.Code, false
		}
	}
	return "", false
}

// titleOf makes a title of a description: its first line, cut at a word
// before titleRunes.
func titleOf(description string) string {
	line, _, _ := strings.Cut(description, "\n")
	line = strings.TrimSpace(line)
	runes := []rune(line)
	if len(runes) <= titleRunes {
		return line
	}
	cut := titleRunes
	for i := titleRunes; i > titleRunes/2; i-- {
		if unicode.IsSpace(runes[i]) {
			cut = i
			break
		}
	}
	return strings.TrimSpace(string(runes[:cut])) + "…"
}
