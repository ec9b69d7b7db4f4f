package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
	first := ts.postReportForm("/report", form, "Origin", ts.url)
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
	again := ts.postReportForm("/report", form, "Origin", ts.url)
	if a, b := submatch(t, caseIDPattern, string(again.body)), submatch(t, caseIDPattern, string(first.body)); a != b {
		t.Fatalf("resent form: case %s; want the first answer, %s", a, b)
	}
}
