package main

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestFigures serves the figures over HTTP: needs, responsiveness and the
// campaigns' figures from a case reported and one forwarded, refusals of
// bad periods and themes as problem+json, and the /stats page in each
// language, its charts beside their tables, with no reporter's details.
func TestFigures(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	ts.report(map[string]any{"district": "Figures-Medina", "reporter": map[string]any{"name": "Leila Figuier", "phone": "+216 00 111 222"}})
	ts.forwarded("roads_works", map[string]any{"district": "Figures-Medina"})
	ts.settle()
	month := time.Now().In(mustZone(t)).Format("2006-01")

	needs := ts.must(http.StatusOK, "GET", "/api/v1/stats/needs?district=Figures-Medina", "", nil)
	items, _ := needs["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("needs items = %v", needs["items"])
	}
	it, _ := items[0].(map[string]any)
	if it["district"] != "Figures-Medina" || it["theme"] != "community" || it["month"] != month || it["count"] != 2.0 {
		t.Errorf("needs item = %v, want Figures-Medina, community, %s, 2", it, month)
	}
	if trend, _ := needs["trend"].(map[string]any); trend == nil || len(trend["items"].([]any)) != 1 {
		t.Errorf("needs trend = %v", needs["trend"])
	}

	resp := ts.must(http.StatusOK, "GET", "/api/v1/stats/responsiveness", "", nil)
	depts, _ := resp["departments"].([]any)
	if len(depts) != 1 {
		t.Fatalf("responsiveness departments = %v", resp["departments"])
	}
	d, _ := depts[0].(map[string]any)
	for k, want := range map[string]any{"code": "roads_works", "month": month, "received": 1.0, "open": 1.0, "overdue": 0.0,
		"within_sla_ratio": nil, "median_hours_to_acknowledge": nil, "p90_hours_to_resolve": nil, "reopen_rate": nil} {
		if got, ok := d[k]; !ok || got != want {
			t.Errorf("responsiveness %s = %v, want %v", k, got, want)
		}
	}

	camps := ts.must(http.StatusOK, "GET", "/api/v1/stats/campaigns?from=2020-01&to=2020-12", "", nil)
	if camps["from"] != "2020-01" || camps["to"] != "2020-12" || len(camps["commitments"].([]any)) != 0 || len(camps["attendance"].([]any)) != 0 {
		t.Errorf("campaign figures of 2020 = %v", camps)
	}

	head := ts.head()
	for path, status := range map[string]int{
		"/api/v1/stats/needs?from=2026-13":                     http.StatusUnprocessableEntity,
		"/api/v1/stats/needs?theme=weather":                    http.StatusUnprocessableEntity,
		"/api/v1/stats/responsiveness?from=2026-05&to=2026-01": http.StatusUnprocessableEntity,
		"/api/v1/stats/campaigns?from=1990-01&to=2026-01":      http.StatusUnprocessableEntity,
		"/api/v1/stats/needs?to=%ff":                           http.StatusBadRequest,
	} {
		checkProblem(t, ts.do("GET", path, "", nil), status, "invalid_input")
	}
	if ts.head() != head {
		t.Error("a refused figures request changed the log")
	}

	for _, lang := range []string{"ar", "fr", "en"} {
		p := ts.page("GET", "/stats?lang="+lang, nil)
		if p.status != http.StatusOK {
			t.Fatalf("/stats in %s: %d", lang, p.status)
		}
		body := string(p.body)
		for _, want := range []string{`<html lang="` + lang + `"`, `<svg class="chart" id="chart-months"`, `<svg class="chart" id="chart-needs"`,
			`<svg class="chart" id="chart-sla"`, `<caption id="needs-caption">`, `<caption id="sla-caption">`, "Figures-Medina",
			`href="/stats?lang=` + lang + `" aria-current="page"`} {
			if !strings.Contains(body, want) {
				t.Errorf("/stats in %s lacks %s", lang, want)
			}
		}
		for _, secret := range []string{"Leila", "Figuier", "111 222"} {
			if strings.Contains(body, secret) {
				t.Errorf("/stats in %s shows %q", lang, secret)
			}
		}
	}
}

func mustZone(t *testing.T) *time.Location {
	t.Helper()
	zone, err := configFromEnv().zone()
	if err != nil {
		t.Fatal(err)
	}
	return zone
}
