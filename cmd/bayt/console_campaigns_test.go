package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	cwVersion    = regexp.MustCompile(`data-version="(\d+)"`)
	cwActivity   = regexp.MustCompile(`data-activity="(act-[0-9A-Za-z]+)"`)
	cwCommitment = regexp.MustCompile(`data-commitment="(com-[0-9A-Za-z]+)"`)
	// cwSami finds the member row of Sami Ben Ali.
	cwSami       = regexp.MustCompile(`data-member="(member-[0-9A-Za-z]+)">\s*<th scope="row" dir="auto">Sami Ben Ali<`)
	cwOrgVersion = regexp.MustCompile(`name="version" value="(\d+)"`)
)

// cwFind returns the first submatch of re in body, failing the test
// without one.
func cwFind(t *testing.T, re *regexp.Regexp, body, what string) string {
	t.Helper()
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s on the page:\n%s", what, body)
	}
	return m[1]
}

// cwCreated reads the id out of a 303 to prefix+id, in English.
func cwCreated(t *testing.T, p page, prefix, done string) string {
	t.Helper()
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, prefix) {
		t.Fatalf("create: %d to %q, want 303 to %s…:\n%s", p.status, p.location, prefix, p.body)
	}
	id, rest, _ := strings.Cut(strings.TrimPrefix(p.location, prefix), "?")
	if rest != "lang=en&done="+done {
		t.Fatalf("create went to %q, want the new page with the notice %q", p.location, done)
	}
	return id
}

// cwDone expects p to be a form that succeeded: 303 back to back, with the
// notice done.
func cwDone(t *testing.T, p page, back, done string) {
	t.Helper()
	if want := back + "?lang=en&done=" + done; p.status != http.StatusSeeOther || p.location != want {
		t.Fatalf("%s: %d to %q, want 303 to %q:\n%s", done, p.status, p.location, want, p.body)
	}
}

// TestConsoleCampaigns runs a campaign through the console as an advocate
// would, without JavaScript: an organisation and its member, a launch, a
// case found and linked, a partner, an activity planned then held, paper
// signatures, a commitment made then kept, an update and the close; each
// shows on the public page and in the API. Refused forms change nothing
// and say why next to the form.
func TestConsoleCampaigns(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	c := newConsoleClient(ts)
	c.signIn("advocate")

	// Organisations: register, then a member whose contact details only
	// staff read.
	if p := c.get("/console/organisations?lang=en"); p.status != http.StatusOK || !strings.Contains(p.body, `data-form="register"`) {
		t.Fatalf("organisations: %d, want the register and its form", p.status)
	}
	p := c.post("/console/organisations?lang=en", url.Values{"form_key": {"aaaaaaaaaaaaaaaaaaaaaa"}, "name": {"جمعية أحياء المدينة"},
		"kind": {"association"}, "themes": {"community", "social"}})
	lead := cwCreated(t, p, "/console/organisations/", "register")
	orgPath := "/console/organisations/" + lead
	p = c.get(orgPath + "?lang=en&done=register")
	if p.status != http.StatusOK || !strings.Contains(p.body, "جمعية أحياء المدينة") || !strings.Contains(p.body, "The organisation is registered.") ||
		!strings.Contains(p.body, `data-verified="true"`) || !strings.Contains(p.body, "Registered in the network") {
		t.Fatalf("organisation page: %d:\n%s", p.status, p.body)
	}
	// A bad email is refused next to its field, and nothing is recorded.
	head := ts.head()
	p = c.post(orgPath+"/members?lang=en", url.Values{"version": {cwFind(t, cwOrgVersion, p.body, "version")}, "name": {"Hela Mansour"}, "email": {"not-an-email"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="form-member-email-error"`) ||
		!strings.Contains(p.body, `value="Hela Mansour"`) || ts.head() != head {
		t.Fatalf("member with a bad email: %d, head %d -> %d:\n%s", p.status, head, ts.head(), p.body)
	}
	cwDone(t, c.post(orgPath+"/members?lang=en", url.Values{"version": {"1"}, "name": {"Hela Mansour"}, "phone": {"+216 20 123 456"},
		"email": {"hela@example.tn"}, "role": {"رئيسة الجمعية"}}), orgPath, "member")
	p = c.get(orgPath + "?lang=en")
	if !strings.Contains(p.body, "Hela Mansour") || !strings.Contains(p.body, "hela@example.tn") || !strings.Contains(p.body, "216 20 123 456") {
		t.Fatalf("the member's contact details are not on the staff page:\n%s", p.body)
	}
	cwDone(t, c.post(orgPath+"/members?lang=en", url.Values{"version": {"2"}, "name": {"Sami Ben Ali"}}), orgPath, "member")
	member := cwFind(t, cwSami, c.get(orgPath+"?lang=en").body, "Sami's row")
	cwDone(t, c.post(orgPath+"/members/"+member+"/remove?lang=en", url.Values{"version": {"3"}}), orgPath, "remove")
	if p := c.get(orgPath + "?lang=en"); strings.Contains(p.body, "Sami Ben Ali") || !strings.Contains(p.body, "Hela Mansour") {
		t.Fatalf("after removing Sami:\n%s", p.body)
	}
	if r := ts.do("GET", "/api/v1/organisations/"+lead, "", nil); r.status != http.StatusOK || strings.Contains(string(r.body), "Hela") ||
		strings.Contains(string(r.body), "hela@") {
		t.Fatalf("public organisation: %d %s", r.status, r.body)
	}
	partner := cwCreated(t, c.post("/console/organisations?lang=en", url.Values{"name": {"Union des parents d'élèves"}, "kind": {"association"}}),
		"/console/organisations/", "register")

	// Launch, and the same form posted twice launches one campaign.
	if p := c.get("/console/campaigns?lang=en"); p.status != http.StatusOK || !strings.Contains(p.body, `name="lead_organisation"`) {
		t.Fatalf("campaigns: %d, want the launch form", p.status)
	}
	launch := url.Values{"form_key": {"bbbbbbbbbbbbbbbbbbbbbb"}, "title": {"طرقات آمنة أمام المدارس"},
		"demand": {"Repair every road in front of a school before the school year"}, "theme": {"community"},
		"target_department": {"roads_works"}, "lead_organisation": {lead}}
	id := cwCreated(t, c.post("/console/campaigns?lang=en", launch), "/console/campaigns/", "launch")
	if again := cwCreated(t, c.post("/console/campaigns?lang=en", launch), "/console/campaigns/", "launch"); again != id {
		t.Fatalf("the launch form posted twice launched %s and %s", id, again)
	}
	base := "/console/campaigns/" + id
	wb := func() page {
		t.Helper()
		p := c.get(base + "?lang=en")
		if p.status != http.StatusOK {
			t.Fatalf("workbench: %d:\n%s", p.status, p.body)
		}
		return p
	}
	version := func() string { t.Helper(); return cwFind(t, cwVersion, wb().body, "version") }
	if p := wb(); !strings.Contains(p.body, "طرقات آمنة أمام المدارس") || !strings.Contains(p.body, "جمعية أحياء المدينة") {
		t.Fatalf("workbench lacks the campaign or its lead:\n%s", p.body)
	}

	// Link a case found by its title, and unlink a second one.
	kept := ts.report(map[string]any{"title": "حفرة خطيرة أمام المدرسة الابتدائية"})["id"].(string)
	other := ts.report(map[string]any{"title": "Lampadaire éteint rue de Marseille"})["id"].(string)
	ts.settle()
	p = c.get(base + "?lang=en&case_q=" + url.QueryEscape("حفرة خطيرة"))
	if !strings.Contains(p.body, `data-found-case="`+kept+`"`) || strings.Contains(p.body, `data-found-case="`+other+`"`) {
		t.Fatalf("case search found the wrong cases:\n%s", p.body)
	}
	v := cwFind(t, cwVersion, p.body, "version")
	cwDone(t, c.post(base+"/cases?lang=en", url.Values{"version": {v}, "case_id": {kept}}), base, "link")
	cwDone(t, c.post(base+"/cases?lang=en", url.Values{"version": {version()}, "case_id": {other}}), base, "link")
	cwDone(t, c.post(base+"/cases/"+other+"/unlink?lang=en", url.Values{"version": {version()}}), base, "unlink")
	p = wb()
	if !strings.Contains(p.body, `data-linked-case="`+kept+`"`) || !strings.Contains(p.body, "حفرة خطيرة أمام المدرسة الابتدائية") ||
		strings.Contains(p.body, `data-linked-case="`+other+`"`) {
		t.Fatalf("linked cases, by title:\n%s", p.body)
	}
	if k := ts.must(http.StatusOK, "GET", "/api/v1/cases/"+kept, "", nil); !strings.Contains(strings.Join(toStrings(k["campaign_ids"]), ","), id) {
		t.Fatalf("the linked case does not name the campaign: %v", k["campaign_ids"])
	}

	cwDone(t, c.post(base+"/partners?lang=en", url.Values{"version": {version()}, "organisation_id": {partner}}), base, "partner")

	// An activity planned, refused as held with a negative attendance,
	// then held.
	cwDone(t, c.post(base+"/activities?lang=en", url.Values{"version": {version()}, "kind": {"workshop"},
		"title": {"ورشة حول السلامة المرورية"}, "scheduled_for": {"2026-05-10T18:00"}, "place": {"دار الشباب"}}), base, "plan")
	p = wb()
	act, v := cwFind(t, cwActivity, p.body, "activity"), cwFind(t, cwVersion, p.body, "version")
	held := base + "/activities/" + act + "/held?lang=en"
	head = ts.head()
	p = c.post(held, url.Values{"version": {v}, "attendance.women": {"-3"}, "attendance.men": {"9"}, "attendance.youth": {"11"}, "attendance.total": {"25"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="form-held-`+act+`-attendance-women-error"`) ||
		!strings.Contains(p.body, "Enter a number between 0 and") || !strings.Contains(p.body, `value="-3"`) || ts.head() != head {
		t.Fatalf("held with negative attendance: %d, head %d -> %d:\n%s", p.status, head, ts.head(), p.body)
	}
	cwDone(t, c.post(held, url.Values{"version": {v}, "attendance.women": {"14"}, "attendance.men": {"9"}, "attendance.youth": {"11"},
		"attendance.total": {"25"}, "minutes": {"Parents mapped the dangerous crossings."}}), base, "held")

	// Paper signatures, a commitment kept, an update.
	cwDone(t, c.post(base+"/signatures/paper?lang=en", url.Values{"version": {version()}, "count": {"120"}, "note": {"Sheets from the Friday market"}}), base, "paper")
	cwDone(t, c.post(base+"/commitments?lang=en", url.Values{"version": {version()}, "text": {"Resurface the three roads before 15 September"},
		"due_by": {time.Now().AddDate(0, 1, 0).Format("2006-01-02")}}), base, "commit")
	p = wb()
	com := cwFind(t, cwCommitment, p.body, "commitment")
	cwDone(t, c.post(base+"/commitments/"+com+"/fulfilled?lang=en", url.Values{"version": {cwFind(t, cwVersion, p.body, "version")}, "note": {"Done on 10 September"}}), base, "fulfilled")
	stale := version()
	cwDone(t, c.post(base+"/updates?lang=en", url.Values{"version": {stale}, "body": {"Works start on Monday."}}), base, "update")

	// A form shown before someone else's change is refused, not applied.
	head = ts.head()
	p = c.post(base+"/updates?lang=en", url.Values{"version": {stale}, "body": {"A second update from an old page"}})
	if p.status != http.StatusConflict || !strings.Contains(p.body, "Someone else changed this campaign") || ts.head() != head {
		t.Fatalf("stale update: %d, head %d -> %d:\n%s", p.status, head, ts.head(), p.body)
	}

	cwDone(t, c.post(base+"/close?lang=en", url.Values{"version": {version()}, "outcome": {"partly_won"},
		"summary": {"One road of three repaired; the rest promised."}}), base, "close")
	head = ts.head()
	p = c.post(base+"/close?lang=en", url.Values{"version": {version()}, "outcome": {"won"}, "summary": {"Closed twice"}})
	if p.status != http.StatusConflict || !strings.Contains(p.body, "The campaign is closed") || !strings.Contains(p.body, `data-refused="close"`) || ts.head() != head {
		t.Fatalf("close twice: %d, head %d -> %d:\n%s", p.status, head, ts.head(), p.body)
	}

	// The workbench, the public page and the API all tell the same story.
	p = wb()

	for _, want := range []string{
		`data-count="cases">1<`, `data-count="activities_held">1<`, `data-count="signatures">120<`, `data-count="commitments_fulfilled">1<`,
		`data-count="attendance_women">14<`, `data-count="attendance_total">25<`, "Union des parents d&#39;élèves", "120 signatures, of which 120 on paper.",
		`data-status="closed"`, "120 signatures on paper",
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("workbench lacks %q", want)
		}
	}
	pub := ts.do("GET", "/campaigns/"+id+"?lang=en", "", nil)
	for _, want := range []string{
		`data-count="cases">1<`, `data-count="activities_held">1<`, `data-count="signatures">120<`, `data-count="commitments_fulfilled">1<`,
		"120 signatures on paper", "Sheets from the Friday market", "Works start on Monday.", "One road of three repaired", `data-verified="true"`,
		"ورشة حول السلامة المرورية",
	} {
		if !strings.Contains(string(pub.body), want) {
			t.Errorf("public page lacks %q", want)
		}
	}
	if strings.Contains(string(pub.body), "A second update from an old page") || strings.Contains(string(pub.body), "Closed twice") {
		t.Error("a refused form reached the public page")
	}
	var api struct {
		Status          string `json:"status"`
		Outcome         string `json:"outcome"`
		CasesTotal      int    `json:"cases_total"`
		Activities      int    `json:"activities"`
		Signatures      int    `json:"signatures"`
		PaperSignatures int    `json:"paper_signatures"`
		Updates         int    `json:"updates"`
		Attendance      struct{ Women, Men, Youth, Total int }
		Commitments     struct{ Made, Fulfilled, Broken int }
		Partners        []string
	}
	if err := json.Unmarshal(ts.do("GET", "/api/v1/campaigns/"+id, "", nil).body, &api); err != nil {
		t.Fatal(err)
	}
	if api.Status != "closed" || api.Outcome != "partly_won" || api.CasesTotal != 1 || api.Activities != 1 || api.Signatures != 120 ||
		api.PaperSignatures != 120 || api.Updates != 1 || api.Attendance != (struct{ Women, Men, Youth, Total int }{14, 9, 11, 25}) ||
		api.Commitments != (struct{ Made, Fulfilled, Broken int }{1, 1, 0}) || len(api.Partners) != 2 || api.Partners[1] != partner {
		t.Fatalf("API campaign = %+v", api)
	}
	ts.expectRead("the campaign list to show the closed campaign", func() bool {
		p := c.get("/console/campaigns?lang=en")
		return strings.Contains(p.body, `data-campaign-id="`+id+`"`) && strings.Contains(p.body, ">Closed<")
	})

	t.Run("NotFound", func(t *testing.T) {
		ghost := "/console/campaigns/campaign-01JNQ3Z8X4K5M6N7P8Q9R0S1T2"
		head := ts.head()
		for _, p := range []page{
			c.get(ghost), c.get("/console/campaigns/not-a-campaign"), c.get("/console/organisations/org-01JNQ40000000000000000000A"),
			c.post(ghost+"/updates", url.Values{"body": {"To nowhere"}}),
			c.post("/console/organisations/org-01JNQ40000000000000000000A/members", url.Values{"name": {"Nobody"}}),
		} {
			if p.status != http.StatusNotFound {
				t.Errorf("unknown stream: %d, want 404", p.status)
			}
		}
		if ts.head() != head {
			t.Errorf("posts to unknown streams changed the log: head %d -> %d", head, ts.head())
		}
	})

	t.Run("CSRF", func(t *testing.T) {
		head := ts.head()
		p := c.post(base+"/updates?lang=en", url.Values{"csrf_token": {""}, "body": {"Forged"}})
		if p.status != http.StatusForbidden || ts.head() != head {
			t.Fatalf("update without the CSRF field: %d, head %d -> %d", p.status, head, ts.head())
		}
		if p := c.post("/console/organisations?lang=en", url.Values{"csrf_token": {"forged"}, "name": {"Forged"}, "kind": {"association"}}); p.status != http.StatusForbidden || ts.head() != head {
			t.Fatalf("register with a forged CSRF field: %d", p.status)
		}
	})

	t.Run("OfficerForbidden", func(t *testing.T) {
		o := newConsoleClient(ts)
		o.signIn("officer")
		for _, path := range []string{"/console/campaigns", base, "/console/organisations", orgPath} {
			if p := o.get(path); p.status != http.StatusForbidden {
				t.Errorf("officer GET %s: %d, want 403", path, p.status)
			}
		}
		o.get("/console/inbox") // the officer's own CSRF value
		head := ts.head()
		for _, path := range []string{base + "/updates", base + "/commitments", "/console/campaigns", orgPath + "/members"} {
			if p := o.post(path, url.Values{"body": {"x"}, "text": {"x"}, "due_by": {"2030-01-01"}, "name": {"x"}}); p.status != http.StatusForbidden {
				t.Errorf("officer POST %s: %d, want 403", path, p.status)
			}
		}
		if ts.head() != head {
			t.Errorf("officer's refused posts changed the log: head %d -> %d", head, ts.head())
		}
	})
}

// TestPaperSignaturesAPI records signatures gathered on paper through the
// JSON API: a count without names, for advocates, added to the campaign's
// signatures while it is active.
func TestPaperSignaturesAPI(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	lead := ts.must(http.StatusCreated, "POST", "/api/v1/organisations", "advocate", map[string]any{"name": "Association Nour", "kind": "association"})["id"].(string)
	id := ts.must(http.StatusCreated, "POST", "/api/v1/campaigns", "advocate", map[string]any{
		"title": "Light the Medina", "demand": "Repair the street lamps", "theme": "community",
		"target_department": "roads_works", "lead_organisation": lead})["id"].(string)
	path := "/api/v1/campaigns/" + id
	ts.must(http.StatusOK, "POST", path+"/signatures", "", map[string]any{"name": "Amel Gharbi"})

	got := ts.must(http.StatusOK, "POST", path+"/signatures/paper", "advocate", map[string]any{"count": 250, "note": "Sheets from the souk"})
	if got["version"] != 3.0 || got["status"] != "active" {
		t.Fatalf("paper signatures = %v", got)
	}
	ts.must(http.StatusOK, "POST", path+"/signatures/paper", "admin", map[string]any{"count": 5})
	if v := ts.must(http.StatusOK, "GET", path, "", nil); v["signatures"] != 256.0 || v["paper_signatures"] != 255.0 {
		t.Fatalf("signatures = %v, on paper %v; want 256, 255", v["signatures"], v["paper_signatures"])
	}
	hist := ts.do("GET", path+"/history", "", nil)
	if !strings.Contains(string(hist.body), `"PaperSignaturesRecorded"`) || !strings.Contains(string(hist.body), `"count":250`) ||
		strings.Contains(string(hist.body), "Amel") {
		t.Fatalf("history: %s", hist.body)
	}

	head := ts.head()
	for _, tc := range []struct {
		name, who string
		body      any
		status    int
		code      string
	}{
		{"Officer", "officer", map[string]any{"count": 10}, http.StatusForbidden, "forbidden"},
		{"Anonymous", "", map[string]any{"count": 10}, http.StatusForbidden, "forbidden"},
		{"Zero", "advocate", map[string]any{"count": 0}, http.StatusUnprocessableEntity, "invalid_input"},
		{"TooMany", "advocate", map[string]any{"count": 100001}, http.StatusUnprocessableEntity, "invalid_input"},
		{"Names", "advocate", map[string]any{"count": 3, "names": []string{"Sami"}}, http.StatusBadRequest, "invalid_input"},
		{"StaleVersion", "advocate", map[string]any{"count": 3}, http.StatusConflict, "version_conflict"},
	} {
		var headers []string
		if tc.name == "StaleVersion" {
			headers = []string{"If-Match", `"2"`}
		}
		expectProblem(t, ts.do("POST", path+"/signatures/paper", tc.who, tc.body, headers...), tc.status, tc.code)
	}
	ts.must(http.StatusOK, "POST", path+"/close", "advocate", map[string]any{"outcome": "won", "summary": "Lamps repaired"})
	expectProblem(t, ts.do("POST", path+"/signatures/paper", "advocate", map[string]any{"count": 3}), http.StatusConflict, "invalid_transition")
	if got := ts.head(); got != head+1 {
		t.Fatalf("refused paper signatures changed the log: head %d -> %d, want only the close", head, got)
	}
}
