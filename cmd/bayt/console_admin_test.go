package main

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/directory"
)

var (
	shownSecret = regexp.MustCompile(`<code class="token" dir="ltr" data-token-secret>([^<]+)</code>`)
	tokenRowID  = regexp.MustCompile(`<tr data-token-id="(tok-[0-9A-Z]+)" data-status="(\w+)">\s*<th scope="row"><span dir="auto">([^<]*)</span>`)
)

// tokenStatus returns the status the token list shows for the token named
// name, and its id.
func tokenStatus(t *testing.T, body, name string) (id, status string) {
	t.Helper()
	for _, m := range tokenRowID.FindAllStringSubmatch(body, -1) {
		if html.UnescapeString(m[3]) == name {
			return m[1], m[2]
		}
	}
	t.Fatalf("the token list has no %q", name)
	return "", ""
}

func TestConsoleTokens(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	admin := newConsoleClient(ts)
	admin.signIn("admin")

	list := admin.get("/console/tokens")
	if list.status != http.StatusOK || list.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("GET /console/tokens: %d, cache %q", list.status, list.header.Get("Cache-Control"))
	}
	for who, secret := range ts.tokens {
		if strings.Contains(list.body, secret) {
			t.Fatalf("the token list shows the secret of %s", who)
		}
	}
	if _, status := tokenStatus(t, list.body, "Test officer"); status != "live" {
		t.Fatalf("Test officer's token: %s, want live", status)
	}

	// The admin issues a token: 303 to a page that shows the secret, once.
	created := admin.postOnce("/console/tokens", "/console/tokens/created", url.Values{"name": {"أمل Amal"}, "role": {"advocate"}, "department": {"roads_works"}, "expires": {""}})
	if again := admin.get("/console/tokens/created"); again.status != http.StatusSeeOther || shownSecret.MatchString(again.body) {
		t.Fatalf("reloading the created page: %d, want 303 back to the list and no secret", again.status)
	}
	m := shownSecret.FindStringSubmatch(created.body)
	if m == nil || !strings.HasPrefix(m[1], "bayt_") {
		t.Fatalf("the answer shows no secret in a <code dir=ltr>:\n%s", created.body)
	}
	secret := html.UnescapeString(m[1])
	ts.tokens["amal"] = secret

	// The secret authenticates on the API as an advocate.
	id := ts.report(nil)["id"].(string)
	if r := ts.must(http.StatusOK, "POST", "/api/v1/cases/"+id+"/triage", "amal", map[string]any{"priority": "high"}); r["status"] != "triaged" {
		t.Fatalf("triage with the new token = %v", r)
	}

	// The list shows it, live, without its department (only officers
	// have one) and never its secret.
	list = admin.get("/console/tokens")
	tokID, status := tokenStatus(t, list.body, "أمل Amal")
	if status != "live" || strings.Contains(list.body, secret) {
		t.Fatalf("new token: %s, secret shown %v", status, strings.Contains(list.body, secret))
	}

	// Its holder signs in; revoking the token ends that open session.
	amal := newConsoleClient(ts)
	amal.signIn("amal")
	if p := amal.get("/console/inbox"); p.status != http.StatusOK {
		t.Fatalf("inbox as the new token: %d", p.status)
	}
	admin.get("/console/tokens")
	revoked := admin.post("/console/tokens/"+tokID+"/revoke", nil)
	if revoked.status != http.StatusSeeOther || !strings.HasPrefix(revoked.location, "/console/tokens") {
		t.Fatalf("revoke: %d to %q, want 303 back to the tokens", revoked.status, revoked.location)
	}
	back := admin.get(revoked.location)
	if _, status := tokenStatus(t, back.body, "أمل Amal"); status != "revoked" || !strings.Contains(back.body, `class="admin-notice"`) {
		t.Fatalf("after revoking: %s, notice shown %v", status, strings.Contains(back.body, `class="admin-notice"`))
	}
	if p := amal.get("/console/inbox"); p.status != http.StatusSeeOther || p.location != "/console" {
		t.Fatalf("the revoked token's session: %d to %q, want the sign-in form", p.status, p.location)
	}
	expectProblem(t, ts.do("POST", "/api/v1/cases/"+id+"/reject", "amal", map[string]any{"reason": "x"}), http.StatusUnauthorized, "unauthenticated")

	t.Run("OfficerNeedsDepartment", func(t *testing.T) {
		admin := newConsoleClient(ts)
		admin.signIn("admin")
		admin.get("/console/tokens")
		p := admin.post("/console/tokens?lang=fr", url.Values{"name": {"  "}, "role": {"officer"}, "department": {""}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("empty name, officer without department: %d, want 422", p.status)
		}
		for _, want := range []string{"Ce champ est obligatoire.", "Un agent municipal a besoin d’un service", `id="new-token-name-error"`, `id="new-token-department-error"`, `lang="fr"`} {
			if !strings.Contains(html.UnescapeString(p.body), want) {
				t.Errorf("the refusal lacks %q", want)
			}
		}
		if shownSecret.MatchString(p.body) {
			t.Fatal("a refused form shows a secret")
		}
		p = admin.post("/console/tokens", url.Values{"name": {"Nobody"}, "role": {"officer"}, "department": {""}})
		if p.status != http.StatusUnprocessableEntity || strings.Contains(admin.get("/console/tokens").body, "Nobody") {
			t.Fatalf("officer without department: %d, or a token issued anyway", p.status)
		}
	})

	t.Run("OfficerOfUnknownDepartment", func(t *testing.T) {
		admin := newConsoleClient(ts)
		admin.signIn("admin")
		admin.get("/console/tokens")
		p := admin.post("/console/tokens?lang=en", url.Values{"name": {"Karim"}, "role": {"officer"}, "department": {"nowhere"}, "expires": {"2020-01-01"}})
		body := html.UnescapeString(p.body)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose a department from the list.") || !strings.Contains(body, "Give a date to come") {
			t.Fatalf("unknown department, past date: %d:\n%s", p.status, p.body)
		}
	})

	t.Run("OfficerWithExpiry", func(t *testing.T) {
		admin := newConsoleClient(ts)
		admin.signIn("admin")
		admin.get("/console/tokens")
		day := time.Now().UTC().AddDate(0, 0, 30).Format("2006-01-02")
		p := admin.postOnce("/console/tokens", "/console/tokens/created", url.Values{"name": {"Karim"}, "role": {"officer"}, "department": {"sanitation"}, "expires": {day}})
		m := shownSecret.FindStringSubmatch(p.body)
		if m == nil {
			t.Fatalf("officer token: %d", p.status)
		}
		if _, status := tokenStatus(t, admin.get("/console/tokens").body, "Karim"); status != "live" {
			t.Fatalf("Karim's token: %s", status)
		}
		officer := newConsoleClient(ts)
		officer.get("/console")
		if p := officer.post("/console/session", url.Values{"token": {html.UnescapeString(m[1])}}); p.status != http.StatusSeeOther {
			t.Fatalf("sign in with the new officer token: %d", p.status)
		}
		inbox := officer.get("/console/inbox")
		if inbox.status != http.StatusOK || !strings.Contains(inbox.body, `data-queue="console.inbox.department"`) {
			t.Fatalf("the new officer's inbox: %d", inbox.status)
		}
	})
}

func TestConsoleAdminPagesForbidden(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	for _, who := range []string{"advocate", "officer"} {
		c := newConsoleClient(ts)
		c.signIn(who)
		c.get("/console/inbox")
		for _, path := range []string{"/console/tokens", "/console/directory"} {
			if p := c.get(path); p.status != http.StatusForbidden {
				t.Errorf("GET %s as %s: %d, want 403", path, who, p.status)
			}
		}
		c.get("/console/inbox") // a page of theirs, for a valid CSRF value
		if p := c.post("/console/tokens", url.Values{"name": {"Sneaky"}, "role": {"admin"}}); p.status != http.StatusForbidden || shownSecret.MatchString(p.body) {
			t.Errorf("POST /console/tokens as %s: %d, want 403 and no token", who, p.status)
		}
		c.get("/console/inbox")
		if p := c.post("/console/directory/categories", categoryForm("sneaky", "12")); p.status != http.StatusForbidden {
			t.Errorf("POST /console/directory/categories as %s: %d, want 403", who, p.status)
		}
	}
	// Nothing of theirs went through.
	admin := newConsoleClient(ts)
	admin.signIn("admin")
	if strings.Contains(admin.get("/console/tokens").body, "Sneaky") {
		t.Fatal("a non-admin issued a token")
	}
	if strings.Contains(string(ts.do("GET", "/api/v1/categories", "", nil).body), "sneaky") {
		t.Fatal("a non-admin added a category")
	}
}

// categoryForm is the add form of a category of roads_works.
func categoryForm(code, sla string) url.Values {
	return url.Values{
		"mode": {"add"}, "code": {code}, "name_ar": {"الأرصفة"}, "name_fr": {"Trottoirs"}, "name_en": {"Sidewalks"},
		"department": {"roads_works"}, "sla_days": {sla}, "theme": {"community"},
	}
}

// apiCategory returns the category with code as GET /api/v1/categories
// lists it.
func apiCategory(t *testing.T, ts *testServer, code string) (directory.Category, bool) {
	t.Helper()
	var cats []directory.Category
	if err := json.Unmarshal(ts.do("GET", "/api/v1/categories", "", nil).body, &cats); err != nil {
		t.Fatal(err)
	}
	for _, c := range cats {
		if c.Code == code {
			return c, true
		}
	}
	return directory.Category{}, false
}

// dueIn returns how long after forwarding the case's due date is.
func dueIn(t *testing.T, ts *testServer, id string, forwarded time.Time) time.Duration {
	t.Helper()
	c := ts.must(http.StatusOK, "GET", "/api/v1/cases/"+id, "", nil)
	due, err := time.Parse(time.RFC3339, c["due_at"].(string))
	if err != nil {
		t.Fatal(err)
	}
	return due.Sub(forwarded).Round(time.Hour)
}

func forward(t *testing.T, ts *testServer, id string) time.Time {
	t.Helper()
	path := "/api/v1/cases/" + id
	ts.must(http.StatusOK, "POST", path+"/triage", "advocate", map[string]any{"priority": "normal"})
	at := time.Now()
	ts.must(http.StatusOK, "POST", path+"/forward", "advocate", map[string]any{"department": "roads_works"})
	return at
}

func TestConsoleDirectory(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	admin := newConsoleClient(ts)
	admin.signIn("admin")

	page := admin.get("/console/directory")
	for _, want := range []string{`data-table="departments"`, `data-table="categories"`, `data-table="districts"`,
		`<tr data-code="bab_souika">`, "Bab Swika", `data-verified="true"`} {
		if page.status != http.StatusOK || !strings.Contains(page.body, want) {
			t.Fatalf("GET /console/directory: %d, want %q on it", page.status, want)
		}
	}

	// A case forwarded before the SLA changes keeps its due date.
	before := ts.report(nil)["id"].(string)
	beforeAt := forward(t, ts, before)

	// The admin adds a category.
	if _, ok := apiCategory(t, ts, "sidewalks"); ok {
		t.Fatal("sidewalks is a category already: the test proves nothing")
	}
	expectProblem(t, ts.do("POST", "/api/v1/cases", "", map[string]any{"title": "Trottoir", "description": "d", "category": "sidewalks", "district": "Medina"}),
		http.StatusUnprocessableEntity, "invalid_input")
	added := admin.post("/console/directory/categories", categoryForm("sidewalks", "12"))
	if added.status != http.StatusSeeOther || added.location != "/console/directory?saved=categories" {
		t.Fatalf("add a category: %d to %q:\n%s", added.status, added.location, added.body)
	}
	page = admin.get(added.location)
	if !strings.Contains(page.body, `<tr data-code="sidewalks">`) || !strings.Contains(page.body, `class="admin-notice"`) || !strings.Contains(page.body, "step-CategorySaved") {
		t.Fatal("the directory page lacks the new category, the notice or the history's step")
	}
	// The API lists it and takes cases in it.
	if c, ok := apiCategory(t, ts, "sidewalks"); !ok || c.SLADays != 12 || c.Department != "roads_works" || c.Name.AR != "الأرصفة" {
		t.Fatalf("GET /api/v1/categories: %+v, %v", c, ok)
	}
	ts.must(http.StatusCreated, "POST", "/api/v1/cases", "", map[string]any{"title": "Trottoir effondré", "description": "d", "category": "sidewalks", "district": "Medina"})

	// The admin shortens the roads SLA: a case forwarded afterwards is
	// due sooner, the one forwarded before keeps its date.
	roads := url.Values{"code": {"roads"}, "name_ar": {"الطرقات والأرصفة"}, "name_fr": {"Chaussées et trottoirs"}, "name_en": {"Roads and sidewalks"},
		"department": {"roads_works"}, "sla_days": {"3"}, "theme": {"community"}}
	if p := admin.post("/console/directory/categories", roads); p.status != http.StatusSeeOther {
		t.Fatalf("change the roads SLA: %d:\n%s", p.status, p.body)
	}
	after := ts.report(nil)["id"].(string)
	afterAt := forward(t, ts, after)
	if got := dueIn(t, ts, after, afterAt); got != 3*24*time.Hour {
		t.Errorf("case forwarded after the change is due in %v, want 72h", got)
	}
	if got := dueIn(t, ts, before, beforeAt); got != 30*24*time.Hour {
		t.Errorf("case forwarded before the change is due in %v, want 720h", got)
	}
	if c, _ := apiCategory(t, ts, "roads"); c.SLADays != 3 {
		t.Errorf("GET /api/v1/categories: roads SLA %d, want 3", c.SLADays)
	}

	t.Run("Refused", func(t *testing.T) {
		admin := newConsoleClient(ts)
		admin.signIn("admin")
		admin.get("/console/directory")
		bad := categoryForm("libraries", "0")
		bad.Set("theme", "cultural")
		p := admin.post("/console/directory/categories?lang=en", bad)
		body := html.UnescapeString(p.body)
		for _, want := range []string{"A whole number of days between 1 and 365.", "Choose a theme from the list.", `id="categories-new-sla_days-error"`, `value="libraries"`} {
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(body, want) {
				t.Fatalf("invalid category: %d, want 422 with %q:\n%s", p.status, want, p.body)
			}
		}
		if _, ok := apiCategory(t, ts, "libraries"); ok {
			t.Fatal("a refused category was added")
		}
		// The add form never overwrites: roads is taken.
		admin.get("/console/directory")
		p = admin.post("/console/directory/categories?lang=fr", categoryForm("roads", "90"))
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(p.body), "Ce code est déjà pris") {
			t.Fatalf("add an existing code: %d", p.status)
		}
		if c, _ := apiCategory(t, ts, "roads"); c.SLADays != 3 {
			t.Fatalf("roads SLA %d after a refused add, want 3", c.SLADays)
		}
		// An edit refused shows that row's form open, in Arabic.
		admin.get("/console/directory")
		dep := url.Values{"code": {"sanitation"}, "name_ar": {""}, "name_fr": {"Assainissement"}, "name_en": {"Sanitation"}}
		p = admin.post("/console/directory/departments", dep)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "هذه الخانة إجبارية") ||
			!strings.Contains(p.body, `id="departments-sanitation-name_ar-error"`) || !strings.Contains(p.body, `<details class="admin-details" open>`) {
			t.Fatalf("refused edit: %d:\n%s", p.status, p.body)
		}
	})

	t.Run("District", func(t *testing.T) {
		admin := newConsoleClient(ts)
		admin.signIn("admin")
		admin.get("/console/directory")
		p := admin.post("/console/directory/districts", url.Values{
			"mode": {"add"}, "code": {"ennasr"}, "name_ar": {"حي النصر"}, "name_fr": {"Cité Ennasr"}, "name_en": {"Ennasr"},
			"spellings": {"Ennasr 2, El Nasr\nالنصر، Nasr"},
		})
		if p.status != http.StatusSeeOther {
			t.Fatalf("add a district: %d:\n%s", p.status, p.body)
		}
		page := admin.get("/console/directory")
		for _, want := range []string{`<tr data-code="ennasr">`, `<li dir="auto">El Nasr</li>`, `<li dir="auto">النصر</li>`, "step-DistrictSaved"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the directory page lacks %q", want)
			}
		}
		// A spelling of another district is refused.
		admin.get("/console/directory")
		p = admin.post("/console/directory/districts?lang=en", url.Values{
			"code": {"ennasr"}, "name_ar": {"حي النصر"}, "name_fr": {"Cité Ennasr"}, "name_en": {"Ennasr"}, "spellings": {"Bab Swika"},
		})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(p.body), "already names another district") {
			t.Fatalf("a spelling of Bab Souika: %d", p.status)
		}
	})
}

// TestDirectoryEditReachesOtherNode edits the directory on one node and
// waits for another node over the same database to read the edit: its
// API lists the category and takes cases in it.
func TestDirectoryEditReachesOtherNode(t *testing.T) {
	t.Parallel()
	var base config
	ts := startServerWith(t, func(c *config) { base = *c })
	read := make(chan int64, 16)
	other := base
	other.directoryEvery = 20 * time.Millisecond
	other.directoryFunc = func(v int64) { read <- v }
	url2, _, _ := runProgram(t, other)
	b := &testServer{t: t, url: url2, pool: ts.pool, tokens: ts.tokens}

	if _, ok := apiCategory(t, b, "sidewalks"); ok {
		t.Fatal("node b knows sidewalks already")
	}
	admin := newConsoleClient(ts)
	admin.signIn("admin")
	admin.get("/console/directory")
	if p := admin.post("/console/directory/categories", categoryForm("sidewalks", "12")); p.status != http.StatusSeeOther {
		t.Fatalf("add a category on node a: %d", p.status)
	}
	deadline := time.After(10 * time.Second)
	for v := int64(0); v < 1; {
		select {
		case v = <-read:
		case <-deadline:
			t.Fatal("node b did not read the edit within 10 s")
		}
	}
	if c, ok := apiCategory(t, b, "sidewalks"); !ok || c.SLADays != 12 {
		t.Fatalf("node b lists %+v, %v", c, ok)
	}
	b.must(http.StatusCreated, "POST", "/api/v1/cases", "", map[string]any{"title": "Trottoir", "description": "d", "category": "sidewalks", "district": "Medina"})
}

// TestDirectoryInMemory edits the directory of bayt serve --memory through
// the console: the in-memory store keeps the stream like any other.
func TestDirectoryInMemory(t *testing.T) {
	t.Parallel()
	cfg := configFromEnv()
	cfg.DatabaseURL, cfg.Memory, cfg.PublicWriteLimit = "", true, 0
	url, _, p := runProgram(t, cfg)
	secret, _, err := p.tokens.Create(context.Background(), "Memory admin", domain.RoleAdmin, "", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{t: t, url: url, tokens: map[string]string{"admin": secret}}
	admin := newConsoleClient(ts)
	admin.signIn("admin")
	admin.get("/console/directory")
	if p := admin.post("/console/directory/categories", categoryForm("sidewalks", "12")); p.status != http.StatusSeeOther {
		t.Fatalf("add a category in memory: %d:\n%s", p.status, p.body)
	}
	if c, ok := apiCategory(t, ts, "sidewalks"); !ok || c.SLADays != 12 {
		t.Fatalf("GET /api/v1/categories: %+v, %v", c, ok)
	}
	ts.must(http.StatusCreated, "POST", "/api/v1/cases", "", map[string]any{"title": "Trottoir", "description": "d", "category": "sidewalks", "district": "Medina"})
	if page := admin.get("/console/directory"); !strings.Contains(page.body, "step-CategorySaved") {
		t.Fatal("the history lacks the edit")
	}
}
