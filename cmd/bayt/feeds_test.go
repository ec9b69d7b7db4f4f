package main

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// atomFeed is an Atom feed as a feed reader reads it.
type atomFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"http://www.w3.org/2005/Atom id"`
	Title   string   `xml:"http://www.w3.org/2005/Atom title"`
	Updated string   `xml:"http://www.w3.org/2005/Atom updated"`
	Author  []struct {
		Name string `xml:"http://www.w3.org/2005/Atom name"`
	} `xml:"http://www.w3.org/2005/Atom author"`
	Links []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"http://www.w3.org/2005/Atom link"`
	Entries []struct {
		ID      string `xml:"http://www.w3.org/2005/Atom id"`
		Title   string `xml:"http://www.w3.org/2005/Atom title"`
		Updated string `xml:"http://www.w3.org/2005/Atom updated"`
		Summary string `xml:"http://www.w3.org/2005/Atom summary"`
		Links   []struct {
			Rel  string `xml:"rel,attr"`
			Href string `xml:"href,attr"`
		} `xml:"http://www.w3.org/2005/Atom link"`
		Categories []struct {
			Term string `xml:"term,attr"`
		} `xml:"http://www.w3.org/2005/Atom category"`
	} `xml:"http://www.w3.org/2005/Atom entry"`
}

// atom reads the feed at path and checks what RFC 4287 requires of it:
// a well-formed document whose feed has an id, a title, an updated time
// and an author, and whose entries each have an id, a title, an updated
// time and a link, ids unique.
func (ts *testServer) atom(path string) (atomFeed, string) {
	ts.t.Helper()
	r := ts.do("GET", path, "", nil)
	if r.status != http.StatusOK {
		ts.t.Fatalf("GET %s: %d: %s", path, r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/atom+xml; charset=utf-8" {
		ts.t.Fatalf("GET %s: content type %q", path, ct)
	}
	// Well-formed: every token reads.
	dec := xml.NewDecoder(bytes.NewReader(r.body))
	for {
		if _, err := dec.Token(); err != nil {
			if err.Error() != "EOF" {
				ts.t.Fatalf("GET %s is not well-formed XML: %v\n%s", path, err, r.body)
			}
			break
		}
	}
	var f atomFeed
	if err := xml.Unmarshal(r.body, &f); err != nil {
		ts.t.Fatalf("GET %s is not an Atom feed: %v\n%s", path, err, r.body)
	}
	if _, err := url.Parse(f.ID); err != nil || f.ID == "" || f.Title == "" || len(f.Author) == 0 || f.Author[0].Name == "" {
		ts.t.Fatalf("GET %s: feed lacks id, title or author: %+v", path, f)
	}
	if _, err := time.Parse(time.RFC3339, f.Updated); err != nil {
		ts.t.Fatalf("GET %s: feed updated %q: %v", path, f.Updated, err)
	}
	ids := map[string]bool{}
	for _, e := range f.Entries {
		if _, err := time.Parse(time.RFC3339, e.Updated); err != nil || e.ID == "" || e.Title == "" || len(e.Links) == 0 || ids[e.ID] {
			ts.t.Fatalf("GET %s: entry %+v lacks an element RFC 4287 requires, or repeats an id", path, e)
		}
		ids[e.ID] = true
	}
	return f, string(r.body)
}

func entryLinks(f atomFeed) []string {
	var out []string
	for _, e := range f.Entries {
		out = append(out, e.Links[0].Href)
	}
	return out
}

// TestAtomFeeds follows the public events of every case, of a district,
// of a category, of one case and of a campaign: each feed is Atom, says
// what the public board says (a moderated title as replaced, a hidden
// case not at all) and nothing the reporter or a signer gave; the pages
// name their feeds.
func TestAtomFeeds(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	requirePages(t, ts)
	const (
		name, phone, email = "Samira Zarrouk", "+216 22 987 654", "samira@example.tn"
		arabic             = "حفرة أمام المدرسة"
		original           = "Zarrouk the grocer cheats"
		publicTitle        = "Scales at a grocer"
	)
	reporter := map[string]any{"name": name, "phone": phone, "email": email}
	medina := ts.report(map[string]any{"title": arabic, "district": "Medina", "reporter": reporter})["id"].(string)
	grocer := ts.report(map[string]any{"title": original, "category": "markets_prices", "district": "Lafayette", "reporter": reporter})["id"].(string)
	hidden := ts.report(map[string]any{"title": "Quarrel between neighbours", "district": "Medina", "reporter": reporter})["id"].(string)
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+medina+"/triage", "advocate", map[string]any{"priority": "high"})
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+medina+"/forward", "advocate", map[string]any{"department": "roads_works"})
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+grocer+"/moderate", "advocate", map[string]any{"public_title": publicTitle, "reason": "names a person"})
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+hidden+"/moderate", "advocate", map[string]any{"hidden": true, "reason": "a private dispute"})
	lead := ts.must(http.StatusCreated, "POST", "/api/v1/organisations", "advocate", map[string]any{
		"name": "Association des quartiers", "kind": "association"})["id"].(string)
	campaign := ts.must(http.StatusCreated, "POST", "/api/v1/campaigns", "advocate", campaignLaunchBody(lead))["id"].(string)
	ts.must(http.StatusOK, "POST", "/api/v1/campaigns/"+campaign+"/signatures", "", map[string]any{"name": "Amel Gharbi", "district": "Medina"})
	ts.settle()
	secrets := []string{name, phone, email, "Samira", original, "Quarrel", "Amel", "Gharbi", "private dispute", "names a person"}
	clean := func(path, body string) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(body, s) {
				t.Errorf("%s holds %q", path, s)
			}
		}
	}

	all, body := ts.atom("/feeds/cases.atom")
	clean("/feeds/cases.atom", body)
	if len(all.Entries) != 5 { // reported ×2, triaged, forwarded, the grocer's moderation
		t.Errorf("every case's feed: %d entries, want 5: %s", len(all.Entries), body)
	}
	caseLink := ts.url + "/cases/" + medina
	if all.Entries[0].Links[0].Href != ts.url+"/cases/"+grocer || !strings.Contains(all.Entries[0].Title, publicTitle) {
		t.Errorf("newest entry %+v, want the grocer's moderation under its public title", all.Entries[0])
	}
	if !strings.Contains(body, arabic) || strings.Contains(body, hidden) {
		t.Errorf("feed of every case: want the Arabic title and no word of the hidden case:\n%s", body)
	}

	district, body := ts.atom("/feeds/cases.atom?district=Medina")
	clean("district feed", body)
	if got := entryLinks(district); len(got) != 3 || slices.ContainsFunc(got, func(l string) bool { return l != caseLink }) {
		t.Errorf("Medina's feed links %v, want the three public events of %s alone", got, medina)
	}
	if i := slices.IndexFunc(district.Entries[0].Categories, func(c struct {
		Term string `xml:"term,attr"`
	}) bool {
		return c.Term == "CaseForwarded"
	}); i < 0 {
		t.Errorf("Medina's newest entry %+v is not the forwarding", district.Entries[0])
	}
	category, body := ts.atom("/feeds/cases.atom?category=markets_prices")
	clean("category feed", body)
	if got := entryLinks(category); len(got) != 2 || got[0] != ts.url+"/cases/"+grocer {
		t.Errorf("the markets category feed links %v, want the grocer's two events", got)
	}
	if none, _ := ts.atom("/feeds/cases.atom?district=Nowhere"); len(none.Entries) != 0 {
		t.Errorf("a district without cases has entries: %+v", none.Entries)
	}

	one, body := ts.atom("/feeds/cases/" + medina + ".atom")
	clean("case feed", body)
	if len(one.Entries) != 3 || !strings.Contains(one.Title, arabic) {
		t.Errorf("case feed %q with %d entries, want the case's title and three entries", one.Title, len(one.Entries))
	}
	self := slices.IndexFunc(one.Links, func(l struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	}) bool {
		return l.Rel == "self" && l.Href == ts.url+"/feeds/cases/"+medina+".atom"
	})
	if self < 0 {
		t.Errorf("case feed links %+v, want its own address as self", one.Links)
	}
	camp, body := ts.atom("/feeds/campaigns/" + campaign + ".atom")
	clean("campaign feed", body)
	if len(camp.Entries) == 0 || !strings.Contains(body, "أرصفة آمنة في المدينة العتيقة") {
		t.Errorf("campaign feed: %s", body)
	}

	// No feed for what the public may not see, or what does not exist.
	expectProblem(t, ts.do("GET", "/feeds/cases/"+hidden+".atom", "", nil), http.StatusNotFound, "not_found")
	expectProblem(t, ts.do("GET", "/feeds/cases/case-01J0000000000000000000000.atom", "", nil), http.StatusNotFound, "not_found")
	expectProblem(t, ts.do("GET", "/feeds/cases/"+medina+".rss", "", nil), http.StatusNotFound, "not_found")
	expectProblem(t, ts.do("GET", "/feeds/campaigns/camp-nothing.atom", "", nil), http.StatusNotFound, "not_found")
	expectProblem(t, ts.do("GET", "/feeds/cases.atom?district=%01", "", nil), http.StatusBadRequest, "invalid_input")

	// The pages name their feeds for feed readers.
	for path, feed := range map[string]string{
		"/":                        "/feeds/cases.atom",
		"/cases/" + medina:         "/feeds/cases/" + medina + ".atom",
		"/campaigns/" + campaign:   "/feeds/campaigns/" + campaign + ".atom",
		"/cases?district=Medina":   "/feeds/cases.atom?district=Medina",
		"/cases?category=roads&q=": "/feeds/cases.atom?category=roads",
	} {
		r := ts.page("GET", path, nil)
		want := `<link rel="alternate" type="application/atom+xml" title="`
		if r.status != http.StatusOK || !strings.Contains(string(r.body), want) || !strings.Contains(string(r.body), `href="`+feed+`"`) {
			t.Errorf("GET %s: %d, want a link to %s", path, r.status, feed)
		}
	}
}
