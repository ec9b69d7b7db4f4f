package web

import (
	"testing"
)

// TestFindMessages checks that every message key the Go code of finding
// and following a case asks for exists (the templates' keys are checked by
// TestMessages), so no page shows a bare key.
func TestFindMessages(t *testing.T) {
	t.Parallel()
	msgs, err := loadMessages(files)
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{
		"find.any", "find.support.done", "find.support.refused", "error.find_rate.title", "error.find_rate",
		"find.petition.done", "find.petition.closed", "find.track.title", "find.track.token", "find.track.token_hint",
		"find.track.unknown", "find.track.again", "find.track.changed", "find.track.transition", "find.track.forbidden",
		"report.errors", "err.required", "err.too_long", "err.invalid",
	}
	for _, field := range []string{"name", "district"} {
		keys = append(keys, "find.petition."+field, "find.petition."+field+"_hint")
	}
	for name, field := range trackActions {
		keys = append(keys, "find.track."+name, "find.track."+name+".submit", "find.track."+name+"."+field,
			"find.track."+name+"."+field+"_hint", "find.track.done."+name, "wb.err.required", "wb.err.too_long")
	}
	for _, k := range keys {
		if _, ok := msgs[langEN][k]; !ok {
			t.Errorf("no message %q", k)
		}
	}
}

// TestPublicFormPage checks that the language switcher of a public form's
// answer opens the page the form is on.
func TestPublicFormPage(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]string{
		"/track": "/track", "/track/confirm": "/track", "/track/forget": "/track",
		"/cases/case-01/support":            "/cases/case-01",
		"/campaigns/campaign-01/signatures": "/campaigns/campaign-01",
		"/report":                           "",
	} {
		got, ok := publicFormPage(path)
		if got != want || ok != (want != "") {
			t.Errorf("publicFormPage(%q) = %q, %v; want %q", path, got, ok, want)
		}
	}
}
