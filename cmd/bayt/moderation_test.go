package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// feedItem is what a live event says of a case.
type feedItem struct {
	Position int64  `json:"position"`
	Event    string `json:"event"`
	CaseID   string `json:"case_id"`
	Title    string `json:"title"`
	Hidden   bool   `json:"hidden"`
	raw      string
}

// liveItems reads n events from conn.
func liveItems(t *testing.T, conn *websocket.Conn, n int) []feedItem {
	t.Helper()
	var out []feedItem
	for _, m := range readEvents(t, conn, n) {
		var it feedItem
		if err := json.Unmarshal(m.raw, &it); err != nil {
			t.Fatal(err)
		}
		it.raw = string(m.raw)
		out = append(out, it)
	}
	return out
}

// TestModeration reports a case naming a person, replaces its texts, then
// hides it: at each step every public surface (the case, its history, the
// list with every filter, the board, the pages, the live feed, live and
// replayed) shows only what moderation left, and staff still read the
// report as it was made.
func TestModeration(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	const (
		original           = "Zarrouk"
		title, description = "Mr Zarrouk the grocer cheats on his scales", "Mr Zarrouk of Rue Zarkoun sells short weight every day."
		publicTitle        = "Complaint about the scales of a grocer"
		publicDescription  = "A resident reports scales giving short weight at a grocer."
		reason             = "Names a person; staff reason"
	)
	watcher := dialLive(t, ts.url, "?board=public", nil)
	if snap, err := readLive(t, watcher, 10*time.Second); err != nil || snap.Type != "snapshot" {
		t.Fatalf("first live message = %s (%v), want the snapshot", snap.raw, err)
	}
	id := ts.report(map[string]any{"title": title, "description": description, "district": "Medina"})["id"].(string)
	path := "/api/v1/cases/" + id
	ts.must(http.StatusOK, "POST", path+"/triage", "advocate", map[string]any{"priority": "normal"})
	if r := ts.must(http.StatusOK, "POST", path+"/moderate", "advocate", map[string]any{
		"public_title": publicTitle, "public_description": publicDescription, "reason": reason}); r["status"] != "triaged" {
		t.Fatalf("moderate = %v", r)
	}
	ts.settle()

	// publicGet reads a public surface and fails if it shows what
	// moderation withdrew.
	publicGet := func(path string, want int) string {
		t.Helper()
		var r response
		if strings.HasPrefix(path, "/api/") {
			r = ts.do("GET", path, "", nil)
		} else {
			r = ts.page("GET", path, nil)
		}
		if r.status != want {
			t.Fatalf("GET %s: %d, want %d: %s", path, r.status, want, r.body)
		}
		for _, withdrawn := range []string{original, reason} {
			if strings.Contains(string(r.body), withdrawn) {
				t.Errorf("GET %s shows %q: %s", path, withdrawn, r.body)
			}
		}
		return string(r.body)
	}
	lists := []string{"/api/v1/cases", "/api/v1/cases?status=triaged", "/api/v1/cases?district=Medina",
		"/api/v1/cases?category=roads", "/api/v1/cases?q=" + url.QueryEscape("scales of a grocer"), "/api/v1/cases?overdue=false",
		"/api/v1/boards/public", "/"}
	for _, p := range append([]string{path, path + "/history", "/cases/" + id}, lists...) {
		if body := publicGet(p, http.StatusOK); !strings.Contains(body, id) && p != "/api/v1/boards/public" {
			t.Errorf("GET %s does not show the case: %s", p, body)
		}
	}
	for _, p := range []string{path, "/cases/" + id} {
		if body := publicGet(p, http.StatusOK); !strings.Contains(body, publicDescription) {
			t.Errorf("GET %s lacks the public description: %s", p, body)
		}
	}
	if body := publicGet(path+"/history", http.StatusOK); !strings.Contains(body, publicTitle) || strings.Contains(body, "CaseModerated") {
		t.Errorf("public history: %s, want the report under the public title and no moderation", body)
	}
	if body := publicGet("/api/v1/cases?q="+original, http.StatusOK); strings.Contains(body, id) {
		t.Errorf("a search for the withdrawn text finds the case: %s", body)
	}
	if body := publicGet("/api/v1/boards/public", http.StatusOK); !strings.Contains(body, publicTitle) || !strings.Contains(body, `"triaged":1`) {
		t.Errorf("board: %s, want the case counted and its recent items under the public title", body)
	}

	// A client watching live is told the public title; one that catches
	// up from the start reads the feed as moderation left it.
	items := liveItems(t, watcher, 3)
	if m := items[2]; m.Event != "CaseModerated" || m.CaseID != id || m.Title != publicTitle || m.Hidden || strings.Contains(m.raw, reason) {
		t.Errorf("live moderation = %s, want the public title", m.raw)
	}
	replay := dialLive(t, ts.url, "?board=public&since=0", nil)
	for _, it := range liveItems(t, replay, 3) {
		if it.CaseID != id || it.Title != publicTitle || strings.Contains(it.raw, original) {
			t.Errorf("replayed feed item = %s, want the public title only", it.raw)
		}
	}

	// Staff read the report as made, and why it was moderated.
	staffCase := ts.must(http.StatusOK, "GET", path, "advocate", nil)
	if m, _ := staffCase["moderation"].(map[string]any); staffCase["title"] != title || staffCase["description"] != description ||
		m["public_title"] != publicTitle || m["reason"] != reason || m["hidden"] != false {
		t.Errorf("staff case = %v", staffCase)
	}
	if h := ts.do("GET", path+"/history", "admin", nil); !strings.Contains(string(h.body), title) || !strings.Contains(string(h.body), reason) {
		t.Errorf("staff history lacks the original or the moderation: %s", h.body)
	}

	// Hidden: gone from every public surface, still there for staff.
	ts.must(http.StatusOK, "POST", path+"/moderate", "admin", map[string]any{"hidden": true, "reason": "A private dispute"})
	ts.settle()
	for _, p := range []string{path, path + "/history", "/cases/" + id} {
		body := publicGet(p, http.StatusNotFound)
		if strings.Contains(body, publicTitle) {
			t.Errorf("GET %s of a hidden case shows its public title: %s", p, body)
		}
	}
	for _, p := range lists {
		if body := publicGet(p, http.StatusOK); strings.Contains(body, id) || strings.Contains(body, publicTitle) {
			t.Errorf("GET %s shows the hidden case: %s", p, body)
		}
	}
	if body := publicGet("/api/v1/boards/public", http.StatusOK); strings.Contains(body, `"triaged"`) {
		t.Errorf("the board counts the hidden case: %s", body)
	}
	if r := ts.do("GET", path, "officer", nil); r.status != http.StatusNotFound {
		t.Errorf("an officer reads the hidden case: %d %s", r.status, r.body)
	}
	if m := liveItems(t, watcher, 1)[0]; m.Event != "CaseModerated" || m.CaseID != id || !m.Hidden || m.Title != "" {
		t.Errorf("live hiding = %s, want the case id and hidden alone", m.raw)
	}
	late := dialLive(t, ts.url, "?board=public&since=0", nil)
	if items := liveItems(t, late, 1); items[0].CaseID != id || !items[0].Hidden || strings.Contains(items[0].raw, publicTitle) {
		t.Errorf("replayed feed of a hidden case = %s, want its hiding alone", items[0].raw)
	}
	staffCase = ts.must(http.StatusOK, "GET", path, "admin", nil)
	if m, _ := staffCase["moderation"].(map[string]any); staffCase["title"] != title || m["hidden"] != true {
		t.Errorf("staff case once hidden = %v", staffCase)
	}
	if h := ts.do("GET", path+"/history", "advocate", nil); h.status != http.StatusOK || !strings.Contains(string(h.body), title) {
		t.Errorf("staff history once hidden: %d %s", h.status, h.body)
	}
}
