package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/organisation"
	"github.com/gorilla/websocket"
	"github.com/oklog/ulid/v2"
)

// campaignFixture is the state one row of a campaign test acts on. Each
// row gets its own, so parallel rows never touch each other's streams;
// only the lead and partner organisations, which no row changes, are
// shared.
type campaignFixture struct {
	lead, partner string // organisations registered once per server
	org, member   string // an organisation of the row's own, and one of its members
	campaign      string // an active campaign targeting roads_works, led by lead
	caseID        string // a case: unlinked, or linked for "linked_case"
	activity      string // a planned activity, or a held one for "held"
	commitment    string // an open commitment, or a broken one for "broken"
}

// campaignSigner signs the "signed" fixture; no public answer may name them.
const campaignSigner = "Rim Saidi"

// campaignString returns m[key] as a non-empty string or fails the test.
func campaignString(t *testing.T, m map[string]any, key string) string {
	t.Helper()
	s, _ := m[key].(string)
	if s == "" {
		t.Fatalf("no %s in %v", key, m)
	}
	return s
}

// campaignOrganisation registers an association as advocate.
func campaignOrganisation(t *testing.T, ts *testServer, name string) string {
	t.Helper()
	id := campaignString(t, ts.must(http.StatusCreated, "POST", "/api/v1/organisations", "advocate",
		map[string]any{"name": name, "kind": "association", "themes": []string{"community"}}), "id")
	if !strings.HasPrefix(id, organisation.StreamPrefix) {
		t.Fatalf("organisation id %q", id)
	}
	return id
}

// campaignLaunchBody is a valid launch led by lead and targeting
// roads_works, the department of the "officer" token.
func campaignLaunchBody(lead string) map[string]any {
	return map[string]any{
		"title":             "أرصفة آمنة في المدينة العتيقة",
		"demand":            "Repair the pavements of the Medina before the winter rains",
		"theme":             "community",
		"target_department": "roads_works",
		"lead_organisation": lead,
	}
}

// campaignAt formats a time d from now as the API contract wants it.
func campaignAt(d time.Duration) string { return time.Now().Add(d).UTC().Format(time.RFC3339) }

// campaignGiven builds the fixture preset given names, as advocate.
func campaignGiven(t *testing.T, ts *testServer, lead, partner, given string) campaignFixture {
	t.Helper()
	f := campaignFixture{lead: lead, partner: partner}
	switch given {
	case "":
		return f
	case "org", "member":
		f.org = campaignOrganisation(t, ts, "Association Jeunesse de Bab Souika")
		if given == "member" {
			f.member = campaignString(t, ts.must(http.StatusOK, "POST", "/api/v1/organisations/"+f.org+"/members", "advocate",
				map[string]any{"name": "Mouna Ayari", "phone": "+216 20 000 000", "role": "أمينة المال"}), "member_id")
		}
		return f
	}
	launched := ts.must(http.StatusCreated, "POST", "/api/v1/campaigns", "advocate", campaignLaunchBody(lead))
	f.campaign = campaignString(t, launched, "id")
	path := "/api/v1/campaigns/" + f.campaign
	switch given {
	case "campaign":
	case "case", "linked_case":
		f.caseID = campaignString(t, ts.report(nil), "id")
		if given == "linked_case" {
			ts.must(http.StatusOK, "POST", path+"/cases", "advocate", map[string]any{"case_id": f.caseID})
		}
	case "activity", "held":
		f.activity = campaignString(t, ts.must(http.StatusOK, "POST", path+"/activities", "advocate", map[string]any{
			"kind": "public_meeting", "title": "لقاء مع السكان", "scheduled_for": campaignAt(72 * time.Hour), "place": "Dar Lasram"}), "activity_id")
		if given == "held" {
			ts.must(http.StatusOK, "POST", path+"/activities/"+f.activity+"/held", "advocate", map[string]any{
				"attendance": map[string]any{"women": 12, "men": 8, "youth": 5, "total": 20}})
		}
	case "commitment", "broken":
		f.commitment = campaignString(t, ts.must(http.StatusOK, "POST", path+"/commitments", "advocate", map[string]any{
			"text": "Pave rue du Pacha by the end of the month", "due_by": campaignAt(30 * 24 * time.Hour)}), "commitment_id")
		if given == "broken" {
			ts.must(http.StatusOK, "POST", path+"/commitments/"+f.commitment+"/broken", "advocate", map[string]any{"note": "Budget moved"})
		}
	case "closed":
		ts.must(http.StatusOK, "POST", path+"/close", "advocate", map[string]any{"outcome": "lost", "summary": "The council voted no."})
	case "signed":
		ts.must(http.StatusOK, "POST", path+"/signatures", "", map[string]any{"name": campaignSigner, "district": "Medina"})
	default:
		t.Fatalf("unknown fixture %q", given)
	}
	return f
}

// path fills a row's path template with the fixture's ids.
func (f campaignFixture) path(template string) string {
	return strings.NewReplacer("{id}", f.campaign, "{org}", f.org, "{member}", f.member, "{case}", f.caseID,
		"{activity}", f.activity, "{commitment}", f.commitment).Replace(template)
}

// TestCampaignAuthorization runs every campaign and organisation endpoint
// as every role, each row on fresh state, and checks the exact answer and
// that a refused request appended nothing.
func TestCampaignAuthorization(t *testing.T) {
	t.Parallel()
	shared := startServer(t)
	var guard appendGuard
	lead := campaignOrganisation(t, shared, "جمعية المدينة العتيقة")
	partner := campaignOrganisation(t, shared, "Union des commerçants de la Médina")

	var (
		everyone    = []string{"anonymous", "advocate", "admin", "officer", "officer_other"}
		staffOnly   = []string{"advocate", "admin"}
		staffOrDept = []string{"advocate", "admin", "officer"}
	)
	endpoints := []struct {
		name    string
		method  string
		path    string // a template for campaignFixture.path
		given   string // the campaignGiven preset
		body    func(f campaignFixture) map[string]any
		allowed []string
		ok      int
		check   func(t *testing.T, got map[string]any, f campaignFixture) // more about a success
	}{
		{name: "register_organisation", method: "POST", path: "/api/v1/organisations", body: func(campaignFixture) map[string]any {
			return map[string]any{"name": "Collectif des riverains", "kind": "association", "themes": []string{"social"}}
		}, allowed: staffOnly, ok: http.StatusCreated, check: func(t *testing.T, got map[string]any, _ campaignFixture) {
			if !strings.HasPrefix(campaignString(t, got, "id"), organisation.StreamPrefix) {
				t.Fatalf("register = %v", got)
			}
		}},
		{name: "list_organisations", method: "GET", path: "/api/v1/organisations", allowed: everyone, ok: http.StatusOK,
			check: func(t *testing.T, got map[string]any, _ campaignFixture) {
				if _, ok := got["items"].([]any); !ok {
					t.Fatalf("list = %v", got)
				}
			}},
		{name: "get_organisation", method: "GET", path: "/api/v1/organisations/{org}", given: "org", allowed: everyone, ok: http.StatusOK,
			check: func(t *testing.T, got map[string]any, f campaignFixture) {
				if got["id"] != f.org {
					t.Fatalf("get = %v, want %s", got, f.org)
				}
			}},
		{name: "organisation_history", method: "GET", path: "/api/v1/organisations/{org}/history", given: "org", allowed: everyone, ok: http.StatusOK,
			check: func(t *testing.T, got map[string]any, _ campaignFixture) {
				if evs, _ := got["events"].([]any); len(evs) != 1 {
					t.Fatalf("history = %v, want the registration", got)
				}
			}},
		{name: "add_member", method: "POST", path: "/api/v1/organisations/{org}/members", given: "org", body: func(campaignFixture) map[string]any {
			return map[string]any{"name": "Karim Jebali", "email": "karim@example.tn", "role": "secrétaire"}
		}, allowed: staffOnly, ok: http.StatusOK, check: func(t *testing.T, got map[string]any, _ campaignFixture) {
			if !strings.HasPrefix(campaignString(t, got, "member_id"), organisation.MemberPrefix) {
				t.Fatalf("add member = %v", got)
			}
		}},
		{name: "remove_member", method: "DELETE", path: "/api/v1/organisations/{org}/members/{member}", given: "member",
			allowed: staffOnly, ok: http.StatusOK},
		{name: "launch_campaign", method: "POST", path: "/api/v1/campaigns", body: func(f campaignFixture) map[string]any {
			return campaignLaunchBody(f.lead)
		}, allowed: staffOnly, ok: http.StatusCreated, check: func(t *testing.T, got map[string]any, _ campaignFixture) {
			if !strings.HasPrefix(campaignString(t, got, "id"), campaign.StreamPrefix) || got["status"] != "active" || got["version"] != 1.0 {
				t.Fatalf("launch = %v", got)
			}
		}},
		{name: "list_campaigns", method: "GET", path: "/api/v1/campaigns", allowed: everyone, ok: http.StatusOK,
			check: func(t *testing.T, got map[string]any, _ campaignFixture) {
				if _, ok := got["items"].([]any); !ok {
					t.Fatalf("list = %v", got)
				}
			}},
		{name: "get_campaign", method: "GET", path: "/api/v1/campaigns/{id}", given: "campaign", allowed: everyone, ok: http.StatusOK,
			check: func(t *testing.T, got map[string]any, f campaignFixture) {
				if got["id"] != f.campaign || got["status"] != "active" || got["signatures"] != 0.0 {
					t.Fatalf("get = %v, want %s", got, f.campaign)
				}
			}},
		{name: "campaign_history", method: "GET", path: "/api/v1/campaigns/{id}/history", given: "campaign", allowed: everyone, ok: http.StatusOK,
			check: func(t *testing.T, got map[string]any, _ campaignFixture) {
				if evs, _ := got["events"].([]any); len(evs) != 1 {
					t.Fatalf("history = %v, want the launch", got)
				}
			}},
		{name: "link_case", method: "POST", path: "/api/v1/campaigns/{id}/cases", given: "case", body: func(f campaignFixture) map[string]any {
			return map[string]any{"case_id": f.caseID}
		}, allowed: staffOnly, ok: http.StatusOK},
		{name: "unlink_case", method: "DELETE", path: "/api/v1/campaigns/{id}/cases/{case}", given: "linked_case",
			allowed: staffOnly, ok: http.StatusOK},
		{name: "join_partner", method: "POST", path: "/api/v1/campaigns/{id}/partners", given: "campaign", body: func(f campaignFixture) map[string]any {
			return map[string]any{"organisation_id": f.partner}
		}, allowed: staffOnly, ok: http.StatusOK},
		{name: "plan_activity", method: "POST", path: "/api/v1/campaigns/{id}/activities", given: "campaign", body: func(campaignFixture) map[string]any {
			return map[string]any{"kind": "hearing", "title": "جلسة استماع في البلدية", "scheduled_for": campaignAt(96 * time.Hour)}
		}, allowed: staffOnly, ok: http.StatusOK, check: func(t *testing.T, got map[string]any, _ campaignFixture) {
			if !strings.HasPrefix(campaignString(t, got, "activity_id"), campaign.ActivityPrefix) {
				t.Fatalf("plan = %v", got)
			}
		}},
		{name: "hold_activity", method: "POST", path: "/api/v1/campaigns/{id}/activities/{activity}/held", given: "activity", body: func(campaignFixture) map[string]any {
			return map[string]any{"attendance": map[string]any{"women": 21, "men": 17, "youth": 9, "total": 40}, "minutes": "محضر الجلسة"}
		}, allowed: staffOnly, ok: http.StatusOK},
		{name: "sign", method: "POST", path: "/api/v1/campaigns/{id}/signatures", given: "campaign", body: func(campaignFixture) map[string]any {
			return map[string]any{"name": "Anis Belhaj", "district": "Medina"}
		}, allowed: everyone, ok: http.StatusOK},
		{name: "record_commitment", method: "POST", path: "/api/v1/campaigns/{id}/commitments", given: "campaign", body: func(campaignFixture) map[string]any {
			return map[string]any{"text": "Resurface rue Sidi Ben Arous", "due_by": campaignAt(60 * 24 * time.Hour)}
		}, allowed: staffOrDept, ok: http.StatusOK, check: func(t *testing.T, got map[string]any, _ campaignFixture) {
			if !strings.HasPrefix(campaignString(t, got, "commitment_id"), campaign.CommitmentPrefix) {
				t.Fatalf("commitment = %v", got)
			}
		}},
		{name: "fulfil_commitment", method: "POST", path: "/api/v1/campaigns/{id}/commitments/{commitment}/fulfilled", given: "commitment",
			body: func(campaignFixture) map[string]any { return map[string]any{"note": "Done, photos attached"} }, allowed: staffOrDept, ok: http.StatusOK},
		{name: "break_commitment", method: "POST", path: "/api/v1/campaigns/{id}/commitments/{commitment}/broken", given: "commitment",
			body: func(campaignFixture) map[string]any { return map[string]any{} }, allowed: staffOrDept, ok: http.StatusOK},
		{name: "publish_update", method: "POST", path: "/api/v1/campaigns/{id}/updates", given: "campaign", body: func(campaignFixture) map[string]any {
			return map[string]any{"body": "The council will hear us on Thursday."}
		}, allowed: staffOnly, ok: http.StatusOK},
		{name: "close", method: "POST", path: "/api/v1/campaigns/{id}/close", given: "campaign", body: func(campaignFixture) map[string]any {
			return map[string]any{"outcome": "won", "summary": "All pavements repaired."}
		}, allowed: staffOnly, ok: http.StatusOK, check: func(t *testing.T, got map[string]any, _ campaignFixture) {
			if got["status"] != "closed" {
				t.Fatalf("close = %v", got)
			}
		}},
	}
	roles := []string{"anonymous", "advocate", "admin", "officer", "officer_other", "bad_token"}

	for _, ep := range endpoints {
		for _, role := range roles {
			want, code, outcome := http.StatusForbidden, "forbidden", "ErrForbidden"
			switch {
			case role == "bad_token":
				want, code, outcome = http.StatusUnauthorized, "unauthenticated", "ErrUnauthenticated"
			case slices.Contains(ep.allowed, role):
				want, code, outcome = ep.ok, "", "OK"
			}
			t.Run(ep.name+"/"+role+"/"+outcome, func(t *testing.T) {
				ts := sharedServer(t, shared)
				var f campaignFixture
				guard.setup(t, func() { f = campaignGiven(t, ts, lead, partner, ep.given) })
				path := f.path(ep.path)
				who, headers := role, []string(nil)
				switch role {
				case "anonymous":
					who = ""
				case "bad_token":
					who, headers = "", []string{"Authorization", "Bearer " + unknownBearer}
				}
				r, before, after := guard.measure(ts, func() response {
					if ep.body == nil {
						return ts.do(ep.method, path, who, nil, headers...)
					}
					return ts.do(ep.method, path, who, ep.body(f), headers...)
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
				got := r.json(t)
				if ep.check != nil {
					ep.check(t, got, f)
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
				// Every command response carries the stream's new version and
				// the position of its last event, which is the new head.
				if v, _ := got["version"].(float64); v < 1 {
					t.Fatalf("%s as %s: no version: %s", ep.name, role, r.body)
				}
				if p, _ := got["position"].(float64); int64(p) != after {
					t.Fatalf("%s as %s: position %v, want the new head %d: %s", ep.name, role, got["position"], after, r.body)
				}
			})
		}
	}
}

// TestCampaignBadInput sends the campaign and organisation endpoints what
// they must refuse and checks the problem document and that nothing was
// appended.
func TestCampaignBadInput(t *testing.T) {
	t.Parallel()
	shared := startServer(t)
	var guard appendGuard
	lead := campaignOrganisation(t, shared, "جمعية المدينة العتيقة")
	partner := campaignOrganisation(t, shared, "Union des commerçants de la Médina")

	// Well-formed ids of streams and parts that do not exist.
	var (
		ghostCampaign   = campaign.StreamPrefix + ulid.Make().String()
		ghostCase       = casefile.StreamPrefix + ulid.Make().String()
		ghostOrg        = organisation.StreamPrefix + ulid.Make().String()
		ghostActivity   = campaign.ActivityPrefix + ulid.Make().String()
		ghostCommitment = campaign.CommitmentPrefix + ulid.Make().String()
		ghostMember     = organisation.MemberPrefix + ulid.Make().String()
	)
	launchWith := func(kv ...any) func(campaignFixture) any {
		return func(campaignFixture) any {
			b := campaignLaunchBody(lead)
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i+1] == nil {
					delete(b, kv[i].(string))
					continue
				}
				b[kv[i].(string)] = kv[i+1]
			}
			return b
		}
	}
	body := func(m map[string]any) func(campaignFixture) any {
		return func(campaignFixture) any { return m }
	}
	activity := func(kv ...any) func(campaignFixture) any {
		return func(campaignFixture) any {
			b := map[string]any{"kind": "seminar", "title": "ندوة حول الأرصفة", "scheduled_for": campaignAt(48 * time.Hour)}
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i+1] == nil {
					delete(b, kv[i].(string))
					continue
				}
				b[kv[i].(string)] = kv[i+1]
			}
			return b
		}
	}
	attendance := func(women, men, youth, total int) func(campaignFixture) any {
		return body(map[string]any{"attendance": map[string]any{"women": women, "men": men, "youth": youth, "total": total}})
	}

	rows := []struct {
		name          string
		given         string
		method, path  string
		who           string                      // "" for anonymous
		body          func(f campaignFixture) any // nil for none; a string is sent as is
		status        int
		code          string
		field         string // the problem's field, when the refusal concerns one
		currentStatus string // the problem's current_status, for invalid_transition
	}{
		// Launch.
		{name: "launch/ErrTitleEmpty", method: "POST", path: "/api/v1/campaigns", who: "advocate", body: launchWith("title", ""),
			status: 422, code: "invalid_input", field: "title"},
		{name: "launch/ErrTitleMissing", method: "POST", path: "/api/v1/campaigns", who: "advocate", body: launchWith("title", nil),
			status: 422, code: "invalid_input", field: "title"},
		{name: "launch/ErrUnknownTheme", method: "POST", path: "/api/v1/campaigns", who: "advocate", body: launchWith("theme", "cultural"),
			status: 422, code: "invalid_input", field: "theme"},
		{name: "launch/ErrUnknownTargetDepartment", method: "POST", path: "/api/v1/campaigns", who: "advocate", body: launchWith("target_department", "water_board"),
			status: 422, code: "invalid_input", field: "target_department"},
		{name: "launch/ErrNoSuchLeadOrganisation", method: "POST", path: "/api/v1/campaigns", who: "advocate", body: launchWith("lead_organisation", ghostOrg),
			status: 422, code: "invalid_input", field: "lead_organisation"},
		{name: "launch/ErrMalformedLeadOrganisation", method: "POST", path: "/api/v1/campaigns", who: "admin", body: launchWith("lead_organisation", "Association Nour"),
			status: 422, code: "invalid_input", field: "lead_organisation"},
		{name: "launch/ErrTitleNotAString", method: "POST", path: "/api/v1/campaigns", who: "advocate", body: launchWith("title", 42),
			status: 400, code: "invalid_input", field: "title"},
		{name: "launch/ErrThemeNotAString", method: "POST", path: "/api/v1/campaigns", who: "advocate", body: launchWith("theme", []string{"community"}),
			status: 400, code: "invalid_input", field: "theme"},
		{name: "launch/ErrUnknownField", method: "POST", path: "/api/v1/campaigns", who: "advocate", body: launchWith("budget", 1000),
			status: 400, code: "invalid_input", field: "budget"},
		{name: "launch/ErrMalformedJSON", method: "POST", path: "/api/v1/campaigns", who: "advocate",
			body: func(campaignFixture) any { return `{"title": "طرقات",` }, status: 400, code: "invalid_input"},
		{name: "launch/ErrNotAnObject", method: "POST", path: "/api/v1/campaigns", who: "advocate",
			body: func(campaignFixture) any { return `["title"]` }, status: 400, code: "invalid_input"},

		// Organisations and their members.
		{name: "register/ErrUnknownKind", method: "POST", path: "/api/v1/organisations", who: "advocate",
			body: body(map[string]any{"name": "Club", "kind": "club"}), status: 422, code: "invalid_input", field: "kind"},
		{name: "register/ErrNameEmpty", method: "POST", path: "/api/v1/organisations", who: "admin",
			body: body(map[string]any{"name": " ", "kind": "association"}), status: 422, code: "invalid_input", field: "name"},
		{name: "register/ErrUnknownField", method: "POST", path: "/api/v1/organisations", who: "admin",
			body: body(map[string]any{"name": "Nour", "kind": "association", "iban": "TN59"}), status: 400, code: "invalid_input", field: "iban"},
		{name: "add_member/ErrNameMissing", given: "org", method: "POST", path: "/api/v1/organisations/{org}/members", who: "advocate",
			body: body(map[string]any{"role": "president"}), status: 422, code: "invalid_input", field: "name"},
		{name: "remove_member/ErrNotAMember", given: "org", method: "DELETE", path: "/api/v1/organisations/{org}/members/" + ghostMember, who: "advocate",
			status: 422, code: "invalid_input", field: "member_id"},
		{name: "get_organisation/ErrNotFound", method: "GET", path: "/api/v1/organisations/" + ghostOrg, status: 404, code: "not_found"},
		{name: "add_member/ErrUnknownOrganisation", method: "POST", path: "/api/v1/organisations/" + ghostOrg + "/members", who: "advocate",
			body: body(map[string]any{"name": "Mouna Ayari"}), status: 404, code: "not_found"},

		// Cases.
		{name: "link/ErrNoSuchCase", given: "campaign", method: "POST", path: "/api/v1/campaigns/{id}/cases", who: "advocate",
			body: body(map[string]any{"case_id": ghostCase}), status: 422, code: "invalid_input", field: "case_id"},
		{name: "link/ErrMalformedCaseID", given: "campaign", method: "POST", path: "/api/v1/campaigns/{id}/cases", who: "advocate",
			body: body(map[string]any{"case_id": "case-42"}), status: 422, code: "invalid_input", field: "case_id"},
		{name: "link/ErrCaseIDMissing", given: "campaign", method: "POST", path: "/api/v1/campaigns/{id}/cases", who: "advocate",
			body: body(map[string]any{}), status: 422, code: "invalid_input", field: "case_id"},
		{name: "link/ErrCaseIDNotAString", given: "campaign", method: "POST", path: "/api/v1/campaigns/{id}/cases", who: "advocate",
			body: body(map[string]any{"case_id": 42}), status: 400, code: "invalid_input", field: "case_id"},
		{name: "link/ErrUnknownCampaign", given: "case", method: "POST", path: "/api/v1/campaigns/" + ghostCampaign + "/cases", who: "advocate",
			body: func(f campaignFixture) any { return map[string]any{"case_id": f.caseID} }, status: 404, code: "not_found"},
		{name: "unlink/ErrNotLinked", given: "case", method: "DELETE", path: "/api/v1/campaigns/{id}/cases/{case}", who: "advocate",
			status: 422, code: "invalid_input", field: "case_id"},
		{name: "unlink/ErrMalformedCaseID", given: "campaign", method: "DELETE", path: "/api/v1/campaigns/{id}/cases/nope", who: "advocate",
			status: 422, code: "invalid_input", field: "case_id"},

		// Partners.
		{name: "partner/ErrNoSuchOrganisation", given: "campaign", method: "POST", path: "/api/v1/campaigns/{id}/partners", who: "advocate",
			body: body(map[string]any{"organisation_id": ghostOrg}), status: 422, code: "invalid_input", field: "organisation_id"},
		{name: "partner/ErrMalformedOrganisation", given: "campaign", method: "POST", path: "/api/v1/campaigns/{id}/partners", who: "advocate",
			body: body(map[string]any{"organisation_id": "org-1"}), status: 422, code: "invalid_input", field: "organisation_id"},

		// Activities.
		{name: "activity/ErrUnknownKind", given: "campaign", method: "POST", path: "/api/v1/campaigns/{id}/activities", who: "advocate",
			body: activity("kind", "concert"), status: 422, code: "invalid_input", field: "kind"},
		{name: "activity/ErrScheduledForMissing", given: "campaign", method: "POST", path: "/api/v1/campaigns/{id}/activities", who: "advocate",
			body: activity("scheduled_for", nil), status: 422, code: "invalid_input", field: "scheduled_for"},
		{name: "activity/ErrScheduledForNotATime", given: "campaign", method: "POST", path: "/api/v1/campaigns/{id}/activities", who: "advocate",
			body: activity("scheduled_for", "next Tuesday"), status: 400, code: "invalid_input", field: "scheduled_for"},
		{name: "held/ErrNegativeAttendance", given: "activity", method: "POST", path: "/api/v1/campaigns/{id}/activities/{activity}/held", who: "advocate",
			body: attendance(-3, 5, 0, 5), status: 422, code: "invalid_input", field: "attendance.women"},
		{name: "held/ErrTotalBelowWomenAndMen", given: "activity", method: "POST", path: "/api/v1/campaigns/{id}/activities/{activity}/held", who: "advocate",
			body: attendance(10, 8, 3, 12), status: 422, code: "invalid_input", field: "attendance.total"},
		{name: "held/ErrUnknownActivity", given: "campaign", method: "POST", path: "/api/v1/campaigns/{id}/activities/" + ghostActivity + "/held", who: "advocate",
			body: attendance(1, 1, 0, 2), status: 422, code: "invalid_input", field: "activity_id"},
		{name: "held/ErrAlreadyHeld", given: "held", method: "POST", path: "/api/v1/campaigns/{id}/activities/{activity}/held", who: "advocate",
			body: attendance(1, 1, 0, 2), status: 409, code: "invalid_transition", currentStatus: "held"},

		// Commitments.
		{name: "commitment/ErrDueByMissing", given: "campaign", method: "POST", path: "/api/v1/campaigns/{id}/commitments", who: "officer",
			body: body(map[string]any{"text": "Soon"}), status: 422, code: "invalid_input", field: "due_by"},
		{name: "commitment/ErrTextMissing", given: "campaign", method: "POST", path: "/api/v1/campaigns/{id}/commitments", who: "advocate",
			body: body(map[string]any{"due_by": campaignAt(24 * time.Hour)}), status: 422, code: "invalid_input", field: "text"},
		{name: "fulfil/ErrUnknownCommitment", given: "commitment", method: "POST", path: "/api/v1/campaigns/{id}/commitments/" + ghostCommitment + "/fulfilled", who: "advocate",
			body: body(map[string]any{}), status: 422, code: "invalid_input", field: "commitment_id"},
		{name: "fulfil/ErrAlreadyBroken", given: "broken", method: "POST", path: "/api/v1/campaigns/{id}/commitments/{commitment}/fulfilled", who: "officer",
			body: body(map[string]any{}), status: 409, code: "invalid_transition", currentStatus: "broken"},

		// Updates, close, signatures.
		{name: "update/ErrBodyEmpty", given: "campaign", method: "POST", path: "/api/v1/campaigns/{id}/updates", who: "advocate",
			body: body(map[string]any{"body": ""}), status: 422, code: "invalid_input", field: "body"},
		{name: "close/ErrUnknownOutcome", given: "campaign", method: "POST", path: "/api/v1/campaigns/{id}/close", who: "advocate",
			body: body(map[string]any{"outcome": "draw", "summary": "Neither side moved."}), status: 422, code: "invalid_input", field: "outcome"},
		{name: "close/ErrAlreadyClosed", given: "closed", method: "POST", path: "/api/v1/campaigns/{id}/close", who: "advocate",
			body: body(map[string]any{"outcome": "won", "summary": "Second thoughts."}), status: 409, code: "invalid_transition", currentStatus: "closed"},
		{name: "sign/ErrCampaignClosed", given: "closed", method: "POST", path: "/api/v1/campaigns/{id}/signatures",
			body: body(map[string]any{"name": "Late Signer"}), status: 409, code: "invalid_transition", currentStatus: "closed"},
		{name: "sign/ErrUnknownField", given: "campaign", method: "POST", path: "/api/v1/campaigns/{id}/signatures",
			body: body(map[string]any{"name": "Rim", "national_id": "01234567"}), status: 400, code: "invalid_input", field: "national_id"},

		// Unknown campaigns.
		{name: "get/ErrUnknownCampaign", method: "GET", path: "/api/v1/campaigns/" + ghostCampaign, status: 404, code: "not_found"},
		{name: "get/ErrMalformedCampaignID", method: "GET", path: "/api/v1/campaigns/nope", status: 404, code: "not_found"},
		{name: "history/ErrUnknownCampaign", method: "GET", path: "/api/v1/campaigns/" + ghostCampaign + "/history", status: 404, code: "not_found"},
		{name: "sign/ErrUnknownCampaign", method: "POST", path: "/api/v1/campaigns/" + ghostCampaign + "/signatures",
			body: body(map[string]any{}), status: 404, code: "not_found"},
		{name: "update/ErrUnknownCampaign", method: "POST", path: "/api/v1/campaigns/" + ghostCampaign + "/updates", who: "advocate",
			body: body(map[string]any{"body": "Hello"}), status: 404, code: "not_found"},
		{name: "close/ErrUnknownCampaign", method: "POST", path: "/api/v1/campaigns/" + ghostCampaign + "/close", who: "admin",
			body: body(map[string]any{"outcome": "won", "summary": "x"}), status: 404, code: "not_found"},

		// Lists.
		{name: "list_campaigns/ErrUnknownStatus", method: "GET", path: "/api/v1/campaigns?status=nope", status: 422, code: "invalid_input", field: "status"},
		{name: "list_campaigns/ErrLimitNotANumber", method: "GET", path: "/api/v1/campaigns?limit=abc", status: 400, code: "invalid_input", field: "limit"},
		{name: "list_campaigns/ErrLimitZero", method: "GET", path: "/api/v1/campaigns?limit=0", status: 400, code: "invalid_input", field: "limit"},
		{name: "list_organisations/ErrUnknownKind", method: "GET", path: "/api/v1/organisations?kind=nope", status: 422, code: "invalid_input", field: "kind"},
	}

	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			ts := sharedServer(t, shared)
			var f campaignFixture
			guard.setup(t, func() { f = campaignGiven(t, ts, lead, partner, row.given) })
			path := f.path(row.path)
			r, before, after := guard.measure(ts, func() response {
				if row.body == nil {
					return ts.do(row.method, path, row.who, nil)
				}
				return ts.do(row.method, path, row.who, row.body(f))
			})
			p := checkProblem(t, r, row.status, row.code)
			if row.field != "" && p["field"] != row.field {
				t.Fatalf("%s %s: field %v, want %s: %s", row.method, path, p["field"], row.field, r.body)
			}
			if row.currentStatus != "" && p["current_status"] != row.currentStatus {
				t.Fatalf("%s %s: current_status %v, want %s: %s", row.method, path, p["current_status"], row.currentStatus, r.body)
			}
			if strings.Contains(strings.ToLower(string(r.body)), "saidi") {
				t.Fatalf("the problem names the signer: %s", r.body)
			}
			if after != before {
				t.Fatalf("%s %s was refused but the log head moved %d -> %d", row.method, path, before, after)
			}
		})
	}
}

// TestCampaignLiveBoard follows board=campaigns: a snapshot with the
// campaigns, then the events of a new campaign and of a signature, never
// with the signer's name.
func TestCampaignLiveBoard(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	lead := campaignOrganisation(t, ts, "جمعية المدينة العتيقة")
	first := campaignString(t, ts.must(http.StatusCreated, "POST", "/api/v1/campaigns", "advocate", campaignLaunchBody(lead)), "id")
	ts.expectRead("the campaign list to show the first campaign", func() bool {
		return strings.Contains(string(ts.do("GET", "/api/v1/campaigns", "", nil).body), first)
	})

	conn := dialLive(t, ts.url, "?board=campaigns", nil)
	snap, err := readLive(t, conn, 5*time.Second)
	if err != nil || snap.Type != "snapshot" || snap.Position < 1 {
		t.Fatalf("first message = %s (%v), want a snapshot", snap.raw, err)
	}
	var board map[string]json.RawMessage
	if err := json.Unmarshal(snap.Board, &board); err != nil || !bytes.HasPrefix(bytes.TrimSpace(board["campaigns"]), []byte("[")) {
		t.Fatalf("snapshot board has no campaigns array: %s (%v)", snap.raw, err)
	}
	var listed []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(board["campaigns"], &listed); err != nil || len(listed) != 1 || listed[0].ID != first || listed[0].Status != "active" {
		t.Fatalf("snapshot campaigns = %s (%v), want %s", board["campaigns"], err, first)
	}

	const signer = "Zeineb Khelifi"
	second := campaignString(t, ts.must(http.StatusCreated, "POST", "/api/v1/campaigns", "advocate", campaignLaunchBody(lead)), "id")
	ts.must(http.StatusOK, "POST", "/api/v1/campaigns/"+second+"/signatures", "", map[string]any{"name": signer, "district": "Medina"})

	evs := readEvents(t, conn, 2)
	want := []string{"CampaignLaunched", "PetitionSigned"}
	prev := snap.Position
	for i, e := range evs {
		var item struct {
			Event      string `json:"event"`
			CampaignID string `json:"campaign_id"`
			Stream     string `json:"stream"`
		}
		if err := json.Unmarshal(e.raw, &item); err != nil {
			t.Fatal(err)
		}
		if item.Event != want[i] || item.CampaignID != second {
			t.Fatalf("event %d = %s, want %s of %s", i, e.raw, want[i], second)
		}
		if e.Position <= prev {
			t.Fatalf("event %d at position %d, not after %d: %s", i, e.Position, prev, e.raw)
		}
		prev = e.Position
		for _, secret := range []string{"Zeineb", "Khelifi", "zeineb", "signer", "subject"} {
			if strings.Contains(string(e.raw), secret) {
				t.Fatalf("live event carries %q: %s", secret, e.raw)
			}
		}
	}

	// A client connecting now sees the signature counted, never the name.
	ts.expectRead("the campaign list to count the signature", func() bool {
		return strings.Contains(string(ts.do("GET", "/api/v1/campaigns?status=active", "", nil).body), `"signatures":1`)
	})
	again := dialLive(t, ts.url, "?board=campaigns", nil)
	snap2, err := readLive(t, again, 5*time.Second)
	if err != nil || snap2.Type != "snapshot" || !strings.Contains(string(snap2.Board), second) {
		t.Fatalf("second snapshot = %s (%v)", snap2.raw, err)
	}
	if strings.Contains(string(snap2.raw), "Zeineb") || strings.Contains(string(snap2.raw), "Khelifi") {
		t.Fatalf("snapshot names the signer: %s", snap2.raw)
	}

	u := "ws" + strings.TrimPrefix(ts.url, "http") + "/api/v1/live?board=nope"
	bad, resp, err := websocket.DefaultDialer.Dial(u, nil)
	if err == nil {
		bad.Close()
		t.Fatalf("board=nope was upgraded")
	}
	if resp == nil || resp.StatusCode == http.StatusSwitchingProtocols || resp.StatusCode/100 != 4 {
		t.Fatalf("board=nope: %v, response %v; want a 4xx refusal", err, resp)
	}
}

// TestCampaignIdempotencyAndIfMatch checks the conventions of the API contract on
// campaign streams: a repeated Idempotency-Key replays the first answer
// and appends nothing; a stale If-Match changes nothing.
func TestCampaignIdempotencyAndIfMatch(t *testing.T) {
	t.Parallel()
	shared := startServer(t)
	var guard appendGuard
	lead := campaignOrganisation(t, shared, "جمعية المدينة العتيقة")

	t.Run("IdempotencyKeyReplayed", func(t *testing.T) {
		ts := sharedServer(t, shared)
		var f campaignFixture
		guard.setup(t, func() { f = campaignGiven(t, ts, lead, "", "campaign") })
		path := "/api/v1/campaigns/" + f.campaign + "/signatures"
		key := "sign-" + ulid.Make().String()
		sign := map[string]any{"name": "Leila Ben Romdhane", "district": "Medina"}

		first, before, after := guard.measure(ts, func() response { return ts.do("POST", path, "", sign, "Idempotency-Key", key) })
		if first.status != http.StatusOK || after != before+1 {
			t.Fatalf("first signature: %d %s, head %d -> %d", first.status, first.body, before, after)
		}
		again, before, after := guard.measure(ts, func() response { return ts.do("POST", path, "", sign, "Idempotency-Key", key) })
		if again.status != first.status || !bytes.Equal(again.body, first.body) {
			t.Fatalf("repeat: %d %s, want the first answer %d %s", again.status, again.body, first.status, first.body)
		}
		if after != before {
			t.Fatalf("repeat appended: head %d -> %d", before, after)
		}
		other, before, after := guard.measure(ts, func() response {
			return ts.do("POST", path, "", map[string]any{"name": "Someone Else"}, "Idempotency-Key", key)
		})
		checkProblem(t, other, http.StatusUnprocessableEntity, "invalid_input")
		if after != before {
			t.Fatalf("same key, other body appended: head %d -> %d", before, after)
		}
		if got := ts.must(http.StatusOK, "GET", "/api/v1/campaigns/"+f.campaign, "", nil); got["signatures"] != 1.0 {
			t.Fatalf("signatures = %v, want 1", got["signatures"])
		}
	})

	t.Run("IdempotencyKeyOnLaunch", func(t *testing.T) {
		ts := sharedServer(t, shared)
		key := "launch-" + ulid.Make().String()
		first, before, after := guard.measure(ts, func() response {
			return ts.do("POST", "/api/v1/campaigns", "advocate", campaignLaunchBody(lead), "Idempotency-Key", key)
		})
		if first.status != http.StatusCreated || after != before+1 {
			t.Fatalf("launch: %d %s, head %d -> %d", first.status, first.body, before, after)
		}
		again, before, after := guard.measure(ts, func() response {
			return ts.do("POST", "/api/v1/campaigns", "advocate", campaignLaunchBody(lead), "Idempotency-Key", key)
		})
		if again.status != http.StatusCreated || !bytes.Equal(again.body, first.body) || after != before {
			t.Fatalf("repeat launch: %d %s (first %s), head %d -> %d", again.status, again.body, first.body, before, after)
		}
	})

	t.Run("StaleIfMatch", func(t *testing.T) {
		ts := sharedServer(t, shared)
		var (
			f      campaignFixture
			caseID string
		)
		guard.setup(t, func() {
			f = campaignGiven(t, ts, lead, "", "campaign")
			caseID = campaignString(t, ts.report(nil), "id")
		})
		path := "/api/v1/campaigns/" + f.campaign
		read := ts.do("GET", path, "", nil)
		if read.status != http.StatusOK || read.header.Get("ETag") != `"1"` {
			t.Fatalf("GET: %d, ETag %q, want \"1\"", read.status, read.header.Get("ETag"))
		}
		var fresh response
		guard.setup(t, func() {
			fresh = ts.do("POST", path+"/updates", "advocate", map[string]any{"body": "First news"}, "If-Match", `"1"`)
		})
		if fresh.status != http.StatusOK || fresh.json(t)["version"] != 2.0 || fresh.header.Get("ETag") != `"2"` {
			t.Fatalf("update with a current If-Match: %d %s, ETag %q", fresh.status, fresh.body, fresh.header.Get("ETag"))
		}

		for _, c := range []struct {
			name, path string
			body       map[string]any
		}{
			{"updates", path + "/updates", map[string]any{"body": "Stale news"}},
			{"cases", path + "/cases", map[string]any{"case_id": caseID}},
			{"close", path + "/close", map[string]any{"outcome": "won", "summary": "Stale"}},
		} {
			r, before, after := guard.measure(ts, func() response {
				return ts.do("POST", c.path, "advocate", c.body, "If-Match", `"1"`)
			})
			p := checkProblem(t, r, http.StatusConflict, "version_conflict")
			if p["current_version"] != 2.0 {
				t.Fatalf("%s: current_version %v, want 2: %s", c.name, p["current_version"], r.body)
			}
			if after != before {
				t.Fatalf("%s with a stale If-Match appended: head %d -> %d", c.name, before, after)
			}
		}
		got := ts.must(http.StatusOK, "GET", path, "", nil)
		if got["version"] != 2.0 || got["status"] != "active" || got["cases_total"] != 0.0 || got["updates"] != 1.0 {
			t.Fatalf("after stale commands: %v", got)
		}
		if c := ts.must(http.StatusOK, "GET", "/api/v1/cases/"+caseID, "", nil); len(toStrings(c["campaign_ids"])) != 0 {
			t.Fatalf("a refused link is recorded on the case: %v", c["campaign_ids"])
		}

		// Organisations honour If-Match too.
		var org string
		guard.setup(t, func() { org = campaignOrganisation(t, ts, "Amicale des locataires") })
		r, before, after := guard.measure(ts, func() response {
			return ts.do("POST", "/api/v1/organisations/"+org+"/members", "advocate", map[string]any{"name": "Hedi Mrad"}, "If-Match", `"7"`)
		})
		p := checkProblem(t, r, http.StatusConflict, "version_conflict")
		if p["current_version"] != 1.0 || after != before {
			t.Fatalf("member with a stale If-Match: %s, head %d -> %d", r.body, before, after)
		}
	})
}
