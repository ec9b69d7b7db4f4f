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
		kept       bool // whether the sent correlation id is the one used
	}{
		{"CorrelationFromCaller", "order-42", true},
		{"NoCorrelation", "", false},
		{"UnprintableCorrelation", "bad\x01id", false},
		{"LongCorrelation", strings.Repeat("x", 101), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var logged bytes.Buffer
			var seen domain.Metadata
			h := transport.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = domain.MetadataFrom(r.Context())
				w.WriteHeader(http.StatusTeapot)
			}), slog.New(slog.NewTextHandler(&logged, nil)))
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
			if want := map[bool]string{true: tc.sent, false: reqID}[tc.kept]; corr != want {
				t.Errorf("correlation id %q, want %q", corr, want)
			}
			line := logged.String()
			for _, s := range []string{"status=418", "path=/x", "request_id=" + reqID, "correlation_id=" + corr} {
				if !strings.Contains(line, s) {
					t.Errorf("log %q lacks %q", line, s)
				}
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
