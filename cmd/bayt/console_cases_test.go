package main

import (
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
)

var formVersion = regexp.MustCompile(`name="version" value="(\d+)"`)

// workbench reads the workbench of case id and fails unless it answers
// 200; it returns the page and the version its forms carry.
func (c *consoleClient) workbench(id, query string) (page, string) {
	c.t.Helper()
	p := c.get("/console/cases/" + id + query)
	if p.status != http.StatusOK {
		c.t.Fatalf("workbench of %s: %d\n%s", id, p.status, p.body)
	}
	m := formVersion.FindStringSubmatch(p.body)
	if m == nil {
		return p, ""
	}
	return p, m[1]
}

// act opens the workbench of case id, then posts its action form with
// form and the version the page showed, as a person at the page would; a
// page without forms gives the version the API reads, as a forged post
// would.
func (c *consoleClient) act(id, action string, form url.Values) page {
	c.t.Helper()
	_, version := c.workbench(id, "")
	if version == "" {
		version = strconv.FormatInt(c.ts.caseVersion(id), 10)
	}
	if form == nil {
		form = url.Values{}
	}
	if !form.Has("version") {
		form.Set("version", version)
	}
	return c.post("/console/cases/"+id+"/"+action, form)
}

// mustAct is act that fails unless the form succeeded: 303 back to the
// workbench with its notice, which the workbench then shows.
func (c *consoleClient) mustAct(id, action string, form url.Values) {
	c.t.Helper()
	p := c.act(id, action, form)
	want := "/console/cases/" + id + "?done=" + action
	if p.status != http.StatusSeeOther || p.location != want {
		c.t.Fatalf("%s %s: %d to %q, want 303 to %s\n%s", action, id, p.status, p.location, want, p.body)
	}
	if back := c.get(p.location); back.status != http.StatusOK || !strings.Contains(back.body, `data-done="`+action+`"`) {
		c.t.Fatalf("%s %s: the workbench does not say it is done: %d", action, id, back.status)
	}
}

// caseState reads a case through the API as an advocate.
func (ts *testServer) caseState(id string) map[string]any {
	ts.t.Helper()
	return ts.must(http.StatusOK, "GET", "/api/v1/cases/"+id, "advocate", nil)
}

func (ts *testServer) caseVersion(id string) int64 {
	ts.t.Helper()
	v, _ := ts.caseState(id)["version"].(float64)
	return int64(v)
}

// forwarded reports a case through the API and has an advocate triage it
// and forward it to department.
func (ts *testServer) forwarded(department string, extra map[string]any) string {
	ts.t.Helper()
	id, _ := ts.report(extra)["id"].(string)
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+id+"/triage", "advocate", map[string]any{"priority": "normal"})
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+id+"/forward", "advocate", map[string]any{"department": department})
	return id
}

func TestConsoleCases(t *testing.T) {
	t.Parallel()
	ts := startServer(t)

	t.Run("TriageForwardAnswerResolve", func(t *testing.T) {
		id, _ := ts.report(map[string]any{"district": "Lifecycle-Medina"})["id"].(string)
		adv := newConsoleClient(ts)
		adv.signIn("advocate")
		p, _ := adv.workbench(id, "")
		for _, form := range []string{`data-action="triage"`, `data-action="reject"`, `data-action="merge"`, `data-action="comment"`, `data-action="moderate"`} {
			if !strings.Contains(p.body, form) {
				t.Errorf("the advocate's workbench of a reported case lacks %s", form)
			}
		}
		if strings.Contains(p.body, `data-action="acknowledge"`) || strings.Contains(p.body, `data-action="forward"`) {
			t.Error("the workbench of a reported case offers acknowledge or forward")
		}

		adv.mustAct(id, "triage", url.Values{"priority": {"high"}, "category": {"roads"}, "note": {"Checked on site"}})
		// The category's department is proposed.
		p, _ = adv.workbench(id, "")
		if !regexp.MustCompile(`<option value="roads_works" selected>`).MatchString(p.body) {
			t.Error("the forward form does not propose the roads department")
		}
		adv.mustAct(id, "forward", url.Values{"department": {"roads_works"}, "note": {"Please fix"}})
		c := ts.caseState(id)
		if c["status"] != "forwarded" || c["priority"] != "high" || c["department"] != "roads_works" || c["due_at"] == nil {
			t.Fatalf("after triage and forward the API reads %v", c)
		}
		// Triage again: the domain refuses it, whatever the page offers.
		version := ts.caseVersion(id)
		p = adv.act(id, "triage", url.Values{"priority": {"low"}})
		if p.status != http.StatusConflict || !strings.Contains(p.body, "data-refusal") {
			t.Fatalf("triage of a forwarded case: %d, want 409 with the reason", p.status)
		}
		if v := ts.caseVersion(id); v != version {
			t.Fatalf("a refused triage moved the case from version %d to %d", version, v)
		}

		off := newConsoleClient(ts)
		off.signIn("officer")
		ts.settle()
		inbox := off.get("/console/inbox?district=Lifecycle-Medina")
		if inbox.status != http.StatusOK || !strings.Contains(inbox.body, `data-case-id="`+id+`"`) || !strings.Contains(inbox.body, "data-due") {
			t.Fatalf("the roads officer's inbox lacks the forwarded case with its time left: %d", inbox.status)
		}
		p, _ = off.workbench(id, "")
		for _, form := range []string{`data-action="acknowledge"`, `data-action="answer"`, `data-action="resolve"`, `data-action="comment"`} {
			if !strings.Contains(p.body, form) {
				t.Errorf("the officer's workbench lacks %s", form)
			}
		}
		if strings.Contains(p.body, `data-action="moderate"`) || strings.Contains(p.body, `data-action="triage"`) {
			t.Error("the officer's workbench offers advocates' forms")
		}
		off.mustAct(id, "acknowledge", url.Values{"reference": {"RW-2026-17"}, "note": {"Received"}})
		off.mustAct(id, "answer", url.Values{"response": {"A crew comes next week"}, "planned_for": {"2026-05-04"}})
		off.mustAct(id, "resolve", url.Values{"note": {"Resurfaced"}})
		if c := ts.caseState(id); c["status"] != "resolved" {
			t.Fatalf("after the officer's forms the case is %v", c["status"])
		}
		h := string(ts.do("GET", "/api/v1/cases/"+id+"/history", "", nil).body)
		for _, want := range []string{`"reference":"RW-2026-17"`, `"planned_for":"2026-05-04T00:00:00Z"`, `"note":"Resurfaced"`} {
			if !strings.Contains(h, want) {
				t.Errorf("history lacks %s", want)
			}
		}
		adv.mustAct(id, "confirm", url.Values{"note": {"The resident says it is fixed"}})
		if c := ts.caseState(id); c["status"] != "closed" {
			t.Fatalf("after confirm the case is %v", c["status"])
		}
	})

	t.Run("OtherDepartmentForbidden", func(t *testing.T) {
		id := ts.forwarded("roads_works", nil)
		other := newConsoleClient(ts)
		other.signIn("officer_other")
		p, _ := other.workbench(id, "")
		if strings.Contains(p.body, `data-action="acknowledge"`) {
			t.Error("the sanitation officer is offered to acknowledge a roads case")
		}
		version := ts.caseVersion(id)
		p = other.act(id, "acknowledge", url.Values{"reference": {"S-1"}})
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "هذا البلاغ ليس من مشمولات إدارتك") {
			t.Fatalf("acknowledge by another department: %d, want 403 saying it is not their department\n%s", p.status, p.body)
		}
		if v := ts.caseVersion(id); v != version {
			t.Fatalf("a refused acknowledge moved the case from version %d to %d", version, v)
		}
		// Forged the other way: an advocate posting an officer's form.
		adv := newConsoleClient(ts)
		adv.signIn("advocate")
		if p := adv.act(id, "acknowledge", nil); p.status != http.StatusForbidden {
			t.Fatalf("acknowledge by an advocate: %d, want 403", p.status)
		}
		if v := ts.caseVersion(id); v != version {
			t.Fatalf("a refused acknowledge moved the case from version %d to %d", version, v)
		}
	})

	t.Run("InternalComment", func(t *testing.T) {
		id, _ := ts.report(nil)["id"].(string)
		adv := newConsoleClient(ts)
		adv.signIn("advocate")
		adv.mustAct(id, "comment", url.Values{"body": {"Internal: the reporter is the landlord"}, "visibility": {"internal"}})
		adv.mustAct(id, "comment", url.Values{"body": {"Public: we are checking"}, "visibility": {"public"}})
		p, _ := adv.workbench(id, "")
		if !strings.Contains(p.body, "Internal: the reporter is the landlord") || !strings.Contains(p.body, "step-internal") ||
			!strings.Contains(p.body, "Public: we are checking") {
			t.Fatal("the workbench does not show both comments, the internal one marked")
		}
		public := string(ts.page("GET", "/cases/"+id, nil).body)
		if strings.Contains(public, "the reporter is the landlord") || !strings.Contains(public, "Public: we are checking") {
			t.Fatal("the public page shows the internal comment, or not the public one")
		}
		// The officer reads the case as the public does.
		fwd := ts.forwarded("roads_works", nil)
		ts.must(http.StatusOK, "POST", "/api/v1/cases/"+fwd+"/comments", "advocate", map[string]any{"body": "Internal for staff only", "visibility": "internal"})
		off := newConsoleClient(ts)
		off.signIn("officer")
		if p, _ := off.workbench(fwd, ""); strings.Contains(p.body, "Internal for staff only") {
			t.Fatal("the officer's workbench shows an internal comment")
		}
	})

	t.Run("ReporterContact", func(t *testing.T) {
		id, _ := ts.report(map[string]any{"reporter": map[string]any{"name": "Salma Mnasriyya", "phone": "+216 20 555 019"}})["id"].(string)
		adv := newConsoleClient(ts)
		adv.signIn("advocate")
		if p, _ := adv.workbench(id, ""); !strings.Contains(p.body, "Salma Mnasriyya") || !strings.Contains(p.body, "20 555 019") {
			t.Fatal("the advocate's workbench lacks the reporter's contact")
		}
		off := newConsoleClient(ts)
		off.signIn("officer")
		if p, _ := off.workbench(id, ""); strings.Contains(p.body, "Mnasriyya") || strings.Contains(p.body, "555 019") || strings.Contains(p.body, "data-reporter") {
			t.Fatal("the officer's workbench shows the reporter")
		}
		anonymous, _ := ts.report(nil)["id"].(string)
		if p, _ := adv.workbench(anonymous, ""); !strings.Contains(p.body, `data-reporter="none"`) {
			t.Fatal("the workbench of an anonymous report does not say there is no contact")
		}
		if out, err := run(t, "person", "erase", "--case", id, "-database-url", eventstoretest.URLFor(t, ts.schema)); err != nil {
			t.Fatalf("person erase: %q, %v", out, err)
		}
		if p, _ := adv.workbench(id, ""); !strings.Contains(p.body, `data-reporter="erased"`) || strings.Contains(p.body, "Mnasriyya") {
			t.Fatal("the workbench of an erased reporter does not say so plainly")
		}
	})

	t.Run("StaleVersion", func(t *testing.T) {
		id, _ := ts.report(nil)["id"].(string)
		adv := newConsoleClient(ts)
		adv.signIn("advocate")
		_, shown := adv.workbench(id, "")
		// Someone else comments meanwhile.
		ts.must(http.StatusOK, "POST", "/api/v1/cases/"+id+"/comments", "admin", map[string]any{"body": "Seen by the admin meanwhile", "visibility": "public"})
		version := ts.caseVersion(id)
		p := adv.post("/console/cases/"+id+"/triage?lang=en", url.Values{"priority": {"urgent"}, "version": {shown}})
		if p.status != http.StatusConflict || !strings.Contains(p.body, "Someone else changed this case since you opened it") ||
			!strings.Contains(p.body, "data-changes") || !strings.Contains(p.body, "Seen by the admin meanwhile") {
			t.Fatalf("a stale triage: %d, want 409 listing what changed\n%s", p.status, p.body)
		}
		if !strings.Contains(p.body, `<option value="urgent" selected>`) {
			t.Error("the refused form lost its values")
		}
		if v := ts.caseVersion(id); v != version {
			t.Fatalf("a stale triage moved the case from version %d to %d", version, v)
		}
		if c := ts.caseState(id); c["status"] != "reported" {
			t.Fatalf("a stale triage changed the case: %v", c["status"])
		}
		// The version shown again is the current one: the same form now goes through.
		if m := formVersion.FindStringSubmatch(p.body); m == nil || m[1] != strconv.FormatInt(version, 10) {
			t.Fatalf("the refused page's forms carry version %v, want %d", m, version)
		}
		if p := adv.post("/console/cases/"+id+"/triage", url.Values{"priority": {"urgent"}, "version": {"nonsense"}}); p.status != http.StatusBadRequest {
			t.Fatalf("a form without a version: %d, want 400", p.status)
		}
	})

	t.Run("InvalidInputInThePagesLanguage", func(t *testing.T) {
		id, _ := ts.report(nil)["id"].(string)
		adv := newConsoleClient(ts)
		adv.signIn("advocate")
		version := ts.caseVersion(id)
		for _, tc := range []struct{ query, want string }{{"", "هذا الحقل إجباري."}, {"?lang=fr", "Ce champ est obligatoire."}} {
			_, shown := adv.workbench(id, tc.query)
			p := adv.post("/console/cases/"+id+"/reject"+tc.query, url.Values{"reason": {"  "}, "version": {shown}})
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, tc.want) || !strings.Contains(p.body, `id="f-reject-reason-error"`) {
				t.Fatalf("an empty reject reason%s: %d, want 422 saying %q next to the field\n%s", tc.query, p.status, tc.want, p.body)
			}
		}
		if v := ts.caseVersion(id); v != version {
			t.Fatalf("a refused reject moved the case from version %d to %d", version, v)
		}
		// A bad date is refused before the domain, the same way.
		fwd := ts.forwarded("roads_works", nil)
		off := newConsoleClient(ts)
		off.signIn("officer")
		if p := off.act(fwd, "answer", url.Values{"response": {"Soon"}, "planned_for": {"next week"}}); p.status != http.StatusUnprocessableEntity ||
			!strings.Contains(p.body, `id="f-answer-planned_for-error"`) {
			t.Fatalf("an answer planned for a non-date: %d, want 422 on planned_for", p.status)
		}
	})

	t.Run("MergeViaSearch", func(t *testing.T) {
		target, _ := ts.report(map[string]any{"title": "Lampadaire Qzwxbelt tombé"})["id"].(string)
		dup, _ := ts.report(map[string]any{"title": "Le lampadaire est par terre"})["id"].(string)
		ts.settle()
		adv := newConsoleClient(ts)
		adv.signIn("advocate")
		p, version := adv.workbench(dup, "?merge_q=qzwxbelt")
		if !strings.Contains(p.body, `data-merge-candidate="`+target+`"`) || strings.Contains(p.body, `data-merge-candidate="`+dup+`"`) {
			t.Fatalf("the merge search does not offer the target, or offers the case itself\n%s", p.body)
		}
		// The candidate's own button posts into=target.
		r := adv.post("/console/cases/"+dup+"/merge", url.Values{"into": {target}, "version": {version}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("merge: %d\n%s", r.status, r.body)
		}
		if c := ts.caseState(dup); c["status"] != "duplicate" || c["merged_into"] != target {
			t.Fatalf("after the merge the case is %v into %v", c["status"], c["merged_into"])
		}
		if p, _ := adv.workbench(dup, ""); !strings.Contains(p.body, `href="/console/cases/`+target+`"`) {
			t.Error("the merged case does not link to the target's workbench")
		}
		// A case that does not exist is the field's error.
		other, _ := ts.report(nil)["id"].(string)
		if p := adv.act(other, "merge", url.Values{"into": {"case-01J00000000000000000000000"}}); p.status != http.StatusUnprocessableEntity ||
			!strings.Contains(p.body, `id="f-merge-into-error"`) {
			t.Fatalf("merge into no case: %d, want 422 on into", p.status)
		}
	})

	t.Run("ModerationHides", func(t *testing.T) {
		id, _ := ts.report(map[string]any{"title": "Dispute naming Mr Hadrumeti"})["id"].(string)
		adv := newConsoleClient(ts)
		adv.signIn("advocate")
		adv.mustAct(id, "moderate", url.Values{"hidden": {"false", "true"}, "public_title": {""}, "public_description": {""}, "reason": {"names a person"}})
		if r := ts.page("GET", "/cases/"+id, nil); r.status != http.StatusNotFound {
			t.Fatalf("the public page of a hidden case: %d, want 404", r.status)
		}
		p, _ := adv.workbench(id, "")
		if !strings.Contains(p.body, "data-hidden") || !strings.Contains(p.body, "Dispute naming Mr Hadrumeti") || !strings.Contains(p.body, "names a person") {
			t.Fatal("the workbench of a hidden case does not show it hidden, with its texts and the reason")
		}
		if !regexp.MustCompile(`id="f-moderate-hidden" name="hidden" value="true" checked`).MatchString(p.body) {
			t.Error("the moderation form does not show the case hidden")
		}
		ts.settle()
		inbox := adv.get("/console/inbox?q=hadrumeti")
		if !strings.Contains(inbox.body, `data-case-id="`+id+`"`) || !strings.Contains(inbox.body, "case-hidden") {
			t.Error("the advocate's inbox does not list the hidden case")
		}
		off := newConsoleClient(ts)
		off.signIn("officer")
		if p := off.get("/console/cases/" + id); p.status != http.StatusNotFound {
			t.Fatalf("the officer's workbench of a hidden case: %d, want 404", p.status)
		}
		// Shown again, under a title of the advocate's.
		adv.mustAct(id, "moderate", url.Values{"hidden": {"false"}, "public_title": {"A dispute between neighbours"}, "public_description": {""}, "reason": {"names a person"}})
		public := ts.page("GET", "/cases/"+id, nil)
		if public.status != http.StatusOK || !strings.Contains(string(public.body), "A dispute between neighbours") || strings.Contains(string(public.body), "Hadrumeti") {
			t.Fatalf("the public page after unhiding: %d", public.status)
		}
	})

	t.Run("InboxFilters", func(t *testing.T) {
		a, _ := ts.report(map[string]any{"district": "Filterville-Nord", "title": "Nid-de-poule Vrrkel"})["id"].(string)
		b, _ := ts.report(map[string]any{"district": "Filterville-Sud", "category": "lighting", "title": "Lampe Vrrkel éteinte"})["id"].(string)
		overdueless := ts.forwarded("roads_works", map[string]any{"district": "Filterville-Nord", "title": "Trottoir Vrrkel cassé"})
		ts.settle()
		adv := newConsoleClient(ts)
		adv.signIn("advocate")
		has := func(p page, id string) bool { return strings.Contains(p.body, `data-case-id="`+id+`"`) }
		all := adv.get("/console/inbox")
		if !has(all, a) || !has(all, b) {
			t.Fatal("the triage queue lacks the new cases")
		}
		for _, tc := range []struct {
			query      string
			want, skip []string
		}{
			{"district=Filterville-Nord", []string{a}, []string{b}},
			{"category=lighting&q=vrrkel", []string{b}, []string{a}},
			{"q=nid-de-poule+vrrkel", []string{a}, []string{b}},
			{"status=resolved&q=vrrkel", nil, []string{a, b}},
			{"status=reported&district=Filterville-Sud", []string{b}, []string{a}},
		} {
			p := adv.get("/console/inbox?" + tc.query)
			if p.status != http.StatusOK || !strings.Contains(p.body, "data-filtered") {
				t.Fatalf("inbox?%s: %d, not filtered", tc.query, p.status)
			}
			for _, id := range tc.want {
				if !has(p, id) {
					t.Errorf("inbox?%s lacks %s", tc.query, id)
				}
			}
			for _, id := range tc.skip {
				if has(p, id) {
					t.Errorf("inbox?%s lists %s", tc.query, id)
				}
			}
		}
		off := newConsoleClient(ts)
		off.signIn("officer")
		if p := off.get("/console/inbox?q=vrrkel"); !has(p, overdueless) || has(p, a) || !strings.Contains(p.body, "data-due") {
			t.Fatal("the officer's filtered queue is not their forwarded case with its time left")
		}
		if p := off.get("/console/inbox?q=vrrkel&status=acknowledged"); has(p, overdueless) {
			t.Fatal("the officer's queue filtered on acknowledged lists a forwarded case")
		}
		if p := off.get("/console/inbox?lang=fr"); !strings.Contains(p.body, `<input type="hidden" name="lang" value="fr">`) ||
			!strings.Contains(p.body, `<script src="/static/console.js" defer></script>`) {
			t.Fatal("the French inbox's filter form does not keep the language, or the page lacks its script")
		}
	})
}

// TestConsoleCasesInABrowser opens the workbench and the inbox in
// headless Chromium at a phone's width and a desktop's, runs axe-core on
// each, and watches the inbox take a new case from the live feed without
// a reload, keeping the focus where it was.
func TestConsoleCasesInABrowser(t *testing.T) {
	t.Parallel()
	browser, axe := startBrowser(t)
	shots := tempShots(t, "bayt-console-")

	ts := startServer(t)
	reported, _ := ts.report(map[string]any{"reporter": map[string]any{"name": "Salma Mnasriyya", "phone": "+216 20 555 019"}})["id"].(string)
	fwd := ts.forwarded("roads_works", nil)
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+fwd+"/comments", "advocate", map[string]any{"body": "Internal note", "visibility": "internal"})
	ts.settle()

	// One tab signs in; the session cookie serves every tab of the
	// browser.
	tab := newTab(t, browser)
	step(t, tab, "sign in", chromedp.Steps(
		chromedp.Navigate(ts.url+"/console"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="token"]`)),
		chromedp.SetValue(chromedp.CSS(`input[name="token"]`), ts.tokens["advocate"]),
		chromedp.Submit(chromedp.CSS(`input[name="token"]`)),
		chromedp.WaitVisible(chromedp.CSS("[data-queues]")),
	))

	for _, vp := range []struct {
		name          string
		width, height int64
		opts          []chromedp.EmulateViewportOption
	}{
		{"phone", 375, 812, []chromedp.EmulateViewportOption{chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait}},
		{"desktop", 1280, 900, nil},
	} {
		for _, pg := range []struct{ name, path string }{
			{"inbox-ar", "/console/inbox"},
			{"inbox-fr", "/console/inbox?lang=fr&q=pothole"},
			{"workbench-ar", "/console/cases/" + reported + "?merge_q=pothole"},
			{"workbench-refused-en", ""},
			{"workbench-forwarded-fr", "/console/cases/" + fwd + "?lang=fr&done=forward"},
		} {
			t.Run(vp.name+"/"+pg.name, func(t *testing.T) {
				tab := newTab(t, browser)
				step(t, tab, "size", chromedp.EmulateViewport(vp.width, vp.height, vp.opts...))
				if pg.path == "" {
					// A refused form: the reject reason left empty.
					step(t, tab, "refuse a form", chromedp.Steps(
						chromedp.Navigate(ts.url+"/console/cases/"+reported+"?lang=en"),
						chromedp.WaitVisible(chromedp.CSS(`#act-reject button`)),
						chromedp.Click(chromedp.CSS(`#act-reject button`)),
						chromedp.WaitVisible(chromedp.CSS(`[data-form-error]`)),
						chromedp.Evaluate[chromedp.Void](`document.querySelector("#act-reject").scrollIntoView()`),
					))
				} else {
					step(t, tab, "open "+pg.path, chromedp.Steps(
						chromedp.Navigate(ts.url+pg.path),
						chromedp.WaitVisible(chromedp.CSS("main")),
					))
				}
				wide := inTab(t, tab, "measure", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
				if wide {
					t.Errorf("the page is wider than the %s's screen", vp.name)
				}
				screenshot(t, tab, filepath.Join(shots, vp.name+"-"+pg.name+".png"))
				checkAccessibility(t, tab, axe)
			})
		}
	}

	t.Run("LiveInbox", func(t *testing.T) {
		tab := newTab(t, browser)
		step(t, tab, "open the inbox", chromedp.Steps(
			chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait),
			chromedp.Navigate(ts.url+"/console/inbox?lang=en"),
			chromedp.WaitVisible(chromedp.CSS(`[data-queues] [data-case-id="`+reported+`"]`)),
			chromedp.Focus(chromedp.CSS(`[data-queues] [data-case-id="`+reported+`"] a`)),
			chromedp.Evaluate[chromedp.Void](`window.baytNotReloaded = true`),
		))
		second, _ := ts.report(map[string]any{"title": "Nouveau nid-de-poule Qlivex"})["id"].(string)
		card := `[data-queues] [data-case-id="` + second + `"]`
		step(t, tab, "wait for the new case in the queue", chromedp.WaitVisible(chromedp.CSS(card)))
		step(t, tab, "wait for the announcement", chromedp.Poll[chromedp.Void](
			`document.querySelector("[data-inbox-status]").textContent !== ""`, chromedp.WithPollingTimeout(browserWait)))
		got := inTab(t, tab, "read the page", chromedp.Evaluate[[]string](
			`[String(window.baytNotReloaded === true), document.querySelector("[data-inbox-status]").textContent,
			  (document.activeElement.closest("[data-case-id]") || {getAttribute: () => ""}).getAttribute("data-case-id")]`))
		if len(got) != 3 || got[0] != "true" || got[1] != "The queues were updated." || got[2] != reported {
			t.Fatalf("after a new report: not reloaded, announced, focus on = %q; want true, the announcement, %s", got, reported)
		}
	})
}
