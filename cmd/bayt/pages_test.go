package main

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/transport"
)

// page requests a page as a browser would: form is posted URL-encoded when
// not nil; headers are key, value pairs.
func (ts *testServer) page(method, path string, form url.Values, headers ...string) response {
	ts.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ts.t.Context(), method, ts.url+path, body)
	if err != nil {
		ts.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		ts.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// tokenShownOnce is what the done page shows around the tracking token.
const tokenShownOnce = `data-tracking-token>`

// postReport posts a report form as a browser does (body is url.Values
// encoded, or a multipart body with its content type) and follows its
// answer: 303 See Other to /report/done, not stored, with the one-shot
// cookie; the done page, read with it, is returned, and a reload of the
// done page must no longer show the token, nor any URL carry it.
func (ts *testServer) postReport(path string, body io.Reader, contentType string, headers ...string) response {
	ts.t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		ts.t.Fatal(err)
	}
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(method, path string, body io.Reader, headers ...string) response {
		req, err := http.NewRequestWithContext(ts.t.Context(), method, ts.url+path, body)
		if err != nil {
			ts.t.Fatal(err)
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			ts.t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			ts.t.Fatal(err)
		}
		return response{status: resp.StatusCode, header: resp.Header, body: b}
	}
	posted := send("POST", path, body, append([]string{"Content-Type", contentType}, headers...)...)
	where := posted.header.Get("Location")
	if posted.status != http.StatusSeeOther || !strings.HasPrefix(where, "/report/done") || posted.header.Get("Cache-Control") != "no-store" {
		ts.t.Fatalf("POST %s: %d to %q (cache %q), want 303 to /report/done, not stored:\n%s",
			path, posted.status, where, posted.header.Get("Cache-Control"), abridgedPage(string(posted.body)))
	}
	var cookie *http.Cookie
	for _, c := range posted.header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "bayt_report_done=") {
			cookie, _ = http.ParseSetCookie(c)
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Path != "/report/done" {
		ts.t.Fatalf("the done cookie is %+v, want HttpOnly, SameSite=Strict, Path=/report/done", cookie)
	}
	done := send("GET", where, nil)
	if done.status != http.StatusOK || done.header.Get("Cache-Control") != "no-store" || !strings.Contains(string(done.body), tokenShownOnce) {
		ts.t.Fatalf("GET %s: %d (cache %q), want the token, not stored:\n%s", where, done.status, done.header.Get("Cache-Control"), abridgedPage(string(done.body)))
	}
	token := submatch(ts.t, tokenPattern, string(done.body))
	if strings.Contains(where, token) {
		ts.t.Fatalf("the token travels in the address %q", where)
	}
	if again := send("GET", where, nil); again.status != http.StatusOK || strings.Contains(string(again.body), tokenShownOnce) || strings.Contains(string(again.body), token) {
		ts.t.Fatalf("a reload of %s: %d, shows the token again", where, again.status)
	}
	return done
}

// postReportForm is postReport for a url-encoded form.
func (ts *testServer) postReportForm(path string, form url.Values, headers ...string) response {
	ts.t.Helper()
	return ts.postReport(path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded", headers...)
}

// requirePages fails when the server does not route the pages: a page
// test must never pass by finding nothing to test.
func requirePages(t *testing.T, ts *testServer) {
	t.Helper()
	if r := ts.page("GET", "/report", nil); r.status != http.StatusOK || !strings.Contains(string(r.body), "<html") {
		t.Fatalf("the web pages are not routed: GET /report answered %d", r.status)
	}
}

// expectPage fails unless r is an HTML page with status and every string
// of want in it, and none of avoid.
func expectPage(t *testing.T, r response, status int, want []string, avoid ...string) string {
	t.Helper()
	body := string(r.body)
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, abridgedPage(body))
	}
	if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("content type %q", ct)
	}
	for _, s := range want {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q: %s", s, abridgedPage(body))
		}
	}
	for _, s := range avoid {
		if strings.Contains(body, s) {
			t.Errorf("page shows %q", s)
		}
	}
	return body
}

// abridgedPage is the page's <main>, which says more than its head.
func abridgedPage(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
	}
	if len(body) > 3000 {
		body = body[:3000] + "…"
	}
	return body
}

var (
	formKeyPattern = regexp.MustCompile(`name="form_key" value="([^"]+)"`)
	caseIDPattern  = regexp.MustCompile(`data-case-id="(case-[0-9A-Z]{26})"`)
	tokenPattern   = regexp.MustCompile(`data-tracking-token>([^<]+)<`)
)

func submatch(t *testing.T, re *regexp.Regexp, body string) string {
	t.Helper()
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in %s", re, abridgedPage(body))
	}
	return m[1]
}

func TestPagesLanguage(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	requirePages(t, ts)
	roads, _ := directory.Default().Category("roads")

	t.Run("ArabicByDefault", func(t *testing.T) {
		ts := sharedPageServer(t, ts)
		r := ts.page("GET", "/", nil)
		expectPage(t, r, http.StatusOK, []string{
			`<html lang="ar" dir="rtl">`, "اللوحة العامة", `data-live="/api/v1/live?board=public"`,
			`href="/?lang=fr"`, `href="/?lang=en"`,
		}, "data-ephemeral")
		if !strings.Contains(r.header.Get("Vary"), "Accept-Language") || r.header.Get("Content-Language") != "ar" {
			t.Fatalf("Vary %q, Content-Language %q", r.header.Get("Vary"), r.header.Get("Content-Language"))
		}
	})
	t.Run("QueryFrench", func(t *testing.T) {
		ts := sharedPageServer(t, ts)
		expectPage(t, ts.page("GET", "/?lang=fr", nil, "Accept-Language", "en"), http.StatusOK, []string{
			`<html lang="fr" dir="ltr">`, "Tableau public", "Signaler un problème", `href="/report?lang=fr"`,
		})
		expectPage(t, ts.page("GET", "/report?lang=fr", nil), http.StatusOK, []string{
			`<html lang="fr" dir="ltr">`, html.EscapeString(roads.Name.FR), `action="/report?lang=fr"`,
		}, html.EscapeString(roads.Name.AR))
	})
	t.Run("AcceptLanguageEnglish", func(t *testing.T) {
		ts := sharedPageServer(t, ts)
		expectPage(t, ts.page("GET", "/report", nil, "Accept-Language", "en-GB,en;q=0.9,ar;q=0.5"), http.StatusOK, []string{
			`<html lang="en" dir="ltr">`, "Report a problem", html.EscapeString(roads.Name.EN), `action="/report"`,
		})
	})
	t.Run("QueryBeatsAcceptLanguage", func(t *testing.T) {
		ts := sharedPageServer(t, ts)
		expectPage(t, ts.page("GET", "/?lang=ar", nil, "Accept-Language", "fr"), http.StatusOK, []string{`<html lang="ar" dir="rtl">`})
	})
	t.Run("NotFound", func(t *testing.T) {
		ts := sharedPageServer(t, ts)
		for _, path := range []string{"/cases/case-01ARZ3NDEKTSV4RRFFQ69G5FAV?lang=en", "/cases/nonsense?lang=en"} {
			expectPage(t, ts.page("GET", path, nil), http.StatusNotFound, []string{`<html lang="en" dir="ltr">`, "Page not found", `hreflang="ar"`})
		}
	})
}

// sharedPageServer is ts for a parallel subtest.
func sharedPageServer(t *testing.T, ts *testServer) *testServer {
	t.Helper()
	c := *ts
	c.t = t
	return &c
}

// TestReportFormWithoutJavaScript sends the report form as a browser without
// JavaScript does, and follows the case it creates to its close.
func TestReportFormWithoutJavaScript(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	requirePages(t, ts)
	origin := ts.url

	form := ts.page("GET", "/report?lang=en", nil)
	key := submatch(t, formKeyPattern, expectPage(t, form, http.StatusOK, []string{`method="post"`, `name="title"`, "stay private"}))

	// Invalid input: 422, the form again with the values kept and the
	// errors next to their fields, and nothing recorded.
	before := ts.head()
	bad := url.Values{
		"form_key": {key}, "title": {"  "}, "description": {"Deep hole"}, "category": {"no_such_category"},
		"district": {"Bab Souika"}, "email": {"not-an-email"}, "name": {"Leila"},
	}
	body := expectPage(t, ts.page("POST", "/report?lang=en", bad, "Origin", origin), http.StatusUnprocessableEntity, []string{
		`id="f-title-error"`, "This field is required.", "Choose a category from the list.",
		"This is not a valid email address.", `<option value="bab_souika" selected>Bab Souika</option>`, `value="Leila"`, ">Deep hole</textarea>",
		`aria-invalid="true"`, `value="` + key + `"`,
	})
	if strings.Contains(body, `id="f-district-error"`) {
		t.Error("a valid field is marked in error")
	}
	if after := ts.head(); after != before {
		t.Fatalf("an invalid form appended events: head %d -> %d", before, after)
	}

	// Another site's form: refused, nothing recorded.
	good := url.Values{
		"form_key": {key}, "title": {`Pothole <script>alert(1)</script> on Rue de la Liberté`},
		"description": {"Two scooters fell this week.\nChildren pass by every morning."},
		"category":    {"roads"}, "district": {"Bab Souika"}, "address": {"12 rue de la Liberté"},
		"name": {"Leila Ben Salah"}, "phone": {"+216 20 000 000"}, "email": {"leila@example.tn"},
	}
	expectPage(t, ts.page("POST", "/report?lang=en", good, "Origin", "http://evil.example"), http.StatusForbidden, []string{"Submission refused"})
	expectPage(t, ts.page("POST", "/report?lang=en", good, "Referer", "http://evil.example/form"), http.StatusForbidden, nil)
	if after := ts.head(); after != before {
		t.Fatalf("a cross-site form appended events: head %d -> %d", before, after)
	}

	// The report: 303 to the done page, which shows the case and the
	// token once.
	head := ts.head()
	body = expectPage(t, ts.postReportForm("/report?lang=en", good, "Origin", origin, "Referer", origin+"/report?lang=en"),
		http.StatusOK, []string{"your case is recorded", "Keep this token to yourself"})
	id := submatch(t, caseIDPattern, body)
	token := submatch(t, tokenPattern, body)
	if !strings.Contains(body, `href="/cases/`+id+`?lang=en"`) {
		t.Fatalf("no link to the case page in %s", abridgedPage(body))
	}
	if ts.head() == head {
		t.Fatal("the report appended nothing")
	}
	head = ts.head()

	// A resend of the same form (a double click, or a back and resubmit)
	// is the same case, with the same token, and no second case.
	again := string(ts.postReportForm("/report?lang=en", good, "Origin", origin).body)
	if submatch(t, caseIDPattern, again) != id || submatch(t, tokenPattern, again) != token {
		t.Fatal("a resent form made another case")
	}
	if ts.head() != head {
		t.Fatal("a resent form appended events")
	}

	// The done page without its cookie (a bookmark, another browser)
	// shows no token and says why.
	expectPage(t, ts.page("GET", "/report/done?lang=en", nil), http.StatusOK, []string{"shown only once"}, tokenShownOnce)

	// The case is there for the API, in the reporter's language, with the
	// reporter in the vault for advocates only.
	c := ts.must(http.StatusOK, "GET", "/api/v1/cases/"+id, "", nil)
	if c["title"] != good.Get("title") || c["category"] != "roads" || c["status"] != "reported" || c["language"] != "en" || c["reporter"] != nil {
		t.Fatalf("case = %v", c)
	}
	if r, _ := ts.must(http.StatusOK, "GET", "/api/v1/cases/"+id, "advocate", nil)["reporter"].(map[string]any); r["email"] != "leila@example.tn" {
		t.Fatalf("advocate sees reporter %v", r)
	}

	// The token from the page is the reporter's: it confirms the resolution.
	for _, step := range []struct{ who, cmd, body string }{
		{"advocate", "triage", `{"priority":"high"}`},
		{"advocate", "forward", `{"department":"roads_works","note":"Near a school"}`},
		{"officer", "acknowledge", `{"reference":"BO-2026-7"}`},
		{"officer", "resolve", `{"note":"Filled and resurfaced"}`},
	} {
		ts.must(http.StatusOK, "POST", "/api/v1/cases/"+id+"/"+step.cmd, step.who, step.body)
	}
	if r := ts.must(http.StatusOK, "POST", "/api/v1/cases/"+id+"/confirm", "", `{"tracking_token":"`+token+`","note":"Thank you"}`); r["status"] != "closed" {
		t.Fatalf("confirm with the page's token = %v", r)
	}

	// The case page: escaped, public, and without the reporter.
	expectPage(t, ts.page("GET", "/cases/"+id+"?lang=en", nil), http.StatusOK, []string{
		"Pothole &lt;script&gt;alert(1)&lt;/script&gt; on Rue de la Liberté", "Closed", "Roads and Public Works",
		"Filled and resurfaced", "BO-2026-7", "Resolution confirmed", `data-verified="true"`,
	}, "<script>alert(1)", "Leila", "leila@example.tn", "+216 20 000 000")

	// The board lists it once the case list has caught up.
	ts.expectRead("the board to list the case", func() bool {
		return strings.Contains(string(ts.page("GET", "/", nil).body), `href="/cases/`+id+`"`)
	})
}

func TestCasePageTimeline(t *testing.T) {
	t.Parallel()
	// Behind a trusted proxy, so that two residents support the case.
	ts := startServerWith(t, func(c *config) { c.TrustedProxies = "127.0.0.1/32" })
	requirePages(t, ts)
	rep := ts.report(map[string]any{
		"reporter": map[string]any{"name": "Karim Trabelsi", "email": "karim@example.tn", "phone": "+216 98 765 432"},
	})
	id, _ := rep["id"].(string)
	path := "/api/v1/cases/" + id
	ts.must(http.StatusOK, "POST", path+"/triage", "advocate", map[string]any{"priority": "urgent"})
	ts.must(http.StatusOK, "POST", path+"/comments", "advocate", map[string]any{"body": "INTERNAL-ONLY: the reporter asked us to call after 5pm", "visibility": "internal"})
	ts.must(http.StatusOK, "POST", path+"/comments", "advocate", map[string]any{"body": "We measured it: 40 cm deep.", "visibility": "public"})
	ts.must(http.StatusOK, "POST", path+"/forward", "advocate", map[string]any{"department": "roads_works"})
	for _, resident := range []string{"198.51.100.7", "198.51.100.8"} {
		ts.must(http.StatusOK, "POST", path+"/support", "", map[string]any{}, "X-Forwarded-For", resident)
	}

	t.Run("Arabic", func(t *testing.T) {
		ts := sharedPageServer(t, ts)
		expectPage(t, ts.page("GET", "/cases/"+id, nil), http.StatusOK, []string{
			`<html lang="ar" dir="rtl">`, "حفرة كبيرة في شارع الحرية", "مسار القضية", "تمّ التحقّق", "الطرقات والأشغال العامة",
			"عاجلة", "ساندها 2 من المتساكنين", "We measured it: 40 cm deep.",
		}, "INTERNAL-ONLY", "Karim", "karim@example.tn", "+216 98 765 432")
	})
	t.Run("English", func(t *testing.T) {
		ts := sharedPageServer(t, ts)
		body := expectPage(t, ts.page("GET", "/cases/"+id+"?lang=en", nil), http.StatusOK, []string{
			`<html lang="en" dir="ltr">`, "Public timeline", "✓ verified", `data-verified="true"`,
			"Reported by a resident", html.EscapeString("Checked by the Citizen's House"), "Forwarded to the municipal department",
			"2 residents support this case", "Due by", "Urgent", "Supporters", "Times reopened",
		}, "INTERNAL-ONLY", "Karim", "karim@example.tn", "not verified")
		// Two comments were added; the page shows the public one only.
		if n := strings.Count(body, "step-CommentAdded"); n != 1 {
			t.Fatalf("%d comments on the page, want 1", n)
		}
	})
}

// startMemoryServer runs bayt serve without a database, as `make run` does
// on a machine without PostgreSQL.
func startMemoryServer(t *testing.T) *testServer {
	t.Helper()
	return startMemoryServerWith(t, func(*config) {})
}

// startMemoryServerWith is startMemoryServer with configure's changes.
func startMemoryServerWith(t *testing.T, configure func(*config)) *testServer {
	t.Helper()
	cfg := configFromEnv()
	cfg.DatabaseURL, cfg.Memory = "", true
	cfg.PublicWriteLimit = 0
	configure(&cfg)
	url, _, _ := runProgram(t, cfg)
	return &testServer{t: t, url: url, tokens: map[string]string{}}
}

func TestPagesEphemeralBanner(t *testing.T) {
	t.Parallel()
	ts := startMemoryServer(t)
	requirePages(t, ts)
	expectPage(t, ts.page("GET", "/?lang=en", nil), http.StatusOK, []string{"data-ephemeral", html.EscapeString(transport.EphemeralWarning)})
	expectPage(t, ts.page("GET", "/?lang=fr", nil), http.StatusOK, []string{"data-ephemeral", "rien n&#39;est conservé", "apt-get install postgresql"})
	form := expectPage(t, ts.page("GET", "/report", nil), http.StatusOK, []string{"data-ephemeral", "يضيع كلّ شيء", "apt-get install postgresql"})

	// The form works on the in-memory store too, and every page warns.
	done := ts.postReportForm("/report", url.Values{
		"form_key": {submatch(t, formKeyPattern, form)}, "title": {"انقطاع الإنارة في نهج الزيتون"},
		"description": {"الأعمدة مطفأة منذ أسبوعين."}, "category": {"lighting"}, "district": {"الحلفاوين"},
	}, "Origin", ts.url)
	id := submatch(t, caseIDPattern, expectPage(t, done, http.StatusOK, []string{"data-ephemeral", "شكرًا"}))
	expectPage(t, ts.page("GET", "/cases/"+id, nil), http.StatusOK, []string{"data-ephemeral", "انقطاع الإنارة في نهج الزيتون", "الإنارة العمومية"})
}

// TestPreviewCards: a shared case or campaign link shows its title and
// the start of its text (Open Graph), the public texts only, and an
// address without the visitor's query.
func TestPreviewCards(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	id, _ := ts.report(map[string]any{"title": "Trottoir effondré rue de Rome", "description": "Le trottoir s'est effondré devant l'école."})["id"].(string)
	r := ts.do("GET", "/cases/"+id+"?lang=fr", "", nil)
	body := string(r.body)
	for _, want := range []string{
		`<meta property="og:title" content="Trottoir effondré rue de Rome">`,
		`<meta property="og:description" content="Le trottoir s&#39;est effondré devant l&#39;école.">`,
		`<meta property="og:url" content="` + ts.url + `/cases/` + id + `">`,
		`<meta property="og:locale" content="fr">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("case page lacks %s", want)
		}
	}
	if home := string(ts.do("GET", "/", "", nil).body); strings.Contains(home, "og:title") {
		t.Error("the board has a case's preview card")
	}
}

// TestCasePageNamesOtherCases: a case merged into another names it by
// its number and title, in the timeline too, never by its id alone; the
// reporter's words carry dir="auto" and the language they were written in.
func TestCasePageNamesOtherCases(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	requirePages(t, ts)
	into, _ := ts.report(map[string]any{"title": "Fuite d'eau rue de Marseille", "description": "L'eau coule depuis lundi.", "language": "fr"})["id"].(string)
	dup, _ := ts.report(map[string]any{"title": "تسرب مياه في نهج مرسيليا", "language": "ar"})["id"].(string)
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+dup+"/merge", "advocate", map[string]any{"into": into})
	ts.settle()
	number, _ := ts.must(http.StatusOK, "GET", "/api/v1/cases/"+into, "", nil)["number"].(string)
	if number == "" {
		t.Fatal("the case has no number")
	}
	body := expectPage(t, ts.page("GET", "/cases/"+dup+"?lang=en", nil), http.StatusOK, []string{
		`<h1 dir="auto" lang="ar">تسرب مياه في نهج مرسيليا</h1>`,
		`<a href="/cases/` + into + `?lang=en" data-merged-into><span class="case-number" dir="ltr">` + number + `</span> <bdi lang="fr">Fuite d&#39;eau rue de Marseille</bdi></a>`,
		number + ` Fuite d&#39;eau rue de Marseille</a>`,
	})
	if strings.Contains(body, ">"+into+"<") {
		t.Errorf("the page names the case merged into by its id:\n%s", abridgedPage(body))
	}
	expectPage(t, ts.page("GET", "/cases/"+into+"?lang=ar", nil), http.StatusOK, []string{
		`<h1 dir="auto" lang="fr">Fuite d&#39;eau rue de Marseille</h1>`, `<p class="description" dir="auto" lang="fr">L&#39;eau coule depuis lundi.</p>`,
	})
}
