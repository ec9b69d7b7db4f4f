package main

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain/casefile"
)

// caseNumber reads case id's number from the API, once the case list has
// it.
func (ts *testServer) caseNumber(id string) string {
	ts.t.Helper()
	ts.settle()
	n, _ := ts.must(http.StatusOK, "GET", "/api/v1/cases/"+id, "", nil)["number"].(string)
	if n == "" {
		ts.t.Fatalf("case %s has no number once the read models caught up", id)
	}
	return n
}

// wantNumbers returns the numbers cases reported at the times given, in
// order, should get on a fresh log: each the next of its year in Tunis.
func wantNumbers(t *testing.T, created []string) []string {
	t.Helper()
	tunis, err := time.LoadLocation("Africa/Tunis")
	if err != nil {
		t.Fatal(err)
	}
	count := map[int]int{}
	var out []string
	for _, c := range created {
		at, err := time.Parse(time.RFC3339Nano, c)
		if err != nil {
			t.Fatal(err)
		}
		y := at.In(tunis).Year()
		count[y]++
		out = append(out, casefile.FormatNumber(y, count[y]))
	}
	return out
}

// TestCaseNumbers reports cases and finds each one's number, in report
// order, on the API (the case and the list), the pages (the case, the
// board, the console's inbox and workbench), and by searching for it.
func TestCaseNumbers(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	requirePages(t, ts)
	var ids, created []string
	for i := range 3 {
		r := ts.report(map[string]any{"title": "Numbered case " + strings.Repeat("x", i+1), "district": "Numbers-District"})
		id := r["id"].(string)
		ids = append(ids, id)
		created = append(created, ts.must(http.StatusOK, "GET", "/api/v1/cases/"+id, "", nil)["created_at"].(string))
	}
	want := wantNumbers(t, created)
	for i, id := range ids {
		if got := ts.caseNumber(id); got != want[i] {
			t.Errorf("case %d: number %q, want %q", i, got, want[i])
		}
	}
	list := ts.must(http.StatusOK, "GET", "/api/v1/cases?district=Numbers-District", "", nil)
	items, _ := list["items"].([]any)
	if len(items) != 3 {
		t.Fatalf("list: %d items", len(items))
	}
	for _, it := range items {
		m := it.(map[string]any)
		for i, id := range ids {
			if m["id"] == id && m["number"] != want[i] {
				t.Errorf("list item %s: number %v, want %s", id, m["number"], want[i])
			}
		}
	}

	// A search for a number finds that case, typed as residents type it.
	second := want[1]
	year, rank, _ := strings.Cut(second, "-")
	n, _ := strconv.Atoi(rank)
	for _, q := range []string{second, year + "-" + strconv.Itoa(n), " " + second + " "} {
		r := ts.must(http.StatusOK, "GET", "/api/v1/cases?q="+url.QueryEscape(q), "", nil)
		got, _ := r["items"].([]any)
		if len(got) != 1 || got[0].(map[string]any)["id"] != ids[1] {
			t.Errorf("q=%q: %v, want %s alone", q, got, ids[1])
		}
	}
	body := expectPage(t, ts.page("GET", "/cases?lang=en&q="+url.QueryEscape(second), nil), http.StatusOK,
		[]string{`href="/cases/` + ids[1] + `?lang=en"`, `<span class="case-number" dir="ltr">` + second + `</span>`})
	if strings.Contains(body, ids[0]) || strings.Contains(body, ids[2]) {
		t.Error("a search for one number lists other cases")
	}

	// GET /cases/{number} opens the case's page.
	c := newConsoleClient(ts)
	p := c.get("/cases/" + second + "?lang=fr")
	if p.status != http.StatusSeeOther || p.location != "/cases/"+ids[1]+"?lang=fr" {
		t.Errorf("GET /cases/%s: %d to %q, want 303 to the case", second, p.status, p.location)
	}
	if p := c.get("/cases/" + year + "-9999"); p.status != http.StatusNotFound {
		t.Errorf("GET /cases of a number nobody has: %d, want 404", p.status)
	}

	expectPage(t, ts.page("GET", "/cases/"+ids[1]+"?lang=en", nil), http.StatusOK,
		[]string{`Case number: <strong class="case-number" dir="ltr">` + second + `</strong>`, "Identifier: <code dir=\"ltr\">" + ids[1]})
	expectPage(t, ts.page("GET", "/?lang=en", nil), http.StatusOK, []string{`<span class="case-number" dir="ltr">` + want[2] + `</span>`})
	adv := newConsoleClient(ts)
	adv.signIn("advocate")
	if p := adv.get("/console/inbox"); p.status != http.StatusOK || !strings.Contains(p.body, `<span class="case-number" dir="ltr">`+want[0]+`</span>`) {
		t.Errorf("the inbox does not show the numbers: %d", p.status)
	}
	if p := adv.get("/console/cases/" + ids[2]); p.status != http.StatusOK || !strings.Contains(p.body, `<strong class="case-number" dir="ltr">`+want[2]+`</strong>`) {
		t.Errorf("the workbench does not show the number: %d", p.status)
	}
}

var cardID = regexp.MustCompile(`<li class="case-card" data-case-id="([^"]+)"`)

// cards returns the ids of the case cards of a page, in order.
func cards(body string) []string {
	var out []string
	for _, m := range cardID.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

var nextPage = regexp.MustCompile(`<a href="([^"]+)" rel="next" data-next-page>`)

// TestCasesSearchPage searches /cases as a browser without JavaScript
// does: every filter narrows the list, and the next-page links walk the
// whole of it once.
func TestCasesSearchPage(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	requirePages(t, ts)
	const district = "Search-Hay"
	var all []string
	for i := range 23 {
		cat := "roads"
		if i%4 == 0 {
			cat = "lighting"
		}
		all = append(all, ts.report(map[string]any{"district": district, "category": cat, "title": "Search page case " + strconv.Itoa(i)})["id"].(string))
	}
	forwarded := ts.forwarded("roads_works", map[string]any{"district": district, "title": "Forwarded pavement"})
	all = append(all, forwarded)
	ts.report(map[string]any{"district": "Elsewhere", "title": "Not in the district"})
	ts.settle()

	page := func(query string) (string, []string) {
		t.Helper()
		body := expectPage(t, ts.page("GET", "/cases?"+query, nil), http.StatusOK, []string{`<form method="get" action="/cases"`})
		return body, cards(body)
	}
	// Every filter: status, district, category, department, overdue, text.
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"status=forwarded&district=" + district, []string{forwarded}},
		{"department=roads_works", []string{forwarded}},
		{"q=" + url.QueryEscape("FORWARDED pavement"), []string{forwarded}},
		{"category=lighting&district=" + district, []string{all[20], all[16], all[12], all[8], all[4], all[0]}},
		{"overdue=1&district=" + district, nil},
		{"district=Elsewhere&status=forwarded", nil},
	} {
		if _, got := page(tc.query + "&lang=en"); strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("/cases?%s: %v, want %v", tc.query, got, tc.want)
		}
	}
	body, _ := page("lang=en&status=forwarded&department=roads_works&overdue=1")
	for _, chosen := range []string{`<option value="forwarded" selected>`, `<option value="roads_works" selected>`, `name="overdue" type="checkbox" value="1" checked`} {
		if !strings.Contains(body, chosen) {
			t.Errorf("the form does not keep %s", chosen)
		}
	}

	// Pages of 20, newest first, each case once.
	var walked []string
	query := "district=" + district + "&lang=fr"
	for range 5 {
		body, ids := page(query)
		walked = append(walked, ids...)
		if !strings.Contains(body, `<html lang="fr"`) {
			t.Fatal("a page lost the chosen language")
		}
		m := nextPage.FindStringSubmatch(body)
		if m == nil {
			break
		}
		next, err := url.Parse(html.UnescapeString(m[1]))
		if err != nil || next.Path != "/cases" || next.Query().Get("district") != district || next.Query().Get("lang") != "fr" {
			t.Fatalf("next page link %q does not keep the search", m[1])
		}
		query = next.RawQuery
	}
	if len(walked) != len(all) {
		t.Fatalf("the pages list %d cases, want %d", len(walked), len(all))
	}
	for i, id := range walked {
		if id != all[len(all)-1-i] {
			t.Fatalf("page order: %v, want newest first %v", walked, all)
		}
	}
	if _, ids := page(query); len(ids) != len(all)-20 {
		t.Errorf("the last page lists %d cases", len(ids))
	}
	expectPage(t, ts.page("GET", "/cases?cursor=not-a-cursor", nil), http.StatusBadRequest, nil)
}

// TestTrackPage follows a resolved case with its tracking token as a
// browser without JavaScript does, confirms the resolution and sees the
// case closed; a wrong token gets nothing; and the token never appears in
// an address.
func TestTrackPage(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	requirePages(t, ts)
	const title = "Tracked broken pavement"
	r := ts.report(map[string]any{"title": title, "district": "Track-Hay"})
	id, token := r["id"].(string), r["tracking_token"].(string)
	other := ts.report(map[string]any{"title": "Someone else's case"})
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+id+"/triage", "advocate", map[string]any{"priority": "normal"})
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+id+"/forward", "advocate", map[string]any{"department": "roads_works"})
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+id+"/resolve", "officer", map[string]any{"note": "Paved again"})
	number := ts.caseNumber(id)

	c := newConsoleClient(ts)
	var locations []string
	visit := func(p page) page {
		locations = append(locations, p.location)
		return p
	}
	p := visit(c.get("/track?lang=en"))
	if p.status != http.StatusOK || !strings.Contains(p.body, `name="tracking_token"`) || !strings.Contains(p.body, `method="post" action="/track?lang=en"`) {
		t.Fatalf("GET /track: %d, want the token's form:\n%s", p.status, p.body)
	}

	// A wrong token: a clear message, nothing of any case, no cookie.
	for _, wrong := range []string{"not-a-token", other["tracking_token"].(string) + "x", strings.Repeat("a", 500)} {
		p = visit(c.post("/track?lang=en", url.Values{"tracking_token": {wrong}}))
		if p.status != http.StatusNotFound || !strings.Contains(p.body, "This token is not recognised.") {
			t.Errorf("wrong token: %d\n%s", p.status, p.body)
		}
		if strings.Contains(p.body, title) || strings.Contains(p.body, number) || strings.Contains(p.body, wrong) {
			t.Error("the answer to a wrong token shows a case or the token")
		}
		if p.header.Get("Set-Cookie") != "" || p.header.Get("Cache-Control") != "no-store" {
			t.Errorf("wrong token: Set-Cookie %q, Cache-Control %q", p.header.Get("Set-Cookie"), p.header.Get("Cache-Control"))
		}
	}

	// The token: 303 to /track, the token kept in a cookie of /track.
	p = visit(c.post("/track?lang=en", url.Values{"tracking_token": {" " + token + " "}}))
	if p.status != http.StatusSeeOther || p.location != "/track?lang=en" || p.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("POST /track: %d to %q (Cache-Control %q), want 303 to /track", p.status, p.location, p.header.Get("Cache-Control"))
	}
	cookie := p.header.Get("Set-Cookie")
	for _, attr := range []string{"bayt_track=" + token, "Path=/track", "HttpOnly", "SameSite=Strict", "Max-Age="} {
		if !strings.Contains(cookie, attr) {
			t.Errorf("the track cookie %q lacks %s", cookie, attr)
		}
	}
	p = visit(c.get("/track?lang=en"))
	if p.status != http.StatusOK || p.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("GET /track with the token: %d, Cache-Control %q", p.status, p.header.Get("Cache-Control"))
	}
	for _, want := range []string{title, number, `data-status="resolved"`, `data-form="confirm"`, `data-form="reopen"`, "Paved again", `action="/track/confirm?lang=en"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the tracked case lacks %q", want)
		}
	}
	if strings.Contains(p.body, token) {
		t.Error("the tracked case's page holds the token")
	}
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(p.body)
	if version == nil {
		t.Fatal("the confirm form carries no version")
	}

	// Confirm: 303 back, the case closed.
	p = visit(c.post("/track/confirm?lang=en", url.Values{"note": {"Thank you, it holds"}, "version": {version[1]}}))
	if p.status != http.StatusSeeOther || p.location != "/track?lang=en&done=confirm" {
		t.Fatalf("confirm: %d to %q\n%s", p.status, p.location, p.body)
	}
	if got := ts.must(http.StatusOK, "GET", "/api/v1/cases/"+id, "", nil)["status"]; got != "closed" {
		t.Fatalf("after the confirmation the case is %v, want closed", got)
	}
	p = visit(c.get("/track?lang=en&done=confirm"))
	if !strings.Contains(p.body, "you confirmed the resolution") || !strings.Contains(p.body, `data-status="closed"`) || strings.Contains(p.body, `data-form="confirm"`) {
		t.Errorf("the page after the confirmation:\n%s", p.body)
	}
	// A confirmation of a closed case is refused with the reason, in the
	// page's language, and records nothing.
	head := ts.head()
	current := strconv.FormatInt(ts.caseVersion(id), 10)
	p = visit(c.post("/track/reopen?lang=fr", url.Values{"reason": {"Again"}, "version": {current}}))
	if p.status != http.StatusConflict || !strings.Contains(p.body, "Impossible : le dossier est dans l&#39;état « Clos »") {
		t.Errorf("reopen of a closed case: %d\n%s", p.status, p.body)
	}
	p = visit(c.post("/track/confirm?lang=en", url.Values{"version": {version[1]}}))
	if p.status != http.StatusConflict || !strings.Contains(p.body, "The case changed since you opened this page") {
		t.Errorf("a stale confirmation: %d\n%s", p.status, p.body)
	}
	if ts.head() != head {
		t.Error("a refused form recorded something")
	}

	// Forget: the cookie goes, and /track asks for the token again.
	p = visit(c.post("/track/forget?lang=en", nil))
	if p.status != http.StatusSeeOther || !strings.Contains(p.header.Get("Set-Cookie"), "Max-Age=0") {
		t.Errorf("forget: %d, Set-Cookie %q", p.status, p.header.Get("Set-Cookie"))
	}
	if p = visit(c.get("/track")); !strings.Contains(p.body, `name="tracking_token"`) {
		t.Error("after forget /track still shows the case")
	}
	// From another site, nothing is taken.
	if p := ts.page("POST", "/track", url.Values{"tracking_token": {token}}, "Origin", "https://elsewhere.example"); p.status != http.StatusForbidden {
		t.Errorf("a cross-site post of the token: %d, want 403", p.status)
	}

	for _, loc := range locations {
		if strings.Contains(loc, token) {
			t.Errorf("the token is in a Location: %q", loc)
		}
	}
	// The report form's confirmation leads to /track.
	done := ts.postReportForm("/report?lang=en", url.Values{"title": {"Leaking pipe"}, "description": {"Since Monday"},
		"category": {"roads"}, "district": {"Medina"}}, "Origin", ts.url)
	reported := expectPage(t, done, http.StatusOK, []string{`href="/track?lang=en"`, "Follow my case"})
	if loc := regexp.MustCompile(`href="[^"]*` + regexp.QuoteMeta(token)).FindString(reported); loc != "" {
		t.Errorf("a link holds a token: %s", loc)
	}
}

// TestTrackGuessesAreLimited spends the anonymous write limit on wrong
// tokens: the guess after the limit is refused.
func TestTrackGuessesAreLimited(t *testing.T) {
	t.Parallel()
	ts := startServerWith(t, func(c *config) { c.PublicWriteLimit = 3 })
	requirePages(t, ts)
	for i := range 3 {
		if p := ts.page("POST", "/track", url.Values{"tracking_token": {"guess-" + strconv.Itoa(i)}}); p.status != http.StatusNotFound {
			t.Fatalf("guess %d: %d, want 404", i, p.status)
		}
	}
	expectPage(t, ts.page("POST", "/track?lang=en", url.Values{"tracking_token": {"guess-4"}}), http.StatusTooManyRequests,
		[]string{"Too many attempts"})
}

// TestMeToo supports a case from its page, as a browser without
// JavaScript: 303 back to the case, counted once for the same visitor
// however often they press, and never from another site.
func TestMeToo(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	requirePages(t, ts)
	id := ts.report(nil)["id"].(string)
	c := newConsoleClient(ts)
	p := c.get("/cases/" + id + "?lang=en")
	if !strings.Contains(p.body, `action="/cases/`+id+`/support?lang=en"`) || !strings.Contains(p.body, "Me too") {
		t.Fatalf("the case page offers no \"me too\":\n%s", p.body)
	}
	for range 3 {
		p = c.post("/cases/"+id+"/support?lang=en", nil)
		if p.status != http.StatusSeeOther || p.location != "/cases/"+id+"?lang=en&supported=1" {
			t.Fatalf("me too: %d to %q", p.status, p.location)
		}
	}
	if p := ts.page("POST", "/cases/"+id+"/support", url.Values{}, "Origin", "https://elsewhere.example"); p.status != http.StatusForbidden {
		t.Errorf("a cross-site support: %d, want 403", p.status)
	}
	if n := ts.must(http.StatusOK, "GET", "/api/v1/cases/"+id, "", nil)["supporters"]; n != 1.0 {
		t.Errorf("supporters %v, want 1", n)
	}
	p = c.get("/cases/" + id + "?lang=en&supported=1")
	if !strings.Contains(p.body, "your support for this case is counted") || !strings.Contains(p.body, `data-count="supporters">1<`) {
		t.Errorf("the case page after \"me too\":\n%s", p.body)
	}
	// A closed case takes no support: no button.
	closed := ts.report(nil)["id"].(string)
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+closed+"/reject", "advocate", map[string]any{"reason": "Not a municipal matter"})
	if p := c.get("/cases/" + closed); strings.Contains(p.body, "/support") {
		t.Error("a rejected case offers \"me too\"")
	}
	if p := c.post("/cases/"+closed+"/support?lang=en", nil); p.status != http.StatusConflict || !strings.Contains(p.body, "cannot be supported while it is") {
		t.Errorf("me too on a rejected case: %d", p.status)
	}
}

// TestPetitionFromPage signs a campaign's petition from its page: 303 back
// with thanks, the count raised once by the same signer or a double
// click, and the campaign's cases and the case's campaigns named by title.
func TestPetitionFromPage(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	requirePages(t, ts)
	lead := ts.must(http.StatusCreated, "POST", "/api/v1/organisations", "advocate", map[string]any{
		"name": "Association Hay", "kind": "association", "themes": []string{"community"}})["id"].(string)
	const campaignTitle, caseTitle = "Light every street of the Hay", "Dark street behind the market"
	id := ts.must(http.StatusCreated, "POST", "/api/v1/campaigns", "advocate", map[string]any{
		"title": campaignTitle, "demand": "Repair the street lamps", "theme": "community",
		"target_department": "public_lighting", "lead_organisation": lead})["id"].(string)
	caseID := ts.report(map[string]any{"title": caseTitle, "category": "lighting"})["id"].(string)
	ts.must(http.StatusOK, "POST", "/api/v1/campaigns/"+id+"/cases", "advocate", map[string]any{"case_id": caseID})
	ts.settle()

	signatures := func() float64 {
		t.Helper()
		n, _ := ts.must(http.StatusOK, "GET", "/api/v1/campaigns/"+id, "", nil)["signatures"].(float64)
		return n
	}
	c := newConsoleClient(ts)
	formKey := regexp.MustCompile(`name="form_key" value="([^"]+)"`)
	sign := func(name string, key string) page {
		t.Helper()
		if key == "" {
			p := c.get("/campaigns/" + id + "?lang=en")
			m := formKey.FindStringSubmatch(p.body)
			if m == nil || !strings.Contains(p.body, `action="/campaigns/`+id+`/signatures?lang=en"`) {
				t.Fatalf("the campaign page has no petition form:\n%s", p.body)
			}
			key = m[1]
		}
		return c.post("/campaigns/"+id+"/signatures?lang=en", url.Values{"name": {name}, "district": {"Medina"}, "form_key": {key}})
	}
	p := sign("Samia Ben Salah", "")
	if p.status != http.StatusSeeOther || p.location != "/campaigns/"+id+"?lang=en&signed=1" {
		t.Fatalf("sign: %d to %q\n%s", p.status, p.location, p.body)
	}
	if n := signatures(); n != 1 {
		t.Fatalf("signatures %v after one, want 1", n)
	}
	// The same person again, from a fresh form, and a double click: the
	// same answer, and no more signatures.
	if again := sign("  samia ben salah ", ""); again.status != p.status || again.location != p.location {
		t.Errorf("a repeat signature answers %d to %q, not as the first", again.status, again.location)
	}
	key := formKey.FindStringSubmatch(c.get("/campaigns/" + id).body)[1]
	sign("Karim Ouali", key)
	if twice := sign("Karim Ouali", key); twice.status != http.StatusSeeOther {
		t.Errorf("a double click: %d", twice.status)
	}
	if n := signatures(); n != 2 {
		t.Errorf("signatures %v, want 2 (two people)", n)
	}
	page := c.get("/campaigns/" + id + "?lang=en&signed=1").body
	for _, want := range []string{"your signature is counted", `data-count="signatures">2<`,
		`<a class="case-title" href="/cases/` + caseID + `?lang=en" dir="auto">` + caseTitle + `</a>`,
		`<a href="/cases/` + caseID + `?lang=en" dir="auto">` + caseTitle + `</a>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the campaign page lacks %q", want)
		}
	}
	for _, secret := range []string{"Samia", "Karim", ">" + caseID + "<"} {
		if strings.Contains(page, secret) {
			t.Errorf("the campaign page shows %q", secret)
		}
	}
	// A name too long is refused next to its field, and counts nothing.
	if p := sign(strings.Repeat("ن", 300), ""); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `href="#petition-name"`) {
		t.Errorf("a name too long: %d", p.status)
	}
	casePage := c.get("/cases/" + caseID + "?lang=en").body
	if !strings.Contains(casePage, `<a href="/campaigns/`+id+`?lang=en" dir="auto">`+campaignTitle+`</a>`) ||
		strings.Contains(casePage, ">"+id+"<") {
		t.Errorf("the case page does not name its campaign by title:\n%s", casePage)
	}
	if n := signatures(); n != 2 {
		t.Errorf("signatures %v after a refusal, want 2", n)
	}
}

func TestTimezoneConfig(t *testing.T) {
	for value, ok := range map[string]bool{"": true, "Africa/Tunis": true, "UTC": true, "Europe/Paris": true, "Mars/Olympus": false, "+01:00": false} {
		t.Setenv("BAYT_TIMEZONE", value)
		cfg := configFromEnv()
		cfg.Memory, cfg.DatabaseURL = true, ""
		if err := cfg.validate(); (err == nil) != ok || (err != nil && !strings.Contains(err.Error(), "BAYT_TIMEZONE")) {
			t.Errorf("BAYT_TIMEZONE=%q: validate = %v, want ok %v", value, err, ok)
		}
	}
	t.Setenv("BAYT_TIMEZONE", "")
	if zone, err := configFromEnv().zone(); err != nil || zone.String() != "Africa/Tunis" {
		t.Errorf("the default zone is %v (%v), want Africa/Tunis", zone, err)
	}
}
