package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestCampaignLifecycle runs a campaign from launch to close over HTTP:
// three linked cases of which the municipality resolves one, a partner
// joining, a workshop held, four signatures, a commitment made and kept.
func TestCampaignLifecycle(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	var publicBodies [][]byte
	public := func(method, path string, body any) response {
		r := ts.do(method, path, "", body)
		publicBodies = append(publicBodies, r.body)
		return r
	}

	lead := ts.must(http.StatusCreated, "POST", "/api/v1/organisations", "advocate", map[string]any{
		"name": "جمعية أحياء المدينة", "kind": "association", "themes": []string{"community", "social"}})["id"].(string)
	partner := ts.must(http.StatusCreated, "POST", "/api/v1/organisations", "admin", map[string]any{
		"name": "Union des parents d'élèves", "kind": "association"})["id"].(string)
	member := ts.must(http.StatusOK, "POST", "/api/v1/organisations/"+lead+"/members", "advocate", map[string]any{
		"name": "Hela Mansour", "email": "hela@example.tn", "role": "رئيسة الجمعية"})
	if member["member_id"] == nil {
		t.Fatalf("add member = %v", member)
	}

	launched := ts.must(http.StatusCreated, "POST", "/api/v1/campaigns", "advocate", map[string]any{
		"title": "طرقات آمنة أمام المدارس", "demand": "Repair every road in front of a school before the school year",
		"theme": "community", "target_department": "roads_works", "lead_organisation": lead})
	id, _ := launched["id"].(string)
	if !strings.HasPrefix(id, "campaign-") || launched["status"] != "active" || launched["version"] != 1.0 || launched["position"] == nil {
		t.Fatalf("launch = %v", launched)
	}
	path := "/api/v1/campaigns/" + id

	var cases []string
	for range 3 {
		cases = append(cases, ts.report(nil)["id"].(string))
	}
	for _, c := range cases {
		ts.must(http.StatusOK, "POST", path+"/cases", "advocate", map[string]any{"case_id": c})
	}
	// The municipality resolves the first case.
	first := "/api/v1/cases/" + cases[0]
	ts.must(http.StatusOK, "POST", first+"/triage", "advocate", map[string]any{"priority": "high"})
	ts.must(http.StatusOK, "POST", first+"/forward", "advocate", map[string]any{"department": "roads_works"})
	ts.must(http.StatusOK, "POST", first+"/resolve", "officer", map[string]any{"note": "Resurfaced"})
	if c := ts.must(http.StatusOK, "GET", first, "", nil); !strings.Contains(strings.Join(toStrings(c["campaign_ids"]), ","), id) {
		t.Fatalf("the linked case does not name the campaign: %v", c["campaign_ids"])
	}

	ts.must(http.StatusOK, "POST", path+"/partners", "advocate", map[string]any{"organisation_id": partner})
	act := ts.must(http.StatusOK, "POST", path+"/activities", "advocate", map[string]any{
		"kind": "workshop", "title": "ورشة حول السلامة المرورية", "scheduled_for": time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339), "place": "دار الشباب"})
	activity, _ := act["activity_id"].(string)
	if !strings.HasPrefix(activity, "act-") {
		t.Fatalf("plan activity = %v", act)
	}
	ts.must(http.StatusOK, "POST", path+"/activities/"+activity+"/held", "advocate", map[string]any{
		"attendance": map[string]any{"women": 14, "men": 9, "youth": 11, "total": 25}, "minutes": "Parents mapped the dangerous crossings."})

	for _, name := range []string{"Amel Gharbi", "Sami Ben Ali", "Nour Jaziri", ""} {
		body := map[string]any{"district": "Medina"}
		if name != "" {
			body["name"] = name
		}
		if r := public("POST", path+"/signatures", body); r.status != http.StatusOK {
			t.Fatalf("sign as %q: %d %s", name, r.status, r.body)
		}
	}
	// One signature per person per campaign: a repeat is answered as a
	// first signature would be and counts nothing (four signatures below).
	if r := public("POST", path+"/signatures", map[string]any{"name": "amel  gharbi"}); r.status != http.StatusOK {
		t.Fatalf("repeat signature: %d %s, want 200", r.status, r.body)
	}

	com := ts.must(http.StatusOK, "POST", path+"/commitments", "officer", map[string]any{
		"text": "Resurface the three roads before 15 September", "due_by": time.Now().Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339)})
	commitment, _ := com["commitment_id"].(string)
	ts.must(http.StatusOK, "POST", path+"/commitments/"+commitment+"/fulfilled", "advocate", map[string]any{"note": "Done on 10 September"})

	var v struct {
		Status        string `json:"status"`
		CasesTotal    int    `json:"cases_total"`
		CasesResolved int    `json:"cases_resolved"`
		Activities    int    `json:"activities"`
		Held          int    `json:"activities_held"`
		Attendance    struct {
			Women, Men, Youth, Total int
		} `json:"attendance"`
		Signatures  int `json:"signatures"`
		Commitments struct {
			Made, Fulfilled, Broken, Overdue int
		} `json:"commitments"`
		Partners []string `json:"partners"`
	}
	ts.expectRead("the case list to see the resolution", func() bool {
		if err := json.Unmarshal(public("GET", path, nil).body, &v); err != nil {
			t.Fatal(err)
		}
		return v.CasesResolved == 1
	})
	if v.Status != "active" || v.CasesTotal != 3 || v.Activities != 1 || v.Held != 1 || v.Signatures != 4 {
		t.Fatalf("campaign figures = %+v", v)
	}
	if v.Attendance.Women != 14 || v.Attendance.Men != 9 || v.Attendance.Youth != 11 || v.Attendance.Total != 25 {
		t.Fatalf("attendance = %+v", v.Attendance)
	}
	if v.Commitments.Made != 1 || v.Commitments.Fulfilled != 1 || v.Commitments.Broken != 0 || v.Commitments.Overdue != 0 {
		t.Fatalf("commitments = %+v", v.Commitments)
	}
	if len(v.Partners) != 2 || v.Partners[0] != lead || v.Partners[1] != partner {
		t.Fatalf("partners = %v", v.Partners)
	}

	closed := ts.must(http.StatusOK, "POST", path+"/close", "advocate", map[string]any{"outcome": "partly_won", "summary": "One road of three repaired; the rest promised."})
	if closed["status"] != "closed" {
		t.Fatalf("close = %v", closed)
	}
	// A closed campaign takes no new case.
	fourth := ts.report(nil)["id"].(string)
	head := ts.head()
	p := expectProblem(t, ts.do("POST", path+"/cases", "advocate", map[string]any{"case_id": fourth}), http.StatusConflict, "invalid_transition")
	if p["current_status"] != "closed" || ts.head() != head {
		t.Fatalf("link to a closed campaign: %v, head %d -> %d", p, head, ts.head())
	}
	if c := ts.must(http.StatusOK, "GET", "/api/v1/cases/"+fourth, "", nil); len(toStrings(c["campaign_ids"])) != 0 {
		t.Fatalf("refused link still recorded on the case: %v", c["campaign_ids"])
	}

	// Lists and history.
	ts.expectRead("the campaign list to show the closed campaign", func() bool {
		var l struct {
			Items []map[string]any `json:"items"`
		}
		_ = json.Unmarshal(public("GET", "/api/v1/campaigns?status=closed&organisation="+partner, nil).body, &l)
		return len(l.Items) == 1 && l.Items[0]["id"] == id && l.Items[0]["signatures"] == 4.0
	})
	if r := public("GET", "/api/v1/campaigns?theme=legal", nil); !strings.Contains(string(r.body), `"items":[]`) {
		t.Fatalf("theme filter: %s", r.body)
	}
	hist := public("GET", path+"/history", nil)
	var h struct {
		Verified bool `json:"verified"`
		Events   []struct {
			Type string `json:"type"`
		} `json:"events"`
	}
	if err := json.Unmarshal(hist.body, &h); err != nil || !h.Verified || len(h.Events) != 14 || h.Events[0].Type != "CampaignLaunched" || h.Events[13].Type != "CampaignClosed" {
		t.Fatalf("history (%d events, verified %v): %s", len(h.Events), h.Verified, hist.body)
	}
	public("GET", "/api/v1/organisations/"+lead, nil)
	public("GET", "/api/v1/organisations", nil)
	public("GET", "/api/v1/organisations/"+lead+"/history", nil)
	staff := ts.must(http.StatusOK, "GET", "/api/v1/organisations/"+lead, "advocate", nil)
	if !strings.Contains(mustJSON(t, staff), "hela@example.tn") {
		t.Fatalf("staff do not see the member's contact: %v", staff)
	}

	// No signer or member is ever named publicly.
	for _, b := range publicBodies {
		for _, secret := range []string{"Amel", "Gharbi", "Sami", "Nour", "Hela", "hela@example.tn", "signer_key", "signer_subject", "member_subject"} {
			if strings.Contains(string(b), secret) {
				t.Fatalf("public response carries %q: %s", secret, b)
			}
		}
	}
}

func toStrings(v any) []string {
	var out []string
	if xs, ok := v.([]any); ok {
		for _, x := range xs {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
