package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/projections/caselist"
	"github.com/citizenhouse/bayt/projections/network"
	"github.com/citizenhouse/bayt/transport/atom"
)

// CaseFeeds reads the public events of cases, newest first, from the case
// list's public feed: what moderation withdrew is gone from it already.
type CaseFeeds interface {
	RecentFeed(ctx context.Context, f caselist.FeedFilter, limit int) ([]caselist.FeedItem, error)
}

// CampaignFeeds reads the public events of one campaign, newest first.
type CampaignFeeds interface {
	RecentFeed(ctx context.Context, stream string, limit int) ([]network.FeedItem, error)
}

// feedEntries is how many events a feed carries: a reader polls, and
// keeps what it saw.
const feedEntries = 50

func (s *Server) feedRoutes() {
	if s.cfg.CaseFeeds != nil {
		s.mux.HandleFunc("GET /feeds/cases.atom", s.casesFeed)
		s.mux.HandleFunc("GET /feeds/cases/{file}", s.caseFeed)
	}
	if s.cfg.CampaignFeeds != nil {
		s.mux.HandleFunc("GET /feeds/campaigns/{file}", s.campaignFeed)
	}
}

// casesFeed answers GET /feeds/cases.atom?district=&category=: the public
// events of every case, of a district's or of a category's.
func (s *Server) casesFeed(w http.ResponseWriter, r *http.Request) {
	if err := validQuery(r); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	q := r.URL.Query()
	f := caselist.FeedFilter{District: q.Get("district"), Category: q.Get("category")}
	for field, v := range map[string]string{"district": f.District, "category": f.Category} {
		if len(v) > 100 || !printable(v) {
			s.writeProblem(w, r, malformed(field, "at most 100 printable characters"))
			return
		}
	}
	// A district is named as residents spell it; cases keep its code.
	f.District = s.districtCode(f.District)
	items, err := s.cfg.CaseFeeds.RecentFeed(r.Context(), f, feedEntries)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	base := s.baseURL(r)
	title, page := "Bayt: every public case", base+"/cases"
	switch {
	case f.District != "" && f.Category != "":
		title = "Bayt: cases of " + f.Category + " in " + f.District
		page += "?" + url.Values{"district": {f.District}, "category": {f.Category}}.Encode()
	case f.District != "":
		title = "Bayt: cases in " + f.District
		page += "?" + url.Values{"district": {f.District}}.Encode()
	case f.Category != "":
		title = "Bayt: cases of " + f.Category
		page += "?" + url.Values{"category": {f.Category}}.Encode()
	}
	self := base + r.URL.RequestURI()
	s.writeFeed(w, r, s.caseFeedDoc(base, self, page, title, items))
}

// caseFeed answers GET /feeds/cases/{id}.atom: one case's public events.
// A case the public may not see (hidden, unknown) has no feed.
func (s *Server) caseFeed(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(r.PathValue("file"), ".atom")
	if !ok || !casefile.ValidID(id) {
		s.writeProblem(w, r, domain.ErrNotFound)
		return
	}
	items, err := s.cfg.CaseFeeds.RecentFeed(r.Context(), caselist.FeedFilter{Stream: id}, feedEntries)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if len(items) == 0 {
		s.writeProblem(w, r, domain.ErrNotFound)
		return
	}
	base := s.baseURL(r)
	page := base + "/cases/" + url.PathEscape(id)
	s.writeFeed(w, r, s.caseFeedDoc(base, base+r.URL.RequestURI(), page, "Bayt: "+items[0].Title, items))
}

func (s *Server) caseFeedDoc(base, self, page, title string, items []caselist.FeedItem) *atom.Feed {
	f := newFeed(self, page, title)
	for _, it := range items {
		link := base + "/cases/" + url.PathEscape(it.CaseID)
		e := atom.Entry{
			ID:      link + "#event-" + itoa(it.Position),
			Title:   atom.Plain(it.Title + " · " + statusWords(it.Status)),
			Updated: atom.Time(it.At),
			Links:   []atom.Link{{Rel: "alternate", Type: "text/html", Href: link}},
			Categories: []atom.Category{
				{Term: it.Event, Scheme: base + "/feeds/events"},
				{Term: it.Category, Scheme: base + "/api/v1/categories"},
				{Term: it.District, Scheme: base + "/feeds/districts"},
			},
			Summary: ptr(atom.Plain(eventWords(it.Event) + ": " + it.Title + " (" + it.District + ", " + it.Category + "), now " + statusWords(it.Status) + ".")),
		}
		f.Entries = append(f.Entries, e)
	}
	if len(items) > 0 {
		f.Updated = atom.Time(items[0].At)
	}
	return f
}

// campaignFeed answers GET /feeds/campaigns/{id}.atom.
func (s *Server) campaignFeed(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(r.PathValue("file"), ".atom")
	if !ok || !campaign.ValidID(id) {
		s.writeProblem(w, r, domain.ErrNotFound)
		return
	}
	items, err := s.cfg.CampaignFeeds.RecentFeed(r.Context(), id, feedEntries)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if len(items) == 0 {
		s.writeProblem(w, r, domain.ErrNotFound)
		return
	}
	base := s.baseURL(r)
	page := base + "/campaigns/" + url.PathEscape(id)
	f := newFeed(base+r.URL.RequestURI(), page, "Bayt: "+items[0].Title)
	for _, it := range items {
		f.Entries = append(f.Entries, atom.Entry{
			ID:         page + "#event-" + itoa(it.Position),
			Title:      atom.Plain(it.Title + " · " + eventWords(it.Event)),
			Updated:    atom.Time(it.At),
			Links:      []atom.Link{{Rel: "alternate", Type: "text/html", Href: page}},
			Categories: []atom.Category{{Term: it.Event, Scheme: base + "/feeds/events"}, {Term: it.Theme}},
			Summary:    ptr(atom.Plain(eventWords(it.Event) + ": " + it.Title + ", now " + statusWords(it.Status) + ".")),
		})
	}
	f.Updated = atom.Time(items[0].At)
	s.writeFeed(w, r, f)
}

func newFeed(self, page, title string) *atom.Feed {
	return &atom.Feed{
		ID: self, Title: atom.Plain(title), Updated: atom.Time(time.Unix(0, 0)),
		Author: &atom.Person{Name: "Bayt"},
		Links: []atom.Link{
			{Rel: "self", Type: "application/atom+xml", Href: self},
			{Rel: "alternate", Type: "text/html", Href: page},
		},
	}
}

func (s *Server) writeFeed(w http.ResponseWriter, r *http.Request, f *atom.Feed) {
	w.Header().Set("Content-Type", atom.ContentType)
	w.Header().Set("Cache-Control", "public, max-age=60")
	if err := atom.Write(w, f); err != nil {
		s.log.WarnContext(r.Context(), "write feed", "err", err)
	}
}

// baseURL is where readers reach Bayt: the configured public address, or
// the one the request came to.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimRight(s.cfg.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// eventWords reads an event's name as words: "CaseForwarded" is "Case
// forwarded".
func eventWords(name string) string {
	var b strings.Builder
	for i, c := range name {
		if i > 0 && c >= 'A' && c <= 'Z' {
			b.WriteByte(' ')
			c += 'a' - 'A'
		}
		b.WriteRune(c)
	}
	return b.String()
}

func statusWords(status string) string { return strings.ReplaceAll(status, "_", " ") }

func ptr[T any](v T) *T { return &v }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// printable reports whether s is UTF-8 without control characters.
func printable(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0
}
