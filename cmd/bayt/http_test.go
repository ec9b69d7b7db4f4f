package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/citizenhouse/bayt/transport"
)

// TestSurfaces checks how the one handler splits and guards requests
// between the JSON API and the pages. Its subtests run in order, not in
// parallel: they spend one address's write budget in turn.
func TestSurfaces(t *testing.T) {
	t.Parallel()
	ts := startMemoryServerWith(t, func(c *config) { c.PublicWriteLimit = 2 })
	report := map[string]string{"title": "حفرة", "description": "عميقة", "category": "roads", "district": "المدينة"}

	t.Run("EveryRequestTraced", func(t *testing.T) {
		for _, path := range []string{"/api/v1/categories", "/healthz", "/report", "/no-such-page"} {
			r := ts.do("GET", path, "", nil, "X-Correlation-ID", "01HZY3Q4J8RPK5V0AZ1M2N3B4C")
			if r.header.Get("X-Correlation-ID") != "01HZY3Q4J8RPK5V0AZ1M2N3B4C" || len(r.header.Get("X-Request-ID")) != 16 {
				t.Errorf("GET %s: request id %q, correlation id %q", path, r.header.Get("X-Request-ID"), r.header.Get("X-Correlation-ID"))
			}
		}
	})
	t.Run("Routing", func(t *testing.T) {
		for _, tc := range []struct {
			method, path string
			status       int
			contentType  string
		}{
			{"GET", "/api/v1/nothing", http.StatusNotFound, "application/problem+json"},
			{"GET", "/readyz", http.StatusOK, "application/json; charset=utf-8"},
			{"POST", "/healthz", http.StatusMethodNotAllowed, "text/plain; charset=utf-8"},
			{"DELETE", "/report", http.StatusMethodNotAllowed, "text/plain; charset=utf-8"},
			{"GET", "/no-such-page", http.StatusNotFound, "text/html; charset=utf-8"},
			{"GET", "/cases/", http.StatusNotFound, "text/html; charset=utf-8"},
			{"GET", "/campaigns/", http.StatusNotFound, "text/html; charset=utf-8"},
			{"GET", "/campaigns", http.StatusOK, "text/html; charset=utf-8"},
		} {
			r := ts.do(tc.method, tc.path, "", nil)
			if r.status != tc.status || r.header.Get("Content-Type") != tc.contentType {
				t.Errorf("%s %s: %d %q, want %d %q", tc.method, tc.path, r.status, r.header.Get("Content-Type"), tc.status, tc.contentType)
			}
		}
	})
	t.Run("CrossSiteWriteRefusedByTheAPI", func(t *testing.T) {
		r := ts.do("POST", "/api/v1/cases", "", report, "Origin", "http://evil.example")
		if r.status != http.StatusForbidden || r.json(t)["code"] != "forbidden" {
			t.Fatalf("cross-site report: %d %s", r.status, r.body)
		}
	})
	// The limit is one budget per address, whether it posts JSON or a
	// form: two writes, then both surfaces refuse. The cross-site write
	// above was refused before it could spend any.
	t.Run("WriteLimitShared", func(t *testing.T) {
		if r := ts.do("POST", "/api/v1/cases", "", report); r.status != http.StatusCreated {
			t.Fatalf("first report: %d %s", r.status, r.body)
		}
		form := url.Values{"title": {"حفرة"}, "description": {"عميقة"}, "category": {"roads"}, "district": {"المدينة"}}
		ts.postReportForm("/report", form, "Origin", ts.url) // fails unless the form took it
		if r := ts.do("POST", "/api/v1/cases", "", report); r.status != http.StatusTooManyRequests {
			t.Fatalf("third report: %d %s, want 429", r.status, r.body)
		}
		r := ts.page("POST", "/report?lang=en", form, "Origin", ts.url)
		if r.status != http.StatusTooManyRequests || !strings.Contains(string(r.body), "<html") {
			t.Fatalf("fourth report, by the form: %d, want a 429 page", r.status)
		}
	})
	if r := ts.do("GET", "/readyz", "", nil); r.json(t)["warning"] != transport.EphemeralWarning {
		t.Errorf("readyz warning %v", r.json(t)["warning"])
	}
}
