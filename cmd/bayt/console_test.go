package main

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/eventstore"
)

// consoleClient is a browser without JavaScript on the staff console: it
// keeps cookies, does not follow redirects (so a test sees each 303), and
// carries the CSRF value of the last page it read into the forms it posts.
type consoleClient struct {
	t    *testing.T
	ts   *testServer
	http *http.Client
	csrf string
}

// page is a console answer.
type page struct {
	status   int
	location string
	header   http.Header
	body     string
}

var csrfValue = regexp.MustCompile(`name="csrf_token" value="([^"]*)"`)

func newConsoleClient(ts *testServer) *consoleClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		ts.t.Fatal(err)
	}
	return &consoleClient{t: ts.t, ts: ts, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (c *consoleClient) send(req *http.Request) page {
	c.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	p := page{status: resp.StatusCode, location: resp.Header.Get("Location"), header: resp.Header, body: string(b)}
	if m := csrfValue.FindStringSubmatch(p.body); m != nil {
		c.csrf = html.UnescapeString(m[1])
	}
	return p
}

// get reads a console page.
func (c *consoleClient) get(path string) page {
	c.t.Helper()
	req, err := http.NewRequestWithContext(c.t.Context(), http.MethodGet, c.ts.url+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.send(req)
}

// post submits a form as a browser on the same site does, with the CSRF
// value of the last page read unless the form sets csrf_token itself.
func (c *consoleClient) post(path string, form url.Values) page {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if !form.Has("csrf_token") {
		form.Set("csrf_token", c.csrf)
	}
	req, err := http.NewRequestWithContext(c.t.Context(), http.MethodPost, c.ts.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.ts.url)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.send(req)
}

// postOnce submits a form whose answer holds a secret shown once: it
// must answer 303 See Other to done, not stored, and done must show the
// secret to the first read alone. It returns that first read.
func (c *consoleClient) postOnce(path, done string, form url.Values) page {
	c.t.Helper()
	p := c.post(path, form)
	if p.status != http.StatusSeeOther || p.location != done || p.header.Get("Cache-Control") != "no-store" {
		c.t.Fatalf("POST %s: %d to %q (cache %q), want 303 to %s, not stored:\n%s", path, p.status, p.location, p.header.Get("Cache-Control"), done, p.body)
	}
	first := c.get(done)
	if first.status != http.StatusOK || first.header.Get("Cache-Control") != "no-store" {
		c.t.Fatalf("GET %s: %d (cache %q), want 200 not stored", done, first.status, first.header.Get("Cache-Control"))
	}
	return first
}

// signIn opens a session with the test server's token of who.
func (c *consoleClient) signIn(who string) {
	c.t.Helper()
	if p := c.get("/console"); p.status != http.StatusOK || !strings.Contains(p.body, `name="token"`) {
		c.t.Fatalf("GET /console: %d, want the sign-in form", p.status)
	}
	p := c.post("/console/session", url.Values{"token": {c.ts.tokens[who]}})
	if p.status != http.StatusSeeOther || p.location != "/console" {
		c.t.Fatalf("sign in as %s: %d to %q, want 303 to /console:\n%s", who, p.status, p.location, p.body)
	}
}

func TestConsoleSignIn(t *testing.T) {
	t.Parallel()
	ts := startServer(t)

	t.Run("SessionCookie", func(t *testing.T) {
		c := newConsoleClient(ts)
		c.get("/console")
		p := c.post("/console/session", url.Values{"token": {ts.tokens["advocate"]}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("sign in: %d", p.status)
		}
		var cookie string
		for _, sc := range p.header.Values("Set-Cookie") {
			if strings.HasPrefix(sc, "bayt_session=") {
				cookie = sc
			}
		}
		for _, attr := range []string{"HttpOnly", "SameSite=Lax", "Path=/console"} {
			if !strings.Contains(cookie, attr) {
				t.Errorf("bayt_session cookie %q lacks %s", cookie, attr)
			}
		}
		if strings.Contains(cookie, ts.tokens["advocate"]) {
			t.Error("the session cookie holds the token itself")
		}
		if p := c.get("/console"); p.status != http.StatusSeeOther || p.location != "/console/inbox" {
			t.Fatalf("GET /console signed in: %d to %q, want the inbox", p.status, p.location)
		}
		inbox := c.get("/console/inbox")
		if inbox.status != http.StatusOK || !strings.Contains(inbox.body, "Test advocate") || inbox.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("inbox: %d, cache %q, want the advocate's inbox, not stored", inbox.status, inbox.header.Get("Cache-Control"))
		}
		if p := c.post("/console/logout", nil); p.status != http.StatusSeeOther || p.location != "/console" {
			t.Fatalf("sign out: %d to %q", p.status, p.location)
		}
		if p := c.get("/console/inbox"); p.status != http.StatusSeeOther || p.location != "/console" {
			t.Fatalf("inbox after signing out: %d to %q, want the sign-in form", p.status, p.location)
		}
	})

	t.Run("WrongToken", func(t *testing.T) {
		c := newConsoleClient(ts)
		c.get("/console")
		p := c.post("/console/session", url.Values{"token": {"bayt_not-a-token"}})
		if p.status != http.StatusUnauthorized || !strings.Contains(p.body, `name="token"`) {
			t.Fatalf("wrong token: %d, want 401 and the form again", p.status)
		}
		if p := c.get("/console/inbox"); p.status != http.StatusSeeOther {
			t.Fatalf("inbox after a wrong token: %d, want no session", p.status)
		}
	})

	t.Run("CSRF", func(t *testing.T) {
		// The sign-in form's own CSRF value is bound to its cookie.
		c := newConsoleClient(ts)
		c.get("/console")
		if p := c.post("/console/session", url.Values{"token": {ts.tokens["advocate"]}, "csrf_token": {"forged"}}); p.status != http.StatusForbidden {
			t.Fatalf("sign-in with a forged csrf_token: %d, want 403", p.status)
		}
		c.signIn("advocate")
		c.get("/console/inbox")
		if p := c.post("/console/logout", url.Values{"csrf_token": {"forged"}}); p.status != http.StatusForbidden {
			t.Fatalf("sign out with a forged csrf_token: %d, want 403", p.status)
		}
		if p := c.get("/console/inbox"); p.status != http.StatusOK {
			t.Fatalf("the refused sign-out ended the session: %d", p.status)
		}
		// Another site's form is refused whatever it carries.
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, ts.url+"/console/logout",
			strings.NewReader(url.Values{"csrf_token": {c.csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if p := c.send(req); p.status != http.StatusForbidden {
			t.Fatalf("cross-site sign-out: %d, want 403", p.status)
		}
		if p := c.get("/console/inbox"); p.status != http.StatusOK {
			t.Fatalf("the cross-site post ended the session: %d", p.status)
		}
	})

	t.Run("RevokedTokenEndsSession", func(t *testing.T) {
		c := newConsoleClient(ts)
		secret := ts.mintToken("advocate", "Revoked soon")
		ts.tokens["revoked-soon"] = secret
		c.signIn("revoked-soon")
		if p := c.get("/console/inbox"); p.status != http.StatusOK {
			t.Fatalf("inbox: %d", p.status)
		}
		ts.revokeToken(secret)
		if p := c.get("/console/inbox"); p.status != http.StatusSeeOther || p.location != "/console" {
			t.Fatalf("inbox after revocation: %d to %q, want the sign-in form", p.status, p.location)
		}
	})

	t.Run("OfficerInbox", func(t *testing.T) {
		c := newConsoleClient(ts)
		c.signIn("officer")
		p := c.get("/console/inbox")
		if p.status != http.StatusOK || !strings.Contains(p.body, `data-queue="console.inbox.department"`) || strings.Contains(p.body, "console.inbox.triage") {
			t.Fatalf("officer inbox: %d, want the department queue only", p.status)
		}
	})
}

// mintToken issues a token of role named name on the test server's store
// and returns its secret.
func (ts *testServer) mintToken(role, name string) string {
	ts.t.Helper()
	dept := ""
	if role == string(domain.RoleOfficer) {
		dept = "roads_works"
	}
	secret, _, err := eventstore.NewTokens(ts.pool).Create(context.Background(), name, domain.Role(role), dept, time.Time{})
	if err != nil {
		ts.t.Fatal(err)
	}
	return secret
}

// revokeToken revokes the token whose secret is secret.
func (ts *testServer) revokeToken(secret string) {
	ts.t.Helper()
	tokens := eventstore.NewTokens(ts.pool)
	tok, err := tokens.Authenticate(context.Background(), secret)
	if err != nil {
		ts.t.Fatal(err)
	}
	if err := tokens.Revoke(context.Background(), tok.ID); err != nil {
		ts.t.Fatal(err)
	}
}

// TestConsoleKeepsAnAdmin: the last admin token that works cannot be
// revoked from the console, which would lock every admin out; once there
// is another, it can. A page outside one's role says so, not that the
// form came from elsewhere.
func TestConsoleKeepsAnAdmin(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	c := newConsoleClient(ts)
	c.signIn("admin")
	c.get("/console/tokens")
	own := ts.tokenID(ts.tokens["admin"])
	if p := c.post("/console/tokens/"+own+"/revoke", nil); p.status != http.StatusConflict || !strings.Contains(p.body, "آخر رمز مشرف") {
		t.Fatalf("revoking the last admin token: %d, want 409 saying why", p.status)
	}
	if p := c.get("/console/tokens"); p.status != http.StatusOK {
		t.Fatalf("the refused revocation ended the admin's session: %d", p.status)
	}
	second := ts.mintToken("admin", "Second admin")
	if p := c.post("/console/tokens/"+own+"/revoke", nil); p.status != http.StatusSeeOther {
		t.Fatalf("revoking an admin token with another one live: %d, want 303", p.status)
	}
	if _, err := eventstore.NewTokens(ts.pool).Authenticate(context.Background(), second); err != nil {
		t.Fatalf("the other admin token: %v", err)
	}

	o := newConsoleClient(ts)
	o.signIn("officer")
	p := o.get("/console/tokens?lang=en")
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "not open to your role") || strings.Contains(p.body, "did not come from this site") {
		t.Fatalf("an officer on the tokens page: %d, want 403 saying the page is not for their role", p.status)
	}
}

// TestConsoleSearchReachesEveryCase: a case in no queue (checked, not yet
// forwarded; or closed) is found by a search of the advocate's inbox.
func TestConsoleSearchReachesEveryCase(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	id, _ := ts.report(map[string]any{"title": "Lampadaire arraché rue de Marseille", "category": "lighting"})["id"].(string)
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+id+"/triage", "advocate", map[string]any{"priority": "normal"})
	ts.settle()
	c := newConsoleClient(ts)
	c.signIn("advocate")
	p := c.get("/console/inbox?q=" + url.QueryEscape("Lampadaire"))
	start := strings.Index(p.body, `data-queue="console.inbox.matching"`)
	if p.status != http.StatusOK || start < 0 {
		t.Fatalf("inbox search: %d, no queue of matching cases", p.status)
	}
	matching := p.body[start:]
	if end := strings.Index(matching[1:], "data-queue="); end > 0 {
		matching = matching[:end+1]
	}
	if !strings.Contains(matching, `data-case-id="`+id+`"`) {
		t.Fatal("the search does not list the checked case")
	}
	if p := c.get("/console/inbox"); strings.Contains(p.body, "console.inbox.matching") || !strings.Contains(p.body, `data-queue="console.inbox.to_forward"`) {
		t.Fatal("without a search, the inbox should show the queues, the checked case's among them")
	}
}
