package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestNothingIdentifyingInTheLog sends anonymous writes carrying what
// identifies a resident (their address, as the scope of an idempotency
// key, and a phone number as a correlation id) and then reads every row
// of the log as text: none of it may be there.
func TestNothingIdentifyingInTheLog(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	const phone = "+216 98 765 432"
	const formKey = "c2VjcmV0LWZvcm0ta2V5MQ" // 16 bytes, as the form makes them
	report := map[string]any{
		"title": "حفرة", "description": "عميقة", "category": "roads", "district": "Bab Souika",
		"reporter": map[string]any{"name": "Samir Trabelsi", "phone": "+216 22 333 444"},
	}
	first := ts.do("POST", "/api/v1/cases", "", report, "Idempotency-Key", "my-report-1", "X-Correlation-ID", phone)
	if first.status != http.StatusCreated {
		t.Fatalf("report: %d %s", first.status, first.body)
	}
	if got := first.header.Get("X-Correlation-ID"); got == phone {
		t.Fatalf("correlation id %q kept", got)
	}
	// The key still works, scoped to the same client.
	again := ts.do("POST", "/api/v1/cases", "", report, "Idempotency-Key", "my-report-1", "X-Correlation-ID", phone)
	if again.status != http.StatusCreated || again.header.Get("Idempotent-Replayed") != "true" || again.json(t)["id"] != first.json(t)["id"] {
		t.Fatalf("repeated report: %d %s, replayed %q", again.status, again.body, again.header.Get("Idempotent-Replayed"))
	}
	id := first.json(t)["id"].(string)
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+id+"/support", "", map[string]any{}, "Idempotency-Key", "my-support-1", "X-Correlation-ID", phone)
	form := url.Values{
		"title": {"تسرب مياه"}, "description": {"منذ أسبوع"}, "category": {"roads"}, "district": {"Medina"},
		"name": {"Samir Trabelsi"}, "phone": {"+216 22 333 444"}, "form_key": {formKey},
	}
	ts.postReportForm("/report", form, "Origin", ts.url, "X-Correlation-ID", phone)
	// Staff keys name a credential, not a person, and stay in the log.
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+id+"/triage", "advocate", map[string]any{"priority": "high"}, "Idempotency-Key", "triage-1")

	ctx := context.Background()
	rows, err := ts.pool.Query(ctx, "SELECT e::text FROM events e ORDER BY position")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n, staffKeys := 0, 0
	for rows.Next() {
		var row string
		if err := rows.Scan(&row); err != nil {
			t.Fatal(err)
		}
		n++
		for _, s := range []string{"127.0.0.1", phone, "98 765 432", "my-report-1", "my-support-1", formKey, "anonymous"} {
			if strings.Contains(row, s) {
				t.Errorf("event row %d holds %q: %s", n, s, row)
			}
		}
		if strings.Contains(row, "/triage-1") {
			staffKeys++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 4 || staffKeys != 1 {
		t.Fatalf("%d events, %d with the advocate's key; want at least 4 and 1", n, staffKeys)
	}
	var clear, hashed int
	if err := ts.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE key LIKE '%127.0.0.1%' OR key LIKE '%my-report-1%'),
		count(*) FILTER (WHERE key LIKE 'anonymous:%') FROM idempotency_keys`).Scan(&clear, &hashed); err != nil {
		t.Fatal(err)
	}
	if clear != 0 || hashed != 2 {
		t.Fatalf("idempotency keys: %d in clear, %d hashed; want 0 and 2", clear, hashed)
	}
}

// TestTrustedProxy runs the server behind a proxy it trusts (the test,
// on 127.0.0.1): residents it forwards get a write budget each, while a
// server that trusts no proxy ignores the header.
func TestTrustedProxy(t *testing.T) {
	t.Parallel()
	report := map[string]string{"title": "حفرة", "description": "عميقة", "category": "roads", "district": "المدينة"}
	t.Run("ResidentsBudgetedApart", func(t *testing.T) {
		t.Parallel()
		ts := startMemoryServerWith(t, func(c *config) { c.PublicWriteLimit = 1; c.TrustedProxies = "127.0.0.1/32" })
		for i, tc := range []struct {
			resident string
			want     int
		}{
			{"198.51.100.1", http.StatusCreated},
			{"198.51.100.2", http.StatusCreated},
			{"198.51.100.1", http.StatusTooManyRequests},
			{"198.51.100.2", http.StatusTooManyRequests},
			// What a resident writes to the left of the proxy's entry is
			// not believed.
			{"203.0.113.50, 198.51.100.2", http.StatusTooManyRequests},
		} {
			if r := ts.do("POST", "/api/v1/cases", "", report, "X-Forwarded-For", tc.resident); r.status != tc.want {
				t.Errorf("write %d for %s: %d, want %d: %s", i, tc.resident, r.status, tc.want, r.body)
			}
		}
		if r := ts.do("GET", "/healthz", "", nil, "X-Forwarded-Proto", "https"); r.header.Get("Strict-Transport-Security") == "" {
			t.Error("no Strict-Transport-Security behind a proxy serving HTTPS")
		}
	})
	t.Run("HeaderIgnoredWithoutTrust", func(t *testing.T) {
		t.Parallel()
		ts := startMemoryServerWith(t, func(c *config) { c.PublicWriteLimit = 1 })
		if r := ts.do("POST", "/api/v1/cases", "", report, "X-Forwarded-For", "198.51.100.1"); r.status != http.StatusCreated {
			t.Fatalf("first write: %d %s", r.status, r.body)
		}
		if r := ts.do("POST", "/api/v1/cases", "", report, "X-Forwarded-For", "198.51.100.2"); r.status != http.StatusTooManyRequests {
			t.Fatalf("second write, claiming another address: %d, want 429", r.status)
		}
		if r := ts.do("GET", "/healthz", "", nil, "X-Forwarded-Proto", "https"); r.header.Get("Strict-Transport-Security") != "" {
			t.Error("Strict-Transport-Security on a client's word")
		}
	})
}

// TestResponseHeadersAndGzip checks what every answer carries, that a
// compressed answer decodes to the plain one, and that the live feed
// still upgrades for a client that accepts gzip.
func TestResponseHeadersAndGzip(t *testing.T) {
	t.Parallel()
	ts := startMemoryServerWith(t, func(*config) {})
	ts.must(http.StatusCreated, "POST", "/api/v1/cases", "", map[string]string{"title": "حفرة", "description": "عميقة", "category": "roads", "district": "المدينة"})
	// The pages compared below must not change between the two reads: wait
	// until the board shows the case (the in-memory read models report no
	// position to wait on).
	waitFor(t, "the board to show the case", func() bool {
		return strings.Contains(string(ts.do("GET", "/?lang=en", "", nil).body), "حفرة")
	})
	// The client decodes nothing itself, so what arrives is what was sent.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	t.Cleanup(client.CloseIdleConnections)
	get := func(path string, gz bool) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, ts.url+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if gz {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, b
	}
	for _, path := range []string{"/?lang=en", "/campaigns", "/api/v1/cases", "/api/v1/categories", "/static/bayt.css", "/static/live.js"} {
		plain, want := get(path, false)
		resp, body := get(path, true)
		if plain.StatusCode != http.StatusOK || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d, with gzip %d", path, plain.StatusCode, resp.StatusCode)
		}
		for _, r := range []*http.Response{plain, resp} {
			if r.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(r.Header.Get("Vary"), "Accept-Encoding") {
				t.Errorf("GET %s: X-Content-Type-Options %q, Vary %q", path, r.Header.Get("X-Content-Type-Options"), r.Header.Get("Vary"))
			}
			if r.Header.Get("Strict-Transport-Security") != "" {
				t.Errorf("GET %s: Strict-Transport-Security over plain HTTP", path)
			}
		}
		if plain.Header.Get("Content-Encoding") != "" || resp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("GET %s: Content-Encoding %q, with gzip accepted %q", path, plain.Header.Get("Content-Encoding"), resp.Header.Get("Content-Encoding"))
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		got, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("GET %s: gzip decodes to %d bytes, the plain answer is %d", path, len(got), len(want))
		}
	}
	conn := dialLive(t, ts.url, "?board=public", http.Header{"Accept-Encoding": {"gzip"}})
	if m, err := readLive(t, conn, 10*time.Second); err != nil || m.Type != "snapshot" {
		t.Fatalf("live feed: %+v, %v", m, err)
	}
}
