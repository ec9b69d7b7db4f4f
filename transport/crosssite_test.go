package transport_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/citizenhouse/bayt/transport"
)

func TestFormAllowed(t *testing.T) {
	t.Parallel()
	c := transport.NewCrossSite()
	for _, tc := range []struct {
		name    string
		headers map[string]string
		want    bool
	}{
		{"NoHeaders", nil, true},
		{"SameOrigin", map[string]string{"Origin": "http://bayt.example"}, true},
		{"OtherOrigin", map[string]string{"Origin": "http://evil.example"}, false},
		{"NullOrigin", map[string]string{"Origin": "null"}, false},
		{"FetchSiteSameOrigin", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "http://bayt.example"}, true},
		{"FetchSiteCrossSite", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"}, false},
		{"SameReferer", map[string]string{"Referer": "http://bayt.example/report?lang=fr"}, true},
		{"OtherReferer", map[string]string{"Referer": "http://evil.example/report"}, false},
		{"BadReferer", map[string]string{"Referer": "http://[::1"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "http://bayt.example/report", nil)
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			if got := c.FormAllowed(r); got != tc.want {
				t.Fatalf("FormAllowed = %v, want %v", got, tc.want)
			}
		})
	}
}
