package web

import (
	"math"
	"strings"
	"testing"
)

func TestTileSource(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		template, want string
		ok             bool
	}{
		{"https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org", true},
		{"https://{s}.tile.openstreetmap.fr/hot/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.fr", true},
		{"http://127.0.0.1:8081/{z}/{x}/{y}.png", "http://127.0.0.1:8081", true},
		{"https://tiles.example.net/{z}/{x}/{y}.png?key=abc", "https://tiles.example.net", true},
		{"/tiles/{z}/{x}/{y}.png", "", true},
		{"https://tile.example.org/{z}/{x}.png", "", false},                          // no {y}
		{"//tile.example.org/{z}/{x}/{y}.png", "", false},                            // no scheme
		{"javascript:alert(1)//{z}/{x}/{y}", "", false},                              // not http
		{"https://tile.example.org; script-src *; x/{z}/{x}/{y}.png", "", false},     // a CSP directive smuggled in
		{"https://tile.example.org/{z}/{x}/{y}.png 'unsafe-inline'", "", false},      // a source smuggled in
		{"https://a.{s}.example.org/{z}/{x}/{y}.png", "", false},                     // placeholder past the first label
		{"https://{s}/{z}/{x}/{y}.png", "", false},                                   // a host of nothing but a placeholder
		{"https://user@tile.example.org/{z}/{x}/{y}.png", "", false},                 // credentials
		{"https://tile.example.org:80a/{z}/{x}/{y}.png", "", false},                  // a bad port
		{"https://tile.example.org:/{z}/{x}/{y}.png", "", false},                     // an empty port
		{"https://tile.example.org\"/{z}/{x}/{y}.png", "", false},                    // a quote
		{"https://tile.example.org,https://evil.example/{z}/{x}/{y}.png", "", false}, // a list
	} {
		got, err := TileSource(tc.template)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("TileSource(%q) = %q, %v; want %q, ok %v", tc.template, got, err, tc.want, tc.ok)
		}
	}
}

func TestPageCSP(t *testing.T) {
	t.Parallel()
	csp := pageCSPFor("https://*.tile.example.org")
	for _, want := range []string{"default-src 'self'", "img-src 'self' data: https://*.tile.example.org;", "connect-src 'self'",
		"object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") || strings.Count(csp, "tile.example.org") != 1 {
		t.Errorf("CSP %q allows more than the tiles' images", csp)
	}
	if self := pageCSPFor(""); !strings.Contains(self, "img-src 'self' data:;") {
		t.Errorf("CSP for tiles on this origin = %q", self)
	}
}

// TestParseLocation reads the report form's point as residents type it;
// what is no number becomes NaN, which the domain refuses.
func TestParseLocation(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	for _, tc := range []struct {
		lat, lon         string
		none             bool
		wantLat, wantLon float64
	}{
		{"", "", true, 0, 0},
		{"  ", "\t", true, 0, 0},
		{"36.8065", "10.1815", false, 36.8065, 10.1815},
		{" 36,8065 ", "10,1815", false, 36.8065, 10.1815},
		{"٣٦٫٨٠٦٥", "١٠٫١٨١٥", false, 36.8065, 10.1815},
		{"۳۶.۸", "−10.5", false, 36.8, -10.5},
		{"36.8", "", false, 36.8, nan},
		{"", "10.18", false, nan, 10.18},
		{"north", "Inf", false, nan, nan},
		{"0x1p-2", "1_0", false, nan, nan},
		{"36.8.1", "NaN", false, nan, nan},
	} {
		got := parseLocation(tc.lat, tc.lon)
		if tc.none {
			if got != nil {
				t.Errorf("parseLocation(%q, %q) = %+v, want none", tc.lat, tc.lon, *got)
			}
			continue
		}
		if got == nil || !same(got.Lat, tc.wantLat) || !same(got.Lon, tc.wantLon) {
			t.Errorf("parseLocation(%q, %q) = %+v, want %v, %v", tc.lat, tc.lon, got, tc.wantLat, tc.wantLon)
		}
	}
}

func same(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }
