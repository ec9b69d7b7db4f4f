package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestConsoleInABrowser works the staff console in headless Chromium as
// its people do, each in a browser of their own, through the forms'
// fields and buttons: an advocate triages and forwards a report, the
// department's officer answers and resolves it while another department's
// officer can do nothing to it, an advocate runs a campaign around it, and
// an admin hands out a token and takes it back. The public pages then
// show every step. Every console page besides the inbox and the workbench
// (TestConsoleCasesInABrowser checks those) is then checked with axe-core
// in Arabic and French, on a phone and a desktop, and must fit the
// phone's screen.
//
// With BAYT_SCREENSHOTS naming a directory, the README's screenshots of
// the console are written there.
func TestConsoleInABrowser(t *testing.T) {
	t.Parallel()
	browser, axe := startBrowser(t)
	shots := tempShots(t, "bayt-console-pages-")
	readme := shots
	if dir := os.Getenv("BAYT_SCREENSHOTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		readme = dir
	}

	ts := startServer(t)
	title := "حفرة عميقة في نهج الزيتونة أمام المدرسة"
	caseID, _ := ts.report(map[string]any{
		"title":       title,
		"description": "حفرة بعمق عشرين صنتيمترا أمام باب المدرسة الابتدائية؛ سقط فيها دراجان هذا الأسبوع.",
		"district":    "باب سويقة",
	})["id"].(string)
	// Other cases in the officer's queue, for a queue that looks like one.
	ts.forwarded("roads_works", map[string]any{"title": "رصيف مكسور في نهج الحفصية", "district": "الحفصية"})
	ts.forwarded("roads_works", map[string]any{"title": "بالوعة مسدودة قرب سوق الحلفاوين", "district": "الحلفاوين"})
	ts.settle()

	var campaignID, organisationID string
	t.Run("AdvocateTriagesAndForwards", func(t *testing.T) {
		adv := signInBrowser(t, ts, browser, ts.tokens["advocate"])
		step(t, adv, "open the case from the inbox", chromedp.Steps(
			chromedp.Click(chromedp.CSS(`[data-queues] [data-case-id="`+caseID+`"] a.case-title`)),
			chromedp.WaitVisible(chromedp.CSS(`article.workbench[data-case-id="`+caseID+`"]`)),
		))
		step(t, adv, "triage", chromedp.Steps(
			fillAndSubmit(`form[action$="/triage"]`, "priority", "high", "note", "عاينّا المكان: الحفرة خطيرة على التلاميذ."),
			chromedp.WaitVisible(chromedp.CSS(`[data-done="triage"]`)),
		))
		step(t, adv, "forward", chromedp.Steps(
			fillAndSubmit(`form[action$="/forward"]`, "department", "roads_works", "note", "الرجاء التدخل قبل العودة المدرسية."),
			chromedp.WaitVisible(chromedp.CSS(`[data-done="forward"]`)),
		))
		if c := ts.caseState(caseID); c["status"] != "forwarded" || c["priority"] != "high" || c["department"] != "roads_works" {
			t.Fatalf("after the advocate's forms the case is %v, priority %v, at %v", c["status"], c["priority"], c["department"])
		}
	})
	if t.Failed() {
		return
	}
	ts.settle()

	t.Run("OtherDepartmentCannotAct", func(t *testing.T) {
		other := signInBrowser(t, ts, browser, ts.tokens["officer_other"])
		step(t, other, "open the case", chromedp.Steps(
			chromedp.Navigate(ts.url+"/console/cases/"+caseID),
			chromedp.WaitVisible(chromedp.CSS(`article.workbench[data-case-id="`+caseID+`"]`)),
		))
		offered := inTab(t, other, "read the forms", chromedp.Evaluate[[]string](
			`[...document.querySelectorAll("form[action]")].map(f => new URL(f.action).pathname)`))
		for _, action := range []string{"acknowledge", "answer", "resolve"} {
			if slices.Contains(offered, "/console/cases/"+caseID+"/"+action) {
				t.Errorf("the sanitation officer is offered to %s a roads case", action)
			}
		}
		// The form the page does not offer, posted anyway, is refused
		// and changes nothing.
		forger := newConsoleClient(ts)
		forger.signIn("officer_other")
		version := ts.caseVersion(caseID)
		for _, tc := range []struct {
			action string
			form   url.Values
		}{
			{"acknowledge", url.Values{"reference": {"S-1"}}},
			{"answer", url.Values{"response": {"Not ours"}}},
			{"resolve", url.Values{"note": {"Closed by sanitation"}}},
		} {
			if p := forger.act(caseID, tc.action, tc.form); p.status != http.StatusForbidden {
				t.Errorf("%s posted by the sanitation officer: %d, want 403", tc.action, p.status)
			}
		}
		if v := ts.caseVersion(caseID); v != version {
			t.Fatalf("the refused forms moved the case from version %d to %d", version, v)
		}
	})

	t.Run("OfficerAnswersAndResolves", func(t *testing.T) {
		officer := signInBrowser(t, ts, browser, ts.tokens["officer"])
		card := `[data-queues] [data-case-id="` + caseID + `"]`
		step(t, officer, "find the case in the queue", chromedp.WaitVisible(chromedp.CSS(card)))
		screenshot(t, officer, filepath.Join(readme, "console-inbox.png"))
		step(t, officer, "open the case", chromedp.Steps(
			chromedp.Click(chromedp.CSS(card+` a.case-title`)),
			chromedp.WaitVisible(chromedp.CSS(`article.workbench[data-case-id="`+caseID+`"] form[action$="/acknowledge"]`)),
		))
		screenshot(t, officer, filepath.Join(readme, "console-case.png"))
		onPhone := newTab(t, officer)
		step(t, onPhone, "open the case on a phone", chromedp.Steps(
			phone.emulate(),
			chromedp.Navigate(ts.url+"/console/cases/"+caseID),
			chromedp.WaitVisible(chromedp.CSS(`article.workbench[data-case-id="`+caseID+`"]`)),
		))
		screenshot(t, onPhone, filepath.Join(readme, "console-case-phone.png"))

		step(t, officer, "acknowledge", chromedp.Steps(
			chromedp.SendKeys(chromedp.CSS(`form[action$="/acknowledge"] input[name="reference"]`), "RW-2026-31"),
			fillAndSubmit(`form[action$="/acknowledge"]`, "note", "وصل البلاغ إلى مصلحة الطرقات."),
			chromedp.WaitVisible(chromedp.CSS(`[data-done="acknowledge"]`)),
		))
		step(t, officer, "answer", chromedp.Steps(
			fillAndSubmit(`form[action$="/answer"]`, "response", "فريق الصيانة يتدخل يوم الاثنين القادم.", "planned_for", time.Now().AddDate(0, 0, 7).Format(time.DateOnly)),
			chromedp.WaitVisible(chromedp.CSS(`[data-done="answer"]`)),
		))
		step(t, officer, "resolve", chromedp.Steps(
			fillAndSubmit(`form[action$="/resolve"]`, "note", "تمّ ردم الحفرة وتعبيد الطريق."),
			chromedp.WaitVisible(chromedp.CSS(`[data-done="resolve"]`)),
		))
		if c := ts.caseState(caseID); c["status"] != "resolved" {
			t.Fatalf("after the officer's forms the case is %v", c["status"])
		}
	})

	t.Run("AdvocateRunsACampaign", func(t *testing.T) {
		adv := signInBrowser(t, ts, browser, ts.tokens["advocate"])
		register := `form[action$="/console/organisations"]`
		step(t, adv, "register an organisation", chromedp.Steps(
			chromedp.Navigate(ts.url+"/console/organisations"),
			fill(register, "name", "جمعية أولياء تلاميذ باب سويقة", "kind", "association"),
			chromedp.Click(chromedp.CSS(register+` input[name="themes"][value="community"]`)),
			chromedp.Click(chromedp.CSS(register+` input[name="themes"][value="social"]`)),
			submit(register),
			chromedp.WaitVisible(chromedp.CSS(`article[data-organisation-id]`)),
		))
		organisationID = inTab(t, adv, "read the organisation", chromedp.Evaluate[string](
			`document.querySelector("article[data-organisation-id]").dataset.organisationId`))
		step(t, adv, "add a member", chromedp.Steps(
			fillAndSubmit(`form[action$="/members"]`, "name", "سلمى المنصوري", "phone", "+216 20 555 019", "role", "رئيسة الجمعية"),
			chromedp.WaitVisible(chromedp.CSS(`tr[data-member]`)),
		))
		ts.settle()

		step(t, adv, "launch a campaign", chromedp.Steps(
			chromedp.Navigate(ts.url+"/console/campaigns"),
			fillAndSubmit(`form[action$="/console/campaigns"]`,
				"title", "طرقات آمنة حول مدارس باب سويقة",
				"demand", "إصلاح الحفر والأرصفة حول المدارس الثلاث قبل العودة المدرسية.",
				"theme", "community", "target_department", "roads_works", "lead_organisation", organisationID),
			chromedp.WaitVisible(chromedp.CSS(`article.campaign-workbench[data-campaign-id]`)),
		))
		campaignID = inTab(t, adv, "read the campaign", chromedp.Evaluate[string](
			`document.querySelector("article[data-campaign-id]").dataset.campaignId`))

		step(t, adv, "find the case", chromedp.Steps(
			fillAndSubmit(`form.net-search`, "case_q", "الزيتونة"),
			chromedp.WaitVisible(chromedp.CSS(`[data-found-case="`+caseID+`"]`)),
		))
		step(t, adv, "link the case", chromedp.Steps(
			chromedp.Click(chromedp.CSS(`[data-found-case="`+caseID+`"] button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`tr[data-linked-case="`+caseID+`"]`)),
		))
		step(t, adv, "plan an activity", chromedp.Steps(
			fillAndSubmit(`form[action$="/activities"]`, "kind", "public_meeting", "title", "لقاء مع الأولياء والمصلحة البلدية",
				"scheduled_for", time.Now().AddDate(0, 0, -2).Format(time.DateOnly)+"T10:00", "place", "دار الشباب باب سويقة"),
			chromedp.WaitVisible(chromedp.CSS(`[data-activity]`)),
		))
		step(t, adv, "record it held", chromedp.Steps(
			chromedp.Click(chromedp.CSS(`[data-activity] details summary`)),
			fillAndSubmit(`[data-activity] form[action$="/held"]`,
				"attendance.women", "21", "attendance.men", "13", "attendance.youth", "9", "attendance.total", "34",
				"minutes", "اتفق الحاضرون على قائمة بالنقاط الخطيرة."),
			chromedp.WaitVisible(chromedp.CSS(`[data-activity][data-held="true"]`)),
		))
		step(t, adv, "record a commitment", chromedp.Steps(
			fillAndSubmit(`form[action$="/commitments"]`, "text", "تعبيد نهج الزيتونة في أجل شهرين", "due_by", time.Now().AddDate(0, 2, 0).Format(time.DateOnly)),
			chromedp.WaitVisible(chromedp.CSS(`[data-commitment][data-state="open"]`)),
		))
		step(t, adv, "mark it fulfilled", chromedp.Steps(
			chromedp.Click(chromedp.CSS(`[data-commitment] details summary`)),
			fillAndSubmit(`[data-commitment] form[action$="/fulfilled"]`, "note", "عُبّد النهج في الموعد."),
			chromedp.WaitVisible(chromedp.CSS(`[data-commitment][data-state="fulfilled"]`)),
		))
		got := inTab(t, adv, "read the tracker", chromedp.Evaluate[map[string]string](
			`Object.fromEntries([...document.querySelectorAll("[data-count]")].map(e => [e.dataset.count, e.textContent.trim()]))`))
		for k, want := range map[string]string{
			"cases": "1", "activities_held": "1", "commitments_fulfilled": "1",
			"attendance_women": "21", "attendance_men": "13", "attendance_youth": "9", "attendance_total": "34",
		} {
			if got[k] != want {
				t.Errorf("the campaign's %s reads %q, want %s", k, got[k], want)
			}
		}
		step(t, adv, "top of the page", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
		screenshot(t, adv, filepath.Join(readme, "console-campaign.png"))
	})
	if campaignID == "" || organisationID == "" {
		t.Fatal("no campaign to check further")
	}

	t.Run("AdminHandsOutAndRevokesAToken", func(t *testing.T) {
		admin := signInBrowser(t, ts, browser, ts.tokens["admin"])
		name := "سلمى الطرابلسي"
		step(t, admin, "create a token", chromedp.Steps(
			chromedp.Navigate(ts.url+"/console/tokens"),
			fillAndSubmit(`form#new-token`, "name", name, "role", "advocate"),
			chromedp.WaitVisible(chromedp.CSS(`[data-token-secret]`)),
		))
		secret := inTab(t, admin, "read the secret", chromedp.TextContent(chromedp.CSS(`[data-token-secret]`)))
		if !strings.HasPrefix(secret, "bayt_") {
			t.Fatalf("the new token's page shows %q, not a secret", secret)
		}
		newcomer := signInBrowser(t, ts, browser, secret)
		who := inTab(t, newcomer, "read who is signed in", chromedp.TextContent(chromedp.CSS(`.whoami`)))
		if !strings.Contains(who, name) {
			t.Fatalf("signed in with the new token, the menu reads %q", who)
		}

		step(t, admin, "back to the tokens", chromedp.Steps(
			chromedp.Click(chromedp.CSS(`a.button[href^="/console/tokens"]`)),
			chromedp.WaitVisible(chromedp.CSS(`tr[data-token-id]`)),
		))
		id := inTab(t, admin, "find the token", chromedp.Evaluate[string](fmt.Sprintf(
			`([...document.querySelectorAll("tr[data-token-id]")].find(r => r.querySelector("th span").textContent === %q) || {dataset: {}}).dataset.tokenId || ""`, name)))
		if id == "" {
			t.Fatal("the tokens page does not list the new token")
		}
		row := `tr[data-token-id="` + id + `"]`
		step(t, admin, "revoke it", chromedp.Steps(
			chromedp.Click(chromedp.CSS(row+` button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(row+`[data-status="revoked"]`)),
		))
		screenshot(t, admin, filepath.Join(readme, "console-tokens.png"))

		step(t, newcomer, "go on working", chromedp.Steps(
			chromedp.Navigate(ts.url+"/console/inbox"),
			chromedp.WaitVisible(chromedp.CSS(`form[action$="/console/session"] input[name="token"]`)),
		))
		if at := inTab(t, newcomer, "read the address", chromedp.Location()); at != ts.url+"/console" {
			t.Fatalf("after the revocation the inbox led to %s, want the sign-in form at /console", at)
		}
	})

	t.Run("PublicPagesShowIt", func(t *testing.T) {
		visitor := newPerson(t, browser)
		step(t, visitor, "open the case's page", chromedp.Steps(
			desktop.emulate(),
			chromedp.Navigate(ts.url+"/cases/"+caseID),
			chromedp.WaitVisible(chromedp.CSS(".timeline")),
		))
		steps := inTab(t, visitor, "read the timeline", chromedp.Evaluate[[][]string](
			`[...document.querySelectorAll(".timeline > li.step")].map(s => [[...s.classList].find(c => c.startsWith("step-")), s.textContent])`))
		want := []struct{ step, text string }{
			{"step-CaseReported", ""},
			{"step-CaseTriaged", "عاينّا المكان"},
			{"step-CaseForwarded", "الرجاء التدخل"},
			{"step-CaseAcknowledged", "RW-2026-31"},
			{"step-CaseAnswered", "فريق الصيانة يتدخل"},
			{"step-CaseResolved", "تمّ ردم الحفرة"},
		}
		next := 0
		for _, s := range steps {
			if next < len(want) && len(s) == 2 && s[0] == want[next].step {
				if !strings.Contains(s[1], want[next].text) {
					t.Errorf("the public %s reads %q, want it to say %q", s[0], s[1], want[next].text)
				}
				next++
			}
		}
		if next < len(want) {
			t.Fatalf("the public timeline lacks %s in its place: %q", want[next].step, steps)
		}

		step(t, visitor, "open the campaign's page", chromedp.Steps(
			chromedp.Navigate(ts.url+"/campaigns/"+campaignID),
			chromedp.WaitVisible(chromedp.CSS(".timeline")),
		))
		got := inTab(t, visitor, "read the campaign", chromedp.Evaluate[map[string]string](fmt.Sprintf(`({
			cases: document.querySelector('[data-count="cases"]').textContent.trim(),
			held: document.querySelector('[data-count="activities_held"]').textContent.trim(),
			fulfilled: document.querySelector('[data-count="commitments_fulfilled"]').textContent.trim(),
			linked: String(document.querySelector('.timeline a[href="/cases/%s"]') !== null),
			activity: (document.querySelector(".activity") || {}).textContent || "",
			commitment: (document.querySelector(".commitment-fulfilled") || {}).textContent || "",
		})`, caseID)))
		if got["cases"] != "1" || got["linked"] != "true" {
			t.Errorf("the campaign's page counts %q cases and links the case: %s", got["cases"], got["linked"])
		}
		if got["held"] != "1" || !regexp.MustCompile(`\b21\b\D+\b13\b\D+\b9\b\D+\b34\b`).MatchString(got["activity"]) {
			t.Errorf("the campaign's page counts %q activities held; the activity reads %q, want its attendance 21, 13, 9, 34", got["held"], got["activity"])
		}
		if got["fulfilled"] != "1" || !strings.Contains(got["commitment"], "تعبيد نهج الزيتونة") {
			t.Errorf("the campaign's page counts %q commitments fulfilled; the fulfilled one reads %q", got["fulfilled"], got["commitment"])
		}
	})

	t.Run("Pages", func(t *testing.T) {
		// Who sees which page: nobody the sign-in form, an advocate the
		// campaign pages and the intake, an admin the tokens and the
		// directory.
		visitor := newPerson(t, browser)
		adv := signInBrowser(t, ts, browser, ts.tokens["advocate"])
		admin := signInBrowser(t, ts, browser, ts.tokens["admin"])
		for _, vp := range []viewport{desktop, phone} {
			for _, lang := range []string{"ar", "fr"} {
				query, sep, dir := "", "?", "rtl"
				if lang != "ar" {
					query, sep, dir = "?lang="+lang, "&", "ltr"
				}
				for _, pg := range []struct {
					name   string
					person context.Context
					path   string
				}{
					{"signin", visitor, "/console" + query},
					{"intake", adv, "/console/intake" + query},
					{"campaigns", adv, "/console/campaigns" + query},
					{"campaign", adv, "/console/campaigns/" + campaignID + query + sep + "case_q=" + url.QueryEscape("حفرة")},
					{"organisations", adv, "/console/organisations" + query},
					{"organisation", adv, "/console/organisations/" + organisationID + query},
					{"tokens", admin, "/console/tokens" + query},
					{"token-created", admin, ""},
					{"directory", admin, "/console/directory" + query},
				} {
					t.Run(vp.name+"/"+pg.name+"-"+lang, func(t *testing.T) {
						tab := newTab(t, pg.person)
						step(t, tab, "size", vp.emulate())
						if pg.path == "" {
							step(t, tab, "create a token", chromedp.Steps(
								chromedp.Navigate(ts.url+"/console/tokens"+query),
								fillAndSubmit(`form#new-token`, "name", "Karim "+vp.name+" "+lang, "role", "officer", "department", "sanitation"),
								chromedp.WaitVisible(chromedp.CSS(`[data-token-secret]`)),
							))
						} else {
							step(t, tab, "open "+pg.path, chromedp.Steps(
								chromedp.Navigate(ts.url+pg.path),
								chromedp.WaitVisible(chromedp.CSS("main h1")),
							))
						}
						got := inTab(t, tab, "read the language", chromedp.Evaluate[[]string](
							`[document.documentElement.getAttribute("lang"), document.documentElement.getAttribute("dir")]`))
						if len(got) != 2 || got[0] != lang || got[1] != dir {
							t.Errorf(`<html> has lang, dir = %q, want %q, %q`, got, lang, dir)
						}
						checkFits(t, tab)
						screenshot(t, tab, filepath.Join(shots, vp.name+"-"+pg.name+"-"+lang+".png"))
						if pg.name == "signin" && vp.name == desktop.name && lang == "ar" {
							screenshot(t, tab, filepath.Join(readme, "console-signin.png"))
						}
						checkAccessibility(t, tab, axe)
					})
				}
			}
		}
	})
}

// signInBrowser opens a browser of its own for the person whose token
// this is and signs them in through the console's form, at a desktop's
// size; it returns the tab, on the inbox.
func signInBrowser(t *testing.T, ts *testServer, browser context.Context, token string) context.Context {
	t.Helper()
	tab := newPerson(t, browser)
	field := chromedp.CSS(`form[action$="/console/session"] input[name="token"]`)
	step(t, tab, "sign in", chromedp.Steps(
		desktop.emulate(),
		chromedp.Navigate(ts.url+"/console"),
		chromedp.WaitVisible(field),
		chromedp.SendKeys(field, token),
		chromedp.Click(chromedp.CSS(`form[action$="/console/session"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("[data-queues]")),
	))
	return tab
}

// fill fills the fields of the form that form selects, name then value,
// each once it shows.
func fill(form string, fields ...string) chromedp.Action[chromedp.Void] {
	var steps []chromedp.Action[chromedp.Void]
	for i := 0; i+1 < len(fields); i += 2 {
		steps = append(steps, chromedp.SetValue(chromedp.CSS(form+` [name="`+fields[i]+`"]`), fields[i+1], chromedp.NodeVisible))
	}
	return chromedp.Steps(steps...)
}

// submit clicks the first submit button of the form that form selects.
// It does not wait for the answer: the caller waits for what the answer
// shows.
func submit(form string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.CSS(form + ` button[type="submit"]`))
}

// fillAndSubmit fills the form's fields and submits it.
func fillAndSubmit(form string, fields ...string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(fill(form, fields...), submit(form))
}

// checkFits fails the test when something on the page reaches past the
// screen's edges outside a scrolling box, which on a right-to-left page
// is cut off for good, and when a box that scrolls sideways cannot be
// reached with the keyboard or has no name to announce.
func checkFits(t *testing.T, tab context.Context) {
	t.Helper()
	out := inTab(t, tab, "measure", chromedp.Evaluate[[]string](`(() => {
		const root = document.documentElement, width = root.clientWidth, out = [];
		if (root.scrollWidth > width + 1) out.push("the page itself, " + root.scrollWidth + " px wide");
		const scrolls = el => ["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(el).overflowX);
		const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "");
		for (const el of document.body.querySelectorAll("*")) {
			const r = el.getBoundingClientRect();
			if ((r.width === 0 && r.height === 0) || (r.left >= -1 && r.right <= width + 1)) continue;
			let inside = false;
			for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
				if (scrolls(p)) { inside = true; break; }
			}
			if (!inside) out.push(name(el) + " spans " + Math.round(r.left) + " to " + Math.round(r.right) + " of " + width + " px");
		}
		for (const el of document.body.querySelectorAll("*")) {
			if (el.matches("input, textarea, select") || el.getClientRects().length === 0) continue;
			if (!scrolls(el) || el.scrollWidth <= el.clientWidth + 1 || getComputedStyle(el).overflowX === "hidden") continue;
			const labelled = el.getAttribute("aria-label") || (el.getAttribute("aria-labelledby") || "").split(/\s+/).some(id => id && document.getElementById(id));
			if (el.tabIndex < 0 || !labelled || el.getAttribute("role") !== "region") {
				out.push(name(el) + " scrolls sideways but is not a named region the keyboard reaches");
			}
		}
		return out.slice(0, 12);
	})()`))
	for _, o := range out {
		t.Errorf("the page does not fit the screen: %s", o)
	}
}
