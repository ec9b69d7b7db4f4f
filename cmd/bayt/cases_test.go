package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestCaseLifecycle(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	var anonymousBodies [][]byte
	anon := func(method, path string, body any, headers ...string) response {
		r := ts.do(method, path, "", body, headers...)
		anonymousBodies = append(anonymousBodies, r.body)
		return r
	}

	// Report, with the reporter's contact kept in the vault.
	before := time.Now().UTC()
	rep := ts.report(map[string]any{
		"location": map[string]any{"lat": 36.8, "lon": 10.18},
		"reporter": map[string]any{"name": "Leila Ben Salah", "email": "leila@example.tn", "phone": "+216 20 000 000"},
	})
	id, _ := rep["id"].(string)
	token, _ := rep["tracking_token"].(string)
	if !strings.HasPrefix(id, "case-") || token == "" || rep["status"] != "reported" || rep["version"] != 1.0 || rep["position"] == nil {
		t.Fatalf("report = %v", rep)
	}
	path := "/api/v1/cases/" + id

	got := anon("GET", path, nil)
	if got.status != http.StatusOK || got.header.Get("ETag") != `"1"` {
		t.Fatalf("anonymous GET: %d %s etag %s", got.status, got.body, got.header.Get("ETag"))
	}
	c := got.json(t)
	if c["title"] != "حفرة كبيرة في شارع الحرية" || c["status"] != "reported" || c["reporter"] != nil {
		t.Fatalf("anonymous view = %s", got.body)
	}
	staffView := ts.must(http.StatusOK, "GET", path, "advocate", nil)
	if r, _ := staffView["reporter"].(map[string]any); r["email"] != "leila@example.tn" || r["name"] != "Leila Ben Salah" {
		t.Fatalf("advocate sees reporter %v", staffView["reporter"])
	}
	if ts.must(http.StatusOK, "GET", path, "officer", nil)["reporter"] != nil {
		t.Fatal("an officer sees the reporter's personal data")
	}

	// Triage and forward: due_at comes from the roads SLA (30 days).
	if r := ts.must(http.StatusOK, "POST", path+"/triage", "advocate", map[string]any{"priority": "high"}); r["status"] != "triaged" || r["version"] != 2.0 {
		t.Fatalf("triage = %v", r)
	}
	fw := ts.must(http.StatusOK, "POST", path+"/forward", "advocate", map[string]any{"department": "roads_works", "note": "Urgent: near a school"})
	if fw["status"] != "forwarded" {
		t.Fatalf("forward = %v", fw)
	}
	c = ts.must(http.StatusOK, "GET", path, "", nil)
	due, err := time.Parse(time.RFC3339, c["due_at"].(string))
	if err != nil || due.Before(before.Add(30*24*time.Hour-time.Minute)) || due.After(time.Now().Add(30*24*time.Hour+time.Minute)) {
		t.Fatalf("due_at = %v (%v), want 30 days from now", c["due_at"], err)
	}
	if c["department"] != "roads_works" || c["overdue"] != false {
		t.Fatalf("forwarded case = %v", c)
	}

	// Only the officer of roads_works may act.
	expectProblem(t, ts.do("POST", path+"/acknowledge", "officer_other", map[string]any{"reference": "X-1"}), http.StatusForbidden, "forbidden")
	expectProblem(t, anon("POST", path+"/acknowledge", map[string]any{}), http.StatusForbidden, "forbidden")
	if r := ts.must(http.StatusOK, "POST", path+"/acknowledge", "officer", map[string]any{"reference": "BO-2026-114"}); r["status"] != "acknowledged" {
		t.Fatalf("acknowledge = %v", r)
	}
	// Confirming before resolution is not a transition the case allows.
	p := expectProblem(t, ts.do("POST", path+"/confirm", "advocate", map[string]any{}), http.StatusConflict, "invalid_transition")
	if p["current_status"] != "acknowledged" {
		t.Fatalf("invalid transition problem = %v", p)
	}
	if r := ts.must(http.StatusOK, "POST", path+"/answer", "officer", map[string]any{"response": "سيتم الإصلاح هذا الأسبوع", "planned_for": "2026-12-05T00:00:00Z"}); r["status"] != "in_progress" {
		t.Fatalf("answer = %v", r)
	}

	// A stale If-Match changes nothing.
	cur := ts.do("GET", path, "", nil)
	version := cur.header.Get("ETag")
	p = expectProblem(t, ts.do("POST", path+"/comments", "advocate", map[string]any{"body": "stale", "visibility": "public"}, "If-Match", `"2"`), http.StatusConflict, "version_conflict")
	if v, _ := strconv.Unquote(version); p["current_version"] != mustFloat(t, v) {
		t.Fatalf("version conflict = %v, current version %s", p, version)
	}

	// An idempotent comment: the repeat returns the first answer and appends nothing.
	comment := map[string]any{"body": "Internal: the contractor is the same as last year", "visibility": "internal"}
	first := ts.do("POST", path+"/comments", "advocate", comment, "Idempotency-Key", "comment-1", "If-Match", version)
	if first.status != http.StatusOK {
		t.Fatalf("comment: %d %s", first.status, first.body)
	}
	head := ts.head()
	again := ts.do("POST", path+"/comments", "advocate", comment, "Idempotency-Key", "comment-1", "If-Match", version)
	if again.status != first.status || string(again.body) != string(first.body) || ts.head() != head {
		t.Fatalf("repeat: %d %s (first %s), head %d -> %d", again.status, again.body, first.body, head, ts.head())
	}
	expectProblem(t, ts.do("POST", path+"/comments", "advocate", map[string]any{"body": "other", "visibility": "public"}, "Idempotency-Key", "comment-1"), http.StatusUnprocessableEntity, "invalid_input")

	if r := ts.must(http.StatusOK, "POST", path+"/resolve", "officer", map[string]any{"note": "Filled and resurfaced"}); r["status"] != "resolved" {
		t.Fatalf("resolve = %v", r)
	}
	// The reporter disputes with the tracking token; a wrong token is public.
	expectProblem(t, anon("POST", path+"/reopen", map[string]any{"reason": "still broken", "tracking_token": "wrong"}), http.StatusForbidden, "forbidden")
	reopened := anon("POST", path+"/reopen", map[string]any{"reason": "The hole is back after the rain", "tracking_token": token})
	if reopened.status != http.StatusOK || reopened.json(t)["status"] != "forwarded" {
		t.Fatalf("reopen: %d %s", reopened.status, reopened.body)
	}
	c = ts.must(http.StatusOK, "GET", path, "", nil)
	due2, _ := time.Parse(time.RFC3339, c["due_at"].(string))
	if c["reopened_count"] != 1.0 || c["department"] != "roads_works" || !due2.After(due) {
		t.Fatalf("reopened case = %v (due %v after %v)", c, due2, due)
	}
	ts.must(http.StatusOK, "POST", path+"/resolve", "officer", map[string]any{"note": "Resurfaced properly"})
	conf := anon("POST", path+"/confirm", map[string]any{"note": "شكرا", "tracking_token": token})
	if conf.status != http.StatusOK || conf.json(t)["status"] != "closed" {
		t.Fatalf("confirm: %d %s", conf.status, conf.body)
	}

	// History: verified, chained, internal comments only for staff.
	hist := anon("GET", path+"/history", nil)
	var h struct {
		Stream   string `json:"stream"`
		Verified bool   `json:"verified"`
		Events   []struct {
			Position int64           `json:"position"`
			Version  int64           `json:"version"`
			Type     string          `json:"type"`
			Hash     string          `json:"hash"`
			PrevHash string          `json:"prev_hash"`
			Data     json.RawMessage `json:"data"`
			Actor    struct {
				Role string `json:"role"`
				Name string `json:"name"`
			} `json:"actor"`
		} `json:"events"`
	}
	if err := json.Unmarshal(hist.body, &h); err != nil || h.Stream != id || !h.Verified {
		t.Fatalf("history: %v %s", err, hist.body)
	}
	var types []string
	for _, e := range h.Events {
		types = append(types, e.Type)
		if e.Actor.Name != "" {
			t.Fatalf("public history names an actor: %+v", e.Actor)
		}
	}
	want := "CaseReported CaseTriaged CaseForwarded CaseAcknowledged CaseAnswered CaseResolved CaseReopened CaseResolved ResolutionConfirmed"
	if strings.Join(types, " ") != want {
		t.Fatalf("public history types:\n %s\nwant\n %s", strings.Join(types, " "), want)
	}
	var staffHist struct {
		Events []struct {
			Version  int64  `json:"version"`
			Type     string `json:"type"`
			Hash     string `json:"hash"`
			PrevHash string `json:"prev_hash"`
		} `json:"events"`
	}
	if err := json.Unmarshal(ts.do("GET", path+"/history", "advocate", nil).body, &staffHist); err != nil {
		t.Fatal(err)
	}
	if len(staffHist.Events) != 10 {
		t.Fatalf("staff history has %d events, want 10 (with the internal comment)", len(staffHist.Events))
	}
	for i, e := range staffHist.Events {
		if e.Version != int64(i+1) {
			t.Fatalf("event %d has version %d", i, e.Version)
		}
		if i > 0 && e.PrevHash != staffHist.Events[i-1].Hash {
			t.Fatalf("event %d prev_hash %s does not chain to %s", i, e.PrevHash, staffHist.Events[i-1].Hash)
		}
	}

	// The list catches up through the projection.
	ts.expectRead("the list to show the closed case", func() bool {
		var l struct {
			Items []map[string]any `json:"items"`
		}
		_ = json.Unmarshal(ts.do("GET", "/api/v1/cases?status=closed", "", nil).body, &l)
		return len(l.Items) == 1 && l.Items[0]["id"] == id && l.Items[0]["reopened_count"] == 1.0
	})

	// Personal data never reaches an anonymous caller.
	for _, b := range append(anonymousBodies, ts.do("GET", "/api/v1/cases", "", nil).body) {
		for _, secret := range []string{"leila@example.tn", "Leila", "+216"} {
			if strings.Contains(string(b), secret) {
				t.Fatalf("anonymous response carries %q: %s", secret, b)
			}
		}
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
