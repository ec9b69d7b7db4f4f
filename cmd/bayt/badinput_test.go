package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// checkProblem is expectProblem that also checks the whole RFC 9457 shape
// The API contract promises: type, title, status (the HTTP status, as a number),
// detail and code.
func checkProblem(t *testing.T, r response, status int, code string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, abridged(r.body))
	}
	p := expectProblem(t, r, status, code)
	for _, f := range []string{"type", "title", "detail", "code"} {
		if s, ok := p[f].(string); !ok || s == "" {
			t.Fatalf("problem has no %s string: %s", f, r.body)
		}
	}
	if n, ok := p["status"].(float64); !ok || int(n) != r.status {
		t.Fatalf("problem status %v, want the number %d: %s", p["status"], r.status, r.body)
	}
	return p
}

// abridged cuts a response body short enough for a failure message.
func abridged(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// badinputReport is a valid report body; each bad-input row breaks one thing.
func badinputReport() map[string]any {
	return map[string]any{
		"title":       "حفرة كبيرة في شارع الحرية",
		"description": "A deep pothole in front of the school.",
		"category":    "roads",
		"district":    "Bab Souika",
	}
}

func badinputWith(m map[string]any, kv ...any) map[string]any {
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func badinputJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	shared := startServer(t)
	var guard appendGuard
	reported, _ := driveCase(t, shared, "reported")
	triaged, _ := driveCase(t, shared, "triaged")
	forwarded, _ := driveCase(t, shared, "forwarded")
	resolved, _ := driveCase(t, shared, "resolved")

	good := badinputJSON(t, badinputReport())
	huge := strings.Repeat("a", 2<<20)
	arabic201 := strings.Repeat("ب", 201)
	unknownCase := "case-01ARZ3NDEKTSV4RRFFQ69G5FAV"

	tests := []struct {
		name    string
		method  string
		path    string
		who     string
		body    any      // a string is sent as is
		headers []string // extra headers; Content-Type defaults to JSON
		status  int
		code    string
		field   string // the problem's field, when it names one
	}{
		// Reporting: rules broken (422) and requests that are not the JSON
		// the endpoint takes (400).
		{"ReportEmptyTitle", "POST", "/api/v1/cases", "", badinputWith(badinputReport(), "title", ""), nil, 422, "invalid_input", "title"},
		{"ReportBlankTitle", "POST", "/api/v1/cases", "", badinputWith(badinputReport(), "title", " \t\n\u00a0 "), nil, 422, "invalid_input", "title"},
		{"ReportTitleTooLong", "POST", "/api/v1/cases", "", badinputWith(badinputReport(), "title", arabic201), nil, 422, "invalid_input", "title"},
		{"ReportNoTitle", "POST", "/api/v1/cases", "", `{"description": "d", "category": "roads", "district": "x"}`, nil, 422, "invalid_input", "title"},
		{"ReportEmptyBody", "POST", "/api/v1/cases", "", "", nil, 422, "invalid_input", ""},
		{"ReportUnknownCategory", "POST", "/api/v1/cases", "", badinputWith(badinputReport(), "category", "volcanoes"), nil, 422, "invalid_input", "category"},
		{"ReportLatTooBig", "POST", "/api/v1/cases", "", badinputWith(badinputReport(), "location", map[string]any{"lat": 91, "lon": 10}), nil, 422, "invalid_input", "location.lat"},
		{"ReportLatTooSmall", "POST", "/api/v1/cases", "", badinputWith(badinputReport(), "location", map[string]any{"lat": -90.0001, "lon": 10}), nil, 422, "invalid_input", "location.lat"},
		{"ReportLonTooBig", "POST", "/api/v1/cases", "", badinputWith(badinputReport(), "location", map[string]any{"lat": 36.8, "lon": 180.5}), nil, 422, "invalid_input", "location.lon"},
		{"ReportLatNotNumber", "POST", "/api/v1/cases", "", badinputWith(badinputReport(), "location", map[string]any{"lat": "north", "lon": 10}), nil, 400, "invalid_input", "location.lat"},
		{"ReportLatOverflow", "POST", "/api/v1/cases", "", strings.Replace(good, "{", `{"location": {"lat": 1e400, "lon": 10},`, 1), nil, 400, "invalid_input", "location.lat"},
		{"ReportLocationNotObject", "POST", "/api/v1/cases", "", badinputWith(badinputReport(), "location", "here"), nil, 400, "invalid_input", "location"},
		{"ReportBadLanguage", "POST", "/api/v1/cases", "", badinputWith(badinputReport(), "language", "de"), nil, 422, "invalid_input", "language"},
		{"ReportBadEmail", "POST", "/api/v1/cases", "", badinputWith(badinputReport(), "reporter", map[string]any{"email": "not-an-email"}), nil, 422, "invalid_input", "reporter.email"},
		{"ReportEmailNotString", "POST", "/api/v1/cases", "", badinputWith(badinputReport(), "reporter", map[string]any{"email": 5}), nil, 400, "invalid_input", "reporter.email"},
		{"ReportTitleNotString", "POST", "/api/v1/cases", "", badinputWith(badinputReport(), "title", 5), nil, 400, "invalid_input", "title"},
		{"ReportTitleNull", "POST", "/api/v1/cases", "", `{"title": null, "description": "d", "category": "roads", "district": "x"}`, nil, 422, "invalid_input", "title"},
		{"ReportUnknownField", "POST", "/api/v1/cases", "", badinputWith(badinputReport(), "colour", "red"), nil, 400, "invalid_input", "colour"},
		{"ReportBrokenJSON", "POST", "/api/v1/cases", "", `{"title": "x", "description":`, nil, 400, "invalid_input", ""},
		{"ReportNotJSONAtAll", "POST", "/api/v1/cases", "", `title=x&category=roads`, nil, 400, "invalid_input", ""},
		{"ReportArray", "POST", "/api/v1/cases", "", `[` + good + `]`, nil, 400, "invalid_input", ""},
		{"ReportString", "POST", "/api/v1/cases", "", `"a case"`, nil, 400, "invalid_input", ""},
		{"ReportTrailingGarbage", "POST", "/api/v1/cases", "", good + ` garbage`, nil, 400, "invalid_input", ""},
		{"ReportTwoObjects", "POST", "/api/v1/cases", "", good + good, nil, 400, "invalid_input", ""},
		{"ReportTrailingBrace", "POST", "/api/v1/cases", "", good + `}`, nil, 400, "invalid_input", ""},
		{"ReportTrailingBracket", "POST", "/api/v1/cases", "", good + `]`, nil, 400, "invalid_input", ""},
		{"ReportTextPlain", "POST", "/api/v1/cases", "", good, []string{"Content-Type", "text/plain"}, 400, "invalid_input", ""},
		{"ReportForm", "POST", "/api/v1/cases", "", `title=x&description=y&category=roads&district=z`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 400, "invalid_input", ""},
		{"ReportBadContentType", "POST", "/api/v1/cases", "", good, []string{"Content-Type", "application/json; charset"}, 400, "invalid_input", ""},
		{"ReportInvalidUTF8", "POST", "/api/v1/cases", "", []byte(strings.Replace(good, "Bab Souika", "Bab \xff\xfe Souika", 1)), nil, 400, "invalid_input", ""},
		{"ReportTooLarge", "POST", "/api/v1/cases", "", badinputJSON(t, badinputWith(badinputReport(), "description", huge)), nil, 413, "payload_too_large", ""},

		// Commands on existing cases.
		{"TriageExtremePriority", "POST", "/api/v1/cases/" + reported + "/triage", "advocate", map[string]any{"priority": "extreme"}, nil, 422, "invalid_input", "priority"},
		{"TriageNoPriority", "POST", "/api/v1/cases/" + reported + "/triage", "advocate", map[string]any{}, nil, 422, "invalid_input", "priority"},
		{"TriagePriorityNotString", "POST", "/api/v1/cases/" + reported + "/triage", "advocate", map[string]any{"priority": 5}, nil, 400, "invalid_input", "priority"},
		{"TriageUnknownCategory", "POST", "/api/v1/cases/" + reported + "/triage", "advocate", map[string]any{"priority": "high", "category": "volcanoes"}, nil, 422, "invalid_input", "category"},
		{"TriageUnknownField", "POST", "/api/v1/cases/" + reported + "/triage", "advocate", map[string]any{"priority": "high", "colour": "red"}, nil, 400, "invalid_input", "colour"},
		{"TriageBrokenJSON", "POST", "/api/v1/cases/" + reported + "/triage", "advocate", `{"priority": "high"`, nil, 400, "invalid_input", ""},
		{"TriageTrailingGarbage", "POST", "/api/v1/cases/" + reported + "/triage", "advocate", `{"priority": "high"} x`, nil, 400, "invalid_input", ""},
		{"TriageTextPlain", "POST", "/api/v1/cases/" + reported + "/triage", "advocate", `{"priority": "high"}`, []string{"Content-Type", "text/plain"}, 400, "invalid_input", ""},
		{"TriageInvalidUTF8", "POST", "/api/v1/cases/" + reported + "/triage", "advocate", []byte("{\"priority\": \"high\", \"note\": \"\xc3\x28\"}"), nil, 400, "invalid_input", ""},
		{"TriageTooLarge", "POST", "/api/v1/cases/" + reported + "/triage", "advocate", badinputJSON(t, map[string]any{"priority": "high", "note": huge}), nil, 413, "payload_too_large", ""},
		{"RejectNoReason", "POST", "/api/v1/cases/" + reported + "/reject", "advocate", map[string]any{"reason": "   "}, nil, 422, "invalid_input", "reason"},
		{"RejectReasonTooLong", "POST", "/api/v1/cases/" + reported + "/reject", "advocate", map[string]any{"reason": strings.Repeat("س", 2001)}, nil, 422, "invalid_input", "reason"},
		{"MergeIntoItself", "POST", "/api/v1/cases/" + reported + "/merge", "advocate", map[string]any{"into": reported}, nil, 422, "invalid_input", "into"},
		{"MergeIntoNotACase", "POST", "/api/v1/cases/" + reported + "/merge", "advocate", map[string]any{"into": "nope"}, nil, 422, "invalid_input", "into"},
		{"MergeIntoUnknownCase", "POST", "/api/v1/cases/" + reported + "/merge", "advocate", map[string]any{"into": unknownCase}, nil, 422, "invalid_input", "into"},
		{"MergeIntoNUL", "POST", "/api/v1/cases/" + reported + "/merge", "advocate", map[string]any{"into": "case-01ARZ3NDEKTSV4RRFFQ69G\x00AV"}, nil, 422, "invalid_input", "into"},
		{"MergeIntoNumber", "POST", "/api/v1/cases/" + reported + "/merge", "advocate", map[string]any{"into": 7}, nil, 400, "invalid_input", "into"},
		{"ForwardUnknownDepartment", "POST", "/api/v1/cases/" + triaged + "/forward", "advocate", map[string]any{"department": "ministry_of_magic"}, nil, 422, "invalid_input", "department"},
		{"ForwardNoDepartment", "POST", "/api/v1/cases/" + triaged + "/forward", "advocate", map[string]any{"note": "x"}, nil, 422, "invalid_input", "department"},
		{"AcknowledgeReferenceTooLong", "POST", "/api/v1/cases/" + forwarded + "/acknowledge", "officer", map[string]any{"reference": strings.Repeat("R", 101)}, nil, 422, "invalid_input", "reference"},
		{"AnswerNoResponse", "POST", "/api/v1/cases/" + forwarded + "/answer", "officer", map[string]any{"response": ""}, nil, 422, "invalid_input", "response"},
		{"AnswerPlannedForNotADate", "POST", "/api/v1/cases/" + forwarded + "/answer", "officer", map[string]any{"response": "soon", "planned_for": "tomorrow"}, nil, 400, "invalid_input", ""},
		{"ResolveNoNote", "POST", "/api/v1/cases/" + forwarded + "/resolve", "officer", map[string]any{}, nil, 422, "invalid_input", "note"},
		{"ConfirmTokenNotString", "POST", "/api/v1/cases/" + resolved + "/confirm", "", map[string]any{"tracking_token": 5}, nil, 400, "invalid_input", "tracking_token"},
		{"ReopenNoReason", "POST", "/api/v1/cases/" + resolved + "/reopen", "advocate", map[string]any{"reason": ""}, nil, 422, "invalid_input", "reason"},
		{"CommentBadVisibility", "POST", "/api/v1/cases/" + forwarded + "/comments", "advocate", map[string]any{"body": "x", "visibility": "secret"}, nil, 422, "invalid_input", "visibility"},
		{"CommentEmptyBody", "POST", "/api/v1/cases/" + forwarded + "/comments", "advocate", map[string]any{"body": " ", "visibility": "public"}, nil, 422, "invalid_input", "body"},
		{"CommentBodyNotString", "POST", "/api/v1/cases/" + forwarded + "/comments", "advocate", map[string]any{"body": []string{"x"}, "visibility": "public"}, nil, 400, "invalid_input", "body"},
		{"SupportUnknownField", "POST", "/api/v1/cases/" + reported + "/support", "", map[string]any{"count": 100}, nil, 400, "invalid_input", "count"},
		{"SupportTooLarge", "POST", "/api/v1/cases/" + reported + "/support", "", `{"x": "` + huge + `"}`, nil, 413, "payload_too_large", ""},

		// Headers.
		{"IfMatchNotANumber", "POST", "/api/v1/cases/" + forwarded + "/comments", "advocate", map[string]any{"body": "x", "visibility": "public"}, []string{"If-Match", `"abc"`}, 400, "invalid_input", "If-Match"},
		{"IfMatchNegative", "POST", "/api/v1/cases/" + forwarded + "/comments", "advocate", map[string]any{"body": "x", "visibility": "public"}, []string{"If-Match", `"-1"`}, 400, "invalid_input", "If-Match"},
		{"IdempotencyKeyTooLong", "POST", "/api/v1/cases", "", badinputReport(), []string{"Idempotency-Key", strings.Repeat("k", 201)}, 400, "invalid_input", "Idempotency-Key"},

		// Unknown and malformed case ids.
		{"GetUnknownCase", "GET", "/api/v1/cases/" + unknownCase, "", nil, nil, 404, "not_found", ""},
		{"GetMalformedCaseID", "GET", "/api/v1/cases/nope", "", nil, nil, 404, "not_found", ""},
		{"GetCampaignIDAsCase", "GET", "/api/v1/cases/camp-01ARZ3NDEKTSV4RRFFQ69G5FAV", "advocate", nil, nil, 404, "not_found", ""},
		{"HistoryUnknownCase", "GET", "/api/v1/cases/" + unknownCase + "/history", "", nil, nil, 404, "not_found", ""},
		{"HistoryMalformedCaseID", "GET", "/api/v1/cases/nope/history", "", nil, nil, 404, "not_found", ""},
		{"TriageUnknownCase", "POST", "/api/v1/cases/" + unknownCase + "/triage", "advocate", map[string]any{"priority": "high"}, nil, 404, "not_found", ""},
		{"TriageMalformedCaseID", "POST", "/api/v1/cases/nope/triage", "advocate", map[string]any{"priority": "high"}, nil, 404, "not_found", ""},
		{"SupportUnknownCase", "POST", "/api/v1/cases/" + unknownCase + "/support", "", map[string]any{}, nil, 404, "not_found", ""},
		{"CommentMalformedCaseID", "POST", "/api/v1/cases/case-%20/comments", "advocate", map[string]any{"body": "x", "visibility": "public"}, nil, 404, "not_found", ""},
		{"UnknownEndpoint", "GET", "/api/v1/nope", "", nil, nil, 404, "not_found", ""},

		// The case list's query.
		{"ListLimitNotNumber", "GET", "/api/v1/cases?limit=abc", "", nil, nil, 400, "invalid_input", "limit"},
		{"ListLimitZero", "GET", "/api/v1/cases?limit=0", "", nil, nil, 400, "invalid_input", "limit"},
		{"ListLimitTooBig", "GET", "/api/v1/cases?limit=1000", "", nil, nil, 422, "invalid_input", "limit"},
		{"ListUnknownStatus", "GET", "/api/v1/cases?status=nope", "", nil, nil, 422, "invalid_input", "status"},
		{"ListOverdueMaybe", "GET", "/api/v1/cases?overdue=maybe", "", nil, nil, 400, "invalid_input", "overdue"},
		{"ListCursorGarbage", "GET", "/api/v1/cases?cursor=garbage", "", nil, nil, 400, "invalid_input", "cursor"},
		{"ListCursorNotBase64", "GET", "/api/v1/cases?cursor=%25%25%25", "", nil, nil, 400, "invalid_input", "cursor"},
		// Cursors that decode to an id holding NUL ("1|a\x00b") or invalid
		// UTF-8 ("1|\xfe"): PostgreSQL refuses both as text.
		{"ListCursorNUL", "GET", "/api/v1/cases?cursor=MXxhAGI", "", nil, nil, 400, "invalid_input", "cursor"},
		{"CampaignListCursorNotUTF8", "GET", "/api/v1/campaigns?cursor=MXz__g", "", nil, nil, 400, "invalid_input", "cursor"},
		{"ListQueryTooLong", "GET", "/api/v1/cases?q=" + strings.Repeat("q", 201), "", nil, nil, 400, "invalid_input", "q"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := sharedServer(t, shared)
			r, before, after := guard.measure(ts, func() response {
				return ts.do(tt.method, tt.path, tt.who, tt.body, tt.headers...)
			})
			p := checkProblem(t, r, tt.status, tt.code)
			if tt.field != "" && p["field"] != tt.field {
				t.Errorf("field %v, want %s: %s", p["field"], tt.field, r.body)
			}
			if after != before {
				t.Errorf("bad input moved the log head %d -> %d", before, after)
			}
		})
	}
}

func TestArabicRoundTrip(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	// Diacritics, a right-to-left mark, a zero-width joiner, Arabic-Indic
	// digits, an emoji and newlines: all must come back byte for byte.
	title := "حُفْرَة عميقة أمام مدرسة ابن خلدون\u200f — خطر على التلاميذ ٣ مرات 🚧"
	description := "الحفرة في شارع الحرية، قرب المدرسة.\nسقط فيها درّاجان هذا الأسبوع.\n\u200dLa route est dangereuse."
	district := "حي الزهور ٣" // not in the directory, so kept as typed
	address := "نهج الحرية عدد ١٢"
	long := strings.Repeat("ب", 200) // exactly the limit, in runes

	for _, c := range []struct{ name, title string }{{"Mixed", title}, {"LongestTitle", long}} {
		rep := ts.report(map[string]any{"title": c.title, "description": description, "district": district, "address": address, "language": "ar"})
		id, _ := rep["id"].(string)
		got := ts.must(http.StatusOK, "GET", "/api/v1/cases/"+id, "", nil)
		for f, want := range map[string]string{"title": c.title, "description": description, "district": district, "address": address, "language": "ar"} {
			if got[f] != want {
				t.Errorf("%s: %s = %q, want %q", c.name, f, got[f], want)
			}
		}
		var h struct {
			Events []struct {
				Data struct {
					Title       string `json:"title"`
					Description string `json:"description"`
				} `json:"data"`
			} `json:"events"`
		}
		if err := json.Unmarshal(ts.do("GET", "/api/v1/cases/"+id+"/history", "", nil).body, &h); err != nil || len(h.Events) == 0 {
			t.Fatalf("%s: history: %v", c.name, err)
		}
		if h.Events[0].Data.Title != c.title || h.Events[0].Data.Description != description {
			t.Errorf("%s: history records %q / %q", c.name, h.Events[0].Data.Title, h.Events[0].Data.Description)
		}
	}

	// The list, through the projection, returns the same strings.
	ts.expectRead("the list to show both Arabic cases", func() bool {
		var l struct {
			Items []map[string]any `json:"items"`
		}
		_ = json.Unmarshal(ts.do("GET", "/api/v1/cases?district="+url.QueryEscape(district), "", nil).body, &l)
		titles := map[any]bool{}
		for _, it := range l.Items {
			if it["district"] == district && it["description"] == description {
				titles[it["title"]] = true
			}
		}
		return len(l.Items) == 2 && titles[title] && titles[long]
	})

	// Notes on commands come back as sent too.
	id, _ := driveCase(t, ts, "triaged")
	note := "عاجل: قرب المدرسة الابتدائية\u200f (٢٠٢٦)"
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+id+"/forward", "advocate", map[string]any{"department": "roads_works", "note": note})
	var h struct {
		Events []struct {
			Type string `json:"type"`
			Data struct {
				Note string `json:"note"`
			} `json:"data"`
		} `json:"events"`
	}
	if err := json.Unmarshal(ts.do("GET", "/api/v1/cases/"+id+"/history", "", nil).body, &h); err != nil {
		t.Fatal(err)
	}
	if last := h.Events[len(h.Events)-1]; last.Type != "CaseForwarded" || last.Data.Note != note {
		t.Errorf("forward note recorded as %+v, want %q", last, note)
	}
}
