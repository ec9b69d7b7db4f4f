package open311

import (
	"encoding/json"
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
)

// query is a GET requests query, read and checked.
type query struct {
	ids        []string
	codes      []string
	start, end time.Time
	statuses   []string // "open", "closed"; none for both
	page, size int
	extensions bool
}

// readQuery reads GET requests' parameters: the specification's, and the
// page and page_size many clients send.
func (s *Server) readQuery(r *http.Request) (query, []apiError) {
	var (
		q    = query{page: 1, size: maxRequests}
		errs []apiError
		v    = r.URL.Query()
	)
	for name, values := range v {
		for _, x := range values {
			if !utf8.ValidString(x) || strings.ContainsFunc(x, func(r rune) bool { return r < 0x20 }) {
				errs = append(errs, badRequest(name+": must be text"))
			}
		}
	}
	if len(errs) > 0 {
		return q, errs
	}
	var err error
	if q.extensions, err = flag(v, "extensions"); err != nil {
		errs = append(errs, badRequest("extensions: must be true or false"))
	}
	if ids := list(v.Get("service_request_id")); len(ids) > 0 {
		// The ids asked for override every other parameter.
		if len(ids) > maxIDs {
			errs = append(errs, badRequest("service_request_id: at most "+strconv.Itoa(maxIDs)+" ids"))
		}
		q.ids = ids
		return q, errs
	}
	q.codes = list(v.Get("service_code"))
	for _, st := range list(v.Get("status")) {
		if st != "open" && st != "closed" {
			errs = append(errs, badRequest("status: open or closed"))
			continue
		}
		q.statuses = append(q.statuses, st)
	}
	start, err1 := date(v.Get("start_date"))
	end, err2 := date(v.Get("end_date"))
	if err1 != nil {
		errs = append(errs, badRequest("start_date: "+err1.Error()))
	}
	if err2 != nil {
		errs = append(errs, badRequest("end_date: "+err2.Error()))
	}
	switch {
	case start.IsZero() && end.IsZero():
		q.end = s.now()
		q.start = q.end.Add(-window)
	case start.IsZero():
		q.end, q.start = end, end.Add(-window)
	case end.IsZero():
		q.start, q.end = start, start.Add(window)
	default:
		q.start, q.end = start, end
	}
	if q.end.Before(q.start) {
		errs = append(errs, badRequest("end_date: before start_date"))
	} else if q.end.Sub(q.start) > window {
		errs = append(errs, badRequest("start_date, end_date: may not span more than 90 days"))
	}
	// Each request's timeline is a read of its stream: with them, pages
	// are smaller, so that one answer stays well within a request's time.
	largest := maxRequests
	if q.extensions {
		q.size, largest = defaultTimelines, maxTimelines
	}
	for name, p := range map[string]*int{"page": &q.page, "page_size": &q.size} {
		if x := v.Get(name); x != "" {
			n, err := strconv.Atoi(x)
			if err != nil || n < 1 || (name == "page_size" && n > largest) || (name == "page" && n > maxRequests*100) {
				errs = append(errs, badRequest(name+": a positive number; page_size at most "+strconv.Itoa(largest)))
				continue
			}
			*p = n
		}
	}
	return q, errs
}

func flag(v url.Values, name string) (bool, error) {
	if x := v.Get(name); x != "" {
		return strconv.ParseBool(x)
	}
	return false, nil
}

// list reads a comma-separated parameter.
func list(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// date reads a date of the specification: ISO 8601 with its offset. A
// bare date is taken as midnight UTC, as clients often send one.
func date(s string) (time.Time, error) {
	if s = strings.TrimSpace(s); s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	// A + in a query string that was not escaped arrives as a space.
	if t, err := time.Parse(time.RFC3339Nano, strings.Replace(s, " ", "+", 1)); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, errors.New("an ISO 8601 date and time with its offset, such as 2026-11-05T13:15:30Z")
}

// requests serves GET requests: the cases the public may read, newest
// first.
func (s *Server) requests(w http.ResponseWriter, r *http.Request, f format) {
	q, errs := s.readQuery(r)
	if len(errs) > 0 {
		s.writeErrors(w, r, f, errs...)
		return
	}
	var cases []casefile.Case
	var err error
	if q.ids != nil {
		cases, err = s.byIDs(r, q.ids)
	} else {
		cases, err = s.matching(r, q)
	}
	if err != nil {
		s.writeError(w, r, f, err)
		return
	}
	if q.ids == nil {
		from := min((q.page-1)*q.size, len(cases))
		cases = cases[from:min(from+q.size, len(cases))]
	}
	out, err := s.render(r, cases, q.extensions)
	if err != nil {
		s.writeError(w, r, f, err)
		return
	}
	write(w, f, http.StatusOK, "service_requests", out)
}

// byIDs returns the public cases of ids, in their order; the others are
// left out, as the specification's list of requests allows.
func (s *Server) byIDs(r *http.Request, ids []string) ([]casefile.Case, error) {
	var valid []string
	for _, id := range ids {
		if casefile.ValidID(id) {
			valid = append(valid, id)
		}
	}
	if len(valid) == 0 {
		return nil, nil
	}
	page, err := s.cfg.CaseList.List(r.Context(), caselist.Filter{IDs: valid, Limit: len(valid), Now: s.now()})
	if err != nil {
		return nil, err
	}
	byID := map[string]casefile.Case{}
	for _, c := range page.Items {
		byID[c.ID] = c
	}
	var out []casefile.Case
	for _, id := range valid {
		if c, ok := byID[id]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// matching returns the public cases q selects, newest first: the case
// list pages newest first, so reading stops at the first case older than
// the window.
func (s *Server) matching(r *http.Request, q query) ([]casefile.Case, error) {
	var out []casefile.Case
	f := caselist.Filter{Limit: listBatch, Now: s.now()}
	if len(q.codes) == 1 {
		f.Category = q.codes[0]
	}
	for {
		page, err := s.cfg.CaseList.List(r.Context(), f)
		if err != nil {
			return nil, err
		}
		for _, c := range page.Items {
			if c.CreatedAt.Before(q.start) {
				return out, nil
			}
			if c.CreatedAt.After(q.end) || (len(q.codes) > 0 && !slices.Contains(q.codes, c.Category)) ||
				(len(q.statuses) > 0 && !slices.Contains(q.statuses, openOrClosed(c.Status))) {
				continue
			}
			out = append(out, c)
		}
		if page.NextCursor == "" {
			return out, nil
		}
		f.Cursor = page.NextCursor
	}
}

// render makes the public's requests of cases, with their timelines when
// extensions asks.
func (s *Server) render(r *http.Request, cases []casefile.Case, extensions bool) ([]serviceRequest, error) {
	lang, base := language(r), baseURL(r)
	out := make([]serviceRequest, 0, len(cases))
	for i := range cases {
		c, ok := cases[i].Public()
		if !ok {
			continue
		}
		v := s.newServiceRequest(&c, lang, base)
		if extensions {
			notes, err := s.timeline(r, c.ID)
			if errors.Is(err, domain.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			v.Notes, v.NotesXML = notes, &notesList{Notes: notes}
		}
		out = append(out, v)
	}
	return out, nil
}

// timeline is the public history of case id as notes.
func (s *Server) timeline(r *http.Request, id string) ([]note, error) {
	h, err := s.cfg.Cases.History(r.Context(), id)
	if err != nil {
		return nil, err
	}
	public, err := casefile.HistoryFor(h, domain.Anonymous)
	if err != nil {
		return nil, err
	}
	notes := make([]note, 0, len(public.Events))
	for _, e := range public.Events {
		ev, err := casefile.Decode(e.Type, e.Data)
		if err != nil {
			continue
		}
		name := casefile.EventName(e.Type)
		description := publicText(ev)
		if description == "" {
			description = sentence(name)
		}
		// The event's own time, as updated_datetime is: what a desk
		// records later happened when it says.
		at := e.RecordedAt
		var dated struct {
			At time.Time `json:"at"`
		}
		if json.Unmarshal(e.Data, &dated) == nil && !dated.At.IsZero() {
			at = dated.At
		}
		notes = append(notes, note{Datetime: datetime(at), Description: description, Type: name})
	}
	return notes, nil
}

// publicText is the text an event shows the public, once redacted.
func publicText(e domain.Event) string {
	switch e := e.(type) {
	case *casefile.CaseReported:
		return e.Title
	case *casefile.CaseTriaged:
		return e.Note
	case *casefile.CaseRejected:
		return e.Reason
	case *casefile.CaseForwarded:
		return e.Note
	case *casefile.CaseAcknowledged:
		return e.Note
	case *casefile.CaseAnswered:
		return e.Response
	case *casefile.CaseResolved:
		return e.Note
	case *casefile.ResolutionConfirmed:
		return e.Note
	case *casefile.CaseReopened:
		return e.Reason
	case *casefile.CommentAdded:
		return e.Body
	}
	return ""
}

// sentence makes "Case forwarded" of an event's name, "CaseForwarded".
func sentence(name string) string {
	var b strings.Builder
	for i, r := range name {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte(' ')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// request serves GET requests/{id}: the one case, read from its stream.
func (s *Server) request(w http.ResponseWriter, r *http.Request) {
	id, f, ok := s.resource(w, r)
	if !ok {
		return
	}
	ext, err := flag(r.URL.Query(), "extensions")
	if err != nil {
		s.writeErrors(w, r, f, badRequest("extensions: must be true or false"))
		return
	}
	c, ok := s.load(w, r, f, id)
	if !ok {
		return
	}
	out, err := s.render(r, []casefile.Case{*c}, ext)
	if err != nil {
		s.writeError(w, r, f, err)
		return
	}
	if len(out) == 0 {
		s.writeErrors(w, r, f, notFound("no such service request"))
		return
	}
	write(w, f, http.StatusOK, "service_requests", out)
}

// load reads the case a path names, as the public may read it. It
// answers 404 and returns false for anything else.
func (s *Server) load(w http.ResponseWriter, r *http.Request, f format, id string) (*casefile.Case, bool) {
	if !casefile.ValidID(id) {
		s.writeErrors(w, r, f, notFound("no such service request"))
		return nil, false
	}
	c, _, err := s.cfg.Cases.Load(r.Context(), id)
	if err != nil {
		s.writeError(w, r, f, err)
		return nil, false
	}
	p, ok := c.Public()
	if !ok {
		s.writeErrors(w, r, f, notFound("no such service request"))
		return nil, false
	}
	return &p, true
}

// token serves GET tokens/{token}. Bayt records a request as it answers,
// so the token it gives is the request's id, and a token names the
// request at once.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	token, f, ok := s.resource(w, r)
	if !ok {
		return
	}
	c, ok := s.load(w, r, f, token)
	if !ok {
		return
	}
	write(w, f, http.StatusOK, "service_requests", []tokenAnswer{{ID: c.ID, Token: token}})
}
