package transport_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/transport"
)

func TestMiddleware(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, sent string
		want       string // the correlation id used; "" for a fresh one
	}{
		{"ULIDKept", "01HZY3Q4J8RPK5V0AZ1M2N3B4C", "01HZY3Q4J8RPK5V0AZ1M2N3B4C"},
		{"ULIDCanonical", "01hzy3q4j8rpk5v0az1m2n3b4c", "01HZY3Q4J8RPK5V0AZ1M2N3B4C"},
		{"UUIDKept", "0b9e7c52-3c1f-4f5e-9a57-2d8c4e1f6a3b", "0b9e7c52-3c1f-4f5e-9a57-2d8c4e1f6a3b"},
		{"UUIDCanonical", "0B9E7C52-3C1F-4F5E-9A57-2D8C4E1F6A3B", "0b9e7c52-3c1f-4f5e-9a57-2d8c4e1f6a3b"},
		{"NoCorrelation", "", ""},
		{"FreeText", "order-42", ""},
		{"PhoneNumber", "+216 98 765 432", ""},
		{"UUIDInBraces", "{0b9e7c52-3c1f-4f5e-9a57-2d8c4e1f6a3b}", ""},
		{"Unprintable", "bad\x01id", ""},
		{"Long", strings.Repeat("x", 101), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var logged bytes.Buffer
			var seen domain.Metadata
			h := transport.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = domain.MetadataFrom(r.Context())
				w.WriteHeader(http.StatusTeapot)
			}), transport.MiddlewareConfig{Logger: slog.New(slog.NewTextHandler(&logged, nil))})
			r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/x", nil)
			if tc.sent != "" {
				r.Header.Set("X-Correlation-ID", tc.sent)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			reqID, corr := w.Header().Get("X-Request-ID"), w.Header().Get("X-Correlation-ID")
			if len(reqID) != 16 || seen.RequestID != reqID || seen.CorrelationID != corr || seen.Actor != domain.Anonymous {
				t.Fatalf("request id %q, correlation %q, metadata %+v", reqID, corr, seen)
			}
			want := tc.want
			if want == "" {
				want = reqID
			}
			if corr != want {
				t.Errorf("correlation id %q, want %q", corr, want)
			}
			line := logged.String()
			for _, s := range []string{"status=418", "path=/x", "request_id=" + reqID, "correlation_id=" + corr} {
				if !strings.Contains(line, s) {
					t.Errorf("log %q lacks %q", line, s)
				}
			}
			if tc.sent != "" && tc.want == "" && strings.Contains(line, tc.sent) {
				t.Errorf("log %q holds the refused correlation id", line)
			}
		})
	}
}

func TestCrossSiteRefuse(t *testing.T) {
	t.Parallel()
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	refuse := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusForbidden) })
	h := transport.NewCrossSite().Refuse(ok, refuse)
	for _, tc := range []struct {
		name, method string
		headers      map[string]string
		want         int
	}{
		{"Program", http.MethodPost, nil, http.StatusOK},
		{"SameOrigin", http.MethodPost, map[string]string{"Origin": "http://bayt.example"}, http.StatusOK},
		{"CrossSiteWrite", http.MethodPost, map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
		{"CrossSiteFetch", http.MethodPost, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"CrossSiteRead", http.MethodGet, map[string]string{"Origin": "http://evil.example"}, http.StatusOK},
		// The API does not judge by Referer: programs may send any.
		{"OtherReferer", http.MethodPost, map[string]string{"Referer": "http://evil.example/"}, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequestWithContext(t.Context(), tc.method, "http://bayt.example/api/v1/cases", nil)
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d", w.Code, tc.want)
			}
		})
	}
}

func TestLimiter(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	from := func(addr string) *http.Request {
		r := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/report", nil)
		r.RemoteAddr = addr
		return r
	}
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		l := transport.NewLimiter(2)
		for i, tc := range []struct {
			addr string
			at   time.Time
			want bool
		}{
			{"10.0.0.1:1000", at, true},
			{"10.0.0.1:2000", at, true}, // another port, the same client
			{"10.0.0.1:3000", at.Add(59 * time.Second), false},
			{"10.0.0.2:1000", at, true},
			{"10.0.0.1:1000", at.Add(time.Minute), true}, // a new window
		} {
			if got := l.Allow(from(tc.addr), tc.at); got != tc.want {
				t.Errorf("write %d from %s: Allow = %v, want %v", i, tc.addr, got, tc.want)
			}
		}
	})
	t.Run("Off", func(t *testing.T) {
		t.Parallel()
		l := transport.NewLimiter(0)
		for i := range 100 {
			if !l.Allow(from("10.0.0.1:1"), at) {
				t.Fatalf("write %d refused with the limit off", i)
			}
		}
	})
}

// TestMiddlewareObservesRoutes sees that requests are observed by the
// pattern of the innermost mux that served them, even through handlers
// that copy the request on the way down, and never by their path.
func TestMiddlewareObservesRoutes(t *testing.T) {
	t.Parallel()
	inner := http.NewServeMux()
	inner.HandleFunc("GET /api/v1/cases/{id}", func(w http.ResponseWriter, r *http.Request) {})
	outer := http.NewServeMux()
	copying := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		transport.Routed(inner).ServeHTTP(w, r.WithContext(r.Context()))
	})
	outer.Handle("/api/", copying)
	outer.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	type observed struct {
		method, route string
		status        int
	}
	var got []observed
	h := transport.Middleware(transport.Routed(outer), transport.MiddlewareConfig{
		Logger: slog.New(slog.DiscardHandler),
		ObserveFunc: func(method, route string, status int, _ time.Duration) {
			got = append(got, observed{method, route, status})
		},
	})
	for _, path := range []string{"/api/v1/cases/case-01J0000000000000000000000", "/api/v1/nothing-here", "/healthz", "/wp-login.php"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequestWithContext(t.Context(), http.MethodGet, path, nil))
	}
	want := []observed{
		{"GET", "/api/v1/cases/{id}", http.StatusOK},
		{"GET", "/api/", http.StatusNotFound}, // the inner mux matched nothing: the outer's pattern
		{"GET", "/healthz", http.StatusOK},
		{"GET", "unmatched", http.StatusNotFound},
	}
	if len(got) != len(want) {
		t.Fatalf("observed %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("request %d observed as %+v, want %+v", i, got[i], want[i])
		}
	}
}
