package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/organisation"
	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/transport"
)

// TestNoPersonalDataOnPublicSurfaces records every event type of every
// aggregate, with a person's name, phone and email wherever the API takes
// one (a case's reporter, a petition's signer, an organisation's member),
// then reads every public surface as an anonymous caller. None may carry the
// people, their vault subjects, a signer key, a tracking token or its hash,
// or an internal comment; each must show what was recorded, so that an
// empty answer cannot pass. A new event type fails the test until it has a
// sample here.
func TestNoPersonalDataOnPublicSurfaces(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	ctx := context.Background()
	person := func(name, phone, email string) map[string]any {
		return map[string]any{"name": name, "phone": phone, "email": email}
	}
	secrets := []string{
		"Zoubeida Reporterine", "+216 71 000 101", "zoubeida.reporter@example.tn",
		"Zoubeida Signatrice", "Zoubeida Membrane", "+216 71 000 303", "zoubeida.member@example.tn",
		"Zoubeida Partie", "+216 71 000 404", "zoubeida.gone@example.tn",
		"never for the public",
	}
	staff := domain.Actor{Role: domain.RoleAdvocate, Name: "Test advocate"}
	store := eventstore.New(ts.pool, eventstore.Config{})
	defer store.Close()

	// Organisations: registered, a member added, another added and removed,
	// and an update, which no endpoint takes yet.
	lead := ts.must(http.StatusCreated, "POST", "/api/v1/organisations", "advocate", map[string]any{
		"name": "Association Redaction Lead", "kind": "association", "themes": []string{"community"}})["id"].(string)
	partner := ts.must(http.StatusCreated, "POST", "/api/v1/organisations", "admin", map[string]any{
		"name": "Association Redaction Partner", "kind": "association"})["id"].(string)
	member := ts.must(http.StatusOK, "POST", "/api/v1/organisations/"+lead+"/members", "advocate", map[string]any{
		"name": "Zoubeida Membrane", "phone": "+216 71 000 303", "email": "zoubeida.member@example.tn", "role": "president"})
	gone := ts.must(http.StatusOK, "POST", "/api/v1/organisations/"+lead+"/members", "advocate", map[string]any{
		"name": "Zoubeida Partie", "phone": "+216 71 000 404", "email": "zoubeida.gone@example.tn", "role": "treasurer"})
	ts.must(http.StatusOK, "DELETE", "/api/v1/organisations/"+lead+"/members/"+gone["member_id"].(string), "advocate", nil)
	if member["member_id"] == nil {
		t.Fatalf("add member = %v", member)
	}
	orgs := eventstore.NewRepository(store, organisationCodec())
	if _, err := orgs.Update(ctx, lead, domain.UpdateOptions{IfMatch: domain.AnyVersion}, func(o *organisation.Organisation) ([]domain.Event, error) {
		return o.Update(organisation.Update{Actor: staff, Now: time.Now(), Name: "Association Redaction Lead Renamed"})
	}); err != nil {
		t.Fatal(err)
	}

	// Cases: a lives its whole life, b breaches its due date, c is
	// rejected, d merged into a.
	reported := ts.report(map[string]any{"title": "Redaction case A", "location": map[string]any{"lat": 36.8, "lon": 10.18},
		"address": "Rue de la Liberte", "reporter": person("Zoubeida Reporterine", "+216 71 000 101", "zoubeida.reporter@example.tn")})
	a, token := reported["id"].(string), reported["tracking_token"].(string)
	secrets = append(secrets, token)
	b := ts.report(map[string]any{"title": "Redaction case B"})["id"].(string)
	c := ts.report(map[string]any{"title": "Redaction case C"})["id"].(string)
	d := ts.report(map[string]any{"title": "Redaction case D"})["id"].(string)
	// e's title and description are replaced for the public.
	e := ts.report(map[string]any{"title": "Redaction case E naming Zoubeida Voisine", "description": "Zoubeida Voisine again"})["id"].(string)
	secrets = append(secrets, "Zoubeida Voisine")
	casePath := func(id string) string { return "/api/v1/cases/" + id }
	pa := casePath(a)
	ts.must(http.StatusOK, "POST", pa+"/triage", "advocate", map[string]any{"priority": "high", "note": "Near the school"})
	ts.must(http.StatusOK, "POST", pa+"/support", "", map[string]any{})
	ts.must(http.StatusOK, "POST", pa+"/forward", "advocate", map[string]any{"department": "roads_works", "note": "Urgent"})
	ts.must(http.StatusOK, "POST", pa+"/acknowledge", "officer", map[string]any{"reference": "BO-1", "note": "Received"})
	ts.must(http.StatusOK, "POST", pa+"/answer", "officer", map[string]any{"response": "Next week", "planned_for": "2026-12-05T00:00:00Z"})
	ts.must(http.StatusOK, "POST", pa+"/comments", "advocate", map[string]any{"body": "Followed up with the department", "visibility": "public"})
	ts.must(http.StatusOK, "POST", pa+"/comments", "advocate", map[string]any{"body": "Staff note never for the public", "visibility": "internal"})
	ts.must(http.StatusOK, "POST", pa+"/resolve", "officer", map[string]any{"note": "Filled"})
	ts.must(http.StatusOK, "POST", pa+"/reopen", "", map[string]any{"reason": "Back after the rain", "tracking_token": token})
	ts.must(http.StatusOK, "POST", pa+"/resolve", "officer", map[string]any{"note": "Resurfaced"})
	ts.must(http.StatusOK, "POST", pa+"/confirm", "", map[string]any{"note": "Thanks", "tracking_token": token})
	ts.must(http.StatusOK, "POST", casePath(e)+"/moderate", "advocate", map[string]any{"public_title": "Redaction case E",
		"public_description": "A neighbour's name was removed", "reason": "Names a neighbour, never for the public"})
	// Photos: the reporter's on a, from a camera that wrote its position;
	// an advocate's on e, hidden with a reason for staff.
	if r := ts.upload(a, "", token, cameraJPEG(t, 9)); r.status != http.StatusCreated {
		t.Fatalf("reporter's photo: %d %s", r.status, r.body)
	}
	secrets = append(secrets, gpsMark, "Shows a face, never for the public")
	ep := ts.upload(e, "advocate", "", pngPhoto(t, 9))
	if ep.status != http.StatusCreated {
		t.Fatalf("advocate's photo: %d %s", ep.status, ep.body)
	}
	ts.must(http.StatusOK, "POST", casePath(e)+"/photos/"+ep.json(t)["photo_id"].(string)+"/moderate", "advocate",
		map[string]any{"hidden": true, "reason": "Shows a face, never for the public"})
	ts.must(http.StatusOK, "POST", casePath(c)+"/reject", "advocate", map[string]any{"reason": "Not the municipality's"})
	ts.must(http.StatusOK, "POST", casePath(d)+"/merge", "advocate", map[string]any{"into": a})
	ts.must(http.StatusOK, "POST", casePath(b)+"/triage", "advocate", map[string]any{"priority": "normal"})
	ts.must(http.StatusOK, "POST", casePath(b)+"/forward", "advocate", map[string]any{"department": "roads_works"})
	waitFor(t, "the list to see the forwarded case", func() bool {
		return strings.Contains(string(ts.do("GET", "/api/v1/cases?status=forwarded", "", nil).body), b)
	})
	later := time.Now().Add(31 * 24 * time.Hour) // past the roads SLA of 30 days
	sla := slaWatchAt(ts, store, later)
	sla.sweep(ctx)

	// A campaign takes up b, drops a, gains and loses a partner (no endpoint
	// takes the leaving yet), holds a workshop, collects a named and an
	// anonymous signature, settles two commitments and closes.
	id := ts.must(http.StatusCreated, "POST", "/api/v1/campaigns", "advocate", map[string]any{
		"title": "Redaction campaign", "demand": "Safe roads", "theme": "community",
		"target_department": "roads_works", "lead_organisation": lead})["id"].(string)
	pc := "/api/v1/campaigns/" + id
	ts.must(http.StatusOK, "POST", pc+"/cases", "advocate", map[string]any{"case_id": a})
	ts.must(http.StatusOK, "DELETE", pc+"/cases/"+a, "advocate", nil)
	ts.must(http.StatusOK, "POST", pc+"/cases", "advocate", map[string]any{"case_id": b})
	ts.must(http.StatusOK, "POST", pc+"/partners", "advocate", map[string]any{"organisation_id": partner})
	campaigns := eventstore.NewRepository(store, campaignCodec())
	if _, err := campaigns.Update(ctx, id, domain.UpdateOptions{IfMatch: domain.AnyVersion}, func(c *campaign.Campaign) ([]domain.Event, error) {
		return c.LeavePartner(campaign.LeavePartner{Actor: staff, Now: time.Now(), OrganisationID: partner})
	}); err != nil {
		t.Fatal(err)
	}
	act := ts.must(http.StatusOK, "POST", pc+"/activities", "advocate", map[string]any{
		"kind": "workshop", "title": "Road safety workshop", "scheduled_for": time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339), "place": "Youth house"})
	ts.must(http.StatusOK, "POST", pc+"/activities/"+act["activity_id"].(string)+"/held", "advocate", map[string]any{
		"attendance": map[string]any{"women": 3, "men": 2, "youth": 1, "total": 5}, "minutes": "Crossings mapped"})
	ts.must(http.StatusOK, "POST", pc+"/signatures", "", map[string]any{"name": "Zoubeida Signatrice", "district": "Medina"})
	ts.must(http.StatusOK, "POST", pc+"/signatures", "", map[string]any{"district": "Medina"})
	ts.must(http.StatusOK, "POST", pc+"/signatures/paper", "advocate", map[string]any{"count": 37, "note": "Sheets from the souk"})
	due := time.Now().Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339)
	kept := ts.must(http.StatusOK, "POST", pc+"/commitments", "officer", map[string]any{"text": "Resurface by September", "due_by": due})
	broken := ts.must(http.StatusOK, "POST", pc+"/commitments", "officer", map[string]any{"text": "Paint the crossings", "due_by": due})
	ts.must(http.StatusOK, "POST", pc+"/commitments/"+kept["commitment_id"].(string)+"/fulfilled", "advocate", map[string]any{"note": "Done"})
	ts.must(http.StatusOK, "POST", pc+"/commitments/"+broken["commitment_id"].(string)+"/broken", "advocate", map[string]any{"note": "Not done"})
	ts.must(http.StatusOK, "POST", pc+"/updates", "advocate", map[string]any{"body": "Workshop held"})
	ts.must(http.StatusOK, "POST", pc+"/close", "advocate", map[string]any{"outcome": "partly_won", "summary": "One of two kept"})

	// The log holds every event type of every aggregate.
	var recorded []string
	rows, err := ts.pool.Query(ctx, "SELECT DISTINCT type FROM events")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var typ string
		if err := rows.Scan(&typ); err != nil {
			t.Fatal(err)
		}
		recorded = append(recorded, typ)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var registered []string
	for _, events := range []map[string]func() domain.Event{casefile.Events(), campaign.Events(), organisation.Events()} {
		for typ := range events {
			registered = append(registered, typ)
			if !slices.Contains(recorded, typ) {
				t.Errorf("no sample of %s", typ)
			}
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	keys := storedSecrets(t, ts)
	secrets = append(secrets, keys...)

	// The read models catch up with the last event of each kind of stream.
	waitFor(t, "the lists to show the closed case and campaign and the renamed organisation", func() bool {
		return strings.Contains(string(ts.do("GET", "/api/v1/cases?status=closed", "", nil).body), a) &&
			strings.Contains(string(ts.do("GET", "/api/v1/campaigns?status=closed", "", nil).body), id) &&
			strings.Contains(string(ts.do("GET", "/api/v1/organisations", "", nil).body), "Renamed") &&
			strings.Contains(string(ts.do("GET", "/api/v1/stats/campaigns", "", nil).body), `"broken":1`)
	})

	// Every public surface, with what it must show.
	surfaces := []struct{ path, shows string }{
		{"/api/v1/cases", a},
		{"/api/v1/boards/public", a},
		{"/api/v1/exports/cases.geojson", a},
		{"/api/v1/exports/cases.csv", a},
		{"/api/v1/campaigns", id},
		{pc, id},
		{pc + "/history", "PetitionSigned"},
		{"/api/v1/organisations", lead},
		{"/api/v1/organisations/" + lead, lead},
		{"/api/v1/organisations/" + lead + "/history", "MemberAdded"},
		{"/", "Redaction case A"},
		{"/campaigns", "Redaction campaign"},
		{"/campaigns/" + id, "Redaction campaign"},
		{"/api/v1/stats/needs", "community"},
		{"/api/v1/stats/responsiveness", "roads_works"},
		{"/api/v1/stats/campaigns", "roads_works"},
		{"/stats", "chart-sla"},
	}
	for _, cs := range []string{a, b, c, d, e} {
		surfaces = append(surfaces,
			struct{ path, shows string }{casePath(cs), cs},
			struct{ path, shows string }{casePath(cs) + "/history", "CaseReported"},
			struct{ path, shows string }{"/cases/" + cs, "Redaction case"})
	}
	bodies := map[string][]byte{}
	for _, s := range surfaces {
		r := ts.do("GET", s.path, "", nil)
		if r.status != http.StatusOK || !strings.Contains(string(r.body), s.shows) {
			t.Fatalf("GET %s: %d, want 200 showing %q: %s", s.path, r.status, s.shows, r.body)
		}
		bodies["GET "+s.path] = r.body
	}
	conn := dialLive(t, ts.url, "?board=public", nil)
	snap, err := readLive(t, conn, 10*time.Second)
	if err != nil || snap.Type != "snapshot" || !strings.Contains(string(snap.Board), a) {
		t.Fatalf("live snapshot = %s (%v), want a board naming %s", snap.raw, err, a)
	}
	bodies["live snapshot"] = snap.raw

	// Every public event type reached a public history.
	shown := map[string]bool{}
	for path, body := range bodies {
		if !strings.HasSuffix(path, "/history") {
			continue
		}
		var h struct {
			Events []struct {
				Type string `json:"type"`
			} `json:"events"`
		}
		if err := json.Unmarshal(body, &h); err != nil {
			t.Fatal(err)
		}
		for _, e := range h.Events {
			shown[e.Type] = true
		}
	}
	for _, typ := range registered {
		if typ == casefile.TypeCaseModerated || typ == casefile.TypePhotoModerated {
			continue // for staff only: what moderation withdrew is the point
		}
		if !shown[transport.EventName(typ)] {
			t.Errorf("no public history shows a %s", transport.EventName(typ))
		}
	}

	for where, body := range bodies {
		for _, s := range secrets {
			if strings.Contains(string(body), s) {
				t.Errorf("%s carries %q: %s", where, s, body)
			}
		}
	}

	// Staff see the internal comment, and still no personal reference.
	hist := ts.do("GET", pa+"/history", "advocate", nil)
	if !strings.Contains(string(hist.body), "never for the public") || !strings.Contains(string(hist.body), "Test advocate") {
		t.Fatalf("staff history lacks the internal comment or the actor's name: %s", hist.body)
	}
	for _, s := range keys {
		if strings.Contains(string(hist.body), s) {
			t.Errorf("staff history carries %q: %s", s, hist.body)
		}
	}
}

// storedSecrets returns every key to a person the server keeps: each vault
// subject, and from the log each signer key and each tracking token's hash
// as stored (base64) and in hex.
func storedSecrets(t *testing.T, ts *testServer) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	rows, err := ts.pool.Query(ctx, "SELECT subject FROM vault_keys")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	subjects, hashes, signers := len(out), 0, 0
	rows, err = ts.pool.Query(ctx, "SELECT type, payload FROM events WHERE type IN ($1, $2) ORDER BY position",
		casefile.TypeCaseReported, campaign.TypePetitionSigned)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var typ string
		var payload []byte
		if err := rows.Scan(&typ, &payload); err != nil {
			t.Fatal(err)
		}
		switch e := decodeAny(t, typ, payload).(type) {
		case *casefile.CaseReported:
			if len(e.TrackingTokenHash) > 0 {
				hashes++
				out = append(out, base64.StdEncoding.EncodeToString(e.TrackingTokenHash), hex.EncodeToString(e.TrackingTokenHash))
			}
		case *campaign.PetitionSigned:
			if e.SignerKey != "" {
				signers++
				out = append(out, e.SignerKey)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// One reporter, one named signer and two members gave their names;
	// every report has a token; an anonymous signature has no key.
	if subjects != 4 || hashes != 5 || signers != 1 {
		t.Fatalf("stored %d vault subjects, %d tracking token hashes, %d signer keys; want 4, 5 and 1", subjects, hashes, signers)
	}
	return out
}

func decodeAny(t *testing.T, typ string, payload []byte) domain.Event {
	t.Helper()
	decode := casefile.Decode
	if strings.HasPrefix(typ, "campaign.") {
		decode = campaign.Decode
	}
	e, err := decode(typ, payload)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
