package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/citizenhouse/bayt/eventstore"
)

// consoleRole is who asks, in the authorisation matrix.
type consoleRole string

const (
	roleAnonymous    consoleRole = "anonymous"
	roleAdvocate     consoleRole = "advocate"
	roleOfficer      consoleRole = "officer"       // of roads_works, where the case is forwarded
	roleOfficerOther consoleRole = "officer_other" // of sanitation
	roleAdmin        consoleRole = "admin"
	roleRevoked      consoleRole = "revoked" // an advocate whose token was revoked after signing in
)

var consoleRoles = []consoleRole{roleAnonymous, roleAdvocate, roleOfficer, roleOfficerOther, roleAdmin, roleRevoked}

// consoleRoute is one console route and who may use it: the roles it
// lets through, as the console's gate or the domain decides.
type consoleRoute struct {
	method, path string
	allowed      []consoleRole
	form         url.Values
}

// consoleFixture is what the matrix acts on: a case forwarded to
// roads_works, a campaign with an activity and a commitment, an
// organisation and a token to revoke.
type consoleFixture struct {
	caseID, otherCaseID, campaignID, activityID, commitmentID, organisationID string
	photoID                                                                   string
}

func newConsoleFixture(ts *testServer) consoleFixture {
	t := ts.t
	t.Helper()
	var f consoleFixture
	f.caseID, _ = ts.report(nil)["id"].(string)
	f.otherCaseID, _ = ts.report(map[string]any{"title": "إنارة معطّلة في نهج مرسيليا", "category": "lighting"})["id"].(string)
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+f.caseID+"/triage", "advocate", map[string]any{"priority": "high"})
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+f.caseID+"/forward", "advocate", map[string]any{"department": "roads_works"})
	org := ts.must(http.StatusCreated, "POST", "/api/v1/organisations", "advocate", map[string]any{"name": "جمعية الحي", "kind": "association"})
	f.organisationID, _ = org["id"].(string)
	camp := ts.must(http.StatusCreated, "POST", "/api/v1/campaigns", "advocate", map[string]any{
		"title": "طرقات آمنة", "demand": "إصلاح الحفر", "theme": "community", "target_department": "roads_works", "lead_organisation": f.organisationID,
	})
	f.campaignID, _ = camp["id"].(string)
	act := ts.must(http.StatusOK, "POST", "/api/v1/campaigns/"+f.campaignID+"/activities", "advocate", map[string]any{
		"kind": "workshop", "title": "ورشة", "scheduled_for": "2027-01-10T10:00:00Z",
	})
	f.activityID, _ = act["activity_id"].(string)
	com := ts.must(http.StatusOK, "POST", "/api/v1/campaigns/"+f.campaignID+"/commitments", "advocate", map[string]any{
		"text": "إصلاح الطريق", "due_by": "2027-03-01T00:00:00Z",
	})
	f.commitmentID, _ = com["commitment_id"].(string)
	if r := ts.upload(f.caseID, "advocate", "", pngPhoto(t, 1)); r.status == http.StatusCreated {
		f.photoID, _ = r.json(t)["photo_id"].(string)
	}
	if f.photoID == "" || f.caseID == "" || f.otherCaseID == "" || f.organisationID == "" || f.campaignID == "" || f.activityID == "" || f.commitmentID == "" {
		t.Fatalf("fixture incomplete: %+v", f)
	}
	ts.settle()
	return f
}

// consoleRoutes lists every console route with the roles it admits.
func consoleRoutes(f consoleFixture, tokenID string) []consoleRoute {
	staff := []consoleRole{roleAdvocate, roleOfficer, roleOfficerOther, roleAdmin}
	advocates := []consoleRole{roleAdvocate, roleAdmin}
	officer := []consoleRole{roleOfficer}
	admin := []consoleRole{roleAdmin}
	c := "/console/cases/" + f.caseID
	k := "/console/campaigns/" + f.campaignID
	v := func(kv ...string) url.Values {
		out := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	return []consoleRoute{
		{"GET", "/console/inbox", staff, nil},
		{"GET", c, staff, nil},
		{"POST", c + "/triage", advocates, v("priority", "low")},
		{"POST", c + "/reject", advocates, v("reason", "")},
		{"POST", c + "/merge", advocates, v("into", "")},
		{"POST", c + "/forward", advocates, v("department", "")},
		{"POST", c + "/acknowledge", officer, v("reference", "REF-1")},
		{"POST", c + "/answer", officer, v("response", "")},
		{"POST", c + "/resolve", officer, v("note", "")},
		{"POST", c + "/confirm", advocates, v("note", "")},
		{"POST", c + "/reopen", advocates, v("reason", "")},
		{"POST", c + "/comment", []consoleRole{roleAdvocate, roleOfficer, roleAdmin}, v("body", "", "visibility", "internal")},
		{"POST", c + "/moderate", advocates, v("reason", "")},
		{"POST", c + "/photo", advocates, nil},
		{"POST", c + "/moderate_photo", advocates, v("photo_id", f.photoID, "reason", "")},
		{"GET", "/console/photos/" + f.photoID + ".jpg", advocates, nil},
		{"GET", "/console/photos/" + f.photoID + "/thumb.jpg", advocates, nil},
		{"GET", "/console/intake", advocates, nil},
		{"POST", "/console/intake", advocates, v("channel", "desk")},
		{"GET", "/console/campaigns", advocates, nil},
		{"POST", "/console/campaigns", advocates, v("title", "")},
		{"GET", k, advocates, nil},
		{"POST", k + "/cases", advocates, v("case_id", "")},
		{"POST", k + "/cases/" + f.otherCaseID + "/unlink", advocates, nil},
		{"POST", k + "/partners", advocates, v("organisation_id", "")},
		{"POST", k + "/activities", advocates, v("title", "")},
		{"POST", k + "/activities/" + f.activityID + "/held", advocates, v("attendance.women", "-1")},
		{"POST", k + "/signatures/paper", advocates, v("count", "0")},
		{"POST", k + "/commitments", advocates, v("text", "")},
		{"POST", k + "/commitments/" + f.commitmentID + "/fulfilled", advocates, v("note", strings.Repeat("x", 5000))},
		{"POST", k + "/commitments/" + f.commitmentID + "/broken", advocates, v("note", strings.Repeat("x", 5000))},
		{"POST", k + "/updates", advocates, nil},
		{"POST", k + "/close", advocates, v("outcome", "")},
		{"GET", "/console/organisations", advocates, nil},
		{"POST", "/console/organisations", advocates, v("name", "")},
		{"GET", "/console/organisations/" + f.organisationID, advocates, nil},
		{"POST", "/console/organisations/" + f.organisationID + "/members", advocates, v("name", "")},
		{"GET", "/console/tokens", admin, nil},
		{"POST", "/console/tokens", admin, v("name", "")},
		{"POST", "/console/tokens/" + tokenID + "/revoke", admin, nil},
		{"GET", "/console/directory", admin, nil},
		{"POST", "/console/directory/departments", admin, v("code", "")},
		{"POST", "/console/directory/categories", admin, v("code", "")},
		{"POST", "/console/directory/districts", admin, v("code", "")},
		{"POST", "/console/logout", staff, nil},
	}
}

// TestConsoleAuthorisation runs every console route as every role. Whom
// a route admits gets its page (GET 200) or has its form judged (a POST
// answers anything but 403 and never fails); whom it does not admit gets
// 403, or the sign-in form when they are not signed in, and changes
// nothing in the log or the tokens.
func TestConsoleAuthorisation(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	f := newConsoleFixture(ts)
	victim := ts.mintToken("advocate", "Revoked by the matrix")
	victimID := ts.tokenID(victim)

	signedIn := func(role consoleRole) *consoleClient {
		c := newConsoleClient(ts)
		switch role {
		case roleAnonymous:
			return c
		case roleRevoked:
			secret := ts.mintToken("advocate", "Revoked after signing in")
			ts.tokens["matrix-revoked"] = secret
			c.signIn("matrix-revoked")
			c.get("/console/inbox") // the session's CSRF value, as a page would hold it
			ts.revokeToken(secret)
			return c
		}
		c.signIn(string(role))
		c.get("/console/inbox")
		return c
	}
	for _, r := range consoleRoutes(f, victimID) {
		for _, role := range consoleRoles {
			name := fmt.Sprintf("%s %s as %s", r.method, strings.NewReplacer(f.caseID, "{case}", f.campaignID, "{campaign}").Replace(r.path), role)
			c := signedIn(role)
			head, tokens := ts.head(), ts.tokenCount()
			var p page
			if r.method == "GET" {
				p = c.get(r.path)
			} else {
				form := url.Values{}
				for k, v := range r.form {
					form[k] = slices.Clone(v)
				}
				if strings.HasPrefix(r.path, "/console/cases/") {
					// The version the workbench showed, as its forms carry it.
					form.Set("version", strings.Trim(ts.do("GET", "/api/v1/cases/"+f.caseID, "advocate", nil).header.Get("ETag"), `"`))
				}
				p = c.post(r.path, form)
			}
			admitted := slices.Contains(r.allowed, role)
			switch {
			case role == roleAnonymous || role == roleRevoked:
				if r.method == "GET" && (p.status != http.StatusSeeOther || p.location != "/console") {
					t.Errorf("%s: %d to %q, want 303 to the sign-in form", name, p.status, p.location)
				}
				if r.method == "POST" && p.status != http.StatusForbidden {
					t.Errorf("%s: %d, want 403", name, p.status)
				}
			case !admitted:
				if p.status != http.StatusForbidden {
					t.Errorf("%s: %d, want 403", name, p.status)
				}
			case r.method == "GET":
				if p.status != http.StatusOK {
					t.Errorf("%s: %d, want 200", name, p.status)
				}
			default:
				if p.status == http.StatusForbidden || p.status >= 500 || p.status == http.StatusNotFound || p.status == http.StatusMethodNotAllowed {
					t.Errorf("%s: %d, want the form judged", name, p.status)
				}
			}
			if (!admitted || role == roleAnonymous || role == roleRevoked) && (ts.head() != head || ts.tokenCount() != tokens) {
				t.Errorf("%s: a refused request changed something (log %d → %d, live tokens %d → %d)", name, head, ts.head(), tokens, ts.tokenCount())
			}
		}
	}
}

// tokenID returns the id of the token whose secret is secret.
func (ts *testServer) tokenID(secret string) string {
	ts.t.Helper()
	tok, err := eventstore.NewTokens(ts.pool).Authenticate(context.Background(), secret)
	if err != nil {
		ts.t.Fatal(err)
	}
	return tok.ID
}

// tokenCount counts the tokens that still authenticate.
func (ts *testServer) tokenCount() int {
	ts.t.Helper()
	var n int
	if err := ts.pool.QueryRow(context.Background(), "SELECT count(*) FROM tokens WHERE revoked_at IS NULL").Scan(&n); err != nil {
		ts.t.Fatal(err)
	}
	return n
}
