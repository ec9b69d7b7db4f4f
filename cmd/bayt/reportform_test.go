package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/citizenhouse/bayt/eventstore"
)

// TestReportFormKeyIsKeyed posts the report form with a name and a phone
// and reads the key its answer is remembered under: it is a keyed hash of
// the form, which nobody holding the table can recompute from a guess of
// who reported, where a plain hash of the form would confirm the guess.
func TestReportFormKeyIsKeyed(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	const formKey = "a2V5ZWQtZm9ybS1rZXktMQ"
	form := url.Values{
		"title": {"تسرب مياه"}, "description": {"منذ أسبوع"}, "category": {"roads"}, "district": {"Medina"},
		"name": {"Samir Trabelsi"}, "phone": {"+216 22 333 444"}, "form_key": {formKey},
	}
	first := ts.page("POST", "/report", form, "Origin", ts.url)
	if first.status != http.StatusCreated {
		t.Fatalf("form report: %d", first.status)
	}
	ctx := context.Background()
	var key string
	if err := ts.pool.QueryRow(ctx, "SELECT key FROM idempotency_keys").Scan(&key); err != nil {
		t.Fatal(err)
	}
	hasher, err := eventstore.NewVault(ts.pool, ts.mk).Hasher(ctx)
	if err != nil {
		t.Fatal(err)
	}
	content := "POST /report\x00" + form.Encode()
	// The key is the one the server's keyed hash gives the form as the
	// test sent it: the guess below is computed over the same content.
	if want := "page:report:" + formKey + ":" + hasher.Sum("web.report_form", content)[:32]; key != want {
		t.Fatalf("remembered under %q, want %q", key, want)
	}
	plain := sha256.Sum256([]byte(content))
	if strings.Contains(key, hex.EncodeToString(plain[:16])) {
		t.Fatalf("remembered under a plain hash of the form: %q", key)
	}
	again := ts.page("POST", "/report", form, "Origin", ts.url)
	if again.status != http.StatusCreated || again.header.Get("Location") != first.header.Get("Location") {
		t.Fatalf("resent form: %d at %q; want the first answer, %q", again.status, again.header.Get("Location"), first.header.Get("Location"))
	}
}
