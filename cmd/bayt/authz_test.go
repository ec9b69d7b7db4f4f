package main

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
)

// sharedServer returns ts reporting its failures to t, so that parallel
// subtests can share one server and still fail only themselves.
func sharedServer(t *testing.T, ts *testServer) *testServer {
	t.Helper()
	c := *ts
	c.t = t
	return &c
}

// appendGuard keeps ts.head() comparisons exact while parallel subtests
// share one server: setup appends under the read lock, and a measured
// request runs under the write lock, while nothing else appends.
type appendGuard struct{ mu sync.RWMutex }

// setup runs f, which may append, outside every measured request.
func (g *appendGuard) setup(t *testing.T, f func()) {
	t.Helper()
	g.mu.RLock()
	defer g.mu.RUnlock()
	f()
}

// measure runs f alone and returns its response with the head of the log
// before and after.
func (g *appendGuard) measure(ts *testServer, f func() response) (r response, before, after int64) {
	ts.t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	before = ts.head()
	r = f()
	after = ts.head()
	return r, before, after
}

// unknownBearer is well formed, so the server has to look it up, but was
// never issued.
var unknownBearer = "bayt_" + strings.Repeat("A", 43)

// driveCase reports a roads case (which goes to roads_works) and drives it
// to status with the advocate's and the roads officer's tokens. It returns
// the case's id and tracking token.
func driveCase(t *testing.T, ts *testServer, status string) (id, trackingToken string) {
	t.Helper()
	rep := ts.report(nil)
	id, _ = rep["id"].(string)
	trackingToken, _ = rep["tracking_token"].(string)
	if id == "" || trackingToken == "" {
		t.Fatalf("report = %v", rep)
	}
	steps := []struct {
		from, to, who, cmd string
		body               map[string]any
	}{
		{"reported", "triaged", "advocate", "triage", map[string]any{"priority": "normal"}},
		{"triaged", "forwarded", "advocate", "forward", map[string]any{"department": "roads_works"}},
		{"forwarded", "acknowledged", "officer", "acknowledge", map[string]any{"reference": "BO-1"}},
		{"acknowledged", "resolved", "officer", "resolve", map[string]any{"note": "Filled and resurfaced"}},
	}
	current := "reported"
	for _, s := range steps {
		if current == status {
			break
		}
		if r := ts.must(http.StatusOK, "POST", "/api/v1/cases/"+id+"/"+s.cmd, s.who, s.body); r["status"] != s.to {
			t.Fatalf("%s: %v, want status %s", s.cmd, r, s.to)
		}
		current = s.to
	}
	if current != status {
		t.Fatalf("cannot drive a case to %q", status)
	}
	return id, trackingToken
}

// authzCase is what a row's request is built from.
type authzCase struct {
	id, trackingToken, into string
}

func TestCaseAuthorization(t *testing.T) {
	t.Parallel()
	shared := startServer(t)
	var guard appendGuard

	var (
		everyone        = []string{"anonymous", "advocate", "admin", "officer", "officer_other"}
		staffOnly       = []string{"advocate", "admin"}
		deptOfficer     = []string{"officer"}
		reporterOrStaff = []string{"reporter", "advocate", "admin"}
		commenters      = []string{"advocate", "admin", "officer"}
	)
	// Each row: the request, the status its case is driven to first ("" for
	// none), who may make it, and what success looks like.
	endpoints := []struct {
		name    string
		method  string
		path    string // with {id} for the case's id
		given   string
		body    func(c authzCase) map[string]any // nil for a GET
		token   bool                             // takes tracking_token in the body
		allowed []string
		ok      int
		then    string // the case's status after success; "" for reads
	}{
		{name: "report", method: "POST", path: "/api/v1/cases", body: func(authzCase) map[string]any {
			return map[string]any{"title": "عمود إنارة معطل", "description": "Dark street at night", "category": "roads", "district": "Bab Souika"}
		}, allowed: everyone, ok: http.StatusCreated, then: "reported"},
		{name: "list", method: "GET", path: "/api/v1/cases", allowed: everyone, ok: http.StatusOK},
		{name: "get", method: "GET", path: "/api/v1/cases/{id}", given: "reported", allowed: everyone, ok: http.StatusOK},
		{name: "history", method: "GET", path: "/api/v1/cases/{id}/history", given: "forwarded", allowed: everyone, ok: http.StatusOK},
		{name: "categories", method: "GET", path: "/api/v1/categories", allowed: everyone, ok: http.StatusOK},
		{name: "departments", method: "GET", path: "/api/v1/departments", allowed: everyone, ok: http.StatusOK},
		{name: "triage", method: "POST", path: "/api/v1/cases/{id}/triage", given: "reported", body: func(authzCase) map[string]any {
			return map[string]any{"priority": "high"}
		}, allowed: staffOnly, ok: http.StatusOK, then: "triaged"},
		{name: "reject", method: "POST", path: "/api/v1/cases/{id}/reject", given: "reported", body: func(authzCase) map[string]any {
			return map[string]any{"reason": "Not a municipal matter"}
		}, allowed: staffOnly, ok: http.StatusOK, then: "rejected"},
		{name: "merge", method: "POST", path: "/api/v1/cases/{id}/merge", given: "reported", body: func(c authzCase) map[string]any {
			return map[string]any{"into": c.into}
		}, allowed: staffOnly, ok: http.StatusOK, then: "duplicate"},
		{name: "forward", method: "POST", path: "/api/v1/cases/{id}/forward", given: "triaged", body: func(authzCase) map[string]any {
			return map[string]any{"department": "roads_works", "note": "Near a school"}
		}, allowed: staffOnly, ok: http.StatusOK, then: "forwarded"},
		{name: "acknowledge", method: "POST", path: "/api/v1/cases/{id}/acknowledge", given: "forwarded", body: func(authzCase) map[string]any {
			return map[string]any{"reference": "BO-2026-114"}
		}, allowed: deptOfficer, ok: http.StatusOK, then: "acknowledged"},
		{name: "answer", method: "POST", path: "/api/v1/cases/{id}/answer", given: "acknowledged", body: func(authzCase) map[string]any {
			return map[string]any{"response": "سيتم الإصلاح هذا الأسبوع", "planned_for": "2026-12-05T00:00:00Z"}
		}, allowed: deptOfficer, ok: http.StatusOK, then: "in_progress"},
		{name: "resolve", method: "POST", path: "/api/v1/cases/{id}/resolve", given: "acknowledged", body: func(authzCase) map[string]any {
			return map[string]any{"note": "Resurfaced"}
		}, allowed: deptOfficer, ok: http.StatusOK, then: "resolved"},
		{name: "confirm", method: "POST", path: "/api/v1/cases/{id}/confirm", given: "resolved", body: func(authzCase) map[string]any {
			return map[string]any{"note": "شكرا"}
		}, token: true, allowed: reporterOrStaff, ok: http.StatusOK, then: "closed"},
		{name: "reopen", method: "POST", path: "/api/v1/cases/{id}/reopen", given: "resolved", body: func(authzCase) map[string]any {
			return map[string]any{"reason": "The hole is back after the rain"}
		}, token: true, allowed: reporterOrStaff, ok: http.StatusOK, then: "forwarded"},
		{name: "comment_public", method: "POST", path: "/api/v1/cases/{id}/comments", given: "forwarded", body: func(authzCase) map[string]any {
			return map[string]any{"body": "Public note", "visibility": "public"}
		}, allowed: commenters, ok: http.StatusOK, then: "forwarded"},
		{name: "comment_internal", method: "POST", path: "/api/v1/cases/{id}/comments", given: "forwarded", body: func(authzCase) map[string]any {
			return map[string]any{"body": "Internal: same contractor as last year", "visibility": "internal"}
		}, allowed: commenters, ok: http.StatusOK, then: "forwarded"},
		{name: "support", method: "POST", path: "/api/v1/cases/{id}/support", given: "reported", body: func(authzCase) map[string]any {
			return map[string]any{}
		}, allowed: everyone, ok: http.StatusOK, then: "reported"},
		{name: "moderate", method: "POST", path: "/api/v1/cases/{id}/moderate", given: "forwarded", body: func(authzCase) map[string]any {
			return map[string]any{"public_title": "Damaged road", "reason": "The title names a person"}
		}, allowed: staffOnly, ok: http.StatusOK, then: "forwarded"},
	}
	roles := []string{"anonymous", "reporter", "reporter_wrong_token", "advocate", "admin", "officer", "officer_other", "bad_token"}

	for _, ep := range endpoints {
		for _, role := range roles {
			if strings.HasPrefix(role, "reporter") && !ep.token {
				continue // the same request as anonymous: no tracking token to send
			}
			want, code, outcome := http.StatusForbidden, "forbidden", "ErrForbidden"
			switch {
			case role == "bad_token":
				want, code, outcome = http.StatusUnauthorized, "unauthenticated", "ErrUnauthenticated"
			case slices.Contains(ep.allowed, role):
				want, code, outcome = ep.ok, "", "OK"
			}
			t.Run(ep.name+"/"+role+"/"+outcome, func(t *testing.T) {
				t.Parallel()
				ts := sharedServer(t, shared)
				var c authzCase
				guard.setup(t, func() {
					if ep.given != "" {
						c.id, c.trackingToken = driveCase(t, ts, ep.given)
					}
					if ep.name == "merge" {
						c.into, _ = ts.report(nil)["id"].(string)
					}
				})
				path := strings.ReplaceAll(ep.path, "{id}", c.id)
				var body map[string]any
				if ep.body != nil {
					body = ep.body(c)
				}
				who, headers := role, []string(nil)
				switch role {
				case "anonymous":
					who = ""
				case "reporter":
					who, body["tracking_token"] = "", c.trackingToken
				case "reporter_wrong_token":
					who, body["tracking_token"] = "", "not-the-tracking-token"
				case "bad_token":
					who, headers = "", []string{"Authorization", "Bearer " + unknownBearer}
				}
				r, before, after := guard.measure(ts, func() response {
					if body == nil {
						return ts.do(ep.method, path, who, nil, headers...)
					}
					return ts.do(ep.method, path, who, body, headers...)
				})

				if code != "" {
					checkProblem(t, r, want, code)
					if after != before {
						t.Fatalf("%s %s as %s was refused but the log head moved %d -> %d", ep.method, path, role, before, after)
					}
					return
				}
				if r.status != want {
					t.Fatalf("%s %s as %s: status %d, want %d: %s", ep.method, path, role, r.status, want, abridged(r.body))
				}
				if ep.method == "GET" {
					if after != before {
						t.Fatalf("GET %s moved the log head %d -> %d", path, before, after)
					}
					return
				}
				if after <= before {
					t.Fatalf("%s %s as %s succeeded but appended nothing (head %d)", ep.method, path, role, after)
				}
				if got := r.json(t)["status"]; got != ep.then {
					t.Fatalf("%s as %s: status %v, want %s: %s", ep.name, role, got, ep.then, r.body)
				}
			})
		}
	}
}
