package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/transport"
)

// newRoutedPages is newTestPages with its routes: enough for the pages
// that read no storage.
func newRoutedPages(t *testing.T) *Server {
	t.Helper()
	s := newTestPages(t, false)
	s.mux = http.NewServeMux()
	s.routes()
	s.routed = s.mux
	return s
}

func TestUnknownPagesAreTheSitesNotFound(t *testing.T) {
	t.Parallel()
	s := newRoutedPages(t)
	for _, path := range []string{"/cases/", "/campaigns/", "/nope", "/cases/x/y", "/static/"} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, path+"?lang=en", nil))
		if path == "/static/" {
			// No directory listing; the static handler answers it.
			if rec.Code != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", path, rec.Code)
			}
			continue
		}
		if rec.Code != http.StatusNotFound || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") ||
			!strings.Contains(rec.Body.String(), s.messages[langEN]["error.not_found"]) {
			t.Errorf("%s: %d %s, want the site's 404 page:\n%.300s", path, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
		}
	}
}

func TestStaticConditionalRequests(t *testing.T) {
	t.Parallel()
	s := newRoutedPages(t)
	get := func(header, value string) *httptest.ResponseRecorder {
		req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/static/bayt.css", nil)
		if header != "" {
			req.Header.Set(header, value)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec
	}
	first := get("", "")
	tag := first.Header().Get("ETag")
	if first.Code != http.StatusOK || !strings.HasPrefix(tag, `"`) {
		t.Fatalf("GET: %d with ETag %q, want 200 with a strong ETag", first.Code, tag)
	}
	for _, tc := range []struct {
		header, value string
		status        int
	}{
		{"If-Match", tag, http.StatusOK},
		{"If-Match", "*", http.StatusOK},
		{"If-None-Match", tag, http.StatusNotModified},
		{"If-Match", `"stale"`, http.StatusPreconditionFailed},
	} {
		rec := get(tc.header, tc.value)
		if rec.Code != tc.status {
			t.Errorf("%s: %s: %d, want %d", tc.header, tc.value, rec.Code, tc.status)
		}
		if rec.Code == http.StatusPreconditionFailed && !strings.Contains(rec.Body.String(), tag) {
			t.Errorf("412 says %q, want it to name the current ETag %s", rec.Body, tag)
		}
	}
}

func TestUnavailableDatabaseIsA503Page(t *testing.T) {
	t.Parallel()
	s := newRoutedPages(t)
	req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/cases/x?lang=en", nil)
	rec := httptest.NewRecorder()
	s.fail(rec, req, s.data(req, ""), fmt.Errorf("load case: %w", domain.ErrUnavailable))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != transport.RetryAfter ||
		!strings.Contains(rec.Body.String(), s.messages[langEN]["error.unavailable"]) {
		t.Fatalf("%d, Retry-After %q:\n%.300s\nwant 503 with Retry-After and the unavailable page", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
}
